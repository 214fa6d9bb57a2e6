package stack

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/changeset"
)

func client(t testing.TB, url string) *cloudformation.Client {
	t.Helper()
	testenv.AWSEnv(t)
	return cloudformation.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond)
		},
	}, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(url) })
}

func deployer(t testing.TB, sc cfnfake.Scenario) (*Deployer, *cfnfake.Server, *bytes.Buffer) {
	t.Helper()
	srv := cfnfake.New(t, sc)
	var log bytes.Buffer
	return &Deployer{CFN: client(t, srv.URL), Log: &log, Poll: time.Millisecond, CancelWait: 2 * time.Second}, srv, &log
}

func request(env string) Request {
	return Request{
		Project:       "shop",
		Environment:   env,
		TemplateURL:   "https://bucket.s3.us-east-1.amazonaws.com/shop/templates/abc.yaml",
		TemplateSizes: map[string]int{"root.yaml": 2000, "lambdas.yaml": 30000},
		Parameters:    map[string]string{"ArtifactsBucket": "bucket"},
		Commit:        "0123456789abcdef0123456789abcdef01234567",
		RunID:         "987654-1",
	}
}

func managedTags(env string) map[string]string {
	return map[string]string{ManagedByTag: ManagedBy, ProjectTag: "shop", EnvironmentTag: env}
}

// nestedCreate is a root with two nested stacks, as the templates render.
func nestedCreate(failFn string) *cfnfake.Level {
	return &cfnfake.Level{Changes: []cfnfake.Change{
		{Action: "Add", LogicalID: "Lambdas", ResourceType: cfnfake.StackType, Nested: &cfnfake.Level{Changes: []cfnfake.Change{
			{Action: "Add", LogicalID: "Role", ResourceType: "AWS::IAM::Role"},
			{Action: "Add", LogicalID: "CatalogFn", ResourceType: "AWS::Lambda::Function", Fail: failFn},
			{Action: "Add", LogicalID: "CatalogFnAlias", ResourceType: "AWS::Lambda::Alias"},
		}}},
		{Action: "Add", LogicalID: "Api", ResourceType: cfnfake.StackType, Nested: &cfnfake.Level{Changes: []cfnfake.Change{
			{Action: "Add", LogicalID: "RestApi", ResourceType: "AWS::ApiGateway::RestApi"},
			{Action: "Add", LogicalID: "Stage", ResourceType: "AWS::ApiGateway::Stage"},
		}}},
	}}
}

