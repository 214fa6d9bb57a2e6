package cfnfake

import (
	"fmt"
	"strings"
	"time"
)

// stack is a root or nested stack.
type stack struct {
	name, id       string
	status, reason string
	tags           map[string]string
	params         map[string]string
	outputs        map[string]string
	protection     bool
	parentID       string
	rootID         string
	parent         *stack
	parentLogical  string
	events         []event
	deleted        bool
	visible        bool
	settleAt       int
	settleStatus   string
	created        int
	updated        int
	// lastChangeSetID is the change set last executed on the stack.
	lastChangeSetID string
	// tmpl is the deployed template (nil before the first execution).
	tmpl *tmpl
	// resources are the deployed resources by logical ID.
	resources map[string]*resource
	// pending are nested stacks change sets will create, by logical ID.
	pending map[string]*stack
	// run is the operation in progress, nil when none.
	run *run
}

// resource is a deployed resource.
type resource struct {
	logical, typ, physical string
	props                  map[string]any // evaluated, as deployed
	raw                    map[string]any // the template's expressions
	metadata               any
	tags                   map[string]string // stack tags applied to it
	attrs                  map[string]string
	child                  *stack
	deps                   []string
	deletion               string // DeletionPolicy
	updateReplace          string // UpdateReplacePolicy
	claims                 []claim
	order                  int
}

func (r *resource) copy() *resource {
	c := *r
	return &c
}

// attr is what Fn::GetAtt returns.
func (r *resource) attr(name string) any {
	if r.child != nil && strings.HasPrefix(name, "Outputs.") {
		if v, ok := r.child.outputs[strings.TrimPrefix(name, "Outputs.")]; ok {
			return v
		}
		return &unknown{causes: []cause{{source: "ResourceAttribute", entity: r.logical + "." + name, dynamic: true}}}
	}
	if name == "StackId" && r.child != nil {
		return r.child.id
	}
	if v, ok := r.attrs[name]; ok && !strings.HasSuffix(v, "|"+name) {
		return v
	}
	if v, ok := r.props[name]; ok {
		return v
	}
	return r.physical + "|" + name
}

type event struct {
	id, stackID, stackName     string
	logical, physical, resType string
	status, reason             string
	ts                         time.Time
	tick                       int
}

// changeSet is a root or nested change set.
type changeSet struct {
	id, name     string
	description  string
	stack        *stack
	csType       string
	created      int
	plan         *levelPlan
	parent, root string
	children     []*changeSet
	finalStatus  string
	finalReason  string
	execStatus   string // "" until executed or made obsolete
	changes      []xmlChange
	propChanges  []xmlChange // with IncludePropertyValues
	capabilities []string
	params       map[string]string
	tags         map[string]string
	nested       bool
	includes     bool // IncludeNestedStacks
	body         string
	// createdStack is set when the change set created its stack (CREATE
	// on a new name): deleting the change set deletes that stack too for
	// nested ones.
	createdStack bool
	// onStackFailure is CreateChangeSet's OnStackFailure (ROLLBACK,
	// DELETE, DO_NOTHING; "" when not given): what a failed creation does.
	onStackFailure string
}

func (s *Server) newStack(name, parentID, rootID string) *stack {
	st := &stack{name: name, id: s.stackARN(name), parentID: parentID, rootID: rootID, created: s.tick,
		tags: map[string]string{}, params: map[string]string{}, outputs: map[string]string{},
		resources: map[string]*resource{}, pending: map[string]*stack{}}
	s.stacks = append(s.stacks, st)
	return st
}

func (s *Server) stackARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-%012d", s.sc.Region, s.sc.Account, name, s.next())
}

func rootOf(st *stack) string {
	if st.rootID != "" {
		return st.rootID
	}
	return st.id
}

// childName is a nested stack's name: parent name, logical ID and a
// suffix, at most 128 characters.
func childName(parent, logical string, n int) string {
	name := fmt.Sprintf("%s-%s-N%011d", parent, logical, n)
	if len(name) > 128 {
		name = name[len(name)-128:]
	}
	return name
}

// path is the stack's logical path below its root: "" for a root,
// "Lambdas", "Api/Shard1", ...
func (st *stack) path() string {
	if st.parent == nil {
		return ""
	}
	if p := st.parent.path(); p != "" {
		return p + "/" + st.parentLogical
	}
	return st.parentLogical
}

// resourcePath is a resource's logical path: "Role", "Lambdas/Role".
func (st *stack) resourcePath(logical string) string {
	if p := st.path(); p != "" {
		return p + "/" + logical
	}
	return logical
}

func (s *Server) addEvent(st *stack, logical, resType, physical, status, reason string) {
	st.events = append(st.events, event{
		id:      fmt.Sprintf("%s-%s-%08d", logical, status, s.next()),
		stackID: st.id, stackName: st.name, logical: logical, physical: physical,
		resType: resType, status: status, reason: reason, ts: s.now(), tick: s.tick,
	})
	if logical == st.name && resType == StackType && physical == st.id {
		st.status, st.reason = status, reason
		st.updated = s.tick
	}
}

func (s *Server) stackEvent(st *stack, status, reason string) {
	st.visible = true
	s.addEvent(st, st.name, StackType, st.id, status, reason)
}

// evalContext is the evaluation context of a stack's template.
func (s *Server) evalContext(st *stack, t *tmpl, params map[string]any) *evalCtx {
	return &evalCtx{t: t, params: params, pseudo: map[string]string{
		"AWS::Region": s.sc.Region, "AWS::AccountId": s.sc.Account, "AWS::StackName": st.name, "AWS::StackId": st.id,
		"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
	}, imports: func(name string) (string, bool) {
		v, ok := s.world.exports[name]
		return v, ok
	}}
}
