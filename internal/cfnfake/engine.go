package cfnfake

import (
	"fmt"
	"sort"
	"strings"
)

// run is one stack operation in progress: a create, an update or a
// delete, and what follows a failure (rollback) or a success (cleanup).
// Runs move forward one step per request (the fake's clock); a nested
// stack's run is driven by its parent's.
//
// The order is CloudFormation's: resources start once every resource they
// depend on (DependsOn, Ref, Fn::GetAtt, Fn::Sub) is done, independent
// ones in parallel; a failure stops new starts, cancels what is in
// flight and rolls back; an update's removals and the old copies of
// replaced resources are deleted in the cleanup phase, which for nested
// stacks waits for the root stack's update to succeed.
type run struct {
	s      *Server
	st     *stack
	op     string // CREATE | UPDATE | DELETE
	plan   *levelPlan
	parent *run
	phase  string
	tasks  []*task
	// failed lists the failures of the current phase, in order.
	failed    []failure
	cancelled bool
	done      bool
	// onFailure is what a failed creation of the root does: "" or
	// ROLLBACK (roll back, ROLLBACK_COMPLETE), DELETE (roll back and
	// delete the stack, DELETE_COMPLETE), DO_NOTHING (stop in
	// CREATE_FAILED, resources left as they are). From the change set's
	// OnStackFailure or ExecuteChangeSet's DisableRollback.
	onFailure string
	// cs is the executed change set (root runs).
	cs *changeSet
	// Undo state of an update or create.
	prevTmpl    *tmpl
	prevParams  map[string]string
	prevTags    map[string]string
	prevOutputs map[string]string
	created     []string             // created in the forward phase, in order
	updated     map[string]*resource // logical -> resource before the update
	replaced    map[string]*resource // logical -> the new copy of a replaced resource
	removedOld  map[string]*resource // cleanup: removed resources
	children    map[string]*run
	reported    bool // its parent reported its failed rollback
	retain      map[string]bool
	rollbackErr []failure
}

type task struct {
	logical, typ string
	kind         string // apply | nested | delete | revert | nestedRevert | nestedCleanup
	deps         []string
	state        string // wait | run | done | failed
	end          int
	fail         string
	verb         string // CREATE | UPDATE | DELETE
	res          *resource
	old          *resource
	child        *run
	cancelled    bool
	noop         bool
	item         *Change // scripted
}

type failure struct{ logical, verb string }

const (
	waiting = "wait"
	running = "run"
	doneSt  = "done"
	failSt  = "failed"
)

