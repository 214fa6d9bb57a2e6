package stack

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/pkg/changeset"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Tag keys and values put on the root stack. Destroy only deletes stacks
// that carry ManagedByTag=ManagedBy and this project's ProjectTag.
//
// Stack tags propagate to every resource that takes tags, so they hold only
// values fixed for the life of the stack: a per-commit tag would modify
// every resource on every push (and fill the change set with noise). The
// commit and the CI run go into the change set's description instead.
const (
	ManagedByTag   = "managed-by"
	ManagedBy      = "django-serverless"
	ProjectTag     = "project"
	EnvironmentTag = "environment"
	PRTag          = "pull-request"
)

// AWS limits checked before anything changes.
const (
	MaxStackName     = 128
	MaxTemplateBytes = 1 << 20 // template body in an S3 object: 1 MB
	MaxTemplateURL   = 5120
)

// Request is one plan, deploy or destroy of an environment's root stack.
type Request struct {
	Project     string // stack-name prefix and ProjectTag
	Environment string // dev, prod, pr-42, ...
	// StackName defaults to StackName(Project, Environment).
	StackName string
	// TemplateURL is the root template's S3 https URL.
	TemplateURL string
	// TemplateSizes are the byte sizes of the root and nested templates
	// by name (e.g. "root.yaml"), checked against MaxTemplateBytes.
	TemplateSizes map[string]int
	// Parameters of the root stack (ArtifactsBucket, ...).
	Parameters map[string]string
	// UsePreviousTemplate creates the change set from the stack's current
	// template (TemplateURL unused): only Parameters change, and the
	// parameters named in PreviousParameters keep their current values.
	// A deploy with migrations: before updates the manage stack alone
	// that way.
	UsePreviousTemplate bool
	PreviousParameters  []string
	// Tags are extra stack tags (ValidateTags); they propagate to every
	// resource that takes tags, so they should not change per commit.
	Tags map[string]string
	// RoleARN is the CloudFormation service role the stack is created,
	// updated and deleted with ("" for the caller's credentials, or the
	// role the stack already has).
	RoleARN string
	// NotificationARNs are SNS topics that receive the stack's events.
	NotificationARNs []string
	// OnFailure is what a failed creation does: "" (CloudFormation's
	// default, ROLLBACK), ROLLBACK, DELETE (roll back and delete the stack)
	// or DO_NOTHING (keep the failed resources to inspect them). Updates
	// always roll back.
	OnFailure string
	// Sensitive are values never shown in a change set's property values
	// (NoEcho parameters).
	Sensitive []string
	Commit    string // full commit SHA (in the change set's description, never a tag)
	RunID     string // CI run id (plus attempt), "" locally (idem)
	PR        int    // pull-request number, 0 when none
	// Protected environments get termination protection, are never
	// deleted automatically and cannot be destroyed.
	Protected bool
	// FailOnEmpty turns "no changes" into ErrNoChanges.
	FailOnEmpty bool
	// ChangeSetID (deploy only) executes exactly this reviewed change set.
	ChangeSetID string
	// Timeout bounds the whole operation (default Deployer.Timeout).
	Timeout time.Duration
}

// Result is what a plan, deploy or destroy did.
type Result struct {
	StackName     string
	StackID       string
	ChangeSetID   string
	ChangeSetName string
	// Type is CREATE or UPDATE.
	Type       string
	HasChanges bool
	Model      *changeset.Model
	Totals     changeset.Totals
	Outputs    map[string]string
	// Status is the root stack's status at the end.
	Status string
	// TemplateOnly marks an executable change set without resource
	// changes: the template's outputs or metadata changed, and a deploy
	// executes it (HasChanges stays false).
	TemplateOnly bool
	// RootCause is the earliest real failure across nested stacks.
	RootCause string
	// Warnings are problems that did not fail the operation.
	Warnings []string
	// Calls counts CloudFormation calls per action.
	Calls map[string]int
}

