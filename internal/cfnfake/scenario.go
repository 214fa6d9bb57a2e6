package cfnfake

import "context"

// Scenario describes the world before a test: existing stacks, the S3 the
// fake reads templates from, and the faults to inject.
type Scenario struct {
	// Account and Region appear in ARNs (defaults 123456789012, us-east-1).
	Account string
	Region  string
	// S3 is where TemplateURLs (root and nested) are read from and where
	// AWS::S3::Bucket deletions look for objects. With S3 set, change
	// sets are computed from the submitted templates. Use MapObjects in
	// unit tests, S3Objects over a moto-backed client elsewhere.
	S3 Objects
	// Stacks exist before the test starts.
	Stacks []Stack
	// Plans are scripted change sets, for tests that upload no templates:
	// a root stack name maps to what a change set created on it contains
	// (a stack with neither a plan nor templates gets a FAILED change set
	// with NoChangeReason). A plan wins over templates.
	Plans map[string]*Level
	// Faults make operations on resources fail, in both modes.
	Faults []Fault
	// Durations is how many steps an operation on a resource takes, by
	// resource path ("Lambdas/CatalogFunction") or type
	// ("AWS::CloudFront::Distribution"); default 1.
	Durations map[string]int
	// External are keys of the account held by resources no stack of the
	// fake manages (Claim builds them): a log group Lambda created on its
	// own, a bucket name taken elsewhere.
	External []ExternalResource
	// NoChangeReason is the status reason of an empty change set (default
	// ReasonNoChanges; ReasonNoUpdates is the other message AWS uses).
	NoChangeReason string
	// ChangeSetTicks is how many requests each change-set status step
	// takes (CREATE_PENDING, then CREATE_IN_PROGRESS); default 1.
	ChangeSetTicks int
	// StepTicks multiplies every duration (default 1).
	StepTicks int
	// PageSize limits Changes, StackEvents and StackResourceSummaries per
	// page (default 100).
	PageSize int
	// Throttle makes the first N requests of an action fail with a
	// Throttling error; Throttles throttle later windows.
	Throttle  map[string]int
	Throttles []Throttle
	// Outputs are set on a root stack after a successful execution of a
	// scripted plan (template-driven stacks get their templates' outputs).
	Outputs map[string]map[string]string
	// EventLag delays, by stack path ("" for the root, "Lambdas" for a
	// nested stack) or stack path and status ("#UPDATE_COMPLETE" for the
	// root's UPDATE_COMPLETE events), when DescribeStackEvents shows a
	// stack's events: the API is eventually consistent, and a stack's
	// status can move before its event is listed.
	EventLag map[string]int
	// ChangeSetLimit is the number of change sets a stack may hold
	// (default 1000); beyond it CreateChangeSet fails with
	// LimitExceededException, and a nested change set FAILED.
	ChangeSetLimit int
	// OnResource, when set, hears every resource of a template-driven
	// stack as it reaches CREATE_COMPLETE, UPDATE_COMPLETE (also when a
	// rollback puts it back) or DELETE_COMPLETE: what the service behind
	// the resource saw. Tests use it to stand up the resources for real
	// (internal/lambdafake runs the Lambda functions).
	OnResource func(ResourceEvent)
}

// ResourceEvent is a resource operation that completed.
type ResourceEvent struct {
	Action   string // CREATE | UPDATE | DELETE
	Type     string // AWS::Lambda::Function, ...
	Logical  string
	Physical string
	// Props are the resource's evaluated properties (for DELETE, the
	// ones it had); Attrs its GetAtt attributes.
	Props map[string]any
	Attrs map[string]string
}

// Fault makes one operation on one resource fail with Reason.
type Fault struct {
	// Path is the resource's logical path from the root stack: "Role" in
	// the root, "Lambdas/CatalogFunction" in nested stack Lambdas.
	Path string
	// On is CREATE, UPDATE, DELETE, or ROLLBACK (updating the resource
	// back to its old properties during an update rollback).
	On     string
	Reason string
}

// Throttle fails Count requests of Action from its After+1-th one with a
// Throttling error.
type Throttle struct {
	Action       string
	After, Count int
}

// ExternalResource is a resource outside the fake's stacks.
type ExternalResource struct {
	Type       string            // e.g. AWS::Logs::LogGroup
	Properties map[string]string // e.g. {"LogGroupName": "/aws/lambda/shop-dev-catalog"}
}

// Stack is a stack that exists before the test. Its resources are not
// modelled (deploy templates through change sets for that), only its
// nested stacks.
type Stack struct {
	Name                  string
	Status                string // e.g. UPDATE_COMPLETE, ROLLBACK_COMPLETE
	StatusReason          string
	Tags                  map[string]string
	Outputs               map[string]string
	TerminationProtection bool
	// Nested are the stack's nested stacks by logical ID (created in the
	// same status as the parent).
	Nested []string
	// SettleAfter, when > 0 and Status ends in _IN_PROGRESS, moves the
	// stack to SettleStatus after that many requests.
	SettleAfter  int
	SettleStatus string
}

// Level is the content of a scripted change set on one stack.
type Level struct {
	Changes []Change
	// FailReason makes this level's change set FAILED with that reason
	// (the root then fails with AWS's nested-failure message).
	FailReason string
}

// Change is one resource change of a scripted change set.
type Change struct {
	Action       string // Add | Modify | Remove
	LogicalID    string
	ResourceType string
	PhysicalID   string
	Replacement  string // True | False | Conditional (Modify only)
	Scope        []string
	Details      []Detail
	// Nested is the nested stack's own change set (ResourceType
	// AWS::CloudFormation::Stack).
	Nested *Level
	// Fail makes the resource fail during execution with this reason.
	Fail string
}

// Detail is one ResourceChangeDetail of a scripted change.
type Detail struct {
	Attribute          string // Properties | Tags | ...
	Name               string
	RequiresRecreation string // Never | Conditionally | Always
	ChangeSource       string // DirectModification | ParameterReference | ResourceAttribute | ...
	Evaluation         string // Static | Dynamic
	CausingEntity      string
}

// The two status reasons AWS gives a change set that has nothing to do.
const (
	ReasonNoChanges = "The submitted information didn't contain changes. Submit different information to create a change set."
	ReasonNoUpdates = "No updates are to be performed."
)

// StackType is the resource type of a nested stack.
const StackType = "AWS::CloudFormation::Stack"

func (l *Level) hasChanges() bool {
	return l != nil && len(l.Changes) > 0
}

// Objects is the S3 the fake reads: templates, and whether a bucket is
// empty.
type Objects interface {
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
	// HasObjects reports whether bucket holds at least one object.
	HasObjects(ctx context.Context, bucket string) (bool, error)
}
