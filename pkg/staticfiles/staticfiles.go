// Package staticfiles collects a Django project's static files at build
// time and describes them for S3. Collect runs Django's collectstatic with
// the project's own settings (Python with the project and its
// dependencies on the path, as the GraphQL schema generation does) into a
// staging folder, with ManifestStaticFilesStorage's hashed names and
// staticfiles.json, without editing the settings. The files then go to S3
// under the environment's prefix with a content type from a fixed table
// and cache headers: a hashed name never changes content, so it is
// cached for a year as immutable; an original name (which JavaScript may
// build, like the admin's icons) is cached for a minute.
package staticfiles

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"crypto/sha256"
	"encoding/hex"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

//go:embed collect.py
var collectScript []byte

// ManifestName is the manifest ManifestStaticFilesStorage writes and
// reads: original name -> hashed name.
const ManifestName = "staticfiles.json"

// Cache-Control values.
const (
	// Immutable is for hashed names: their content never changes.
	Immutable = "public, max-age=31536000, immutable"
	// ShortLived is for original names, which a deploy may change
	// (WhiteNoise's choice for them).
	ShortLived = "public, max-age=60"
)

// Options say what to collect.
type Options struct {
	// Python is the interpreter ("python3" when empty).
	Python string
	// Root is the Django root (the folder holding manage.py).
	Root string
	// DepsDir is the dependencies layer's python/ folder, first on the
	// path after the project; "" uses the interpreter's own packages.
	DepsDir string
	// SettingsModule is the settings module ("shop.settings").
	SettingsModule string
	// Env is the environment the functions get (the configuration's
	// env:): settings may read it. DJANGO_SERVERLESS_BUILD=collectstatic
	// is set too, for settings that must know.
	Env map[string]string
	// Out is the staging folder; it must not exist or be empty.
	Out string
}

// File is one collected file.
type File struct {
	// Name is its path below STATIC_ROOT ("admin/css/base.1f418065fc2c.css").
	Name string
	// Path is the file in the staging folder.
	Path         string
	SHA256       string
	Size         int64
	ContentType  string
	CacheControl string
	// Hashed: a name from the manifest (content-addressed by Django).
	Hashed bool
}

// Collection is what collectstatic produced.
type Collection struct {
	// Dir is the staging folder.
	Dir string
	// Files are the collected files but the manifest, sorted by name.
	Files []File
	// Manifest is staticfiles.json re-encoded with sorted keys, so the
	// same files give the same bytes whatever order the finders walked.
	Manifest []byte
	// Django is the version that collected them.
	Django string
	// OwnURL and OwnStorage are the settings' own STATIC_URL and static
	// files storage, which the deployment replaces.
	OwnURL, OwnStorage string
}

// Bytes is the total size of the files.
func (c *Collection) Bytes() int64 {
	var n int64
	for _, f := range c.Files {
		n += f.Size
	}
	return n
}

