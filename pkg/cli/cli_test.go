package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func repoRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// The discover --json contract (DESIGN.md section 2) on the README's example,
// byte for byte against the golden that was checked against Django itself
// (pkg/django TestTutorialGolden).
func TestDiscoverJSONContract(t *testing.T) {
	root := repoRoot(t)
	code, out, errs := run(t, "discover", "--project", filepath.Join(root, "testdata/django/tutorial"), "--json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	want, err := os.ReadFile(filepath.Join(root, "testdata/django/tutorial.discover.json"))
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("discover --json differs from testdata/django/tutorial.discover.json\nGOT:\n%s\nWANT:\n%s", out, want)
	}
}

func TestDiscoverTable(t *testing.T) {
	code, out, errs := run(t, "discover", "--project", filepath.Join(repoRoot(t), "testdata/django/tutorial"))
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	for _, want := range []string{"/polls/{question_id}/", "polls.views.detail", "polls/urls.py:8", "mysite.settings"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no command", nil, ExitUsage, "usage:"},
		{"unknown command", []string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{"bad flag", []string{"discover", "--nope"}, ExitUsage, "flag provided but not defined"},
		{"stray argument", []string{"discover", "extra"}, ExitUsage, "unexpected argument"},
		{"no manage.py", []string{"discover", "--project", dir}, ExitUsage, "manage.py"},
		{"render without manage.py", []string{"render", "--project", dir}, ExitUsage, "manage.py"},
		{"invoke without event", []string{"invoke"}, ExitUsage, "--event FILE is required"},
		{"help", []string{"--help"}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr lacks %q:\n%s", tt.err, errs)
			}
		})
	}
}

