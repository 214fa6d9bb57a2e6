package cfnfake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MapObjects is an in-memory S3 for unit tests.
type MapObjects struct {
	mu sync.Mutex
	m  map[string][]byte // "bucket/key"
}

// NewMapObjects returns an empty store.
func NewMapObjects() *MapObjects { return &MapObjects{m: map[string][]byte{}} }

// Put stores an object.
func (o *MapObjects) Put(bucket, key string, body []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[bucket+"/"+key] = append([]byte(nil), body...)
}

// Delete removes an object.
func (o *MapObjects) Delete(bucket, key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, bucket+"/"+key)
}

// GetObject implements Objects.
func (o *MapObjects) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.m[bucket+"/"+key]
	if !ok {
		return nil, errNoSuchKey
	}
	return append([]byte(nil), b...), nil
}

// HasObjects implements Objects.
func (o *MapObjects) HasObjects(_ context.Context, bucket string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.m {
		if strings.HasPrefix(k, bucket+"/") {
			return true, nil
		}
	}
	return false, nil
}

var errNoSuchKey = errors.New("NoSuchKey")

// awsErrorf is an error carrying AWS's own message, punctuation and all.
func awsErrorf(format string, args ...any) error {
	return &templateError{fmt.Sprintf(format, args...)}
}

// S3API is the part of the S3 client S3Objects uses; *s3.Client
// satisfies it.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// S3Objects reads a real (moto) S3 through the SDK.
type S3Objects struct{ Client S3API }

// GetObject implements Objects.
func (o S3Objects) GetObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(out.Body, maxTemplateBytes+1)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// HasObjects implements Objects.
func (o S3Objects) HasObjects(ctx context.Context, bucket string) (bool, error) {
	out, err := o.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1)})
	if err != nil {
		return false, err
	}
	return aws.ToInt32(out.KeyCount) > 0, nil
}

// maxTemplateBytes is CloudFormation's limit for a template in S3.
const maxTemplateBytes = 1 << 20

var (
	virtualHostRE = regexp.MustCompile(`^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$`)
	pathStyleRE   = regexp.MustCompile(`^s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$`)
)

// parseTemplateURL splits an S3 https URL into bucket and key. Both of
// AWS's forms are accepted: https://BUCKET.s3.REGION.amazonaws.com/KEY
// (also without REGION, or s3-REGION) and https://s3.REGION.amazonaws.com/BUCKET/KEY.
func parseTemplateURL(raw string) (bucket, key string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", "", awsErrorf("TemplateURL must be a supported URL.")
	}
	p := strings.TrimPrefix(u.Path, "/")
	switch {
	case virtualHostRE.MatchString(u.Host):
		bucket, key = virtualHostRE.FindStringSubmatch(u.Host)[1], p
	case pathStyleRE.MatchString(u.Host):
		bucket, key, _ = strings.Cut(p, "/")
	default:
		return "", "", awsErrorf("TemplateURL must be a supported URL.")
	}
	if bucket == "" || key == "" {
		return "", "", awsErrorf("TemplateURL must be a supported URL.")
	}
	return bucket, key, nil
}

// fetchTemplate reads a template from the fake's S3, with AWS's errors.
func (s *Server) fetchTemplate(raw string) (string, error) {
	bucket, key, err := parseTemplateURL(raw)
	if err != nil {
		return "", err
	}
	if s.sc.S3 == nil {
		return "", awsErrorf("S3 error: Access Denied For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html")
	}
	b, err := s.sc.S3.GetObject(s.ctx, bucket, key)
	if err != nil {
		return "", awsErrorf("S3 error: Access Denied For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html")
	}
	if len(b) > maxTemplateBytes {
		return "", awsErrorf("Template may not exceed 1048576 bytes in size.")
	}
	return string(b), nil
}
