package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// testProject is the adapter's own Django test project.
const testProject = "python/tests/proj"

func TestFilesIsTheRuntimePackageOnly(t *testing.T) {
	var got []string
	err := fs.WalkDir(Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			got = append(got, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The expected list is the source folder minus what a layer must not hold.
	var want []string
	src := filepath.FromSlash(RuntimeDir)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Ext(p) == ".py" {
			want = append(want, filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Files() = %v\nwant %v", got, want)
	}
	for _, must := range []string{RuntimeDir + "/__init__.py", RuntimeDir + "/handler.py"} {
		if _, err := fs.Stat(Files(), must); err != nil {
			t.Errorf("layer lacks %s: %v", must, err)
		}
	}
}

func TestHiddenPaths(t *testing.T) {
	for name, want := range map[string]bool{
		"python/django_serverless/handler.py":                      false,
		"python/django_serverless/__init__.py":                     false,
		"python/django_serverless/__pycache__/handler.cpython.pyc": true,
		"python/django_serverless/x.pyc":                           true,
		"python/tests/test_x.py":                                   true,
		"python/.gitignore":                                        true,
		".":                                                        false,
	} {
		if got := hidden(name); got != want {
			t.Errorf("hidden(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMaterializeWritesPackage(t *testing.T) {
	dir := t.TempDir()
	if err := Materialize(dir); err != nil {
		t.Fatal(err)
	}
	want, err := fs.ReadFile(Files(), RuntimeDir+"/handler.py")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "python", "django_serverless", "handler.py"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("materialized handler.py differs from the embedded one")
	}
}

// event loads a real sample from the Python tests and applies edits.
func event(t *testing.T, name string, edit func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("python", "tests", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(e)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func invokeTest(t *testing.T, ev []byte, env map[string]string) (map[string]any, bool, string) {
	t.Helper()
	python := testenv.Django(t)
	full := map[string]string{
		"DJANGO_SETTINGS_MODULE":           "testproj.settings",
		"DJANGO_SERVERLESS_SCRIPT_NAME":    "",
		"DJANGO_SERVERLESS_PERSIST_DB":     "0",
		"DJANGO_SERVERLESS_FUNCTION":       "testproj-default",
		"DJANGO_SERVERLESS_GRAPHQL_SCHEMA": "testproj.schema.schema",
		"TESTPROJ_DB":                      filepath.Join(t.TempDir(), "db.sqlite3"),
	}
	for k, v := range env {
		full[k] = v
	}
	var stderr bytes.Buffer
	res, raised, err := Invoke(context.Background(), InvokeOptions{Python: python, Root: testProject, Event: ev, Env: full, Stderr: &stderr})
	if err != nil {
		t.Fatalf("Invoke: %v\nstderr:\n%s", err, stderr.String())
	}
	var got any
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatalf("result %s: %v", res, err)
	}
	m, _ := got.(map[string]any)
	if m == nil {
		m = map[string]any{"value": got}
	}
	return m, raised, stderr.String()
}

func TestInvokeRESTEventWithStage(t *testing.T) {
	ev := event(t, "apigw-request", func(e map[string]any) {
		e["path"] = "/echo/"
		e["httpMethod"] = "GET"
		e["body"] = nil
		rc := e["requestContext"].(map[string]any)
		rc["stage"] = "dev"
		rc["path"] = "/dev/echo/"
	})
	res, raised, _ := invokeTest(t, ev, map[string]string{"DJANGO_SERVERLESS_SCRIPT_NAME": "/dev"})
	if raised {
		t.Fatalf("handler raised: %v", res)
	}
	if res["statusCode"] != float64(200) {
		t.Fatalf("statusCode = %v, body %v", res["statusCode"], res["body"])
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(res["body"].(string)), &body); err != nil {
		t.Fatal(err)
	}
	if body["reverse"] != "/dev/echo/" || body["path_info"] != "/echo/" || body["remote_addr"] != "192.168.196.186" {
		t.Errorf("body = %v", body)
	}
	if _, ok := res["multiValueHeaders"]; !ok {
		t.Errorf("REST response lacks multiValueHeaders: %v", res)
	}
}

func TestInvokeHTTPAPICookiesAndApplicationOutput(t *testing.T) {
	ev := event(t, "apigw-v2-request-no-authorizer", func(e map[string]any) {
		e["rawPath"] = "/cookies/"
		e["rawQueryString"] = ""
	})
	res, raised, _ := invokeTest(t, ev, nil)
	if raised || res["statusCode"] != float64(200) {
		t.Fatalf("raised=%v res=%v", raised, res)
	}
	cookies, _ := res["cookies"].([]any)
	if len(cookies) != 3 {
		t.Errorf("cookies = %v, want 3 Set-Cookie values", res["cookies"])
	}

	ev = event(t, "apigw-v2-request-no-authorizer", func(e map[string]any) { e["rawPath"] = "/noisy/" })
	res, raised, stderr := invokeTest(t, ev, nil)
	if raised || res["statusCode"] != float64(200) {
		t.Fatalf("raised=%v res=%v", raised, res)
	}
	if !strings.Contains(stderr, "application output") {
		t.Errorf("application print missing from stderr: %q", stderr)
	}
}

func TestInvokeWarmupAndAppSync(t *testing.T) {
	res, raised, _ := invokeTest(t, []byte(`{"django_serverless": "warmup"}`), map[string]string{"DJANGO_SERVERLESS_PERSIST_DB": "1"})
	if raised || res["django_serverless"] != "warm" || res["function"] != "testproj-default" {
		t.Fatalf("warm-up: raised=%v res=%v", raised, res)
	}
	identity, err := os.ReadFile(filepath.Join("python", "tests", "events", "appsync-identity-cognito.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev := []byte(`{"arguments": {"id": "5"}, "identity": ` + string(identity) + `, "source": null,
		"request": {"headers": {}}, "info": {"fieldName": "item", "parentTypeName": "Query",
		"selectionSetGraphQL": "{ id name }", "variables": {}}}`)
	res, raised, _ = invokeTest(t, ev, nil)
	if raised || res["id"] != "5" || res["name"] != "item 5" {
		t.Fatalf("appsync: raised=%v res=%v", raised, res)
	}
}

func TestInvokeRaisedHandler(t *testing.T) {
	res, raised, stderr := invokeTest(t, []byte(`{"Records": []}`), nil)
	if !raised {
		t.Fatalf("raised = false for an unknown event: %v", res)
	}
	if res["errorType"] != "UnknownEvent" || !strings.Contains(res["errorMessage"].(string), "Records") {
		t.Errorf("error object = %v", res)
	}
	if !strings.Contains(stderr, "Traceback") {
		t.Errorf("no traceback on stderr: %q", stderr)
	}
	// An AppSync field error is raised too, with the resolver's error type.
	ev := []byte(`{"arguments": {}, "identity": null, "source": null, "request": {"headers": {}},
		"info": {"fieldName": "fail", "parentTypeName": "Query", "selectionSetGraphQL": "", "variables": {}}}`)
	res, raised, _ = invokeTest(t, ev, nil)
	if !raised || res["errorType"] != "PermissionError" {
		t.Errorf("appsync failure: raised=%v res=%v", raised, res)
	}
}

func TestInvokeErrors(t *testing.T) {
	_, _, err := Invoke(context.Background(), InvokeOptions{Python: filepath.Join(t.TempDir(), "no-python"), Root: testProject, Event: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "no-python") {
		t.Errorf("missing interpreter: err = %v", err)
	}
	_, _, err = Invoke(context.Background(), InvokeOptions{Root: testProject, Event: []byte(`{`)})
	if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad event: err = %v", err)
	}
}
