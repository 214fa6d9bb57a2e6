package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// Budgets per stack, below CloudFormation's 500 resources, 200 parameters
// and 200 outputs with room for the fixed resources of each template.
const (
	resolverBudget         = 400 // AppSync resolvers per resolver stack
	mainResolverShare      = 150 // AppSync resolvers api.yaml holds before shards get new ones
	outputBudget           = 190
	inlineSchemaMaxBytes   = 256 << 10
	lambdaUnzippedMaxBytes = 250 << 20
)

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// aliasArnSub is the alias ARN in !Sub form, known without cross-stack
// references because function names are fixed by the plan.
func aliasArnSub(pl *plan.Plan, f *plan.Function) string {
	return "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + f.PhysicalName + ":" + pl.Environment
}

// KV is one environment variable. Expr, when set, is the value as a raw
// YAML expression (a !Sub of a stack parameter); Value then holds its
// text for the version hash.
type KV struct{ Key, Value, Expr string }

// staticURLSub is STATIC_URL when it is the distribution's own domain,
// passed to the lambdas stacks as the StaticDomainName parameter.
const staticURLSub = "https://${StaticDomainName}" + plan.StaticPath

// FunctionView is one function in lambdas.yaml.
type FunctionView struct {
	ID                     string
	PhysicalName           string
	VersionID              string
	Memory                 int
	Timeout                int
	Env                    []KV
	ReservedConcurrency    *int
	ProvisionedConcurrency *int
	Warmers                []WarmerView
}

// WarmerView is one AWS::Scheduler::Schedule.
type WarmerView struct {
	ID, Function, Expression, Timezone string
}

// LambdasView is the data of one lambdas stack.
type LambdasView struct {
	Plan        *plan.Plan
	Shard       int // 1-based
	OwnsLayers  bool
	CodeKey     string
	DepsKey     string // "" when there is no deps layer
	ProjectKey  string
	RuntimeKey  string
	Functions   []FunctionView
	AnyWarm     bool
	SecretsARNs []string
	SSMARNs     []string
	Statements  []StatementView
	// StaticDomainParam: the stack takes the distribution's domain name
	// (StaticDomainName) for STATIC_URL.
	StaticDomainParam bool
	// Manage is true for manage.yaml (the manage function's stack).
	Manage bool
}

// StatementView is an extra IAM statement.
type StatementView struct {
	Effect   string
	Action   []string
	Resource []string
}

func artifactKey(prefix, sha, ext string) string { return prefix + "/" + sha + ext }

// layerArnOutputs are the layer version ARNs the first lambdas stack
// outputs and the other lambdas stacks take as parameters, in the order
// functions list the layers.
func layerArnOutputs(a Artifacts) []string {
	if !a.HasDeps() {
		return []string{"ProjectLayerArn", "RuntimeLayerArn"}
	}
	return []string{"DepsLayerArn", "ProjectLayerArn", "RuntimeLayerArn"}
}

func lambdasViews(pl *plan.Plan, a Artifacts) []*LambdasView {
	views := make([]*LambdasView, pl.LambdaShards)
	var secrets, ssm []string
	for _, s := range pl.Secrets {
		if strings.Contains(s, ":ssm:") {
			ssm = append(ssm, s)
		} else {
			secrets = append(secrets, s)
		}
	}
	var stmts []StatementView
	for _, s := range pl.IAM.Statements {
		stmts = append(stmts, StatementView(s))
	}
	depsKey := ""
	if a.HasDeps() {
		depsKey = artifactKey(a.Prefix, a.Deps.SHA256, ".zip")
	}
	for i := range views {
		views[i] = &LambdasView{
			Plan: pl, Shard: i + 1, OwnsLayers: i == 0,
			CodeKey:     artifactKey(a.Prefix, a.Code.SHA256, ".zip"),
			DepsKey:     depsKey,
			ProjectKey:  artifactKey(a.Prefix, a.Project.SHA256, ".zip"),
			RuntimeKey:  artifactKey(a.Prefix, a.Runtime.SHA256, ".zip"),
			SecretsARNs: secrets, SSMARNs: ssm, Statements: stmts,
			StaticDomainParam: pl.StaticURLFromStack(),
		}
	}
	warm := map[string]*plan.Warmer{}
	for i := range pl.Warmers {
		warm[pl.Warmers[i].Function] = &pl.Warmers[i]
	}
	for i := range pl.Functions {
		f := &pl.Functions[i]
		env := pl.FunctionEnv(f.Name)
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fv := FunctionView{
			ID: f.Name, PhysicalName: f.PhysicalName, Memory: f.Memory, Timeout: f.Timeout,
			ReservedConcurrency: f.ReservedConcurrency, ProvisionedConcurrency: f.ProvisionedConcurrency,
		}
		if w := warm[f.Name]; w != nil {
			for i, e := range w.Expressions {
				id := f.Name + "Warmer"
				if i > 0 {
					id += strconv.Itoa(i + 1)
				}
				fv.Warmers = append(fv.Warmers, WarmerView{ID: id, Function: f.Name, Expression: e, Timezone: w.Timezone})
			}
		}
		for _, k := range keys {
			kv := KV{Key: k, Value: env[k]}
			if k == plan.EnvStaticURL && pl.StaticURLFromStack() {
				kv = KV{Key: k, Value: staticURLSub, Expr: "!Sub " + quote(staticURLSub)}
			}
			fv.Env = append(fv.Env, kv)
		}
		fv.VersionID = f.Name + "Version" + versionHash(pl, a, fv)[:10]
		v := views[f.Shard]
		v.Functions = append(v.Functions, fv)
		if len(fv.Warmers) > 0 {
			v.AnyWarm = true
		}
	}
	return views
}

