package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/django-serverless/django-serverless-action/pkg/changeset"
)

// Deployer runs plans, deploys and destroys against CloudFormation.
type Deployer struct {
	CFN API
	// Log receives the human-readable progress (one line per event).
	Log io.Writer
	// Poll is the longest wait between two polls (default 3s). Polling
	// starts at once and backs off Poll/4, Poll/2, Poll, Poll, ...
	Poll time.Duration
	// Timeout bounds an operation when the request sets none (default
	// 30 minutes).
	Timeout time.Duration
	// CancelWait is how long a cancelled deploy keeps following the
	// rollback it requested before reporting (default 5s).
	CancelWait time.Duration
	// OnChangeSet, when set, receives the change set's ARN as soon as it is
	// known and before any event is logged, so the Action can mask the
	// account ID it carries.
	OnChangeSet func(arn string)
	// PileUpWarning overrides the package's PileUpWarning (tests).
	PileUpWarning int
	// BeforeExecute, when set, runs in Deploy once the change set is
	// known to be executable, just before ExecuteChangeSet, and also when
	// the change set holds nothing to execute (the stack already is what
	// was asked for); never when the change set failed. An error stops
	// the deploy before anything is executed.
	BeforeExecute func(ctx context.Context) error
}

func (d *Deployer) seen(arn string) {
	if d.OnChangeSet != nil && arn != "" {
		d.OnChangeSet(arn)
	}
}

// Capabilities passed to every change set.
var Capabilities = []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam, types.CapabilityCapabilityAutoExpand}

func (d *Deployer) poll() time.Duration {
	if d.Poll > 0 {
		return d.Poll
	}
	return 3 * time.Second
}

// delay is the wait before poll i+1: Poll/4, Poll/2, Poll, Poll, ...
func (d *Deployer) delay(i int) time.Duration {
	p := d.poll()
	if i > 4 {
		return p
	}
	q := (p / 4) << i
	if q <= 0 || q > p {
		return p
	}
	return q
}

func (d *Deployer) logf(format string, args ...any) {
	if d.Log != nil {
		fmt.Fprintf(d.Log, format+"\n", args...)
	}
}

func (d *Deployer) withTimeout(ctx context.Context, req Request) (context.Context, context.CancelFunc, time.Duration) {
	t := req.Timeout
	if t <= 0 {
		t = d.Timeout
	}
	if t <= 0 {
		t = 30 * time.Minute
	}
	ctx, cancel := context.WithTimeoutCause(ctx, t, fmt.Errorf("timed out after %s", t))
	return ctx, cancel, t
}

