package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// Comment input values.
const (
	CommentAuto   = "auto" // on pull_request events
	CommentAlways = "true"
	CommentNever  = "false"
	// CommentChangesOnly comments on pull requests only when there are
	// changes; a sticky comment posted before is updated to say there are
	// none, never left showing a stale plan.
	CommentChangesOnly = "changes-only"
)

// Inputs are the action's inputs (action.yml), validated.
type Inputs struct {
	Command         string // plan | deploy | destroy | manage
	ProjectPath     string // cleaned, relative to the workspace
	Environment     string
	Config          string // "" for the default lookup
	ArtifactsBucket string // "" for the managed bucket
	Region          string // "" for the credentials' region
	GitHubToken     string
	Comment         string // CommentAuto | CommentAlways | CommentNever | CommentChangesOnly
	FailOnEmpty     bool
	// Timeout is wait-timeout-minutes (or the deprecated timeout-minutes).
	Timeout time.Duration
	// ChangeSetID (deploy only) is a change set ARN or name to execute as
	// reviewed.
	ChangeSetID string
	// StackName overrides the root stack's name ("" for <project>-<env>).
	StackName string
	// RoleARN is the CloudFormation service role ("" for none).
	RoleARN string
	// Tags are extra stack tags.
	Tags map[string]string
	// NotificationARNs are SNS topics for the stack's events.
	NotificationARNs []string
	// OnFailure is what a failed creation does: ROLLBACK, DELETE or
	// DO_NOTHING.
	OnFailure string
	// Warnings are problems with the inputs that do not stop the run
	// (deprecated inputs).
	Warnings []string
	// Manage (command manage) is the management command line, split into
	// words without a shell: "migrate --noinput".
	Manage string
}

// ShouldComment resolves the comment input for an event: auto, true and
// changes-only comment on pull requests only; nothing is posted without a
// pull request. (changes-only then skips a report without changes, see
// Publish.)
func (in Inputs) ShouldComment(ev Event) bool {
	if ev.PR == 0 {
		return false
	}
	return in.Comment == CommentAlways || in.Comment == CommentAuto || in.Comment == CommentChangesOnly
}

var (
	regionName  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	bucketName  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	changeSetID = regexp.MustCompile(`^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]{12}:changeSet/[A-Za-z][-A-Za-z0-9]*/[-A-Za-z0-9]+$`)
)

// parseBool accepts YAML 1.2 core booleans, as @actions/core's
// getBooleanInput does.
func parseBool(name, v string) (bool, error) {
	switch v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("input %s: %q is not a boolean (true or false)", name, v)
}

