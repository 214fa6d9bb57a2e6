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
	"path"
	"path/filepath"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/graphql"
	"github.com/django-serverless/django-serverless-action/pkg/human"
	"github.com/django-serverless/django-serverless-action/pkg/migrations"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// BuildOptions say what to build.
type BuildOptions struct {
	// ProjectDir is the repository or Django folder (--project).
	ProjectDir string
	// ConfigFile is --config; "" looks beside manage.py, then in ProjectDir.
	ConfigFile string
	// Environment is --env (dev, prod, pr-7, ...).
	Environment string
	// StackName overrides the root stack's name (the stack-name input,
	// --stack-name); "" is <project>-<env>.
	StackName string
	// WorkDir receives the zips (<sha256>.zip). Required.
	WorkDir string
	// Deps builds the dependencies layer; nil renders without one (the
	// project must then bring no requirements, or Render warns).
	Deps DepsBuilder
	// Log receives progress and warnings.
	Log io.Writer
	// Stage, when set, is called as each stage starts ("Discover", ...),
	// so the Action can fold the log into groups.
	Stage func(name string)
	// Outside lists folders (such as render's --out) that must never enter
	// the project layer even when they sit inside the Django root. They
	// are matched as paths, never as globs.
	Outside []string
	// Account and Region are where the API's OpenAPI document says the
	// functions are (plan and deploy: STS and the run's region; render:
	// --account-id and --region, else placeholders the manifest reports).
	Account, Region string
	// Previous is the deployment record of the deployed stack: functions
	// and resolvers stay in the stacks they are in. nil plans the
	// first-deploy layout.
	Previous *record.Record
	// DepsUnzippedSize returns the unzipped size of a dependencies layer
	// that is in the bucket but was not built here (nil offline), for
	// Lambda's 250 MB limit.
	DepsUnzippedSize func(ctx context.Context, key string) (int64, error)
	// Python runs Python at build time (collectstatic) when Deps is not a
	// *PipDeps (whose SchemaPython it is then); "" is python3.
	Python string
	// RequireStatic makes a failed collectstatic an error (plan and
	// deploy: the functions would serve pages without their files);
	// without it (render) it is a warning and nothing is collected.
	RequireStatic bool
	// StaticBucket returns the bucket the static files go to, named in
	// the deployment record; called once the files are collected, only
	// when the plan still serves them from CloudFront (nil offline).
	StaticBucket func(ctx context.Context) (string, error)
	// FetchLayer unpacks the dependencies layer at key (in the bucket,
	// not built here) into dir, for collectstatic; nil offline.
	FetchLayer func(ctx context.Context, key, dir string) error
	// Repository is GITHUB_REPOSITORY ("owner/name"): its name is the
	// default project (stack-name prefix) when the config sets none.
	Repository string
	// Bytecode finds the CPython of the runtime's version that compiles
	// the zips' bytecode; the zero value searches the process environment
	// (DJANGO_SERVERLESS_BYTECODE_PYTHON, PATH, pyenv, uv).
	Bytecode bytecode.Finder
}

// Build is everything CloudFormation needs, built without AWS access.
type Build struct {
	Project *django.Project
	Config  *config.Config
	Plan    *plan.Plan
	Output  *render.Output
	// Deps is the dependencies layer, nil when the project has none.
	Deps *DepsLayer
	// Zips built here in upload order (project, runtime, code).
	Zips []bundle.Artifact
	// Diagnostics are the warnings and notes of every stage.
	Diagnostics diag.List
	// Migrations are the project's migrations, read statically.
	Migrations *migrations.Set
	// beforePlan are the diagnostics of the stages before the plan, which
	// replanning keeps.
	beforePlan diag.List
	// ProjectLayer is what zipping the project layer left out and why
	// (render --list-excluded prints it).
	ProjectLayer bundle.Stats
	// Static are the collected static files (static.mode cloudfront);
	// nil otherwise, or when render could not collect them.
	Static *staticfiles.Collection
	// StaticBucket is the bucket they go to ("" offline).
	StaticBucket string
}

