package action_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// galleryBuild builds the gallery project (the admin and an app with its
// own static files) offline with Debian's Django collecting the static
// files.
func galleryBuild(t *testing.T, config string) *action.Build {
	t.Helper()
	python := testenv.Django(t)
	b, err := action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: exampleDir(t, "gallery"), ConfigFile: config, Environment: "dev",
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
		b := galleryBuild(t, writeConfig(t, "domain:\n  name: www.example.com\n  certificate_arn: "+cert+"\n"))
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
		b := galleryBuild(t, writeConfig(t, "static: {mode: \"off\"}\ndomain:\n  name: www.example.com\n  certificate_arn: "+cert+"\n"))
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
