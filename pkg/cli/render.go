package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/human"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// buildFlags are the flags every building command shares.
type buildFlags struct {
	project, config, env string
}

func (b *buildFlags) register(fs flagSet) {
	fs.StringVar(&b.project, "project", ".", "repository or Django project `folder` (manage.py is searched below it)")
	fs.StringVar(&b.config, "config", "", "django-serverless.yml `file` (default: beside manage.py, else in --project)")
	fs.StringVar(&b.env, "env", "dev", "environment `name`: dev, prod, pr-<N>, ...")
}

// flagSet is the part of *flag.FlagSet the shared flags need.
type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

type renderOptions struct {
	buildFlags
	out, account, region      string
	listExcluded, installDeps bool
}

func renderFlags(env Env) (*flag.FlagSet, *renderOptions) {
	var o renderOptions
	fs := newFlags(env, "render", "[--project DIR] [--env NAME] [--config FILE] [--out DIR] [--deps] [--account-id ID] [--region NAME] [--list-excluded]")
	o.register(fs)
	fs.StringVar(&o.out, "out", "", "write templates/, artifacts/, static/, openapi.json and manifest.json to this `folder` (without it, only list what would be written)")
	fs.BoolVar(&o.listExcluded, "list-excluded", false, "list every path left out of the project layer and why (.gitignore, exclude, key-looking names, tests, ...)")
	fs.BoolVar(&o.installDeps, "deps", false, "build the dependencies layer (installs packages for the Lambda platform; without it a cached build is used, else the layer is referenced by its input hash only)")
	fs.StringVar(&o.account, "account-id", "", "AWS account `ID` the OpenAPI document's integrations name (default: the placeholder "+plan.PlaceholderAccount+", recorded in manifest.json)")
	fs.StringVar(&o.region, "region", "", "AWS region `name` the OpenAPI document's integrations name (default: AWS_REGION, else the placeholder "+plan.PlaceholderRegion+")")
	return fs, &o
}

func runRender(ctx context.Context, env Env, args []string) error {
	fs, o := renderFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	bf, out, listExcluded, installDeps, account, region := o.buildFlags, &o.out, &o.listExcluded, &o.installDeps, &o.account, &o.region
	if *region == "" {
		*region = env.Getenv("AWS_REGION")
	}
	if *account != "" && (len(*account) != 12 || strings.Trim(*account, "0123456789") != "") {
		return usagef("render: --account-id %q is not a 12-digit AWS account ID", *account)
	}
	work, err := os.MkdirTemp("", "django-serverless-render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	b, err := action.NewBuild(ctx, action.BuildOptions{
		ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env,
		Repository: repositoryOf(env, bf.project),
		WorkDir:    work, Log: env.Stderr, Outside: []string{*out},
		Deps: newDeps(env, *installDeps), Account: *account, Region: *region,
	})
	if err != nil {
		return err
	}
	printDiagnostics(env, b.Diagnostics)
	if *listExcluded {
		for _, l := range b.ProjectLayer.Left {
			fmt.Fprintf(env.Stderr, "left out %s (%s)\n", l.Path, l.Reason)
		}
		for _, s := range b.ProjectLayer.Skipped {
			fmt.Fprintf(env.Stderr, "skipped %s (%s)\n", s.Path, s.Reason)
		}
	}
	m := b.Manifest()
	for _, t := range m.Templates {
		fmt.Fprintf(env.Stderr, "template %-22s %10s  %s\n", t.Name, human.Bytes(t.Size), t.Key)
	}
	for _, a := range m.Artifacts {
		if !a.Built {
			fmt.Fprintf(env.Stderr, "artifact %-22s %10s  %s (not built)\n", a.Name, "-", a.Key)
			continue
		}
		fmt.Fprintf(env.Stderr, "artifact %-22s %10s  %s\n", a.Name, human.Bytes(a.Size), a.Key)
	}
	fmt.Fprintf(env.Stderr, "openapi  %-22s %10s  %s\n", "openapi.json", human.Bytes(m.API.Document.Size), m.API.Document.Key)
	switch st := m.Static; {
	case st.Collected:
		var size int64
		for _, f := range st.Files {
			size += f.Size
		}
		fmt.Fprintf(env.Stderr, "static   %-22s %10s  %s under s3://<static bucket>/%s/static/\n", "static/", human.Bytes(size), human.Count(len(st.Files), "file"), st.Prefix)
	case st.Mode == config.StaticCloudFront:
		fmt.Fprintf(env.Stderr, "static   not collected (see the warning above): plan and deploy collect them\n")
	default:
		fmt.Fprintf(env.Stderr, "static   mode %s: nothing collected\n", st.Mode)
	}
	fmt.Fprintf(env.Stderr, "stack %s: %s, %s, %s\n", m.Stack, human.Count(len(m.Functions), "function"), human.Count(len(m.Routes), "route"), m.API.Summary())
	if m.API.Placeholder {
		fmt.Fprintf(env.Stderr, "note: the OpenAPI document names account %s in %s (placeholders); pass --account-id and --region for the real ones\n", m.API.AccountID, m.API.Region)
	}
	if *out == "" {
		return nil
	}
	if err := b.WriteOut(*out); err != nil {
		return err
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(env.Stderr, "wrote %s\n", abs)
	return nil
}