// versionHash covers what a published version captures (Lambda's
// PublishVersion snapshots the function's code and its version-specific
// configuration): the code and layers, runtime, handler, architecture,
// memory, timeout, environment, VPC configuration and logging
// configuration. Each artifact enters by its key (for the deps layer the
// hash of its inputs, not of its zip), which changes whenever the content
// does; a project without a deps layer hashes "deps=none", which no key
// can equal. Function-level settings a version does not capture (reserved
// concurrency) and alias or scheduler settings (provisioned concurrency,
// warmers) are left out: changing only them must not ask Lambda for a new
// version it would refuse ("A version for this Lambda function exists").
func versionHash(pl *plan.Plan, a Artifacts, fv FunctionView) string {
	deps := "none"
	if a.HasDeps() {
		deps = a.Deps.SHA256
	}
	parts := []string{
		"code=" + a.Code.SHA256, "deps=" + deps, "project=" + a.Project.SHA256, "runtime-layer=" + a.Runtime.SHA256,
		"runtime=" + pl.Runtime, "handler=" + plan.Handler, "arch=" + pl.Architecture,
		"memory=" + strconv.Itoa(fv.Memory), "timeout=" + strconv.Itoa(fv.Timeout),
		"log-group=/aws/lambda/" + fv.PhysicalName,
	}
	for _, kv := range fv.Env {
		parts = append(parts, "env:"+kv.Key+"="+kv.Value)
	}
	if pl.VPC != nil {
		parts = append(parts, "subnets="+strings.Join(pl.VPC.SubnetIDs, ","), "sgs="+strings.Join(pl.VPC.SecurityGroupIDs, ","))
	}
	return hashOf(parts...)
}

// ---- API ----

// Permission lets API Gateway or AppSync invoke one alias.
type Permission struct {
	ID       string
	AliasArn string
}

// ParamView is a template parameter.
type ParamView struct{ Name, Description string }

// OutputView is an output whose value is a raw YAML expression.
type OutputView struct{ Name, Value string }

// NestedStack is an AWS::CloudFormation::Stack resource.
type NestedStack struct {
	ID          string
	TemplateSHA string
	// TemplateKeyParam, when set, names the root parameter holding the
	// template's S3 key (TemplateSHA is then only its default's).
	TemplateKeyParam string
	Parameters       []NestedParam
	DependsOn        []string
	// Prefix, Project and Environment are stamped by the renderer.
	Prefix, Project, Environment string
}

// NestedParam passes a value (raw YAML) to a nested stack parameter.
type NestedParam struct{ Name, Value string }

// APIPart is the content of one API-side stack: api.yaml or a shard
// (API permissions of one lambdas stack, or AppSync resolvers).
type APIPart struct {
	Shard  int // 0: api.yaml
	Kind   string
	Params []ParamView
	// Passed are the values api.yaml gives this shard's Params.
	Passed      []NestedParam
	Permissions []Permission
	Resolvers   []ResolverView
	SourceArn   string // !Sub string for permissions
}

// shardStackID is the logical ID of the n-th (1-based) shard stack of a kind.
func shardStackID(kind string, n int) string { return kind + strconv.Itoa(n) + "Stack" }

// ---- AppSync ----

// DataSourceView is one Lambda data source.
type DataSourceView struct {
	ID       string
	Name     string
	AliasArn string
}

// ResolverView is one direct Lambda resolver.
type ResolverView struct {
	ID           string
	Type         string
	Field        string
	DataSource   string // data source name (a literal)
	DataSourceID string
}

