package config

// Config is the configuration resolved for one environment: the file's base
// values with the environment's overrides merged over them and every default
// filled in. Pointers are used only where "unset" differs from a zero value.
type Config struct {
	// Path is the file this came from, "" when the project has no config file.
	Path string
	// Environment is the name asked for (dev, prod, pr-7, ...).
	Environment string
	// Preview is true for pr-<N> environments; PR is N then.
	Preview bool
	PR      int
	// Protected environments get termination protection and refuse destroy.
	Protected bool

	Project string // stack-name prefix; "" means: DefaultProject (the repository's name, else manage.py's folder), filled by the caller
	// Settings is the Django settings module ("shop.settings.prod"); ""
	// means the one manage.py (else wsgi.py, asgi.py) sets. Discovery, the
	// functions' DJANGO_SETTINGS_MODULE and schema generation all use it.
	Settings string
	// SettingsPos is where settings: was written (zero when unset).
	SettingsPos  Position
	Python       string   // "3.12"
	Architecture string   // "arm64" | "x86_64"
	Requirements string   // path relative to the Django root; "" = auto-detect
	Vendor       []string // folders copied into the deps layer
	Exclude      []string // globs kept out of the project layer
	// Include opts back in what .gitignore leaves out of the project
	// layer (globs: "locale/**/*.mo", "static/dist/**"); a file whose name
	// looks like a key or a local database, or that holds a secret, ships
	// only when an entry is its exact path.
	Include []string

	Functions Functions
	API       API
	GraphQL   GraphQL
	Warm      Warm
	IAM       IAM
	VPC       *VPC              // nil when not configured
	Secrets   []string          // Secrets Manager / SSM ARNs the functions may read
	Env       map[string]string // extra environment variables for every function (render sorts keys)
	// LogRetentionDays for every function's log group (a value CloudWatch accepts).
	LogRetentionDays int

	// Migrations is when a deploy runs migrate: MigrationsAuto, MigrationsBefore
	// or MigrationsOff; "" is auto (MigrationsMode). See database.go.
	Migrations string
	Database   *Database // nil when not configured
	// Manage configures the manage function; zero fields take the defaults
	// (ManageCommands, ManageTimeout, ManageMemory).
	Manage Manage
}

// Functions says how routes are grouped into Lambda functions.
type Functions struct {
	Granularity string // "route" | "app" | "project"
	Defaults    FunctionSettings
	Rules       []Rule
}

// FunctionSettings are per-function knobs. In Defaults every field is set;
// in a Rule, nil/zero fields mean "inherit".
type FunctionSettings struct {
	Memory                 int // MB, 128..10240
	Timeout                int // seconds, 1..900
	PersistDB              *bool
	Warm                   *bool
	ReservedConcurrency    *int
	ProvisionedConcurrency *int
}

// Rule applies settings to the routes it matches; the first match wins.
type Rule struct {
	Match    Match
	Settings FunctionSettings
	// Pos is where the rule's match sits in the config file, for
	// "rule matches nothing" diagnostics.
	Pos Position
}

// Match selects routes: every non-empty field must match. Name and Path are
// globs ("catalog:*", "/api/**"); View is a glob over the dotted view path.
type Match struct {
	Name string
	View string
	Path string
}

// Position is a place in the config file (1-based).
type Position struct {
	File string
	Line int
	Col  int
}

// API configures API Gateway.
type API struct {
	Type             string // "rest" | "http"
	BinaryMediaTypes []string
	// Quotas are per-API quotas AWS raised for the account; zero keeps
	// API Gateway's default.
	Quotas APIQuotas
	// MergeFunctions lets plan serve routes with fewer functions (one per
	// app, then one) when the API would exceed a quota; nil means true.
	MergeFunctions *bool
}

// APIQuotas are raised API Gateway quotas (0: the default).
type APIQuotas struct {
	Resources int // REST: resources per API (default 300)
	Routes    int // HTTP: routes per API (default 300)
}

// GraphQL configures AppSync.
type GraphQL struct {
	Enabled    string // "auto" | "true" | "false"
	SchemaFile string // committed SDL, relative to the Django root; "" = look for schema.graphql
	Auth       string // API_KEY | AWS_IAM | AMAZON_COGNITO_USER_POOLS | OPENID_CONNECT | AWS_LAMBDA
}

// Warm configures the warmers.
type Warm struct {
	// Schedule is "business-hours", "always", "off", or a raw
	// "cron(...)"/"rate(...)" expression (validated).
	Schedule      string
	BusinessHours BusinessHours
	Every         string // "5m": interval between warm-ups, 1m..60m
}

// BusinessHours is when the business-hours schedule fires.
type BusinessHours struct {
	Days     string // "MON-FRI"
	Start    string // "08:00"
	End      string // "19:00"
	Timezone string // IANA name, validated with time.LoadLocation
}

// IAM extends the execution role (least privilege: nothing by default).
type IAM struct {
	ManagedPolicyArns []string
	Statements        []Statement
}

// Statement is one extra IAM policy statement.
type Statement struct {
	Effect   string // "Allow" | "Deny"
	Action   []string
	Resource []string
}

// VPC places functions in subnets.
type VPC struct {
	SubnetIDs        []string
	SecurityGroupIDs []string
}
