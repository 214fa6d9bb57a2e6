package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

// s3Log is a reverse proxy in front of moto that records every request:
// its start, and for writes, when the response was complete, in order.
type s3Log struct {
	mu     sync.Mutex
	events []s3Event
}

type s3Event struct {
	Method, Key string
	Done        bool
	// IfNoneMatch is the request's If-None-Match header (a conditional
	// write sends "*").
	IfNoneMatch string
}

func (l *s3Log) add(e s3Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *s3Log) all() []s3Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]s3Event(nil), l.events...)
}

func (l *s3Log) reset() {
	l.mu.Lock()
	l.events = nil
	l.mu.Unlock()
}

func (l *s3Log) count(method string) int {
	n := 0
	for _, e := range l.all() {
		if e.Method == method && !e.Done {
			n++
		}
	}
	return n
}

func newS3Proxy(t *testing.T, moto string) (string, *s3Log) {
	t.Helper()
	target, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	log := &s3Log{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, "/")
		log.add(s3Event{Method: r.Method, Key: key, IfNoneMatch: r.Header.Get("If-None-Match")})
		rp.ServeHTTP(w, r)
		log.add(s3Event{Method: r.Method, Key: key, Done: true})
	}))
	t.Cleanup(srv.Close)
	return srv.URL, log
}

// fakePip writes an executable standing in for `python3 -m pip install`
// (PyPI is not reachable here): it installs one small package into
// --target and counts its runs in a file beside it.
func fakePip(t *testing.T) (path string, runs func() int) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "fake-python")
	counter := filepath.Join(dir, "runs")
	script := `#!/bin/sh
echo run >> "` + counter + `"
while [ $# -gt 0 ]; do
  if [ "$1" = "--target" ]; then
    shift
    mkdir -p "$1/fakedep"
    printf 'VERSION = "1.0"\n' > "$1/fakedep/__init__.py"
  fi
  shift
done
`
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, func() int {
		data, _ := os.ReadFile(counter)
		return strings.Count(string(data), "run")
	}
}

type runEnv struct {
	t      *testing.T
	s3     *s3.Client
	s3log  *s3Log
	cfn    *cfnfake.Server
	bucket string
	pip    string
	runs   func() int
	moto   string
	python string
	// wrapCFN, when set, wraps the CloudFormation client of every run.
	wrapCFN func(action.CFN) action.CFN
}

// newRunEnv points real SDK clients at moto (S3, through the recording
// proxy) and at the CloudFormation fake, and creates the bucket.
func newRunEnv(t *testing.T, sc cfnfake.Scenario) *runEnv {
	t.Helper()
	moto := testenv.MotoEndpoint(t)
	// collectstatic runs in plan and deploy (the example projects install
	// django.contrib.staticfiles): Debian's Django does it.
	python := testenv.Django(t)
	testenv.AWSEnv(t)
	proxy, log := newS3Proxy(t, moto)
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	s3c := artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(proxy) })
	bucket := fmt.Sprintf("ds-run-%d", time.Now().UnixNano())
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket in moto: %v", err)
	}
	log.reset()
	pip, runs := fakePip(t)
	if sc.S3 == nil {
		// Template-driven change sets (where no plan is scripted), the
		// templates read from the same moto bucket the run uploads to.
		sc.S3 = cfnfake.S3Objects{Client: s3c}
	}
	return &runEnv{t: t, s3: s3c, s3log: log, cfn: cfnfake.New(t, sc), bucket: bucket, pip: pip, runs: runs, moto: moto, python: python}
}

func (e *runEnv) clients() action.Clients {
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		e.t.Fatal(err)
	}
	var cfn action.CFN = cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(e.cfn.URL) })
	if e.wrapCFN != nil {
		cfn = e.wrapCFN(cfn)
	}
	return action.Clients{
		S3:     e.s3,
		CFN:    cfn,
		STS:    sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(e.moto) }),
		Region: "us-east-1",
	}
}

func (e *runEnv) run(command, dir, config, env string) (*action.Summary, error) {
	e.t.Helper()
	return e.runID(command, dir, config, env, "42")
}

