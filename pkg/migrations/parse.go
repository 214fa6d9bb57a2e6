package migrations

import (
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// fromModule reads the Migration class of a parsed migration file; ok is
// false when the file defines none.
func fromModule(mod *django.Module, rel string, key Key, diags *diag.List) (Migration, bool) {
	cls := migrationClass(mod.Stmts)
	if cls == nil {
		return Migration{}, false
	}
	m := Migration{Key: key, File: rel, Line: cls.Line, Dependencies: []Key{}, Operations: []Operation{}}
	for _, s := range cls.Body {
		if s.Kind != django.StmtAssign && s.Kind != django.StmtAugAssign {
			continue
		}
		for _, t := range s.Targets {
			if t.Kind != django.ExprName {
				continue
			}
			aug := s.Kind == django.StmtAugAssign
			switch t.Name {
			case "dependencies":
				m.Dependencies = keyList(m.Dependencies, s.Value, aug, rel, "dependencies", diags)
			case "replaces":
				m.Replaces = keyList(m.Replaces, s.Value, aug, rel, "replaces", diags)
			case "run_before":
				m.RunBefore = keyList(m.RunBefore, s.Value, aug, rel, "run_before", diags)
			case "initial":
				m.Initial = s.Value != nil && s.Value.Kind == django.ExprBool && s.Value.Name == "True"
			case "operations":
				ops, ok := operationList(s.Value)
				if !ok {
					m.Dynamic = true
					diags.Warnf(rel, s.Line, 0, "operations of migration %s are not a literal list: they cannot be reviewed", key)
				}
				if !aug {
					m.Operations = m.Operations[:0]
				}
				m.Operations = append(m.Operations, ops...)
			}
		}
	}
	return m, true
}

// migrationClass finds the top-level class Migration, also inside if/try
// blocks; the last definition wins, as in Python.
func migrationClass(stmts []*django.Stmt) *django.ClassDef {
	var found *django.ClassDef
	for _, s := range stmts {
		switch s.Kind {
		case django.StmtClass:
			if s.Class.Name == "Migration" {
				found = s.Class
			}
		case django.StmtBlock:
			if c := migrationClass(s.Body); c != nil {
				found = c
			}
		case django.StmtIf:
			for _, b := range s.Branches {
				if c := migrationClass(b.Body); c != nil {
					found = c
				}
			}
		}
	}
	return found
}

// keyList reads a list of (app, name) pairs; swappable_dependency(settings.X)
// becomes {__setting__, X}.
func keyList(prev []Key, v *django.Expr, aug bool, rel, what string, diags *diag.List) []Key {
	out := prev
	if !aug {
		out = []Key{}
	}
	if v == nil || (v.Kind != django.ExprList && v.Kind != django.ExprTuple) {
		line := 0
		if v != nil {
			line = v.Line
		}
		diags.Warnf(rel, line, 0, "%s is not a literal list: not read", what)
		return out
	}
	for _, e := range v.Elts {
		if k, ok := keyOf(e); ok {
			out = append(out, k)
			continue
		}
		diags.Warnf(rel, e.Line, 0, "%s entry is not an (app_label, migration_name) pair of strings: not read", what)
	}
	return out
}

func keyOf(e *django.Expr) (Key, bool) {
	switch e.Kind {
	case django.ExprTuple, django.ExprList:
		if len(e.Elts) == 2 && e.Elts[0].Kind == django.ExprStr && e.Elts[1].Kind == django.ExprStr {
			return Key{App: e.Elts[0].Name, Name: e.Elts[1].Name}, true
		}
	case django.ExprCall:
		if lastName(e.X) == "swappable_dependency" && len(e.Elts) == 1 {
			arg := e.Elts[0]
			if arg.Kind == django.ExprAttr {
				return Key{App: "__setting__", Name: arg.Name}, true
			}
			if arg.Kind == django.ExprStr { // swappable_dependency("app.Model")
				app, _, _ := strings.Cut(arg.Name, ".")
				return Key{App: app, Name: "__first__"}, true
			}
		}
	}
	return Key{}, false
}

// lastName is the last component of a Name/Attr chain ("AddField" for
// migrations.AddField), "" for anything else.
func lastName(e *django.Expr) string {
	if e == nil {
		return ""
	}
	switch e.Kind {
	case django.ExprName, django.ExprAttr:
		return e.Name
	}
	return ""
}

// operationList reads a literal list of operation calls; ok is false when
// the value is not one (a comprehension, a concatenation, a name).
func operationList(v *django.Expr) ([]Operation, bool) {
	if v == nil || (v.Kind != django.ExprList && v.Kind != django.ExprTuple) {
		if v != nil && v.Kind == django.ExprBinOp && v.Name == "+" {
			a, okA := operationList(v.X)
			b, okB := operationList(v.Y)
			return append(a, b...), okA && okB
		}
		return nil, false
	}
	ok := true
	out := make([]Operation, 0, len(v.Elts))
	for _, e := range v.Elts {
		if e.Kind != django.ExprCall || lastName(e.X) == "" {
			ok = false
			out = append(out, Operation{Name: "?", Line: e.Line})
			continue
		}
		out = append(out, operation(e))
	}
	return out, ok
}

// operation reads one operation call. Argument positions follow Django's
// signatures (AddField(model_name, name, field, preserve_default), ...).
func operation(call *django.Expr) Operation {
	op := Operation{Name: lastName(call.X), Line: call.Line, call: call}
	switch op.Name {
	case "CreateModel", "DeleteModel", "AlterModelTable", "AlterUniqueTogether", "AlterIndexTogether",
		"AlterModelOptions", "AlterModelManagers", "AlterOrderWithRespectTo":
		op.Model = str(arg(call, 0, "name"))
	case "RenameModel":
		op.Model = str(arg(call, 0, "old_name"))
		op.Field = str(arg(call, 1, "new_name")) // the new model name
	case "AddField", "RemoveField", "AlterField":
		op.Model = str(arg(call, 0, "model_name"))
		op.Field = str(arg(call, 1, "name"))
	case "RenameField":
		op.Model = str(arg(call, 0, "model_name"))
		op.Field = str(arg(call, 1, "old_name"))
	case "AddIndex", "RemoveIndex", "AddConstraint", "RemoveConstraint", "RenameIndex":
		op.Model = str(arg(call, 0, "model_name"))
	case "SeparateDatabaseAndState":
		op.Inner, _ = operationList(arg(call, 0, "database_operations"))
		op.state, _ = operationList(arg(call, 1, "state_operations"))
	}
	return op
}

// arg returns the argument at position pos or keyword name, nil if absent.
func arg(call *django.Expr, pos int, name string) *django.Expr {
	if v := call.Kw(name); v != nil {
		return v
	}
	n := 0
	for _, e := range call.Elts {
		if e.Kind == django.ExprStarred {
			return nil // positions unknown after *args
		}
		if n == pos {
			return e
		}
		n++
	}
	return nil
}

func str(e *django.Expr) string {
	if e != nil && e.Kind == django.ExprStr {
		return e.Name
	}
	return ""
}
