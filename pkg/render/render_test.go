package render

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// doc is a parsed template. goccy/go-yaml accepts CloudFormation's short
// tags (!Ref, !Sub, !GetAtt) and keeps their scalar or sequence value; the
// raw text is kept to read the tags back where it matters.
type doc struct {
	Version     string                    `yaml:"AWSTemplateFormatVersion"`
	Description string                    `yaml:"Description"`
	Metadata    map[string]any            `yaml:"Metadata"`
	Parameters  map[string]any            `yaml:"Parameters"`
	Conditions  map[string]any            `yaml:"Conditions"`
	Resources   map[string]map[string]any `yaml:"Resources"`
	Outputs     map[string]map[string]any `yaml:"Outputs"`
}

var parsed = map[string]doc{} // by template sha256: the big projects parse many templates

func parse(t testing.TB, tp Template) doc {
	t.Helper()
	if d, ok := parsed[tp.SHA256]; ok && tp.SHA256 == sum(tp.Body) {
		return d
	}
	var d doc
	if err := yaml.UnmarshalWithOptions(tp.Body, &d, yaml.Strict()); err != nil {
		t.Fatalf("%s does not parse back: %v", tp.Name, err)
	}
	if d.Version != "2010-09-09" || d.Description == "" {
		t.Errorf("%s: version %q description %q", tp.Name, d.Version, d.Description)
	}
	if len(d.Resources) == 0 {
		t.Fatalf("%s has no resources", tp.Name)
	}
	parsed[tp.SHA256] = d
	return d
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	paramURLRe = regexp.MustCompile(`TemplateURL: !Sub "https://\$\{ArtifactsBucket\}\.s3\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}/\$\{(\w+)\}"`)
	keyRe      = regexp.MustCompile(`^([^"]+)/templates/([0-9a-f]{64})\.yaml$`)
)

var templateURLRe = regexp.MustCompile(`TemplateURL: !Sub "https://\$\{ArtifactsBucket\}\.s3\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}/([^"]+)/templates/([0-9a-f]{64})\.yaml"`)

// checkWiring verifies across templates what cfn-lint cannot: every nested
// stack's TemplateURL names a rendered child by its hash, children come
// before their parent, the parameters passed are exactly the child's, and
// every Outputs reference exists in the child.
func checkWiring(t *testing.T, out *Output, prefix string) {
	t.Helper()
	bySHA := map[string]int{}
	docs := map[string]doc{}
	for i, tp := range out.Templates {
		if tp.SHA256 != sum(tp.Body) {
			t.Errorf("%s: SHA256 field does not match its body", tp.Name)
		}
		bySHA[tp.SHA256] = i
		docs[tp.Name] = parse(t, tp)
	}
	if last := out.Templates[len(out.Templates)-1]; last.Name != "root.yaml" {
		t.Errorf("last template %s, want root.yaml", last.Name)
	}
	outRef := regexp.MustCompile(`!GetAtt (\w+)\.Outputs\.(\w+)`)
	for i, tp := range out.Templates {
		d := docs[tp.Name]
		childOf := map[string]string{}
		for id, r := range d.Resources {
			if r["Type"] != "AWS::CloudFormation::Stack" {
				continue
			}
			// Find this resource's TemplateURL in the text.
			idx := bytes.Index(tp.Body, []byte("\n  "+id+":\n"))
			m := templateURLRe.FindSubmatch(tp.Body[idx:])
			if pm := paramURLRe.FindSubmatch(tp.Body[idx:]); pm != nil && (m == nil || bytes.Index(tp.Body[idx:], pm[0]) < bytes.Index(tp.Body[idx:], m[0])) {
				// The template key is a root parameter (the manage stack):
				// its default names the child.
				param, _ := d.Parameters[string(pm[1])].(map[string]any)
				def, _ := param["Default"].(string)
				m = keyRe.FindSubmatch([]byte(def))
			}
			if idx < 0 || m == nil || string(m[1]) != prefix {
				t.Fatalf("%s: %s has no content-addressed TemplateURL under %s", tp.Name, id, prefix)
			}
			ci, ok := bySHA[string(m[2])]
			if !ok || ci >= i {
				t.Fatalf("%s: %s points at %s, not a template rendered before it", tp.Name, id, m[2])
			}
			child := out.Templates[ci]
			childOf[id] = child.Name
			passed, _ := props(r)["Parameters"].(map[string]any)
			if got, want := keys(passed), keys(docs[child.Name].Parameters); !slices.Equal(got, want) {
				t.Errorf("%s: %s passes %v, %s declares %v", tp.Name, id, got, child.Name, want)
			}
		}
		for _, m := range outRef.FindAllSubmatch(tp.Body, -1) {
			child, ok := childOf[string(m[1])]
			if !ok {
				t.Errorf("%s: %s is not a nested stack", tp.Name, m[1])
				continue
			}
			if _, ok := docs[child].Outputs[string(m[2])]; !ok {
				t.Errorf("%s: %s.Outputs.%s: %s has no such output", tp.Name, m[1], m[2], child)
			}
		}
	}
}

