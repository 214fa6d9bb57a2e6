package changeset

// Model is a change set described at every level: the root stack first, then
// each nested stack depth-first in the order CloudFormation lists them.
type Model struct {
	StackName     string  `json:"stack"`
	ChangeSetID   string  `json:"change_set_id"`
	ChangeSetName string  `json:"change_set_name"`
	Status        string  `json:"status"`
	StatusReason  string  `json:"status_reason,omitempty"`
	Stacks        []Stack `json:"stacks"`
}

// Stack is one level of a nested change set.
type Stack struct {
	// Path is the logical path from the root: "" for the root, then
	// "Lambdas", "Lambdas/Shard2", ...
	Path         string           `json:"path"`
	StackName    string           `json:"stack_name"`
	ChangeSetID  string           `json:"change_set_id"`
	Status       string           `json:"status"`
	StatusReason string           `json:"status_reason,omitempty"`
	Changes      []ResourceChange `json:"changes"`
}

// ResourceChange is one resource's change.
type ResourceChange struct {
	Action       string   `json:"action"` // Add | Modify | Remove | Import | Dynamic
	LogicalID    string   `json:"logical_id"`
	PhysicalID   string   `json:"physical_id,omitempty"`
	ResourceType string   `json:"type"`
	Replacement  string   `json:"replacement,omitempty"` // True | False | Conditional
	Scope        []string `json:"scope,omitempty"`
	Details      []Detail `json:"details,omitempty"`
	// MayChange marks a Modify whose every detail is a Dynamic evaluation
	// driven by a value passed between nested stacks: it may turn out to be
	// no change at all, and is not shown as a risk.
	MayChange bool `json:"may_change,omitempty"`
	// NestedStack is true for AWS::CloudFormation::Stack resources.
	NestedStack bool `json:"nested_stack,omitempty"`
	// PolicyAction is what happens to the resource when it is removed or
	// replaced: Delete, Retain, Snapshot, ReplaceAndDelete,
	// ReplaceAndRetain or ReplaceAndSnapshot ("" when AWS gives none).
	PolicyAction string `json:"policy_action,omitempty"`
	// Values are the changed values of a Modify, property by property
	// (read with IncludePropertyValues), sensitive ones masked.
	Values []Value `json:"values,omitempty"`
}

// Value is one changed property value of a Modify: Path is the property's
// path below the resource ("Properties.MemorySize",
// "Properties.Environment.Variables.DEBUG"); Before and After are its
// values as text (JSON for lists and objects), "" when it is added or
// removed. Unknown values (CloudFormation's {{changeSet:KNOWN_AFTER_APPLY}})
// are KnownAfterDeploy. Masked values (NoEcho parameters, secret-looking
// names or values) are Sensitive and never hold the value.
type Value struct {
	Path   string `json:"path"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Change is Add, Remove or Modify.
	Change    string `json:"change"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// Placeholders a Value holds instead of a value.
const (
	// KnownAfterDeploy stands for a value CloudFormation only knows once it
	// deploys (an attribute of a resource it creates or replaces).
	KnownAfterDeploy = "(known after deploy)"
	// Masked stands for a sensitive value.
	Masked = "(sensitive)"
)

// Detail is one changed property.
type Detail struct {
	Attribute          string `json:"attribute"` // Properties | Metadata | Tags | ...
	Name               string `json:"name,omitempty"`
	RequiresRecreation string `json:"requires_recreation,omitempty"` // Never | Conditionally | Always
	ChangeSource       string `json:"change_source,omitempty"`
	Evaluation         string `json:"evaluation,omitempty"` // Static | Dynamic
	CausingEntity      string `json:"causing_entity,omitempty"`
}

// Totals counts resource changes over all levels (a nested stack whose
// own change set is described is not counted; its contents are). Remove
// and Replace are the removals and replacements a reviewer must weigh
// (Model.Classify's risks); the designed churn of immutable resources
// (old Lambda versions, layer versions, API deployments) is counted apart
// in Routine, never in Remove or Replace, so these counts and the risk
// list always agree.
type Totals struct {
	Add     int `json:"add"`
	Modify  int `json:"modify"`
	Remove  int `json:"remove"`
	Replace int `json:"replace"`
	Routine int `json:"routine"`
}

// Count is the number of resource changes counted.
func (t Totals) Count() int { return t.Add + t.Modify + t.Remove + t.Replace + t.Routine }

// Risky is the number of removals and replacements a reviewer must weigh.
func (t Totals) Risky() int { return t.Remove + t.Replace }
