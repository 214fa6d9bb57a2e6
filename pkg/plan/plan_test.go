package plan

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

func ptr[T any](v T) *T { return &v }

func project(routes ...django.Route) *django.Project {
	return &django.Project{Root: "/src/shop", SettingsModule: "shop.settings", Apps: []string{"catalog", "orders"}, Routes: routes}
}

func cfg(env, granularity string) *config.Config {
	return &config.Config{
		Path:        "django-serverless.yml",
		Environment: env,
		Functions: config.Functions{
			Granularity: granularity,
			Defaults:    config.FunctionSettings{Memory: 512, Timeout: 15, PersistDB: ptr(false), Warm: ptr(false)},
		},
		API:  config.API{Type: "rest"},
		Warm: config.Warm{Schedule: "business-hours", BusinessHours: config.BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "Europe/Lisbon"}, Every: "5m"},
	}
}

var shopRoutes = []django.Route{
	{Path: "/", View: "shop.views.home", Name: "home", Methods: []string{"GET"}, Source: "shop/urls.py:8"},
	{Path: "/catalog/", View: "shop.catalog.views.ProductList", Name: "catalog:list", Methods: []string{"GET"}, Source: "shop/catalog/urls.py:6", App: "catalog"},
	{Path: "/catalog/{pk}/", View: "shop.catalog.views.detail", Name: "catalog:detail", Methods: []string{"GET", "POST"}, Source: "shop/catalog/urls.py:7", App: "catalog"},
	{Path: "/orders/", View: "shop.orders.views.OrderViewSet", Name: "orders:order-list", Methods: []string{"ANY"}, Source: "shop/orders/urls.py:9", App: "orders"},
	{Path: "/graphql/", View: "graphene_django.views.GraphQLView", Name: "graphql", Methods: []string{"ANY"}, Source: "shop/urls.py:10"},
	{Path: "/media/{path+}", View: "django.views.static.serve", Methods: []string{"GET"}, Source: "shop/urls.py:12"},
}