func (s *Server) newRun(st *stack, op string, plan *levelPlan, parent *run) *run {
	r := &run{s: s, st: st, op: op, plan: plan, parent: parent, updated: map[string]*resource{}, replaced: map[string]*resource{},
		removedOld: map[string]*resource{}, children: map[string]*run{}, retain: map[string]bool{}}
	r.prevTmpl, r.prevParams, r.prevTags, r.prevOutputs = st.tmpl, copyMap(st.params), copyMap(st.tags), copyMap(st.outputs)
	st.run = r
	return r
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// begin emits the stack's first event and builds the first phase.
func (r *run) begin(reason string) {
	s, st := r.s, r.st
	switch r.op {
	case "DELETE":
		s.stackEvent(st, "DELETE_IN_PROGRESS", reason)
		r.phase = "delete"
		var ids []string
		for id := range st.resources {
			ids = append(ids, id)
		}
		r.tasks = r.deleteTasks(st.resources, ids)
		return
	case "CREATE":
		s.stackEvent(st, "CREATE_IN_PROGRESS", reason)
	default:
		s.stackEvent(st, "UPDATE_IN_PROGRESS", reason)
	}
	r.phase = "forward"
	p := r.plan
	if p.scripted != nil {
		r.tasks = r.scriptedTasks(p.scripted)
	} else {
		st.tmpl = p.tmpl
		st.tags = copyMap(p.tags)
		r.tasks = r.forwardTasks()
	}
}

// forwardTasks: every resource of the new template, in dependency order.
func (r *run) forwardTasks() []*task {
	t := r.plan.tmpl
	ctx := r.ctx()
	included := map[string]bool{}
	for _, id := range t.order {
		d := t.resources[id]
		if d.condition == "" || ctx.conds[d.condition] {
			included[id] = true
		}
	}
	var out []*task
	for _, id := range topoOrder(t, included) {
		d := t.resources[id]
		tk := &task{logical: id, typ: d.typ, kind: "apply", state: waiting}
		if d.typ == StackType {
			tk.kind = "nested"
		}
		for _, dep := range t.deps(d) {
			if included[dep] {
				tk.deps = append(tk.deps, dep)
			}
		}
		out = append(out, tk)
	}
	return out
}

// scriptedTasks: a Scenario plan's Add and Modify changes, no
// dependencies (they start together); removals wait for the cleanup.
func (r *run) scriptedTasks(l *Level) []*task {
	var out []*task
	for i := range l.Changes {
		c := &l.Changes[i]
		if c.Action == "Remove" {
			continue
		}
		tk := &task{logical: c.LogicalID, typ: c.ResourceType, kind: "apply", state: waiting, item: c}
		if c.Nested != nil {
			tk.kind = "nested"
		}
		out = append(out, tk)
	}
	return out
}

// ctx evaluates the new template with the values known now.
func (r *run) ctx() *evalCtx {
	st := r.st
	params := map[string]any{}
	for k, v := range r.plan.params {
		params[k] = v
	}
	if r.parent != nil && r.parent.plan != nil && r.parent.plan.tmpl != nil {
		// A nested stack's parameters are evaluated by its parent now.
		if res := r.parent.st.resources[st.parentLogical]; res != nil {
			if given, ok := res.props["Parameters"].(map[string]any); ok {
				for k, v := range given {
					params[k] = scalarString(v)
				}
			}
		}
	}
	ctx := r.s.evalContext(st, r.plan.tmpl, params)
	ctx.ref = func(id string) any {
		if res := st.resources[id]; res != nil {
			return res.physical
		}
		return &unknown{causes: []cause{{source: "ResourceReference", entity: id}}}
	}
	ctx.getAtt = func(id, attr string) (any, error) {
		if res := st.resources[id]; res != nil {
			v := res.attr(attr)
			if _, missing := v.(*unknown); missing {
				return nil, evalErr("Template error: resource %s does not have output %s", id, strings.TrimPrefix(attr, "Outputs."))
			}
			return v, nil
		}
		return &unknown{causes: []cause{{source: "ResourceAttribute", entity: id + "." + attr, dynamic: true}}}, nil
	}
	_ = ctx.evalConditions()
	return ctx
}

// step moves the run forward to the current tick.
func (r *run) step() {
	if r.done {
		return
	}
	for _, id := range sortedRunKeys(r.children) {
		r.children[id].step()
	}
	if r.phase == "waitCleanup" || r.phase == "waitRollback" {
		return
	}
	for progress := true; progress; {
		progress = false
		for _, t := range r.tasks {
			if t.state != running {
				continue
			}
			if t.child != nil {
				if r.childSettled(t) {
					progress = true
				}
				continue
			}
			if r.s.tick >= t.end {
				r.finish(t)
				progress = true
			}
		}
		if r.stopping() {
			for _, t := range r.tasks {
				if t.state == running && !t.cancelled {
					r.cancelTask(t)
					progress = true
				}
			}
		} else {
			for _, t := range r.tasks {
				if t.state == waiting && r.ready(t) {
					r.start(t)
					progress = true
				}
			}
		}
		if r.settled() {
			r.next()
			if r.done || r.phase == "waitCleanup" || r.phase == "waitRollback" {
				return
			}
			progress = true
		}
	}
}

// stopping: the forward phase failed or was cancelled; nothing new
// starts and what runs is cancelled.
func (r *run) stopping() bool {
	return r.phase == "forward" && (len(r.failed) > 0 || r.cancelled)
}

func (r *run) ready(t *task) bool {
	for _, d := range t.deps {
		for _, o := range r.tasks {
			if o.logical == d && o.state != doneSt {
				return false
			}
		}
	}
	return true
}

func (r *run) settled() bool {
	for _, t := range r.tasks {
		if t.state == running {
			return false
		}
		if t.state == waiting && !r.stopping() && !r.blocked(t, 0) {
			return false
		}
	}
	if r.phase == "rollback" || r.phase == "rollbackCleanup" || r.phase == "rollbackDelete" {
		// Nested stacks rolling themselves back finish first.
		for _, c := range r.children {
			if !c.done && c.phase != "waitCleanup" && c.phase != "waitRollback" {
				return false
			}
		}
	}
	return true
}

// blocked: a waiting task one of whose dependencies failed (or is
// blocked) never starts; what it depends on stays as it is.
func (r *run) blocked(t *task, depth int) bool {
	if depth > len(r.tasks) {
		return false
	}
	for _, d := range t.deps {
		for _, o := range r.tasks {
			if o.logical != d {
				continue
			}
			if o.state == failSt || (o.state == waiting && r.blocked(o, depth+1)) {
				return true
			}
		}
	}
	return false
}

func (r *run) duration(t *task) int {
	s := r.s
	d := 1
	if v, ok := s.sc.Durations[r.st.resourcePath(t.logical)]; ok {
		d = v
	} else if v, ok := s.sc.Durations[t.typ]; ok {
		d = v
	}
	return d * s.sc.StepTicks
}

func (r *run) fault(logical, on string) string {
	path := r.st.resourcePath(logical)
	for _, f := range r.s.sc.Faults {
		if f.Path == path && f.On == on {
			return f.Reason
		}
	}
	return ""
}

func (r *run) holder(logical string) string {
	return r.st.id + "/" + logical
}

// start begins a task: its IN_PROGRESS events, and what it will end with.
func (r *run) start(t *task) {
	s, st := r.s, r.st
	t.state = running
	t.end = s.tick + r.duration(t)
	switch t.kind {
	case "apply":
		if t.item != nil {
			r.startScripted(t)
			return
		}
		r.startApply(t)
	case "nested":
		r.startNested(t)
	case "delete":
		r.startDelete(t)
	case "revert":
		r.startRevert(t)
	case "nestedRevert":
		s.addEvent(st, t.logical, StackType, t.child.st.id, "UPDATE_IN_PROGRESS", "")
		t.child.rollback("")
	case "nestedCleanup":
		t.child.cleanup()
	}
}

func (r *run) startScripted(t *task) {
	s, st := r.s, r.st
	c := t.item
	old := st.resources[t.logical]
	if c.Action == "Add" || old == nil {
		t.verb = "CREATE"
		res := &resource{logical: t.logical, typ: t.typ, physical: c.PhysicalID, props: map[string]any{}, raw: map[string]any{}}
		if res.physical == "" {
			res.physical = s.physicalName(st, t.logical, 128)
		}
		if c.Action != "Add" {
			t.verb = "UPDATE"
		}
		t.res = res
	} else {
		t.verb, t.old = "UPDATE", old
		t.res = old.copy()
	}
	if t.verb == "CREATE" {
		s.addEvent(st, t.logical, t.typ, "", "CREATE_IN_PROGRESS", "")
		s.addEvent(st, t.logical, t.typ, t.res.physical, "CREATE_IN_PROGRESS", "Resource creation Initiated")
	} else {
		s.addEvent(st, t.logical, t.typ, t.res.physical, "UPDATE_IN_PROGRESS", "")
	}
	t.fail = c.Fail
}

// startApply evaluates the resource's properties with what is known now
// and creates, updates or replaces it (or does nothing when it did not
// change after all).
func (r *run) startApply(t *task) {
	s, st := r.s, r.st
	def := r.plan.tmpl.resources[t.logical]
	v, err := r.ctx().evaluate(def.props)
	props, _ := v.(map[string]any)
	old := st.resources[t.logical]
	res := &resource{logical: t.logical, typ: def.typ, props: props, raw: def.props, metadata: def.metadata, tags: copyMap(r.plan.tags),
		deps: r.plan.tmpl.deps(def), deletion: def.deletion, updateReplace: def.replacePolicy, order: indexOf(r.plan.tmpl.order, t.logical)}
	if !taggable(def.typ) {
		res.tags = nil
	}
	if err != nil {
		t.verb = "CREATE"
		if old != nil {
			t.verb = "UPDATE"
		}
		s.addEvent(st, t.logical, def.typ, physicalOf(old), t.verb+"_IN_PROGRESS", "")
		t.fail = err.Error()
		return
	}
	if old == nil {
		t.verb, t.res = "CREATE", res
		s.addEvent(st, t.logical, def.typ, "", "CREATE_IN_PROGRESS", "")
		if msg := r.acquire(t, res); msg != "" {
			t.fail = msg
			return
		}
		s.addEvent(st, t.logical, def.typ, res.physical, "CREATE_IN_PROGRESS", "Resource creation Initiated")
		t.fail = r.fault(t.logical, "CREATE")
		return
	}
	t.old = old
	paths := changedPaths("", old.props, props)
	tagsChanged := taggable(def.typ) && !equalTags(old.tags, res.tags)
	if len(paths) == 0 && !tagsChanged && jsonEqual(old.metadata, res.metadata) {
		// Nothing to do: the "may change" did not. Keep the new expressions.
		old.raw, old.deps, old.order, old.deletion, old.updateReplace = res.raw, res.deps, res.order, res.deletion, res.updateReplace
		t.noop = true
		t.state = doneSt
		return
	}
	replace := false
	for _, p := range paths {
		if recreation(def.typ, strings.TrimPrefix(p, "/")) == "Always" {
			replace = true
		}
	}
	t.verb, t.res = "UPDATE", res
	if !replace {
		res.physical, res.attrs, res.child = old.physical, old.attrs, old.child
		s.addEvent(st, t.logical, def.typ, old.physical, "UPDATE_IN_PROGRESS", "")
		cs := claims(def.typ, props, old.physical)
		s.world.release(r.holder(t.logical), old.claims)
		if msg := s.world.take(r.holder(t.logical), cs); msg != "" {
			s.world.take(r.holder(t.logical), old.claims)
			t.fail = msg
			return
		}
		res.claims = cs
		t.fail = r.fault(t.logical, "UPDATE")
		return
	}
	t.kind = "replace"
	s.addEvent(st, t.logical, def.typ, old.physical, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.")
	// A layer version is replaced by publishing a new version under the
	// same layer name, which Lambda allows: its name is not unique.
	if name := customName(def.typ, props); name != "" && name == customName(def.typ, old.props) && def.typ != "AWS::Lambda::LayerVersion" {
		t.fail = fmt.Sprintf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s and update the stack again.", name)
		return
	}
	if msg := r.acquire(t, res); msg != "" {
		t.fail = msg
		return
	}
	s.addEvent(st, t.logical, def.typ, res.physical, "UPDATE_IN_PROGRESS", "Resource creation Initiated")
	t.fail = r.fault(t.logical, "UPDATE")
}

func physicalOf(r *resource) string {
	if r == nil {
		return ""
	}
	return r.physical
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return len(list)
}

// acquire gives a new resource its physical ID and takes its keys in the
// account; it returns AWS's message when one is taken.
func (r *run) acquire(t *task, res *resource) string {
	s := r.s
	if res.typ == "AWS::Lambda::Version" {
		fn := str(res.props["FunctionName"])
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fn = fn[i+len(":function:"):]
		}
		if msg := s.world.canPublish(fn); msg != "" {
			return msg
		}
	}
	name := customName(res.typ, res.props)
	if name == "" && needsPhysical(res.typ) {
		// A generated name is unique; claim it once it exists.
		s.materialize(r.st, res)
	}
	cs := claims(res.typ, res.props, res.physical)
	if msg := s.world.take(r.holder(t.logical), cs); msg != "" {
		return msg
	}
	if res.physical == "" {
		s.materialize(r.st, res)
		cs = claims(res.typ, res.props, res.physical)
		s.world.take(r.holder(t.logical), cs)
	}
	res.claims = cs
	return ""
}

// needsPhysical: types whose claims use the generated physical name.
func needsPhysical(typ string) bool {
	_, ok := nameProps[typ]
	return ok
}

func (r *run) startNested(t *task) {
	s, st := r.s, r.st
	var child *stack
	var childPlan *levelPlan
	if t.item != nil {
		childPlan = &levelPlan{kind: "UPDATE", scripted: t.item.Nested, nested: map[string]*levelPlan{}}
		if t.item.Action == "Add" {
			childPlan.kind = "CREATE"
		}
	} else {
		childPlan = r.plan.nested[t.logical]
	}
	old := st.resources[t.logical]
	if childPlan == nil || childPlan.failReason != "" {
		// Planned without nested change sets: plan the child now.
		childPlan = r.planChildNow(t, old)
	}
	if childPlan == nil {
		t.verb = "UPDATE"
		s.addEvent(st, t.logical, StackType, physicalOf(old), "UPDATE_IN_PROGRESS", "")
		t.fail = "Nested stack template could not be read"
		return
	}
	if old != nil && old.child != nil && !old.child.deleted {
		child = old.child
		t.verb = "UPDATE"
		t.old = old
		s.addEvent(st, t.logical, StackType, child.id, "UPDATE_IN_PROGRESS", "")
	} else {
		child = childPlan.st
		if child == nil || child.deleted || (old != nil && child == old.child) {
			child = s.pendingChild(st, t.logical)
		}
		t.verb = "CREATE"
		s.addEvent(st, t.logical, StackType, "", "CREATE_IN_PROGRESS", "")
		s.addEvent(st, t.logical, StackType, child.id, "CREATE_IN_PROGRESS", "Resource creation Initiated")
	}
	delete(st.pending, t.logical)
	child.parent, child.parentLogical, child.visible = st, t.logical, true
	res := &resource{logical: t.logical, typ: StackType, physical: child.id, child: child, tags: copyMap(r.plan.tags), order: len(st.resources)}
	if r.plan.tmpl != nil {
		def := r.plan.tmpl.resources[t.logical]
		v, _ := r.ctx().evaluate(def.props)
		res.props, _ = v.(map[string]any)
		res.raw, res.deps, res.deletion, res.metadata = def.props, r.plan.tmpl.deps(def), def.deletion, def.metadata
		res.order = indexOf(r.plan.tmpl.order, t.logical)
	} else {
		res.props, res.raw = map[string]any{}, map[string]any{}
	}
	t.res = res
	if t.verb == "CREATE" {
		st.resources[t.logical] = res
		r.created = append(r.created, t.logical)
	} else {
		r.updated[t.logical] = old
		st.resources[t.logical] = res
	}
	op := "UPDATE"
	if t.verb == "CREATE" {
		op = "CREATE"
	}
	childPlan.st = child
	// The child's parameters come from the Parameters evaluated now.
	params := map[string]any{}
	if given, ok := res.props["Parameters"].(map[string]any); ok {
		for k, v := range given {
			params[k] = scalarString(v)
		}
	}
	if childPlan.tmpl != nil {
		if resolved, msg := resolveParams(childPlan.tmpl, params, nil); msg == "" {
			childPlan.params = resolved
		}
		childPlan.tags = childTags(r.plan.tags, res.props)
	}
	cr := s.newRun(child, op, childPlan, r)
	r.children[t.logical] = cr
	t.child = cr
	reason := "User Initiated"
	cr.begin(reason)
	for k, v := range childPlan.params {
		child.params[k] = scalarString(v)
	}
	cr.step()
}

// planChildNow plans a nested stack at execution when its change set did
// not (IncludeNestedStacks false).
func (r *run) planChildNow(t *task, old *resource) *levelPlan {
	if r.plan.tmpl == nil {
		return nil
	}
	def := r.plan.tmpl.resources[t.logical]
	v, err := r.ctx().evaluate(def.props)
	if err != nil {
		return nil
	}
	props, _ := v.(map[string]any)
	kind := "CREATE"
	if old != nil && old.child != nil {
		kind = "UPDATE"
	}
	cp := r.s.planChild(planInput{st: r.st, kind: kind, tags: r.plan.tags, nested: true, caps: []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}}, r.st, t.logical, old, props)
	if cp.failReason != "" {
		return nil
	}
	return cp
}

