package action_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// galleryBuild builds the gallery project (the admin and an app with its
// own static files) offline with Debian's Django collecting the static
// files.
func galleryBuild(t *testing.T, config string) *action.Build {
	t.Helper()
	python := testenv.Django(t)
	b, err := action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: galleryDir(t), ConfigFile: config, Environment: "dev",
		WorkDir: t.TempDir(), Python: python, Account: "123456789012", Region: "us-east-1",
		RequireStatic: true,
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return b
}

// taskRoot unpacks the function code zip the build made into a folder
// standing for Lambda's /var/task.
func taskRoot(t *testing.T, b *action.Build) string {
	t.Helper()
	dir := t.TempDir()
	for _, z := range b.Zips {
		if z.Name != bundle.FunctionCodeName {
			continue
		}
		zr, err := zip.OpenReader(z.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			dst := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	t.Fatal("no function code zip")
	return ""
}

// restEvent is an API Gateway REST (payload 1.0) event for a GET of path
// through stage, with the Host header API Gateway passes.
func restEvent(path, stage, host string) []byte {
	ev := map[string]any{
		"resource": "/{proxy+}", "path": path, "httpMethod": "GET",
		"headers":           map[string]string{"Host": host, "Accept": "text/html", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"},
		"multiValueHeaders": map[string][]string{"Host": {host}, "Accept": {"text/html"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Port": {"443"}},
		"requestContext": map[string]any{
			"path": "/" + stage + path, "stage": stage, "domainName": host, "httpMethod": "GET",
			"identity": map[string]any{"sourceIp": "203.0.113.9"}, "protocol": "HTTP/1.1",
		},
		"body": nil, "isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

type httpResult struct {
	StatusCode        int                 `json:"statusCode"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
}

// invokeFunction runs the build's default function on an event as Lambda
// would: its environment from the templates, the manifest from the code
// zip at /var/task (here taskRoot), staticURL standing for the stack
// parameter when the URL is the distribution's own.
func invokeFunction(t *testing.T, b *action.Build, task, staticURL string, event []byte) httpResult {
	t.Helper()
	env := b.Plan.FunctionEnv(plan.DefaultFunction)
	if root, ok := env[plan.EnvStaticRoot]; ok {
		env[plan.EnvStaticRoot] = filepath.Join(task, strings.TrimPrefix(root, plan.StaticRoot[:len("/var/task")]))
	}
	if staticURL != "" {
		env[plan.EnvStaticURL] = staticURL
	}
	env["GALLERY_DB"] = filepath.Join(t.TempDir(), "db.sqlite3")
	var stderr strings.Builder
	out, raised, err := adapter.Invoke(context.Background(), adapter.InvokeOptions{
		Python: testenv.Django(t), Root: b.Project.Root, Event: event, Env: env, Stderr: &stderr,
	})
	if err != nil || raised {
		t.Fatalf("invoke: %v raised=%v %s\n%s", err, raised, out, stderr.String())
	}
	var res httpResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return res
}

var stylesheetRE = regexp.MustCompile(`<link rel="stylesheet" type="text/css" href="([^"]+)">`)

// TestAdminPageHashedStatic: collectstatic runs on the bundled gallery
// project with Debian's Django (the admin's own files included), the
// manifest travels in the function code zip, and the admin login page a
// function renders links its stylesheets at the static URL with the
// hashed names of that manifest.
func TestAdminPageHashedStatic(t *testing.T) {
	b := galleryBuild(t, "")
	if b.Static == nil || !b.Plan.CloudFront() {
		t.Fatalf("static files not collected (mode %s)", b.Plan.Static.Mode)
	}
	paths, err := staticfiles.Paths(b.Static.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin/css/base.css", "admin/css/login.css", "admin/js/core.js", "pages/css/site.css", "pages/img/logo.svg"} {
		if paths[name] == "" {
			t.Errorf("manifest lacks %s", name)
		}
	}
	names := map[string]bool{}
	for _, f := range b.Static.Files {
		names[f.Name] = true
	}
	if !names["admin/css/base.css"] || !names[paths["admin/css/base.css"]] {
		t.Errorf("collected files lack the original or the hashed base.css (%s)", paths["admin/css/base.css"])
	}

	task := taskRoot(t, b)
	if got, err := os.ReadFile(filepath.Join(task, action.StaticManifestPath)); err != nil || string(got) != string(b.Static.Manifest) {
		t.Fatalf("the code zip's manifest differs from the collected one: %v", err)
	}
	const cdn = "https://d111111abcdef8.cloudfront.net/static/"
	res := invokeFunction(t, b, task, cdn, restEvent("/admin/login/", "dev", "abc123.execute-api.us-east-1.amazonaws.com"))
	if res.StatusCode != 200 {
		t.Fatalf("GET /admin/login/: %d\n%s", res.StatusCode, res.Body)
	}
	links := stylesheetRE.FindAllStringSubmatch(res.Body, -1)
	if len(links) < 2 {
		t.Fatalf("login page has %d stylesheet links:\n%s", len(links), res.Body)
	}
	want := map[string]bool{cdn + paths["admin/css/base.css"]: false, cdn + paths["admin/css/login.css"]: false}
	for _, l := range links {
		href := l[1]
		if !strings.HasPrefix(href, cdn) {
			t.Errorf("stylesheet %s is not on the static URL %s", href, cdn)
		}
		if _, ok := want[href]; ok {
			want[href] = true
		}
		if !regexp.MustCompile(`\.[0-9a-f]{12}\.css$`).MatchString(href) {
			t.Errorf("stylesheet %s is not a hashed name", href)
		}
	}
	for href, seen := range want {
		if !seen {
			t.Errorf("login page does not link %s:\n%v", href, links)
		}
	}
}

// restEventAt is restEvent with the client path API Gateway reports
// (requestContext.path) given apart: through a custom domain's empty base
// path mapping it is the path itself; behind CloudFront's origin path it
// carries the stage.
func restEventAt(path, clientPath, host string, extra map[string]string) []byte {
	var ev map[string]any
	_ = json.Unmarshal(restEvent(path, "dev", host), &ev)
	ctx := ev["requestContext"].(map[string]any)
	ctx["path"] = clientPath
	for k, v := range extra {
		ev["headers"].(map[string]any)[k] = v
		ev["multiValueHeaders"].(map[string]any)[k] = []string{v}
	}
	b, _ := json.Marshal(ev)
	return b
}

type whoami struct {
	Host       string `json:"host"`
	Secure     bool   `json:"secure"`
	ScriptName string `json:"script_name"`
	Path       string `json:"path"`
	Home       string `json:"home"`
	StaticURL  string `json:"static_url"`
	Logo       string `json:"logo"`
}

func askWhoami(t *testing.T, b *action.Build, task string, event []byte) whoami {
	t.Helper()
	res := invokeFunction(t, b, task, "", event)
	if res.StatusCode != 200 {
		t.Fatalf("GET /whoami/: %d %s", res.StatusCode, res.Body)
	}
	var w whoami
	if err := json.Unmarshal([]byte(res.Body), &w); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	return w
}

// TestFrontDoor: what Django sees behind each front door, from the
// function environment the templates set and events as API Gateway sends
// them. Behind CloudFront (which reaches API Gateway with the API's own
// Host header and the stage in its origin path) the request is the
// browser's: the domain, https, no stage prefix, whatever X-Forwarded-Host
// the client sent; through an API Gateway custom domain the same; without
// a front door the stage is the script prefix.
func TestFrontDoor(t *testing.T) {
	const apiHost = "abc123.execute-api.us-east-1.amazonaws.com"
	const cert = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

	t.Run("cloudfront", func(t *testing.T) {
		b := galleryBuild(t, writeConfig(t, "environments:\n  dev:\n    domain:\n      name: www.example.com\n      certificate_arn: "+cert+"\n"))
		if b.Plan.Domain == nil || b.Plan.Domain.Front != plan.FrontCloudFront || b.Plan.Static.URL != "https://www.example.com/static/" {
			t.Fatalf("plan: %+v %+v", b.Plan.Domain, b.Plan.Static)
		}
		paths, _ := staticfiles.Paths(b.Static.Manifest)
		task := taskRoot(t, b)
		w := askWhoami(t, b, task, restEventAt("/whoami/", "/dev/whoami/", apiHost, map[string]string{"X-Forwarded-Host": "evil.example.net"}))
		want := whoami{Host: "www.example.com", Secure: true, ScriptName: "", Path: "/whoami/", Home: "https://www.example.com/",
			StaticURL: "https://www.example.com/static/", Logo: "https://www.example.com/static/" + paths["pages/img/logo.svg"]}
		if w != want {
			t.Errorf("behind CloudFront:\n got %+v\nwant %+v", w, want)
		}
	})

	t.Run("apigateway", func(t *testing.T) {
		b := galleryBuild(t, writeConfig(t, "static: {mode: \"off\"}\nenvironments:\n  dev:\n    domain: {name: www.example.com, certificate_arn: "+cert+"}\n"))
		if b.Plan.Domain == nil || b.Plan.Domain.Front != plan.FrontAPIGateway || b.Static != nil {
			t.Fatalf("plan: %+v static %v", b.Plan.Domain, b.Static != nil)
		}
		w := askWhoami(t, b, taskRoot(t, b), restEventAt("/whoami/", "/whoami/", "www.example.com", nil))
		if w.Host != "www.example.com" || w.ScriptName != "" || w.Home != "https://www.example.com/" || w.Path != "/whoami/" {
			t.Errorf("through the custom domain: %+v", w)
		}
	})

	t.Run("none", func(t *testing.T) {
		b := galleryBuild(t, "")
		w := askWhoami(t, b, taskRoot(t, b), restEvent("/whoami/", "dev", apiHost))
		if w.Host != apiHost || w.ScriptName != "/dev" || w.Home != "https://"+apiHost+"/dev/" || w.Path != "/dev/whoami/" {
			t.Errorf("at the execute-api URL: %+v", w)
		}
	})
}

// staticBucket creates a bucket in moto for static files (static.bucket)
// and returns a config naming it, plus extra config lines.
func (e *runEnv) staticBucket(extra string) (bucket, config string) {
	e.t.Helper()
	bucket = fmt.Sprintf("ds-static-%d", time.Now().UnixNano())
	if _, err := e.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		e.t.Fatalf("create static bucket in moto: %v", err)
	}
	// Versioned, as the managed static bucket is: destroy removes every
	// version.
	if _, err := e.s3.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		e.t.Fatal(err)
	}
	e.s3log.reset()
	return bucket, writeConfig(e.t, "static:\n  bucket: "+bucket+"\n"+extra)
}

// staticObjects lists the keys of bucket below prefix with their sizes.
func (e *runEnv) staticObjects(bucket, prefix string) map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	return out
}

func galleryCopy(t *testing.T, reverse bool, base time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gallery")
	copyTree(t, galleryDir(t), dir, reverse, base)
	return dir
}

// TestRunStaticUploadsOnce (moto for S3, the CloudFormation fake for the
// stack): a deploy of the gallery collects its static files and uploads
// them to the environment's prefix of the static bucket before the change
// set, with their content types and cache headers, and names them in the
// deployment record; a second run from a fresh checkout (other file
// order, other mtimes) uploads 0 bytes of static files.
func TestRunStaticUploadsOnce(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{})
	bucket, cfg := e.staticBucket("")
	sum, err := e.run("deploy", galleryCopy(t, false, time.Date(2022, 3, 3, 0, 0, 0, 0, time.UTC)), cfg, "dev")
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if sum.Status != "CREATE_COMPLETE" {
		t.Fatalf("deploy: %s %s", sum.Status, sum.RootCause)
	}
	b := sum.Build
	if b.Static == nil || len(b.Static.Files) < 200 {
		t.Fatalf("collected %v", b.Static)
	}
	if sum.Static == nil || sum.Static.Uploaded != len(b.Static.Files) || sum.Static.UploadedBytes != b.Static.Bytes() {
		t.Fatalf("first deploy uploaded %+v, want %d files, %d bytes", sum.Static, len(b.Static.Files), b.Static.Bytes())
	}
	objs := e.staticObjects(bucket, "mysite/dev/static/")
	if len(objs) != len(b.Static.Files) {
		t.Errorf("%d objects under gallery/dev/static/, want %d", len(objs), len(b.Static.Files))
	}
	paths, _ := staticfiles.Paths(b.Static.Manifest)
	for key, want := range map[string][2]string{
		"mysite/dev/static/" + paths["admin/css/base.css"]: {"text/css; charset=utf-8", staticfiles.Immutable},
		"mysite/dev/static/admin/css/base.css":             {"text/css; charset=utf-8", staticfiles.ShortLived},
		"mysite/dev/static/" + paths["pages/img/logo.svg"]: {"image/svg+xml", staticfiles.Immutable},
	} {
		h, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key)})
		if err != nil {
			t.Errorf("head %s: %v", key, err)
			continue
		}
		if aws.ToString(h.ContentType) != want[0] || aws.ToString(h.CacheControl) != want[1] {
			t.Errorf("%s: Content-Type %q Cache-Control %q, want %q %q", key, aws.ToString(h.ContentType), aws.ToString(h.CacheControl), want[0], want[1])
		}
	}
	// Every hashed name's PUT completed before the change set was
	// created (the templates go up just before it); the originals went up
	// after it, once it was ready to execute.
	originals := map[string]bool{}
	for _, f := range b.Static.Files {
		if !f.Hashed {
			originals[bucket+"/"+staticfiles.Key("mysite/dev", f.Name)] = true
		}
	}
	firstTemplate, lastHashed, firstOriginal := -1, -1, -1
	for i, ev := range e.s3log.all() {
		if ev.Method != "PUT" || !strings.Contains(ev.Key, "/mysite/dev/static/") {
			if ev.Method == "PUT" && strings.Contains(ev.Key, "/templates/") && firstTemplate < 0 {
				firstTemplate = i
			}
			continue
		}
		if originals[ev.Key] {
			if firstOriginal < 0 {
				firstOriginal = i
			}
		} else if ev.Done {
			lastHashed = i
		}
	}
	if lastHashed < 0 || firstTemplate < 0 || lastHashed > firstTemplate {
		t.Errorf("hashed static uploads (last at %d) not before the templates (first at %d)", lastHashed, firstTemplate)
	}
	if firstOriginal < firstTemplate {
		t.Errorf("an original static file went up (at %d) before the change set's templates (first at %d)", firstOriginal, firstTemplate)
	}
	// The stack takes the bucket; the record names the files.
	if got := e.stackParameter("mysite-dev", "StaticBucket"); got != bucket {
		t.Errorf("stack parameter StaticBucket = %q, want %q", got, bucket)
	}
	rec := b.Output.Placement
	if rec.Static == nil || rec.Static.Bucket != bucket || rec.Static.Prefix != "mysite/dev" || len(rec.Static.Files) != len(b.Static.Files) {
		t.Fatalf("record static %+v", rec.Static)
	}

	// A fresh checkout: nothing to upload.
	e.s3log.reset()
	again, err := e.run("deploy", galleryCopy(t, true, time.Date(2025, 9, 9, 0, 0, 0, 0, time.UTC)), cfg, "dev")
	if err != nil {
		t.Fatalf("second deploy: %v", err)
	}
	if again.Static == nil || again.Static.Uploaded != 0 || again.Static.UploadedBytes != 0 || again.Static.Skipped != len(b.Static.Files) {
		t.Errorf("second run uploaded static files: %+v", again.Static)
	}
	for _, ev := range e.s3log.all() {
		if ev.Method == "PUT" && strings.Contains(ev.Key, "/static/") {
			t.Errorf("second run wrote %s", ev.Key)
		}
	}
	if !bytes.Equal(again.Build.Static.Manifest, b.Static.Manifest) {
		t.Error("the manifest differs between checkouts")
	}
	if again.HasChanges {
		t.Errorf("a fresh checkout of the same commit changed the stack: %+v", again.Changes)
	}
}

