// Package adapter embeds the Lambda runtime (the Python package
// django_serverless that serves a Django project behind API Gateway,
// Function URLs, ALB and AppSync) and runs it locally for `invoke`.
package adapter

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

// runtime holds the package sources; `all:` keeps __init__.py, and Files
// hides what a local Python run may have left beside them.
//
//go:embed all:python/django_serverless
var runtime embed.FS

//go:embed driver.py
var driver []byte

// RuntimeDir is the layer path of the package inside Files.
const RuntimeDir = "python/django_serverless"

// Handler is the Lambda handler string of every function.
const Handler = "django_serverless.handler.handle"

// Files returns the runtime layer's contents: python/django_serverless/**,
// without tests, __pycache__ or compiled files. Paths are slash-separated and
// ReadDir lists entries sorted by name.
func Files() fs.FS { return runtimeFS{} }

// hidden reports whether a path inside the embedded tree stays out of the layer.
func hidden(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == "__pycache__" || part == "tests" || strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	ext := path.Ext(name)
	return ext == ".pyc" || ext == ".pyo"
}

type runtimeFS struct{}

func (runtimeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := runtime.Open(name)
	if err != nil {
		return nil, err
	}
	if d, ok := f.(fs.ReadDirFile); ok {
		return &dirFile{ReadDirFile: d, dir: name}, nil
	}
	return f, nil
}

func (r runtimeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if hidden(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := runtime.ReadDir(name)
	if err != nil {
		return nil, err
	}
	return visible(name, entries), nil
}

func visible(dir string, entries []fs.DirEntry) []fs.DirEntry {
	out := entries[:0:0]
	for _, e := range entries {
		if !hidden(path.Join(dir, e.Name())) {
			out = append(out, e)
		}
	}
	return out
}

type dirFile struct {
	fs.ReadDirFile
	dir string
}

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	for {
		entries, err := d.ReadDirFile.ReadDir(n)
		out = append(out, visible(d.dir, entries)...)
		if err != nil || n <= 0 || len(out) > 0 {
			return out, err
		}
	}
}