func childTags(parent map[string]string, props map[string]any) map[string]string {
	tags := copyMap(parent)
	if list, ok := props["Tags"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if k, ok := m["Key"].(string); ok {
					tags[k] = scalarString(m["Value"])
				}
			}
		}
	}
	return tags
}

// childSettled checks a nested task against its child run.
func (r *run) childSettled(t *task) bool {
	s, st, c := r.s, r.st, t.child
	cst := c.st
	switch t.kind {
	case "nested":
		switch {
		case t.verb == "CREATE" && cst.status == "CREATE_COMPLETE":
			s.addEvent(st, t.logical, StackType, cst.id, "CREATE_COMPLETE", "")
			t.state = doneSt
		case t.verb == "CREATE" && (cst.status == "ROLLBACK_COMPLETE" || cst.status == "ROLLBACK_FAILED"):
			reason := "Resource creation cancelled"
			if !t.cancelled {
				reason = fmt.Sprintf("Embedded stack %s was not successfully created: %s", cst.id, strings.TrimSuffix(c.failReason(), "Rollback requested by user."))
			}
			r.fail(t, reason)
		case t.verb == "UPDATE" && (c.phase == "waitCleanup" || cst.status == "UPDATE_COMPLETE"):
			s.addEvent(st, t.logical, StackType, cst.id, "UPDATE_COMPLETE", "")
			t.state = doneSt
		case t.verb == "UPDATE" && strings.HasPrefix(cst.status, "UPDATE_ROLLBACK"):
			reason := "Resource update cancelled"
			if !t.cancelled {
				reason = fmt.Sprintf("Embedded stack %s was not successfully updated. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: %s", cst.id, c.failReason())
			}
			r.fail(t, reason)
		default:
			return false
		}
		return true
	case "nestedRevert":
		switch cst.status {
		case "UPDATE_ROLLBACK_COMPLETE":
			s.addEvent(st, t.logical, StackType, cst.id, "UPDATE_COMPLETE", "")
			t.state = doneSt
		case "UPDATE_ROLLBACK_FAILED":
			reason := fmt.Sprintf("Embedded stack %s was not successfully updated. Currently in UPDATE_ROLLBACK_FAILED with reason: %s", cst.id, cst.reason)
			s.addEvent(st, t.logical, StackType, cst.id, "UPDATE_FAILED", reason)
			t.state = failSt
			c.reported = true
			r.rollbackErr = append(r.rollbackErr, failure{t.logical, "UPDATE"})
		default:
			return false
		}
		return true
	case "nestedCleanup":
		if c.done {
			t.state = doneSt
			return true
		}
		return false
	case "delete":
		switch cst.status {
		case "DELETE_COMPLETE":
			s.addEvent(st, t.logical, StackType, cst.id, "DELETE_COMPLETE", "")
			r.deleted(t)
			t.state = doneSt
		case "DELETE_FAILED":
			s.addEvent(st, t.logical, StackType, cst.id, "DELETE_FAILED", fmt.Sprintf("Embedded stack %s was not successfully deleted: %s", cst.id, cst.reason))
			t.state = failSt
			r.failed = append(r.failed, failure{t.logical, "DELETE"})
		default:
			return false
		}
		return true
	}
	return false
}

