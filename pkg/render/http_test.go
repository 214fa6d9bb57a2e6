package render

import (
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"

	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestHTTPAndEnvContract(t *testing.T) {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	pl := mustPlan(t, shopProject(), shopConfig("dev", "route", "http"))
	out := mustRender(t, pl, a)
	l := parse(t, *out.Template("lambdas.yaml"))
	api := parse(t, *out.Template("api.yaml"))

	// Every function's environment is exactly what FunctionEnv (and so the
	// local invoke) gives.
	for _, f := range pl.Functions {
		vars := props(l.Resources[f.Name+"Function"])["Environment"].(map[string]any)["Variables"].(map[string]any)
		got := map[string]string{}
		for k, v := range vars {
			got[k] = fmt.Sprint(v)
		}
		if want := pl.FunctionEnv(f.Name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s env %v, want %v", f.Name, got, want)
		}
		if got["DJANGO_SERVERLESS_SCRIPT_NAME"] != "" {
			t.Errorf("HTTP API $default stage has no script name, got %q", got["DJANGO_SERVERLESS_SCRIPT_NAME"])
		}
	}
	for _, r := range api.Resources {
		switch r["Type"] {
		case "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::RestApi":
			t.Errorf("%s in an HTTP API template (the OpenAPI document carries routes and integrations)", r["Type"])
		}
	}
	loc := props(api.Resources["HttpApi"])["BodyS3Location"].(map[string]any)
	if loc["Key"] != out.OpenAPI.Key {
		t.Errorf("HttpApi %v", props(api.Resources["HttpApi"]))
	}
	doc := mustDoc(t, out)
	var routes []string
	for path, item := range doc.Paths {
		op := item[openapi.AnyMethod]
		routes = append(routes, "ANY "+path+" -> "+op.Integration.Ref)
		in := doc.Components.Integrations[strings.TrimPrefix(op.Integration.Ref, openapi.IntegrationRefPrefix)]
		if in == nil || in.PayloadFormatVersion != "2.0" || !strings.HasSuffix(in.URI, ":dev/invocations") {
			t.Errorf("%s: integration %+v", path, in)
		}
		if (path == openapi.DefaultPath) != op.IsDefaultRoute {
			t.Errorf("%s: isDefaultRoute %v", path, op.IsDefaultRoute)
		}
	}
	sort.Strings(routes)
	ref := "#/components/x-amazon-apigateway-integrations/"
	want := []string{
		"ANY / -> " + ref + "Home",
		"ANY /$default -> " + ref + "Default",
		"ANY /admin -> " + ref + "AdminIndex",
		"ANY /catalog -> " + ref + "CatalogList",
		"ANY /catalog/{pk} -> " + ref + "CatalogDetail",
		"ANY /catalog/{pk}/reviews -> " + ref + "CatalogReviews",
		"ANY /graphql -> " + ref + "Graphql",
		"ANY /media/{path+} -> " + ref + "MediaPath",
		"ANY /orders -> " + ref + "OrdersOrderList",
		"ANY /orders/{pk} -> " + ref + "OrdersOrderDetail",
	}
	if !reflect.DeepEqual(routes, want) {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(routes, "\n"), strings.Join(want, "\n"))
	}
	if len(doc.Components.Integrations) != len(pl.Functions) {
		t.Errorf("%d integrations for %d functions", len(doc.Components.Integrations), len(pl.Functions))
	}
	if st := props(api.Resources["HttpStage"]); st["StageName"] != "$default" || st["AutoDeploy"] != true {
		t.Errorf("stage %v", st)
	}
	// Warmers only for warm functions, none when the schedule is off.
	var warm []string
	for id, r := range l.Resources {
		if r["Type"] == "AWS::Scheduler::Schedule" {
			warm = append(warm, id)
		}
	}
	sort.Strings(warm)
	if w := []string{"CatalogDetailWarmer", "CatalogListWarmer", "CatalogReviewsWarmer"}; !reflect.DeepEqual(warm, w) {
		t.Errorf("warmers %v, want %v", warm, w)
	}
	c := shopConfig("dev", "route", "http")
	c.Warm.BusinessHours.Start = "08:30"
	split := parse(t, *mustRender(t, mustPlan(t, shopProject(), c), a).Template("lambdas.yaml"))
	w1, w2 := props(split.Resources["CatalogListWarmer"]), props(split.Resources["CatalogListWarmer2"])
	if w1["ScheduleExpression"] != "cron(33/5 8 ? * MON-FRI *)" || w2["ScheduleExpression"] != "cron(3/5 9-18 ? * MON-FRI *)" || w2["ScheduleExpressionTimezone"] != "Europe/Lisbon" {
		t.Errorf("business hours from 08:30: %v / %v", w1, w2)
	}
	preview := mustRender(t, mustPlan(t, shopProject(), shopConfig("pr-7", "route", "http")), a)
	if b := string(preview.Template("lambdas.yaml").Body); strings.Contains(b, "AWS::Scheduler::Schedule") || strings.Contains(b, "SchedulerRole") {
		t.Errorf("preview environment with warm: off has warmers")
	}
}

func TestCheckLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  A:\n    Type: String\nResources:\n")
	for i := range 501 {
		fmt.Fprintf(&b, "  R%d:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: \"x:\"\n", i)
	}
	err := checkLimits(Template{Name: "x.yaml", Body: []byte(b.String())})
	if err == nil || err.Error() != "render x.yaml: 501 resources, over CloudFormation's limit of 500 per template" {
		t.Errorf("checkLimits = %v", err)
	}
	// The real templates pass with their exact counts.
	out := mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", "rest")), testArtifacts("shop"))
	for _, tp := range out.Templates {
		if err := checkLimits(tp); err != nil {
			t.Error(err)
		}
		d, c := parse(t, tp), sectionCounts(tp.Body)
		if c["Resources"] != len(d.Resources) || c["Parameters"] != len(d.Parameters) || c["Outputs"] != len(d.Outputs) {
			t.Errorf("%s: counted %v, parsed %d/%d/%d", tp.Name, c, len(d.Resources), len(d.Parameters), len(d.Outputs))
		}
	}
}

func TestVersionIDs(t *testing.T) {
	a := testArtifacts("shop")
	versionOf := func(mut func(c *configT)) string {
		c := shopConfig("dev", "route", "rest")
		mut(c)
		for id, r := range parse(t, *mustRender(t, mustPlan(t, shopProject(), c), a).Template("lambdas.yaml")).Resources {
			if r["Type"] == "AWS::Lambda::Version" && strings.HasPrefix(id, "CatalogListVersion") {
				return id
			}
		}
		t.Fatal("no CatalogList version")
		return ""
	}
	base := versionOf(func(*configT) {})
	if v := versionOf(func(c *configT) {
		c.Warm.Schedule = "off"
		c.Functions.Rules[0].Settings.ProvisionedConcurrency = ptr(3)
	}); v != base {
		t.Errorf("warming or provisioned concurrency changed the version: %s -> %s", base, v)
	}
	if v := versionOf(func(c *configT) { c.Functions.Rules[0].Settings.ReservedConcurrency = ptr(7) }); v != base {
		t.Errorf("reserved concurrency changed the version (Lambda would refuse to publish an identical one): %s -> %s", base, v)
	}
	if v := versionOf(func(c *configT) { c.Functions.Rules[0].Settings.Memory = 2048 }); v == base {
		t.Errorf("memory change kept version %s", v)
	}
	if v := versionOf(func(c *configT) { c.Env["NEW"] = "1" }); v == base {
		t.Errorf("env change kept version %s", v)
	}
}

type configT = config.Config

func TestFuncMapIsPure(t *testing.T) {
	fm := funcs(engine)
	var names []string
	for k := range fm {
		names = append(names, k)
	}
	sort.Strings(names)
	if want := []string{"include", "layer", "nindent", "q", "resolverPart", "sub", "warmupPayload"}; !reflect.DeepEqual(names, want) {
		t.Errorf("func map %v, want only the pure helpers %v", names, want)
	}
	nindent := fm["nindent"].(func(int, string) string)
	if got := nindent(4, "a:\n  b: 1\n"); got != "\n    a:\n      b: 1" {
		t.Errorf("nindent = %q", got)
	}
	if _, err := fm["include"].(func(string, any) (string, error))("no-such-partial", nil); err == nil {
		t.Errorf("include of a missing partial did not fail")
	}
}

func TestResolversFollowTheSchema(t *testing.T) {
	sdl := "schema { query: RootQuery mutation: RootMutation }\n" +
		"type RootQuery { products: [String] }\n" +
		"extend type RootQuery { reviews: [String] }\n" +
		"type RootMutation { createOrder(id: ID!): String }\n" +
		"type Query { notRoot: String }\n"
	a := testArtifacts("shop")
	a.GraphQLSDL = sdl
	out := mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", "rest")), a)
	var got []string
	for _, r := range parse(t, *out.Template("api.yaml")).Resources {
		if r["Type"] == "AWS::AppSync::Resolver" {
			got = append(got, fmt.Sprint(props(r)["TypeName"], ".", props(r)["FieldName"], " ", props(r)["DataSourceName"]))
		}
	}
	sort.Strings(got)
	if want := []string{"RootMutation.createOrder GraphqlDataSource.Name", "RootQuery.products GraphqlDataSource.Name", "RootQuery.reviews GraphqlDataSource.Name"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resolvers %v, want %v", got, want)
	}
	if len(out.Diagnostics) != 1 || !strings.Contains(out.Diagnostics[0].String(), "shop/schema.py:30: warning: graphql: 1 root field(s) found in the source are not in the deployed schema and get no resolver: Query.product") {
		t.Errorf("diagnostics %v", out.Diagnostics)
	}
	a.GraphQLSDL = "type Query {"
	if _, err := Render(mustPlan(t, shopProject(), shopConfig("dev", "route", "rest")), a); err == nil || !strings.Contains(err.Error(), "graphql schema shop.schema.schema") {
		t.Errorf("unparsable schema: %v", err)
	}
}

