package bytecode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EnvPython names the interpreter to compile with: a path or a command on
// PATH, which must be CPython of the runtime's version; "off" ships sources
// only. Unset, Find searches (see Finder.Find).
const EnvPython = "DJANGO_SERVERLESS_BYTECODE_PYTHON"

// Interpreter is a CPython interpreter checked to be a final release of one
// minor version.
type Interpreter struct {
	// Path is the interpreter's executable (sys.executable when it has
	// one, so a pyenv shim resolves to the real binary).
	Path string
	// Version is the minor version, "3.12"; Full is "3.12.1".
	Version, Full string
	// CacheTag is sys.implementation.cache_tag ("cpython-312"): .pyc files
	// go to __pycache__/<module>.<CacheTag>.pyc.
	CacheTag string
	// Magic is importlib.util.MAGIC_NUMBER in hex; every interpreter of a
	// minor version (final releases) shares it.
	Magic string
}

func (i *Interpreter) String() string { return fmt.Sprintf("CPython %s (%s)", i.Full, i.Path) }

// ErrOff is returned by Find when EnvPython is "off".
var ErrOff = errors.New(EnvPython + "=off: bytecode compilation turned off")

// NotFoundError says no interpreter of the version was found, and where
// Find looked.
type NotFoundError struct {
	Version string
	Tried   []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no CPython %s interpreter found (%s); install python%s or name one with %s",
		e.Version, strings.Join(e.Tried, "; "), e.Version, EnvPython)
}

// Finder finds the interpreter of a runtime version. The zero value reads
// the process environment and PATH.
type Finder struct {
	// Getenv reads the environment (os.Getenv when nil): EnvPython,
	// PYENV_ROOT, UV_PYTHON_INSTALL_DIR, XDG_DATA_HOME, HOME.
	Getenv func(string) string
	// LookPath finds commands on PATH (exec.LookPath when nil).
	LookPath func(string) (string, error)
}

// versionRe is a runtime version as the configuration gives it.
var versionRe = regexp.MustCompile(`^3\.[0-9]{1,2}$`)

// Find returns the first CPython interpreter of version ("3.12") among, in
// order: EnvPython when set (it must match, else an error); python3.12,
// python3 and python on PATH; pyenv's versions ($PYENV_ROOT or
// ~/.pyenv/versions/3.12.*, newest first); uv's managed Pythons
// ($UV_PYTHON_INSTALL_DIR or ~/.local/share/uv/python/cpython-3.12.*);
// /usr/local/bin and /usr/bin. Each candidate is run to read its version, so
// a pyenv shim of another version, a PyPy or a pre-release is passed over.
// Without one it returns a *NotFoundError naming where it looked.
func (f Finder) Find(ctx context.Context, version string) (*Interpreter, error) {
	if !versionRe.MatchString(version) {
		return nil, fmt.Errorf("python version %q: want 3.N", version)
	}
	getenv := f.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	lookPath := f.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	// PATH and HOME let a pyenv shim or a wrapper script find its
	// interpreter; the probe reports the real executable, which is what
	// compiles.
	var shellEnv []string
	for _, k := range []string{"PATH", "HOME", "PYENV_ROOT"} {
		if v := getenv(k); v != "" {
			shellEnv = append(shellEnv, k+"="+v)
		}
	}
	if want := strings.TrimSpace(getenv(EnvPython)); want != "" {
		if strings.EqualFold(want, "off") {
			return nil, ErrOff
		}
		exe := want
		if !strings.ContainsRune(want, filepath.Separator) {
			p, err := lookPath(want)
			if err != nil {
				return nil, fmt.Errorf("%s=%s: %w", EnvPython, want, err)
			}
			exe = p
		}
		in, err := probe(ctx, exe, shellEnv)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", EnvPython, want, err)
		}
		if in.Version != version {
			return nil, fmt.Errorf("%s=%s is Python %s, the Lambda runtime is python%s: its bytecode would not load there", EnvPython, want, in.Full, version)
		}
		return in, nil
	}

	nf := &NotFoundError{Version: version}
	seen := map[string]bool{}
	try := func(exe, where string) *Interpreter {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		if seen[exe] {
			return nil
		}
		seen[exe] = true
		in, err := probe(ctx, exe, shellEnv)
		switch {
		case err != nil:
			nf.Tried = append(nf.Tried, fmt.Sprintf("%s %s: %v", where, exe, err))
		case in.Version != version:
			nf.Tried = append(nf.Tried, fmt.Sprintf("%s %s is %s", where, exe, in.Full))
		default:
			return in
		}
		return nil
	}

	onPath := false
	for _, name := range []string{"python" + version, "python3", "python"} {
		if p, err := lookPath(name); err == nil {
			onPath = true
			if in := try(p, "PATH"); in != nil {
				return in, nil
			}
		}
	}
	if !onPath {
		nf.Tried = append(nf.Tried, "no python"+version+", python3 or python on PATH")
	}

	home := getenv("HOME")
	pyenvRoot := getenv("PYENV_ROOT")
	if pyenvRoot == "" && home != "" {
		pyenvRoot = filepath.Join(home, ".pyenv")
	}
	uvDir := getenv("UV_PYTHON_INSTALL_DIR")
	if uvDir == "" {
		data := getenv("XDG_DATA_HOME")
		if data == "" && home != "" {
			data = filepath.Join(home, ".local", "share")
		}
		if data != "" {
			uvDir = filepath.Join(data, "uv", "python")
		}
	}
	for _, m := range []struct {
		where, dir, prefix string
	}{
		{"pyenv", filepath.Join(pyenvRoot, "versions"), ""},
		{"uv", uvDir, "cpython-"},
	} {
		if m.dir == "" || m.dir == "versions" {
			continue
		}
		found := false
		for _, d := range installs(m.dir, m.prefix, version) {
			exe := filepath.Join(m.dir, d, "bin", "python"+version)
			if _, err := os.Stat(exe); err != nil {
				continue
			}
			found = true
			if in := try(exe, m.where); in != nil {
				return in, nil
			}
		}
		if !found {
			nf.Tried = append(nf.Tried, fmt.Sprintf("%s: no %s* in %s", m.where, m.prefix+version+".", m.dir))
		}
	}
	for _, dir := range []string{"/usr/local/bin", "/usr/bin"} {
		exe := filepath.Join(dir, "python"+version)
		if _, err := os.Stat(exe); err == nil {
			if in := try(exe, "system"); in != nil {
				return in, nil
			}
		}
	}
	return nil, nf
}

