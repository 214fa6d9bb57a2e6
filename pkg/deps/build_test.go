package deps

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

// writeWheel writes a minimal valid wheel (a zip with the package, and
// METADATA, WHEEL and RECORD in its .dist-info) named for tag.
func writeWheel(t *testing.T, dir, name, version, tag string, files map[string]string) {
	t.Helper()
	distInfo := fmt.Sprintf("%s-%s.dist-info/", name, version)
	all := map[string]string{}
	for k, v := range files {
		all[k] = v
	}
	all[distInfo+"METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version)
	all[distInfo+"WHEEL"] = fmt.Sprintf("Wheel-Version: 1.0\nGenerator: deps_test\nRoot-Is-Purelib: %v\nTag: %s\n", strings.HasSuffix(tag, "-any"), tag)
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	var record strings.Builder
	for _, n := range names {
		sum := sha256.Sum256([]byte(all[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(all[n]))
	}
	record.WriteString(distInfo + "RECORD,,\n")
	all[distInfo+"RECORD"] = record.String()
	names = append(names, distInfo+"RECORD")

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(all[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%s.whl", name, version, tag)), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pipPython returns a python3 that has pip (pyenv's on these machines).
func pipPython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(p, "-m", "pip", "--version").Run()
	}
	if err != nil {
		testenv.Missing(t, "python3 with pip: %v", err)
	}
	return p
}

// wheelhouse has a pure-Python wheel, a compiled one for the target
// (manylinux2014_x86_64, CPython 3.12: not the build machine's Python) and
// one built only for Windows.
func wheelhouse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeWheel(t, dir, "puremod", "1.0", "py3-none-any", map[string]string{"puremod/__init__.py": "VALUE = 1\n"})
	writeWheel(t, dir, "fastthing", "2.0", "cp312-cp312-manylinux2014_x86_64", map[string]string{"fastthing/__init__.py": "from ._speed import go\n", "fastthing/_speed.cpython-312-x86_64-linux-gnu.so": "\x7fELF fake"})
	writeWheel(t, dir, "winonly", "1.0", "cp312-cp312-win_amd64", map[string]string{"winonly/__init__.py": ""})
	return dir
}

func zipNames(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	return out
}

func project(t *testing.T, requirements string, mtime time.Time) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"requirements.txt":                 "# deps\n" + requirements,
		"vendor/psycopg2/__init__.py":      "# prebuilt for Lambda\n",
		"vendor/psycopg2/_psycopg.abi3.so": "\x7fELF prebuilt",
	}
	writeFiles(t, dir, files)
	for rel := range files {
		os.Chtimes(filepath.Join(dir, rel), mtime, mtime)
	}
	return dir
}

func TestBuildFromWheelhouse(t *testing.T) {
	t.Parallel()
	py := pipPython(t)
	wh := wheelhouse(t)
	cache := t.TempDir()
	root := project(t, "puremod==1.0\nfastthing\n", time.Unix(1e9, 0))
	var log bytes.Buffer
	o := Options{
		Root: root, Vendor: []string{"vendor"}, Python: "3.12", Architecture: "x86_64",
		CacheDir: cache, Installer: "pip", PipPython: py, ToolVersion: "test",
		ExtraArgs: []string{"--no-index", "--find-links", wh}, Log: &log,
	}
	l, cached, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if cached {
		t.Error("first build reported cached")
	}
	names := zipNames(t, l.Path)
	for _, want := range []string{
		"python/puremod/__init__.py", "python/puremod-1.0.dist-info/METADATA",
		"python/fastthing/_speed.cpython-312-x86_64-linux-gnu.so",
		"python/psycopg2/__init__.py", "python/psycopg2/_psycopg.abi3.so",
	} {
		if !contains(names, want) {
			t.Errorf("layer lacks %s; has %v", want, names)
		}
	}
	if l.Platform != "manylinux2014_x86_64" || l.Path != filepath.Join(cache, l.Hash, "layer.zip") {
		t.Errorf("layer %+v", l)
	}
	if _, err := os.Stat(filepath.Join(l.PythonDir, "puremod", "__init__.py")); err != nil {
		t.Errorf("unzipped python dir: %v", err)
	}

	// A fresh checkout with new mtimes elsewhere: same hash, served from
	// the cache. The interpreter is broken on purpose: running pip would fail.
	o2 := o
	o2.Root = project(t, "puremod==1.0\nfastthing\n", time.Unix(2e9, 0))
	o2.PipPython = filepath.Join(t.TempDir(), "no-python-here")
	l2, cached, err := Build(context.Background(), o2)
	if err != nil {
		t.Fatalf("cache hit ran the installer: %v", err)
	}
	if !cached || l2.Hash != l.Hash || l2.SHA256 != l.SHA256 || l2.Stats.UnzippedBytes != l.Stats.UnzippedBytes || l2.Stats.Files != l.Stats.Files {
		t.Errorf("want a cache hit with the same layer, got cached=%v %+v vs %+v", cached, l2, l)
	}

	// The same inputs built into another cache give the same bytes.
	o3 := o
	o3.CacheDir = t.TempDir()
	l3, cached, err := Build(context.Background(), o3)
	if err != nil || cached {
		t.Fatalf("rebuild: cached=%v err=%v", cached, err)
	}
	if l3.SHA256 != l.SHA256 {
		t.Errorf("rebuild differs: %s vs %s", l3.SHA256, l.SHA256)
	}

	// A changed vendored file or requirement changes the hash.
	for name, change := range map[string]func(o *Options){
		"vendor": func(o *Options) {
			o.Root = project(t, "puremod==1.0\nfastthing\n", time.Unix(1e9, 0))
			writeFiles(t, o.Root, map[string]string{"vendor/psycopg2/__init__.py": "# rebuilt\n"})
		},
		"requirements": func(o *Options) { o.Root = project(t, "puremod==1.0\n", time.Unix(1e9, 0)) },
		"platform":     func(o *Options) { o.Architecture = "arm64" },
		"python":       func(o *Options) { o.Python = "3.13" },
		"tool":         func(o *Options) { o.ToolVersion = "next" },
	} {
		oc := o
		oc.PipPython = filepath.Join(t.TempDir(), "no-python-here")
		change(&oc)
		l4, cached, err := Build(context.Background(), oc)
		if cached || l4.Hash == l.Hash {
			t.Errorf("%s change: cached=%v hash=%s", name, cached, l4.Hash)
		}
		// The installer was needed and is broken: that proves a rebuild ran.
		if err == nil || !strings.Contains(err.Error(), "no-python-here") {
			t.Errorf("%s change: want the (broken) installer to run, got %v", name, err)
		}
	}
	if !strings.Contains(log.String(), "installing for manylinux2014_x86_64, Python 3.12 with pip") {
		t.Errorf("log: %s", log.String())
	}
}

func TestBuildWheelMissingForPlatform(t *testing.T) {
	t.Parallel()
	py := pipPython(t)
	root := project(t, "puremod==1.0\nwinonly==1.0\n", time.Unix(1e9, 0))
	_, _, err := Build(context.Background(), Options{
		Root: root, Python: "3.12", Architecture: "arm64", CacheDir: t.TempDir(),
		Installer: "pip", PipPython: py, ExtraArgs: []string{"--no-index", "--find-links", wheelhouse(t)},
	})
	if err == nil {
		t.Fatal("a Windows-only wheel installed for Lambda")
	}
	for _, want := range []string{"requirements.txt:3: error: dependency winonly has no wheel for manylinux2014_aarch64 (CPython 3.12)", "No matching distribution found for winonly"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestBuildBadInput(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Root: root}, "no requirements.txt, uv.lock or poetry.lock found"},
		{Options{Root: root, Requirements: "req/prod.txt"}, "requirements file req/prod.txt (the config's requirements:) not found"},
		{Options{Root: root, Vendor: []string{"vendor"}}, "vendor folder vendor (the config's vendor:) not found"},
		{Options{Root: root, Architecture: "sparc"}, `architecture "sparc": want arm64 or x86_64`},
	} {
		_, _, err := Build(context.Background(), tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: want %q, got %v", tc.o, tc.want, err)
		}
	}
	if _, _, err := Build(context.Background(), Options{Root: root}); !errors.Is(err, ErrNoRequirements) {
		t.Errorf("want ErrNoRequirements, got %v", err)
	}
}

