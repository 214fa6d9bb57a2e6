package django

import (
	"fmt"
	"strconv"
	"strings"
)

// warnOnce reports a warning once per file, line and message.
func (l *loader) warnOnce(file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	key := fmt.Sprintf("%s:%d:%s", file, line, msg)
	if l.warned[key] {
		return
	}
	l.warned[key] = true
	l.diags.Warnf(file, line, 0, "%s", msg)
}

// limit reports a value past an evaluation limit and returns it unknown.
func (l *loader) limit(ms *modState, line int, what string) Value {
	l.warnOnce(ms.rel, line, "evaluation limit: %s; the value is left unknown", what)
	return vUnknown{why: "evaluation limit: " + what}
}

// step counts one unit of evaluation; false once the budget is spent.
func (l *loader) step(ms *modState, line int) bool {
	l.steps++
	if l.steps <= l.budget {
		return true
	}
	if !l.stopped {
		l.stopped = true
		l.diags.Warnf(ms.rel, line, 0, "evaluation limit: stopped after %d steps; what is left is read as unknown (its routes go to the catch-all)", l.budget)
	}
	return false
}

func (l *loader) exhausted() bool { return l.stopped }

// mutated records an in-place change of a shared value.
func (l *loader) mutated() { l.mutations++ }

// unknownWhy describes an unknown value for messages.
func unknownWhy(v Value) string {
	if u, ok := v.(vUnknown); ok {
		return u.why
	}
	return describe(v)
}

