package deps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Options says what to build and how.
type Options struct {
	// Root is the Django root; Requirements and Vendor are relative to it.
	Root         string
	Requirements string   // the config's requirements:, "" = detect
	Vendor       []string // the config's vendor: folders
	Python       string   // target Python version, "3.12"
	Architecture string   // "arm64" or "x86_64"
	// CacheDir holds built layers, one folder per input hash; "" uses
	// DefaultCacheDir. Persist it between CI runs (actions/cache on
	// ~/.cache/django-serverless/deps keyed on the requirements files).
	CacheDir string
	// Installer is "pip", "uv" or "" (uv when on PATH, else pip).
	Installer string
	// PipPython runs pip ("python3" when empty). The interpreter's own
	// version does not matter: pip installs for Python and Platform.
	PipPython string
	// ExtraArgs are appended to the install command, e.g. "--no-index",
	// "--find-links", DIR. They are part of the layer hash.
	ExtraArgs []string
	// WheelArgs are appended to the `pip wheel` that builds URL and VCS
	// requirements (e.g. "--no-build-isolation" offline).
	WheelArgs []string
	// ToolVersion is this program's version, part of the layer hash so a
	// release that changes how layers are built rebuilds them.
	ToolVersion string
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// LookPath finds executables (exec.LookPath when nil).
	LookPath func(string) (string, error)
	// ResolveOnly computes the input hash and returns the cached layer when
	// there is one, but installs nothing: without a cached layer the Layer
	// has only Hash and Platform set.
	ResolveOnly bool
	// Bytecode compiles the layer's Python files with the runtime's
	// interpreter (unchecked hash-based .pyc files, as /opt/python/...)
	// once, when the layer is built: the cache holds the compiled layer.
	// Nil ships sources only. The compiler's identity (version, magic
	// number) is part of the input hash.
	Bytecode *bytecode.Compiler
}

// Layer is a built dependencies layer.
type Layer struct {
	bundle.Artifact
	// Warnings are the requirements' warnings (a VCS branch that makes the
	// layer non-reproducible, ...), set also when nothing is built.
	Warnings diag.List
	// Hash is the hex SHA-256 of the layer's inputs: the cache key.
	Hash string
	// PythonDir is the unzipped python/ folder, for running Python with
	// the dependencies on its path (schema generation).
	PythonDir string
	// Platform is the pip platform tag the layer targets.
	Platform string
}

// ErrNoRequirements is returned by Build when the project declares no
// requirements and no vendor folders.
var ErrNoRequirements = errors.New("no requirements.txt, uv.lock or poetry.lock found and no vendor folders configured")

// DefaultCacheDir is $XDG_CACHE_HOME/django-serverless/deps, or
// ~/.cache/django-serverless/deps when xdgCacheHome is empty.
func DefaultCacheDir(home, xdgCacheHome string) string {
	base := xdgCacheHome
	if base == "" {
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "django-serverless", "deps")
}

// Platform returns the pip platform tag for a Lambda architecture.
func Platform(arch string) (string, error) {
	switch arch {
	case "arm64", "aarch64":
		return "manylinux2014_aarch64", nil
	case "x86_64", "amd64", "":
		return "manylinux2014_x86_64", nil
	}
	return "", fmt.Errorf("architecture %q: want arm64 or x86_64", arch)
}

const hashVersion = "django-serverless deps layer v1"

// layerMeta is stored beside layer.zip in the cache.
type layerMeta struct {
	SHA256        string `json:"sha256"`
	Size          int64  `json:"size"`
	Files         int    `json:"files"`
	UnzippedBytes int64  `json:"unzipped_bytes"`
	// Bytecode is the compiler's identity, "" for a sources-only layer;
	// Compiled counts the .pyc files.
	Bytecode string `json:"bytecode,omitempty"`
	Compiled int    `json:"compiled,omitempty"`
}