func nestedUpdate(failFn string) *cfnfake.Level {
	return &cfnfake.Level{Changes: []cfnfake.Change{
		{Action: "Modify", LogicalID: "Lambdas", ResourceType: cfnfake.StackType, Replacement: "False", Scope: []string{"Properties"},
			Details: []cfnfake.Detail{{Attribute: "Properties", Name: "TemplateURL", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"}},
			Nested: &cfnfake.Level{Changes: []cfnfake.Change{
				{Action: "Modify", LogicalID: "CatalogFn", ResourceType: "AWS::Lambda::Function", PhysicalID: "shop-dev-catalog", Replacement: "False", Scope: []string{"Properties"}, Fail: failFn,
					Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Code", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"}}},
				{Action: "Add", LogicalID: "CatalogFnVersionB", ResourceType: "AWS::Lambda::Version"},
				{Action: "Remove", LogicalID: "CatalogFnVersionA", ResourceType: "AWS::Lambda::Version", PhysicalID: "arn:aws:lambda:us-east-1:123456789012:function:shop-dev-catalog:1"},
			}}},
		{Action: "Modify", LogicalID: "Api", ResourceType: cfnfake.StackType, Replacement: "False", Scope: []string{"Properties"},
			Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Parameters", RequiresRecreation: "Never", ChangeSource: "ResourceAttribute", Evaluation: "Dynamic", CausingEntity: "Lambdas.Outputs.CatalogFnAlias"}},
			Nested: &cfnfake.Level{Changes: []cfnfake.Change{
				{Action: "Modify", LogicalID: "CatalogIntegration", ResourceType: "AWS::ApiGateway::Method", PhysicalID: "m-1", Replacement: "False", Scope: []string{"Properties"},
					Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Integration", RequiresRecreation: "Never", ChangeSource: "ParameterReference", Evaluation: "Dynamic", CausingEntity: "CatalogFnAlias"}}},
			}}},
	}}
}

func existing(name, status string) cfnfake.Stack {
	return cfnfake.Stack{Name: name, Status: status, Tags: managedTags(strings.TrimPrefix(name, "shop-")), Nested: []string{"Lambdas", "Api"},
		Outputs: map[string]string{"ApiUrl": "https://old.example"}}
}

type Totals = changeset.Totals

// assertNoRepeatedEvents fails when an event line is printed twice (these
// scenarios have no legitimately repeated events).
func assertNoRepeatedEvents(t *testing.T, log string) {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range strings.Split(log, "\n") {
		if strings.HasPrefix(line, "shop-") && seen[line] {
			t.Errorf("event printed twice: %s", line)
		}
		seen[line] = true
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func stackPaths(res *Result) []string {
	var out []string
	for _, s := range res.Model.Stacks {
		out = append(out, s.Path)
	}
	return out
}

func assertCreateRequest(t *testing.T, srv *cfnfake.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Action != "CreateChangeSet" {
			continue
		}
		want := map[string]string{
			"StackName":                          "shop-dev",
			"ChangeSetName":                      "ds-0123456789ab-987654-1",
			"ChangeSetType":                      "CREATE",
			"IncludeNestedStacks":                "true",
			"Capabilities.member.1":              "CAPABILITY_IAM",
			"Capabilities.member.2":              "CAPABILITY_NAMED_IAM",
			"Capabilities.member.3":              "CAPABILITY_AUTO_EXPAND",
			"Parameters.member.1.ParameterKey":   "ArtifactsBucket",
			"Parameters.member.1.ParameterValue": "bucket",
			"TemplateURL":                        "https://bucket.s3.us-east-1.amazonaws.com/shop/templates/root-v1.yaml",
			"Tags.member.1.Key":                  "environment",
			"Tags.member.2.Key":                  "managed-by",
			"Tags.member.2.Value":                "django-serverless",
			"Tags.member.3.Key":                  "project",
			"Description":                        "django-serverless dev commit 0123456789abcdef0123456789abcdef01234567 run 987654-1",
		}
		for k, v := range want {
			if got := r.Params[k]; len(got) != 1 || got[0] != v {
				t.Errorf("CreateChangeSet %s = %q, want %q", k, got, v)
			}
		}
		// Tags propagate to every resource: no per-commit or per-run value.
		for k, v := range r.Params {
			if strings.HasPrefix(k, "Tags.member.") && (strings.Contains(v[0], "0123456789ab") || strings.Contains(v[0], "987654") || v[0] == "commit") {
				t.Errorf("CreateChangeSet %s = %q: a per-commit value in a stack tag", k, v)
			}
		}
		return
	}
	t.Error("no CreateChangeSet request")
}

func TestNoChanges(t *testing.T) {
	for _, reason := range []string{cfnfake.ReasonNoChanges, cfnfake.ReasonNoUpdates} {
		t.Run(reason[:10], func(t *testing.T) {
			d, srv, log := deployer(t, cfnfake.Scenario{
				Stacks:         []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE")},
				NoChangeReason: reason,
				ChangeSetTicks: 2,
			})
			res, err := d.Deploy(context.Background(), request("dev"))
			if err != nil {
				t.Fatalf("deploy: %v\n%s", err, log)
			}
			if res.HasChanges || res.ChangeSetID != "" || res.Outputs["ApiUrl"] != "https://old.example" {
				t.Errorf("result = %+v", res)
			}
			if srv.ChangeSetExists("ds-0123456789ab-987654-1") || srv.Calls()["DeleteChangeSet"] != 1 {
				t.Errorf("empty change set not deleted: calls %v", srv.Calls())
			}
			if srv.Calls()["ExecuteChangeSet"] != 0 {
				t.Error("empty change set executed")
			}
			req := request("dev")
			req.FailOnEmpty = true
			req.RunID = "2"
			if _, err := d.Plan(context.Background(), req); !errors.Is(err, ErrNoChanges) {
				t.Errorf("fail-on-empty plan error = %v, want ErrNoChanges", err)
			}
		})
	}
}

func TestBusyStackWaits(t *testing.T) {
	for _, status := range []string{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"} {
		t.Run(status, func(t *testing.T) {
			busy := existing("shop-dev", status)
			busy.SettleAfter, busy.SettleStatus = 6, "UPDATE_COMPLETE"
			d, srv, log := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{busy}, Plans: map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")}})
			res, err := d.Deploy(context.Background(), request("dev"))
			if err != nil || res.Status != "UPDATE_COMPLETE" {
				t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
			}
			if !strings.Contains(log.String(), "stack shop-dev is busy ("+status+"): waiting") {
				t.Errorf("log does not say it waited:\n%s", log)
			}
			if srv.Calls()["DescribeStacks"] < 4 {
				t.Errorf("did not poll the busy stack: %v", srv.Calls())
			}
		})
	}
}

func TestRollbackCompleteRecreate(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{
		Stacks: []cfnfake.Stack{existing("shop-dev", "ROLLBACK_COMPLETE")},
		Plans:  map[string]*cfnfake.Level{"shop-dev": nestedCreate("")},
	})
	res, err := d.Deploy(context.Background(), request("dev"))
	if err != nil || res.Status != "CREATE_COMPLETE" || res.Type != "CREATE" {
		t.Fatalf("deploy = %+v, %v\n%s", res, err, log)
	}
	if srv.Calls()["DeleteStack"] != 1 || !strings.Contains(log.String(), "shop-dev DELETE_COMPLETE AWS::CloudFormation::Stack shop-dev\n") {
		t.Errorf("stack not deleted first: %v\n%s", srv.Calls(), log)
	}
}

func TestProtectedRefusals(t *testing.T) {
	t.Run("rollback-complete protected", func(t *testing.T) {
		d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-prod", "ROLLBACK_COMPLETE")}})
		req := request("prod")
		req.Protected = true
		_, err := d.Deploy(context.Background(), req)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "aws cloudformation delete-stack --stack-name shop-prod") {
			t.Errorf("error = %v", err)
		}
		if srv.Calls()["DeleteStack"] != 0 || srv.StackStatus("shop-prod") != "ROLLBACK_COMPLETE" {
			t.Errorf("protected stack touched: %v", srv.Calls())
		}
	})
	t.Run("update-rollback-failed", func(t *testing.T) {
		d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_ROLLBACK_FAILED")}})
		_, err := d.Deploy(context.Background(), request("dev"))
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "aws cloudformation continue-update-rollback --stack-name shop-dev") {
			t.Errorf("error = %v", err)
		}
		if srv.Calls()["CreateChangeSet"] != 0 {
			t.Error("change set created on UPDATE_ROLLBACK_FAILED stack")
		}
	})
	t.Run("destroy protected", func(t *testing.T) {
		d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-prod", "UPDATE_COMPLETE")}})
		req := request("prod")
		req.Protected = true
		if err := d.Destroy(context.Background(), req); !errors.Is(err, ErrRefused) {
			t.Errorf("destroy protected env error = %v", err)
		}
		tp := existing("shop-prod", "UPDATE_COMPLETE")
		tp.TerminationProtection = true
		d2, srv2, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{tp}})
		if err := d2.Destroy(context.Background(), request("prod")); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "termination protection") {
			t.Errorf("destroy termination-protected stack error = %v", err)
		}
		if srv.Calls()["DeleteStack"]+srv2.Calls()["DeleteStack"] != 0 {
			t.Error("DeleteStack called")
		}
	})
	t.Run("destroy foreign stack", func(t *testing.T) {
		foreign := existing("shop-dev", "UPDATE_COMPLETE")
		foreign.Tags = map[string]string{"owner": "someone"}
		other := existing("shop-qa", "UPDATE_COMPLETE")
		other.Tags = map[string]string{ManagedByTag: ManagedBy, ProjectTag: "blog", EnvironmentTag: "qa"}
		d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{foreign, other}})
		if err := d.Destroy(context.Background(), request("dev")); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "not made by django-serverless") {
			t.Errorf("destroy foreign error = %v", err)
		}
		if err := d.Destroy(context.Background(), request("qa")); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `project "blog"`) {
			t.Errorf("destroy other project error = %v", err)
		}
		if srv.Calls()["DeleteStack"] != 0 {
			t.Error("DeleteStack called")
		}
	})
}