// installs lists the entries of dir named prefix+version+".<patch>..."
// (pyenv's "3.12.1", uv's "cpython-3.12.1-linux-x86_64-gnu"), newest patch
// first; pre-releases ("3.13.0rc1") sort after finals and are rejected by
// Probe.
func installs(dir, prefix, version string) []string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	type inst struct {
		name  string
		patch int
		final bool
	}
	var out []inst
	lead := prefix + version + "."
	for _, de := range des {
		rest, ok := strings.CutPrefix(de.Name(), lead)
		if !ok {
			continue
		}
		digits := rest
		if i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			digits = rest[:i]
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			continue
		}
		tail := rest[len(digits):]
		out = append(out, inst{de.Name(), n, tail == "" || strings.HasPrefix(tail, "-") && !strings.HasPrefix(tail, "-dev")})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].final != out[j].final {
			return out[i].final
		}
		if out[i].patch != out[j].patch {
			return out[i].patch > out[j].patch
		}
		return out[i].name < out[j].name
	})
	names := make([]string, len(out))
	for i, o := range out {
		names[i] = o.name
	}
	return names
}

// probeScript prints what Find needs to know of an interpreter.
const probeScript = `import importlib.util, json, sys
v = sys.version_info
print(json.dumps({"impl": sys.implementation.name, "version": [v.major, v.minor, v.micro, v.releaselevel],
    "cache_tag": sys.implementation.cache_tag, "magic": importlib.util.MAGIC_NUMBER.hex(),
    "executable": sys.executable}))
`

// Probe runs exe and returns it as an Interpreter when it is a final
// release of CPython 3.
func Probe(ctx context.Context, exe string) (*Interpreter, error) { return probe(ctx, exe, nil) }

func probe(ctx context.Context, exe string, extraEnv []string) (*Interpreter, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-S", "-s", "-E", "-c", probeScript)
	cmd.Env = append(cleanEnv(), extraEnv...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return nil, fmt.Errorf("does not run: %s", lastLine(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("does not run: %w", err)
	}
	var p struct {
		Impl       string `json:"impl"`
		Version    []any  `json:"version"`
		CacheTag   string `json:"cache_tag"`
		Magic      string `json:"magic"`
		Executable string `json:"executable"`
	}
	if err := json.Unmarshal(out, &p); err != nil || len(p.Version) != 4 {
		return nil, fmt.Errorf("unexpected answer to the version probe: %q", lastLine(string(out)))
	}
	major, _ := p.Version[0].(float64)
	minor, _ := p.Version[1].(float64)
	micro, _ := p.Version[2].(float64)
	level, _ := p.Version[3].(string)
	full := fmt.Sprintf("%d.%d.%d", int(major), int(minor), int(micro))
	if p.Impl != "cpython" {
		return nil, fmt.Errorf("is %s %s, not CPython", p.Impl, full)
	}
	if level != "final" {
		return nil, fmt.Errorf("is CPython %s %s, a pre-release (its magic number may differ from the release's)", full, level)
	}
	wantTag := fmt.Sprintf("cpython-%d%d", int(major), int(minor))
	if p.CacheTag != wantTag || p.Magic == "" {
		return nil, fmt.Errorf("is CPython %s with cache tag %q, not %q", full, p.CacheTag, wantTag)
	}
	path := p.Executable
	if path == "" {
		path = exe
	}
	return &Interpreter{
		Path: path, Version: fmt.Sprintf("%d.%d", int(major), int(minor)), Full: full,
		CacheTag: p.CacheTag, Magic: p.Magic,
	}, nil
}

// cleanEnv is the whole environment of the interpreters run here: nothing
// of the caller's PYTHON* variables (PYTHONPATH, PYTHONSTARTUP,
// PYTHONOPTIMIZE...) reaches them, and string hashing is fixed.
func cleanEnv() []string {
	return []string{"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "LC_ALL=C.UTF-8"}
}

// lastLine is the last line of s: what went wrong, after a traceback.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}
