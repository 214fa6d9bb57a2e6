package action

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// APIKeyExpiresParam is the root parameter holding the AppSync API key's
// expiry (Unix seconds), declared when AppSync uses API_KEY auth.
const APIKeyExpiresParam = "GraphQLApiKeyExpires"

const (
	// apiKeyLifetime is how far ahead a new expiry is set: AppSync accepts
	// at most 365 days.
	apiKeyLifetime = 364 * 24 * time.Hour
	// apiKeyRenewBefore: a key expiring sooner than this is renewed.
	apiKeyRenewBefore = 60 * 24 * time.Hour
)

// describeStacksAPI is the one call apiKeyExpiry needs.
type describeStacksAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// apiKeyExpiry chooses the API key's expiry. AppSync keys expire 7 days
// after creation by default, which would take a production API down a week
// after a deploy; so the key gets almost a year. To keep "no changes" a
// no-change change set, the deployed value is kept while it is more than 60
// days away, and only then moved forward (to a whole day, so two runs on
// the same day agree).
func apiKeyExpiry(ctx context.Context, api describeStacksAPI, stack string, now time.Time) string {
	if api != nil {
		out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
		if err == nil && len(out.Stacks) > 0 {
			for _, p := range out.Stacks[0].Parameters {
				if aws.ToString(p.ParameterKey) != APIKeyExpiresParam {
					continue
				}
				v := strings.TrimSpace(aws.ToString(p.ParameterValue))
				if secs, err := strconv.ParseInt(v, 10, 64); err == nil && time.Unix(secs, 0).After(now.Add(apiKeyRenewBefore)) {
					return v
				}
			}
		}
	}
	exp := now.UTC().Add(apiKeyLifetime).Truncate(24 * time.Hour)
	return strconv.FormatInt(exp.Unix(), 10)
}