// sleep waits for poll i or the end of ctx.
func (d *Deployer) sleep(ctx context.Context, i int) error {
	t := time.NewTimer(d.delay(i))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// describeStack returns the stack, or nil when it does not exist.
func describeStack(ctx context.Context, api API, nameOrID string) (*types.Stack, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(nameOrID)})
	if err != nil {
		if isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		return nil, fmt.Errorf("describe stack %s: %w", nameOrID, awsErr(ctx, err))
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

func inProgress(status string) bool {
	return strings.HasSuffix(status, "_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

// Plan creates the change set for the request's stack (and its nested
// stacks), waits for it and describes every level. A change set without
// changes is deleted and reported as HasChanges=false (an error wrapping
// ErrNoChanges when FailOnEmpty). A change set with changes is kept,
// AVAILABLE, for Deploy.
func (d *Deployer) Plan(ctx context.Context, req Request) (*Result, error) {
	ctx, cancel, _ := d.withTimeout(ctx, req)
	defer cancel()
	api := newCounter(d.CFN)
	res, err := d.plan(ctx, api, req)
	res.Calls = api.calls
	return res, err
}

func (d *Deployer) plan(ctx context.Context, api API, req Request) (*Result, error) {
	name := req.stackName()
	res := &Result{StackName: name}
	if err := req.validate(true); err != nil {
		return res, err
	}
	csType, st, err := d.prepare(ctx, api, req)
	if err != nil {
		return res, err
	}
	// A CREATE change set on a missing stack makes the stack (in
	// REVIEW_IN_PROGRESS): when the change set goes, the stack goes too.
	created := st == nil
	res.Type = csType
	if st != nil {
		res.StackID = aws.ToString(st.StackId)
		res.Status = string(st.StackStatus)
	}
	csName := ChangeSetName(req.Commit, req.RunID)
	res.ChangeSetName = csName
	in := &cloudformation.CreateChangeSetInput{
		StackName:           aws.String(name),
		ChangeSetName:       aws.String(csName),
		ChangeSetType:       types.ChangeSetType(csType),
		Parameters:          req.parameters(),
		Tags:                req.tags(),
		Capabilities:        Capabilities,
		IncludeNestedStacks: aws.Bool(true),
		Description:         aws.String(description(req)),
		NotificationARNs:    req.NotificationARNs,
	}
	if req.RoleARN != "" {
		in.RoleARN = aws.String(req.RoleARN)
	}
	if csType == "CREATE" && req.OnFailure != "" {
		// OnStackFailure only says what a failed creation does; an update
		// always rolls back.
		in.OnStackFailure = types.OnStackFailure(req.OnFailure)
	}
	if req.UsePreviousTemplate {
		in.UsePreviousTemplate = aws.Bool(true)
	} else {
		in.TemplateURL = aws.String(req.TemplateURL)
	}
	out, err := api.CreateChangeSet(ctx, in)
	for attempt := 2; err != nil && isCode(err, "AlreadyExistsException") && strings.Contains(err.Error(), "ChangeSet") && attempt <= maxNameAttempts; attempt++ {
		// A re-run of the same commit and run: replace the old change set,
		// or, when it was executed (CloudFormation keeps it, and it cannot
		// be deleted), take the next name.
		taken := aws.ToString(in.ChangeSetName)
		_, derr := api.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(taken), StackName: aws.String(name)})
		switch {
		case derr == nil:
			d.logf("change set %s already exists on %s: replacing it", taken, name)
		case isCode(derr, "InvalidChangeSetStatus"):
			csName = fmt.Sprintf("%s-%d", trunc(ChangeSetName(req.Commit, req.RunID), 125), attempt)
			d.logf("change set %s already exists on %s and was executed: using %s", taken, name, csName)
			in.ChangeSetName = aws.String(csName)
			res.ChangeSetName = csName
		default:
			return res, fmt.Errorf("delete old change set %s of stack %s: %w", taken, name, awsErr(ctx, derr))
		}
		out, err = api.CreateChangeSet(ctx, in)
	}
	if err != nil {
		return res, fmt.Errorf("create change set %s for stack %s: %w", csName, name, awsErr(ctx, err))
	}
	res.ChangeSetID = aws.ToString(out.Id)
	res.StackID = aws.ToString(out.StackId)
	d.seen(res.ChangeSetID)
	if csType == "CREATE" {
		d.logf("created change set %s: it creates stack %s", csName, name)
	} else {
		d.logf("created change set %s: it updates stack %s", csName, name)
	}

	status, reason, err := d.waitChangeSet(ctx, api, res.ChangeSetID)
	if err != nil {
		d.abandon(ctx, api, res, created)
		return res, fmt.Errorf("wait for change set %s of stack %s: %w", csName, name, err)
	}
	if status == types.ChangeSetStatusFailed && NoChangesReason(reason) {
		if _, err := api.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
			return res, fmt.Errorf("delete empty change set %s of stack %s: %w", csName, name, awsErr(ctx, err))
		}
		res.ChangeSetID = ""
		res.Model = &changeset.Model{StackName: name, ChangeSetName: csName, Status: string(status), StatusReason: reason}
		d.logf("no changes for stack %s (%s)", name, reason)
		if req.FailOnEmpty {
			return res, fmt.Errorf("stack %s: change set %s has no changes and fail-on-empty-changeset is set: %w", name, csName, ErrNoChanges)
		}
		return res, nil
	}
	model, derr := changeset.DescribeWith(ctx, api, res.ChangeSetID, changeset.Options{Sensitive: req.Sensitive})
	if derr != nil && ctx.Err() != nil {
		// Interrupted while describing: no change set nobody reviewed
		// stays behind (nor its stack in REVIEW_IN_PROGRESS forever).
		d.abandon(ctx, api, res, created)
		return res, fmt.Errorf("describe change set %s of stack %s: %w", csName, name, derr)
	}
	if status == types.ChangeSetStatusFailed {
		msg := reason
		if derr == nil {
			res.Model = model
			d.logf("%s", strings.TrimRight(changeset.Text(model), "\n"))
		}
		msg += nestedFailures(ctx, api, reason, 0)
		d.discardFailed(ctx, api, res, created)
		return res, fmt.Errorf("change set %s for stack %s failed: %s: %w", csName, name, msg, ErrFailed)
	}
	if derr != nil {
		return res, derr
	}
	res.Model = model
	res.Totals = model.Totals()
	res.HasChanges = model.HasChanges()
	// No resource changes in an executable change set: the template changed
	// in its outputs or metadata only. Executing it updates them.
	res.TemplateOnly = !res.HasChanges
	d.logf("%s", strings.TrimRight(changeset.Text(model), "\n"))
	if res.TemplateOnly {
		d.logf("change set %s changes no resource, only the template's outputs or metadata", csName)
	}
	return res, nil
}