func TestForeignStackNotTouched(t *testing.T) {
	foreign := existing("shop-dev", "UPDATE_COMPLETE")
	foreign.Tags = map[string]string{"team": "data"}
	failed := existing("shop-qa", "ROLLBACK_COMPLETE")
	failed.Tags = nil
	d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{foreign, failed}, Plans: map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")}})
	for _, env := range []string{"dev", "qa"} {
		if _, err := d.Deploy(context.Background(), request(env)); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "not made by django-serverless") {
			t.Errorf("deploy over foreign stack shop-%s: %v", env, err)
		}
	}
	if c := srv.Calls(); c["CreateChangeSet"]+c["DeleteStack"] != 0 {
		t.Errorf("foreign stacks touched: %v", c)
	}
}

func TestInterruptedPlanDeletesChangeSet(t *testing.T) {
	d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE")},
		Plans: map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")}, ChangeSetTicks: 1000000})
	req := request("dev")
	req.Timeout = 500 * time.Millisecond
	res, err := d.Plan(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Fatalf("error = %v", err)
	}
	if res.ChangeSetID != "" || srv.ChangeSetExists("ds-0123456789ab-987654-1") || srv.Calls()["DeleteChangeSet"] != 1 {
		t.Errorf("change set left behind: %+v %v", res, srv.Calls())
	}
}

