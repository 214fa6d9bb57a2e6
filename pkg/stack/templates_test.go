package stack

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/pkg/changeset"
)

// These tests drive the Deployer against the CloudFormation fake with
// real templates (testdata/templates) in the fake's S3: what changes, in
// which order, and how it fails, is what CloudFormation computes from
// them, not a script.

const tplBucket = "bucket"

// shopObjects uploads the templates: root-v1.yaml (lambdas-v1) and
// root-v2.yaml (lambdas-v2: new code, new version) plus variants.
func shopObjects(t testing.TB) *cfnfake.MapObjects {
	t.Helper()
	o := cfnfake.NewMapObjects()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "templates", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, f := range []string{"lambdas-v1.yaml", "lambdas-v2.yaml", "api.yaml", "static.yaml"} {
		o.Put(tplBucket, "shop/templates/"+f, []byte(read(f)))
	}
	root := read("root.yaml")
	o.Put(tplBucket, "shop/templates/root-v1.yaml", []byte(strings.ReplaceAll(root, "LAMBDAS", "lambdas-v1.yaml")))
	o.Put(tplBucket, "shop/templates/root-v2.yaml", []byte(strings.ReplaceAll(root, "LAMBDAS", "lambdas-v2.yaml")))
	return o
}

// putVariant stores a copy of a template with replacements, and a root
// pointing at it as its Lambdas stack.
func putVariant(t testing.TB, o *cfnfake.MapObjects, name, from string, replace ...string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "templates", from))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(replace...).Replace(string(b))
	o.Put(tplBucket, "shop/templates/"+name, []byte(s))
	root, _ := os.ReadFile(filepath.Join("testdata", "templates", "root.yaml"))
	o.Put(tplBucket, "shop/templates/root-"+name, []byte(strings.ReplaceAll(string(root), "LAMBDAS", name)))
}

func templated(t testing.TB, sc cfnfake.Scenario) (*Deployer, *cfnfake.Server, *bytes.Buffer, *cfnfake.MapObjects) {
	t.Helper()
	o := shopObjects(t)
	sc.S3 = o
	d, srv, log := deployer(t, sc)
	return d, srv, log, o
}

// rootRequest deploys root-<version>.yaml of the environment.
func rootRequest(env, version string) Request {
	r := request(env)
	r.TemplateURL = "https://" + tplBucket + ".s3.us-east-1.amazonaws.com/shop/templates/root-" + version
	r.Parameters = map[string]string{"ArtifactsBucket": tplBucket}
	return r
}

// deployed is a stack created from root-v1 (its log reset).
func deployed(t testing.TB, sc cfnfake.Scenario) (*Deployer, *cfnfake.Server, *bytes.Buffer, *cfnfake.MapObjects) {
	t.Helper()
	d, srv, log, o := templated(t, sc)
	if res, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml")); err != nil || res.Status != "CREATE_COMPLETE" {
		t.Fatalf("first deploy: %v\n%s", err, log)
	}
	log.Reset()
	return d, srv, log, o
}

