package github

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// Comment input values.
const (
	CommentAuto   = "auto" // on pull_request events
	CommentAlways = "true"
	CommentNever  = "false"
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
	Comment         string // CommentAuto | CommentAlways | CommentNever
	FailOnEmpty     bool
	Timeout         time.Duration
	// ChangeSetID (deploy only) is a change set ARN or name to execute as
	// reviewed.
	ChangeSetID string
	// Manage (command manage) is the management command line, split into
	// words without a shell: "migrate --noinput".
	Manage string
}

// ShouldComment resolves the comment input for an event: auto comments on
// pull requests only; nothing is posted without a pull request.
func (in Inputs) ShouldComment(ev Event) bool {
	if ev.PR == 0 {
		return false
	}
	return in.Comment == CommentAlways || in.Comment == CommentAuto
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
	case CommentAuto:
	case "true", "True", "TRUE":
		in.Comment = CommentAlways
	case "false", "False", "FALSE":
		in.Comment = CommentNever
	default:
		bad("input comment: %q is not auto, true or false", in.Comment)
	}
	if in.Comment == CommentAlways && in.GitHubToken == "" {
		bad("input github-token: empty, but comment is true")
	}

	if v, err := parseBool("fail-on-empty-changeset", get("fail-on-empty-changeset", "false")); err != nil {
		errs = append(errs, err)
	} else {
		in.FailOnEmpty = v
	}

	minutes := get("timeout-minutes", "30")
	if n, err := strconv.Atoi(minutes); err != nil || n < 1 || n > 24*60 {
		bad("input timeout-minutes: %q is not a whole number of minutes between 1 and 1440", minutes)
	} else {
		in.Timeout = time.Duration(n) * time.Minute
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

// Outputs are the action's outputs (action.yml).
type Outputs struct {
	StackName     string
	APIURL        string
	GraphQLURL    string
	ChangeSetID   string // ARN
	ChangeSetName string // the name alone: no account ID, so a later job may receive it
	HasChanges    bool
	ChangesCount  int
	// ManageExitStatus (command manage): the command's exit status, ""
	// when it was stopped at its timeout or did not run.
	ManageExitStatus string
}

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
		{"api-url", o.APIURL},
		{"graphql-url", o.GraphQLURL},
		{"change-set-id", o.ChangeSetID},
		{"change-set-name", o.ChangeSetName},
		{"has-changes", strconv.FormatBool(o.HasChanges)},
		{"changes-count", strconv.Itoa(o.ChangesCount)},
		{"manage-exit-status", o.ManageExitStatus},
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
