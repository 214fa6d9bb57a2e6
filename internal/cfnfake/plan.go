package cfnfake

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// levelPlan is what a change set computes for one stack: the changes it
// lists and, for execution, the template, parameters and tags the stack
// moves to. Scripted plans (Scenario.Plans) carry items instead of a
// template.
type levelPlan struct {
	st         *stack
	kind       string // CREATE | UPDATE
	tmpl       *tmpl
	params     map[string]any // evaluated at plan time (string or *unknown)
	tags       map[string]string
	changes    []*change
	nested     map[string]*levelPlan // by logical ID, for Add/Modify of nested stacks
	failReason string
	// direct reports a change other than an Automatic nested stack update
	// (a level whose only changes are unchanged nested stacks has none).
	direct bool
	// scripted is a plan from Scenario.Plans: no template, items say what
	// happens and which resource fails.
	scripted *Level
	// newChild marks a nested stack the change set created (in
	// REVIEW_IN_PROGRESS) and deletes with itself.
	newChild bool
}

// change is one ResourceChange.
type change struct {
	action       string // Add | Modify | Remove
	logical      string
	physical     string
	typ          string
	replacement  string
	scope        []string
	details      []detail
	policyAction string
	before       map[string]any
	after        map[string]any
	nestedPlan   *levelPlan
}

type detail struct {
	attribute, name, recreation string
	evaluation, source, entity  string
	path                        string
	before, after               any
	changeType                  string
}

// hasChanges reports whether the level (or a nested level) changes
// anything: the FAILED "didn't contain changes" test.
func (p *levelPlan) hasChanges() bool {
	if p == nil {
		return false
	}
	if p.scripted != nil {
		return p.scripted.hasChanges()
	}
	if p.direct {
		return true
	}
	for _, n := range p.nested {
		if n.hasChanges() {
			return true
		}
	}
	return false
}

// planInput is one level to plan.
type planInput struct {
	st     *stack
	kind   string
	t      *tmpl
	params map[string]any
	tags   map[string]string
	caps   []string
	nested bool // IncludeNestedStacks
	auto   bool // list unchanged nested stacks as Automatic updates
	depth  int
}

const maxNesting = 8

// planLevel computes the change set of one stack; nested stacks are
// planned recursively. A level with changes lists its unchanged nested
// stacks as Modify (ChangeSource Automatic): CloudFormation cannot know
// whether their templates changed until it updates them.
func (s *Server) planLevel(in planInput) *levelPlan {
	p := s.planPass(in)
	if !in.auto && in.kind == "UPDATE" && p.failReason == "" && p.hasChanges() {
		in.auto = true
		p = s.planPass(in)
	}
	return p
}