func TestCheckLimits(t *testing.T) {
	art := func(name string, mb int64) bundle.Artifact {
		return bundle.Artifact{Name: name, Stats: bundle.Stats{UnzippedBytes: mb << 20}}
	}
	if err := CheckLimits("shop-index", art("code", 1), art("deps-layer", 200), art("project-layer", 40)); err != nil {
		t.Errorf("241 MB: %v", err)
	}
	err := CheckLimits("shop-index", art("code", 1), art("deps-layer", 240), art("project-layer", 40))
	if err == nil || !strings.Contains(err.Error(), "function shop-index") || !strings.Contains(err.Error(), "deps-layer 240 MiB") {
		t.Errorf("281 MB: %v", err)
	}
	err = CheckLimits("f", art("code", 1), art("a", 1), art("b", 1), art("c", 1), art("d", 1), art("e", 1), art("g", 1))
	if err == nil || !strings.Contains(err.Error(), "uses 6 layers (a, b, c, d, e, g), Lambda allows 5") {
		t.Errorf("6 layers: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestBuildFromUVLockWithoutUV(t *testing.T) {
	t.Parallel()
	py := pipPython(t)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"uv.lock": `version = 1

[[package]]
name = "puremod"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "shop"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "puremod" }]
`})
	noTools := func(name string) (string, error) { return "", exec.ErrNotFound }
	l, _, err := Build(context.Background(), Options{
		Root: root, Python: "3.12", Architecture: "arm64", CacheDir: t.TempDir(), PipPython: py,
		ExtraArgs: []string{"--no-index", "--find-links", wheelhouse(t)}, LookPath: noTools,
	})
	if err != nil {
		t.Fatal(err)
	}
	if names := zipNames(t, l.Path); !contains(names, "python/puremod/__init__.py") || contains(names, "python/shop/__init__.py") {
		t.Errorf("layer from uv.lock: %v", names)
	}
}
