// Package plan turns a discovered Django project and its configuration into
// the deployment model: which Lambda functions exist, which routes and
// GraphQL fields each serves, their settings, the API's paths (each one
// reaching one function with every HTTP method), the warmers, and which
// lambdas stack holds each function. API Gateway's per-API quotas are
// checked here, before anything is rendered. It is pure: same inputs
// (project, configuration, previous deployment record), same Plan.
package plan

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// DefaultFunction is the name of the function behind the catch-all routes.
const DefaultFunction = "Default"

// Handler is the Lambda handler every function runs.
const Handler = "django_serverless.handler.handle"

// WarmupPayload is the event the warmers send.
const WarmupPayload = `{"django_serverless": "warmup"}`

// LambdaStackBudget is the number of resources a lambdas stack may hold
// for its functions (CloudFormation allows 500 per stack; the execution
// role, layers and scheduler role take the rest).
const LambdaStackBudget = 480

// FunctionCost is what one function takes of a lambdas stack's budget:
// log group, function, version, alias, and room for the most warm-up
// schedules a function can get (MaxWarmers), whether it is warm or not,
// so that turning warm on never makes a stack overflow and move functions.
const FunctionCost = 4 + MaxWarmers

// MaxWarmers is the most schedule expressions a warm function gets
// (business hours that neither start nor end on the hour need three).
const MaxWarmers = 3

// FunctionsPerLambdaStack is how many functions a lambdas stack holds.
const FunctionsPerLambdaStack = LambdaStackBudget / FunctionCost

// Plan is the deployment model of one project in one environment.
type Plan struct {
	Project        string // S3 prefix and stack-name prefix ("shop")
	Stack          string // root stack name: <project>-<env>, CloudFormation-safe
	Environment    string // dev, prod, pr-7
	Preview        bool   // a pr-<N> environment
	SettingsModule string
	Runtime        string // "python3.12"
	Architecture   string // "arm64" | "x86_64"
	APIType        string // "rest" | "http"
	// ScriptName is what the API puts before Django's paths ("/dev" for a
	// REST stage, "" for an HTTP API $default stage).
	ScriptName       string
	StageName        string // REST: the environment; HTTP: "$default"
	BinaryMediaTypes []string
	// FunctionPrefix starts every function's physical name (and its log
	// group's); it ends with "_", which stack names cannot contain, so the
	// execution role's log permissions are scoped to this stack exactly.
	FunctionPrefix string

	// Target is where the stack is deployed: the API's OpenAPI document
	// names functions by full ARN, which CloudFormation cannot resolve
	// inside a document loaded from S3.
	Target Target

	// Functions sorted by Name; DefaultFunction is always present. A
	// function exists only when something calls it: an API path, an
	// AppSync resolver.
	Functions []Function
	// Routes are the discovered routes, in discovery order, each with the
	// function API Gateway sends its path to.
	Routes []RouteTarget
	// API is every path of the API, sorted by path: every method on a
	// path reaches its function (x-amazon-apigateway-any-method).
	API []APIEntry
	// APIStats are the counts API Gateway's per-API quotas apply to.
	APIStats APIStats
	// GraphQL is nil when the project has no schema or it is disabled.
	GraphQL *GraphQL
	// Warmers, one per warm function, sorted by function.
	Warmers []Warmer
	// LambdaShards is the number of lambdas stacks; Function.Shard is in
	// [0, LambdaShards). A shard may be empty after functions were
	// removed; only non-empty ones (and the first, which owns the
	// layers) are rendered.
	LambdaShards int
	// Previous is the deployment record of the deployed stack (nil for a
	// first deploy): render keeps AppSync resolvers where it put them.
	Previous *record.Record
	// Static is how static files are served (Mode is never "").
	Static Static
	// Domain is the environment's own host name; nil without one. With
	// one, ScriptName is "": the functions see the domain's paths.
	Domain *Domain

	LogRetentionDays int
	VPC              *config.VPC
	Secrets          []string
	IAM              config.IAM
	Env              map[string]string

	// Manage is the manage function (manage.go).
	Manage *Manage
	// PreviewDatabase is the pr-<N> preview's own database name, "" when
	// the environment uses the configured database unchanged.
	PreviewDatabase string
	// PreviewDatabaseOwner is the marker (COMMENT ON DATABASE) that
	// PreviewDatabase is created with and must carry to be migrated into
	// or dropped; "" without a preview database.
	PreviewDatabaseOwner string
	// Migrations lists the project's migrations ("app.name", in the order
	// they apply), for the deployment record; set by the caller (plan
	// does not read migration files).
	Migrations []string
}

