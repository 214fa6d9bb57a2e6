package deps

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

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

// exporter is how a lock file is turned into requirements text.
type exporter struct {
	lookPath func(string) (string, error)
	run      func(ctx context.Context, dir, name string, args ...string) ([]byte, []byte, error)
}

// lockRequirements reads a lock file as requirements: with `uv export` or
// `poetry export` when the tool is on PATH (exact, honours groups and
// markers), else by reading the lock's package pins directly (every
// registry package of the lock, at its locked version; uv's dev-only
// packages cannot be told apart without resolving and are included).
// It returns the requirements text and the file name to report.
func (e exporter) lockRequirements(ctx context.Context, root string, src Source) (string, error) {
	dir := filepath.Dir(src.Path)
	switch src.Kind {
	case KindUVLock:
		if uv, err := e.lookPath("uv"); err == nil {
			out, stderr, err := e.run(ctx, dir, uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--format", "requirements-txt")
			if err != nil {
				return "", fmt.Errorf("uv export (%s): %w: %s", src.Path, err, lastLine(stderr))
			}
			return string(out), nil
		}
	case KindPoetryLock:
		if poetry, err := e.lookPath("poetry"); err == nil {
			out, stderr, err := e.run(ctx, dir, poetry, "export", "--format", "requirements.txt", "--only", "main")
			if err == nil {
				return string(out), nil
			}
			_ = stderr // poetry 2 without the export plugin: read the lock instead
		}
	}
	data, err := os.ReadFile(src.Path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", src.Path, err)
	}
	return pinsFromLock(relTo(root, src.Path), src.Kind, data)
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

// pinsFromLock reads [[package]] tables of a uv.lock or poetry.lock (TOML
// read line by line: these files are machine-written with one key per
// line) and returns "name==version" lines. Packages from git, URLs or
// local paths are errors naming file:line; the project itself (uv's
// editable/virtual source) and poetry's non-main packages are left out.
func pinsFromLock(file, kind string, data []byte) (string, error) {
	type pkg struct {
		name, version, source string
		line                  int
		main                  bool
	}
	var pkgs []pkg
	var cur *pkg
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = line
			if line == "[[package]]" {
				pkgs = append(pkgs, pkg{line: n, main: true})
				cur = &pkgs[len(pkgs)-1]
			} else if !strings.HasPrefix(line, "[package.") {
				cur = nil
			}
			continue
		}
		if cur == nil {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch {
		case section == "[[package]]" && key == "name":
			cur.name = strings.Trim(val, `"`)
		case section == "[[package]]" && key == "version":
			cur.version = strings.Trim(val, `"`)
		case section == "[[package]]" && key == "source": // uv: source = { registry = "..." }
			cur.source = strings.TrimSpace(strings.SplitN(strings.Trim(val, "{} "), "=", 2)[0])
		case section == "[package.source]" && key == "type": // poetry
			cur.source = strings.Trim(val, `"`)
		case section == "[[package]]" && key == "category": // poetry 1.x
			cur.main = strings.Trim(val, `"`) == "main"
		case section == "[[package]]" && key == "groups": // poetry 2.x
			cur.main = strings.Contains(val, `"main"`)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	var diags diag.List
	var b strings.Builder
	for _, p := range pkgs {
		switch p.source {
		case "editable", "virtual":
			continue // the project itself
		case "", "registry", "legacy":
		default:
			diags.Errf(file, p.line, 0, "package %s comes from a %s source: only index packages can be installed for the Lambda platform; publish it or vendor it", p.name, p.source)
			continue
		}
		if !p.main {
			continue
		}
		if p.name == "" || p.version == "" {
			diags.Errf(file, p.line, 0, "package without name or version in %s", kind)
			continue
		}
		fmt.Fprintf(&b, "%s==%s\n", p.name, p.version)
	}
	if err := diags.Err(); err != nil {
		return "", err
	}
	return b.String(), nil
}

func runCommand(ctx context.Context, dir, name string, args ...string) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.Bytes(), err
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