func TestTemplateCreate(t *testing.T) {
	d, srv, log, _ := templated(t, cfnfake.Scenario{PageSize: 2})
	var seen []string
	d.OnChangeSet = func(arn string) {
		if strings.Contains(log.String(), "CREATE_IN_PROGRESS") {
			t.Errorf("OnChangeSet called after events were logged")
		}
		seen = append(seen, arn)
	}
	res, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml"))
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, log)
	}
	if len(seen) != 1 || seen[0] != res.ChangeSetID {
		t.Errorf("OnChangeSet saw %q, want [%s]", seen, res.ChangeSetID)
	}
	if res.Status != "CREATE_COMPLETE" || res.Type != "CREATE" || !res.HasChanges {
		t.Errorf("result = %+v", res)
	}
	if !strings.HasPrefix(res.Outputs["ApiUrl"], "https://") || !strings.HasSuffix(res.Outputs["ApiUrl"], ".execute-api.us-east-1.amazonaws.com/dev/") {
		t.Errorf("outputs = %v", res.Outputs)
	}
	if got, want := res.Totals, (Totals{Add: 12}); got != want {
		t.Errorf("totals = %+v, want %+v", got, want)
	}
	if paths := stackPaths(res); !cmp.Equal(paths, []string{"", "Lambdas", "Static", "Api"}) {
		t.Errorf("model levels = %q", paths)
	}
	for _, line := range []string{
		"shop-dev CREATE_IN_PROGRESS AWS::CloudFormation::Stack shop-dev: User Initiated",
		// The nested stack's first event has no physical ID; the second
		// names its ARN, and its own events follow.
		"shop-dev CREATE_IN_PROGRESS AWS::CloudFormation::Stack Lambdas",
		"shop-dev CREATE_IN_PROGRESS AWS::CloudFormation::Stack Lambdas: Resource creation Initiated",
		"shop-dev/Lambdas CREATE_COMPLETE AWS::Lambda::Function CatalogFunction",
		"shop-dev/Api CREATE_COMPLETE AWS::ApiGateway::Stage Stage",
		"shop-dev/Static CREATE_COMPLETE AWS::S3::Bucket Uploads",
		"shop-dev CREATE_COMPLETE AWS::CloudFormation::Stack shop-dev",
	} {
		if n := strings.Count(log.String(), line+"\n"); n != 1 {
			t.Errorf("log has %d lines %q, want 1:\n%s", n, line, log)
		}
	}
	if strings.Contains(log.String(), "REVIEW_IN_PROGRESS AWS::CloudFormation::Stack") {
		t.Errorf("old REVIEW_IN_PROGRESS event was streamed:\n%s", log)
	}
	assertNoRepeatedEvents(t, log.String())
	assertCreateRequest(t, srv)
	if !cmp.Equal(res.Calls, srv.Calls()) {
		t.Errorf("counted calls %v != server calls %v", res.Calls, srv.Calls())
	}
	t.Logf("calls for a nested create: %v (total %d)", res.Calls, total(res.Calls))
}

// A code change: the function is updated, a version added and the old one
// removed; the API stack's parameters come from the Lambdas stack's
// outputs, so its changes "may change"; Static FAILS its nested change set
// with "didn't contain changes" and is shown as such, not as a failure.
func TestTemplateUpdate(t *testing.T) {
	d, srv, log, _ := deployed(t, cfnfake.Scenario{})
	req := rootRequest("dev", "v2.yaml")
	req.Protected = true
	res, err := d.Deploy(context.Background(), req)
	if err != nil || res.Status != "UPDATE_COMPLETE" || res.Type != "UPDATE" {
		t.Fatalf("deploy = %+v, %v\n%s", res, err, log)
	}
	if got, want := res.Totals, (Totals{Add: 1, Modify: 3, Replace: 1, Routine: 1}); got != want {
		t.Errorf("totals = %+v, want %+v\n%s", got, want, log)
	}
	var may []string
	for _, s := range res.Model.Stacks {
		for _, c := range s.Changes {
			if c.MayChange {
				may = append(may, s.Path+"/"+c.LogicalID)
			}
		}
	}
	if want := []string{"/Api", "Api/CatalogMethod", "Api/CatalogPermission"}; !cmp.Equal(may, want) {
		t.Errorf("may-change = %q, want %q", may, want)
	}
	if failed := failedLevels(res.Model); len(failed) != 0 {
		t.Errorf("levels reported FAILED: %+v", failed)
	}
	for _, line := range []string{
		"shop-dev/Static\n  (no changes)\n",
		"shop-dev/Lambdas UPDATE_COMPLETE AWS::Lambda::Function CatalogFunction\n",
		"shop-dev/Lambdas DELETE_COMPLETE AWS::Lambda::Version CatalogVersion1111\n",
		"shop-dev UPDATE_COMPLETE AWS::CloudFormation::Stack shop-dev\n",
	} {
		if n := strings.Count(log.String(), line); n != 1 {
			t.Errorf("log has %d %q, want 1:\n%s", n, line, log)
		}
	}
	// The nested stacks' own final events are streamed, once each.
	for _, p := range []string{"Lambdas", "Static", "Api"} {
		if n := strings.Count(log.String(), "shop-dev/"+p+" UPDATE_COMPLETE AWS::CloudFormation::Stack shop-dev-"+p+"-"); n != 1 {
			t.Errorf("nested %s UPDATE_COMPLETE streamed %d times:\n%s", p, n, log)
		}
	}
	if strings.Contains(log.String(), "FAILED") {
		t.Errorf("log mentions a failure:\n%s", log)
	}
	if !srv.TerminationProtection("shop-dev") {
		t.Error("protected environment did not get termination protection")
	}
}