// ErrConfig marks configuration and discovery errors (exit code 2).
var ErrConfig = errors.New("configuration error")

// configError wraps a user error so callers can map it to exit code 2 and
// annotate its file and line.
type configError struct{ err error }

func (e configError) Error() string   { return e.err.Error() }
func (e configError) Unwrap() []error { return []error{ErrConfig, e.err} }
func userError(err error) error       { return configError{err} }

// logf writes a log line; a nil writer (PipDeps.Log unset) discards it.
func logf(w io.Writer, f string, a ...any) {
	if w != nil {
		fmt.Fprintf(w, f+"\n", a...)
	}
}

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

	stage(o, "Discover")
	p, cfg, warns, err := discover(o)
	b.Diagnostics = append(b.Diagnostics, warns...)
	if err != nil {
		return nil, err
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
	b.Config = cfg
	if p.GraphQL == nil && cfg.GraphQL.Enabled != "false" && cfg.GraphQL.SchemaFile != "" {
		// A committed SDL is enough for AppSync: its root fields are read
		// from it; the runtime executes them with GRAPHENE["SCHEMA"].
		p.GraphQL = &django.GraphQL{QueryFields: []string{}, MutationFields: []string{}, Source: cfg.GraphQL.SchemaFile}
		b.Diagnostics.Notef(cfg.Path, 0, 0, "graphql.schema_file %s: no graphene schema discovered; AppSync is built from the SDL and its resolvers run the schema named by GRAPHENE[\"SCHEMA\"]", cfg.GraphQL.SchemaFile)
	}
	b.Diagnostics = append(b.Diagnostics, cfg.UnusedRules(p.Routes)...)

	if err := b.readMigrations(); err != nil {
		return nil, err
	}

	b.beforePlan = append(diag.List(nil), b.Diagnostics...)
	if err := b.replan(o); err != nil {
		return nil, err
	}
	return b, nil
}

// replan (re)builds the plan with o's target and previous record.
func (b *Build) replan(o BuildOptions) error {
	pl, warns, err := plan.New(b.Project, b.Config, plan.Options{Previous: o.Previous, Account: o.Account, Region: o.Region, StackName: o.StackName, Repository: o.Repository})
	b.Diagnostics = append(append(diag.List(nil), b.beforePlan...), warns...)
	if err != nil {
		return userError(err)
	}
	pl.Migrations = b.Migrations.IDs()
	b.Plan = pl
	return nil
}