func mustNew(t *testing.T, p *django.Project, c *config.Config) (*Plan, diag.List) {
	t.Helper()
	pl, diags, err := New(p, c, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return pl, diags
}

func routeFunctions(pl *Plan) map[string]string {
	m := map[string]string{}
	for _, r := range pl.Routes {
		m[r.Route.Path] = r.Function
	}
	return m
}

func functionNames(pl *Plan) []string {
	var out []string
	for _, f := range pl.Functions {
		out = append(out, f.Name)
	}
	return out
}

func TestGranularity(t *testing.T) {
	tests := []struct {
		granularity string
		functions   []string
		routes      map[string]string
		api         map[string]string
	}{
		{"route", []string{"CatalogDetail", "CatalogList", "Default", "Graphql", "Home", "MediaPath", "OrdersOrderList"}, map[string]string{
			"/": "Home", "/catalog/": "CatalogList", "/catalog/{pk}/": "CatalogDetail", "/orders/": "OrdersOrderList", "/graphql/": "Graphql", "/media/{path+}": "MediaPath"},
			map[string]string{"/": "Home", "/catalog": "CatalogList", "/catalog/{pk}": "CatalogDetail", "/graphql": "Graphql", "/media": "Default", "/media/{path+}": "MediaPath", "/orders": "OrdersOrderList", "/{proxy+}": "Default"}},
		{"app", []string{"Catalog", "Default", "Orders"}, map[string]string{
			"/": "Default", "/catalog/": "Catalog", "/catalog/{pk}/": "Catalog", "/orders/": "Orders", "/graphql/": "Default", "/media/{path+}": "Default"},
			map[string]string{"/": "Default", "/catalog": "Catalog", "/catalog/{pk}": "Catalog", "/orders": "Orders", "/{proxy+}": "Default"}},
		{"project", []string{"Default"}, map[string]string{
			"/": "Default", "/catalog/": "Default", "/catalog/{pk}/": "Default", "/orders/": "Default", "/graphql/": "Default", "/media/{path+}": "Default"},
			map[string]string{"/": "Default", "/{proxy+}": "Default"}},
	}
	for _, tt := range tests {
		t.Run(tt.granularity, func(t *testing.T) {
			pl, _ := mustNew(t, project(shopRoutes...), cfg("dev", tt.granularity))
			if got := functionNames(pl); !reflect.DeepEqual(got, tt.functions) {
				t.Errorf("functions = %v, want %v", got, tt.functions)
			}
			if got := routeFunctions(pl); !reflect.DeepEqual(got, tt.routes) {
				t.Errorf("routes = %v, want %v", got, tt.routes)
			}
			if pl.Stack != "shop-dev" || pl.Project != "shop" || pl.Runtime != "python3.12" || pl.Architecture != "arm64" {
				t.Errorf("stack %q project %q runtime %q arch %q", pl.Stack, pl.Project, pl.Runtime, pl.Architecture)
			}
			if got := apiMap(pl); !reflect.DeepEqual(got, tt.api) {
				t.Errorf("API = %v, want %v", got, tt.api)
			}
		})
	}
}

// apiMap is the plan's API as path -> function.
func apiMap(pl *Plan) map[string]string {
	m := map[string]string{}
	for _, e := range pl.API {
		m[e.Path] = e.Function
	}
	return m
}

// TestAPIPathsAreAny: every path is one entry (every method reaches its
// function), intermediate REST resources reach what the greedy path above
// them would, and paths that would reach the same function anyway are
// folded away.
func TestAPIPathsAreAny(t *testing.T) {
	pl, _ := mustNew(t, project(shopRoutes...), cfg("dev", "route"))
	want := []APIEntry{
		{"/", "Home", EntryRoute},
		{"/catalog", "CatalogList", EntryRoute},
		{"/catalog/{pk}", "CatalogDetail", EntryRoute},
		{"/graphql", "Graphql", EntryRoute},
		{"/media", "Default", EntryIntermediate},
		{"/media/{path+}", "MediaPath", EntryRoute},
		{"/orders", "OrdersOrderList", EntryRoute},
		{"/{proxy+}", "Default", EntryCatchAll},
	}
	if !reflect.DeepEqual(pl.API, want) {
		t.Errorf("API:\n got %v\nwant %v", pl.API, want)
	}
	if pl.APIStats.Resources != len(want) || pl.APIStats.ResourceQuota != DefaultRESTResources {
		t.Errorf("stats %+v", pl.APIStats)
	}
	c := cfg("dev", "route")
	c.API.Type = "http"
	pl, _ = mustNew(t, project(shopRoutes...), c)
	want = []APIEntry{
		{"/", "Home", EntryRoute},
		{"/$default", "Default", EntryCatchAll},
		{"/catalog", "CatalogList", EntryRoute},
		{"/catalog/{pk}", "CatalogDetail", EntryRoute},
		{"/graphql", "Graphql", EntryRoute},
		{"/media/{path+}", "MediaPath", EntryRoute},
		{"/orders", "OrdersOrderList", EntryRoute},
	}
	if !reflect.DeepEqual(pl.API, want) {
		t.Errorf("HTTP API:\n got %v\nwant %v", pl.API, want)
	}
	if s := pl.APIStats; s.Routes != 7 || s.Integrations != 7 || s.RouteQuota != 300 || s.IntegrationQuota != 300 || s.Resources != 0 {
		t.Errorf("HTTP stats %+v", s)
	}
}

func TestRulesFirstMatchWins(t *testing.T) {
	c := cfg("dev", "route")
	c.Functions.Rules = []config.Rule{
		{Match: config.Match{Name: "catalog:detail"}, Settings: config.FunctionSettings{Memory: 2048, ProvisionedConcurrency: ptr(3)}},
		{Match: config.Match{Name: "catalog:*"}, Settings: config.FunctionSettings{Memory: 1024, Timeout: 30, PersistDB: ptr(true), Warm: ptr(true)}},
		{Match: config.Match{View: "shop.orders.views.*"}, Settings: config.FunctionSettings{ReservedConcurrency: ptr(5)}},
		{Match: config.Match{Path: "/nothing/**"}, Settings: config.FunctionSettings{Memory: 128}, Pos: config.Position{File: "django-serverless.yml", Line: 21, Col: 9}},
	}
	pl, diags := mustNew(t, project(shopRoutes...), c)
	detail, list, orders, home := pl.Function("CatalogDetail"), pl.Function("CatalogList"), pl.Function("OrdersOrderList"), pl.Function("Home")
	if detail.Memory != 2048 || detail.Timeout != 15 || detail.PersistDB || detail.ProvisionedConcurrency == nil || *detail.ProvisionedConcurrency != 3 {
		t.Errorf("CatalogDetail = %+v: want only the first rule applied", detail)
	}
	if list.Memory != 1024 || list.Timeout != 30 || !list.PersistDB || !list.Warm {
		t.Errorf("CatalogList = %+v", list)
	}
	if orders.ReservedConcurrency == nil || *orders.ReservedConcurrency != 5 || orders.Memory != 512 {
		t.Errorf("OrdersOrderList = %+v", orders)
	}
	if home.Memory != 512 || home.Warm {
		t.Errorf("Home = %+v: defaults expected", home)
	}
	if len(pl.Warmers) != 1 || !reflect.DeepEqual(pl.Warmers[0], Warmer{Function: "CatalogList", Expressions: []string{"cron(3/5 8-18 ? * MON-FRI *)"}, Timezone: "Europe/Lisbon"}) {
		t.Errorf("warmers = %+v", pl.Warmers)
	}
	if len(diags) != 0 {
		t.Errorf("diags = %v: unused rules are config's to report", diags)
	}
}

func TestBadRoutes(t *testing.T) {
	tests := []struct {
		route django.Route
		want  string
	}{
		{django.Route{Path: "/files/{name}.pdf", Source: "files/urls.py:3"}, "files/urls.py:3: error: route /files/{name}.pdf: path \"/files/{name}.pdf\": segment \"{name}.pdf\" is not a whole"},
		{django.Route{Path: "/a//b", Source: "a/urls.py:4"}, "a/urls.py:4: error: route /a//b: path \"/a//b\" has an empty segment"},
		{django.Route{Path: "/a/{rest+}/b", Name: "a:b", Source: "a/urls.py:5"}, "a/urls.py:5: error: route \"a:b\" (/a/{rest+}/b): path \"/a/{rest+}/b\": greedy parameter {rest+} must be the last segment"},
		{django.Route{Path: "/c++/", Source: "c/urls.py:6"}, "c/urls.py:6: error: route /c++/: path \"/c++/\": segment \"c++\" holds '+'"},
	}
	for _, tt := range tests {
		_, diags, err := New(project(shopRoutes[0], tt.route), cfg("dev", "route"), Options{})
		if err == nil || len(diags) != 1 || !strings.HasPrefix(diags[0].String(), tt.want) {
			t.Errorf("%s: err %v diags %v, want %q", tt.route.Path, err, diags, tt.want)
		}
	}
}

func TestDuplicateAndClashingRoutes(t *testing.T) {
	// The same Django pattern twice: Django never reaches the second, a
	// warning names both places, and only the first has a function.
	dup := []django.Route{
		{Path: "/a/", Route: "a/", Name: "a1", Methods: []string{"GET"}, Source: "u.py:1"},
		{Path: "/a/", Route: "a/", Name: "a2", Methods: []string{"GET", "POST"}, Source: "u.py:2"},
	}
	pl, diags, err := New(project(dup...), cfg("dev", "route"), Options{})
	if err != nil || len(diags) != 1 || diags[0].Severity != diag.Warning ||
		diags[0].String() != `u.py:2: warning: route "a2" (/a/) is shadowed by route "a1" (/a/) at u.py:1: Django matches the first pattern, so this one is never reached (remove one of them)` {
		t.Fatalf("duplicate: err %v diags %v", err, diags)
	}
	if got := functionNames(pl); !reflect.DeepEqual(got, []string{"A1", "Default"}) {
		t.Errorf("functions %v: a shadowed route gets no function", got)
	}
	if got := routeFunctions(pl); got["/a/"] != "A1" {
		t.Errorf("routes %v", got)
	}
	// Regex routes discovery cut back to the same {proxy+} path are not
	// duplicates: the first serves them; a bare /{proxy+} is the default's.
	cut := []django.Route{
		{Path: "/orders/receipts/{proxy+}", Route: "orders/^receipts/(?P<n>[0-9]+)(?:\\.pdf)?$", Name: "receipt", Source: "u.py:1"},
		{Path: "/orders/receipts/{proxy+}", Route: "orders/^receipts/(?P<n>[0-9]+)/pdf/?$", Name: "receipt-pdf", Source: "u.py:2"},
		{Path: "/{proxy+}", Route: "^search/?$", Name: "search", Source: "u.py:3"},
	}
	pl, diags, err = New(project(cut...), cfg("dev", "route"), Options{})
	if err != nil || len(diags) != 1 || diags[0].Severity != diag.Note || diags[0].Line != 2 {
		t.Fatalf("cut-back routes: err %v diags %v", err, diags)
	}
	want := map[string]string{"/": "Default", "/orders": "Default", "/orders/receipts": "Default", "/orders/receipts/{proxy+}": "Receipt", "/{proxy+}": "Default"}
	if got := routeFunctions(pl); got["/{proxy+}"] != DefaultFunction || !reflect.DeepEqual(apiMap(pl), want) {
		t.Errorf("cut-back routes: %v %v", got, apiMap(pl))
	}
	// Trailing slash and parameter names are invisible to API Gateway: the
	// first route keeps the path, later ones get a warning, and sibling
	// parameters share the first one's name.
	clash := []django.Route{
		{Path: "/a/", Name: "a1", Methods: []string{"GET"}, Source: "u.py:1"},
		{Path: "/a", Name: "a2", Methods: []string{"GET"}, Source: "u.py:2"},
		{Path: "/b/{pk}/", Name: "b1", Methods: []string{"GET"}, Source: "u.py:3"},
		{Path: "/b/{slug}/edit/", Name: "b2", Methods: []string{"GET"}, Source: "u.py:4"},
		{Path: "/b/{rest+}", Name: "b3", Methods: []string{"GET"}, Source: "u.py:5"},
		{Path: "/{page}/", Name: "page", Methods: []string{"GET"}, Source: "u.py:6"},
		{Path: "/c@d/", Name: "at", Methods: []string{"GET"}, Source: "u.py:7"},
	}
	pl, diags, err = New(project(clash...), cfg("dev", "route"), Options{})
	if err != nil {
		t.Fatalf("clash: %v", err)
	}
	want = map[string]string{"/": "Default", "/{proxy+}": "Default", "/a": "A1", "/b": "Default", "/b/{pk}": "B1", "/b/{pk}/edit": "B2"}
	if got := apiMap(pl); !reflect.DeepEqual(got, want) {
		t.Errorf("API = %v, want %v", got, want)
	}
	if got := functionNames(pl); !reflect.DeepEqual(got, []string{"A1", "B1", "B2", "Default"}) {
		t.Errorf("functions %v: routes API Gateway sends elsewhere get none", got)
	}
	if got := routeFunctions(pl); got["/a"] != "A1" || got["/b/{rest+}"] != "Default" || got["/{page}/"] != "Default" || got["/c@d/"] != "Default" {
		t.Errorf("routes %v", got)
	}
	var lines []int
	for _, d := range diags {
		if d.Severity != diag.Warning {
			t.Errorf("unexpected %v", d)
		}
		lines = append(lines, d.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 5, 6, 7}) {
		t.Errorf("warnings at lines %v, want 2, 5, 6, 7: %v", lines, diags)
	}
	if !strings.Contains(diags[3].Message, `segment "c@d" holds '@'`) {
		t.Errorf("character API Gateway refuses: %v", diags[3])
	}
}

// TestUnifiedNamesNeverRepeat: unifying sibling parameters never makes a
// path name one parameter twice (healthchecks' /ping/<code>/<exitstatus>
// beside /ping/<code>/<slug>/<exitstatus> did).
func TestUnifiedNamesNeverRepeat(t *testing.T) {
	routes := []django.Route{
		{Path: "/ping/{code}/{exitstatus}", Name: "a", Source: "u.py:1"},
		{Path: "/ping/{code}/{slug}/{exitstatus}", Name: "b", Source: "u.py:2"},
		{Path: "/ping/{code}/{slug}/{exitstatus}/x/{exitstatus2}", Name: "c", Source: "u.py:3"},
	}
	pl, diags := mustNew(t, project(routes...), cfg("dev", "route"))
	want := map[string]string{"/ping/{code}/{exitstatus}": "A", "/ping/{code}/{exitstatus}/{exitstatus2}": "B", "/ping/{code}/{exitstatus}/{exitstatus2}/x/{exitstatus3}": "C"}
	got := apiMap(pl)
	for p, f := range want {
		if got[p] != f {
			t.Errorf("%s -> %q, want %s (API %v)", p, got[p], f, got)
		}
	}
	if len(diags) != 0 {
		t.Errorf("diags %v", diags)
	}
}

func TestIDsStableAndOrderIndependent(t *testing.T) {
	base, _ := mustNew(t, project(shopRoutes...), cfg("dev", "route"))
	more := append(slices.Clone(shopRoutes),
		django.Route{Path: "/catalog/{pk}/reviews/", Name: "catalog:reviews", Source: "u.py:9"},
		django.Route{Path: "/catalog-detail/", Name: "catalog:detail:", Source: "u.py:10"}, // sanitizes like catalog:detail, sorts after it
		django.Route{Path: "/aaa/", Name: "catalog_Detail", Source: "u.py:11"},
	)
	slices.Reverse(more)
	grown, _ := mustNew(t, project(more...), cfg("dev", "route"))
	for _, r := range base.Routes {
		var now string
		for _, g := range grown.Routes {
			if g.Route.Path == r.Route.Path {
				now = g.Function
			}
		}
		if now != r.Function {
			t.Errorf("route %s renamed %s -> %s", r.Route.Path, r.Function, now)
		}
		if f, g := base.Function(r.Function), grown.Function(now); f.PhysicalName != g.PhysicalName {
			t.Errorf("physical name of %s changed: %s -> %s", r.Function, f.PhysicalName, g.PhysicalName)
		}
	}
	names := map[string]bool{}
	for _, f := range grown.Functions {
		if names[f.Name] {
			t.Errorf("duplicate function %s", f.Name)
		}
		names[f.Name] = true
	}
	if len(names) != len(base.Functions)+3 {
		t.Errorf("functions %v", functionNames(grown))
	}
	// Same set in another order: same plan.
	again, _ := mustNew(t, project(more...), cfg("dev", "route"))
	slices.Reverse(more)
	other, _ := mustNew(t, project(more...), cfg("dev", "route"))
	if !reflect.DeepEqual(functionNames(again), functionNames(other)) || !reflect.DeepEqual(again.API, other.API) {
		t.Errorf("order changed the plan:\n%v\n%v", functionNames(again), functionNames(other))
	}
}

func TestIDCollisions(t *testing.T) {
	// Keys that sanitize alike: the one sorting first keeps the bare ID,
	// the others get a hash of their own key, whatever the input order.
	rs := []django.Route{
		{Path: "/x/", Name: "catalog_detail", Source: "u.py:1"},
		{Path: "/y/", Name: "catalog:detail", Source: "u.py:2"},
		{Path: "/z/", Name: "catalog-detail", Source: "u.py:3"},
		{Path: "/default/", Name: "default", Source: "u.py:4"},
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}} {
		var in []django.Route
		for _, i := range order {
			in = append(in, rs[i])
		}
		pl, _ := mustNew(t, project(in...), cfg("dev", "route"))
		got := routeFunctions(pl)
		if got["/z/"] != "CatalogDetail" || !strings.HasPrefix(got["/x/"], "CatalogDetailX") || !strings.HasPrefix(got["/y/"], "CatalogDetailX") ||
			got["/x/"] == got["/y/"] || !strings.HasPrefix(got["/default/"], "DefaultX") {
			t.Errorf("order %v: %v", order, got)
		}
	}
}

