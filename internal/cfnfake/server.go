package cfnfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// epoch is the fake clock's time at tick 0.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Server is a running fake. Its URL is the BaseEndpoint for the SDK client.
type Server struct {
	URL string

	srv *httptest.Server

	mu         sync.Mutex
	sc         Scenario
	tick       int
	seq        int
	stacks     []*stack
	changeSets []*changeSet
	ops        []*op
	calls      map[string]int
	throttled  map[string]int
	requests   []Request
}

// Request is one request the fake received, for assertions on request
// shapes.
type Request struct {
	Action string
	Params map[string][]string
}

type stack struct {
	name, id        string
	status, reason  string
	tags            map[string]string
	params          map[string]string
	outputs         map[string]string
	protection      bool
	parentID        string
	rootID          string
	children        map[string]*stack
	events          []event
	deleted         bool
	visible         bool
	settleAt        int
	settleStatus    string
	lastChangeSetID string
}

type event struct {
	id, stackID, stackName     string
	logical, physical, resType string
	status, reason             string
	ts                         time.Time
}

type changeSet struct {
	id, name     string
	stack        *stack
	csType       string
	created      int
	level        *Level
	parent, root string
	children     []*changeSet
	finalStatus  string
	finalReason  string
	execStatus   string // "" until executed or made obsolete
	changes      []xmlChange
	capabilities []string
	params       map[string]string
	tags         map[string]string
	nested       bool
}

type op struct {
	steps []func()
	next  int
	root  *stack
	cs    *changeSet
}

