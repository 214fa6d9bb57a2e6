package action

import (
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/migrations"
)

// readMigrations reads the project's migrations. A migration Django would
// refuse to load (no Migration class, a dependency on a migration that
// does not exist, a cycle) stops plan and deploy while migrations run in
// deploys, since `migrate` would fail after the stack update; with
// migrations: off it is a warning.
func (b *Build) readMigrations() error {
	set, err := migrations.Read(b.Project, nil)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	b.Migrations = set
	errs := set.Diagnostics.Errors()
	b.Diagnostics = append(b.Diagnostics, set.Diagnostics.Warnings()...)
	if len(errs) == 0 {
		return nil
	}
	if b.Config.MigrationsMode() == config.MigrationsOff {
		for _, d := range errs {
			d.Severity = diag.Warning
			b.Diagnostics = append(b.Diagnostics, d)
		}
		return nil
	}
	return userError(fmt.Errorf("migrations Django cannot load (migrations: %s runs them in the deploy; fix them or set migrations: off):\n%w", b.Config.MigrationsMode(), errs.Err()))
}

// MigrationSummary compares the project's migrations with the list the
// environment's previous deployment recorded (nil: none known, so every
// migration is new).
func (b *Build) MigrationSummary(previous []string) *migrations.Summary {
	sum := b.Migrations.Compare(previous)
	return &sum
}
