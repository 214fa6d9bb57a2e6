package action_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

// vendoredShop is the shop example with its dependencies vendored instead
// of required (no package index here): Debian's Django and DRF copied into
// vendor/, with the configuration of the runtime python: "3.11". The copy
// gets mtimes from base and a stale __pycache__ of another Python, as a
// developer's checkout has.
func vendoredShop(t *testing.T, dir string, base time.Time, reverse bool) string {
	t.Helper()
	copyTree(t, filepath.Join(exampleDir(t, "shop"), "src"), dir, reverse, base)
	os.Remove(filepath.Join(dir, "requirements.txt"))
	for _, pkg := range []string{"django", "rest_framework"} {
		copyTree(t, filepath.Join("/usr/lib/python3/dist-packages", pkg), filepath.Join(dir, "vendor", pkg), reverse, base)
	}
	extra := map[string]string{
		"django-serverless.yml":                               "python: \"3.11\"\nvendor: [vendor/]\n",
		"shop/__pycache__/views.cpython-39.pyc":               "stale bytecode of another Python",
		"shop/catalog/__pycache__/views.cpython-311.pyc":      "stale bytecode, mtime-based",
		"vendor/django/__pycache__/shortcuts.cpython-311.pyc": "stale bytecode in a vendored package",
		"shop/vendor/__init__.py":                             "# an app's own vendor package: not the configured vendor folder\n",
	}
	for rel, data := range extra {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, base, base)
	}
	return dir
}

func explicitPython(py string) bytecode.Finder {
	return bytecode.Finder{Getenv: func(k string) string {
		if k == bytecode.EnvPython {
			return py
		}
		return ""
	}}
}

