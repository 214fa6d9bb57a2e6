package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Fixed metadata written for every entry, so a zip depends only on names,
// contents and the executable bit.
const (
	// dosDate1980 is 1980-01-01 in MS-DOS date format, the earliest date a
	// zip can hold (what `zip -X` with SOURCE_DATE_EPOCH=315532800 gives).
	dosDate1980 = 1<<5 | 1
	// dosTimeMidnight is 00:00:00.
	dosTimeMidnight = 0
	// fileMode and execMode are the only two modes written.
	fileMode = 0o644
	execMode = 0o755
	// level is the Deflate level. Measured on Python trees, Go's level 4
	// compresses like zlib's default (zip -6) at about twice its speed.
	level = 4
	// creatorUnix is the "version made by" host byte for Unix.
	creatorUnix  = 3
	zipVersion20 = 20
)

// entry is one file to store: its name inside the zip and how to read it.
type entry struct {
	name string // zip path (prefix included)
	rel  string // path below the zip's source root, for messages
	mode fs.FileMode
	size int64 // size when listed, to bound the memory held in flight
	open func() (io.ReadCloser, error)
	// scan asks for the content to be scanned for secrets; allowed says
	// that include names the file exactly, so a secret in it ships.
	scan, allowed bool
}

// streamThreshold is the size from which a file is not read into memory
// but streamed into the zip by the writer (a data descriptor then follows
// its bytes). Smaller files are read and compressed concurrently.
const streamThreshold = 8 << 20

// inFlightBytes bounds the size of the files read ahead of the writer (a
// single bigger file is still admitted, alone). A variable for tests.
var inFlightBytes int64 = 128 << 20

// compressed is an entry made ready to be written raw.
type compressed struct {
	size int64 // entry.size, released from the budget once written
	hdr  zip.FileHeader
	data *bytes.Buffer // compressed (or stored) bytes
	raw  *bytes.Buffer // the file as read; returned to the pool after use
	err  error
	// stream is set for a file the writer streams itself.
	stream *entry
	// secrets found in the file; rel and allowed come from its entry.
	secrets []string
	rel     string
	allowed bool
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var flatePool = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, level) // level is valid: error impossible
	return w
}}

// checkName rejects names that cannot be stored the same way everywhere:
// invalid UTF-8, and control characters (a newline in a name would forge
// lines in every listing and log that prints it).
func checkName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("file name %q is not valid UTF-8: rename it or add it to exclude", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("file name %q holds a control character (newline, tab, ...): rename it or add it to exclude", name)
		}
	}
	return nil
}

// sizeLimit counts the unzipped bytes of one zip as they are read and
// fails as soon as they pass max (a file that grew after it was listed is
// caught too).
type sizeLimit struct {
	max  int64
	used atomic.Int64
}

func (l *sizeLimit) add(n int64, name string) error {
	if l.used.Add(n) > l.max {
		return &TooBigError{Limit: l.max, Path: name}
	}
	return nil
}

// TooBigError is a zip whose files unzip to more than its limit (Lambda's
// 250 MB by default).
type TooBigError struct {
	Limit int64
	// Path is the file being read when the limit was passed; Largest lists
	// the biggest files when the sizes listed were already over it.
	Path    string
	Largest []string
	Total   int64
}

func (e *TooBigError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("files unzip to more than %s (Lambda's limit for code and layers) while reading %s: exclude it or trim the project", human.Bytes(e.Limit), e.Path)
	}
	return fmt.Sprintf("files unzip to %s, over %s (Lambda's limit for code and layers); largest: %s: exclude them or trim the project",
		human.Bytes(e.Total), human.Bytes(e.Limit), strings.Join(e.Largest, ", "))
}