// Build returns the dependencies layer for o, from the cache when a layer
// with the same input hash was built before (cached is true then, and no
// installer runs). The hash covers the requirements as pip reads them
// (includes expanded, comments and layout normalized), the constraints,
// the platform, the Python version, the installer and its extra
// arguments, the vendored files' paths and contents, ToolVersion and the
// bytecode compiler's identity (Options.Bytecode).
// A dependency without a wheel for the platform is an error naming it,
// its requirements file and line, and the platform.
func Build(ctx context.Context, o Options) (Layer, bool, error) {
	if o.Python == "" {
		o.Python = "3.12"
	}
	platform, err := Platform(o.Architecture)
	if err != nil {
		return Layer{}, false, err
	}
	lookPath := o.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	installer, err := pickInstaller(o.Installer, lookPath)
	if err != nil {
		return Layer{}, false, err
	}

	reqs, err := loadRequirements(ctx, o, lookPath)
	if err != nil {
		return Layer{}, false, err
	}
	vendored, err := vendorFiles(o.Root, o.Vendor)
	if err != nil {
		return Layer{}, false, err
	}
	if reqs == nil && len(o.Vendor) == 0 {
		return Layer{}, false, fmt.Errorf("dependencies layer of %s: %w", o.Root, ErrNoRequirements)
	}

	h := sha256.New()
	fmt.Fprintf(h, "%s\ntool %s\nplatform %s\npython %s\ninstaller %s\nargs %q\n", hashVersion, o.ToolVersion, platform, o.Python, installer, o.ExtraArgs)
	if reqs != nil {
		fmt.Fprintf(h, "requirements\n%sconstraints\n%s", hashText(reqs.Lines), hashText(reqs.Constraints))
	}
	for _, v := range vendored {
		fmt.Fprintf(h, "vendor %s %s %s\n", v.rel, v.mode, v.sum)
	}
	compiler := "none"
	if o.Bytecode != nil {
		compiler = o.Bytecode.Identity(bytecode.Unchecked)
		if o.Bytecode.Python.Version != o.Python {
			return Layer{}, false, fmt.Errorf("dependencies layer: bytecode compiler is Python %s, the runtime is python%s", o.Bytecode.Python.Full, o.Python)
		}
	}
	fmt.Fprintf(h, "bytecode %s\n", compiler)
	hash := hex.EncodeToString(h.Sum(nil))

	cacheDir := o.CacheDir
	if cacheDir == "" {
		home, _ := os.UserHomeDir()
		cacheDir = DefaultCacheDir(home, os.Getenv("XDG_CACHE_HOME"))
	}
	var warns diag.List
	if reqs != nil {
		warns = reqs.Warnings
	}
	final := filepath.Join(cacheDir, hash)
	if l, ok := readCached(final); ok {
		l.Hash, l.Platform, l.Warnings = hash, platform, warns
		logf(o.Log, "dependencies layer %s: cached (%s)\n", hash[:12], final)
		return l, true, nil
	}
	if o.ResolveOnly {
		return Layer{Hash: hash, Platform: platform, Warnings: warns}, false, nil
	}

	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return Layer{}, false, fmt.Errorf("dependencies layer cache %s: %w", cacheDir, err)
	}
	tmp, err := os.MkdirTemp(cacheDir, ".build-")
	if err != nil {
		return Layer{}, false, fmt.Errorf("dependencies layer cache %s: %w", cacheDir, err)
	}
	defer os.RemoveAll(tmp) // after the rename below this is a no-op
	pyDir := filepath.Join(tmp, "python")
	if err := os.MkdirAll(pyDir, 0o755); err != nil {
		return Layer{}, false, err
	}
	if reqs != nil && hasRequirements(reqs) {
		logf(o.Log, "dependencies layer %s: installing for %s, Python %s with %s\n", hash[:12], platform, o.Python, installer)
		if err := install(ctx, o, installer, platform, reqs, tmp, pyDir); err != nil {
			return Layer{}, false, err
		}
	}
	for _, v := range vendored {
		if err := copyFile(v.abs, filepath.Join(pyDir, filepath.FromSlash(v.dest)), v.mode); err != nil {
			return Layer{}, false, fmt.Errorf("vendor %s: %w", v.rel, err)
		}
	}
	zo := bundle.Options{Prefix: "python/"}
	if o.Bytecode != nil {
		logf(o.Log, "dependencies layer %s: compiling with %s\n", hash[:12], o.Bytecode.Python)
		zo.Bytecode = &bundle.Bytecode{Compiler: o.Bytecode, Mode: bytecode.Unchecked, Root: bundle.LayerRoot}
	}
	var zst bundle.Stats
	art, err := bundle.Build(tmp, "deps-layer", func(w io.Writer) error {
		var err error
		zst, err = bundle.ZipDir(ctx, w, pyDir, zo)
		return err
	})
	if err != nil {
		return Layer{}, false, fmt.Errorf("dependencies layer: %w", err)
	}
	if n := len(zst.Uncompiled); n > 0 {
		u := zst.Uncompiled[0]
		logf(o.Log, "dependencies layer %s: %d Python files do not compile with %s and ship as source only (first: %s line %d: %s)\n",
			hash[:12], n, o.Bytecode.Python, u.Path, u.Line, u.Err)
	}
	if err := os.Rename(art.Path, filepath.Join(tmp, "layer.zip")); err != nil {
		return Layer{}, false, err
	}
	lm := layerMeta{SHA256: art.SHA256, Size: art.Size, Files: art.Stats.Files, UnzippedBytes: art.Stats.UnzippedBytes, Compiled: zst.Compiled}
	if o.Bytecode != nil {
		lm.Bytecode = compiler
	}
	meta, _ := json.MarshalIndent(lm, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "layer.json"), append(meta, '\n'), 0o644); err != nil {
		return Layer{}, false, err
	}
	if err := os.Rename(tmp, final); err != nil {
		// Another build of the same inputs won the race: use it.
		if l, ok := readCached(final); ok {
			l.Hash, l.Platform, l.Warnings = hash, platform, warns
			return l, false, nil
		}
		return Layer{}, false, fmt.Errorf("dependencies layer cache %s: %w", final, err)
	}
	l, ok := readCached(final)
	if !ok {
		return Layer{}, false, fmt.Errorf("dependencies layer cache %s: unreadable after build", final)
	}
	l.Hash, l.Platform, l.Warnings = hash, platform, warns
	logf(o.Log, "dependencies layer %s: built %s (%s, %d of them bytecode, %s unzipped)\n", hash[:12], l.Name, human.Count(l.Stats.Files, "file"), l.Stats.Compiled, human.Bytes(l.Stats.UnzippedBytes))
	return l, false, nil
}

