package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/ghfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
)

// The payloads are GitHub's own (pkg/github/testdata/events): pull
// request #2 of Codertocat/Hello-World.
const (
	prNumber = 2
	prStack  = "hello-world-pr-2" // named after the repository
	owner    = "Codertocat"
	repo     = "Hello-World"
	token    = "ghs_test_token"
)

// actionWorld is one repository checkout on a runner: the workspace with
// the tutorial project under app/, the fake GitHub API, moto for S3 and the
// CloudFormation fake, and the runner's files.
type actionWorld struct {
	t         *testing.T
	workspace string
	gh        *ghfake.Server
	cfn       *cfnfake.Server
	bucket    string
	s3        *s3.Client
	cache     string
	pip       string
	python    string
}

func newActionWorld(t *testing.T, sc cfnfake.Scenario) *actionWorld {
	t.Helper()
	moto := testenv.MotoEndpoint(t)
	// The tutorial installs django.contrib.staticfiles: plan and deploy
	// run collectstatic, with Debian's Django.
	python := testenv.Django(t)
	testenv.AWSEnv(t)
	w := &actionWorld{t: t, workspace: t.TempDir(), gh: ghfake.New(t), cfn: cfnfake.New(t, sc), cache: t.TempDir(), python: python}
	w.gh.Token = token
	actionPoll = time.Millisecond
	t.Cleanup(func() { actionPoll = 0 })
	t.Setenv("AWS_ENDPOINT_URL_S3", moto)
	t.Setenv("AWS_ENDPOINT_URL_STS", moto) // moto's STS: account 123456789012
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", w.cfn.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", moto) // moto answers GetCallerIdentity as AWS does
	copyDir(t, filepath.Join(repoRoot(t), "testdata", "django", "tutorial"), filepath.Join(w.workspace, "app"))
	// These tests are about Actions mode: no Lambda stands behind the
	// scripted stacks to run migrations (pkg/action's end-to-end test does).
	if err := os.WriteFile(filepath.Join(w.workspace, "app", "django-serverless.yml"), []byte("migrations: off\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	w.s3 = artifacts.NewS3ClientFromConfig(cfg)
	w.bucket = fmt.Sprintf("ds-action-%d", time.Now().UnixNano())
	if _, err := w.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &w.bucket}); err != nil {
		t.Fatalf("create bucket in moto: %v", err)
	}
	// pip stands in for the real one (no package index here): it installs
	// one small package into --target.
	w.pip = filepath.Join(t.TempDir(), "fake-python")
	script := "#!/bin/sh\necho 'Collecting fakedep==1.0'\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --target ]; then shift; mkdir -p \"$1/fakedep\"; echo 'X = 1' > \"$1/fakedep/__init__.py\"; fi\n  shift\ndone\n"
	if err := os.WriteFile(w.pip, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runResult is what a step leaves behind.
type runResult struct {
	code    int
	log     string
	outputs map[string]string
	summary string
}

// run runs the binary as the Actions runner starts a docker action: no
// arguments, inputs as INPUT_<NAME> with the name upper-cased and its
// hyphens kept, the event payload at GITHUB_EVENT_PATH.
func (w *actionWorld) run(event, eventName string, inputs map[string]string, extra map[string]string) runResult {
	w.t.Helper()
	dir := w.t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	env := map[string]string{
		"GITHUB_ACTIONS":               "true",
		"GITHUB_OUTPUT":                outFile,
		"GITHUB_STEP_SUMMARY":          sumFile,
		"GITHUB_EVENT_PATH":            filepath.Join(repoRoot(w.t), "pkg", "github", "testdata", "events", event),
		"GITHUB_EVENT_NAME":            eventName,
		"GITHUB_REPOSITORY":            owner + "/" + repo,
		"GITHUB_SHA":                   "9f0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b",
		"GITHUB_RUN_ID":                "1234567",
		"GITHUB_RUN_ATTEMPT":           "1",
		"GITHUB_WORKSPACE":             w.workspace,
		"GITHUB_API_URL":               w.gh.URL(),
		"GITHUB_SERVER_URL":            "https://github.com",
		"DJANGO_SERVERLESS_CACHE":      w.cache,
		"DJANGO_SERVERLESS_PIP_PYTHON": w.pip,
		"DJANGO_SERVERLESS_PYTHON":     w.python,
		"INPUT_PROJECT-PATH":           "app",
		"INPUT_ARTIFACTS-BUCKET":       w.bucket,
		"INPUT_REGION":                 "us-east-1",
		"INPUT_GITHUB-TOKEN":           token,
		"INPUT_WAIT-TIMEOUT-MINUTES":   "5",
	}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), nil, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	outRaw, _ := os.ReadFile(outFile)
	sumRaw, _ := os.ReadFile(sumFile)
	return runResult{code: code, log: stdout.String() + stderr.String(), outputs: parseOutputs(w.t, string(outRaw)), summary: string(sumRaw)}
}

