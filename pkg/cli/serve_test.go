package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// serveHelperEnv makes TestServeHelperProcess run the CLI with the
// arguments in it (the test binary then stands for django-serverless).
const serveHelperEnv = "DJANGO_SERVERLESS_CLI_HELPER_ARGS"

// TestServeHelperProcess is not a test: it is the CLI run as its own
// process by the serve tests (signals reach a real process that way).
func TestServeHelperProcess(t *testing.T) {
	args := os.Getenv(serveHelperEnv)
	if args == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, strings.Split(args, "\x1f"), Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// demoCopy copies serve's demo project to a temporary folder.
func demoCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "serve", "testdata", "demo"))); err != nil {
		t.Fatal(err)
	}
	cfg := "env:\n  DEMO_DB: \"" + filepath.Join(t.TempDir(), "db.sqlite3") + "\"\n"
	if err := os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// children lists the processes whose parent is pid (Linux /proc).
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut after ')'.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

func alive(pid int) bool {
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(stat), ") Z ")
}

var servingLine = regexp.MustCompile(`^serving http://127\.0\.0\.1:([0-9]+)$`)

// TestServeFirstLineAndSignals runs `serve` as a process: its first stdout
// line is "serving http://127.0.0.1:PORT" (--port 0 picked a free port),
// it answers on that port, and SIGTERM or SIGINT stop it and every worker
// it started, with exit code 0.
func TestServeFirstLineAndSignals(t *testing.T) {
	python := testenv.Django(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		testenv.Missing(t, "/proc is needed to find the worker processes")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := demoCopy(t)
			args := []string{"serve", "--project", dir, "--port", "0", "--python", python, "--no-reload"}
			cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
			cmd.Env = append(os.Environ(), serveHelperEnv+"="+strings.Join(args, "\x1f"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewReader(stdout)
			first, err := lines.ReadString('\n')
			if err != nil {
				t.Fatalf("no first line: %v\n%s", err, stderr.String())
			}
			first = strings.TrimSuffix(first, "\n")
			m := servingLine.FindStringSubmatch(first)
			if m == nil || m[1] == "0" {
				t.Fatalf("first stdout line %q, want serving http://127.0.0.1:PORT", first)
			}
			t.Logf("first line after %v", time.Since(start))
			go func() { _, _ = io.Copy(io.Discard, lines) }()
			for _, path := range []string{"/dev/echo/", "/dev/pid/"} {
				resp, err := http.Get("http://127.0.0.1:" + m[1] + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, stderr.String())
				}
			}
			// AppSync's schema is generated in the background; the
			// request waits for it.
			resp, err := http.Post("http://127.0.0.1:"+m[1]+"/graphql", "application/json", strings.NewReader(`{"query": "{ hello }"}`))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != `{"data":{"hello":"hello world"}}` {
				t.Fatalf("POST /graphql: %d %s\n%s", resp.StatusCode, body, stderr.String())
			}
			workers := children(cmd.Process.Pid)
			if len(workers) != 3 {
				t.Fatalf("worker processes %v, want 3 (one per function served)", workers)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve exited with %v after %s\n%s", err, sig, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("serve still running 10 s after %s", sig)
			}
			for _, pid := range workers {
				if alive(pid) {
					t.Errorf("worker %d still running after serve stopped", pid)
				}
			}
		})
	}
}

// TestServePortInUse: a taken port is a clear error, exit code 1.
func TestServePortInUse(t *testing.T) {
	testenv.Django(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"serve", "--project", demoCopy(t), "--port", port, "--python", testenv.DebianPython, "--no-reload"},
		Env{Stdout: &stdout, Stderr: &stderr})
	if code != ExitFail {
		t.Errorf("exit code %d, want %d", code, ExitFail)
	}
	if !strings.Contains(stderr.String(), "port "+port+" on 127.0.0.1 is already in use") || !strings.Contains(stderr.String(), "--port 0") {
		t.Errorf("stderr = %s", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing (no serving line)", stdout.String())
	}
}

// TestServeUsageErrors: bad flags exit 2.
func TestServeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--port", "70000"},
		{"serve", "--max-workers", "0"},
		{"serve", "stray"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), args, Env{Stdout: &stdout, Stderr: &stderr}); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr.String())
		}
	}
}
