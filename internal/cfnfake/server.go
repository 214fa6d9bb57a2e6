// Package cfnfake is a fake of the CloudFormation query API
// (form-encoded Action=...&Version=2010-05-15 requests, XML responses in
// the service's own shapes) served by net/http/httptest, for tests that
// drive the real aws-sdk-go-v2 CloudFormation client. It stands for what
// moto does not reproduce: nested change sets, events, rollbacks,
// constraints between resources. README.md says what it reproduces, what
// it does not, and which AWS page or public issue each behaviour follows.
//
// Change sets are computed from the submitted templates: the root
// template from its TemplateURL (or TemplateBody), nested templates from
// their TemplateURLs, all read from the S3 the Scenario points at. Each
// resource is compared with the deployed one: Add, Modify (with
// Replacement True/Conditional/False from the resource provider schemas'
// createOnlyProperties, schemas_gen.go) or Remove; stack tags propagate to
// every taggable resource; unchanged nested stacks of an updated parent
// get nested change sets that FAIL with "didn't contain changes".
// Execution follows CloudFormation's order and enforces the constraints
// AWS enforces between resources (unique names, one API Gateway resource
// per parent and path part, one resolver per field, no Lambda version
// without a change, ...), with AWS's messages, rollbacks that can fail and
// deletes that can fail. Scripted plans (Scenario.Plans) remain for tests
// that upload no template.
//
// Time is logical: every request advances a tick counter, and pending
// work (change-set creation, execution steps, deletes, busy stacks
// settling) moves forward by ticks, never by the wall clock, so tests are
// fast and deterministic. Timestamps are a fixed epoch plus one second per
// tick; events of one tick share a timestamp, as AWS's often do.
//
// Use:
//
//	objects := cfnfake.NewMapObjects()
//	objects.Put("bucket", "shop/templates/root.yaml", root)
//	srv := cfnfake.New(t, cfnfake.Scenario{S3: objects})
//	client := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = &srv.URL })
//
// or, for a subprocess, AWS_ENDPOINT_URL_CLOUDFORMATION=srv.URL. Calls()
// counts requests per action; Requests() returns their decoded parameters.
// Requests are not authenticated.
package cfnfake

