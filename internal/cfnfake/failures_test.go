package cfnfake

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// A failing update of a nested stack whose rollback fails too: the
// nested stack ends UPDATE_ROLLBACK_FAILED and so does the root.
func TestRollbackThatFails(t *testing.T) {
	e := shopEnv(t, Scenario{})
	e.srv.SetFaults(
		Fault{Path: "Lambdas/CatalogAlias", On: "UPDATE", Reason: "Alias update failed"},
		Fault{Path: "Lambdas/CatalogFunction", On: "ROLLBACK", Reason: "Function rollback failed"},
	)
	d := e.changeSet("shop-dev", "cs2", "root-v2.yaml", map[string]string{"environment": "dev"})
	if got := e.execute(d); got != "UPDATE_ROLLBACK_FAILED" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"UPDATE_FAILED AWS::Lambda::Alias CatalogAlias: Alias update failed",
		"UPDATE_FAILED AWS::Lambda::Function CatalogFunction: Function rollback failed",
		"UPDATE_ROLLBACK_FAILED AWS::CloudFormation::Stack shop-dev-Lambdas-N00000000002: The following resource(s) failed to update: [CatalogFunction].",
		"shop-dev UPDATE_ROLLBACK_FAILED AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to update: [Lambdas].",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
	// The stack cannot be updated in that state.
	_, err := e.c.CreateChangeSet(e.ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("shop-dev"), ChangeSetName: aws.String("cs3"), TemplateURL: aws.String(templateURL("root-v2.yaml"))})
	if !isCode(err, "ValidationError") || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_FAILED state and can not be updated") {
		t.Errorf("change set on UPDATE_ROLLBACK_FAILED: %v", err)
	}
}

// Several failures in one run: the first nested stack fails early, the
// second later (each after its own work); events keep their order.
func TestSeveralFailures(t *testing.T) {
	e := newEnv(t, Scenario{Durations: map[string]int{"Static/Uploads": 6}})
	e.put("lambdas-v1.yaml", "lambdas-v1.yaml")
	e.put("api-v1.yaml", "api-v1.yaml")
	e.put("static.yaml", "static.yaml")
	e.rootWith("root-v1.yaml", "lambdas-v1.yaml")
	e.srv.SetFaults(
		Fault{Path: "Static/Uploads", On: "CREATE", Reason: "Bucket policy refused"},
		Fault{Path: "Lambdas/CatalogAlias", On: "CREATE", Reason: "Alias refused"},
	)
	d := e.changeSet("shop-dev", "cs1", "root-v1.yaml", nil)
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	first := strings.Index(log, "CREATE_FAILED AWS::Lambda::Alias CatalogAlias: Alias refused")
	second := strings.Index(log, "CREATE_FAILED AWS::S3::Bucket Uploads: Bucket policy refused")
	if first < 0 || second < 0 || first > second {
		t.Errorf("failures out of order (%d, %d):\n%s", first, second, log)
	}
	if !strings.Contains(log, "shop-dev ROLLBACK_IN_PROGRESS AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to create: [Static, Lambdas]. Rollback requested by user.") {
		t.Errorf("root rollback reason:\n%s", log)
	}
}

// Deleting a stack whose bucket holds objects: DELETE_FAILED with S3's
// reason; RetainResources then lets the deletion finish.
func TestDeleteFailsOnNonEmptyBucket(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	e.deploy("shop-dev", "v1", "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: shop-dev-uploads}\n  Topic:\n    Type: AWS::SNS::Topic\n", nil, "CREATE_COMPLETE")
	e.obj.Put("shop-dev-uploads", "media/cat.jpg", []byte("x"))
	if _, err := e.c.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("shop-dev")}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	id := aws.ToString(st.Stacks[0].StackId)
	if got := e.wait(id); got != "DELETE_FAILED" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"DELETE_FAILED AWS::S3::Bucket Uploads: The bucket you tried to delete is not empty (Service: Amazon S3; Status Code: 409; Error Code: BucketNotEmpty",
		"DELETE_COMPLETE AWS::SNS::Topic Topic",
		"shop-dev DELETE_FAILED AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to delete: [Uploads].",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
	if _, err := e.c.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String(id), RetainResources: []string{"Uploads"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.wait(id); got != "DELETE_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	if !strings.Contains(e.eventLog("shop-dev"), "DELETE_SKIPPED AWS::S3::Bucket Uploads") {
		t.Errorf("retained bucket not skipped:\n%s", e.eventLog("shop-dev"))
	}
}

