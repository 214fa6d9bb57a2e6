package action_test

import (
	"bytes"
	"context"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/serve"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// The page is served by `serve` (the local API emulator: the rendered
// API, each request an API Gateway event handled by the function's
// handler in a warm worker with the function's environment), with the
// manifest from the function code zip the build made. Its static files
// come from serve's /static/ (same origin) or from a second local origin
// standing in for the distribution without a domain: the collected files
// with the headers their S3 objects carry, plus what the distribution's
// SimpleCORS response headers policy adds (staticfiles.Handler).

// serveGallery runs serve in-process on the build's plan; extra is added
// to every function's environment.
func serveGallery(t *testing.T, b *action.Build, task string, extra map[string]string) (url string, log *testenv.Buffer) {
	t.Helper()
	env := map[string]string{
		plan.EnvStaticRoot: filepath.Join(task, "django_serverless_static"),
		"GALLERY_DB":       filepath.Join(t.TempDir(), "db.sqlite3"),
	}
	for k, v := range extra {
		env[k] = v
	}
	log = &testenv.Buffer{}
	srv, err := serve.New(serve.Options{
		Plan: b.Plan, Root: b.Project.Root, Python: testenv.Django(t), Log: log,
		Static: staticfiles.Handler(b.Static, plan.StaticPath, true), StaticPrefix: plan.StaticPath, Env: env,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), log
}

// staticOrigin serves the collected files on another origin, as the
// distribution does without a domain; cors says whether the SimpleCORS
// policy's header is added. It records the paths asked for.
func staticOrigin(t *testing.T, b *action.Build, cors bool) (*httptest.Server, *requestLog) {
	t.Helper()
	log := &requestLog{}
	h := staticfiles.Handler(b.Static, plan.StaticPath, cors)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r.URL.Path)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) add(p string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paths = append(l.paths, p)
}

func (l *requestLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...)
}

// newBrowser starts Debian's headless Chromium (fresh profile, no network
// of its own) driven over the DevTools protocol.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := testenv.Chromium(t)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path)}
	for _, f := range testenv.ChromiumFlags(t.TempDir()) {
		name, value, hasValue := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	opts = append(opts, chromedp.WindowSize(1024, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	// The admin has a dark scheme: the colours checked are the light one's.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
	}); err != nil {
		t.Fatalf("emulate the light colour scheme: %v", err)
	}
	return ctx
}

func browse[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// artifactsDir is where the screenshot is kept: $DJANGO_SERVERLESS_ARTIFACTS
// when set (a CI that keeps files), else the test's temporary folder.
func artifactsDir(t *testing.T) string {
	if dir := os.Getenv("DJANGO_SERVERLESS_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err == nil {
			return dir
		}
	}
	return t.TempDir()
}

// pageState is what the page's scripts report after load.
type pageState struct {
	HeaderBackground string   `json:"header"`
	BodyFont         string   `json:"font"`
	RobotoLoaded     bool     `json:"roboto"`
	Sheets           []string `json:"sheets"`
	Ready            string   `json:"ready"`
}

const pageStateJS = `(async () => {
  await document.fonts.ready;
  const header = document.querySelector('#header');
  return {
    header: header ? getComputedStyle(header).backgroundColor : '',
    font: getComputedStyle(document.body).fontFamily,
    roboto: [...document.fonts].some(f => f.family.replace(/['"]/g, '') === 'Roboto' && f.status === 'loaded'),
    sheets: [...document.styleSheets].map(s => s.href || ''),
    ready: document.readyState,
  };
})()`

// TestBrowserAdminLoginStyled: headless Chromium loads the admin login
// page of the gallery through serve (REST API, stage dev), its
// stylesheets linked by their hashed names from the manifest the
// function's code carries, from serve's /static/ as the front door serves
// them; the stylesheets apply: the header takes base.css's colour (a
// computed style and a pixel of the screenshot, kept as an artifact), the
// Roboto web fonts load. Served from another origin as a distribution
// without a domain serves them, the fonts load with the SimpleCORS header
// and are refused without it: why the static behaviour has that policy.
func TestBrowserAdminLoginStyled(t *testing.T) {
	b := galleryBuild(t, "")
	task := taskRoot(t, b)
	ctx := newBrowser(t)

	load := func(url string) pageState {
		browse(t, ctx, chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#id_username"))))
		return browse(t, ctx, chromedp.Evaluate[pageState](pageStateJS, chromedp.EvalAwaitPromise))
	}
	hashed := func(sheets []string, origin string) int {
		n := 0
		for _, s := range sheets {
			if strings.HasPrefix(s, origin+"/static/admin/css/") && strings.Count(filepath.Base(s), ".") == 2 {
				n++
			}
		}
		return n
	}

	api, log := serveGallery(t, b, task, nil)
	state := load(api + "/dev/admin/login/")
	if state.HeaderBackground != "rgb(65, 118, 144)" {
		t.Errorf("#header background %q: base.css (--header-bg #417690) did not apply", state.HeaderBackground)
	}
	if !strings.HasPrefix(state.BodyFont, `Roboto,`) && !strings.HasPrefix(state.BodyFont, `"Roboto"`) {
		t.Errorf("body font %q", state.BodyFont)
	}
	if !state.RobotoLoaded {
		t.Error("the Roboto web fonts did not load")
	}
	if n := hashed(state.Sheets, api); n < 3 {
		t.Errorf("stylesheets %v: want the admin's, by hashed name, from %s/static/", state.Sheets, api)
	}
	if !strings.Contains(log.String(), "GET /dev/admin/login/ 200") || !strings.Contains(log.String(), " static ") {
		t.Errorf("serve's log:\n%s", log.String())
	}

	png1 := browse(t, ctx, chromedp.FullScreenshot(100))
	shot := filepath.Join(artifactsDir(t), "admin-login-styled.png")
	if err := os.WriteFile(shot, png1, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	img, err := png.Decode(bytes.NewReader(png1))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// The login box's header bar, painted in the header colour (a point
	// beside its title).
	box := browse(t, ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('#header').getBoundingClientRect(); return [r.left + 8, r.top + 8]; })()`))
	r, g, bl, _ := img.At(int(box[0]), int(box[1])).RGBA()
	if r>>8 != 65 || g>>8 != 118 || bl>>8 != 144 {
		t.Errorf("screenshot pixel at the header (%v) is rgb(%d, %d, %d), want rgb(65, 118, 144)", box, r>>8, g>>8, bl>>8)
	}

	// A distribution without a domain: the files on another origin.
	for _, cors := range []bool{true, false} {
		origin, slog := staticOrigin(t, b, cors)
		api, _ := serveGallery(t, b, task, map[string]string{plan.EnvStaticURL: origin.URL + plan.StaticPath})
		state := load(api + "/dev/admin/login/")
		if state.HeaderBackground != "rgb(65, 118, 144)" || hashed(state.Sheets, origin.URL) < 3 {
			t.Errorf("cors %v: header %q, stylesheets %v", cors, state.HeaderBackground, state.Sheets)
		}
		if state.RobotoLoaded != cors {
			t.Errorf("cors %v: web fonts loaded %v (requests %v)", cors, state.RobotoLoaded, slog.snapshot())
		}
	}
}
