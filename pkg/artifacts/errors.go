package artifacts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// abortTimeout bounds the clean-up of a failed multipart upload (the
// transfer manager's FailTimeout: the abort runs on a fresh context, so a
// cancelled run still aborts its upload).
const abortTimeout = 30 * time.Second

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isNotFound(err error) bool {
	switch apiCode(err) {
	case "NotFound", "NoSuchKey":
		return true
	}
	return httpStatus(err) == http.StatusNotFound && apiCode(err) != "NoSuchBucket"
}

func isAccessDenied(err error) bool {
	return apiCode(err) == "AccessDenied" || apiCode(err) == "Forbidden" || httpStatus(err) == http.StatusForbidden
}

func isCredentialsError(err error) bool {
	return strings.Contains(err.Error(), "failed to retrieve credentials") ||
		strings.Contains(err.Error(), "no EC2 IMDS role found") ||
		strings.Contains(err.Error(), "static credentials are empty")
}

// explain turns an S3 failure into one error a person can act on: what
// was attempted, on which object, and what to change.
func explain(err error, action, bucket, key string) error {
	where := "s3://" + bucket + "/" + key
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// Checked first: a cancelled request also fails to "retrieve
		// credentials", which is not what happened.
		return fmt.Errorf("%s %s: cancelled: %w", action, where, err)
	case apiCode(err) == "NoSuchUpload":
		return fmt.Errorf("%s %s: the multipart upload was aborted while it ran (by another process or a lifecycle rule on incomplete uploads): run again: %w", action, where, err)
	case isCredentialsError(err):
		return fmt.Errorf("%s %s: %w", action, where, errNoCredentials(err))
	case apiCode(err) == "NoSuchBucket":
		return fmt.Errorf("%s %s: bucket %s does not exist: create it or leave the artifacts-bucket input empty to use the managed bucket: %w", action, where, bucket, err)
	case isAccessDenied(err):
		perm := action
		if i := strings.IndexByte(perm, ' '); i > 0 {
			perm = perm[:i]
		}
		return fmt.Errorf("%s %s: access denied: grant the deploy role %s on arn:aws:s3:::%s/%s*: %w", action, where, perm, bucket, keyPrefix(key), err)
	case apiCode(err) == "PermanentRedirect" || apiCode(err) == "AuthorizationHeaderMalformed" || httpStatus(err) == http.StatusMovedPermanently:
		return fmt.Errorf("%s %s: bucket %s is in another region than the one configured: set the region input to the bucket's region: %w", action, where, bucket, err)
	}
	return fmt.Errorf("%s %s: %w", action, where, err)
}

func keyPrefix(key string) string {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i+1]
	}
	return ""
}

func errNoCredentials(err error) error {
	return fmt.Errorf("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use aws-actions/configure-aws-credentials before this step: %w", err)
}

// isConditionFailed is S3's refusal of a conditional write (If-None-Match:
// *): 412 Precondition Failed when the key holds an object, 409
// ConditionalRequestConflict when another write to it was in progress.
func isConditionFailed(err error) bool {
	switch apiCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return httpStatus(err) == http.StatusPreconditionFailed
}
