// Package bytecode compiles Python sources into the hash-based .pyc files
// (PEP 552) that the zips carry, so Lambda's Python imports bytecode from a
// read-only /opt or /var/task instead of compiling every module on every
// cold start.
//
// A hash-based .pyc records a hash of its source instead of the source's
// mtime, and each is compiled with the path Lambda will see
// (/opt/python/..., /var/task/...), so the same sources give the same bytes
// on any checkout. It must be compiled by the runtime's minor version
// (its magic number and cache tag): Finder looks for that interpreter
// (EnvPython, PATH, pyenv, uv) and Compiler runs it, one process a zip.
package bytecode

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed compile.py
var compileScript string

// Mode is the invalidation mode written in each .pyc's flags.
type Mode int

const (
	// Unchecked .pyc files are loaded without reading their source: the
	// cheapest import, right where the source cannot change under them (a
	// layer: /opt is read-only and a layer version immutable).
	Unchecked Mode = iota
	// Checked .pyc files make the import system hash the source and
	// recompile when it differs: for the function code zip, which the Lambda
	// console can edit in place (and would repackage with the old .pyc).
	Checked
)

func (m Mode) String() string {
	if m == Checked {
		return "checked-hash"
	}
	return "unchecked-hash"
}

// Source is one file to compile.
type Source struct {
	// DFile is the path Lambda will see, "/opt/python/shop/urls.py"; it
	// is the code object's file name (tracebacks) and nothing else of the
	// build machine's paths enters the .pyc.
	DFile string
	// Read appends the source's bytes to buf.
	Read func(buf *bytes.Buffer) error
}

// Result is what became of one Source.
type Result struct {
	// PYC is the written file, "" when the source does not compile.
	PYC string
	// Line (0 when unknown) and Err say why it did not compile
	// ("SyntaxError: invalid syntax").
	Line int
	Err  string
}

// Compiler compiles with one interpreter.
type Compiler struct {
	Python *Interpreter
}

// Identity says what decides whether .pyc files can stand in for each
// other: the bytecode format (magic number, cache tag), the mode and this
// package's compile script. Caches keyed on inputs include it. The patch
// version is left out on purpose: every final release of a minor version
// reads the same format, so a layer compiled by 3.12.1 on a laptop and by
// 3.12.8 in CI keeps one key (and the functions one version) instead of
// being uploaded again.
func (c *Compiler) Identity(m Mode) string {
	sum := sha256.Sum256([]byte(compileScript))
	return fmt.Sprintf("%s magic %s %s script %s", c.Python.CacheTag, c.Python.Magic, m, hex.EncodeToString(sum[:8]))
}

// CacheName is where the import system looks for the bytecode of the
// source at slash path name: "python/shop/urls.py" ->
// "python/shop/__pycache__/urls.cpython-312.pyc".
func (c *Compiler) CacheName(name string) string {
	dir, file := path.Split(name)
	return dir + "__pycache__/" + strings.TrimSuffix(file, ".py") + "." + c.Python.CacheTag + ".pyc"
}

// IsSource reports whether a zip entry is a Python module the import
// system would look for bytecode of.
func IsSource(name string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, ".py") && len(base) > len(".py")
}

// Compile writes one .pyc per source into dir, named 000000.pyc,
// 000001.pyc..., and returns the results in the order of srcs. The sources
// are compiled in that order by a single interpreter process with a fixed
// hash seed, so the output depends on the sources and their DFiles only.
// A source that does not compile is a Result with Err, not an error; an
// error means the compiler itself failed.
func (c *Compiler) Compile(ctx context.Context, m Mode, dir string, srcs []Source) ([]Result, error) {
	if len(srcs) == 0 {
		return nil, nil
	}
	mode := "unchecked"
	if m == Checked {
		mode = "checked"
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Python.Path, "-S", "-s", "-B", "-c", compileScript, mode)
	cmd.Env = cleanEnv()
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("compile with %s: %w", c.Python, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("compile with %s: %w", c.Python, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("compile with %s: %w", c.Python, err)
	}

	outs := make([]string, len(srcs))
	for i := range srcs {
		outs[i] = filepath.Join(dir, fmt.Sprintf("%06d.pyc", i))
	}
	werr := make(chan error, 1)
	go func() {
		werr <- feed(stdin, srcs, outs)
	}()

	res := make([]Result, 0, len(srcs))
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	garbled := ""
	for garbled == "" && len(res) < len(srcs) && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "K":
			res = append(res, Result{PYC: outs[len(res)]})
		case strings.HasPrefix(line, "E "):
			num, msg, _ := strings.Cut(line[2:], " ")
			n, _ := strconv.Atoi(num)
			res = append(res, Result{Line: n, Err: msg})
		default:
			garbled = line
		}
	}
	if len(res) < len(srcs) {
		cancel() // stop the writer and the process: nothing more is read
	}
	ferr := <-werr
	waitErr := cmd.Wait()
	if len(res) == len(srcs) && ferr == nil && waitErr == nil {
		return res, nil
	}
	if err := ctx.Err(); err != nil && parent.Err() != nil {
		return nil, fmt.Errorf("compile with %s: %w", c.Python, parent.Err())
	}
	if ferr != nil {
		return nil, ferr
	}
	why := lastLine(stderr.String())
	if garbled != "" {
		why = fmt.Sprintf("unexpected answer %q", garbled)
	} else if why == "" && waitErr != nil {
		why = waitErr.Error()
	}
	return nil, fmt.Errorf("compile with %s: stopped after %d of %d files: %s", c.Python, len(res), len(srcs), why)
}

// feed writes the requests (see compile.py) and closes w.
func feed(w io.WriteCloser, srcs []Source, outs []string) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var buf bytes.Buffer
	var head [12]byte
	for i, s := range srcs {
		buf.Reset()
		if err := s.Read(&buf); err != nil {
			w.Close()
			return fmt.Errorf("compile %s: %w", s.DFile, err)
		}
		if int64(buf.Len()) > math.MaxUint32 {
			w.Close()
			return fmt.Errorf("compile %s: source larger than 4 GB", s.DFile)
		}
		binary.BigEndian.PutUint32(head[0:], uint32(len(s.DFile)))
		binary.BigEndian.PutUint32(head[4:], uint32(len(outs[i])))
		binary.BigEndian.PutUint32(head[8:], uint32(buf.Len()))
		bw.Write(head[:])
		bw.WriteString(s.DFile)
		bw.WriteString(outs[i])
		if _, err := bw.Write(buf.Bytes()); err != nil {
			// The process is gone: Compile reports what it said.
			w.Close()
			return nil
		}
	}
	if bw.Flush() != nil {
		w.Close()
		return nil
	}
	w.Close()
	return nil
}