// checkSizes fails fast, before reading anything, when the files listed
// are already over the limit.
func checkSizes(es []entry, max int64) error {
	var total int64
	for _, e := range es {
		total += e.size
	}
	if total <= max {
		return nil
	}
	big := append([]entry(nil), es...)
	sort.Slice(big, func(i, j int) bool {
		return big[i].size > big[j].size || big[i].size == big[j].size && big[i].name < big[j].name
	})
	var names []string
	for _, e := range big[:min(3, len(big))] {
		names = append(names, fmt.Sprintf("%s (%s)", e.rel, human.Bytes(e.size)))
	}
	return &TooBigError{Limit: max, Largest: names, Total: total}
}

// ctxReader reads r in chunks, stopping when ctx ends and counting the
// bytes against lim.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	lim  *sizeLimit
	name string
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) > 1<<20 {
		p = p[:1<<20]
	}
	n, err := c.r.Read(p)
	if lerr := c.lim.add(int64(n), c.name); lerr != nil {
		return n, lerr
	}
	return n, err
}

// writeEntries writes es, sorted by name, as a deterministic zip. Files are
// read and compressed concurrently and written in order, so the output is
// the same whatever the number of workers.
//
// The files' sizes are checked against max before anything is read, and
// the bytes read are counted against it as they come. Files of at least
// streamThreshold bytes are streamed, never held in memory whole. ctx is
// checked between every chunk read. Files marked for scanning are scanned
// for secrets: any found (and not allowed) fail the zip with a
// *SecretError naming every file.
func writeEntries(ctx context.Context, w io.Writer, es []entry, max int64) (Stats, error) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	for i := 1; i < len(es); i++ {
		if es[i].name == es[i-1].name {
			return Stats{}, fmt.Errorf("duplicate zip entry %q", es[i].name)
		}
	}
	if max <= 0 {
		max = LambdaUnzippedLimit
	}
	if err := checkSizes(es, max); err != nil {
		return Stats{}, err
	}
	lim := &sizeLimit{max: max}

	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job)
	// queue holds the results in entry order; its capacity bounds how far
	// the workers run ahead of the writer (and so the memory held).
	queue := make(chan chan *compressed, 4*workers)
	done := make(chan struct{})
	mem := newBudget(inFlightBytes)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.res <- compress(ctx, j.e, lim)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(queue)
		for _, e := range es {
			held := e.size
			if held >= streamThreshold {
				held = 0 // streamed by the writer
			}
			if !mem.acquire(held) {
				return
			}
			res := make(chan *compressed, 1)
			select {
			case queue <- res:
			case <-done:
				return
			}
			select {
			case jobs <- job{e: e, res: res}:
			case <-done:
				return
			}
		}
	}()

	st, err := drain(ctx, w, queue, mem, lim)
	if err != nil {
		close(done)
		mem.abort()
		// Let the producer see done and exit.
		for range queue {
		}
	}
	wg.Wait()
	return st, err
}

type job struct {
	e   entry
	res chan *compressed
}

func drain(ctx context.Context, w io.Writer, queue chan chan *compressed, mem *budget, lim *sizeLimit) (Stats, error) {
	var st Stats
	var secrets []Finding
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, level)
	})
	for res := range queue {
		var c *compressed
		select {
		case c = <-res:
		case <-ctx.Done():
			return st, ctx.Err()
		}
		if c.err != nil {
			return st, c.err
		}
		for _, k := range c.secrets {
			if c.allowed {
				st.Allowed = append(st.Allowed, Finding{Path: c.rel, Kind: k})
			} else {
				secrets = append(secrets, Finding{Path: c.rel, Kind: k})
			}
		}
		var err error
		hdr := c.hdr
		if c.stream != nil {
			hdr.Name = c.stream.name
			var n int64
			var kinds []string
			n, kinds, err = streamEntry(ctx, zw, c.stream, lim)
			hdr.UncompressedSize64 = uint64(n)
			for _, k := range kinds {
				if c.allowed {
					st.Allowed = append(st.Allowed, Finding{Path: c.rel, Kind: k})
				} else {
					secrets = append(secrets, Finding{Path: c.rel, Kind: k})
				}
			}
		} else {
			var out io.Writer
			out, err = zw.CreateRaw(&hdr)
			if err == nil {
				_, err = out.Write(c.data.Bytes())
			}
			release(c)
		}
		mem.release(c.size)
		if err != nil {
			var tb *TooBigError
			if errors.As(err, &tb) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return st, err
			}
			return st, fmt.Errorf("write zip entry %s: %w", hdr.Name, err)
		}
		st.Files++
		st.UnzippedBytes += int64(hdr.UncompressedSize64)
	}
	if len(secrets) > 0 {
		return st, &SecretError{Findings: secrets}
	}
	if err := zw.Close(); err != nil {
		return st, fmt.Errorf("finish zip: %w", err)
	}
	return st, nil
}