// failReason is the reason of the run's rollback event.
func (r *run) failReason() string {
	for i := len(r.st.events) - 1; i >= 0; i-- {
		e := r.st.events[i]
		if e.logical == r.st.name && (e.status == "ROLLBACK_IN_PROGRESS" || e.status == "UPDATE_ROLLBACK_IN_PROGRESS") {
			return e.reason
		}
	}
	return ""
}

func (r *run) fail(t *task, reason string) {
	s, st := r.s, r.st
	phys := ""
	if t.res != nil {
		phys = t.res.physical
	}
	if t.verb != "CREATE" && t.old != nil {
		phys = t.old.physical
	}
	if t.kind == "nested" && t.child != nil {
		phys = t.child.st.id
	}
	s.addEvent(st, t.logical, t.typ, phys, t.verb+"_FAILED", reason)
	t.state = failSt
	switch {
	case r.phase == "rollback":
		r.rollbackErr = append(r.rollbackErr, failure{t.logical, t.verb})
	case t.verb == "DELETE" && (r.phase == "cleanup" || r.phase == "rollbackCleanup"):
		// A resource the update no longer wants and that will not go away
		// is left behind; the stack still completes.
		if st.resources[t.logical] == t.res {
			delete(st.resources, t.logical)
		}
	default:
		r.failed = append(r.failed, failure{t.logical, t.verb})
	}
	if t.kind == "nested" && t.verb == "UPDATE" && t.old != nil {
		// The child rolls itself back; keep the old resource record.
		st.resources[t.logical] = t.old
		delete(r.updated, t.logical)
	}
}