// discardFailed deletes a FAILED change set once its reasons are read
// (its nested change sets go with it), and the REVIEW_IN_PROGRESS stack
// it created, so that neither lingers: failed change sets count against
// the stack's change-set limit, and an empty stack would hold the name.
func (d *Deployer) discardFailed(ctx context.Context, api API, res *Result, created bool) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if _, err := api.DeleteChangeSet(cctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		d.logf("warning: the failed change set %s could not be deleted: %v", res.ChangeSetName, awsErr(cctx, err))
		return
	}
	d.logf("deleted the failed change set %s", res.ChangeSetName)
	res.ChangeSetID = ""
	if created {
		d.dropReviewStack(cctx, api, res.StackName)
	}
}

// dropReviewStack deletes a stack this run created in REVIEW_IN_PROGRESS
// and left without a change set.
func (d *Deployer) dropReviewStack(ctx context.Context, api API, name string) {
	st, err := describeStack(ctx, api, name)
	if err != nil || st == nil || st.StackStatus != types.StackStatusReviewInProgress {
		return
	}
	if err := d.deleteAndWait(ctx, api, st, ""); err != nil {
		d.logf("warning: the empty stack %s (REVIEW_IN_PROGRESS) could not be deleted: %v", name, err)
		return
	}
	d.logf("deleted the empty stack %s it created (REVIEW_IN_PROGRESS)", name)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// maxNameAttempts bounds the names tried for one commit and run.
const maxNameAttempts = 9

// abandon deletes the change set of an interrupted plan (with a fresh
// context: the run's has ended), so no half-reviewed change set is left,
// nor the REVIEW_IN_PROGRESS stack this run created for it.
func (d *Deployer) abandon(ctx context.Context, api API, res *Result, created bool) {
	if ctx.Err() == nil || res.ChangeSetID == "" {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, derr := api.DeleteChangeSet(cctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); derr == nil {
		d.logf("interrupted: deleted change set %s", res.ChangeSetName)
		res.ChangeSetID = ""
		if created {
			d.dropReviewStack(cctx, api, res.StackName)
		}
	}
}

func description(req Request) string {
	s := "django-serverless " + req.Environment
	if req.Commit != "" {
		s += " commit " + req.Commit
	}
	if req.RunID != "" {
		s += " run " + req.RunID
	}
	if req.PR > 0 {
		s += fmt.Sprintf(" PR #%d", req.PR)
	}
	if len(s) > 1024 {
		s = s[:1024]
	}
	return s
}

var nestedChangeSetRE = regexp.MustCompile(`arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]{12}:changeSet/[A-Za-z][A-Za-z0-9-]*/[A-Za-z0-9-]+`)

// nestedFailures follows the nested change sets a FAILED reason names
// ("Nested change set ARN was not successfully created: ...") and returns
// their own reasons, best effort.
func nestedFailures(ctx context.Context, api API, reason string, depth int) string {
	if depth > 8 {
		return ""
	}
	var b strings.Builder
	for _, id := range nestedChangeSetRE.FindAllString(reason, -1) {
		out, err := api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
		if err != nil {
			continue
		}
		r := aws.ToString(out.StatusReason)
		fmt.Fprintf(&b, "; nested stack %s: %s", aws.ToString(out.StackName), r)
		b.WriteString(nestedFailures(ctx, api, r, depth+1))
	}
	return b.String()
}

// NoChangesReason reports whether a FAILED change set's reason means there
// was nothing to change.
func NoChangesReason(reason string) bool { return changeset.NoChangesReason(reason) }

// waitChangeSet polls until the change set leaves CREATE_PENDING and
// CREATE_IN_PROGRESS.
func (d *Deployer) waitChangeSet(ctx context.Context, api API, id string) (types.ChangeSetStatus, string, error) {
	for i := 0; ; i++ {
		out, err := api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
		switch {
		case err != nil && !isThrottle(err):
			return "", "", awsErr(ctx, err)
		case err == nil:
			switch out.Status {
			case types.ChangeSetStatusCreatePending, types.ChangeSetStatusCreateInProgress:
			default:
				return out.Status, aws.ToString(out.StatusReason), nil
			}
		}
		if err := d.sleep(ctx, i); err != nil {
			return "", "", err
		}
	}
}

// prepare brings the stack into a state a change set can be created on
// and says whether that change set creates or updates it.
func (d *Deployer) prepare(ctx context.Context, api API, req Request) (string, *types.Stack, error) {
	name := req.stackName()
	for {
		st, err := describeStack(ctx, api, name)
		if err != nil {
			return "", nil, err
		}
		if st == nil {
			return "CREATE", nil, nil
		}
		status := string(st.StackStatus)
		switch {
		case status == "REVIEW_IN_PROGRESS":
			return "CREATE", st, nil
		case status == "ROLLBACK_COMPLETE":
			if req.Protected {
				return "", st, fmt.Errorf("stack %s is in ROLLBACK_COMPLETE (its creation failed) and %s is a protected environment, so it is not deleted automatically: "+
					"read the failure with `aws cloudformation describe-stack-events --stack-name %s`, delete the stack yourself with `aws cloudformation delete-stack --stack-name %s`, then deploy again: %w",
					name, req.Environment, name, name, ErrRefused)
			}
			if err := req.managed(st); err != nil {
				return "", st, fmt.Errorf("stack %s is in ROLLBACK_COMPLETE but will not be deleted: %w", name, err)
			}
			d.logf("stack %s is in ROLLBACK_COMPLETE (a failed creation): deleting it before creating it again", name)
			if err := d.deleteAndWait(ctx, api, st, req.RoleARN); err != nil {
				return "", st, err
			}
		case status == "UPDATE_ROLLBACK_FAILED":
			return "", st, fmt.Errorf("stack %s is in UPDATE_ROLLBACK_FAILED (%s): CloudFormation could not roll back. "+
				"Find the resource that failed in the stack events (nested stacks included), fix it or decide to skip it, then run "+
				"`aws cloudformation continue-update-rollback --stack-name %s` on this root stack (add `--resources-to-skip NestedStack.LogicalId` for a resource that cannot be fixed), "+
				"wait for UPDATE_ROLLBACK_COMPLETE and deploy again: %w", name, aws.ToString(st.StackStatusReason), name, ErrRefused)
		case inProgress(status):
			d.logf("stack %s is busy (%s): waiting for it to finish", name, status)
			if err := d.waitSettled(ctx, api, aws.ToString(st.StackId)); err != nil {
				return "", st, fmt.Errorf("wait for stack %s to leave %s: %w", name, status, err)
			}
		case strings.HasSuffix(status, "_FAILED"):
			return "", st, fmt.Errorf("stack %s is in %s (%s) and cannot be updated: inspect it with `aws cloudformation describe-stack-events --stack-name %s` and repair or delete it: %w",
				name, status, aws.ToString(st.StackStatusReason), name, ErrRefused)
		default:
			if err := req.managed(st); err != nil {
				return "", st, fmt.Errorf("stack %s exists but will not be updated: %w", name, err)
			}
			return "UPDATE", st, nil
		}
	}
}

// waitSettled polls a stack until no operation is in progress.
func (d *Deployer) waitSettled(ctx context.Context, api API, id string) error {
	for i := 0; ; i++ {
		if err := d.sleep(ctx, i); err != nil {
			return err
		}
		st, err := describeStack(ctx, api, id)
		if err != nil {
			if isThrottle(err) && ctx.Err() == nil {
				continue
			}
			return err
		}
		if st == nil || !inProgress(string(st.StackStatus)) {
			return nil
		}
	}
}

// deleteAndWait deletes a stack (by ARN) and follows its events until
// DELETE_COMPLETE.
func (d *Deployer) deleteAndWait(ctx context.Context, api API, st *types.Stack, roleARN string) error {
	id, name := aws.ToString(st.StackId), aws.ToString(st.StackName)
	ev := newStreamer(api, d, name, id)
	if err := ev.baseline(ctx); err != nil {
		return err
	}
	in := &cloudformation.DeleteStackInput{StackName: aws.String(id)}
	if roleARN != "" {
		in.RoleARN = aws.String(roleARN)
	}
	if _, err := api.DeleteStack(ctx, in); err != nil {
		return fmt.Errorf("delete stack %s: %w", name, awsErr(ctx, err))
	}
	if err := ev.follow(ctx); err != nil {
		return fmt.Errorf("delete stack %s: %w", name, err)
	}
	if ev.terminal != "DELETE_COMPLETE" {
		return fmt.Errorf("delete stack %s ended in %s; root cause: %s (fix it and run destroy again; to keep a resource instead, "+
			"`aws cloudformation delete-stack --stack-name %s --retain-resources LogicalId`): %w", name, ev.terminal, ev.rootCause(), name, ErrFailed)
	}
	return nil
}

// PileUpWarning is how many FAILED change sets a nested stack may hold
// before a deploy warns: CloudFormation keeps the "didn't contain
// changes" change set of every nested stack a deploy leaves unchanged
// (it cannot be deleted on its own, only with its root, which is gone
// once executed), and refuses new change sets on a stack at its limit
// (LimitExceededException, "ChangeSet limit exceeded for stack").
const PileUpWarning = 200

// reportPileUp counts the FAILED change sets left on the nested stacks
// this deploy did not change and warns when they pile up.
func (d *Deployer) reportPileUp(ctx context.Context, api API, res *Result) {
	if res.Model == nil {
		return
	}
	limit := d.PileUpWarning
	if limit <= 0 {
		limit = PileUpWarning
	}
	for _, lv := range res.Model.Stacks {
		if lv.Path == "" || !lv.NoChanges() {
			continue
		}
		n := 0
		var token *string
		for {
			out, err := api.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String(lv.StackName), NextToken: token})
			if err != nil {
				break
			}
			for _, cs := range out.Summaries {
				if cs.Status == types.ChangeSetStatusFailed {
					n++
				}
			}
			if token = out.NextToken; aws.ToString(token) == "" {
				break
			}
		}
		if n >= limit {
			w := fmt.Sprintf("nested stack %s (%s) holds %d FAILED change sets: CloudFormation keeps one for every deploy that leaves it unchanged, "+
				"and refuses new change sets on a stack at its limit (LimitExceededException); list them with "+
				"`aws cloudformation list-change-sets --stack-name %s`", lv.StackName, lv.Path, n, lv.StackName)
			res.Warnings = append(res.Warnings, w)
			d.logf("warning: %s", w)
		}
	}
}

