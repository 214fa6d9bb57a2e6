package action_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

func apiPaths(b *action.Build) string {
	var out []string
	for _, r := range b.Plan.Routes {
		out = append(out, r.Route.Path)
	}
	return strings.Join(out, " ")
}

// settings: (top level and per environment) decides discovery, the
// functions' DJANGO_SETTINGS_MODULE and what the templates set.
func TestSettingsPerEnvironmentReachTheFunctions(t *testing.T) {
	dir := exampleDir(t, "settingsenv") // its django-serverless.yml: prod by default, dev for dev
	for env, want := range map[string]struct{ settings, paths string }{
		"prod":    {"config.settings.prod", "/ /healthz/"},
		"staging": {"config.settings.prod", "/ /healthz/"},
		"dev":     {"config.settings.dev", "/ /__debug__/"},
	} {
		b := build(t, dir, "", env)
		if b.Project.SettingsModule != want.settings || b.Plan.SettingsModule != want.settings || apiPaths(b) != want.paths {
			t.Errorf("%s: discovered %s, plan %s, routes %q; want %s, %q", env, b.Project.SettingsModule, b.Plan.SettingsModule, apiPaths(b), want.settings, want.paths)
		}
		if got := b.Plan.FunctionEnv("Default")["DJANGO_SETTINGS_MODULE"]; got != want.settings {
			t.Errorf("%s: DJANGO_SETTINGS_MODULE = %q", env, got)
		}
		if lam := string(templates(b)["lambdas.yaml"]); !strings.Contains(lam, want.settings) {
			t.Errorf("%s: lambdas.yaml does not set %s", env, want.settings)
		}
	}
}

// The schema is generated with the settings the configuration names: the
// schema module here only imports under those.
func TestSchemaGenerationUsesConfiguredSettings(t *testing.T) {
	py := testenv.Django(t)
	dir := t.TempDir()
	copyTree(t, exampleDir(t, "graphqlview"), dir, false, time.Unix(1e9, 0))
	write := func(rel, body string) {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("gqlsite/settings_live.py", "from .settings import *  # noqa: F403\nLIBRARY_TITLE = 'Live'\n")
	api, err := os.ReadFile(filepath.Join(dir, "library/api.py"))
	if err != nil {
		t.Fatal(err)
	}
	write("library/api.py", "from django.conf import settings\n\nassert settings.LIBRARY_TITLE == 'Live', 'not the configured settings'\n"+string(api))
	write("django-serverless.yml", "settings: gqlsite.settings_live\n")
	b, err := action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: dir, Environment: "dev", WorkDir: t.TempDir(),
		Deps: &action.PipDeps{Install: false, CacheDir: t.TempDir(), ToolVersion: cli.Version, SchemaPython: py},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Plan.GraphQL == nil || b.Plan.GraphQL.Schema != "library.api.library_schema" {
		t.Fatalf("graphql plan = %+v", b.Plan.GraphQL)
	}
	api2 := string(templates(b)["api.yaml"])
	if !strings.Contains(api2, "allBooks") || !strings.Contains(api2, "addBook") {
		t.Errorf("AppSync schema not rendered from the generated SDL:\n%s", b.Diagnostics.Error())
	}
	for _, d := range b.Diagnostics {
		if strings.Contains(d.Message, "generate") {
			t.Errorf("unexpected %s", d)
		}
	}
}

// graphql.schema_file alone is enough for AppSync: its fields come from the
// SDL even when discovery finds no graphene schema.
func TestSchemaFileAloneRendersAppSync(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, exampleDir(t, "settingsenv"), dir, false, time.Unix(1e9, 0))
	sdl := "schema {\n  query: Query\n  mutation: Mutation\n}\n\ntype Query {\n  pages: [String]\n  page(slug: String!): String\n}\n\ntype Mutation {\n  publish(slug: String!): Boolean\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "api.graphql"), []byte(sdl), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "graphql: {enabled: true, schema_file: api.graphql}\n")
	b := build(t, dir, cfg, "prod")
	if b.Plan.GraphQL == nil {
		t.Fatal("no GraphQL in the plan")
	}
	var fields []string
	for _, r := range b.Plan.GraphQL.Resolvers {
		fields = append(fields, r.Type+"."+r.Field)
	}
	if strings.Join(fields, ",") != "Query.pages,Query.page,Mutation.publish" {
		t.Errorf("resolvers = %v", fields)
	}
	api := string(templates(b)["api.yaml"])
	if !strings.Contains(api, "AWS::AppSync::GraphQLApi") || !strings.Contains(api, "publish") {
		t.Errorf("api.yaml has no AppSync API")
	}
	if got := b.Plan.FunctionEnv("Default")["DJANGO_SERVERLESS_GRAPHQL_SCHEMA"]; got != "" {
		t.Errorf("schema path %q: with only an SDL the runtime reads GRAPHENE[\"SCHEMA\"]", got)
	}
}

// The default stack name comes from the repository, else the folder holding
// manage.py; project: wins over both.
func TestDefaultStackName(t *testing.T) {
	dir := exampleDir(t, "tutorial")
	for _, tc := range []struct{ repo, config, want string }{
		{"acme/My_Site.web", "", "my-site-web-dev"},
		{"", "", "tutorial-dev"},
		{"acme/whatever", "project: shop\n", "shop-dev"},
	} {
		o := action.BuildOptions{ProjectDir: dir, Environment: "dev", Repository: tc.repo}
		if tc.config != "" {
			o.ConfigFile = writeConfig(t, tc.config)
		}
		b, err := action.NewPlan(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if b.Plan.Stack != tc.want || b.Plan.Project+"-dev" != tc.want {
			t.Errorf("repo %q config %q: stack %s project %s, want %s", tc.repo, tc.config, b.Plan.Stack, b.Plan.Project, tc.want)
		}
	}
}

// A git requirement does not stop render when no layer is built; a branch
// (not a commit) is a warning.
func TestVCSRequirementRenders(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Unix(1e9, 0))
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("django==3.2.25\ngit+https://github.com/acme/tool.git@main#egg=acme-tool\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := build(t, dir, "", "dev")
	if b.Deps == nil || b.Deps.Hash == "" {
		t.Fatalf("no dependencies layer reference: %+v", b.Deps)
	}
	found := false
	for _, d := range b.Diagnostics {
		if d.File == "requirements.txt" && d.Line == 2 && strings.Contains(d.Message, `pins revision "main", not a commit sha`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning for the branch:\n%s", b.Diagnostics.Error())
	}
}
