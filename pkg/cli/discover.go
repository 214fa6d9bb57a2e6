package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

type discoverOptions struct {
	project string
	json    bool
}

func discoverFlags(env Env) (*flag.FlagSet, *discoverOptions) {
	var o discoverOptions
	fs := newFlags(env, "discover", "[--project DIR] [--json]")
	fs.StringVar(&o.project, "project", ".", "repository or Django project `folder` (manage.py is searched below it)")
	fs.BoolVar(&o.json, "json", false, "print the discovery as one JSON object")
	return fs, &o
}

func runDiscover(ctx context.Context, env Env, args []string) error {
	fs, o := discoverFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	project, asJSON := &o.project, &o.json
	p, err := django.Discover(*project)
	if err != nil {
		return err
	}
	printDiagnostics(env, p.Diagnostics)
	if *asJSON {
		b, err := p.JSON()
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(b)
		return err
	}
	_, err = fmt.Fprint(env.Stdout, p.Table())
	return err
}

// writeJSON prints v as indented JSON on stdout.
func writeJSON(env Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
