package cli

import (
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// printDiagnostics writes warnings and notes to stderr, sorted.
func printDiagnostics(env Env, l diag.List) {
	w := append(diag.List(nil), l...)
	w.Sort()
	for _, d := range w {
		fmt.Fprintln(env.Stderr, d.String())
	}
}