var modulePath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// Collect runs collectstatic into o.Out and reads what it wrote.
func Collect(ctx context.Context, o Options) (*Collection, error) {
	if !modulePath.MatchString(o.SettingsModule) {
		return nil, fmt.Errorf("collectstatic: settings module %q is not a dotted module path", o.SettingsModule)
	}
	python := o.Python
	if python == "" {
		python = "python3"
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("collectstatic: staging folder %s is not empty", out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "django-serverless-collect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	script := filepath.Join(work, "collect.py")
	result := filepath.Join(work, "result.json")
	if err := os.WriteFile(script, collectScript, 0o644); err != nil {
		return nil, err
	}
	pypath := []string{root}
	if o.DepsDir != "" {
		d, err := filepath.Abs(o.DepsDir)
		if err != nil {
			return nil, err
		}
		pypath = append(pypath, d)
	}
	cmd := exec.CommandContext(ctx, python, "-s", script, out, result)
	cmd.Dir = root
	cmd.Env = buildEnv(o.Env, map[string]string{
		"PYTHONPATH":              strings.Join(pypath, string(os.PathListSeparator)),
		"DJANGO_SETTINGS_MODULE":  o.SettingsModule,
		"DJANGO_SERVERLESS_BUILD": "collectstatic",
		"PYTHONDONTWRITEBYTECODE": "1",
		"PYTHONIOENCODING":        "utf-8",
	})
	var stderr bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &tail{max: 16 << 10, buf: &stderr}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("collectstatic: %w", ctx.Err())
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			// The interpreter did not start (missing, not executable).
			return nil, fmt.Errorf("collectstatic with %s: %w", python, err)
		}
		return nil, fmt.Errorf("collectstatic with %s (settings %s): %s%s", python, o.SettingsModule, pythonError(stderr.String(), err), traceTail(stderr.String(), root))
	}
	var res struct {
		Django, StaticURL, Storage string
	}
	raw, err := os.ReadFile(result)
	if err != nil {
		return nil, fmt.Errorf("collectstatic: no result: %w", err)
	}
	if err := json.Unmarshal(raw, &struct {
		Django    *string `json:"django"`
		StaticURL *string `json:"static_url"`
		Storage   *string `json:"storage"`
	}{&res.Django, &res.StaticURL, &res.Storage}); err != nil {
		return nil, fmt.Errorf("collectstatic: result: %w", err)
	}
	c, err := Read(out)
	if err != nil {
		return nil, err
	}
	c.Django, c.OwnURL, c.OwnStorage = res.Django, res.StaticURL, res.Storage
	return c, nil
}

// buildEnv is the process environment: the caller's (without what would
// change which Python and packages run), the configured variables, then
// the fixed ones.
func buildEnv(configured, fixed map[string]string) []string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "DJANGO_SETTINGS_MODULE"} {
		delete(env, k)
	}
	for k, v := range configured {
		switch k {
		case "PATH", "HOME", "PYTHONPATH", "PYTHONHOME":
			continue
		}
		env[k] = v
	}
	for k, v := range fixed {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// Read describes a folder collectstatic wrote (a ManifestStaticFilesStorage
// STATIC_ROOT): every file but the manifest, hashed or not, with its
// digest, content type and cache header; a file holding a private key or
// an AWS key pair is an error (everything here is published).
func Read(dir string) (*Collection, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, fmt.Errorf("collectstatic wrote no %s (is the storage ManifestStaticFilesStorage?): %w", ManifestName, err)
	}
	manifest, hashed, err := canonicalManifest(raw)
	if err != nil {
		return nil, err
	}
	c := &Collection{Dir: dir, Manifest: manifest}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if name == ManifestName {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("collected static file %s is a %s, not a file", name, d.Type())
		}
		if err := checkName(name); err != nil {
			return err
		}
		f, err := describe(p, name)
		if err != nil {
			return err
		}
		f.Hashed = hashed[name]
		if f.Hashed {
			f.CacheControl = Immutable
		}
		c.Files = append(c.Files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(c.Files, func(i, j int) bool { return c.Files[i].Name < c.Files[j].Name })
	return c, nil
}

// checkName refuses names that cannot be an S3 key below the prefix or a
// URL path CloudFront serves as is.
func checkName(name string) error {
	if !fs.ValidPath(name) || strings.ContainsAny(name, "\\\x00") || len(name) > 900 {
		return fmt.Errorf("collected static file %q: not a name that can be published (a valid relative path of at most 900 bytes)", name)
	}
	return nil
}

func describe(p, name string) (File, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return File{}, err
	}
	if kinds := bundle.ScanSecrets(data); len(kinds) > 0 {
		return File{}, &SecretError{Name: name, Kinds: kinds}
	}
	sum := sha256.Sum256(data)
	return File{
		Name: name, Path: p, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
		ContentType: ContentType(name), CacheControl: ShortLived,
	}, nil
}

// SecretError is a collected static file holding a key: static files are
// public, so the build stops.
type SecretError struct {
	Name  string
	Kinds []string
}