// The acceptance test of issue 11: renaming a property that forces
// replacement (a function's name) shows Replace/True, from the templates
// alone.
func TestRenameForcesReplacement(t *testing.T) {
	d, _, log, o := deployed(t, cfnfake.Scenario{})
	putVariant(t, o, "lambdas-renamed.yaml", "lambdas-v1.yaml", "FunctionName: shop-dev-catalog", "FunctionName: shop-dev-catalog-v2")
	res, err := d.Plan(context.Background(), rootRequest("dev", "lambdas-renamed.yaml"))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, log)
	}
	var fn *Change
	for _, s := range res.Model.Stacks {
		for i, c := range s.Changes {
			if s.Path == "Lambdas" && c.LogicalID == "CatalogFunction" {
				fn = &s.Changes[i]
			}
		}
	}
	if fn == nil || fn.Action != "Modify" || fn.Replacement != "True" || len(fn.Details) != 1 ||
		fn.Details[0].Name != "FunctionName" || fn.Details[0].RequiresRecreation != "Always" || fn.Details[0].Evaluation != "Static" {
		t.Fatalf("function change = %+v\n%s", fn, log)
	}
	if res.Totals.Replace == 0 || !strings.Contains(log.String(), "! Modify  CatalogFunction AWS::Lambda::Function will be replaced (the old one is deleted) [FunctionName: shop-dev-catalog -> shop-dev-catalog-v2 (forces replacement)]") {
		t.Errorf("totals %+v, log:\n%s", res.Totals, log)
	}
}

// A failed nested creation: the root cause is the nested resource's own
// reason, not a wrapper ("Embedded stack ... was not successfully
// created", "Resource creation cancelled"), even when a wrapper has the
// same timestamp and is read first.
func TestTemplateNestedFailureRootCause(t *testing.T) {
	const cause = `Resource handler returned message: "Uploaded file must be a non-empty zip" (RequestToken: 1, HandlerErrorCode: InvalidRequest)`
	t.Run("create", func(t *testing.T) {
		// Static's events are listed late: the root's wrapper event (same
		// second, Static's rollback being immediate) is read first.
		d, _, log, _ := templated(t, cfnfake.Scenario{Faults: []cfnfake.Fault{{Path: "Static/Uploads", On: "CREATE", Reason: cause}},
			EventLag: map[string]int{"Static": 3}})
		res, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml"))
		if !errors.Is(err, ErrFailed) || res.Status != "ROLLBACK_COMPLETE" {
			t.Fatalf("deploy = %s, %v\n%s", res.Status, err, log)
		}
		want := "shop-dev/Static/Uploads (AWS::S3::Bucket): " + cause
		if res.RootCause != want || !strings.Contains(err.Error(), want) {
			t.Errorf("root cause = %q\nwant %q\n%s", res.RootCause, want, log)
		}
		// Static's rollback is immediate (nothing to delete): the root's
		// wrapper event has the cause's timestamp and is read first.
		for _, line := range []string{"shop-dev CREATE_FAILED AWS::CloudFormation::Stack Static: Embedded stack arn:aws:cloudformation:us-east-1:123456789012:stack/shop-dev-Static-",
			"Resource creation cancelled"} {
			if !strings.Contains(log.String(), line) {
				t.Errorf("log misses %q:\n%s", line, log)
			}
		}
		assertNoRepeatedEvents(t, log.String())
	})
	t.Run("update", func(t *testing.T) {
		d, _, log, _ := deployed(t, cfnfake.Scenario{Faults: []cfnfake.Fault{{Path: "Lambdas/CatalogFunction", On: "UPDATE", Reason: cause}}})
		res, err := d.Deploy(context.Background(), rootRequest("dev", "v2.yaml"))
		if !errors.Is(err, ErrFailed) || res.Status != "UPDATE_ROLLBACK_COMPLETE" {
			t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
		}
		if want := "shop-dev/Lambdas/CatalogFunction (AWS::Lambda::Function): " + cause; res.RootCause != want {
			t.Errorf("root cause = %q, want %q\n%s", res.RootCause, want, log)
		}
	})
}