// NewBuild runs the offline pipeline: NewPlan, then Bundle.
func NewBuild(ctx context.Context, o BuildOptions) (*Build, error) {
	b, err := NewPlan(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := b.Bundle(ctx, o, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// StoredLayer answers whether the bucket holds a verified layer under key
// and what its metadata declares (see artifacts.VerifyLayer).
type StoredLayer func(key string) (artifacts.Layer, bool)

// Bundle builds the layers and the code zip and renders the templates.
// exists (nil offline) tells whether the bucket holds a verified
// dependencies layer under its key, so it is not rebuilt when it does.
func (b *Build) Bundle(ctx context.Context, o BuildOptions, exists StoredLayer) error {
	if o.Log == nil {
		o.Log = io.Discard
	}
	p, cfg, pl := b.Project, b.Config, b.Plan

	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return fmt.Errorf("create work folder: %w", err)
	}
	runtimeFiles, err := fs.Sub(adapter.Files(), "python")
	if err != nil {
		return fmt.Errorf("runtime layer: %w", err)
	}
	compiler, err := findCompiler(ctx, o, cfg, &b.Diagnostics)
	if err != nil {
		return err
	}
	arts := render.Artifacts{Prefix: pl.Project}
	if o.Deps != nil {
		stage(o, "Dependencies layer")
		var hashExists func(string) bool
		var stored artifacts.Layer
		if exists != nil {
			hashExists = func(h string) bool {
				var ok bool
				stored, ok = exists(ZipKey(pl.Project, h))
				return ok
			}
		}
		var l *DepsLayer
		if cd, ok := o.Deps.(CompilingDepsBuilder); ok {
			l, err = cd.BuildCompiledLayer(ctx, p, cfg, compiler, hashExists)
		} else {
			l, err = o.Deps.BuildLayer(ctx, p, cfg, hashExists)
		}
		if err != nil {
			return err
		}
		b.Deps = l
		if l != nil {
			b.Diagnostics = append(b.Diagnostics, l.Warnings...)
			arts.Deps = render.Artifact{SHA256: l.Hash}
			switch {
			case l.Zip != nil:
				arts.Deps.Size, arts.Deps.UnzippedSize = l.Zip.Size, l.Zip.Stats.UnzippedBytes
			case l.Exists:
				// In the bucket, verified, not built here: its size counts
				// all the same toward Lambda's 250 MB. The object's
				// metadata declares it; an object uploaded without that
				// metadata is measured from the deployment record or the
				// zip's directory.
				l.Stored = &stored
				arts.Deps.Size, arts.Deps.UnzippedSize = stored.Size, stored.UnzippedSize
				if stored.UnzippedSize <= 0 && o.DepsUnzippedSize != nil {
					n, err := o.DepsUnzippedSize(ctx, ZipKey(pl.Project, l.Hash))
					if err != nil {
						return fmt.Errorf("dependencies layer %s: unzipped size: %w", short(l.Hash), err)
					}
					arts.Deps.UnzippedSize = n
				}
				l.UnzippedSize = arts.Deps.UnzippedSize
			}
		}
	}
	// Static files: collected before the code zip, which carries their
	// manifest.
	var codeFiles map[string][]byte
	if pl.CloudFront() {
		stage(o, "Static files")
		coll, warns, err := b.collectStatic(ctx, o)
		b.Diagnostics = append(b.Diagnostics, warns...)
		switch {
		case err != nil && o.RequireStatic:
			return err
		case err != nil:
			b.Diagnostics.Warnf(cfg.Path, 0, 0, "static files not collected (the templates are rendered without them; plan and deploy stop here): %v", err)
		case len(coll.Files) == 0 && cfg.Static.Mode == "" && pl.Domain == nil:
			// static.mode left to its default, and nothing to serve: no
			// distribution for an empty folder.
			b.Diagnostics.Notef(cfg.Path, 0, 0, "static: the project installs django.contrib.staticfiles but has no static files: no CloudFront distribution (static.mode: cloudfront makes one anyway)")
			pl.DropStatic()
		default:
			b.Static = coll
			codeFiles = map[string][]byte{StaticManifestPath: coll.Manifest}
			arts.Static = staticRecord(coll)
			if pl.Preview {
				b.Diagnostics.Warnf(cfg.Path, 0, 0, "%s", plan.PreviewWarning())
			}
			if o.StaticBucket != nil {
				stage(o, "Static bucket")
				if b.StaticBucket, err = o.StaticBucket(ctx); err != nil {
					return err
				}
				arts.StaticBucket = b.StaticBucket
			}
		}
	}
	stage(o, "Bundles")
	// Layers: unchecked hash-based bytecode (a layer version never
	// changes). The code zip: checked, as the Lambda console edits it in
	// place and would keep an old unchecked .pyc beside the new source.
	projectOpts := projectOptions(p.Root, cfg, o.Outside)
	var runtimeOpts, codeOpts []bundle.Option
	if compiler != nil {
		layer := &bundle.Bytecode{Compiler: compiler, Mode: bytecode.Unchecked, Root: bundle.LayerRoot}
		projectOpts.Bytecode = layer
		runtimeOpts = []bundle.Option{bundle.WithBytecode(layer)}
		codeOpts = []bundle.Option{bundle.WithBytecode(&bundle.Bytecode{Compiler: compiler, Mode: bytecode.Checked, Root: bundle.TaskRoot})}
	}
	var runtimeStats bundle.Stats
	for _, z := range []struct {
		name string
		fn   func(io.Writer) error
		dst  *render.Artifact
	}{
		{bundle.ProjectLayerName, bundle.ProjectLayer(ctx, p.Root, projectOpts, &b.ProjectLayer), &arts.Project},
		{bundle.RuntimeLayerName, bundle.RuntimeLayer(ctx, runtimeFiles, append(runtimeOpts, bundle.WithStats(&runtimeStats))...), &arts.Runtime},
		{bundle.FunctionCodeName, bundle.FunctionCodeWith(codeFiles, codeOpts...), &arts.Code},
	} {
		a, err := bundle.Build(o.WorkDir, z.name, z.fn)
		if z.name == bundle.ProjectLayerName {
			b.Diagnostics = append(b.Diagnostics, layerDiagnostics(b.ProjectLayer)...)
		}
		if err != nil {
			var se *bundle.SecretError
			var tb *bundle.TooBigError
			if errors.As(err, &se) || errors.As(err, &tb) {
				return userError(fmt.Errorf("bundle %s: %w", z.name, err))
			}
			return fmt.Errorf("bundle %s: %w", z.name, err)
		}
		b.Zips = append(b.Zips, a)
		*z.dst = renderArtifact(a)
	}
	if len(runtimeStats.Uncompiled) > 0 {
		u := runtimeStats.Uncompiled[0]
		return fmt.Errorf("runtime layer: %s line %d does not compile with %s: %s", u.Path, u.Line, compiler.Python, u.Err)
	}
	for _, u := range b.ProjectLayer.Uncompiled {
		b.Diagnostics.Warnf(u.Path, u.Line, 0, "does not compile with Python %s (%s): shipped without bytecode, and importing it fails on Lambda", compiler.Python.Full, u.Err)
	}
	all := append([]bundle.Artifact(nil), b.Zips...)
	if b.Deps != nil && b.Deps.Zip != nil {
		all = append(all, *b.Deps.Zip)
	} else if b.Deps != nil && b.Deps.UnzippedSize > 0 {
		all = append(all, bundle.Artifact{Name: "deps layer (in the bucket)", Stats: bundle.Stats{UnzippedBytes: b.Deps.UnzippedSize}})
	}
	if err := bundle.CheckUnzipped("every function", all...); err != nil {
		if compiler != nil {
			err = fmt.Errorf("%w (the bytecode counts too: %s=off ships sources only)", err, bytecode.EnvPython)
		}
		return userError(err)
	}
	// The layers in the order the functions list them (deps, project, runtime).
	var layers []bundle.Artifact
	if b.Deps != nil && b.Deps.Zip != nil {
		layers = append(layers, *b.Deps.Zip)
	}
	layers = append(layers, b.Zips[0], b.Zips[1])
	if err := bundle.CheckOverlap(layers...); err != nil {
		return userError(err)
	}

	if pl.GraphQL != nil {
		stage(o, "GraphQL schema")
		sdl, warns, err := appSyncSchema(ctx, o, b)
		b.Diagnostics = append(b.Diagnostics, warns...)
		if err != nil {
			return err
		}
		arts.GraphQLSDL = sdl
	}

	stage(o, "Templates")
	out, err := render.Render(pl, arts)
	if err != nil {
		return userError(err)
	}
	b.Output = out
	b.Diagnostics = append(b.Diagnostics, out.Diagnostics...)
	b.Diagnostics.Sort()
	return nil
}

// stage announces a stage to the Action's log groups.
func stage(o BuildOptions, name string) {
	if o.Stage != nil {
		o.Stage(name)
	}
}

func renderArtifact(a bundle.Artifact) render.Artifact {
	return render.Artifact{SHA256: a.SHA256, Size: a.Size, UnzippedSize: a.Stats.UnzippedBytes}
}

// loadConfig finds, parses and resolves the configuration, returning the
// file's warnings (a timeout API Gateway cuts short, an IAM "*"). root is
// the Django root (the folder holding manage.py).
func loadConfig(o BuildOptions, root string) (*config.Config, diag.List, error) {
	path := o.ConfigFile
	if path == "" {
		path = config.Find(root, o.ProjectDir)
	}
	f := config.Default()
	if path != "" {
		var err error
		if f, err = config.Load(path); err != nil {
			return nil, nil, userError(err)
		}
	}
	cfg, err := f.Resolve(o.Environment)
	if err != nil {
		return nil, f.Warnings, userError(err)
	}
	return cfg, f.Warnings, nil
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
		src, err := readInside(root, name)
		if err != nil {
			return "", nil, userError(fmt.Errorf("graphql.schema_file %s: %w", name, err))
		}
		sdl = src
	default:
		gen, ok := o.Deps.(*PipDeps)
		if !ok || gen == nil {
			warns.Warnf(b.Project.GraphQL.Source, 0, 0, "graphene schema %s found but no committed SDL (graphql.schema_file or schema.graphql): AppSync is not rendered; commit `python manage.py graphql_schema` output or let the dependencies layer generate it", b.Plan.GraphQL.Schema)
			return "", warns, nil
		}
		src, err := gen.GenerateSchema(ctx, b.Project, b.Config, b.Deps)
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
	out, fields, w, err := graphql.ToAppSync(name, sdl)
	warns = append(warns, w...)
	if err != nil {
		return "", warns, userError(err)
	}
	warns = append(warns, alignResolvers(b.Plan.GraphQL, fields, b.Project.GraphQL.Source)...)
	return string(out), warns, nil
}

// alignResolvers makes the plan's resolvers exactly the root fields of the
// AppSync schema: the SDL is what AppSync serves, so a field discovery saw
// but the schema lacks (federation's _service, an Upload mutation removed
// by the conversion) gets no resolver, and a field only the schema has is
// served by the function of its type's other fields (else the default one).
func alignResolvers(g *plan.GraphQL, root graphql.RootFields, source string) diag.List {
	var warns diag.List
	byField := map[string]plan.Resolver{}
	typeFn := map[string]string{}
	fallback := plan.DefaultFunction
	if g.Function != "" {
		fallback = g.Function // the function of the route serving GraphQLView
	}
	for _, r := range g.Resolvers {
		byField[r.Type+"."+r.Field] = r
		if _, ok := typeFn[r.Type]; !ok {
			typeFn[r.Type] = r.Function
		}
	}
	var out []plan.Resolver
	used := map[string]bool{}
	add := func(kind, typeName string, fields []string) {
		for _, f := range fields {
			fn := fallback
			if r, ok := byField[kind+"."+f]; ok {
				fn = r.Function
				used[kind+"."+f] = true
			} else if tf, ok := typeFn[kind]; ok {
				fn = tf
			}
			out = append(out, plan.Resolver{Type: typeName, Field: f, Function: fn})
		}
	}
	add("Query", root.QueryType, root.Query)
	add("Mutation", root.MutationType, root.Mutation)
	for _, r := range g.Resolvers {
		if !used[r.Type+"."+r.Field] {
			warns.Warnf(source, 0, 0, "GraphQL field %s.%s is not in the AppSync schema: no resolver", r.Type, r.Field)
		}
	}
	g.Resolvers = out
	return warns
}

// projectOptions are the project layer's zip options: the configuration's
// exclude and include, and left out by path the vendor folders (they go to
// the dependencies layer, not twice) and the folders of outside that lie
// inside root.
func projectOptions(root string, cfg *config.Config, outside []string) bundle.Options {
	o := bundle.ProjectOptions(cfg.Exclude, cfg.Include)
	realRoot := realPath(root)
	for _, v := range cfg.Vendor {
		abs := realPath(filepath.Join(root, filepath.FromSlash(v)))
		if rel, err := filepath.Rel(realRoot, abs); err == nil && rel != "." && filepath.IsLocal(rel) {
			o.Skip = append(o.Skip, filepath.ToSlash(rel))
		}
	}
	for _, dir := range outside {
		if dir == "" {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		abs = realPath(abs)
		if !hasPrefixDir(abs, realRoot) {
			continue
		}
		rel, err := filepath.Rel(realRoot, abs)
		if err != nil || rel == "." {
			continue
		}
		o.Skip = append(o.Skip, filepath.ToSlash(rel))
	}
	return o
}

// looksBuilt names what a .gitignore typically leaves out that a Django
// app may need at run time: compiled translations and built front-end
// assets.
var looksBuilt = []string{"*.mo", "*.min.js", "*.min.css", "*.bundle.js", "*.js.map", "*.css.map", "manifest.json", "webpack-stats.json"}

var builtDirs = map[string]bool{"dist": true, "build": true, "staticfiles": true, "static": true, "assets": true, "bundles": true, "compiled": true, "generated": true}

// layerDiagnostics reports what the project layer left out that a person
// should know about: every entry skipped (a symlink leaving the project, a
// FIFO, a dangling link), the count of files .gitignore left out with the
// ones that look like build output named, and secrets shipped because
// include names them.
func layerDiagnostics(st bundle.Stats) diag.List {
	var l diag.List
	for _, s := range st.Skipped {
		l.Warnf(s.Path, 0, 0, "not in the project layer: %s", s.Reason)
	}
	var ignored, built []string
	for _, e := range st.Left {
		if !e.IgnoredByGit() {
			continue
		}
		ignored = append(ignored, e.Path)
		if looksLikeBuildOutput(e.Path) {
			built = append(built, e.Path)
		}
	}
	if len(ignored) > 0 {
		verb := "are"
		if len(ignored) == 1 {
			verb = "is"
		}
		msg := fmt.Sprintf("%s ignored by .gitignore %s not in the project layer (render --list-excluded lists them)", human.Count(len(ignored), "path"), verb)
		if len(built) > 0 {
			shown := built
			if len(shown) > 10 {
				shown = append(append([]string(nil), shown[:10]...), fmt.Sprintf("and %d more", len(built)-10))
			}
			msg += "; these look like build output the app may need: " + strings.Join(shown, ", ") + " (ship them with include: in django-serverless.yml)"
			l.Warnf("", 0, 0, "%s", msg)
		} else {
			l.Notef("", 0, 0, "%s", msg)
		}
	}
	for _, f := range st.Allowed {
		l.Warnf(f.Path, 0, 0, "holds a %s and ships in the project layer because include: names it", f.Kind)
	}
	return l
}

func looksLikeBuildOutput(p string) bool {
	dir := strings.HasSuffix(p, "/")
	p = strings.TrimSuffix(p, "/")
	base := path.Base(p)
	if dir {
		return builtDirs[base]
	}
	for _, g := range looksBuilt {
		if ok, _ := path.Match(g, base); ok {
			return true
		}
	}
	return false
}

// readInside reads the file at rel below root, refusing a path or a
// symlink that leads out of root. Errors never quote the file's content.
func readInside(root, rel string) ([]byte, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, fmt.Errorf("%q leaves the project", rel)
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if !hasPrefixDir(real, realPath(root)) {
		return nil, fmt.Errorf("%q is a symlink leading out of the project", rel)
	}
	return os.ReadFile(real)
}

// findCompiler finds the interpreter of the runtime's version that
// compiles the bytecode. Without one it says so once (a warning) and the
// zips ship sources only; a wrongly named interpreter is an error.
func findCompiler(ctx context.Context, o BuildOptions, cfg *config.Config, ds *diag.List) (*bytecode.Compiler, error) {
	in, err := o.Bytecode.Find(ctx, cfg.Python)
	var nf *bytecode.NotFoundError
	switch {
	case err == nil:
		logf(o.Log, "bytecode: compiling for python%s with %s", cfg.Python, in)
		return &bytecode.Compiler{Python: in}, nil
	case errors.Is(err, bytecode.ErrOff):
		ds.Notef(cfg.Path, 0, 0, "%v: the zips ship Python sources only", err)
		return nil, nil
	case errors.As(err, &nf):
		ds.Warnf(cfg.Path, 0, 0, "python %s: %v. The zips ship Python sources only: Lambda cannot write bytecode to /opt, so every cold start compiles Django and the project again (about 2x slower to the first response)", cfg.Python, err)
		return nil, nil
	default:
		return nil, userError(err)
	}
}
