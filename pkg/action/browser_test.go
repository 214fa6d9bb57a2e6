package action_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// This file stands in for the local API emulator (`serve`, issue 16, on
// its own branch while this was written) with the smallest server that
// does what the deployed environment does: every request becomes an API
// Gateway HTTP API (payload 2.0) event handled by the runtime adapter with
// the function's environment and the manifest from its code zip
// (adapter.Invoke, one process per request), and the static files are
// served from another origin, as CloudFront serves them: the collected
// files with the headers their S3 objects carry, plus what the
// distribution's SimpleCORS response headers policy adds.

// staticOrigin serves the build's collected files under /static/, as the
// distribution serves them from the environment's prefix; cors adds
// Access-Control-Allow-Origin: * (the SimpleCORS policy).
func staticOrigin(t *testing.T, b *action.Build, cors bool) (*httptest.Server, *requestLog) {
	t.Helper()
	log := &requestLog{}
	files := map[string]int{}
	for i, f := range b.Static.Files {
		files[f.Name] = i
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, plan.StaticPath)
		i, found := files[name]
		log.add(r.URL.Path, found && ok)
		if !ok || !found {
			http.Error(w, "403 Forbidden (no such key)", http.StatusForbidden) // S3 without s3:ListBucket
			return
		}
		f := b.Static.Files[i]
		data, err := os.ReadFile(f.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Cache-Control", f.CacheControl)
		if cors {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

type requestLog struct {
	mu    sync.Mutex
	paths []string
	miss  []string
}

func (l *requestLog) add(p string, found bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paths = append(l.paths, p)
	if !found {
		l.miss = append(l.miss, p)
	}
}

func (l *requestLog) snapshot() (paths, missing []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.paths...), append([]string(nil), l.miss...)
}

// apiOrigin answers every request through the runtime adapter, as API
// Gateway's HTTP API and Lambda do.
func apiOrigin(t *testing.T, b *action.Build, env map[string]string) *httptest.Server {
	t.Helper()
	python := testenv.Django(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := readAll(r)
		headers := map[string]string{}
		for k, vs := range r.Header {
			if strings.EqualFold(k, "Cookie") {
				continue
			}
			headers[strings.ToLower(k)] = strings.Join(vs, ",")
		}
		headers["host"] = r.Host
		headers["x-forwarded-proto"] = "http" // this test origin is not TLS
		var cookies []string
		for _, c := range r.Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		ev := map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": r.URL.Path, "rawQueryString": r.URL.RawQuery,
			"headers": headers, "cookies": cookies,
			"requestContext": map[string]any{
				"domainName": r.Host, "stage": "$default", "routeKey": "$default",
				"http": map[string]any{"method": r.Method, "path": r.URL.Path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": r.UserAgent()},
			},
			"body": base64.StdEncoding.EncodeToString(body), "isBase64Encoded": true,
		}
		event, _ := json.Marshal(ev)
		var stderr strings.Builder
		out, raised, err := adapter.Invoke(r.Context(), adapter.InvokeOptions{Python: python, Root: b.Project.Root, Event: event, Env: env, Stderr: &stderr})
		if err != nil || raised {
			t.Errorf("%s %s: %v %s\n%s", r.Method, r.URL, err, out, stderr.String())
			http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
			return
		}
		var res struct {
			StatusCode      int               `json:"statusCode"`
			Headers         map[string]string `json:"headers"`
			Cookies         []string          `json:"cookies"`
			Body            string            `json:"body"`
			IsBase64Encoded bool              `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Errorf("%s: %v", out, err)
			http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
			return
		}
		for k, v := range res.Headers {
			w.Header().Set(k, v)
		}
		for _, c := range res.Cookies {
			w.Header().Add("Set-Cookie", c)
		}
		payload := []byte(res.Body)
		if res.IsBase64Encoded {
			payload, _ = base64.StdEncoding.DecodeString(res.Body)
		}
		w.WriteHeader(res.StatusCode)
		w.Write(payload)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
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
// page of the gallery, its HTML from the runtime adapter and its static
// files from another origin as CloudFront serves them; the stylesheets
// (hashed names from the manifest the function carries) apply: the
// header takes base.css's colour, the Roboto web fonts load across
// origins; a screenshot shows it. Without the distribution's CORS header
// the page is still styled but the fonts do not load: why the static
// behaviour has the SimpleCORS policy.
func TestBrowserAdminLoginStyled(t *testing.T) {
	b := galleryBuild(t, writeConfig(t, "api: {type: http}\n"))
	task := taskRoot(t, b)
	ctx := newBrowser(t)

	load := func(cors bool) (pageState, []string, []string, string) {
		static, slog := staticOrigin(t, b, cors)
		env := b.Plan.FunctionEnv(plan.DefaultFunction)
		env[plan.EnvStaticRoot] = filepath.Join(task, "django_serverless_static")
		env[plan.EnvStaticURL] = static.URL + plan.StaticPath
		env["GALLERY_DB"] = filepath.Join(t.TempDir(), "db.sqlite3")
		api := apiOrigin(t, b, env)
		browse(t, ctx, chromedp.Steps(chromedp.Navigate(api.URL+"/admin/login/"), chromedp.WaitVisible(chromedp.CSS("#id_username"))))
		state := browse(t, ctx, chromedp.Evaluate[pageState](pageStateJS, chromedp.EvalAwaitPromise))
		paths, missing := slog.snapshot()
		return state, paths, missing, static.URL
	}

	state, paths, missing, origin := load(true)
	if state.HeaderBackground != "rgb(65, 118, 144)" {
		t.Errorf("#header background %q: base.css (--header-bg #417690) did not apply", state.HeaderBackground)
	}
	if !strings.HasPrefix(state.BodyFont, `Roboto,`) && !strings.HasPrefix(state.BodyFont, `"Roboto"`) {
		t.Errorf("body font %q", state.BodyFont)
	}
	if !state.RobotoLoaded {
		t.Error("the Roboto web fonts did not load from the static origin")
	}
	if len(missing) > 0 {
		t.Errorf("the page asked the static origin for files it does not have: %v", missing)
	}
	hashedSheets := 0
	for _, s := range state.Sheets {
		if strings.HasPrefix(s, origin+"/static/admin/css/") && strings.Count(filepath.Base(s), ".") == 2 {
			hashedSheets++
		}
	}
	if hashedSheets < 3 {
		t.Errorf("stylesheets %v: want the admin's, hashed, from %s", state.Sheets, origin)
	}
	sort.Strings(paths)
	t.Logf("static requests: %v", paths)

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

	// The control: the same origin without the CORS header.
	state, _, _, _ = load(false)
	if state.HeaderBackground != "rgb(65, 118, 144)" || state.RobotoLoaded {
		t.Errorf("without CORS: header %q, fonts loaded %v; want styled, fonts refused", state.HeaderBackground, state.RobotoLoaded)
	}
}
