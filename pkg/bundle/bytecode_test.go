package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
)

// writeTree writes files (path -> content) below dir with mtime.
func writeTree(t *testing.T, dir string, files map[string]string, mtime time.Time) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
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

// codeInfo loads a .pyc with the interpreter and returns its flags and
// code object's file name.
func codeInfo(t *testing.T, py *bytecode.Interpreter, pyc []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "x.pyc")
	os.WriteFile(f, pyc, 0o644)
	out, err := exec.Command(py.Path, "-c", "import marshal, sys, importlib.util; d = open(sys.argv[1], 'rb').read(); "+
		"assert d[:4] == importlib.util.MAGIC_NUMBER; print(int.from_bytes(d[4:8], 'little'), marshal.loads(d[16:]).co_filename)", f).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

var tree = map[string]string{
	"manage.py":                             "import sys\n",
	"shop/__init__.py":                      "",
	"shop/urls.py":                          "urlpatterns = []\n",
	"shop/__pycache__/urls.cpython-311.pyc": "stale bytecode of another checkout",
	"shop/legacy.pyc":                       "sourceless",
	"shop/py2.py":                           "print 'old'\n",
	"shop/templates/page.html":              "<p>{{ x }}</p>\n",
	"shop/tests/test_x.py":                  "def test(): pass\n",
}

// TestProjectLayerBytecode: a .pyc for every .py the layer ships, where the
// import system looks for it, compiled as /opt/python/..., unchecked;
// the tree's own bytecode left out; a file that does not compile reported
// with its line; the same bytes from a copy with other mtimes elsewhere.
func TestProjectLayerBytecode(t *testing.T) {
	py := testenv.Python(t, "3.11")
	bc := &bundle.Bytecode{Compiler: &bytecode.Compiler{Python: py}, Mode: bytecode.Unchecked, Root: bundle.LayerRoot}

	var zips [2][]byte
	for i, mtime := range []time.Time{time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)} {
		dir := filepath.Join(t.TempDir(), "checkout", strings.Repeat("x", i+1))
		writeTree(t, dir, tree, mtime)
		var st bundle.Stats
		o := bundle.ProjectOptions(nil, nil)
		o.Bytecode = bc
		a, err := bundle.BuildBytes(bundle.ProjectLayerName, bundle.ProjectLayer(context.Background(), dir, o, &st))
		if err != nil {
			t.Fatal(err)
		}
		zips[i] = a.Bytes
		if st.Compiled != 3 || len(st.Uncompiled) != 1 || st.Uncompiled[0].Path != "shop/py2.py" || st.Uncompiled[0].Line != 1 {
			t.Errorf("stats: compiled %d, uncompiled %+v; want 3 and shop/py2.py line 1", st.Compiled, st.Uncompiled)
		}
	}
	if !bytes.Equal(zips[0], zips[1]) {
		t.Fatal("two checkouts with other mtimes and paths give different layers")
	}
	files := unzip(t, zips[0])
	for _, want := range []string{"manage.py", "shop/__init__.py", "shop/urls.py"} {
		dir, base := filepath.Split("python/" + want)
		pyc := dir + "__pycache__/" + strings.TrimSuffix(base, ".py") + ".cpython-311.pyc"
		data, ok := files[pyc]
		if !ok {
			t.Errorf("no %s", pyc)
			continue
		}
		if got := codeInfo(t, py, data); got != "1 /opt/python/"+want {
			t.Errorf("%s: flags and file %q, want unchecked (1) and /opt/python/%s", pyc, got, want)
		}
	}
	for name, data := range files {
		if strings.Contains(string(data), "stale bytecode") || strings.HasSuffix(name, "legacy.pyc") || strings.Contains(name, "py2.cpython") || strings.Contains(name, "tests/") {
			t.Errorf("%s should not be in the layer", name)
		}
	}
	if len(files) != 8 { // 4 sources + 3 .pyc + the template
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		t.Errorf("%d files: %v", len(files), names)
	}
}

// TestRuntimeLayerAndCodeBytecode: the embedded runtime gets a .pyc per
// module; the function code's .pyc is checked-hash under /var/task, as the
// console can edit that file in place.
func TestRuntimeLayerAndCodeBytecode(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	var st bundle.Stats
	a, err := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), adapter.Files(),
		bundle.WithBytecode(&bundle.Bytecode{Compiler: c, Mode: bytecode.Unchecked, Root: bundle.LayerRoot}), bundle.WithStats(&st)))
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, a.Bytes)
	sources := 0
	for name := range files {
		if !strings.HasSuffix(name, ".py") {
			continue
		}
		sources++
		data, ok := files[c.CacheName(name)]
		if !ok {
			t.Errorf("%s has no bytecode", name)
			continue
		}
		if got := codeInfo(t, py, data); got != "1 /opt/"+name {
			t.Errorf("%s: %q", name, got)
		}
	}
	if sources < 5 || st.Compiled != sources || len(files) != 2*sources {
		t.Errorf("%d sources, %d compiled, %d files", sources, st.Compiled, len(files))
	}

	code, err := bundle.BuildBytes(bundle.FunctionCodeName, bundle.FunctionCode(
		bundle.WithBytecode(&bundle.Bytecode{Compiler: c, Mode: bytecode.Checked, Root: bundle.TaskRoot})))
	if err != nil {
		t.Fatal(err)
	}
	files = unzip(t, code.Bytes)
	data, ok := files["__pycache__/django_serverless_function.cpython-311.pyc"]
	if !ok || len(files) != 2 {
		t.Fatalf("function code: %d files, bytecode found %v", len(files), ok)
	}
	if got := codeInfo(t, py, data); got != "3 /var/task/django_serverless_function.py" {
		t.Errorf("function code bytecode: %q, want checked (3) under /var/task", got)
	}
	again, err := bundle.BuildBytes(bundle.FunctionCodeName, bundle.FunctionCode(
		bundle.WithBytecode(&bundle.Bytecode{Compiler: c, Mode: bytecode.Checked, Root: bundle.TaskRoot})))
	if err != nil || again.SHA256 != code.SHA256 {
		t.Errorf("function code differs between builds: %v", err)
	}
}

func TestBytecodeErrors(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	fsys := fstest.MapFS{"django_serverless/handler.py": {Data: []byte("x = 1\n")}}
	for _, root := range []string{"", "opt", "/opt/", "/", "/opt/../etc"} {
		_, err := bundle.BuildBytes("x", bundle.RuntimeLayer(context.Background(), fsys, bundle.WithBytecode(&bundle.Bytecode{Compiler: c, Root: root})))
		if err == nil || !strings.Contains(err.Error(), "bytecode root") {
			t.Errorf("root %q: %v", root, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := bundle.BuildBytes("x", bundle.RuntimeLayer(ctx, fsys, bundle.WithBytecode(&bundle.Bytecode{Compiler: c, Root: bundle.LayerRoot})))
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("cancelled compile: %v", err)
	}
}
