package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/human"
	"github.com/django-serverless/django-serverless-action/pkg/migrations"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// Manifest describes a build: `render --out DIR` writes it as
// DIR/manifest.json, the last file written (DESIGN.md section 2).
type Manifest struct {
	Stack       string             `json:"stack"`
	Environment string             `json:"environment"`
	Prefix      string             `json:"prefix"`
	Functions   []ManifestFunction `json:"functions"`
	Routes      []ManifestRoute    `json:"routes"`
	Artifacts   []ManifestObject   `json:"artifacts"`
	Templates   []ManifestObject   `json:"templates"`
	// API is the API Gateway API: its OpenAPI document (openapi.json) and
	// its counts against API Gateway's quotas.
	API ManifestAPI `json:"api"`
	// Record is the deployment record (deployment-record.json).
	Record ManifestObject `json:"record"`
	// Static are the static files: how they are served and, in
	// cloudfront mode, the collected files (written under static/).
	Static ManifestStatic `json:"static"`
	// Migrations: offline, every migration of the project is new.
	Migrations *migrations.Summary `json:"migrations"`
}

// ManifestStatic describes the static files of a build.
type ManifestStatic struct {
	// Mode is cloudfront, whitenoise or off.
	Mode string `json:"mode"`
	// Prefix is the environment's key prefix in the static bucket
	// (cloudfront mode): a file's key is <prefix>/static/<name>.
	Prefix string `json:"prefix,omitempty"`
	// URL is STATIC_URL as deployed; "" when it is the distribution's own
	// domain (known once deployed: the StaticUrl output).
	URL string `json:"url,omitempty"`
	// Collected is false when render could not run collectstatic (the
	// reason is in its log); Files is then empty.
	Collected bool `json:"collected"`
	// Manifest is staticfiles.json (under static/), which the functions
	// read from their code zip.
	Manifest *ManifestObject `json:"manifest,omitempty"`
	// Files are the collected files, sorted by name.
	Files []ManifestStaticFile `json:"files"`
}

// ManifestStaticFile is one collected static file.
type ManifestStaticFile struct {
	Name         string `json:"name"`
	Key          string `json:"key"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	ContentType  string `json:"content_type"`
	CacheControl string `json:"cache_control"`
	// Hashed: a name ManifestStaticFilesStorage gave (content-addressed).
	Hashed bool `json:"hashed"`
}

// ManifestAPI describes the API's OpenAPI document.
type ManifestAPI struct {
	Type     string         `json:"type"`
	Document ManifestObject `json:"document"`
	// AccountID and Region are what the integration URIs name;
	// Placeholder is true when they are not a real deployment's (render
	// without --account-id/--region).
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	Placeholder bool   `json:"placeholder"`
	// Paths is the number of paths (every method of a path reaches its
	// function).
	Paths int `json:"paths"`
	// Resources (REST) or Routes and Integrations (HTTP), and the quotas
	// they were checked against.
	Resources        int `json:"resources,omitempty"`
	ResourceQuota    int `json:"resource_quota,omitempty"`
	Routes           int `json:"routes,omitempty"`
	RouteQuota       int `json:"route_quota,omitempty"`
	Integrations     int `json:"integrations,omitempty"`
	IntegrationQuota int `json:"integration_quota,omitempty"`
	// MergedApps lists the apps whose routes were merged into one function
	// each to stay within a quota ("*": every route).
	MergedApps []string `json:"merged_apps,omitempty"`
	// DefaultApps lists the apps whose routes were merged into the default
	// function ("" for routes of no app, "*": every route).
	DefaultApps []string `json:"default_apps,omitempty"`
	// GreedyPaths counts the {proxy+} paths added for a quota.
	GreedyPaths int `json:"greedy_paths,omitempty"`
}

// Summary is a one-line count against the quotas.
func (a ManifestAPI) Summary() string {
	if a.Type == "http" {
		return fmt.Sprintf("HTTP API %s (quota %d), %s (quota %d)", human.Count(a.Routes, "route"), a.RouteQuota, human.Count(a.Integrations, "integration"), a.IntegrationQuota)
	}
	return fmt.Sprintf("REST API %s (quota %d)", human.Count(a.Resources, "resource"), a.ResourceQuota)
}

// ManifestFunction is one planned Lambda function.
type ManifestFunction struct {
	Name         string `json:"name"`
	PhysicalName string `json:"physical_name"`
	Memory       int    `json:"memory"`
	Timeout      int    `json:"timeout"`
	PersistDB    bool   `json:"persist_db"`
	Warm         bool   `json:"warm"`
}

// ManifestRoute maps a Django route to its API path and function.
type ManifestRoute struct {
	Route    string   `json:"route"`
	Path     string   `json:"path"`
	APIPath  string   `json:"api_path"`
	Name     string   `json:"name"`
	View     string   `json:"view"`
	Methods  []string `json:"methods"`
	Function string   `json:"function"`
}

// ManifestObject is one S3 object: a zip or a template. Built is false for
// a dependencies layer that was not built here (render without --deps and
// no cached build): its key is known from its input hash, its bytes are not.
type ManifestObject struct {
	Name      string `json:"name"`
	Key       string `json:"key"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	InputHash string `json:"input_hash,omitempty"`
	Built     bool   `json:"built"`
}

