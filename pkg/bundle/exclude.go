package bundle

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// The rules below are applied to every zip. They are matched against each
// path component, so a name excluded here is excluded at any depth, as a
// file or as a whole directory.
//
// secretNames and secretGlobs can never be turned off: a zip must not carry
// version-control data, dotenv files or credential folders, whatever the
// configuration.
var (
	secretNames = []string{
		".git", ".hg", ".svn", ".bzr", // version control
		".ssh", ".aws", ".gnupg", ".netrc", ".pypirc", ".npmrc", ".docker", ".git-credentials", // credentials
		".kube", ".azure", // kubectl's and the Azure CLI's credential folders
	}
	secretGlobs = []string{
		".env*", // .env, .env.local, .envrc
	}
	// keyNames and keyGlobs look like keys, credentials and local data:
	// left out of every zip by default; the project layer ships one only
	// when Options.Include names its exact path.
	keyNames = []string{
		"credentials", "credentials.json", "credentials.csv", "client_secrets.json",
		"secrets.json", "secrets.yml", "secrets.yaml", "secrets.toml", "secrets.ini",
		"deploy_key", ".htpasswd", ".pgpass", ".my.cnf", ".dockercfg",
		"kubeconfig", "kubeconfig.yaml", "kubeconfig.yml", // kubectl
		"application_default_credentials.json", // gcloud auth application-default login
		".terraformrc", "terraform.rc",         // Terraform CLI (API tokens)
		".s3cfg", ".boto", ".vault-token", // s3cmd, boto 2, Vault CLI
	}
	keyGlobs = []string{
		"*.key", "*.p12", "*.pkcs12", "*.pfx", "*.jks", "*.keystore", "*.ppk", "*.kdbx", "*.gpg",
		"id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "deploy_key.*",
		"client_secret*.json", "*_accessKeys.csv",
		"service-account*.json", "service_account*.json", // Google Cloud service-account keys
		".secrets.*", // dynaconf's secrets file (.secrets.toml, .secrets.yaml, ...)
		"*.kubeconfig",
		"*.tfstate", "*.tfstate.*", "*.tfvars", "*.tfvars.json",
		"*.sqlite3", "*.sqlite", "*.sqlite3-*", "*.sqlite-*", // local databases (db.sqlite3)
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
	keyNames     map[string]bool
	excludeTests bool
	patterns     []pattern
	// include re-includes what .gitignore leaves out (globs); exact holds
	// the include entries without glob characters, the only ones that
	// re-include a key-looking file or a file holding a secret.
	include []pattern
	exact   map[string]bool
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
	m.keyNames = map[string]bool{}
	for _, n := range keyNames {
		m.keyNames[n] = true
	}
	for _, raw := range o.Exclude {
		p, err := compilePattern(raw)
		if err != nil {
			return nil, err
		}
		m.patterns = append(m.patterns, p)
	}
	m.exact = map[string]bool{}
	for _, raw := range o.Include {
		p, err := compilePattern(raw)
		if err != nil {
			return nil, fmt.Errorf("include: %w", err)
		}
		m.include = append(m.include, p)
		if !strings.ContainsAny(raw, "*?[\\") {
			m.exact[strings.TrimPrefix(strings.TrimPrefix(strings.TrimSuffix(strings.TrimSpace(raw), "/"), "./"), "/")] = true
		}
	}
	return m, nil
}

// keyLooking reports whether base is a name that looks like a key,
// credentials or a local database.
func (m *matcher) keyLooking(base string) bool {
	if m.keyNames[base] {
		return true
	}
	for _, g := range keyGlobs {
		if globMatch(g, base) {
			return true
		}
	}
	return false
}

// includes reports whether an include glob matches rel.
func (m *matcher) includes(rel string, isDir bool) bool {
	return matchAny(m.include, rel, isDir)
}

// includesExactly reports whether an include entry is exactly rel.
func (m *matcher) includesExactly(rel string) bool { return m.exact[rel] }

// mayIncludeBelow reports whether an include glob may match something
// below the folder rel: the walk then enters a folder .gitignore leaves
// out, to pick what include names.
func (m *matcher) mayIncludeBelow(rel string) bool {
	dir := strings.Split(rel, "/")
	for _, p := range m.include {
		if p.anyDir {
			return true
		}
		if prefixCompatible(p.segs, dir) {
			return true
		}
	}
	return false
}

// prefixCompatible reports whether a path below the folder dir can match
// the pattern pat.
func prefixCompatible(pat, dir []string) bool {
	for i, d := range dir {
		if i >= len(pat) {
			return false
		}
		if pat[i] == "**" {
			return true
		}
		if !globMatch(pat[i], d) {
			return false
		}
	}
	return len(pat) > len(dir)
}

func matchAny(ps []pattern, rel string, isDir bool) bool {
	base := path.Base(rel)
	for _, p := range ps {
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

// compilePattern parses a config glob (doublestar syntax). "*", "?",
// "[...]" and "{a,b}" match within one path component, "**" matches any
// number of components (zero included). A
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
		if !doublestar.ValidatePattern(seg) {
			return p, fmt.Errorf("exclude pattern %q: %w", raw, doublestar.ErrBadPattern)
		}
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// excluded reports whether the entry at rel (slash path relative to the
// zip's source root, no leading "/") is left out. Callers check directories
// before descending, so a match on a directory prunes everything below it.
func (m *matcher) excluded(rel string, isDir bool) bool {
	return m.why(rel, isDir) != ""
}

// Reasons an entry is left out, as the run reports them.
const (
	whyNever   = "version control, dotenv or credentials"
	whyKey     = "looks like a key, credentials or a local database"
	whyJunk    = "cache or editor file"
	whyTests   = "test folder"
	whyExclude = "exclude"
	whyIgnored = ".gitignore"
	whyOutput  = "render output"
	whySecret  = "holds a secret"
)

// why returns the reason the entry at rel is left out by the built-in
// rules, the key-looking names (unless include names rel exactly) and the
// configuration's exclude globs; "" keeps it.
func (m *matcher) why(rel string, isDir bool) string {
	base := path.Base(rel)
	if m.names[base] {
		for _, n := range secretNames {
			if n == base {
				return whyNever
			}
		}
		return whyJunk
	}
	for _, g := range secretGlobs {
		if globMatch(g, base) {
			return whyNever
		}
	}
	if m.builtin(base, isDir) {
		if isDir && m.excludeTests && (base == "tests" || base == "test") {
			return whyTests
		}
		return whyJunk
	}
	if matchAny(m.patterns, rel, isDir) {
		return whyExclude
	}
	if m.keyLooking(base) && !m.includesExactly(rel) {
		return whyKey
	}
	return ""
}

// whyPath is why for rel or the first of its parent directories that is
// left out; it judges symlink targets, which must not smuggle an excluded
// file into the zip under another name.
func (m *matcher) whyPath(rel string, isDir bool) string {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if r := m.why(strings.Join(parts[:i], "/"), true); r != "" {
			return r
		}
	}
	return m.why(rel, isDir)
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

// globMatch matches one name (no "/") against one pattern component, and
// matchSegs pattern components against path components ("**" consumes any
// number of them, none included), both with doublestar: the one glob
// library of the project (config rules use it too). Patterns are
// validated when compiled; an invalid one matches nothing.
func globMatch(pattern, name string) bool {
	ok, err := doublestar.Match(pattern, name)
	return err == nil && ok
}

func matchSegs(pat, segs []string) bool {
	return globMatch(strings.Join(pat, "/"), strings.Join(segs, "/"))
}
