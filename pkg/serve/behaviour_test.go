package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// get fetches url and returns status, body and the response.
func get(t *testing.T, url string) (int, string, *http.Response) {
	t.Helper()
	resp, err := client().Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp
}

func jsonField(t *testing.T, body, key string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m[key]
}

// TestGatewayErrors: what API Gateway answers when the function fails, per
// API type: a handler that raises (502 / 500 with the traceback in the
// log, the server carrying on), the function's timeout (502 / 500, "Task
// timed out"), the integration timeout (504 / 503), memory exhausted
// (502 / 500), and the answers API Gateway makes without a function.
func TestGatewayErrors(t *testing.T) {
	cases := map[string]struct {
		failed, integration int
		failedBody          string
		integrationBody     string
		noRoute             int
	}{
		"rest": {502, 504, `{"message":"Internal server error"}`, `{"message":"Endpoint request timed out"}`, 403},
		"http": {500, 503, `{"message":"Internal Server Error"}`, `{"message":"Service Unavailable"}`, 404},
	}
	for _, apiType := range []string{"rest", "http"} {
		want := cases[apiType]
		t.Run(apiType, func(t *testing.T) {
			d := newDemo(t, apiType, false)
			srv := startServer(t, d, Options{})
			base := srv.url
			if apiType == "rest" {
				base += "/dev"
			}
			// A handler that raises (a streaming body failing after Django returned).
			status, body, resp := get(t, base+"/stream-fails/")
			if status != want.failed || body != want.failedBody {
				t.Errorf("raising handler: %d %s, want %d %s", status, body, want.failed, want.failedBody)
			}
			if apiType == "rest" && resp.Header.Get("X-Amzn-Errortype") != "InternalServerErrorException" {
				t.Errorf("x-amzn-ErrorType = %q", resp.Header.Get("X-Amzn-Errortype"))
			}
			srv.log.waitFor(t, "the stream broke after the headers", 5*time.Second)
			if !strings.Contains(srv.log.String(), "Traceback") {
				t.Errorf("no traceback in the log:\n%s", srv.log.String())
			}
			// The server carries on, and so does that function's worker.
			if status, _, _ := get(t, base+"/stream-fails/"); status != want.failed {
				t.Errorf("second raising request: %d", status)
			}
			if status, body, _ := get(t, base+"/count/"); status != 200 || jsonField(t, body, "count") != float64(1) {
				t.Errorf("after a raising handler: %d %s", status, body)
			}

			// The function's own timeout (1 s for "slow") passes first.
			start := time.Now()
			status, body, _ = get(t, base+"/slow/?s=20")
			if status != want.failed || body != want.failedBody {
				t.Errorf("function timeout: %d %s, want %d", status, body, want.failed)
			}
			// Answered at the timeout, not when the view would have ended
			// (20 s); the cold start counts too, hence the margin.
			if took := time.Since(start); took > 12*time.Second {
				t.Errorf("function timeout answered after %v (timeout 1 s, view 20 s)", took)
			}
			srv.log.waitFor(t, "Task timed out after 1.00 seconds", time.Second)

			// Memory: "hog" has 128 MB.
			status, body, _ = get(t, base+"/hog/?mb=400")
			if status != want.failed || body != want.failedBody {
				t.Errorf("out of memory: %d %s", status, body)
			}
			srv.log.waitFor(t, "Runtime.OutOfMemory", time.Second)
			if status, body, _ := get(t, base+"/hog/?mb=5"); status != 200 || jsonField(t, body, "kept") != float64(5) {
				t.Errorf("hog within its memory after an out-of-memory kill: %d %s", status, body)
			}

			// No API entry: API Gateway's own answer, no function called.
			if apiType == "rest" {
				status, body, _ = get(t, srv.url+"/elsewhere/")
				if status != 403 || body != `{"message":"Forbidden"}` {
					t.Errorf("outside the stage: %d %s", status, body)
				}
			}
		})
	}
}

// TestIntegrationTimeout: with an integration timeout (5 s) shorter than
// the function's (slow-long has the default 10 s), API Gateway gives up first
// (504 REST, 503 HTTP API) and the worker is stopped.
func TestIntegrationTimeout(t *testing.T) {
	want := map[string]struct {
		status int
		body   string
	}{"rest": {504, `{"message":"Endpoint request timed out"}`}, "http": {503, `{"message":"Service Unavailable"}`}}
	for _, apiType := range []string{"rest", "http"} {
		t.Run(apiType, func(t *testing.T) {
			d := newDemo(t, apiType, false)
			srv := startServer(t, d, Options{IntegrationTimeout: 5 * time.Second})
			base := srv.url
			if apiType == "rest" {
				base += "/dev"
			}
			// Warm the function first: the cold start counts too (and on a
			// loaded machine may itself pass 5 s: then try again).
			for try := 1; ; try++ {
				status, body, _ := get(t, base+"/slow-long/?s=0")
				if status == 200 {
					break
				}
				if try == 3 {
					t.Fatalf("slow-long: %d %s", status, body)
				}
			}
			start := time.Now()
			status, body, _ := get(t, base+"/slow-long/?s=30")
			if status != want[apiType].status || body != want[apiType].body {
				t.Errorf("integration timeout: %d %s, want %d %s", status, body, want[apiType].status, want[apiType].body)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("answered after %v (integration timeout 5 s, view 30 s)", took)
			}
			srv.log.waitFor(t, "integration timeout", time.Second)
			if total, _ := srv.Workers(); total != 0 {
				t.Errorf("%d workers left: the timed-out one must be stopped", total)
			}
		})
	}
}

