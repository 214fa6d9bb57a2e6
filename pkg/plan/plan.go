// Package plan turns a discovered Django project and its configuration into
// the deployment model: which Lambda functions exist, which routes and
// GraphQL fields each serves, their settings, the API methods and the
// warmers. It is pure: same inputs, same Plan, whatever the input order.
package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// DefaultFunction is the name of the function behind the catch-all routes.
const DefaultFunction = "Default"

// Handler is the Lambda handler every function runs.
const Handler = "django_serverless.handler.handle"

// WarmupPayload is the event the warmers send.
const WarmupPayload = `{"django_serverless": "warmup"}`

// LambdaStackBudget is the number of resources a lambdas stack may hold
// for its functions (CloudFormation allows 500 per stack; the execution
// role, layers and scheduler role take the rest). A function takes four
// (log group, function, version, alias) plus one per warm-up schedule.
const LambdaStackBudget = 480

// Plan is the deployment model of one project in one environment.
type Plan struct {
	Project        string // S3 prefix and stack-name prefix ("shop")
	Stack          string // root stack name: <project>-<env>, CloudFormation-safe
	Environment    string // dev, prod, pr-7
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

	// Functions sorted by Name; DefaultFunction is always present.
	Functions []Function
	// Routes are the discovered routes that the API serves, in discovery
	// order, each with its function.
	Routes []RouteTarget
	// Methods are the API entries sorted by path then method, including the
	// catch-all "/{proxy+}" and "/" of the default function.
	Methods []Method
	// GraphQL is nil when the project has no schema or it is disabled.
	GraphQL *GraphQL
	// Warmers, one per warm function, sorted by function.
	Warmers []Warmer
	// LambdaShards is the number of lambdas stacks (1 unless the function
	// count demands more); Function.Shard is in [0, LambdaShards).
	LambdaShards int

	LogRetentionDays int
	VPC              *config.VPC
	Secrets          []string
	IAM              config.IAM
	Env              map[string]string
}

// Function is one Lambda function.
type Function struct {
	// Name is the function's name in the plan and the base of its logical
	// IDs: [A-Za-z0-9], starts with a letter, stable across route additions.
	Name string
	// PhysicalName is FunctionName in the template: FunctionPrefix + Name
	// (shortened with a hash to fit Lambda's 64 characters).
	PhysicalName           string
	Memory                 int
	Timeout                int
	PersistDB              bool
	Warm                   bool
	ReservedConcurrency    *int
	ProvisionedConcurrency *int
	// Routes served, as indexes into Plan.Routes.
	Routes []int
	// Shard is the lambdas stack holding the function.
	Shard int
}

// RouteTarget is a discovered route and the function serving it.
type RouteTarget struct {
	Route    django.Route
	Function string
	// APIPath is the path used in the API (trailing slash dropped, variable
	// names unified with sibling routes).
	APIPath string
}

// Method is one API entry: HTTP method (or ANY) on a path, to a function.
type Method struct {
	Path     string // "/catalog/{pk}", "/", "/{proxy+}"
	Method   string // "GET", ..., "ANY"
	Function string
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
	// (business hours that do not start or end on the hour need up to three).
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
	env := make(map[string]string, len(p.Env)+5)
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
	return env
}

