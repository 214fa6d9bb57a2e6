package cfnfake

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// tmpl is a parsed template. Values are the generic form CloudFormation
// works on: scalars as strings (numbers and booleans keep their text),
// lists as []any, mappings as map[string]any, and an intrinsic function
// as a one-key map ({"Ref": "X"}, {"Fn::GetAtt": ["A", "B"]}): the YAML
// short forms (!Ref, !GetAtt A.B, !Sub, ...) are expanded to it.
type tmpl struct {
	body       string
	params     []param
	conditions map[string]any
	mappings   map[string]any
	resources  map[string]*resDef
	order      []string // resource logical IDs in template order
	outputs    []output
	metadata   map[string]any
	transform  bool
}

type param struct {
	name, typ     string
	def           *string
	allowedValues []string
	noEcho        bool
}

type resDef struct {
	logical, typ  string
	props         map[string]any
	dependsOn     []string
	condition     string
	deletion      string // DeletionPolicy
	replacePolicy string // UpdateReplacePolicy
	metadata      any
}

type output struct {
	name, condition string
	value           any
	export          any
}

// templateError is a template problem, reported with AWS's own prefixes
// ("Template format error: ...", "Template error: ...").
type templateError struct{ msg string }

func (e *templateError) Error() string { return e.msg }

func formatErr(format string, args ...any) error {
	return &templateError{"Template format error: " + fmt.Sprintf(format, args...)}
}

