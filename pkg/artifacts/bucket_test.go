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
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func TestBucketTemplateLints(t *testing.T) {
	lint := testenv.CfnLint(t)
	p := filepath.Join(t.TempDir(), "bucket.yaml")
	if err := os.WriteFile(p, []byte(BucketTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--format", "parseable", p).CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
	for _, want := range []string{"aws:SecureTransport", "BucketOwnerEnforced", "VersioningConfiguration", "BlockPublicPolicy: true", "NoncurrentVersionExpiration", "SSEAlgorithm"} {
		if !strings.Contains(BucketTemplate, want) {
			t.Errorf("template lacks %s", want)
		}
	}
}

func TestEnsureBucketInput(t *testing.T) {
	testenv.AWSEnv(t)
	c := motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	ctx := context.Background()
	here := newBucket(t, c, "us-east-1")
	there := newBucket(t, c, "eu-west-1")

	got, err := EnsureBucket(ctx, nil, c, "us-east-1", here)
	if err != nil || got != here {
		t.Fatalf("EnsureBucket(%s) = %q, %v", here, got, err)
	}
	for _, tc := range []struct{ bucket, want string }{
		{there, "artifacts bucket " + there + " is in region eu-west-1, not us-east-1"},
		{"no-such-bucket-here", "artifacts bucket no-such-bucket-here does not exist: fix the artifacts-bucket input"},
	} {
		_, err := EnsureBucket(ctx, nil, c, "us-east-1", tc.bucket)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("EnsureBucket(%s): want %q, got %v", tc.bucket, tc.want, err)
		}
	}
}

func TestEnsureBucketManaged(t *testing.T) {
	testenv.AWSEnv(t)
	ep := testenv.MotoEndpoint(t)
	ctx := context.Background()
	region := "eu-central-1" // a region no other test uses: the stack is ours
	cfg, err := LoadConfig(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	cfn := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(ep) })
	s3c := NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(ep) })

	first, err := EnsureBucket(ctx, cfn, s3c, region, "")
	if err != nil {
		t.Fatal(err)
	}
	if first == "" {
		t.Fatal("empty bucket name")
	}
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &first}); err != nil {
		t.Fatalf("managed bucket %s: %v", first, err)
	}
	// moto's CloudFormation applies only the encryption of AWS::S3::Bucket
	// (versioning, public access block and the AWS::S3::BucketPolicy
	// resource are ignored by moto 5.2): those are checked in the template
	// by TestBucketTemplateLints.
	enc, err := s3c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &first})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("encryption of %s: %v", first, err)
	}
	// Reused, not created again.
	second, err := EnsureBucket(ctx, cfn, s3c, region, "")
	if err != nil || second != first {
		t.Fatalf("second EnsureBucket = %q, %v; want %q", second, err, first)
	}
	// A stack without outputs (moto omits them after change sets): the
	// bucket resource's physical ID names the bucket.
	third, err := EnsureBucket(ctx, noOutputs{cfn}, s3c, region, "")
	if err != nil || third != first {
		t.Fatalf("EnsureBucket without outputs = %q, %v; want %q", third, err, first)
	}
	stacks, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(ManagedStackName)})
	if err != nil || len(stacks.Stacks) != 1 {
		t.Fatalf("describe %s: %v", ManagedStackName, err)
	}
}

// noOutputs hides the stack outputs of a real client.
type noOutputs struct{ *cloudformation.Client }

func (c noOutputs) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	out, err := c.Client.DescribeStacks(ctx, in, o...)
	if out != nil {
		for i := range out.Stacks {
			out.Stacks[i].Outputs = nil
		}
	}
	return out, err
}