// New starts a fake serving sc. It is closed with the test.
func New(t interface {
	Helper()
	Cleanup(func())
}, sc Scenario) *Server {
	t.Helper()
	s := NewServer(sc)
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a fake serving sc; Close stops it.
func NewServer(sc Scenario) *Server {
	if sc.Account == "" {
		sc.Account = "123456789012"
	}
	if sc.Region == "" {
		sc.Region = "us-east-1"
	}
	if sc.NoChangeReason == "" {
		sc.NoChangeReason = ReasonNoChanges
	}
	if sc.ChangeSetTicks <= 0 {
		sc.ChangeSetTicks = 1
	}
	if sc.StepTicks <= 0 {
		sc.StepTicks = 1
	}
	if sc.DeleteTicks <= 0 {
		sc.DeleteTicks = 2
	}
	if sc.PageSize <= 0 {
		sc.PageSize = 100
	}
	s := &Server{sc: sc, calls: map[string]int{}, throttled: map[string]int{}}
	for _, st := range sc.Stacks {
		s.seed(st)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Calls returns the number of requests per action (throttled ones
// included).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// StackStatus returns the status of the live stack with that name, or ""
// when none exists.
func (s *Server) StackStatus(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.live(name); st != nil {
		return st.status
	}
	return ""
}

// TerminationProtection reports whether the live stack has it enabled.
func (s *Server) TerminationProtection(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.live(name)
	return st != nil && st.protection
}

// ChangeSetExists reports whether a change set with that ID or name exists.
func (s *Server) ChangeSetExists(idOrName string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cs := range s.changeSets {
		if cs.id == idOrName || cs.name == idOrName {
			return true
		}
	}
	return false
}

// MakeObsolete marks a change set OBSOLETE, as AWS does when its stack was
// updated by other means after the change set was created.
func (s *Server) MakeObsolete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.findChangeSet(id, ""); cs != nil {
		cs.execStatus = "OBSOLETE"
	}
}

// SetPlan replaces the plan of the next change set on a root stack.
func (s *Server) SetPlan(stackName string, l *Level) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc.Plans == nil {
		s.sc.Plans = map[string]*Level{}
	}
	s.sc.Plans[stackName] = l
}

func (s *Server) next() int {
	s.seq++
	return s.seq
}

func (s *Server) now() time.Time { return epoch.Add(time.Duration(s.tick) * time.Second) }

func (s *Server) stackARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-4000-8000-%012d", s.sc.Region, s.sc.Account, name, s.next())
}

func (s *Server) newStack(name, parentID, rootID string) *stack {
	st := &stack{name: name, id: s.stackARN(name), parentID: parentID, rootID: rootID,
		children: map[string]*stack{}, tags: map[string]string{}, params: map[string]string{}, outputs: map[string]string{}}
	s.stacks = append(s.stacks, st)
	return st
}

func (s *Server) seed(sd Stack) {
	st := s.newStack(sd.Name, "", "")
	st.visible = true
	st.status, st.reason = sd.Status, sd.StatusReason
	for k, v := range sd.Tags {
		st.tags[k] = v
	}
	for k, v := range sd.Outputs {
		st.outputs[k] = v
	}
	st.protection = sd.TerminationProtection
	st.settleAt, st.settleStatus = sd.SettleAfter, sd.SettleStatus
	s.addEvent(st, st.name, StackType, st.id, sd.Status, sd.StatusReason)
	for _, logical := range sd.Nested {
		s.seedChild(st, logical)
	}
}

func (s *Server) seedChild(parent *stack, logical string) *stack {
	c := s.newStack(childName(parent.name, logical, s.seq+1), parent.id, rootOf(parent))
	c.visible = true
	parent.children[logical] = c
	status := parent.status
	if !strings.HasSuffix(status, "_COMPLETE") {
		status = "UPDATE_COMPLETE"
	}
	s.addEvent(c, c.name, StackType, c.id, status, "")
	return c
}

func rootOf(st *stack) string {
	if st.rootID != "" {
		return st.rootID
	}
	return st.id
}

func childName(parent, logical string, n int) string {
	name := fmt.Sprintf("%s-%s-N%011d", parent, logical, n)
	if len(name) > 128 {
		name = name[len(name)-128:]
	}
	return name
}

func (s *Server) addEvent(st *stack, logical, resType, physical, status, reason string) {
	st.events = append(st.events, event{
		id:      fmt.Sprintf("%s-%s-%08d", logical, status, s.next()),
		stackID: st.id, stackName: st.name, logical: logical, physical: physical,
		resType: resType, status: status, reason: reason, ts: s.now(),
	})
	if logical == st.name && resType == StackType {
		st.status, st.reason = status, reason
	}
}

// live finds the stack with that name or ARN. By name, deleted stacks are
// not found; by ARN they are (as DELETE_COMPLETE), as with AWS.
func (s *Server) live(nameOrID string) *stack {
	for i := len(s.stacks) - 1; i >= 0; i-- {
		st := s.stacks[i]
		if !st.visible {
			continue
		}
		if st.id == nameOrID {
			return st
		}
		if st.name == nameOrID && !st.deleted {
			return st
		}
	}
	return nil
}

func (s *Server) findChangeSet(nameOrID, stackName string) *changeSet {
	for _, cs := range s.changeSets {
		if cs.id == nameOrID {
			return cs
		}
		if cs.name == nameOrID && stackName != "" && (cs.stack.name == stackName || cs.stack.id == stackName) {
			return cs
		}
	}
	return nil
}

// advance moves logical time one tick and applies what became due.
func (s *Server) advance() {
	s.tick++
	for _, st := range s.stacks {
		if st.settleAt > 0 && s.tick >= st.settleAt {
			st.settleAt = 0
			s.addEvent(st, st.name, StackType, st.id, st.settleStatus, "")
		}
	}
	for _, o := range s.ops {
		for len(o.steps) > 0 && o.next <= s.tick {
			step := o.steps[0]
			o.steps = o.steps[1:]
			step()
			o.next += s.sc.StepTicks
		}
	}
	kept := s.ops[:0]
	for _, o := range s.ops {
		if len(o.steps) > 0 {
			kept = append(kept, o)
		}
	}
	s.ops = kept
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, 400, "Sender", "MalformedQueryString", err.Error())
		return
	}
	action := r.PostForm.Get("Action")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[action]++
	s.requests = append(s.requests, Request{Action: action, Params: map[string][]string(r.PostForm)})
	s.advance()
	if r.PostForm.Get("Version") != "2010-05-15" {
		writeError(w, 400, "Sender", "InvalidParameterValue", "unsupported Version "+r.PostForm.Get("Version"))
		return
	}
	if s.throttled[action] < s.sc.Throttle[action] {
		s.throttled[action]++
		writeError(w, 400, "Sender", "Throttling", "Rate exceeded")
		return
	}
	h, ok := handlers[action]
	if !ok {
		writeError(w, 400, "Sender", "InvalidAction", "The action "+action+" is not valid for this web service.")
		return
	}
	res, err := h(s, r.PostForm)
	if err != nil {
		writeError(w, err.status, "Sender", err.code, err.msg)
		return
	}
	writeResult(w, action, res)
}

