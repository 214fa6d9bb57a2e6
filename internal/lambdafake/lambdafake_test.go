package lambdafake

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// zipOf builds a zip of files (slash paths).
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newServer starts a fake with Debian's python3 and an SDK client for it.
func newServer(t *testing.T) (*Server, *lambda.Client) {
	t.Helper()
	py := testenv.DebianPython
	s, err := New(Options{Python: py, Env: map[string]string{"FAKE_CLOUD": "yes"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	client := lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		RetryMaxAttempts: 1,
	})
	return s, client
}

const app = `import os, sys, time, json
COUNT = 0
print("init of", os.environ["AWS_LAMBDA_FUNCTION_NAME"])

def handle(event, context):
    global COUNT
    COUNT += 1
    kind = event.get("kind")
    print("event", kind)
    if kind == "raise":
        raise ValueError("bad value")
    if kind == "sleep":
        time.sleep(event["seconds"])
    if kind == "exit":
        os._exit(3)
    if kind == "unmarshalable":
        return {"x": object()}
    if kind == "big":
        return "x" * (7 * 1024 * 1024)
    import layered
    return {
        "count": COUNT,
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "version": context.function_version,
        "env": {k: os.environ.get(k) for k in ("GREETING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "FAKE_CLOUD", "_HANDLER")},
        "cwd_is_task_root": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
        "tmp": os.environ["TMPDIR"],
        "layered": layered.WHO,
        "path_head": [p.replace(os.environ["LAMBDA_TASK_ROOT"], "TASK").replace(os.environ["LAMBDAFAKE_OPT"], "OPT") for p in sys.path[:3]],
        "client_context": context.client_context,
    }
`

func appFunction(t testing.TB) Function {
	return Function{
		Name: "app-fn", Runtime: "python3.12", Handler: "app.handle", Timeout: 3 * time.Second, Memory: 256,
		Env:  map[string]string{"GREETING": "hello", "AWS_LAMBDA_FUNCTION_NAME": "spoofed"},
		Code: zipOf(t, map[string]string{"app.py": app}),
		Layers: [][]byte{
			zipOf(t, map[string]string{"python/layered.py": "WHO = 'first layer'\n"}),
			zipOf(t, map[string]string{"python/layered.py": "WHO = 'second layer'\n"}),
		},
	}
}

func invoke(t *testing.T, c *lambda.Client, in *lambda.InvokeInput) *lambda.InvokeOutput {
	t.Helper()
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return out
}

func TestInvokeRunsTheHandlerLikeLambda(t *testing.T) {
	s, c := newServer(t)
	if err := s.Put(appFunction(t)); err != nil {
		t.Fatal(err)
	}
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom": {"who": "test"}}`))
	out := invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`{"kind": "ok"}`),
		LogType: types.LogTypeTail, ClientContext: aws.String(cc)})
	if out.StatusCode != 200 || out.FunctionError != nil {
		t.Fatalf("status %d, function error %v: %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	if aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("executed version %q", aws.ToString(out.ExecutedVersion))
	}
	var got struct {
		Count         int
		Remaining     int
		RequestID     string `json:"request_id"`
		ARN           string
		Version       string
		Env           map[string]string
		CwdIsTaskRoot bool `json:"cwd_is_task_root"`
		Tmp           string
		Layered       string
		PathHead      []string       `json:"path_head"`
		ClientContext map[string]any `json:"client_context"`
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	if got.Count != 1 || got.Remaining <= 0 || got.Remaining > 3000 {
		t.Errorf("count %d, remaining %d ms", got.Count, got.Remaining)
	}
	wantEnv := map[string]string{"GREETING": "hello", "AWS_LAMBDA_FUNCTION_NAME": "app-fn", "AWS_REGION": "us-east-1", "FAKE_CLOUD": "yes", "_HANDLER": "app.handle"}
	for k, v := range wantEnv {
		if got.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, got.Env[k], v)
		}
	}
	if !got.CwdIsTaskRoot || got.Layered != "second layer" {
		t.Errorf("cwd is task root: %v; layered: %q (the later layer wins)", got.CwdIsTaskRoot, got.Layered)
	}
	if strings.Join(got.PathHead, " ") != "TASK OPT/python/lib/python3.11/site-packages OPT/python" {
		t.Errorf("sys.path starts %v", got.PathHead)
	}
	if got.ARN != "arn:aws:lambda:us-east-1:123456789012:function:app-fn" || got.Version != "$LATEST" {
		t.Errorf("context arn %q version %q", got.ARN, got.Version)
	}
	if got.ClientContext["custom"] == nil {
		t.Errorf("client context %v", got.ClientContext)
	}
	log, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"START RequestId: " + got.RequestID + " Version: $LATEST", "event ok", "END RequestId: " + got.RequestID, "REPORT RequestId: " + got.RequestID, "Memory Size: 256 MB"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if !strings.HasPrefix(string(log), "init of app-fn\nSTART") {
		t.Errorf("a cold start's log begins with the init output, then START:\n%s", log)
	}

	// Warm: the same environment answers the next event.
	out = invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`{}`), LogType: types.LogTypeTail})
	json.Unmarshal(out.Payload, &got)
	if got.Count != 2 {
		t.Errorf("second invocation count %d: not the warm environment", got.Count)
	}
	if log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult)); strings.Contains(string(log), "init of") || !strings.HasPrefix(string(log), "START") {
		t.Errorf("warm invocation's log:\n%s", log)
	}
	if st := s.Stats(); st.ColdStarts != 1 || st.Invocations != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestFunctionErrors(t *testing.T) {
	s, c := newServer(t)
	if err := s.Put(appFunction(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		payload, errType, msg string
		cold                  bool // the environment is discarded
	}{
		{`{"kind": "raise"}`, "ValueError", "bad value", false},
		{`{"kind": "unmarshalable"}`, "Runtime.MarshalError", "Unable to marshal response", false},
		{`{"kind": "big"}`, "Function.ResponseSizeTooLarge", "Response payload size exceeded", false},
		{`{"kind": "sleep", "seconds": 10}`, "Sandbox.Timedout", "Task timed out after 3.00 seconds", true},
		{`{"kind": "exit"}`, "Runtime.ExitError", "Runtime exited with error: exit status 3", true},
	} {
		invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`{}`)}) // warm up
		before := s.Stats().ColdStarts
		start := time.Now()
		out := invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(tc.payload), LogType: types.LogTypeTail})
		if aws.ToString(out.FunctionError) != "Unhandled" || out.StatusCode != 200 {
			t.Errorf("%s: status %d function error %q", tc.payload, out.StatusCode, aws.ToString(out.FunctionError))
		}
		var e struct {
			ErrorType    string   `json:"errorType"`
			ErrorMessage string   `json:"errorMessage"`
			StackTrace   []string `json:"stackTrace"`
		}
		json.Unmarshal(out.Payload, &e)
		if e.ErrorType != tc.errType || !strings.Contains(e.ErrorMessage, tc.msg) {
			t.Errorf("%s: got %s", tc.payload, out.Payload)
		}
		if tc.errType == "ValueError" && (len(e.StackTrace) == 0 || !strings.Contains(strings.Join(e.StackTrace, ""), "app.py")) {
			t.Errorf("no stack trace: %s", out.Payload)
		}
		if tc.errType == "Sandbox.Timedout" && time.Since(start) > 6*time.Second {
			t.Errorf("timeout took %s", time.Since(start))
		}
		out = invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`{}`)})
		if out.FunctionError != nil {
			t.Errorf("after %s: %s", tc.payload, out.Payload)
		}
		if cold := s.Stats().ColdStarts-before == 1; cold != tc.cold {
			t.Errorf("%s: environment discarded = %v, want %v", tc.payload, cold, tc.cold)
		}
	}
}