import (
	"context"
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
	ctx context.Context

	mu         sync.Mutex
	sc         Scenario
	tick       int
	seq        int
	stacks     []*stack
	changeSets []*changeSet
	runs       []*run
	world      *world
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
	if sc.PageSize <= 0 {
		sc.PageSize = 100
	}
	if sc.ChangeSetLimit <= 0 {
		sc.ChangeSetLimit = 1000
	}
	s := &Server{sc: sc, calls: map[string]int{}, throttled: map[string]int{}, world: newWorld(), ctx: context.Background()}
	for _, st := range sc.Stacks {
		s.seed(st)
	}
	for i, e := range sc.External {
		props := map[string]any{}
		for k, v := range e.Properties {
			props[k] = v
		}
		s.world.take(fmt.Sprintf("external/%d", i), claims(e.Type, props, customName(e.Type, props)))
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
	if st := s.live(name); st != nil && !st.deleted {
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

// ChangeSetCount returns how many change sets (root and nested) a live
// stack holds.
func (s *Server) ChangeSetCount(nameOrID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.live(nameOrID)
	n := 0
	for _, cs := range s.changeSets {
		if cs.stack == st {
			n++
		}
	}
	return n
}

// Resources returns the physical IDs of a live stack's resources by
// logical ID.
func (s *Server) Resources(nameOrID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if st := s.live(nameOrID); st != nil {
		for id, r := range st.resources {
			out[id] = r.physical
		}
	}
	return out
}

// NestedStack returns the ARN of the nested stack behind a logical path
// ("Api", "Api/Shard1") of a root stack, or "".
func (s *Server) NestedStack(root, path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.live(root)
	for _, part := range strings.Split(path, "/") {
		if st == nil {
			return ""
		}
		r := st.resources[part]
		if r == nil || r.child == nil {
			return ""
		}
		st = r.child
	}
	if st == nil {
		return ""
	}
	return st.id
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

// SetPlan replaces the scripted plan of the next change set on a root
// stack (nil: back to templates).
func (s *Server) SetPlan(stackName string, l *Level) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc.Plans == nil {
		s.sc.Plans = map[string]*Level{}
	}
	if l == nil {
		delete(s.sc.Plans, stackName)
		return
	}
	s.sc.Plans[stackName] = l
}

// SetEventLag replaces Scenario.EventLag.
func (s *Server) SetEventLag(lag map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sc.EventLag = lag
}

// SetThrottles replaces Scenario.Throttles (windows count an action's
// requests from the server's start).
func (s *Server) SetThrottles(t ...Throttle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sc.Throttles = t
}

// SetFaults replaces the faults to inject.
func (s *Server) SetFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sc.Faults = f
}

func (s *Server) next() int {
	s.seq++
	return s.seq
}

func (s *Server) now() time.Time { return epoch.Add(time.Duration(s.tick) * time.Second) }

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
	for i, logical := range sd.Nested {
		c := s.newStack(childName(st.name, logical, s.seq+1), st.id, rootOf(st))
		c.visible, c.parent, c.parentLogical = true, st, logical
		status := st.status
		if !strings.HasSuffix(status, "_COMPLETE") {
			status = "UPDATE_COMPLETE"
		}
		s.addEvent(c, c.name, StackType, c.id, status, "")
		st.resources[logical] = &resource{logical: logical, typ: StackType, physical: c.id, child: c, order: i,
			props: map[string]any{}, raw: map[string]any{}, tags: copyMap(st.tags)}
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
	runs := append([]*run(nil), s.runs...)
	for _, r := range runs {
		r.step()
	}
}

// finished is called when a root run ends.
func (s *Server) finished(r *run) {
	kept := s.runs[:0]
	for _, o := range s.runs {
		if o != r {
			kept = append(kept, o)
		}
	}
	s.runs = kept
	if r.cs == nil {
		return
	}
	status := "EXECUTE_FAILED"
	if r.st.status == "CREATE_COMPLETE" || r.st.status == "UPDATE_COMPLETE" {
		status = "EXECUTE_COMPLETE"
		if r.plan.scripted != nil {
			for k, v := range s.sc.Outputs[r.st.name] {
				r.st.outputs[k] = v
			}
		}
	}
	s.markExecuted(r.cs, status)
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
	if s.throttle(action) {
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

func (s *Server) throttle(action string) bool {
	if s.throttled[action] < s.sc.Throttle[action] {
		s.throttled[action]++
		return true
	}
	n := s.calls[action]
	for _, t := range s.sc.Throttles {
		if t.Action == action && n > t.After && n <= t.After+t.Count {
			return true
		}
	}
	return false
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
	"DescribeStackResources":      (*Server).describeStackResources,
	"ListStackResources":          (*Server).listStackResources,
	"GetTemplate":                 (*Server).getTemplate,
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
	if strings.HasPrefix(name, "arn:") {
		if st := s.live(name); st != nil {
			name = st.name
		}
	}
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
	onFailure := get(f, "OnStackFailure")
	switch onFailure {
	case "", "ROLLBACK", "DO_NOTHING":
	case "DELETE":
		if csType != "CREATE" {
			return nil, validation("OnStackFailure DELETE is only valid when ChangeSetType is CREATE")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'onStackFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", onFailure)
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
		n := 0
		for _, cs := range s.changeSets {
			if cs.stack == st {
				n++
				if cs.name == csName {
					return nil, &apiError{400, "AlreadyExistsException", fmt.Sprintf("ChangeSet [%s] already exists", csName)}
				}
			}
		}
		if n >= s.sc.ChangeSetLimit {
			return nil, &apiError{400, "LimitExceededException", "ChangeSet limit exceeded for stack " + st.id}
		}
	}
	scripted := s.sc.Plans[name]
	var plan *levelPlan
	tags := pairs(f, "Tags", "Key", "Value")
	params := pairs(f, "Parameters", "ParameterKey", "ParameterValue")
	newStack := st == nil
	if newStack {
		st = s.newStack(name, "", "")
	}
	var body string
	if scripted != nil || (s.sc.S3 == nil && get(f, "TemplateBody") == "" && get(f, "UsePreviousTemplate") != "true") {
		if needsIAM(scripted) && !contains(caps, "CAPABILITY_IAM") && !contains(caps, "CAPABILITY_NAMED_IAM") {
			s.dropIfNew(st, newStack)
			return nil, &apiError{400, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]"}
		}
		plan = s.scriptedPlan(st, csType, scripted)
	} else {
		var t *tmpl
		switch {
		case get(f, "UsePreviousTemplate") == "true":
			if st.tmpl == nil {
				s.dropIfNew(st, newStack)
				return nil, validation("Stack %s has no template to reuse", name)
			}
			t = st.tmpl
		default:
			body = get(f, "TemplateBody")
			if body == "" {
				b, err := s.fetchTemplate(get(f, "TemplateURL"))
				if err != nil {
					s.dropIfNew(st, newStack)
					return nil, validation("%s", err.Error())
				}
				body = b
			}
			var err error
			t, err = parseTemplate(body)
			if err != nil {
				s.dropIfNew(st, newStack)
				return nil, validation("%s", err.Error())
			}
		}
		if body == "" {
			body = t.body
		}
		if missing := missingCaps(t, caps); missing != "" {
			s.dropIfNew(st, newStack)
			return nil, &apiError{400, "InsufficientCapabilitiesException", "Requires capabilities : [" + missing + "]"}
		}
		given := map[string]any{}
		for k, v := range params {
			given[k] = v
		}
		for i := 1; ; i++ {
			p := "Parameters.member." + strconv.Itoa(i) + "."
			k, ok := f[p+"ParameterKey"]
			if !ok {
				break
			}
			if get(f, p+"UsePreviousValue") == "true" {
				given[k[0]] = st.params[k[0]]
			}
		}
		resolved, msg := resolveParams(t, given, st.params)
		if msg != "" {
			s.dropIfNew(st, newStack)
			return nil, validation("%s", msg)
		}
		kind := "UPDATE"
		if csType == "CREATE" {
			kind = "CREATE"
		}
		if kind == "UPDATE" && len(tags) == 0 {
			tags = copyMap(st.tags)
		}
		plan = s.planLevel(planInput{st: st, kind: kind, t: t, params: resolved, tags: tags, caps: caps,
			nested: get(f, "IncludeNestedStacks") == "true"})
	}
	if newStack {
		st.visible = true
		s.addEvent(st, name, StackType, st.id, "REVIEW_IN_PROGRESS", "User Initiated")
	}
	if csType == "CREATE" || len(st.tags) == 0 {
		st.tags = copyMap(tags)
	}
	cs := s.register(plan, csName, csType, get(f, "IncludeNestedStacks") == "true", nil)
	cs.capabilities = caps
	cs.params = params
	cs.tags = tags
	cs.body = body
	cs.description = get(f, "Description")
	cs.createdStack = newStack
	cs.onStackFailure = onFailure
	s.settleChangeSet(cs)
	return xmlCreateChangeSet{ID: cs.id, StackID: st.id}, nil
}

// dropIfNew forgets a stack a failed CreateChangeSet would have created.
func (s *Server) dropIfNew(st *stack, isNew bool) {
	if !isNew {
		return
	}
	for i, o := range s.stacks {
		if o == st {
			s.stacks = append(s.stacks[:i], s.stacks[i+1:]...)
			return
		}
	}
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

// scriptedPlan turns a Scenario plan into a level plan.
func (s *Server) scriptedPlan(st *stack, csType string, l *Level) *levelPlan {
	kind := "UPDATE"
	if csType == "CREATE" {
		kind = "CREATE"
	}
	if l == nil {
		l = &Level{}
	}
	p := &levelPlan{st: st, kind: kind, scripted: l, nested: map[string]*levelPlan{}, failReason: l.FailReason}
	for _, c := range l.Changes {
		ch := &change{action: c.Action, logical: c.LogicalID, physical: c.PhysicalID, typ: c.ResourceType, replacement: c.Replacement, scope: c.Scope}
		if c.Action == "Add" {
			ch.physical = ""
		}
		for _, d := range c.Details {
			ch.details = append(ch.details, detail{attribute: d.Attribute, name: d.Name, recreation: d.RequiresRecreation,
				evaluation: d.Evaluation, source: d.ChangeSource, entity: d.CausingEntity})
		}
		if c.Nested != nil && c.Action != "Remove" {
			var child *stack
			if r := st.resources[c.LogicalID]; r != nil && r.child != nil && !r.child.deleted {
				child = r.child
			} else {
				child = s.pendingChild(st, c.LogicalID)
			}
			ck := "UPDATE"
			if c.Action == "Add" {
				ck = "CREATE"
			}
			cp := s.scriptedPlan(child, ck, c.Nested)
			cp.newChild = c.Action == "Add"
			if ck == "UPDATE" && !child.visible {
				child.visible = true
				s.addEvent(child, child.name, StackType, child.id, "UPDATE_COMPLETE", "")
			}
			ch.nestedPlan = cp
			p.nested[c.LogicalID] = cp
		}
		p.changes = append(p.changes, ch)
	}
	p.direct = len(p.changes) > 0
	return p
}

// register creates the change set objects of a plan tree.
func (s *Server) register(p *levelPlan, name, csType string, includes bool, parent *changeSet) *changeSet {
	id := fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s/00000000-0000-4000-9000-%012d", s.sc.Region, s.sc.Account, name, s.next())
	cs := &changeSet{id: id, name: name, stack: p.st, csType: csType, created: s.tick, plan: p, includes: includes, nested: parent != nil}
	if parent != nil {
		cs.parent = parent.id
		cs.root = parent.root
		if parent.root == "" {
			cs.root = parent.id
		}
		cs.tags = p.tags
		cs.capabilities = parent.capabilities
		cs.params = map[string]string{}
		for k, v := range p.params {
			cs.params[k] = scalarString(plain(v))
		}
	} else if includes {
		cs.root = ""
	}
	s.changeSets = append(s.changeSets, cs)
	if p.newChild && p.st != nil && !p.st.visible {
		p.st.visible = true
		cs.createdStack = true
		s.addEvent(p.st, p.st.name, StackType, p.st.id, "REVIEW_IN_PROGRESS", "User Initiated")
	}
	for _, c := range p.changes {
		xc, pc := s.xmlChanges(c)
		if c.nestedPlan != nil && includes {
			childName := trunc(fmt.Sprintf("%s-%s-N%06d", trunc(name, 60), c.logical, s.seq+1), 128)
			ck := "UPDATE"
			if c.action == "Add" {
				ck = "CREATE"
			}
			ccs := s.register(c.nestedPlan, childName, ck, true, cs)
			cs.children = append(cs.children, ccs)
			xc.ResourceChange.ChangeSetID = ccs.id
			pc.ResourceChange.ChangeSetID = ccs.id
		}
		cs.changes = append(cs.changes, xc)
		cs.propChanges = append(cs.propChanges, pc)
	}
	return cs
}

// xmlChanges renders a change without and with property values.
func (s *Server) xmlChanges(c *change) (xmlChange, xmlChange) {
	rc := xmlResourceChange{Action: c.action, LogicalResourceID: c.logical, PhysicalResourceID: c.physical, ResourceType: c.typ,
		Replacement: c.replacement, Scope: c.scope, PolicyAction: c.policyAction}
	if rc.Scope == nil {
		rc.Scope = []string{}
	}
	with := rc
	for _, d := range c.details {
		xd := xmlDetail{Target: xmlTarget{Attribute: d.attribute, Name: d.name, RequiresRecreation: d.recreation},
			Evaluation: d.evaluation, ChangeSource: d.source, CausingEntity: d.entity}
		rc.Details = append(rc.Details, xd)
		if d.path != "" {
			xd.Target.Path = d.path
			xd.Target.AttributeChangeType = d.changeType
			xd.Target.BeforeValue = jsonText(d.before)
			xd.Target.AfterValue = jsonText(d.after)
		}
		with.Details = append(with.Details, xd)
	}
	if c.before != nil {
		with.BeforeContext = jsonText(c.before)
	}
	if c.after != nil {
		with.AfterContext = jsonText(c.after)
	}
	if c.action == "Add" && with.Replacement == "" {
		with.Replacement = "True"
	}
	return xmlChange{Type: "Resource", ResourceChange: rc}, xmlChange{Type: "Resource", ResourceChange: with}
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// settleChangeSet decides the final status of a change set tree: a
// nested level that fails fails the root with AWS's message; an empty
// nested level FAILS with "didn't contain changes" while its parent
// stays executable; an empty root FAILS the same way.
func (s *Server) settleChangeSet(cs *changeSet) bool {
	failed := false
	for _, c := range cs.children {
		if !s.settleChangeSet(c) && !isNoChange(c) {
			failed = true
			if cs.finalReason == "" {
				cs.finalReason = fmt.Sprintf("Nested change set %s was not successfully created: Currently in FAILED.", c.id)
			}
		}
	}
	p := cs.plan
	limit := 0
	for _, o := range s.changeSets {
		if o.stack == cs.stack {
			limit++
		}
	}
	switch {
	case p.failReason != "":
		cs.finalStatus, cs.finalReason = "FAILED", p.failReason
	case cs.nested && limit > s.sc.ChangeSetLimit:
		cs.finalStatus, cs.finalReason = "FAILED", "ChangeSet limit exceeded for stack "+cs.stack.id
	case failed:
		cs.finalStatus = "FAILED"
	case !p.hasChanges() && !p.templateOnly(p.st):
		cs.finalStatus, cs.finalReason = "FAILED", s.sc.NoChangeReason
		if cs.nested {
			cs.finalReason = ReasonNoChanges
		}
	default:
		cs.finalStatus = "CREATE_COMPLETE"
	}
	return cs.finalStatus == "CREATE_COMPLETE"
}

func isNoChange(cs *changeSet) bool {
	return cs.finalStatus == "FAILED" && (cs.finalReason == ReasonNoChanges || cs.finalReason == ReasonNoUpdates)
}

// templateOnly reports an update whose template changed in outputs,
// metadata or description only: executable, with no resource change.
func (p *levelPlan) templateOnly(st *stack) bool {
	if p.kind != "UPDATE" || p.tmpl == nil || st == nil || st.tmpl == nil {
		return false
	}
	return st.tmpl.body != p.tmpl.body && (outputsChanged(st.tmpl, p.tmpl) || !jsonEqual(st.tmpl.metadata, p.tmpl.metadata))
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
	if cs.nested {
		return cs.finalStatus, "Executable from root change set", "UNAVAILABLE"
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
		Status: status, StatusReason: reason, ExecutionStatus: exec, Description: cs.description,
		CreationTime: epoch.Add(time.Duration(cs.created) * time.Second), Capabilities: cs.capabilities,
		IncludeNestedStacks: cs.includes, ParentChangeSetID: cs.parent, RootChangeSetID: cs.root,
		Parameters: paramList(cs.params), Tags: tagList(cs.tags),
	}
	if status == "CREATE_COMPLETE" || status == "FAILED" {
		changes := cs.changes
		if get(f, "IncludePropertyValues") == "true" {
			changes = cs.propChanges
		}
		from, to, next, perr := page(f, len(changes), s.sc.PageSize)
		if perr != nil {
			return nil, perr
		}
		out.Changes = changes[from:to]
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
			IncludeNestedStacks: cs.includes, CreationTime: epoch.Add(time.Duration(cs.created) * time.Second)})
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
	disable := get(f, "DisableRollback")
	if disable != "" && cs.onStackFailure != "" {
		return nil, validation("DisableRollback cannot be specified for a change set created with OnStackFailure")
	}
	s.markExecuting(cs)
	// AWS removes the stack's other change sets (and their nested ones)
	// once one is executed. The FAILED nested sets of the executed
	// hierarchy stay on their nested stacks.
	kept := s.changeSets[:0]
	others := map[string]bool{} // never executed: their hierarchies go
	for _, o := range s.changeSets {
		if o.stack == root && o != cs {
			others[o.id] = o.execStatus == "" || o.execStatus == "AVAILABLE" || o.execStatus == "OBSOLETE"
		}
	}
	for _, o := range s.changeSets {
		if _, other := others[o.id]; other || (o.root != "" && others[o.root]) {
			continue
		}
		kept = append(kept, o)
	}
	s.changeSets = kept
	s.dropSuperseded(cs)
	s.setLastChangeSet(cs)
	op := "UPDATE"
	if cs.csType == "CREATE" {
		op = "CREATE"
	}
	r := s.newRun(root, op, cs.plan, nil)
	r.cs = cs
	r.onFailure = cs.onStackFailure
	if disable == "true" && op == "CREATE" {
		r.onFailure = "DO_NOTHING"
	}
	s.runs = append(s.runs, r)
	r.begin("User Initiated")
	for k, v := range cs.params {
		root.params[k] = v
	}
	return struct{}{}, nil
}

// dropSuperseded removes, on each nested stack the executed hierarchy
// updates, the change sets that were not FAILED: the FAILED ones ("didn't
// contain changes") stay, as they do on AWS.
func (s *Server) dropSuperseded(cs *changeSet) {
	for _, c := range cs.children {
		if c.finalStatus != "CREATE_COMPLETE" {
			continue
		}
		kept := s.changeSets[:0]
		for _, o := range s.changeSets {
			if o.stack == c.stack && o != c && o.finalStatus == "CREATE_COMPLETE" {
				continue
			}
			kept = append(kept, o)
		}
		s.changeSets = kept
		s.dropSuperseded(c)
	}
}

func (s *Server) setLastChangeSet(cs *changeSet) {
	cs.stack.lastChangeSetID = cs.id
	for _, c := range cs.children {
		s.setLastChangeSet(c)
	}
}

func (s *Server) markExecuting(cs *changeSet) {
	cs.execStatus = "EXECUTE_IN_PROGRESS"
	for _, c := range cs.children {
		if c.finalStatus == "CREATE_COMPLETE" {
			s.markExecuting(c)
		}
	}
}

func (s *Server) markExecuted(cs *changeSet, status string) {
	if cs.execStatus == "EXECUTE_IN_PROGRESS" || !cs.nested {
		cs.execStatus = status
	}
	for _, c := range cs.children {
		s.markExecuted(c, status)
	}
}

func (s *Server) deleteChangeSet(f formValues) (any, *apiError) {
	cs, err := s.changeSetArg(f)
	if err != nil {
		return nil, err
	}
	switch cs.execStatus {
	case "EXECUTE_IN_PROGRESS", "EXECUTE_COMPLETE", "EXECUTE_FAILED":
		return nil, &apiError{400, "InvalidChangeSetStatus", fmt.Sprintf("Cannot delete ChangeSet in status %s", cs.execStatus)}
	}
	if cs.nested {
		return nil, validation("Cannot delete a nested change set directly; delete the root change set %s", cs.root)
	}
	drop := map[*changeSet]bool{cs: true}
	for _, o := range s.changeSets {
		if o.root != "" && o.root == cs.id {
			drop[o] = true
		}
	}
	kept := s.changeSets[:0]
	for _, o := range s.changeSets {
		if drop[o] {
			// Nested stacks this hierarchy created in REVIEW_IN_PROGRESS
			// go with it.
			if o.nested && o.createdStack && o.stack.status == "REVIEW_IN_PROGRESS" {
				s.stackEvent(o.stack, "DELETE_COMPLETE", "")
				o.stack.deleted = true
				if p := o.stack.parent; p != nil && p.pending[o.stack.parentLogical] == o.stack {
					delete(p.pending, o.stack.parentLogical)
				}
			}
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
			CreationTime: epoch.Add(time.Duration(st.created) * time.Second), EnableTerminationProtection: st.protection, ParentID: st.parentID, RootID: st.rootID,
			Tags: tagList(st.tags), Parameters: paramList(st.params), ChangeSetID: st.lastChangeSetID}
		if st.updated > st.created {
			x.LastUpdatedTime = epoch.Add(time.Duration(st.updated) * time.Second).Format(time.RFC3339)
		}
		if st.tmpl != nil {
			for _, p := range st.tmpl.params {
				if p.noEcho {
					for i := range x.Parameters {
						if x.Parameters[i].ParameterKey == p.name {
							x.Parameters[i].ParameterValue = "****"
						}
					}
				}
			}
		}
		for _, k := range sortedKeys(st.outputs) {
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
	// Events of a lagging stack show up late (Scenario.EventLag).
	k := len(st.events) - 1
	if tok := get(f, "NextToken"); tok != "" {
		v, e := strconv.Atoi(strings.TrimPrefix(tok, "event-"))
		if e != nil || v < 0 || v >= len(st.events) {
			return nil, validation("Invalid NextToken")
		}
		k = v
	}
	out := xmlDescribeStackEvents{}
	path := st.path()
	i := k
	for ; i >= 0 && len(out.StackEvents) < s.sc.PageSize; i-- {
		e := st.events[i]
		lag := s.sc.EventLag[path]
		if l := s.sc.EventLag[path+"#"+e.status]; l > lag {
			lag = l
		}
		if e.tick+lag > s.tick {
			continue
		}
		out.StackEvents = append(out.StackEvents, xmlEvent{EventID: e.id, StackID: e.stackID, StackName: e.stackName,
			LogicalResourceID: e.logical, PhysicalResourceID: e.physical, ResourceType: e.resType,
			ResourceStatus: e.status, ResourceStatusReason: e.reason, Timestamp: e.ts})
	}
	if i >= 0 {
		out.NextToken = "event-" + strconv.Itoa(i)
	}
	return out, nil
}

// resourceStatus is a resource's last status from the stack's events.
func (st *stack) resourceStatus(logical string) (string, string, time.Time) {
	for i := len(st.events) - 1; i >= 0; i-- {
		if e := st.events[i]; e.logical == logical && !(logical == st.name && e.resType == StackType) {
			return e.status, e.reason, e.ts
		}
	}
	return "CREATE_COMPLETE", "", epoch
}

func (s *Server) sortedResources(st *stack) []*resource {
	var list []*resource
	for _, r := range st.resources {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].logical < list[j].logical })
	return list
}

func (s *Server) describeStackResources(f formValues) (any, *apiError) {
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	out := xmlDescribeStackResources{}
	for _, r := range s.sortedResources(st) {
		if id := get(f, "LogicalResourceId"); id != "" && id != r.logical {
			continue
		}
		status, reason, ts := st.resourceStatus(r.logical)
		out.StackResources = append(out.StackResources, xmlStackResource{StackID: st.id, StackName: st.name, LogicalResourceID: r.logical,
			PhysicalResourceID: r.physical, ResourceType: r.typ, Timestamp: ts, ResourceStatus: status, ResourceStatusReason: reason})
	}
	return out, nil
}

func (s *Server) listStackResources(f formValues) (any, *apiError) {
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	list := s.sortedResources(st)
	from, to, next, perr := page(f, len(list), s.sc.PageSize)
	if perr != nil {
		return nil, perr
	}
	out := xmlListStackResources{NextToken: next}
	for _, r := range list[from:to] {
		status, reason, ts := st.resourceStatus(r.logical)
		out.Summaries = append(out.Summaries, xmlStackResourceSummary{LogicalResourceID: r.logical, PhysicalResourceID: r.physical,
			ResourceType: r.typ, LastUpdatedTimestamp: ts, ResourceStatus: status, ResourceStatusReason: reason})
	}
	return out, nil
}

// getTemplate returns the template of a stack (root or nested) or of a
// change set. Templates without transforms are the same at both stages.
func (s *Server) getTemplate(f formValues) (any, *apiError) {
	stage := get(f, "TemplateStage")
	if stage != "" && stage != "Original" && stage != "Processed" {
		return nil, validation("1 validation error detected: Value '%s' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]", stage)
	}
	stages := []string{"Original", "Processed"}
	if csName := get(f, "ChangeSetName"); csName != "" {
		cs := s.findChangeSet(csName, get(f, "StackName"))
		if cs == nil {
			return nil, &apiError{404, "ChangeSetNotFound", fmt.Sprintf("ChangeSet [%s] does not exist", csName)}
		}
		body := cs.body
		if body == "" && cs.plan.tmpl != nil {
			body = cs.plan.tmpl.body
		}
		return xmlGetTemplate{TemplateBody: body, StagesAvailable: stages}, nil
	}
	st, err := s.stackArg(f)
	if err != nil {
		return nil, err
	}
	if st.tmpl == nil {
		return nil, validation("Stack with id %s does not have a template", get(f, "StackName"))
	}
	return xmlGetTemplate{TemplateBody: st.tmpl.body, StagesAvailable: stages}, nil
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
	retain := members(f, "RetainResources")
	if len(retain) > 0 && st.status != "DELETE_FAILED" {
		return nil, validation("Invalid operation on stack [%s]. RetainResources can only be specified when the stack is in the DELETE_FAILED state", st.id)
	}
	r := s.newRun(st, "DELETE", &levelPlan{st: st, nested: map[string]*levelPlan{}}, nil)
	for _, id := range retain {
		r.retain[id] = true
	}
	s.runs = append(s.runs, r)
	r.begin("User Initiated")
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
	if st.status != "UPDATE_IN_PROGRESS" || st.parentID != "" || st.run == nil {
		return nil, validation("CancelUpdateStack cannot be called from current stack status")
	}
	st.run.cancel()
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
