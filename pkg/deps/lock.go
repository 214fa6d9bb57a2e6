package deps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// Kinds of requirement sources.
const (
	KindRequirements = "requirements.txt"
	KindUVLock       = "uv.lock"
	KindPoetryLock   = "poetry.lock"
)

// Source is where a project's requirements come from.
type Source struct {
	Kind string // KindRequirements, KindUVLock or KindPoetryLock
	Path string // the file
}

// Detect finds the requirements of the project at root. configured is the
// config's requirements path (relative to root; a .lock name selects that
// kind); when empty, requirements.txt, uv.lock and poetry.lock are tried in
// that order. ok is false when the project declares none.
func Detect(root, configured string) (src Source, ok bool, err error) {
	if configured != "" {
		p := filepath.Join(root, filepath.FromSlash(configured))
		if _, err := os.Stat(p); err != nil {
			return Source{}, false, fmt.Errorf("requirements file %s (the config's requirements:) not found in %s: fix the path or remove the key", configured, root)
		}
		return Source{Kind: kindOf(p), Path: p}, true, nil
	}
	for _, name := range []string{"requirements.txt", KindUVLock, KindPoetryLock} {
		p := filepath.Join(root, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return Source{Kind: kindOf(p), Path: p}, true, nil
		}
	}
	return Source{}, false, nil
}

func kindOf(p string) string {
	switch filepath.Base(p) {
	case KindUVLock:
		return KindUVLock
	case KindPoetryLock:
		return KindPoetryLock
	}
	return KindRequirements
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

// ReadLock reads a uv.lock or poetry.lock as the requirements of the
// dependencies layer for target: every package the project needs at run
// time there, pinned at its locked version, one Line per package naming
// the lock's [[package]] line. The lock is parsed with go-toml, and the
// lock's own dependency graph decides, as `uv export --no-dev` and `poetry
// export --only main` would, without needing either tool (so the layer's
// hash does not depend on which tools the machine has):
//
//   - uv.lock: from the project (the workspace members, or the package
//     whose source is the project folder) along `dependencies` and the
//     optional dependencies of requested extras, never `dev-dependencies`
//     (dependency groups); an edge whose marker is false on the target is
//     not followed, and of a package locked at several versions (a forked
//     resolution) the edge's version, else the fork whose
//     resolution-markers hold on the target, is taken. The lock's
//     requires-python must admit the target's Python.
//   - poetry.lock: with Poetry 2's per-package groups and markers, the
//     packages of group main whose markers hold on the target; an older
//     lock (Poetry 1: category, or neither) has every non-optional main
//     package.
//
// A needed package from git, a URL or a local path is an error naming the
// lock's line: only index packages are installed for the Lambda platform.
// file names the lock in Line.File and in errors.
func ReadLock(file, kind string, data []byte, target Target) (*Requirements, error) {
	heads, err := packageLines(data)
	if err != nil {
		return nil, tomlError(file, data, err)
	}
	switch kind {
	case KindUVLock:
		return readUVLock(file, data, heads, target)
	case KindPoetryLock:
		return readPoetryLock(file, data, heads, target)
	}
	return nil, fmt.Errorf("%s: not a lock file kind (%s)", file, kind)
}

// packageLines returns the line of each [[package]] header, in order, as
// go-toml's parser reports them.
func packageLines(data []byte) ([]int, error) {
	var p unstable.Parser
	p.Reset(data)
	var lines []int
	line, at := 1, 0
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.ArrayTable {
			continue
		}
		it := e.Key()
		if !it.Next() {
			continue
		}
		key := it.Node()
		if string(key.Data) != "package" || it.Next() {
			continue
		}
		off := int(p.Range(key.Data).Offset)
		if off < at || off > len(data) {
			return nil, fmt.Errorf("[[package]] header out of order")
		}
		line += bytes.Count(data[at:off], []byte("\n"))
		at = off
		lines = append(lines, line)
	}
	return lines, p.Error()
}

// tomlError names file:line:column of a TOML syntax or type error.
func tomlError(file string, data []byte, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		var l diag.List
		l.Errf(file, row, col, "%s", de.Error())
		return l.Err()
	}
	var pe *unstable.ParserError
	if errors.As(err, &pe) {
		var p unstable.Parser
		p.Reset(data)
		sh := p.Shape(p.Range(pe.Highlight))
		var l diag.List
		l.Errf(file, sh.Start.Line, sh.Start.Column, "%s", pe.Message)
		return l.Err()
	}
	return fmt.Errorf("%s: %w", file, err)
}

