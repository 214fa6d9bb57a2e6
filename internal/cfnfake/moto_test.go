package cfnfake

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// The fake reading templates from a real S3 (moto_server) through
// S3Objects: the templates are where pkg/artifacts would put them, and a
// bucket the stack owns is checked for objects when it is deleted.
func TestTemplatesFromMotoS3(t *testing.T) {
	ep := testenv.MotoEndpoint(t)
	testenv.AWSEnv(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(ep); o.UsePathStyle = true })
	const artifacts = "ds-cfnfake-moto-artifacts"
	for _, b := range []string{artifacts, "shop-dev-uploads"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil && !strings.Contains(err.Error(), "BucketAlready") {
			t.Fatal(err)
		}
	}
	put := func(bucket, key, body string) {
		t.Helper()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	static, err := os.ReadFile(filepath.Join("testdata", "static.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	put(artifacts, "shop/templates/static.yaml", string(static))
	put(artifacts, "shop/templates/root.yaml", `Parameters:
  ArtifactsBucket: {Type: String}
Resources:
  Static:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "https://${ArtifactsBucket}.s3.${AWS::Region}.${AWS::URLSuffix}/shop/templates/static.yaml"
`)
	srv := New(t, Scenario{S3: S3Objects{Client: s3c}})
	c := newClient(t, srv, 3)
	e := &env{t: t, srv: srv, c: c, ctx: ctx, params: nil}
	e.params = append(e.params, paramOf("ArtifactsBucket", artifacts))
	out, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("shop-dev"), ChangeSetName: aws.String("v1"),
		ChangeSetType: "CREATE", IncludeNestedStacks: aws.Bool(true), Parameters: e.params,
		TemplateURL: aws.String("https://" + artifacts + ".s3.us-east-1.amazonaws.com/shop/templates/root.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	}
	d, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
	if err != nil || d.Status != "CREATE_COMPLETE" {
		t.Fatalf("change set %+v %v", d, err)
	}
	if got := e.execute(d); got != "CREATE_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	put("shop-dev-uploads", "media/cat.jpg", "x")
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("shop-dev")}); err != nil {
		t.Fatal(err)
	}
	if got := e.wait(aws.ToString(d.StackId)); got != "DELETE_FAILED" || !strings.Contains(e.eventLog("shop-dev"), "BucketNotEmpty") {
		t.Errorf("delete with a non-empty bucket in moto: %s\n%s", got, e.eventLog("shop-dev"))
	}
}
