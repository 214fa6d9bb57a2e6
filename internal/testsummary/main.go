// Command testsummary runs `go test -json` with the given arguments and
// prints what `go test` prints without -v (each package's ok/FAIL line,
// the output of failing tests), plus every skipped test with its reason,
// and closes with one line counting them all:
//
//	go test: 1532 passed, 0 failed, 7 skipped
//
// so a skip is never invisible. It exits 1 when a test or a package
// failed (a build error included), or when go test failed without saying
// why. make test runs `go run ./internal/testsummary -count=1 ./...`.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

func main() {
	goBin := os.Getenv("GO")
	if goBin == "" {
		goBin = "go"
	}
	cmd := exec.Command(goBin, append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	s, rerr := summarize(out, os.Stdout, modulePrefix())
	werr := cmd.Wait()
	fmt.Println(s.line())
	switch {
	case rerr != nil:
		fmt.Fprintln(os.Stderr, "testsummary: reading go test -json:", rerr)
		os.Exit(1)
	case s.failed > 0 || s.packagesFailed > 0:
		os.Exit(1)
	case werr != nil:
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			fmt.Fprintf(os.Stderr, "testsummary: go test exited with status %d\n", ee.ExitCode())
		} else {
			fmt.Fprintln(os.Stderr, "testsummary:", werr)
		}
		os.Exit(1)
	}
}

// event is one line of test2json's output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type summary struct {
	passed, failed, skipped int
	packagesFailed          int
	skips                   []string // "pkg TestX: reason"
}

func (s summary) line() string {
	return fmt.Sprintf("go test: %d passed, %d failed, %d skipped", s.passed, s.failed, s.skipped)
}

// modulePrefix is "<module path>/" of the go.mod in the current folder,
// left off the package names of the skip list.
func modulePrefix() string {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`) + "/"
		}
	}
	return ""
}

// summarize reads test2json events from r and writes the report to w;
// trim is left off package names in the skip list.
func summarize(r io.Reader, w io.Writer, trim string) (summary, error) {
	var s summary
	outputs := map[string][]string{} // package + test -> its output lines
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (go vet's or the build's own text): pass it on.
			fmt.Fprintln(w, string(line))
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				// Package-level lines: "ok  pkg 1.2s", "FAIL pkg", build errors.
				if t := strings.TrimSpace(e.Output); t != "PASS" && t != "FAIL" && !strings.HasPrefix(t, "=== ") {
					io.WriteString(w, e.Output)
				}
				continue
			}
			outputs[key] = append(outputs[key], e.Output)
		case "pass":
			if e.Test != "" {
				s.passed++
			}
			delete(outputs, key)
		case "fail":
			if e.Test == "" {
				s.packagesFailed++
				continue
			}
			s.failed++
			for _, o := range outputs[key] {
				io.WriteString(w, o)
			}
			delete(outputs, key)
		case "skip":
			if e.Test == "" {
				continue // a package without tests
			}
			s.skipped++
			s.skips = append(s.skips, strings.TrimPrefix(e.Package, trim)+" "+e.Test+": "+skipReason(outputs[key]))
			delete(outputs, key)
		}
	}
	if len(s.skips) > 0 {
		sort.Strings(s.skips)
		fmt.Fprintf(w, "skipped tests (%d):\n", len(s.skips))
		for _, l := range s.skips {
			fmt.Fprintln(w, "  "+l)
		}
	}
	return s, sc.Err()
}

// skipReason is the message a skipped test logged ("skipping: moto_server
// not running ..."), without the "--- SKIP" line and file:line prefixes.
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		if i := strings.Index(t, ".go:"); i > 0 {
			if j := strings.Index(t[i:], ": "); j > 0 {
				t = t[i+j+2:]
			}
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " / ")
}
