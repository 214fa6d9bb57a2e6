package deps

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// gitRepo makes a git repository holding a pure-Python package that
// depends on puremod (from the wheelhouse) and returns its path and the
// commit sha.
func gitRepo(t *testing.T, compiled bool) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git: %v", err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n" +
			"[project]\nname = \"acmetool\"\nversion = \"1.0\"\ndependencies = [\"puremod\"]\n",
		"acmetool/__init__.py": "VALUE = 'from git'\n",
	}
	if compiled {
		// A package with extension modules makes a wheel for this machine
		// only (setuptools is told so without compiling anything).
		files["setup.py"] = "from setuptools import setup\nfrom setuptools.dist import Distribution\n\n" +
			"class BinaryDistribution(Distribution):\n    def has_ext_modules(self):\n        return True\n\nsetup(distclass=BinaryDistribution)\n"
	}
	writeFiles(t, dir, files)
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "acmetool")
	return dir, git("rev-parse", "HEAD")
}

// A VCS requirement pinned to a commit is built into a wheel and installed
// into the layer, its dependencies from the index for the platform; the
// commit is part of the layer's hash.
func TestBuildVCSRequirement(t *testing.T) {
	py := testenv.PythonBuild(t)
	repo, sha := gitRepo(t, false)
	wh := wheelhouse(t)
	root := project(t, "git+file://"+repo+"@"+sha+"#egg=acmetool\n", time.Unix(1e9, 0))
	o := Options{
		Root: root, Python: "3.12", Architecture: "x86_64", CacheDir: t.TempDir(), Installer: "pip", PipPython: py,
		ToolVersion: "test", ExtraArgs: []string{"--no-index", "--find-links", wh}, WheelArgs: []string{"--no-build-isolation"},
	}
	l, _, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	names := zipNames(t, l.Path)
	for _, want := range []string{"python/acmetool/__init__.py", "python/puremod/__init__.py"} {
		if !contains(names, want) {
			t.Errorf("layer lacks %s; has %v", want, names)
		}
	}
	if len(l.Warnings) != 0 {
		t.Errorf("warnings for a pinned commit: %v", l.Warnings)
	}
	// Rendering without building (resolve only): the same hash, no error.
	o.ResolveOnly, o.CacheDir = true, t.TempDir()
	r, _, err := Build(context.Background(), o)
	if err != nil || r.Hash != l.Hash {
		t.Errorf("resolve only: hash %s vs %s, %v", r.Hash, l.Hash, err)
	}
	// A branch instead of the commit: another hash, and a warning.
	o.Root = project(t, "git+file://"+repo+"@main#egg=acmetool\n", time.Unix(1e9, 0))
	r, _, err = Build(context.Background(), o)
	if err != nil || r.Hash == l.Hash || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].Message, `pins revision "main", not a commit sha`) {
		t.Errorf("branch: hash %s, warnings %v, %v", r.Hash, r.Warnings, err)
	}
}

// A URL or VCS requirement with C code builds a wheel for this machine:
// refused with the requirement's file and line.
func TestBuildVCSRequirementCompiled(t *testing.T) {
	py := testenv.PythonBuild(t)
	repo, sha := gitRepo(t, true)
	root := project(t, "git+file://"+repo+"@"+sha+"#egg=acmetool\n", time.Unix(1e9, 0))
	o := Options{
		Root: root, Python: "3.12", Architecture: "arm64", CacheDir: t.TempDir(), Installer: "pip", PipPython: py,
		ToolVersion: "test", ExtraArgs: []string{"--no-index", "--find-links", wheelhouse(t)}, WheelArgs: []string{"--no-build-isolation"},
	}
	_, _, err := Build(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "requirements.txt:2: error: git+file://") ||
		!strings.Contains(err.Error(), "builds a compiled wheel") || !strings.Contains(err.Error(), "not for manylinux2014_aarch64") {
		t.Errorf("error = %v", err)
	}
}