// Deploy executes a change set (the one Plan creates, or the reviewed
// req.ChangeSetID), streams the events of every stack until the root
// stack's own terminal event, and returns the outputs. On failure the
// error names the earliest real root cause; on cancellation or timeout an
// update is cancelled (CancelUpdateStack) and reported.
func (d *Deployer) Deploy(ctx context.Context, req Request) (*Result, error) {
	parent := ctx
	ctx, cancel, limit := d.withTimeout(ctx, req)
	defer cancel()
	api := newCounter(d.CFN)
	res, err := d.deploy(ctx, parent, api, req, limit)
	res.Calls = api.calls
	return res, err
}

func (d *Deployer) deploy(ctx, parent context.Context, api API, req Request, limit time.Duration) (*Result, error) {
	var (
		res *Result
		err error
	)
	if req.ChangeSetID != "" {
		res, err = d.reviewed(ctx, api, req)
	} else {
		res, err = d.plan(ctx, api, req)
	}
	if err == nil && d.BeforeExecute != nil {
		if err := d.BeforeExecute(ctx); err != nil {
			return res, err
		}
	}
	if err != nil || (!res.HasChanges && !res.TemplateOnly) {
		if err == nil && res.StackID != "" {
			if st, serr := describeStack(ctx, api, res.StackID); serr == nil && st != nil {
				res.Status = string(st.StackStatus)
				res.Outputs = outputs(st)
			}
		}
		return res, err
	}
	name := res.StackName
	ev := newStreamer(api, d, name, res.StackID)
	if err := ev.baseline(ctx); err != nil {
		return res, err
	}
	if _, err := api.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		return res, fmt.Errorf("execute change set %s on stack %s: %w", res.ChangeSetName, name, awsErr(ctx, err))
	}
	d.logf("executing change set %s on stack %s", res.ChangeSetName, name)
	if err := ev.follow(ctx); err != nil {
		if ctx.Err() == nil {
			return res, fmt.Errorf("follow stack %s: %w", name, err)
		}
		return res, d.interrupted(parent, ctx, api, req, res, ev, limit)
	}
	st, err := describeStack(ctx, api, res.StackID)
	if err != nil {
		return res, err
	}
	if st != nil {
		res.Status = string(st.StackStatus)
		res.Outputs = outputs(st)
	}
	if res.Status != "CREATE_COMPLETE" && res.Status != "UPDATE_COMPLETE" {
		res.RootCause = ev.rootCause()
		return res, fmt.Errorf("deploy of stack %s failed, stack is %s; root cause: %s: %w", name, res.Status, res.RootCause, ErrFailed)
	}
	d.reportPileUp(ctx, api, res)
	if req.Protected && st != nil && !aws.ToBool(st.EnableTerminationProtection) {
		if _, err := api.UpdateTerminationProtection(ctx, &cloudformation.UpdateTerminationProtectionInput{
			StackName: aws.String(res.StackID), EnableTerminationProtection: aws.Bool(true),
		}); err != nil {
			return res, fmt.Errorf("enable termination protection on stack %s: %w", name, awsErr(ctx, err))
		}
		d.logf("termination protection enabled on %s (protected environment)", name)
	}
	d.logf("stack %s is %s", name, res.Status)
	return res, nil
}

