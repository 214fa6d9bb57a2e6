package artifacts

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

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

// scriptedStacks stands for CloudFormation creating the managed stack
// asynchronously (moto creates it at once): DescribeStacks answers the
// scripted states one call after another once CreateStack was called;
// "" means the stack does not exist (ValidationError, as AWS answers).
type scriptedStacks struct {
	states    []string
	created   bool
	describes int
}

func (s *scriptedStacks) CreateStack(context.Context, *cloudformation.CreateStackInput, ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	s.created = true
	return &cloudformation.CreateStackOutput{StackId: aws.String("arn:aws:cloudformation:eu-west-1:123456789012:stack/" + ManagedStackName + "/1")}, nil
}

func (s *scriptedStacks) DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	state := ""
	if s.created {
		state = s.states[min(s.describes, len(s.states)-1)]
		s.describes++
	}
	if state == "" {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + ManagedStackName + " does not exist"}
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cfntypes.Stack{{
		StackName:   aws.String(ManagedStackName),
		StackStatus: cfntypes.StackStatus(state),
		Outputs:     []cfntypes.Output{{OutputKey: aws.String("BucketName"), OutputValue: aws.String("managed-bucket")}},
	}}}, nil
}

func (s *scriptedStacks) DescribeStackResources(context.Context, *cloudformation.DescribeStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error) {
	return nil, errors.New("not expected: the stack has outputs")
}

// The SDK's waiter waits out the creation (with this package's acceptor:
// in progress retries, anything else stops), and a stack that failed and
// was deleted (OnFailure DELETE) is reported as such.
func TestEnsureBucketWaitsForCreation(t *testing.T) {
	defer func(a, b time.Duration) { waitMinDelay, waitMaxDelay = a, b }(waitMinDelay, waitMaxDelay)
	waitMinDelay, waitMaxDelay = time.Millisecond, 5*time.Millisecond
	ctx := context.Background()

	s := &scriptedStacks{states: []string{"CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"}}
	got, err := EnsureBucket(ctx, s, nil, "eu-west-1", "")
	if err != nil || got != "managed-bucket" {
		t.Fatalf("EnsureBucket = %q, %v", got, err)
	}
	// One describe sees the stack in progress, the waiter polls until
	// CREATE_COMPLETE, EnsureBucket reads that state once more.
	if s.describes != 5 {
		t.Errorf("DescribeStacks after CreateStack: %d calls, want 5", s.describes)
	}

	s = &scriptedStacks{states: []string{"CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS", ""}}
	_, err = EnsureBucket(ctx, s, nil, "eu-west-1", "")
	if err == nil || !strings.Contains(err.Error(), "created but not found afterwards") {
		t.Fatalf("deleted after a failed creation: %v", err)
	}

	// An UPDATE_IN_PROGRESS is waited for too (the SDK's own
	// StackCreateComplete acceptors would call it success at once).
	s = &scriptedStacks{states: []string{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"}, created: true}
	if got, err := EnsureBucket(ctx, s, nil, "eu-west-1", ""); err != nil || got != "managed-bucket" || s.describes != 4 {
		t.Fatalf("update in progress: %q, %v after %d describes", got, err, s.describes)
	}

	// Cancellation ends the wait with the context's error.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	s = &scriptedStacks{states: []string{"CREATE_IN_PROGRESS"}}
	if _, err := EnsureBucket(cctx, s, nil, "eu-west-1", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
}
