package action

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// stacksWithParam answers DescribeStacks with one stack holding the
// expiry parameter (or a ValidationError when value is "missing", as AWS
// answers for a stack that does not exist).
type stacksWithParam struct{ value string }

func (s stacksWithParam) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if s.value == "missing" {
		return nil, errors.New("ValidationError: Stack with id " + aws.ToString(in.StackName) + " does not exist")
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{{
		StackName:  in.StackName,
		Parameters: []types.Parameter{{ParameterKey: aws.String(APIKeyExpiresParam), ParameterValue: aws.String(s.value)}},
	}}}, nil
}

func TestAPIKeyExpiry(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC)
	fresh := strconv.FormatInt(time.Date(2027, 11, 26, 0, 0, 0, 0, time.UTC).Unix(), 10)
	later := strconv.FormatInt(now.Add(200*24*time.Hour).Unix(), 10)
	soon := strconv.FormatInt(now.Add(10*24*time.Hour).Unix(), 10)
	tests := []struct {
		name string
		api  describeStacksAPI
		want string
	}{
		{"new stack gets almost a year, on a whole day", stacksWithParam{"missing"}, fresh},
		{"no client", nil, fresh},
		{"deployed expiry far enough away is kept (no change)", stacksWithParam{later}, later},
		{"expiry within 60 days is renewed", stacksWithParam{soon}, fresh},
		{"0 (AppSync's 7-day default) is renewed", stacksWithParam{"0"}, fresh},
		{"garbage is renewed", stacksWithParam{"soon"}, fresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiKeyExpiry(context.Background(), tt.api, "shop-prod", now); got != tt.want {
				t.Errorf("apiKeyExpiry = %s, want %s", got, tt.want)
			}
		})
	}
	// Two runs on the same day agree.
	a := apiKeyExpiry(context.Background(), nil, "s", now)
	b := apiKeyExpiry(context.Background(), nil, "s", now.Add(5*time.Hour))
	if a != b {
		t.Errorf("same-day runs disagree: %s vs %s", a, b)
	}
}

// The tutorial's AppSync uses API_KEY: its rendered root declares the
// expiry parameter where Run looks for it, and a REST-only render does not.
func TestRootDeclaresAPIKeyExpiry(t *testing.T) {
	b, err := NewBuild(context.Background(), BuildOptions{
		ProjectDir: "../../testdata/django/tutorial", WorkDir: t.TempDir(),
		Deps: &PipDeps{CacheDir: t.TempDir()}, // resolve only: no package index needed
	})
	if err != nil {
		t.Fatal(err)
	}
	root := b.Output.Templates[len(b.Output.Templates)-1]
	declares := bytes.Contains(root.Body, []byte("\n  "+APIKeyExpiresParam+":\n"))
	if root.Name != "root.yaml" || !b.Output.APIKeyExpiry || !declares {
		t.Fatalf("%s: APIKeyExpiry=%v, declares %s=%v:\n%s", root.Name, b.Output.APIKeyExpiry, APIKeyExpiresParam, declares, root.Body)
	}
	// A project without AppSync declares no expiry, and render says so.
	nb, err := NewBuild(context.Background(), BuildOptions{
		ProjectDir: "../../testdata/django/legacy", WorkDir: t.TempDir(),
		Deps: &PipDeps{CacheDir: t.TempDir()},
	})
	if err != nil {
		t.Fatal(err)
	}
	nroot := nb.Output.Templates[len(nb.Output.Templates)-1]
	if nb.Output.APIKeyExpiry || bytes.Contains(nroot.Body, []byte(APIKeyExpiresParam)) {
		t.Errorf("legacy (no GraphQL): APIKeyExpiry=%v, root mentions %s", nb.Output.APIKeyExpiry, APIKeyExpiresParam)
	}
}