// interrupted handles a cancelled or timed-out execution: an update is
// cancelled (rolled back) and followed for CancelWait; a creation cannot be
// cancelled and is reported as still running.
func (d *Deployer) interrupted(parent, ctx context.Context, api API, req Request, res *Result, ev *streamer, limit time.Duration) error {
	why := "cancelled"
	if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = fmt.Sprintf("timed out after %s", limit)
	}
	wait := d.CancelWait
	if wait <= 0 {
		wait = 5 * time.Second
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	name := res.StackName
	st, err := describeStack(cctx, api, res.StackID)
	if err != nil || st == nil {
		return fmt.Errorf("deploy of stack %s %s; its state could not be read (%v): %w", name, why, err, ErrCanceled)
	}
	status := string(st.StackStatus)
	if status != "UPDATE_IN_PROGRESS" {
		res.Status = status
		return fmt.Errorf("deploy of stack %s %s while the stack was %s; CloudFormation continues on its own (a creation cannot be cancelled: run destroy afterwards if it is not wanted): %w", name, why, status, ErrCanceled)
	}
	if _, err := api.CancelUpdateStack(cctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String(res.StackID)}); err != nil {
		res.Status = status
		return fmt.Errorf("deploy of stack %s %s; cancel update failed: %w: %w", name, why, awsErr(cctx, err), ErrCanceled)
	}
	d.logf("deploy %s: cancelled the update of %s, CloudFormation is rolling it back", why, name)
	_ = ev.follow(cctx) // best effort within CancelWait
	res.Status = status
	if st, err := describeStack(cctx, api, res.StackID); err == nil && st != nil {
		res.Status = string(st.StackStatus)
	}
	return fmt.Errorf("deploy of stack %s %s: update cancelled with CancelUpdateStack, stack is %s: %w", name, why, res.Status, ErrCanceled)
}

