package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeTB records what Assert reports instead of failing the real test.
type fakeTB struct {
	testing.TB // nil: calling anything not overridden panics
	name       string
	errors     []string
	fatal      bool
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return f.name }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.fatal = true
	runtime.Goexit()
}

// run calls fn with a fake named name on its own goroutine, so that Fatalf
// can stop it like the testing package does.
func run(name string, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func setUpdate(t *testing.T, v bool) {
	t.Helper()
	old := *update
	*update = v
	t.Cleanup(func() { *update = old })
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goldenFile writes content to a new golden file and returns its path,
// with -update off.
func goldenFile(t *testing.T, content string) string {
	t.Helper()
	setUpdate(t, false)
	path := filepath.Join(t.TempDir(), "x.golden")
	writeFile(t, path, content)
	return path
}

func TestAssertEqual(t *testing.T) {
	path := goldenFile(t, "a\nb\n")
	f := run("TestX", func(tb testing.TB) {
		AssertString(tb, "a\nb\n", path)
		Assert(tb, []byte("a\nb\n"), path)
	})
	if len(f.errors) != 0 || f.fatal {
		t.Errorf("equal output reported %q", f.errors)
	}
}

func TestAssertMismatch(t *testing.T) {
	path := goldenFile(t, "one\ntwo\nthree\n")
	f := run("TestRender/dev-route", func(tb testing.TB) {
		AssertString(tb, "one\n2\nthree\n", path)
	})
	if len(f.errors) != 1 || f.fatal {
		t.Fatalf("got errors %q (fatal %v), want one Errorf", f.errors, f.fatal)
	}
	msg := f.errors[0]
	for _, want := range []string{
		path + " differs",
		"@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n",
		"go test ./internal/golden -run '^TestRender$/^dev-route$' -update",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// The golden file is left alone.
	if b, _ := os.ReadFile(path); string(b) != "one\ntwo\nthree\n" {
		t.Errorf("golden file changed to %q", b)
	}
}

func TestAssertMissingFile(t *testing.T) {
	setUpdate(t, false)
	path := filepath.Join(t.TempDir(), "testdata", "none.golden")
	f := run("TestY", func(tb testing.TB) { AssertString(tb, "x", path) })
	if len(f.errors) != 1 || !strings.Contains(f.errors[0], path) || !strings.Contains(f.errors[0], "-run '^TestY$' -update") {
		t.Errorf("missing file reported as %q", f.errors)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file created without -update: %v", err)
	}
}

func TestAssertUpdate(t *testing.T) {
	setUpdate(t, true)
	if !Update() {
		t.Fatal("Update() false under -update")
	}
	dir := t.TempDir()
	// A missing nested folder is created.
	path := filepath.Join(dir, "testdata", "a", "b", "x.golden")
	f := run("TestZ", func(tb testing.TB) { Assert(tb, []byte("new\n"), path) })
	if len(f.errors) != 0 {
		t.Fatalf("update reported %q", f.errors)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "new\n" {
		t.Fatalf("after update: %q, %v", b, err)
	}
	// An existing file that differs is overwritten silently.
	f = run("TestZ", func(tb testing.TB) { AssertString(tb, "newer", path) })
	if b, _ := os.ReadFile(path); len(f.errors) != 0 || string(b) != "newer" {
		t.Errorf("second update: file %q, errors %q", b, f.errors)
	}
	// The written file then passes without -update.
	*update = false
	if Update() {
		t.Fatal("Update() true without -update")
	}
	f = run("TestZ", func(tb testing.TB) { AssertString(tb, "newer", path) })
	if len(f.errors) != 0 {
		t.Errorf("updated file does not match: %q", f.errors)
	}
}

func TestAssertUpdateUnwritable(t *testing.T) {
	setUpdate(t, true)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	writeFile(t, blocker, "")
	// A regular file where a folder is needed makes MkdirAll fail.
	f := run("TestW", func(tb testing.TB) { AssertString(tb, "x", filepath.Join(blocker, "x.golden")) })
	if !f.fatal || len(f.errors) != 1 {
		t.Errorf("unwritable path: fatal %v, errors %q", f.fatal, f.errors)
	}
}

func TestDiff(t *testing.T) {
	lines := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "l%d\n", i)
		}
		return b.String()
	}
	for _, tc := range []struct {
		name, want, got, diff string
	}{
		{"equal", "a\n", "a\n", ""},
		{"empty want", "", "a\n", "@@ -0,0 +1 @@\n+a\n"},
		{"empty got", "a\nb\n", "", "@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"missing newline", "a\n", "a", "@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"},
		{"insert", "a\nc\n", "a\nb\nc\n", "@@ -1,2 +1,3 @@\n a\n+b\n c\n"},
		{
			"context trimmed", lines(1, 10), strings.Replace(lines(1, 10), "l5\n", "five\n", 1),
			"@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+five\n l6\n l7\n l8\n",
		},
		{
			// Changes 8 lines apart get two hunks; 6 apart share one.
			"two hunks", lines(1, 20), strings.NewReplacer("l2\n", "x\n", "l11\n", "y\n").Replace(lines(1, 20)),
			"@@ -1,5 +1,5 @@\n l1\n-l2\n+x\n l3\n l4\n l5\n@@ -8,7 +8,7 @@\n l8\n l9\n l10\n-l11\n+y\n l12\n l13\n l14\n",
		},
		{
			"one hunk", lines(1, 12), strings.NewReplacer("l2\n", "x\n", "l9\n", "y\n").Replace(lines(1, 12)),
			"@@ -1,12 +1,12 @@\n l1\n-l2\n+x\n l3\n l4\n l5\n l6\n l7\n l8\n-l9\n+y\n l10\n l11\n l12\n",
		},
		{"replace", "a\nb\nc\n", "a\nB\nC\nc\n", "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Diff(tc.want, tc.got); got != tc.diff {
				t.Errorf("Diff(%q, %q) =\n%s\nwant\n%s", tc.want, tc.got, got, tc.diff)
			}
		})
	}
}

// TestDiffLarge checks the fallback for regions too big for the LCS table:
// every want line is removed and every got line added, in order.
func TestDiffLarge(t *testing.T) {
	var a, b strings.Builder
	n := 3000 // 3000*3000 cells exceed maxCells
	for i := range n {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := Diff(a.String(), b.String())
	if !strings.HasPrefix(d, fmt.Sprintf("@@ -1,%d +1,%d @@\n-a0\n", n, n)) ||
		strings.Count(d, "\n-") != n || strings.Count(d, "\n+") != n {
		t.Errorf("large diff: %d removals, %d additions, starts %q", strings.Count(d, "\n-"), strings.Count(d, "\n+"), d[:40])
	}
}
