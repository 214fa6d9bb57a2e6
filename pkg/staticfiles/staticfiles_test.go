package staticfiles

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"admin/css/base.1f418065fc2c.css": "text/css; charset=utf-8",
		"app.js":                          "text/javascript; charset=utf-8",
		"mod.mjs":                         "text/javascript; charset=utf-8",
		"fonts/Roboto.woff2":              "font/woff2",
		"img/LOGO.PNG":                    "image/png",
		"img/icon.svg":                    "image/svg+xml",
		"app.js.map":                      "application/json",
		"data.bin":                        "application/octet-stream",
		"README":                          "application/octet-stream",
	} {
		if got := ContentType(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// staging writes a folder as collectstatic leaves it, the manifest's
// entries in the given order.
func staging(t *testing.T, order []string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"app/site.css":                  "body{}",
		"app/site.0123456789ab.css":     "body{}",
		"app/img/logo.svg":              "<svg/>",
		"app/img/logo.aaaabbbbcccc.svg": "<svg/>",
	}
	for name, body := range files {
		write(t, filepath.Join(dir, name), body)
	}
	paths := map[string]string{"app/site.css": "app/site.0123456789ab.css", "app/img/logo.svg": "app/img/logo.aaaabbbbcccc.svg"}
	var b strings.Builder
	b.WriteString(`{"paths": {`)
	for i, k := range order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + k + `": "` + paths[k] + `"`)
	}
	b.WriteString(`}, "version": "1.0"}`)
	write(t, filepath.Join(dir, ManifestName), b.String())
	return dir
}

// TestRead: the files sorted, hashed names immutable and originals
// short-lived, the manifest re-encoded the same whatever order Django
// wrote it in.
func TestRead(t *testing.T) {
	a, err := Read(staging(t, []string{"app/site.css", "app/img/logo.svg"}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(staging(t, []string{"app/img/logo.svg", "app/site.css"}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Manifest, b.Manifest) {
		t.Errorf("manifest depends on the order Django wrote:\n%s\n%s", a.Manifest, b.Manifest)
	}
	if want := `{"paths":{"app/img/logo.svg":"app/img/logo.aaaabbbbcccc.svg","app/site.css":"app/site.0123456789ab.css"},"version":"1.0"}` + "\n"; string(a.Manifest) != want {
		t.Errorf("manifest %s", a.Manifest)
	}
	var names []string
	for _, f := range a.Files {
		names = append(names, f.Name)
		hashed := strings.Count(f.Name, ".") == 2
		if f.Hashed != hashed || (hashed && f.CacheControl != Immutable) || (!hashed && f.CacheControl != ShortLived) {
			t.Errorf("%s: hashed %v cache %q", f.Name, f.Hashed, f.CacheControl)
		}
		if f.Size == 0 || len(f.SHA256) != 64 {
			t.Errorf("%s: size %d sha %q", f.Name, f.Size, f.SHA256)
		}
	}
	if got := strings.Join(names, " "); got != "app/img/logo.aaaabbbbcccc.svg app/img/logo.svg app/site.0123456789ab.css app/site.css" {
		t.Errorf("files %s", got)
	}
	if a.Bytes() != 24 {
		t.Errorf("bytes %d", a.Bytes())
	}
}

// TestReadRefuses: no manifest, a link, or a key among the files.
func TestReadRefuses(t *testing.T) {
	if _, err := Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "wrote no staticfiles.json") {
		t.Errorf("no manifest: %v", err)
	}
	dir := staging(t, []string{"app/site.css", "app/img/logo.svg"})
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "app", "passwd")); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "app/passwd") {
		t.Errorf("symlink: %v", err)
	}
	dir = staging(t, []string{"app/site.css", "app/img/logo.svg"})
	key := "-----BEGIN RSA PRIVATE KEY-----\n" + strings.Repeat("MIIEowIBAAKCAQEAx0p3Lw9Zs8cE7qT2fYkXbR1", 3) + "\n-----END RSA PRIVATE KEY-----\n"
	write(t, filepath.Join(dir, "app", "deploy.txt"), key)
	_, err := Read(dir)
	var se *SecretError
	if !errors.As(err, &se) || se.Name != "app/deploy.txt" || !strings.Contains(err.Error(), "published to anyone") {
		t.Errorf("private key among the static files: %v", err)
	}
	bad := staging(t, []string{"app/site.css"})
	write(t, filepath.Join(bad, ManifestName), `{"version": "1.0"}`)
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), `no "paths"`) {
		t.Errorf("manifest without paths: %v", err)
	}
}