// uvLock is the part of uv.lock this reader uses.
type uvLock struct {
	Version        int        `toml:"version"`
	RequiresPython string     `toml:"requires-python"`
	Manifest       uvManifest `toml:"manifest"`
	Packages       []uvPkg    `toml:"package"`
}

type uvManifest struct {
	Members []string `toml:"members"`
}

type uvPkg struct {
	Name                 string             `toml:"name"`
	Version              string             `toml:"version"`
	Source               map[string]string  `toml:"source"`
	ResolutionMarkers    []string           `toml:"resolution-markers"`
	Dependencies         []uvDep            `toml:"dependencies"`
	OptionalDependencies map[string][]uvDep `toml:"optional-dependencies"`
	line                 int
}

type uvDep struct {
	Name    string            `toml:"name"`
	Version string            `toml:"version"`
	Source  map[string]string `toml:"source"`
	Marker  string            `toml:"marker"`
	Extra   []string          `toml:"extra"`
}

// sourceKind is the kind of a uv source table ({ registry = "..." }).
func sourceKind(s map[string]string) string {
	for _, k := range []string{"registry", "virtual", "editable", "git", "url", "path", "directory"} {
		if _, ok := s[k]; ok {
			return k
		}
	}
	return ""
}

func readUVLock(file string, data []byte, heads []int, target Target) (*Requirements, error) {
	var lock uvLock
	if err := toml.Unmarshal(data, &lock); err != nil {
		return nil, tomlError(file, data, err)
	}
	if len(heads) != len(lock.Packages) {
		return nil, fmt.Errorf("%s: %d [[package]] headers, %d packages decoded", file, len(heads), len(lock.Packages))
	}
	var diags diag.List
	if lock.RequiresPython != "" {
		ok, err := matchSpecifierSet(target.Python, lock.RequiresPython)
		if err != nil {
			diags.Errf(file, 0, 0, "requires-python %q: %v", lock.RequiresPython, err)
		} else if !ok {
			diags.Errf(file, 0, 0, "requires-python %q excludes the Lambda runtime python%s: set python: in django-serverless.yml to a version the lock admits, or widen requires-python and run uv lock", lock.RequiresPython, target.Python)
		}
		if err := diags.Err(); err != nil {
			return nil, err
		}
	}
	byName := map[string][]int{}
	for i := range lock.Packages {
		p := &lock.Packages[i]
		p.line = heads[i]
		n := NormalizeName(p.Name)
		byName[n] = append(byName[n], i)
	}
	// The roots: the workspace members, else the project folder itself.
	members := map[string]bool{}
	for _, m := range lock.Manifest.Members {
		members[NormalizeName(m)] = true
	}
	type visit struct {
		pkg    int
		extras []string
	}
	var queue []visit
	for i, p := range lock.Packages {
		k := sourceKind(p.Source)
		if k != "virtual" && k != "editable" {
			continue
		}
		if len(members) > 0 && members[NormalizeName(p.Name)] || len(members) == 0 && (p.Source[k] == "." || p.Source[k] == "") {
			queue = append(queue, visit{pkg: i})
		}
	}
	if len(queue) == 0 {
		diags.Errf(file, 0, 0, "no project package (source virtual or editable \".\") in the lock: run uv lock in the project folder")
		return nil, diags.Err()
	}
	roots := map[int]bool{}
	for _, v := range queue {
		roots[v.pkg] = true
	}
	needed := map[int]bool{}
	done := map[string]bool{} // a package, or a package's extra, already followed
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		p := lock.Packages[v.pkg]
		var edges []uvDep
		if key := fmt.Sprint(v.pkg); !done[key] {
			done[key] = true
			edges = append(edges, p.Dependencies...)
		}
		for _, x := range v.extras {
			if key := fmt.Sprint(v.pkg, "[", x, "]"); !done[key] {
				done[key] = true
				edges = append(edges, p.OptionalDependencies[x]...)
			}
		}
		for _, d := range edges {
			ok, err := evalMarker(d.Marker, target)
			if err != nil {
				diags.Errf(file, p.line, 0, "package %s, dependency %s: %v", p.Name, d.Name, err)
				continue
			}
			if !ok {
				continue
			}
			to, err := pickUVPackage(lock.Packages, byName[NormalizeName(d.Name)], d, target)
			if err != nil {
				diags.Errf(file, p.line, 0, "package %s, dependency %s: %v", p.Name, d.Name, err)
				continue
			}
			if !roots[to] {
				needed[to] = true
			}
			queue = append(queue, visit{pkg: to, extras: d.Extra})
		}
	}
	req := &Requirements{Files: []string{file}}
	for _, i := range sortedKeys(needed) {
		p := lock.Packages[i]
		switch k := sourceKind(p.Source); k {
		case "registry":
		case "":
			diags.Errf(file, p.line, 0, "package %s has no source in the lock: run uv lock again", p.Name)
			continue
		default:
			diags.Errf(file, p.line, 0, "package %s comes from a %s source (%s): only index packages can be installed for the Lambda platform; publish it or vendor it", p.Name, k, p.Source[k])
			continue
		}
		if p.Name == "" || p.Version == "" {
			diags.Errf(file, p.line, 0, "package without name or version in uv.lock")
			continue
		}
		req.Lines = append(req.Lines, Line{File: file, Line: p.line, Text: p.Name + "==" + p.Version, Name: NormalizeName(p.Name)})
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	sortLines(req.Lines)
	return req, nil
}