// stackParameter reads a parameter of a live stack (DescribeStacks).
func (e *runEnv) stackParameter(stackName, key string) string {
	e.t.Helper()
	out, err := e.clients().CFN.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)})
	if err != nil || len(out.Stacks) == 0 {
		e.t.Fatalf("describe %s: %v", stackName, err)
	}
	for _, p := range out.Stacks[0].Parameters {
		if aws.ToString(p.ParameterKey) == key {
			return aws.ToString(p.ParameterValue)
		}
	}
	return ""
}

// TestRunDestroyRemovesStatic: destroy deletes the stack first, then
// every version of the environment's static files; another environment's
// files stay, and so does a key under the destroyed environment's prefix
// that another live stack's deployment record names (here planted: with
// one prefix per environment no record names another's).
func TestRunDestroyRemovesStatic(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{})
	bucket, cfg := e.staticBucket("")
	dir := galleryCopy(t, false, time.Date(2022, 3, 3, 0, 0, 0, 0, time.UTC))
	dev, err := e.run("deploy", dir, cfg, "dev")
	if err != nil {
		t.Fatalf("deploy dev: %v", err)
	}
	// A second version of one file (a changed original), so destroy has
	// versions to remove.
	site := "mysite/dev/static/pages/css/site.css"
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(site), Body: strings.NewReader("/* v2 */")}); err != nil {
		t.Fatal(err)
	}
	preview, err := e.run("deploy", dir, cfg, "pr-7")
	if err != nil {
		t.Fatalf("deploy pr-7: %v", err)
	}
	previewFiles := e.staticObjects(bucket, "mysite/pr-7/static/")
	if len(previewFiles) != len(preview.Build.Static.Files) {
		t.Fatalf("pr-7 has %d static objects, want %d", len(previewFiles), len(preview.Build.Static.Files))
	}
	// pr-7's record now names one of dev's files (its object in the
	// artifacts bucket rewritten under the key the stack's template names).
	shared := "pages/img/logo.svg"
	planted := preview.Build.Output.Placement
	planted.Static = &record.Static{Bucket: bucket, Prefix: "mysite/dev", Files: []record.StaticFile{{Name: shared, SHA256: strings.Repeat("0", 64), Size: 1}}}
	body, _, err := planted.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &e.bucket, Key: aws.String(preview.Build.Output.Record.Key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}

	des, err := e.run("destroy", dir, cfg, "dev")
	if err != nil {
		t.Fatalf("destroy dev: %v", err)
	}
	if e.cfn.StackStatus("mysite-dev") != "" {
		t.Fatal("dev stack still live")
	}
	left := e.staticObjects(bucket, "mysite/dev/")
	if len(left) != 1 || left["mysite/dev/static/"+shared] == 0 {
		t.Errorf("after destroy, dev's prefix holds %v; want only the key pr-7's record names", left)
	}
	if des.StaticRemoved == nil || des.StaticRemoved.Removed != len(dev.Build.Static.Files)-1 || des.StaticRemoved.Kept != 1 || des.StaticRemoved.Versions < des.StaticRemoved.Removed+1 {
		t.Errorf("destroy stats %+v (dev had %d files)", des.StaticRemoved, len(dev.Build.Static.Files))
	}
	versions, err := e.s3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: aws.String(site)})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.Versions)+len(versions.DeleteMarkers) != 0 {
		t.Errorf("%s keeps %d versions and %d delete markers", site, len(versions.Versions), len(versions.DeleteMarkers))
	}
	if got := e.staticObjects(bucket, "mysite/pr-7/static/"); len(got) != len(previewFiles) {
		t.Errorf("destroying dev touched pr-7's files: %d -> %d", len(previewFiles), len(got))
	}
	// The code bucket is untouched: a rollback of anything may need it.
	if _, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &e.bucket, Key: aws.String(dev.Build.Output.Record.Key)}); err != nil {
		t.Errorf("destroy removed dev's record from the artifacts bucket: %v", err)
	}
}

