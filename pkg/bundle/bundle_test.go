package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/golden"
)

// file is one file of a test tree.
type file struct {
	path string
	data string
	mode fs.FileMode
}

// projectFiles is a small Django-like tree with everything that must and
// must not enter a zip.
var projectFiles = []file{
	{"manage.py", "#!/usr/bin/env python\nimport sys\n", 0o755},
	{"shop/__init__.py", "", 0o644},
	{"shop/settings.py", "DEBUG = False\n" + strings.Repeat("# padding to compress\n", 50), 0o644},
	{"shop/urls.py", "urlpatterns = []\n", 0o644},
	{"catalog/views.py", "def index(request):\n    return None\n", 0o644},
	{"catalog/templates/catalog/index.html", "<h1>catalog</h1>\n", 0o600},
	{"catalog/static/logo.bin", "\x00\x01\x02\x03", 0o644},
	{"catalog/tests/test_views.py", "def test(): pass\n", 0o644},
	{"catalog/test/helpers.py", "x = 1\n", 0o644},
	{"catalog/__pycache__/views.cpython-312.pyc", "pyc", 0o644},
	{"catalog/views.pyc", "pyc", 0o644},
	{"catalog/tests.py", "# a tests module, not a folder: kept\n", 0o644},
	{"media/upload.jpg", "jpeg", 0o644},
	{"docs/readme.txt", "docs", 0o644},
	{".git/config", "[core]\n", 0o644},
	{".hg/store", "hg", 0o644},
	{".env", "SECRET_KEY=x\n", 0o644},
	{".env.production", "SECRET_KEY=y\n", 0o644},
	{"shop/.envrc", "export X=1\n", 0o644},
	{"certs/server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", 0o644},
	{"certs/rds-ca-bundle.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 0o644},
	{"certs/server.key", "key\n", 0o644},
	{"deploy/id_rsa", "key\n", 0o600},
	{"deploy/id_rsa.pub", "pub\n", 0o644},
	{"frontend/node_modules/x/index.js", "js\n", 0o644},
	{"debug.log", "log\n", 0o644},
	{"shop/local.log", "log\n", 0o644},
}

// wantProject lists what ZipDir keeps of projectFiles with projectOpts.
var wantProject = []string{
	"python/catalog/static/logo.bin",
	"python/catalog/templates/catalog/index.html",
	"python/catalog/tests.py",
	"python/catalog/views.py",
	"python/certs/rds-ca-bundle.pem",
	"python/manage.py",
	"python/shop/__init__.py",
	"python/shop/settings.py",
	"python/shop/urls.py",
}

var projectOpts = Options{Prefix: "python/", Exclude: []string{"media/**", "docs/", "*.log"}, ExcludeTests: true}

func writeTree(t testing.TB, root string, files []file) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil { // WriteFile's mode is masked by umask
			t.Fatal(err)
		}
	}
}

func zipDir(t testing.TB, root string, o Options) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := ZipDir(context.Background(), &buf, root, o)
	if err != nil {
		t.Fatalf("ZipDir(%s): %v", root, err)
	}
	return buf.Bytes(), st
}

// zipEntry is what a test checks of one entry.
type zipEntry struct {
	Name   string
	Mode   fs.FileMode
	Method uint16
	Data   string
}

func readZip(t testing.TB, b []byte) []zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("read zip: %v", err)
	}
	var out []zipEntry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		if !f.Modified.IsZero() && !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: modified %v, want 1980-01-01 00:00", f.Name, f.Modified)
		}
		if f.ModifiedDate != dosDate1980 || f.ModifiedTime != 0 {
			t.Errorf("%s: DOS date/time %#x/%#x, want 1980-01-01 00:00", f.Name, f.ModifiedDate, f.ModifiedTime)
		}
		if len(f.Extra) != 0 {
			t.Errorf("%s: extra field %x, want none", f.Name, f.Extra)
		}
		out = append(out, zipEntry{Name: f.Name, Mode: f.Mode(), Method: f.Method, Data: string(data)})
	}
	return out
}

