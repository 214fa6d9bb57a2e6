package action

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/django-serverless/django-serverless-action/pkg/human"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// STS is what the account lookup needs (*sts.Client satisfies it).
type STS interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// TemplateReader is what reading the deployed root template needs
// (*cloudformation.Client satisfies it).
type TemplateReader interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	GetTemplate(ctx context.Context, in *cloudformation.GetTemplateInput, optFns ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
}

// ObjectReader is what reading objects back needs (*s3.Client satisfies it).
type ObjectReader interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var (
	_ STS            = (*sts.Client)(nil)
	_ TemplateReader = (*cloudformation.Client)(nil)
	_ ObjectReader   = (*s3.Client)(nil)
)

// AccountID asks STS which account the credentials belong to: the API's
// OpenAPI document names its functions by ARN, and CloudFormation resolves
// no ${AWS::AccountId} inside a document loaded from S3.
func AccountID(ctx context.Context, api STS) (string, error) {
	if api == nil {
		return "", errors.New("account ID: no STS client")
	}
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("account ID (sts:GetCallerIdentity): %w", err)
	}
	id := aws.ToString(out.Account)
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Errorf("account ID: sts:GetCallerIdentity returned %q, not 12 digits", id)
	}
	return id, nil
}

// recordMaxBytes bounds a deployment record read back (a real one is a
// few hundred KB for thousands of functions).
const recordMaxBytes = 16 << 20

