package stack

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

const smokeTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ArtifactsBucket:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  TopicArn:
    Value: !Ref Topic
`

// TestMotoSmoke runs a flat stack through a real moto_server: it keeps the
// request shapes honest against a second implementation of the protocol.
func TestMotoSmoke(t *testing.T) {
	ep := testenv.MotoEndpoint(t)
	testenv.AWSEnv(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(ep); o.UsePathStyle = true })
	bucket := "ds-smoke-stack"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil && !strings.Contains(err.Error(), "BucketAlready") {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("smoke/templates/root.yaml"), Body: strings.NewReader(smokeTemplate)}); err != nil {
		t.Fatal(err)
	}
	cfn := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(ep) })
	var log bytes.Buffer
	d := &Deployer{CFN: cfn, Log: &log, Poll: 20 * time.Millisecond, Timeout: time.Minute}
	req := Request{
		Project: "smoke", Environment: "dev",
		StackName:     "smoke-dev-moto",
		TemplateURL:   "https://" + bucket + ".s3.us-east-1.amazonaws.com/smoke/templates/root.yaml",
		TemplateSizes: map[string]int{"root.yaml": len(smokeTemplate)},
		Parameters:    map[string]string{"ArtifactsBucket": bucket},
		Commit:        "feedfacecafebeef", RunID: "1",
	}
	// A previous local run may have left the stack behind.
	if err := d.Destroy(ctx, req); err != nil {
		t.Fatalf("pre-clean: %v\n%s", err, log.String())
	}
	plan, err := d.Plan(ctx, req)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, log.String())
	}
	if !plan.HasChanges || plan.Type != "CREATE" || plan.Totals.Add != 1 || plan.Model.Stacks[0].Changes[0].ResourceType != "AWS::SNS::Topic" {
		t.Fatalf("plan = %+v, model %+v", plan, plan.Model)
	}
	req.ChangeSetID = plan.ChangeSetID
	res, err := d.Deploy(ctx, req)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, log.String())
	}
	if res.Status != "CREATE_COMPLETE" {
		t.Errorf("status = %s\n%s", res.Status, log.String())
	}
	req.ChangeSetID = ""
	if err := d.Destroy(ctx, req); err != nil {
		t.Fatalf("destroy: %v\n%s", err, log.String())
	}
	if st, err := describeStack(ctx, cfn, req.StackName); err != nil || st != nil {
		t.Errorf("after destroy: %+v, %v", st, err)
	}
	t.Logf("moto log:\n%s", log.String())
}