// Manifest describes b.
func (b *Build) Manifest() Manifest {
	pl := b.Plan
	m := Manifest{Stack: pl.Stack, Environment: pl.Environment, Prefix: pl.Project,
		Functions: []ManifestFunction{}, Routes: []ManifestRoute{}}
	for _, f := range pl.Functions {
		m.Functions = append(m.Functions, ManifestFunction{Name: f.Name, PhysicalName: f.PhysicalName,
			Memory: f.Memory, Timeout: f.Timeout, PersistDB: f.PersistDB, Warm: f.Warm})
	}
	for _, r := range pl.Routes {
		m.Routes = append(m.Routes, ManifestRoute{Route: r.Route.Route, Path: r.Route.Path, APIPath: r.APIPath,
			Name: r.Route.Name, View: r.Route.View, Methods: r.Route.Methods, Function: r.Function})
	}
	m.Artifacts = []ManifestObject{}
	if d := b.Deps; d != nil {
		o := ManifestObject{Name: "deps-layer", Key: ZipKey(pl.Project, d.Hash), InputHash: d.Hash}
		if d.Zip != nil {
			o.SHA256, o.Size, o.Built = d.Zip.SHA256, d.Zip.Size, true
		}
		m.Artifacts = append(m.Artifacts, o)
	}
	for _, z := range b.Zips {
		m.Artifacts = append(m.Artifacts, ManifestObject{Name: z.Name, Key: ZipKey(pl.Project, z.SHA256), SHA256: z.SHA256, Size: z.Size, Built: true})
	}
	for _, t := range b.Output.Templates {
		m.Templates = append(m.Templates, ManifestObject{Name: t.Name, Key: render.TemplateKey(pl.Project, t.SHA256), SHA256: t.SHA256, Size: int64(len(t.Body)), Built: true})
	}
	doc, rec := b.Output.OpenAPI, b.Output.Record
	st := pl.APIStats
	m.API = ManifestAPI{
		Type:      pl.APIType,
		Document:  ManifestObject{Name: OpenAPIFile, Key: doc.Key, SHA256: sha256Hex(doc.Body), Size: int64(len(doc.Body)), Built: true},
		AccountID: pl.Target.Account, Region: pl.Target.Region, Placeholder: pl.Target.Placeholder,
		Paths: len(pl.API), MergedApps: st.Merged, DefaultApps: st.ToDefault, GreedyPaths: st.Greedy,
	}
	if pl.APIType == "http" {
		m.API.Routes, m.API.RouteQuota, m.API.Integrations, m.API.IntegrationQuota = st.Routes, st.RouteQuota, st.Integrations, st.IntegrationQuota
	} else {
		m.API.Resources, m.API.ResourceQuota = st.Resources, st.ResourceQuota
	}
	m.Record = ManifestObject{Name: RecordFile, Key: rec.Key, SHA256: sha256Hex(rec.Body), Size: int64(len(rec.Body)), Built: true}
	m.Static = ManifestStatic{Mode: pl.Static.Mode, Prefix: pl.Static.Prefix, URL: pl.Static.URL, Files: []ManifestStaticFile{}}
	if c := b.Static; c != nil {
		m.Static.Collected = true
		m.Static.Manifest = &ManifestObject{Name: StaticDir + "/" + staticfiles.ManifestName, Key: StaticManifestPath,
			SHA256: sha256Hex(c.Manifest), Size: int64(len(c.Manifest)), Built: true}
		for _, f := range c.Files {
			m.Static.Files = append(m.Static.Files, ManifestStaticFile{Name: f.Name, Key: staticfiles.Key(pl.Static.Prefix, f.Name),
				SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType, CacheControl: f.CacheControl, Hashed: f.Hashed})
		}
	}
	m.Migrations = b.MigrationSummary(nil)
	return m
}

