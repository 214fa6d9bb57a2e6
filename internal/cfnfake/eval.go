package cfnfake

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// unknown is a value CloudFormation cannot know when it computes a change
// set: a reference to a resource that is added or replaced, an attribute
// of a resource that is updated, a nested stack's output, a nested stack
// parameter fed by one of those. Its causes become the change's details.
type unknown struct {
	causes []cause
}

// cause is why a value is unknown (or changed): one ResourceChangeDetail.
type cause struct {
	source  string // ResourceReference | ResourceAttribute | ParameterReference
	entity  string // CausingEntity
	dynamic bool   // Evaluation Dynamic (else Static)
}

func (u *unknown) String() string { return "{{changeSet:KNOWN_AFTER_APPLY}}" }

// noValue is AWS::NoValue: the property or list element is dropped.
type noValueT struct{}

var noValue = noValueT{}

// evalCtx evaluates intrinsic functions for one stack.
type evalCtx struct {
	t      *tmpl
	params map[string]any // string or *unknown
	pseudo map[string]string
	conds  map[string]bool
	// ref and getAtt answer for resources (string or *unknown, or an
	// error for an attribute the type does not have).
	ref     func(logical string) any
	getAtt  func(logical, attr string) (any, error)
	imports func(name string) (string, bool)
}

type evalError struct{ msg string }

func (e *evalError) Error() string { return e.msg }

func evalErr(format string, args ...any) error {
	return &evalError{fmt.Sprintf(format, args...)}
}

// evaluate resolves every intrinsic function in v.
func (c *evalCtx) evaluate(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
					return c.fn(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for _, k := range sortedAnyKeys(x) {
			val, err := c.evaluate(x[k])
			if err != nil {
				return nil, err
			}
			if val == noValue {
				continue
			}
			out[k] = val
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			val, err := c.evaluate(e)
			if err != nil {
				return nil, err
			}
			if val == noValue {
				continue
			}
			out = append(out, val)
		}
		return out, nil
	}
	return v, nil
}

func (c *evalCtx) fn(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		ref := str(arg)
		if v, ok := c.params[ref]; ok {
			return v, nil
		}
		if ref == "AWS::NoValue" {
			return noValue, nil
		}
		if v, ok := c.pseudo[ref]; ok {
			return v, nil
		}
		if strings.HasPrefix(ref, "AWS::") {
			return nil, evalErr("Template format error: Unrecognized parameter type: %s", ref)
		}
		return c.ref(ref), nil
	case "Condition":
		return strconv.FormatBool(c.conds[str(arg)]), nil
	case "Fn::GetAtt":
		parts := getAttParts(arg)
		if len(parts) != 2 {
			return nil, evalErr("Template error: every Fn::GetAtt object requires two non-empty parameters")
		}
		attr, err := c.evaluate(parts[1])
		if err != nil {
			return nil, err
		}
		return c.getAtt(parts[0], scalarString(attr))
	case "Fn::Sub":
		s, vars := subParts(arg)
		return c.sub(s, vars)
	case "Fn::Join":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, evalErr("Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
		items, err := c.evaluate(list[1])
		if err != nil {
			return nil, err
		}
		if u, ok := items.(*unknown); ok {
			return u, nil
		}
		arr, ok := items.([]any)
		if !ok {
			return nil, evalErr("Template error: every Fn::Join object requires two parameters")
		}
		var parts []string
		var u *unknown
		for _, e := range arr {
			if x, ok := e.(*unknown); ok {
				u = mergeUnknown(u, x)
				continue
			}
			parts = append(parts, scalarString(e))
		}
		if u != nil {
			return u, nil
		}
		return strings.Join(parts, str(list[0])), nil
	case "Fn::Select":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, evalErr("Template error: Fn::Select requires a list argument with two elements: an integer index and a list")
		}
		idx, err := c.evaluate(list[0])
		if err != nil {
			return nil, err
		}
		items, err := c.evaluate(list[1])
		if err != nil {
			return nil, err
		}
		if u, ok := items.(*unknown); ok {
			return u, nil
		}
		arr, _ := items.([]any)
		i, err := strconv.Atoi(scalarString(idx))
		if err != nil || i < 0 || i >= len(arr) {
			return nil, evalErr("Template error: Fn::Select cannot select nonexistent value at index %s", scalarString(idx))
		}
		return arr[i], nil
	case "Fn::Split":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, evalErr("Template error: every Fn::Split object requires two parameters")
		}
		s, err := c.evaluate(list[1])
		if err != nil {
			return nil, err
		}
		if u, ok := s.(*unknown); ok {
			return u, nil
		}
		var out []any
		for _, p := range strings.Split(scalarString(s), str(list[0])) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::If":
		list, ok := arg.([]any)
		if !ok || len(list) != 3 {
			return nil, evalErr("Template error: Fn::If requires a list argument with three elements")
		}
		cond := str(list[0])
		if _, ok := c.conds[cond]; !ok {
			return nil, evalErr("Template format error: Unresolved condition dependency %s in Fn::If", cond)
		}
		if c.conds[cond] {
			return c.evaluate(list[1])
		}
		return c.evaluate(list[2])
	case "Fn::Equals":
		list, ok := arg.([]any)
		if !ok || len(list) != 2 {
			return nil, evalErr("Template error: Fn::Equals requires a list argument with two elements")
		}
		a, err := c.evaluate(list[0])
		if err != nil {
			return nil, err
		}
		b, err := c.evaluate(list[1])
		if err != nil {
			return nil, err
		}
		if _, ok := a.(*unknown); ok {
			return "false", nil
		}
		if _, ok := b.(*unknown); ok {
			return "false", nil
		}
		return strconv.FormatBool(scalarString(a) == scalarString(b)), nil
	case "Fn::Not", "Fn::And", "Fn::Or":
		list, ok := arg.([]any)
		if !ok || len(list) == 0 {
			return nil, evalErr("Template error: %s requires a list argument", name)
		}
		var vals []bool
		for _, e := range list {
			v, err := c.evaluate(e)
			if err != nil {
				return nil, err
			}
			vals = append(vals, scalarString(v) == "true")
		}
		switch name {
		case "Fn::Not":
			return strconv.FormatBool(!vals[0]), nil
		case "Fn::And":
			for _, v := range vals {
				if !v {
					return "false", nil
				}
			}
			return "true", nil
		default:
			for _, v := range vals {
				if v {
					return "true", nil
				}
			}
			return "false", nil
		}
	case "Fn::FindInMap":
		list, ok := arg.([]any)
		if !ok || len(list) < 3 {
			return nil, evalErr("Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		var keys []string
		for _, e := range list[:3] {
			v, err := c.evaluate(e)
			if err != nil {
				return nil, err
			}
			if u, ok := v.(*unknown); ok {
				return u, nil
			}
			keys = append(keys, scalarString(v))
		}
		m, _ := c.t.mappings[keys[0]].(map[string]any)
		k, _ := m[keys[1]].(map[string]any)
		v, ok := k[keys[2]]
		if !ok {
			return nil, evalErr("Template error: Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
		}
		return v, nil
	case "Fn::Base64":
		v, err := c.evaluate(arg)
		if err != nil {
			return nil, err
		}
		if u, ok := v.(*unknown); ok {
			return u, nil
		}
		return base64.StdEncoding.EncodeToString([]byte(scalarString(v))), nil
	case "Fn::GetAZs":
		r := c.pseudo["AWS::Region"]
		return []any{r + "a", r + "b", r + "c"}, nil
	case "Fn::ImportValue":
		v, err := c.evaluate(arg)
		if err != nil {
			return nil, err
		}
		if u, ok := v.(*unknown); ok {
			return u, nil
		}
		if c.imports != nil {
			if val, ok := c.imports(scalarString(v)); ok {
				return val, nil
			}
		}
		return nil, evalErr("No export named %s found.", scalarString(v))
	}
	return nil, evalErr("Template format error: Unrecognized function %s", name)
}

// sub evaluates a Fn::Sub string.
func (c *evalCtx) sub(s string, vars map[string]any) (any, error) {
	var b strings.Builder
	var u *unknown
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		name := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var val any
		var err error
		switch {
		case vars != nil && vars[name] != nil:
			val, err = c.evaluate(vars[name])
		case strings.Contains(name, "."):
			k := strings.Index(name, ".")
			val, err = c.getAtt(name[:k], name[k+1:])
		default:
			val, err = c.fn("Ref", name)
		}
		if err != nil {
			return nil, err
		}
		if x, ok := val.(*unknown); ok {
			u = mergeUnknown(u, x)
			continue
		}
		b.WriteString(scalarString(val))
	}
	if u != nil {
		return u, nil
	}
	return b.String(), nil
}

