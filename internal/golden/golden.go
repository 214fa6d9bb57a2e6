// Package golden compares test output with golden files under a package's
// testdata/ folder, in the style of helm's internal/test: run the tests with
// -update to rewrite the files instead of comparing them, then review the
// change with git diff.
//
//	golden.AssertString(t, out, "testdata/deploy.log")
//
// A mismatch is reported with t.Errorf as a line diff (-want +got) that names
// the file and the command that rewrites it. Paths are relative to the
// package folder, which is the working directory of go test.
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Update reports whether the tests run with -update, for the few tests that
// must know (for example to skip a check that needs the old file).
func Update() bool { return *update }

// AssertString is Assert for text output.
func AssertString(t testing.TB, got string, path string) {
	t.Helper()
	Assert(t, []byte(got), path)
}

// Assert compares got with the golden file at path (relative to the package
// folder, e.g. "testdata/x.golden"). Under -update it writes got to path,
// creating missing folders, and reports nothing.
func Assert(t testing.TB, got []byte, path string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("golden file %s: %v\n(run %s to create it)", path, err, updateCommand(t))
		return
	}
	if string(want) == string(got) {
		return
	}
	t.Errorf("%s differs from the output (-want +got):\n%s(run %s to rewrite it if the change is intended)",
		path, Diff(string(want), string(got)), updateCommand(t))
}

// updateCommand is the go test command that rewrites the golden files of
// the running test, e.g. go test ./pkg/x -run '^TestY$' -update.
func updateCommand(t testing.TB) string {
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return fmt.Sprintf("go test %s -run '%s' -update", packageDir(), strings.Join(parts, "/"))
}

// packageDir is the working directory relative to the module root
// ("./pkg/x"), or "." when no go.mod is found above it.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

// Diff returns a unified line diff from want to got with three lines of
// context, or "" when they are equal. A last line without a newline is
// marked like diff(1) does. Very large differing regions are shown as a
// whole removal and addition instead of a minimal edit script.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	ops := editScript(splitLines(want), splitLines(got))
	const context = 3
	var b strings.Builder
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk starts context lines before the change and runs until
		// more than 2*context equal lines separate it from the next one.
		start := max(i-context, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		stop := min(end+context, len(ops))
		w0, g0 := ops[start].wantLine, ops[start].gotLine
		var nw, ng int
		for _, o := range ops[start:stop] {
			if o.kind != '+' {
				nw++
			}
			if o.kind != '-' {
				ng++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(w0, nw), hunkRange(g0, ng))
		for _, o := range ops[start:stop] {
			b.WriteByte(o.kind)
			if text, ok := strings.CutSuffix(o.text, "\n"); ok {
				b.WriteString(text)
				b.WriteByte('\n')
			} else {
				b.WriteString(o.text)
				b.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
	return b.String()
}

func hunkRange(first, n int) string {
	if n == 0 {
		// diff(1) names the line before an empty range.
		return fmt.Sprintf("%d,0", first-1)
	}
	if n == 1 {
		return fmt.Sprint(first)
	}
	return fmt.Sprintf("%d,%d", first, n)
}

// splitLines splits s after each newline; the last line may lack one.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// op is one line of an edit script: ' ' kept, '-' only in want, '+' only
// in got. wantLine and gotLine are the 1-based numbers of the next line of
// each side at this point.
type op struct {
	kind              byte
	text              string
	wantLine, gotLine int
}

// maxCells bounds the LCS table of the differing middle region.
const maxCells = 1 << 22

// editScript turns a into b, keeping a longest common subsequence of the
// region between the common prefix and suffix.
func editScript(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var ops []op
	wl, gl := 1, 1
	emit := func(kind byte, text string) {
		ops = append(ops, op{kind, text, wl, gl})
		if kind != '+' {
			wl++
		}
		if kind != '-' {
			gl++
		}
	}
	for _, l := range a[:pre] {
		emit(' ', l)
	}
	if len(ma)*len(mb) > maxCells {
		for _, l := range ma {
			emit('-', l)
		}
		for _, l := range mb {
			emit('+', l)
		}
	} else {
		// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
		w := len(mb) + 1
		lcs := make([]int32, (len(ma)+1)*w)
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				emit(' ', ma[i])
				i++
				j++
			case j == len(mb) || i < len(ma) && lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				emit('-', ma[i])
				i++
			default:
				emit('+', mb[j])
				j++
			}
		}
	}
	for _, l := range a[len(a)-suf:] {
		emit(' ', l)
	}
	return ops
}