// runID is run as CI run runID (each run of a workflow has its own).
func (e *runEnv) runID(command, dir, config, env, runID string) (*action.Summary, error) {
	e.t.Helper()
	return action.Run(context.Background(), e.clients(), action.Options{
		Command: command,
		Build: action.BuildOptions{ProjectDir: dir, ConfigFile: config, Environment: env,
			Repository: "acme/mysite", // stacks are named after the repository (mysite-<env>)
			Deps:       &action.PipDeps{Install: true, Installer: "pip", PipPython: e.pip, CacheDir: e.t.TempDir(), ToolVersion: cli.Version, SchemaPython: e.python}},
		ArtifactsBucket: e.bucket,
		Timeout:         time.Minute,
		Commit:          "0123456789abcdef0123456789abcdef01234567",
		RunID:           runID,
		PR:              7,
		Poll:            time.Millisecond,
	})
}

func (e *runEnv) objects() map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: &e.bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	return out
}

// firstPlan is what CloudFormation computes for a first deploy of the
// tutorial: two nested stacks, each adding resources.
func firstPlan() *cfnfake.Level {
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

func tutorialCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tutorial")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2021, 5, 5, 0, 0, 0, 0, time.UTC))
	return dir
}

// The --json summary has exactly the keys of DESIGN.md section 2.
func checkSummaryShape(t *testing.T, sum *action.Summary) map[string]any {
	t.Helper()
	raw, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) string {
		mm, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("not an object: %v", v)
		}
		var ks []string
		for k := range mm {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	shape := map[string]string{
		"":          "artifacts,change_set_id,changes,environment,has_changes,outputs,stack",
		"changes":   "add,modify,remove,replace,routine", // routine: version churn, counted apart from remove and replace
		"artifacts": "skipped,uploaded,uploaded_bytes",
	}
	if _, ok := m["migrations"]; ok { // plan and deploy (DESIGN.md, second tranche)
		shape[""] = "artifacts,change_set_id,changes,environment,has_changes,migrations,outputs,stack"
		shape["migrations"] = "new,risky"
	}
	for path, want := range shape {
		v := any(m)
		if path != "" {
			v = m[path]
		}
		if got := keys(v); got != want {
			t.Errorf("summary %q keys: %s, want %s\n%s", path, got, want, raw)
		}
	}
	if _, ok := m["outputs"].(map[string]any); !ok {
		t.Errorf("outputs is not an object: %s", raw)
	}
	if _, ok := m["has_changes"].(bool); !ok {
		t.Errorf("has_changes is not a boolean: %s", raw)
	}
	return m
}