// Two real failures in one run, in two nested stacks: the earliest is the
// root cause.
func TestEarliestOfSeveralFailures(t *testing.T) {
	d, _, log, _ := templated(t, cfnfake.Scenario{
		Durations: map[string]int{"Static/Uploads": 6},
		Faults: []cfnfake.Fault{
			{Path: "Static/Uploads", On: "CREATE", Reason: "the later failure"},
			{Path: "Lambdas/CatalogAlias", On: "CREATE", Reason: "the first failure"},
		},
	})
	res, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml"))
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("deploy: %v\n%s", err, log)
	}
	if !strings.Contains(log.String(), "shop-dev/Static CREATE_FAILED AWS::S3::Bucket Uploads: the later failure") {
		t.Fatalf("the second failure did not happen:\n%s", log)
	}
	if want := "shop-dev/Lambdas/CatalogAlias (AWS::Lambda::Alias): the first failure"; res.RootCause != want {
		t.Errorf("root cause = %q, want %q\n%s", res.RootCause, want, log)
	}
}

// A stack whose update fails with no resource failure (an output that
// cannot be evaluated): the root cause is the stack's own reason.
func TestRootReasonFallback(t *testing.T) {
	d, _, log, o := deployed(t, cfnfake.Scenario{})
	root, _ := os.ReadFile(filepath.Join("testdata", "templates", "root.yaml"))
	bad := strings.ReplaceAll(string(root), "LAMBDAS", "lambdas-v2.yaml") + "  Missing:\n    Value: !GetAtt Lambdas.Outputs.Nope\n"
	o.Put(tplBucket, "shop/templates/root-bad.yaml", []byte(bad))
	res, err := d.Deploy(context.Background(), rootRequest("dev", "bad.yaml"))
	if !errors.Is(err, ErrFailed) || res.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("deploy = %s, %v\n%s", res.Status, err, log)
	}
	if want := "[Error] /Outputs/Missing/Value: Template error: resource Lambdas does not have output Nope."; res.RootCause != want {
		t.Errorf("root cause = %q, want %q\n%s", res.RootCause, want, log)
	}
}

