package plan

import (
	"errors"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// ManageFunctionName is the plan name of the manage function. Route and
// app functions are named from URL names and app labels; one that comes
// out the same is reported.
const ManageFunctionName = "DjangoManage"

// Manage is the environment's manage function: the same code, layers,
// settings, VPC and secrets as the functions that serve requests, with its
// own timeout and memory, not behind the API and never warmed. It answers
// the runtime's management events (management commands from its allow
// list, the preview database) and runs the migrations of a deploy. It
// lives in a nested stack of its own (manage.yaml, rendered from
// lambdas.yaml) whose template the root takes as a parameter, so that
// `migrations: before` can update it alone before the functions that
// serve requests change.
type Manage struct {
	Name         string // ManageFunctionName
	PhysicalName string
	Memory       int
	Timeout      int
	// Commands the function may run (config manage.commands).
	Commands []string
	// Env is the function's environment.
	Env map[string]string
}

// Migrations modes (config.MigrationsAuto, ...).

// Database environment variables (the runtime's django_serverless.database).
const (
	EnvDatabaseSecret   = "DJANGO_SERVERLESS_DATABASE_SECRET"
	EnvDatabaseName     = "DJANGO_SERVERLESS_DATABASE_NAME"
	EnvDatabaseTemplate = "DJANGO_SERVERLESS_DATABASE_TEMPLATE"
	EnvDatabaseFixtures = "DJANGO_SERVERLESS_DATABASE_FIXTURES"
	EnvDatabaseOwner    = "DJANGO_SERVERLESS_DATABASE_OWNER"
	EnvEnvironment      = "DJANGO_SERVERLESS_ENVIRONMENT"
	EnvManageAllow      = "DJANGO_SERVERLESS_MANAGE_ALLOW"
)

// database sets what every function needs to find the environment's
// database: the secret to read at cold start, and for a pr-<N> preview
// with a database of its own, that database's name (and the marker that
// says it is this preview's: repository is part of its identity). The
// secret becomes readable by the functions' role.
func database(pl *Plan, c *config.Config, repository string, diags *diag.List) {
	if c.Database != nil && c.Database.Secret != "" {
		pl.Env[EnvDatabaseSecret] = c.Database.Secret
		found := false
		for _, s := range pl.Secrets {
			found = found || s == c.Database.Secret
		}
		if !found {
			pl.Secrets = sortedCopy(append(pl.Secrets, c.Database.Secret))
		}
	}
	if c.PreviewDatabase() {
		if err := config.CheckPreviewIdentity(repository, pl.Project); err != nil {
			// The runtime would refuse the marker only at deploy, after
			// the stack update: stop at plan, before anything changes.
			from := "GITHUB_REPOSITORY, else the owner/name of git remote origin"
			var ie *config.PreviewIdentityError
			if errors.As(err, &ie) {
				switch ie.Field {
				case "project":
					from = "project: of the config, else the repository's or the Django root folder's name"
				case "repository and project":
					from = "the repository from GITHUB_REPOSITORY or git remote origin, and project:"
				}
			}
			diags.Errf(c.Path, 0, 0, "preview database of %s: %v (%s); the runtime would refuse it at deploy, after the stack update", c.Environment, err, from)
			return
		}
		pl.PreviewDatabase = config.PreviewDatabaseName(repository, pl.Project, c.PR)
		pl.PreviewDatabaseOwner = config.PreviewDatabaseMarker(repository, pl.Project, c.PR)
		pl.Env[EnvDatabaseName] = pl.PreviewDatabase
	}
}

// manage plans the manage function.
func manage(pl *Plan, c *config.Config, diags *diag.List) {
	m := &Manage{
		Name:         ManageFunctionName,
		PhysicalName: physicalName(pl.FunctionPrefix, ManageFunctionName),
		Memory:       c.ManageMemory(),
		Timeout:      c.ManageTimeout(),
		Commands:     c.ManageCommands(),
	}
	if f := pl.Function(ManageFunctionName); f != nil {
		diags.Errf(c.Path, 0, 0, "function %s: the name is the manage function's; rename the URL name or app it comes from", f.Name)
	}
	env := pl.FunctionEnv(DefaultFunction)
	if pl.StaticURLFromStack() {
		// The distribution's domain is a static stack output; the manage
		// stack is updated alone before the rest (migrations: before), so
		// it takes nothing from the static stack: management commands get
		// the settings' own STATIC_URL, with the manifest's hashed names.
		delete(env, EnvStaticURL)
	}
	env["DJANGO_SERVERLESS_FUNCTION"] = ManageFunctionName
	env["DJANGO_SERVERLESS_PERSIST_DB"] = "0"
	env[EnvManageAllow] = strings.Join(m.Commands, ",")
	env[EnvEnvironment] = pl.Environment
	if pl.PreviewDatabase != "" {
		// Only the manage function creates, checks and drops the database.
		env[EnvDatabaseOwner] = pl.PreviewDatabaseOwner
	}
	if pl.PreviewDatabase != "" && c.Database != nil {
		if c.Database.Template != "" {
			env[EnvDatabaseTemplate] = c.Database.Template
		}
		if len(c.Database.Fixtures) > 0 {
			env[EnvDatabaseFixtures] = strings.Join(c.Database.Fixtures, ",")
		}
	}
	m.Env = env
	pl.Manage = m
}
