package stack

import (
	"context"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/golden"
)

// TestDeployLogGolden pins the whole log of a failed nested create from
// the templates of testdata/templates: the change-set listing, one line
// per event with its stack path (in CloudFormation's dependency order),
// and the error with the root cause. The fake's logical time makes it
// byte-stable.
func TestDeployLogGolden(t *testing.T) {
	const cause = "Resource handler returned message: \"Uploaded file must be a non-empty zip\""
	d, _, log, _ := templated(t, cfnfake.Scenario{PageSize: 4, Faults: []cfnfake.Fault{{Path: "Lambdas/CatalogFunction", On: "CREATE", Reason: cause}}})
	_, err := d.Deploy(context.Background(), rootRequest("dev", "v1.yaml"))
	if err == nil {
		t.Fatal("deploy succeeded")
	}
	golden.AssertString(t, log.String()+"error: "+err.Error()+"\n", "testdata/nested-create-failure.log")
}

func TestCancelDuringCreate(t *testing.T) {
	d, srv, log, _ := templated(t, cfnfake.Scenario{Durations: map[string]int{"Lambdas/CatalogFunction": 50}})
	ctx, cancel := context.WithCancel(context.Background())
	d.Log = &cancelOn{w: log, line: "CREATE_IN_PROGRESS AWS::IAM::Role ExecutionRole", cancel: cancel}
	res, err := d.Deploy(ctx, rootRequest("dev", "v1.yaml"))
	if err == nil || !strings.Contains(err.Error(), "a creation cannot be cancelled") {
		t.Fatalf("error = %v\n%s", err, log)
	}
	if srv.Calls()["CancelUpdateStack"] != 0 || res.Status != "CREATE_IN_PROGRESS" {
		t.Errorf("status %s, calls %v", res.Status, srv.Calls())
	}
}

func TestReplanSameRunReplacesChangeSet(t *testing.T) {
	d, srv, log := deployer(t, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE")}, Plans: map[string]*cfnfake.Level{"shop-dev": nestedUpdate("")}})
	first, err := d.Plan(context.Background(), request("dev"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := d.Plan(context.Background(), request("dev"))
	if err != nil {
		t.Fatalf("re-plan: %v\n%s", err, log)
	}
	if first.ChangeSetID == second.ChangeSetID || srv.ChangeSetExists(first.ChangeSetID) || !srv.ChangeSetExists(second.ChangeSetID) {
		t.Errorf("old change set not replaced: %s -> %s", first.ChangeSetID, second.ChangeSetID)
	}
	if !strings.Contains(log.String(), "already exists on shop-dev: replacing it") {
		t.Errorf("log:\n%s", log)
	}
}
