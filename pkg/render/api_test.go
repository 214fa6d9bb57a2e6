package render

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// mustDoc parses and validates a render's OpenAPI document.
func mustDoc(t testing.TB, out *Output) *openapi.Document {
	t.Helper()
	doc, err := openapi.Parse(out.OpenAPI.Body)
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	return doc
}

// apiMap is a plan's API as path -> function.
func apiMap(pl *plan.Plan) map[string]string {
	m := map[string]string{}
	for _, e := range pl.API {
		m[e.Path] = e.Function
	}
	return m
}

// concrete turns an API path into a request path: {x} becomes a value,
// {x+} two segments.
func concrete(path string) string {
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if seg == "" {
			continue
		}
		b.WriteString("/")
		switch {
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}"):
			b.WriteString("x/y")
		case strings.HasPrefix(seg, "{"):
			b.WriteString("42")
		default:
			b.WriteString(seg)
		}
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// TestRequestsReachDjango routes requests through the rendered OpenAPI
// document of the bundled shop project the way API Gateway would: HEAD,
// OPTIONS and PATCH on a GET-only route, an intermediate path and an
// unknown path all reach a function (Django answers 405 or 404 itself),
// and every discovered route reaches the function the plan gives it.
func TestRequestsReachDjango(t *testing.T) {
	p, err := django.Discover(filepath.Join("..", "..", "testdata", "django", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range []string{"rest", "http"} {
		t.Run(api, func(t *testing.T) {
			pl := mustPlan(t, p, shopConfig("dev", "route", api))
			out := mustRender(t, pl, testArtifacts(pl.Project))
			rt, err := openapi.NewRouter(api, out.OpenAPI.Body)
			if err != nil {
				t.Fatal(err)
			}
			reach := func(method, path string) (*plan.Function, openapi.Match) {
				t.Helper()
				m, ok := rt.Route(method, path)
				if !ok {
					t.Errorf("%s %s: API Gateway would answer it itself (403/404): no function", method, path)
					return nil, m
				}
				for i := range pl.Functions {
					if pl.Functions[i].PhysicalName == m.FunctionName && m.Qualifier == pl.Environment {
						return &pl.Functions[i], m
					}
				}
				t.Errorf("%s %s reaches %s:%s, which the plan does not have", method, path, m.FunctionName, m.Qualifier)
				return nil, m
			}
			whoami, _ := pl.FunctionForRoute("whoami")
			// An intermediate REST resource reaches what the greedy path
			// above it would (the default function); an HTTP API has no
			// resource there and the parameter route matches it.
			summary := plan.DefaultFunction
			if api == "http" {
				summary = mustRoute(t, pl, "order-detail")
			}
			for _, c := range []struct{ method, path, want string }{
				{"GET", "/accounts/whoami/", whoami},
				{"HEAD", "/accounts/whoami/", whoami},
				{"OPTIONS", "/accounts/whoami/", whoami},
				{"PATCH", "/accounts/whoami/", whoami},
				{"GET", "/accounts/", plan.DefaultFunction},
				{"POST", "/api/orders/summary/", summary},
				{"GET", "/api/products/abc/nested/unknown/", plan.DefaultFunction},
				{"DELETE", "/no/such/path", plan.DefaultFunction},
				{"GET", "/", mustRoute(t, pl, "home")},
			} {
				if f, m := reach(c.method, c.path); f != nil && f.Name != c.want {
					t.Errorf("%s %s reaches %s via %s, want %s", c.method, c.path, f.Name, m.Path, c.want)
				}
			}
			for _, r := range pl.Routes {
				path := concrete(r.Route.Path)
				for _, method := range []string{"GET", "POST", "HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"} {
					if f, m := reach(method, path); f != nil && f.Name != r.Function {
						t.Errorf("route %s (%s): %s %s reaches %s via %s, the plan says %s", r.Route.Path, r.Route.Source, method, path, f.Name, m.Path, r.Function)
					}
				}
			}
		})
	}
}

func mustRoute(t *testing.T, pl *plan.Plan, name string) string {
	t.Helper()
	fn, ok := pl.FunctionForRoute(name)
	if !ok {
		t.Fatalf("no route %s", name)
	}
	return fn
}
