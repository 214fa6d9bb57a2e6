package bundle

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
)

// Where Lambda unpacks the zips: a layer's python/ folder becomes
// /opt/python, the function code goes to /var/task.
const (
	LayerRoot = "/opt"
	TaskRoot  = "/var/task"
)

// Bytecode asks for a hash-based .pyc (PEP 552) beside every .py file of a
// zip, at __pycache__/<module>.<cache tag>.pyc where the import system
// looks for it. The zip's own __pycache__ folders and .pyc files are still
// left out (stale, another version's, or mtime-based): only what is
// compiled here enters. Each source is compiled under the path Lambda will
// see (Root + "/" + its entry name), so the .pyc bytes depend on nothing of
// the checkout.
type Bytecode struct {
	Compiler *bytecode.Compiler
	Mode     bytecode.Mode
	// Root is where the zip unpacks on Lambda: LayerRoot or TaskRoot.
	Root string
}

// Uncompiled is a .py file shipped without bytecode because it does not
// compile with the runtime's Python (it fails at import time there too).
type Uncompiled struct {
	// Path is relative to the zip's source root, like Skipped.Path.
	Path string
	Line int
	Err  string
}

// Option tunes the builders of the embedded zips (RuntimeLayer,
// FunctionCode); the project layer takes Options.
type Option func(*builderOptions)

type builderOptions struct {
	bytecode *Bytecode
	stats    *Stats
}

// WithBytecode compiles the zip's Python sources (see Bytecode).
func WithBytecode(b *Bytecode) Option { return func(o *builderOptions) { o.bytecode = b } }

// WithStats makes the builder store the zip's Stats in st (Skipped and
// Uncompiled are known only while zipping).
func WithStats(st *Stats) Option { return func(o *builderOptions) { o.stats = st } }

func builder(opts []Option) builderOptions {
	var b builderOptions
	for _, o := range opts {
		o(&b)
	}
	return b
}

func (b builderOptions) report(st Stats) {
	if b.stats != nil {
		*b.stats = st
	}
}

// compile adds the bytecode of es's Python sources to es. The .pyc files
// are written to a temporary folder that cleanup removes (after the zip is
// written: the entries read them from there). ctx stops the compiler.
func compile(ctx context.Context, es []entry, b *Bytecode, prefix string) (_ []entry, compiled int, unc []Uncompiled, cleanup func(), err error) {
	cleanup = func() {}
	if b == nil {
		return es, 0, nil, cleanup, nil
	}
	if b.Compiler == nil || b.Compiler.Python == nil {
		return nil, 0, nil, cleanup, fmt.Errorf("bytecode: no compiler")
	}
	if !path.IsAbs(b.Root) || path.Clean(b.Root) != b.Root || b.Root == "/" {
		return nil, 0, nil, cleanup, fmt.Errorf("bytecode root %q: want an absolute clean path such as %s", b.Root, LayerRoot)
	}
	var srcs []bytecode.Source
	var idx []int
	for i, e := range es {
		if bytecode.IsSource(e.name) {
			open := e.open
			srcs = append(srcs, bytecode.Source{DFile: b.Root + "/" + e.name, Read: func(buf *bytes.Buffer) error {
				rc, err := open()
				if err != nil {
					return err
				}
				defer rc.Close()
				_, err = buf.ReadFrom(rc)
				return err
			}})
			idx = append(idx, i)
		}
	}
	if len(srcs) == 0 {
		return es, 0, nil, cleanup, nil
	}
	dir, err := os.MkdirTemp("", "django-serverless-pyc-")
	if err != nil {
		return nil, 0, nil, cleanup, fmt.Errorf("bytecode: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	res, err := b.Compiler.Compile(ctx, b.Mode, dir, srcs)
	if err != nil {
		cleanup()
		return nil, 0, nil, func() {}, err
	}
	out := es
	for k, r := range res {
		e := es[idx[k]]
		if r.PYC == "" {
			unc = append(unc, Uncompiled{Path: strings.TrimPrefix(e.name, prefix), Line: r.Line, Err: r.Err})
			continue
		}
		fi, err := os.Stat(r.PYC)
		if err != nil {
			cleanup()
			return nil, 0, nil, func() {}, fmt.Errorf("bytecode of %s: %w", e.name, err)
		}
		pyc, name := r.PYC, b.Compiler.CacheName(e.name)
		out = append(out, entry{
			name: name,
			rel:  strings.TrimPrefix(name, prefix),
			mode: fileMode,
			size: fi.Size(),
			open: func() (io.ReadCloser, error) { return os.Open(pyc) },
		})
		compiled++
	}
	sort.Slice(unc, func(i, j int) bool { return unc[i].Path < unc[j].Path })
	return out, compiled, unc, cleanup, nil
}
