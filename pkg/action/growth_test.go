package action_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/deploytest"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// growthProject copies the bundled shop project (with its committed
// GraphQL schema) into a temporary folder.
func growthProject(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	copyTree(t, filepath.Join(exampleDir(t, "shop"), "src"), dir, false, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return dir
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addRoutes adds n routes to the project: a module of views and an
// urls.py included from the root URLconf.
func addRoutes(t *testing.T, dir string, n int) {
	t.Helper()
	var views, urls strings.Builder
	views.WriteString("from django.http import HttpResponse\n\n")
	urls.WriteString("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n")
	for i := range n {
		fmt.Fprintf(&views, "\ndef page%d(request, pk=None):\n    return HttpResponse(\"%d\")\n\n", i, i)
		if i%3 == 2 {
			fmt.Fprintf(&urls, "    path(\"section%d/<int:pk>/\", views.page%d, name=\"page%d\"),\n", i, i, i)
		} else {
			fmt.Fprintf(&urls, "    path(\"section%d/\", views.page%d, name=\"page%d\"),\n", i, i, i)
		}
	}
	urls.WriteString("]\n")
	writeFile(t, filepath.Join(dir, "shop", "extra", "__init__.py"), "")
	writeFile(t, filepath.Join(dir, "shop", "extra", "views.py"), views.String())
	writeFile(t, filepath.Join(dir, "shop", "extra", "urls.py"), urls.String())
	root := filepath.Join(dir, "shop", "urls.py")
	src, err := os.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, string(src)+"\nurlpatterns += [path(\"extra/\", include((\"shop.extra.urls\", \"extra\"), namespace=\"extra\"))]\n")
}

// addFields adds n root Query fields to the committed SDL.
func addFields(t *testing.T, dir string, n int) {
	t.Helper()
	p := filepath.Join(dir, "schema.graphql")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var fields strings.Builder
	for i := range n {
		fmt.Fprintf(&fields, "  extraField%03d: String\n", i)
	}
	out := strings.Replace(string(src), "type Query {\n", "type Query {\n"+fields.String(), 1)
	if out == string(src) {
		t.Fatal("schema.graphql has no type Query")
	}
	writeFile(t, p, out)
}

// placementOf maps every logical ID of a build to the templates holding
// it (templates are named after their stack: lambdas.yaml is LambdasStack,
// lambdas-2.yaml Lambdas2Stack, api-resolvers-1.yaml ApiResolvers1Stack;
// per-stack resources such as ExecutionRole are in several).
func placementOf(t *testing.T, out *render.Output) map[string]map[string]bool {
	t.Helper()
	m := map[string]map[string]bool{}
	for _, tp := range out.Templates {
		var d struct {
			Resources map[string]any `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(tp.Body, &d); err != nil {
			t.Fatalf("%s: %v", tp.Name, err)
		}
		for id := range d.Resources {
			if m[id] == nil {
				m[id] = map[string]bool{}
			}
			m[id][tp.Name] = true
		}
	}
	return m
}

// TestGrowthDeploys is the growth test of issue 10: the bundled project
// deployed to the CloudFormation fake (which computes change sets from
// the templates and refuses what AWS refuses: a second function, log
// group, resolver or route with the same identity), then redeployed with
// 60 more routes and 200 more GraphQL fields, warm turned off, warm back
// on with business hours from 08:30, and reserved concurrency changed.
// Every update succeeds, the record of each deployment is read back
// through GetTemplate, and no logical ID changes template between
// deploys.
func TestGrowthDeploys(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{})
	dir := growthProject(t)
	// The configuration outside the project: a file in the Django root
	// would enter the project layer and make every step a code change.
	cfg := filepath.Join(t.TempDir(), "django-serverless.yml")
	// Static files are another test's subject (static_test.go): off.
	base := "static: {mode: \"off\"}\nfunctions:\n  rules:\n    - match: {name: \"catalog:*\"}\n      reserved_concurrency: %d\n%s"
	// onlyTypes checks that a step's change set adds and removes only
	// resources of these types (a warm toggle publishes no version, a
	// concurrency change neither).
	onlyTypes := func(types ...string) func(*action.Summary) {
		return func(sum *action.Summary) {
			for _, st := range sum.Model.Stacks {
				for _, c := range st.Changes {
					if c.Action == "Modify" && c.Replacement != "True" {
						continue
					}
					if !slices.Contains(types, c.ResourceType) {
						t.Errorf("%s %s %s (replacement %s) in stack %s", c.Action, c.ResourceType, c.LogicalID, c.Replacement, st.StackName)
					}
				}
			}
		}
	}
	steps := []struct {
		name   string
		config string
		change func()
		check  func(*action.Summary)
	}{
		{"first deploy", fmt.Sprintf(base, 3, ""), nil, nil},
		{"60 routes and 200 GraphQL fields more", fmt.Sprintf(base, 3, ""), func() { addRoutes(t, dir, 60); addFields(t, dir, 200) }, nil},
		{"warm off", fmt.Sprintf(base, 3, "warm: {schedule: \"off\"}\n"), nil, onlyTypes("AWS::Scheduler::Schedule", "AWS::IAM::Role")},
		{"warm on from 08:30", fmt.Sprintf(base, 3, "warm: {business_hours: {start: \"08:30\"}}\n"), nil, onlyTypes("AWS::Scheduler::Schedule", "AWS::IAM::Role")},
		{"reserved concurrency changed", fmt.Sprintf(base, 4, "warm: {business_hours: {start: \"08:30\"}}\n"), nil, onlyTypes()},
	}
	var prev map[string]map[string]bool
	var prevBuild *action.Build
	for i, s := range steps {
		if s.change != nil {
			s.change()
		}
		writeFile(t, cfg, s.config)
		sum, err := e.runID("deploy", dir, cfg, "dev", fmt.Sprint(100+i))
		want := "UPDATE_COMPLETE"
		if i == 0 {
			want = "CREATE_COMPLETE"
		}
		if err != nil || sum == nil || sum.Status != want {
			status := ""
			if sum != nil {
				status = sum.Status + " " + sum.RootCause
			}
			t.Fatalf("%s: %v (%s)", s.name, err, status)
		}
		b := sum.Build
		if i > 0 && b.Plan.Previous == nil {
			t.Errorf("%s: the previous deployment record was not read back", s.name)
		}
		cur := placementOf(t, b.Output)
		for id, was := range prev {
			if cur[id] == nil {
				continue // removed
			}
			for tpl := range was {
				if !cur[id][tpl] {
					t.Errorf("%s: %s left %s (now in %v)", s.name, id, tpl, cur[id])
				}
			}
		}
		if s.check != nil {
			s.check(sum)
		}
		t.Logf("%s: %s, %d functions in %d lambdas stacks, %d templates, %d resolvers, changes %+v",
			s.name, sum.Status, len(b.Plan.Functions), b.Plan.LambdaShards, len(b.Output.Templates), len(b.Output.Placement.Resolvers), sum.Changes)
		prev, prevBuild = cur, b
	}
	// The growth crossed the boundaries that used to move things: a second
	// lambdas stack and a resolver stack.
	if prevBuild.Plan.LambdaShards < 2 {
		t.Errorf("%d lambdas stacks after growth: the test does not cross a stack boundary", prevBuild.Plan.LambdaShards)
	}
	sharded := 0
	for _, r := range prevBuild.Output.Placement.Resolvers {
		if r.Shard > 0 {
			sharded++
		}
	}
	if sharded == 0 {
		t.Error("no resolver in a resolver stack after growth")
	}
}

// TestGrowthWithoutRecordFails is the control of TestGrowthDeploys: the
// same growth planned without the previous deployment's record (the
// first-deploy layout, as before records existed) moves functions and
// resolvers between nested stacks, and the fake refuses the duplicates as
// Lambda and AppSync do. The record, not luck, keeps the update working.
func TestGrowthWithoutRecordFails(t *testing.T) {
	ctx := context.Background()
	dir := growthProject(t)
	opts := action.BuildOptions{ProjectDir: dir, Environment: "dev", WorkDir: t.TempDir(), Account: "123456789012", Region: "us-east-1",
		ConfigFile: writeConfig(t, "static: {mode: \"off\"}\n"),
		Deps:       &action.PipDeps{Install: false, CacheDir: t.TempDir(), ToolVersion: cli.Version}}
	v1, err := action.NewBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	addRoutes(t, dir, 60)
	addFields(t, dir, 200)
	blind, err := action.NewBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Previous = &v1.Output.Placement
	placed, err := action.NewBuild(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{action.APIKeyExpiresParam: "0"}
	deploy := func(w *deploytest.World, b *action.Build) (*stack.Result, error) {
		v := deploytest.FromRender(b.Output, b.Plan.Project)
		v.Parameters = params
		return w.Deploy(ctx, v)
	}

	w := deploytest.New(t, deploytest.Options{})
	if res, err := deploy(w, v1); err != nil {
		t.Fatalf("first deploy: %v\n%s", err, w.Log)
	} else if res.Status != "CREATE_COMPLETE" {
		t.Fatalf("first deploy: %s", res.Status)
	}
	res, err := deploy(w, blind)
	if err == nil || res.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("growth without the record deployed: %v %v\n%s", res.Status, err, w.Log)
	}
	if !strings.Contains(res.RootCause, "already exists") {
		t.Errorf("root cause %q: want a duplicate refused", res.RootCause)
	}
	t.Logf("without the record: %s", res.RootCause)

	w = deploytest.New(t, deploytest.Options{})
	if _, err := deploy(w, v1); err != nil {
		t.Fatal(err)
	}
	if res, err := deploy(w, placed); err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("growth with the record: %v %v\n%s", res.Status, err, w.Log)
	}
}
