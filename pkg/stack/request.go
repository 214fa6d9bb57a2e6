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
	// Tags are extra tags; the tool's own tags win on conflict.
	Tags   map[string]string
	Commit string // full commit SHA (in the change set's description, never a tag)
	RunID  string // CI run id (plus attempt), "" locally (idem)
	PR     int    // pull-request number, 0 when none
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
	if needTemplate && r.ChangeSetID == "" {
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
	if r.ChangeSetID != "" && !changeSetRE.MatchString(r.ChangeSetID) && !changeSetNameRE.MatchString(r.ChangeSetID) {
		errs = append(errs, fmt.Errorf("change-set id %q is neither a change set ARN (arn:aws:cloudformation:REGION:ACCOUNT:changeSet/NAME/ID) nor a change set name", r.ChangeSetID))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid request for stack %s: %w", name, err)
	}
	return nil
}

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
