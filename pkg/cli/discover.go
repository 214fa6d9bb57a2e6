package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

func runDiscover(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "discover", "[--project DIR] [--json]")
	project := fs.String("project", ".", "repository or Django project folder (manage.py is searched below it)")
	asJSON := fs.Bool("json", false, "print the discovery as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
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