// Target is the account and region a plan is deployed to.
type Target struct {
	Partition string
	Region    string
	Account   string
	// Placeholder is true when Account and Region are not the real ones
	// (offline render without --account-id/--region).
	Placeholder bool
}

// PlaceholderAccount is the account ID of an offline render that was not
// given one: a valid 12-digit ID that no AWS account has.
const PlaceholderAccount = "000000000000"

// PlaceholderRegion is the region of an offline render that was given
// none.
const PlaceholderRegion = "us-east-1"

// Options are the inputs of New besides the project and configuration.
type Options struct {
	// Previous is the deployment record of the deployed stack: every
	// function stays in the lambdas stack it is in. nil is a first deploy.
	Previous *record.Record
	// Account and Region name the integration targets in the API's
	// OpenAPI document; "" for either gives placeholders (Target.Placeholder).
	Account string
	Region  string
	// StackName overrides the root stack's name (<project>-<env>); the
	// functions' physical names derive from it. The caller validates it.
	StackName string
	// Repository is the repository the project is deployed from
	// ("owner/name", "" when unknown): with the project, the identity a
	// pr-<N> preview's database is named after and marked with
	// (config.PreviewDatabaseName, config.PreviewDatabaseMarker).
	Repository string
}

// Function is one Lambda function.
type Function struct {
	// Name is the function's name in the plan and the base of its logical
	// IDs: [A-Za-z0-9], starts with a letter, stable across route additions.
	Name string
	// PhysicalName is FunctionName in the template: FunctionPrefix + Name
	// (shortened with a hash to fit Lambda's 64 characters). It does not
	// depend on the stack holding the function.
	PhysicalName           string
	Memory                 int
	Timeout                int
	PersistDB              bool
	Warm                   bool
	ReservedConcurrency    *int
	ProvisionedConcurrency *int
	// Routes served, as indexes into Plan.Routes.
	Routes []int
	// Shard is the lambdas stack holding the function (0-based: 0 is
	// lambdas.yaml).
	Shard int
	// New is true when the previous deployment had no such function.
	New bool
}

// RouteTarget is a discovered route and the function serving it.
type RouteTarget struct {
	Route    django.Route
	Function string
	// APIPath is the path used in the API (trailing slash dropped, variable
	// names unified with sibling routes); "" when API Gateway cannot
	// express the route and a greedy path serves it.
	APIPath string
}

// GraphQL is the AppSync side of the plan.
type GraphQL struct {
	Schema string // dotted graphene schema path
	Auth   string // API_KEY, AWS_IAM, ...
	// Function serves every root field: the function of the route serving
	// the GraphQL view, else the default function.
	Function  string
	Resolvers []Resolver
	Source    string
}

// Resolver maps a root field to the function that executes it.
type Resolver struct {
	Type     string // "Query" | "Mutation"
	Field    string
	Function string
}

// Warmer keeps one function warm.
type Warmer struct {
	Function string
	// Expressions are EventBridge Scheduler cron(...)/rate(...) expressions
	// (business hours that do not start or end on the hour need up to
	// three). Each function fires at its own minute offset, derived from
	// its name, so warmers do not all fire in the same minute.
	Expressions []string
	Timezone    string // IANA name
}

// Function returns the function named name, or nil.
func (p *Plan) Function(name string) *Function {
	i := sort.Search(len(p.Functions), func(i int) bool { return p.Functions[i].Name >= name })
	if i < len(p.Functions) && p.Functions[i].Name == name {
		return &p.Functions[i]
	}
	return nil
}

// FunctionForRoute returns the function serving the route with this URL
// name or discovered path ("catalog:detail" or "/catalog/{pk}/"); false
// when no route matches (the default function then serves the request).
func (p *Plan) FunctionForRoute(nameOrPath string) (string, bool) {
	for _, r := range p.Routes {
		if r.Route.Name == nameOrPath || r.Route.Path == nameOrPath {
			return r.Function, true
		}
	}
	return DefaultFunction, false
}

