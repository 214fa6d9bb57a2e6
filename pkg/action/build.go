// Package action is the orchestration shared by the CLI and the GitHub
// Action: config -> discovery -> plan -> bundles -> templates (Build, no
// network), then S3 uploads and change sets (Run, through injected clients).
package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/graphql"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/render"
)

// BuildOptions say what to build.
type BuildOptions struct {
	// ProjectDir is the repository or Django folder (--project).
	ProjectDir string
	// ConfigFile is --config; "" looks beside manage.py, then in ProjectDir.
	ConfigFile string
	// Environment is --env (dev, prod, pr-7, ...).
	Environment string
	// WorkDir receives the zips (<sha256>.zip). Required.
	WorkDir string
	// Deps builds the dependencies layer; nil renders without one (the
	// project must then bring no requirements, or Render warns).
	Deps DepsBuilder
	// Log receives progress and warnings.
	Log io.Writer
}

// DepsBuilder builds, or finds in its cache, the dependencies layer. The
// artifact's SHA256 names its S3 key.
type DepsBuilder interface {
	BuildLayer(ctx context.Context, p *django.Project, c *config.Config, workDir string) (bundle.Artifact, error)
}

// Build is everything CloudFormation needs, built without AWS access.
type Build struct {
	Project *django.Project
	Config  *config.Config
	Plan    *plan.Plan
	Output  *render.Output
	// Zips in upload order (dependencies, project, runtime, code).
	Zips []bundle.Artifact
	// Diagnostics are the warnings and notes of every stage.
	Diagnostics diag.List
}

// ErrConfig marks configuration and discovery errors (exit code 2).
var ErrConfig = errors.New("configuration error")

// configError wraps a user error so callers can map it to exit code 2 and
// annotate its file and line.
type configError struct{ err error }

func (e configError) Error() string        { return e.err.Error() }
func (e configError) Unwrap() []error      { return []error{ErrConfig, e.err} }
func userError(err error) error            { return configError{err} }
func logf(w io.Writer, f string, a ...any) { fmt.Fprintf(w, f+"\n", a...) }

// NewPlan discovers the project, resolves the configuration and plans the
// deployment: enough to name the stack, without building anything.
func NewPlan(ctx context.Context, o BuildOptions) (*Build, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Environment == "" {
		o.Environment = "dev"
	}
	b := &Build{}

	p, err := django.Discover(o.ProjectDir)
	if err != nil {
		return nil, userError(err)
	}
	b.Project = p
	b.Diagnostics = append(b.Diagnostics, p.Diagnostics.Warnings()...)
	if errs := p.Diagnostics.Errors(); len(errs) > 0 {
		// Discovery goes on past broken files; their problems are reported
		// with file and line, and the routes they hid go to the catch-all.
		for _, d := range errs {
			d.Severity = diag.Warning
			b.Diagnostics = append(b.Diagnostics, d)
		}
	}

	cfg, err := loadConfig(o, p)
	if err != nil {
		return nil, err
	}
	b.Config = cfg
	b.Diagnostics = append(b.Diagnostics, cfg.UnusedRules(p.Routes)...)

	pl, warns, err := plan.New(p, cfg)
	b.Diagnostics = append(b.Diagnostics, warns...)
	if err != nil {
		return nil, userError(err)
	}
	b.Plan = pl
	return b, nil
}