func (s *Server) planPass(in planInput) *levelPlan {
	st, t := in.st, in.t
	p := &levelPlan{st: st, kind: in.kind, tmpl: t, params: in.params, tags: in.tags, nested: map[string]*levelPlan{}}
	if in.depth > maxNesting {
		p.failReason = "Template error: nested stacks are nested too deeply"
		return p
	}
	if t.transform {
		p.failReason = "Transforms are not supported by the CloudFormation fake"
		return p
	}
	if missing := missingCaps(t, in.caps); missing != "" {
		p.failReason = "Requires capabilities : [" + missing + "]"
		return p
	}
	ctx := s.evalContext(st, t, in.params)
	if err := ctx.evalConditions(); err != nil {
		p.failReason = err.Error()
		return p
	}
	old := map[string]*resource{}
	if in.kind == "UPDATE" {
		old = st.resources
	}
	type state struct {
		action   string // Add | Modify | Replace | Keep
		modified bool
	}
	states := map[string]*state{}
	included := map[string]bool{}
	for _, id := range t.order {
		r := t.resources[id]
		if r.condition == "" || ctx.conds[r.condition] {
			included[id] = true
		}
	}
	ctx.ref = func(id string) any {
		if st, ok := states[id]; ok {
			switch st.action {
			case "Add":
				return &unknown{causes: []cause{{source: "ResourceReference", entity: id}}}
			case "Replace":
				return &unknown{causes: []cause{{source: "ResourceReference", entity: id}}}
			}
		}
		if o := old[id]; o != nil {
			return o.physical
		}
		return &unknown{causes: []cause{{source: "ResourceReference", entity: id}}}
	}
	ctx.getAtt = func(id, attr string) (any, error) {
		r := t.resources[id]
		if r == nil {
			return nil, evalErr("Template error: instance of Fn::GetAtt references undefined resource %s", id)
		}
		if !hasAttribute(r.typ, attr) {
			return nil, evalErr("Template error: resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
		}
		if st, ok := states[id]; ok && st.action != "Keep" {
			return &unknown{causes: []cause{{source: "ResourceAttribute", entity: id + "." + attr, dynamic: true}}}, nil
		}
		if o := old[id]; o != nil {
			return o.attr(attr), nil
		}
		return &unknown{causes: []cause{{source: "ResourceAttribute", entity: id + "." + attr, dynamic: true}}}, nil
	}
	order := topoOrder(t, included)
	for _, id := range order {
		r := t.resources[id]
		props, err := ctx.evaluate(r.props)
		if err != nil {
			p.failReason = err.Error()
			return p
		}
		pm, _ := props.(map[string]any)
		o := old[id]
		if o == nil {
			states[id] = &state{action: "Add"}
			c := &change{action: "Add", logical: id, typ: r.typ, after: map[string]any{"Properties": plain(pm)}}
			if r.typ == StackType && in.nested {
				c.nestedPlan = s.planChild(in, st, id, nil, pm)
				p.nested[id] = c.nestedPlan
			}
			p.changes = append(p.changes, c)
			p.direct = true
			continue
		}
		if o.typ != r.typ {
			p.failReason = fmt.Sprintf("Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", id)
			return p
		}
		c := &change{action: "Modify", logical: id, physical: o.physical, typ: r.typ,
			before: map[string]any{"Properties": plain(o.props)}, after: map[string]any{"Properties": plain(pm)}}
		c.details = propertyDetails(r.typ, o, r, pm, in.params, st.params, t)
		if taggable(r.typ) && !equalTags(o.tags, in.tags) {
			c.details = append(c.details, detail{attribute: "Tags", recreation: "Never", evaluation: "Static", source: "DirectModification"})
		}
		if !jsonEqual(o.metadata, r.metadata) {
			c.details = append(c.details, detail{attribute: "Metadata", recreation: "Never", evaluation: "Static", source: "DirectModification"})
		}
		direct := len(c.details) > 0
		if r.typ == StackType && in.nested {
			c.nestedPlan = s.planChild(in, st, id, o, pm)
			p.nested[id] = c.nestedPlan
			if !direct && (in.auto || c.nestedPlan.hasChanges()) {
				c.details = append(c.details, detail{attribute: "Properties", recreation: "Never", evaluation: "Dynamic", source: "Automatic"})
			}
		}
		if len(c.details) == 0 {
			states[id] = &state{action: "Keep"}
			continue
		}
		if direct {
			p.direct = true
		}
		c.replacement, c.scope = summarize(c.details)
		action := "Modify"
		if c.replacement == "True" {
			action = "Replace"
			c.policyAction = "ReplaceAndDelete"
		}
		states[id] = &state{action: action, modified: true}
		p.changes = append(p.changes, c)
	}
	// Removals, in the deployed template's order.
	var removed []string
	for id := range old {
		if !included[id] {
			removed = append(removed, id)
		}
	}
	sort.Slice(removed, func(i, j int) bool { return old[removed[i]].order < old[removed[j]].order })
	for _, id := range removed {
		o := old[id]
		pa := "Delete"
		if o.deletion == "Retain" {
			pa = "Retain"
		}
		p.changes = append(p.changes, &change{action: "Remove", logical: id, physical: o.physical, typ: o.typ, policyAction: pa,
			before: map[string]any{"Properties": plain(o.props)}})
		p.direct = true
	}
	if in.kind == "UPDATE" && !p.direct {
		// Outputs, descriptions and template metadata alone: an update
		// with no resource change.
		if st.tmpl == nil || outputsChanged(st.tmpl, t) {
			p.direct = p.direct || st.tmpl == nil
		}
	}
	return p
}

// planChild plans the nested stack behind logical ID id: its template
// from the (evaluated) TemplateURL, its parameters from Parameters, its
// tags from the parent's plus its own.
func (s *Server) planChild(in planInput, parent *stack, id string, o *resource, props map[string]any) *levelPlan {
	kind := "CREATE"
	var child *stack
	if o != nil && o.child != nil && !o.child.deleted {
		child, kind = o.child, "UPDATE"
	} else {
		child = s.pendingChild(parent, id)
	}
	fail := func(reason string) *levelPlan {
		return &levelPlan{st: child, kind: kind, failReason: reason, nested: map[string]*levelPlan{}, newChild: kind == "CREATE"}
	}
	url, ok := props["TemplateURL"].(string)
	if !ok {
		return fail("TemplateURL must be a known string when the change set is created")
	}
	body, err := s.fetchTemplate(url)
	if err != nil {
		return fail(err.Error())
	}
	t, err := parseTemplate(body)
	if err != nil {
		return fail(err.Error())
	}
	params := map[string]any{}
	given, _ := props["Parameters"].(map[string]any)
	if unk, ok := props["Parameters"].(*unknown); ok {
		for _, tp := range t.params {
			params[tp.name] = unk
		}
	}
	for k, v := range given {
		if u, ok := v.(*unknown); ok || unknownsIn(v) != nil {
			_ = u
			params[k] = &unknown{causes: []cause{{source: "ParameterReference", entity: k, dynamic: true}}}
			continue
		}
		params[k] = scalarString(v)
	}
	resolved, perr := resolveParams(t, params, nil)
	if perr != "" {
		return fail(perr)
	}
	tags := map[string]string{}
	for k, v := range in.tags {
		tags[k] = v
	}
	if list, ok := props["Tags"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if k, ok := m["Key"].(string); ok {
					if v, ok := m["Value"].(string); ok {
						tags[k] = v
					}
				}
			}
		}
	}
	cp := s.planLevel(planInput{st: child, kind: kind, t: t, params: resolved, tags: tags, caps: in.caps, nested: true, depth: in.depth + 1})
	cp.newChild = kind == "CREATE"
	return cp
}