// TestCollectDjango: collectstatic with Debian's Django on the gallery:
// the admin's files and the app's, hashed names and originals; two runs
// into other folders give the same manifest and files; the settings'
// own STATIC_URL and storage are reported.
func TestCollectDjango(t *testing.T) {
	py := testenv.Django(t)
	root := filepath.Join(repoRoot(t), "testdata", "static", "gallery")
	collect := func() *Collection {
		c, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "gallery.settings", Out: filepath.Join(t.TempDir(), "out")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := collect(), collect()
	if !bytes.Equal(a.Manifest, b.Manifest) || len(a.Files) != len(b.Files) {
		t.Fatal("two collections differ")
	}
	for i := range a.Files {
		if a.Files[i].Name != b.Files[i].Name || a.Files[i].SHA256 != b.Files[i].SHA256 {
			t.Fatalf("file %d: %s %s vs %s %s", i, a.Files[i].Name, a.Files[i].SHA256, b.Files[i].Name, b.Files[i].SHA256)
		}
	}
	paths, err := Paths(a.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	css := ""
	for _, f := range a.Files {
		if f.Name == paths["pages/css/site.css"] {
			data, _ := os.ReadFile(f.Path)
			css = string(data)
		}
	}
	// The CSS's relative url() points at the image's hashed name.
	if want := `url("../img/` + filepath.Base(paths["pages/img/logo.svg"]) + `")`; !strings.Contains(css, want) {
		t.Errorf("hashed site.css lacks %s:\n%s", want, css)
	}
	if a.OwnURL != "/static/" || a.OwnStorage != "django.contrib.staticfiles.storage.StaticFilesStorage" || !strings.HasPrefix(a.Django, "3.2") {
		t.Errorf("reported %q %q %q", a.OwnURL, a.OwnStorage, a.Django)
	}
	if len(paths) < 100 || paths["admin/css/base.css"] == "" {
		t.Errorf("%d manifest entries", len(paths))
	}
}

// TestCollectErrors: a settings module that fails to import is reported
// with Python's own error and where it happened; a bad module path is
// refused before Python runs; the staging folder must be empty.
func TestCollectErrors(t *testing.T) {
	py := testenv.Django(t)
	root := t.TempDir()
	write(t, filepath.Join(root, "broken", "__init__.py"), "")
	write(t, filepath.Join(root, "broken", "settings.py"), "import os\nSECRET_KEY = os.environ[\"NEEDED_SECRET\"]\n")
	_, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "broken.settings", Out: filepath.Join(t.TempDir(), "o")})
	if err == nil || !strings.Contains(err.Error(), "KeyError: 'NEEDED_SECRET'") || !strings.Contains(err.Error(), "broken/settings.py\", line 2") {
		t.Errorf("broken settings: %v", err)
	}
	// The configured environment reaches the settings.
	write(t, filepath.Join(root, "broken", "settings.py"), "import os\nSECRET_KEY = os.environ[\"NEEDED_SECRET\"]\nINSTALLED_APPS = [\"django.contrib.staticfiles\"]\nSTATIC_URL = \"/s/\"\nassert os.environ[\"DJANGO_SERVERLESS_BUILD\"] == \"collectstatic\"\n")
	c, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "broken.settings", Env: map[string]string{"NEEDED_SECRET": "x"}, Out: filepath.Join(t.TempDir(), "o")})
	if err != nil || len(c.Files) != 0 || c.OwnURL != "/s/" {
		t.Errorf("with the env: %v %+v", err, c)
	}
	if _, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "broken.settings; import os"}); err == nil || !strings.Contains(err.Error(), "not a dotted module path") {
		t.Errorf("module path: %v", err)
	}
	full := t.TempDir()
	write(t, filepath.Join(full, "x"), "")
	if _, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "broken.settings", Out: full}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty staging: %v", err)
	}
}

