package manage_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
	"github.com/django-serverless/django-serverless-action/pkg/manage"
)

// The adapter's test project: management commands that echo their
// arguments, fail, sleep and print a lot (testapp/management/commands).
var testProject = filepath.Join("..", "adapter", "python", "tests", "proj")

// world is the Lambda fake with the test project deployed as a manage
// function (allowing echoargs, fail, sleep and check) of the given timeout.
func world(t *testing.T, timeout time.Duration) (*lambdafake.Server, *lambda.Client, manage.Target) {
	t.Helper()
	py := testenv.Django(t)
	s, err := lambdafake.New(lambdafake.Options{Python: py})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	runtime, _ := fs.Sub(adapter.Files(), "python")
	code, _ := bundle.BuildBytes(bundle.FunctionCodeName, bundle.FunctionCode())
	project, err := bundle.BuildBytes(bundle.ProjectLayerName, bundle.ProjectLayer(context.Background(), testProject, bundle.ProjectOptions(nil, nil), nil))
	if err != nil {
		t.Fatal(err)
	}
	rt, _ := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), runtime))
	fn := lambdafake.Function{
		Name: "shop-dev_DjangoManage", Runtime: "python3.12", Handler: adapter.Handler, Timeout: timeout, Memory: 1024,
		Code: code.Bytes, Layers: [][]byte{project.Bytes, rt.Bytes},
		Env: map[string]string{
			"DJANGO_SETTINGS_MODULE":         "testproj.settings",
			"DJANGO_SERVERLESS_MANAGE_ALLOW": "echoargs,fail,sleep,check,migrate",
			"TESTAPP_PIDFILE":                filepath.Join(t.TempDir(), "pid"),
		},
	}
	if err := s.Put(fn); err != nil {
		t.Fatal(err)
	}
	v, _ := s.Publish(fn.Name)
	if err := s.SetAlias(fn.Name, "dev", v); err != nil {
		t.Fatal(err)
	}
	c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	return s, c, manage.Target{Function: fn.Name, Qualifier: "dev"}
}