// A FAILED change set is reported with its nested reasons, then deleted
// (its nested change sets with it); on a first deploy the empty
// REVIEW_IN_PROGRESS stack it made goes too.
func TestFailedChangeSetDeleted(t *testing.T) {
	d, srv, log, o := templated(t, cfnfake.Scenario{})
	putVariant(t, o, "broken.yaml", "lambdas-v1.yaml", "Runtime: python3.12", "Runtime: !Ref Nowhere")
	res, err := d.Plan(context.Background(), rootRequest("dev", "broken.yaml"))
	if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), "nested stack shop-dev-Lambdas-") ||
		!strings.Contains(err.Error(), "Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template") {
		t.Fatalf("plan error = %v\n%s", err, log)
	}
	if res.Model == nil || len(failedLevels(res.Model)) != 2 {
		t.Errorf("model of the failed change set: %+v", res.Model)
	}
	if res.ChangeSetID != "" || srv.ChangeSetExists(res.ChangeSetName) {
		t.Errorf("failed change set kept: %q", res.ChangeSetID)
	}
	if st := srv.StackStatus("shop-dev"); st != "" {
		t.Errorf("the empty stack is %s, want it deleted\n%s", st, log)
	}
	for _, line := range []string{"deleted the failed change set ds-0123456789ab-987654-1", "deleted the empty stack shop-dev it created (REVIEW_IN_PROGRESS)"} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("log misses %q:\n%s", line, log)
		}
	}
	// On an existing stack, the stack stays.
	d2, srv2, log2, o2 := deployed(t, cfnfake.Scenario{})
	putVariant(t, o2, "broken.yaml", "lambdas-v1.yaml", "Runtime: python3.12", "Runtime: !Ref Nowhere")
	if _, err := d2.Plan(context.Background(), rootRequest("dev", "broken.yaml")); !errors.Is(err, ErrFailed) {
		t.Fatalf("plan: %v", err)
	}
	if srv2.StackStatus("shop-dev") != "CREATE_COMPLETE" || srv2.ChangeSetCount("shop-dev") != 1 || strings.Contains(log2.String(), "deleted the empty stack") {
		t.Errorf("existing stack: %s, %d change sets\n%s", srv2.StackStatus("shop-dev"), srv2.ChangeSetCount("shop-dev"), log2)
	}
}

// A change set that changes outputs only has no resource change but must
// be executed, or the outputs (and the template's metadata) never update.
func TestTemplateOnlyChangeIsExecuted(t *testing.T) {
	d, _, log, o := deployed(t, cfnfake.Scenario{})
	root, _ := os.ReadFile(filepath.Join("testdata", "templates", "root.yaml"))
	more := strings.ReplaceAll(string(root), "LAMBDAS", "lambdas-v1.yaml") + "  LambdasStackId:\n    Value: !Ref Lambdas\n"
	o.Put(tplBucket, "shop/templates/root-outputs.yaml", []byte(more))
	res, err := d.Deploy(context.Background(), rootRequest("dev", "outputs.yaml"))
	if err != nil || res.Status != "UPDATE_COMPLETE" || res.HasChanges || !res.TemplateOnly {
		t.Fatalf("deploy = %+v, %v\n%s", res, err, log)
	}
	if !strings.HasPrefix(res.Outputs["LambdasStackId"], "arn:aws:cloudformation:") {
		t.Errorf("new output not there: %v\n%s", res.Outputs, log)
	}
}

// Unchanged nested stacks keep a FAILED change set per deploy: the
// Deployer warns before they reach the stack's change-set limit.
func TestPiledUpChangeSetsWarned(t *testing.T) {
	d, _, log, _ := deployed(t, cfnfake.Scenario{})
	d.PileUpWarning = 3
	for i, v := range []string{"v2.yaml", "v1.yaml", "v2.yaml"} {
		req := rootRequest("dev", v)
		req.RunID = string(rune('a' + i))
		res, err := d.Deploy(context.Background(), req)
		if err != nil {
			t.Fatalf("deploy %d: %v\n%s", i, err, log)
		}
		if i < 2 && len(res.Warnings) != 0 {
			t.Errorf("deploy %d warned early: %v", i, res.Warnings)
		}
		if i == 2 && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "(Static) holds 3 FAILED change sets")) {
			t.Errorf("deploy %d warnings = %q\n%s", i, res.Warnings, log)
		}
	}
}