func outputs(st *types.Stack) map[string]string {
	out := map[string]string{}
	for _, o := range st.Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return out
}

// reviewed checks that a given change set is still executable for this
// stack and describes it.
func (d *Deployer) reviewed(ctx context.Context, api API, req Request) (*Result, error) {
	name := req.stackName()
	res := &Result{StackName: name, ChangeSetID: req.ChangeSetID}
	if err := req.validate(false); err != nil {
		return res, err
	}
	in := &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(req.ChangeSetID)}
	if !changeSetRE.MatchString(req.ChangeSetID) {
		in.StackName = aws.String(name)
	}
	out, err := api.DescribeChangeSet(ctx, in)
	if err != nil {
		if isCode(err, "ChangeSetNotFound") || isCode(err, "ChangeSetNotFoundException") {
			return res, fmt.Errorf("change set %s no longer exists (deleted, or already executed): run plan again: %w", req.ChangeSetID, ErrRefused)
		}
		return res, fmt.Errorf("describe change set %s: %w", req.ChangeSetID, awsErr(ctx, err))
	}
	res.ChangeSetName = aws.ToString(out.ChangeSetName)
	res.StackID = aws.ToString(out.StackId)
	if id := aws.ToString(out.ChangeSetId); id != "" {
		res.ChangeSetID = id
	}
	d.seen(res.ChangeSetID)
	switch {
	case aws.ToString(out.StackName) != name:
		return res, fmt.Errorf("change set %s belongs to stack %s, not %s: %w", req.ChangeSetID, aws.ToString(out.StackName), name, ErrRefused)
	case aws.ToString(out.ParentChangeSetId) != "":
		return res, fmt.Errorf("change set %s is a nested change set: pass the root change set %s: %w", req.ChangeSetID, aws.ToString(out.RootChangeSetId), ErrRefused)
	case out.ExecutionStatus == types.ExecutionStatusObsolete:
		return res, fmt.Errorf("change set %s is OBSOLETE: stack %s changed after it was reviewed; run plan again and review the new change set: %w", req.ChangeSetID, name, ErrRefused)
	case out.Status != types.ChangeSetStatusCreateComplete || out.ExecutionStatus != types.ExecutionStatusAvailable:
		return res, fmt.Errorf("change set %s cannot be executed: status %s, execution status %s (%s): %w", req.ChangeSetID, out.Status, out.ExecutionStatus, aws.ToString(out.StatusReason), ErrRefused)
	}
	st, err := describeStack(ctx, api, res.StackID)
	if err != nil {
		return res, err
	}
	res.Type = "UPDATE"
	if st == nil || st.StackStatus == types.StackStatusReviewInProgress {
		res.Type = "CREATE"
	}
	model, err := changeset.DescribeWith(ctx, api, res.ChangeSetID, changeset.Options{Sensitive: req.Sensitive})
	if err != nil {
		return res, err
	}
	res.Model, res.Totals, res.HasChanges = model, model.Totals(), model.HasChanges()
	d.logf("%s", strings.TrimRight(changeset.Text(model), "\n"))
	return res, nil
}

