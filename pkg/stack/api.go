// Package stack deploys the root CloudFormation stack of an environment
// through change sets that include every nested stack: it handles the
// stack's state before planning, creates and waits for the change set,
// executes it while streaming the events of the root and every nested
// stack, reports the earliest real root cause of a failure, reads outputs,
// cancels cleanly, and tears environments down with guard rails.
package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// API is the part of the CloudFormation client the deployer uses; the
// real *cloudformation.Client satisfies it as is.
type API interface {
	CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, optFns ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error)
	DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error)
	DeleteChangeSet(ctx context.Context, in *cloudformation.DeleteChangeSetInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error)
	ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, optFns ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error)
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
	DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	CancelUpdateStack(ctx context.Context, in *cloudformation.CancelUpdateStackInput, optFns ...func(*cloudformation.Options)) (*cloudformation.CancelUpdateStackOutput, error)
	UpdateTerminationProtection(ctx context.Context, in *cloudformation.UpdateTerminationProtectionInput, optFns ...func(*cloudformation.Options)) (*cloudformation.UpdateTerminationProtectionOutput, error)
	ListChangeSets(ctx context.Context, in *cloudformation.ListChangeSetsInput, optFns ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error)
}

var _ API = (*cloudformation.Client)(nil)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNoChanges: the change set had nothing to do and the request
	// asked to fail on that (fail-on-empty-changeset).
	ErrNoChanges = errors.New("no changes")
	// ErrRefused: a guard rail stopped the operation before anything
	// changed (protected environment, stack not made by this tool, ...).
	ErrRefused = errors.New("refused")
	// ErrCanceled: the run was cancelled or timed out during execution.
	ErrCanceled = errors.New("canceled")
	// ErrFailed: the stack operation failed (and rolled back).
	ErrFailed = errors.New("stack operation failed")
)

// APIError is a CloudFormation error reduced to its code and message,
// without the SDK's operation and request-id noise.
type APIError struct {
	Code    string
	Message string
	err     error
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the SDK error.
func (e *APIError) Unwrap() error { return e.err }

// awsErr turns an SDK error into an APIError where it carries one, and
// explains missing credentials.
func awsErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &APIError{Code: ae.ErrorCode(), Message: ae.ErrorMessage(), err: err}
	}
	if strings.Contains(err.Error(), "retrieve credentials") || strings.Contains(err.Error(), "get credentials") {
		return fmt.Errorf("no usable AWS credentials (configure them, e.g. with aws-actions/configure-aws-credentials): %w", err)
	}
	return err
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func isThrottle(err error) bool {
	return isCode(err, "Throttling") || isCode(err, "ThrottlingException") || isCode(err, "RequestLimitExceeded")
}

// counter counts calls per action and forwards them.
type counter struct {
	api   API
	calls map[string]int
}

func newCounter(api API) *counter { return &counter{api: api, calls: map[string]int{}} }

func (c *counter) CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
	c.calls["CreateChangeSet"]++
	return c.api.CreateChangeSet(ctx, in, o...)
}

func (c *counter) DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	c.calls["DescribeChangeSet"]++
	return c.api.DescribeChangeSet(ctx, in, o...)
}

func (c *counter) DeleteChangeSet(ctx context.Context, in *cloudformation.DeleteChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error) {
	c.calls["DeleteChangeSet"]++
	return c.api.DeleteChangeSet(ctx, in, o...)
}

func (c *counter) ExecuteChangeSet(ctx context.Context, in *cloudformation.ExecuteChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error) {
	c.calls["ExecuteChangeSet"]++
	return c.api.ExecuteChangeSet(ctx, in, o...)
}

func (c *counter) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	c.calls["DescribeStacks"]++
	return c.api.DescribeStacks(ctx, in, o...)
}

func (c *counter) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	c.calls["DescribeStackEvents"]++
	return c.api.DescribeStackEvents(ctx, in, o...)
}

func (c *counter) DeleteStack(ctx context.Context, in *cloudformation.DeleteStackInput, o ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error) {
	c.calls["DeleteStack"]++
	return c.api.DeleteStack(ctx, in, o...)
}

func (c *counter) CancelUpdateStack(ctx context.Context, in *cloudformation.CancelUpdateStackInput, o ...func(*cloudformation.Options)) (*cloudformation.CancelUpdateStackOutput, error) {
	c.calls["CancelUpdateStack"]++
	return c.api.CancelUpdateStack(ctx, in, o...)
}

func (c *counter) ListChangeSets(ctx context.Context, in *cloudformation.ListChangeSetsInput, o ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error) {
	c.calls["ListChangeSets"]++
	return c.api.ListChangeSets(ctx, in, o...)
}

func (c *counter) UpdateTerminationProtection(ctx context.Context, in *cloudformation.UpdateTerminationProtectionInput, o ...func(*cloudformation.Options)) (*cloudformation.UpdateTerminationProtectionOutput, error) {
	c.calls["UpdateTerminationProtection"]++
	return c.api.UpdateTerminationProtection(ctx, in, o...)
}