// FunctionEnv is the environment of a function, as the templates set it and
// as a local invoke must reproduce it. Unknown names get the default
// function's settings with DJANGO_SERVERLESS_FUNCTION set to name.
func (p *Plan) FunctionEnv(name string) map[string]string {
	env := make(map[string]string, len(p.Env)+8)
	for k, v := range p.Env {
		env[k] = v
	}
	persist := false
	if f := p.Function(name); f != nil {
		persist = f.PersistDB
	} else if f := p.Function(DefaultFunction); f != nil {
		persist = f.PersistDB
	}
	schema := ""
	if p.GraphQL != nil {
		schema = p.GraphQL.Schema
	}
	env["DJANGO_SETTINGS_MODULE"] = p.SettingsModule
	env["DJANGO_SERVERLESS_SCRIPT_NAME"] = p.ScriptName
	env["DJANGO_SERVERLESS_PERSIST_DB"] = boolFlag(persist)
	env["DJANGO_SERVERLESS_FUNCTION"] = name
	env["DJANGO_SERVERLESS_GRAPHQL_SCHEMA"] = schema
	if p.CloudFront() {
		// The manifest (staticfiles.json) ships in the function code;
		// STATIC_URL is the distribution's (or the domain's) /static/.
		url := p.Static.URL
		if url == "" {
			url = LocalStaticURL
		}
		env[EnvStaticURL] = url
		env[EnvStaticRoot] = StaticRoot
	}
	if p.Domain != nil && p.Domain.Front == FrontCloudFront {
		// CloudFront reaches API Gateway with the API's own Host header
		// (API Gateway routes by it); the functions answer as the domain.
		env[EnvHost] = p.Domain.Name
	}
	return env
}

// Environment variables the runtime adapter reads for static files and
// the front door.
const (
	EnvStaticURL  = "DJANGO_SERVERLESS_STATIC_URL"
	EnvStaticRoot = "DJANGO_SERVERLESS_STATIC_ROOT"
	EnvHost       = "DJANGO_SERVERLESS_HOST"
)

// ReservedEnv are the variables the plan sets; config Env cannot override them.
var ReservedEnv = []string{
	"DJANGO_SERVERLESS_DATABASE_NAME",
	"DJANGO_SERVERLESS_DATABASE_SECRET",
	"DJANGO_SERVERLESS_FUNCTION",
	"DJANGO_SERVERLESS_GRAPHQL_SCHEMA",
	EnvHost,
	"DJANGO_SERVERLESS_PERSIST_DB",
	"DJANGO_SERVERLESS_SCRIPT_NAME",
	EnvStaticRoot,
	EnvStaticURL,
	"DJANGO_SETTINGS_MODULE",
}

func boolFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// New builds the plan. Problems the user can fix are returned as
// diagnostics (errors among them make the plan unusable: the error return is
// then non-nil too); the error alone is for inputs no config can produce.
func New(p *django.Project, c *config.Config, o Options) (*Plan, diag.List, error) {
	if p == nil || c == nil {
		return nil, nil, fmt.Errorf("plan: project and config are required")
	}
	if p.SettingsModule == "" {
		return nil, nil, fmt.Errorf("plan: project has no settings module")
	}
	if c.Environment == "" {
		return nil, nil, fmt.Errorf("plan: config has no environment")
	}
	var diags diag.List
	project := c.Project
	if project == "" {
		// The caller fills it from GITHUB_REPOSITORY (action.NewPlan);
		// without one, the folder holding manage.py.
		project = config.DefaultProject("", p.Root)
	}
	pl := &Plan{
		Project:          project,
		Stack:            stackName(project + "-" + c.Environment),
		Environment:      c.Environment,
		Preview:          c.Preview,
		SettingsModule:   p.SettingsModule,
		Runtime:          "python" + or(c.Python, "3.12"),
		Architecture:     or(c.Architecture, "arm64"),
		APIType:          or(c.API.Type, "rest"),
		BinaryMediaTypes: sortedCopy(c.API.BinaryMediaTypes),
		LogRetentionDays: c.LogRetentionDays,
		VPC:              c.VPC,
		Secrets:          sortedCopy(c.Secrets),
		IAM:              c.IAM,
		Env:              map[string]string{},
		Previous:         o.Previous,
	}
	if pl.LogRetentionDays == 0 {
		pl.LogRetentionDays = 14
	}
	target, err := newTarget(o)
	if err != nil {
		return nil, nil, err
	}
	pl.Target = target
	if !validStage(c.Environment) {
		return nil, nil, fmt.Errorf("plan: environment %q must be letters, digits, - and _ (it names the Lambda aliases and the API stage)", c.Environment)
	}
	switch pl.APIType {
	case "rest":
		pl.StageName = c.Environment
		pl.ScriptName = "/" + c.Environment
	case "http":
		pl.StageName = "$default"
		pl.ScriptName = ""
	default:
		return nil, nil, fmt.Errorf("plan: unknown api type %q", pl.APIType)
	}
	staticAndDomain(pl, p, c, &diags)
	if pl.Architecture != "arm64" && pl.Architecture != "x86_64" {
		return nil, nil, fmt.Errorf("plan: unknown architecture %q", pl.Architecture)
	}
	reserved := map[string]bool{}
	for _, k := range ReservedEnv {
		reserved[k] = true
	}
	for k, v := range c.Env {
		if reserved[k] {
			diags.Warnf(c.Path, 0, 0, "env %s is set by django-serverless; the configured value is ignored", k)
			continue
		}
		pl.Env[k] = v
	}
	if o.StackName != "" {
		pl.Stack = o.StackName
	}
	pl.FunctionPrefix = functionPrefix(pl.Stack)
	database(pl, c, o.Repository, &diags)

	granularity := or(c.Functions.Granularity, "route")
	if granularity != "route" && granularity != "app" && granularity != "project" {
		return nil, nil, fmt.Errorf("plan: unknown functions granularity %q", granularity)
	}

	// Routes -> API paths -> the API's layout (within quotas) -> functions.
	b := newAPIBuilder(pl, c, granularity, &diags)
	b.prepare(p.Routes)
	lay := b.fit()
	graphqlKey := ""
	if p.GraphQL != nil && c.GraphQL.Enabled != "false" {
		graphqlKey = lay.graphqlKey(b)
	}
	b.functions(lay, graphqlKey)

	// Warmers: config owns the schedule semantics (and validates them);
	// each function fires at its own minute.
	base, tz := c.Warm.Expressions()
	if len(base) == 0 && c.Warm.Schedule != "" && c.Warm.Schedule != config.ScheduleOff {
		diags.Errf(c.Path, 0, 0, "warm: schedule %q with business hours %s-%s gives no schedule expression", c.Warm.Schedule, c.Warm.BusinessHours.Start, c.Warm.BusinessHours.End)
	}
	every := c.Warm.EveryMinutes()
	for i := range pl.Functions {
		f := &pl.Functions[i]
		if len(base) == 0 {
			f.Warm = false
		}
		if !f.Warm {
			continue
		}
		exprs, _ := c.Warm.ExpressionsAt(warmOffset(f.Name, every))
		if len(exprs) == 0 {
			exprs = base // a window shorter than the interval: fire at its start
		}
		pl.Warmers = append(pl.Warmers, Warmer{Function: f.Name, Expressions: exprs, Timezone: tz})
	}

	// Stacks and physical names.
	place(pl, o.Previous)

	// GraphQL.
	if p.GraphQL != nil && c.GraphQL.Enabled != "false" {
		pl.GraphQL = graphQL(pl, p.GraphQL, or(c.GraphQL.Auth, "API_KEY"), b.functionName(graphqlKey))
		if pl.Preview {
			file, line := diag.ParseSource(p.GraphQL.Source)
			diags.Warnf(file, line, 0, "graphql: every preview environment creates its own AppSync API; AppSync allows %d GraphQL APIs per region by default (adjustable), so many open pull requests can exhaust it; set environments.preview.graphql.enabled: false if previews do not need GraphQL", AppSyncAPIsPerRegion)
		}
	} else if c.GraphQL.Enabled == "true" {
		diags.Errf(c.Path, 0, 0, "graphql is enabled but the project has no graphene schema")
	}

	manage(pl, c, &diags)

	// Lambda's own limits, on the functions as planned.
	checkFunctions(pl, c, b.rules, &diags)

	diags.Sort()
	if err := diags.Err(); err != nil {
		return nil, diags, fmt.Errorf("plan %s: %w", pl.Stack, err)
	}
	return pl, diags, nil
}

