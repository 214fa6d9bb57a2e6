package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"sync"
	"unicode/utf8"
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
	mode fs.FileMode
	size int64 // size when listed, to bound the memory held in flight
	read func(buf *bytes.Buffer) error
}

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
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var flatePool = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, level) // level is valid: error impossible
	return w
}}

// checkName rejects names that cannot be stored the same way everywhere.
func checkName(name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("file name %q is not valid UTF-8: rename it or add it to exclude", name)
	}
	return nil
}

// writeEntries writes es, sorted by name, as a deterministic zip. Files are
// read and compressed concurrently and written in order, so the output is
// the same whatever the number of workers.
func writeEntries(w io.Writer, es []entry) (Stats, error) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	for i := 1; i < len(es); i++ {
		if es[i].name == es[i-1].name {
			return Stats{}, fmt.Errorf("duplicate zip entry %q", es[i].name)
		}
	}

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
				j.res <- compress(j.e)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(queue)
		for _, e := range es {
			if !mem.acquire(e.size) {
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

	st, err := drain(w, queue, mem)
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

func drain(w io.Writer, queue chan chan *compressed, mem *budget) (Stats, error) {
	var st Stats
	zw := zip.NewWriter(w)
	for res := range queue {
		c := <-res
		if c.err != nil {
			return st, c.err
		}
		hdr := c.hdr
		out, err := zw.CreateRaw(&hdr)
		if err == nil {
			_, err = out.Write(c.data.Bytes())
		}
		release(c)
		mem.release(c.size)
		if err != nil {
			return st, fmt.Errorf("write zip entry %s: %w", hdr.Name, err)
		}
		st.Files++
		st.UnzippedBytes += int64(hdr.UncompressedSize64)
	}
	if err := zw.Close(); err != nil {
		return st, fmt.Errorf("finish zip: %w", err)
	}
	return st, nil
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
func compress(e entry) *compressed {
	raw := bufPool.Get().(*bytes.Buffer)
	raw.Reset()
	c := &compressed{raw: raw, size: e.size}
	if err := e.read(raw); err != nil {
		c.err = err
		return c
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