func TestLongNamesAndStack(t *testing.T) {
	long := strings.Repeat("very-long-segment-", 10)
	c := cfg("pr-7", "route")
	c.Project = "my_site_with_a_rather_long_project_name"
	pl, _ := mustNew(t, project(django.Route{Path: "/" + long + "/", Name: long, Source: "u.py:1"}), c)
	if !strings.HasPrefix(pl.Stack, "my-site-with-a-rather-long-project-name-pr-7") {
		t.Errorf("stack %q", pl.Stack)
	}
	for _, f := range pl.Functions {
		if len(f.Name) > maxIDBase || len(f.PhysicalName) > 64 || !strings.HasPrefix(f.PhysicalName, pl.FunctionPrefix) {
			t.Errorf("function %q (%d) physical %q (%d) prefix %q", f.Name, len(f.Name), f.PhysicalName, len(f.PhysicalName), pl.FunctionPrefix)
		}
	}
}

func TestWarmers(t *testing.T) {
	tests := []struct {
		warm  config.Warm
		exprs map[string][]string
		tz    string
		err   string
	}{
		// Each function fires at its own minute of the interval (a hash
		// of its name), so warm functions do not all start at once.
		{config.Warm{Schedule: "business-hours", BusinessHours: config.BusinessHours{Days: "MON-SAT", Start: "08:00", End: "20:00", Timezone: "America/New_York"}, Every: "10m"},
			map[string][]string{"CatalogDetail": {"cron(9/10 8-19 ? * MON-SAT *)"}, "CatalogList": {"cron(8/10 8-19 ? * MON-SAT *)"}}, "America/New_York", ""},
		{config.Warm{Schedule: "always", Every: "5m"},
			map[string][]string{"CatalogDetail": {"cron(4/5 * * * ? *)"}, "CatalogList": {"cron(3/5 * * * ? *)"}}, "UTC", ""},
		{config.Warm{Schedule: "rate(7 minutes)", Every: "5m"},
			map[string][]string{"CatalogDetail": {"rate(7 minutes)"}, "CatalogList": {"rate(7 minutes)"}}, "UTC", ""},
		{config.Warm{Schedule: "off"}, nil, "", ""},
		{config.Warm{Schedule: "business-hours", BusinessHours: config.BusinessHours{Start: "19:00", End: "08:00"}}, nil, "", "gives no schedule expression"},
	}
	for _, tt := range tests {
		c := cfg("dev", "route")
		c.Warm = tt.warm
		c.Functions.Rules = []config.Rule{{Match: config.Match{Name: "catalog:*"}, Settings: config.FunctionSettings{Warm: ptr(true)}}}
		pl, diags, err := New(project(shopRoutes...), c, Options{})
		if tt.err != "" {
			if err == nil || !strings.Contains(diags.Error(), tt.err) {
				t.Errorf("%+v: err %v diags %v, want %q", tt.warm, err, diags, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tt.warm, err)
		}
		var want []Warmer
		for _, f := range []string{"CatalogDetail", "CatalogList"} {
			if tt.exprs != nil {
				want = append(want, Warmer{f, tt.exprs[f], tt.tz})
			}
		}
		if !reflect.DeepEqual(pl.Warmers, want) {
			t.Errorf("%+v: warmers %+v, want %+v", tt.warm, pl.Warmers, want)
		}
		if f := pl.Function("CatalogList"); f.Warm != (tt.exprs != nil) {
			t.Errorf("%+v: CatalogList.Warm = %v", tt.warm, f.Warm)
		}
	}
	// Many warm functions spread over the interval.
	var routes []django.Route
	for i := range 100 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/w%d/", i), Name: fmt.Sprintf("w%d", i), Source: "u.py:1"})
	}
	c := cfg("dev", "route")
	c.Functions.Defaults.Warm = ptr(true)
	pl, _ := mustNew(t, project(routes...), c)
	minutes := map[string]int{}
	for _, w := range pl.Warmers {
		minutes[strings.Fields(w.Expressions[0])[0]]++
	}
	if len(pl.Warmers) != 101 || len(minutes) != 5 {
		t.Errorf("%d warmers over minutes %v, want all five minutes of the interval used", len(pl.Warmers), minutes)
	}
	for m, n := range minutes {
		if n > 40 {
			t.Errorf("%d of 101 warmers fire at minute %s", n, m)
		}
	}
}