// Destroy deletes an environment's root stack (nested stacks go with it)
// and waits for DELETE_COMPLETE. It refuses protected environments, stacks
// with termination protection, and stacks whose tags do not say this tool
// made them for this project and environment. Artifacts in S3 are never
// touched: other environments share their content-addressed keys.
func (d *Deployer) Destroy(ctx context.Context, req Request) error {
	ctx, cancel, _ := d.withTimeout(ctx, req)
	defer cancel()
	name := req.stackName()
	if err := req.validate(false); err != nil {
		return err
	}
	if req.Protected {
		return fmt.Errorf("environment %s is protected: destroy refuses to delete stack %s: %w", req.Environment, name, ErrRefused)
	}
	api := d.CFN
	st, err := describeStack(ctx, api, name)
	if err != nil {
		return err
	}
	if st == nil {
		d.logf("stack %s does not exist: nothing to destroy", name)
		return nil
	}
	if err := req.managed(st); err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	if aws.ToBool(st.EnableTerminationProtection) {
		return fmt.Errorf("stack %s has termination protection: destroy refuses to delete it: %w", name, ErrRefused)
	}
	if inProgress(string(st.StackStatus)) {
		d.logf("stack %s is busy (%s): waiting for it to finish", name, st.StackStatus)
		if err := d.waitSettled(ctx, api, aws.ToString(st.StackId)); err != nil {
			return fmt.Errorf("wait for stack %s: %w", name, err)
		}
	}
	if err := d.deleteAndWait(ctx, api, st, req.RoleARN); err != nil {
		return err
	}
	d.logf("stack %s deleted; artifacts in S3 are kept (shared by content-addressed keys)", name)
	return nil
}