// TestWriteOutStatic: render --out writes the collected files (hashed
// names and originals) and the manifest under static/, and lists them in
// manifest.json under "static"; writing again over that output works (the
// marker lists the static files too).
func TestWriteOutStatic(t *testing.T) {
	b := galleryBuild(t, "")
	out := filepath.Join(t.TempDir(), "out")
	for range 2 {
		if err := b.WriteOut(out); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m action.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	st := m.Static
	if st.Mode != "cloudfront" || !st.Collected || st.Prefix != "gallery/dev" || len(st.Files) != len(b.Static.Files) || st.Manifest == nil {
		t.Fatalf("manifest.json static: %+v", st)
	}
	paths, _ := staticfiles.Paths(b.Static.Manifest)
	hashed := paths["admin/css/base.css"]
	found := false
	for _, f := range st.Files {
		data, err := os.ReadFile(filepath.Join(out, action.StaticDir, filepath.FromSlash(f.Name)))
		if err != nil || int64(len(data)) != f.Size || sha256Hex(data) != f.SHA256 {
			t.Errorf("static/%s: %v (size %d, listed %d)", f.Name, err, len(data), f.Size)
		}
		if f.Key != "gallery/dev/static/"+f.Name {
			t.Errorf("%s: key %s", f.Name, f.Key)
		}
		if f.Name == hashed {
			found = f.Hashed && f.CacheControl == staticfiles.Immutable && f.ContentType == "text/css; charset=utf-8"
		}
	}
	if !found {
		t.Errorf("%s not listed as a hashed, immutable stylesheet", hashed)
	}
	if got, err := os.ReadFile(filepath.Join(out, action.StaticDir, staticfiles.ManifestName)); err != nil || !bytes.Equal(got, b.Static.Manifest) {
		t.Errorf("static/staticfiles.json: %v", err)
	}
	marker, _ := os.ReadFile(filepath.Join(out, bundle.OutputMarker))
	if !strings.Contains(string(marker), "\nstatic/"+hashed+"\n") {
		t.Error("the output marker does not list the static files")
	}
}

// galleryDir is the gallery project: Django's admin and an app with its
// own static files (testdata/static, apart from the discovery examples
// of testdata/django).
func galleryDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "testdata", "static", "gallery")
}