func TestDestroyReviewInProgress(t *testing.T) {
	// An interrupted first plan leaves a stack in REVIEW_IN_PROGRESS (with
	// its change set): destroy deletes it at once, it is not "busy".
	d, srv, log, _ := templated(t, cfnfake.Scenario{ChangeSetTicks: 1000000})
	req := rootRequest("dev", "v1.yaml")
	req.Timeout = 300 * time.Millisecond
	d.CFN = &dropDeletes{API: d.CFN} // the interruption's clean-up fails too
	if _, err := d.Plan(context.Background(), req); err == nil {
		t.Fatal("plan did not time out")
	}
	if srv.StackStatus("shop-dev") != "REVIEW_IN_PROGRESS" {
		t.Fatalf("stack is %q", srv.StackStatus("shop-dev"))
	}
	d.CFN = d.CFN.(*dropDeletes).API
	d.Timeout = 5 * time.Second
	if err := d.Destroy(context.Background(), rootRequest("dev", "v1.yaml")); err != nil {
		t.Fatalf("destroy: %v\n%s", err, log)
	}
	if srv.StackStatus("shop-dev") != "" || strings.Contains(log.String(), "is busy") {
		t.Errorf("after destroy: %q\n%s", srv.StackStatus("shop-dev"), log)
	}
}

// dropDeletes fails DeleteChangeSet and DeleteStack.
type dropDeletes struct{ API }

func (d *dropDeletes) DeleteChangeSet(context.Context, *cloudformation.DeleteChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error) {
	return nil, errors.New("refused by the test")
}

func (d *dropDeletes) DeleteStack(context.Context, *cloudformation.DeleteStackInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	return nil, errors.New("refused by the test")
}

// A delete that fails (a bucket with objects) is reported with its cause,
// and destroy succeeds once the cause is gone.
func TestDestroyDeleteFailed(t *testing.T) {
	d, srv, log, o := deployed(t, cfnfake.Scenario{})
	o.Put("shop-dev-uploads", "media/cat.jpg", []byte("x"))
	err := d.Destroy(context.Background(), rootRequest("dev", "v1.yaml"))
	if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), "ended in DELETE_FAILED; root cause: shop-dev/Static/Uploads (AWS::S3::Bucket): The bucket you tried to delete is not empty") {
		t.Fatalf("destroy error = %v\n%s", err, log)
	}
	if srv.StackStatus("shop-dev") != "DELETE_FAILED" {
		t.Errorf("stack is %s", srv.StackStatus("shop-dev"))
	}
	o.Delete("shop-dev-uploads", "media/cat.jpg")
	if err := d.Destroy(context.Background(), rootRequest("dev", "v1.yaml")); err != nil {
		t.Fatalf("second destroy: %v\n%s", err, log)
	}
	if srv.StackStatus("shop-dev") != "" {
		t.Errorf("stack is %s", srv.StackStatus("shop-dev"))
	}
}

// Deploy and destroy aimed at a stack of another environment (same
// project) are refused before anything changes.
func TestOtherEnvironmentRefused(t *testing.T) {
	d, srv, log, _ := deployed(t, cfnfake.Scenario{})
	req := rootRequest("qa", "v2.yaml")
	req.StackName = "shop-dev"
	before := srv.Calls()
	if _, err := d.Deploy(context.Background(), req); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `belongs to environment "dev", not "qa"`) {
		t.Errorf("deploy: %v\n%s", err, log)
	}
	if err := d.Destroy(context.Background(), req); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `belongs to environment "dev", not "qa"`) {
		t.Errorf("destroy: %v", err)
	}
	after := srv.Calls()
	if after["CreateChangeSet"] != before["CreateChangeSet"] || after["DeleteStack"] != before["DeleteStack"] {
		t.Errorf("stack touched: %v -> %v", before, after)
	}
}

// Throttling beyond the SDK's own retries, while waiting for the change
// set, for a busy stack and for events: the waiters ride it out.
func TestThrottlingBeyondRetries(t *testing.T) {
	d, srv, log, _ := templated(t, cfnfake.Scenario{
		ChangeSetTicks: 3,
		Throttles: []cfnfake.Throttle{
			{Action: "DescribeStacks", After: 2, Count: 8},
			{Action: "DescribeChangeSet", After: 1, Count: 8},
			{Action: "DescribeStackEvents", After: 3, Count: 8},
		},
	})
	res, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml"))
	if err != nil || res.Status != "CREATE_COMPLETE" {
		t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
	}
	c := srv.Calls()
	if c["DescribeChangeSet"] < 10 || c["DescribeStackEvents"] < 12 {
		t.Errorf("throttles not hit: %v", c)
	}
}

