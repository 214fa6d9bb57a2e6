package bytecode_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
)

func src(dfile, text string) bytecode.Source {
	return bytecode.Source{DFile: dfile, Read: func(b *bytes.Buffer) error { _, err := b.WriteString(text); return err }}
}

// compileOne compiles sources and returns each .pyc's bytes ("" when it
// did not compile) and the results.
func compileAll(t *testing.T, c *bytecode.Compiler, m bytecode.Mode, srcs []bytecode.Source) ([]string, []bytecode.Result) {
	t.Helper()
	res, err := c.Compile(context.Background(), m, t.TempDir(), srcs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(srcs) {
		t.Fatalf("%d results for %d sources", len(res), len(srcs))
	}
	out := make([]string, len(res))
	for i, r := range res {
		if r.PYC == "" {
			continue
		}
		b, err := os.ReadFile(r.PYC)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out, res
}

// TestCompileMatchesPyCompile holds our .pyc files against what the
// standard library's py_compile writes for the same source, dfile and
// invalidation mode, with the same interpreter.
func TestCompileMatchesPyCompile(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	dir := t.TempDir()
	const text = "# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n\ndef f(x):\n    return x in {'a', 'b', 'c'}\n\nclass K:\n    '''doc'''\n    def m(self):\n        assert self\n"
	srcPath := filepath.Join(dir, "mod.py")
	if err := os.WriteFile(srcPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []bytecode.Mode{bytecode.Unchecked, bytecode.Checked} {
		got, res := compileAll(t, c, m, []bytecode.Source{src("/opt/python/pkg/mod.py", text)})
		if res[0].Err != "" {
			t.Fatalf("%s: %s", m, res[0].Err)
		}
		want := filepath.Join(dir, m.String()+".pyc")
		mode := "UNCHECKED_HASH"
		if m == bytecode.Checked {
			mode = "CHECKED_HASH"
		}
		script := "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile='/opt/python/pkg/mod.py', doraise=True, invalidation_mode=py_compile.PycInvalidationMode." + mode + ")"
		if out, err := exec.Command(py.Path, "-c", script, srcPath, want).CombinedOutput(); err != nil {
			t.Fatalf("py_compile: %v: %s", err, out)
		}
		ref, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != string(ref) {
			t.Errorf("%s: our .pyc (%d bytes) differs from py_compile's (%d bytes)", m, len(got[0]), len(ref))
		}
		flags := got[0][4]
		if wantFlags := map[bytecode.Mode]byte{bytecode.Unchecked: 1, bytecode.Checked: 3}[m]; flags != wantFlags {
			t.Errorf("%s: flags %#x, want %#x", m, flags, wantFlags)
		}
	}
}

// TestCompileDeterministic: the bytes of a file's .pyc do not depend on
// the other files of the run, their order, or the caller's environment.
func TestCompileDeterministic(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	var srcs []bytecode.Source
	for i, text := range []string{
		"X = frozenset({'alpha', 'beta', 'gamma', 'delta'})\n",
		"def f(a):\n    return a in {'one', 'two', 'three', 'four', 'five'}\n",
		"import os\nPATHS = {'a': 1, 'b': 2}\nclass C:\n    s = 'self'\n",
		"",
	} {
		srcs = append(srcs, src("/opt/python/m"+string(rune('a'+i))+".py", text))
	}
	first, _ := compileAll(t, c, bytecode.Unchecked, srcs)
	t.Setenv("PYTHONHASHSEED", "12345")
	t.Setenv("PYTHONOPTIMIZE", "2")
	rev := make([]bytecode.Source, len(srcs))
	for i := range srcs {
		rev[len(srcs)-1-i] = srcs[i]
	}
	second, _ := compileAll(t, c, bytecode.Unchecked, rev)
	for i := range srcs {
		if first[i] != second[len(srcs)-1-i] {
			t.Errorf("%s: different bytes when compiled in another order and environment", srcs[i].DFile)
		}
		if first[i] == "" {
			t.Errorf("%s: not compiled", srcs[i].DFile)
		}
	}
}

// TestCompileBadSources: a file that does not compile is a result naming
// its line, and the files after it are still compiled.
func TestCompileBadSources(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	out, res := compileAll(t, c, bytecode.Unchecked, []bytecode.Source{
		src("/opt/python/ok.py", "A = 1\n"),
		src("/opt/python/py2.py", "import os\nprint 'hello'\n"),
		src("/opt/python/nul.py", "A = 1\x00\n"),
		src("/opt/python/enc.py", "# coding: nope\n"),
		src("/opt/python/after.py", "B = 2\n"),
	})
	if out[0] == "" || out[4] == "" {
		t.Errorf("good files around bad ones not compiled: %+v", res)
	}
	if res[1].PYC != "" || res[1].Line != 2 || !strings.Contains(res[1].Err, "SyntaxError") {
		t.Errorf("py2 print: %+v, want a SyntaxError on line 2", res[1])
	}
	for _, i := range []int{2, 3} {
		if res[i].PYC != "" || res[i].Err == "" {
			t.Errorf("%d: %+v, want an error", i, res[i])
		}
	}
}

// TestCompiledBytecodeIsWhatImports runs the import system on a
// read-only tree: an unchecked .pyc is used without looking at its source
// (here deliberately different), a checked one is rejected for it.
func TestCompiledBytecodeIsWhatImports(t *testing.T) {
	py := testenv.Python(t, "3.11")
	c := &bytecode.Compiler{Python: py}
	for _, m := range []bytecode.Mode{bytecode.Unchecked, bytecode.Checked} {
		root := t.TempDir()
		pkg := filepath.Join(root, "python", "pkg")
		if err := os.MkdirAll(filepath.Join(pkg, "__pycache__"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(pkg, "__init__.py"), nil, 0o444)
		os.WriteFile(filepath.Join(pkg, "mod.py"), []byte("WHO = 'source'\n"), 0o444)
		out, _ := compileAll(t, c, m, []bytecode.Source{
			src("/opt/python/pkg/__init__.py", ""),
			src("/opt/python/pkg/mod.py", "WHO = 'bytecode'\n"),
		})
		for i, name := range []string{"__init__.py", "mod.py"} {
			dst := filepath.Join(root, c.CacheName("python/pkg/"+name))
			if err := os.WriteFile(dst, []byte(out[i]), 0o444); err != nil {
				t.Fatal(err)
			}
		}
		os.Chmod(filepath.Join(pkg, "__pycache__"), 0o555)
		os.Chmod(pkg, 0o555)
		t.Cleanup(func() { os.Chmod(pkg, 0o755); os.Chmod(filepath.Join(pkg, "__pycache__"), 0o755) })
		cmd := exec.Command(py.Path, "-S", "-c", "import sys; sys.path.insert(0, sys.argv[1]); import pkg.mod; print(pkg.mod.WHO, pkg.mod.__spec__.cached)", filepath.Join(root, "python"))
		cmd.Env = []string{"PYTHONDONTWRITEBYTECODE=1"}
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", m, err, got)
		}
		want := map[bytecode.Mode]string{bytecode.Unchecked: "bytecode", bytecode.Checked: "source"}[m]
		if f := strings.Fields(string(got)); len(f) != 2 || f[0] != want || !strings.HasSuffix(f[1], "mod."+py.CacheTag+".pyc") {
			t.Errorf("%s: imported %q, want %s from %s", m, got, want, c.CacheName("mod.py"))
		}
	}
}

func TestCacheName(t *testing.T) {
	c := &bytecode.Compiler{Python: &bytecode.Interpreter{CacheTag: "cpython-312"}}
	for in, want := range map[string]string{
		"python/shop/urls.py":           "python/shop/__pycache__/urls.cpython-312.pyc",
		"python/pkg/__init__.py":        "python/pkg/__pycache__/__init__.cpython-312.pyc",
		"django_serverless_function.py": "__pycache__/django_serverless_function.cpython-312.pyc",
		"python/a.b.py":                 "python/__pycache__/a.b.cpython-312.pyc",
	} {
		if got := c.CacheName(in); got != want {
			t.Errorf("CacheName(%q) = %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string]bool{"a.py": true, "x/b.py": true, ".py": false, "x/.py": false, "a.pyc": false, "a.py-tpl": false, "a.pyi": false} {
		if bytecode.IsSource(name) != want {
			t.Errorf("IsSource(%q) = %v", name, !want)
		}
	}
}

// fakePython writes an executable that answers the version probe with
// answer, whatever it is asked.
func fakePython(t *testing.T, dir, name, answer string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '"+answer+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func noPath(string) (string, error) { return "", exec.ErrNotFound }

func TestFindExplicit(t *testing.T) {
	py := testenv.Python(t, "3.11")
	ctx := context.Background()
	in, err := bytecode.Finder{Getenv: env(map[string]string{bytecode.EnvPython: py.Path}), LookPath: noPath}.Find(ctx, "3.11")
	if err != nil || in.Version != "3.11" || in.CacheTag != "cpython-311" || len(in.Magic) != 8 {
		t.Fatalf("explicit 3.11: %+v, %v", in, err)
	}
	_, err = bytecode.Finder{Getenv: env(map[string]string{bytecode.EnvPython: py.Path}), LookPath: noPath}.Find(ctx, "3.12")
	if err == nil || !strings.Contains(err.Error(), "is Python 3.11") || !strings.Contains(err.Error(), "python3.12") {
		t.Errorf("explicit interpreter of another version: %v, want an error naming both versions", err)
	}
	_, err = bytecode.Finder{Getenv: env(map[string]string{bytecode.EnvPython: "off"}), LookPath: noPath}.Find(ctx, "3.11")
	if !errors.Is(err, bytecode.ErrOff) {
		t.Errorf("off: %v", err)
	}
	_, err = bytecode.Finder{Getenv: env(map[string]string{bytecode.EnvPython: "/nonexistent/python3.11"}), LookPath: noPath}.Find(ctx, "3.11")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/python3.11") {
		t.Errorf("missing explicit interpreter: %v", err)
	}
	if _, err := (bytecode.Finder{}).Find(ctx, "3"); err == nil {
		t.Error("version 3 accepted")
	}
}

// TestFindSearch: pyenv and uv folders are searched newest patch first;
// interpreters of the wrong version, pre-releases and PyPy are passed
// over; without any, the error lists where it looked.
func TestFindSearch(t *testing.T) {
	py := testenv.Python(t, "3.11")
	ctx := context.Background()
	home := t.TempDir()
	pyenv := filepath.Join(home, ".pyenv", "versions")
	fakePython(t, filepath.Join(pyenv, "3.11.99rc1", "bin"), "python3.11", `{"impl":"cpython","version":[3,11,99,"candidate"],"cache_tag":"cpython-311","magic":"a70d0d0a","executable":""}`)
	fakePython(t, filepath.Join(pyenv, "3.11.50", "bin"), "python3.11", `{"impl":"pypy","version":[3,11,50,"final"],"cache_tag":"pypy311","magic":"00000000","executable":""}`)
	good := filepath.Join(pyenv, "3.11.7", "bin")
	os.MkdirAll(good, 0o755)
	if err := os.Symlink(py.Path, filepath.Join(good, "python3.11")); err != nil {
		t.Fatal(err)
	}
	fakePython(t, filepath.Join(pyenv, "3.11.3", "bin"), "python3.11", `not json`)
	wrong := fakePython(t, filepath.Join(home, "bin"), "python3", `{"impl":"cpython","version":[3,9,2,"final"],"cache_tag":"cpython-39","magic":"610d0d0a","executable":""}`)
	lookPath := func(name string) (string, error) {
		if name == "python3" {
			return wrong, nil
		}
		return "", exec.ErrNotFound
	}
	f := bytecode.Finder{Getenv: env(map[string]string{"HOME": home}), LookPath: lookPath}
	in, err := f.Find(ctx, "3.11")
	if err != nil {
		t.Fatal(err)
	}
	if in.Version != "3.11" || in.Magic == "" {
		t.Errorf("found %+v", in)
	}

	// uv's folder, when pyenv has none.
	uv := filepath.Join(home, "uvpy")
	os.MkdirAll(filepath.Join(uv, "cpython-3.11.9-linux-x86_64-gnu", "bin"), 0o755)
	os.Symlink(py.Path, filepath.Join(uv, "cpython-3.11.9-linux-x86_64-gnu", "bin", "python3.11"))
	f = bytecode.Finder{Getenv: env(map[string]string{"UV_PYTHON_INSTALL_DIR": uv, "PYENV_ROOT": filepath.Join(home, "none")}), LookPath: noPath}
	if in, err := f.Find(ctx, "3.11"); err != nil || in.Version != "3.11" {
		t.Errorf("uv: %+v, %v", in, err)
	}

	// Nothing of 3.10 anywhere (/usr/bin has none on these machines).
	if _, err := os.Stat("/usr/bin/python3.10"); err == nil {
		t.Skip("/usr/bin/python3.10 exists")
	}
	f = bytecode.Finder{Getenv: env(map[string]string{"HOME": home}), LookPath: lookPath}
	_, err = f.Find(ctx, "3.10")
	var nf *bytecode.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("3.10: %v, want NotFoundError", err)
	}
	for _, want := range []string{wrong + " is 3.9.2", "pyenv: no 3.10.* in " + pyenv, bytecode.EnvPython} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// The rejected candidates say why.
	bad := filepath.Join(home, "only-bad", "versions")
	fakePython(t, filepath.Join(bad, "3.10.99rc1", "bin"), "python3.10", `{"impl":"cpython","version":[3,10,99,"candidate"],"cache_tag":"cpython-310","magic":"6f0d0d0a","executable":""}`)
	fakePython(t, filepath.Join(bad, "3.10.50", "bin"), "python3.10", `{"impl":"pypy","version":[3,10,50,"final"],"cache_tag":"pypy310","magic":"00000000","executable":""}`)
	f = bytecode.Finder{Getenv: env(map[string]string{"HOME": home, "PYENV_ROOT": filepath.Join(home, "only-bad")}), LookPath: noPath}
	_, err = f.Find(ctx, "3.10")
	for _, want := range []string{"3.10.99 candidate, a pre-release", "is pypy 3.10.50, not CPython", "no python3.10, python3 or python on PATH"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// TestOtherVersions compiles with every Lambda version found here (pyenv's
// 3.12 and 3.13 on developer machines; CI has Debian's 3.11 only): the
// cache tag and magic number are the version's.
func TestOtherVersions(t *testing.T) {
	for _, v := range []string{"3.10", "3.12", "3.13", "3.14"} {
		t.Run(v, func(t *testing.T) {
			py := testenv.OptionalPython(t, v)
			c := &bytecode.Compiler{Python: py}
			out, res := compileAll(t, c, bytecode.Unchecked, []bytecode.Source{src("/opt/python/m.py", "A = [i for i in range(3)]\n")})
			if res[0].Err != "" || out[0] == "" {
				t.Fatalf("%+v", res[0])
			}
			if py.CacheTag != "cpython-"+strings.ReplaceAll(v, ".", "") {
				t.Errorf("cache tag %s", py.CacheTag)
			}
			check := "import importlib.util, sys; data = open(sys.argv[1], 'rb').read(); print(data[:4] == importlib.util.MAGIC_NUMBER)"
			got, err := exec.Command(py.Path, "-c", check, res[0].PYC).CombinedOutput()
			if err != nil || strings.TrimSpace(string(got)) != "True" {
				t.Errorf("magic: %s %v", got, err)
			}
		})
	}
}

// TestCompileFailures: a compiler that dies, a source that cannot be read
// and a cancelled context are errors, never a partial result.
func TestCompileFailures(t *testing.T) {
	dir := t.TempDir()
	dead := filepath.Join(dir, "python3.11")
	os.WriteFile(dead, []byte("#!/bin/sh\necho 'Fatal Python error: boom' >&2\nexit 3\n"), 0o755)
	c := &bytecode.Compiler{Python: &bytecode.Interpreter{Path: dead, Full: "3.11.0", Version: "3.11", CacheTag: "cpython-311"}}
	_, err := c.Compile(context.Background(), bytecode.Unchecked, t.TempDir(), []bytecode.Source{src("/opt/python/a.py", "A = 1\n")})
	if err == nil || !strings.Contains(err.Error(), "Fatal Python error: boom") {
		t.Errorf("dead compiler: %v", err)
	}

	py := testenv.Python(t, "3.11")
	c = &bytecode.Compiler{Python: py}
	unreadable := bytecode.Source{DFile: "/opt/python/b.py", Read: func(*bytes.Buffer) error { return errors.New("disk on fire") }}
	_, err = c.Compile(context.Background(), bytecode.Unchecked, t.TempDir(), []bytecode.Source{src("/opt/python/a.py", "A = 1\n"), unreadable})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "/opt/python/b.py") {
		t.Errorf("unreadable source: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Compile(ctx, bytecode.Unchecked, t.TempDir(), []bytecode.Source{src("/opt/python/a.py", "A = 1\n")}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