type apiError struct {
	status    int
	code, msg string
}

func validation(format string, args ...any) *apiError {
	return &apiError{400, "ValidationError", fmt.Sprintf(format, args...)}
}

var handlers = map[string]func(*Server, formValues) (any, *apiError){
	"CreateChangeSet":             (*Server).createChangeSet,
	"DescribeChangeSet":           (*Server).describeChangeSet,
	"ListChangeSets":              (*Server).listChangeSets,
	"ExecuteChangeSet":            (*Server).executeChangeSet,
	"DeleteChangeSet":             (*Server).deleteChangeSet,
	"DescribeStacks":              (*Server).describeStacks,
	"DescribeStackEvents":         (*Server).describeStackEvents,
	"DeleteStack":                 (*Server).deleteStack,
	"CancelUpdateStack":           (*Server).cancelUpdateStack,
	"UpdateTerminationProtection": (*Server).updateTerminationProtection,
}

type formValues = map[string][]string

func get(f formValues, k string) string {
	if v := f[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// members reads a query-protocol list: Key.member.1, Key.member.2, ...
func members(f formValues, key string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := f[key+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// pairs reads a list of structures with two fields.
func pairs(f formValues, key, k, v string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		p := key + ".member." + strconv.Itoa(i) + "."
		kk, ok := f[p+k]
		if !ok {
			return out
		}
		out[kk[0]] = get(f, p+v)
	}
}

var (
	stackNameRE     = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
	changeSetNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
)

func (s *Server) createChangeSet(f formValues) (any, *apiError) {
	name, csName := get(f, "StackName"), get(f, "ChangeSetName")
	if !stackNameRE.MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	if !changeSetNameRE.MatchString(csName) {
		return nil, validation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", csName)
	}
	if get(f, "TemplateURL") == "" && get(f, "TemplateBody") == "" && get(f, "UsePreviousTemplate") != "true" {
		return nil, validation("Either Template URL or Template Body must be specified.")
	}
	csType := get(f, "ChangeSetType")
	if csType == "" {
		csType = "UPDATE"
	}
	caps := members(f, "Capabilities")
	st := s.live(name)
	if st != nil && st.deleted {
		st = nil
	}
	switch csType {
	case "CREATE":
		if st != nil && st.status != "REVIEW_IN_PROGRESS" {
			return nil, &apiError{400, "AlreadyExistsException", fmt.Sprintf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, csName)}
		}
	case "UPDATE":
		if st == nil {
			return nil, validation("Stack [%s] does not exist", name)
		}
		if !updatable(st.status) {
			return nil, validation("Stack:%s is in %s state and can not be updated.", st.id, st.status)
		}
	default:
		return nil, validation("ChangeSetType %s is not supported by this fake", csType)
	}
	if st != nil {
		for _, cs := range s.changeSets {
			if cs.stack == st && cs.name == csName {
				return nil, &apiError{400, "AlreadyExistsException", fmt.Sprintf("ChangeSet [%s] already exists", csName)}
			}
		}
	}
	plan := s.sc.Plans[name]
	if needsIAM(plan) && !contains(caps, "CAPABILITY_IAM") && !contains(caps, "CAPABILITY_NAMED_IAM") {
		return nil, &apiError{400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]"}
	}
	if st == nil {
		st = s.newStack(name, "", "")
		st.visible = true
		s.addEvent(st, name, StackType, st.id, "REVIEW_IN_PROGRESS", "User Initiated")
	}
	if csType == "CREATE" || len(st.tags) == 0 {
		st.tags = pairs(f, "Tags", "Key", "Value")
	}
	cs := s.buildChangeSet(st, csName, csType, plan, get(f, "IncludeNestedStacks") == "true", "", "")
	cs.capabilities = caps
	cs.params = pairs(f, "Parameters", "ParameterKey", "ParameterValue")
	cs.tags = pairs(f, "Tags", "Key", "Value")
	s.settleChangeSet(cs)
	return xmlCreateChangeSet{ID: cs.id, StackID: st.id}, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func needsIAM(l *Level) bool {
	if l == nil {
		return false
	}
	for _, c := range l.Changes {
		if strings.HasPrefix(c.ResourceType, "AWS::IAM::") || needsIAM(c.Nested) {
			return true
		}
	}
	return false
}

func updatable(status string) bool {
	switch status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE":
		return true
	}
	return false
}

func (s *Server) buildChangeSet(st *stack, name, csType string, lv *Level, nested bool, parent, root string) *changeSet {
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/00000000-0000-4000-9000-%012d", s.sc.Region, s.sc.Account, name, s.next())
	if root == "" {
		root = id
	}
	cs := &changeSet{id: id, name: name, stack: st, csType: csType, created: s.tick, level: lv, parent: parent, root: root, nested: parent != ""}
	if parent == "" {
		cs.root = ""
		if nested {
			cs.root = id
		}
	}
	s.changeSets = append(s.changeSets, cs)
	if lv == nil {
		return cs
	}
	for _, c := range lv.Changes {
		xc := xmlChange{Type: "Resource", ResourceChange: xmlResourceChange{
			Action: c.Action, LogicalResourceID: c.LogicalID, PhysicalResourceID: c.PhysicalID,
			ResourceType: c.ResourceType, Replacement: c.Replacement, Scope: c.Scope,
		}}
		if c.Action == "Add" {
			xc.ResourceChange.PhysicalResourceID = ""
		}
		for _, d := range c.Details {
			xc.ResourceChange.Details = append(xc.ResourceChange.Details, xmlDetail{
				Target:       xmlTarget{Attribute: d.Attribute, Name: d.Name, RequiresRecreation: d.RequiresRecreation},
				Evaluation:   d.Evaluation,
				ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity,
			})
		}
		if c.Nested != nil && nested && c.Action != "Remove" {
			child := st.children[c.LogicalID]
			if child == nil {
				child = s.newStack(childName(st.name, c.LogicalID, s.seq+1), st.id, rootOf(st))
				st.children[c.LogicalID] = child
			}
			if c.Action == "Modify" && !child.visible {
				child.visible = true
				s.addEvent(child, child.name, StackType, child.id, "UPDATE_COMPLETE", "")
			}
			childName := fmt.Sprintf("%s-%s-N%06d", trunc(name, 60), c.LogicalID, s.seq+1)
			ccs := s.buildChangeSet(child, trunc(childName, 128), csType, c.Nested, true, id, cs.root)
			if c.Action == "Add" {
				ccs.csType = "CREATE"
			} else {
				ccs.csType = "UPDATE"
			}
			cs.children = append(cs.children, ccs)
			xc.ResourceChange.ChangeSetID = ccs.id
		}
		cs.changes = append(cs.changes, xc)
	}
	return cs
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// settleChangeSet decides the final status of a change set tree.
func (s *Server) settleChangeSet(cs *changeSet) bool {
	failed := false
	for _, c := range cs.children {
		if !s.settleChangeSet(c) {
			failed = true
			if cs.finalReason == "" {
				cs.finalReason = fmt.Sprintf("Nested change set %s was not successfully created: Currently in FAILED.", c.id)
			}
		}
	}
	switch {
	case cs.level != nil && cs.level.FailReason != "":
		cs.finalStatus, cs.finalReason = "FAILED", cs.level.FailReason
	case failed:
		cs.finalStatus = "FAILED"
	case !cs.nested && !cs.level.hasChanges():
		cs.finalStatus, cs.finalReason = "FAILED", s.sc.NoChangeReason
	default:
		cs.finalStatus = "CREATE_COMPLETE"
	}
	return cs.finalStatus == "CREATE_COMPLETE"
}

func (cs *changeSet) status(s *Server) (status, reason, exec string) {
	t := s.sc.ChangeSetTicks
	switch {
	case s.tick < cs.created+t:
		return "CREATE_PENDING", "", "UNAVAILABLE"
	case s.tick < cs.created+2*t:
		return "CREATE_IN_PROGRESS", "", "UNAVAILABLE"
	}
	if cs.finalStatus != "CREATE_COMPLETE" {
		return cs.finalStatus, cs.finalReason, "UNAVAILABLE"
	}
	if cs.execStatus != "" {
		return cs.finalStatus, cs.finalReason, cs.execStatus
	}
	return cs.finalStatus, cs.finalReason, "AVAILABLE"
}

func (s *Server) changeSetArg(f formValues) (*changeSet, *apiError) {
	name := get(f, "ChangeSetName")
	cs := s.findChangeSet(name, get(f, "StackName"))
	if cs == nil {
		return nil, &apiError{404, "ChangeSetNotFound", fmt.Sprintf("ChangeSet [%s] does not exist", name)}
	}
	return cs, nil
}

func page(f formValues, n, size int) (from, to int, next string, err *apiError) {
	if tok := get(f, "NextToken"); tok != "" {
		v, e := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if e != nil || v < 0 || v > n {
			return 0, 0, "", validation("Invalid NextToken")
		}
		from = v
	}
	to = from + size
	if to >= n {
		return from, n, "", nil
	}
	return from, to, "page-" + strconv.Itoa(to), nil
}

func (s *Server) describeChangeSet(f formValues) (any, *apiError) {
	cs, err := s.changeSetArg(f)
	if err != nil {
		return nil, err
	}
	status, reason, exec := cs.status(s)
	out := xmlDescribeChangeSet{
		ChangeSetID: cs.id, ChangeSetName: cs.name, StackID: cs.stack.id, StackName: cs.stack.name,
		Status: status, StatusReason: reason, ExecutionStatus: exec,
		CreationTime: epoch.Add(time.Duration(cs.created) * time.Second), Capabilities: cs.capabilities,
		IncludeNestedStacks: cs.root != "", ParentChangeSetID: cs.parent, RootChangeSetID: cs.root,
		Parameters: paramList(cs.params), Tags: tagList(cs.tags),
	}
	if status == "CREATE_COMPLETE" {
		from, to, next, perr := page(f, len(cs.changes), s.sc.PageSize)
		if perr != nil {
			return nil, perr
		}
		out.Changes = cs.changes[from:to]
		out.NextToken = next
	}
	return out, nil
}

func (s *Server) listChangeSets(f formValues) (any, *apiError) {
	st := s.live(get(f, "StackName"))
	if st == nil {
		return nil, validation("Stack [%s] does not exist", get(f, "StackName"))
	}
	out := xmlListChangeSets{}
	for _, cs := range s.changeSets {
		if cs.stack != st {
			continue
		}
		status, reason, exec := cs.status(s)
		out.Summaries = append(out.Summaries, xmlSummary{ChangeSetID: cs.id, ChangeSetName: cs.name, StackID: st.id, StackName: st.name,
			Status: status, StatusReason: reason, ExecutionStatus: exec, ParentChangeSetID: cs.parent, RootChangeSetID: cs.root,
			IncludeNestedStacks: cs.root != "", CreationTime: epoch.Add(time.Duration(cs.created) * time.Second)})
	}
	return out, nil
}

func (s *Server) executeChangeSet(f formValues) (any, *apiError) {
	cs, err := s.changeSetArg(f)
	if err != nil {
		return nil, err
	}
	if cs.nested {
		return nil, validation("Cannot execute a nested change set directly; execute the root change set %s", cs.root)
	}
	status, _, exec := cs.status(s)
	if status != "CREATE_COMPLETE" || exec != "AVAILABLE" {
		return nil, &apiError{400, "InvalidChangeSetStatus", fmt.Sprintf("ChangeSet [%s] cannot be executed in its current status of [%s]", cs.id, exec)}
	}
	root := cs.stack
	if strings.HasSuffix(root.status, "_IN_PROGRESS") && root.status != "REVIEW_IN_PROGRESS" {
		return nil, validation("Stack:%s is in %s state and can not be updated.", root.id, root.status)
	}
	s.markExecuting(cs)
	// AWS removes the stack's other change sets once one is executed.
	kept := s.changeSets[:0]
	for _, o := range s.changeSets {
		if o.stack == root && o != cs {
			continue
		}
		kept = append(kept, o)
	}
	s.changeSets = kept
	root.lastChangeSetID = cs.id
	for k, v := range cs.params {
		root.params[k] = v
	}
	t := &timeline{s: s}
	t.execute(cs)
	o := &op{steps: t.steps, next: s.tick, root: root, cs: cs}
	// The first step (the stack-level IN_PROGRESS event) is visible at once.
	o.steps[0]()
	o.steps = o.steps[1:]
	o.next = s.tick + s.sc.StepTicks
	s.ops = append(s.ops, o)
	return struct{}{}, nil
}

func (s *Server) markExecuting(cs *changeSet) {
	cs.execStatus = "EXECUTE_IN_PROGRESS"
	for _, c := range cs.children {
		s.markExecuting(c)
	}
}

func (s *Server) markExecuted(cs *changeSet, status string) {
	cs.execStatus = status
	for _, c := range cs.children {
		s.markExecuted(c, status)
	}
}

func (s *Server) deleteChangeSet(f formValues) (any, *apiError) {
	cs, err := s.changeSetArg(f)
	if err != nil {
		return nil, err
	}
	if cs.execStatus == "EXECUTE_IN_PROGRESS" {
		return nil, &apiError{400, "InvalidChangeSetStatus", "Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS"}
	}
	if cs.nested {
		return nil, validation("Cannot delete a nested change set directly; delete the root change set %s", cs.root)
	}
	kept := s.changeSets[:0]
	for _, o := range s.changeSets {
		if o == cs || (cs.root != "" && o.root == cs.root) {
			continue
		}
		kept = append(kept, o)
	}
	s.changeSets = kept
	return struct{}{}, nil
}

func (s *Server) stackArg(f formValues) (*stack, *apiError) {
	name := get(f, "StackName")
	st := s.live(name)
	if st == nil {
		return nil, validation("Stack with id %s does not exist", name)
	}
	return st, nil
}

func (s *Server) describeStacks(f formValues) (any, *apiError) {
	var list []*stack
	if get(f, "StackName") == "" {
		for _, st := range s.stacks {
			if st.visible && !st.deleted {
				list = append(list, st)
			}
		}
	} else {
		st, err := s.stackArg(f)
		if err != nil {
			return nil, err
		}
		list = []*stack{st}
	}
	out := xmlDescribeStacks{}
	for _, st := range list {
		x := xmlStack{StackID: st.id, StackName: st.name, StackStatus: st.status, StackStatusReason: st.reason,
			CreationTime: epoch, EnableTerminationProtection: st.protection, ParentID: st.parentID, RootID: st.rootID,
			Tags: tagList(st.tags), Parameters: paramList(st.params), ChangeSetID: st.lastChangeSetID}
		keys := sortedKeys(st.outputs)
		for _, k := range keys {
			x.Outputs = append(x.Outputs, xmlOutput{OutputKey: k, OutputValue: st.outputs[k]})
		}
		out.Stacks = append(out.Stacks, x)
	}
	return out, nil
}

func (s *Server) describeStackEvents(f formValues) (any, *apiError) {
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	// Newest first. The token is the chronological index of the next event
	// to return, so events added between pages do not shift the pages.
	k := len(st.events) - 1
	if tok := get(f, "NextToken"); tok != "" {
		v, e := strconv.Atoi(strings.TrimPrefix(tok, "event-"))
		if e != nil || v < 0 || v >= len(st.events) {
			return nil, validation("Invalid NextToken")
		}
		k = v
	}
	out := xmlDescribeStackEvents{}
	for i := k; i >= 0 && i > k-s.sc.PageSize; i-- {
		e := st.events[i]
		out.StackEvents = append(out.StackEvents, xmlEvent{EventID: e.id, StackID: e.stackID, StackName: e.stackName,
			LogicalResourceID: e.logical, PhysicalResourceID: e.physical, ResourceType: e.resType,
			ResourceStatus: e.status, ResourceStatusReason: e.reason, Timestamp: e.ts})
	}
	if next := k - s.sc.PageSize; next >= 0 {
		out.NextToken = "event-" + strconv.Itoa(next)
	}
	return out, nil
}

func (s *Server) deleteStack(f formValues) (any, *apiError) {
	st := s.live(get(f, "StackName"))
	if st == nil || st.deleted {
		return struct{}{}, nil // AWS: deleting a missing stack succeeds
	}
	if st.parentID != "" {
		return nil, validation("Stack %s is a nested stack; delete its root stack instead", st.name)
	}
	if st.protection {
		return nil, validation("Stack [%s] cannot be deleted while TerminationProtection is enabled", st.name)
	}
	if strings.HasSuffix(st.status, "_IN_PROGRESS") && st.status != "REVIEW_IN_PROGRESS" && st.status != "DELETE_IN_PROGRESS" {
		return nil, validation("Stack [%s] cannot be deleted while in status %s", st.name, st.status)
	}
	if st.status == "DELETE_IN_PROGRESS" {
		return struct{}{}, nil
	}
	t := &timeline{s: s}
	t.stackEvent(st, "DELETE_IN_PROGRESS", "User Initiated")
	for _, logical := range sortedStackKeys(st.children) {
		c := st.children[logical]
		if !c.visible || c.deleted {
			continue
		}
		t.emit(st, logical, StackType, c.id, "DELETE_IN_PROGRESS", "")
		t.stackEvent(c, "DELETE_IN_PROGRESS", "")
		t.stackEvent(c, "DELETE_COMPLETE", "")
		t.deleted(c)
		t.emit(st, logical, StackType, c.id, "DELETE_COMPLETE", "")
	}
	for i := 1; i < s.sc.DeleteTicks; i++ {
		t.steps = append(t.steps, func() {})
	}
	t.stackEvent(st, "DELETE_COMPLETE", "")
	t.deleted(st)
	t.steps[0]()
	s.ops = append(s.ops, &op{steps: t.steps[1:], next: s.tick + s.sc.StepTicks, root: st})
	// The stack's change sets go with it.
	kept := s.changeSets[:0]
	for _, cs := range s.changeSets {
		if cs.stack != st {
			kept = append(kept, cs)
		}
	}
	s.changeSets = kept
	return struct{}{}, nil
}

func (s *Server) cancelUpdateStack(f formValues) (any, *apiError) {
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	if st.status != "UPDATE_IN_PROGRESS" || st.parentID != "" {
		return nil, validation("CancelUpdateStack cannot be called from current stack status")
	}
	for _, o := range s.ops {
		if o.root != st {
			continue
		}
		t := &timeline{s: s}
		t.stackEvent(st, "UPDATE_ROLLBACK_IN_PROGRESS", "Stack update cancelled")
		t.stackEvent(st, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
		t.stackEvent(st, "UPDATE_ROLLBACK_COMPLETE", "")
		cs := o.cs
		t.steps = append(t.steps, func() {
			if cs != nil {
				s.markExecuted(cs, "EXECUTE_FAILED")
			}
		})
		o.steps = t.steps
	}
	return struct{}{}, nil
}

func (s *Server) updateTerminationProtection(f formValues) (any, *apiError) {
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	if st.parentID != "" {
		return nil, validation("Termination protection cannot be set on nested stack %s", st.name)
	}
	st.protection = get(f, "EnableTerminationProtection") == "true"
	return xmlStackID{StackID: st.id}, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedStackKeys(m map[string]*stack) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
