package django

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Table renders the project for people: a header with settings, URL conf,
// apps and schema, then one line per route (route, API path, view,
// methods, source) in resolution order. Diagnostics are not part of it
// (the CLI prints them on stderr, once). The output is deterministic.
func (p *Project) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "settings:     %s\n", p.SettingsModule)
	fmt.Fprintf(&b, "root urlconf: %s\n", p.RootURLConf)
	fmt.Fprintf(&b, "apps:         %s\n", strings.Join(p.Apps, ", "))
	if p.Requirements != "" {
		fmt.Fprintf(&b, "requirements: %s\n", p.Requirements)
	}
	if p.GraphQL != nil {
		fmt.Fprintf(&b, "graphql:      %s (query: %s; mutation: %s)\n", p.GraphQL.Schema,
			orDash(strings.Join(p.GraphQL.QueryFields, ", ")), orDash(strings.Join(p.GraphQL.MutationFields, ", ")))
	}
	fmt.Fprintf(&b, "\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tAPI PATH\tVIEW\tMETHODS\tNAME\tSOURCE")
	for _, r := range p.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", orDash(r.Route), r.Path, orDash(r.View),
			strings.Join(r.Methods, ","), orDash(r.Name), r.Source)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%s", human.Count(len(p.Routes), "route"))
	switch {
	case p.CatchAll == 1:
		fmt.Fprintf(&b, ", 1 URL pattern left to the catch-all function")
	case p.CatchAll > 1:
		fmt.Fprintf(&b, ", %d URL patterns left to the catch-all function", p.CatchAll)
	}
	fmt.Fprintf(&b, "\n")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