// intOf reads an integer constant.
func intOf(v Value) (int64, bool) {
	c, ok := v.(vConst)
	if !ok {
		return 0, false
	}
	switch c.s {
	case "True":
		return 1, true
	case "False":
		return 0, true
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(c.s, "_", ""), 0, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func vInt(n int64) vConst { return vConst{s: strconv.FormatInt(n, 10)} }

func vBool(b bool) vConst {
	if b {
		return vConst{s: "True"}
	}
	return vConst{s: "False"}
}

var vNone = vConst{s: "None"}

// djangoDefaults are Django's global settings discovery may read when the
// project's settings leave them out (django/conf/global_settings.py).
var djangoDefaults = map[string]Value{
	"DEBUG":             vBool(false),
	"APPEND_SLASH":      vBool(true),
	"USE_I18N":          vBool(true),
	"USE_L10N":          vBool(false),
	"USE_TZ":            vBool(false),
	"LANGUAGE_CODE":     vStr{s: "en-us"},
	"FORCE_SCRIPT_NAME": vNone,
	"STATIC_URL":        vNone,
	"MEDIA_URL":         vStr{s: ""},
	"AUTH_USER_MODEL":   vStr{s: "auth.User"},
	"LOGIN_URL":         vStr{s: "/accounts/login/"},
}

// attr is getattr(x, name) for static values.
func (l *loader) attr(x Value, name string) Value {
	switch v := l.force(x).(type) {
	case *vModule:
		l.exec(v.ms)
		if val, ok := v.ms.env[name]; ok {
			return l.force(val)
		}
		if sub := l.module(v.ms.name + "." + name); sub != nil {
			return &vModule{ms: sub}
		}
		return vUnknown{why: fmt.Sprintf("%s has no attribute %s", v.ms.name, name)}
	case vExt:
		if v.path == "django.conf.settings" && l.settings != nil && l.settings.state == 2 {
			return l.setting(name)
		}
		if v.path == "os.environ" {
			return &vAttr{x: v, name: name}
		}
		return l.extValue(v.path + "." + name)
	case vUnknown:
		return v
	case *vClass:
		// Data a class defines (Base.INSTALLED_APPS, a nested Meta) is its
		// value; anything else stays Class.name so that Model.objects and
		// View.as_view keep telling whose they are.
		if val := l.classAttr(v, name); val != nil {
			if val = l.force(val); known(val) {
				return val
			}
		}
		return &vAttr{x: v, name: name}
	case *vObject:
		if val, ok := v.attrs[name]; ok {
			return val
		}
		return &vAttr{x: v, name: name}
	default:
		return &vAttr{x: v, name: name}
	}
}

// setting reads django.conf.settings.name: the settings module's value,
// else Django's default, else unknown (Django would raise AttributeError).
func (l *loader) setting(name string) Value {
	l.settingsRead[name] = true
	if val, ok := l.settings.env[name]; ok {
		return l.force(val)
	}
	if val, ok := djangoDefaults[name]; ok {
		return val
	}
	return vUnknown{why: "setting " + name + " is not set"}
}

func (l *loader) eval(ms *modState, e *Expr) Value {
	if e == nil {
		return vUnknown{why: "missing expression"}
	}
	if l.depth > maxEvalDepth {
		return l.limit(ms, e.Line, fmt.Sprintf("expressions, names or imports nested more than %d deep", maxEvalDepth))
	}
	if !l.step(ms, e.Line) {
		return vUnknown{why: "evaluation limit"}
	}
	l.depth++
	defer func() { l.depth-- }()
	switch e.Kind {
	case ExprName:
		if v, ok := ms.lookup(e.Name); ok {
			return l.force(v)
		}
		switch e.Name {
		case "__name__":
			return vStr{s: ms.name}
		case "__file__":
			return vUnknown{why: "__file__"}
		}
		if builtinNames[e.Name] {
			return vBuiltin{name: e.Name}
		}
		if builtinExceptions[e.Name] {
			// A class outside the project, as a base: nothing of the
			// project's is defined there.
			return vExt{path: "builtins." + e.Name}
		}
		return vUnknown{why: "undefined name " + e.Name}
	case ExprAttr:
		return l.attr(l.eval(ms, e.X), e.Name)
	case ExprStr:
		return vStr{s: e.Name}
	case ExprFString:
		return l.fstring(ms, e)
	case ExprNum, ExprBool:
		return vConst{s: e.Name}
	case ExprNone:
		return vNone
	case ExprList, ExprTuple, ExprSet:
		items := l.evalArgs(ms, e.Elts)
		if len(items) > maxSeqLen {
			return l.limit(ms, e.Line, fmt.Sprintf("a list of more than %d items", maxSeqLen))
		}
		return &vSeq{items: items, tuple: e.Kind == ExprTuple}
	case ExprDict:
		d := &vDict{}
		for i, k := range e.Elts {
			if k == nil {
				if src, ok := l.force(l.eval(ms, e.Vals[i])).(*vDict); ok {
					d.keys = append(d.keys, src.keys...)
					d.vals = append(d.vals, src.vals...)
				}
				continue
			}
			if ks, ok := l.force(l.eval(ms, k)).(vStr); ok {
				d.keys = append(d.keys, ks.s)
				d.vals = append(d.vals, l.eval(ms, e.Vals[i]))
			}
		}
		return d
	case ExprBinOp:
		return l.binop(ms, e.Name, l.eval(ms, e.X), l.eval(ms, e.Y), e.Line)
	case ExprUnary:
		v := l.force(l.eval(ms, e.X))
		if n, ok := intOf(v); ok {
			switch e.Name {
			case "-":
				return vInt(-n)
			case "+":
				return vInt(n)
			case "~":
				return vInt(^n)
			}
		}
		return vUnknown{why: "operator " + e.Name}
	case ExprSubscript:
		return l.subscript(ms, l.force(l.eval(ms, e.X)), e.Y, e.Line)
	case ExprCall:
		return l.call(ms, e)
	case ExprNot:
		switch truth(l.force(l.eval(ms, e.X))) {
		case 1:
			return vBool(false)
		case 0:
			return vBool(true)
		}
		return vUnknown{why: "not of an unknown value"}
	case ExprBoolOp:
		x := l.force(l.eval(ms, e.X))
		tx := truth(x)
		switch {
		case e.Name == "and" && tx == 0, e.Name == "or" && tx == 1:
			return x
		case tx == -1:
			return vUnknown{why: unknownWhy(x)}
		}
		return l.eval(ms, e.Y)
	case ExprCompare:
		return l.compare(ms, e)
	case ExprCond:
		c := l.force(l.eval(ms, e.Elts[0]))
		switch truth(c) {
		case 1:
			return l.eval(ms, e.X)
		case 0:
			return l.eval(ms, e.Y)
		}
		v, differs := l.merge([]Value{l.eval(ms, e.X), l.eval(ms, e.Y)}, ms.rel, e.Line)
		if differs {
			l.unions = append(l.unions, unionRecord{ms: ms.module(), line: e.Line, names: append([]string(nil), l.assigning...),
				msg: fmt.Sprintf("condition not known statically (%s): both values of the conditional expression are kept", unknownWhy(c))})
		}
		return v
	case ExprNamed:
		v := l.eval(ms, e.X)
		ms.env[e.Name] = v
		return v
	case ExprComp:
		return l.comprehension(ms, e)
	}
	return vUnknown{why: "expression " + e.Name}
}

func (l *loader) evalArgs(ms *modState, elts []*Expr) []Value {
	out := make([]Value, 0, len(elts))
	for _, a := range elts {
		if a.Kind == ExprStarred {
			v := l.force(l.eval(ms, a.X))
			if items, ok := l.iterate(v); ok {
				out = append(out, items...)
			} else {
				out = append(out, vSplice{v: v})
			}
			continue
		}
		out = append(out, l.eval(ms, a))
	}
	return out
}

func (l *loader) evalKw(ms *modState, kws []Keyword) map[string]Value {
	if len(kws) == 0 {
		return nil
	}
	m := make(map[string]Value, len(kws))
	for _, k := range kws {
		if k.Name != "" {
			m[k.Name] = l.eval(ms, k.Value)
			continue
		}
		// **mapping
		if d, ok := l.force(l.eval(ms, k.Value)).(*vDict); ok {
			for i, key := range d.keys {
				m[key] = d.vals[i]
			}
		}
	}
	return m
}

// fstring evaluates an f-string whose fields are known.
func (l *loader) fstring(ms *modState, e *Expr) Value {
	var b strings.Builder
	for _, p := range e.Elts {
		switch p.Kind {
		case ExprStr:
			b.WriteString(p.Name)
		case ExprFormatted:
			v := l.force(l.eval(ms, p.X))
			spec := ""
			if p.Y != nil {
				sv, ok := l.force(l.eval(ms, p.Y)).(vStr)
				if !ok {
					return vUnknown{why: "f-string format spec not known"}
				}
				spec = sv.s
			}
			var s string
			var ok bool
			switch p.Name {
			case "r", "a":
				s, ok = pyRepr(v)
			default:
				s, ok = formatValue(v, spec)
			}
			if !ok {
				return vUnknown{why: "f-string field " + unknownWhy(v)}
			}
			b.WriteString(s)
		default:
			return vUnknown{why: "f-string field"}
		}
		if b.Len() > maxStrLen {
			return l.limit(ms, e.Line, fmt.Sprintf("a string longer than %d characters", maxStrLen))
		}
	}
	return vStr{s: b.String()}
}

// subscript is x[key].
func (l *loader) subscript(ms *modState, x Value, key *Expr, line int) Value {
	if key.Kind == ExprSlice {
		var lo, hi *int64
		for i, part := range []*Expr{key.X, key.Y} {
			if part == nil {
				continue
			}
			n, ok := intOf(l.force(l.eval(ms, part)))
			if !ok {
				return vUnknown{why: "slice bound"}
			}
			if i == 0 {
				lo = &n
			} else {
				hi = &n
			}
		}
		switch v := x.(type) {
		case *vSeq:
			a, b := sliceBounds(len(v.items), lo, hi)
			return &vSeq{items: append([]Value(nil), v.items[a:b]...), tuple: v.tuple}
		case vStr:
			a, b := sliceBounds(len(v.s), lo, hi)
			return vStr{s: v.s[a:b]}
		}
		return vUnknown{why: "slice of " + describe(x)}
	}
	k := l.force(l.eval(ms, key))
	switch v := x.(type) {
	case *vDict:
		if ks, ok := k.(vStr); ok {
			if val, ok := v.get(ks.s); ok {
				return l.force(val)
			}
			return vUnknown{why: fmt.Sprintf("no key %q", ks.s)}
		}
	case *vSeq:
		if i, ok := intOf(k); ok {
			if i < 0 {
				i += int64(len(v.items))
			}
			if i >= 0 && i < int64(len(v.items)) {
				return l.force(v.items[i])
			}
			return vUnknown{why: "index out of range"}
		}
	case vStr:
		if i, ok := intOf(k); ok {
			if i < 0 {
				i += int64(len(v.s))
			}
			if i >= 0 && i < int64(len(v.s)) {
				return vStr{s: v.s[i : i+1]}
			}
		}
	case vGlobals:
		if ks, ok := k.(vStr); ok {
			if val, ok := v.ms.lookup(ks.s); ok {
				return l.force(val)
			}
		}
	case *vClass, vBuiltin:
		// A generic alias (ModelViewSet[Tag], list[str]) behaves as its origin.
		return v
	case vExt:
		if v.path == "os.environ" {
			if ks, ok := k.(vStr); ok {
				if val, known := l.envVar(ks.s); known && val != nil {
					return val
				}
				return vUnknown{why: "environment variable " + ks.s}
			}
			return vUnknown{why: "environment variable"}
		}
		return v
	case vUnknown:
		return v
	}
	return vUnknown{why: "subscript of " + describe(x)}
}

func sliceBounds(n int, lo, hi *int64) (int, int) {
	fix := func(p *int64, def int) int {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += int64(n)
		}
		return int(max(0, min(v, int64(n))))
	}
	a, b := fix(lo, 0), fix(hi, n)
	if b < a {
		b = a
	}
	return a, b
}

// compare evaluates a (chained) comparison of known values.
func (l *loader) compare(ms *modState, e *Expr) Value {
	left := l.force(l.eval(ms, e.X))
	for i, op := range e.Ops {
		right := l.force(l.eval(ms, e.Elts[i]))
		r, ok := compareValues(l, op, left, right)
		if !ok {
			return vUnknown{why: fmt.Sprintf("comparison %s %s %s", describe(left), op, describe(right))}
		}
		if !r {
			return vBool(false)
		}
		left = right
	}
	return vBool(true)
}

func compareValues(l *loader, op string, a, b Value) (bool, bool) {
	if e, ok := b.(vExt); ok && e.path == "os.environ" && (op == "in" || op == "not in") {
		name, ok := a.(vStr)
		if !ok {
			return false, false
		}
		v, known := l.envVar(name.s)
		if !known {
			return false, false
		}
		return (v != nil) == (op == "in"), true
	}
	switch op {
	case "in", "not in":
		r, ok := contains3(l, b, a)
		if !ok {
			return false, false
		}
		return r == (op == "in"), true
	case "is", "is not":
		ca, aok := a.(vConst)
		cb, bok := b.(vConst)
		if aok && bok && isSingleton(ca) && isSingleton(cb) {
			return (ca.s == cb.s) == (op == "is"), true
		}
		if (aok && isSingleton(ca) && known(b)) || (bok && isSingleton(cb) && known(a)) {
			// a known non-None value is not None
			return op == "is not", true
		}
		return false, false
	case "==", "!=":
		eq, ok := equal(a, b)
		if !ok {
			return false, false
		}
		return eq == (op == "=="), true
	case "<", "<=", ">", ">=":
		var c int
		if x, ok := a.(*vSeq); ok {
			y, ok := b.(*vSeq)
			if !ok {
				return false, false
			}
			var known bool
			c, known = cmpSeq(x, y)
			if !known {
				return false, false
			}
		} else if x, ok := intOf(a); ok {
			y, ok := intOf(b)
			if !ok {
				return false, false
			}
			c = cmpInt(x, y)
		} else if x, ok := a.(vStr); ok {
			y, ok := b.(vStr)
			if !ok {
				return false, false
			}
			c = strings.Compare(x.s, y.s)
		} else {
			return false, false
		}
		switch op {
		case "<":
			return c < 0, true
		case "<=":
			return c <= 0, true
		case ">":
			return c > 0, true
		}
		return c >= 0, true
	}
	return false, false
}

// cmpSeq compares tuples of integers or strings lexicographically.
func cmpSeq(x, y *vSeq) (int, bool) {
	for i := 0; i < len(x.items) && i < len(y.items); i++ {
		a, b := x.items[i], y.items[i]
		if ai, ok := intOf(a); ok {
			bi, ok := intOf(b)
			if !ok {
				return 0, false
			}
			if c := cmpInt(ai, bi); c != 0 {
				return c, true
			}
			continue
		}
		as, ok1 := a.(vStr)
		bs, ok2 := b.(vStr)
		if !ok1 || !ok2 {
			return 0, false
		}
		if c := strings.Compare(as.s, bs.s); c != 0 {
			return c, true
		}
	}
	return cmpInt(int64(len(x.items)), int64(len(y.items))), true
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func isSingleton(c vConst) bool { return c.s == "None" || c.s == "True" || c.s == "False" }

// known reports whether v is a value discovery knows (not unknown, not an
// outside name whose value it cannot see).
func known(v Value) bool {
	switch v.(type) {
	case vStr, *vSeq, *vDict, vConst, *vClass, *vFunc, *vModule, *vObject:
		return true
	}
	return false
}

// equal compares two known scalars or sequences of them.
func equal(a, b Value) (bool, bool) {
	switch x := a.(type) {
	case vStr:
		switch y := b.(type) {
		case vStr:
			return x.s == y.s, true
		case vConst, *vSeq, *vDict:
			return false, true
		}
	case vConst:
		switch y := b.(type) {
		case vConst:
			if xi, ok := intOf(x); ok {
				if yi, ok := intOf(y); ok {
					return xi == yi, true
				}
			}
			return x.s == y.s, true
		case vStr, *vSeq, *vDict:
			return false, true
		}
	case *vSeq:
		y, ok := b.(*vSeq)
		if !ok {
			return false, known(b) // a list never equals a non-list
		}
		if len(x.items) != len(y.items) {
			return false, true
		}
		for i := range x.items {
			eq, ok := equal(x.items[i], y.items[i])
			if !ok {
				return false, false
			}
			if !eq {
				return false, true
			}
		}
		return true, true
	}
	return false, false
}

// contains3 is "item in container": true/false and whether it is known.
func contains3(l *loader, container, item Value) (bool, bool) {
	switch c := container.(type) {
	case *vSeq:
		allKnown := true
		for _, it := range flatten(l, c) {
			eq, ok := equal(it, item)
			if ok && eq {
				return true, true
			}
			if !ok {
				allKnown = false
			}
		}
		return false, allKnown
	case *vDict:
		if s, ok := item.(vStr); ok {
			_, has := c.get(s.s)
			return has, true
		}
	case vStr:
		if s, ok := item.(vStr); ok {
			return strings.Contains(c.s, s.s), true
		}
	}
	return false, false
}

// truth is Python truthiness for static values: 1 true, 0 false, -1 unknown.
func truth(v Value) int {
	switch x := v.(type) {
	case vConst:
		switch x.s {
		case "True":
			return 1
		case "False", "None":
			return 0
		}
		if n, ok := intOf(x); ok {
			if n == 0 {
				return 0
			}
			return 1
		}
		if f, err := strconv.ParseFloat(x.s, 64); err == nil && f == 0 {
			return 0
		}
		return 1
	case vStr:
		if x.s == "" {
			return 0
		}
		return 1
	case *vSeq:
		if len(x.items) == 0 {
			return 0
		}
		return 1
	case *vDict:
		if len(x.keys) == 0 {
			return 0
		}
		return 1
	case *vClass, *vFunc, *vModule, vBuiltin, *vObject:
		return 1
	}
	return -1
}

// iterate lists the items of a known iterable: a list or tuple (splices
// of known lists expanded), a dict's keys, a string's characters.
func (l *loader) iterate(v Value) ([]Value, bool) {
	switch x := l.force(v).(type) {
	case *vSeq:
		out := make([]Value, 0, len(x.items))
		for _, it := range x.items {
			if sp, ok := it.(vSplice); ok {
				inner, ok := l.iterate(sp.v)
				if !ok {
					return nil, false
				}
				out = append(out, inner...)
				continue
			}
			out = append(out, it)
		}
		return out, true
	case *vDict:
		out := make([]Value, 0, len(x.keys))
		seen := map[string]bool{}
		for _, k := range x.keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, vStr{s: k})
			}
		}
		return out, true
	case vStr:
		out := make([]Value, 0, len(x.s))
		for _, r := range x.s {
			out = append(out, vStr{s: string(r)})
		}
		return out, true
	}
	return nil, false
}

