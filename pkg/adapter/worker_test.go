package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// workerProject writes a tiny Django project whose views exercise the
// worker: a counter kept in the process, a slow view, a memory hog, a view
// that prints, one that raises and one that kills its own process.
func workerProject(t *testing.T, settingsExtra string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"manage.py":         "",
		"wp/__init__.py":    "",
		"wp/settings.py":    "SECRET_KEY = 'x'\nDEBUG = False\nALLOWED_HOSTS = ['*']\nROOT_URLCONF = 'wp.urls'\nINSTALLED_APPS = []\nMIDDLEWARE = []\nDATABASES = {}\n" + settingsExtra,
		"wp/helpers.py":     "def double(n):\n    return 2 * n\n",
		"wp/notimported.py": "X = 1\n",
		"wp/urls.py": `import os, sys, time
from django.http import JsonResponse
from django.urls import path
from wp.helpers import double

COUNT = [0]

def count(request):
    COUNT[0] += 1
    return JsonResponse({"count": COUNT[0], "pid": os.getpid(), "double": double(COUNT[0])})

def slow(request):
    time.sleep(float(request.GET.get("s", "5")))
    return JsonResponse({"slept": True})

def hog(request):
    keep = []
    for _ in range(int(request.GET.get("mb", "400"))):
        keep.append(bytearray(1024 * 1024))
        time.sleep(0.002)
    return JsonResponse({"kept": len(keep)})

def noisy(request):
    print("to stdout from the view")
    print("to stderr from the view", file=sys.stderr)
    return JsonResponse({"noisy": True})

def boom(request):
    raise RuntimeError("the view exploded")

def die(request):
    os._exit(7)

urlpatterns = [path("count/", count), path("slow/", slow), path("hog/", hog), path("noisy/", noisy), path("boom/", boom), path("die/", die)]
`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func startTestWorker(t *testing.T, root string, memoryMB int, out *testenv.Buffer) *Worker {
	t.Helper()
	python := testenv.Django(t)
	rt, err := NewRuntime()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	w, init, err := StartWorker(context.Background(), WorkerOptions{
		Python: python, Root: root, Runtime: rt, MemoryMB: memoryMB, Output: out,
		Env: map[string]string{"DJANGO_SETTINGS_MODULE": "wp.settings", "DJANGO_SERVERLESS_FUNCTION": "Default"},
	})
	if err != nil {
		t.Fatalf("start worker: %v\n%s", err, out.String())
	}
	t.Cleanup(func() { w.Kill() })
	if init.Took <= 0 || init.ImportTook <= 0 || init.ImportTook > init.Took {
		t.Errorf("init times: took %v, import %v", init.Took, init.ImportTook)
	}
	if !strings.HasPrefix(init.Python, "3.") {
		t.Errorf("init python version = %q", init.Python)
	}
	return w
}

func httpAPIEvent(path, query string) []byte {
	return []byte(`{"version": "2.0", "routeKey": "$default", "rawPath": "` + path + `", "rawQueryString": "` + query + `",
		"headers": {"host": "localhost"}, "requestContext": {"http": {"method": "GET", "path": "` + path + `", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"}, "stage": "$default"},
		"isBase64Encoded": false}`)
}

func bodyOf(t *testing.T, r Result) map[string]any {
	t.Helper()
	if r.Raised {
		t.Fatalf("handler raised: %s", r.Value)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(r.Value, &resp); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("status %d body %q: %v", resp.StatusCode, resp.Body, err)
	}
	return body
}

func TestWorkerStaysWarmAcrossEvents(t *testing.T) {
	out := &testenv.Buffer{}
	w := startTestWorker(t, workerProject(t, ""), 0, out)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		r, err := w.Invoke(ctx, "req-1", 5*time.Second, httpAPIEvent("/count/", ""))
		if err != nil {
			t.Fatal(err)
		}
		body := bodyOf(t, r)
		if body["count"] != float64(i) || body["pid"] != float64(w.Pid()) {
			t.Errorf("event %d: %v (pid %d): the process did not stay warm", i, body, w.Pid())
		}
		if r.MaxRSSKB <= 0 {
			t.Errorf("max_rss_kb = %d", r.MaxRSSKB)
		}
	}
	// The application's output goes to Output, never into the protocol.
	r, err := w.Invoke(ctx, "req-2", 5*time.Second, httpAPIEvent("/noisy/", ""))
	if err != nil {
		t.Fatal(err)
	}
	if bodyOf(t, r)["noisy"] != true {
		t.Errorf("noisy view: %s", r.Value)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), "to stderr from the view") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := out.String(); !strings.Contains(s, "to stdout from the view") || !strings.Contains(s, "to stderr from the view") {
		t.Errorf("application output = %q", s)
	}
	// Bytecode never lands beside the project's sources.
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(mods0(t, w)), "__pycache__")); len(matches) > 0 {
		t.Errorf("__pycache__ written into the project: %v", matches)
	}
	mods, err := w.Modules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(mods, "\n")
	if !strings.Contains(joined, filepath.Join("wp", "helpers.py")) || strings.Contains(joined, "notimported") || strings.Contains(joined, "django_serverless") {
		t.Errorf("modules = %v, want the project's imported files only", mods)
	}
}