// TestWarmWorkersColdStartsAndCap: one process per function that served a
// request, reused while warm (the module-level counter keeps counting),
// cold starts logged, at most MaxWorkers processes (the least recently
// used idle one stopped for a new function), concurrent requests to one
// function served by as many workers.
func TestWarmWorkersColdStartsAndCap(t *testing.T) {
	d := newDemo(t, "http", false)
	srv := startServer(t, d, Options{MaxWorkers: 2})
	var pids []any
	for i := 1; i <= 3; i++ {
		status, body, _ := get(t, srv.url+"/count/")
		if status != 200 || jsonField(t, body, "count") != float64(i) {
			t.Fatalf("count %d: %d %s", i, status, body)
		}
		pids = append(pids, jsonField(t, body, "pid"))
	}
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("pids %v: the worker did not stay warm", pids)
	}
	log := srv.log.String()
	if !strings.Contains(log, "GET /count/ 200 Count cold") || strings.Count(log, "GET /count/ 200 Count warm") != 2 {
		t.Errorf("log lacks one cold and two warm /count/ lines:\n%s", log)
	}
	if !strings.Contains(log, "Count: cold start ") {
		t.Errorf("cold start not logged:\n%s", log)
	}
	// The interpreter's version against the Lambda runtime's, said once.
	out, err := exec.Command(d.python, "-c", "import sys; print('python%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatal(err)
	}
	warnings := strings.Count(srv.log.String(), "warning: the workers run Python")
	if want := strings.TrimSpace(string(out)) != srv.plan.Runtime; want != (warnings == 1) || warnings > 1 {
		t.Errorf("%d version warnings (worker %s, runtime %s):\n%s", warnings, out, srv.plan.Runtime, srv.log.String())
	}
	get(t, srv.url+"/pid/")
	if total, _ := srv.Workers(); total != 2 {
		t.Errorf("workers = %d, want 2", total)
	}
	// A third function: the least recently used (Count) makes room.
	get(t, srv.url+"/echo/")
	total, by := srv.Workers()
	if total != 2 || by["Count"] != 0 || by["Pid"] != 1 || by["Echo"] != 1 {
		t.Errorf("after a third function with --max-workers 2: %d %v", total, by)
	}
	srv.log.waitFor(t, "Count: worker", time.Second)
	if !strings.Contains(srv.log.String(), "to make room for Echo") {
		t.Errorf("eviction not logged:\n%s", srv.log.String())
	}
	// Two concurrent requests to one function: two workers (the cap
	// allows two), both answered.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _, _ = get(t, srv.url+"/slow/?s=0.3")
		}()
	}
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 200 {
		t.Errorf("concurrent requests: %v", statuses)
	}
	if _, by := srv.Workers(); by["Slow"] != 2 {
		t.Errorf("workers of Slow after two concurrent requests = %d, want 2", by["Slow"])
	}
}