// comprehension evaluates [X for T in I if C ...] over known iterables.
func (l *loader) comprehension(ms *modState, e *Expr) Value {
	scope := newScope(ms, false)
	var items []Value
	d := &vDict{}
	var why string
	var run func(i int) bool
	run = func(i int) bool {
		if i == len(e.Comps) {
			if e.Name == "dict" {
				k, ok := l.force(l.eval(scope, e.X)).(vStr)
				if !ok {
					why = "dict comprehension key not known"
					return false
				}
				d.keys = append(d.keys, k.s)
				d.vals = append(d.vals, l.eval(scope, e.Y))
			} else {
				items = append(items, l.eval(scope, e.X))
			}
			if len(items) > maxSeqLen || len(d.keys) > maxSeqLen {
				why = "limit"
				return false
			}
			return true
		}
		c := e.Comps[i]
		src, ok := l.iterate(l.eval(scope, c.Iter))
		if !ok {
			why = "comprehension over an unknown value"
			return false
		}
	items:
		for _, it := range src {
			if !l.step(scope, e.Line) {
				why = "evaluation limit"
				return false
			}
			l.assign(scope, c.Target, it, e.Line)
			for _, cond := range c.Ifs {
				switch truth(l.force(l.eval(scope, cond))) {
				case 0:
					continue items
				case -1:
					// Unknown filter: keep the item (the union of both outcomes).
				}
			}
			if !run(i + 1) {
				return false
			}
		}
		return true
	}
	if !run(0) {
		if why == "limit" {
			return l.limit(ms, e.Line, fmt.Sprintf("a comprehension of more than %d items", maxSeqLen))
		}
		return vUnknown{why: why}
	}
	if e.Name == "dict" {
		return d
	}
	return &vSeq{items: items}
}

