package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// browser starts headless Chromium (Debian's) driven over the DevTools
// protocol; the returned context runs actions in one tab.
func browser(t *testing.T) context.Context {
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
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// within runs fn with a deadline on a context derived from the browser's.
func within[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) (T, error) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return chromedp.Run(tctx, a)
}

func cookies(t *testing.T, ctx context.Context) []*network.Cookie {
	t.Helper()
	res, err := within(t, ctx, func(ctx context.Context, tg *chromedp.Target) (*network.GetCookiesResult, error) {
		r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
		return &r, err
	})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	return res.Cookies
}

func cookieNamed(cookies []*network.Cookie, name string) *network.Cookie {
	for _, c := range cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestBrowserAdminLogin: headless Chromium logs in to the Django admin of
// the demo project through serve (REST API, stage dev): the login page sets
// the CSRF cookie, a wrong password shows the form again, the form post
// with the right one redirects to the admin index with a session cookie,
// and the session carries to the next page. The database (sqlite, with a
// superuser) was made with Debian's Django before serving.
func TestBrowserAdminLogin(t *testing.T) {
	d := newDemo(t, "rest", true)
	srv := startServer(t, d, Options{})
	ctx := browser(t)
	base := srv.url + "/dev"

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := within(t, ctx, chromedp.Steps(steps...)); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, srv.log.String())
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := within(t, ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	location := func() string {
		t.Helper()
		s, err := within(t, ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	do("open the admin", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#id_username")))
	if got := location(); got != base+"/admin/login/?next=/dev/admin/" {
		t.Errorf("redirected to %s", got)
	}
	csrf := cookieNamed(cookies(t, ctx), "csrftoken")
	if csrf == nil || csrf.Path != "/" {
		t.Fatalf("no csrftoken cookie after the login page: %+v", csrf)
	}

	// A wrong password: the form again, with Django's error.
	do("wrong password",
		chromedp.SendKeys(chromedp.CSS("#id_username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#id_password"), "wrong"),
		chromedp.Submit(chromedp.CSS("#login-form")),
		chromedp.WaitVisible(chromedp.CSS(".errornote")),
	)
	if got := text(".errornote"); !strings.Contains(got, "correct username and password") {
		t.Errorf("error note = %q", got)
	}

	do("log in",
		chromedp.SetValue(chromedp.CSS("#id_username"), "admin"),
		chromedp.SetValue(chromedp.CSS("#id_password"), "s3cret-Passw0rd"),
		chromedp.Submit(chromedp.CSS("#login-form")),
		chromedp.WaitVisible(chromedp.CSS("#content h1")),
	)
	if h, at := text("#content h1"), location(); h != "Site administration" || at != base+"/admin/" {
		t.Errorf("after login: heading %q at %s", h, at)
	}
	session := cookieNamed(cookies(t, ctx), "sessionid")
	if session == nil || !session.HTTPOnly || session.Path != "/" {
		t.Fatalf("session cookie after login: %+v", session)
	}

	// The session holds: the users list opens without a new login.
	do("users list", chromedp.Navigate(base+"/admin/auth/user/"), chromedp.WaitVisible(chromedp.CSS("#result_list")))
	rows, err := within(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#result_list tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("users list rows = %d, want 1 (admin)", rows)
	}
	if dir := os.Getenv("DJANGO_SERVERLESS_ARTIFACTS"); dir != "" {
		if png, err := within(t, ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "serve-admin-users.png"), png, 0o644)
		}
	}
	log := srv.log.String()
	for _, want := range []string{"POST /dev/admin/login/?next=%2Fdev%2Fadmin%2F 200", "POST /dev/admin/login/?next=%2Fdev%2Fadmin%2F 302", "GET /dev/admin/auth/user/ 200"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