// ReadInputs reads and validates the action inputs (INPUT_* variables),
// reporting every problem at once (errors.Join).
func ReadInputs(a *githubactions.Action) (Inputs, error) {
	get := func(name, def string) string {
		if v := a.GetInput(name); v != "" {
			return v
		}
		return def
	}
	in := Inputs{
		Command:         get("command", "plan"),
		ProjectPath:     get("project-path", "."),
		Environment:     get("environment", "dev"),
		Config:          get("config", ""),
		ArtifactsBucket: get("artifacts-bucket", ""),
		Region:          get("region", ""),
		GitHubToken:     get("github-token", ""),
		Comment:         get("comment", CommentAuto),
		ChangeSetID:     get("change-set-id", ""),
		StackName:       get("stack-name", ""),
		RoleARN:         get("role-arn", ""),
		OnFailure:       strings.ToUpper(get("on-failure", stack.OnFailureRollback)),
		Manage:          get("manage", ""),
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch in.Command {
	case "plan", "deploy", "destroy":
		if in.Manage != "" {
			bad("input manage: only with command: manage")
		}
	case "manage":
		if strings.TrimSpace(in.Manage) == "" {
			bad("input manage: empty, but command is manage (for example: migrate --noinput)")
		}
	default:
		bad("input command: %q is not one of plan, deploy, destroy, manage", in.Command)
	}

	// An absolute path stays absolute (the caller checks it is inside the
	// workspace); a relative one may not climb out of it.
	p := path.Clean(strings.ReplaceAll(in.ProjectPath, `\`, "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		bad("input project-path: %q leaves the repository", in.ProjectPath)
	}
	in.ProjectPath = p

	// One validator for the input, --env and the file's environments.
	if err := config.ValidateEnvironment(in.Environment); err != nil {
		bad("input environment: %v", err)
	}

	if in.ArtifactsBucket != "" && (!bucketName.MatchString(in.ArtifactsBucket) || strings.Contains(in.ArtifactsBucket, "..")) {
		bad("input artifacts-bucket: %q is not an S3 bucket name", in.ArtifactsBucket)
	}
	if in.Region != "" && !regionName.MatchString(in.Region) {
		bad("input region: %q is not an AWS region (us-east-1, eu-west-1, ...)", in.Region)
	}

	switch in.Comment {
	case CommentAuto, CommentChangesOnly:
	case "true", "True", "TRUE":
		in.Comment = CommentAlways
	case "false", "False", "FALSE":
		in.Comment = CommentNever
	default:
		bad("input comment: %q is not auto, true, false or changes-only", in.Comment)
	}
	if in.Comment == CommentAlways && in.GitHubToken == "" {
		bad("input github-token: empty, but comment is true")
	}

	if v, err := parseBool("fail-on-empty-changeset", get("fail-on-empty-changeset", "false")); err != nil {
		errs = append(errs, err)
	} else {
		in.FailOnEmpty = v
	}

	// wait-timeout-minutes; timeout-minutes is its old name, which reads
	// like the step keyword of the same name (a step's own timeout) and is
	// kept working with a deprecation warning.
	name, minutes := "wait-timeout-minutes", get("wait-timeout-minutes", defaultWaitMinutes)
	if old := strings.TrimSpace(a.GetInput("timeout-minutes")); old != "" {
		switch {
		case minutes == defaultWaitMinutes || minutes == old:
			name, minutes = "timeout-minutes", old
			in.Warnings = append(in.Warnings, "input timeout-minutes is deprecated: it reads like the step keyword timeout-minutes (the step's own time limit); use wait-timeout-minutes")
		default:
			in.Warnings = append(in.Warnings, fmt.Sprintf("input timeout-minutes (%s) is deprecated and ignored: wait-timeout-minutes (%s) is set", old, minutes))
		}
	}
	if n, err := strconv.Atoi(minutes); err != nil || n < 1 || n > 24*60 {
		bad("input %s: %q is not a whole number of minutes between 1 and 1440", name, minutes)
	} else {
		in.Timeout = time.Duration(n) * time.Minute
	}

	if in.StackName != "" {
		if err := stack.ValidateStackName(in.StackName); err != nil {
			bad("input stack-name: %v", err)
		} else if stack.IsPreview(in.Environment) {
			bad("input stack-name: environment %s is a pull request's preview, whose stack is always named by django-serverless (so that closing the pull request finds it); leave stack-name empty", in.Environment)
		}
	}
	if err := stack.ValidateRoleARN(in.RoleARN); err != nil {
		bad("input role-arn: %v", err)
	}
	if err := stack.ValidateOnFailure(in.OnFailure); err != nil {
		bad("input on-failure: %v", err)
	}
	in.NotificationARNs = splitList(get("notification-arns", ""))
	if err := stack.ValidateNotificationARNs(in.NotificationARNs); err != nil {
		bad("input notification-arns: %v", err)
	}
	tags, err := ParseTags(get("tags", ""))
	if err == nil {
		err = stack.ValidateTags(tags)
	}
	if err == nil {
		err = PerCommit(tags, a.Getenv("GITHUB_SHA"), a.Getenv("GITHUB_RUN_ID"))
	}
	if err != nil {
		bad("input tags: %v", err)
	} else if len(tags) > 0 {
		in.Tags = tags
	}

	if in.ChangeSetID != "" {
		if in.Command != "deploy" {
			bad("input change-set-id: only deploy executes a reviewed change set (command is %s)", in.Command)
		}
		if !changeSetID.MatchString(in.ChangeSetID) && !changeSetName.MatchString(in.ChangeSetID) {
			bad("input change-set-id: %q is neither a change set ARN nor a change set name", in.ChangeSetID)
		}
	}
	return in, errors.Join(errs...)
}

// defaultWaitMinutes is wait-timeout-minutes' default in action.yml.
const defaultWaitMinutes = "30"

// splitList splits a list input on commas and line breaks, trimming
// spaces and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParseTags reads the tags input: key=value items separated by line
// breaks or commas (a tag cannot hold a comma; blank items and lines
// starting with # are skipped), a JSON object {"key": "value"}, or the
// JSON list aws-cloudformation-github-deploy takes,
// [{"Key": "key", "Value": "value"}]. A key given twice in items or in the
// list is an error (in an object, JSON keeps the last).
func ParseTags(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	put := func(k, v string) error {
		if _, dup := out[k]; dup {
			return fmt.Errorf("tag %q is given twice", k)
		}
		out[k] = v
		return nil
	}
	switch s[0] {
	case '{':
		var m map[string]string
		d := json.NewDecoder(strings.NewReader(s))
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("not a JSON object of strings: %w", err)
		}
		return m, nil
	case '[':
		var l []struct {
			Key   *string `json:"Key"`
			Value *string `json:"Value"`
		}
		d := json.NewDecoder(strings.NewReader(s))
		d.DisallowUnknownFields()
		if err := d.Decode(&l); err != nil {
			return nil, fmt.Errorf(`not a JSON list of {"Key": ..., "Value": ...}: %w`, err)
		}
		for i, t := range l {
			if t.Key == nil || t.Value == nil {
				return nil, fmt.Errorf(`item %d: want {"Key": ..., "Value": ...}`, i+1)
			}
			if err := put(*t.Key, *t.Value); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, item := range strings.Split(line, ",") {
			if item = strings.TrimSpace(item); item == "" {
				continue
			}
			k, v, ok := strings.Cut(item, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: %q is not key=value", i+1, item)
			}
			if err := put(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// PerCommit refuses a tag holding the commit or the run: stack tags
// propagate to every resource that takes tags, so such a tag would modify
// every resource on every push. The commit and the run are in the change
// set's description.
func PerCommit(tags map[string]string, sha, runID string) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := tags[k]
		switch {
		case len(v) >= 7 && len(sha) >= 7 && strings.HasPrefix(sha, v):
			return fmt.Errorf("tag %s holds the commit SHA: stack tags propagate to every resource, so a per-commit value modifies every resource on every push (the commit is in the change set's description)", k)
		case runID != "" && len(runID) >= 6 && strings.Contains(v, runID):
			return fmt.Errorf("tag %s holds the workflow run ID: stack tags propagate to every resource, so a per-run value modifies every resource on every run (the run is in the change set's description)", k)
		}
	}
	return nil
}

// Outputs are the action's outputs (action.yml).
type Outputs struct {
	StackName string
	// SiteURL is the environment's front door: its domain, else the API.
	SiteURL    string
	APIURL     string
	GraphQLURL string
	// StaticURL is STATIC_URL as deployed ("" without CloudFront).
	StaticURL     string
	ChangeSetID   string // ARN
	ChangeSetName string // the name alone: no account ID, so a later job may receive it
	HasChanges    bool
	ChangesCount  int
	// StackID is the root stack's ARN (it holds the account ID, masked).
	StackID string
	// StackStatus is the root stack's status at the end.
	StackStatus string
	// StackOutputs are the root stack's outputs: written as the JSON
	// object stack-outputs, and each as an output of its own name (as
	// aws-cloudformation-github-deploy does; the runner takes outputs an
	// action does not declare), except a name that one of the declared
	// outputs already has (output names are compared without case).
	StackOutputs map[string]string
	// CommentURL is the sticky comment's URL ("" without a comment).
	CommentURL string
	// ArtifactsBucket is the bucket used (the managed one when the input
	// is empty).
	ArtifactsBucket string
	// Removals and Replacements count the risky removals and replacements
	// (routine version churn apart), to gate a deploy.
	Removals, Replacements int
	// PlanJSON is the path of the machine-readable plan.
	PlanJSON string
	// ManageExitStatus (command manage): the command's exit status, ""
	// when it was stopped at its timeout or did not run.
	ManageExitStatus string
}

// outputName is a name the runner takes for an output.
var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// fileCommandDelimiter is the fixed heredoc delimiter go-githubactions
// v1.3.1 writes outputs with: NAME<<DELIM\nVALUE\nDELIM.
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// ErrUnsafeOutput is matched (errors.Is) when an output value could break
// out of GITHUB_OUTPUT's heredoc and set other outputs.
var ErrUnsafeOutput = errors.New("unsafe output value")

// CheckOutput refuses a value that could inject outputs into the
// GITHUB_OUTPUT file: line breaks (no output of this action spans lines)
// and the delimiter go-githubactions uses.
func CheckOutput(name, value string) error {
	switch {
	case strings.ContainsAny(value, "\r\n"):
		return fmt.Errorf("output %s: value contains a line break: %w", name, ErrUnsafeOutput)
	case strings.Contains(value, fileCommandDelimiter):
		return fmt.Errorf("output %s: value contains the output delimiter %s: %w", name, fileCommandDelimiter, ErrUnsafeOutput)
	case strings.ContainsRune(value, 0):
		return fmt.Errorf("output %s: value contains a NUL byte: %w", name, ErrUnsafeOutput)
	}
	return nil
}

// WriteOutputs writes every output to GITHUB_OUTPUT. It checks every value
// first and writes nothing when one is unsafe.
func WriteOutputs(a *githubactions.Action, o Outputs) error {
	kv := [][2]string{
		{"stack-name", o.StackName},
		{"site-url", o.SiteURL},
		{"api-url", o.APIURL},
		{"graphql-url", o.GraphQLURL},
		{"static-url", o.StaticURL},
		{"change-set-id", o.ChangeSetID},
		{"change-set-name", o.ChangeSetName},
		{"has-changes", strconv.FormatBool(o.HasChanges)},
		{"changes-count", strconv.Itoa(o.ChangesCount)},
		{"manage-exit-status", o.ManageExitStatus},
		{"stack-id", o.StackID},
		{"stack-status", o.StackStatus},
		{"stack-outputs", "{}"},
		{"comment-url", o.CommentURL},
		{"artifacts-bucket", o.ArtifactsBucket},
		{"removals", strconv.Itoa(o.Removals)},
		{"replacements", strconv.Itoa(o.Replacements)},
		{"plan-json", o.PlanJSON},
	}
	if len(o.StackOutputs) > 0 {
		b, err := json.Marshal(o.StackOutputs) // keys sorted
		if err != nil {
			return err
		}
		for i := range kv {
			if kv[i][0] == "stack-outputs" {
				kv[i][1] = string(b)
			}
		}
	}
	declared := map[string]bool{}
	for _, p := range kv {
		declared[strings.ToLower(p[0])] = true
	}
	names := make([]string, 0, len(o.StackOutputs))
	for k := range o.StackOutputs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch {
		case declared[strings.ToLower(k)]:
			a.Warningf("stack output %s is not set as an output of its own: the action has an output of that name (it is in stack-outputs)", k)
		case !outputName.MatchString(k):
			a.Warningf("stack output %q is not set as an output of its own: not a valid output name (it is in stack-outputs)", k)
		case CheckOutput(k, o.StackOutputs[k]) != nil:
			a.Warningf("stack output %s is not set as an output of its own: %v (it is in stack-outputs)", k, CheckOutput(k, o.StackOutputs[k]))
		default:
			kv = append(kv, [2]string{k, o.StackOutputs[k]})
			declared[strings.ToLower(k)] = true
		}
	}
	var errs []error
	for _, p := range kv {
		errs = append(errs, CheckOutput(p[0], p[1]))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if a.Getenv("GITHUB_OUTPUT") == "" {
		return errors.New("write outputs: GITHUB_OUTPUT is not set")
	}
	for _, p := range kv {
		if err := fileCommand(func() { a.SetOutput(p[0], p[1]) }); err != nil {
			return fmt.Errorf("write output %s: %w", p[0], err)
		}
	}
	return nil
}

// WriteSummary appends markdown to the job summary (GITHUB_STEP_SUMMARY).
func WriteSummary(a *githubactions.Action, markdown string) error {
	if a.Getenv("GITHUB_STEP_SUMMARY") == "" {
		return errors.New("write job summary: GITHUB_STEP_SUMMARY is not set")
	}
	if err := fileCommand(func() { a.AddStepSummary(markdown) }); err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	return nil
}

// fileCommand runs a go-githubactions file command, which panics when the
// file cannot be written, and returns that failure as an error.
func fileCommand(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	f()
	return nil
}

// Mask hides values in the rest of the log (::add-mask::): the AWS account
// ID, API keys. Empty values and values shorter than 4 characters (which
// would mask common text) are skipped; multi-line values are masked line by
// line.
func Mask(a *githubactions.Action, values ...string) {
	for _, v := range values {
		for _, line := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); len(line) >= 4 {
				a.AddMask(line)
			}
		}
	}
}

// AccountID returns the account ID of an ARN ("" when there is none), to
// mask it.
func AccountID(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && len(parts[4]) == 12 {
		return parts[4]
	}
	return ""
}

// Annotate turns diagnostics into annotations on the files they name
// (::error file=...,line=...,col=...::message). root is the project path
// relative to the repository, joined before each file so the annotation
// lands on the right file in the pull request.
func Annotate(a *githubactions.Action, root string, list diag.List) {
	for _, d := range list {
		fields := map[string]string{}
		if d.File != "" {
			f := d.File
			if root != "" && root != "." && !path.IsAbs(f) {
				f = path.Join(root, f)
			}
			fields["file"] = f
			if d.Line > 0 {
				fields["line"] = strconv.Itoa(d.Line)
				if d.Col > 0 {
					fields["col"] = strconv.Itoa(d.Col)
				}
			}
		}
		w := a
		if len(fields) > 0 {
			w = a.WithFieldsMap(fields)
		}
		switch d.Severity {
		case diag.Error:
			w.Errorf("%s", d.Message)
		case diag.Warning:
			w.Warningf("%s", d.Message)
		default:
			w.Noticef("%s", d.Message)
		}
	}
}

// Group runs f inside a collapsed log group (::group:: ... ::endgroup::),
// closing the group whatever f returns.
func Group(a *githubactions.Action, title string, f func() error) error {
	a.Group(title)
	defer a.EndGroup()
	return f()
}
