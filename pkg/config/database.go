package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Migrations values: when a deploy runs `migrate --noinput`.
const (
	// MigrationsAuto runs them after a successful stack update, before the
	// deploy is reported done (new code serves while they run).
	MigrationsAuto = "auto"
	// MigrationsBefore runs them with the new version before the aliases
	// move to it (old code serves while they run).
	MigrationsBefore = "before"
	// MigrationsOff never runs them.
	MigrationsOff = "off"
)

var migrationsValues = []string{MigrationsAuto, MigrationsBefore, MigrationsOff}

// Database says where the environments' database server is. The functions
// read Secret at runtime (never at deploy time: the value never reaches a
// template or a log) and hand it to Django as DATABASE_URL and
// DJANGO_SERVERLESS_DATABASE_* variables; a pr-<N> preview gets a database
// of its own on that server (PreviewDatabaseName), created on its first
// deploy and dropped on destroy.
type Database struct {
	// Secret is the ARN of a Secrets Manager secret or an SSM parameter
	// holding the server: a URL, {"url": ...}, or RDS's JSON (host, port,
	// username, password, dbname). "" when the settings find their
	// database by themselves (DATABASE_URL in env, ...).
	Secret string
	// Previews: a database per pr-<N> environment (default true).
	Previews bool
	// Template is the database a new preview database is copied from
	// ("" = the server's default).
	Template string
	// Fixtures are loaded (loaddata) into a new preview database after
	// its migrations.
	Fixtures []string
}

// Manage configures the manage function, which runs management commands
// (the `manage` command, and migrations in a deploy) in the environment.
// Zero fields take the defaults below.
type Manage struct {
	// Commands are the management commands it may run.
	Commands []string
	// Timeout (s) and Memory (MB) of the manage function.
	Timeout int
	Memory  int
}

// Defaults of the manage function.
const (
	DefaultManageTimeout = 900
	DefaultManageMemory  = 1024
)

// DefaultManageCommands are allowed when manage.commands is not set: what
// a deploy needs and what only reads or creates.
var DefaultManageCommands = []string{"check", "createcachetable", "migrate", "showmigrations"}

// MigrationsMode is Migrations with the default filled in.
func (c *Config) MigrationsMode() string {
	if c.Migrations == "" {
		return MigrationsAuto
	}
	return c.Migrations
}

// ManageCommands are the commands the manage function may run.
func (c *Config) ManageCommands() []string {
	if c.Manage.Commands == nil {
		return append([]string(nil), DefaultManageCommands...)
	}
	return append([]string(nil), c.Manage.Commands...)
}

// ManageTimeout is the manage function's timeout in seconds.
func (c *Config) ManageTimeout() int {
	if c.Manage.Timeout == 0 {
		return DefaultManageTimeout
	}
	return c.Manage.Timeout
}

// ManageMemory is the manage function's memory in MB.
func (c *Config) ManageMemory() int {
	if c.Manage.Memory == 0 {
		return DefaultManageMemory
	}
	return c.Manage.Memory
}

// PreviewDatabase reports whether this environment gets a database of its
// own: a pr-<N> preview with a database configured (database.secret, or
// DATABASE_URL in env) and database.previews not false.
func (c *Config) PreviewDatabase() bool {
	if !c.Preview {
		return false
	}
	if c.Database != nil {
		return c.Database.Previews && (c.Database.Secret != "" || c.Env["DATABASE_URL"] != "")
	}
	return c.Env["DATABASE_URL"] != ""
}

