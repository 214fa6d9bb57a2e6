package bundle

import (
	"bytes"
	"context"
	"fmt"
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
	// Context cancels the compiler; nil is context.Background().
	Context context.Context
}

// Uncompiled is a .py file shipped without bytecode because it does not
// compile with the runtime's Python (it fails at import time there too).
type Uncompiled struct {
	// Path is relative to the zip's source root, like Skipped.Path.
	Path string
	Line int
	Err  string
}

// Option tunes the layer builders (ProjectLayer, RuntimeLayer, FunctionCode).
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
// written: the entries read them from there).
func compile(es []entry, b *Bytecode, prefix string) (_ []entry, compiled int, unc []Uncompiled, cleanup func(), err error) {
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
			srcs = append(srcs, bytecode.Source{DFile: b.Root + "/" + e.name, Read: e.read})
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
	ctx := b.Context
	if ctx == nil {
		ctx = context.Background()
	}
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
		pyc := r.PYC
		out = append(out, entry{
			name: b.Compiler.CacheName(e.name),
			mode: fileMode,
			size: fi.Size(),
			read: func(buf *bytes.Buffer) error { return readFile(buf, pyc) },
		})
		compiled++
	}
	sort.Slice(unc, func(i, j int) bool { return unc[i].Path < unc[j].Path })
	return out, compiled, unc, cleanup, nil
}
