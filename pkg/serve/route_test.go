package serve

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/action"
)

// TestDocumentRouting routes through the demo's OpenAPI document (what
// render writes): every method reaches a function (Django answers 405
// itself), intermediate and unknown paths reach the catch-all, and the
// event fields (resource, route key, path parameters) come from the
// document's paths.
func TestDocumentRouting(t *testing.T) {
	for _, apiType := range []string{"rest", "http"} {
		t.Run(apiType, func(t *testing.T) {
			dir := t.TempDir()
			copyDemo(t, dir, "api: {type: "+apiType+"}\n")
			b, err := action.NewPlan(context.Background(), action.BuildOptions{ProjectDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			r, err := PlanRouter(b.Plan)
			if err != nil {
				t.Fatal(err)
			}
			fnOf := func(name string) string {
				for _, rt := range b.Plan.Routes {
					if rt.Route.Name == name {
						return rt.Function
					}
				}
				t.Fatalf("no route named %s", name)
				return ""
			}
			for _, c := range []struct {
				method, path, want string
			}{
				{"GET", "/only-get/", fnOf("only-get")},
				{"POST", "/only-get/", fnOf("only-get")},
				{"PATCH", "/only-get/", fnOf("only-get")},
				{"HEAD", "/only-get/", fnOf("only-get")},
				{"OPTIONS", "/cbv/", fnOf("cbv")},
				{"DELETE", "/cbv", fnOf("cbv")},
				{"GET", "/echo/a/b/c", fnOf("echo-rest")},
				{"GET", "/admin/auth/user", ""},       // an intermediate path: some function
				{"GET", "/nowhere/at/all", "Default"}, // unknown
				{"PUT", "/", "Default"},
			} {
				m, ok := r.Match(c.method, c.path)
				if !ok || m.Function == "" || c.want != "" && m.Function != c.want {
					t.Errorf("%s %s -> %v %+v, want %s", c.method, c.path, ok, m, c.want)
				}
			}
			m, _ := r.Match("GET", "/echo/a/b/c")
			want := "/echo/{rest+} map[rest:a/b/c]"
			if got := fmt.Sprintf("%s %v", m.Resource, m.Params); got != want {
				t.Errorf("greedy match: %s, want %s", got, want)
			}
			if apiType == "http" {
				if m.RouteKey != "ANY /echo/{rest+}" {
					t.Errorf("route key %q", m.RouteKey)
				}
				if m, _ := r.Match("GET", "/nowhere"); m.RouteKey != "$default" {
					t.Errorf("unknown path: route key %q, want $default", m.RouteKey)
				}
			}
		})
	}
}

func copyDemo(t *testing.T, dir, config string) {
	t.Helper()
	if err := copyTree(filepath.Join("testdata", "demo"), dir); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "django-serverless.yml"), config)
}
