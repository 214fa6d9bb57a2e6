package plan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

func numbered(from, to int) []django.Route {
	var out []django.Route
	for i := from; i < to; i++ {
		out = append(out, django.Route{Path: fmt.Sprintf("/f%04d/", i), Name: fmt.Sprintf("f%04d", i), Source: "u.py:1"})
	}
	return out
}

// recordOf is the deployment record a plan's deployment writes.
func recordOf(pl *Plan) *record.Record {
	r := &record.Record{Version: record.Version, Stack: pl.Stack}
	for _, f := range pl.Functions {
		r.Functions = append(r.Functions, record.Function{Name: f.Name, PhysicalName: f.PhysicalName, Shard: f.Shard + 1, Runtime: pl.Runtime})
	}
	return r
}

func raised() *config.Config {
	c := cfg("dev", "route")
	c.API.Quotas.Resources = 5000
	return c
}

// TestPlacementIsStable: with the previous deployment's record, every
// function stays in its stack whatever is added or removed; new functions
// go where there is room; without a record it is the first-deploy layout.
func TestPlacementIsStable(t *testing.T) {
	first, _ := mustNew(t, project(numbered(0, 150)...), raised())
	if first.LambdaShards != 3 {
		t.Fatalf("151 functions in %d stacks, want 3 of %d", first.LambdaShards, FunctionsPerLambdaStack)
	}
	for _, f := range first.Functions {
		if !f.New {
			t.Errorf("%s: not new on a first deploy", f.Name)
		}
		if f.PhysicalName != first.FunctionPrefix+f.Name {
			t.Errorf("%s: physical name %s depends on more than the name", f.Name, f.PhysicalName)
		}
	}
	prev := recordOf(first)

	// Remove twenty functions of the first stack and add thirty new ones
	// whose names sort first: nobody moves; the new ones fill the room in
	// the first stack, then the last, then a new one.
	routes := append(numbered(20, 150), django.Route{Path: "/aaa/", Name: "aaa", Source: "u.py:2"})
	for i := range 29 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/new%02d/", i), Name: fmt.Sprintf("a%02d", i), Source: "u.py:3"})
	}
	grown, diags, err := New(project(routes...), raised(), Options{Previous: prev})
	if err != nil {
		t.Fatalf("%v %v", err, diags)
	}
	load := map[int]int{}
	for _, f := range grown.Functions {
		load[f.Shard]++
		if p, ok := prev.Function(f.Name); ok {
			if f.Shard != p.Shard-1 || f.New {
				t.Errorf("%s moved from stack %d to %d", f.Name, p.Shard, f.Shard+1)
			}
			continue
		}
		if !f.New {
			t.Errorf("%s: new function not marked new", f.Name)
		}
	}
	for s, n := range load {
		if n > FunctionsPerLambdaStack {
			t.Errorf("stack %d holds %d functions", s+1, n)
		}
	}
	if load[0] != FunctionsPerLambdaStack || grown.LambdaShards != 3 {
		t.Errorf("loads %v in %d stacks: the freed room is reused first", load, grown.LambdaShards)
	}

	// The same record read again plans the same stacks (deterministic).
	again, _, _ := New(project(routes...), raised(), Options{Previous: prev})
	for i, f := range grown.Functions {
		if again.Functions[i].Shard != f.Shard {
			t.Errorf("%s: stack %d then %d", f.Name, f.Shard, again.Functions[i].Shard)
		}
	}
}

// TestPlacementSurvivesWarmToggle: warm functions need no more room than
// the budget already reserves, so toggling warm moves nothing.
func TestPlacementSurvivesWarmToggle(t *testing.T) {
	cold, _ := mustNew(t, project(numbered(0, 300)...), raised())
	c := raised()
	c.Functions.Defaults.Warm = ptr(true)
	c.Warm.BusinessHours.Start = "08:30"
	c.Warm.BusinessHours.End = "18:45"
	warm, _, err := New(project(numbered(0, 300)...), c, Options{Previous: recordOf(cold)})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range warm.Functions {
		if f.Shard != cold.Functions[i].Shard || f.PhysicalName != cold.Functions[i].PhysicalName {
			t.Errorf("%s moved when warm was turned on", f.Name)
		}
	}
	if len(warm.Warmers) != 301 || len(warm.Warmers[0].Expressions) != 3 {
		t.Errorf("%d warmers, %v", len(warm.Warmers), warm.Warmers[0].Expressions)
	}
}

// TestConcurrencyChecks: provisioned concurrency is at least 1 and at
// most the reserved concurrency, reported at the rule that set it.
func TestConcurrencyChecks(t *testing.T) {
	c := cfg("dev", "route")
	c.Functions.Defaults.ReservedConcurrency = ptr(2)
	c.Functions.Rules = []config.Rule{{Match: config.Match{Name: "catalog:*"}, Settings: config.FunctionSettings{ProvisionedConcurrency: ptr(5)}, Pos: config.Position{File: "django-serverless.yml", Line: 9, Col: 7}}}
	_, diags, err := New(project(shopRoutes...), c, Options{})
	if err == nil || len(diags.Errors()) != 2 {
		t.Fatalf("err %v diags %v", err, diags)
	}
	if got := diags.Errors()[0].String(); got != "django-serverless.yml:9:7: error: function CatalogDetail: provisioned_concurrency 5 is more than its reserved_concurrency 2; Lambda refuses it" {
		t.Errorf("got %q", got)
	}
	c.Functions.Defaults.ReservedConcurrency = nil
	c.Functions.Rules[0].Settings.ProvisionedConcurrency = ptr(0)
	_, diags, err = New(project(shopRoutes...), c, Options{})
	if err == nil || !strings.Contains(diags.Error(), "provisioned_concurrency 0: Lambda needs at least 1") {
		t.Errorf("provisioned 0: %v %v", err, diags)
	}
	c.Functions.Rules[0].Settings.ProvisionedConcurrency = ptr(1)
	if _, diags, err = New(project(shopRoutes...), c, Options{}); err != nil {
		t.Errorf("provisioned 1 without reserved: %v %v", err, diags)
	}
}

