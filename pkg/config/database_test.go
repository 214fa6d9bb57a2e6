package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMigrationsDatabaseManage(t *testing.T) {
	src := `migrations: before
database:
  secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf
  template: shop_template
  fixtures: [demo, entries/fixtures/welcome.json]
manage:
  commands: [migrate, clearsessions]
  timeout: 600
  memory: 2048
environments:
  preview:
    migrations: auto
    database: {secret: "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/preview-db", fixtures: [demo]}
  prod:
    migrations: false
`
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := f.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Migrations != MigrationsBefore {
		t.Errorf("dev migrations = %q", dev.Migrations)
	}
	wantDB := &Database{Secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf", Previews: true,
		Template: "shop_template", Fixtures: []string{"demo", "entries/fixtures/welcome.json"}}
	if diff := cmp.Diff(wantDB, dev.Database); diff != "" {
		t.Errorf("dev database (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Manage{Commands: []string{"migrate", "clearsessions"}, Timeout: 600, Memory: 2048}, dev.Manage); diff != "" {
		t.Errorf("manage (-want +got):\n%s", diff)
	}
	pr, err := f.Resolve("pr-12")
	if err != nil {
		t.Fatal(err)
	}
	// Mappings merge key by key: the preview keeps the base's template.
	wantPR := &Database{Secret: "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/preview-db", Previews: true,
		Template: "shop_template", Fixtures: []string{"demo"}}
	if diff := cmp.Diff(wantPR, pr.Database); diff != "" {
		t.Errorf("preview database (-want +got):\n%s", diff)
	}
	if pr.Migrations != MigrationsAuto {
		t.Errorf("preview migrations = %q", pr.Migrations)
	}
	prod, err := f.Resolve("prod")
	if err != nil {
		t.Fatal(err)
	}
	if prod.Migrations != MigrationsOff {
		t.Errorf("migrations: false gives %q, want off", prod.Migrations)
	}
}

func TestMigrationsDefaults(t *testing.T) {
	c, err := Default().Resolve("pr-3")
	if err != nil {
		t.Fatal(err)
	}
	if c.MigrationsMode() != MigrationsAuto || c.Database != nil || c.PreviewDatabase() {
		t.Errorf("defaults: migrations %q, database %+v", c.MigrationsMode(), c.Database)
	}
	if diff := cmp.Diff([]string{"check", "createcachetable", "migrate", "showmigrations"}, c.ManageCommands()); diff != "" {
		t.Errorf("manage commands (-want +got):\n%s", diff)
	}
	if c.ManageTimeout() != 900 || c.ManageMemory() != 1024 {
		t.Errorf("manage timeout %d, memory %d", c.ManageTimeout(), c.ManageMemory())
	}
	// The defaults are copied: changing one list does not change the next.
	c.ManageCommands()[0] = "flush"
	if c.ManageCommands()[0] != "check" {
		t.Error("manage defaults shared")
	}
}

func TestPreviewDatabase(t *testing.T) {
	for _, tc := range []struct {
		src, env string
		want     bool
	}{
		{"database: {secret: \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\"}\n", "pr-1", true},
		{"database: {secret: \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\"}\n", "dev", false},
		{"database: {secret: \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\", previews: false}\n", "pr-1", false},
		{"env: {DATABASE_URL: \"postgres://h/db\"}\n", "pr-1", true},
		{"database: {template: tpl}\n", "pr-1", false},
		{"{}\n", "pr-1", false},
	} {
		f, err := Parse("c.yml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.Resolve(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.PreviewDatabase(); got != tc.want {
			t.Errorf("%s in %s: PreviewDatabase() = %v, want %v", tc.src, tc.env, got, tc.want)
		}
	}
}

func TestMigrationsDatabaseManageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"migrations: always\n", `c.yml:1:13: error: migrations: "always" is not one of auto, before, off`},
		{"database:\n  secret: my-db-secret\n", `c.yml:2:11: error: database.secret: "my-db-secret" is not the ARN of a Secrets Manager secret or an SSM parameter`},
		{"database:\n  secret: arn:aws:s3:::bucket/key\n", `is not the ARN of a Secrets Manager secret or an SSM parameter`},
		{"database:\n  template: \"shop; DROP DATABASE x\"\n", `c.yml:2:13: error: database.template: "shop; DROP DATABASE x" is not a database name`},
		{"database:\n  fixtures: [\"a,b\"]\n", `c.yml:2:14: error: database.fixtures[0]: fixture "a,b"`},
		{"database:\n  previews: maybe\n", `database.previews: expected a boolean`},
		{"database:\n  url: postgres://x\n", `database: unknown key "url"`},
		{"manage:\n  commands: [\"migrate --fake\"]\n", `c.yml:2:14: error: manage.commands[0]: "migrate --fake" is not a management command name`},
		{"manage:\n  timeout: 901\n", `manage.timeout: 901 is outside 10..900 seconds`},
		{"manage:\n  memory: 64\n", `manage.memory: 64 is outside 128..10240 MB`},
		{"database:\n  secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db\nenv:\n  DATABASE_URL: postgres://x/y\n",
			`c.yml:2:11: error: database.secret: env sets DATABASE_URL too`},
		{"environments:\n  pr-3:\n    migrations: sometimes\n", `c.yml:3:17: error: environments.pr-3.migrations: "sometimes" is not one of auto, before, off`},
	} {
		errs := strings.Join(loadErrors(t, tc.src), "\n")
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, errs, tc.want)
		}
	}
}

func TestPreviewDatabaseName(t *testing.T) {
	for _, tc := range []struct {
		project string
		pr      int
		want    string
	}{
		{"shop", 7, "shop_pr_7"},
		{"Shop-API", 12, "shop_api_pr_12"},
		{"9lives", 1, "db_9lives_pr_1"},
		{"---", 2, "app_pr_2"},
		{strings.Repeat("a", 64), 123456789, strings.Repeat("a", 50) + "_pr_123456789"},
	} {
		got := PreviewDatabaseName(tc.project, tc.pr)
		if got != tc.want {
			t.Errorf("PreviewDatabaseName(%q, %d) = %q, want %q", tc.project, tc.pr, got, tc.want)
		}
		if len(got) > 63 {
			t.Errorf("%q longer than PostgreSQL's 63 bytes", got)
		}
	}
}
