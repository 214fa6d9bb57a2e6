package serve

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// demo is a copy of testdata/demo with its configuration and database.
type demo struct {
	dir    string // the Django root
	db     string
	python string
}

// demoConfig is the django-serverless.yml the tests serve the demo with;
// %s are the API type and the database file.
const demoConfig = `api:
  type: %s
  binary_media_types: ["*/*"]
env:
  DEMO_DB: %q%s
functions:
  granularity: %s
  defaults: {memory: 512, timeout: 10}
  rules:
    - match: {name: "slow"}
      timeout: 1
    - match: {name: "hog"}
      memory: 128
`

// newDemo copies the demo project, configures it for apiType and creates
// its database (migrate, and a superuser when admin is set) with Debian's
// Django.
func newDemo(t *testing.T, apiType string, admin bool) *demo {
	t.Helper()
	return newDemoEnv(t, apiType, admin, nil)
}

// newDemoEnv is newDemo with more variables in the functions' environment
// ("granularity" sets functions.granularity instead).
func newDemoEnv(t *testing.T, apiType string, admin bool, env map[string]string) *demo {
	t.Helper()
	python := testenv.Django(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "demo"))); err != nil {
		t.Fatal(err)
	}
	d := &demo{dir: dir, db: filepath.Join(t.TempDir(), "demo.sqlite3"), python: python}
	extra := ""
	for _, k := range sortedKeys(env) {
		extra += fmt.Sprintf("\n  %s: %q", k, env[k])
	}
	granularity := "route"
	if g, ok := env["granularity"]; ok {
		granularity = g
		delete(env, "granularity")
		extra = ""
		for _, k := range sortedKeys(env) {
			extra += fmt.Sprintf("\n  %s: %q", k, env[k])
		}
	}
	cfg := fmt.Sprintf(demoConfig, apiType, d.db, extra, granularity)
	if err := os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	d.manage(t, nil, "migrate", "--noinput", "-v", "0")
	if admin {
		d.manage(t, map[string]string{"DJANGO_SUPERUSER_PASSWORD": "s3cret-Passw0rd"}, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com")
	}
	return d
}

func (d *demo) environ(extra map[string]string) []string {
	env := []string{"PYTHONPATH=" + d.dir, "DJANGO_SETTINGS_MODULE=demo.settings", "DEMO_DB=" + d.db, "PYTHONDONTWRITEBYTECODE=1"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "PATH" || k == "HOME" || k == "LANG" || k == "TMPDIR" {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

func (d *demo) manage(t *testing.T, extra map[string]string, args ...string) {
	t.Helper()
	cmd := exec.Command(d.python, append([]string{"-s", "manage.py"}, args...)...)
	cmd.Dir = d.dir
	cmd.Env = d.environ(extra)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("manage.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// syncLog collects the serve log.
type syncLog struct {
	testenv.Buffer
}

// waitFor polls the log for a line containing s.
func (l *syncLog) waitFor(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(l.String(), s) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("log never showed %q:\n%s", s, l.String())
}

// running is a Server serving a demo on a free port.
type running struct {
	*Server
	url  string
	host string
	log  *syncLog
	plan *plan.Plan
	stop func()
}

func planDemo(t *testing.T, d *demo) *plan.Plan {
	t.Helper()
	b, err := action.NewPlan(context.Background(), action.BuildOptions{ProjectDir: d.dir})
	if err != nil {
		t.Fatalf("plan the demo: %v", err)
	}
	return b.Plan
}

func startServer(t *testing.T, d *demo, o Options) *running {
	t.Helper()
	if o.Plan == nil {
		o.Plan = planDemo(t, d)
	}
	o.Root, o.Python = d.dir, d.python
	log := &syncLog{}
	o.Log = log
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() || os.Getenv("SERVE_TEST_LOG") != "" {
			t.Logf("serve log:\n%s", log.String())
		}
	})
	return &running{Server: s, url: "http://" + ln.Addr().String(), host: ln.Addr().String(), log: log, plan: o.Plan, stop: stop}
}

// client sends requests as they are written: no redirects followed, no
// cookie jar, no transparent gzip.
func client() *http.Client {
	return &http.Client{
		Timeout:       60 * time.Second,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func copyTree(src, dst string) error { return os.CopyFS(dst, os.DirFS(src)) }

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