// parseOutputs reads GITHUB_OUTPUT's NAME<<DELIM\nVALUE\nDELIM records.
func parseOutputs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %q is not NAME<<DELIM", lines[i])
		}
		var val []string
		i++
		for ; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if _, dup := out[name]; dup {
			t.Errorf("output %s written twice", name)
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func prPlan() *cfnfake.Level {
	return &cfnfake.Level{Changes: []cfnfake.Change{
		{Action: "Add", LogicalID: "LambdasStack", ResourceType: cfnfake.StackType, Nested: &cfnfake.Level{Changes: []cfnfake.Change{
			{Action: "Add", LogicalID: "ExecutionRole", ResourceType: "AWS::IAM::Role"},
			{Action: "Add", LogicalID: "DefaultFunction", ResourceType: "AWS::Lambda::Function"},
		}}},
		{Action: "Add", LogicalID: "ApiStack", ResourceType: cfnfake.StackType, Nested: &cfnfake.Level{Changes: []cfnfake.Change{
			{Action: "Add", LogicalID: "RestApi", ResourceType: "AWS::ApiGateway::RestApi"},
		}}},
	}}
}

const commentsPath = "/repos/Codertocat/Hello-World/issues/2/comments"

func (w *actionWorld) comments() []ghfake.Comment { return w.gh.Comments(owner, repo, prNumber) }

func TestActionPlanOnPullRequest(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
	w.gh.AddComments(owner, repo, prNumber, "someone", "LGTM", "please deploy")
	in := map[string]string{"command": "plan", "environment": "pr-2"}

	r := w.run("pull_request.opened.json", "pull_request", in, nil)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	marker := "<!-- django-serverless:stack=" + prStack + " -->"
	var ours []ghfake.Comment
	for _, c := range w.comments() {
		if strings.Contains(c.Body, marker) {
			ours = append(ours, c)
		}
	}
	if len(ours) != 1 || w.gh.Calls("POST", commentsPath) != 1 {
		t.Fatalf("%d comments with the marker, %d POSTs; want 1 and 1", len(ours), w.gh.Calls("POST", commentsPath))
	}
	if !strings.Contains(ours[0].Body, prStack) || !strings.Contains(ours[0].Body, "ec26c3e") {
		t.Errorf("comment lacks the stack or the head commit:\n%s", ours[0].Body)
	}
	o := r.outputs
	if o["stack-name"] != prStack || o["has-changes"] != "true" || o["changes-count"] != "3" ||
		!strings.HasPrefix(o["change-set-id"], "arn:aws:cloudformation:us-east-1:123456789012:changeSet/") {
		t.Errorf("outputs %v", o)
	}
	for _, k := range []string{"api-url", "graphql-url", "change-set-name"} {
		if _, ok := o[k]; !ok {
			t.Errorf("output %s not written", k)
		}
	}
	if !strings.Contains(r.summary, prStack) || !strings.Contains(r.summary, "LambdasStack") {
		t.Errorf("job summary lacks the stack or the nested stack diff:\n%s", r.summary)
	}
	for _, want := range []string{"::group::", "::endgroup::", "::add-mask::123456789012"} {
		if !strings.Contains(r.log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(r.log, "::error") {
		t.Errorf("errors annotated on a good plan:\n%s", r.log)
	}
	for _, once := range []string{prStack + "/LambdasStack\n", "comment created"} {
		if n := strings.Count(r.log, once); n != 1 {
			t.Errorf("log holds %q %d times, want once:\n%s", once, n, r.log)
		}
	}

	// The second run updates the same comment in place.
	w.cfn.SetPlan(prStack, prPlan())
	r2 := w.run("pull_request.synchronize.json", "pull_request", in, nil)
	if r2.code != ExitOK {
		t.Fatalf("second plan: exit %d\n%s", r2.code, r2.log)
	}
	ours2 := 0
	for _, c := range w.comments() {
		if strings.Contains(c.Body, marker) {
			ours2++
			if c.ID != ours[0].ID {
				t.Errorf("comment %d, want the same id %d", c.ID, ours[0].ID)
			}
		}
	}
	if ours2 != 1 || w.gh.Calls("POST", commentsPath) != 1 {
		t.Errorf("after the second run: %d comments, %d POSTs", ours2, w.gh.Calls("POST", commentsPath))
	}
	if len(w.comments()) != 3 {
		t.Errorf("other comments touched: %d comments", len(w.comments()))
	}
	if r2.outputs["stack-name"] != prStack {
		t.Errorf("second run outputs %v", r2.outputs)
	}
}

func TestActionDeployThenDestroyPreview(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{
		Plans:   map[string]*cfnfake.Level{prStack: prPlan()},
		Outputs: map[string]map[string]string{prStack: {"ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/pr-2/"}},
	})
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "deploy", "environment": "pr-2"}, nil)
	if r.code != ExitOK {
		t.Fatalf("deploy: exit %d\n%s", r.code, r.log)
	}
	if st := w.cfn.StackStatus(prStack); st != "CREATE_COMPLETE" {
		t.Errorf("stack %s after deploy", st)
	}
	if r.outputs["api-url"] != "https://abc.execute-api.us-east-1.amazonaws.com/pr-2/" {
		t.Errorf("outputs %v", r.outputs)
	}
	// Without a domain the site is the API; the tutorial has no static
	// files, so no distribution and no static URL.
	if r.outputs["site-url"] != r.outputs["api-url"] || r.outputs["static-url"] != "" {
		t.Errorf("site-url %q static-url %q", r.outputs["site-url"], r.outputs["static-url"])
	}
	list, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &w.bucket})
	if err != nil || aws.ToInt32(list.KeyCount) == 0 {
		t.Fatalf("nothing uploaded to moto: %v", err)
	}

	r = w.run("pull_request.closed-unmerged.json", "pull_request", map[string]string{"command": "destroy", "environment": "pr-2"}, nil)
	if r.code != ExitOK {
		t.Fatalf("destroy: exit %d\n%s", r.code, r.log)
	}
	if st := w.cfn.StackStatus(prStack); st != "" {
		t.Errorf("stack still live after destroy: %s", st)
	}
	if n := w.cfn.Calls()["DeleteStack"]; n != 1 {
		t.Errorf("DeleteStack called %d times", n)
	}
	marker := "<!-- django-serverless:stack=" + prStack + " -->"
	n := 0
	for _, c := range w.comments() {
		if strings.Contains(c.Body, marker) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d sticky comments after deploy and destroy, want 1", n)
	}
}