func (e *SecretError) Error() string {
	return fmt.Sprintf("static file %s holds a %s: static files are published to anyone; remove it from the static folders (or STATICFILES_DIRS)", e.Name, strings.Join(e.Kinds, ", "))
}

// canonicalManifest re-encodes staticfiles.json with sorted keys and
// returns the hashed names it maps to.
func canonicalManifest(raw []byte) ([]byte, map[string]bool, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	var paths map[string]string
	if err := json.Unmarshal(doc["paths"], &paths); err != nil || paths == nil {
		return nil, nil, fmt.Errorf("%s: no \"paths\" object", ManifestName)
	}
	hashed := make(map[string]bool, len(paths))
	for _, v := range paths {
		hashed[v] = true
	}
	// A map marshals with sorted keys; values keep their own form.
	canon := map[string]any{}
	for k, v := range doc {
		if k == "paths" {
			canon[k] = paths
			continue
		}
		canon[k] = v
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(canon); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), hashed, nil
}

// Paths reads a manifest's original -> hashed name map.
func Paths(manifest []byte) (map[string]string, error) {
	var doc struct {
		Paths map[string]string `json:"paths"`
	}
	if err := json.Unmarshal(manifest, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if doc.Paths == nil {
		return nil, errors.New(ManifestName + `: no "paths" object`)
	}
	return doc.Paths, nil
}

// Key is the S3 key of a static file in an environment's prefix: the
// distribution's origin path is "/"+prefix, and it serves /static/<name>.
func Key(prefix, name string) string { return prefix + "/static/" + name }

// contentTypes maps extensions to the Content-Type S3 serves: a fixed
// table, so the same files get the same headers on every machine (Go's
// mime package reads the system's tables).
var contentTypes = map[string]string{
	".avif":        "image/avif",
	".bmp":         "image/bmp",
	".css":         "text/css; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".eot":         "application/vnd.ms-fontobject",
	".gif":         "image/gif",
	".gz":          "application/gzip",
	".htm":         "text/html; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".ico":         "image/vnd.microsoft.icon",
	".jpeg":        "image/jpeg",
	".jpg":         "image/jpeg",
	".js":          "text/javascript; charset=utf-8",
	".json":        "application/json",
	".jsonld":      "application/ld+json",
	".map":         "application/json",
	".md":          "text/markdown; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".mp3":         "audio/mpeg",
	".mp4":         "video/mp4",
	".oga":         "audio/ogg",
	".ogg":         "audio/ogg",
	".ogv":         "video/ogg",
	".otf":         "font/otf",
	".pdf":         "application/pdf",
	".png":         "image/png",
	".svg":         "image/svg+xml",
	".ttf":         "font/ttf",
	".txt":         "text/plain; charset=utf-8",
	".wasm":        "application/wasm",
	".wav":         "audio/wav",
	".webm":        "video/webm",
	".webmanifest": "application/manifest+json",
	".webp":        "image/webp",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".xml":         "application/xml",
	".zip":         "application/zip",
}

// ContentType is the Content-Type of a static file by its extension
// (case-insensitive); application/octet-stream for unknown ones.
func ContentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// pythonError is the exception line of a traceback, or the process error.
func pythonError(stderr string, err error) string {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" && !strings.HasPrefix(lines[i], " ") {
			return t
		}
	}
	return err.Error()
}

// traceTail names where the failure happened: the traceback's last frame
// in the project (below root), else its last frame.
func traceTail(stderr, root string) string {
	lines := strings.Split(stderr, "\n")
	last := ""
	for i := len(lines) - 1; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(t, "File \"") {
			continue
		}
		if last == "" {
			last = t
		}
		if strings.HasPrefix(t, "File \""+root+string(filepath.Separator)) {
			return " (at " + t + ")"
		}
	}
	if last != "" {
		return " (at " + last + ")"
	}
	return ""
}

// tail keeps the last max bytes written.
type tail struct {
	max int
	buf *bytes.Buffer
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}