// A failed creation whose rollback cannot delete a resource ends
// ROLLBACK_FAILED.
func TestCreateRollbackFails(t *testing.T) {
	e := newEnv(t, Scenario{Faults: []Fault{
		{Path: "B", On: "CREATE", Reason: "B refused"},
		{Path: "A", On: "DELETE", Reason: "A is in use"},
	}})
	e.params = nil
	d := e.changeSet("shop-dev", "v1", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Type: AWS::SNS::Topic\n    DependsOn: A\n", nil)
	if got := e.execute(d); got != "ROLLBACK_FAILED" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	if log := e.eventLog("shop-dev"); !strings.Contains(log, "DELETE_FAILED AWS::SNS::Topic A: A is in use") ||
		!strings.Contains(log, "ROLLBACK_FAILED AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to delete: [A].") {
		t.Errorf("log:\n%s", log)
	}
}

// CancelUpdateStack during a long update: in-flight resources are
// cancelled, nested stacks roll back, and the rollback takes its time.
func TestCancelRollsBackEverything(t *testing.T) {
	e := shopEnv(t, Scenario{Durations: map[string]int{"Lambdas/CatalogFunction": 20}})
	d := e.changeSet("shop-dev", "cs2", "root-v2.yaml", nil)
	if _, err := e.c.ExecuteChangeSet(e.ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: d.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	}
	if _, err := e.c.CancelUpdateStack(e.ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("shop-dev")}); err != nil {
		t.Fatalf("cancel: %v\n%s", err, e.eventLog("shop-dev"))
	}
	st, _ := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	if s := st.Stacks[0].StackStatus; s != types.StackStatusUpdateInProgress && s != types.StackStatusUpdateRollbackInProgress {
		t.Errorf("right after the cancel: %s", s)
	}
	if got := e.wait("shop-dev"); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"UPDATE_FAILED AWS::Lambda::Function CatalogFunction: Resource update cancelled",
		"shop-dev UPDATE_ROLLBACK_IN_PROGRESS AWS::CloudFormation::Stack shop-dev: Stack update cancelled",
		"shop-dev UPDATE_ROLLBACK_COMPLETE AWS::CloudFormation::Stack shop-dev\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
	for _, p := range []string{"Lambdas", "Static", "Api"} {
		st, _ := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(e.srv.NestedStack("shop-dev", p))})
		if s := st.Stacks[0].StackStatus; strings.HasSuffix(string(s), "_IN_PROGRESS") {
			t.Errorf("nested stack %s left %s", p, s)
		}
	}
}

// A nested template error FAILS the nested change set and the root; both
// still list their changes.
func TestFailedChangeSetsCarryChanges(t *testing.T) {
	e := shopEnv(t, Scenario{})
	e.putBody("broken.yaml", "Resources:\n  Fn:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref Missing\n")
	e.rootWith("root-broken.yaml", "broken.yaml")
	d := e.changeSet("shop-dev", "cs2", "root-broken.yaml", nil)
	if d.Status != types.ChangeSetStatusFailed || !strings.HasPrefix(aws.ToString(d.StatusReason), "Nested change set arn:aws:cloudformation:us-east-1:123456789012:changeSet/") {
		t.Fatalf("root %s %q", d.Status, aws.ToString(d.StatusReason))
	}
	if len(d.Changes) != 3 {
		t.Errorf("FAILED root lists %d changes, want 3", len(d.Changes))
	}
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	if l := lv["Lambdas"]; l.Status != types.ChangeSetStatusFailed || aws.ToString(l.StatusReason) != "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template" {
		t.Errorf("nested: %s %q", l.Status, aws.ToString(l.StatusReason))
	}
	if _, err := e.c.ExecuteChangeSet(e.ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: d.ChangeSetId}); !isCode(err, "InvalidChangeSetStatus") {
		t.Errorf("execute FAILED: %v", err)
	}
}

func TestCreateChangeSetValidation(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	create := func(body string, caps []types.Capability, params ...types.Parameter) error {
		_, err := e.c.CreateChangeSet(e.ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("v"), ChangeSetName: aws.String("c"),
			ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(body), Capabilities: caps, Parameters: params})
		return err
	}
	for _, tc := range []struct {
		body, code, msg string
		caps            []types.Capability
		params          []types.Parameter
	}{
		{"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}}\n", "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]", nil, nil},
		{"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: x, AssumeRolePolicyDocument: {}}\n", "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]", []types.Capability{types.CapabilityCapabilityIam}, nil},
		{"Parameters:\n  P: {Type: String}\nResources:\n  T: {Type: AWS::SNS::Topic}\n", "ValidationError", "Parameters: [P] must have values", nil, nil},
		{"Resources:\n  T: {Type: AWS::SNS::Topic}\n", "ValidationError", "Parameters: [Q] do not exist in the template", nil, []types.Parameter{{ParameterKey: aws.String("Q"), ParameterValue: aws.String("x")}}},
		{"Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: B}\n  B: {Type: AWS::SNS::Topic, DependsOn: A}\n", "ValidationError", "Circular dependency between resources: [A, B]", nil, nil},
		{"Resources: {}\n", "ValidationError", "Template format error: At least one Resources member must be defined.", nil, nil},
		{"Resources:\n  a-b: {Type: AWS::SNS::Topic}\n", "ValidationError", "Template format error: Resource name a-b is non alphanumeric.", nil, nil},
	} {
		err := create(tc.body, tc.caps, tc.params...)
		if !isCode(err, tc.code) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want %s %q", tc.body, err, tc.code, tc.msg)
		}
	}
	// An unknown GetAtt attribute FAILS the change set.
	d := e.changeSet("shop-dev", "c", "Resources:\n  A: {Type: AWS::SNS::Topic}\n  B:\n    Type: AWS::SNS::Topic\n    Properties: {DisplayName: !GetAtt A.Nope}\n", nil)
	if d.Status != types.ChangeSetStatusFailed || aws.ToString(d.StatusReason) != "Template error: resource A does not support attribute type Nope in Fn::GetAtt" {
		t.Errorf("GetAtt: %s %q", d.Status, aws.ToString(d.StatusReason))
	}
	if _, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("v")}); !isCode(err, "ValidationError") {
		t.Errorf("a refused CREATE change set left a stack behind: %v", err)
	}
}