func TestActionProtectedProdNotDestroyed(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{
		{Name: "hello-world-prod", Status: "UPDATE_COMPLETE", TerminationProtection: true, Nested: []string{"LambdasStack", "ApiStack"}},
	}})
	if err := os.WriteFile(filepath.Join(w.workspace, "app", "django-serverless.yml"), []byte("environments:\n  prod: {protected: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("push.default-branch.json", "push", map[string]string{"command": "destroy", "environment": "prod"}, nil)
	if r.code != ExitFail {
		t.Errorf("exit %d, want %d\n%s", r.code, ExitFail, r.log)
	}
	if !strings.Contains(r.log, "::error") || !strings.Contains(r.log, "protected") {
		t.Errorf("no error annotation saying prod is protected:\n%s", r.log)
	}
	if st := w.cfn.StackStatus("hello-world-prod"); st != "UPDATE_COMPLETE" {
		t.Errorf("stack %q after a refused destroy", st)
	}
	if n := w.cfn.Calls()["DeleteStack"]; n != 0 {
		t.Errorf("DeleteStack called %d times", n)
	}
	if len(w.gh.Requests()) != 0 {
		t.Errorf("GitHub API called on a push: %v", w.gh.Requests())
	}
}

// A pull request from a fork gets no secrets: no AWS credentials. The
// payload is GitHub's opened event with the head repository changed to a
// fork (derived here).
func TestActionForkWithoutCredentials(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "pkg", "github", "testdata", "events", "pull_request.opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	head := ev["pull_request"].(map[string]any)["head"].(map[string]any)
	head["repo"].(map[string]any)["full_name"] = "forker/Hello-World"
	forked, _ := json.Marshal(ev)
	evPath := filepath.Join(t.TempDir(), "fork.json")
	if err := os.WriteFile(evPath, forked, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")

	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2"},
		map[string]string{"GITHUB_EVENT_PATH": evPath})
	if r.code != ExitOK {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.log)
	}
	if !strings.Contains(r.summary, "forker/Hello-World") || !strings.Contains(r.log, "::notice") {
		t.Errorf("no fork notice in the summary and log:\nsummary: %s\nlog: %s", r.summary, r.log)
	}
	if len(w.cfn.Calls()) != 0 || len(w.gh.Requests()) != 0 {
		t.Errorf("fork run called AWS %v or GitHub %v", w.cfn.Calls(), w.gh.Requests())
	}
}

