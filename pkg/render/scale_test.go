package render

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

const saleorSchema = "../../testdata/corpus/saleor.schema.graphql"

// saleorOutput renders a project whose GraphQL root fields are Saleor's
// (read with gqlparser), served by a GraphQL route.
func saleorOutput(t testing.TB) *Output {
	t.Helper()
	src, err := os.ReadFile(saleorSchema)
	if err != nil {
		testenv.Missing(t, "the vendored Saleor schema %s: %v", saleorSchema, err)
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: "saleor.graphql", Input: string(src)})
	if err != nil {
		t.Fatalf("parse saleor schema: %v", err)
	}
	g := &django.GraphQL{Schema: "saleor.graphql.api.schema", Source: "saleor/graphql/api.py:60"}
	for _, def := range append(doc.Definitions, doc.Extensions...) {
		switch def.Name {
		case "Query":
			for _, f := range def.Fields {
				g.QueryFields = append(g.QueryFields, f.Name)
			}
		case "Mutation":
			for _, f := range def.Fields {
				g.MutationFields = append(g.MutationFields, f.Name)
			}
		}
	}
	p := &django.Project{
		SettingsModule: "saleor.settings", Apps: []string{"graphql"},
		Routes: []django.Route{
			{Path: "/graphql/", View: "saleor.graphql.views.GraphQLView", Name: "api", Methods: []string{"GET", "POST"}, Source: "saleor/urls.py:20", App: "graphql"},
			{Path: "/health/", View: "saleor.core.views.health", Name: "health", Methods: []string{"GET"}, Source: "saleor/urls.py:21"},
		},
		GraphQL: g,
	}
	a := testArtifacts("saleor")
	a.GraphQLSDL = string(src)
	out, err := Render(mustPlan(t, p, shopConfig("dev", "route", "rest")), a)
	if err != nil {
		t.Fatalf("render saleor: %v", err)
	}
	return out
}

func TestSaleorSchemaScale(t *testing.T) {
	out := saleorOutput(t)
	checkWiring(t, out, "saleor")
	assertLimits(t, out)
	var resolvers []string
	var names []string
	for _, tp := range out.Templates {
		names = append(names, tp.Name)
		for _, r := range parse(t, tp).Resources {
			if r["Type"] == "AWS::AppSync::Resolver" {
				p := props(r)
				resolvers = append(resolvers, p["TypeName"].(string)+"."+p["FieldName"].(string))
			}
		}
	}
	sort.Strings(resolvers)
	for i := 1; i < len(resolvers); i++ {
		if resolvers[i] == resolvers[i-1] {
			t.Errorf("duplicate resolver %s", resolvers[i])
		}
	}
	if len(resolvers) < 300 || !strings.Contains(strings.Join(names, ","), "api-resolvers-1.yaml") {
		t.Errorf("%d resolvers in %v: expected hundreds, sharded", len(resolvers), names)
	}
	// The 1 MB schema cannot be inlined: it is an extra upload referenced by S3 location.
	// The files to upload: the schema, the OpenAPI document, the record.
	if len(out.Files) != 3 || !strings.HasPrefix(out.Files[0].Key, "saleor/") || !strings.HasSuffix(out.Files[0].Key, ".graphql") ||
		!strings.Contains(string(out.Template("api.yaml").Body), "DefinitionS3Location: !Sub \"s3://${ArtifactsBucket}/"+out.Files[0].Key+"\"") ||
		out.Files[1].Key != out.OpenAPI.Key || out.Files[2].Key != out.Record.Key {
		t.Errorf("schema upload: %d files", len(out.Files))
	}
	t.Logf("saleor: %d resolvers over %v", len(resolvers), names)
}

// TestBigProjectScale: 2,000 routes render within every limit, whatever
// the API type and granularity: the OpenAPI document carries the API, so
// no per-route API resource exists, and every planned function is
// rendered exactly once.
func TestBigProjectScale(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		for _, g := range []string{"route", "app"} {
			pl := mustPlan(t, bigProject(2000), shopConfig("dev", g, api))
			out := mustRender(t, pl, testArtifacts("big"))
			checkWiring(t, out, "big")
			assertLimits(t, out)
			fns := map[string]int{}
			for _, tp := range out.Templates {
				for id, r := range parse(t, tp).Resources {
					switch r["Type"] {
					case "AWS::Lambda::Function":
						fns[strings.TrimSuffix(id, "Function")]++
					case "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration":
						t.Errorf("%s: per-route API resource %s", tp.Name, id)
					}
				}
			}
			if len(fns) != len(pl.Functions)+1 { // and the manage function
				t.Errorf("%s/%s: %d functions (plan %d)", api, g, len(fns), len(pl.Functions))
			}
			for name, n := range fns {
				if n != 1 {
					t.Errorf("%s rendered %d times", name, n)
				}
			}
			stats, err := openapi.Validate(api, out.OpenAPI.Body)
			if err != nil {
				t.Errorf("%s/%s: %v", api, g, err)
			}
			if api == "rest" && stats.Resources != pl.APIStats.Resources || api == "http" && (stats.Routes != pl.APIStats.Routes || stats.Integrations != pl.APIStats.Integrations) {
				t.Errorf("%s/%s: document counts %+v, plan %+v", api, g, stats, pl.APIStats)
			}
			t.Logf("%s/%s: %d functions, %d API paths, %d templates, %d lambdas stacks, stats %+v", api, g, len(pl.Functions), len(pl.API), len(out.Templates), pl.LambdaShards, stats)
		}
	}
}

// TestBigProjectAddRoute: a route added to a big project moves nothing
// between stacks once the previous placement is known.
func TestBigProjectAddRoute(t *testing.T) {
	p := bigProject(2000)
	c := shopConfig("dev", "route", "rest")
	c.API.Quotas.Resources = 100000
	first := mustRender(t, mustPlan(t, p, c), testArtifacts("big"))
	before := resourceIDs(t, first)
	p.Routes = append(p.Routes, djangoRoute("/app07/new/{pk}/", "app07:new", "app07"))
	pl, _, err := plan.New(p, c, plan.Options{Previous: &first.Placement, Account: "123456789012", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	after := resourceIDs(t, mustRender(t, pl, testArtifacts("big")))
	for id := range before {
		if !after[id] && !strings.HasPrefix(id, "api.yaml/Deployment") {
			t.Errorf("%s disappeared", id)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	pl := mustPlan(b, bigProject(2000), shopConfig("dev", "route", "rest"))
	a := testArtifacts("big")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(pl, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanAndRender(b *testing.B) {
	p := bigProject(2000)
	c := shopConfig("dev", "route", "rest")
	a := testArtifacts("big")
	b.ReportAllocs()
	for b.Loop() {
		pl, _, err := plan.New(p, c, plan.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(pl, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderSaleor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		saleorOutput(b)
	}
}
