package artifacts

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MaxAttempts is how many times the SDK tries one request (throttling,
// 5xx and dropped connections are retried with jittered exponential
// backoff of at most MaxBackoff).
const MaxAttempts = 8

// ErrNoRegion is LoadConfig's error when no region is configured anywhere.
var ErrNoRegion = errors.New("no AWS region: set the region input, --region or AWS_REGION")

// LoadConfig loads the SDK configuration for region (empty: from the
// environment) with the standard retryer at MaxAttempts, and checks that
// credentials resolve, so a missing login is one clear error before any
// work. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured by
// the SDK itself.
func LoadConfig(ctx context.Context, region string, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = MaxAttempts })
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, optFns...)...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if cfg.Credentials == nil {
		return aws.Config{}, errNoCredentials(fmt.Errorf("no credential provider"))
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, errNoCredentials(err)
	}
	return cfg, nil
}

// NewS3Client returns an S3 client for region. When an endpoint override
// is set (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3, as for moto or
// LocalStack) it addresses buckets by path, which such servers need.
func NewS3Client(ctx context.Context, region string) (*s3.Client, error) {
	cfg, err := LoadConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	return NewS3ClientFromConfig(cfg), nil
}

// NewS3ClientFromConfig builds the client from a loaded config. The SDK
// resolves AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL into BaseEndpoint before
// options run; path-style addressing is on whenever one is in effect.
func NewS3ClientFromConfig(cfg aws.Config, optFns ...func(*s3.Options)) *s3.Client {
	pathStyle := func(o *s3.Options) {
		if o.BaseEndpoint != nil || cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	}
	return s3.NewFromConfig(cfg, append(append([]func(*s3.Options){}, optFns...), pathStyle)...)
}
