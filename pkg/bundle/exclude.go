package bundle

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// The rules below are applied to every zip. They are matched against each
// path component, so a name excluded here is excluded at any depth, as a
// file or as a whole directory.
//
// secretNames and secretGlobs can never be turned off: a zip must not carry
// version-control data, dotenv files or keys, whatever the configuration.
var (
	secretNames = []string{
		".git", ".hg", ".svn", ".bzr", // version control
		".ssh", ".aws", ".netrc", ".pypirc", ".npmrc", ".docker", // credentials
	}
	secretGlobs = []string{
		".env*", // .env, .env.local, .envrc
		"*.key", "*.p12", "*.pfx",
		"id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
	}
	// junkNames and junkGlobs are build and editor leftovers that never run
	// on Lambda. The tree's own bytecode (__pycache__, *.pyc) is left out:
	// stale, another Python's, or mtime-based (the zip would depend on the
	// checkout time); zips carry only what Options.Bytecode compiles.
	junkNames = []string{
		"__pycache__", "node_modules", ".DS_Store",
		".venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
		".idea", ".vscode",
	}
	junkGlobs = []string{"*.pyc", "*.pyo"}
	// testNames are the test folders left out of the project layer
	// (Options.ExcludeTests).
	testNames = []string{"tests", "test"}
)

// pemGlob names files that may hold a private key; they are read and left
// out when they do (see holdsPrivateKey). Certificate bundles stay: certifi's
// cacert.pem in the dependencies, an RDS CA bundle in the project.
const pemGlob = "*.pem"

// holdsPrivateKey reports whether PEM data contains a private key block
// ("-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----", ...).
func holdsPrivateKey(data []byte) bool {
	for {
		i := bytes.Index(data, []byte("-----BEGIN "))
		if i < 0 {
			return false
		}
		data = data[i+len("-----BEGIN "):]
		end := bytes.Index(data, []byte("-----"))
		if end < 0 {
			return false
		}
		if bytes.HasSuffix(data[:end], []byte("PRIVATE KEY")) {
			return true
		}
		data = data[end:]
	}
}

// matcher decides which relative slash paths are left out of a zip.
type matcher struct {
	names        map[string]bool
	globs        []string
	excludeTests bool
	patterns     []pattern
}

// pattern is one configured exclude glob, split on "/".
type pattern struct {
	text    string
	segs    []string
	anyDir  bool // no "/" in the pattern: matches a base name at any depth
	dirOnly bool // trailing "/": matches directories only
}

func newMatcher(o Options) (*matcher, error) {
	m := &matcher{names: map[string]bool{}, excludeTests: o.ExcludeTests}
	for _, n := range secretNames {
		m.names[n] = true
	}
	for _, n := range junkNames {
		m.names[n] = true
	}
	m.globs = append(append([]string(nil), secretGlobs...), junkGlobs...)
	for _, raw := range o.Exclude {
		p, err := compilePattern(raw)
		if err != nil {
			return nil, err
		}
		m.patterns = append(m.patterns, p)
	}
	return m, nil
}

// compilePattern parses a config glob. "*", "?" and "[...]" match within one
// path component, "**" matches any number of components (zero included). A
// pattern without "/" matches a base name at any depth; a pattern with "/"
// is anchored at the root ("/media/**" and "media/**" are the same). A
// trailing "/" restricts the pattern to directories.
func compilePattern(raw string) (pattern, error) {
	p := pattern{text: raw}
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(s, "./")
	if strings.HasSuffix(s, "/") {
		p.dirOnly = true
		s = strings.TrimRight(s, "/")
	}
	if !strings.Contains(s, "/") {
		p.anyDir = true
	}
	s = strings.TrimPrefix(s, "/")
	if s == "" {
		return p, fmt.Errorf("exclude pattern %q: empty", raw)
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return p, fmt.Errorf("exclude pattern %q: invalid path component %q", raw, seg)
		}
		if _, err := path.Match(seg, "x"); err != nil {
			return p, fmt.Errorf("exclude pattern %q: %w", raw, err)
		}
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// excluded reports whether the entry at rel (slash path relative to the
// zip's source root, no leading "/") is left out. Callers check directories
// before descending, so a match on a directory prunes everything below it.
func (m *matcher) excluded(rel string, isDir bool) bool {
	base := path.Base(rel)
	if m.builtin(base, isDir) {
		return true
	}
	for _, p := range m.patterns {
		if p.dirOnly && !isDir {
			continue
		}
		if p.anyDir {
			if len(p.segs) == 1 && globMatch(p.segs[0], base) {
				return true
			}
			continue
		}
		if matchSegs(p.segs, strings.Split(rel, "/")) {
			return true
		}
	}
	return false
}

// excludedPath reports whether rel or any of its parent directories is
// excluded; it is used for symlink targets, which must not smuggle an
// excluded file into the zip under another name.
func (m *matcher) excludedPath(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if m.excluded(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return m.excluded(rel, isDir)
}

func (m *matcher) builtin(base string, isDir bool) bool {
	if m.names[base] {
		return true
	}
	for _, g := range m.globs {
		if globMatch(g, base) {
			return true
		}
	}
	if isDir && m.excludeTests {
		for _, n := range testNames {
			if base == n {
				return true
			}
		}
	}
	return false
}

func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// matchSegs matches pattern components against path components; "**"
// consumes any number of path components.
func matchSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse runs of "**" so the search stays linear per star.
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := 0; i <= len(segs); i++ {
				if matchSegs(pat, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || !globMatch(pat[0], segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}
