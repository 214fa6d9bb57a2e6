package adapter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/django-serverless/django-serverless-action/internal/lambdafake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

// guestbook is the example project with a database.
var guestbook = filepath.Join("..", "..", "testdata", "django", "guestbook")

// packages builds the three zips every function of a project runs from:
// the code package, the project layer and the runtime layer, as render
// builds them.
func packages(t testing.TB, root string) (code []byte, layers [][]byte) {
	t.Helper()
	runtime, err := fs.Sub(adapter.Files(), "python")
	if err != nil {
		t.Fatal(err)
	}
	c, err := bundle.BuildBytes(bundle.FunctionCodeName, bundle.FunctionCode())
	if err != nil {
		t.Fatal(err)
	}
	p, err := bundle.BuildBytes(bundle.ProjectLayerName, bundle.ProjectLayer(context.Background(), root, bundle.ProjectOptions(nil, nil), nil))
	if err != nil {
		t.Fatal(err)
	}
	r, err := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), runtime))
	if err != nil {
		t.Fatal(err)
	}
	return c.Bytes, [][]byte{p.Bytes, r.Bytes}
}

// fakeLambda starts the Lambda fake with Debian's Python (Django and
// psycopg2 there stand for the dependencies layer) and a client for it.
func fakeLambda(t testing.TB) (*lambdafake.Server, *lambda.Client) {
	t.Helper()
	py := testenv.Django(t)
	s, err := lambdafake.New(lambdafake.Options{Python: py})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	})
	return s, c
}

func withDB(server, name string) string {
	u, _ := url.Parse(server)
	u.Path = "/" + name
	return u.String()
}

func guestbookFunction(t testing.TB, name, dbURL string, env map[string]string) lambdafake.Function {
	code, layers := packages(t, guestbook)
	e := map[string]string{
		"DJANGO_SETTINGS_MODULE":     "guestbook.settings",
		"DATABASE_URL":               dbURL,
		"DJANGO_SERVERLESS_FUNCTION": name,
	}
	for k, v := range env {
		e[k] = v
	}
	return lambdafake.Function{
		Name: name, Runtime: "python3.12", Handler: adapter.Handler, Timeout: 30 * time.Second, Memory: 512,
		Env: e, Code: code, Layers: layers,
	}
}

func invokeJSON(t testing.TB, c *lambda.Client, name string, payload []byte, out any) {
	t.Helper()
	res, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	if res.FunctionError != nil {
		t.Fatalf("invoke %s: function error: %s", name, res.Payload)
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		t.Fatalf("invoke %s: %v: %s", name, err, res.Payload)
	}
}

type manageResult struct {
	ExitStatus *int   `json:"exit_status"`
	TimedOut   bool   `json:"timed_out"`
	Output     string `json:"output"`
}

func migrate(t testing.TB, c *lambda.Client, fn string) manageResult {
	t.Helper()
	var r manageResult
	invokeJSON(t, c, fn, []byte(`{"django_serverless": "manage", "command": "migrate", "args": ["--noinput"]}`), &r)
	if r.ExitStatus == nil || *r.ExitStatus != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	return r
}

func get(t testing.TB, c *lambda.Client, fn, path string) lambdafake.HTTPResponse {
	t.Helper()
	var r lambdafake.HTTPResponse
	invokeJSON(t, c, fn, lambdafake.HTTPEvent("GET", path, nil, ""), &r)
	return r
}

// backends lists the server processes connected to database db.
func backends(t testing.TB, server, db string) []string {
	out := testenv.Psql(t, server, fmt.Sprintf("SELECT pid FROM pg_stat_activity WHERE datname = '%s' ORDER BY pid", db))
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// TestPersistDBOnPostgres runs persist_db for real: the guestbook's
// handler in the Lambda fake against a PostgreSQL server of its own, one
// warm environment across invocations. The connection is kept and reused,
// survives the server ending it (pg_terminate_backend) and a restart of
// the server, and 1,000 events leave one connection, not one each.
func TestPersistDBOnPostgres(t *testing.T) {
	pg := testenv.PostgresCluster(t)
	testenv.Psql(t, pg.URL, "CREATE DATABASE guestbook")
	db := withDB(pg.URL, "guestbook")
	s, c := fakeLambda(t)
	if err := s.Put(guestbookFunction(t, "manage", db, map[string]string{"DJANGO_SERVERLESS_MANAGE_ALLOW": "migrate"})); err != nil {
		t.Fatal(err)
	}
	out := migrate(t, c, "manage")
	if !strings.Contains(out.Output, "Applying entries.0004_remove_entry_legacy_note... OK") {
		t.Fatalf("migrate output:\n%s", out.Output)
	}
	if err := s.Put(guestbookFunction(t, "web", db, map[string]string{"DJANGO_SERVERLESS_PERSIST_DB": "1"})); err != nil {
		t.Fatal(err)
	}
	ok := func(step string) {
		t.Helper()
		r := get(t, c, "web", "/entries/count/")
		if r.StatusCode != 200 || r.Body != `{"count": 0}` {
			t.Fatalf("%s: %d %s", step, r.StatusCode, r.Body)
		}
	}
	ok("first event")
	first := backends(t, pg.URL, "guestbook")
	if len(first) != 1 {
		t.Fatalf("after the first event: backends %v, want one kept open", first)
	}
	ok("second event")
	if got := backends(t, pg.URL, "guestbook"); len(got) != 1 || got[0] != first[0] {
		t.Fatalf("second event: backends %v, want the same %v reused", got, first)
	}

	testenv.Psql(t, pg.URL, "SELECT pg_terminate_backend("+first[0]+")")
	ok("after pg_terminate_backend")
	second := backends(t, pg.URL, "guestbook")
	if len(second) != 1 || second[0] == first[0] {
		t.Fatalf("after pg_terminate_backend: backends %v (killed %s)", second, first[0])
	}

	pg.Restart(t)
	ok("after a server restart")

	for i := 0; i < 1000; i++ {
		r := get(t, c, "web", "/entries/count/")
		if r.StatusCode != 200 {
			t.Fatalf("event %d: %d %s", i, r.StatusCode, r.Body)
		}
	}
	if got := backends(t, pg.URL, "guestbook"); len(got) != 1 {
		t.Fatalf("after 1,000 events: %d connections %v, want 1", len(got), got)
	}
	if n := s.Environments("web", ""); n != 1 {
		t.Errorf("%d environments served the events, want one warm one", n)
	}

	// persist_db off: nothing stays open after an event.
	if err := s.Put(guestbookFunction(t, "web", db, nil)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		ok("persist_db off " + strconv.Itoa(i))
	}
	if got := backends(t, pg.URL, "guestbook"); len(got) != 0 {
		t.Fatalf("persist_db off: connections %v left open", got)
	}
}