// executeLog records ExecuteChangeSet in the S3 log, so a test sees which
// uploads came before the change set executed.
type executeLog struct {
	action.CFN
	log *s3Log
}

func (x executeLog) ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	x.log.add(s3Event{Method: "EXECUTE"})
	return x.CFN.ExecuteChangeSet(ctx, in, opts...)
}

func (e *runEnv) getObject(bucket, key string) ([]byte, bool) {
	e.t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, false
		}
		e.t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return body, true
}

// TestPlanLeavesLiveStaticAlone (moto for S3): the live site serves the
// originals (pages/css/site.css) under the same key whatever the
// version, so a plan (a pull request's, which must change nothing live)
// writes none of them and never writes an existing key: it only adds the
// hashed names that are not there yet, each with a conditional write
// (If-None-Match: *). Deploy uploads the originals once the change set
// is ready, before it executes. A plan after the deploy uploads nothing.
func TestPlanLeavesLiveStaticAlone(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{})
	e.wrapCFN = func(c action.CFN) action.CFN { return executeLog{CFN: c, log: e.s3log} }
	bucket, cfg := e.staticBucket("")
	// The live originals: other bytes than this build's.
	live := map[string][]byte{
		"mysite/dev/static/pages/css/site.css": []byte("/* the live site's stylesheet */\n"),
		"mysite/dev/static/admin/css/base.css": []byte("/* the live admin stylesheet */\n"),
	}
	for key, body := range live {
		if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.staticObjects(bucket, "mysite/dev/static/")
	e.s3log.reset()

	dir := galleryCopy(t, false, time.Date(2022, 3, 3, 0, 0, 0, 0, time.UTC))
	sum, err := e.run("plan", dir, cfg, "dev")
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	b := sum.Build
	var hashed, originals int
	for _, f := range b.Static.Files {
		if f.Hashed {
			hashed++
		} else {
			originals++
		}
	}
	for key, body := range live {
		got, ok := e.getObject(bucket, key)
		if !ok || !bytes.Equal(got, body) {
			t.Errorf("plan changed the live %s: now %q", key, got)
		}
	}
	for _, ev := range e.s3log.all() {
		if ev.Done {
			continue
		}
		switch {
		case ev.Method == "DELETE" || (ev.Method == "POST" && strings.Contains(ev.Key, "/static/")):
			t.Errorf("plan sent %s %s", ev.Method, ev.Key)
		case ev.Method == "PUT" && strings.HasPrefix(ev.Key, bucket+"/"):
			key := strings.TrimPrefix(ev.Key, bucket+"/")
			if _, existed := before[key]; existed {
				t.Errorf("plan wrote %s, which existed before it", key)
			}
			if ev.IfNoneMatch != "*" {
				t.Errorf("plan wrote %s without If-None-Match: * (%q)", key, ev.IfNoneMatch)
			}
		}
	}
	after := e.staticObjects(bucket, "mysite/dev/static/")
	if len(after) != len(before)+hashed {
		t.Errorf("after plan %d objects, want the %d there before plus %d hashed names", len(after), len(before), hashed)
	}
	for _, f := range b.Static.Files {
		if _, ok := after[staticfiles.Key("mysite/dev", f.Name)]; ok != (f.Hashed || live[staticfiles.Key("mysite/dev", f.Name)] != nil) {
			t.Errorf("%s (hashed %v) in the bucket after plan: %v", f.Name, f.Hashed, ok)
		}
	}
	if st := sum.Static; st == nil || st.Uploaded != hashed || st.Skipped != 0 || st.Left != originals {
		t.Errorf("plan static counts %+v, want %d uploaded, %d left for deploy", sum.Static, hashed, originals)
	}

	// Deploy: the originals go up after the change set is made (its
	// templates) and before it executes; the hashed names are there.
	e.s3log.reset()
	dep, err := e.run("deploy", galleryCopy(t, true, time.Date(2025, 9, 9, 0, 0, 0, 0, time.UTC)), cfg, "dev")
	if err != nil || dep.Status != "CREATE_COMPLETE" {
		t.Fatalf("deploy: %v %s %s", err, dep.Status, dep.RootCause)
	}
	for _, f := range dep.Build.Static.Files {
		if f.Hashed {
			continue
		}
		got, _ := e.getObject(bucket, staticfiles.Key("mysite/dev", f.Name))
		if sha256Hex(got) != f.SHA256 {
			t.Errorf("after deploy %s holds %d bytes %q, not the build's %d", f.Name, len(got), clip(got), f.Size)
		}
	}
	if st := dep.Static; st == nil || st.Uploaded != originals || st.Skipped != hashed || st.Left != 0 {
		t.Errorf("deploy static counts %+v, want %d uploaded (the originals), %d unchanged", dep.Static, originals, hashed)
	}
	lastTemplate, firstOriginal, lastOriginal, execute := -1, -1, -1, -1
	for i, ev := range e.s3log.all() {
		switch {
		case ev.Method == "EXECUTE":
			execute = i
		case ev.Method == "PUT" && strings.Contains(ev.Key, "/templates/"):
			lastTemplate = i
		case ev.Method == "PUT" && strings.Contains(ev.Key, "/mysite/dev/static/"):
			if ev.IfNoneMatch != "" {
				t.Errorf("deploy wrote %s conditionally", ev.Key)
			}
			if firstOriginal < 0 {
				firstOriginal = i
			}
			lastOriginal = i
		}
	}
	if !(lastTemplate < firstOriginal && lastOriginal < execute) {
		t.Errorf("order: last template %d, originals %d..%d, ExecuteChangeSet %d: want templates < originals < execute", lastTemplate, firstOriginal, lastOriginal, execute)
	}

	// A plan of the deployed build: nothing to upload, nothing left.
	e.s3log.reset()
	again, err := e.run("plan", galleryCopy(t, false, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)), cfg, "dev")
	if err != nil {
		t.Fatalf("second plan: %v", err)
	}
	if st := again.Static; st == nil || st.Uploaded != 0 || st.Left != 0 || st.Skipped != len(b.Static.Files) {
		t.Errorf("plan after deploy: static %+v, want all %d unchanged", again.Static, len(b.Static.Files))
	}
	for _, ev := range e.s3log.all() {
		if ev.Method == "PUT" && strings.Contains(ev.Key, "/static/") {
			t.Errorf("plan after deploy wrote %s", ev.Key)
		}
	}
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}