func TestFunctionEnvAndGraphQL(t *testing.T) {
	p := project(shopRoutes...)
	p.GraphQL = &django.GraphQL{Schema: "shop.schema.schema", QueryFields: []string{"products", "product"}, MutationFields: []string{"createOrder"}}
	c := cfg("dev", "route")
	c.Env = map[string]string{"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "evil.settings"}
	c.Functions.Rules = []config.Rule{{Match: config.Match{Name: "graphql"}, Settings: config.FunctionSettings{PersistDB: ptr(true)}}}
	pl, diags := mustNew(t, p, c)
	want := map[string]string{
		"DJANGO_DEBUG":                     "0",
		"DJANGO_SETTINGS_MODULE":           "shop.settings",
		"DJANGO_SERVERLESS_SCRIPT_NAME":    "/dev",
		"DJANGO_SERVERLESS_PERSIST_DB":     "1",
		"DJANGO_SERVERLESS_FUNCTION":       "Graphql",
		"DJANGO_SERVERLESS_GRAPHQL_SCHEMA": "shop.schema.schema",
	}
	if got := pl.FunctionEnv("Graphql"); !reflect.DeepEqual(got, want) {
		t.Errorf("FunctionEnv = %v, want %v", got, want)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "DJANGO_SETTINGS_MODULE") {
		t.Errorf("diags = %v", diags)
	}
	if fn, ok := pl.FunctionForRoute("catalog:detail"); !ok || fn != "CatalogDetail" {
		t.Errorf("FunctionForRoute(catalog:detail) = %s, %v", fn, ok)
	}
	if fn, ok := pl.FunctionForRoute("/media/{path+}"); !ok || fn != "MediaPath" {
		t.Errorf("FunctionForRoute(/media/{path+}) = %s, %v", fn, ok)
	}
	if fn, ok := pl.FunctionForRoute("nope"); ok || fn != DefaultFunction {
		t.Errorf("FunctionForRoute(nope) = %s, %v", fn, ok)
	}
	var got []string
	for _, r := range pl.GraphQL.Resolvers {
		got = append(got, r.Type+"."+r.Field+"="+r.Function)
	}
	if w := []string{"Mutation.createOrder=Graphql", "Query.product=Graphql", "Query.products=Graphql"}; !reflect.DeepEqual(got, w) {
		t.Errorf("resolvers = %v, want %v", got, w)
	}

	c = cfg("dev", "route")
	c.API.Type = "http"
	pl, _ = mustNew(t, project(shopRoutes[:2]...), c) // no GraphQL view route
	if env := pl.FunctionEnv("Home"); env["DJANGO_SERVERLESS_SCRIPT_NAME"] != "" || env["DJANGO_SERVERLESS_PERSIST_DB"] != "0" || env["DJANGO_SERVERLESS_GRAPHQL_SCHEMA"] != "" {
		t.Errorf("http env = %v", env)
	}
	p = project(shopRoutes[:2]...)
	p.GraphQL = &django.GraphQL{Schema: "s.schema", QueryFields: []string{"a"}}
	pl, _ = mustNew(t, p, cfg("dev", "route"))
	if pl.GraphQL.Resolvers[0].Function != DefaultFunction {
		t.Errorf("without a GraphQL route, resolvers go to the default function: %+v", pl.GraphQL.Resolvers)
	}
}

// TestLambdaShards: functions fill lambdas stacks in name order, each
// stack budgeted for warm functions with three schedules, and a new
// function never moves an old one.
func TestLambdaShards(t *testing.T) {
	var routes []django.Route
	for i := range 2000 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/app%d/item%d/", i%40, i), Name: fmt.Sprintf("app%d:item%d", i%40, i), Source: "u.py:1"})
	}
	c := cfg("dev", "route")
	c.API.Quotas.Resources = 5000 // an account with a raised quota keeps one function per route
	pl, diags := mustNew(t, project(routes...), c)
	if len(pl.Functions) != 2001 || len(diags) != 0 {
		t.Fatalf("%d functions, diags %v", len(pl.Functions), diags)
	}
	counts := make([]int, pl.LambdaShards)
	for _, f := range pl.Functions {
		counts[f.Shard]++
		if strings.Contains(f.PhysicalName, "-1") && f.Shard > 0 {
			t.Errorf("%s: the physical name does not depend on the stack: %s", f.Name, f.PhysicalName)
		}
	}
	for i, n := range counts {
		if n == 0 || n*FunctionCost > LambdaStackBudget {
			t.Errorf("shard %d holds %d functions (budget %d resources)", i, n, LambdaStackBudget)
		}
	}
	if want := (2001 + FunctionsPerLambdaStack - 1) / FunctionsPerLambdaStack; pl.LambdaShards != want {
		t.Errorf("%d shards for %d functions, want %d", pl.LambdaShards, len(pl.Functions), want)
	}
	// Warm functions with three schedules each fit the same stacks.
	c.Warm.BusinessHours.Start, c.Warm.BusinessHours.End = "08:30", "19:15"
	c.Functions.Rules = []config.Rule{{Match: config.Match{Name: "**"}, Settings: config.FunctionSettings{Warm: ptr(true)}}}
	warm, _ := mustNew(t, project(routes...), c)
	load := make([]int, warm.LambdaShards)
	for _, f := range warm.Functions {
		load[f.Shard] += 4
		if f.Warm {
			load[f.Shard] += len(warm.Warmers[0].Expressions)
		}
	}
	if len(warm.Warmers[0].Expressions) != 3 || slices.Max(load) > LambdaStackBudget || warm.LambdaShards != pl.LambdaShards {
		t.Errorf("warm shards %d, loads %v, expressions %v", warm.LambdaShards, load, warm.Warmers[0].Expressions)
	}
}

func TestInvalidConfig(t *testing.T) {
	c := cfg("dev", "route")
	c.GraphQL.Enabled = "true"
	if _, _, err := New(project(shopRoutes...), c, Options{}); err == nil || !strings.Contains(err.Error(), "no graphene schema") {
		t.Errorf("graphql without schema: %v", err)
	}
	if _, _, err := New(project(shopRoutes...), cfg("dev env", "route"), Options{}); err == nil {
		t.Errorf("stage name with a space accepted")
	}
}