// extend appends the items of v to seq in place (list.extend, +=).
func (l *loader) extend(seq *vSeq, v Value, line int, ms *modState) {
	l.mutated()
	if items, ok := l.iterate(v); ok {
		if len(seq.items)+len(items) > maxSeqLen {
			l.limit(ms, line, fmt.Sprintf("a list of more than %d items", maxSeqLen))
			return
		}
		seq.items = append(seq.items, items...)
		return
	}
	seq.items = append(seq.items, vSplice{v: v})
}

// binop is Python's binary operators for the values discovery follows.
func (l *loader) binop(ms *modState, op string, a, b Value, line int) Value {
	a, b = l.force(a), l.force(b)
	switch op {
	case "+":
		return l.add(ms, a, b, line)
	case "%":
		if f, ok := a.(vStr); ok {
			return l.percent(ms, f.s, b, line)
		}
	case "*":
		switch a.(type) {
		case vStr, *vSeq:
			if n, ok := intOf(b); ok {
				return l.repeat(ms, a, n, line)
			}
		}
		switch b.(type) {
		case vStr, *vSeq:
			if n, ok := intOf(a); ok {
				return l.repeat(ms, b, n, line)
			}
		}
	case "|":
		if x, ok := a.(*vDict); ok {
			if y, ok := b.(*vDict); ok {
				return &vDict{keys: append(append([]string(nil), x.keys...), y.keys...), vals: append(append([]Value(nil), x.vals...), y.vals...)}
			}
		}
	}
	x, xok := intOf(a)
	y, yok := intOf(b)
	if xok && yok {
		switch op {
		case "-":
			return vInt(x - y)
		case "*":
			return vInt(x * y)
		case "//":
			if y != 0 {
				return vInt(x / y)
			}
		case "%":
			if y != 0 {
				return vInt(x % y)
			}
		}
	}
	return vUnknown{why: "operator " + op}
}

