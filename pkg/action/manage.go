package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/manage"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// Lambda is what running the manage function needs (*lambda.Client
// satisfies it).
type Lambda = manage.Lambda

// ManageTarget is the environment's manage function at its alias.
func (b *Build) ManageTarget() manage.Target {
	return manage.Target{Function: b.Plan.Manage.PhysicalName, Qualifier: b.Plan.Environment}
}

// ErrMigrations marks a deploy that failed in its database step (the
// preview database or the migrations); the stack update itself succeeded.
var ErrMigrations = errors.New("migrations failed")

// outputTail bounds the command output a root cause carries.
const outputTail = 6000

// dbStep is the database work of a deploy, after the manage function runs
// the new code: the preview's own database (created when missing), the
// migrations, then the fixtures of a database just created.
//
// Order of a deploy (docs: "Migrations in the deploy"):
//
//   - migrations: auto (the default): the stack update (the functions that
//     serve requests move to the new code), then this step, then the deploy
//     is reported done. The new code serves while the migrations run.
//   - migrations: before: the manage stack alone is updated first (a change
//     set with the previous root template and the ManageTemplateKey
//     parameter changed), then this step, then the rest of the stack. The
//     old code serves while the migrations run.
//   - migrations: off: no migrations; the preview database is still
//     created and dropped.
//
// A failure is ErrMigrations with the command's output as root cause.
type dbStep struct {
	c   Clients
	b   *Build
	log io.Writer
	// deadline bounds each command (the rest of the deploy's timeout).
	deadline time.Time
	// skipped: the project's databases are all SQLite, nothing migrated.
	skipped bool
}

func (s *dbStep) enabled() bool {
	cfg := s.b.Config
	migrate := cfg.MigrationsMode() != config.MigrationsOff && !s.b.Migrations.Empty()
	return s.b.Plan.Manage != nil && (migrate || s.b.Plan.PreviewDatabase != "")
}

// run does the step; rootCause is the output to show when it fails.
func (s *dbStep) run(ctx context.Context) (rootCause string, err error) {
	if !s.enabled() {
		return "", nil
	}
	if s.c.Lambda == nil {
		// Only tests build Clients without a Lambda client.
		fmt.Fprintln(s.log, "warning: no Lambda client: the database step (preview database, migrations) is skipped")
		return "", nil
	}
	t := s.b.ManageTarget()
	created := false
	if db := s.b.Plan.PreviewDatabase; db != "" {
		stage := "Preview database"
		fmt.Fprintf(s.log, "%s: creating %s when missing (%s)\n", stage, db, t)
		r, err := manage.Database(ctx, s.c.Lambda, t, manage.DatabaseCreate)
		if err != nil {
			return err.Error(), fmt.Errorf("%w: preview database %s: %w", ErrMigrations, db, err)
		}
		if !r.OK() {
			return tail(r.Output), fmt.Errorf("%w: create preview database %s: %s", ErrMigrations, db, r.Status())
		}
		var out struct {
			Created bool `json:"created"`
		}
		if err := r.LastJSON(&out); err != nil {
			return tail(r.Output), fmt.Errorf("%w: create preview database %s: %w", ErrMigrations, db, err)
		}
		created = out.Created
		if created {
			fmt.Fprintf(s.log, "%s: created %s\n", stage, db)
		} else {
			fmt.Fprintf(s.log, "%s: %s exists\n", stage, db)
		}
	}
	if s.b.Config.MigrationsMode() != config.MigrationsOff && !s.b.Migrations.Empty() {
		fmt.Fprintf(s.log, "Migrations: migrate --noinput (%s)\n", t)
		r, skipped, err := manage.Migrate(ctx, s.c.Lambda, t, s.timeout())
		if err != nil {
			return err.Error(), fmt.Errorf("%w: %w", ErrMigrations, err)
		}
		io.WriteString(s.log, indent(r.Output))
		if !r.OK() {
			return tail(r.Output), fmt.Errorf("%w: migrate --noinput: %s", ErrMigrations, r.Status())
		}
		s.skipped = skipped
	}
	if created && s.b.Config.Database != nil && len(s.b.Config.Database.Fixtures) > 0 {
		fmt.Fprintf(s.log, "Preview database: loading fixtures %s\n", strings.Join(s.b.Config.Database.Fixtures, ", "))
		r, err := manage.Database(ctx, s.c.Lambda, t, manage.DatabaseFixtures)
		if err != nil {
			return err.Error(), fmt.Errorf("%w: fixtures: %w", ErrMigrations, err)
		}
		io.WriteString(s.log, indent(r.Output))
		if !r.OK() {
			return tail(r.Output), fmt.Errorf("%w: loaddata: %s", ErrMigrations, r.Status())
		}
	}
	return "", nil
}