func names(es []zipEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestZipDirContentsAndExcludes(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, projectFiles)
	b, st := zipDir(t, root, projectOpts)
	es := readZip(t, b)
	if diff := cmp.Diff(wantProject, names(es)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if st.Files != len(wantProject) {
		t.Errorf("Stats.Files = %d, want %d", st.Files, len(wantProject))
	}
	if diff := cmp.Diff([]Skipped{{Path: "certs/server.pem", Reason: "holds a private key"}}, st.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	var unzipped int64
	for _, e := range es {
		unzipped += int64(len(e.Data))
		if strings.HasSuffix(e.Name, "/") {
			t.Errorf("directory entry %s", e.Name)
		}
		want := fs.FileMode(0o644)
		if e.Name == "python/manage.py" {
			want = 0o755
		}
		if e.Mode != want {
			t.Errorf("%s: mode %v, want %v", e.Name, e.Mode, want)
		}
	}
	if st.UnzippedBytes != unzipped {
		t.Errorf("Stats.UnzippedBytes = %d, want %d", st.UnzippedBytes, unzipped)
	}
	// Content round-trips, the compressible file is deflated, the tiny
	// binary is stored.
	for _, e := range es {
		switch e.Name {
		case "python/shop/settings.py":
			if e.Method != zip.Deflate {
				t.Errorf("%s: method %d, want Deflate", e.Name, e.Method)
			}
			if e.Data != projectFiles[2].data {
				t.Errorf("%s: content changed", e.Name)
			}
		case "python/catalog/static/logo.bin":
			if e.Method != zip.Store || e.Data != "\x00\x01\x02\x03" {
				t.Errorf("%s: method %d data %q, want stored original", e.Name, e.Method, e.Data)
			}
		}
	}
}

func TestZipDirKeepsTestsWithoutExcludeTests(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, []file{
		{"django/test/client.py", "x", 0o644},
		{"pkg/tests/data.py", "y", 0o644},
		{"pkg/.env", "SECRET=1", 0o644},
	})
	b, _ := zipDir(t, root, Options{})
	if diff := cmp.Diff([]string{"django/test/client.py", "pkg/tests/data.py"}, names(readZip(t, b))); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestZipDirSameBytes(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, projectFiles)
	a, _ := zipDir(t, root, projectOpts)
	b, _ := zipDir(t, root, projectOpts)
	if !bytes.Equal(a, b) {
		t.Fatal("two zips of the same tree differ")
	}
}

// TestZipDirIndependentOfCheckout builds the same tree twice: in reverse
// creation order, with other mtimes and other permission bits (but the
// same executable bits), and with GOMAXPROCS 1; the bytes must not change.
func TestZipDirIndependentOfCheckout(t *testing.T) {
	first := t.TempDir()
	writeTree(t, first, projectFiles)
	want, _ := zipDir(t, first, projectOpts)

	second := t.TempDir()
	reversed := slices.Clone(projectFiles)
	slices.Reverse(reversed)
	for i := range reversed {
		if reversed[i].mode&0o111 != 0 {
			reversed[i].mode = 0o700
		} else {
			reversed[i].mode = 0o664
		}
	}
	writeTree(t, second, reversed)
	stamp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	err := filepath.WalkDir(second, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		stamp = stamp.Add(time.Hour)
		return os.Chtimes(p, stamp, stamp)
	})
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	got, _ := zipDir(t, second, projectOpts)
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(want, got) {
		t.Fatalf("zip depends on mtimes, creation order, permissions or workers:\nfirst  %v\nsecond %v",
			names(readZip(t, want)), names(readZip(t, got)))
	}
}

func TestZipDirGolden(t *testing.T) {
	// testdata/project is committed: git keeps contents and the executable
	// bit only, which is all the zip may depend on.
	b, _ := zipDir(t, filepath.Join("testdata", "project"), Options{Prefix: "python/", ExcludeTests: true})
	sum := sha256.Sum256(b)
	got := hex.EncodeToString(sum[:]) + "\n"
	golden.AssertString(t, got, "testdata/project.zip.sha256")
	if t.Failed() {
		t.Logf("sha256 of the testdata/project zip; entries: %v", names(readZip(t, b)))
	}
}

func TestZipDirSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	outside := t.TempDir()
	writeTree(t, outside, []file{{"secret.txt", "outside", 0o644}, {"lib/mod.py", "outside", 0o644}})
	root := t.TempDir()
	writeTree(t, root, []file{
		{"app/real.py", "real", 0o644},
		{"app/pkg/mod.py", "pkgmod", 0o644},
		{".env", "SECRET=1", 0o644},
		{"tools/run.sh", "#!/bin/sh\n", 0o755},
	})
	links := map[string]string{
		"app/alias.py":     "real.py",                                // inside: stored with content
		"app/pkglink":      "pkg",                                    // inside dir: walked
		"app/loop":         "..",                                     // ancestor: loop, skipped
		"app/out.txt":      filepath.Join(outside, "secret.txt"),     // outside: skipped
		"app/outdir":       filepath.Join(outside, "lib"),            // outside dir: skipped
		"app/rel_out.txt":  "../../" + filepath.Base(outside) + "/x", // dangling
		"app/settings.cfg": "../.env",                                // points at an excluded file
		"app/dangling.py":  "nowhere.py",                             // dangling
		"app/a":            "b",                                      // file loop
		"app/b":            "a",                                      // file loop
		"app/run":          "../tools/run.sh",                        // executable target
		"app/self":         ".",                                      // loop on itself
		"app/pkg/up":       "../pkglink",                             // loop through a link
		"app/pkg/rootlink": "../../app/real.py",                      // inside, via parents
		"app/x.txt":        "real.py",                                // a second alias
	}
	for l, target := range links {
		p := filepath.Join(root, filepath.FromSlash(l))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	var (
		b  []byte
		st Stats
	)
	go func() {
		defer close(done)
		b, st = zipDir(t, root, Options{})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("ZipDir did not finish: symlink loop followed")
	}
	es := readZip(t, b)
	got := map[string]zipEntry{}
	for _, e := range es {
		got[e.Name] = e
	}
	want := map[string]string{
		"app/alias.py":         "real",
		"app/pkg/mod.py":       "pkgmod",
		"app/pkg/rootlink":     "real",
		"app/pkglink/mod.py":   "pkgmod",
		"app/pkglink/rootlink": "real",
		"app/real.py":          "real",
		"app/run":              "#!/bin/sh\n",
		"app/x.txt":            "real",
		"tools/run.sh":         "#!/bin/sh\n",
	}
	gotData := map[string]string{}
	for n, e := range got {
		gotData[n] = e.Data
	}
	if diff := cmp.Diff(want, gotData); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if got["app/run"].Mode != 0o755 {
		t.Errorf("app/run: mode %v, want the target's executable bit", got["app/run"].Mode)
	}
	for _, e := range es {
		if e.Data == "outside" || e.Data == "SECRET=1" {
			t.Errorf("%s: content from outside the root or an excluded file", e.Name)
		}
	}
	skipped := map[string]string{}
	for _, s := range st.Skipped {
		skipped[s.Path] = s.Reason
	}
	for _, p := range []string{"app/loop", "app/out.txt", "app/outdir", "app/settings.cfg", "app/dangling.py", "app/a", "app/b", "app/self", "app/rel_out.txt", "app/pkg/up", "app/pkglink/up"} {
		if skipped[p] == "" {
			t.Errorf("%s not reported in Stats.Skipped (got %v)", p, st.Skipped)
		}
	}
	if !slices.IsSortedFunc(st.Skipped, func(a, b Skipped) int { return strings.Compare(a.Path, b.Path) }) {
		t.Errorf("Stats.Skipped not sorted: %v", st.Skipped)
	}
}

func TestZipDirRootSymlink(t *testing.T) {
	real := t.TempDir()
	writeTree(t, real, []file{{"a.py", "a", 0o644}})
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	a, _ := zipDir(t, real, Options{})
	b, _ := zipDir(t, link, Options{})
	if !bytes.Equal(a, b) {
		t.Error("zip of a symlinked root differs from the real root")
	}
}

func TestZipDirNonUTF8Name(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, []file{{"ok.py", "x", 0o644}})
	bad := filepath.Join(root, "caf\xe9.txt")
	if err := os.WriteFile(bad, []byte("latin-1 name"), 0o644); err != nil {
		t.Skipf("file system refuses non-UTF-8 names: %v", err)
	}
	_, err := ZipDir(context.Background(), io.Discard, root, Options{})
	if err == nil || !strings.Contains(err.Error(), `"caf\xe9.txt"`) || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("ZipDir error = %v, want one naming the file and UTF-8", err)
	}
	// Excluded, the name is no problem.
	b, _ := zipDir(t, root, Options{Exclude: []string{"*.txt"}})
	if diff := cmp.Diff([]string{"ok.py"}, names(readZip(t, b))); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	// A valid UTF-8 name is stored with the UTF-8 flag.
	root2 := t.TempDir()
	writeTree(t, root2, []file{{"café.txt", "x", 0o644}})
	b, _ = zipDir(t, root2, Options{})
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if f := zr.File[0]; f.Name != "café.txt" || f.Flags&0x800 == 0 || f.NonUTF8 {
		t.Errorf("entry %q flags %#x, want café.txt with the UTF-8 flag", f.Name, f.Flags)
	}
}