func hasRequirements(r *Requirements) bool {
	for _, l := range r.Lines {
		if l.Name != "" {
			return true
		}
	}
	return false
}

// readCached loads a cached layer, checking the zip's size and digest
// (a damaged cache entry is rebuilt, not uploaded).
func readCached(dir string) (Layer, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "layer.json"))
	if err != nil {
		return Layer{}, false
	}
	var m layerMeta
	if json.Unmarshal(data, &m) != nil {
		return Layer{}, false
	}
	zipPath := filepath.Join(dir, "layer.zip")
	f, err := os.Open(zipPath)
	if err != nil {
		return Layer{}, false
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return Layer{}, false
	}
	return Layer{
		Artifact: bundle.Artifact{Name: "deps-layer", SHA256: m.SHA256, Size: m.Size, Path: zipPath,
			Stats: bundle.Stats{Files: m.Files, UnzippedBytes: m.UnzippedBytes, Compiled: m.Compiled}},
		PythonDir: filepath.Join(dir, "python"),
	}, true
}

func pickInstaller(want string, lookPath func(string) (string, error)) (string, error) {
	switch want {
	case "pip", "uv":
		return want, nil
	case "":
		if _, err := lookPath("uv"); err == nil {
			return "uv", nil
		}
		return "pip", nil
	}
	return "", fmt.Errorf("installer %q: want pip or uv", want)
}

func loadRequirements(ctx context.Context, o Options, lookPath func(string) (string, error)) (*Requirements, error) {
	src, ok, err := Detect(o.Root, o.Requirements)
	if err != nil || !ok {
		return nil, err
	}
	if src.Kind == KindRequirements {
		return ParseRequirements(o.Root, src.Path)
	}
	data, err := os.ReadFile(src.Path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src.Path, err)
	}
	return ReadLock(relTo(o.Root, src.Path), src.Kind, data, Target{Python: o.Python, Architecture: o.Architecture})
}

