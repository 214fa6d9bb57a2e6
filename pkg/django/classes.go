package django

import "strings"

// mro returns the class followed by its bases, depth first left to right
// without repeats (close to C3 for the usual mixin hierarchies). Bases
// outside the project appear as vExt with their canonical path.
func (l *loader) mro(cls *vClass) []Value {
	var out []Value
	seen := map[any]bool{}
	var walk func(v Value, depth int)
	walk = func(v Value, depth int) {
		if depth > maxEvalDepth {
			return
		}
		switch c := v.(type) {
		case *vClass:
			if seen[c.def] {
				return
			}
			seen[c.def] = true
			out = append(out, c)
			for _, b := range c.def.Bases {
				bv := l.force(l.eval(c.ms, b))
				if u, ok := bv.(vUnknown); ok {
					l.warnOnce(c.ms.rel, c.def.Line, "class %s: base %s not resolved (%s); what it defines (methods, actions) is not known",
						c.def.Name, exprText(b), u.why)
				}
				walk(bv, depth+1)
			}
		case vExt:
			p := canonical(c.path)
			if seen[p] {
				return
			}
			seen[p] = true
			out = append(out, vExt{path: p})
		}
	}
	walk(cls, 0)
	return out
}

// subclassOf reports whether cls has one of the framework classes among
// its bases (by canonical or public path).
func (l *loader) subclassOf(cls *vClass, paths ...string) bool {
	for _, b := range l.mro(cls) {
		if e, ok := b.(vExt); ok {
			for _, p := range paths {
				if e.path == p || e.path == canonical(p) {
					return true
				}
			}
		}
	}
	return false
}

// classAttr looks a class-level name up through the project part of the
// MRO; nil when not found.
func (l *loader) classAttr(cls *vClass, name string) Value {
	for _, b := range l.mro(cls) {
		c, ok := b.(*vClass)
		if !ok {
			continue
		}
		if v, ok := l.ownAttr(c, name); ok {
			return v
		}
	}
	return nil
}

// ownAttr is name in the class body itself (the last binding wins).
func (l *loader) ownAttr(c *vClass, name string) (Value, bool) {
	v, ok := l.classScope(c).env[name]
	if !ok {
		return nil, false
	}
	return l.force(v), true
}

// exprText renders a name or attribute chain (and generic subscripts)
// for messages.
func exprText(e *Expr) string {
	if d := e.Dotted(); d != "" {
		return d
	}
	if e.Kind == ExprSubscript {
		return exprText(e.X) + "[...]"
	}
	if e.Kind == ExprCall {
		return exprText(e.X) + "(...)"
	}
	return "expression"
}

// ownMethods lists the functions defined in a class body, in order.
func ownMethods(c *vClass) []*FuncDef {
	var out []*FuncDef
	for _, s := range c.def.Body {
		if s.Kind == StmtFunc {
			out = append(out, s.Func)
		}
	}
	return out
}

// hasMethod reports whether name is defined by the class or a base: in a
// project body or by a framework class listed in table.
func (l *loader) hasMethod(cls *vClass, name string, table map[string][]string) bool {
	for _, b := range l.mro(cls) {
		switch c := b.(type) {
		case *vClass:
			if _, ok := l.ownAttr(c, name); ok {
				return true
			}
		case vExt:
			for _, m := range table[c.path] {
				if m == name {
					return true
				}
			}
		}
	}
	return false
}

// qualPath is module.name of a project definition.
func qualPath(ms *modState, name string) string { return ms.name + "." + name }

// strList reads a list/tuple of string literals, lower- or upper-casing
// nothing; ok is false when an item is not a string.
func (l *loader) strList(v Value) ([]string, bool) {
	seq, ok := l.force(v).(*vSeq)
	if !ok {
		return nil, false
	}
	var out []string
	for _, it := range flatten(l, seq) {
		s, ok := it.(vStr)
		if !ok {
			return nil, false
		}
		out = append(out, s.s)
	}
	return out, true
}

func upperAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToUpper(s)
	}
	return out
}