// streamEntry copies a big file into the zip chunk by chunk: it is stored
// when its first 16 KB look compressed already, deflated otherwise (the
// choice depends on the content only, so the bytes stay deterministic).
// When the entry asks for it, the bytes are scanned for secrets on their
// way (in bounded memory, see secretScanner): the kinds found are
// returned, and the caller fails the zip.
func streamEntry(ctx context.Context, zw *zip.Writer, e *entry, lim *sizeLimit) (int64, []string, error) {
	n, sc, err := streamCopy(ctx, zw, e, lim)
	if err != nil || sc == nil {
		return n, nil, err
	}
	return n, sc.Kinds(), nil
}

func streamCopy(ctx context.Context, zw *zip.Writer, e *entry, lim *sizeLimit) (int64, *secretScanner, error) {
	f, err := e.open()
	if err != nil {
		return 0, nil, fmt.Errorf("zip: %w", err)
	}
	defer f.Close()
	r := &ctxReader{ctx: ctx, r: f, lim: lim, name: e.rel}
	head := make([]byte, 16<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, nil, err
	}
	head = head[:n]
	hdr := zip.FileHeader{
		Name:   e.name,
		Method: zip.Deflate,
		//lint:ignore SA1019 deliberate, see compress
		ModifiedDate: dosDate1980,
		//lint:ignore SA1019 deliberate, see compress
		ModifiedTime:   dosTimeMidnight,
		CreatorVersion: creatorUnix << 8,
	}
	if looksCompressed(head) {
		hdr.Method = zip.Store
	}
	hdr.SetMode(e.mode)
	if !isASCII(e.name) {
		hdr.Flags |= 0x800
	}
	out, err := zw.CreateHeader(&hdr)
	if err != nil {
		return 0, nil, err
	}
	var sc *secretScanner
	if e.scan {
		sc = newSecretScanner()
		out = io.MultiWriter(out, sc)
	}
	if _, err := out.Write(head); err != nil {
		return 0, nil, err
	}
	buf := make([]byte, 1<<20)
	rest, err := io.CopyBuffer(out, r, buf)
	return int64(n) + rest, sc, err
}

func release(c *compressed) {
	put(c.raw)
	if c.data != c.raw {
		put(c.data)
	}
}

// put returns a buffer to the pool unless it grew too big to keep around.
func put(b *bytes.Buffer) {
	if b != nil && b.Cap() <= 64<<20 {
		b.Reset()
		bufPool.Put(b)
	}
}

// budget is a weighted semaphore over bytes in flight.
type budget struct {
	mu      sync.Mutex
	cond    sync.Cond
	used    int64
	max     int64
	aborted bool
}

func newBudget(max int64) *budget {
	b := &budget{max: max}
	b.cond.L = &b.mu
	return b
}

// acquire waits until n more bytes fit (or nothing is in flight); false
// when the write was aborted.
func (b *budget) acquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.aborted && b.used > 0 && b.used+n > b.max {
		b.cond.Wait()
	}
	b.used += n
	return !b.aborted
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *budget) abort() {
	b.mu.Lock()
	b.aborted = true
	b.mu.Unlock()
	b.cond.Broadcast()
}

