package bundle

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sort"
)

// Artifact names used by the named builders.
const (
	ProjectLayerName = "project-layer"
	RuntimeLayerName = "runtime-layer"
	FunctionCodeName = "function-code"
)

// Handler is the Lambda handler every function is configured with; it lives
// in the runtime layer.
const Handler = "django_serverless.handler.handle"

// ProjectOptions are the options of the project layer: under python/, so
// it unpacks to /opt/python on Lambda; test folders, what the repository's
// .gitignore leaves out and the configuration's exclude globs are left
// out (include opts ignored files back in), and every text file is scanned
// for secrets.
func ProjectOptions(exclude, include []string) Options {
	return Options{Prefix: "python/", Exclude: exclude, Include: include, ExcludeTests: true, GitIgnore: true, ScanSecrets: true}
}

// ProjectLayer zips the Django root (the folder holding manage.py) with o
// (ProjectOptions), storing what the walk left out in *st when st is not
// nil. Use with Build:
//
//	a, err := bundle.Build(dir, bundle.ProjectLayerName, bundle.ProjectLayer(ctx, root, bundle.ProjectOptions(cfg.Exclude, cfg.Include), &st))
func ProjectLayer(ctx context.Context, root string, o Options, st *Stats) func(io.Writer) error {
	return func(w io.Writer) error {
		s, err := ZipDir(ctx, w, root, o)
		if st != nil {
			*st = s
		}
		return err
	}
}

// RuntimeLayer zips the embedded runtime package so it unpacks to
// /opt/python/django_serverless. fsys holds either python/django_serverless/
// (pkg/adapter's Files(), zipped as is) or django_serverless/ at its root
// (put under python/).
// Options WithBytecode and WithStats compile its modules and report them.
func RuntimeLayer(ctx context.Context, fsys fs.FS, opts ...Option) func(io.Writer) error {
	b := builder(opts)
	return func(w io.Writer) error {
		const pkg = "django_serverless/handler.py"
		withPython, bare := isFile(fsys, "python/"+pkg), isFile(fsys, pkg)
		var (
			st  Stats
			err error
		)
		switch {
		case withPython && bare:
			return fmt.Errorf("runtime layer: embedded files hold both python/%s and %s", pkg, pkg)
		case withPython:
			st, err = ZipFS(ctx, w, fsys, Options{Bytecode: b.bytecode})
		case bare:
			st, err = ZipFS(ctx, w, fsys, Options{Prefix: "python/", Bytecode: b.bytecode})
		default:
			return fmt.Errorf("runtime layer: embedded files have no python/%s", pkg)
		}
		b.report(st)
		return err
	}
}

func isFile(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.Mode().IsRegular()
}

// functionModule is the only file of the function code zip. Lambda wants a
// code package even when everything runs from layers; this one is the same
// for every project, so a source change never changes it. It must not be
// named django_serverless: /var/task comes before /opt/python on sys.path
// and would shadow the runtime layer.
const functionModule = `"""Lambda code package of django-serverless.

The project and the runtime are layers unpacked under /opt/python; the
functions' handler is django_serverless.handler.handle. This module only
makes "django_serverless_function.handle" an equivalent handler string.
"""

from django_serverless.handler import handle  # noqa: F401
`

// FunctionCode writes the function code zip: one small module, independent
// of the project, byte-identical for every build (with bytecode: for every
// build with the same Python version). Options WithBytecode and WithStats
// compile it and report it.
func FunctionCode(opts ...Option) func(io.Writer) error { return FunctionCodeWith(nil, opts...) }

// FunctionCodeWith writes the function code zip with extra files beside
// the module (slash paths below /var/task, such as the static files'
// manifest django_serverless_static/staticfiles.json): small data of the
// build that the functions read and no layer needs to carry. Without
// extra files it is FunctionCode's zip.
func FunctionCodeWith(extra map[string][]byte, opts ...Option) func(io.Writer) error {
	b := builder(opts)
	return func(w io.Writer) error {
		ctx := context.Background()
		files := map[string][]byte{"django_serverless_function.py": []byte(functionModule)}
		for name, body := range extra {
			if _, dup := files[name]; dup || !fs.ValidPath(name) || name == "." {
				return fmt.Errorf("function code: extra file %q is not a new relative path", name)
			}
			files[name] = body
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		entries := make([]entry, 0, len(names))
		for _, name := range names {
			body := files[name]
			entries = append(entries, entry{
				name: name, rel: name, mode: fileMode, size: int64(len(body)),
				open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
			})
		}
		es, compiled, unc, cleanup, err := compile(ctx, entries, b.bytecode, "")
		if err != nil {
			return fmt.Errorf("function code: %w", err)
		}
		defer cleanup()
		st, err := writeEntries(ctx, w, es, 0)
		st.Compiled, st.Uncompiled = compiled, unc
		b.report(st)
		return err
	}
}