var (
	commandRe    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$`)
	pgIdentRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,62}$`)
	secretARNRe  = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)
	paramARNRe   = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/?[A-Za-z0-9/_.-]+$`)
	nonIdentChar = regexp.MustCompile(`[^a-z0-9_]+`)
)

// PreviewIdentity is what a preview database belongs to: the repository
// ("owner/name", lower case: GitHub's names do not depend on case; "" when
// there is none) and the project exactly as configured, joined by ":".
// Sanitizing the project for a database name loses what tells projects
// apart ("my-app" of two repositories, "Shop" and "shop", two long names
// with the same beginning); the identity keeps it.
func PreviewIdentity(repository, project string) string {
	return strings.ToLower(strings.TrimSpace(repository)) + ":" + project
}

// PreviewDatabaseMarker is the comment a preview database is created with
// (COMMENT ON DATABASE): "django-serverless:<identity>:pr-<N>". The
// runtime drops, and migrates into, only a database that carries exactly
// this marker.
func PreviewDatabaseMarker(repository, project string, pr int) string {
	return "django-serverless:" + PreviewIdentity(repository, project) + ":pr-" + strconv.Itoa(pr)
}

// PreviewIdentityMax is the longest identity (in characters) the runtime
// takes in a marker (django_serverless/database.py, OWNER_MARKER).
const PreviewIdentityMax = 300

// PreviewIdentityError says why a repository and project give no marker
// the runtime takes.
type PreviewIdentityError struct {
	// Field is "repository", "project" or, for the length,
	// "repository and project".
	Field string
	// Value is the field's value ("<repository>:<project>" for both).
	Value  string
	Reason string
}

func (e *PreviewIdentityError) Error() string {
	return fmt.Sprintf("%s %q %s", e.Field, e.Value, e.Reason)
}

// CheckPreviewIdentity reports (as a *PreviewIdentityError) why
// PreviewDatabaseMarker(repository, project, n) is not a marker the
// runtime takes: it is written as a SQL literal (COMMENT ON DATABASE), so
// django_serverless/database.py refuses a quote, a backslash or a control
// character (U+0000-U+001F, U+007F) in it, and an identity longer than
// PreviewIdentityMax characters. The runtime finds out at deploy, after
// the stack update; plan calls this first. Text that is not UTF-8 is
// refused too (the template's JSON would replace it).
func CheckPreviewIdentity(repository, project string) error {
	for _, f := range []struct{ field, value string }{
		{"repository", strings.TrimSpace(repository)},
		{"project", project},
	} {
		if !utf8.ValidString(f.value) {
			return &PreviewIdentityError{f.field, f.value, "is not UTF-8 text"}
		}
		for _, r := range f.value {
			what := ""
			switch {
			case r == '\'':
				what = "a quote (')"
			case r == '\\':
				what = "a backslash"
			case r < 0x20 || r == 0x7f:
				what = fmt.Sprintf("a control character (U+%04X)", r)
			}
			if what != "" {
				return &PreviewIdentityError{f.field, f.value, "holds " + what + ", which a preview database's owner marker (django-serverless:<repository>:<project>:pr-<N>, written as a SQL string literal) cannot hold"}
			}
		}
	}
	if id := PreviewIdentity(repository, project); utf8.RuneCountInString(id) > PreviewIdentityMax {
		return &PreviewIdentityError{"repository and project", id, fmt.Sprintf("is %d characters, over the %d a preview database's owner marker takes", utf8.RuneCountInString(id), PreviewIdentityMax)}
	}
	return nil
}

// previewHashLen is the length of the identity's hash in a preview
// database name (hex digits of SHA-256: 48 bits).
const previewHashLen = 12

// PreviewDatabaseName is the database of the pr-<N> preview of project
// (of repository): "<project>_<hash>_pr_<N>", the project in lower case
// with other characters as "_" and cut so that the name stays within
// PostgreSQL's 63 bytes, <hash> the first 12 hex digits of the SHA-256 of
// PreviewIdentity: projects whose readable part comes out the same get
// different databases.
func PreviewDatabaseName(repository, project string, pr int) string {
	base := strings.Trim(nonIdentChar.ReplaceAllString(strings.ToLower(project), "_"), "_")
	if base == "" {
		base = "app"
	}
	if base[0] >= '0' && base[0] <= '9' {
		base = "db_" + base
	}
	sum := sha256.Sum256([]byte(PreviewIdentity(repository, project)))
	suffix := "_" + hex.EncodeToString(sum[:])[:previewHashLen] + "_pr_" + strconv.Itoa(pr)
	if room := 63 - len(suffix); len(base) > room {
		base = strings.TrimRight(base[:room], "_")
	}
	return base + suffix
}

func (d *decoder) migrations(n *node, c *Config) {
	if n.kind == kindBool { // "migrations: false"
		if n.boolean {
			c.Migrations = MigrationsAuto
		} else {
			c.Migrations = MigrationsOff
		}
		return
	}
	if s, ok := d.oneOf(n, migrationsValues); ok {
		c.Migrations = s
	}
}

func (d *decoder) database(n *node, c *Config) {
	db := &Database{Previews: true}
	d.fields(n,
		field{"secret", func(n *node) {
			s, ok := d.str(n)
			if !ok {
				return
			}
			if !secretARNRe.MatchString(s) && !paramARNRe.MatchString(s) {
				d.errf(n, "%q is not the ARN of a Secrets Manager secret or an SSM parameter", s)
				return
			}
			db.Secret = s
			d.set["database.secret"] = n
		}},
		field{"previews", func(n *node) {
			if v, ok := d.boolean(n); ok {
				db.Previews = v
			}
		}},
		field{"template", func(n *node) {
			s, ok := d.str(n)
			if !ok {
				return
			}
			if !pgIdentRe.MatchString(s) {
				d.errf(n, "%q is not a database name (a letter or _, then letters, digits, _ or $, at most 63)", s)
				return
			}
			db.Template = s
		}},
		field{"fixtures", func(n *node) {
			l, ok := d.strList(n, false)
			if !ok {
				return
			}
			for i, f := range l {
				if strings.ContainsAny(f, ",\x00\n") {
					d.errf(n.items[i], "fixture %q: a fixture name or a path relative to the Django root, without commas", f)
					ok = false
				}
			}
			if ok {
				db.Fixtures = l
			}
		}},
	)
	if n.kind == kindMap {
		c.Database = db
	}
}

func (d *decoder) manage(n *node, m *Manage) {
	d.fields(n,
		field{"commands", func(n *node) {
			l, ok := d.strList(n, false)
			if !ok {
				return
			}
			for i, cmd := range l {
				if !commandRe.MatchString(cmd) {
					d.errf(n.items[i], "%q is not a management command name", cmd)
					ok = false
				}
			}
			if ok {
				m.Commands = l
			}
		}},
		field{"timeout", func(n *node) {
			if v, ok := d.intRange(n, 10, 900, " seconds"); ok {
				m.Timeout = v
			}
		}},
		field{"memory", func(n *node) {
			if v, ok := d.intRange(n, 128, 10240, " MB"); ok {
				m.Memory = v
			}
		}},
	)
}

// checkDatabase runs the validations of database: that need other values.
func (d *decoder) checkDatabase(c *Config) {
	if c.Database == nil || c.Database.Secret == "" {
		return
	}
	if _, ok := c.Env["DATABASE_URL"]; ok {
		d.errf(d.set["database.secret"], "env sets DATABASE_URL too: the functions would get the secret's value; keep one of them")
	}
}