func TestRunPlanUploadsOnceAndCreatesChangeSet(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"mysite-pr-7": firstPlan()}})
	dir := tutorialCopy(t)

	sum, err := e.run("plan", dir, "", "pr-7")
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	m := checkSummaryShape(t, sum)
	if m["stack"] != "mysite-pr-7" || m["environment"] != "pr-7" || m["has_changes"] != true {
		t.Errorf("summary: %v", m)
	}
	if !strings.HasPrefix(sum.ChangeSetID, "arn:aws:cloudformation:us-east-1:") {
		t.Errorf("change_set_id %q", sum.ChangeSetID)
	}
	if sum.Changes.Add == 0 || sum.Changes.Remove != 0 || sum.Changes.Replace != 0 {
		t.Errorf("changes %+v", sum.Changes)
	}
	if e.runs() != 1 {
		t.Errorf("installer ran %d times, want 1", e.runs())
	}

	// Everything was uploaded: every template and zip, and nothing else.
	b := sum.Build
	want := map[string]int64{}
	for _, o := range b.Objects() {
		size := o.Size
		if size == 0 && o.Body != nil {
			size = int64(len(o.Body))
		}
		want[o.Key] = size
	}
	if b.Deps == nil || b.Deps.Zip == nil {
		t.Fatalf("dependencies layer not built: %+v", b.Deps)
	}
	got := e.objects()
	if len(got) != len(want) || sum.Artifacts.Uploaded != len(want) || sum.Artifacts.Skipped != 0 {
		t.Errorf("bucket holds %d objects, uploaded %d skipped %d, want %d: %v", len(got), sum.Artifacts.Uploaded, sum.Artifacts.Skipped, len(want), got)
	}
	var total int64
	for k, size := range want {
		if got[k] != size {
			t.Errorf("object %s: %d bytes in moto, want %d", k, got[k], size)
		}
		total += size
	}
	if sum.Artifacts.UploadedBytes != total {
		t.Errorf("uploaded_bytes %d, want %d", sum.Artifacts.UploadedBytes, total)
	}
	for _, key := range []string{"mysite/" + b.Deps.Hash + ".zip", "mysite/" + zipSHA(b, "project-layer") + ".zip"} {
		if _, ok := got[key]; !ok {
			t.Errorf("%s not in the bucket", key)
		}
	}

	// The root template URL is AWS's own S3 form, and the key is there.
	root := b.Output.Templates[len(b.Output.Templates)-1]
	rootKey := "mysite/templates/" + root.SHA256 + ".yaml"
	wantURL := "https://" + e.bucket + ".s3.us-east-1.amazonaws.com/" + rootKey
	var creates []cfnfake.Request
	for _, r := range e.cfn.Requests() {
		if r.Action == "CreateChangeSet" {
			creates = append(creates, r)
		}
	}
	if len(creates) != 1 {
		t.Fatalf("%d CreateChangeSet calls, want 1", len(creates))
	}
	if u := creates[0].Params["TemplateURL"]; len(u) != 1 || u[0] != wantURL {
		t.Errorf("TemplateURL %v, want %s", u, wantURL)
	}
	if _, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &e.bucket, Key: &rootKey}); err != nil {
		t.Errorf("root template key %s: %v", rootKey, err)
	}

	// Children (and zips) complete before the root's upload starts.
	events := e.s3log.all()
	rootStart := -1
	for i, ev := range events {
		if ev.Method == http.MethodPut && ev.Key == e.bucket+"/"+rootKey && !ev.Done {
			rootStart = i
			break
		}
	}
	if rootStart < 0 {
		t.Fatalf("no PUT of the root template seen: %v", events)
	}
	done := map[string]int{}
	for i, ev := range events {
		if ev.Method == http.MethodPut && ev.Done {
			done[ev.Key] = i
		}
	}
	for k := range want {
		if k == rootKey {
			continue
		}
		if i, ok := done[e.bucket+"/"+k]; !ok || i > rootStart {
			t.Errorf("%s finished uploading at event %d, after the root started at %d (ok=%v)", k, i, rootStart, ok)
		}
	}

	// A second plan from a fresh copy (new mtimes, empty layer cache)
	// uploads nothing and builds nothing.
	e.s3log.reset()
	e.cfn.SetPlan("mysite-pr-7", firstPlan())
	dir2 := filepath.Join(t.TempDir(), "fresh", "tutorial")
	copyTree(t, exampleDir(t, "tutorial"), dir2, true, time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC))
	sum2, err := e.run("plan", dir2, "", "pr-7")
	if err != nil {
		t.Fatalf("second plan: %v", err)
	}
	checkSummaryShape(t, sum2)
	if sum2.Artifacts.Uploaded != 0 || sum2.Artifacts.UploadedBytes != 0 || sum2.Artifacts.Skipped != len(want) {
		t.Errorf("second plan artifacts %+v, want 0 uploaded and %d skipped", sum2.Artifacts, len(want))
	}
	if n := e.s3log.count(http.MethodPut) + e.s3log.count(http.MethodPost); n != 0 {
		t.Errorf("second plan sent %d PUT/POST requests to S3", n)
	}
	if e.runs() != 1 {
		t.Errorf("installer ran again on the second plan (%d runs)", e.runs())
	}
	if len(e.objects()) != len(want) {
		t.Errorf("bucket grew on the second plan")
	}
}

