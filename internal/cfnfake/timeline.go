package cfnfake

import (
	"fmt"
	"strings"
)

// timeline is the ordered list of steps an execution or delete takes; the
// server applies one step per StepTicks requests.
type timeline struct {
	s     *Server
	steps []func()
}

type done struct {
	c     Change
	child *stack
}

func (t *timeline) emit(st *stack, logical, resType, physical, status, reason string) {
	s := t.s
	t.steps = append(t.steps, func() {
		st.visible = true
		s.addEvent(st, logical, resType, physical, status, reason)
	})
}

func (t *timeline) stackEvent(st *stack, status, reason string) {
	t.emit(st, st.name, StackType, st.id, status, reason)
}

// reveal makes a nested stack exist (with no events yet) in the same step
// as the parent's event that names its ARN.
func (t *timeline) reveal(st *stack) {
	last := t.steps[len(t.steps)-1]
	t.steps[len(t.steps)-1] = func() { last(); st.visible = true }
}

func (t *timeline) deleted(st *stack) {
	t.steps = append(t.steps, func() { st.deleted = true })
}

func verbOf(c Change) string {
	if c.Action == "Add" {
		return "CREATE"
	}
	return "UPDATE"
}

func (t *timeline) physical(st *stack, c Change) string {
	if c.PhysicalID != "" {
		return c.PhysicalID
	}
	return fmt.Sprintf("%s-%s-P%06d", st.name, c.LogicalID, t.s.next())
}

func cancelled(verb string) string {
	if verb == "CREATE" {
		return "Resource creation cancelled"
	}
	return "Resource update cancelled"
}

