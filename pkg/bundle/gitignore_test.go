package bundle

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// gitIgnoreTree is a repository whose ignore files use every rule of
// gitignore(5): negation (also of a folder's content), anchoring (leading
// and middle "/"), folder-only patterns, nested files overriding their
// parents, "**" leading, trailing and in the middle (with backtracking),
// escaped "#" and "!", trailing spaces, character classes with "!" and
// "^", braces (literal in git, alternatives in the glob library below).
// The three deviations of go-git's matcher and the four of
// sabhiram/go-gitignore found on this tree are among the cases (see
// gitignore.go): foo/keep, keepdir/x.log2, deep/b/x/b/x/c. Names the
// built-in rules leave out anyway (*.pyc, node_modules, *.sqlite3) are
// avoided, so every difference is a matching difference.
var gitIgnoreTree = map[string]string{
	".gitignore": strings.Join([]string{
		"# comment", "build/", "!build/keep.txt", "*.mo", "static/dist/*", "!static/dist/keep.js",
		"a/**/b", `\#notes`, `\!bang`, "out/**", "!out/keep/", "/db.dump", "logs/*", "!logs/keep.log",
		"foo/**", "!foo/keep", `trail\ `, "spaces   ", "y[!1]", "z[^1]", "*.bak", "deep/**/x/c", "*.log2", "!keepdir/",
		"{c,d}.cfg", `\{e\}.cfg`,
	}, "\n") + "\n",
	".git/info/exclude":  "local_only.txt\n",
	"app/.gitignore":     "modules\nsub/deep/secret.txt\n/top.txt\n",
	"app/sub/.gitignore": "/deep/ok.txt\n!deep/secret.txt\n*.tmp\n!keep.tmp\n",
	"build/x.o":          "", "build/sub/y.o": "", "build/keep.txt": "",
	"locale/pt/LC_MESSAGES/django.mo": "", "locale/pt/LC_MESSAGES/django.po": "",
	"static/dist/app.js": "", "static/dist/keep.js": "", "static/src/app.js": "",
	"a/x/y/b/f": "", "a/b/f": "", "a/c/f": "",
	"docs/#notes": "", "docs/!bang": "", "docs/notes": "",
	"out/keep/k": "", "out/z": "", "out/keep/sub/k2": "",
	"db.dump": "", "app/db.dump": "",
	"logs/a.log": "", "logs/keep.log": "",
	"foo/x": "", "foo/keep": "", "foo/sub/y": "",
	"trail ": "", "spaces": "", "y1": "", "y2": "", "z1": "", "z2": "", "m.bak": "", "app/n.bak": "",
	"deep/b/x/b/x/c": "", "deep/x/d": "",
	"local_only.txt": "", "keepdir/x.log2": "", "keepdir/y.txt": "",
	"app/modules/x/i.js": "", "app/top.txt": "", "app/sub/top.txt": "",
	"app/sub/deep/secret.txt": "", "app/sub/deep/ok.txt": "", "app/sub/deep/other.txt": "",
	"app/sub/a.tmp": "", "app/sub/keep.tmp": "", "app/sub/deeper/b.tmp": "",
	"{c,d}.cfg": "", "c.cfg": "", "d.cfg": "", "{e}.cfg": "", "e.cfg": "",
}

// TestGitIgnoreMatchesGit compares the files the walk leaves out by
// .gitignore with the files git itself reports as ignored
// (`git ls-files --others --ignored --exclude-standard`) on the same tree:
// git is the specification.
func TestGitIgnoreMatchesGit(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		testenv.Missing(t, "git is not installed")
		return
	}
	repo := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command(gitBin, args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	run("init", "-q", ".")
	for rel, body := range gitIgnoreTree {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// -z: NUL-separated, unquoted ("trail " keeps its space).
	want := splitNUL(run("ls-files", "-z", "--others", "--ignored", "--exclude-standard"))
	sort.Strings(want)

	// The walk's view: every file below the root that is not in the zip
	// for the reason ".gitignore" (folders expanded to their files).
	for _, sub := range []string{"", "app"} {
		root := filepath.Join(repo, sub)
		st, err := ZipDir(context.Background(), io.Discard, root, Options{GitIgnore: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range st.Left {
			if !l.IgnoredByGit() {
				continue
			}
			p := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(l.Path, "/")))
			filepath.WalkDir(p, func(q string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(repo, q)
					got = append(got, filepath.ToSlash(rel))
				}
				return nil
			})
		}
		sort.Strings(got)
		var wantHere []string
		for _, w := range want {
			if sub == "" || strings.HasPrefix(w, sub+"/") {
				wantHere = append(wantHere, w)
			}
		}
		if diff := cmp.Diff(wantHere, got); diff != "" {
			t.Errorf("zip root %q: ignored files differ from git's (-git +walk):\n%s", sub, diff)
		}
	}
}

func splitNUL(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "\x00") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