func TestRunDeployThenDestroy(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{
		Plans:   map[string]*cfnfake.Level{"mysite-pr-7": firstPlan()},
		Outputs: map[string]map[string]string{"mysite-pr-7": {"ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/pr-7/"}},
	})
	dir := tutorialCopy(t)
	sum, err := e.run("deploy", dir, "", "pr-7")
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	m := checkSummaryShape(t, sum)
	if got := e.cfn.StackStatus("mysite-pr-7"); got != "CREATE_COMPLETE" {
		t.Errorf("stack status after deploy %q", got)
	}
	if out, _ := m["outputs"].(map[string]any); out["ApiUrl"] != "https://abc123.execute-api.us-east-1.amazonaws.com/pr-7/" {
		t.Errorf("outputs %v", m["outputs"])
	}
	if e.cfn.Calls()["ExecuteChangeSet"] != 1 {
		t.Errorf("calls %v", e.cfn.Calls())
	}
	before := e.objects()

	if _, err := e.run("destroy", dir, "", "pr-7"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if got := e.cfn.StackStatus("mysite-pr-7"); got != "" {
		t.Errorf("stack still live after destroy: %q", got)
	}
	if e.cfn.Calls()["DeleteStack"] != 1 {
		t.Errorf("calls %v", e.cfn.Calls())
	}
	// Nothing a rollback may need is ever deleted.
	if after := e.objects(); len(after) != len(before) {
		t.Errorf("destroy changed the bucket: %d -> %d objects", len(before), len(after))
	}
}

func TestRunDestroyRefusesProtected(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{
		{Name: "mysite-prod", Status: "UPDATE_COMPLETE", TerminationProtection: true, Nested: []string{"LambdasStack", "ApiStack"}},
	}})
	cfg := writeConfig(t, "environments:\n  prod: {protected: true}\n")
	_, err := e.run("destroy", tutorialCopy(t), cfg, "prod")
	if err == nil {
		t.Fatal("destroy of a protected environment succeeded")
	}
	if !strings.Contains(err.Error(), "protected") {
		t.Errorf("error does not say the environment is protected: %v", err)
	}
	if got := e.cfn.StackStatus("mysite-prod"); got != "UPDATE_COMPLETE" {
		t.Errorf("stack status %q after a refused destroy", got)
	}
	for _, a := range []string{"DeleteStack", "UpdateTerminationProtection"} {
		if n := e.cfn.Calls()[a]; n != 0 {
			t.Errorf("%s called %d times", a, n)
		}
	}
}

func TestRunConfigErrorChangesNothing(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"mysite-dev": firstPlan()}})
	cfg := writeConfig(t, "functions:\n  defaults: {memory: lots}\n")
	for _, cmd := range []string{"plan", "deploy", "destroy"} {
		_, err := e.run(cmd, tutorialCopy(t), cfg, "dev")
		if !errors.Is(err, action.ErrConfig) {
			t.Errorf("%s: error %v is not a configuration error", cmd, err)
		}
		if err != nil && !strings.Contains(err.Error(), cfg+":2:") {
			t.Errorf("%s: error does not name %s:2: %v", cmd, cfg, err)
		}
	}
	if ev := e.s3log.all(); len(ev) != 0 {
		t.Errorf("S3 requests on bad input: %v", ev)
	}
	if calls := e.cfn.Calls(); len(calls) != 0 {
		t.Errorf("CloudFormation calls on bad input: %v", calls)
	}
	if objs := e.objects(); len(objs) != 0 {
		t.Errorf("objects in the bucket: %v", objs)
	}
	if e.runs() != 0 {
		t.Errorf("installer ran on bad input")
	}
}