func mergeUnknown(a, b *unknown) *unknown {
	if a == nil {
		return b
	}
	out := &unknown{causes: append([]cause(nil), a.causes...)}
	for _, c := range b.causes {
		dup := false
		for _, x := range out.causes {
			if x == c {
				dup = true
			}
		}
		if !dup {
			out.causes = append(out.causes, c)
		}
	}
	return out
}

// unknownsIn collects the causes of every unknown in v.
func unknownsIn(v any) *unknown {
	var u *unknown
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case *unknown:
			u = mergeUnknown(u, x)
		case map[string]any:
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
	return u
}

// evalConditions evaluates the Conditions section. A condition that
// depends on an unknown value evaluates as false.
func (c *evalCtx) evalConditions() error {
	c.conds = map[string]bool{}
	names := sortedAnyKeys(c.t.conditions)
	// Conditions may reference each other: iterate to a fixed point.
	for pass := 0; pass <= len(names); pass++ {
		for _, n := range names {
			v, err := c.evaluate(c.t.conditions[n])
			if err != nil {
				return err
			}
			c.conds[n] = scalarString(v) == "true"
		}
	}
	return nil
}

// equalValues compares two evaluated values; an unknown equals nothing.
func equalValues(a, b any) bool {
	if _, ok := a.(*unknown); ok {
		return false
	}
	if _, ok := b.(*unknown); ok {
		return false
	}
	if unknownsIn(a) != nil || unknownsIn(b) != nil {
		return false
	}
	return reflect.DeepEqual(normalize(a), normalize(b))
}

// normalize makes values comparable: empty maps and lists equal nil.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// changedPaths lists the property paths ("Code/S3Key", "Layers/1") where
// two values differ; a path ends where a value is unknown.
func changedPaths(prefix string, a, b any) []string {
	if equalValues(a, b) {
		return nil
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		var out []string
		for _, k := range ks {
			out = append(out, changedPaths(prefix+"/"+k, am[k], bm[k])...)
		}
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var out []string
		for i := range al {
			out = append(out, changedPaths(prefix+"/"+strconv.Itoa(i), al[i], bl[i])...)
		}
		return out
	}
	return []string{prefix}
}

// plain converts an evaluated value to JSON-friendly form (unknowns as
// AWS's placeholder), for BeforeContext/AfterContext.
func plain(v any) any {
	switch x := v.(type) {
	case *unknown:
		return x.String()
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}
