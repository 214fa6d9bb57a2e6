package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/action"
)

// errDiscoveryErrors ends discover with exit code 1 after it printed its
// result and diagnostics: some files could not be read.
var errDiscoveryErrors = errors.New("discovery reported errors")

type discoverOptions struct {
	project, config, env string
	json                 bool
}

func discoverFlags(env Env) (*flag.FlagSet, *discoverOptions) {
	var o discoverOptions
	fs := newFlags(env, "discover", "[--project DIR] [--env NAME] [--config FILE] [--json]")
	fs.StringVar(&o.project, "project", ".", "repository or Django project `folder` (manage.py is searched below it)")
	fs.StringVar(&o.config, "config", "", "django-serverless.yml `file` (default: beside manage.py, else in --project)")
	fs.StringVar(&o.env, "env", "dev", "environment (`name`) whose settings: module is read (django-serverless.yml)")
	fs.BoolVar(&o.json, "json", false, "print the discovery as one JSON object")
	return fs, &o
}

func runDiscover(ctx context.Context, env Env, args []string) error {
	fs, o := discoverFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	asJSON := &o.json
	p, err := action.Discover(action.BuildOptions{ProjectDir: o.project, ConfigFile: o.config, Environment: o.env, Repository: repositoryOf(env, o.project)})
	if err != nil {
		return err
	}
	// Each diagnostic once, on stderr; --json also carries them.
	printDiagnostics(env, p.Diagnostics)
	if *asJSON {
		b, err := p.JSON()
		if err != nil {
			return err
		}
		if _, err := env.Stdout.Write(b); err != nil {
			return err
		}
	} else if _, err := fmt.Fprint(env.Stdout, p.Table()); err != nil {
		return err
	}
	if n := len(p.Diagnostics.Errors()); n > 0 {
		return fmt.Errorf("%w: %d (see above)", errDiscoveryErrors, n)
	}
	return nil
}

// writeJSON prints v as indented JSON on stdout.
func writeJSON(env Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
