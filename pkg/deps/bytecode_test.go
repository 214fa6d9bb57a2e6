package deps

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
)

// TestBuildCompilesOnce: a layer built with a compiler carries a .pyc per
// .py (the vendored package included), is cached compiled, is served from
// the cache without compiling again, and has another input hash than the
// same layer built without bytecode or by another Python version.
func TestBuildCompilesOnce(t *testing.T) {
	t.Parallel()
	py := testenv.Python(t, "3.11")
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"vendor/psycopg2/__init__.py":                        "from . import extras\n",
		"vendor/psycopg2/extras.py":                          "X = 1\n",
		"vendor/psycopg2/_psycopg.abi3.so":                   "\x7fELF prebuilt",
		"vendor/psycopg2/__pycache__/extras.cpython-311.pyc": "stale",
		"vendor/oldlib/py2only.py":                           "print 'x'\n",
	})
	var log bytes.Buffer
	c := &bytecode.Compiler{Python: py}
	o := Options{Root: root, Vendor: []string{"vendor"}, Python: "3.11", Architecture: "x86_64",
		CacheDir: t.TempDir(), ToolVersion: "test", Log: &log, Bytecode: c}
	l, cached, err := Build(context.Background(), o)
	if err != nil || cached {
		t.Fatalf("build: cached=%v %v", cached, err)
	}
	names := zipNames(t, l.Path)
	for _, want := range []string{
		"python/psycopg2/__pycache__/__init__.cpython-311.pyc",
		"python/psycopg2/__pycache__/extras.cpython-311.pyc",
		"python/oldlib/py2only.py",
	} {
		if !contains(names, want) {
			t.Errorf("layer lacks %s: %v", want, names)
		}
	}
	if contains(names, "python/oldlib/__pycache__/py2only.cpython-311.pyc") || l.Stats.Compiled != 2 {
		t.Errorf("compiled %d: %v", l.Stats.Compiled, names)
	}
	if !strings.Contains(log.String(), "1 Python files do not compile") || !strings.Contains(log.String(), "oldlib/py2only.py line 1") {
		t.Errorf("log lacks the uncompiled file: %s", log.String())
	}

	// Cached: the same compiler identity with a dead interpreter path
	// proves nothing is compiled again.
	dead := *py
	dead.Path = filepath.Join(t.TempDir(), "gone")
	o2 := o
	o2.Bytecode = &bytecode.Compiler{Python: &dead}
	l2, cached, err := Build(context.Background(), o2)
	if err != nil || !cached || l2.SHA256 != l.SHA256 || l2.Stats.Compiled != 2 {
		t.Fatalf("cache: cached=%v %v %+v", cached, err, l2.Stats)
	}

	// Rebuilt elsewhere from a copy with other mtimes: same bytes.
	root3 := t.TempDir()
	if err := os.CopyFS(root3, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(root3, func(p string, _ os.DirEntry, _ error) error {
		return os.Chtimes(p, time.Unix(2e9, 0), time.Unix(2e9, 0))
	})
	o3 := o
	o3.Root, o3.CacheDir = root3, t.TempDir()
	l3, _, err := Build(context.Background(), o3)
	if err != nil || l3.SHA256 != l.SHA256 || l3.Hash != l.Hash {
		t.Errorf("rebuild from a copy: %v, %s vs %s", err, l3.SHA256, l.SHA256)
	}

	// No bytecode, or another bytecode format: another layer. Another
	// patch release of the same minor version reads the same format: the
	// same layer (no upload, no new function versions for it).
	for name, change := range map[string]func(*Options){
		"sources only": func(o *Options) { o.Bytecode = nil },
		"other magic": func(o *Options) {
			other := *py
			other.Magic = "00000d0a"
			o.Bytecode = &bytecode.Compiler{Python: &other}
		},
	} {
		oc := o
		oc.ResolveOnly = true
		change(&oc)
		l4, _, err := Build(context.Background(), oc)
		if err != nil || l4.Hash == l.Hash {
			t.Errorf("%s: same hash (%v)", name, err)
		}
	}
	other := *py
	other.Full, other.Path = "3.11.99", dead.Path
	o6 := o
	o6.Bytecode = &bytecode.Compiler{Python: &other}
	if l6, cached, err := Build(context.Background(), o6); err != nil || !cached || l6.Hash != l.Hash {
		t.Errorf("other patch release: cached=%v %v, want the same (cached) layer", cached, err)
	}

	// A compiler of another version than the runtime is refused.
	o5 := o
	o5.Python = "3.12"
	if _, _, err := Build(context.Background(), o5); err == nil || !strings.Contains(err.Error(), "python3.12") {
		t.Errorf("compiler 3.11 for runtime 3.12: %v", err)
	}
}
