package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/deps"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// DepsLayer is the dependencies layer. Its S3 key is <prefix>/<Hash>.zip,
// where Hash is the SHA-256 of its resolved inputs (requirements, platform,
// Python version, vendored files, installer): the layer is identified before
// it is built, so an unchanged one is neither rebuilt nor uploaded, even on a
// fresh runner without the local cache. The object's own SHA-256 checksum
// still covers its bytes.
type DepsLayer struct {
	Hash     string
	Platform string
	// Zip is the built layer; nil when it was not built (already in S3, or
	// render without --deps and no cached build).
	Zip *bundle.Artifact
	// PythonDir is the unpacked python/ folder of a built layer.
	PythonDir string
	// Exists is true when the bucket already holds the layer's key, its
	// object verified (artifacts.VerifyLayer); Stored is what that object
	// declares (content digest, size, unzipped size).
	Exists bool
	Stored *artifacts.Layer
	// UnzippedSize of a layer in the bucket that was not built here (its
	// object's metadata, else the previous deployment record or the zip's
	// directory in S3).
	UnzippedSize int64
	// Warnings are the requirements' warnings (a VCS branch, a URL without
	// a hash: the layer is not reproducible).
	Warnings diag.List
	// compiler is the bytecode compiler the layer's hash was computed with.
	compiler *bytecode.Compiler
}

// DepsBuilder builds, or finds, the dependencies layer.
type DepsBuilder interface {
	// BuildLayer returns nil when the project has no dependencies.
	// exists (nil offline) reports whether the layer of an input hash is
	// already in S3.
	BuildLayer(ctx context.Context, p *django.Project, c *config.Config, exists func(hash string) bool) (*DepsLayer, error)
}

// CompilingDepsBuilder is a DepsBuilder that compiles the layer's
// bytecode (PipDeps). Bundle hands it the runtime's compiler; a builder
// without it ships sources.
type CompilingDepsBuilder interface {
	DepsBuilder
	// BuildCompiledLayer is BuildLayer with compiler (nil: sources only)
	// compiling the layer's Python files.
	BuildCompiledLayer(ctx context.Context, p *django.Project, c *config.Config, compiler *bytecode.Compiler, exists func(hash string) bool) (*DepsLayer, error)
}

// PipDeps builds the layer with pkg/deps (uv when on PATH, else pip).
type PipDeps struct {
	// Install allows installing packages; false only resolves the input
	// hash and uses a cached build when there is one (render's default,
	// which needs no package index).
	Install bool
	// CacheDir, PipPython, Installer, ExtraArgs: see deps.Options.
	CacheDir  string
	PipPython string
	Installer string
	ExtraArgs []string
	// SchemaPython runs graphene to print the SDL when the project commits
	// none ("python3" when empty).
	SchemaPython string
	ToolVersion  string
	Log          io.Writer
	// LookPath finds executables (exec.LookPath when nil).
	LookPath func(string) (string, error)
}

func (d *PipDeps) options(p *django.Project, c *config.Config, compiler *bytecode.Compiler, resolveOnly bool) deps.Options {
	req := c.Requirements
	if req == "" {
		req = p.Requirements
	}
	return deps.Options{
		Root: p.Root, Requirements: req, Vendor: c.Vendor, Python: c.Python, Architecture: c.Architecture,
		CacheDir: d.CacheDir, Installer: d.Installer, PipPython: d.PipPython, ExtraArgs: d.ExtraArgs,
		ToolVersion: d.ToolVersion, Log: d.Log, ResolveOnly: resolveOnly, Bytecode: compiler,
	}
}

// BuildLayer implements DepsBuilder: a layer of sources only.
func (d *PipDeps) BuildLayer(ctx context.Context, p *django.Project, c *config.Config, exists func(string) bool) (*DepsLayer, error) {
	return d.BuildCompiledLayer(ctx, p, c, nil, exists)
}

var _ CompilingDepsBuilder = (*PipDeps)(nil)