func TestInitErrors(t *testing.T) {
	s, c := newServer(t)
	for _, tc := range []struct {
		name, handler, code, errType, msg string
	}{
		{"no-module", "missing.handle", "", "Runtime.ImportModuleError", "Unable to import module 'missing'"},
		{"no-handler", "app.nothere", "x = 1\n", "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'app'"},
		{"raises", "app.handle", "raise RuntimeError('settings are broken')\n", "RuntimeError", "settings are broken"},
	} {
		f := Function{Name: tc.name, Runtime: "python3.12", Handler: tc.handler, Timeout: 3 * time.Second, Memory: 128,
			Code: zipOf(t, map[string]string{"app.py": tc.code})}
		if err := s.Put(f); err != nil {
			t.Fatal(err)
		}
		out := invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String(tc.name)})
		var e struct{ ErrorType, ErrorMessage string }
		json.Unmarshal(out.Payload, &e)
		if aws.ToString(out.FunctionError) != "Unhandled" || e.ErrorType != tc.errType || !strings.Contains(e.ErrorMessage, tc.msg) {
			t.Errorf("%s: %q %s", tc.name, aws.ToString(out.FunctionError), out.Payload)
		}
		if n := s.Environments(tc.name, ""); n != 0 {
			t.Errorf("%s: %d environments kept after a failed init", tc.name, n)
		}
	}
}

