package migrations

import (
	"fmt"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// Risky operations, and why (docs/migrations.md says the same to users).
// Migrations run while a version of the code serves: after the stack update
// (migrations: auto) the new code runs before its schema exists; before the
// aliases move (migrations: before) the old code runs on the new schema.
// An operation is risky when one of those windows, or the data already in
// the table, makes it lose data or fail:
//
//   - RemoveField, DeleteModel: drop a column or a table with its data; the
//     previous version still reads and writes it until it stops serving.
//   - RenameField, RenameModel, AlterModelTable: the version that is not the
//     one the migration was written for uses the other name.
//   - AlterField that makes a nullable field NOT NULL without a default:
//     fails on the rows that hold NULL, and inserts that leave it out fail.
//   - AddField of a NOT NULL column with no default (hand-written; Django's
//     makemigrations always asks for one): fails on a table that has rows.
//   - RunSQL: raw SQL Django does not check (and cannot undo without
//     reverse_sql).
//   - RunPython without reverse_code: the migration cannot be unapplied, so
//     a rollback to the previous version cannot undo it.
//   - an operations list that is not a literal: it cannot be reviewed.
//
// SeparateDatabaseAndState is judged by its database_operations.

// fieldInfo is what the risk rules need to know of a model field.
type fieldInfo struct {
	nullable   bool
	hasDefault bool
	noColumn   bool // ManyToManyField: a join table, no column
}

func fieldOf(e *django.Expr) (fieldInfo, bool) {
	if e == nil || e.Kind != django.ExprCall {
		return fieldInfo{}, false
	}
	var f fieldInfo
	if v := e.Kw("null"); v != nil && v.Kind == django.ExprBool && v.Name == "True" {
		f.nullable = true
	}
	if e.Kw("default") != nil || e.Kw("db_default") != nil {
		f.hasDefault = true
		if v := e.Kw("default"); v != nil && lastName(v) == "NOT_PROVIDED" && e.Kw("db_default") == nil {
			f.hasDefault = false
		}
	}
	switch lastName(e.X) {
	case "ManyToManyField", "GeneratedField":
		f.noColumn = true
	}
	for _, k := range e.Keywords {
		if k.Name == "" { // **kwargs: unknown, assume the safe reading
			f.nullable = true
		}
	}
	return f, true
}

// state is the models of every app as the migrations so far left them:
// app -> model (lower case) -> field (lower case) -> info.
type state map[string]map[string]map[string]fieldInfo

func (s state) model(app, model string) map[string]fieldInfo {
	model = strings.ToLower(model)
	if s[app] == nil {
		s[app] = map[string]map[string]fieldInfo{}
	}
	if s[app][model] == nil {
		s[app][model] = map[string]fieldInfo{}
	}
	return s[app][model]
}

// assess walks the migrations in graph order, tracking the fields each
// creates, and sets Operation.Risk.
func assess(ordered []Migration) {
	st := state{}
	for i := range ordered {
		m := &ordered[i]
		for j := range m.Operations {
			op := &m.Operations[j]
			judge(st, m.App, op)
			apply(st, m.App, op)
		}
	}
}

func judge(st state, app string, op *Operation) {
	model, field := op.Model, op.Field
	switch op.Name {
	case "?":
		op.Risk = "not a literal operation: it cannot be reviewed"
	case "RemoveField":
		op.Risk = fmt.Sprintf("drops %s.%s and its data; the previous version still uses it until it stops serving", model, field)
	case "DeleteModel":
		op.Risk = fmt.Sprintf("drops model %s (its table) and its data; the previous version still uses it until it stops serving", model)
	case "RenameField":
		op.Risk = fmt.Sprintf("renames %s.%s to %s; the previous and the new version each use one name while both serve", model, field, str(arg(op.call, 2, "new_name")))
	case "RenameModel":
		op.Risk = fmt.Sprintf("renames model %s to %s (its table); the previous and the new version each use one name while both serve", model, field)
	case "AlterModelTable":
		op.Risk = fmt.Sprintf("moves model %s to table %s; the previous and the new version each use one table while both serve", model, str(arg(op.call, 1, "table")))
	case "AlterField":
		f, ok := fieldOf(arg(op.call, 2, "field"))
		prev, known := st.model(app, model)[strings.ToLower(field)]
		if ok && known && prev.nullable && !f.nullable && !f.hasDefault && !f.noColumn && !prev.noColumn {
			op.Risk = fmt.Sprintf("makes %s.%s NOT NULL without a default: fails on rows that hold NULL, and inserts that leave the field out fail", model, field)
		}
	case "AddField":
		f, ok := fieldOf(arg(op.call, 2, "field"))
		if ok && !f.nullable && !f.hasDefault && !f.noColumn {
			op.Risk = fmt.Sprintf("adds NOT NULL column %s.%s without a default: fails on a table that has rows", model, field)
		}
	case "RunSQL":
		op.Risk = "raw SQL that Django does not check"
		if isNone(arg(op.call, 1, "reverse_sql")) {
			op.Risk += "; no reverse_sql: it cannot be unapplied"
		}
	case "RunPython":
		if isNone(arg(op.call, 1, "reverse_code")) {
			op.Risk = "no reverse_code: it cannot be unapplied, so rolling back to the previous version cannot undo it"
		}
	case "SeparateDatabaseAndState":
		var inner []string
		for k := range op.Inner {
			in := &op.Inner[k]
			judge(st, app, in)
			if in.Risk != "" {
				inner = append(inner, in.Name+": "+in.Risk)
			}
		}
		if len(inner) > 0 {
			op.Risk = "database operations: " + strings.Join(inner, "; ")
		}
	}
}

func isNone(e *django.Expr) bool { return e == nil || e.Kind == django.ExprNone }

// apply updates the state with what op does to the models.
func apply(st state, app string, op *Operation) {
	switch op.Name {
	case "SeparateDatabaseAndState":
		for k := range op.state {
			apply(st, app, &op.state[k])
		}
		return
	case "RunSQL":
		ops, _ := operationList(arg(op.call, 2, "state_operations"))
		for k := range ops {
			apply(st, app, &ops[k])
		}
		return
	}
	model := strings.ToLower(op.Model)
	field := strings.ToLower(op.Field)
	switch op.Name {
	case "CreateModel":
		fields := st.model(app, model)
		if list := arg(op.call, 1, "fields"); list != nil && (list.Kind == django.ExprList || list.Kind == django.ExprTuple) {
			for _, e := range list.Elts {
				if e.Kind != django.ExprTuple || len(e.Elts) != 2 || e.Elts[0].Kind != django.ExprStr {
					continue
				}
				if f, ok := fieldOf(e.Elts[1]); ok {
					fields[strings.ToLower(e.Elts[0].Name)] = f
				}
			}
		}
	case "DeleteModel":
		delete(st[app], model)
	case "RenameModel":
		if st[app] != nil {
			fields := st[app][model]
			delete(st[app], model)
			st[app][strings.ToLower(op.Field)] = fields
		}
	case "AddField", "AlterField":
		if f, ok := fieldOf(arg(op.call, 2, "field")); ok {
			st.model(app, model)[field] = f
		} else {
			delete(st.model(app, model), field)
		}
	case "RemoveField":
		delete(st.model(app, model), field)
	case "RenameField":
		fields := st.model(app, model)
		if f, ok := fields[field]; ok {
			delete(fields, field)
			fields[strings.ToLower(str(arg(op.call, 2, "new_name")))] = f
		}
	}
}
