package artifacts

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ManagedStackName is the stack holding the managed artifacts bucket, one
// per account and region.
const ManagedStackName = "django-serverless-artifacts"

// BucketTemplate is the managed bucket's CloudFormation template: SSE
// (AES256, or aws:kms with the KMSKeyArn parameter), versioning, public
// access blocked, bucket-owner-enforced ownership, expiry of noncurrent
// versions and incomplete uploads, a TLS-only bucket policy, and the
// bucket retained if the stack is ever deleted.
//
//go:embed bucket.yaml
var BucketTemplate string

// bucketLogicalID is the bucket's logical ID in BucketTemplate.
const bucketLogicalID = "ArtifactsBucket"

// CFNClient is the part of the CloudFormation client EnsureBucket uses;
// *cloudformation.Client satisfies it.
type CFNClient interface {
	CreateStack(context.Context, *cloudformation.CreateStackInput, ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error)
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackResources(context.Context, *cloudformation.DescribeStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error)
}

// BucketAPI is the part of the S3 client EnsureBucket uses; *s3.Client
// satisfies it.
type BucketAPI interface {
	HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
}

var (
	_ CFNClient = (*cloudformation.Client)(nil)
	_ BucketAPI = (*s3.Client)(nil)
)

// How EnsureBucket waits for a stack being created by this or another
// run: the SDK's waiter (exponential backoff with jitter between the two
// delays), for at most managedStackMaxWait. Tests shorten the delays.
var (
	waitMinDelay = 2 * time.Second
	waitMaxDelay = 15 * time.Second
)

const managedStackMaxWait = 20 * time.Minute

// EnsureBucket returns the bucket artifacts go to. With input (the
// artifacts-bucket input) it checks that the bucket exists, is reachable
// and lives in region. Without, it reuses the stack ManagedStackName or
// creates it and waits, and returns the bucket named by its BucketName
// output (or, when a stack lacks the output, by the bucket resource's
// physical ID). An existing managed stack is never updated or deleted.
func EnsureBucket(ctx context.Context, cfn CFNClient, s3c BucketAPI, region, input string) (string, error) {
	if input != "" {
		return input, checkBucket(ctx, s3c, region, input)
	}
	return ensureManaged(ctx, cfn, region, artifactsStack)
}

// managedStack is a bucket stack created once per account and region.
type managedStack struct {
	name, template, logicalID, tag string
	// what names the bucket in messages; input says how to pass one
	// instead.
	what, input string
}

var artifactsStack = managedStack{
	name: ManagedStackName, template: BucketTemplate, logicalID: bucketLogicalID, tag: "artifacts",
	what: "artifacts bucket", input: "pass an existing bucket as the artifacts-bucket input",
}

func checkBucket(ctx context.Context, s3c BucketAPI, region, bucket string) error {
	return checkNamedBucket(ctx, s3c, region, bucket, bucketRole{
		what: "artifacts bucket", fix: "fix the artifacts-bucket input, or leave it empty to use the managed bucket",
		why: "CloudFormation reads templates from the stack's region",
	})
}

// bucketRole says what a bucket is for, in messages.
type bucketRole struct{ what, fix, why string }

func checkNamedBucket(ctx context.Context, s3c BucketAPI, region, bucket string, r bucketRole) error {
	head, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	if err != nil {
		switch {
		case isCredentialsError(err):
			return fmt.Errorf("%s %s: %w", r.what, bucket, errNoCredentials(err))
		case apiCode(err) == "NoSuchBucket" || apiCode(err) == "NotFound" || httpStatus(err) == 404:
			return fmt.Errorf("%s %s does not exist: %s", r.what, bucket, r.fix)
		case httpStatus(err) == 301 || apiCode(err) == "PermanentRedirect":
			return fmt.Errorf("%s %s is not in region %s: use a bucket in %s or set the region input to the bucket's region", r.what, bucket, region, region)
		case isAccessDenied(err):
			return fmt.Errorf("%s %s: access denied: grant the deploy role s3:ListBucket, s3:GetObject and s3:PutObject on it: %w", r.what, bucket, err)
		}
		return fmt.Errorf("check %s %s: %w", r.what, bucket, err)
	}
	got := aws.ToString(head.BucketRegion)
	loc, err := s3c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &bucket})
	switch {
	case err == nil:
		got = locationRegion(string(loc.LocationConstraint))
	case isAccessDenied(err) && got != "":
		// HeadBucket's x-amz-bucket-region answered already.
	default:
		return fmt.Errorf("%s %s: get its region: %w", r.what, bucket, err)
	}
	if got != region {
		return fmt.Errorf("%s %s is in region %s, not %s: %s; use a bucket in %s or set the region input to %s", r.what, bucket, got, region, r.why, region, got)
	}
	return nil
}

