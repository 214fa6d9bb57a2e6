package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/lambdafake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/config"
)

// world is the cloud of the end-to-end tests: S3, STS and Secrets Manager
// from moto, CloudFormation from the template-driven fake reading the
// templates from moto's S3, and Lambda from the Lambda fake, which stands
// up every function, layer, version and alias the fake CloudFormation
// creates and runs them for real (Debian's Django, psycopg2 and boto3
// standing for the dependencies layer and the runtime's boto3), against a
// real PostgreSQL server.
type world struct {
	t      *testing.T
	moto   string
	pg     string
	s3     *s3.Client
	bucket string
	cfn    *cfnfake.Server
	lambda *lambdafake.Server
	bridge *lambdafake.CloudFormation
	client *lambda.Client
	logs   bytes.Buffer
	runs   int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t}
	w.moto = testenv.MotoEndpoint(t)
	w.pg = testenv.Postgres(t)
	py := testenv.Django(t)
	testenv.AWSEnv(t)
	if out, err := runPy(py, "import psycopg2, boto3"); err != nil {
		testenv.Missing(t, "%s lacks psycopg2 or boto3 (apt-get install python3-psycopg2 python3-boto3): %s", py, out)
	}
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	w.s3 = artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(w.moto) })
	w.bucket = fmt.Sprintf("ds-e2e-%d", time.Now().UnixNano())
	if _, err := w.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &w.bucket}); err != nil {
		t.Fatalf("create bucket in moto: %v", err)
	}
	w.lambda, err = lambdafake.New(lambdafake.Options{Python: py, Log: &w.logs, Env: map[string]string{
		// The function's network and credentials: moto answers boto3.
		"AWS_ENDPOINT_URL": w.moto, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.lambda.Close)
	w.bridge = &lambdafake.CloudFormation{Server: w.lambda, Fetch: func(bucket, key string) ([]byte, error) {
		out, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}}
	w.cfn = cfnfake.New(t, cfnfake.Scenario{S3: cfnfake.S3Objects{Client: w.s3}, OnResource: func(e cfnfake.ResourceEvent) {
		w.bridge.Apply(e.Action, e.Type, e.Physical, e.Props, e.Attrs)
	}})
	w.client = lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(w.lambda.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	t.Cleanup(func() {
		if err := w.bridge.Err(); err != nil {
			t.Errorf("Lambda fake: %v", err)
		}
		if t.Failed() {
			t.Logf("function logs:\n%s", tailString(w.logs.String(), 6000))
		}
	})
	return w
}

func tailString(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func runPy(py, code string) (string, error) {
	out, err := exec.Command(py, "-c", code).CombinedOutput()
	return string(out), err
}

func (w *world) clients() action.Clients {
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		w.t.Fatal(err)
	}
	return action.Clients{
		S3:     w.s3,
		CFN:    cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(w.cfn.URL) }),
		STS:    sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(w.moto) }),
		Lambda: w.client,
		Region: "us-east-1",
	}
}

func (w *world) run(command, dir, env string, log io.Writer, keepDB bool) (*action.Summary, error) {
	w.t.Helper()
	w.runs++ // a new CI run each time, as on GitHub (change set names carry it)
	return action.Run(context.Background(), w.clients(), action.Options{
		Command:         command,
		Build:           action.BuildOptions{ProjectDir: dir, Environment: env, Log: log},
		ArtifactsBucket: w.bucket,
		Timeout:         5 * time.Minute,
		Commit:          "0123456789abcdef0123456789abcdef01234567",
		RunID:           fmt.Sprint(w.runs),
		PR:              42,
		Poll:            time.Millisecond,
		KeepDatabase:    keepDB,
	})
}

// secret stores value in moto's Secrets Manager and returns its ARN.
func (w *world) secret(name, value string) string {
	w.t.Helper()
	body, _ := json.Marshal(map[string]string{"Name": name, "SecretString": value})
	req, _ := http.NewRequest("POST", w.moto, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ARN string }
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || out.ARN == "" {
		w.t.Fatalf("create secret in moto: %d %s", resp.StatusCode, raw)
	}
	return out.ARN
}