func TestCommand(t *testing.T) {
	_, c, target := world(t, 60*time.Second)
	ctx := context.Background()

	t.Run("arguments pass as a list, never through a shell", func(t *testing.T) {
		marker := filepath.Join(t.TempDir(), "pwned")
		args := []string{"$(touch " + marker + ")", "; touch " + marker, "a b", "`id`", "--flag=x && id"}
		r, err := manage.Command(ctx, c, target, "echoargs", args, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() || !strings.Contains(r.Output, `"words": ["$(touch `+marker+`)", "; touch `+marker+`", "a b", "`+"`id`"+`"], "flag": "x && id"`) {
			t.Errorf("%s: %s", r.Status(), r.Output)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Error("an argument ran in a shell")
		}
	})
	t.Run("a command not allowed is refused", func(t *testing.T) {
		r, err := manage.Command(ctx, c, target, "flush", []string{"--noinput"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() || r.Status() != "refused" || !strings.Contains(r.Output, "'flush' is not allowed here; allowed: check, echoargs, fail, migrate, sleep") {
			t.Errorf("%s: %s", r.Status(), r.Output)
		}
	})
	t.Run("a non-zero exit is reported with the output", func(t *testing.T) {
		r, err := manage.Command(ctx, c, target, "fail", []string{"--status", "5"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK() || r.Status() != "exit status 5" || !strings.Contains(r.Output, "partial output before failing") {
			t.Errorf("%s: %s", r.Status(), r.Output)
		}
		r, _ = manage.Command(ctx, c, target, "fail", nil, 0)
		if r.Status() != "exit status 1" || !strings.Contains(r.Output, "CommandError: the command failed on purpose") {
			t.Errorf("%s: %s", r.Status(), r.Output)
		}
	})
	t.Run("a timeout stops the command cleanly", func(t *testing.T) {
		start := time.Now()
		r, err := manage.Command(ctx, c, target, "sleep", []string{"30", "--child"}, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !r.TimedOut || r.ExitStatus != nil || r.Status() != "stopped at its timeout" || !strings.Contains(r.Output, "sleeping") {
			t.Errorf("%+v", r)
		}
		if time.Since(start) > 10*time.Second {
			t.Errorf("took %s", time.Since(start))
		}
		// The environment is fine afterwards.
		r, err = manage.Command(ctx, c, target, "check", nil, 0)
		if err != nil || !r.OK() {
			t.Errorf("after a timeout: %v %+v", err, r)
		}
	})
	t.Run("bad names are refused before invoking", func(t *testing.T) {
		if _, err := manage.Command(ctx, c, target, "check; id", nil, 0); err == nil {
			t.Error("no error")
		}
	})
}

// The function's own timeout is shorter than the command: the runtime
// stops the command in time and answers, instead of Lambda killing it.
func TestCommandWithinLambdaTimeout(t *testing.T) {
	s, c, target := world(t, 6*time.Second)
	start := time.Now()
	r, err := manage.Command(context.Background(), c, target, "sleep", []string{"30"}, 0)
	if err != nil {
		t.Fatalf("the invocation failed instead of answering: %v", err)
	}
	if !r.TimedOut || !strings.Contains(r.Output, "ran longer than 3 s") {
		t.Errorf("%+v", r)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("answered after %s, past the function's 6 s", d)
	}
	if st := s.Stats(); st.Timeouts != 0 {
		t.Errorf("Lambda timed out %d times", st.Timeouts)
	}
}

// Lambda's own failures are errors naming the function, with the log.
func TestInvocationErrors(t *testing.T) {
	s, c, _ := world(t, 60*time.Second)
	ctx := context.Background()
	_, err := manage.Command(ctx, c, manage.Target{Function: "shop-dev_Missing", Qualifier: "dev"}, "check", nil, 0)
	if err == nil || !strings.Contains(err.Error(), "manage function shop-dev_Missing:dev not found: deploy the environment first") {
		t.Errorf("missing function: %v", err)
	}
	// Settings that do not import: the init error, as a manage.Error.
	runtime, _ := fs.Sub(adapter.Files(), "python")
	code, _ := bundle.BuildBytes(bundle.FunctionCodeName, bundle.FunctionCode())
	rt, _ := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), runtime))
	project, _ := bundle.BuildBytes(bundle.ProjectLayerName, bundle.ProjectLayer(context.Background(), testProject, bundle.ProjectOptions(nil, nil), nil))
	s.Put(lambdafake.Function{Name: "broken", Runtime: "python3.12", Handler: adapter.Handler, Timeout: 10 * time.Second, Memory: 128,
		Code: code.Bytes, Layers: [][]byte{project.Bytes, rt.Bytes}, Env: map[string]string{"DJANGO_SETTINGS_MODULE": "testproj.nosuchsettings"}})
	_, err = manage.Command(ctx, c, manage.Target{Function: "broken"}, "check", nil, 0)
	var me *manage.Error
	if !errors.As(err, &me) || me.Type != "Runtime.ImportModuleError" || !strings.Contains(me.Message, "No module named 'testproj.nosuchsettings'") || !strings.Contains(me.Log, "Traceback") {
		t.Errorf("init error: %v", err)
	}
}

// A deploy's migrate is not run when every database is SQLite (a file
// local to each function): the test project's settings use one.
func TestMigrateSkipsSQLite(t *testing.T) {
	_, c, target := world(t, 60*time.Second)
	r, skipped, err := manage.Migrate(context.Background(), c, target, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !skipped || !r.OK() || !strings.Contains(r.Output, "every database in DATABASES is SQLite") || strings.Contains(r.Output, "Applying") {
		t.Errorf("skipped %v: %+v", skipped, r)
	}
	// Asked by a person, the command runs.
	r, err = manage.Command(context.Background(), c, target, "migrate", []string{"--noinput"}, 0)
	if err != nil || !r.OK() || !strings.Contains(r.Output, "Applying contenttypes.0001_initial... OK") {
		t.Errorf("%v %+v", err, r)
	}
}