// checkLimits asserts CloudFormation's per-template limits.
func assertLimits(t *testing.T, out *Output) {
	t.Helper()
	for _, tp := range out.Templates {
		d := parse(t, tp)
		if len(d.Resources) > 500 || len(d.Parameters) > 200 || len(d.Outputs) > 200 || len(tp.Body) > 1<<20 {
			t.Errorf("%s over limits: %d resources, %d parameters, %d outputs, %d bytes", tp.Name, len(d.Resources), len(d.Parameters), len(d.Outputs), len(tp.Body))
		}
	}
}

type lintFile struct {
	name string
	body []byte
}

// cfnLint runs cfn-lint once over all files and fails on any finding
// (errors, warnings and informational matches alike).
func cfnLint(t *testing.T, files []lintFile) {
	t.Helper()
	bin := testenv.CfnLint(t)
	dir := t.TempDir()
	var args []string
	args = append(args, "--format", "parseable", "--")
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.body, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	cmd := exec.Command(bin, args...)
	outb, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(outb)) > 0 {
		lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
		if len(lines) > 40 {
			lines = append(lines[:40], fmt.Sprintf("... %d more", len(lines)-40))
		}
		t.Errorf("cfn-lint on %d templates: %v\n%s", len(files), err, strings.Join(lines, "\n"))
	}
}

type goldenCase struct {
	env, granularity, api string
	sdl                   bool
	noDeps                bool // a project without a dependencies layer
}

var goldenCases = []goldenCase{
	{"dev", "route", "rest", true, false},
	{"prod", "app", "http", true, false},
	{"pr-7", "project", "rest", false, false},
	{"dev", "route", "rest", true, true},
}

func (gc goldenCase) name() string {
	n := gc.env + "-" + gc.granularity + "-" + gc.api
	if gc.noDeps {
		n += "-nodeps"
	}
	return n
}

func (gc goldenCase) artifacts() Artifacts {
	a := testArtifacts("shop")
	if gc.sdl {
		a.GraphQLSDL = shopSDL
	}
	if gc.noDeps {
		a.Deps = Artifact{}
	}
	return a
}

func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		name := gc.name()
		t.Run(name, func(t *testing.T) {
			out := mustRender(t, mustPlan(t, shopProject(), shopConfig(gc.env, gc.granularity, gc.api)), gc.artifacts())
			var names []string
			for _, tp := range out.Templates {
				names = append(names, tp.Name)
				golden.Assert(t, tp.Body, filepath.Join("testdata", "golden", name, tp.Name))
			}
			golden.Assert(t, out.OpenAPI.Body, filepath.Join("testdata", "golden", name, "openapi.json"))
			golden.Assert(t, out.Record.Body, filepath.Join("testdata", "golden", name, "deployment-record.json"))
			if want := []string{"lambdas.yaml", "manage.yaml", "api.yaml", "root.yaml"}; !slices.Equal(names, want) {
				t.Errorf("templates %v, want %v", names, want)
			}
			checkWiring(t, out, "shop")
			assertLimits(t, out)
			if gc.sdl != (out.Template("api.yaml") != nil && bytes.Contains(out.Template("api.yaml").Body, []byte("AWS::AppSync::GraphQLApi"))) {
				t.Errorf("AppSync rendered = %v, want %v", !gc.sdl, gc.sdl)
			}
			if !gc.sdl && len(out.Diagnostics) == 0 {
				t.Errorf("no warning for a GraphQL schema without SDL")
			}
		})
	}
}