func TestThrottlingWhileBusy(t *testing.T) {
	busy := existing("shop-dev", "UPDATE_IN_PROGRESS")
	busy.SettleAfter, busy.SettleStatus = 40, "UPDATE_COMPLETE"
	d, srv, log := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{busy}, Plans: map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")},
		Throttles: []cfnfake.Throttle{{Action: "DescribeStacks", After: 2, Count: 8}}})
	res, err := d.Deploy(context.Background(), request("dev"))
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
	}
	if srv.Calls()["DescribeStacks"] < 10 {
		t.Errorf("throttle not hit: %v", srv.Calls())
	}
}

// The root stack's terminal event is listed long after the stack reached
// it (DescribeStackEvents is eventually consistent): after quiet rounds
// the Deployer asks the stack itself.
func TestLostTerminalEvent(t *testing.T) {
	d, srv, log, _ := deployed(t, cfnfake.Scenario{})
	srv.SetEventLag(map[string]int{"#UPDATE_COMPLETE": 1000000})
	// The first DescribeStacks of the safety net is throttled beyond the
	// SDK's retries: the next round tries again.
	n := srv.Calls()["DescribeStacks"]
	srv.SetThrottles(cfnfake.Throttle{Action: "DescribeStacks", After: n + 1, Count: 3})
	d.Timeout = 10 * time.Second
	start := time.Now()
	res, err := d.Deploy(context.Background(), rootRequest("dev", "v2.yaml"))
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %s: the wait lasted until the timeout", time.Since(start))
	}
}

// A nested stack's events listed late (its final ones after the root's
// terminal event) are still streamed by the last round.
func TestLateNestedEvents(t *testing.T) {
	d, srv, log, _ := deployed(t, cfnfake.Scenario{})
	srv.SetEventLag(map[string]int{"Static#UPDATE_COMPLETE": 6})
	res, err := d.Deploy(context.Background(), rootRequest("dev", "v2.yaml"))
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
	}
	if !strings.Contains(log.String(), "shop-dev/Static UPDATE_COMPLETE AWS::CloudFormation::Stack shop-dev-Static-") {
		t.Errorf("Static's final event not streamed:\n%s", log)
	}
}

// CancelUpdateStack during an update: the in-flight function update is
// cancelled, the whole tree rolls back, and the Deployer follows it.
func TestCancelTemplateUpdate(t *testing.T) {
	d, srv, log, _ := deployed(t, cfnfake.Scenario{Durations: map[string]int{"Lambdas/CatalogFunction": 30}})
	ctx, cancel := context.WithCancel(context.Background())
	d.Log = &cancelOn{w: log, line: "UPDATE_IN_PROGRESS AWS::Lambda::Function CatalogFunction", cancel: cancel}
	d.CancelWait = 5 * time.Second
	res, err := d.Deploy(ctx, rootRequest("dev", "v2.yaml"))
	if !errors.Is(err, ErrCanceled) || res.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("deploy = %s, %v\n%s", res.Status, err, log)
	}
	if srv.Calls()["CancelUpdateStack"] != 1 || !strings.Contains(log.String(), "shop-dev/Lambdas UPDATE_FAILED AWS::Lambda::Function CatalogFunction: Resource update cancelled") {
		t.Errorf("calls %v\n%s", srv.Calls(), log)
	}
	for _, p := range []string{"Lambdas", "Static"} {
		if !strings.Contains(log.String(), "shop-dev/"+p+" UPDATE_ROLLBACK_COMPLETE AWS::CloudFormation::Stack") {
			t.Errorf("nested %s not rolled back:\n%s", p, log)
		}
	}
	// Api waits for Lambdas' outputs: it never started.
	if strings.Contains(log.String(), "shop-dev/Api UPDATE") {
		t.Errorf("Api was updated:\n%s", log)
	}
}

