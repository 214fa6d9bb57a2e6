package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func runWithEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errb.String()
}

// badPythons are the interpreters DJANGO_SERVERLESS_PYTHON may wrongly
// name, with what the messages must say about each.
func badPythons(t *testing.T) map[string][]string {
	noDjango := testenv.PythonWithoutDjango(t)
	return map[string][]string{
		"/nonexistent/python3": {"DJANGO_SERVERLESS_PYTHON", "/nonexistent/python3 cannot be run"},
		noDjango:               {"DJANGO_SERVERLESS_PYTHON", "module django cannot be imported by the Python interpreter " + noDjango},
	}
}

// TestInvokeNamesThePython: invoke runs DJANGO_SERVERLESS_PYTHON without
// --python; when it is missing or has no Django, the static files
// warning and the failure name the interpreter tried, the missing module
// and the variable.
func TestInvokeNamesThePython(t *testing.T) {
	root := repoRoot(t)
	for python, wants := range badPythons(t) {
		code, _, stderr := runWithEnv(t, map[string]string{"DJANGO_SERVERLESS_PYTHON": python},
			"invoke", "--project", filepath.Join(root, "testdata/django/tutorial"), "--event", filepath.Join(root, "examples/events/http-api-get-polls.json"))
		if code == ExitOK {
			t.Errorf("%s: invoke succeeded:\n%s", python, stderr)
		}
		var warning, failure string
		for _, l := range strings.Split(stderr, "\n") {
			switch {
			case strings.HasPrefix(l, "warning: static files not collected"):
				warning = l
			case strings.HasPrefix(l, "django-serverless: "):
				failure = l
			}
		}
		for _, want := range append(wants, "--python") {
			if !strings.Contains(warning, want) {
				t.Errorf("%s: the static files warning lacks %q: %q", python, want, warning)
			}
			if !strings.Contains(failure, want) {
				t.Errorf("%s: the failure lacks %q: %q\n%s", python, want, failure, stderr)
			}
		}
	}
}

// TestRenderNamesThePython: render's "static files not collected"
// warning names the interpreter tried, the missing module and
// DJANGO_SERVERLESS_PYTHON.
func TestRenderNamesThePython(t *testing.T) {
	root := repoRoot(t)
	for python, wants := range badPythons(t) {
		code, _, stderr := runWithEnv(t, map[string]string{"DJANGO_SERVERLESS_PYTHON": python, "DJANGO_SERVERLESS_BYTECODE_PYTHON": "off"},
			"render", "--project", filepath.Join(root, "testdata/static/gallery"), "--out", t.TempDir())
		if code != ExitOK {
			t.Fatalf("%s: render exit %d:\n%s", python, code, stderr)
		}
		warning := ""
		for _, l := range strings.Split(stderr, "\n") {
			if strings.Contains(l, "static files not collected") {
				warning = l
			}
		}
		for _, want := range wants {
			if !strings.Contains(warning, want) {
				t.Errorf("%s: the warning lacks %q: %q", python, want, warning)
			}
		}
	}
}

// TestServeNamesThePython: serve runs DJANGO_SERVERLESS_PYTHON without
// --python; a request to a function whose worker cannot start or cannot
// import Django answers 502 and the log line names the interpreter, the
// module and the variable (as does the static files warning).
func TestServeNamesThePython(t *testing.T) {
	root := repoRoot(t)
	for python, wants := range badPythons(t) {
		dir := filepath.Join(t.TempDir(), "gallery")
		if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "testdata", "static", "gallery"))); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
		cmd.Env = append(os.Environ(), serveHelperEnv+"="+strings.Join([]string{"serve", "--project", dir, "--port", "0", "--no-reload"}, "\x1f"),
			"DJANGO_SERVERLESS_PYTHON="+python)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr testenv.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		first, err := bufio.NewReader(stdout).ReadString('\n')
		m := servingLine.FindStringSubmatch(strings.TrimSuffix(first, "\n"))
		if err != nil || m == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("first line %q: %v\n%s", first, err, stderr.String())
		}
		resp, err := http.Get("http://127.0.0.1:" + m[1] + "/dev/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// The log line comes right after the answer.
		var requestLine, warning string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && requestLine == ""; time.Sleep(20 * time.Millisecond) {
			for _, l := range strings.Split(stderr.String(), "\n") {
				switch {
				case strings.HasPrefix(l, "GET /dev/ 502"):
					requestLine = l
				case strings.HasPrefix(l, "warning: static files not collected"):
					warning = l
				}
			}
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("%s: GET /dev/ answered %d, want 502", python, resp.StatusCode)
		}
		for _, want := range append(wants, "--python") {
			if !strings.Contains(requestLine, want) {
				t.Errorf("%s: the request's log line lacks %q: %q\n%s", python, want, requestLine, stderr.String())
			}
			if !strings.Contains(warning, want) {
				t.Errorf("%s: the static files warning lacks %q: %q", python, want, warning)
			}
		}
	}
}