// TestTemplateContents checks the properties the design relies on,
// semantically, on the parsed templates.
func TestTemplateContents(t *testing.T) {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	pl := mustPlan(t, shopProject(), shopConfig("prod", "route", "rest"))
	out := mustRender(t, pl, a)
	l := parse(t, *out.Template("lambdas.yaml"))
	api := parse(t, *out.Template("api.yaml"))

	fn := props(l.Resources["CatalogDetailFunction"])
	env := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	if env["DJANGO_SERVERLESS_SCRIPT_NAME"] != "/prod" || env["DJANGO_SERVERLESS_PERSIST_DB"] != "1" || env["DJANGO_SERVERLESS_FUNCTION"] != "CatalogDetail" ||
		env["DJANGO_SETTINGS_MODULE"] != "shop.settings" || env["DJANGO_SERVERLESS_GRAPHQL_SCHEMA"] != "shop.schema.schema" || env["ALLOWED_HOSTS"] != "*" {
		t.Errorf("env = %v", env)
	}
	if fn["Runtime"] != "python3.12" || fn["Handler"] != plan.Handler || fn["MemorySize"] != uint64(1024) || fmt.Sprint(fn["Architectures"]) != "[x86_64]" || fn["VpcConfig"] == nil {
		t.Errorf("function = %v", fn)
	}
	if props(l.Resources["OrdersOrderListFunction"])["ReservedConcurrentExecutions"] != uint64(20) {
		t.Errorf("reserved concurrency missing: %v", props(l.Resources["OrdersOrderListFunction"]))
	}
	alias := props(l.Resources["CatalogDetailAlias"])
	if alias["Name"] != "prod" || alias["ProvisionedConcurrencyConfig"] == nil {
		t.Errorf("alias = %v", alias)
	}
	warmer := props(l.Resources["CatalogDetailWarmer"])
	target := warmer["Target"].(map[string]any)
	if warmer["ScheduleExpression"] != "cron(4/5 8-18 ? * MON-FRI *)" || warmer["ScheduleExpressionTimezone"] != "Europe/Lisbon" || target["Input"] != plan.WarmupPayload || target["Arn"] != "CatalogDetailAlias" {
		t.Errorf("warmer = %v", warmer)
	}
	if _, ok := l.Resources["HomeWarmer"]; ok {
		t.Errorf("a function not marked warm has a warmer")
	}
	// The execution role grants logs on this stack's log groups only, plus
	// the configured secrets, parameters and statements.
	role := string(out.Template("lambdas.yaml").Body)
	for _, want := range []string{"log-group:/aws/lambda/shop-prod_*:*", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf", "ssm:GetParameter", "s3:PutObject", "AWSLambdaVPCAccessExecutionRole"} {
		if !strings.Contains(role, want) {
			t.Errorf("lambdas.yaml lacks %q", want)
		}
	}
	if strings.Contains(role, `Action: "*"`) || strings.Contains(role, `- "*"`) {
		t.Errorf("wildcard action in lambdas.yaml")
	}
	// API: one OpenAPI document loaded from S3 (overwrite: what it no
	// longer has is removed), a deployment named after its hash, a stage
	// named after the environment, one permission per function the API
	// reaches, scoped to this API's stage.
	stage := props(api.Resources["Stage"])
	if stage["StageName"] != "prod" {
		t.Errorf("stage = %v", stage)
	}
	rest := props(api.Resources["RestApi"])
	loc, _ := rest["BodyS3Location"].(map[string]any)
	if rest["Mode"] != "overwrite" || loc["Key"] != out.OpenAPI.Key || loc["Bucket"] != "ArtifactsBucket" || rest["Name"] != "shop-prod" {
		t.Errorf("RestApi %v", rest)
	}
	if !strings.HasPrefix(out.OpenAPI.Key, "shop/openapi/") || out.OpenAPI.Key != OpenAPIKey("shop", sum(out.OpenAPI.Body)) {
		t.Errorf("document key %s", out.OpenAPI.Key)
	}
	depID := "Deployment" + sum(out.OpenAPI.Body)[:12]
	if _, ok := api.Resources[depID]; !ok || stage["DeploymentId"] != depID {
		t.Errorf("deployment %s missing or not the stage's: %v", depID, stage)
	}
	reached := map[string]bool{}
	for _, e := range pl.API {
		reached[e.Function] = true
	}
	var deployments, perms int
	for id, r := range api.Resources {
		switch r["Type"] {
		case "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource":
			t.Errorf("%s: per-route API resources beside the OpenAPI document", id)
		case "AWS::ApiGateway::Deployment":
			deployments++
		case "AWS::Lambda::Permission":
			perms++
			p := props(r)
			if !strings.HasSuffix(p["SourceArn"].(string), ":${RestApi}/prod/*") || !reached[strings.TrimSuffix(id, "Permission")] {
				t.Errorf("%s SourceArn %v", id, p["SourceArn"])
			}
		}
	}
	if deployments != 1 || perms != len(reached) {
		t.Errorf("%d deployments, %d permissions for %d functions", deployments, perms, len(reached))
	}
	doc := mustDoc(t, out)
	if !slices.Equal(doc.BinaryMediaTypes, []string{"image/*", "multipart/form-data"}) {
		t.Errorf("binary media types %v", doc.BinaryMediaTypes)
	}
	for path, item := range doc.Paths {
		op := item[openapi.AnyMethod]
		if len(item) != 1 || op == nil || !strings.HasSuffix(op.Integration.URI, ":function:"+pl.Function(apiMap(pl)[path]).PhysicalName+":prod/invocations") ||
			!strings.HasPrefix(op.Integration.URI, "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:") {
			t.Errorf("path %s: %+v", path, item)
		}
	}
	var resolvers []string
	for _, r := range api.Resources {
		if r["Type"] == "AWS::AppSync::Resolver" {
			p := props(r)
			resolvers = append(resolvers, fmt.Sprint(p["TypeName"], ".", p["FieldName"], " ", p["Kind"]))
			if _, ok := p["RequestMappingTemplate"]; ok {
				t.Errorf("direct Lambda resolvers need no mapping template")
			}
		}
	}
	sort.Strings(resolvers)
	if want := []string{"Mutation.createOrder UNIT", "Query.product UNIT", "Query.products UNIT"}; !slices.Equal(resolvers, want) {
		t.Errorf("resolvers %v, want %v", resolvers, want)
	}
	root := parse(t, *out.Template("root.yaml"))
	if _, ok := root.Parameters["GraphQLApiKeyExpires"]; !ok || !strings.Contains(string(out.Template("api.yaml").Body), "Expires: !If [HasApiKeyExpiry, !Ref GraphQLApiKeyExpires, !Ref AWS::NoValue]") {
		t.Errorf("API key expiry is not a deploy-time parameter")
	}
	if props(api.Resources["GraphQLSchema"])["Definition"] != shopSDL {
		t.Errorf("schema definition not inlined verbatim")
	}
}