func bytecodeBuild(t *testing.T, dir string, finder bytecode.Finder, cache string) (*action.Build, error) {
	t.Helper()
	var log bytes.Buffer
	b, err := action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: dir, Environment: "dev", WorkDir: t.TempDir(), Log: &log, Bytecode: finder,
		Deps: &action.PipDeps{Install: true, CacheDir: cache, ToolVersion: cli.Version, Log: &log},
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func readZip(t *testing.T, p string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}

// checkBytecode asserts that every .py of a zip has its .pyc for the
// interpreter's version (magic number, hash-based flags) and that the zip
// holds no other bytecode.
func checkBytecode(t *testing.T, name string, files map[string][]byte, py *bytecode.Interpreter, flags byte) int {
	t.Helper()
	c := &bytecode.Compiler{Python: py}
	want := map[string]bool{}
	for n := range files {
		if bytecode.IsSource(n) {
			want[c.CacheName(n)] = true
		}
	}
	magic := py.Magic
	for n, data := range files {
		if !strings.HasSuffix(n, ".pyc") && !strings.Contains(n, "__pycache__") {
			continue
		}
		if !want[n] {
			t.Errorf("%s: %s is not the bytecode of a shipped source", name, n)
			continue
		}
		delete(want, n)
		if len(data) < 16 || hexString(data[:4]) != magic || data[4] != flags || data[5] != 0 || data[6] != 0 || data[7] != 0 {
			t.Errorf("%s: %s header %x, want magic %s and flags %d", name, n, data[:min(16, len(data))], magic, flags)
		}
	}
	for n := range want {
		t.Errorf("%s: no bytecode %s", name, n)
	}
	return len(files)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestRendersWithBytecodeAreByteIdentical is the acceptance test of
// issue 18: two renders of the same project from copies with different
// mtimes (and creation order, and paths) give byte-identical zips, and
// every zip (project, runtime, code, dependencies) carries bytecode for
// every .py file, for the configured Python version; the vendored
// dependencies are in the dependencies layer only.
func TestRendersWithBytecodeAreByteIdentical(t *testing.T) {
	testenv.Django(t)
	py := testenv.Python(t, "3.11")
	finder := explicitPython(py.Path)
	a := vendoredShop(t, filepath.Join(t.TempDir(), "one", "shop"), time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), false)
	b := vendoredShop(t, filepath.Join(t.TempDir(), "checkout-two", "x", "shop"), time.Date(2029, 9, 9, 9, 9, 9, 0, time.UTC), true)
	ba, err := bytecodeBuild(t, a, finder, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bb, err := bytecodeBuild(t, b, finder, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ba.Deps == nil || ba.Deps.Zip == nil || bb.Deps == nil || bb.Deps.Zip == nil {
		t.Fatal("no dependencies layer built")
	}
	all := func(x *action.Build) map[string]string {
		m := map[string]string{ba.Deps.Zip.Name: x.Deps.Zip.Path}
		for _, z := range x.Zips {
			m[z.Name] = z.Path
		}
		return m
	}
	pa, pb := all(ba), all(bb)
	if len(pa) != 4 {
		t.Fatalf("zips: %v", pa)
	}
	for name, p := range pa {
		da, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		db, err := os.ReadFile(pb[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s: the two checkouts give different zips (%d and %d bytes)", name, len(da), len(db))
		}
		files := readZip(t, p)
		flags := byte(1) // unchecked-hash in layers
		if name == "function-code" {
			flags = 3 // checked-hash in the code zip
		}
		n := checkBytecode(t, name, files, py, flags)
		t.Logf("%s: %d files, %d bytes", name, n, len(da))
		for f, data := range files {
			if bytes.Contains(data, []byte("stale bytecode")) {
				t.Errorf("%s: %s is the checkout's stale bytecode", name, f)
			}
			if name == "project-layer" && strings.HasPrefix(f, "python/vendor/") {
				t.Errorf("project layer holds the vendored %s: it ships in the dependencies layer", f)
			}
		}
		if name == "project-layer" {
			if _, ok := files["python/shop/vendor/__init__.py"]; !ok {
				t.Error("the app's own shop/vendor package was left out: only the root vendor/ folder is")
			}
		}
		if name == "deps-layer" {
			if _, ok := files["python/django/__pycache__/shortcuts.cpython-311.pyc"]; !ok {
				t.Error("the dependencies layer lacks Django's bytecode")
			}
		}
	}
	for _, d := range ba.Diagnostics {
		if strings.Contains(d.Message, "bytecode") || strings.Contains(d.Message, "compile") {
			t.Errorf("unexpected diagnostic: %s", d)
		}
	}
}

// TestNoMatchingPythonShipsSources: without an interpreter of the
// runtime's version the build says so once and every zip holds sources
// only; an interpreter named for another version is an error.
func TestNoMatchingPythonShipsSources(t *testing.T) {
	py := testenv.Python(t, "3.11")
	dir := filepath.Join(t.TempDir(), "proj")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	os.Remove(filepath.Join(dir, "requirements.txt"))
	os.MkdirAll(filepath.Join(dir, "vendor", "tinylib"), 0o755)
	os.WriteFile(filepath.Join(dir, "vendor", "tinylib", "__init__.py"), []byte("X = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte("python: \"3.14\"\nvendor: [vendor]\n"), 0o644)
	home := t.TempDir()
	none := bytecode.Finder{
		Getenv:   func(k string) string { return map[string]string{"HOME": home}[k] },
		LookPath: func(string) (string, error) { return "", errors.New("not on PATH") },
	}
	for _, sys := range []string{"/usr/bin/python3.14", "/usr/local/bin/python3.14"} {
		if _, err := os.Stat(sys); err == nil {
			t.Skipf("%s exists: the search would find it", sys)
		}
	}
	b, err := bytecodeBuild(t, dir, none, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range b.Diagnostics {
		if strings.Contains(d.Message, "no CPython 3.14 interpreter found") {
			n++
			if !strings.Contains(d.Message, "ship Python sources only") || !strings.Contains(d.Message, bytecode.EnvPython) {
				t.Errorf("warning does not say what happens and what to do: %s", d)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d warnings about the missing interpreter, want exactly 1: %v", n, b.Diagnostics)
	}
	zs := append(b.Zips, *b.Deps.Zip)
	for _, z := range zs {
		for f := range readZip(t, z.Path) {
			if strings.HasSuffix(f, ".pyc") || path.Base(path.Dir(f)) == "__pycache__" {
				t.Errorf("%s holds bytecode %s without a 3.14 interpreter", z.Name, f)
			}
		}
	}

	_, err = bytecodeBuild(t, dir, explicitPython(py.Path), t.TempDir())
	if err == nil || !errors.Is(err, action.ErrConfig) || !strings.Contains(err.Error(), "is Python 3.11") {
		t.Errorf("3.11 named for a 3.14 runtime: %v, want a configuration error", err)
	}

	off := explicitPython("off")
	b, err = bytecodeBuild(t, dir, off, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range b.Diagnostics {
		if strings.Contains(d.Message, "no CPython") {
			t.Errorf("turned off, yet warned: %s", d)
		}
	}
}

// TestProjectFileThatDoesNotCompile: shipped as source, reported as a
// warning at its file and line (importing it fails on Lambda too).
func TestProjectFileThatDoesNotCompile(t *testing.T) {
	py := testenv.Python(t, "3.11")
	dir := filepath.Join(t.TempDir(), "proj")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	os.Remove(filepath.Join(dir, "requirements.txt"))
	os.WriteFile(filepath.Join(dir, "polls", "legacy.py"), []byte("import os\nprint 'old'\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte("python: \"3.11\"\n"), 0o644)
	b, err := bytecodeBuild(t, dir, explicitPython(py.Path), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range b.Diagnostics {
		if d.File == "polls/legacy.py" && d.Line == 2 && strings.Contains(d.Message, "SyntaxError") && strings.Contains(d.Message, "3.11") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning at polls/legacy.py:2: %v", b.Diagnostics)
	}
	files := readZip(t, b.Zips[0].Path)
	if _, ok := files["python/polls/legacy.py"]; !ok {
		t.Error("the source that does not compile was left out")
	}
	if _, ok := files["python/polls/__pycache__/views.cpython-311.pyc"]; !ok {
		t.Error("the other files lost their bytecode")
	}
}

// TestLayersOverlapFailsTheBuild: a top-level package of the project that
// the vendor folder also ships lands in two layers: the build stops naming
// the path and both layers.
func TestLayersOverlapFailsTheBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	os.Remove(filepath.Join(dir, "requirements.txt"))
	for _, p := range []string{"vendor/tinylib/__init__.py", "tinylib/__init__.py"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte("X = 1\n"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte("vendor: [vendor]\n"), 0o644)
	_, err := bytecodeBuild(t, dir, explicitPython("off"), t.TempDir())
	if err == nil || !errors.Is(err, action.ErrConfig) {
		t.Fatalf("overlapping layers: %v, want a configuration error", err)
	}
	if !strings.Contains(err.Error(), "python/tinylib/__init__.py (in both deps-layer and project-layer)") {
		t.Errorf("error does not name the path and both layers: %v", err)
	}
}
