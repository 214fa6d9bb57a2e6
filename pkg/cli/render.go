package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/django-serverless/django-serverless-action/pkg/action"
)

// buildFlags are the flags every building command shares.
type buildFlags struct {
	project, config, env string
}

func (b *buildFlags) register(fs flagSet) {
	fs.StringVar(&b.project, "project", ".", "repository or Django project folder (manage.py is searched below it)")
	fs.StringVar(&b.config, "config", "", "django-serverless.yml (default: beside manage.py, else in --project)")
	fs.StringVar(&b.env, "env", "dev", "environment: dev, prod, pr-<N>, ...")
}

// flagSet is the part of *flag.FlagSet the shared flags need.
type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

func runRender(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "render", "[--project DIR] [--env NAME] [--config FILE] [--out DIR]")
	var bf buildFlags
	bf.register(fs)
	out := fs.String("out", "", "write templates/, artifacts/ and manifest.json here (without it, only list what would be written)")
	installDeps := fs.Bool("deps", false, "build the dependencies layer (installs packages for the Lambda platform; without it a cached build is used, else the layer is referenced by its input hash only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "django-serverless-render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	b, err := action.NewBuild(ctx, action.BuildOptions{
		ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env,
		Repository: env.Getenv("GITHUB_REPOSITORY"),
		WorkDir:    work, Log: env.Stderr, Outside: []string{*out},
		Deps: newDeps(env, *installDeps),
	})
	if err != nil {
		return err
	}
	printDiagnostics(env, b.Diagnostics)
	m := b.Manifest()
	for _, t := range m.Templates {
		fmt.Fprintf(env.Stderr, "template %-22s %8d bytes  %s\n", t.Name, t.Size, t.Key)
	}
	for _, a := range m.Artifacts {
		if !a.Built {
			fmt.Fprintf(env.Stderr, "artifact %-22s %8s        %s (not built)\n", a.Name, "-", a.Key)
			continue
		}
		fmt.Fprintf(env.Stderr, "artifact %-22s %8d bytes  %s\n", a.Name, a.Size, a.Key)
	}
	fmt.Fprintf(env.Stderr, "stack %s: %d functions, %d routes\n", m.Stack, len(m.Functions), len(m.Routes))
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