// parseTemplate parses a YAML or JSON template and checks what
// CloudFormation checks before computing a change set: the sections'
// shapes, logical IDs, dependencies that exist, no cycles.
func parseTemplate(body string) (*tmpl, error) {
	f, err := parser.ParseBytes([]byte(body), 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			return nil, formatErr("YAML not well-formed. %s", ye.GetMessage())
		}
		return nil, formatErr("YAML not well-formed. %v", err)
	}
	var root any
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			root, err = toValue(d.Body, 0)
			if err != nil {
				return nil, err
			}
			break
		}
	}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, formatErr("unsupported structure.")
	}
	t := &tmpl{body: body, resources: map[string]*resDef{}, conditions: map[string]any{}, mappings: map[string]any{}}
	known := map[string]bool{"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true, "Rules": true,
		"Mappings": true, "Conditions": true, "Transform": true, "Resources": true, "Outputs": true}
	for _, k := range sortedAnyKeys(top) {
		if !known[k] {
			return nil, formatErr("Invalid template property or properties [%s]", k)
		}
	}
	if _, ok := top["Transform"]; ok {
		t.transform = true
	}
	if m, ok := top["Metadata"].(map[string]any); ok {
		t.metadata = m
	}
	if c, ok := top["Conditions"].(map[string]any); ok {
		t.conditions = c
	}
	if m, ok := top["Mappings"].(map[string]any); ok {
		t.mappings = m
	}
	if p, ok := top["Parameters"]; ok {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, formatErr("Every Parameters object must contain a Type member.")
		}
		for _, name := range orderedKeys(f, "Parameters", pm) {
			def, ok := pm[name].(map[string]any)
			if !ok || def["Type"] == nil {
				return nil, formatErr("Every Parameters object must contain a Type member.")
			}
			pp := param{name: name, typ: str(def["Type"])}
			if d, ok := def["Default"]; ok {
				s := scalarString(d)
				pp.def = &s
			}
			if av, ok := def["AllowedValues"].([]any); ok {
				for _, v := range av {
					pp.allowedValues = append(pp.allowedValues, scalarString(v))
				}
			}
			pp.noEcho = str(def["NoEcho"]) == "true"
			t.params = append(t.params, pp)
		}
	}
	rs, ok := top["Resources"].(map[string]any)
	if !ok || len(rs) == 0 {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	for _, id := range orderedKeys(f, "Resources", rs) {
		if !logicalIDOK(id) {
			return nil, formatErr("Resource name %s is non alphanumeric.", id)
		}
		def, ok := rs[id].(map[string]any)
		if !ok {
			return nil, formatErr("[/Resources/%s] resource definition is malformed", id)
		}
		typ := str(def["Type"])
		if typ == "" {
			return nil, formatErr("[/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		r := &resDef{logical: id, typ: typ, props: map[string]any{}, condition: str(def["Condition"]), deletion: str(def["DeletionPolicy"]), replacePolicy: str(def["UpdateReplacePolicy"]), metadata: def["Metadata"]}
		if p, ok := def["Properties"].(map[string]any); ok {
			r.props = p
		}
		switch d := def["DependsOn"].(type) {
		case string:
			r.dependsOn = []string{d}
		case []any:
			for _, x := range d {
				r.dependsOn = append(r.dependsOn, str(x))
			}
		}
		t.resources[id] = r
		t.order = append(t.order, id)
	}
	if o, ok := top["Outputs"].(map[string]any); ok {
		for _, name := range orderedKeys(f, "Outputs", o) {
			def, ok := o[name].(map[string]any)
			if !ok || def["Value"] == nil {
				return nil, formatErr("Every Outputs member must contain a Value object")
			}
			out := output{name: name, value: def["Value"], condition: str(def["Condition"])}
			if e, ok := def["Export"].(map[string]any); ok {
				out.export = e["Name"]
			}
			t.outputs = append(t.outputs, out)
		}
	}
	if err := t.checkReferences(); err != nil {
		return nil, err
	}
	return t, nil
}

func logicalIDOK(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkReferences reports references to undefined resources or
// parameters and dependency cycles, with AWS's messages.
func (t *tmpl) checkReferences() error {
	var missing []string
	seen := map[string]bool{}
	for _, id := range t.order {
		r := t.resources[id]
		for _, d := range t.deps(r) {
			if t.resources[d] == nil && !seen[d] {
				seen[d] = true
				missing = append(missing, d)
			}
		}
	}
	for _, o := range t.outputs {
		for _, d := range refsIn(o.value, t) {
			if t.resources[d] == nil && !seen[d] {
				seen[d] = true
				missing = append(missing, d)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return formatErr("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(missing, ", "))
	}
	// Cycles: depth-first search in template order.
	state := map[string]int{}
	var stack []string
	var cycle []string
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case 1:
			for i, s := range stack {
				if s == id {
					cycle = append([]string(nil), stack[i:]...)
				}
			}
			return true
		case 2:
			return false
		}
		state[id] = 1
		stack = append(stack, id)
		for _, d := range t.deps(t.resources[id]) {
			if visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = 2
		return false
	}
	for _, id := range t.order {
		if visit(id) {
			sort.Strings(cycle)
			return &templateError{"Circular dependency between resources: [" + strings.Join(cycle, ", ") + "]"}
		}
	}
	return nil
}

// deps lists the resources r depends on: DependsOn, Ref, Fn::GetAtt and
// the ${X} / ${X.Attr} of Fn::Sub, sorted and unique.
func (t *tmpl) deps(r *resDef) []string {
	set := map[string]bool{}
	for _, d := range r.dependsOn {
		set[d] = true
	}
	for _, d := range refsIn(r.props, t) {
		set[d] = true
	}
	delete(set, r.logical)
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// refsIn lists the resource logical IDs a value references (parameters
// and pseudo parameters excluded).
func refsIn(v any, t *tmpl) []string {
	var out []string
	isParam := func(name string) bool {
		if strings.HasPrefix(name, "AWS::") {
			return true
		}
		for _, p := range t.params {
			if p.name == name {
				return true
			}
		}
		return false
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				if ref, ok := x["Ref"].(string); ok {
					if !isParam(ref) {
						out = append(out, ref)
					}
					return
				}
				if ga, ok := x["Fn::GetAtt"]; ok {
					if parts := getAttParts(ga); len(parts) == 2 {
						out = append(out, parts[0])
					}
					return
				}
				if sub, ok := x["Fn::Sub"]; ok {
					s, vars := subParts(sub)
					for _, name := range subVars(s) {
						if _, local := vars[name]; local {
							continue
						}
						base := name
						if i := strings.Index(name, "."); i >= 0 {
							base = name[:i]
						}
						if !isParam(base) && !strings.HasPrefix(name, "!") {
							out = append(out, base)
						}
					}
					for _, vv := range vars {
						walk(vv)
					}
					return
				}
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
	return out
}

func getAttParts(v any) []string {
	switch x := v.(type) {
	case string:
		if i := strings.Index(x, "."); i > 0 {
			return []string{x[:i], x[i+1:]}
		}
	case []any:
		if len(x) == 2 {
			return []string{str(x[0]), scalarString(x[1])}
		}
	}
	return nil
}

func subParts(v any) (string, map[string]any) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []any:
		if len(x) == 2 {
			vars, _ := x[1].(map[string]any)
			return str(x[0]), vars
		}
		if len(x) == 1 {
			return str(x[0]), nil
		}
	}
	return "", nil
}

// subVars lists the ${...} names of a Fn::Sub string (${!Literal} kept
// with its "!" so callers skip it).
func subVars(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(s[i+2:i+j]))
		s = s[i+j+1:]
	}
}

// orderedKeys returns the keys of a top-level section in document order
// (Go maps have none).
func orderedKeys(f *ast.File, section string, m map[string]any) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		for _, mv := range mappingValues(d.Body) {
			k, _ := keyString(mv.Key)
			if k != section {
				continue
			}
			for _, inner := range mappingValues(unwrap(mv.Value)) {
				if name, ok := keyString(inner.Key); ok && !seen[name] {
					if _, in := m[name]; in {
						seen[name] = true
						out = append(out, name)
					}
				}
			}
		}
		break
	}
	for _, k := range sortedAnyKeys(m) { // anything the walk missed
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}
	}
	return nil
}

