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

// Describe reads the change set changeSetID (an ARN) and, depth-first, the
// nested change set of every AWS::CloudFormation::Stack change, following
// NextToken at every level.
func Describe(ctx context.Context, api DescribeAPI, changeSetID string) (*Model, error) {
	m := &Model{}
	if err := describeLevel(ctx, api, m, changeSetID, "", 0); err != nil {
		return nil, err
	}
	return m, nil
}

func describeLevel(ctx context.Context, api DescribeAPI, m *Model, id, path string, depth int) error {
	if depth > maxLevels {
		return fmt.Errorf("describe change set %s: nested deeper than %d levels", id, maxLevels)
	}
	var (
		level  = Stack{Path: path, ChangeSetID: id}
		nested []nestedRef
		token  *string
	)
	for {
		out, err := api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), NextToken: token})
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
			ch := convert(rc, depth > 0)
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
		if err := describeLevel(ctx, api, m, n.id, p, depth+1); err != nil {
			return err
		}
	}
	return nil
}

type nestedRef struct{ id, logical string }

func convert(rc *types.ResourceChange, nestedLevel bool) ResourceChange {
	ch := ResourceChange{
		Action:       string(rc.Action),
		LogicalID:    aws.ToString(rc.LogicalResourceId),
		PhysicalID:   aws.ToString(rc.PhysicalResourceId),
		ResourceType: aws.ToString(rc.ResourceType),
		Replacement:  string(rc.Replacement),
		NestedStack:  aws.ToString(rc.ResourceType) == StackType,
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

// Totals counts resource changes over all levels. Nested-stack resources
// are not counted (their contents are). A Modify with Replacement True or
// Conditional counts as Replace; an Import counts as Add.
func (m *Model) Totals() Totals {
	var t Totals
	if m == nil {
		return t
	}
	for _, s := range m.Stacks {
		for _, c := range s.Changes {
			if c.NestedStack {
				continue
			}
			switch c.Action {
			case "Add", "Import":
				t.Add++
			case "Remove":
				t.Remove++
			default:
				if c.Replacement == "True" || c.Replacement == "Conditional" {
					t.Replace++
				} else {
					t.Modify++
				}
			}
		}
	}
	return t
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

// FailedLevels returns the levels whose change set FAILED for a reason
// other than having nothing to change, root first.
func (m *Model) FailedLevels() []Stack {
	var out []Stack
	if m == nil {
		return out
	}
	for _, s := range m.Stacks {
		if s.Failed() {
			out = append(out, s)
		}
	}
	return out
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