func (w *world) psql(db, sql string) string {
	w.t.Helper()
	u, _ := url.Parse(w.pg)
	u.Path = "/" + db
	return testenv.Psql(w.t, u.String(), sql)
}

func (w *world) databaseExists(name string) bool {
	return w.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '"+name+"'") == "1"
}

// marker is the comment (the owner marker) of database name.
func (w *world) marker(name string) string {
	return w.psql("postgres", "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '"+name+"'")
}

// invokeHTTP sends one API Gateway request to a function's alias.
func (w *world) invokeHTTP(function, alias, method, path, body string) lambdafake.HTTPResponse {
	w.t.Helper()
	out, err := w.client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(function), Qualifier: aws.String(alias),
		Payload: lambdafake.HTTPEvent(method, path, map[string]string{"content-type": "application/json"}, body)})
	if err != nil {
		w.t.Fatalf("invoke %s:%s: %v", function, alias, err)
	}
	if out.FunctionError != nil {
		w.t.Fatalf("invoke %s:%s: %s", function, alias, out.Payload)
	}
	var r lambdafake.HTTPResponse
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// guestbookCopy copies the guestbook example and writes its config.
func guestbookCopy(t *testing.T, config string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "guestbook")
	copyTree(t, exampleDir(t, "guestbook"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPreviewDatabaseEndToEnd deploys the pr-42 preview of the guestbook
// (a project with migrations) and destroys it: the preview gets a database
// of its own on the configured server, created, migrated and loaded with
// its fixtures during the deploy; an HTTP event through the deployed
// function writes a row into it; the next plan lists only the migration
// added since; destroy drops the database.
func TestPreviewDatabaseEndToEnd(t *testing.T) {
	w := newWorld(t)
	db := config.PreviewDatabaseName("", "guestbook", 42) // no GITHUB_REPOSITORY in these runs
	if db != "guestbook_fe429bee1e74_pr_42" {
		t.Fatalf("preview database name %q", db)
	}
	w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	t.Cleanup(func() { w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	arn := w.secret(fmt.Sprintf("guestbook-db-%d", time.Now().UnixNano()), w.pg)
	dir := guestbookCopy(t, "project: guestbook\napi: {type: http}\ndatabase:\n  secret: "+arn+"\n  fixtures: [welcome]\n")

	var log bytes.Buffer
	sum, err := w.run("deploy", dir, "pr-42", &log, false)
	if err != nil {
		t.Fatalf("deploy: %v\nroot cause: %s\n%s", err, sum.RootCause, log.String())
	}
	if sum.Status != "CREATE_COMPLETE" {
		t.Fatalf("status %s\n%s", sum.Status, log.String())
	}
	if got := strings.Join(sum.Migrations.New, " "); got != "entries.0001_initial entries.0002_entry_email entries.0003_entry_rating entries.0004_remove_entry_legacy_note tags.0001_initial" {
		t.Errorf("first deploy: new migrations %s", got)
	}
	for _, want := range []string{"Preview database: creating " + db, "created " + db, "Applying entries.0004_remove_entry_legacy_note... OK", "Installed 1 object(s) from 1 fixture(s)"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("deploy log lacks %q:\n%s", want, log.String())
		}
	}

	// The database exists, is migrated and holds the fixture.
	if !w.databaseExists(db) {
		t.Fatalf("database %s was not created", db)
	}
	if got := w.psql(db, "SELECT count(*) FROM django_migrations WHERE app IN ('entries', 'tags')"); got != "5" {
		t.Errorf("%s applied migrations of the project's apps, want 5", got)
	}
	if got := w.psql(db, "SELECT author FROM entries_entry WHERE id = 1"); got != "django-serverless" {
		t.Errorf("fixture row: %q", got)
	}
	// It carries this preview's owner marker (destroy and later deploys
	// check it).
	marker := "django-serverless::guestbook:pr-42"
	if got := w.marker(db); got != marker {
		t.Errorf("owner marker of %s after the first deploy: %q, want %q", db, got, marker)
	}

	// An HTTP event through the deployed function creates a row there.
	fn := functionServing(t, sum, "entries:list")
	r := w.invokeHTTP(fn, "pr-42", "POST", "/entries/", `{"author": "reviewer", "text": "looks good"}`)
	if r.StatusCode != 201 {
		t.Fatalf("POST /entries/: %d %s", r.StatusCode, r.Body)
	}
	if got := w.psql(db, "SELECT text FROM entries_entry WHERE author = 'reviewer'"); got != "looks good" {
		t.Errorf("row written through the function: %q", got)
	}
	r = w.invokeHTTP(fn, "pr-42", "GET", "/entries/", "")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"author": "reviewer"`) {
		t.Errorf("GET /entries/: %d %s", r.StatusCode, r.Body)
	}
	// The database of the configured server was not touched: the secret
	// names database postgres, the preview used its own.
	if got := w.psql("postgres", "SELECT count(*) FROM pg_tables WHERE tablename = 'entries_entry'"); got != "0" {
		t.Errorf("the preview wrote into the configured database")
	}

	// A change that adds one migration: plan lists it alone (the previous
	// deployment's list comes back from its record).
	extra := filepath.Join(dir, "entries", "migrations", "0005_entry_mood.py")
	os.WriteFile(extra, []byte("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('entries', '0004_remove_entry_legacy_note')]\n    operations = [\n        migrations.AddField('entry', 'mood', models.CharField(max_length=10, null=True)),\n        migrations.RunSQL('UPDATE entries_entry SET mood = NULL'),\n    ]\n"), 0o644)
	log.Reset()
	plan, err := w.run("plan", dir, "pr-42", &log, false)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, log.String())
	}
	js, _ := json.Marshal(plan.Migrations)
	if want := `{"new":["entries.0005_entry_mood"],"risky":[{"migration":"entries.0005_entry_mood","operation":"RunSQL","line":8,"file":"entries/migrations/0005_entry_mood.py","reason":"raw SQL that Django does not check; no reverse_sql: it cannot be unapplied"}]}`; string(js) != want {
		t.Errorf("plan migrations:\n got %s\nwant %s", js, want)
	}
	log.Reset()
	if _, err := w.run("deploy", dir, "pr-42", &log, false); err != nil {
		t.Fatalf("second deploy: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "Applying entries.0005_entry_mood... OK") || strings.Contains(log.String(), "Installed 1 object") || !strings.Contains(log.String(), db+" exists") {
		t.Errorf("second deploy log:\n%s", log.String())
	}
	if got := w.psql(db, "SELECT count(*) FROM entries_entry"); got != "2" {
		t.Errorf("rows after the second deploy: %s (fixtures loaded again, or data lost)", got)
	}
	if got := w.marker(db); got != marker {
		t.Errorf("owner marker of %s after the second deploy: %q, want %q", db, got, marker)
	}
	if n := w.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'guestbook_%_pr_42'"); n != "1" {
		t.Errorf("%s preview databases of pr-42 after the second deploy, want 1 (the name moved)", n)
	}

	// A database of that name that is not this preview's (another
	// project's marker) is not dropped: destroy stops, the stack stays.
	w.psql("postgres", "COMMENT ON DATABASE "+db+" IS 'django-serverless:someone/guestbook:guestbook:pr-42'")
	log.Reset()
	if _, err := w.run("destroy", dir, "pr-42", &log, false); err == nil || !strings.Contains(err.Error(), "refusing to drop it") {
		t.Errorf("destroy of a database marked as another project's: %v\n%s", err, log.String())
	}
	if !w.databaseExists(db) {
		t.Fatalf("database %s was dropped although another project's marker is on it", db)
	}
	if st := w.cfn.StackStatus("guestbook-pr-42"); st == "" || st == "DELETE_COMPLETE" {
		t.Errorf("stack status after the refused destroy: %q", st)
	}
	w.psql("postgres", "COMMENT ON DATABASE "+db+" IS 'django-serverless::guestbook:pr-42'")

	// Destroy drops the preview's database, then the stack.
	log.Reset()
	if _, err := w.run("destroy", dir, "pr-42", &log, false); err != nil {
		t.Fatalf("destroy: %v\n%s", err, log.String())
	}
	if w.databaseExists(db) {
		t.Errorf("database %s still exists after destroy:\n%s", db, log.String())
	}
	if st := w.cfn.StackStatus("guestbook-pr-42"); st != "" && st != "DELETE_COMPLETE" {
		t.Errorf("stack status after destroy: %s", st)
	}
}

// functionServing is the physical name of the function serving a route.
func functionServing(t *testing.T, sum *action.Summary, route string) string {
	t.Helper()
	name, ok := sum.Build.Plan.FunctionForRoute(route)
	if !ok {
		t.Fatalf("no function serves %s", route)
	}
	return sum.Build.Plan.Function(name).PhysicalName
}

// writeMigration adds a migration to the guestbook copy.
func writeMigration(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "entries", "migrations", name+".py"), []byte("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationsBefore: with migrations: before, the manage function
// alone moves to the new code (a change set on the previous template with
// the manage template parameter changed), the migrations run while the
// functions that serve requests still run the old code, and only then the
// rest of the stack updates. A failing migration stops the deploy there:
// the serving functions never move, and the command's output is the root
// cause.
func TestMigrationsBefore(t *testing.T) {
	w := newWorld(t)
	const db = "guestbook_dev_before"
	w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	w.psql("postgres", "CREATE DATABASE "+db)
	t.Cleanup(func() { w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	u, _ := url.Parse(w.pg)
	u.Path = "/" + db
	dir := guestbookCopy(t, "project: guestbook\napi: {type: http}\nmigrations: before\nenv:\n  DATABASE_URL: "+u.String()+"\n")

	var log bytes.Buffer
	sum, err := w.run("deploy", dir, "dev", &log, false)
	if err != nil {
		t.Fatalf("first deploy: %v\n%s", err, log.String())
	}
	// A first deploy has nothing serving yet: the migrations run after it.
	if strings.Contains(log.String(), "updating the manage function") || !strings.Contains(log.String(), "Applying entries.0001_initial... OK") {
		t.Errorf("first deploy log:\n%s", log.String())
	}
	fn := functionServing(t, sum, "entries:list")
	served := w.lambda.Alias(fn, "dev")

	// The next change adds a migration and changes a view.
	writeMigration(t, dir, "0005_entry_mood", "    dependencies = [('entries', '0004_remove_entry_legacy_note')]\n    operations = [migrations.AddField('entry', 'mood', models.CharField(max_length=10, null=True))]\n")
	log.Reset()
	if _, err := w.run("deploy", dir, "dev", &log, false); err != nil {
		t.Fatalf("second deploy: %v\n%s", err, log.String())
	}
	l := log.String()
	first, applied, rest := strings.Index(l, "updating the manage function of guestbook-dev first"), strings.Index(l, "Applying entries.0005_entry_mood... OK"), strings.LastIndex(l, "executing change set")
	if first < 0 || applied < first || rest < applied {
		t.Errorf("order: manage stack first (%d), then the migration (%d), then the rest (%d):\n%s", first, applied, rest, l)
	}
	var previous int
	for _, r := range w.cfn.Requests() {
		if r.Action == "CreateChangeSet" && len(r.Params["UsePreviousTemplate"]) > 0 && r.Params["UsePreviousTemplate"][0] == "true" {
			previous++
		}
	}
	if previous != 1 {
		t.Errorf("%d change sets on the previous template, want 1", previous)
	}
	now := w.lambda.Alias(fn, "dev")
	if now == served {
		t.Errorf("the serving function did not move to the new version (%s)", now)
	}

	// A migration that fails: the deploy fails with its output, and the
	// serving functions stay where they were.
	writeMigration(t, dir, "0006_broken", "    dependencies = [('entries', '0005_entry_mood')]\n    operations = [migrations.RunSQL('SELECT * FROM no_such_table')]\n")
	os.WriteFile(filepath.Join(dir, "entries", "views.py"), append(mustRead(t, filepath.Join(dir, "entries", "views.py")), []byte("\n# a code change\n")...), 0o644)
	log.Reset()
	sum, err = w.run("deploy", dir, "dev", &log, false)
	if !errors.Is(err, action.ErrMigrations) {
		t.Fatalf("deploy with a failing migration: %v\n%s", err, log.String())
	}
	if !strings.Contains(sum.RootCause, `relation "no_such_table" does not exist`) {
		t.Errorf("root cause is not the command's output: %s", sum.RootCause)
	}
	if got := w.lambda.Alias(fn, "dev"); got != now {
		t.Errorf("the serving function moved to %s although the migration failed (was %s)", got, now)
	}
	if got := w.psql(db, "SELECT count(*) FROM django_migrations WHERE name = '0006_broken'"); got != "0" {
		t.Errorf("the failed migration is recorded as applied")
	}
}

// TestMigrationFailureFailsDeploy: with migrations: auto, a failing
// migration fails the deploy after the stack update, with the command's
// output as the root cause (the PR comment shows it); the CLI's manage
// command reports the migration state, refuses a command the
// configuration does not allow, and reports a failing command's exit.
func TestMigrationFailureFailsDeploy(t *testing.T) {
	w := newWorld(t)
	const db = "guestbook_dev_auto"
	w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
	w.psql("postgres", "CREATE DATABASE "+db)
	t.Cleanup(func() { w.psql("postgres", "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	u, _ := url.Parse(w.pg)
	u.Path = "/" + db
	dir := guestbookCopy(t, "project: guestbook\napi: {type: http}\nenv:\n  DATABASE_URL: "+u.String()+"\nmanage:\n  commands: [migrate, showmigrations, check]\n")
	writeMigration(t, dir, "0005_broken", "    dependencies = [('entries', '0004_remove_entry_legacy_note')]\n    operations = [migrations.RunSQL('SELECT * FROM no_such_table')]\n")
	var log bytes.Buffer
	sum, err := w.run("deploy", dir, "dev", &log, false)
	if !errors.Is(err, action.ErrMigrations) || sum == nil || sum.Status != "CREATE_COMPLETE" {
		t.Fatalf("deploy: %v (status %v)\n%s", err, sum, log.String())
	}
	if !strings.Contains(sum.RootCause, "Applying entries.0005_broken...") || !strings.Contains(sum.RootCause, `relation "no_such_table" does not exist`) {
		t.Errorf("root cause:\n%s", sum.RootCause)
	}

	// manage through the CLI, against the deployed environment.
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", w.lambda.URL)
	manageCLI := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Run(context.Background(), append([]string{"manage", "--project", dir, "--env", "dev", "--region", "us-east-1", "--"}, args...),
			cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv})
		return code, stdout.String(), stderr.String()
	}
	code, out, errs := manageCLI("showmigrations", "entries")
	if code != cli.ExitOK || !strings.Contains(out, "[X] 0004_remove_entry_legacy_note") || !strings.Contains(out, "[ ] 0005_broken") {
		t.Errorf("showmigrations: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = manageCLI("flush", "--noinput")
	if code != cli.ExitUsage || !strings.Contains(errs, `command "flush" is not allowed in environment dev (manage.commands allows: migrate, showmigrations, check)`) {
		t.Errorf("flush: exit %d\n%s", code, errs)
	}
	code, out, errs = manageCLI("migrate", "entries", "0005_broken")
	if code != cli.ExitFail || !strings.Contains(out, "no_such_table") || !strings.Contains(errs, "manage migrate: exit status 1") {
		t.Errorf("failing migrate: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = manageCLI("showmigrations", "$(id)")
	if code != cli.ExitFail || !strings.Contains(out, "No installed app with label '$(id)'") {
		t.Errorf("argument passed to a shell? exit %d\n%s", code, out)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
