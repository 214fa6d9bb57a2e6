package deps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ResolveOnly names the layer (input hash, platform) without installing
// anything when it is not cached, and returns the cached layer when it is.
func TestResolveOnly(t *testing.T) {
	t.Parallel()
	wh := wheelhouse(t)
	cache := t.TempDir()
	root := project(t, "puremod==1.0\n", time.Unix(1e9, 0))
	// The interpreter does not exist: running the installer would fail.
	o := Options{
		Root: root, Vendor: []string{"vendor"}, Python: "3.12", Architecture: "arm64",
		CacheDir: cache, Installer: "pip", PipPython: filepath.Join(t.TempDir(), "no-python-here"),
		ToolVersion: "test", ExtraArgs: []string{"--no-index", "--find-links", wh}, ResolveOnly: true,
	}
	l, cached, err := Build(context.Background(), o)
	if err != nil {
		t.Fatalf("resolve only ran the installer or failed: %v", err)
	}
	if cached || len(l.Hash) != 64 || l.Platform != "manylinux2014_aarch64" {
		t.Errorf("resolve only: cached=%v hash %q platform %q", cached, l.Hash, l.Platform)
	}
	if l.Path != "" || l.SHA256 != "" || l.PythonDir != "" || l.Size != 0 {
		t.Errorf("resolve only returned a built layer: %+v", l)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("resolve only wrote %d entries into the cache", len(entries))
	}

	// The hash follows the inputs: another requirement, another hash.
	o2 := o
	o2.Root = project(t, "puremod==1.1\n", time.Unix(1e9, 0))
	if l2, _, err := Build(context.Background(), o2); err != nil || l2.Hash == l.Hash {
		t.Errorf("changed requirements: hash %q (was %q), err %v", l2.Hash, l.Hash, err)
	}

	// Build it for real: the same hash names the built layer.
	b := o
	b.ResolveOnly = false
	b.PipPython = pipPython(t)
	built, cached, err := Build(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if cached || built.Hash != l.Hash || built.Path == "" {
		t.Fatalf("build: cached=%v hash %q (resolved %q) path %q", cached, built.Hash, l.Hash, built.Path)
	}

	// Resolve only now returns the cached layer, still without running
	// anything, from a fresh checkout with other mtimes.
	o3 := o
	o3.Root = project(t, "puremod==1.0\n", time.Unix(2e9, 0))
	l3, cached, err := Build(context.Background(), o3)
	if err != nil {
		t.Fatal(err)
	}
	if !cached || l3.Hash != built.Hash || l3.SHA256 != built.SHA256 || l3.Path != built.Path || l3.PythonDir == "" {
		t.Errorf("resolve only after a build: cached=%v %+v, want the built layer %+v", cached, l3, built)
	}
	if _, err := os.Stat(filepath.Join(l3.PythonDir, "puremod", "__init__.py")); err != nil {
		t.Errorf("cached layer's python dir: %v", err)
	}

	// Nothing to install: the same error as a build.
	o4 := o
	o4.Root, o4.Vendor = t.TempDir(), nil
	if _, _, err := Build(context.Background(), o4); !errors.Is(err, ErrNoRequirements) {
		t.Errorf("no requirements: %v, want ErrNoRequirements", err)
	}
}