// locationRegion maps GetBucketLocation's constraint to a region name.
func locationRegion(c string) string {
	switch c {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return c
}

func ensureManaged(ctx context.Context, cfn CFNClient, region string, ms managedStack) (string, error) {
	name := ms.name
	created := false
	for {
		st, err := describeStack(ctx, cfn, name)
		if err != nil {
			return "", err
		}
		if st == nil {
			if created {
				return "", fmt.Errorf("stack %s in %s: created but not found afterwards (it failed and was deleted: see its events in the CloudFormation console)", name, region)
			}
			_, err := cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
				StackName:    &name,
				TemplateBody: aws.String(ms.template),
				OnFailure:    cfntypes.OnFailureDelete,
				Tags:         []cfntypes.Tag{{Key: aws.String("django-serverless"), Value: aws.String(ms.tag)}},
			})
			var exists *cfntypes.AlreadyExistsException
			if err != nil && !errors.As(err, &exists) {
				if isAccessDenied(err) {
					return "", fmt.Errorf("create stack %s: access denied: grant the deploy role cloudformation:CreateStack and s3:CreateBucket, s3:PutBucket*, or %s: %w", name, ms.input, err)
				}
				return "", fmt.Errorf("create stack %s: %w", name, err)
			}
			created = true
			continue
		}
		status := string(st.StackStatus)
		switch {
		case status == "CREATE_COMPLETE" || status == "UPDATE_COMPLETE" || status == "UPDATE_ROLLBACK_COMPLETE" || status == "IMPORT_COMPLETE":
			return bucketOf(ctx, cfn, st, ms.logicalID)
		case strings.HasSuffix(status, "_IN_PROGRESS"):
			if err := waitSettled(ctx, cfn, name); err != nil {
				return "", fmt.Errorf("wait for stack %s (%s): %w", name, status, err)
			}
		default:
			return "", fmt.Errorf("stack %s is in state %s (%s): delete it in the CloudFormation console of %s (its bucket is retained) and run again, or %s", name, status, aws.ToString(st.StackStatusReason), region, ms.input)
		}
	}
}

// waitSettled waits until stack name is in no *_IN_PROGRESS state (or is
// gone) with the SDK's DescribeStacks waiter. Its StackCreateComplete
// acceptors do not fit (they accept UPDATE_IN_PROGRESS as success and fail
// on a deleted stack, which EnsureBucket reports itself), so the waiter
// runs with this package's acceptor: retry while in progress, stop on any
// other state or when the stack no longer exists; the caller then reads
// the state again.
func waitSettled(ctx context.Context, cfn CFNClient, name string) error {
	w := cloudformation.NewStackCreateCompleteWaiter(cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
		o.Retryable = settledRetryable
	})
	_, err := w.WaitForOutput(ctx, &cloudformation.DescribeStacksInput{StackName: &name}, managedStackMaxWait)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func settledRetryable(_ context.Context, _ *cloudformation.DescribeStacksInput, out *cloudformation.DescribeStacksOutput, err error) (bool, error) {
	if err != nil {
		if apiCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			return false, nil
		}
		if isCredentialsError(err) {
			return false, errNoCredentials(err)
		}
		return false, err
	}
	for _, st := range out.Stacks {
		if strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
			return true, nil
		}
	}
	return false, nil
}

// describeStack returns the stack, or nil when it does not exist.
func describeStack(ctx context.Context, cfn CFNClient, name string) (*cfntypes.Stack, error) {
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		if apiCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		if isCredentialsError(err) {
			return nil, fmt.Errorf("describe stack %s: %w", name, errNoCredentials(err))
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	for i := range out.Stacks {
		if aws.ToString(out.Stacks[i].StackName) == name {
			return &out.Stacks[i], nil
		}
	}
	return nil, nil
}

// bucketOf reads the BucketName output, falling back on the bucket
// resource's physical ID (moto, for one, may omit outputs).
func bucketOf(ctx context.Context, cfn CFNClient, st *cfntypes.Stack, bucketLogicalID string) (string, error) {
	for _, o := range st.Outputs {
		if aws.ToString(o.OutputKey) == "BucketName" && aws.ToString(o.OutputValue) != "" {
			return aws.ToString(o.OutputValue), nil
		}
	}
	out, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{
		StackName:         st.StackName,
		LogicalResourceId: aws.String(bucketLogicalID),
	})
	if err != nil {
		return "", fmt.Errorf("stack %s has no BucketName output; describe its resources: %w", aws.ToString(st.StackName), err)
	}
	for _, r := range out.StackResources {
		if aws.ToString(r.LogicalResourceId) == bucketLogicalID && aws.ToString(r.PhysicalResourceId) != "" {
			return aws.ToString(r.PhysicalResourceId), nil
		}
	}
	return "", fmt.Errorf("stack %s has neither a BucketName output nor an %s resource: it was not created by django-serverless; delete or rename it", aws.ToString(st.StackName), bucketLogicalID)
}