// OpenAPIFile and RecordFile are the names render --out gives the API's
// OpenAPI document and the deployment record, beside templates/.
const (
	OpenAPIFile = "openapi.json"
	RecordFile  = "deployment-record.json"
)

// ZipKey is the S3 key of a zip.
func ZipKey(prefix, sha string) string { return prefix + "/" + sha + ".zip" }

// WriteOut writes DIR/templates/*.yaml, DIR/artifacts/<sha256>.zip and
// DIR/manifest.json. Everything is written into a fresh sibling folder that
// replaces DIR only once complete, so a failed run never leaves an output
// folder that looks complete.
//
// DIR is replaced only when it is missing, empty, or a folder an earlier
// render wrote: it holds the marker file bundle.OutputMarker, signed, listing
// every file of that render, and nothing else. DIR may never be the Django
// project, nor hold it. The folder is created 0755 (before the umask), like
// any folder a build tool writes.
func (b *Build) WriteOut(dir string) error {
	dir, err := filepath.Abs(filepath.Clean(dir))
	if err != nil {
		return err
	}
	if err := b.checkOut(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes 0700 folders; an output folder is for people and
	// other tools to read.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, sub := range []string{"templates", "artifacts"} {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o755); err != nil {
			return err
		}
	}
	for _, t := range b.Output.Templates {
		if err := os.WriteFile(filepath.Join(tmp, "templates", t.Name), t.Body, 0o644); err != nil {
			return fmt.Errorf("write template %s: %w", t.Name, err)
		}
	}
	for _, f := range b.Output.Files {
		dst := filepath.Join(tmp, "artifacts", filepath.Base(f.Key))
		switch f.Key {
		case b.Output.OpenAPI.Key:
			dst = filepath.Join(tmp, OpenAPIFile)
		case b.Output.Record.Key:
			dst = filepath.Join(tmp, RecordFile)
		}
		if err := os.WriteFile(dst, f.Body, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Base(dst), err)
		}
	}
	for _, z := range b.Zips {
		if err := copyZip(z.Path, z.Bytes, filepath.Join(tmp, "artifacts", z.SHA256+".zip")); err != nil {
			return fmt.Errorf("write %s: %w", z.Name, err)
		}
	}
	if d := b.Deps; d != nil && d.Zip != nil {
		// Named by its key (the input hash), like in S3.
		if err := copyZip(d.Zip.Path, d.Zip.Bytes, filepath.Join(tmp, "artifacts", d.Hash+".zip")); err != nil {
			return fmt.Errorf("write dependencies layer: %w", err)
		}
	}
	if c := b.Static; c != nil {
		if err := writeStatic(c, filepath.Join(tmp, StaticDir)); err != nil {
			return err
		}
	}
	mb, err := json.MarshalIndent(b.Manifest(), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), append(mb, '\n'), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := writeMarker(tmp); err != nil {
		return err
	}
	// Swap: the old folder (if any) moves aside, the new one takes its name.
	// checkOut ran before the build was written; look again just before the
	// swap, so a folder that changed meanwhile is not lost either.
	if err := b.checkOut(dir); err != nil {
		return err
	}
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	done = true
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// writeStatic writes the collected files (hashed names and originals)
// and the canonical staticfiles.json under dir.
func writeStatic(c *staticfiles.Collection, dir string) error {
	for _, f := range c.Files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := copyZip(f.Path, nil, dst); err != nil {
			return fmt.Errorf("write static file %s: %w", f.Name, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, staticfiles.ManifestName), c.Manifest, 0o644)
}

