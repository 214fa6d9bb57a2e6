package deps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
)

// ErrNetwork is matched (errors.Is) when the installer could not reach
// its package index: a network, DNS, proxy or TLS problem on the machine
// that builds the layer, not a dependency without a wheel.
var ErrNetwork = errors.New("package index unreachable")

// keepOutput bounds what is kept of an installer's output for the
// diagnosis (its end, where pip and uv put their errors).
const keepOutput = 256 << 10

// runStreaming runs name with args in dir and writes every line of its
// standard output and error to log as it comes, each prefixed with
// prefix, so a long install shows its progress (in Actions the build log
// is inside the stage's ::group::, and the guarded log keeps a line of
// installer output from being read as a workflow command). It returns the
// ends of both streams for the diagnosis.
func runStreaming(ctx context.Context, dir string, log io.Writer, prefix, name string, args ...string) (stdout, stderr []byte, err error) {
	if log == nil {
		log = io.Discard
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var mu sync.Mutex // one line at a time from both streams
	out := &lineLog{mu: &mu, w: log, prefix: prefix}
	errw := &lineLog{mu: &mu, w: log, prefix: prefix}
	cmd.Stdout, cmd.Stderr = out, errw
	err = cmd.Run()
	out.flush()
	errw.flush()
	return out.tail.Bytes(), errw.tail.Bytes(), err
}

// lineLog writes complete lines to w with a prefix and keeps the last
// keepOutput bytes. Carriage returns (progress bars redrawn in place)
// end a line too.
type lineLog struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	line   []byte
	tail   bytes.Buffer
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.tail.Write(p)
	if l.tail.Len() > 2*keepOutput {
		b := append([]byte(nil), l.tail.Bytes()[l.tail.Len()-keepOutput:]...)
		l.tail.Reset()
		l.tail.Write(b)
	}
	for _, c := range p {
		if c == '\n' || c == '\r' {
			l.emit()
			continue
		}
		if len(l.line) < 4096 { // a line longer than that is cut in the log
			l.line = append(l.line, c)
		}
	}
	return len(p), nil
}

func (l *lineLog) emit() {
	if len(bytes.TrimSpace(l.line)) == 0 {
		l.line = l.line[:0]
		return
	}
	l.mu.Lock()
	io.WriteString(l.w, l.prefix+string(l.line)+"\n")
	l.mu.Unlock()
	l.line = l.line[:0]
}

func (l *lineLog) flush() {
	if len(l.line) > 0 {
		l.emit()
	}
}

// Signs that pip or uv could not reach the index, from their own output:
// pip retries a connection that fails ("Retrying ... after connection
// broken by 'NewConnectionError(...: [Errno -3] Temporary failure in name
// resolution')': /simple/django/") before it says no version was found;
// uv says "Failed to fetch: `URL`" with the causes ("dns error", "client
// error (Connect)", "Could not connect, are you offline?").
var (
	networkSigns = regexp.MustCompile(`(?i)NewConnectionError|Failed to establish a new connection|connection broken by|ConnectTimeoutError|ReadTimeoutError|Max retries exceeded|ProxyError|Could not fetch URL|Temporary failure in name resolution|Name or service not known|nodename nor servname|getaddrinfo failed|Connection refused|Network is unreachable|No route to host|timed out|SSLError|CERTIFICATE_VERIFY_FAILED|certificate verify failed|error sending request for url|dns error|client error \(Connect\)|tcp connect error|Could not connect, are you offline|invalid peer certificate|Request failed after \d+ retries|connection reset`)
	// networkCause picks the most telling cause: pip's "[Errno N] reason"
	// or uv's last "Caused by:" / "╰─▶" line.
	pipErrno   = regexp.MustCompile(`\[Errno -?\d+\] ([^'")\]]+)`)
	uvCause    = regexp.MustCompile(`(?m)(?:Caused by:|╰─▶)\s*(.+)$`)
	indexURL   = regexp.MustCompile("(?:Looking in indexes: |Failed to fetch: `|Could not fetch URL )(\\S+?)[`:]?(?:\\s|$)")
	pipPath    = regexp.MustCompile(`': (/\S+)`)
	noVersions = regexp.MustCompile(`from versions: none|Failed to fetch|No solution found|Request failed after`)
)

// networkFailure reads an installer's output: ok when the failure is the
// index being out of reach, with where it failed and why, as the output
// says.
func networkFailure(output string) (where, why string, ok bool) {
	if !networkSigns.MatchString(output) || !noVersions.MatchString(output) {
		return "", "", false
	}
	if m := indexURL.FindStringSubmatch(output); m != nil {
		where = strings.TrimRight(m[1], "`:")
	}
	if m := pipPath.FindStringSubmatch(output); m != nil {
		// pip names the page it failed on by its path: on the index's
		// host when pip said which index it looks in.
		if u, err := url.Parse(where); err == nil && u.Host != "" {
			u.Path = m[1]
			where = u.String()
		} else {
			where = m[1]
		}
	}
	if ms := uvCause.FindAllStringSubmatch(output, -1); len(ms) > 0 {
		why = strings.TrimSpace(ms[len(ms)-1][1])
	}
	if m := pipErrno.FindStringSubmatch(output); m != nil {
		why = strings.TrimSpace(m[1])
	}
	if why == "" {
		why = networkSigns.FindString(output)
	}
	return where, why, true
}

// networkError says the index could not be reached, not that a dependency
// has no wheel: what to check, and the way around it.
func networkError(installer, platform, python, where, why string) error {
	at := ""
	if where != "" {
		at = " " + where
	}
	return fmt.Errorf("install dependencies with %s for %s, CPython %s: %w:%s: %s. "+
		"This is a network problem on this machine, not a missing wheel: check its network, proxy (HTTPS_PROXY) and index settings (PIP_INDEX_URL, UV_INDEX_URL, --index-url), "+
		"or build without an index (vendor: in django-serverless.yml, or a cached layer)", installer, platform, python, ErrNetwork, at, why)
}