// PreviousRecord reads the deployment record of the stack as deployed:
// the record key named in its root template's Metadata (GetTemplate,
// TemplateStage Original), fetched from the bucket the stack uses (its
// ArtifactsBucket parameter, else bucket). No stack, or a stack with no
// deployed template (REVIEW_IN_PROGRESS, ROLLBACK_COMPLETE), is nil: the
// first-deploy layout. A stack whose template names no record (deployed
// before records existed) is nil too, with note set. A stack busy with
// another operation is waited for (every poll, until ctx ends), so the
// template read is the one that stays. Any other failure is an error:
// placing functions without knowing where they are could move them.
func PreviousRecord(ctx context.Context, cfn TemplateReader, objs ObjectReader, stackName, bucket string, poll time.Duration) (rec *record.Record, note string, err error) {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	var st *cfntypes.Stack
	for {
		out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)})
		if err != nil {
			if stackMissing(err) {
				return nil, "", nil
			}
			return nil, "", fmt.Errorf("read deployment record of %s: %w", stackName, err)
		}
		if len(out.Stacks) == 0 {
			return nil, "", nil
		}
		st = &out.Stacks[0]
		status := string(st.StackStatus)
		if status == "REVIEW_IN_PROGRESS" || status == "ROLLBACK_COMPLETE" || status == "DELETE_COMPLETE" {
			return nil, "", nil
		}
		if !strings.HasSuffix(status, "_IN_PROGRESS") {
			break
		}
		select {
		case <-ctx.Done():
			return nil, "", fmt.Errorf("read deployment record of %s: stack busy (%s): %w", stackName, status, ctx.Err())
		case <-time.After(poll):
		}
	}
	for _, p := range st.Parameters {
		if aws.ToString(p.ParameterKey) == "ArtifactsBucket" && aws.ToString(p.ParameterValue) != "" {
			bucket = aws.ToString(p.ParameterValue)
		}
	}
	tpl, err := cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(stackName), TemplateStage: cfntypes.TemplateStageOriginal})
	if err != nil {
		return nil, "", fmt.Errorf("read deployment record of %s: get template: %w", stackName, err)
	}
	key, ok, err := record.KeyFromTemplate([]byte(aws.ToString(tpl.TemplateBody)))
	if err != nil {
		return nil, "", fmt.Errorf("read deployment record of %s: %w", stackName, err)
	}
	if !ok {
		return nil, fmt.Sprintf("stack %s was deployed without a deployment record: planning the first-deploy layout", stackName), nil
	}
	obj, err := objs.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, quietChecksums)
	if err != nil {
		return nil, "", fmt.Errorf("read deployment record s3://%s/%s of stack %s: %w", bucket, key, stackName, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, recordMaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("read deployment record s3://%s/%s: %w", bucket, key, err)
	}
	if len(data) > recordMaxBytes {
		return nil, "", fmt.Errorf("deployment record s3://%s/%s is larger than %s", bucket, key, human.Bytes(recordMaxBytes))
	}
	rec, err = record.Decode(data)
	if err != nil {
		return nil, "", fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	if rec.Stack != "" && rec.Stack != stackName {
		return nil, "", fmt.Errorf("deployment record s3://%s/%s belongs to stack %s, not %s", bucket, key, rec.Stack, stackName)
	}
	if rec.API == nil {
		rec.API = deployedAPI(st.Outputs)
	}
	return rec, "", nil
}

// deployedAPI reads what a record written before it named the API (its
// type, its custom domain) from the root stack's outputs, with the
// logical IDs every API had then (Stage, CustomDomain): ApiUrl is the
// stage's URL (REST: ending in /<stage>/; HTTP: the $default stage, /),
// and DomainTarget is a domain at SiteUrl's host, an API Gateway custom
// domain without DistributionId. nil when the outputs do not say.
func deployedAPI(outputs []cfntypes.Output) *record.API {
	out := map[string]string{}
	for _, o := range outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	u, err := url.Parse(out["ApiUrl"])
	if err != nil || u.Host == "" {
		return nil
	}
	a := &record.API{Type: "rest", StageID: "Stage", Inferred: true}
	if u.Path == "/" || u.Path == "" {
		a.Type = "http"
	}
	if _, ok := out["DomainTarget"]; ok {
		if site, err := url.Parse(out["SiteUrl"]); err == nil && site.Host != "" {
			a.SiteDomain = site.Hostname()
			if _, cf := out["DistributionId"]; !cf {
				a.Domain, a.DomainID = a.SiteDomain, "CustomDomain"
			}
		}
	}
	return a
}

// quietChecksums keeps the SDK from logging that a ranged GET (or an
// object stored without a checksum) could not be checksum-validated.
func quietChecksums(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

func stackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}

// zipUnzippedSize reads the unzipped size of a zip in S3 from its central
// directory alone (ranged GETs of its tail), without downloading it.
func zipUnzippedSize(ctx context.Context, api ObjectReader, bucket, key string) (int64, error) {
	r := &s3ReaderAt{ctx: ctx, api: api, bucket: bucket, key: key, blocks: map[int64][]byte{}}
	size, err := r.size()
	if err != nil {
		return 0, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return 0, fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	var total int64
	for _, f := range zr.File {
		total += int64(f.UncompressedSize64)
	}
	return total, nil
}

// s3ReaderAt reads an S3 object by ranged GETs of 1 MB blocks, cached.
type s3ReaderAt struct {
	ctx         context.Context
	api         ObjectReader
	bucket, key string
	length      int64
	blocks      map[int64][]byte
}

const s3Block = 1 << 20

func (r *s3ReaderAt) size() (int64, error) {
	// A one-byte range returns the object's total length in Content-Range.
	out, err := r.api.GetObject(r.ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(r.key), Range: aws.String("bytes=0-0")}, quietChecksums)
	if err != nil {
		return 0, fmt.Errorf("s3://%s/%s: %w", r.bucket, r.key, err)
	}
	defer out.Body.Close()
	cr := aws.ToString(out.ContentRange)
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return 0, fmt.Errorf("s3://%s/%s: no object length in Content-Range %q", r.bucket, r.key, cr)
	}
	var n int64
	if _, err := fmt.Sscan(cr[i+1:], &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("s3://%s/%s: bad Content-Range %q", r.bucket, r.key, cr)
	}
	r.length = n
	return n, nil
}

func (r *s3ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.length {
			return n, io.EOF
		}
		start := pos / s3Block * s3Block
		b, ok := r.blocks[start]
		if !ok {
			end := min(start+s3Block, r.length) - 1
			out, err := r.api.GetObject(r.ctx, &s3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(r.key), Range: aws.String(fmt.Sprintf("bytes=%d-%d", start, end))}, quietChecksums)
			if err != nil {
				return n, err
			}
			b, err = io.ReadAll(io.LimitReader(out.Body, s3Block+1))
			out.Body.Close()
			if err != nil {
				return n, err
			}
			r.blocks[start] = b
		}
		i := int(pos - start)
		if i >= len(b) {
			return n, io.ErrUnexpectedEOF
		}
		n += copy(p[n:], b[i:])
	}
	return n, nil
}

// ZipUnzippedSize is zipUnzippedSize for tests and callers outside Run.
func ZipUnzippedSize(ctx context.Context, api ObjectReader, bucket, key string) (int64, error) {
	return zipUnzippedSize(ctx, api, bucket, key)
}