// markerHeader is the first line of the marker file: the tool's signature.
const markerHeader = bundle.OutputSignature + "\n"

// writeMarker lists every file below dir (slash paths, sorted) in dir's
// marker file, after a header saying what the folder is.
func writeMarker(dir string) error {
	files, err := listFiles(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(markerHeader)
	b.WriteString("# Written by `django-serverless render --out`; the next render replaces this whole folder.\n")
	b.WriteString("# Render refuses to replace it when it holds any file not listed here.\n")
	for _, f := range files {
		b.WriteString(f + "\n")
	}
	return os.WriteFile(filepath.Join(dir, bundle.OutputMarker), []byte(b.String()), 0o644)
}

// listFiles returns the slash paths of the files below dir, sorted. Any
// entry that is neither a folder nor a regular file is an error.
func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir || d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is a %s", filepath.ToSlash(rel), d.Type())
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// checkOut refuses an output folder that is the Django project or holds
// it, and an existing folder that is neither empty nor an earlier render's
// output holding only the files its marker lists.
func (b *Build) checkOut(dir string) error {
	real := realPath(dir)
	if b.Project != nil {
		root := realPath(b.Project.Root)
		if hasPrefixDir(root, real) {
			return fmt.Errorf("output folder %s is the Django project %s or holds it; refusing to replace it (choose a folder of its own, such as %s)",
				dir, b.Project.Root, filepath.Join(b.Project.Root, "build", "django-serverless"))
		}
	}
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output folder %s: %w", dir, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("output folder %s is a symlink; refusing to replace it", dir)
	case !fi.IsDir():
		return fmt.Errorf("output folder %s exists and is not a folder; refusing to replace it", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, bundle.OutputMarker))
	if err != nil || !strings.HasPrefix(string(raw), markerHeader) {
		return fmt.Errorf("output folder %s exists and is not a render output (no %s written by django-serverless); refusing to replace it: choose another --out or empty it", dir, bundle.OutputMarker)
	}
	listed := map[string]bool{bundle.OutputMarker: true}
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		if line != "" && !strings.HasPrefix(line, "#") {
			listed[line] = true
		}
	}
	files, err := listFiles(dir)
	if err != nil {
		return fmt.Errorf("output folder %s holds what render does not write (%v); refusing to replace it", dir, err)
	}
	var foreign []string
	for _, f := range files {
		if !listed[f] {
			foreign = append(foreign, f)
		}
	}
	if len(foreign) > 0 {
		if len(foreign) > 5 {
			foreign = append(foreign[:5], fmt.Sprintf("and %d more", len(foreign)-5))
		}
		return fmt.Errorf("output folder %s holds files an earlier render did not write (%s); refusing to replace it: move them away or choose another --out", dir, strings.Join(foreign, ", "))
	}
	return nil
}

// realPath resolves the symlinks of the longest existing prefix of p, so
// two spellings of one folder compare equal.
func realPath(p string) string {
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p
	}
	return filepath.Join(realPath(parent), filepath.Base(p))
}

func copyZip(src string, body []byte, dst string) error {
	if src == "" {
		return os.WriteFile(dst, body, 0o644)
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// hasPrefixDir reports whether path is dir or inside it.
func hasPrefixDir(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && filepath.IsLocal(rel)
}