func TestActionConfigErrorAnnotated(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{})
	if err := os.WriteFile(filepath.Join(w.workspace, "bad.yml"), []byte("functions:\n  granularity: per-view\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2", "config": "bad.yml"}, nil)
	if r.code != ExitUsage {
		t.Errorf("exit %d, want %d\n%s", r.code, ExitUsage, r.log)
	}
	// go-githubactions writes the fields sorted: col, file, line.
	if want := regexp.MustCompile(`(?m)^::error (col=16,)?file=bad\.yml,line=2::functions\.granularity`); !want.MatchString(r.log) {
		t.Errorf("log lacks the annotation %s:\n%s", want, r.log)
	}
	if len(w.cfn.Calls()) != 0 {
		t.Errorf("CloudFormation called on a config error: %v", w.cfn.Calls())
	}
}

// The CLI twin: plan --json prints the change set once in the log on
// stderr and exactly one summary object (DESIGN.md section 2) on stdout.
func TestCLIPlanJSON(t *testing.T) {
	// No GITHUB_REPOSITORY: the stack is named after the folder holding manage.py.
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"app-dev": prPlan()}})
	env := map[string]string{"DJANGO_SERVERLESS_CACHE": w.cache, "DJANGO_SERVERLESS_PIP_PYTHON": w.pip, "DJANGO_SERVERLESS_PYTHON": w.python, "GITHUB_SHA": "9f0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"plan", "--project", filepath.Join(w.workspace, "app"), "--artifacts-bucket", w.bucket, "--region", "us-east-1", "--json"},
		Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var sum map[string]json.RawMessage
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&sum); err != nil {
		t.Fatalf("stdout is not a JSON object: %v", err)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON value")
	}
	var keys []string
	for k := range sum {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, ","); got != "artifacts,change_set_id,changes,environment,has_changes,migrations,outputs,stack" {
		t.Errorf("summary keys %s", got)
	}
	// No previous deployment is known: every migration counts as new.
	var migs struct {
		New   []string `json:"new"`
		Risky []any    `json:"risky"`
	}
	if err := json.Unmarshal(sum["migrations"], &migs); err != nil || strings.Join(migs.New, ",") != "polls.0001_initial" || migs.Risky == nil || len(migs.Risky) != 0 {
		t.Errorf("summary migrations %s", sum["migrations"])
	}
	var changes map[string]int
	json.Unmarshal(sum["changes"], &changes)
	if string(sum["stack"]) != `"app-dev"` || fmt.Sprint(changes) != "map[add:3 modify:0 remove:0 replace:0 routine:0]" {
		t.Errorf("summary stack %s changes %s", sum["stack"], sum["changes"])
	}
	if n := strings.Count(stderr.String(), "app-dev/LambdasStack\n"); n != 1 {
		t.Errorf("change set printed %d times on stderr, want once:\n%s", n, stderr.String())
	}
}