// add is Python's + for strings, lists and the pattern values discovery
// splices into lists.
func (l *loader) add(ms *modState, a, b Value, line int) Value {
	sa, aok := a.(*vSeq)
	sb, bok := b.(*vSeq)
	switch {
	case aok && bok:
		if len(sa.items)+len(sb.items) > maxSeqLen {
			return l.limit(ms, line, fmt.Sprintf("a list of more than %d items", maxSeqLen))
		}
		items := make([]Value, 0, len(sa.items)+len(sb.items))
		return &vSeq{items: append(append(items, sa.items...), sb.items...), tuple: sa.tuple}
	case aok:
		return &vSeq{items: append(append([]Value(nil), sa.items...), vSplice{v: b}), tuple: sa.tuple}
	case bok:
		return &vSeq{items: append([]Value{vSplice{v: a}}, sb.items...), tuple: sb.tuple}
	}
	if x, ok := a.(vStr); ok {
		if y, ok := b.(vStr); ok {
			if len(x.s)+len(y.s) > maxStrLen {
				return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen))
			}
			return vStr{s: x.s + y.s}
		}
	}
	if x, ok := intOf(a); ok {
		if y, ok := intOf(b); ok {
			return vInt(x + y)
		}
	}
	switch a.(type) {
	case *vCall, *vAttr:
		// router.urls + ..., static(...) + ...: keep both as a list.
		return &vSeq{items: []Value{vSplice{v: a}, vSplice{v: b}}}
	}
	return vUnknown{why: "unsupported +"}
}