// compress reads one entry and deflates it, falling back to Store when
// Deflate does not make it smaller (already-compressed images, tiny files).
func compress(ctx context.Context, e entry, lim *sizeLimit) *compressed {
	c := &compressed{size: e.size, rel: e.rel, allowed: e.allowed}
	if e.size >= streamThreshold {
		e := e
		c.stream = &e
		c.size = 0
		return c
	}
	raw := bufPool.Get().(*bytes.Buffer)
	raw.Reset()
	c.raw = raw
	if err := readEntry(ctx, raw, e, lim); err != nil {
		c.err = err
		return c
	}
	if e.scan {
		c.secrets = scanSecrets(raw.Bytes())
	}
	n := raw.Len()
	c.hdr = zip.FileHeader{
		Name:               e.name,
		Method:             zip.Store,
		CRC32:              crc32.ChecksumIEEE(raw.Bytes()),
		UncompressedSize64: uint64(n),
		CompressedSize64:   uint64(n),
		// The DOS fields, not Modified: Modified also writes an extended
		// timestamp extra field, which this fixed-time zip does not want.
		//lint:ignore SA1019 deliberate, see above
		ModifiedDate: dosDate1980,
		//lint:ignore SA1019 deliberate, see above
		ModifiedTime:  dosTimeMidnight,
		ReaderVersion: zipVersion20,
	}
	c.hdr.SetMode(e.mode)
	c.hdr.CreatorVersion = creatorUnix<<8 | zipVersion20
	if !isASCII(e.name) {
		c.hdr.Flags |= 0x800 // name is UTF-8 (checked when collected)
	}
	c.data = raw
	if n == 0 || looksCompressed(raw.Bytes()) {
		return c
	}
	out := bufPool.Get().(*bytes.Buffer)
	out.Reset()
	fw := flatePool.Get().(*flate.Writer)
	fw.Reset(out)
	_, err := fw.Write(raw.Bytes())
	if err == nil {
		err = fw.Close()
	}
	flatePool.Put(fw)
	if err != nil {
		c.err = fmt.Errorf("compress %s: %w", e.name, err)
		return c
	}
	if out.Len() < n {
		c.hdr.Method = zip.Deflate
		c.hdr.CompressedSize64 = uint64(out.Len())
		c.data = out
		return c
	}
	put(out)
	return c
}

// readEntry reads a (small) file into buf, counting its bytes against lim.
func readEntry(ctx context.Context, buf *bytes.Buffer, e entry, lim *sizeLimit) error {
	f, err := e.open()
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	defer f.Close()
	if e.size > 0 {
		buf.Grow(int(e.size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(&ctxReader{ctx: ctx, r: f, lim: lim, name: e.rel}); err != nil {
		var tb *TooBigError
		if errors.As(err, &tb) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("zip: read %s: %w", e.rel, err)
	}
	return nil
}

// looksCompressed reports whether b starts like data Deflate cannot shrink
// (images, archives, encrypted or random bytes): the byte entropy of its
// first 16 KB is close to 8 bits. Such files are stored without trying to
// compress them, as Info-ZIP would end up doing after compressing them in
// vain. The decision depends on the content only.
func looksCompressed(b []byte) bool {
	const sample, minSize = 16 << 10, 4 << 10
	if len(b) < minSize {
		return false
	}
	b = b[:min(len(b), sample)]
	var hist [256]int
	for _, c := range b {
		hist[c]++
	}
	n := float64(len(b))
	var h float64
	for _, k := range hist {
		if k > 0 {
			p := float64(k) / n
			h -= p * math.Log2(p)
		}
	}
	return h > 7.9
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func modeFor(perm fs.FileMode) fs.FileMode {
	if perm&0o111 != 0 {
		return execMode
	}
	return fileMode
}