// TestCfnLintMatrix is the schema gate: cfn-lint, one run over every
// template of the example projects (every environment, granularity and API
// type), the golden fixture and the big projects, must report nothing.
func TestCfnLintMatrix(t *testing.T) {
	files := exampleLintFiles(t)
	for _, gc := range goldenCases {
		out := mustRender(t, mustPlan(t, shopProject(), shopConfig(gc.env, gc.granularity, gc.api)), gc.artifacts())
		for _, tp := range out.Templates {
			files = append(files, lintFile{"golden-" + gc.name() + "-" + tp.Name, tp.Body})
		}
	}
	// A sharded project without a dependencies layer: every lambdas stack
	// (the first outputs the layer ARNs, the others take them as
	// parameters that must all be used) and the root wiring them.
	for _, tp := range noDepsSharded(t).out.Templates {
		if strings.HasPrefix(tp.Name, "lambdas") || tp.Name == "root.yaml" {
			files = append(files, lintFile{"nodeps-sharded-" + tp.Name, tp.Body})
		}
	}
	iam := shopConfig("prod", "route", "http")
	iam.GraphQL.Auth = "AWS_IAM"
	ia := testArtifacts("shop")
	ia.GraphQLSDL = shopSDL
	files = append(files, lintFile{"iam-api.yaml", mustRender(t, mustPlan(t, shopProject(), iam), ia).Template("api.yaml").Body})
	// The big projects: every template of the first shard kinds.
	big := mustRender(t, mustPlan(t, bigProject(2000), shopConfig("dev", "route", "rest")), testArtifacts("big"))
	bigHTTP := mustRender(t, mustPlan(t, bigProject(2000), shopConfig("pr-7", "app", "http")), testArtifacts("big"))
	saleor := saleorOutput(t)
	for _, o := range []struct {
		tag string
		out *Output
	}{{"big-rest", big}, {"big-http", bigHTTP}, {"saleor", saleor}} {
		seen := map[string]bool{}
		for _, tp := range o.out.Templates {
			kind := strings.TrimRight(strings.TrimSuffix(tp.Name, ".yaml"), "-0123456789")
			if seen[kind] {
				continue
			}
			seen[kind] = true
			files = append(files, lintFile{o.tag + "-" + tp.Name, tp.Body})
		}
	}
	// Static files on (CloudFront) and off, a domain or none (with and
	// without a hosted zone), REST and HTTP: every template of each.
	files = append(files, staticLintFiles(t)...)
	cfnLint(t, files)
}