func TestWorkerRaisedHandlerKeepsWorker(t *testing.T) {
	out := &testenv.Buffer{}
	w := startTestWorker(t, workerProject(t, ""), 0, out)
	// Django turns a view's exception into a 500; an unknown event makes the handler raise.
	r, err := w.Invoke(context.Background(), "x", 5*time.Second, []byte(`{"Records": []}`))
	if err != nil {
		t.Fatal(err)
	}
	var le map[string]string
	if err := json.Unmarshal(r.Value, &le); err != nil || !r.Raised || le["errorType"] != "UnknownEvent" {
		t.Fatalf("raised=%v value=%s", r.Raised, r.Value)
	}
	// The child's stderr is copied by another goroutine: the traceback
	// may arrive just after the answer.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Traceback") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "Traceback") {
		t.Errorf("no traceback in the output: %q", out.String())
	}
	r, err = w.Invoke(context.Background(), "y", 5*time.Second, httpAPIEvent("/count/", ""))
	if err != nil || bodyOf(t, r)["count"] != float64(1) {
		t.Errorf("after a raised event: %v %s", err, r.Value)
	}
}

func TestWorkerTimeoutKillsProcess(t *testing.T) {
	w := startTestWorker(t, workerProject(t, ""), 0, &testenv.Buffer{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := w.Invoke(ctx, "slow", 300*time.Millisecond, httpAPIEvent("/slow/", "s=30"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("timeout took %v", took)
	}
	select {
	case <-w.Done():
	default:
		t.Fatal("worker still running after its timeout")
	}
	if _, err := w.Invoke(context.Background(), "again", time.Second, httpAPIEvent("/count/", "")); !errors.Is(err, ErrWorkerExited) {
		t.Errorf("invoke on a dead worker: %v", err)
	}
}

func TestWorkerMemoryLimit(t *testing.T) {
	w := startTestWorker(t, workerProject(t, ""), 128, &testenv.Buffer{})
	// Under the limit: fine.
	r, err := w.Invoke(context.Background(), "small", 10*time.Second, httpAPIEvent("/hog/", "mb=10"))
	if err != nil || bodyOf(t, r)["kept"] != float64(10) {
		t.Fatalf("10 MB under a 128 MB limit: %v %s", err, r.Value)
	}
	_, err = w.Invoke(context.Background(), "big", 30*time.Second, httpAPIEvent("/hog/", "mb=400"))
	if !errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("400 MB under a 128 MB limit: err = %v, want ErrOutOfMemory", err)
	}
	select {
	case <-w.Done():
	default:
		t.Fatal("worker alive after running out of memory")
	}
}

func TestWorkerProcessExitDuringEvent(t *testing.T) {
	w := startTestWorker(t, workerProject(t, ""), 0, &testenv.Buffer{})
	if _, err := w.Invoke(context.Background(), "die", 5*time.Second, httpAPIEvent("/die/", "")); !errors.Is(err, ErrWorkerExited) {
		t.Fatalf("err = %v, want ErrWorkerExited", err)
	}
}

func TestWorkerInitError(t *testing.T) {
	python := testenv.Django(t)
	rt, err := NewRuntime()
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	root := workerProject(t, "INSTALLED_APPS = ['no_such_app_here']\n")
	out := &testenv.Buffer{}
	_, _, err = StartWorker(context.Background(), WorkerOptions{Python: python, Root: root, Runtime: rt, Output: out,
		Env: map[string]string{"DJANGO_SETTINGS_MODULE": "wp.settings"}})
	var ie *InitError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *InitError", err)
	}
	if !strings.Contains(ie.Error(), "ModuleNotFoundError") || !strings.Contains(ie.Error(), "no_such_app_here") {
		t.Errorf("init error = %v", ie)
	}
	if !strings.Contains(out.String(), "Traceback") {
		t.Errorf("no traceback: %q", out.String())
	}
}

// mods0 is the first project file the worker imported.
func mods0(t *testing.T, w *Worker) string {
	t.Helper()
	mods, err := w.Modules(context.Background())
	if err != nil || len(mods) == 0 {
		t.Fatalf("modules: %v %v", mods, err)
	}
	return mods[0]
}