// TestReloadRestartsImportingWorkers: a change to a module restarts the
// workers that imported it and no other; a change to a module every
// function imports restarts them all; the server itself keeps running.
func TestReloadRestartsImportingWorkers(t *testing.T) {
	d := newDemo(t, "http", false)
	replan := func(ctx context.Context) (*plan.Plan, error) {
		b, err := action.NewPlan(ctx, action.BuildOptions{ProjectDir: d.dir})
		if err != nil {
			return nil, err
		}
		return b.Plan, nil
	}
	srv := startServer(t, d, Options{Watch: 50 * time.Millisecond, Replan: replan})
	_, body, _ := get(t, srv.url+"/count/")
	countPid := jsonField(t, body, "pid")
	_, body, _ = get(t, srv.url+"/pid/")
	pidPid := jsonField(t, body, "pid")

	// demo/counter.py is imported by the count view only.
	edit(t, filepath.Join(d.dir, "demo", "counter.py"), "STEP = 2\n")
	srv.log.waitFor(t, "reload: demo/counter.py changed; restarting the workers of Count", 5*time.Second)
	_, body, _ = get(t, srv.url+"/count/")
	if jsonField(t, body, "pid") == countPid || jsonField(t, body, "step") != float64(2) || jsonField(t, body, "count") != float64(1) {
		t.Errorf("count after its module changed: %s (old pid %v): not restarted with the new code", body, countPid)
	}
	_, body, _ = get(t, srv.url+"/pid/")
	if jsonField(t, body, "pid") != pidPid {
		t.Errorf("pid worker restarted although it never imported demo/counter.py")
	}

	// A new module nobody imports restarts nothing.
	edit(t, filepath.Join(d.dir, "demo", "unused.py"), "X = 1\n")
	srv.log.waitFor(t, "reload: demo/unused.py changed; no running worker had imported it", 5*time.Second)

	// views.py: every function imports it.
	views := filepath.Join(d.dir, "demo", "views.py")
	src, err := os.ReadFile(views)
	if err != nil {
		t.Fatal(err)
	}
	edit(t, views, strings.Replace(string(src), `return JsonResponse({"pid": os.getpid()})`, `return JsonResponse({"pid": os.getpid(), "edited": True})`, 1))
	srv.log.waitFor(t, "reload: demo/views.py changed; restarting the workers of Count, Pid", 5*time.Second)
	_, body, _ = get(t, srv.url+"/pid/")
	if jsonField(t, body, "edited") != true {
		t.Errorf("pid view after the edit: %s", body)
	}
	// A new URL: the plan is rebuilt and the route goes to its own
	// function, as it will once deployed.
	urls := filepath.Join(d.dir, "demo", "urls.py")
	src, err = os.ReadFile(urls)
	if err != nil {
		t.Fatal(err)
	}
	edit(t, urls, strings.Replace(string(src), `    path("pid/", views.pid, name="pid"),`, `    path("pid/", views.pid, name="pid"),
    path("fresh/", views.pid, name="fresh"),`, 1))
	srv.log.waitFor(t, "reload: demo/urls.py changed", 5*time.Second)
	if status, _, _ := get(t, srv.url+"/fresh/"); status != 200 {
		t.Errorf("new route: %d", status)
	}
	if !strings.Contains(srv.log.String(), "GET /fresh/ 200 Fresh cold") {
		t.Errorf("the new route is not served by its own function:\n%s", srv.log.String())
	}

	// Data files (the database) never restart workers.
	before := strings.Count(srv.log.String(), "reload:")
	edit(t, d.db+"-journal-test", "x")
	edit(t, filepath.Join(d.dir, "notes.sqlite3"), "x")
	time.Sleep(300 * time.Millisecond)
	if after := strings.Count(srv.log.String(), "reload:"); after != before {
		t.Errorf("a database file change triggered a reload:\n%s", srv.log.String())
	}
}

// edit writes a file with a modification time that differs from before.
func edit(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
}

// TestInitErrorIs502: settings that raise on import fail the init phase;
// every request gets API Gateway's 502 with the traceback in the log.
func TestInitErrorIs502(t *testing.T) {
	d := newDemoEnv(t, "rest", false, map[string]string{"DEMO_BROKEN_SETTINGS": "1"})
	srv := startServer(t, d, Options{})
	for i := 0; i < 2; i++ {
		status, body, _ := get(t, srv.url+"/dev/echo/")
		if status != 502 || body != `{"message":"Internal server error"}` {
			t.Errorf("request %d with broken settings: %d %s", i, status, body)
		}
	}
	log := srv.log.String()
	if !strings.Contains(log, "settings refuse to load") || !strings.Contains(log, "Traceback") || !strings.Contains(log, "init failed") {
		t.Errorf("log lacks the init error and its traceback:\n%s", log)
	}
	if total, _ := srv.Workers(); total != 0 {
		t.Errorf("%d workers left after failed inits", total)
	}
}

// TestStaticHook: the collected static files (the static-files feature
// sets Options.Static) are served under their prefix before routing.
func TestStaticHook(t *testing.T) {
	dir := t.TempDir()
	copyDemo(t, dir, "api: {type: http}\n")
	d := &demo{dir: dir, python: "python3"}
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		_, _ = io.WriteString(w, "body{}")
	})
	srv := startServer(t, d, Options{Static: static, StaticPrefix: "/static/"})
	status, body, resp := get(t, srv.url+"/static/admin/css/base.css")
	if status != 200 || body != "body{}" || resp.Header.Get("Content-Type") != "text/css" {
		t.Errorf("static: %d %q %v", status, body, resp.Header)
	}
	if total, _ := srv.Workers(); total != 0 {
		t.Errorf("a static file started %d workers", total)
	}
	srv.log.waitFor(t, "GET /static/admin/css/base.css static", time.Second)
}