// fakeDjango writes a stand-in for Django 4.2 or 5.1 (PyPI is not
// reachable here; Debian has 3.2): the documented settings API the
// overrides use (VERSION, settings with STORAGES and is_overridden,
// setup, call_command), and a collectstatic that records which storage it
// would use, as Django's StorageHandler picks it (a settings module that
// sets STATICFILES_STORAGE wins in 4.2 and 5.0; 5.1 reads STORAGES only).
func fakeDjango(t *testing.T, version string, ownStatic string) (root string) {
	t.Helper()
	root = t.TempDir()
	write(t, filepath.Join(root, "django", "__init__.py"), "VERSION = ("+version+", 0, 'final', 0)\n"+
		"def get_version():\n    return '.'.join(str(v) for v in VERSION[:3])\n"+
		"def setup():\n    pass\n")
	write(t, filepath.Join(root, "django", "conf", "__init__.py"), `
import django
class Settings:
    def __init__(self):
        self.STATIC_URL = "/assets/"
        self.STATIC_ROOT = None
        self.STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        self._explicit = set()
        own = `+"'"+ownStatic+"'"+`
        if own:
            self.STATICFILES_STORAGE = own
            self._explicit.add("STATICFILES_STORAGE")
    def is_overridden(self, name):
        return name in self._explicit
settings = Settings()
`)
	write(t, filepath.Join(root, "django", "core", "__init__.py"), "")
	write(t, filepath.Join(root, "django", "core", "management", "__init__.py"), `
import json, os
import django
from django.conf import settings
def call_command(name, **kw):
    if django.VERSION < (5, 1) and settings.is_overridden("STATICFILES_STORAGE"):
        backend = settings.STATICFILES_STORAGE
    else:
        backend = settings.STORAGES["staticfiles"]["BACKEND"]
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    with open(os.path.join(settings.STATIC_ROOT, "staticfiles.json"), "w") as f:
        json.dump({"paths": {}, "version": "1.0", "backend": backend, "url": settings.STATIC_URL}, f)
`)
	write(t, filepath.Join(root, "proj", "__init__.py"), "")
	write(t, filepath.Join(root, "proj", "settings.py"), "")
	return root
}

// TestCollectNewerDjango: the overrides reach the storage Django 4.2 and
// later use (STORAGES["staticfiles"], and STATICFILES_STORAGE where the
// settings set it), against a stand-in for those versions.
func TestCollectNewerDjango(t *testing.T) {
	py := testenv.Django(t)
	const manifest = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
	for _, c := range []struct{ version, own, reported string }{
		{"4, 2", "", "django.contrib.staticfiles.storage.StaticFilesStorage"},
		{"4, 2", "whitenoise.storage.CompressedManifestStaticFilesStorage", "whitenoise.storage.CompressedManifestStaticFilesStorage"},
		{"5, 1", "", "django.contrib.staticfiles.storage.StaticFilesStorage"},
	} {
		root := fakeDjango(t, c.version, c.own)
		coll, err := Collect(context.Background(), Options{Python: py, Root: root, SettingsModule: "proj.settings", Out: filepath.Join(t.TempDir(), "o")})
		if err != nil {
			t.Fatalf("%s: %v", c.version, err)
		}
		var m struct{ Backend, URL string }
		if err := json.Unmarshal(coll.Manifest, &m); err != nil {
			t.Fatal(err)
		}
		if m.Backend != manifest || m.URL != "/static/" || coll.OwnStorage != c.reported || coll.OwnURL != "/assets/" {
			t.Errorf("Django %s own %q: collected with %q at %q; reported %q %q", c.version, c.own, m.Backend, m.URL, coll.OwnStorage, coll.OwnURL)
		}
	}
}