// forkPayload is GitHub's opened event with the head repository turned
// into a fork: pull_request.head.repo.fork set, another full_name and ID
// (derived here: the corpus has no fork sample).
func forkPayload(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "pkg", "github", "testdata", "events", "pull_request.opened.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	head := ev["pull_request"].(map[string]any)["head"].(map[string]any)
	repo := head["repo"].(map[string]any)
	repo["fork"] = true
	repo["full_name"] = "forker/Hello-World"
	repo["id"] = 987654321
	forked, _ := json.Marshal(ev)
	p := filepath.Join(t.TempDir(), "fork.json")
	if err := os.WriteFile(p, forked, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Finding 2: a fork's pull request is never planned or deployed, even when
// the runner holds AWS credentials (a self-hosted runner's instance role,
// a pull_request_target workflow): notice in the job summary, exit 0, no
// AWS or GitHub call.
func TestAttackForkWithCredentials(t *testing.T) {
	for _, event := range []string{"pull_request", "pull_request_target"} {
		for _, command := range []string{"plan", "deploy"} {
			t.Run(event+"/"+command, func(t *testing.T) {
				w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
				r := w.run("pull_request.opened.json", event, map[string]string{"command": command, "environment": "pr-2"},
					map[string]string{"GITHUB_EVENT_PATH": forkPayload(t)})
				if r.code != ExitOK {
					t.Fatalf("exit %d, want 0\n%s", r.code, r.log)
				}
				if !strings.Contains(r.summary, "forker/Hello-World") || !strings.Contains(r.summary, "never plans or deploys a fork") {
					t.Errorf("no fork notice in the job summary:\n%s", r.summary)
				}
				if len(w.cfn.Calls()) != 0 || len(w.gh.Requests()) != 0 {
					t.Errorf("fork run called CloudFormation %v or GitHub %v", w.cfn.Calls(), w.gh.Requests())
				}
				list, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &w.bucket})
				if err != nil || aws.ToInt32(list.KeyCount) != 0 {
					t.Errorf("fork run uploaded %d objects (%v)", aws.ToInt32(list.KeyCount), err)
				}
			})
		}
	}
}

// runnerCommand is a workflow command the runner obeyed.
type runnerCommand struct {
	name, data string
	line       int // index of the log line
}

// registeredCommands are the runner's command names (actions/runner,
// ActionCommandManager's extensions).
var registeredCommands = map[string]bool{
	"add-mask": true, "add-matcher": true, "remove-matcher": true, "debug": true, "notice": true,
	"warning": true, "error": true, "group": true, "endgroup": true, "echo": true,
	"set-output": true, "save-state": true, "set-env": true, "add-path": true, "stop-commands": true,
}

