package github

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"
)

// LogGuard keeps text from the project (file names, configuration values,
// error messages quoting them, the output of the tools the build runs)
// from being read by the runner as workflow commands: a line such as
// "::add-mask::", "::stop-commands::" or a legacy "##[set-output ...]"
// inside a log line would otherwise be obeyed.
//
// The whole log runs between "::stop-commands::TOKEN" and "::TOKEN::": the
// runner obeys no command in between, so the log's text is printed as it
// is, not escaped or altered. The action's own commands (groups, masks,
// annotations, which go-githubactions writes with their data escaped) are
// each wrapped in "::TOKEN::" ... "::stop-commands::TOKEN". The token is
// random: an attacker who could guess it could resume commands from a
// project file. It is no output of the build (no template, zip, comment or
// name carries it), so it does not break determinism.
//
// Log and Commands share one lock and one writer, and a command always
// starts on a line of its own.
type LogGuard struct {
	mu        sync.Mutex
	w         io.Writer
	token     string
	lineStart bool
}

// NewLogGuard returns a guard writing to w with a random token.
func NewLogGuard(w io.Writer) *LogGuard {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return &LogGuard{w: w, token: "django-serverless-" + hex.EncodeToString(b[:]), lineStart: true}
}

// Token is the stop-commands token (for tests).
func (g *LogGuard) Token() string { return g.token }

// Stop starts the guarded log: from here the runner obeys no command
// until Resume.
func (g *LogGuard) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.newLine()
	io.WriteString(g.w, "::stop-commands::"+g.token+"\n")
	g.lineStart = true
}

// Resume ends the guarded log (at the end of the step).
func (g *LogGuard) Resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.newLine()
	io.WriteString(g.w, "::"+g.token+"::\n")
	g.lineStart = true
}

func (g *LogGuard) newLine() {
	if !g.lineStart {
		io.WriteString(g.w, "\n")
	}
}

// Log is the writer for the log's text: written as it is, inert.
func (g *LogGuard) Log() io.Writer { return guardLog{g} }

// Commands is the writer for the action's own workflow commands: each
// write is obeyed.
func (g *LogGuard) Commands() io.Writer { return guardCommands{g} }

type guardLog struct{ g *LogGuard }

func (l guardLog) Write(p []byte) (int, error) {
	l.g.mu.Lock()
	defer l.g.mu.Unlock()
	n, err := l.g.w.Write(p)
	if n > 0 {
		l.g.lineStart = p[n-1] == '\n'
	}
	return n, err
}

type guardCommands struct{ g *LogGuard }

func (c guardCommands) Write(p []byte) (int, error) {
	g := c.g
	g.mu.Lock()
	defer g.mu.Unlock()
	g.newLine()
	var b bytes.Buffer
	b.WriteString("::" + g.token + "::\n")
	b.Write(p)
	if len(p) == 0 || p[len(p)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("::stop-commands::" + g.token + "\n")
	g.lineStart = true
	if _, err := g.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
