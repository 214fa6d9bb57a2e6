package changeset

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// valuesTemplate is a flat stack: a function whose memory, environment
// (a secret-named variable, a variable holding a NoEcho parameter, a URL
// with a password) and log group change between version 1 and 2, and a
// queue kept on removal (DeletionPolicy Retain).
func valuesTemplate(memory, debug, secret, dbURL string, withQueue bool) string {
	t := `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
  CatalogFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: shop-dev-catalog
      Runtime: python3.12
      Handler: h.handle
      Role: !GetAtt Role.Arn
      MemorySize: ` + memory + `
      Code: {ZipFile: "x"}
      Environment:
        Variables:
          DEBUG: "` + debug + `"
          DJANGO_SECRET_KEY: "` + secret + `"
          PASS_THROUGH: !Sub "user:${DbPassword}"
          DATABASE: "` + dbURL + `"
`
	if withQueue {
		t += `  Jobs:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
    Properties:
      QueueName: shop-dev-jobs
`
	}
	return t
}

func TestDescribePropertyValuesMasked(t *testing.T) {
	testenv.AWSEnv(t)
	srv := cfnfake.New(t, cfnfake.Scenario{})
	c := cloudformation.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()
	const password = "hunter2-correct-horse"
	params := []types.Parameter{{ParameterKey: aws.String("DbPassword"), ParameterValue: aws.String(password)}}
	run := func(name, csType, body string) string {
		t.Helper()
		out, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
			StackName: aws.String("shop-dev"), ChangeSetName: aws.String(name), ChangeSetType: types.ChangeSetType(csType),
			TemplateBody: aws.String(body), Parameters: params, Capabilities: []types.Capability{types.CapabilityCapabilityIam},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if _, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")}); err != nil {
				t.Fatal(err)
			}
		}
		return aws.ToString(out.Id)
	}
	id := run("v1", "CREATE", valuesTemplate("512", "1", "old-secret-value", "postgres://shop:pw1@db/shop", true))
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && srv.StackStatus("shop-dev") != "CREATE_COMPLETE"; i++ {
		c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	}
	if st := srv.StackStatus("shop-dev"); st != "CREATE_COMPLETE" {
		t.Fatalf("stack %s", st)
	}
	id = run("v2", "UPDATE", valuesTemplate("1024", "0", "new-secret-value", "postgres://shop:pw2@db/shop", false))

	m, err := DescribeWith(ctx, c, id, Options{Sensitive: []string{password}})
	if err != nil {
		t.Fatal(err)
	}
	// Every DescribeChangeSet asked for the property values.
	for _, r := range srv.Requests() {
		if r.Action == "DescribeChangeSet" && r.Params["ChangeSetName"][0] == id && r.Params["IncludePropertyValues"] == nil {
			t.Errorf("DescribeChangeSet without IncludePropertyValues: %v", r.Params)
		}
	}
	var fn, queue *ResourceChange
	for i, ch := range m.Stacks[0].Changes {
		switch ch.LogicalID {
		case "CatalogFunction":
			fn = &m.Stacks[0].Changes[i]
		case "Jobs":
			queue = &m.Stacks[0].Changes[i]
		}
	}
	if fn == nil || queue == nil {
		t.Fatalf("changes: %+v", m.Stacks[0].Changes)
	}
	want := []Value{
		{Path: "Environment.Variables.DATABASE", Before: Masked, After: Masked, Change: "Modify", Sensitive: true},
		{Path: "Environment.Variables.DEBUG", Before: "1", After: "0", Change: "Modify"},
		{Path: "Environment.Variables.DJANGO_SECRET_KEY", Before: Masked, After: Masked, Change: "Modify", Sensitive: true},
		{Path: "MemorySize", Before: "512", After: "1024", Change: "Modify"},
	}
	if diff := cmp.Diff(want, fn.Values); diff != "" {
		t.Errorf("function values (-want +got):\n%s", diff)
	}
	if queue.Action != "Remove" || queue.PolicyAction != "Retain" || PolicyWords(*queue) == "" {
		t.Errorf("queue removal: %+v", queue)
	}
	// Nothing secret anywhere in the model or its log text.
	text := Text(m)
	for _, secret := range []string{"old-secret-value", "new-secret-value", "pw1", "pw2", password} {
		if strings.Contains(text, secret) {
			t.Errorf("log text shows %q:\n%s", secret, text)
		}
		for _, ch := range m.Stacks[0].Changes {
			for _, v := range ch.Values {
				if strings.Contains(v.Before+v.After, secret) {
					t.Errorf("%s value %s shows %q", ch.LogicalID, v.Path, secret)
				}
			}
		}
	}
	if !strings.Contains(text, "MemorySize: 512 -> 1024") || !strings.Contains(text, "kept in AWS") {
		t.Errorf("log text lacks the values or the policy:\n%s", text)
	}
}

func TestMaskerRules(t *testing.T) {
	m := newMasker([]string{"s3cr3t-value", "ab"})
	for _, tc := range []struct {
		path, value string
		want        bool
	}{
		{"MemorySize", "1024", false},
		{"Environment.Variables.DEBUG", "0", false},
		{"Environment.Variables.STRIPE_API_KEY", "x", true},
		{"Environment.Variables.SENTRY_DSN", "https://k@o1.ingest.sentry.io/1", true},
		{"Environment.Variables.DATABASE_URL", "x", true},
		{"Properties.MasterUserPassword", "x", true},
		{"Environment.Variables.CONN", "postgres://u:p@h/db", true},
		{"Environment.Variables.X", "AKIAABCDEFGHIJKLMNOP", true},
		{"Environment.Variables.X", "ghp_" + strings.Repeat("a", 36), true},
		{"Environment.Variables.X", "-----BEGIN RSA PRIVATE KEY-----", true},
		{"Environment.Variables.X", "prefix-s3cr3t-value", true}, // a NoEcho value
		{"Environment.Variables.X", "abc", false},                // "ab" is too short to mask
		{"Environment.Variables.X", "****", true},                // masked by CloudFormation
		{"Cors.AllowOrigins", "*", false},
		{"Environment", `{"Variables":{"SECRET_KEY":"x"}}`, true},
		{"Environment", `{"Variables":{"DEBUG":"1"}}`, false},
		{"Environment.Variables.API_TOKEN", KnownAfterDeploy, false},
	} {
		if got := m.Sensitive(tc.path, tc.value); got != tc.want {
			t.Errorf("Sensitive(%q, %q) = %v, want %v", tc.path, tc.value, got, tc.want)
		}
	}
}

func TestDiffValues(t *testing.T) {
	b := map[string]any{"Properties": map[string]any{"A": "1", "Layers": []any{"x", "y"}, "Gone": "g", "Tags": []any{"a"}}}
	a := map[string]any{"Properties": map[string]any{"A": "2", "Layers": []any{"x", "z"}, "New": map[string]any{"K": "v"}, "Tags": []any{"a", "b"}}}
	var got []Value
	diffValues(nil, b, a, &got)
	want := []Value{
		{Path: "A", Before: "1", After: "2", Change: "Modify"},
		{Path: "Gone", Before: "g", Change: "Remove"},
		{Path: "Layers[1]", Before: "y", After: "z", Change: "Modify"},
		{Path: "New", After: `{"K":"v"}`, Change: "Add"},
		{Path: "Tags", Before: `["a"]`, After: `["a","b"]`, Change: "Modify"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
