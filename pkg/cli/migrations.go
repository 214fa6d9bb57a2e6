package cli

import (
	"github.com/django-serverless/django-serverless-action/pkg/action"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
)

// commentMigrations is the comment's migrations section of a run.
func commentMigrations(sum *action.Summary) *gh.Migrations {
	if sum == nil || sum.Migrations == nil {
		return nil
	}
	m := sum.Migrations
	out := &gh.Migrations{New: m.New, Removed: m.Removed, Known: m.Known}
	for _, r := range m.Risky {
		out.Risky = append(out.Risky, gh.MigrationRisk{Migration: r.Migration, Operation: r.Operation, File: r.File, Line: r.Line, Reason: r.Reason})
	}
	if b := sum.Build; b != nil && b.Config != nil {
		out.When = b.Config.MigrationsMode()
	}
	return out
}
