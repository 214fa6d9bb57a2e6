package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
)

const dbSecret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-db-AbCdEf"

func TestManageFunction(t *testing.T) {
	c := cfg("pr-7", "route")
	c.Preview, c.PR = true, 7
	c.Database = &config.Database{Secret: dbSecret, Previews: true, Template: "shop_tpl", Fixtures: []string{"demo", "more"}}
	c.Manage = config.Manage{Commands: []string{"migrate", "clearsessions"}, Timeout: 600}
	pl, _, err := New(project(shopRoutes...), c, Options{Repository: "Octo/Shop"})
	if err != nil {
		t.Fatal(err)
	}
	m := pl.Manage
	if m == nil || m.Name != ManageFunctionName || m.PhysicalName != "shop-pr-7_DjangoManage" || m.Timeout != 600 || m.Memory != 1024 {
		t.Fatalf("manage function %+v", m)
	}
	if pl.Function(ManageFunctionName) != nil {
		t.Error("the manage function is among the functions the API calls")
	}
	for k, want := range map[string]string{
		"DJANGO_SERVERLESS_MANAGE_ALLOW":      "migrate,clearsessions",
		"DJANGO_SERVERLESS_ENVIRONMENT":       "pr-7",
		"DJANGO_SERVERLESS_DATABASE_SECRET":   dbSecret,
		"DJANGO_SERVERLESS_DATABASE_NAME":     "shop_20b4e476c37a_pr_7",
		"DJANGO_SERVERLESS_DATABASE_OWNER":    "django-serverless:octo/shop:shop:pr-7",
		"DJANGO_SERVERLESS_DATABASE_TEMPLATE": "shop_tpl",
		"DJANGO_SERVERLESS_DATABASE_FIXTURES": "demo,more",
		"DJANGO_SERVERLESS_PERSIST_DB":        "0",
		"DJANGO_SETTINGS_MODULE":              "shop.settings",
	} {
		if got := m.Env[k]; got != want {
			t.Errorf("manage env %s = %q, want %q", k, got, want)
		}
	}
	// Every function finds the preview's database and may read the secret;
	// only the manage function runs commands or creates databases.
	for _, f := range pl.Functions {
		env := pl.FunctionEnv(f.Name)
		if env["DJANGO_SERVERLESS_DATABASE_SECRET"] != dbSecret || env["DJANGO_SERVERLESS_DATABASE_NAME"] != "shop_20b4e476c37a_pr_7" {
			t.Errorf("function %s: database env %v", f.Name, env)
		}
		for _, k := range []string{"DJANGO_SERVERLESS_MANAGE_ALLOW", "DJANGO_SERVERLESS_DATABASE_OWNER", "DJANGO_SERVERLESS_DATABASE_TEMPLATE", "DJANGO_SERVERLESS_DATABASE_FIXTURES"} {
			if _, ok := env[k]; ok {
				t.Errorf("function %s has %s", f.Name, k)
			}
		}
	}
	if !slices.Contains(pl.Secrets, dbSecret) {
		t.Errorf("secrets %v lack the database secret", pl.Secrets)
	}
	if pl.PreviewDatabase != "shop_20b4e476c37a_pr_7" || pl.PreviewDatabaseOwner != "django-serverless:octo/shop:shop:pr-7" {
		t.Errorf("preview database %q, owner %q", pl.PreviewDatabase, pl.PreviewDatabaseOwner)
	}

	// Production: the configured database unchanged, no preview name.
	c = cfg("prod", "route")
	c.Database = &config.Database{Secret: dbSecret, Previews: true}
	pl, _ = mustNew(t, project(shopRoutes...), c)
	if pl.PreviewDatabase != "" || pl.Manage.Env["DJANGO_SERVERLESS_DATABASE_NAME"] != "" || pl.Manage.Env["DJANGO_SERVERLESS_DATABASE_OWNER"] != "" || pl.FunctionEnv(DefaultFunction)["DJANGO_SERVERLESS_DATABASE_SECRET"] != dbSecret {
		t.Errorf("prod: preview db %q, env %v", pl.PreviewDatabase, pl.Manage.Env)
	}
	if got := pl.Manage.Env["DJANGO_SERVERLESS_MANAGE_ALLOW"]; got != "check,createcachetable,migrate,showmigrations" {
		t.Errorf("default commands %q", got)
	}
}

// A route function that comes out with the manage function's name is an
// error, not a silent clash of logical IDs.
func TestManageNameClash(t *testing.T) {
	c := cfg("dev", "app")
	p := project(append(shopRoutes, shopRoutes[0])...)
	p.Routes[len(p.Routes)-1].Name = "django-manage"
	p.Routes[len(p.Routes)-1].Path = "/django-manage/"
	p.Routes[len(p.Routes)-1].App = ""
	c.Functions.Granularity = "route"
	_, diags, err := New(p, c, Options{})
	if err == nil || !strings.Contains(diags.Err().Error(), "the name is the manage function's") {
		t.Errorf("no error for a function named %s: %v", ManageFunctionName, diags)
	}
}

// A repository the runtime would refuse in a preview database's owner
// marker stops the plan (before anything is deployed), naming the value
// and where it came from; an environment without a preview database is
// not concerned.
func TestPreviewDatabaseMarkerRefusedAtPlan(t *testing.T) {
	for repository, want := range map[string]string{
		"octo/sh'op":                       `preview database of pr-7: repository "octo/sh'op" holds a quote (')`,
		"octo/sh\top":                      `repository "octo/sh\top" holds a control character (U+0009)`,
		`octo\shop`:                        `repository "octo\\shop" holds a backslash`,
		"octo/" + strings.Repeat("x", 300): "characters, over the 300 a preview database's owner marker takes",
	} {
		c := cfg("pr-7", "route")
		c.Preview, c.PR = true, 7
		c.Database = &config.Database{Secret: dbSecret, Previews: true}
		pl, diags, err := New(project(shopRoutes...), c, Options{Repository: repository})
		if err == nil || pl != nil || !strings.Contains(diags.Err().Error(), want) {
			t.Errorf("%q: plan %v, %v\nwant %q", repository, pl != nil, err, want)
			continue
		}
		if !strings.Contains(diags.Err().Error(), "GITHUB_REPOSITORY") {
			t.Errorf("%q: the error does not say where the repository came from: %v", repository, diags.Err())
		}
		c = cfg("prod", "route")
		c.Database = &config.Database{Secret: dbSecret, Previews: true}
		if _, _, err := New(project(shopRoutes...), c, Options{Repository: repository}); err != nil {
			t.Errorf("%q, prod (no preview database): %v", repository, err)
		}
	}
}
