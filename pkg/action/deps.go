package action

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
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
}

// DepsBuilder builds, or finds, the dependencies layer.
type DepsBuilder interface {
	// BuildLayer returns nil when the project has no dependencies.
	// exists (nil offline) reports whether the layer of an input hash is
	// already in S3.
	BuildLayer(ctx context.Context, p *django.Project, c *config.Config, exists func(hash string) bool) (*DepsLayer, error)
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
}

func (d *PipDeps) options(p *django.Project, c *config.Config, resolveOnly bool) deps.Options {
	req := c.Requirements
	if req == "" {
		req = p.Requirements
	}
	return deps.Options{
		Root: p.Root, Requirements: req, Vendor: c.Vendor, Python: c.Python, Architecture: c.Architecture,
		CacheDir: d.CacheDir, Installer: d.Installer, PipPython: d.PipPython, ExtraArgs: d.ExtraArgs,
		ToolVersion: d.ToolVersion, Log: d.Log, ResolveOnly: resolveOnly,
	}
}

// BuildLayer implements DepsBuilder.
func (d *PipDeps) BuildLayer(ctx context.Context, p *django.Project, c *config.Config, exists func(string) bool) (*DepsLayer, error) {
	l, cached, err := deps.Build(ctx, d.options(p, c, true))
	if errors.Is(err, deps.ErrNoRequirements) {
		return nil, nil
	}
	if err != nil {
		return nil, userError(err)
	}
	out := &DepsLayer{Hash: l.Hash, Platform: l.Platform, Warnings: l.Warnings}
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
	l, _, err = deps.Build(ctx, d.options(p, c, false))
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
// and the dependencies layer on the path (built for this if it was not).
func (d *PipDeps) GenerateSchema(ctx context.Context, p *django.Project, c *config.Config, layer *DepsLayer) ([]byte, error) {
	dir := ""
	if layer != nil {
		dir = layer.PythonDir
		if dir == "" && d.Install {
			l, _, err := deps.Build(ctx, d.options(p, c, false))
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
		py = "python3"
	}
	return deps.GenerateSchema(ctx, py, p.Root, dir, p.SettingsModule, p.GraphQL.Schema)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