// runnerView reads a step's log as GitHub's runner does
// (ActionCommandManager.TryProcessCommand): lines split on CR, LF or CRLF;
// a line is a command when, after leading blanks, it starts "::NAME ...::"
// or when it holds "##[NAME ...]" anywhere (the legacy form); after
// "::stop-commands::TOKEN" nothing but "::TOKEN::" is obeyed. It returns
// the commands obeyed and the text lines (commands echoed or not).
func runnerView(log string) ([]runnerCommand, []string) {
	lines := strings.FieldsFunc(strings.ReplaceAll(log, "\r\n", "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
	var cmds []runnerCommand
	stopToken := ""
	for i, line := range lines {
		name, data, ok := parseRunnerCommand(line, stopToken)
		if !ok {
			continue
		}
		if stopToken != "" {
			if name == stopToken {
				stopToken = ""
			}
			continue
		}
		if name == "stop-commands" {
			stopToken = data
			continue
		}
		cmds = append(cmds, runnerCommand{name: name, data: data, line: i})
	}
	return cmds, lines
}

func parseRunnerCommand(line, stopToken string) (name, data string, ok bool) {
	known := func(n string) bool { return registeredCommands[n] || (stopToken != "" && n == stopToken) }
	unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%", "%3B", ";", "%5D", "]")
	if m := strings.TrimLeftFunc(line, unicode.IsSpace); strings.HasPrefix(m, "::") {
		if end := strings.Index(m[2:], "::"); end >= 0 {
			info := m[2 : 2+end]
			n, _, _ := strings.Cut(info, " ")
			if known(n) {
				return n, unescape.Replace(m[2+end+2:]), true
			}
		}
	}
	if i := strings.Index(line, "##["); i >= 0 {
		if end := strings.Index(line[i:], "]"); end >= 0 {
			info := line[i+3 : i+end]
			n, _, _ := strings.Cut(info, " ")
			if known(n) {
				return n, unescape.Replace(line[i+end+1:]), true
			}
		}
	}
	return "", "", false
}

// Finding 5: project text cannot inject workflow commands. An include()
// string in urls.py carrying a newline and commands (a warning, a mask
// that would hide the stack name, stop-commands, the legacy ##[ form)
// reaches the log, but the runner obeys none of it.
func TestAttackProjectTextInjectsWorkflowCommands(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
	urls := filepath.Join(w.workspace, "app", "mysite", "urls.py")
	src, err := os.ReadFile(urls)
	if err != nil {
		t.Fatal(err)
	}
	evil := `    path("evil/", include("nope\n::warning::pwned\n  ::add-mask::Hello-World\n::stop-commands::evil\nx ##[error]pwned-legacy\r::error::pwned-cr")),` + "\n"
	src = bytes.Replace(src, []byte("urlpatterns = [\n"), []byte("urlpatterns = [\n"+evil), 1)
	if err := os.WriteFile(urls, src, 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2"}, nil)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	if !strings.Contains(r.log, "pwned") {
		t.Fatalf("the attack text is not in the log at all (the test proves nothing):\n%s", r.log)
	}
	cmds, _ := runnerView(r.log)
	for _, c := range cmds {
		if c.name == "add-mask" && c.data == "Hello-World" || c.name == "stop-commands" || c.name == "warning" && strings.HasPrefix(c.data, "pwned") ||
			c.name == "error" && strings.HasPrefix(c.data, "pwned") {
			t.Errorf("the runner obeys an injected command: ::%s::%s", c.name, c.data)
		}
	}
	// The action's own commands still work.
	var groups, masks int
	for _, c := range cmds {
		switch c.name {
		case "group":
			groups++
		case "add-mask":
			if c.data == "123456789012" {
				masks++
			}
		}
	}
	if groups == 0 || masks == 0 {
		t.Errorf("the action's own commands are not obeyed: %d groups, %d account masks\n%s", groups, masks, r.log)
	}
}

// Finding 6: the account ID is masked from the first AWS call: an
// AccessDenied naming the caller's ARN, before any change set exists,
// prints masked. S3 here is a stand-in answering every request as AWS
// does for a role without S3 rights.
func TestAttackAccountIDBeforeChangeSet(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{})
	const caller = "arn:aws:sts::123456789012:assumed-role/deploy-role/GitHubActions"
	denied := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodHead {
			// The bucket is there, the objects are not: the upload is
			// what is denied.
			if strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 {
				return
			}
			rw.WriteHeader(http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "application/xml")
		rw.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::%s/mysite/x.zip" because no identity-based policy allows the s3:PutObject action</Message><RequestId>1</RequestId></Error>`, caller, w.bucket)
	}))
	t.Cleanup(denied.Close)
	t.Setenv("AWS_ENDPOINT_URL_S3", denied.URL)
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2"}, nil)
	if r.code == ExitOK {
		t.Fatalf("exit 0 with S3 denying everything\n%s", r.log)
	}
	cmds, lines := runnerView(r.log)
	maskedAt := -1
	for _, c := range cmds {
		if c.name == "add-mask" && (c.data == "123456789012" || c.data == caller) {
			maskedAt = c.line
			break
		}
	}
	shown := false
	for i, line := range lines {
		if strings.Contains(line, "123456789012") && !strings.Contains(line, "::add-mask::") {
			shown = true
			if maskedAt < 0 || i < maskedAt {
				t.Errorf("line %d prints the account ID before it is masked (mask at line %d): %q", i, maskedAt, line)
			}
		}
	}
	if !shown {
		t.Fatalf("the AccessDenied message is not in the log (the test proves nothing):\n%s", r.log)
	}
}