func TestDestroyPreview(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-pr-42", "UPDATE_COMPLETE"), existing("shop-dev", "UPDATE_COMPLETE")}})
	req := request(PreviewEnvironment(42))
	if err := d.Destroy(context.Background(), req); err != nil {
		t.Fatalf("destroy: %v\n%s", err, log)
	}
	if srv.StackStatus("shop-pr-42") != "" || srv.StackStatus("shop-dev") != "UPDATE_COMPLETE" {
		t.Errorf("after destroy: pr-42 %q, dev %q", srv.StackStatus("shop-pr-42"), srv.StackStatus("shop-dev"))
	}
	bad := request("pr-42")
	bad.StackName = "shop-dev"
	if err := d.Destroy(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "preview environment pr-42 must use stack shop-pr-42") {
		t.Errorf("destroy pr-42 aimed at shop-dev: %v", err)
	}
	if err := d.Destroy(context.Background(), req); err != nil {
		t.Errorf("destroy of a missing stack: %v", err)
	}
}

// cancelOn cancels the context when a log line containing line is written.
type cancelOn struct {
	w      *bytes.Buffer
	line   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.line) {
		c.cancel()
	}
	return c.w.Write(p)
}

func TestTimeout(t *testing.T) {
	t.Run("busy forever", func(t *testing.T) {
		d, srv, _ := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_IN_PROGRESS")}})
		req := request("dev")
		req.Timeout = 50 * time.Millisecond
		_, err := d.Plan(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), "timed out after 50ms") {
			t.Errorf("error = %v", err)
		}
		if srv.Calls()["CreateChangeSet"] != 0 {
			t.Error("change set created on a busy stack")
		}
	})
	t.Run("during execution", func(t *testing.T) {
		d, srv, log := deployer(t, cfnfake.Scenario{
			Stacks:    []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE")},
			Plans:     map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")},
			StepTicks: 1000000,
		})
		req := request("dev")
		req.Timeout = time.Second
		_, err := d.Deploy(context.Background(), req)
		if !errors.Is(err, ErrCanceled) || !strings.Contains(err.Error(), "timed out after 1s") {
			t.Errorf("error = %v\n%s", err, log)
		}
		if srv.Calls()["CancelUpdateStack"] != 1 {
			t.Errorf("update not cancelled on timeout: %v", srv.Calls())
		}
	})
}