// level runs the Add and Modify changes of one stack in order. A failing
// resource and the one after it start together, so the sibling is
// cancelled the way AWS cancels resources in flight.
func (t *timeline) level(st *stack, lv *Level) (failed bool, failedIDs []string, ok []done) {
	var changes []Change
	for _, c := range lv.Changes {
		if c.Action != "Remove" {
			changes = append(changes, c)
		}
	}
	phys := map[string]string{}
	for i := 0; i < len(changes); i++ {
		c := changes[i]
		verb := verbOf(c)
		var sibling *Change
		if (c.Fail != "" || c.Nested.willFail()) && i+1 < len(changes) {
			sibling = &changes[i+1]
		}
		var child *stack
		if c.Nested != nil {
			child = t.s.childFor(st, c.LogicalID)
			phys[c.LogicalID] = child.id
		} else {
			phys[c.LogicalID] = t.physical(st, c)
		}
		t.emit(st, c.LogicalID, c.ResourceType, phys[c.LogicalID], verb+"_IN_PROGRESS", "")
		if child != nil {
			t.reveal(child)
		}
		if sibling != nil {
			if sibling.Nested != nil {
				phys[sibling.LogicalID] = t.s.childFor(st, sibling.LogicalID).id
			} else {
				phys[sibling.LogicalID] = t.physical(st, *sibling)
			}
			t.emit(st, sibling.LogicalID, sibling.ResourceType, phys[sibling.LogicalID], verbOf(*sibling)+"_IN_PROGRESS", "")
			if sibling.Nested != nil {
				t.reveal(t.s.childFor(st, sibling.LogicalID))
			}
		}
		reason := ""
		switch {
		case child != nil:
			t.stackEvent(child, verb+"_IN_PROGRESS", "User Initiated")
			cf, cids, cdone := t.level(child, c.Nested)
			list := strings.Join(cids, ", ")
			if cf {
				if verb == "CREATE" {
					t.stackEvent(child, "ROLLBACK_IN_PROGRESS", fmt.Sprintf("The following resource(s) failed to create: [%s]. Rollback requested by user.", list))
					t.undo(child, cdone)
					t.stackEvent(child, "ROLLBACK_COMPLETE", "")
					reason = fmt.Sprintf("Embedded stack %s was not successfully created: The following resource(s) failed to create: [%s]. ", child.id, list)
					ok = append(ok, done{c, child}) // the parent's rollback deletes it
				} else {
					t.stackEvent(child, "UPDATE_ROLLBACK_IN_PROGRESS", fmt.Sprintf("The following resource(s) failed to update: [%s]. ", list))
					t.undo(child, cdone)
					t.stackEvent(child, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
					t.stackEvent(child, "UPDATE_ROLLBACK_COMPLETE", "")
					reason = fmt.Sprintf("Embedded stack %s was not successfully updated. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: The following resource(s) failed to update: [%s]. ", child.id, list)
				}
			} else {
				t.finish(child, c.Nested, verb)
			}
		case c.Fail != "":
			reason = c.Fail
		}
		if reason == "" {
			t.emit(st, c.LogicalID, c.ResourceType, phys[c.LogicalID], verb+"_COMPLETE", "")
			ok = append(ok, done{c, child})
			continue
		}
		t.emit(st, c.LogicalID, c.ResourceType, phys[c.LogicalID], verb+"_FAILED", reason)
		failedIDs = append(failedIDs, c.LogicalID)
		if sibling != nil {
			sv := verbOf(*sibling)
			t.emit(st, sibling.LogicalID, sibling.ResourceType, phys[sibling.LogicalID], sv+"_FAILED", cancelled(sv))
			failedIDs = append(failedIDs, sibling.LogicalID)
			if sibling.Nested != nil && sv == "CREATE" {
				ok = append(ok, done{*sibling, t.s.childFor(st, sibling.LogicalID)})
			}
		}
		return true, failedIDs, ok
	}
	return false, nil, ok
}

// finish completes a stack whose resources all succeeded: removals happen
// in the cleanup phase of an update.
func (t *timeline) finish(st *stack, lv *Level, verb string) {
	if verb == "CREATE" {
		t.stackEvent(st, "CREATE_COMPLETE", "")
		return
	}
	t.stackEvent(st, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "")
	for _, c := range lv.Changes {
		if c.Action != "Remove" {
			continue
		}
		t.emit(st, c.LogicalID, c.ResourceType, c.PhysicalID, "DELETE_IN_PROGRESS", "")
		if child := st.children[c.LogicalID]; child != nil {
			t.stackEvent(child, "DELETE_IN_PROGRESS", "")
			t.stackEvent(child, "DELETE_COMPLETE", "")
			t.deleted(child)
		}
		t.emit(st, c.LogicalID, c.ResourceType, c.PhysicalID, "DELETE_COMPLETE", "")
	}
	t.stackEvent(st, "UPDATE_COMPLETE", "")
}

// undo rolls back what succeeded, newest first: added resources are
// deleted, modified ones updated back.
func (t *timeline) undo(st *stack, ok []done) {
	for i := len(ok) - 1; i >= 0; i-- {
		d := ok[i]
		phys := d.c.PhysicalID
		if d.child != nil {
			phys = d.child.id
		}
		if d.c.Action == "Add" {
			t.emit(st, d.c.LogicalID, d.c.ResourceType, phys, "DELETE_IN_PROGRESS", "")
			if d.child != nil {
				t.stackEvent(d.child, "DELETE_IN_PROGRESS", "")
				t.stackEvent(d.child, "DELETE_COMPLETE", "")
				t.deleted(d.child)
			}
			t.emit(st, d.c.LogicalID, d.c.ResourceType, phys, "DELETE_COMPLETE", "")
			continue
		}
		t.emit(st, d.c.LogicalID, d.c.ResourceType, phys, "UPDATE_IN_PROGRESS", "")
		t.emit(st, d.c.LogicalID, d.c.ResourceType, phys, "UPDATE_COMPLETE", "")
	}
}

// execute builds the whole execution of a root change set.
func (t *timeline) execute(cs *changeSet) {
	s, root := t.s, cs.stack
	verb := "UPDATE"
	if cs.csType == "CREATE" {
		verb = "CREATE"
	}
	t.stackEvent(root, verb+"_IN_PROGRESS", "User Initiated")
	lv := cs.level
	if lv == nil {
		lv = &Level{}
	}
	failed, ids, ok := t.level(root, lv)
	list := strings.Join(ids, ", ")
	switch {
	case !failed:
		t.finish(root, lv, verb)
		outputs := s.sc.Outputs[root.name]
		t.steps = append(t.steps, func() {
			for k, v := range outputs {
				root.outputs[k] = v
			}
			s.markExecuted(cs, "EXECUTE_COMPLETE")
		})
		return
	case verb == "CREATE":
		t.stackEvent(root, "ROLLBACK_IN_PROGRESS", fmt.Sprintf("The following resource(s) failed to create: [%s]. Rollback requested by user.", list))
		t.undo(root, ok)
		t.stackEvent(root, "ROLLBACK_COMPLETE", "")
	default:
		t.stackEvent(root, "UPDATE_ROLLBACK_IN_PROGRESS", fmt.Sprintf("The following resource(s) failed to update: [%s]. ", list))
		t.undo(root, ok)
		t.stackEvent(root, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "")
		t.stackEvent(root, "UPDATE_ROLLBACK_COMPLETE", "")
	}
	t.steps = append(t.steps, func() { s.markExecuted(cs, "EXECUTE_FAILED") })
}

// childFor returns the nested stack behind a logical ID, creating it (not
// yet visible) when it does not exist.
func (s *Server) childFor(parent *stack, logical string) *stack {
	if c := parent.children[logical]; c != nil && !c.deleted {
		return c
	}
	c := s.newStack(childName(parent.name, logical, s.seq+1), parent.id, rootOf(parent))
	parent.children[logical] = c
	return c
}
