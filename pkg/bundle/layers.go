package bundle

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
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

// ProjectLayer zips the Django root (the folder holding manage.py) under
// python/, so it unpacks to /opt/python on Lambda. Test folders and the
// configuration's exclude globs are left out. Use with Build:
//
//	a, err := bundle.Build(dir, bundle.ProjectLayerName, bundle.ProjectLayer(root, cfg.Exclude))
func ProjectLayer(root string, exclude []string, opts ...Option) func(io.Writer) error {
	b := builder(opts)
	return func(w io.Writer) error {
		st, err := ZipDir(w, root, Options{Prefix: "python/", Exclude: exclude, ExcludeTests: true, Bytecode: b.bytecode})
		b.report(st)
		return err
	}
}

// RuntimeLayer zips the embedded runtime package so it unpacks to
// /opt/python/django_serverless. fsys holds either python/django_serverless/
// (pkg/adapter's Files(), zipped as is) or django_serverless/ at its root
// (put under python/).
func RuntimeLayer(fsys fs.FS, opts ...Option) func(io.Writer) error {
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
			st, err = ZipFS(w, fsys, Options{Bytecode: b.bytecode})
		case bare:
			st, err = ZipFS(w, fsys, Options{Prefix: "python/", Bytecode: b.bytecode})
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
// build with the same Python version).
func FunctionCode(opts ...Option) func(io.Writer) error {
	b := builder(opts)
	return func(w io.Writer) error {
		es, compiled, unc, cleanup, err := compile([]entry{{
			name: "django_serverless_function.py",
			mode: fileMode,
			size: int64(len(functionModule)),
			read: func(buf *bytes.Buffer) error {
				_, err := buf.WriteString(functionModule)
				return err
			},
		}}, b.bytecode, "")
		if err != nil {
			return fmt.Errorf("function code: %w", err)
		}
		defer cleanup()
		st, err := writeEntries(w, es)
		st.Compiled, st.Uncompiled = compiled, unc
		b.report(st)
		return err
	}
}
