package render

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
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

// TestPermissionsFollowFunctions: every function the API reaches has one
// permission, scoped to this API, in the stack paired with its lambdas
// stack (api.yaml for the first, api-permissions-n.yaml for the n-th), so
// a permission moves only if its function does; the record lists every
// function's stack.
func TestPermissionsFollowFunctions(t *testing.T) {
	c := shopConfig("dev", "route", "rest")
	c.API.Quotas.Resources = 100000
	pl := mustPlan(t, bigProject(300), c)
	if pl.LambdaShards < 3 {
		t.Fatalf("%d lambdas stacks", pl.LambdaShards)
	}
	out := mustRender(t, pl, testArtifacts("big"))
	checkWiring(t, out, "big")
	where := map[string]string{}
	for _, tp := range out.Templates {
		for id, r := range parse(t, tp).Resources {
			if r["Type"] != "AWS::Lambda::Permission" {
				continue
			}
			fn := strings.TrimSuffix(id, "Permission")
			if prev, dup := where[fn]; dup {
				t.Errorf("%s has permissions in %s and %s", fn, prev, tp.Name)
			}
			where[fn] = tp.Name
			arn := props(r)["SourceArn"].(string)
			if !strings.HasSuffix(arn, ":${RestApi}/dev/*") && !strings.HasSuffix(arn, ":${RestApiId}/dev/*") {
				t.Errorf("%s: SourceArn %s is not this API's stage", id, arn)
			}
		}
	}
	for _, f := range pl.Functions {
		want := "api.yaml"
		if f.Shard > 0 {
			want = "api-permissions-" + strconv.Itoa(f.Shard+1) + ".yaml"
		}
		if where[f.Name] != want {
			t.Errorf("%s (lambdas stack %d): permission in %q, want %s", f.Name, f.Shard+1, where[f.Name], want)
		}
	}
	if len(out.Placement.Functions) != len(pl.Functions) {
		t.Errorf("record lists %d functions of %d", len(out.Placement.Functions), len(pl.Functions))
	}
	for i, f := range out.Placement.Functions {
		if p := pl.Functions[i]; f.Name != p.Name || f.Shard != p.Shard+1 || f.PhysicalName != p.PhysicalName {
			t.Errorf("record %+v, plan %+v", f, p)
		}
	}
}

// TestResolverPlacement: resolvers keep the stack the record gives them;
// new ones fill api.yaml up to its share, then resolver stacks.
func TestResolverPlacement(t *testing.T) {
	rv := func(fields ...string) []ResolverView {
		var out []ResolverView
		for _, f := range fields {
			out = append(out, ResolverView{Type: "Query", Field: f})
		}
		return out
	}
	var many []string
	for i := range 600 {
		many = append(many, fmt.Sprintf("f%03d", i))
	}
	first := placeResolvers(rv(many...), nil)
	load := map[int]int{}
	for _, s := range first {
		load[s]++
	}
	if load[0] != mainResolverShare || load[1] != resolverBudget || load[2] != 600-mainResolverShare-resolverBudget {
		t.Errorf("first layout %v", load)
	}
	prev := &record.Record{}
	for i, s := range first {
		prev.Resolvers = append(prev.Resolvers, record.Resolver{Type: "Query", Field: many[i], Shard: s})
	}
	// Fields sorting first are added, some removed: nobody moves.
	grown := append([]string{"a1", "a2", "a3"}, many[10:]...)
	again := placeResolvers(rv(grown...), prev)
	for i, f := range grown {
		if i < 3 {
			if again[i] != 0 {
				t.Errorf("new field %s in stack %d: api.yaml has room", f, again[i])
			}
			continue
		}
		if was := first[i-3+10]; again[i] != was {
			t.Errorf("%s moved %d -> %d", f, was, again[i])
		}
	}
}

// TestTrustAndNetworkEdges: AppSync's role trusts AppSync for this
// account only; a VPC without security groups renders no empty list.
func TestTrustAndNetworkEdges(t *testing.T) {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	out := mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", "rest")), a)
	role := props(parse(t, *out.Template("api.yaml")).Resources["AppSyncRole"])
	stmt := role["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	cond, _ := stmt["Condition"].(map[string]any)["StringEquals"].(map[string]any)
	if cond["aws:SourceAccount"] != "AWS::AccountId" {
		t.Errorf("AppSync trust policy %v", stmt)
	}
	c := shopConfig("prod", "route", "rest")
	c.VPC.SecurityGroupIDs = nil // config refuses it; render never writes an empty list
	l := mustRender(t, mustPlan(t, shopProject(), c), a).Template("lambdas.yaml").Body
	if strings.Contains(string(l), "SecurityGroupIds") || !strings.Contains(string(l), "SubnetIds:") {
		t.Errorf("a VPC without security groups renders an empty SecurityGroupIds (or no VPC)")
	}
}