type Change = changeset.ResourceChange

// failedLevels lists the levels whose change set FAILED for a real reason.
func failedLevels(m *changeset.Model) []changeset.Stack {
	var out []changeset.Stack
	for _, s := range m.Stacks {
		if s.Failed() {
			out = append(out, s)
		}
	}
	return out
}

// BeforeExecute (deploy's upload of the static originals) runs only for a
// change set that is about to be executed or has nothing to execute: never
// when the change set failed, a reviewed one is refused, or the run fails
// on an empty change set, so a refused deploy leaves what the live site
// serves as it was.
func TestBeforeExecuteOnlyWhenExecuting(t *testing.T) {
	hook := func(d *Deployer) *int {
		n := 0
		d.BeforeExecute = func(context.Context) error { n++; return nil }
		return &n
	}
	t.Run("failed change set", func(t *testing.T) {
		d, _, log, o := deployed(t, cfnfake.Scenario{})
		calls := hook(d)
		putVariant(t, o, "broken.yaml", "lambdas-v1.yaml", "Runtime: python3.12", "Runtime: !Ref Nowhere")
		if _, err := d.Deploy(context.Background(), rootRequest("dev", "broken.yaml")); !errors.Is(err, ErrFailed) {
			t.Fatalf("deploy: %v\n%s", err, log)
		}
		if *calls != 0 {
			t.Errorf("BeforeExecute ran %d times for a failed change set", *calls)
		}
	})
	t.Run("obsolete reviewed change set", func(t *testing.T) {
		d, srv, log, _ := deployed(t, cfnfake.Scenario{})
		p, err := d.Plan(context.Background(), rootRequest("dev", "v2.yaml"))
		if err != nil || p.ChangeSetID == "" {
			t.Fatalf("plan = %+v, %v\n%s", p, err, log)
		}
		srv.MakeObsolete(p.ChangeSetID)
		calls := hook(d)
		req := rootRequest("dev", "v2.yaml")
		req.ChangeSetID = p.ChangeSetID
		if _, err := d.Deploy(context.Background(), req); !errors.Is(err, ErrRefused) {
			t.Fatalf("deploy: %v\n%s", err, log)
		}
		if *calls != 0 {
			t.Errorf("BeforeExecute ran %d times for a refused change set", *calls)
		}
	})
	t.Run("empty with fail-on-empty", func(t *testing.T) {
		d, _, log, _ := deployed(t, cfnfake.Scenario{})
		calls := hook(d)
		req := rootRequest("dev", "v1.yaml")
		req.RunID = "again"
		req.FailOnEmpty = true
		if _, err := d.Deploy(context.Background(), req); !errors.Is(err, ErrNoChanges) {
			t.Fatalf("deploy: %v\n%s", err, log)
		}
		if *calls != 0 {
			t.Errorf("BeforeExecute ran %d times when the run failed on an empty change set", *calls)
		}
	})
	t.Run("executed and empty", func(t *testing.T) {
		d, _, log, _ := deployed(t, cfnfake.Scenario{})
		calls := hook(d)
		if res, err := d.Deploy(context.Background(), rootRequest("dev", "v2.yaml")); err != nil || res.Status != "UPDATE_COMPLETE" {
			t.Fatalf("deploy = %+v, %v\n%s", res, err, log)
		}
		req := rootRequest("dev", "v2.yaml")
		req.RunID = "again"
		if _, err := d.Deploy(context.Background(), req); err != nil {
			t.Fatalf("empty deploy: %v\n%s", err, log)
		}
		if *calls != 2 {
			t.Errorf("BeforeExecute ran %d times for an executed and an empty change set, want 2", *calls)
		}
	})
}
