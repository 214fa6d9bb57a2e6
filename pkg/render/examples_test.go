package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

var examples = []string{"tutorial", "shop", "legacy"}

// exampleLintFiles renders every example project under testdata/django for
// every environment, granularity and API type, checks the wiring and
// returns the templates for cfn-lint.
func exampleLintFiles(t *testing.T) []lintFile {
	t.Helper()
	var files []lintFile
	seen := map[string]bool{}
	for _, name := range examples {
		p, err := django.Discover(filepath.Join("..", "..", "testdata", "django", name))
		if err != nil {
			t.Fatalf("discover %s: %v", name, err)
		}
		sdl, err := os.ReadFile(filepath.Join(p.Root, "schema.graphql"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, env := range []string{"dev", "prod", "pr-7"} {
			for _, g := range []string{"route", "app", "project"} {
				for _, api := range []string{"rest", "http"} {
					pl := mustPlan(t, p, shopConfig(env, g, api))
					a := testArtifacts(pl.Project)
					if p.GraphQL != nil {
						a.GraphQLSDL = string(sdl)
					}
					out := mustRender(t, pl, a)
					checkWiring(t, out, pl.Project)
					assertLimits(t, out)
					for _, tp := range out.Templates {
						if seen[tp.SHA256] {
							continue
						}
						seen[tp.SHA256] = true
						files = append(files, lintFile{name + "-" + env + "-" + g + "-" + api + "-" + tp.Name, tp.Body})
					}
				}
			}
		}
		t.Logf("%s: %d routes, graphql %v, %d templates so far", name, len(p.Routes), p.GraphQL != nil, len(files))
	}
	return files
}