// NewBuild runs the offline pipeline: NewPlan, then bundles and templates.
func NewBuild(ctx context.Context, o BuildOptions) (*Build, error) {
	b, err := NewPlan(ctx, o)
	if err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	p, cfg, pl := b.Project, b.Config, b.Plan

	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("create work folder: %w", err)
	}
	runtimeFiles, err := fs.Sub(adapter.Files(), "python")
	if err != nil {
		return nil, fmt.Errorf("runtime layer: %w", err)
	}
	arts := render.Artifacts{Prefix: pl.Project}
	if o.Deps != nil {
		a, err := o.Deps.BuildLayer(ctx, p, cfg, o.WorkDir)
		if err != nil {
			return nil, err
		}
		b.Zips = append(b.Zips, a)
		arts.Deps = renderArtifact(a)
	}
	for _, z := range []struct {
		name string
		fn   func(io.Writer) error
		dst  *render.Artifact
	}{
		{bundle.ProjectLayerName, bundle.ProjectLayer(p.Root, cfg.Exclude), &arts.Project},
		{bundle.RuntimeLayerName, bundle.RuntimeLayer(runtimeFiles), &arts.Runtime},
		{bundle.FunctionCodeName, bundle.FunctionCode(), &arts.Code},
	} {
		a, err := bundle.Build(o.WorkDir, z.name, z.fn)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", z.name, err)
		}
		b.Zips = append(b.Zips, a)
		*z.dst = renderArtifact(a)
	}
	if err := bundle.CheckUnzipped("every function", b.Zips...); err != nil {
		return nil, userError(err)
	}

	if pl.GraphQL != nil {
		sdl, warns, err := appSyncSchema(ctx, o, b)
		b.Diagnostics = append(b.Diagnostics, warns...)
		if err != nil {
			return nil, err
		}
		arts.GraphQLSDL = sdl
	}

	out, err := render.Render(pl, arts)
	if err != nil {
		return nil, userError(err)
	}
	b.Output = out
	b.Diagnostics = append(b.Diagnostics, out.Diagnostics...)
	b.Diagnostics.Sort()
	return b, nil
}

func renderArtifact(a bundle.Artifact) render.Artifact {
	return render.Artifact{SHA256: a.SHA256, Size: a.Size, UnzippedSize: a.Stats.UnzippedBytes}
}

// loadConfig finds, parses and resolves the configuration.
func loadConfig(o BuildOptions, p *django.Project) (*config.Config, error) {
	path := o.ConfigFile
	if path == "" {
		path = config.Find(p.Root, o.ProjectDir)
	}
	f := config.Default()
	if path != "" {
		var err error
		if f, err = config.Load(path); err != nil {
			return nil, userError(err)
		}
	}
	cfg, err := f.Resolve(o.Environment)
	if err != nil {
		return nil, userError(err)
	}
	return cfg, nil
}

// appSyncSchema reads the committed SDL (graphql.schema_file, else a
// schema.graphql in the project) and converts it for AppSync. Without one it
// asks the DepsBuilder to generate it from Python when it can, else renders
// no AppSync API and warns.
func appSyncSchema(ctx context.Context, o BuildOptions, b *Build) (string, diag.List, error) {
	var warns diag.List
	root := b.Project.Root
	name := b.Config.GraphQL.SchemaFile
	if name == "" {
		for _, cand := range []string{"schema.graphql", "schema.graphqls"} {
			if _, err := os.Stat(filepath.Join(root, cand)); err == nil {
				name = cand
				break
			}
		}
	}
	var sdl []byte
	switch {
	case name != "":
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return "", nil, userError(fmt.Errorf("graphql.schema_file %s: %w", name, err))
		}
		sdl = src
	default:
		gen, ok := o.Deps.(SchemaGenerator)
		if !ok || o.Deps == nil {
			warns.Warnf(b.Project.GraphQL.Source, 0, 0, "graphene schema %s found but no committed SDL (graphql.schema_file or schema.graphql): AppSync is not rendered; commit `python manage.py graphql_schema` output or let the dependencies layer generate it", b.Plan.GraphQL.Schema)
			return "", warns, nil
		}
		src, err := gen.GenerateSchema(ctx, b.Project, b.Config)
		if err != nil {
			if b.Config.GraphQL.Enabled == "auto" {
				warns.Warnf(b.Project.GraphQL.Source, 0, 0, "generate GraphQL schema: %v (graphql.enabled is auto: AppSync is not rendered)", err)
				return "", warns, nil
			}
			return "", nil, fmt.Errorf("generate GraphQL schema %s: %w", b.Plan.GraphQL.Schema, err)
		}
		name = "generated schema of " + b.Plan.GraphQL.Schema
		sdl = src
	}
	out, _, w, err := graphql.ToAppSync(name, sdl)
	warns = append(warns, w...)
	if err != nil {
		return "", warns, userError(err)
	}
	return string(out), warns, nil
}

// SchemaGenerator is implemented by a DepsBuilder that can print the
// graphene schema's SDL with the freshly built dependencies.
type SchemaGenerator interface {
	GenerateSchema(ctx context.Context, p *django.Project, c *config.Config) ([]byte, error)
}