func install(ctx context.Context, o Options, installer, platform string, reqs *Requirements, tmp, pyDir string) error {
	lines, err := buildDirect(ctx, o, platform, reqs.Lines, tmp)
	if err != nil {
		return err
	}
	reqFile := filepath.Join(tmp, "requirements.txt")
	if err := os.WriteFile(reqFile, []byte(pipText(lines)), 0o644); err != nil {
		return err
	}
	var args []string
	var name string
	arch := strings.TrimPrefix(platform, "manylinux2014_")
	switch installer {
	case "uv":
		name = "uv"
		args = []string{"pip", "install", "--python-platform", arch + "-manylinux_2_28", "--python-version", o.Python,
			"--only-binary", ":all:", "--no-compile", "--target", pyDir, "-r", reqFile}
	default:
		name = o.PipPython
		if name == "" {
			name = "python3"
		}
		args = []string{"-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--no-compile",
			"--platform", platform, "--platform", "manylinux_2_28_" + arch,
			"--implementation", "cp", "--python-version", o.Python, "--only-binary=:all:",
			"--target", pyDir, "-r", reqFile}
	}
	if len(reqs.Constraints) > 0 {
		cFile := filepath.Join(tmp, "constraints.txt")
		if err := os.WriteFile(cFile, []byte(pipText(reqs.Constraints)), 0o644); err != nil {
			return err
		}
		args = append(args, "-c", cFile)
	}
	args = append(args, o.ExtraArgs...)
	stdout, stderr, err := runStreaming(ctx, tmp, o.Log, "  "+installer+": ", name, args...)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("install dependencies: %w", ctx.Err())
	}
	if where, why, ok := networkFailure(string(stdout) + "\n" + string(stderr)); ok {
		return networkError(installer, platform, o.Python, where, why)
	}
	return installError(installer, platform, o.Python, reqs, stderr, err)
}

// buildDirect builds each URL or VCS requirement into a wheel on this
// machine (pip wheel --no-deps; its dependencies are then installed from
// the index for the platform like any other) and returns the lines with
// the wheel in their place. A wheel that is not pure Python was built for
// this machine, not for Lambda: an error naming the requirement.
func buildDirect(ctx context.Context, o Options, platform string, lines []Line, tmp string) ([]Line, error) {
	out := append([]Line(nil), lines...)
	py := o.PipPython
	if py == "" {
		py = "python3"
	}
	for i, l := range out {
		if !l.Direct {
			continue
		}
		dir := filepath.Join(tmp, "direct", fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		one := filepath.Join(dir, "requirement.txt")
		if err := os.WriteFile(one, []byte(l.Text+"\n"), 0o644); err != nil {
			return nil, err
		}
		args := append([]string{"-m", "pip", "wheel", "--disable-pip-version-check", "--no-input", "--no-deps",
			"--wheel-dir", filepath.Join(dir, "wheel"), "-r", one}, o.WheelArgs...)
		logf(o.Log, "dependencies layer: building %s\n", l.Text)
		_, stderr, err := runCommand(ctx, dir, py, args...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("build %s: %w", l.Text, ctx.Err())
			}
			var dl diag.List
			dl.Errf(l.File, l.Line, 0, "build %s into a wheel with %s -m pip wheel: %v: %s", l.Text, py, err, lastErrorLine(string(stderr)))
			return nil, dl.Err()
		}
		wheels, _ := filepath.Glob(filepath.Join(dir, "wheel", "*.whl"))
		if len(wheels) != 1 {
			var dl diag.List
			dl.Errf(l.File, l.Line, 0, "build %s: pip wheel made %d wheels, want 1", l.Text, len(wheels))
			return nil, dl.Err()
		}
		if !strings.HasSuffix(wheels[0], "-none-any.whl") {
			var dl diag.List
			dl.Errf(l.File, l.Line, 0, "%s builds a compiled wheel (%s) on this machine, not for %s: it cannot go into the Lambda layer; vendor a wheel built for the platform (vendor: in django-serverless.yml)",
				l.Text, filepath.Base(wheels[0]), platform)
			return nil, dl.Err()
		}
		out[i].wheel = wheels[0]
	}
	return out, nil
}

