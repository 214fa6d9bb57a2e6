package stack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
)

const (
	serviceRole = "arn:aws:iam::123456789012:role/cfn-deployer"
	topic       = "arn:aws:sns:us-east-1:123456789012:deploys"
)

// requests returns the parameters of every request of an action.
func requests(srv *cfnfake.Server, action string) []map[string][]string {
	var out []map[string][]string
	for _, r := range srv.Requests() {
		if r.Action == action {
			out = append(out, r.Params)
		}
	}
	return out
}

func param(p map[string][]string, k string) string {
	if v := p[k]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// The options of the action's inputs reach CloudFormation: the service
// role on the change set and on the delete, the SNS topics, the extra
// tags beside the tool's own, OnStackFailure on a creation only.
func TestRequestOptionsReachCloudFormation(t *testing.T) {
	d, srv, log, _ := templated(t, cfnfake.Scenario{})
	req := rootRequest("dev", "v1.yaml")
	req.RoleARN = serviceRole
	req.NotificationARNs = []string{topic}
	req.Tags = map[string]string{"team": "shop", "cost-center": "42"}
	req.OnFailure = OnFailureDelete
	if _, err := d.Deploy(context.Background(), req); err != nil {
		t.Fatalf("deploy: %v\n%s", err, log)
	}
	cs := requests(srv, "CreateChangeSet")
	if len(cs) != 1 {
		t.Fatalf("%d CreateChangeSet requests", len(cs))
	}
	want := map[string]string{
		"RoleARN":                   serviceRole,
		"NotificationARNs.member.1": topic,
		"OnStackFailure":            "DELETE",
		"Tags.member.1.Key":         "cost-center",
		"Tags.member.1.Value":       "42",
		"Tags.member.2.Key":         "environment",
		"Tags.member.5.Key":         "team",
		"Tags.member.5.Value":       "shop",
	}
	for k, v := range want {
		if got := param(cs[0], k); got != v {
			t.Errorf("CreateChangeSet %s = %q, want %q", k, got, v)
		}
	}

	// An update: the same role and topics; OnStackFailure only applies to
	// a creation (CloudFormation refuses DELETE on an update).
	req.TemplateURL = strings.Replace(req.TemplateURL, "root-v1.yaml", "root-v2.yaml", 1)
	if _, err := d.Deploy(context.Background(), req); err != nil {
		t.Fatalf("update: %v\n%s", err, log)
	}
	cs = requests(srv, "CreateChangeSet")
	if got := cs[1]; param(got, "RoleARN") != serviceRole || param(got, "NotificationARNs.member.1") != topic || got["OnStackFailure"] != nil || param(got, "ChangeSetType") != "UPDATE" {
		t.Errorf("update request: %v", got)
	}

	if err := d.Destroy(context.Background(), req); err != nil {
		t.Fatalf("destroy: %v\n%s", err, log)
	}
	ds := requests(srv, "DeleteStack")
	if len(ds) != 1 || param(ds[0], "RoleARN") != serviceRole {
		t.Errorf("DeleteStack requests: %v", ds)
	}
}

// What a failed creation does, as the on-failure input says.
func TestOnFailureOfCreation(t *testing.T) {
	const cause = `Resource handler returned message: "Uploaded file must be a non-empty zip" (RequestToken: 1, HandlerErrorCode: InvalidRequest)`
	for _, tc := range []struct {
		onFailure, status string
		left              bool // the stack is still there afterwards
	}{
		{"", "ROLLBACK_COMPLETE", true},
		{OnFailureRollback, "ROLLBACK_COMPLETE", true},
		{OnFailureDoNothing, "CREATE_FAILED", true},
		{OnFailureDelete, "DELETE_COMPLETE", false},
	} {
		t.Run(tc.status+"/"+tc.onFailure, func(t *testing.T) {
			d, srv, log, _ := templated(t, cfnfake.Scenario{Faults: []cfnfake.Fault{{Path: "Lambdas/CatalogFunction", On: "CREATE", Reason: cause}}})
			req := rootRequest("dev", "v1.yaml")
			req.OnFailure = tc.onFailure
			res, err := d.Deploy(context.Background(), req)
			if !errors.Is(err, ErrFailed) || res.Status != tc.status {
				t.Fatalf("deploy = %s, %v\n%s", res.Status, err, log)
			}
			if want := "shop-dev/Lambdas/CatalogFunction (AWS::Lambda::Function): " + cause; res.RootCause != want {
				t.Errorf("root cause %q\n%s", res.RootCause, log)
			}
			if got := srv.StackStatus("shop-dev") != ""; got != tc.left {
				t.Errorf("stack left: %v, want %v (status %q)", got, tc.left, srv.StackStatus("shop-dev"))
			}
			if tc.onFailure == OnFailureDoNothing && len(srv.Resources("shop-dev")) == 0 {
				t.Errorf("DO_NOTHING removed the resources")
			}
		})
	}
}

func TestRequestOptionsValidated(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(r *Request)
		want string
	}{
		{"role", func(r *Request) { r.RoleARN = "cfn-deployer" }, `role ARN "cfn-deployer" is not an IAM role ARN`},
		{"role of a user", func(r *Request) { r.RoleARN = "arn:aws:iam::123456789012:user/me" }, "is not an IAM role ARN"},
		{"topic", func(r *Request) { r.NotificationARNs = []string{"arn:aws:sqs:us-east-1:123456789012:q"} }, "is not an SNS topic ARN"},
		{"topics", func(r *Request) { r.NotificationARNs = []string{topic, topic, topic, topic, topic, topic} }, "6 notification ARNs, over CloudFormation's limit of 5"},
		{"on-failure", func(r *Request) { r.OnFailure = "rollback" }, `on-failure "rollback" is not ROLLBACK, DELETE or DO_NOTHING`},
		{"delete protected", func(r *Request) { r.OnFailure = OnFailureDelete; r.Protected = true }, "would delete the stack of the protected environment"},
		{"aws tag", func(r *Request) { r.Tags = map[string]string{"aws:cloudformation:x": "y"} }, "the aws: prefix is reserved by AWS"},
		{"own tag", func(r *Request) { r.Tags = map[string]string{"environment": "prod"} }, `tag key "environment" is set by django-serverless itself`},
		{"tag value", func(r *Request) { r.Tags = map[string]string{"team": strings.Repeat("x", 257)} }, "value is 257 characters, over 256"},
		{"tag chars", func(r *Request) { r.Tags = map[string]string{"team": "a;b"} }, "letters, digits, spaces"},
		{"empty key", func(r *Request) { r.Tags = map[string]string{"": "x"} }, `tag key "": 1 to 128 characters`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, srv, _ := deployer(t, cfnfake.Scenario{})
			req := request("dev")
			tc.edit(&req)
			_, err := d.Plan(context.Background(), req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent for an invalid request", n)
			}
		})
	}
	many := map[string]string{}
	for i := 0; i < 47; i++ {
		many[strings.Repeat("k", i+1)] = "v"
	}
	if err := ValidateTags(many); err == nil || !strings.Contains(err.Error(), "51, over CloudFormation's limit of 50") {
		t.Errorf("47 extra tags: %v", err)
	}
	if err := ValidateTags(map[string]string{"Team Name": "Shop/Web +1 @x: =ok-é"}); err != nil {
		t.Errorf("valid tag refused: %v", err)
	}
}

func TestNoEchoValues(t *testing.T) {
	tpl := []byte(`Parameters:
  ArtifactsBucket: {Type: String}
  DbPassword: {Type: String, NoEcho: true}
  Token:
    Type: String
    NoEcho: "true"
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "q-${ArtifactsBucket}"}}
`)
	got := NoEchoValues(tpl, map[string]string{"ArtifactsBucket": "b", "DbPassword": "s3cret-pw", "Token": "tok-123"})
	if strings.Join(got, ",") != "s3cret-pw,tok-123" {
		t.Errorf("NoEchoValues = %q", got)
	}
	if got := NoEchoValues([]byte("not: [yaml"), map[string]string{"A": "b"}); got != nil {
		t.Errorf("unparsable template: %q", got)
	}
}
