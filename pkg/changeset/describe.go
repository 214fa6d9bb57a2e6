// Package changeset describes a CloudFormation change set at every level of
// nested stacks into one Model, counts it, marks changes that only come from
// values passed between nested stacks as "may change", splits removals and
// replacements into risks and the routine churn of immutable resources
// (new Lambda versions, layer versions and API deployments; see
// Stack.Routine), and formats it as plain text for logs (pkg/github
// renders the PR comment and job summary from the same Model).
package changeset

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// DescribeAPI is the one CloudFormation call Describe needs;
// *cloudformation.Client satisfies it.
type DescribeAPI interface {
	DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error)
}

var _ DescribeAPI = (*cloudformation.Client)(nil)

// StackType is the resource type of a nested stack.
const StackType = "AWS::CloudFormation::Stack"

// maxLevels bounds nesting (AWS allows far fewer levels in practice).
const maxLevels = 16

// Options tune Describe.
type Options struct {
	// Sensitive are values never to show: the values of NoEcho
	// parameters. Any property value holding one is masked (see Value).
	Sensitive []string
}

// Describe reads the change set changeSetID (an ARN) and, depth-first, the
// nested change set of every AWS::CloudFormation::Stack change, following
// NextToken at every level. Property values are included
// (IncludePropertyValues): each Modify gets its changed values, masked
// where they are sensitive (secret-looking names or values).
func Describe(ctx context.Context, api DescribeAPI, changeSetID string) (*Model, error) {
	return DescribeWith(ctx, api, changeSetID, Options{})
}

// DescribeWith is Describe with options.
func DescribeWith(ctx context.Context, api DescribeAPI, changeSetID string, o Options) (*Model, error) {
	m := &Model{}
	mask := newMasker(o.Sensitive)
	if err := describeLevel(ctx, api, m, mask, changeSetID, "", 0); err != nil {
		return nil, err
	}
	return m, nil
}

func describeLevel(ctx context.Context, api DescribeAPI, m *Model, mask *masker, id, path string, depth int) error {
	if depth > maxLevels {
		return fmt.Errorf("describe change set %s: nested deeper than %d levels", id, maxLevels)
	}
	var (
		level  = Stack{Path: path, ChangeSetID: id}
		nested []nestedRef
		token  *string
	)
	for {
		out, err := api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), NextToken: token,
			IncludePropertyValues: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("describe change set %s: %w", id, err)
		}
		if token == nil {
			level.StackName = aws.ToString(out.StackName)
			level.Status = string(out.Status)
			level.StatusReason = aws.ToString(out.StatusReason)
			if depth == 0 {
				m.StackName = level.StackName
				m.ChangeSetID = aws.ToString(out.ChangeSetId)
				m.ChangeSetName = aws.ToString(out.ChangeSetName)
				m.Status = level.Status
				m.StatusReason = level.StatusReason
			}
		}
		for _, c := range out.Changes {
			rc := c.ResourceChange
			if rc == nil {
				continue
			}
			ch := convert(rc, depth > 0, mask)
			level.Changes = append(level.Changes, ch)
			if ch.NestedStack && aws.ToString(rc.ChangeSetId) != "" {
				nested = append(nested, nestedRef{id: aws.ToString(rc.ChangeSetId), logical: ch.LogicalID})
			}
		}
		token = out.NextToken
		if aws.ToString(token) == "" {
			break
		}
	}
	m.Stacks = append(m.Stacks, level)
	for _, n := range nested {
		p := n.logical
		if path != "" {
			p = path + "/" + n.logical
		}
		if err := describeLevel(ctx, api, m, mask, n.id, p, depth+1); err != nil {
			return err
		}
	}
	return nil
}

type nestedRef struct{ id, logical string }

func convert(rc *types.ResourceChange, nestedLevel bool, mask *masker) ResourceChange {
	ch := ResourceChange{
		Action:       string(rc.Action),
		LogicalID:    aws.ToString(rc.LogicalResourceId),
		PhysicalID:   aws.ToString(rc.PhysicalResourceId),
		ResourceType: aws.ToString(rc.ResourceType),
		Replacement:  string(rc.Replacement),
		NestedStack:  aws.ToString(rc.ResourceType) == StackType,
		PolicyAction: string(rc.PolicyAction),
	}
	if ch.Action == "Add" || ch.Action == "Import" {
		// With IncludePropertyValues AWS says "Replacement: True" for an
		// Add: nothing is replaced.
		ch.Replacement = ""
	}
	for _, s := range rc.Scope {
		ch.Scope = append(ch.Scope, string(s))
	}
	for _, d := range rc.Details {
		det := Detail{
			ChangeSource:  string(d.ChangeSource),
			Evaluation:    string(d.Evaluation),
			CausingEntity: aws.ToString(d.CausingEntity),
		}
		if d.Target != nil {
			det.Attribute = string(d.Target.Attribute)
			det.Name = aws.ToString(d.Target.Name)
			det.RequiresRecreation = string(d.Target.RequiresRecreation)
		}
		ch.Details = append(ch.Details, det)
	}
	if ch.Action != "Add" && ch.Action != "Remove" && ch.Action != "Import" {
		ch.Values = values(rc, mask)
	}
	ch.MayChange = mayChange(ch, nestedLevel)
	return ch
}

// mayChange reports a Modify whose every detail is a Dynamic evaluation of
// a value passed between nested stacks: a parameter of a nested stack (set
// by its parent from a sibling's output) or an attribute read from another
// nested stack's outputs. CloudFormation cannot know these values before
// execution, so the change often turns out to be none.
func mayChange(ch ResourceChange, nestedLevel bool) bool {
	if ch.Action != "Modify" || len(ch.Details) == 0 {
		return false
	}
	for _, d := range ch.Details {
		if d.Evaluation != "Dynamic" {
			return false
		}
		switch {
		case d.ChangeSource == "ParameterReference" && nestedLevel:
		case d.ChangeSource == "ResourceAttribute" && (ch.NestedStack || strings.Contains(d.CausingEntity, ".Outputs.")):
		default:
			return false
		}
	}
	return true
}

// HasChanges reports whether any level has a change.
func (m *Model) HasChanges() bool {
	if m == nil {
		return false
	}
	for _, s := range m.Stacks {
		if len(s.Changes) > 0 {
			return true
		}
	}
	return false
}

// NoChangesReason reports whether a FAILED change set's reason means it
// had nothing to change (AWS uses two messages).
func NoChangesReason(reason string) bool {
	return strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed")
}

// NoChanges reports a level whose change set FAILED because it had
// nothing to change: an unchanged nested stack of an updated parent gets
// one, while the root change set stays executable.
func (s Stack) NoChanges() bool {
	return s.Status == "FAILED" && NoChangesReason(s.StatusReason)
}

// Failed reports a level whose change set FAILED for a real reason.
func (s Stack) Failed() bool {
	return s.Status == "FAILED" && !NoChangesReason(s.StatusReason)
}