// repeat is s * n for strings and lists, within the limits.
func (l *loader) repeat(ms *modState, v Value, n int64, line int) Value {
	if n < 0 {
		n = 0
	}
	switch x := v.(type) {
	case vStr:
		if int64(len(x.s))*n > maxStrLen {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen))
		}
		return vStr{s: strings.Repeat(x.s, int(n))}
	case *vSeq:
		if int64(len(x.items))*n > maxSeqLen {
			return l.limit(ms, line, fmt.Sprintf("a list of more than %d items", maxSeqLen))
		}
		out := &vSeq{tuple: x.tuple}
		for i := int64(0); i < n; i++ {
			out.items = append(out.items, x.items...)
		}
		return out
	}
	return vUnknown{why: "operator *"}
}

// settingValue reads a setting for discovery itself (ROOT_URLCONF, ...).
func (l *loader) settingValue(settings *modState, name string) Value {
	l.settingsRead[name] = true
	return l.force(settings.env[name])
}

// reportUnions warns about the unknown conditions that matter: those in
// the URL confs walked, and those in the settings (the module and what it
// star-imports) deciding a setting discovery read.
func (l *loader) reportUnions(walked map[*modState]bool) {
	chain := map[*modState]bool{}
	if l.settings != nil {
		var add func(ms *modState)
		add = func(ms *modState) {
			if chain[ms] {
				return
			}
			chain[ms] = true
			for _, s := range l.starImports[ms] {
				add(s)
			}
		}
		add(l.settings)
	}
	for _, u := range l.unions {
		relevant := walked[u.ms]
		if !relevant && chain[u.ms] {
			for _, n := range u.names {
				if l.settingsRead[n] {
					relevant = true
					break
				}
			}
		}
		if relevant {
			l.warnOnce(u.ms.rel, u.line, "%s", u.msg)
		}
	}
}
