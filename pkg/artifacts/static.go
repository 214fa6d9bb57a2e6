package artifacts

import (
	"context"
	_ "embed"
)

// StaticStackName is the stack holding the managed static files bucket,
// one per account and region.
const StaticStackName = "django-serverless-static"

// StaticBucketTemplate is the managed static bucket's template: private
// (public access blocked; CloudFront distributions of the account read it
// through origin access control), SSE-S3, versioned with noncurrent
// versions expiring after 30 days, TLS only, retained if the stack is
// deleted. It holds nothing but static files: the artifacts bucket (code,
// templates, records) is never readable by CloudFront.
//
//go:embed static-bucket.yaml
var StaticBucketTemplate string

var staticStack = managedStack{
	name: StaticStackName, template: StaticBucketTemplate, logicalID: "StaticBucket", tag: "static",
	what: "static bucket", input: "set static.bucket in django-serverless.yml to an existing bucket",
}

// EnsureStaticBucket returns the bucket static files go to. configured
// (static.bucket) is checked to exist in region (CloudFront reads it at
// its regional endpoint, the stack's region); without one, the managed
// stack StaticStackName is reused or created and waited for, like the
// managed artifacts bucket.
func EnsureStaticBucket(ctx context.Context, cfn CFNClient, s3c BucketAPI, region, configured string) (string, error) {
	if configured != "" {
		return configured, checkNamedBucket(ctx, s3c, region, configured, bucketRole{
			what: "static bucket", fix: "fix static.bucket in django-serverless.yml, or remove it to use the managed static bucket",
			why: "the distribution reads it at the stack's region's S3 endpoint",
		})
	}
	return ensureManaged(ctx, cfn, region, staticStack)
}

// FindStaticBucket returns the bucket an environment's static files are
// in without creating anything: configured, or the managed stack's bucket
// ("" when that stack does not exist).
func FindStaticBucket(ctx context.Context, cfn CFNClient, configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	st, err := describeStack(ctx, cfn, StaticStackName)
	if err != nil || st == nil {
		return "", err
	}
	return bucketOf(ctx, cfn, st, staticStack.logicalID)
}