// ReservedEnv are the variables the plan sets; config Env cannot override them.
var ReservedEnv = []string{
	"DJANGO_SERVERLESS_FUNCTION",
	"DJANGO_SERVERLESS_GRAPHQL_SCHEMA",
	"DJANGO_SERVERLESS_PERSIST_DB",
	"DJANGO_SERVERLESS_SCRIPT_NAME",
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
func New(p *django.Project, c *config.Config) (*Plan, diag.List, error) {
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
	}
	if pl.LogRetentionDays == 0 {
		pl.LogRetentionDays = 14
	}
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
	pl.FunctionPrefix = functionPrefix(pl.Stack)

	granularity := or(c.Functions.Granularity, "route")
	if granularity != "route" && granularity != "app" && granularity != "project" {
		return nil, nil, fmt.Errorf("plan: unknown functions granularity %q", granularity)
	}

	// Routes -> function keys.
	type group struct {
		key, base string
		routes    []int
	}
	groups := map[string]*group{}
	var routes []RouteTarget
	for _, r := range p.Routes {
		apiPath, err := apiPath(r.Path)
		if err != nil {
			file, line := diag.ParseSource(r.Source)
			diags.Errf(file, line, 0, "route %s: %v", routeLabel(r), err)
			continue
		}
		key, base := "", DefaultFunction
		switch granularity {
		case "route":
			text := r.Name
			if text == "" {
				text = r.Path
			}
			key = "route\x00" + r.Name + "\x00" + r.Path
			base = idBase(text, key)
		case "app":
			if r.App != "" {
				key = "app\x00" + r.App
				base = idBase(r.App, key)
			}
		}
		if apiPath == CatchAllPath {
			key = "" // discovery could say nothing more: the catch-all's function
		}
		idx := len(routes)
		routes = append(routes, RouteTarget{Route: r, APIPath: apiPath})
		if key == "" {
			key = DefaultFunction
		}
		g := groups[key]
		if g == nil {
			g = &group{key: key, base: base}
			groups[key] = g
		}
		g.routes = append(g.routes, idx)
	}
	want := map[string]string{}
	for k, g := range groups {
		if k != DefaultFunction {
			want[k] = g.base
		}
	}
	ids := assignIDs(want, map[string]bool{DefaultFunction: true})
	ids[DefaultFunction] = DefaultFunction

	funcs := map[string]*Function{}
	keys := make([]string, 0, len(groups)+1)
	for k := range groups {
		keys = append(keys, k)
	}
	if groups[DefaultFunction] == nil {
		keys = append(keys, DefaultFunction)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := ids[k]
		var rs []django.Route
		var idx []int
		if g := groups[k]; g != nil {
			idx = g.routes
			for _, i := range g.routes {
				rs = append(rs, routes[i].Route)
			}
		}
		if name == DefaultFunction {
			rs = append(rs, django.Route{Path: "/{proxy+}"})
		}
		f := settingsFor(c, rs)
		f.Name = name
		f.Routes = idx
		funcs[name] = &f
		for _, i := range idx {
			routes[i].Function = name
		}
	}
	// Rules matching nothing are reported by config.(*Config).UnusedRules.
	pl.Routes = routes
	for _, f := range funcs {
		pl.Functions = append(pl.Functions, *f)
	}
	sort.Slice(pl.Functions, func(i, j int) bool { return pl.Functions[i].Name < pl.Functions[j].Name })

	// Warmers: config owns the schedule semantics (and validates them).
	exprs, tz := c.Warm.Expressions()
	if len(exprs) == 0 && c.Warm.Schedule != "" && c.Warm.Schedule != config.ScheduleOff {
		diags.Errf(c.Path, 0, 0, "warm: schedule %q with business hours %s-%s gives no schedule expression", c.Warm.Schedule, c.Warm.BusinessHours.Start, c.Warm.BusinessHours.End)
	}
	for i := range pl.Functions {
		f := &pl.Functions[i]
		if len(exprs) == 0 {
			f.Warm = false
		}
		if f.Warm {
			pl.Warmers = append(pl.Warmers, Warmer{Function: f.Name, Expressions: exprs, Timezone: tz})
		}
	}

	// Sharding and physical names.
	pl.LambdaShards = lambdaShards(pl.Functions, len(exprs))
	for i := range pl.Functions {
		f := &pl.Functions[i]
		if pl.LambdaShards > 1 {
			f.Shard = int(hashMod(f.Name, pl.LambdaShards))
		}
		f.PhysicalName = physicalName(pl.FunctionPrefix, f.Name, f.Shard, pl.LambdaShards)
	}

	// API methods.
	pl.Methods = methods(pl, granularity, &diags)

	// GraphQL.
	if p.GraphQL != nil && c.GraphQL.Enabled != "false" {
		pl.GraphQL = graphQL(pl, p.GraphQL, or(c.GraphQL.Auth, "API_KEY"))
	} else if c.GraphQL.Enabled == "true" {
		diags.Errf(c.Path, 0, 0, "graphql is enabled but the project has no graphene schema")
	}

	diags.Sort()
	if err := diags.Err(); err != nil {
		return nil, diags, fmt.Errorf("plan %s: %w", pl.Stack, err)
	}
	return pl, diags, nil
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
// the first rule (in file order) matching any of its routes.
func settingsFor(c *config.Config, routes []django.Route) Function {
	d := c.Functions.Defaults
	f := Function{Memory: d.Memory, Timeout: d.Timeout}
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
	for _, rule := range c.Functions.Rules {
		hit := false
		for _, r := range routes {
			if ruleMatches(rule.Match, r) {
				hit = true
				break
			}
		}
		if hit {
			apply(rule.Settings)
			break
		}
	}
	return f
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

func physicalName(prefix, name string, shard, shards int) string {
	n := name
	if shards > 1 {
		// The shard is part of the name so that a function moving to another
		// nested stack is a new function, not a name clash between stacks.
		n = name + "-" + strconv.Itoa(shard+1)
	}
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

// lambdaShards picks a power-of-two number of lambdas stacks so that
// functions spread by the hash of their name stay within LambdaStackBudget
// resources in every stack (about three quarters full on average). A power
// of two keeps half of the functions in place when the count doubles.
func lambdaShards(fs []Function, warmExprs int) int {
	cost := func(f Function) int {
		if f.Warm {
			return 4 + warmExprs
		}
		return 4
	}
	total := 0
	for _, f := range fs {
		total += cost(f)
	}
	if total <= LambdaStackBudget {
		return 1
	}
	n := 1
	for n*LambdaStackBudget*3/4 < total {
		n *= 2
	}
	for {
		load := make([]int, n)
		ok := true
		for _, f := range fs {
			s := hashMod(f.Name, n)
			load[s] += cost(f)
			if load[s] > LambdaStackBudget {
				ok = false
			}
		}
		if ok {
			return n
		}
		n *= 2
	}
}