func TestZipDirErrors(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, []file{{"a.py", "a", 0o644}})
	tests := []struct {
		name string
		root string
		o    Options
		want string
	}{
		{"missing root", filepath.Join(root, "nope"), Options{}, "nope"},
		{"root is a file", filepath.Join(root, "a.py"), Options{}, "not a directory"},
		{"bad glob", root, Options{Exclude: []string{"[a-"}}, `exclude pattern "[a-"`},
		{"dotdot glob", root, Options{Exclude: []string{"../x"}}, `exclude pattern "../x"`},
		{"empty glob", root, Options{Exclude: []string{" "}}, "empty"},
		{"prefix without slash", root, Options{Prefix: "python"}, `zip prefix "python"`},
		{"absolute prefix", root, Options{Prefix: "/python/"}, `zip prefix "/python/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ZipDir(context.Background(), io.Discard, tt.root, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ZipDir error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestExcludePatterns(t *testing.T) {
	tests := []struct {
		pattern string
		path    string
		isDir   bool
		want    bool
	}{
		{"**/tests/**", "tests", true, true},
		{"**/tests/**", "a/b/tests", true, true},
		{"**/tests/**", "a/tests/x.py", false, true},
		{"**/tests/**", "a/tests.py", false, false},
		{"media/**", "media", true, true},
		{"media/**", "media/a/b.jpg", false, true},
		{"media/**", "app/media", true, false},
		{"/media/**", "media", true, true},
		{"./media", "media", true, true},
		{"*.log", "a/b/c.log", false, true},
		{"*.log", "c.log.txt", false, false},
		{"docs/", "docs", true, true},
		{"docs/", "docs", false, false},
		{"shop/settings_*.py", "shop/settings_local.py", false, true},
		{"shop/settings_*.py", "x/shop/settings_local.py", false, false},
		{"a/**/z", "a/z", false, true},
		{"a/**/z", "a/b/c/z", false, true},
		{"a/**/z", "a/b/c/y", false, false},
		{"**", "anything/at/all", false, true},
		{"a/*/c", "a/b/c", false, true},
		{"a/*/c", "a/b/x/c", false, false},
	}
	for _, tt := range tests {
		m, err := newMatcher(Options{Exclude: []string{tt.pattern}})
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		if got := m.excluded(tt.path, tt.isDir); got != tt.want {
			t.Errorf("pattern %q on %q (dir %v) = %v, want %v", tt.pattern, tt.path, tt.isDir, got, tt.want)
		}
	}
}

func TestHoldsPrivateKey(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", false},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", true},
		{"-----BEGIN EC PRIVATE KEY-----\n", true},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----\n", true},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\n", true},
		{"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\ny\n", true},
		{"-----BEGIN PUBLIC KEY-----\n", false},
		{"# this file documents -----BEGIN PRIVATE KEY without dashes\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := holdsPrivateKey([]byte(tt.data)); got != tt.want {
			t.Errorf("holdsPrivateKey(%q) = %v, want %v", tt.data, got, tt.want)
		}
	}
}

func TestBuiltinExcludes(t *testing.T) {
	m, err := newMatcher(Options{ExcludeTests: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", ".hg", ".env", ".env.local", ".envrc", "tls.key", "id_rsa", "id_ed25519.pub",
		"__pycache__", "x.pyc", "node_modules", ".venv", ".ssh", ".aws", ".netrc", "tests", "test"} {
		if !m.excluded(p, p == "tests" || p == "test") {
			t.Errorf("%s not excluded", p)
		}
	}
	for _, p := range []string{"environment.py", "env.py", "keys.py", "testing.py", "tests.py", "a.pyi", "monkey.py"} {
		if m.excluded(p, false) {
			t.Errorf("%s excluded", p)
		}
	}
	if m.excluded("tests", false) {
		t.Error("a file named tests is excluded; only folders should be")
	}
}

// errFS fails to open one file.
type errFS struct {
	fs.FS
	bad string
}

func (e errFS) Open(name string) (fs.File, error) {
	if name == e.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errBoom}
	}
	return e.FS.Open(name)
}

var errBoom = errors.New("boom")

var handlerPy = "def handle(event, context):\n" + strings.Repeat("    pass\n", 20)

func TestZipFS(t *testing.T) {
	mfs := fstest.MapFS{
		"django_serverless/__init__.py":       {Data: []byte(""), Mode: 0o444},
		"django_serverless/handler.py":        {Data: []byte(handlerPy), Mode: 0o444},
		"django_serverless/bin/tool":          {Data: []byte("#!/bin/sh\n"), Mode: 0o555},
		"django_serverless/__pycache__/h.pyc": {Data: []byte("pyc")},
		"django_serverless/.env":              {Data: []byte("X=1")},
		"django_serverless/link":              {Data: []byte("handler.py"), Mode: fs.ModeSymlink},
	}
	var buf bytes.Buffer
	st, err := ZipFS(context.Background(), &buf, mfs, Options{Prefix: "python/"})
	if err != nil {
		t.Fatal(err)
	}
	es := readZip(t, buf.Bytes())
	want := []zipEntry{
		{Name: "python/django_serverless/__init__.py", Mode: 0o644, Method: zip.Store},
		{Name: "python/django_serverless/bin/tool", Mode: 0o755, Method: zip.Store, Data: "#!/bin/sh\n"},
		{Name: "python/django_serverless/handler.py", Mode: 0o644, Method: zip.Deflate, Data: handlerPy},
	}
	if diff := cmp.Diff(want, es); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Skipped{{Path: "django_serverless/link", Reason: "not a regular file (L---------)"}}, st.Skipped); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}

	// An fs.FS of a directory gives the same bytes as ZipDir on it.
	root := t.TempDir()
	writeTree(t, root, projectFiles)
	fromDir, _ := zipDir(t, root, projectOpts)
	var fromFS bytes.Buffer
	if _, err := ZipFS(context.Background(), &fromFS, os.DirFS(root), projectOpts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromDir, fromFS.Bytes()) {
		t.Error("ZipFS(os.DirFS(root)) differs from ZipDir(root)")
	}

	// A read error surfaces, naming the file, and nothing hangs.
	_, err = ZipFS(context.Background(), io.Discard, errFS{FS: os.DirFS(root), bad: "shop/urls.py"}, projectOpts)
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "shop/urls.py") {
		t.Errorf("ZipFS error = %v, want boom naming shop/urls.py", err)
	}
}

func TestBuild(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, projectFiles)
	out := t.TempDir()
	a, err := Build(out, ProjectLayerName, ProjectLayer(context.Background(), src, projectOpts, nil))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if a.SHA256 != hex.EncodeToString(sum[:]) || a.Path != filepath.Join(out, a.SHA256+".zip") || a.Size != int64(len(data)) {
		t.Errorf("artifact %+v does not describe %d bytes with sha256 %x", a, len(data), sum)
	}
	if a.Name != ProjectLayerName || a.Stats.Files != len(wantProject) || a.Stats.UnzippedBytes == 0 {
		t.Errorf("artifact %+v: want name %s and %d files", a, ProjectLayerName, len(wantProject))
	}
	if diff := cmp.Diff(wantProject, names(readZip(t, data))); diff != "" {
		t.Errorf("project layer entries (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(a.Path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("artifact file mode %v, %v: want 0644", fi.Mode(), err)
	}
	// Building again gives the same artifact and leaves one file.
	b, err := Build(out, ProjectLayerName, ProjectLayer(context.Background(), src, projectOpts, nil))
	if err != nil {
		t.Fatal(err)
	}
	if b.SHA256 != a.SHA256 {
		t.Errorf("second build %s, first %s", b.SHA256, a.SHA256)
	}
	// A failing build leaves nothing behind.
	_, err = Build(out, "broken", func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errBoom
	})
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "build broken") {
		t.Errorf("Build error = %v, want boom naming the artifact", err)
	}
	// So does a build that writes something that is not a zip.
	_, err = Build(out, "notzip", func(w io.Writer) error {
		_, err := io.WriteString(w, "hello")
		return err
	})
	if !errors.Is(err, errNotZip) {
		t.Errorf("Build of a non-zip: error %v, want errNotZip", err)
	}
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != a.SHA256+".zip" {
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		t.Errorf("output dir holds %v, want only %s.zip", got, a.SHA256)
	}
}

func TestRuntimeLayer(t *testing.T) {
	mfs := fstest.MapFS{
		"django_serverless/__init__.py": {Data: []byte("")},
		"django_serverless/handler.py":  {Data: []byte("def handle(e, c): pass\n")},
	}
	a, err := BuildBytes(RuntimeLayerName, RuntimeLayer(context.Background(), mfs))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"python/django_serverless/__init__.py", "python/django_serverless/handler.py"}, names(readZip(t, a.Bytes))); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if a.Path != "" || a.Stats.Files != 2 {
		t.Errorf("in-memory artifact %+v: want no path and 2 files", a)
	}
	_, err = BuildBytes(RuntimeLayerName, RuntimeLayer(context.Background(), fstest.MapFS{"handler.py": {Data: []byte("x")}}))
	if err == nil || !strings.Contains(err.Error(), "django_serverless/handler.py") {
		t.Errorf("RuntimeLayer without the package: error %v, want one naming django_serverless/handler.py", err)
	}
	both := fstest.MapFS{
		"django_serverless/handler.py":        {Data: []byte("x")},
		"python/django_serverless/handler.py": {Data: []byte("y")},
	}
	if _, err = BuildBytes(RuntimeLayerName, RuntimeLayer(context.Background(), both)); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("RuntimeLayer with two layouts: error %v, want one saying both", err)
	}
}

func TestFunctionCode(t *testing.T) {
	a, err := BuildBytes(FunctionCodeName, FunctionCode())
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildBytes(FunctionCodeName, FunctionCode())
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != b.SHA256 {
		t.Error("function code zip is not deterministic")
	}
	es := readZip(t, a.Bytes)
	if len(es) != 1 || es[0].Name != "django_serverless_function.py" {
		t.Fatalf("function code entries %v, want django_serverless_function.py only", names(es))
	}
	module, handler := Handler[:strings.LastIndex(Handler, ".")], Handler[strings.LastIndex(Handler, ".")+1:]
	if !strings.Contains(es[0].Data, "from "+module+" import "+handler) {
		t.Errorf("function module does not re-export %s:\n%s", Handler, es[0].Data)
	}
	if strings.HasPrefix(es[0].Name, "django_serverless/") {
		t.Error("function code would shadow the runtime layer's package")
	}
}

func TestCheckUnzipped(t *testing.T) {
	small := Artifact{Name: "function-code", Stats: Stats{UnzippedBytes: 1 << 10}}
	deps := Artifact{Name: "deps-layer", Stats: Stats{UnzippedBytes: 200 << 20}}
	project := Artifact{Name: "project-layer", Stats: Stats{UnzippedBytes: 50 << 20}}
	if err := CheckUnzipped("catalog", small, deps); err != nil {
		t.Errorf("under the limit: %v", err)
	}
	if err := CheckUnzipped("catalog", deps, project); err != nil {
		t.Errorf("exactly 250 MB is allowed: %v", err)
	}
	err := CheckUnzipped("catalog", small, deps, project)
	if err == nil {
		t.Fatal("over the limit: no error")
	}
	for _, want := range []string{"catalog", "deps-layer 200 MiB", "project-layer 50 MiB", "unzip to 250 MiB, over ", "Lambda's 250 MiB limit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestIncompressibleFilesStored(t *testing.T) {
	root := t.TempDir()
	random := make([]byte, 64<<10)
	var x uint32 = 2463534242
	for i := range random {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		random[i] = byte(x)
	}
	text := strings.Repeat("def view(request):\n    return render(request, 'x.html')\n", 2000)
	writeTree(t, root, []file{{"static/photo.jpg", string(random), 0o644}, {"app/views.py", text, 0o644}})
	b, st := zipDir(t, root, Options{})
	method := map[string]uint16{}
	for _, e := range readZip(t, b) {
		method[e.Name] = e.Method
	}
	if method["static/photo.jpg"] != zip.Store || method["app/views.py"] != zip.Deflate {
		t.Errorf("methods %v: want the random file stored and the source deflated", method)
	}
	if st.UnzippedBytes != int64(len(random)+len(text)) {
		t.Errorf("UnzippedBytes %d, want %d", st.UnzippedBytes, len(random)+len(text))
	}
	if int64(len(b)) > int64(len(random))+int64(len(text))/4 {
		t.Errorf("zip is %d bytes: source not compressed", len(b))
	}
}

// TestMemoryBudget zips with a budget smaller than any file: one file at a
// time, the same bytes, and a read error still ends the write.
func TestMemoryBudget(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, projectFiles)
	want, _ := zipDir(t, root, projectOpts)
	prev := inFlightBytes
	inFlightBytes = 1
	defer func() { inFlightBytes = prev }()
	got, _ := zipDir(t, root, projectOpts)
	if !bytes.Equal(want, got) {
		t.Error("zip depends on the in-flight memory budget")
	}
	_, err := ZipFS(context.Background(), io.Discard, errFS{FS: os.DirFS(root), bad: "catalog/views.py"}, projectOpts)
	if !errors.Is(err, errBoom) {
		t.Errorf("ZipFS error = %v, want boom", err)
	}
}