// AppSyncView is the AppSync part of api.yaml.
type AppSyncView struct {
	Auth         string
	Definition   string // inline SDL, "" when DefinitionS3
	DefinitionS3 string // s3://${ArtifactsBucket}/key (a !Sub string)
	DataSources  []DataSourceView
	AliasArns    []string
	ShardIDs     []string
}

func resolverID(typ, field string) string {
	s := plan.Sanitize(field)
	if len(s) > 60 {
		s = s[:60]
	}
	// Field names are case-sensitive; the hash keeps "foo" and "Foo" apart.
	return typ + s + strings.ToUpper(hashOf(typ, field)[:6]) + "Resolver"
}

// sdlField is a root field: its operation (Query, Mutation), the root
// type's name in the SDL and the field.
type sdlField struct{ Op, Type, Field string }

// sdlRootFields reads the root Query and Mutation fields of an SDL
// document (schema definition, type extensions and custom root type names
// included): the schema AppSync deploys is the truth for its resolvers.
func sdlRootFields(sdl string) ([]sdlField, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		return nil, err
	}
	roots := map[string]string{"Query": "Query", "Mutation": "Mutation"}
	for _, sd := range append(doc.Schema, doc.SchemaExtension...) {
		for _, op := range sd.OperationTypes {
			switch op.Operation {
			case ast.Query:
				roots["Query"] = op.Type
			case ast.Mutation:
				roots["Mutation"] = op.Type
			}
		}
	}
	seen := map[[2]string]bool{}
	var out []sdlField
	for _, def := range append(doc.Definitions, doc.Extensions...) {
		op := ""
		switch {
		case def.Kind != ast.Object:
			continue
		case def.Name == roots["Query"]:
			op = "Query"
		case def.Name == roots["Mutation"]:
			op = "Mutation"
		default:
			continue
		}
		for _, f := range def.Fields {
			k := [2]string{def.Name, f.Name}
			if !seen[k] {
				seen[k] = true
				out = append(out, sdlField{Op: op, Type: def.Name, Field: f.Name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Field < out[j].Field
	})
	return out, nil
}

// appSyncParts builds the AppSync resources: resolvers for the SDL's root
// fields, each served by the plan's function for the field (the GraphQL
// function for fields discovery did not list).
func appSyncParts(pl *plan.Plan, sdl string, diags *diag.List) (*AppSyncView, []ResolverView, error) {
	switch pl.GraphQL.Auth {
	case "API_KEY", "AWS_IAM":
	default:
		// Cognito, OIDC and Lambda authorizers need pool IDs, issuers or
		// functions that the configuration cannot express yet.
		return nil, nil, fmt.Errorf("render: graphql auth %s is not supported yet (use API_KEY or AWS_IAM)", pl.GraphQL.Auth)
	}
	fields, err := sdlRootFields(sdl)
	if err != nil {
		return nil, nil, fmt.Errorf("render: graphql schema %s: %w", pl.GraphQL.Schema, err)
	}
	planned := map[string]string{}
	for _, r := range pl.GraphQL.Resolvers {
		planned[r.Type+"."+r.Field] = r.Function
	}
	inSDL := map[string]bool{}
	v := &AppSyncView{Auth: pl.GraphQL.Auth}
	seen := map[string]bool{}
	var rs []ResolverView
	for _, r := range fields {
		// The plan names a field by operation ("Query") or, once aligned
		// with the SDL, by the root type's own name ("RootQuery").
		byOp, byType := r.Op+"."+r.Field, r.Type+"."+r.Field
		inSDL[byOp], inSDL[byType] = true, true
		name, ok := planned[byType]
		if !ok {
			name, ok = planned[byOp]
		}
		if !ok {
			name = pl.GraphQL.Function
		}
		f := pl.Function(name)
		if f == nil {
			return nil, nil, fmt.Errorf("render: resolver %s: no function %s in the plan", byType, name)
		}
		if !seen[f.Name] {
			seen[f.Name] = true
			v.DataSources = append(v.DataSources, DataSourceView{ID: f.Name + "DataSource", Name: f.Name + "Lambda", AliasArn: aliasArnSub(pl, f)})
			v.AliasArns = append(v.AliasArns, aliasArnSub(pl, f))
		}
		rs = append(rs, ResolverView{ID: resolverID(r.Type, r.Field), Type: r.Type, Field: r.Field, DataSource: f.Name + "Lambda", DataSourceID: f.Name + "DataSource"})
	}
	var missing []string
	for _, r := range pl.GraphQL.Resolvers {
		if key := r.Type + "." + r.Field; !inSDL[key] {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		file, line := diag.ParseSource(pl.GraphQL.Source)
		diags.Warnf(file, line, 0, "graphql: %d root field(s) found in the source are not in the deployed schema and get no resolver: %s", len(missing), strings.Join(missing, ", "))
	}
	if len(rs) == 0 {
		return nil, nil, fmt.Errorf("render: graphql schema %s has no Query or Mutation fields", pl.GraphQL.Schema)
	}
	return v, rs, nil
}

// ---- Static files and the front door ----

// AWS-managed CloudFront policies (the same IDs in every account).
const (
	// cachingDisabled: no caching, nothing in the cache key (the API).
	cachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	// cachingOptimized: cached by path alone, gzip and brotli (static files).
	cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	// allViewerExceptHostHeader: every viewer header, cookie and query
	// string to the origin but Host (API Gateway routes by its own Host).
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	// simpleCORS: Access-Control-Allow-Origin: * on every response.
	simpleCORS = "60669652-455b-4ae9-85a4-c4c02393f86c"
	// cloudFrontZone is the Route 53 hosted zone of every CloudFront
	// distribution's domain name (alias targets).
	cloudFrontZone = "Z2FDTNDATAQYW2"
)

// StaticView is the data of static.yaml.
type StaticView struct {
	Plan        *plan.Plan
	Description string
	// OACName names the origin access control: unique in the account.
	OACName string
	// OriginPath is the environment's prefix of the static bucket.
	OriginPath string
	// PathPattern is the static behaviour's path ("/static/*").
	PathPattern string
	// FrontDoor: the distribution also serves the API (a domain in
	// cloudfront mode), at APIOriginPath (the REST stage; "" for HTTP).
	FrontDoor     bool
	APIOriginPath string
	// Domain is the alias and certificate; nil without a domain.
	Domain *plan.Domain

	CachingDisabled, CachingOptimized, AllViewerExceptHostHeader, SimpleCORS, CloudFrontZone string
}

// RecordView is one Route 53 alias record of the root template: Target
// and TargetZone are YAML values (an intrinsic function or a quoted
// string).
type RecordView struct{ ID, Type, Zone, Name, Target, TargetZone string }

// Logical IDs of the domain's Route 53 records, in the root template
// whatever serves the domain.
const (
	aliasRecordID     = "AliasRecord"
	aliasRecordIPv6ID = "AliasRecordIPv6"
)

// domainRecords are the Route 53 alias records of the environment's
// domain (a hosted zone given): A (and AAAA: CloudFront answers on IPv6)
// to the distribution, or A to the API Gateway custom domain. The IDs
// and the stack stay the same when static files are turned on or off.
func domainRecords(pl *plan.Plan) []RecordView {
	d := pl.Domain
	if d == nil || d.HostedZoneID == "" {
		return nil
	}
	if d.Front == plan.FrontCloudFront {
		target, zone := "!GetAtt StaticStack.Outputs.DomainName", quote(cloudFrontZone)
		return []RecordView{
			{ID: aliasRecordID, Type: "A", Zone: d.HostedZoneID, Name: d.Name, Target: target, TargetZone: zone},
			{ID: aliasRecordIPv6ID, Type: "AAAA", Zone: d.HostedZoneID, Name: d.Name, Target: target, TargetZone: zone},
		}
	}
	return []RecordView{{ID: aliasRecordID, Type: "A", Zone: d.HostedZoneID, Name: d.Name,
		Target: "!GetAtt ApiStack.Outputs.DomainTarget", TargetZone: "!GetAtt ApiStack.Outputs.DomainTargetZone"}}
}

func staticView(pl *plan.Plan) *StaticView {
	v := &StaticView{
		Plan:            pl,
		Description:     fmt.Sprintf("django-serverless: %s (%s) static files", pl.Project, pl.Environment),
		OACName:         pl.FunctionPrefix + "static",
		OriginPath:      "/" + pl.Static.Prefix,
		PathPattern:     plan.StaticPath + "*",
		CachingDisabled: cachingDisabled, CachingOptimized: cachingOptimized,
		AllViewerExceptHostHeader: allViewerExceptHostHeader, SimpleCORS: simpleCORS, CloudFrontZone: cloudFrontZone,
	}
	if d := pl.Domain; d != nil && d.Front == plan.FrontCloudFront {
		v.Description += " and front door " + d.Name
		v.FrontDoor, v.Domain = true, d
		if pl.APIType == "rest" {
			v.APIOriginPath = "/" + pl.StageName
		}
	}
	return v
}
