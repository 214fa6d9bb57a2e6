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
}

// Detail is one changed property.
type Detail struct {
	Attribute          string `json:"attribute"` // Properties | Metadata | Tags | ...
	Name               string `json:"name,omitempty"`
	RequiresRecreation string `json:"requires_recreation,omitempty"` // Never | Conditionally | Always
	ChangeSource       string `json:"change_source,omitempty"`
	Evaluation         string `json:"evaluation,omitempty"` // Static | Dynamic
	CausingEntity      string `json:"causing_entity,omitempty"`
}

// Totals counts resource changes over all levels (nested-stack resources
// themselves are not counted; their contents are).
type Totals struct {
	Add     int `json:"add"`
	Modify  int `json:"modify"`
	Remove  int `json:"remove"`
	Replace int `json:"replace"`
}