func TestDeterministic(t *testing.T) {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	for _, api := range []string{"rest", "http"} {
		one := mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", api)), a)
		two := mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", api)), a)
		p := shopProject()
		slices.Reverse(p.Routes) // discovery order does not matter when routes do not clash
		slices.Reverse(p.GraphQL.QueryFields)
		c := shopConfig("dev", "route", api)
		slices.Reverse(c.API.BinaryMediaTypes)
		three := mustRender(t, mustPlan(t, p, c), a)
		for i := range one.Templates {
			if !bytes.Equal(one.Templates[i].Body, two.Templates[i].Body) || !bytes.Equal(one.Templates[i].Body, three.Templates[i].Body) {
				t.Errorf("%s %s differs between renders", api, one.Templates[i].Name)
			}
		}
	}
}

func resourceIDs(t *testing.T, out *Output) map[string]bool {
	ids := map[string]bool{}
	for _, tp := range out.Templates {
		kind := tp.Name
		for id := range parse(t, tp).Resources {
			ids[kind+"/"+id] = true
		}
	}
	return ids
}

func TestAddRouteRenamesNothing(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		a := testArtifacts("shop")
		a.GraphQLSDL = shopSDL
		before := resourceIDs(t, mustRender(t, mustPlan(t, shopProject(), shopConfig("dev", "route", api)), a))
		p := shopProject()
		p.Routes = append(p.Routes, djangoRoute("/catalog/{pk}/images/", "catalog:images", "catalog"))
		after := resourceIDs(t, mustRender(t, mustPlan(t, p, shopConfig("dev", "route", api)), a))
		var added []string
		for id := range before {
			if !after[id] && !strings.HasPrefix(id, "api.yaml/Deployment") {
				t.Errorf("%s: %s disappeared when a route was added", api, id)
			}
		}
		for id := range after {
			if !before[id] {
				added = append(added, id)
			}
		}
		sort.Strings(added)
		if len(added) < 4 || !slices.Contains(added, "lambdas.yaml/CatalogImagesFunction") {
			t.Errorf("%s: added %v", api, added)
		}
	}
}

