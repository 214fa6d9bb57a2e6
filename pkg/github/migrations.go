package github

import (
	"fmt"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Migrations is what the comment shows of the project's migrations: the
// ones this change adds compared with what the environment last deployed
// (pkg/migrations.Summary, converted by the caller) and when they run.
type Migrations struct {
	// New lists "app.name" in the order they apply.
	New []string
	// Risky operations of the new migrations.
	Risky []MigrationRisk
	// Removed lists migrations the environment last deployed that the
	// project no longer has.
	Removed []string
	// Known is false when no previous deployment was known: every
	// migration of the project is then listed as new.
	Known bool
	// When is the config's migrations: "auto", "before" or "off".
	When string
}

// MigrationRisk is one risky operation.
type MigrationRisk struct {
	Migration, Operation, File, Reason string
	Line                               int
}

// commentMigrationNames bounds the non-risky new migrations named in the
// PR comment; the job summary names them all. Risky ones are always named.
const commentMigrationNames = 30

// writeMigrations writes the migrations section, beside the removals and
// replacements: every risky operation flagged with its file and line, the
// other new migrations by name, when they run, and what went missing.
func writeMigrations(b *strings.Builder, m *Migrations, l limits) {
	if m == nil || (len(m.New) == 0 && len(m.Removed) == 0) {
		return
	}
	head := "#### "
	if len(m.Risky) > 0 || len(m.Removed) > 0 {
		head += "⚠️ "
	}
	head += "Migrations: " + human.Count(len(m.New), "new migration")
	if len(m.Risky) > 0 {
		head += ", " + human.Count(len(m.Risky), "risky operation")
	}
	b.WriteString(head + "\n\n")
	for _, r := range m.Risky {
		fmt.Fprintf(b, "- ⚠️ **%s** in %s (%s:%d): %s\n", Escape(r.Operation), Escape(r.Migration), Escape(r.File), r.Line, Escape(r.Reason))
	}
	if len(m.Risky) > 0 {
		b.WriteString("\n")
	}
	if len(m.New) > 0 {
		names := m.New
		limit := l.migrationNames
		if limit >= 0 && len(names) > limit {
			names = names[:limit]
		}
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = Escape(n)
		}
		line := "New: " + strings.Join(quoted, ", ")
		if len(names) < len(m.New) {
			line += fmt.Sprintf(" and %d more (the job summary lists them all)", len(m.New)-len(names))
		}
		b.WriteString(line + ".\n\n")
	}
	if len(m.Removed) > 0 {
		quoted := make([]string, len(m.Removed))
		for i, n := range m.Removed {
			quoted[i] = Escape(n)
		}
		fmt.Fprintf(b, "⚠️ The environment last deployed %s the project no longer has: %s. The database stays migrated past them; check that this is meant.\n\n",
			human.Count(len(m.Removed), "migration"), strings.Join(quoted, ", "))
	}
	var notes []string
	if !m.Known {
		notes = append(notes, "No previous deployment of this environment is known: every migration of the project is listed")
	}
	switch m.When {
	case "auto", "":
		notes = append(notes, "they run after the stack update, while the new code already serves (`migrations: auto`)")
	case "before":
		notes = append(notes, "they run with the new version before the aliases move to it, while the old code still serves (`migrations: before`)")
	case "off":
		notes = append(notes, "they do not run in deploys (`migrations: off`): run them with `django-serverless manage`")
	}
	if len(notes) > 0 {
		s := strings.Join(notes, "; ")
		b.WriteString("_" + strings.ToUpper(s[:1]) + s[1:] + "._\n\n")
	}
}