func (s *dbStep) timeout() time.Duration {
	if s.deadline.IsZero() {
		return 0
	}
	return max(time.Until(s.deadline), time.Second)
}

func tail(s string) string {
	if len(s) > outputTail {
		return "…" + s[len(s)-outputTail:]
	}
	return s
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

// manageFirst updates the manage stack alone (migrations: before): a
// change set with the stack's current template and only the
// ManageTemplateKey parameter changed. It reports false, nil when that is
// not possible (no stack yet, or one deployed before the manage stack
// existed): the migrations then run after the whole update, as with
// auto, which is the same for a stack that serves nothing yet.
func manageFirst(ctx context.Context, c Clients, d *stack.Deployer, req stack.Request, b *Build, log io.Writer) (bool, error) {
	out, err := c.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(req.StackName)})
	if err != nil || len(out.Stacks) == 0 {
		return false, nil // no stack: a first deploy
	}
	st := out.Stacks[0]
	if !strings.HasSuffix(string(st.StackStatus), "_COMPLETE") || strings.HasPrefix(string(st.StackStatus), "DELETE") || st.StackStatus == "ROLLBACK_COMPLETE" || st.StackStatus == "REVIEW_IN_PROGRESS" {
		return false, nil
	}
	var previous []string
	has := false
	for _, p := range st.Parameters {
		k := aws.ToString(p.ParameterKey)
		if k == render.ManageTemplateParam {
			has = true
			continue
		}
		previous = append(previous, k)
	}
	if !has {
		fmt.Fprintf(log, "migrations: before: stack %s was deployed without a manage stack of its own; this deploy runs the migrations after the update\n", req.StackName)
		return false, nil
	}
	first := req
	first.UsePreviousTemplate = true
	first.TemplateURL = ""
	first.Parameters = map[string]string{render.ManageTemplateParam: b.Output.ManageTemplateKey}
	first.PreviousParameters = previous
	first.RunID = strings.TrimSuffix(req.RunID+"-manage", "-")
	if req.RunID == "" {
		first.RunID = "manage"
	}
	first.FailOnEmpty = false
	fmt.Fprintf(log, "migrations: before: updating the manage function of %s first\n", req.StackName)
	res, err := d.Deploy(ctx, first)
	if err != nil {
		cause := err.Error()
		if res != nil && res.RootCause != "" {
			cause = res.RootCause
		}
		return true, fmt.Errorf("%w: update the manage stack first: %s", ErrMigrations, cause)
	}
	return true, nil
}

// dropPreviewDatabase drops the pr-<N> preview's database before its
// stack is deleted (the manage function must still exist to reach it).
func dropPreviewDatabase(ctx context.Context, c Clients, b *Build, log io.Writer) error {
	db := b.Plan.PreviewDatabase
	if db == "" || b.Plan.Manage == nil {
		return nil
	}
	if c.Lambda == nil {
		fmt.Fprintln(log, "warning: no Lambda client: preview database "+db+" is not dropped")
		return nil
	}
	out, err := c.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(b.Plan.Stack)})
	if err != nil || len(out.Stacks) == 0 {
		fmt.Fprintf(log, "stack %s does not exist: no preview database to drop through it\n", b.Plan.Stack)
		return nil
	}
	fmt.Fprintf(log, "Preview database: dropping %s\n", db)
	r, err := manage.Database(ctx, c.Lambda, b.ManageTarget(), manage.DatabaseDrop)
	if err == nil && !r.OK() {
		err = fmt.Errorf("%s:\n%s", r.Status(), tail(r.Output))
	}
	if err != nil {
		return fmt.Errorf("drop preview database %s (the stack is kept so that this can be retried; database.previews: false leaves databases alone): %w", db, err)
	}
	io.WriteString(log, indent(r.Output))
	return nil
}
