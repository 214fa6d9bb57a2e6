// Package cfnfake is a scenario-driven fake of the CloudFormation query API
// (form-encoded Action=...&Version=2010-05-15 requests, XML responses in the
// service's own shapes) served by net/http/httptest, for tests that drive
// the real aws-sdk-go-v2 CloudFormation client.
//
// It stands for the parts of CloudFormation a deploy tool depends on and
// that moto does not reproduce: change sets created asynchronously
// (CREATE_PENDING -> CREATE_IN_PROGRESS -> CREATE_COMPLETE or FAILED), nested
// change sets (IncludeNestedStacks) with ParentChangeSetId/RootChangeSetId
// and a ChangeSetId on every AWS::CloudFormation::Stack change, Changes and
// StackEvents paginated with NextToken (events newest first), the two
// "no changes" FAILED reasons, ExecutionStatus AVAILABLE/OBSOLETE, execution
// that emits one event per resource in the root and in each nested stack
// (nested stacks have their own ARNs), rollbacks after a nested resource
// fails (with the "Resource creation cancelled" and "Embedded stack ... was
// not successfully created" wrapper events AWS emits), stacks found busy,
// in ROLLBACK_COMPLETE or UPDATE_ROLLBACK_FAILED, CancelUpdateStack,
// termination protection, DeleteStack and Throttling errors.
//
// Time is logical: every request advances a tick counter and pending work
// (change-set creation, execution steps, deletes, busy stacks settling)
// moves forward by ticks, never by the wall clock, so tests are fast and
// deterministic. Timestamps are a fixed epoch plus one second per tick. The
// fake does not read templates: the Scenario says what the next change set
// on a stack will contain and which resource will fail.
//
// Use:
//
//	srv := cfnfake.New(t, cfnfake.Scenario{
//		Stacks: []cfnfake.Stack{{Name: "shop-dev", Status: "UPDATE_COMPLETE", Nested: []string{"Lambdas"}}},
//		Plans:  map[string]*cfnfake.Level{"shop-dev": {Changes: []cfnfake.Change{...}}},
//	})
//	client := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = &srv.URL })
//
// or, for a subprocess, AWS_ENDPOINT_URL_CLOUDFORMATION=srv.URL. Calls()
// counts requests per action; Requests() returns their decoded parameters.
// Requests are not authenticated.
package cfnfake

// Scenario describes the world before a test and what CloudFormation will
// compute for it.
type Scenario struct {
	// Account and Region appear in ARNs (defaults 123456789012, us-east-1).
	Account string
	Region  string
	// Stacks exist before the test starts.
	Stacks []Stack
	// Plans maps a root stack name to what a change set created on it
	// will contain. A stack with no plan, or a plan with no changes, gets
	// a FAILED change set with NoChangeReason.
	Plans map[string]*Level
	// NoChangeReason is the status reason of an empty change set (default
	// ReasonNoChanges; ReasonNoUpdates is the other message AWS uses).
	NoChangeReason string
	// ChangeSetTicks is how many requests each change-set status step
	// takes (CREATE_PENDING, then CREATE_IN_PROGRESS); default 1.
	ChangeSetTicks int
	// StepTicks is how many requests each execution step (one event)
	// takes; default 1.
	StepTicks int
	// DeleteTicks is how many requests a DeleteStack takes; default 2.
	DeleteTicks int
	// PageSize limits Changes and StackEvents per page (default 100).
	PageSize int
	// Throttle makes the first N requests of an action fail with a
	// Throttling error.
	Throttle map[string]int
	// Outputs are set on a root stack after a successful execution.
	Outputs map[string]map[string]string
}

// Stack is a stack that exists before the test.
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

// Level is the content of a change set on one stack.
type Level struct {
	Changes []Change
	// FailReason makes this level's change set FAILED with that reason
	// (the root then fails with AWS's nested-failure message).
	FailReason string
}

// Change is one resource change in a change set.
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

// Detail is one ResourceChangeDetail.
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

func (l *Level) willFail() bool {
	if l == nil {
		return false
	}
	for _, c := range l.Changes {
		if c.Fail != "" || c.Nested.willFail() {
			return true
		}
	}
	return false
}
