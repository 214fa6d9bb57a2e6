package config

import (
	"os"
	"regexp"
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
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		repository, project string
		pr                  int
		want                string
	}{
		// Golden values: a name must not change from one release to the
		// next, or a deployed preview loses its database.
		{"octo/shop", "shop", 7, "shop_20b4e476c37a_pr_7"},
		{"octo/shop", "Shop-API", 12, "shop_api_9ff5fa077969_pr_12"},
		{"octo/9lives", "9lives", 1, "db_9lives_06f47a067e13_pr_1"},
		{"", "---", 2, "app_0c279f9c1ad0_pr_2"},
		{"octo/" + long, long, 123456789, strings.Repeat("a", 37) + "_abfb65efad16_pr_123456789"},
	} {
		got := PreviewDatabaseName(tc.repository, tc.project, tc.pr)
		if got != tc.want {
			t.Errorf("PreviewDatabaseName(%q, %q, %d) = %q, want %q", tc.repository, tc.project, tc.pr, got, tc.want)
		}
	}
}

// TestPreviewDatabaseNameCollisions: projects whose sanitized names are the
// same (a repository's my_app and another's my-app both deploy as project
// my-app; Shop and shop; two long names cut to the same beginning) get
// databases of their own on a shared server.
func TestPreviewDatabaseNameCollisions(t *testing.T) {
	long := strings.Repeat("x", 60)
	for _, pair := range [][2][2]string{
		{{"octo/my-app", "my-app"}, {"octo/my_app", "my-app"}},
		{{"octo/app", "my-app"}, {"octo/app", "my_app"}},
		{{"octo/shop", "Shop"}, {"octo/shop", "shop"}},
		{{"alice/shop", "shop"}, {"bob/shop", "shop"}},
		{{"", "shop"}, {"octo/shop", "shop"}},
		{{"octo/a", long + "-one"}, {"octo/a", long + "-two"}},
	} {
		a := PreviewDatabaseName(pair[0][0], pair[0][1], 5)
		b := PreviewDatabaseName(pair[1][0], pair[1][1], 5)
		if a == b {
			t.Errorf("%v and %v share the preview database %q", pair[0], pair[1], a)
		}
		if PreviewDatabaseMarker(pair[0][0], pair[0][1], 5) == PreviewDatabaseMarker(pair[1][0], pair[1][1], 5) {
			t.Errorf("%v and %v share the marker", pair[0], pair[1])
		}
	}
	// The repository's case is not part of its identity (GitHub's names
	// are not case-sensitive; GITHUB_REPOSITORY and a remote URL may differ).
	if a, b := PreviewDatabaseName("Octo/Shop", "shop", 5), PreviewDatabaseName("octo/shop", "shop", 5); a != b {
		t.Errorf("repository case changes the name: %q, %q", a, b)
	}
	if got := PreviewDatabaseMarker("Octo/Shop", "Shop", 5); got != "django-serverless:octo/shop:Shop:pr-5" {
		t.Errorf("marker %q", got)
	}
}

// TestPreviewDatabaseNameLength: whatever the inputs, a name is a valid
// unquoted PostgreSQL identifier of at most 63 bytes, the same each time.
func TestPreviewDatabaseNameLength(t *testing.T) {
	huge := strings.Repeat("Ab-9_é", 200)
	for _, pr := range []int{1, 42, 999999999, 1 << 40} {
		for _, project := range []string{huge, "9" + huge, "---", "", "a"} {
			got := PreviewDatabaseName("owner/"+huge, project, pr)
			if len(got) > 63 || !pgIdentRe.MatchString(got) || strings.Contains(got, "__pr") {
				t.Errorf("PreviewDatabaseName(%q..., %d) = %q (%d bytes)", project[:min(len(project), 8)], pr, got, len(got))
			}
			if again := PreviewDatabaseName("owner/"+huge, project, pr); again != got {
				t.Errorf("not deterministic: %q, %q", got, again)
			}
		}
	}
}

// TestCheckPreviewIdentity: a repository or project the runtime would
// refuse in the owner marker (a quote, a backslash, a control character,
// an identity over 300 characters) is refused here, naming the value; and
// the check agrees with the runtime's own pattern (OWNER_MARKER of
// django_serverless/database.py, read from the file) on every sample.
func TestCheckPreviewIdentity(t *testing.T) {
	src, err := os.ReadFile("../adapter/python/django_serverless/database.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^OWNER_MARKER = re\.compile\(r"(.*)"\)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("database.py: no OWNER_MARKER = re.compile(r\"...\")")
	}
	runtime := regexp.MustCompile(string(m[1]))
	long := strings.Repeat("a", PreviewIdentityMax-len("octo/:shop"))
	for _, c := range []struct{ repository, project, want string }{
		{"Octo/Shop", "shop", ""},
		{"", "shop", ""},
		{"  octo/shop\n", "shop", ""},
		{"octo/my shop", "shop", ""},
		{"octo/café", "shop", ""},
		{"octo/" + long, "shop", ""},
		{"octo/" + long + "é", "shop", `repository and project "octo/` + long + `é:shop" is 301 characters, over the 300`},
		{"octo/sh'op", "shop", `repository "octo/sh'op" holds a quote (')`},
		{`octo\shop`, "shop", `repository "octo\\shop" holds a backslash`},
		{"octo/\tshop", "shop", `repository "octo/\tshop" holds a control character (U+0009)`},
		{"octo/shop\x00", "shop", `holds a control character (U+0000)`},
		{"octo/sh\x7fop", "shop", `holds a control character (U+007F)`},
		{"octo/sh\x1fop", "shop", `holds a control character (U+001F)`},
		{"octo/shop", "sh'op", `project "sh'op" holds a quote (')`},
		{"octo/shop", "a\nb", `project "a\nb" holds a control character (U+000A)`},
	} {
		err := CheckPreviewIdentity(c.repository, c.project)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckPreviewIdentity(%q, %q) = %v, want %q", c.repository, c.project, err, c.want)
		}
		if got := runtime.MatchString(PreviewDatabaseMarker(c.repository, c.project, 7)); got != (err == nil) {
			t.Errorf("(%q, %q): the runtime's OWNER_MARKER matches %v, CheckPreviewIdentity says %v", c.repository, c.project, got, err)
		}
	}
	if err := CheckPreviewIdentity("octo/\xffshop", "shop"); err == nil || !strings.Contains(err.Error(), "is not UTF-8 text") {
		t.Errorf("not UTF-8: %v", err)
	}
}