var (
	pipNoDist   = regexp.MustCompile(`No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)`)
	pipNoVer    = regexp.MustCompile(`Could not find a version that satisfies the requirement ([A-Za-z0-9][A-Za-z0-9._-]*)`)
	uvNoWheel   = regexp.MustCompile(`Because (?:only )?([A-Za-z0-9][A-Za-z0-9._-]*)\S* (?:was not found|has no wheels|has no usable wheels|is not available|is unusable)`)
	uvNoVersion = regexp.MustCompile(`no version of ([A-Za-z0-9][A-Za-z0-9._-]*)`)
)

// installError names the dependency the installer could not install for
// the platform, with its requirements file and line when it is a direct
// requirement, and keeps the installer's last line as the cause.
func installError(installer, platform, python string, reqs *Requirements, stderr []byte, err error) error {
	text := string(stderr)
	var name string
	for _, re := range []*regexp.Regexp{pipNoDist, pipNoVer, uvNoWheel, uvNoVersion} {
		if m := re.FindStringSubmatch(text); m != nil {
			name = m[1]
			break
		}
	}
	cause := lastErrorLine(text)
	if name == "" {
		return fmt.Errorf("install dependencies with %s for %s, Python %s: %w: %s", installer, platform, python, err, cause)
	}
	msg := fmt.Sprintf("dependency %s has no wheel for %s (CPython %s) in the configured indexes: pin a version that publishes one, vendor a prebuilt copy (vendor: in django-serverless.yml), or remove it (%s: %s)",
		name, platform, python, installer, cause)
	var l diag.List
	if at, ok := reqs.Names()[NormalizeName(name)]; ok {
		l.Errf(at.File, at.Line, 0, "%s", msg)
	} else {
		l.Errf("", 0, 0, "%s (a dependency of another requirement)", msg)
	}
	return l.Err()
}

func lastErrorLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, "ERROR:") || strings.HasPrefix(t, "error:") || strings.HasPrefix(t, "×") {
			return t
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

type vendorFile struct {
	rel  string // path relative to the Django root, slash-separated
	dest string // path inside python/
	abs  string
	mode fs.FileMode
	sum  string
}

// vendorFiles lists the files of the vendor folders, sorted, with their
// digests. A vendor folder's contents go to the layer's python/ folder.
func vendorFiles(root string, vendor []string) ([]vendorFile, error) {
	var out []vendorFile
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	for _, v := range vendor {
		dir := filepath.Join(root, filepath.FromSlash(v))
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("vendor folder %s (the config's vendor:) not found in %s", v, root)
		}
		// A vendor folder is part of the project: not a path, nor a
		// symlink, that leads out of it.
		real, err := filepath.EvalSymlinks(dir)
		if rel, rerr := filepath.Rel(realRoot, real); err != nil || rerr != nil || !filepath.IsLocal(rel) {
			return nil, fmt.Errorf("vendor folder %s (the config's vendor:) leads out of the project %s: vendor only folders inside it", v, root)
		}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "__pycache__" || d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil // symlinks and special files stay out
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			sum, err := fileSHA256(p)
			if err != nil {
				return err
			}
			inside, _ := filepath.Rel(dir, p)
			rel, _ := filepath.Rel(root, p)
			mode := fs.FileMode(0o644)
			if info.Mode()&0o111 != 0 {
				mode = 0o755
			}
			out = append(out, vendorFile{rel: filepath.ToSlash(rel), dest: filepath.ToSlash(inside), abs: p, mode: mode, sum: sum})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("vendor folder %s: %w", v, err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyFile(src, dst string, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}

// MaxLayers is how many layers Lambda lets a function use.
const MaxLayers = 5

// CheckLimits checks a function's code package and layers against
// Lambda's limits: at most MaxLayers layers and 250 MB unzipped in all.
func CheckLimits(function string, code bundle.Artifact, layers ...bundle.Artifact) error {
	if len(layers) > MaxLayers {
		names := make([]string, len(layers))
		for i, l := range layers {
			names[i] = l.Name
		}
		return fmt.Errorf("function %s uses %d layers (%s), Lambda allows %d: merge vendor folders into the dependencies layer", function, len(layers), strings.Join(names, ", "), MaxLayers)
	}
	return bundle.CheckUnzipped(function, append([]bundle.Artifact{code}, layers...)...)
}