// finish ends a task whose time has come.
func (r *run) finish(t *task) {
	s, st := r.s, r.st
	if t.fail != "" {
		if t.res != nil && t.res.claims != nil && (t.verb == "CREATE" || t.kind == "replace") {
			s.world.release(r.holder(t.logical), t.res.claims)
		}
		if t.kind == "apply" && t.verb == "UPDATE" && t.old != nil && t.res != nil {
			s.world.release(r.holder(t.logical), t.res.claims)
			s.world.take(r.holder(t.logical), t.old.claims)
		}
		r.fail(t, t.fail)
		return
	}
	switch t.kind {
	case "apply", "replace":
		s.addEvent(st, t.logical, t.typ, t.res.physical, t.verb+"_COMPLETE", "")
		s.notify(t.verb, t.res)
		t.state = doneSt
		switch {
		case t.verb == "CREATE":
			st.resources[t.logical] = t.res
			r.created = append(r.created, t.logical)
		case t.kind == "replace":
			r.updated[t.logical] = t.old
			r.replaced[t.logical] = t.res
			st.resources[t.logical] = t.res
		default:
			r.updated[t.logical] = t.old
			st.resources[t.logical] = t.res
		}
		if t.res.typ == "AWS::Lambda::Function" {
			s.world.functions[t.res.physical] = versionConfig(t.res.props)
		}
	case "delete":
		if t.fail != "" {
			return
		}
		s.addEvent(st, t.logical, t.typ, t.res.physical, "DELETE_COMPLETE", "")
		r.deleted(t)
		s.notify("DELETE", t.res)
		t.state = doneSt
	case "revert":
		s.addEvent(st, t.logical, t.typ, t.old.physical, "UPDATE_COMPLETE", "")
		s.notify("UPDATE", t.old)
		t.state = doneSt
	}
}