func TestThrottlingRetried(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{
		Plans:    map[string]*cfnfake.Level{"shop-dev": nestedCreate("")},
		Throttle: map[string]int{"DescribeStacks": 2, "CreateChangeSet": 1, "DescribeStackEvents": 3, "DescribeChangeSet": 2},
	})
	res, err := d.Deploy(context.Background(), request("dev"))
	if err != nil || res.Status != "CREATE_COMPLETE" {
		t.Fatalf("deploy = %v, %v\n%s", res.Status, err, log)
	}
	if srv.Calls()["CreateChangeSet"] != 2 {
		t.Errorf("CreateChangeSet calls = %d, want 2 (one throttled, one retried by the SDK)", srv.Calls()["CreateChangeSet"])
	}
}

func TestDeployReviewedChangeSet(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{
		Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE"), existing("shop-qa", "UPDATE_COMPLETE")},
		Plans:  map[string]*cfnfake.Level{"shop-dev": nestedUpdate(""), "shop-qa": nestedUpdate("")},
	})
	plan, err := d.Plan(context.Background(), request("dev"))
	if err != nil || !plan.HasChanges || plan.ChangeSetID == "" {
		t.Fatalf("plan = %+v, %v\n%s", plan, err, log)
	}
	if srv.Calls()["ExecuteChangeSet"] != 0 || !srv.ChangeSetExists(plan.ChangeSetID) {
		t.Fatal("plan executed or dropped its change set")
	}
	t.Run("other stack", func(t *testing.T) {
		req := request("qa")
		req.ChangeSetID = plan.ChangeSetID
		_, err := d.Deploy(context.Background(), req)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "belongs to stack shop-dev, not shop-qa") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("neither arn nor name", func(t *testing.T) {
		req := request("dev")
		req.ChangeSetID = "ds abc/../x"
		if _, err := d.Deploy(context.Background(), req); err == nil || !strings.Contains(err.Error(), "is neither a change set ARN") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("unknown name", func(t *testing.T) {
		req := request("dev")
		req.ChangeSetID = "ds-abc"
		if _, err := d.Deploy(context.Background(), req); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "no longer exists") {
			t.Errorf("error = %v", err)
		}
	})
	// By name, as a later job receives it (the ARN carries the masked
	// account ID): looked up on the request's stack.
	t.Run("execute by name", func(t *testing.T) {
		req := request("dev")
		req.ChangeSetID = plan.ChangeSetName
		res, err := d.Deploy(context.Background(), req)
		if err != nil || res.Status != "UPDATE_COMPLETE" || res.Calls["CreateChangeSet"] != 0 {
			t.Fatalf("deploy = %+v, %v\n%s", res, err, log)
		}
		if _, err := d.Deploy(context.Background(), req); !errors.Is(err, ErrRefused) {
			t.Errorf("second execution error = %v", err)
		}
	})
	t.Run("obsolete", func(t *testing.T) {
		req := request("qa")
		req.RunID = "5"
		p, err := d.Plan(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		srv.MakeObsolete(p.ChangeSetID)
		req.ChangeSetID = p.ChangeSetID
		_, err = d.Deploy(context.Background(), req)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "is OBSOLETE") {
			t.Errorf("error = %v", err)
		}
		if srv.Calls()["ExecuteChangeSet"] != 1 {
			t.Errorf("obsolete change set executed: %v", srv.Calls())
		}
	})
}

func TestBadInput(t *testing.T) {
	d, srv, _ := deployer(t, cfnfake.Scenario{})
	long := request("dev")
	long.Project = strings.Repeat("p", 130)
	bad := request("dev")
	bad.Project = "my_shop"
	digit := request("dev")
	digit.Project = "1shop"
	big := request("dev")
	big.TemplateSizes = map[string]int{"api.yaml": MaxTemplateBytes + 1}
	noURL := request("dev")
	noURL.TemplateURL = ""
	for name, tc := range map[string]struct {
		req  Request
		want string
	}{
		"long":     {long, "over CloudFormation's limit of 128"},
		"chars":    {bad, "must start with a letter and contain only letters, digits and hyphens"},
		"digit":    {digit, "must start with a letter"},
		"template": {big, "template api.yaml is 1048577 bytes, over CloudFormation's limit"},
		"no url":   {noURL, "no template URL"},
	} {
		_, err := d.Deploy(context.Background(), tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", name, err, tc.want)
		}
	}
	if n := total(srv.Calls()); n != 0 {
		t.Errorf("bad input reached CloudFormation: %v", srv.Calls())
	}
	if err := ValidateRegion("eu-west-1"); err != nil {
		t.Error(err)
	}
	if err := ValidateRegion("europe"); err == nil {
		t.Error("region europe accepted")
	}
}

func TestChangeSetName(t *testing.T) {
	for _, tc := range []struct{ commit, run, want string }{
		{"0123456789abcdef0123", "987654-1", "ds-0123456789ab-987654-1"},
		{"", "", "ds-nocommit-local"},
		{"abc", "run/7 x", "ds-abc-run-7-x"},
	} {
		if got := ChangeSetName(tc.commit, tc.run); got != tc.want {
			t.Errorf("ChangeSetName(%q, %q) = %q, want %q", tc.commit, tc.run, got, tc.want)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	srv := cfnfake.New(t, cfnfake.Scenario{})
	testenv.AWSEnv(t)
	c := cloudformation.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.NewCredentialsCache(credentials.StaticCredentialsProvider{})},
		func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	d := &Deployer{CFN: c, Poll: time.Millisecond}
	_, err := d.Plan(context.Background(), request("dev"))
	if err == nil || !strings.Contains(err.Error(), "no usable AWS credentials") {
		t.Errorf("error = %v", err)
	}
	if total(srv.Calls()) != 0 {
		t.Errorf("request sent without credentials: %v", srv.Calls())
	}
}

// describeCanceller cancels the run once the change set is complete and
// is being described (the DescribeChangeSet after the wait).
type describeCanceller struct {
	API
	cancel   context.CancelFunc
	complete int
}

func (c *describeCanceller) DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	out, err := c.API.DescribeChangeSet(ctx, in, opts...)
	if err == nil && out.Status == types.ChangeSetStatusCreateComplete {
		if c.complete++; c.complete == 2 {
			c.cancel()
			return nil, ctx.Err()
		}
	}
	return out, err
}

// Finding 9: SIGTERM while the change set is being described deletes it:
// nothing half-reviewed stays behind.
func TestAttackCancelDuringDescribeDeletesChangeSet(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"shop-dev": nestedCreate("")}})
	ctx, cancel := context.WithCancel(context.Background())
	d.CFN = &describeCanceller{API: d.CFN, cancel: cancel}
	res, err := d.Plan(ctx, request("dev"))
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("plan error = %v\n%s", err, log)
	}
	if res.ChangeSetID != "" || srv.ChangeSetExists("ds-0123456789ab-987654-1") || srv.Calls()["DeleteChangeSet"] != 1 {
		t.Errorf("change set left behind: %+v %v\n%s", res, srv.Calls(), log)
	}
}