// Whatever text goes through the guard's log (command lines at the start
// of a line, after blanks, after a CR, half-written lines) is inert, and
// the commands written through it are obeyed, each on a line of its own.
func TestLogGuardRunnerView(t *testing.T) {
	var out bytes.Buffer
	g := gh.NewLogGuard(&out)
	g.Stop()
	log, cmd := g.Log(), g.Commands()
	fmt.Fprint(log, "text\n::warning::pwned\n  ::add-mask::x\r::error::cr\n")
	fmt.Fprint(log, "half a line ")
	fmt.Fprint(cmd, "::add-mask::secret\n")
	fmt.Fprint(log, "::stop-commands::other\n##[set-output name=a]b\n")
	fmt.Fprint(cmd, "::group::Stage\n")
	fmt.Fprint(log, "::"+g.Token()[:10]+"::\n")
	g.Resume()
	cmds, _ := runnerView(out.String())
	var got []string
	for _, c := range cmds {
		got = append(got, c.name+":"+c.data)
	}
	if want := "add-mask:secret group:Stage"; strings.Join(got, " ") != want {
		t.Errorf("obeyed %q, want %q\n%s", got, want, out.String())
	}
}

// Findings 11 and 12: the config input is confined to the workspace (a
// path or a symlink leading out is refused before any AWS call), and an
// absolute project-path inside the workspace is used as it is, not joined
// under it again (/ws/ws/...).
func TestAttackActionInputPaths(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
	outside := filepath.Join(t.TempDir(), "django-serverless.yml")
	if err := os.WriteFile(outside, []byte("environments: {pr-2: {}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(w.workspace, "linked.yml")); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []string{"../" + filepath.Base(filepath.Dir(outside)) + "/django-serverless.yml", outside, "linked.yml"} {
		r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2", "config": cfg}, nil)
		if r.code != ExitUsage || !strings.Contains(r.log, "input config:") {
			t.Errorf("config %s: exit %d, want %d and an input config error\n%s", cfg, r.code, ExitUsage, r.log)
		}
	}
	if len(w.cfn.Calls()) != 0 {
		t.Errorf("CloudFormation called with a config outside the workspace: %v", w.cfn.Calls())
	}
	r := w.run("pull_request.opened.json", "pull_request",
		map[string]string{"command": "plan", "environment": "pr-2", "project-path": filepath.Join(w.workspace, "app")}, nil)
	if r.code != ExitOK || r.outputs["stack-name"] != prStack {
		t.Errorf("absolute project-path: exit %d, outputs %v\n%s", r.code, r.outputs, r.log)
	}
}