// pendingChild is the nested stack a change set will create for id: it
// exists (REVIEW_IN_PROGRESS, visible) once the change set is
// registered. Planning passes share one per parent and logical ID.
func (s *Server) pendingChild(parent *stack, id string) *stack {
	if c := parent.pending[id]; c != nil {
		return c
	}
	c := s.newStack(childName(parent.name, id, s.seq+1), parent.id, rootOf(parent))
	c.parent, c.parentLogical = parent, id
	parent.pending[id] = c
	return c
}

// resolveParams applies defaults and checks the given parameters against
// the template: AWS's messages for missing, unknown and disallowed values.
func resolveParams(t *tmpl, given map[string]any, previous map[string]string) (map[string]any, string) {
	out := map[string]any{}
	declared := map[string]bool{}
	var missing []string
	for _, tp := range t.params {
		declared[tp.name] = true
		v, ok := given[tp.name]
		switch {
		case ok:
		case tp.def != nil:
			v = *tp.def
		default:
			missing = append(missing, tp.name)
			continue
		}
		if s, ok := v.(string); ok && len(tp.allowedValues) > 0 {
			allowed := false
			for _, a := range tp.allowedValues {
				if a == s {
					allowed = true
				}
			}
			if !allowed {
				return nil, fmt.Sprintf("Parameter '%s' must be one of AllowedValues", tp.name)
			}
		}
		out[tp.name] = v
	}
	var extra []string
	for k := range given {
		if !declared[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		return nil, fmt.Sprintf("Parameters: [%s] do not exist in the template", strings.Join(extra, ", "))
	}
	if len(missing) > 0 {
		return nil, fmt.Sprintf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return out, ""
}

// propertyDetails compares a deployed resource with its new definition.
func propertyDetails(typ string, o *resource, r *resDef, newProps map[string]any, params map[string]any, oldParams map[string]string, t *tmpl) []detail {
	keys := map[string]bool{}
	for k := range o.props {
		keys[k] = true
	}
	for k := range newProps {
		keys[k] = true
	}
	for k := range r.props {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []detail
	for _, k := range names {
		oldV, newV := o.props[k], newProps[k]
		rawChanged := !jsonEqual(o.raw[k], r.props[k])
		if !rawChanged && equalValues(oldV, newV) {
			continue
		}
		if k == "Tags" && taggable(typ) {
			out = append(out, detail{attribute: "Tags", recreation: "Never", evaluation: evaluation(newV), source: "DirectModification",
				before: plain(oldV), after: plain(newV), path: "/Properties/Tags", changeType: changeType(oldV, newV)})
			continue
		}
		rec := "Never"
		for _, path := range changedPaths("", oldV, newV) {
			rec = maxRecreation(rec, recreation(typ, k+path))
		}
		if rawChanged && len(changedPaths("", oldV, newV)) == 0 {
			rec = recreation(typ, k)
		}
		base := detail{attribute: "Properties", name: k, recreation: rec, path: "/Properties/" + k,
			before: plain(oldV), after: plain(newV), changeType: changeType(oldV, newV)}
		u := unknownsIn(newV)
		if rawChanged {
			d := base
			d.source, d.evaluation = "DirectModification", evaluation(newV)
			out = append(out, d)
			continue
		}
		if u != nil {
			for _, c := range u.causes {
				d := base
				d.source, d.entity = c.source, c.entity
				d.evaluation = "Static"
				if c.dynamic {
					d.evaluation = "Dynamic"
				}
				out = append(out, d)
			}
			continue
		}
		var byParam []string
		for _, name := range paramsIn(r.props[k], t) {
			if fmt.Sprint(params[name]) != oldParams[name] {
				byParam = append(byParam, name)
			}
		}
		if len(byParam) == 0 {
			d := base
			d.source, d.evaluation = "DirectModification", "Static"
			out = append(out, d)
			continue
		}
		for _, name := range byParam {
			d := base
			d.source, d.entity, d.evaluation = "ParameterReference", name, "Static"
			out = append(out, d)
		}
	}
	return out
}

func evaluation(v any) string {
	if unknownsIn(v) != nil {
		return "Dynamic"
	}
	return "Static"
}

func changeType(a, b any) string {
	switch {
	case a == nil:
		return "Add"
	case b == nil:
		return "Remove"
	}
	return "Modify"
}

func maxRecreation(a, b string) string {
	rank := map[string]int{"Never": 0, "Conditionally": 1, "Always": 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// summarize derives Replacement and Scope from the details: Always with
// a static evaluation replaces the resource (True); Always with a dynamic
// one, or Conditionally, may (Conditional).
func summarize(ds []detail) (string, []string) {
	repl := "False"
	var scope []string
	seen := map[string]bool{}
	for _, d := range ds {
		switch {
		case d.recreation == "Always" && d.evaluation == "Static":
			repl = "True"
		case (d.recreation == "Always" || d.recreation == "Conditionally") && repl == "False":
			repl = "Conditional"
		}
		if !seen[d.attribute] {
			seen[d.attribute] = true
			scope = append(scope, d.attribute)
		}
	}
	return repl, scope
}

// paramsIn lists the template parameters a raw value references.
func paramsIn(v any, t *tmpl) []string {
	declared := map[string]bool{}
	for _, p := range t.params {
		declared[p.name] = true
	}
	set := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
				if declared[ref] {
					set[ref] = true
				}
				return
			}
			if sub, ok := x["Fn::Sub"]; ok && len(x) == 1 {
				s, vars := subParts(sub)
				for _, n := range subVars(s) {
					if declared[n] {
						set[n] = true
					}
				}
				for _, vv := range vars {
					walk(vv)
				}
				return
			}
			for _, k := range sortedAnyKeys(x) {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(normalize(a))
	jb, _ := json.Marshal(normalize(b))
	return string(ja) == string(jb)
}

func equalTags(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func outputsChanged(a, b *tmpl) bool {
	ja, _ := json.Marshal(a.outputs)
	jb, _ := json.Marshal(b.outputs)
	return string(ja) != string(jb)
}

// topoOrder orders the included resources so every resource comes after
// the ones it depends on, template order breaking ties.
func topoOrder(t *tmpl, included map[string]bool) []string {
	var out []string
	done := map[string]bool{}
	var visit func(id string)
	visiting := map[string]bool{}
	visit = func(id string) {
		if done[id] || visiting[id] || !included[id] {
			return
		}
		visiting[id] = true
		for _, d := range t.deps(t.resources[id]) {
			visit(d)
		}
		visiting[id] = false
		done[id] = true
		out = append(out, id)
	}
	for _, id := range t.order {
		visit(id)
	}
	return out
}

// iamTypes need CAPABILITY_IAM (or CAPABILITY_NAMED_IAM when named).
var iamTypes = map[string]bool{"AWS::IAM::AccessKey": true, "AWS::IAM::Group": true, "AWS::IAM::InstanceProfile": true,
	"AWS::IAM::Policy": true, "AWS::IAM::Role": true, "AWS::IAM::User": true, "AWS::IAM::UserToGroupAddition": true,
	"AWS::IAM::ManagedPolicy": true}

func missingCaps(t *tmpl, caps []string) string {
	need := ""
	for _, id := range t.order {
		r := t.resources[id]
		if !iamTypes[r.typ] {
			continue
		}
		if need == "" {
			need = "CAPABILITY_IAM"
		}
		for _, k := range []string{"RoleName", "GroupName", "UserName", "ManagedPolicyName", "InstanceProfileName"} {
			if _, ok := r.props[k]; ok {
				need = "CAPABILITY_NAMED_IAM"
			}
		}
	}
	switch {
	case need == "":
		return ""
	case contains(caps, "CAPABILITY_NAMED_IAM"):
		return ""
	case need == "CAPABILITY_IAM" && contains(caps, "CAPABILITY_IAM"):
		return ""
	}
	return need
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