// pickUVPackage chooses the locked package an edge leads to: by the
// edge's version and source when the name is locked more than once, else
// by the fork whose resolution-markers hold on the target.
func pickUVPackage(pkgs []uvPkg, cands []int, d uvDep, target Target) (int, error) {
	if len(cands) == 0 {
		return 0, fmt.Errorf("not locked (run uv lock again)")
	}
	var match []int
	for _, i := range cands {
		p := pkgs[i]
		if d.Version != "" && p.Version != d.Version {
			continue
		}
		if len(d.Source) > 0 && !sameSource(d.Source, p.Source) {
			continue
		}
		match = append(match, i)
	}
	if len(match) == 1 {
		return match[0], nil
	}
	var fit []int
	for _, i := range match {
		holds := len(pkgs[i].ResolutionMarkers) == 0
		for _, m := range pkgs[i].ResolutionMarkers {
			ok, err := evalMarker(m, target)
			if err != nil {
				return 0, err
			}
			holds = holds || ok
		}
		if holds {
			fit = append(fit, i)
		}
	}
	if len(fit) != 1 {
		return 0, fmt.Errorf("%d locked versions fit Python %s on %s: run uv lock again", len(fit), target.Python, target.Architecture)
	}
	return fit[0], nil
}

func sameSource(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// poetryLock is the part of poetry.lock this reader uses.
type poetryLock struct {
	Packages []poetryPkg `toml:"package"`
}

type poetryPkg struct {
	Name     string   `toml:"name"`
	Version  string   `toml:"version"`
	Category string   `toml:"category"` // Poetry 1
	Optional bool     `toml:"optional"`
	Groups   []string `toml:"groups"` // Poetry 2
	// Markers is Poetry 2's: a string for every group, or a table of
	// markers per group.
	Markers any `toml:"markers"`
	Source  struct {
		Type string `toml:"type"`
		URL  string `toml:"url"`
	} `toml:"source"`
}

func readPoetryLock(file string, data []byte, heads []int, target Target) (*Requirements, error) {
	var lock poetryLock
	if err := toml.Unmarshal(data, &lock); err != nil {
		return nil, tomlError(file, data, err)
	}
	if len(heads) != len(lock.Packages) {
		return nil, fmt.Errorf("%s: %d [[package]] headers, %d packages decoded", file, len(heads), len(lock.Packages))
	}
	var diags diag.List
	req := &Requirements{Files: []string{file}}
	for i, p := range lock.Packages {
		line := heads[i]
		main := !p.Optional
		switch {
		case p.Groups != nil:
			main = main && slices.Contains(p.Groups, "main")
		case p.Category != "":
			main = main && p.Category == "main"
		}
		if !main {
			continue
		}
		marker := ""
		switch m := p.Markers.(type) {
		case string:
			marker = m
		case map[string]any:
			if s, ok := m["main"].(string); ok {
				marker = s
			}
		}
		ok, err := evalMarker(marker, target)
		if err != nil {
			diags.Errf(file, line, 0, "package %s: %v", p.Name, err)
			continue
		}
		if !ok {
			continue
		}
		switch p.Source.Type {
		case "", "legacy":
		default:
			diags.Errf(file, line, 0, "package %s comes from a %s source (%s): only index packages can be installed for the Lambda platform; publish it or vendor it", p.Name, p.Source.Type, p.Source.URL)
			continue
		}
		if p.Name == "" || p.Version == "" {
			diags.Errf(file, line, 0, "package without name or version in poetry.lock")
			continue
		}
		req.Lines = append(req.Lines, Line{File: file, Line: line, Text: p.Name + "==" + p.Version, Name: NormalizeName(p.Name)})
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	sortLines(req.Lines)
	return req, nil
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// sortLines orders pins by name, so the layer's hash does not depend on
// the lock's package order.
func sortLines(ls []Line) {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
}

func runCommand(ctx context.Context, dir, name string, args ...string) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.Bytes(), err
}
