package action

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// StaticCleaner is what removing an environment's static files needs
// (*s3.Client satisfies it).
type StaticCleaner interface {
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

var _ StaticCleaner = (*s3.Client)(nil)

// staticPlace is where an environment's static files are.
type staticPlace struct{ bucket, prefix string }

// CleanupStats counts what removing static files did.
type CleanupStats struct {
	Removed  int `json:"removed"`  // objects (every version of each)
	Versions int `json:"versions"` // object versions and delete markers deleted
	Kept     int `json:"kept"`     // named by another environment's deployment
}

// removeStatic deletes every version of every object below the
// environment's static prefix, except the keys a deployment record of
// another live stack of the project names (none, with one prefix per
// environment; the check keeps a shared key safe whatever the layout).
// It runs only after the environment's own stack is gone: nothing
// deployed serves these files any more, and no rollback can need them.
func removeStatic(ctx context.Context, c Clients, place staticPlace, project, ownStack string, poll time.Duration) (CleanupStats, error) {
	var st CleanupStats
	keep, err := keysOfOtherStacks(ctx, c, place.bucket, project, ownStack, poll)
	if err != nil {
		return st, fmt.Errorf("static files of %s: read other environments' deployment records: %w (nothing removed)", ownStack, err)
	}
	prefix := place.prefix + "/static/"
	removed := map[string]bool{}
	var batch []s3types.ObjectIdentifier
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := c.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(place.bucket),
			Delete: &s3types.Delete{Objects: batch, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("delete static files in s3://%s/%s: %w", place.bucket, prefix, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete s3://%s/%s: %s: %s (and %d more)", place.bucket, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message), len(out.Errors)-1)
		}
		st.Versions += len(batch)
		batch = batch[:0]
		return nil
	}
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(place.bucket), Prefix: aws.String(prefix)}
	for {
		page, err := c.S3.ListObjectVersions(ctx, in)
		if err != nil {
			return st, fmt.Errorf("list static files in s3://%s/%s: %w", place.bucket, prefix, err)
		}
		add := func(key, version *string) error {
			k := aws.ToString(key)
			if keep[k] {
				return nil
			}
			removed[k] = true
			batch = append(batch, s3types.ObjectIdentifier{Key: key, VersionId: version})
			if len(batch) == 1000 { // DeleteObjects' limit
				return flush()
			}
			return nil
		}
		for _, v := range page.Versions {
			if err := add(v.Key, v.VersionId); err != nil {
				return st, err
			}
		}
		for _, m := range page.DeleteMarkers {
			if err := add(m.Key, m.VersionId); err != nil {
				return st, err
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	if err := flush(); err != nil {
		return st, err
	}
	st.Removed = len(removed)
	for k := range keep {
		if strings.HasPrefix(k, prefix) {
			st.Kept++
		}
	}
	return st, nil
}

// keysOfOtherStacks lists the static keys in bucket that the deployment
// records of the project's other live stacks name.
func keysOfOtherStacks(ctx context.Context, c Clients, bucket, project, ownStack string, poll time.Duration) (map[string]bool, error) {
	keep := map[string]bool{}
	in := &cloudformation.DescribeStacksInput{}
	for {
		out, err := c.CFN.DescribeStacks(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range out.Stacks {
			name := aws.ToString(s.StackName)
			if name == ownStack || s.StackStatus == cfntypes.StackStatusDeleteComplete || s.ParentId != nil || !taggedFor(s.Tags, project) {
				continue
			}
			rec, _, err := PreviousRecord(ctx, c.CFN, c.S3, name, "", poll)
			if err != nil {
				return nil, fmt.Errorf("stack %s: %w", name, err)
			}
			if rec == nil || rec.Static == nil || rec.Static.Bucket != bucket {
				continue
			}
			for _, f := range rec.Static.Files {
				keep[rec.Static.Key(f.Name)] = true
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return keep, nil
		}
		in.NextToken = out.NextToken
	}
}

func taggedFor(tags []cfntypes.Tag, project string) bool {
	var managed, ours bool
	for _, t := range tags {
		switch aws.ToString(t.Key) {
		case stack.ManagedByTag:
			managed = aws.ToString(t.Value) == stack.ManagedBy
		case stack.ProjectTag:
			ours = aws.ToString(t.Value) == project
		}
	}
	return managed && ours
}

// staticPlaceOf is where an environment's static files are: its
// deployment record says (whatever the configuration says now); without
// one (a first deploy that rolled back), the plan's prefix in the
// configured or managed static bucket, if the plan uses CloudFront.
func staticPlaceOf(ctx context.Context, c Clients, b *Build, rec *record.Record) (staticPlace, bool, error) {
	if rec != nil && rec.Static != nil && rec.Static.Bucket != "" {
		return staticPlace{bucket: rec.Static.Bucket, prefix: rec.Static.Prefix}, true, nil
	}
	if !b.Plan.CloudFront() {
		return staticPlace{}, false, nil
	}
	bucket, err := artifacts.FindStaticBucket(ctx, c.CFN, b.Plan.Static.Bucket)
	if err != nil || bucket == "" {
		return staticPlace{}, false, err
	}
	return staticPlace{bucket: bucket, prefix: b.Plan.Static.Prefix}, true, nil
}

func logStatic(log io.Writer, place staticPlace, st CleanupStats) {
	line := fmt.Sprintf("removed %d static files (%d object versions) under s3://%s/%s/static/", st.Removed, st.Versions, place.bucket, place.prefix)
	if st.Kept > 0 {
		line += fmt.Sprintf("; kept %d that other environments' deployments name", st.Kept)
	}
	logf(log, "%s", line)
}
