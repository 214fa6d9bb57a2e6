package github

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/golden"
)

// migrationsPlan is a plan of a change that brings three migrations, one
// of them with a risky operation, beside a code change.
func migrationsPlan() CommentData {
	d := codeOnly()
	d.Mode = ModePlan
	d.Status, d.Duration = "", 0
	d.Migrations = &Migrations{
		New: []string{"entries.0002_entry_email", "entries.0003_entry_rating", "entries.0004_remove_entry_legacy_note"},
		Risky: []MigrationRisk{{
			Migration: "entries.0004_remove_entry_legacy_note", Operation: "RemoveField", Line: 13,
			File:   "entries/migrations/0004_remove_entry_legacy_note.py",
			Reason: "drops entry.legacy_note and its data; the previous version still uses it until it stops serving",
		}},
		Known: true,
		When:  "auto",
	}
	return d
}

func TestCommentMigrationsGolden(t *testing.T) {
	d := migrationsPlan()
	got := Comment(d)
	golden.AssertString(t, got, filepath.Join("testdata", "migrations-plan.md"))
	golden.AssertString(t, Summary(d), filepath.Join("testdata", "migrations-plan.summary.md"))
	assertWellFormed(t, got)
	// The risky operation is in plain sight, next to the removals.
	before := beforeDetails(got)
	for _, want := range []string{"⚠️ **RemoveField** in entries.0004\\_remove\\_entry\\_legacy\\_note (entries/migrations/0004\\_remove\\_entry\\_legacy\\_note.py:13)", "3 new migrations, 1 risky operation"} {
		if !strings.Contains(before, want) {
			t.Errorf("outside <details> the comment lacks %q:\n%s", want, before)
		}
	}
	if strings.Index(got, "Migrations:") < strings.Index(got, "Routine") {
		t.Errorf("migrations come after the removals and the routine churn, before the tables")
	}
}

func TestCommentMigrations(t *testing.T) {
	d := migrationsPlan()
	d.Migrations.Risky = nil
	d.Migrations.New = nil
	for i := 1; i <= 45; i++ {
		d.Migrations.New = append(d.Migrations.New, fmt.Sprintf("shop.%04d_step", i))
	}
	d.Migrations.Known = false
	d.Migrations.When = "before"
	d.Migrations.Removed = []string{"shop.0099_gone"}
	got := Comment(d)
	if !strings.Contains(got, "and 15 more (the job summary lists them all)") || strings.Contains(got, "shop.0031\\_step") {
		t.Errorf("comment names more than %d migrations:\n%s", commentMigrationNames, got)
	}
	if sum := Summary(d); !strings.Contains(sum, "shop.0045\\_step") {
		t.Errorf("job summary does not name every migration")
	}
	for _, want := range []string{
		"#### ⚠️ Migrations: 45 new migrations",
		"No previous deployment of this environment is known",
		"before the aliases move to it",
		"last deployed 1 migration the project no longer has: shop.0099\\_gone",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("comment lacks %q:\n%s", want, got)
		}
	}
	// Text from the project is inert.
	d = migrationsPlan()
	d.Migrations.Risky[0].Reason = "drops <script>alert(1)</script> | @admin"
	got = Comment(d)
	if strings.Contains(got, "<script>") || strings.Contains(got, " | @admin") {
		t.Errorf("reason not escaped:\n%s", got)
	}
	// Nothing new: no section.
	d.Migrations = &Migrations{Known: true}
	if strings.Contains(Comment(d), "Migrations") {
		t.Error("a section for no migrations")
	}
}
