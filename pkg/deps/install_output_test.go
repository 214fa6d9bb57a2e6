package deps

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Outputs of pip and uv that failed to reach their index. pip's is what
// pip 23.2 printed on this machine (no network); uv's are as users posted
// them (astral-sh/uv#12730, #6072, rakesh-eltropy/mcp-client#1,
// mvilanova/intervals-mcp-server#23).
var (
	pipNoNetwork = `Looking in links: /opt/wheels
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7fa3448eae10>: Failed to establish a new connection: [Errno -2] Name or service not known')': /simple/django/
ERROR: Could not find a version that satisfies the requirement django==4.2 (from versions: none)
ERROR: No matching distribution found for django==4.2
`
	uvOffline = "error: Failed to fetch: `https://pypi.org/simple/mcp-server-sqlite/`\n  Caused by: Could not connect, are you offline?\n  Caused by: Request failed after 3 retries\n  Caused by: error sending request for url (https://pypi.org/simple/mcp-server-sqlite/)\n  Caused by: client error (Connect)\n  Caused by: dns error: failed to lookup address information: Temporary failure in name resolution\n"
	uvTimeout = "  × Failed to download `certifi==2025.4.26`\n  ├─▶ Failed to fetch: `https://pypi.netflix.net/packages/18638484694/certifi-2025.4.26-py3-none-any.whl`\n  ├─▶ Request failed after 3 retries\n  ├─▶ error sending request for url (https://pypi.netflix.net/packages/18638484694/certifi-2025.4.26-py3-none-any.whl)\n  ╰─▶ operation timed out\n"
	// Not the network: the index answered, nothing fits the platform.
	pipNoWheel   = "Looking in links: /tmp/wheelhouse\nERROR: Could not find a version that satisfies the requirement winonly==1.0 (from versions: none)\nERROR: No matching distribution found for winonly==1.0\n"
	uvNoWheelOut = "  × No solution found when resolving dependencies:\n  ╰─▶ Because winonly==1.0 has no wheels with a matching platform tag and you require winonly==1.0, we can conclude that your requirements are unsatisfiable.\n"
)

func TestNetworkFailure(t *testing.T) {
	for name, tc := range map[string]struct {
		out, where, why string
		ok              bool
	}{
		"pip offline": {pipNoNetwork, "/simple/django/", "Name or service not known", true},
		"uv offline":  {uvOffline, "https://pypi.org/simple/mcp-server-sqlite/", "dns error: failed to lookup address information: Temporary failure in name resolution", true},
		"uv timeout":  {uvTimeout, "https://pypi.netflix.net/packages/18638484694/certifi-2025.4.26-py3-none-any.whl", "operation timed out", true},
		"pip wheel":   {pipNoWheel, "", "", false},
		"uv wheel":    {uvNoWheelOut, "", "", false},
	} {
		where, why, ok := networkFailure(tc.out)
		if ok != tc.ok || where != tc.where || why != tc.why {
			t.Errorf("%s: networkFailure = %q, %q, %v; want %q, %q, %v", name, where, why, ok, tc.where, tc.why, tc.ok)
		}
	}
}

// A real pip that cannot reach its index: the error says so (and is not
// "no wheel"), and pip's own lines reached the log as they came.
func TestBuildIndexUnreachable(t *testing.T) {
	t.Parallel()
	py := pipPython(t)
	// A port nothing listens on: connection refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	root := project(t, "django==4.2\n", time.Unix(1e9, 0))
	var log bytes.Buffer
	_, _, err = Build(context.Background(), Options{
		Root: root, Python: "3.12", Architecture: "arm64", CacheDir: t.TempDir(), Installer: "pip", PipPython: py,
		// --isolated: no pip.conf or PIP_* variables (a find-links folder
		// of this machine), only this index.
		ExtraArgs: []string{"--isolated", "--index-url", "http://" + addr + "/simple", "--retries", "1", "--timeout", "5"},
		Log:       &log,
	})
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v, want ErrNetwork\nlog:\n%s", err, log.String())
	}
	for _, want := range []string{"package index unreachable: http://" + addr + "/simple/django/: Connection refused", "not a missing wheel", "manylinux2014_aarch64"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "has no wheel") {
		t.Errorf("a network failure reported as a missing wheel: %v", err)
	}
	if !strings.Contains(log.String(), "\n  pip: WARNING: Retrying") {
		t.Errorf("pip's output is not in the log:\n%s", log.String())
	}
}

// waitLog is a log that signals when a line holding want arrives.
type waitLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *waitLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// The installer's lines reach the log while it runs, not when it ends:
// the fake installer prints a line, then waits until the test has seen it
// in the log before it goes on.
func TestInstallerOutputStreamed(t *testing.T) {
	dir := t.TempDir()
	goOn := filepath.Join(dir, "go-on")
	script := filepath.Join(dir, "installer")
	body := "#!/bin/sh\necho 'Collecting django==4.2'\nprintf 'Downloading 10%%\\rDownloading 100%%\\n' >&2\n" +
		"i=0; while [ ! -e " + goOn + " ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done\n" +
		"[ -e " + goOn + " ] || { echo 'not streamed' >&2; exit 3; }\necho 'Successfully installed django-4.2'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	log := &waitLog{want: "  pip: Collecting django==4.2\n", seen: make(chan struct{})}
	go func() {
		select {
		case <-log.seen:
			os.WriteFile(goOn, nil, 0o644)
		case <-time.After(5 * time.Second):
		}
	}()
	if _, _, err := runStreaming(context.Background(), dir, log, "  pip: ", script); err != nil {
		t.Fatalf("run: %v\n%s", err, log.buf.String())
	}
	got := log.buf.String()
	for _, want := range []string{"  pip: Collecting django==4.2\n", "  pip: Downloading 10%\n", "  pip: Downloading 100%\n", "  pip: Successfully installed django-4.2\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
}