func keyString(n ast.Node) (string, bool) {
	switch k := n.(type) {
	case *ast.StringNode:
		return k.Value, true
	case *ast.MappingKeyNode:
		return keyString(k.Value)
	case nil:
		return "", false
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value, true
	}
	return "", false
}

const maxValueDepth = 100

// toValue converts a YAML node to the generic form, expanding the
// CloudFormation short-form tags.
func toValue(n ast.Node, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, formatErr("template nested deeper than %d levels", maxValueDepth)
	}
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, nil
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", nil
		}
		return v.Value.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, nil
	case *ast.BoolNode:
		if v.Value {
			return "true", nil
		}
		return "false", nil
	case *ast.AnchorNode:
		return toValue(v.Value, depth+1)
	case *ast.AliasNode:
		return nil, formatErr("YAML aliases are not supported")
	case *ast.TagNode:
		tag := ""
		if v.Start != nil {
			tag = v.Start.Value
		}
		inner, err := toValue(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		switch tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq", "!!binary":
			return inner, nil
		case "!Ref":
			return map[string]any{"Ref": inner}, nil
		case "!Condition":
			return map[string]any{"Condition": inner}, nil
		case "!GetAtt":
			if s, ok := inner.(string); ok {
				if parts := getAttParts(s); parts != nil {
					return map[string]any{"Fn::GetAtt": []any{parts[0], parts[1]}}, nil
				}
			}
			return map[string]any{"Fn::GetAtt": inner}, nil
		}
		if strings.HasPrefix(tag, "!") && len(tag) > 1 {
			return map[string]any{"Fn::" + tag[1:]: inner}, nil
		}
		return nil, formatErr("unsupported YAML tag %s", tag)
	case *ast.MappingNode, *ast.MappingValueNode:
		out := map[string]any{}
		for _, mv := range mappingValues(v) {
			k, ok := keyString(mv.Key)
			if !ok {
				return nil, formatErr("keys must be strings")
			}
			val, err := toValue(mv.Value, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	case *ast.SequenceNode:
		out := make([]any, 0, len(v.Values))
		for _, item := range v.Values {
			val, err := toValue(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	return nil, formatErr("unsupported YAML construct %s", n.Type())
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// scalarString is the text of a scalar value ("" for others).
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
