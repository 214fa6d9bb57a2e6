package artifacts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// TestStaticBucketTemplate: cfn-lint clean; private (public access
// blocked, no Allow to "*"); readable by CloudFront distributions of the
// account only, through origin access control; TLS only.
func TestStaticBucketTemplate(t *testing.T) {
	lint := testenv.CfnLint(t)
	p := filepath.Join(t.TempDir(), "static-bucket.yaml")
	if err := os.WriteFile(p, []byte(StaticBucketTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, "--format", "parseable", p).CombinedOutput(); err != nil || len(out) != 0 {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(StaticBucketTemplate), &doc); err != nil {
		t.Fatal(err)
	}
	block := doc.Resources["StaticBucket"].Properties["PublicAccessBlockConfiguration"].(map[string]any)
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if block[k] != true {
			t.Errorf("%s is not true", k)
		}
	}
	stmts := doc.Resources["StaticBucketPolicy"].Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)
	allows := 0
	for _, s := range stmts {
		st := s.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		allows++
		principal, _ := st["Principal"].(map[string]any)
		cond, _ := st["Condition"].(map[string]any)
		if principal["Service"] != "cloudfront.amazonaws.com" || st["Action"] != "s3:GetObject" || cond["StringEquals"] == nil || cond["ArnLike"] == nil {
			t.Errorf("allow statement %v", st)
		}
	}
	if allows != 1 || !strings.Contains(StaticBucketTemplate, `"AWS:SourceArn": !Sub "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*"`) ||
		!strings.Contains(StaticBucketTemplate, `"aws:SecureTransport": "false"`) {
		t.Errorf("%d allow statements; source ARN or TLS condition missing", allows)
	}
}

// TestEnsureStaticBucket (moto): the managed static stack is created once
// and reused, found without creating it, and a configured bucket is
// checked like the artifacts bucket, with messages naming static.bucket.
func TestEnsureStaticBucket(t *testing.T) {
	testenv.AWSEnv(t)
	ep := testenv.MotoEndpoint(t)
	ctx := context.Background()
	region := "ap-southeast-2" // a region no other test uses: the stack is ours
	cfg, err := LoadConfig(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	cfn := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(ep) })
	s3c := NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(ep) })

	// Nothing is found before the stack exists (a moto that served an
	// earlier run of this test has it already).
	_, existsErr := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(StaticStackName)})
	if got, err := FindStaticBucket(ctx, cfn, ""); err != nil || (existsErr != nil) != (got == "") {
		t.Fatalf("before: found %q (%v), stack lookup %v", got, err, existsErr)
	}
	first, err := EnsureStaticBucket(ctx, cfn, s3c, region, "")
	if err != nil || first == "" {
		t.Fatalf("create: %q %v", first, err)
	}
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &first}); err != nil {
		t.Fatalf("managed static bucket %s: %v", first, err)
	}
	again, err := EnsureStaticBucket(ctx, cfn, s3c, region, "")
	if err != nil || again != first {
		t.Fatalf("reuse: %q %v, want %q", again, err, first)
	}
	if found, err := FindStaticBucket(ctx, cfn, ""); err != nil || found != first {
		t.Fatalf("find: %q %v", found, err)
	}
	stacks, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(StaticStackName)})
	if err != nil || len(stacks.Stacks) != 1 {
		t.Fatalf("describe %s: %v", StaticStackName, err)
	}
	artifactsStacks, _ := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	for _, s := range artifactsStacks.Stacks {
		if aws.ToString(s.StackName) == ManagedStackName {
			t.Error("the static bucket made the artifacts stack too")
		}
	}

	c := motoClient(t, ep, "us-east-1")
	there := newBucket(t, c, "eu-west-1")
	if got, err := EnsureStaticBucket(ctx, nil, c, "us-east-1", there); err == nil || !strings.Contains(err.Error(), "static bucket "+there+" is in region eu-west-1, not us-east-1") {
		t.Errorf("wrong region: %q %v", got, err)
	}
	if _, err := EnsureStaticBucket(ctx, nil, c, "us-east-1", "no-such-static-bucket"); err == nil || !strings.Contains(err.Error(), "fix static.bucket in django-serverless.yml") {
		t.Errorf("missing: %v", err)
	}
	here := newBucket(t, c, "us-east-1")
	if got, err := EnsureStaticBucket(ctx, nil, c, "us-east-1", here); err != nil || got != here {
		t.Errorf("configured: %q %v", got, err)
	}
}