// AppSyncAPIsPerRegion is AppSync's default quota of GraphQL APIs per
// account and region.
const AppSyncAPIsPerRegion = 25

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

func newTarget(o Options) (Target, error) {
	t := Target{Account: o.Account, Region: o.Region}
	if t.Account == "" || t.Region == "" {
		t.Placeholder = true
	}
	if t.Account == "" {
		t.Account = PlaceholderAccount
	}
	if t.Region == "" {
		t.Region = PlaceholderRegion
	}
	if !accountRE.MatchString(t.Account) {
		return Target{}, fmt.Errorf("plan: account ID %q is not 12 digits", t.Account)
	}
	if !regionRE.MatchString(t.Region) {
		return Target{}, fmt.Errorf("plan: region %q is not an AWS region name (like eu-west-1)", t.Region)
	}
	t.Partition = openapi.Partition(t.Region)
	return t, nil
}

// warmOffset spreads warmers over the interval: the minute within each
// interval at which a function's warmer fires, from a hash of its name.
func warmOffset(name string, every int) int {
	if every <= 1 {
		return 0
	}
	return int(hashMod(name, every))
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedCopy(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

func routeLabel(r django.Route) string {
	if r.Name != "" {
		return fmt.Sprintf("%q (%s)", r.Name, r.Path)
	}
	return r.Path
}

// ruleMatches applies config's matching rules (globs over name, view and
// path; every non-empty field must match).
func ruleMatches(m config.Match, r django.Route) bool {
	return m.Matches(r.Name, r.View, r.Path)
}

// settingsFor resolves a function's settings: the defaults, overridden by
// the first rule (in file order) matching any of its routes. rule is the
// index of that rule, -1 when none matched.
func settingsFor(c *config.Config, routes []django.Route) (f Function, rule int) {
	d := c.Functions.Defaults
	f = Function{Memory: d.Memory, Timeout: d.Timeout}
	if f.Memory == 0 {
		f.Memory = 512
	}
	if f.Timeout == 0 {
		f.Timeout = 15
	}
	apply := func(s config.FunctionSettings) {
		if s.Memory != 0 {
			f.Memory = s.Memory
		}
		if s.Timeout != 0 {
			f.Timeout = s.Timeout
		}
		if s.PersistDB != nil {
			f.PersistDB = *s.PersistDB
		}
		if s.Warm != nil {
			f.Warm = *s.Warm
		}
		if s.ReservedConcurrency != nil {
			f.ReservedConcurrency = s.ReservedConcurrency
		}
		if s.ProvisionedConcurrency != nil {
			f.ProvisionedConcurrency = s.ProvisionedConcurrency
		}
	}
	apply(d)
	rule = -1
	for i, r := range c.Functions.Rules {
		hit := false
		for _, rt := range routes {
			if ruleMatches(r.Match, rt) {
				hit = true
				break
			}
		}
		if hit {
			apply(r.Settings)
			rule = i
			break
		}
	}
	return f, rule
}

// stackName makes a CloudFormation stack name: [A-Za-z][-A-Za-z0-9]*.
func stackName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	if out == "" || !(out[0] >= 'a' && out[0] <= 'z' || out[0] >= 'A' && out[0] <= 'Z') {
		out = "s-" + out
	}
	if len(out) > 128 {
		out = out[:119] + "-" + shortHash(s, 8)
	}
	return out
}

func validStage(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// functionPrefix is "<stack>_", shortened so that names keep room for IDs.
func functionPrefix(stack string) string {
	if len(stack) > 32 {
		return stack[:23] + "-" + shortHash(stack, 8) + "_"
	}
	return stack + "_"
}

// physicalName is the function's Lambda name: the same whatever stack
// holds it.
func physicalName(prefix, name string) string {
	n := name
	if len(prefix)+len(n) > 64 {
		n = n[:64-len(prefix)-9] + "-" + shortHash(n, 8)
	}
	return prefix + n
}

func hashMod(s string, n int) uint32 {
	h := shortHash(s, 8)
	v, _ := strconv.ParseUint(h, 16, 32)
	return uint32(v % uint64(n))
}