func TestVersionsAliasesAndNames(t *testing.T) {
	s, c := newServer(t)
	f := appFunction(t)
	if err := s.Put(f); err != nil {
		t.Fatal(err)
	}
	v1, _ := s.Publish("app-fn")
	if again, _ := s.Publish("app-fn"); again != v1 {
		t.Errorf("publishing an unchanged function made version %s after %s", again, v1)
	}
	f.Env = map[string]string{"GREETING": "bonjour"}
	s.Put(f)
	v2, _ := s.Publish("app-fn")
	if v1 != "1" || v2 != "2" {
		t.Fatalf("versions %s %s", v1, v2)
	}
	if err := s.SetAlias("app-fn", "prod", v1); err != nil {
		t.Fatal(err)
	}
	greeting := func(in *lambda.InvokeInput) (string, string) {
		out := invoke(t, c, in)
		var got struct{ Env map[string]string }
		json.Unmarshal(out.Payload, &got)
		return got.Env["GREETING"], aws.ToString(out.ExecutedVersion)
	}
	for _, tc := range []struct {
		in            *lambda.InvokeInput
		greeting, ver string
	}{
		{&lambda.InvokeInput{FunctionName: aws.String("app-fn"), Qualifier: aws.String("prod")}, "hello", "1"},
		{&lambda.InvokeInput{FunctionName: aws.String("app-fn:prod")}, "hello", "1"},
		{&lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:app-fn:2")}, "bonjour", "2"},
		{&lambda.InvokeInput{FunctionName: aws.String("123456789012:function:app-fn"), Qualifier: aws.String("1")}, "hello", "1"},
		{&lambda.InvokeInput{FunctionName: aws.String("app-fn")}, "bonjour", "$LATEST"},
	} {
		g, v := greeting(tc.in)
		if g != tc.greeting || v != tc.ver {
			t.Errorf("%s %s: greeting %q version %q, want %q %q", aws.ToString(tc.in.FunctionName), aws.ToString(tc.in.Qualifier), g, v, tc.greeting, tc.ver)
		}
	}
	s.SetAlias("app-fn", "prod", v2)
	if g, v := greeting(&lambda.InvokeInput{FunctionName: aws.String("app-fn"), Qualifier: aws.String("prod")}); g != "bonjour" || v != "2" {
		t.Errorf("alias moved: %q %q", g, v)
	}
}

func TestServiceErrors(t *testing.T) {
	s, c := newServer(t)
	s.Put(appFunction(t))
	ctx := context.Background()
	var nf *types.ResourceNotFoundException
	_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope") {
		t.Errorf("unknown function: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Qualifier: aws.String("staging")})
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "function:app-fn:staging") {
		t.Errorf("unknown alias: %v", err)
	}
	var bad *types.InvalidParameterValueException
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn:1"), Qualifier: aws.String("2")})
	if !errors.As(err, &bad) || !strings.Contains(err.Error(), "does not match the specified qualifier") {
		t.Errorf("qualifier mismatch: %v", err)
	}
	var content *types.InvalidRequestContentException
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte("{not json")})
	if !errors.As(err, &content) {
		t.Errorf("invalid JSON: %v", err)
	}
	var large *types.RequestTooLargeException
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`"` + strings.Repeat("x", MaxSyncPayload) + `"`)})
	if !errors.As(err, &large) {
		t.Errorf("6 MB payload: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`"` + strings.Repeat("x", MaxAsyncPayload) + `"`)})
	if !errors.As(err, &large) {
		t.Errorf("1 MB async payload: %v", err)
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("dry run: %v %+v", err, out)
	}
	before := s.Stats().Invocations
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("event: %v %+v", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Invocations == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s.Stats().Invocations != before+1 {
		t.Error("the Event invocation did not run")
	}
}

func TestConcurrentInvocationsGetTheirOwnEnvironments(t *testing.T) {
	s, c := newServer(t)
	s.Put(appFunction(t))
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invoke(t, c, &lambda.InvokeInput{FunctionName: aws.String("app-fn"), Payload: []byte(`{"kind": "sleep", "seconds": 0.5}`)})
		}()
	}
	wg.Wait()
	if n := s.Environments("app-fn", ""); n != 3 {
		t.Errorf("%d environments for 3 concurrent invocations", n)
	}
	// An update discards the warm environments of $LATEST.
	s.Put(appFunction(t))
	if n := s.Environments("app-fn", ""); n != 0 {
		t.Errorf("%d environments after an update", n)
	}
}
