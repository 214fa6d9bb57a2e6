package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Finding 4: configurations under the 1 MB cap that made the parser take
// hundreds of megabytes (40 KB of nested lists: 640 MB) are refused before
// parsing, with the file, line and column, allocating next to nothing.
func TestAttackConfigBombsRefusedBeforeParsing(t *testing.T) {
	var wide strings.Builder
	wide.WriteString("env:\n")
	for i := 0; wide.Len() < 1<<20-64; i++ {
		fmt.Fprintf(&wide, "  VAR_%06d: \"v\"\n", i)
	}
	for _, tc := range []struct{ name, src, want string }{
		{"flow", "functions: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", ":1:"},
		{"dashes", "vendor:\n" + strings.Repeat("- ", 20000) + "x\n", ":2:"},
		{"indentation", func() string {
			var b strings.Builder
			for d := 0; d < 500; d++ {
				fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", d), d)
			}
			return b.String()
		}(), ":65:"},
		{"keys", wide.String(), "more than 10000 values"},
		{"aliases", "a: &a [x]\nb: [" + strings.TrimSuffix(strings.Repeat("*a, ", 300), ", ") + "]\n", "aliases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "django-serverless.yml")
			if err := os.WriteFile(p, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Load(p)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), p+tc.want) && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
			if !strings.Contains(err.Error(), "refused before parsing") {
				t.Errorf("not refused by the scan: %v", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("loading allocated %d MB", alloc>>20)
			}
		})
	}
}

// The scan counts what the parser nests, never less: a configuration it
// admits parses; one whose depth is hidden in quotes, comments or block
// scalars is not refused for it.
func TestBoundsScanDoesNotMiscount(t *testing.T) {
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	for _, src := range []string{
		"env:\n  A: \"" + deep + "\"\n",
		"env:\n  A: '" + deep + "'\n",
		"# " + deep + "\nenv: {}\n",
		"env:\n  A: |\n    " + deep + "\n    " + strings.Repeat("- ", 70) + "\n  B: x\n",
		"env:\n  A: >-\n    " + deep + "\n",
		"env:\n  A: x" + deep + "\n",
		"env:\n  A: \"multi\n    line " + deep + "\"\n",
		"exclude: [\"a\", 'b''s [', \"c]\"]\n",
	} {
		if _, err := Parse("c.yml", []byte(src)); err != nil && strings.Contains(err.Error(), "refused before parsing") {
			t.Errorf("refused %q: %v", src, err)
		}
	}
	// Nesting that is real is counted whatever the layout.
	for _, src := range []string{
		"a: " + deep + "\n",
		"a:\n  " + strings.Repeat("[", 35) + "\n  " + strings.Repeat("[", 35) + "\n",
		"a: {" + strings.Repeat("b: {", 70) + "}\n",
		"a:\n" + strings.Repeat("- ", 70) + "x\n",
	} {
		if _, err := Parse("c.yml", []byte(src)); err == nil || !strings.Contains(err.Error(), "refused before parsing") {
			t.Errorf("not refused: %.60q: %v", src, err)
		}
	}
}