// After a view edit a plan uploads the project layer and the templates
// whose bytes changed, nothing else.
func TestRunViewChangeUploadsOnlyWhatChanged(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"mysite-dev": firstPlan()}})
	dir := tutorialCopy(t)
	first, err := e.run("plan", dir, "", "dev")
	if err != nil {
		t.Fatalf("first plan: %v", err)
	}
	before := e.objects()

	f, err := os.OpenFile(filepath.Join(dir, "polls", "views.py"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "\n\nANSWER = 42\n")
	f.Close()
	e.cfn.SetPlan("mysite-dev", firstPlan())
	e.s3log.reset()
	second, err := e.run("plan", dir, "", "dev")
	if err != nil {
		t.Fatalf("second plan: %v", err)
	}
	var want []string
	if a, b := zipSHA(first.Build, "project-layer"), zipSHA(second.Build, "project-layer"); a != b {
		want = append(want, "mysite/"+b+".zip")
	} else {
		t.Fatal("project layer unchanged by a view edit")
	}
	old := map[string]bool{}
	for _, tpl := range first.Build.Output.Templates {
		old[tpl.SHA256] = true
	}
	for _, tpl := range second.Build.Output.Templates {
		if !old[tpl.SHA256] {
			want = append(want, "mysite/templates/"+tpl.SHA256+".yaml")
		}
	}
	var got []string
	for _, ev := range e.s3log.all() {
		if ev.Method == http.MethodPut && !ev.Done {
			got = append(got, strings.TrimPrefix(ev.Key, e.bucket+"/"))
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("uploaded %v, want %v", got, want)
	}
	if second.Artifacts.Uploaded != len(want) || len(want) < 3 {
		t.Errorf("summary %+v, want %d uploads (project layer, lambdas.yaml, root.yaml at least)", second.Artifacts, len(want))
	}
	if after := e.objects(); len(after) != len(before)+len(want) {
		t.Errorf("bucket %d -> %d objects, want +%d (nothing deleted)", len(before), len(after), len(want))
	}
}

// A project without requirements uploads its three zips and templates and
// no dependencies layer.
func TestRunWithoutRequirements(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"mysite-dev": firstPlan()}})
	sum, err := e.run("plan", noRequirementsCopy(t), "", "dev")
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if sum.Build.Deps != nil || e.runs() != 0 {
		t.Errorf("dependencies layer %+v, installer runs %d", sum.Build.Deps, e.runs())
	}
	want := 3 + len(sum.Build.Output.Templates) + len(sum.Build.Output.Files)
	if got := e.objects(); len(got) != want || sum.Artifacts.Uploaded != want {
		t.Errorf("bucket %d objects, uploaded %d, want %d: %v", len(got), sum.Artifacts.Uploaded, want, got)
	}
}

// Finding 7, the dependencies layer: found by its input hash, it is
// trusted only when its object declares its content digest and unzipped
// size and S3's checksum (here, moto keeping none: its bytes) matches; a
// 0-byte object planted under its key is rebuilt and replaced, and the run
// says so.
func TestAttackPlantedDepsLayerReplaced(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"mysite-dev": firstPlan()}})
	dir := tutorialCopy(t)
	plan := func() (*action.Summary, string) {
		var log bytes.Buffer
		sum, err := action.Run(context.Background(), e.clients(), action.Options{
			Command: "plan",
			Build: action.BuildOptions{ProjectDir: dir, Environment: "dev", Log: &log,
				Deps: &action.PipDeps{Install: true, Installer: "pip", PipPython: e.pip, CacheDir: t.TempDir(), ToolVersion: cli.Version, Log: &log, SchemaPython: e.python}},
			ArtifactsBucket: e.bucket, Timeout: time.Minute, Commit: "0123456789abcdef0123456789abcdef01234567", RunID: "42", Poll: time.Millisecond,
		})
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, log.String())
		}
		e.cfn.SetPlan("mysite-dev", firstPlan())
		return sum, log.String()
	}
	sum, _ := plan()
	key := action.ZipKey(sum.Build.Plan.Project, sum.Build.Deps.Hash)
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &e.bucket, Key: &key, Body: bytes.NewReader(nil)}); err != nil {
		t.Fatal(err)
	}
	before := e.runs()
	_, log := plan()
	if e.runs() == before {
		t.Errorf("the planted layer was trusted: not rebuilt\n%s", log)
	}
	for _, want := range []string{"dependencies layer s3://" + e.bucket + "/" + key + " is not trusted", "replaced an object whose bytes were wrong"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	l, found, err := artifacts.VerifyLayer(context.Background(), e.s3, e.bucket, key)
	if !found || err != nil || l.UnzippedSize <= 0 {
		t.Fatalf("after the run the layer does not verify: %+v %v %v", l, found, err)
	}
	// Now verified: not rebuilt, and its declared unzipped size reaches
	// the templates' size check.
	before = e.runs()
	sum, log = plan()
	if e.runs() != before || !strings.Contains(log, "already uploaded (sha256 verified), not rebuilt") {
		t.Errorf("a verified layer was rebuilt\n%s", log)
	}
	if sum.Build.Deps.Stored == nil || sum.Build.Deps.Stored.UnzippedSize != l.UnzippedSize {
		t.Errorf("stored layer %+v, want unzipped %d", sum.Build.Deps.Stored, l.UnzippedSize)
	}
}