// BuildCompiledLayer implements CompilingDepsBuilder.
func (d *PipDeps) BuildCompiledLayer(ctx context.Context, p *django.Project, c *config.Config, compiler *bytecode.Compiler, exists func(string) bool) (*DepsLayer, error) {
	l, cached, err := deps.Build(ctx, d.options(p, c, compiler, true))
	if errors.Is(err, deps.ErrNoRequirements) {
		return nil, nil
	}
	if err != nil {
		return nil, userError(err)
	}
	out := &DepsLayer{Hash: l.Hash, Platform: l.Platform, Warnings: l.Warnings, compiler: compiler}
	if cached {
		z := l.Artifact
		out.Zip, out.PythonDir = &z, l.PythonDir
	}
	if exists != nil && exists(l.Hash) {
		out.Exists = true
		logf(d.Log, "dependencies layer %s: already uploaded (sha256 verified), not rebuilt", short(l.Hash))
		return out, nil
	}
	if cached || !d.Install {
		if !cached {
			logf(d.Log, "dependencies layer %s: not built (render --deps builds it)", short(l.Hash))
		}
		return out, nil
	}
	l, _, err = deps.Build(ctx, d.options(p, c, compiler, false))
	if errors.Is(err, deps.ErrNetwork) {
		return nil, err // the machine's network, not the project: exit 1
	}
	if err != nil {
		return nil, userError(err)
	}
	z := l.Artifact
	out.Zip, out.PythonDir = &z, l.PythonDir
	return out, nil
}

// GenerateSchema prints the graphene schema's SDL with Python, the project
// and the dependencies on the path. Python is SchemaPython, else
// python<runtime version> ("python3.12", as the action's image ships one
// per Lambda runtime) when on PATH, else python3. The dependencies are the
// layer's (built for this if it was not) when the Lambda architecture is
// this machine's; when they differ, the layer's compiled extensions cannot
// be imported here, so the same requirements are installed for this
// machine (same Python version, cached like any layer) and imported
// instead.
func (d *PipDeps) GenerateSchema(ctx context.Context, p *django.Project, c *config.Config, layer *DepsLayer) ([]byte, error) {
	dir := ""
	if layer != nil {
		dir = layer.PythonDir
		if host := HostArchitecture(); d.Install && normalArch(c.Architecture) != host {
			// Sources suffice to import the project for its schema.
			o := d.options(p, c, nil, false)
			o.Architecture = host
			l, _, err := deps.Build(ctx, o)
			if err != nil {
				return nil, fmt.Errorf("dependencies for schema generation on this %s machine (the layer is for %s): %w", host, normalArch(c.Architecture), err)
			}
			logf(d.Log, "schema generation imports the dependencies installed for this %s machine (%s), not the %s layer", host, short(l.Hash), normalArch(c.Architecture))
			dir = l.PythonDir
		} else if dir == "" && d.Install {
			l, _, err := deps.Build(ctx, d.options(p, c, layer.compiler, false))
			if err != nil {
				return nil, err
			}
			dir = l.PythonDir
		}
	}
	if dir == "" && layer != nil {
		return nil, fmt.Errorf("the dependencies layer is not built here (render --deps builds it)")
	}
	py := d.SchemaPython
	if py == "" {
		py = runtimePython(c.Python, d.lookPath())
	}
	sdl, err := deps.GenerateSchema(ctx, py, p.Root, dir, p.SettingsModule, p.GraphQL.Schema)
	return sdl, adapter.ExplainPython(err, py, "")
}

// HostArchitecture is this machine's architecture in Lambda's words
// (x86_64 or arm64).
func HostArchitecture() string { return normalArch(runtime.GOARCH) }

func normalArch(a string) string {
	switch a {
	case "arm64", "aarch64":
		return "arm64"
	}
	return "x86_64"
}

// runtimePython is python<version> when on PATH, else python3.
func runtimePython(version string, lookPath func(string) (string, error)) string {
	if version != "" {
		if p, err := lookPath("python" + version); err == nil {
			return p
		}
	}
	return "python3"
}

func (d *PipDeps) lookPath() func(string) (string, error) {
	if d.LookPath != nil {
		return d.LookPath
	}
	return exec.LookPath
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