// notify tells Scenario.OnResource about a completed operation.
func (s *Server) notify(action string, res *resource) {
	if s.sc.OnResource == nil || res == nil || res.child != nil {
		return
	}
	s.sc.OnResource(ResourceEvent{Action: action, Type: res.typ, Logical: res.logical, Physical: res.physical,
		Props: res.props, Attrs: copyMap(res.attrs)})
}

// deleted releases what a deleted resource held.
func (r *run) deleted(t *task) {
	s := r.s
	s.world.release(r.holder(t.logical), t.res.claims)
	if cur := r.st.resources[t.logical]; cur == t.res {
		delete(r.st.resources, t.logical)
	}
	switch t.res.typ {
	case "AWS::Lambda::Function":
		delete(s.world.functions, t.res.physical)
		delete(s.world.versions, t.res.physical)
	case "AWS::Lambda::Version":
		fn := strings.TrimPrefix(t.res.attrs["FunctionArn"], fmt.Sprintf("arn:aws:lambda:%s:%s:function:", s.sc.Region, s.sc.Account))
		list := s.world.versions[fn]
		for i, v := range list {
			if fmt.Sprint(v.n) == t.res.attrs["Version"] {
				s.world.versions[fn] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
	}
}

// cancelTask stops an in-flight task after a failure elsewhere.
func (r *run) cancelTask(t *task) {
	t.cancelled = true
	if t.child != nil {
		t.child.cancel()
		return
	}
	reason := "Resource update cancelled"
	if t.verb == "CREATE" {
		reason = "Resource creation cancelled"
	}
	if t.res != nil && t.res.claims != nil && (t.verb == "CREATE" || t.kind == "replace") {
		r.s.world.release(r.holder(t.logical), t.res.claims)
	}
	t.fail = ""
	r.fail(t, reason)
}

// cancel asks a run in its forward phase to stop and roll back.
func (r *run) cancel() {
	if r.phase == "forward" {
		r.cancelled = true
	}
}

func (r *run) startDelete(t *task) {
	s, st := r.s, r.st
	res := t.res
	t.verb = "DELETE"
	policy := res.deletion
	if t.old != nil { // the old copy of a replaced resource
		policy = res.updateReplace
	}
	if policy == "Retain" || r.retain[t.logical] {
		s.addEvent(st, t.logical, res.typ, res.physical, "DELETE_SKIPPED", "")
		if st.resources[t.logical] == res {
			delete(st.resources, t.logical)
		}
		t.state = doneSt
		return
	}
	s.addEvent(st, t.logical, res.typ, res.physical, "DELETE_IN_PROGRESS", "")
	if res.child != nil && !res.child.deleted {
		cr := s.newRun(res.child, "DELETE", nil, r)
		r.children[t.logical+"#delete"] = cr
		t.child = cr
		cr.begin("")
		cr.step()
		return
	}
	if res.child != nil {
		t.end = s.tick
		return
	}
	reason := r.fault(t.logical, "DELETE")
	if reason == "" && res.typ == "AWS::S3::Bucket" && s.sc.S3 != nil {
		if has, err := s.sc.S3.HasObjects(s.ctx, res.physical); err == nil && has {
			reason = "The bucket you tried to delete is not empty (Service: Amazon S3; Status Code: 409; Error Code: BucketNotEmpty; Request ID: 00000000; S3 Extended Request ID: 00000000; Proxy: null)"
		}
	}
	if reason != "" {
		t.fail = reason
		t.end = s.tick + r.duration(t)
		t.kind = "deleteFail"
	}
}

func (r *run) startRevert(t *task) {
	s, st := r.s, r.st
	t.verb = "UPDATE"
	s.addEvent(st, t.logical, t.typ, t.old.physical, "UPDATE_IN_PROGRESS", "")
	if cur := st.resources[t.logical]; cur != nil && r.replaced[t.logical] == nil && cur != t.old {
		s.world.release(r.holder(t.logical), cur.claims)
		s.world.take(r.holder(t.logical), t.old.claims)
	}
	st.resources[t.logical] = t.old
	if t.old.typ == "AWS::Lambda::Function" {
		s.world.functions[t.old.physical] = versionConfig(t.old.props)
	}
	if reason := r.fault(t.logical, "ROLLBACK"); reason != "" {
		t.fail = reason
	}
}

// deleteTasks deletes resources so that a resource goes after every
// resource of the set that depends on it.
func (r *run) deleteTasks(from map[string]*resource, ids []string) []*task {
	sort.Slice(ids, func(i, j int) bool { return from[ids[i]].order < from[ids[j]].order })
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	var out []*task
	for _, id := range ids {
		res := from[id]
		t := &task{logical: id, typ: res.typ, kind: "delete", state: waiting, res: res}
		for _, other := range ids {
			if other == id {
				continue
			}
			for _, d := range from[other].deps {
				if d == id && in[other] {
					t.deps = append(t.deps, other)
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// next moves to the next phase once the current one settled.
func (r *run) next() {
	s, st := r.s, r.st
	switch r.phase {
	case "forward":
		outputErr := ""
		if len(r.failed) == 0 && !r.cancelled {
			outputErr = r.setOutputs()
		}
		if len(r.failed) == 0 && !r.cancelled && outputErr == "" {
			if r.op == "CREATE" {
				s.stackEvent(st, "CREATE_COMPLETE", "")
				r.finishRun()
				return
			}
			s.stackEvent(st, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "")
			if r.parent == nil {
				r.cleanup()
			} else {
				r.phase = "waitCleanup"
			}
			return
		}
		reason := r.rollbackReason()
		if outputErr != "" {
			// No resource failed: the stack's own event carries the cause.
			reason = outputErr
			if r.op == "CREATE" {
				reason += " Rollback requested by user."
			}
		}
		if r.op == "CREATE" && r.parent == nil && r.onFailure == "DO_NOTHING" {
			s.stackEvent(st, "CREATE_FAILED", strings.TrimSuffix(reason, " Rollback requested by user."))
			r.finishRun()
			return
		}
		if r.op == "CREATE" && r.parent == nil && r.onFailure == "DELETE" {
			s.stackEvent(st, "DELETE_IN_PROGRESS", strings.TrimSuffix(reason, " Rollback requested by user.")+" Delete requested by user.")
			r.phase = "delete"
			r.failed = nil
			r.tasks = r.deleteTasks(st.resources, r.createdLive())
			return
		}
		if r.op == "CREATE" {
			s.stackEvent(st, "ROLLBACK_IN_PROGRESS", reason)
			r.phase = "rollbackDelete"
			r.failed = nil
			r.tasks = r.deleteTasks(st.resources, r.createdLive())
			return
		}
		r.rollback(reason)
	case "cleanup":
		s.stackEvent(st, "UPDATE_COMPLETE", "")
		r.finishRun()
	case "rollback":
		for _, id := range sortedRunKeys(r.children) {
			c := r.children[id]
			if c.st.status == "UPDATE_ROLLBACK_FAILED" && !c.reported && !strings.Contains(id, "#") {
				c.reported = true
				s.addEvent(st, id, StackType, c.st.id, "UPDATE_FAILED", fmt.Sprintf("Embedded stack %s was not successfully updated. Currently in UPDATE_ROLLBACK_FAILED with reason: %s", c.st.id, c.st.reason))
				r.rollbackErr = append(r.rollbackErr, failure{id, "UPDATE"})
			}
		}
		if len(r.rollbackErr) > 0 {
			s.stackEvent(st, "UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: ["+idList(r.rollbackErr)+"]. ")
			r.finishRun()
			return
		}
		s.stackEvent(st, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
		r.phase = "rollbackCleanup"
		r.failed = nil
		var ids []string
		from := map[string]*resource{}
		for _, id := range r.created {
			if res := st.resources[id]; res != nil {
				ids = append(ids, id)
				from[id] = res
			}
		}
		for id, res := range r.replaced {
			ids = append(ids, id)
			from[id] = res
		}
		r.tasks = r.deleteTasks(from, ids)
	case "rollbackCleanup":
		st.tmpl, st.params, st.tags, st.outputs = r.prevTmpl, r.prevParams, r.prevTags, r.prevOutputs
		s.stackEvent(st, "UPDATE_ROLLBACK_COMPLETE", "")
		r.finishRun()
	case "rollbackDelete":
		if len(r.failed) > 0 {
			s.stackEvent(st, "ROLLBACK_FAILED", "The following resource(s) failed to delete: ["+idList(r.failed)+"]. ")
		} else {
			s.stackEvent(st, "ROLLBACK_COMPLETE", "")
		}
		r.finishRun()
	case "delete":
		if len(r.failed) > 0 {
			s.stackEvent(st, "DELETE_FAILED", "The following resource(s) failed to delete: ["+idList(r.failed)+"]. ")
			r.finishRun()
			return
		}
		s.stackEvent(st, "DELETE_COMPLETE", "")
		st.deleted = true
		for _, p := range st.pending {
			p.deleted = true
		}
		r.finishRun()
	}
}

// createdLive lists what the forward phase created and still exists.
func (r *run) createdLive() []string {
	var out []string
	for _, id := range r.created {
		if r.st.resources[id] != nil {
			out = append(out, id)
		}
	}
	for id, res := range r.st.resources { // failed nested stacks exist too
		if res.child != nil && !contains(out, id) && !res.child.deleted {
			out = append(out, id)
		}
	}
	return out
}

func (r *run) rollbackReason() string {
	if r.op == "UPDATE" && r.cancelled && (len(r.failed) == 0 || r.parent == nil) {
		return "Stack update cancelled"
	}
	var creates, updates []failure
	for _, f := range r.failed {
		if f.verb == "CREATE" {
			creates = append(creates, f)
		} else {
			updates = append(updates, f)
		}
	}
	if r.op == "CREATE" {
		if len(r.failed) == 0 {
			return "Resource creation cancelled"
		}
		return "The following resource(s) failed to create: [" + idList(r.failed) + "]. Rollback requested by user."
	}
	var b strings.Builder
	if len(creates) > 0 {
		b.WriteString("The following resource(s) failed to create: [" + idList(creates) + "]. ")
	}
	if len(updates) > 0 {
		b.WriteString("The following resource(s) failed to update: [" + idList(updates) + "]. ")
	}
	return b.String()
}

func idList(fs []failure) string {
	var ids []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.logical] {
			seen[f.logical] = true
			ids = append(ids, f.logical)
		}
	}
	return strings.Join(ids, ", ")
}

// rollback undoes an update: resources updated or replaced go back,
// nested stacks roll back, then what was created goes away.
func (r *run) rollback(reason string) {
	s, st := r.s, r.st
	if reason == "" {
		reason = "Rollback requested by parent stack"
	}
	s.stackEvent(st, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
	r.phase = "rollback"
	r.failed = nil
	var tasks []*task
	var ids []string
	for id := range r.updated {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return r.updated[ids[i]].order < r.updated[ids[j]].order })
	for _, id := range ids {
		old := r.updated[id]
		t := &task{logical: id, typ: old.typ, kind: "revert", state: waiting, old: old}
		if c := r.children[id]; c != nil && old.child != nil {
			t.kind, t.child = "nestedRevert", c
		}
		for _, d := range old.deps {
			if _, ok := r.updated[d]; ok {
				t.deps = append(t.deps, d)
			}
		}
		tasks = append(tasks, t)
	}
	r.tasks = tasks
}

// cleanup deletes what the update removed or replaced, and lets nested
// stacks clean up.
func (r *run) cleanup() {
	st := r.st
	r.phase = "cleanup"
	r.failed = nil
	from := map[string]*resource{}
	var ids []string
	if r.plan.scripted != nil {
		for _, c := range r.plan.scripted.Changes {
			if c.Action != "Remove" {
				continue
			}
			res := st.resources[c.LogicalID]
			if res == nil {
				res = &resource{logical: c.LogicalID, typ: c.ResourceType, physical: c.PhysicalID}
				if ch := st.pending[c.LogicalID]; ch != nil {
					res.child = ch
				}
			}
			from[c.LogicalID] = res
			ids = append(ids, c.LogicalID)
		}
	} else {
		included := map[string]bool{}
		ctx := r.ctx()
		_ = ctx.evalConditions()
		for _, id := range r.plan.tmpl.order {
			d := r.plan.tmpl.resources[id]
			if d.condition == "" || ctx.conds[d.condition] {
				included[id] = true
			}
		}
		for id, res := range st.resources {
			if !included[id] {
				from[id] = res
				ids = append(ids, id)
			}
		}
	}
	tasks := r.deleteTasks(from, ids)
	var oldIDs []string
	for id := range r.replaced {
		oldIDs = append(oldIDs, id)
	}
	sort.Strings(oldIDs)
	for _, id := range oldIDs {
		old := r.updated[id]
		tasks = append(tasks, &task{logical: id, typ: old.typ, kind: "delete", state: waiting, res: old, old: old})
	}
	for _, id := range sortedRunKeys(r.children) {
		c := r.children[id]
		if c.phase == "waitCleanup" {
			tasks = append(tasks, &task{logical: id, typ: StackType, kind: "nestedCleanup", state: waiting, child: c})
		}
	}
	r.tasks = tasks
}

// setOutputs evaluates the template's outputs; it returns the stack's
// failure reason when one cannot be evaluated.
func (r *run) setOutputs() string {
	if r.plan.tmpl == nil {
		return ""
	}
	ctx := r.ctx()
	out := map[string]string{}
	for _, o := range r.plan.tmpl.outputs {
		if o.condition != "" && !ctx.conds[o.condition] {
			continue
		}
		v, err := ctx.evaluate(o.value)
		if err != nil {
			return fmt.Sprintf("[Error] /Outputs/%s/Value: %s.", o.name, strings.TrimSuffix(err.Error(), "."))
		}
		out[o.name] = scalarString(plain(v))
		if o.export != nil {
			if n, err := ctx.evaluate(o.export); err == nil {
				r.s.world.exports[scalarString(n)] = out[o.name]
			}
		}
	}
	r.st.outputs = out
	for k, v := range r.plan.params {
		r.st.params[k] = scalarString(plain(v))
	}
	return ""
}

func (r *run) finishRun() {
	r.done = true
	r.st.run = nil
	if r.parent == nil {
		r.s.finished(r)
	}
}

func sortedRunKeys(m map[string]*run) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