func TestResolversAlignedBySDLTypeName(t *testing.T) {
	// A plan whose resolvers were aligned with the SDL (type names as the
	// schema spells them, per-field functions) is followed as is.
	a := testArtifacts("shop")
	a.GraphQLSDL = "schema { query: RootQuery }\ntype RootQuery { products: [String] product: String }\n"
	pl := mustPlan(t, shopProject(), shopConfig("dev", "route", "rest"))
	pl.GraphQL.Resolvers = []plan.Resolver{{Type: "RootQuery", Field: "products", Function: "CatalogList"}, {Type: "RootQuery", Field: "product", Function: "CatalogDetail"}}
	out := mustRender(t, pl, a)
	var got []string
	for _, r := range parse(t, *out.Template("api.yaml")).Resources {
		if r["Type"] == "AWS::AppSync::Resolver" {
			got = append(got, fmt.Sprint(props(r)["TypeName"], ".", props(r)["FieldName"], " ", props(r)["DataSourceName"]))
		}
	}
	sort.Strings(got)
	if want := []string{"RootQuery.product CatalogDetailDataSource.Name", "RootQuery.products CatalogListDataSource.Name"}; !reflect.DeepEqual(got, want) || len(out.Diagnostics) != 0 {
		t.Errorf("resolvers %v (want %v), diagnostics %v", got, want, out.Diagnostics)
	}
}

func TestHostileStrings(t *testing.T) {
	p := shopProject()
	p.Routes = append(p.Routes,
		djangoRoute("/a:b/x.y_z-1,2/", `we"ird: name # not a comment`, ""),
		djangoRoute("/c@d/~y/", "refused", ""),
		djangoRoute("/caf\u00e9-\u2028/", "unicode:\u00e9\u2028", ""),
	)
	c := shopConfig("dev", "route", "rest")
	c.Env["TRICKY"] = "line\nbreak: \"quoted\" 'single' # hash ${NotSub} !Ref X *"
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL + "\n\"\"\"A \"quoted\" description: with colon\n# and hash\"\"\"\nscalar Weird\n"
	_, diags, err := plan.New(p, c, plan.Options{})
	if err == nil {
		t.Fatalf("non-ASCII path accepted: %v", diags)
	}
	p.Routes = p.Routes[:len(p.Routes)-1] // API Gateway paths are ASCII: that route is a plan error
	pl := mustPlan(t, p, c)
	out := mustRender(t, pl, a)
	l := parse(t, *out.Template("lambdas.yaml"))
	for _, f := range pl.Functions {
		vars := props(l.Resources[f.Name+"Function"])["Environment"].(map[string]any)["Variables"].(map[string]any)
		if vars["TRICKY"] != c.Env["TRICKY"] {
			t.Errorf("%s: TRICKY = %q", f.Name, vars["TRICKY"])
		}
	}
	api := parse(t, *out.Template("api.yaml"))
	if props(api.Resources["GraphQLSchema"])["Definition"] != a.GraphQLSDL {
		t.Errorf("SDL not preserved")
	}
	doc := mustDoc(t, out)
	if _, ok := doc.Paths["/a:b/x.y_z-1,2"]; !ok {
		t.Errorf("path /a:b/x.y_z-1,2 missing: %v", doc.Paths)
	}
	for path := range doc.Paths {
		if strings.Contains(path, "@") {
			t.Errorf("%s: API Gateway refuses '@' in a path", path)
		}
	}
	cfnLint(t, []lintFile{{"hostile-lambdas.yaml", out.Template("lambdas.yaml").Body}, {"hostile-api.yaml", out.Template("api.yaml").Body}})
}

func TestGraphQLAuth(t *testing.T) {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	c := shopConfig("dev", "route", "rest")
	c.GraphQL.Auth = "AWS_IAM"
	out := mustRender(t, mustPlan(t, shopProject(), c), a)
	api := parse(t, *out.Template("api.yaml"))
	if _, ok := api.Resources["GraphQLApiKey"]; ok || props(api.Resources["GraphQLApi"])["AuthenticationType"] != "AWS_IAM" {
		t.Errorf("AWS_IAM API: %v", props(api.Resources["GraphQLApi"]))
	}
	if _, ok := parse(t, *out.Template("root.yaml")).Parameters["GraphQLApiKeyExpires"]; ok {
		t.Errorf("API key expiry parameter without an API key")
	}
	c.GraphQL.Auth = "AMAZON_COGNITO_USER_POOLS"
	if _, err := Render(mustPlan(t, shopProject(), c), a); err == nil || !strings.Contains(err.Error(), "graphql auth AMAZON_COGNITO_USER_POOLS is not supported yet") {
		t.Errorf("cognito: %v", err)
	}
}