func TestChangeSetLimit(t *testing.T) {
	e := shopEnv(t, Scenario{ChangeSetLimit: 3})
	staticARN := e.srv.NestedStack("shop-dev", "Static")
	// Each executed update leaves one FAILED change set on Static.
	for i, root := range []string{"root-v2.yaml", "root-v1.yaml"} {
		e.deploy("shop-dev", "up"+string(rune('a'+i)), root, nil, "UPDATE_COMPLETE")
	}
	if n := e.srv.ChangeSetCount(staticARN); n != 3 {
		t.Fatalf("Static holds %d change sets", n)
	}
	d := e.changeSet("shop-dev", "up3", "root-v2.yaml", nil)
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	if d.Status != types.ChangeSetStatusFailed || aws.ToString(lv["Static"].StatusReason) != "ChangeSet limit exceeded for stack "+staticARN {
		t.Errorf("at the limit: root %s %q, Static %q", d.Status, aws.ToString(d.StatusReason), aws.ToString(lv["Static"].StatusReason))
	}
	// The root holds one (the executed one) plus this FAILED one.
	for i := 0; i < 2; i++ {
		_, _ = e.c.CreateChangeSet(e.ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("shop-dev"), ChangeSetName: aws.String("x" + string(rune('a'+i))),
			TemplateURL: aws.String(templateURL("root-v2.yaml")), Parameters: e.params})
	}
	_, err := e.c.CreateChangeSet(e.ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("shop-dev"), ChangeSetName: aws.String("over"),
		TemplateURL: aws.String(templateURL("root-v2.yaml")), Parameters: e.params})
	if !isCode(err, "LimitExceededException") {
		t.Errorf("root over the limit: %v", err)
	}
}

// Deleting a root change set deletes its nested ones and the nested
// stacks it created in REVIEW_IN_PROGRESS.
func TestDeleteChangeSetHierarchy(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.put("lambdas-v1.yaml", "lambdas-v1.yaml")
	e.put("api-v1.yaml", "api-v1.yaml")
	e.put("static.yaml", "static.yaml")
	e.rootWith("root-v1.yaml", "lambdas-v1.yaml")
	d := e.changeSet("shop-dev", "cs1", "root-v1.yaml", nil)
	lambdas := e.srv.NestedStack("shop-dev", "Lambdas")
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	nestedID := aws.ToString(lv["Lambdas"].ChangeSetId)
	nestedStack := aws.ToString(lv["Lambdas"].StackId)
	if st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(nestedStack)}); err != nil || st.Stacks[0].StackStatus != types.StackStatusReviewInProgress || lambdas != "" {
		t.Fatalf("nested stack after the change set: %+v %v (resource %q)", st, err, lambdas)
	}
	if _, err := e.c.DeleteChangeSet(e.ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(nestedID)}); !isCode(err, "ValidationError") {
		t.Errorf("nested delete: %v", err)
	}
	if _, err := e.c.DeleteChangeSet(e.ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: d.ChangeSetId}); err != nil {
		t.Fatal(err)
	}
	if e.srv.ChangeSetExists(nestedID) {
		t.Error("nested change set survived its root")
	}
	if st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(nestedStack)}); err != nil || st.Stacks[0].StackStatus != types.StackStatusDeleteComplete {
		t.Errorf("REVIEW_IN_PROGRESS nested stack after its change set was deleted: %+v %v", st, err)
	}
	// The root stack stays in REVIEW_IN_PROGRESS (DeleteChangeSet leaves it).
	if st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")}); err != nil || st.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Errorf("root: %+v %v", st, err)
	}
}

func TestThrottleWindows(t *testing.T) {
	e := newEnv(t, Scenario{Throttles: []Throttle{{Action: "DescribeStacks", After: 2, Count: 5}}})
	c := newClient(t, e.srv, 3)
	var errs int
	for i := 0; i < 4; i++ {
		if _, err := c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{}); err != nil {
			if !isCode(err, "Throttling") {
				t.Fatal(err)
			}
			errs++
		}
	}
	// Calls 1-2 pass; the 3rd try and its 2 retries, then 6-7 (+retry 8 passes).
	if errs != 1 || e.srv.Calls()["DescribeStacks"] != 8 {
		t.Errorf("%d errors, %d calls", errs, e.srv.Calls()["DescribeStacks"])
	}
}
