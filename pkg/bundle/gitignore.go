package bundle

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Git's ignore rules (gitignore(5)), as git applies them to untracked
// files: every .gitignore from the repository root down to the file's
// folder, plus .git/info/exclude; a deeper file wins over a shallower one,
// within a file the last matching pattern wins, and nothing below an
// ignored folder can be re-included.
//
// Why not a library: the Go libraries on the module proxy were checked
// against git itself on the same tree (TestGitIgnoreMatchesGit holds the
// cases). go-git's plumbing/format/gitignore lets a trailing "/**" match
// the folder itself (so "!foo/keep" under "foo/**" is lost), lets a negated
// "dir/" pattern re-include everything below it by prefix, and does not
// backtrack over "**" ("a/**/b/c" misses a/b/x/b/c); sabhiram/go-gitignore
// got four cases of the same tree wrong (nested files, negations);
// denormal/go-gitignore is not served. The rules are short; the glob
// matching below them is doublestar's (globMatch, matchSegs), the library
// the configuration's globs use, with git's literal braces and its rule
// for a trailing "/**" on top.

// ignoreFileName is the per-folder ignore file.
const ignoreFileName = ".gitignore"

// gitPattern is one line of an ignore file.
type gitPattern struct {
	negate   bool
	dirOnly  bool
	anchored bool     // contains a "/" before its end: matched against the path from the base
	segs     []string // the pattern split on "/", braces escaped (literal in git)
}

// ignoreFile is the patterns of one ignore file and the folder they apply
// to (slash path from the repository root, "" for the root).
type ignoreFile struct {
	base     string
	patterns []gitPattern
}

// parseIgnore reads the patterns of an ignore file.
func parseIgnore(base string, data []byte) ignoreFile {
	f := ignoreFile{base: base}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if p, ok := parseGitPattern(sc.Text()); ok {
			f.patterns = append(f.patterns, p)
		}
	}
	return f
}

func parseGitPattern(line string) (gitPattern, bool) {
	var p gitPattern
	line = strings.TrimSuffix(line, "\r")
	// Trailing spaces are dropped unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return p, false
	}
	if strings.HasPrefix(line, "!") {
		p.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return p, false
	}
	p.anchored = strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	for _, s := range strings.Split(line, "/") {
		if s == "" {
			continue
		}
		p.segs = append(p.segs, literalBraces(s))
	}
	return p, len(p.segs) > 0
}

// match reports whether p matches the path rel (slash path from the
// pattern's base).
func (p gitPattern) match(rel string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		return globMatch(p.segs[0], path.Base(rel))
	}
	return matchGitSegs(p.segs, strings.Split(rel, "/"))
}

// matchGitSegs is matchSegs with git's rule for a trailing "**": it matches
// everything inside a folder, not the folder itself.
func matchGitSegs(pat, segs []string) bool {
	if n := len(pat); n > 1 && pat[n-1] == "**" {
		return len(segs) > 0 && func() bool {
			for i := 1; i <= len(segs); i++ {
				if matchSegs(pat[:n-1], segs[:len(segs)-i]) {
					return true
				}
			}
			return false
		}()
	}
	return matchSegs(pat, segs)
}

// literalBraces escapes "{" and "}": git matches them literally, while the
// glob library below reads "{a,b}" as alternatives.
func literalBraces(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
		case c == '{' || c == '}':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decide returns whether the last pattern of f matching rel ignores it;
// found is false when no pattern matches.
func (f ignoreFile) decide(rel string, isDir bool) (ignored, found bool) {
	if f.base != "" {
		if !strings.HasPrefix(rel, f.base+"/") {
			return false, false
		}
		rel = rel[len(f.base)+1:]
	}
	for i := len(f.patterns) - 1; i >= 0; i-- {
		if f.patterns[i].match(rel, isDir) {
			return !f.patterns[i].negate, true
		}
	}
	return false, false
}

// gitIgnore answers "does the repository ignore this path?" for paths
// below a zip's root, loading ignore files as folders are asked about.
type gitIgnore struct {
	repo   string // folder holding .git (or the zip root when there is none)
	prefix string // the zip root's slash path from repo ("" when they are one)
	above  []ignoreFile

	mu    sync.Mutex
	files map[string]*ignoreFile // by folder slash path from repo; nil entry: none
}

// newGitIgnore prepares the rules for the tree at root (a real path). When
// root is inside a git work tree, the ignore files of the folders between
// the repository root and root apply too, and so does .git/info/exclude.
func newGitIgnore(root string) *gitIgnore {
	g := &gitIgnore{repo: root, files: map[string]*ignoreFile{}}
	for dir := root; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			g.repo = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if g.repo != root {
		rel, err := filepath.Rel(g.repo, root)
		if err != nil {
			g.repo = root
		} else {
			g.prefix = filepath.ToSlash(rel)
		}
	}
	if data, err := os.ReadFile(filepath.Join(g.repo, ".git", "info", "exclude")); err == nil {
		g.above = append(g.above, parseIgnore("", data))
	}
	if g.prefix != "" {
		parts := strings.Split(g.prefix, "/")
		for i := 0; i < len(parts); i++ {
			base := strings.Join(parts[:i], "/")
			if f := g.load(base); f != nil {
				g.above = append(g.above, *f)
			}
		}
	}
	return g
}

// load reads (once) the ignore file of the folder at base (slash path from
// the repository root).
func (g *gitIgnore) load(base string) *ignoreFile {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.files[base]; ok {
		return f
	}
	var f *ignoreFile
	if data, err := os.ReadFile(filepath.Join(g.repo, filepath.FromSlash(base), ignoreFileName)); err == nil {
		pf := parseIgnore(base, data)
		f = &pf
	}
	g.files[base] = f
	return f
}

// ignored reports whether the path rel (slash path from the zip's root;
// its parent folders are not ignored, the walk checked them) is ignored.
func (g *gitIgnore) ignored(rel string, isDir bool) bool {
	full := rel
	if g.prefix != "" {
		full = g.prefix + "/" + rel
	}
	// The deepest ignore file first: folders of rel inside the root, from
	// its own folder up to the root.
	dir := path.Dir(rel)
	for {
		base := dir
		if base == "." {
			base = ""
		}
		if g.prefix != "" {
			base = strings.TrimSuffix(g.prefix+"/"+base, "/")
		}
		if f := g.load(base); f != nil {
			if ign, found := f.decide(full, isDir); found {
				return ign
			}
		}
		if dir == "." {
			break
		}
		dir = path.Dir(dir)
	}
	for i := len(g.above) - 1; i >= 0; i-- {
		if ign, found := g.above[i].decide(full, isDir); found {
			return ign
		}
	}
	return false
}

// ignoredPath is ignored for a path whose parent folders were not walked
// (a symlink's target): rel or any folder above it inside the root.
func (g *gitIgnore) ignoredPath(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if g.ignored(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return g.ignored(rel, isDir)
}