func TestLayerChangeOnlyMovesVersions(t *testing.T) {
	a := testArtifacts("shop")
	pl := mustPlan(t, shopProject(), shopConfig("dev", "route", "rest"))
	one := mustRender(t, pl, a)
	a.Project.SHA256 = shaOf("project v2")
	two := mustRender(t, pl, a)
	before, after := resourceIDs(t, one), resourceIDs(t, two)
	var gone, came []string
	for id := range before {
		if !after[id] {
			gone = append(gone, id)
		}
	}
	for id := range after {
		if !before[id] {
			came = append(came, id)
		}
	}
	// One version per function, and the manage function's.
	if len(gone) != len(pl.Functions)+1 || len(came) != len(pl.Functions)+1 {
		t.Errorf("gone %v came %v, want one version per function", gone, came)
	}
	for _, id := range append(gone, came...) {
		if !strings.HasPrefix(id, "lambdas.yaml/") && !strings.HasPrefix(id, "manage.yaml/DjangoManageVersion") || !strings.Contains(id, "Version") {
			t.Errorf("%s changed ID on a layer-only change", id)
		}
	}
	// Only the lambdas template and the root (its hash) change.
	if !bytes.Equal(one.Template("api.yaml").Body, two.Template("api.yaml").Body) {
		t.Errorf("api.yaml changed on a layer-only change")
	}
	ll := diffLines(one.Template("lambdas.yaml").Body, two.Template("lambdas.yaml").Body)
	for _, line := range ll {
		if !strings.Contains(line, "Version") && !strings.Contains(line, shaOf("project")) && !strings.Contains(line, a.Project.SHA256) {
			t.Errorf("unexpected change in lambdas.yaml: %s", line)
		}
	}
}

func diffLines(a, b []byte) []string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	var out []string
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			out = append(out, al[i]+" => "+bl[i])
		}
	}
	if len(al) != len(bl) {
		out = append(out, "length differs")
	}
	return out
}

func TestBadInput(t *testing.T) {
	pl := mustPlan(t, shopProject(), shopConfig("dev", "route", "rest"))
	a := testArtifacts("shop")
	a.Deps.UnzippedSize = 240 << 20
	a.Project.UnzippedSize = 20 << 20
	if _, err := Render(pl, a); err == nil || !strings.Contains(err.Error(), "over Lambda's 250 MiB limit (deps 240 MiB, project 20 MiB") {
		t.Errorf("oversized function: %v", err)
	}
	a = testArtifacts("shop")
	a.Code.SHA256 = "abc"
	if _, err := Render(pl, a); err == nil || !strings.Contains(err.Error(), "function code sha256") {
		t.Errorf("bad sha: %v", err)
	}
	a = testArtifacts("shop/")
	if _, err := Render(pl, a); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("bad prefix: %v", err)
	}
	// The deps layer may be absent (zero Artifact), never malformed.
	for _, bad := range []string{"abc", strings.ToUpper(shaOf("deps")), shaOf("deps") + "0", " "} {
		a = testArtifacts("shop")
		a.Deps.SHA256 = bad
		if _, err := Render(pl, a); err == nil || !strings.Contains(err.Error(), "deps layer sha256") {
			t.Errorf("deps sha256 %q: %v", bad, err)
		}
	}
	a = testArtifacts("shop")
	a.Deps.SHA256 = ""
	if _, err := Render(pl, a); err == nil || !strings.Contains(err.Error(), "deps layer has a size") {
		t.Errorf("deps layer with a size and no sha256: %v", err)
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"", "plain", "a: b", `"quoted" 'single'`, "*", "!Ref X", "line\nbreak\ttab", "# not a comment", "- dash", "{a: 1}", "yes", "null", "0123", "ünïcödé \u2028", "back\\slash", "${AWS::Region}"} {
		body := []byte("v: " + quote(s) + "\n")
		var got map[string]string
		if err := yaml.Unmarshal(body, &got); err != nil || got["v"] != s {
			t.Errorf("quote(%q) = %s parses to %q, %v", s, body, got["v"], err)
		}
	}
}
