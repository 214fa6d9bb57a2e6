package action

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/deps"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// StaticManifestPath is where the staticfiles manifest is in the function
// code zip (below /var/task: plan.StaticRoot).
const StaticManifestPath = "django_serverless_static/" + staticfiles.ManifestName

// StaticDir is the folder render --out writes the collected files to.
const StaticDir = "static"

// staticStorages are the static files storages cloudfront mode replaces
// without a word: Django's own and WhiteNoise's (whose files CloudFront
// now serves).
var staticStorages = map[string]bool{
	"": true,
	"django.contrib.staticfiles.storage.StaticFilesStorage":         true,
	"django.contrib.staticfiles.storage.ManifestStaticFilesStorage": true,
	"whitenoise.storage.CompressedStaticFilesStorage":               true,
	"whitenoise.storage.CompressedManifestStaticFilesStorage":       true,
	"whitenoise.django.GzipManifestStaticFilesStorage":              true,
}

// collectStatic runs collectstatic for a cloudfront-mode plan, with
// Python, the project and its dependencies on the path: the dependencies
// layer's python/ folder when it was built here (or is in the local
// cache), else the layer downloaded from the bucket when it is there,
// else built for this, else the interpreter's own packages (a project
// without requirements, or render without --deps on a machine that has
// them).
func (b *Build) collectStatic(ctx context.Context, o BuildOptions) (*staticfiles.Collection, diag.List, error) {
	var warns diag.List
	python, depsDir, err := b.buildPython(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	out, err := os.MkdirTemp(o.WorkDir, "static-")
	if err != nil {
		return nil, nil, err
	}
	coll, err := staticfiles.Collect(ctx, staticfiles.Options{
		Python: python, Root: b.Project.Root, DepsDir: depsDir,
		SettingsModule: b.Plan.SettingsModule, Env: b.Plan.Env, Out: out,
	})
	if err != nil {
		var se *staticfiles.SecretError
		if errors.As(err, &se) {
			return nil, nil, userError(err)
		}
		err = adapter.ExplainPython(err, python, "")
		if adapter.MissingModule(err.Error()) != "" && depsDir == "" {
			err = fmt.Errorf("%w (render --deps builds the dependencies layer to run with)", err)
		}
		return nil, nil, fmt.Errorf("static files (static.mode %s): %w", b.Plan.Static.Mode, err)
	}
	logf(o.Log, "collected %d static files (%s) with Django %s", len(coll.Files), humanSize(coll.Bytes()), coll.Django)
	if !staticStorages[coll.OwnStorage] {
		warns.Warnf(b.Config.Path, 0, 0, "static: the settings store static files with %s; static.mode cloudfront replaces it with ManifestStaticFilesStorage and serves the files from CloudFront (set static.mode: whitenoise to leave static files to the application)", coll.OwnStorage)
	}
	if u := coll.OwnURL; u != "" && u != plan.StaticPath && strings.TrimPrefix(plan.StaticPath, "/") != u {
		warns.Notef(b.Config.Path, 0, 0, "static: STATIC_URL is %s in the settings; the deployed functions use %s (CSS url() references to %s are not rewritten)", u, staticURLLabel(b.Plan), u)
	}
	return coll, warns, nil
}

func staticURLLabel(pl *plan.Plan) string {
	if pl.Static.URL != "" {
		return pl.Static.URL
	}
	return "https://<distribution>.cloudfront.net" + plan.StaticPath
}

// buildPython picks the interpreter and the dependencies folder for
// Python run at build time.
func (b *Build) buildPython(ctx context.Context, o BuildOptions) (python, depsDir string, err error) {
	gen, _ := o.Deps.(*PipDeps)
	python = o.Python
	if python == "" && gen != nil {
		python = gen.SchemaPython
	}
	if python == "" {
		// The runtime's Python (python3.12 for python: "3.12"), as the
		// schema generation uses: compiled dependencies imported while
		// Django sets up only load in their own version.
		look := exec.LookPath
		if gen != nil {
			look = gen.lookPath()
		}
		python = runtimePython(b.Config.Python, look)
	}
	l := b.Deps
	switch {
	case l == nil:
		return python, "", nil
	case l.PythonDir != "":
		return python, l.PythonDir, nil
	case l.Exists && o.FetchLayer != nil:
		dir := filepath.Join(o.WorkDir, "deps-layer")
		if err := o.FetchLayer(ctx, ZipKey(b.Plan.Project, l.Hash), dir); err != nil {
			return "", "", fmt.Errorf("static files: the dependencies layer %s: %w", short(l.Hash), err)
		}
		l.PythonDir = filepath.Join(dir, "python")
		return python, l.PythonDir, nil
	case gen != nil && gen.Install:
		built, _, err := deps.Build(ctx, gen.options(b.Project, b.Config, nil, false))
		if err != nil {
			return "", "", userError(err)
		}
		l.PythonDir = built.PythonDir
		return python, l.PythonDir, nil
	}
	return python, "", nil
}

// staticRecord lists the collected files for the deployment record.
func staticRecord(c *staticfiles.Collection) []record.StaticFile {
	if c == nil {
		return nil
	}
	out := make([]record.StaticFile, 0, len(c.Files))
	for _, f := range c.Files {
		out = append(out, record.StaticFile{Name: f.Name, SHA256: f.SHA256, Size: f.Size})
	}
	return out
}

// StaticObjects lists the collected files as S3 objects of the static
// bucket: <project>/<env>/static/<name>, with their content type and
// cache header. hashed picks the content-addressed names (true) or the
// originals (false).
func (b *Build) StaticObjects(hashed bool) []artifacts.Object {
	if b.Static == nil {
		return nil
	}
	var objs []artifacts.Object
	for _, f := range b.Static.Files {
		if f.Hashed != hashed {
			continue
		}
		objs = append(objs, artifacts.Object{
			Key: staticfiles.Key(b.Plan.Static.Prefix, f.Name), Path: f.Path, SHA256: f.SHA256, Size: f.Size,
			Kind: artifacts.KindZip, ContentType: f.ContentType, CacheControl: f.CacheControl,
		})
	}
	return objs
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// layerMaxUnzipped bounds a dependencies layer unpacked here: Lambda's
// own limit for a function and its layers.
const layerMaxUnzipped = 250 << 20

// fetchLayer downloads the zip at key from bucket and unpacks it into
// dir: regular files only, every name inside dir, at most Lambda's 250 MB.
func fetchLayer(ctx context.Context, api ObjectReader, bucket, key, dir string) error {
	obj, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, quietChecksums)
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer obj.Body.Close()
	tmp, err := os.CreateTemp("", "django-serverless-layer-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(obj.Body, layerMaxUnzipped+1))
	if err != nil {
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	if n > layerMaxUnzipped {
		return fmt.Errorf("s3://%s/%s is larger than %d MB", bucket, key, layerMaxUnzipped>>20)
	}
	zr, err := zip.NewReader(tmp, n)
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return unzipInto(zr, dir)
}

func unzipInto(zr *zip.Reader, dir string) error {
	var total uint64
	for _, f := range zr.File {
		name := f.Name
		if !f.Mode().IsRegular() && !f.Mode().IsDir() {
			return fmt.Errorf("layer entry %s is a %s", name, f.Mode().Type())
		}
		clean := path.Clean(name)
		if !filepath.IsLocal(filepath.FromSlash(clean)) {
			return fmt.Errorf("layer entry %q leaves the layer", name)
		}
		total += f.UncompressedSize64
		if total > layerMaxUnzipped {
			return fmt.Errorf("layer unzips to more than %d MB", layerMaxUnzipped>>20)
		}
		dst := filepath.Join(dir, filepath.FromSlash(clean))
		if f.Mode().IsDir() || strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := extract(f, dst); err != nil {
			return err
		}
	}
	return nil
}

func extract(f *zip.File, dst string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, io.LimitReader(r, int64(f.UncompressedSize64)+1)); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// staticConcurrency is how many static files upload at once: many small
// files, where round trips dominate.
const staticConcurrency = 16

// Static files go up in two steps, so that a plan changes nothing the
// live site serves:
//
//   - the hashed names (content-addressed: a key names its bytes, and no
//     page the live functions render links a name that is not there yet)
//     go up in the Upload stage of plan and deploy. A plan only adds keys
//     that hold no object (conditional writes: it never replaces or
//     deletes one); deploy also replaces a hashed key whose bytes are
//     wrong.
//   - the originals (admin/css/base.css: the same key for every version,
//     which the live site serves) are only checked by plan, which counts
//     the changed ones (Stats.Left), and uploaded by deploy once the
//     change set is ready to execute, just before ExecuteChangeSet (or
//     when there is nothing to execute: the stack already runs this
//     build).

// staticStep is one of the steps above: which names (hashed or the
// originals), how the uploader treats an existing key, and what an error
// says it was doing.
type staticStep struct {
	hashed    bool
	addOnly   bool // plan: only keys that hold no object, conditional writes
	checkOnly bool // plan: the originals, nothing written
	doing     string
}

var (
	staticHashed        = staticStep{hashed: true, doing: "upload static files to"}
	staticHashedAddOnly = staticStep{hashed: true, addOnly: true, doing: "upload static files to"}
	staticCheckOrigins  = staticStep{checkOnly: true, doing: "check static files in"}
	staticOriginals     = staticStep{doing: "upload static files (originals) to"}
)

// uploadStatic runs one step on the environment's prefix of the static
// bucket, HeadObject first (a file already there with the same bytes is
// skipped).
func uploadStatic(ctx context.Context, api artifacts.S3API, bucket string, b *Build, step staticStep) (artifacts.Stats, error) {
	up := &artifacts.Uploader{Client: api, Concurrency: staticConcurrency, AddOnly: step.addOnly, CheckOnly: step.checkOnly}
	st, err := up.Upload(ctx, bucket, b.StaticObjects(step.hashed))
	if err != nil {
		return st, fmt.Errorf("%s s3://%s/%s/: %w", step.doing, bucket, b.Plan.Static.Prefix, err)
	}
	return st, nil
}

// addStats adds b's counts to a.
func addStats(a *artifacts.Stats, b artifacts.Stats) {
	a.Uploaded += b.Uploaded
	a.UploadedBytes += b.UploadedBytes
	a.Skipped += b.Skipped
	a.Left += b.Left
}

// logStaticUpload logs one line for what a step did with the static files.
func logStaticUpload(log io.Writer, what string, st artifacts.Stats, bucket string, b *Build) {
	line := fmt.Sprintf("static files (%s): %d uploaded (%s), %d already in s3://%s/%s/static/", what, st.Uploaded, humanSize(st.UploadedBytes), st.Skipped, bucket, b.Plan.Static.Prefix)
	if st.Left > 0 {
		line += fmt.Sprintf(", %d changed, left for deploy", st.Left)
	}
	logf(log, "%s", line)
}