// TestEnvironmentLimit: Lambda refuses more than 4 KB of environment
// variables (measured as JSON).
func TestEnvironmentLimit(t *testing.T) {
	c := cfg("dev", "project")
	c.Env = map[string]string{"BIG": strings.Repeat("x", 3800), "SMALL": "1"}
	if _, diags, err := New(project(shopRoutes...), c, Options{}); err != nil {
		t.Fatalf("3.8 KB: %v %v", err, diags)
	}
	c.Env["MORE"] = strings.Repeat("y", 300)
	_, diags, err := New(project(shopRoutes...), c, Options{})
	if err == nil || !strings.Contains(diags.Error(), "function Default: its environment variables take 4") || !strings.Contains(diags.Error(), "the largest are BIG, MORE") {
		t.Errorf("over 4 KB: %v %v", err, diags)
	}
}

// TestDeprecatedRuntime: Lambda neither creates nor updates functions on
// python3.10 any more (the table's facts as of 2026-12): an error either
// way. Between the two dates (create blocked, update not yet) existing
// functions get a warning.
func TestDeprecatedRuntime(t *testing.T) {
	c := cfg("dev", "project")
	c.Python = "3.10"
	_, diags, err := New(project(shopRoutes...), c, Options{})
	if err == nil || !strings.Contains(diags.Error(), "python3.10 is deprecated (2026-06-30) and Lambda neither creates nor updates functions on it") {
		t.Fatalf("new functions on python3.10: %v %v", err, diags)
	}
	c.Python = "3.12"
	old, _ := mustNew(t, project(shopRoutes...), c)
	c.Python = "3.10"
	if _, diags, err = New(project(shopRoutes...), c, Options{Previous: recordOf(old)}); err == nil || !strings.Contains(diags.Error(), "neither creates nor updates") {
		t.Errorf("existing functions after the update block: %v %v", err, diags)
	}

	// The window between the two blocks (as python3.10 was in August 2026).
	saved := Runtimes[0]
	t.Cleanup(func() { Runtimes[0] = saved })
	Runtimes[0].UpdateBlocked = false
	_, diags, err = New(project(shopRoutes...), c, Options{})
	if err == nil || !strings.Contains(diags.Error(), "Lambda no longer creates functions on it") || !strings.Contains(diags.Error(), "creates Default") {
		t.Fatalf("new functions, create blocked: %v %v", err, diags)
	}
	_, diags, err = New(project(shopRoutes...), c, Options{Previous: recordOf(old)})
	if err != nil || len(diags) != 1 || diags[0].Severity != diag.Warning || !strings.Contains(diags[0].Message, "refuses updates") {
		t.Errorf("existing functions, create blocked: %v %v", err, diags)
	}
	Runtimes[0] = saved

	c.Python = "3.13"
	if _, diags, err := New(project(shopRoutes...), c, Options{}); err != nil || len(diags) != 0 {
		t.Errorf("python 3.13: %v %v", err, diags)
	}
}

// TestPreviewAppSyncWarning: every pr-N creates its own AppSync API.
func TestPreviewAppSyncWarning(t *testing.T) {
	p := project(shopRoutes...)
	p.GraphQL = &django.GraphQL{Schema: "shop.schema.schema", QueryFields: []string{"a"}, Source: "shop/schema.py:3"}
	c := cfg("pr-12", "route")
	c.Preview, c.PR = true, 12
	_, diags := mustNew(t, p, c)
	if len(diags) != 1 || diags[0].File != "shop/schema.py" || !strings.Contains(diags[0].Message, "AppSync allows 25 GraphQL APIs per region by default") {
		t.Errorf("diags %v", diags)
	}
	if _, diags := mustNew(t, p, cfg("dev", "route")); len(diags) != 0 {
		t.Errorf("dev: %v", diags)
	}
}

// TestTarget: the account and region the OpenAPI document names.
func TestTarget(t *testing.T) {
	pl, _ := mustNew(t, project(shopRoutes...), cfg("dev", "route"))
	if pl.Target != (Target{Partition: "aws", Region: PlaceholderRegion, Account: PlaceholderAccount, Placeholder: true}) {
		t.Errorf("offline target %+v", pl.Target)
	}
	pl, _, err := New(project(shopRoutes...), cfg("dev", "route"), Options{Account: "210987654321", Region: "cn-north-1"})
	if err != nil || !reflect.DeepEqual(pl.Target, Target{Partition: "aws-cn", Region: "cn-north-1", Account: "210987654321"}) {
		t.Errorf("target %+v %v", pl.Target, err)
	}
	for _, o := range []Options{{Account: "12345", Region: "eu-west-1"}, {Account: "123456789012", Region: "Europe"}} {
		if _, _, err := New(project(shopRoutes...), cfg("dev", "route"), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