// No region anywhere is a usage error, reported before any work.
func TestPlanWithoutRegion(t *testing.T) {
	testenv.AWSEnv(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	code, _, errs := run(t, "plan", "--project", filepath.Join(repoRoot(t), "testdata/django/tutorial"))
	if code != ExitUsage || !strings.Contains(errs, "no AWS region") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

// invoke reads the event from stdin with --event - and prints the
// handler's result (a warm-up answers at once).
func TestInvokeEventFromStdin(t *testing.T) {
	py := testenv.Django(t)
	var out, errb bytes.Buffer
	code := Run(context.Background(),
		[]string{"invoke", "--project", filepath.Join(repoRoot(t), "testdata/django/tutorial"), "--python", py, "--event", "-"},
		Env{Stdin: strings.NewReader(`{"django_serverless": "warmup"}`), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
	if got := strings.TrimSpace(out.String()); got != `{"django_serverless": "warm", "function": "Default"}` {
		t.Errorf("stdout = %s", got)
	}
}

// Finding 12: the CLI refuses the environment names the action refuses
// (one validator): a trailing '-' (an empty PR number), and pr-007, which
// would be another stack than pr-7.
func TestAttackCLIEnvironmentNames(t *testing.T) {
	project := filepath.Join("..", "..", "testdata", "django", "tutorial")
	for env, want := range map[string]string{
		"dev-":   `"dev-" ends with '-'`,
		"pr-007": `"pr-007": a pull request number has no leading zeros`,
		"pr-0":   `"pr-0": a pull request number has no leading zeros`,
		// An empty event number: never a stack named app-pr-.
		"pr-":    `"pr-" ends with '-'`,
		"pr-abc": `"pr-abc": pr- names a pull request's preview, pr-<N>`,
		// An empty --env is a mistake, not dev.
		"": "render: --env is empty",
	} {
		code, _, stderr := run(t, "render", "--project", project, "--env", env)
		if code != ExitUsage || !strings.Contains(stderr, want) {
			t.Errorf("render --env %s: exit %d, stderr %q; want %d and %q", env, code, stderr, ExitUsage, want)
		}
	}
	if code, _, stderr := run(t, "render", "--project", project, "--env", "pr-7"); code != ExitOK {
		t.Errorf("render --env pr-7: exit %d\n%s", code, stderr)
	}
}

// invoke of a cloudfront-mode project collects its static files first,
// so the page it prints links the hashed names the deployed functions
// give; --collectstatic=false leaves Django's unhashed names.
func TestInvokeCollectsStatic(t *testing.T) {
	py := testenv.Django(t)
	ev := `{"resource": "/{proxy+}", "path": "/", "httpMethod": "GET", "headers": {"Host": "x.execute-api.us-east-1.amazonaws.com"},
	        "requestContext": {"path": "/dev/", "stage": "dev", "identity": {"sourceIp": "203.0.113.1"}}, "body": null}`
	project := filepath.Join(repoRoot(t), "testdata/static/gallery")
	for _, c := range []struct {
		flag string
		want *regexp.Regexp
	}{
		{"--collectstatic=true", regexp.MustCompile(`href="/static/pages/css/site\.[0-9a-f]{12}\.css"`)},
		{"--collectstatic=false", regexp.MustCompile(`href="/static/pages/css/site\.css"`)},
	} {
		var out, errb bytes.Buffer
		code := Run(context.Background(), []string{"invoke", "--project", project, "--python", py, "--event", "-", c.flag},
			Env{Stdin: strings.NewReader(ev), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
		if code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", c.flag, code, errb.String())
		}
		var res struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.StatusCode != 200 || !c.want.MatchString(res.Body) {
			t.Errorf("%s: %v %d, want %s in:\n%s\n%s", c.flag, err, res.StatusCode, c.want, res.Body, errb.String())
		}
	}
}

// A configuration with several problems: every line of the report starts
// with file:line:col (editors and problem matchers read such lines), the
// first one too, with no prefix before it.
func TestMultiErrorReportStartsWithFileLine(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), "testdata", "django", "tutorial"), dir)
	cfg := filepath.Join(dir, "django-serverless.yml")
	if err := os.WriteFile(cfg, []byte("python: \"2.7\"\nfunctions:\n  defaults: {memory: 64}\nunknown_key: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "render", "--project", dir)
	if code != ExitUsage {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	problems := 0
	for _, l := range lines {
		if strings.Contains(l, "django-serverless.yml:") {
			problems++
			if !regexp.MustCompile(`^\S*django-serverless\.yml:[0-9]+:[0-9]+: error: `).MatchString(l) {
				t.Errorf("line does not start with file:line:col: %q", l)
			}
		}
	}
	if problems < 3 || !strings.HasPrefix(lines[0], cfg+":") && !strings.HasPrefix(lines[0], "django-serverless.yml:") {
		t.Errorf("%d problems; first line %q\n%s", problems, lines[0], stderr)
	}
}

// Outside Actions the default project comes from the git remote "origin",
// so a command on a laptop names the stacks the workflow deployed.
func TestRemoteRepository(t *testing.T) {
	for url, want := range map[string]string{
		"https://github.com/acme/shop.git":     "acme/shop",
		"https://github.com/acme/shop":         "acme/shop",
		"git@github.com:acme/shop.git":         "acme/shop",
		"ssh://git@github.com/acme/shop.git":   "acme/shop",
		"https://gitlab.example.com/g/sub/app": "sub/app",
		"/srv/git/shop":                        "",
		"":                                     "",
		"https://github.com":                   "",
	} {
		if got := remoteRepository(url); got != want {
			t.Errorf("remoteRepository(%q) = %q, want %q", url, got, want)
		}
	}
	env := Env{Getenv: func(string) string { return "" }, GitRemote: func(string) string { return "git@github.com:acme/shop.git" }}
	if got := repositoryOf(env, "."); got != "acme/shop" {
		t.Errorf("repositoryOf from the remote = %q", got)
	}
	env.Getenv = func(k string) string {
		if k == "GITHUB_REPOSITORY" {
			return "acme/other"
		}
		return ""
	}
	if got := repositoryOf(env, "."); got != "acme/other" {
		t.Errorf("GITHUB_REPOSITORY wins: %q", got)
	}
	if got := repositoryOf(Env{Getenv: func(string) string { return "" }}, "."); got != "" {
		t.Errorf("no lookup without GitRemote: %q", got)
	}
}

// --tags refuses a per-commit value as the action's tags input does: stack
// tags reach every resource, so it would modify all of them on every push.
func TestTagsRefusePerCommitValues(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	var stderr bytes.Buffer
	env := Env{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(k string) string {
		switch k {
		case "GITHUB_SHA":
			return sha
		case "GITHUB_RUN_ID":
			return "987654321"
		}
		return ""
	}}
	for _, tags := range []string{"commit=" + sha[:12], "run=build-987654321"} {
		stderr.Reset()
		if code := Run(context.Background(), []string{"plan", "--project", ".", "--tags", tags}, env); code != ExitUsage || !strings.Contains(stderr.String(), "--tags: tag") {
			t.Errorf("--tags %s: exit %d\n%s", tags, code, stderr.String())
		}
	}
}