var (
	stackNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	previewRE   = regexp.MustCompile(`^pr-([1-9][0-9]*)$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	changeSetRE = regexp.MustCompile(`^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]{12}:changeSet/[A-Za-z][A-Za-z0-9-]*/[A-Za-z0-9-]+$`)
	unsafeRE    = regexp.MustCompile(`[^A-Za-z0-9-]+`)
)

// StackName is the root stack's name for an environment: <project>-<env>.
func StackName(project, env string) string { return project + "-" + env }

// PreviewEnvironment returns the environment name of a pull request's
// preview stack: pr-<N>.
func PreviewEnvironment(pr int) string { return "pr-" + strconv.Itoa(pr) }

// ValidateStackName checks AWS's stack-name rule.
func ValidateStackName(name string) error {
	if len(name) > MaxStackName {
		return fmt.Errorf("stack name %q is %d characters, over CloudFormation's limit of %d: shorten the project or environment name", name, len(name), MaxStackName)
	}
	if !stackNameRE.MatchString(name) {
		return fmt.Errorf("stack name %q is invalid: it must start with a letter and contain only letters, digits and hyphens", name)
	}
	return nil
}

// ValidateRegion checks that region looks like an AWS region name.
func ValidateRegion(region string) error {
	if region == "" {
		return errors.New("no AWS region: set the region input or AWS_REGION")
	}
	if !regionRE.MatchString(region) {
		return fmt.Errorf("region %q is not an AWS region name (like eu-west-1)", region)
	}
	return nil
}

// ChangeSetName derives a change-set name from the commit and the CI run,
// never from the clock: ds-<commit12>-<run>. It matches AWS's pattern
// [a-zA-Z][-a-zA-Z0-9]* and is at most 128 characters.
func ChangeSetName(commit, runID string) string {
	c := unsafeRE.ReplaceAllString(commit, "-")
	if len(c) > 12 {
		c = c[:12]
	}
	if c == "" {
		c = "nocommit"
	}
	r := strings.Trim(unsafeRE.ReplaceAllString(runID, "-"), "-")
	if r == "" {
		r = "local"
	}
	name := "ds-" + strings.Trim(c, "-") + "-" + r
	if len(name) > 128 {
		name = name[:128]
	}
	return strings.TrimRight(name, "-")
}

func (r *Request) stackName() string {
	if r.StackName != "" {
		return r.StackName
	}
	return StackName(r.Project, r.Environment)
}

// validate reports every problem with the request at once.
func (r *Request) validate(needTemplate bool) error {
	var errs []error
	if r.Project == "" {
		errs = append(errs, errors.New("project is empty"))
	}
	if r.Environment == "" {
		errs = append(errs, errors.New("environment is empty"))
	}
	name := r.stackName()
	if err := ValidateStackName(name); err != nil {
		errs = append(errs, err)
	}
	if m := previewRE.FindStringSubmatch(r.Environment); m != nil && name != StackName(r.Project, r.Environment) {
		errs = append(errs, fmt.Errorf("preview environment %s must use stack %s, not %s", r.Environment, StackName(r.Project, r.Environment), name))
	}
	if needTemplate && r.ChangeSetID == "" && !r.UsePreviousTemplate {
		switch {
		case r.TemplateURL == "":
			errs = append(errs, errors.New("no template URL for the root stack"))
		case len(r.TemplateURL) > MaxTemplateURL:
			errs = append(errs, fmt.Errorf("template URL is %d characters, over CloudFormation's limit of %d", len(r.TemplateURL), MaxTemplateURL))
		case !strings.HasPrefix(r.TemplateURL, "https://"):
			errs = append(errs, fmt.Errorf("template URL %q is not an https S3 URL", r.TemplateURL))
		}
		names := make([]string, 0, len(r.TemplateSizes))
		for n := range r.TemplateSizes {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if size := r.TemplateSizes[n]; size > MaxTemplateBytes {
				errs = append(errs, fmt.Errorf("template %s is %d bytes, over CloudFormation's limit of %s (%d bytes) for a template in S3", n, size, human.Bytes(MaxTemplateBytes), MaxTemplateBytes))
			}
		}
	}
	if err := ValidateOnFailure(r.OnFailure); err != nil {
		errs = append(errs, err)
	}
	if r.OnFailure == OnFailureDelete && r.Protected {
		errs = append(errs, fmt.Errorf("on-failure DELETE would delete the stack of the protected environment %s when its creation fails", r.Environment))
	}
	if err := ValidateRoleARN(r.RoleARN); err != nil {
		errs = append(errs, err)
	}
	if err := ValidateNotificationARNs(r.NotificationARNs); err != nil {
		errs = append(errs, err)
	}
	if err := ValidateTags(r.Tags); err != nil {
		errs = append(errs, err)
	}
	if r.ChangeSetID != "" && !changeSetRE.MatchString(r.ChangeSetID) && !changeSetNameRE.MatchString(r.ChangeSetID) {
		errs = append(errs, fmt.Errorf("change-set id %q is neither a change set ARN (arn:aws:cloudformation:REGION:ACCOUNT:changeSet/NAME/ID) nor a change set name", r.ChangeSetID))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid request for stack %s: %w", name, err)
	}
	return nil
}

// On-failure values (CreateChangeSet OnStackFailure).
const (
	OnFailureRollback  = "ROLLBACK"
	OnFailureDelete    = "DELETE"
	OnFailureDoNothing = "DO_NOTHING"
)

// MaxNotificationARNs is CloudFormation's limit of SNS topics per stack.
const MaxNotificationARNs = 5

var (
	roleARNRE  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	topicARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
)

// ValidateOnFailure checks an on-failure value ("" is CloudFormation's
// default).
func ValidateOnFailure(v string) error {
	switch v {
	case "", OnFailureRollback, OnFailureDelete, OnFailureDoNothing:
		return nil
	}
	return fmt.Errorf("on-failure %q is not ROLLBACK, DELETE or DO_NOTHING", v)
}

// ValidateRoleARN checks a CloudFormation service role's ARN ("" is
// none).
func ValidateRoleARN(arn string) error {
	if arn != "" && !roleARNRE.MatchString(arn) {
		return fmt.Errorf("role ARN %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", arn)
	}
	return nil
}

// ValidateNotificationARNs checks SNS topic ARNs and their number.
func ValidateNotificationARNs(arns []string) error {
	var errs []error
	if len(arns) > MaxNotificationARNs {
		errs = append(errs, fmt.Errorf("%d notification ARNs, over CloudFormation's limit of %d", len(arns), MaxNotificationARNs))
	}
	for _, a := range arns {
		if !topicARNRE.MatchString(a) {
			errs = append(errs, fmt.Errorf("notification ARN %q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", a))
		}
	}
	return errors.Join(errs...)
}

// IsPreview reports whether an environment is a pull request's preview,
// pr-<N>: its stack is always named <project>-pr-<N>.
func IsPreview(env string) bool { return previewRE.MatchString(env) }

// changeSetNameRE is a change set name as CloudFormation accepts it. A
// reviewed change set may be passed by name (looked up on the request's
// stack): its ARN carries the account ID, which Actions masks, and the
// runner drops job outputs holding a masked value.
var changeSetNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)

// tags are the root stack's tags, sorted by key.
func (r *Request) tags() []types.Tag {
	m := map[string]string{}
	for k, v := range r.Tags {
		m[k] = v
	}
	m[ManagedByTag] = ManagedBy
	m[ProjectTag] = r.Project
	m[EnvironmentTag] = r.Environment
	if r.PR > 0 {
		m[PRTag] = strconv.Itoa(r.PR)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		k, v := k, m[k]
		out = append(out, types.Tag{Key: &k, Value: &v})
	}
	return out
}

func (r *Request) parameters() []types.Parameter {
	keys := make([]string, 0, len(r.Parameters))
	for k := range r.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Parameter, 0, len(keys))
	for _, k := range keys {
		k, v := k, r.Parameters[k]
		out = append(out, types.Parameter{ParameterKey: &k, ParameterValue: &v})
	}
	prev := append([]string(nil), r.PreviousParameters...)
	sort.Strings(prev)
	for _, k := range prev {
		if _, set := r.Parameters[k]; set {
			continue
		}
		k, yes := k, true
		out = append(out, types.Parameter{ParameterKey: &k, UsePreviousValue: &yes})
	}
	return out
}

// managed reports whether a stack's tags say this tool made it for this
// project and environment.
func (r *Request) managed(st *types.Stack) error {
	tags := map[string]string{}
	for _, t := range st.Tags {
		if t.Key != nil && t.Value != nil {
			tags[*t.Key] = *t.Value
		}
	}
	switch {
	case tags[ManagedByTag] != ManagedBy:
		return fmt.Errorf("stack %s has no tag %s=%s: it was not made by django-serverless: %w", r.stackName(), ManagedByTag, ManagedBy, ErrRefused)
	case tags[ProjectTag] != r.Project:
		return fmt.Errorf("stack %s belongs to project %q, not %q: %w", r.stackName(), tags[ProjectTag], r.Project, ErrRefused)
	case tags[EnvironmentTag] != r.Environment:
		return fmt.Errorf("stack %s belongs to environment %q, not %q: %w", r.stackName(), tags[EnvironmentTag], r.Environment, ErrRefused)
	}
	return nil
}

// Stack tag limits (CloudFormation Tag: key 1-128, value 0-256 characters;
// at most 50 tags per stack), and the tool's own tag keys, which extra
// tags may not set.
const (
	MaxTags        = 50
	MaxTagKey      = 128
	MaxTagValue    = 256
	awsTagPrefix   = "aws:"
	reservedReason = "is set by django-serverless itself"
)

// ValidateTags checks extra stack tags: key and value lengths, no "aws:"
// prefix (reserved by AWS), none of the tool's own keys, and the total
// number of tags with the tool's own four.
func ValidateTags(tags map[string]string) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		v := tags[k]
		switch {
		case k == "" || len(k) > MaxTagKey:
			errs = append(errs, fmt.Errorf("tag key %q: 1 to %d characters", k, MaxTagKey))
		case strings.HasPrefix(strings.ToLower(k), awsTagPrefix):
			errs = append(errs, fmt.Errorf("tag key %q: the aws: prefix is reserved by AWS", k))
		case k == ManagedByTag || k == ProjectTag || k == EnvironmentTag || k == PRTag:
			errs = append(errs, fmt.Errorf("tag key %q %s", k, reservedReason))
		case len(v) > MaxTagValue:
			errs = append(errs, fmt.Errorf("tag %s: value is %d characters, over %d", k, len(v), MaxTagValue))
		case !tagTextRE.MatchString(k) || !tagTextRE.MatchString(v):
			errs = append(errs, fmt.Errorf("tag %s: CloudFormation allows letters, digits, spaces and _ . : / = + - @ only", k))
		}
	}
	if len(tags)+4 > MaxTags {
		errs = append(errs, fmt.Errorf("%d extra tags: with django-serverless's own 4 tags the stack would have %d, over CloudFormation's limit of %d", len(tags), len(tags)+4, MaxTags))
	}
	return errors.Join(errs...)
}

// tagTextRE is the character set of a tag key or value
// (^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ in the Tag API reference).
var tagTextRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// NoEchoValues returns the values given to the template's NoEcho
// parameters: what a change set's property values must never show
// (changeset.Options.Sensitive). A template that does not parse has none
// to tell; CloudFormation reports its errors itself.
func NoEchoValues(template []byte, params map[string]string) []string {
	var t struct {
		Parameters map[string]struct {
			NoEcho any `yaml:"NoEcho"`
		} `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(template, &t); err != nil {
		return nil
	}
	names := make([]string, 0, len(t.Parameters))
	for name, p := range t.Parameters {
		if fmt.Sprint(p.NoEcho) == "true" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if v := params[n]; v != "" {
			out = append(out, v)
		}
	}
	return out
}
