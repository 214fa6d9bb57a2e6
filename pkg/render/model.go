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
	apiResourceBudget      = 450 // REST resources + methods + permissions per stack
	httpResourceBudget     = 450 // HTTP routes + integrations + permissions per stack
	resolverBudget         = 400 // AppSync resolvers per stack
	mainAPIResourceShare   = 250 // above this the API tree is moved to shards
	mainResolverShare      = 150 // above this resolvers are moved to shards
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

// KV is one environment variable.
type KV struct{ Key, Value string }

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
			fv.Env = append(fv.Env, KV{k, env[k]})
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

// versionHash covers what a published version freezes: code, layers and
// the function's configuration. Each artifact enters by its key (for the
// deps layer the hash of its inputs, not of its zip), which changes
// whenever the content does; a project without a deps layer hashes
// "deps=none", which no key can equal. Alias and scheduler settings
// (provisioned concurrency, warmers) are left out: they need no new version.
func versionHash(pl *plan.Plan, a Artifacts, fv FunctionView) string {
	deps := "none"
	if a.HasDeps() {
		deps = a.Deps.SHA256
	}
	parts := []string{
		"code=" + a.Code.SHA256, "deps=" + deps, "project=" + a.Project.SHA256, "runtime-layer=" + a.Runtime.SHA256,
		"name=" + fv.PhysicalName, "runtime=" + pl.Runtime, "arch=" + pl.Architecture,
		"memory=" + strconv.Itoa(fv.Memory), "timeout=" + strconv.Itoa(fv.Timeout),
	}
	if fv.ReservedConcurrency != nil {
		parts = append(parts, "reserved="+strconv.Itoa(*fv.ReservedConcurrency))
	}
	for _, kv := range fv.Env {
		parts = append(parts, "env:"+kv.Key+"="+kv.Value)
	}
	if pl.VPC != nil {
		parts = append(parts, "subnets="+strings.Join(pl.VPC.SubnetIDs, ","), "sgs="+strings.Join(pl.VPC.SecurityGroupIDs, ","))
	}
	return hashOf(parts...)
}

// ---- REST API ----

// RestResource is one AWS::ApiGateway::Resource.
type RestResource struct {
	ID        string
	ParentRef string // raw YAML: !Ref X or !GetAtt RestApi.RootResourceId
	PathPart  string
}

// RestMethod is one AWS::ApiGateway::Method.
type RestMethod struct {
	ID          string
	ResourceRef string // raw YAML
	HTTPMethod  string
	AliasArn    string // !Sub string
}

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
	Parameters  []NestedParam
	DependsOn   []string
	// Prefix, Project and Environment are stamped by the renderer.
	Prefix, Project, Environment string
}

// NestedParam passes a value (raw YAML) to a nested stack parameter.
type NestedParam struct{ Name, Value string }

// APIPart is the API content of one stack: main api.yaml or a shard.
type APIPart struct {
	Shard  int // 0: main
	APIRef string
	Params []ParamView
	// Passed are the values api.yaml gives this shard's Params.
	Passed       []NestedParam
	Resources    []RestResource
	Methods      []RestMethod
	Routes       []HTTPRoute
	Integrations []HTTPIntegration
	Permissions  []Permission
	Resolvers    []ResolverView
	SourceArn    string // !Sub string for permissions
}

type restNode struct {
	path     string
	part     string
	id       string
	parent   *restNode
	children []*restNode
	methods  []plan.Method
	cost     int // subtree: resources + methods
	shard    int
}

func (p *APIPart) addParam(name, desc, value string) {
	for _, q := range p.Params {
		if q.Name == name {
			return
		}
	}
	p.Params = append(p.Params, ParamView{Name: name, Description: desc})
	p.Passed = append(p.Passed, NestedParam{Name: name, Value: value})
}

// shardStackID is the logical ID of the n-th (1-based) shard stack of a kind.
func shardStackID(kind string, n int) string { return kind + strconv.Itoa(n) + "Stack" }

func resourceID(path string) string {
	s := plan.Sanitize(path)
	if len(s) > 40 {
		s = s[:40]
	}
	return "Res" + s + strings.ToUpper(hashOf(path)[:8])
}

func methodSuffix(m string) string {
	return strings.ToUpper(m[:1]) + strings.ToLower(m[1:])
}

func buildRestTree(methods []plan.Method) *restNode {
	root := &restNode{path: "/"}
	nodes := map[string]*restNode{"/": root}
	var get func(path string) *restNode
	get = func(path string) *restNode {
		if n := nodes[path]; n != nil {
			return n
		}
		i := strings.LastIndexByte(path, '/')
		parentPath := path[:i]
		if parentPath == "" {
			parentPath = "/"
		}
		parent := get(parentPath)
		n := &restNode{path: path, part: path[i+1:], id: resourceID(path), parent: parent}
		parent.children = append(parent.children, n)
		nodes[path] = n
		return n
	}
	for _, m := range methods {
		n := get(m.Path)
		n.methods = append(n.methods, m)
	}
	var walk func(n *restNode) int
	walk = func(n *restNode) int {
		sort.Slice(n.children, func(i, j int) bool { return n.children[i].part < n.children[j].part })
		c := len(n.methods)
		if n != root {
			c++
		}
		for _, ch := range n.children {
			c += walk(ch)
		}
		n.cost = c
		return c
	}
	walk(root)
	return root
}

// bucketCount is the smallest power of two number of stacks such that
// items spread by the hash of their key stay within budget in every stack.
// Hashing (not packing in order) keeps an item in its stack when others
// are added; only a change of the count moves items, and then only half.
func bucketCount(keys []string, costs []int, budget int) int {
	n := 1
	for {
		load := make([]int, n)
		ok := true
		for i, k := range keys {
			b := bucketOf(k, n)
			load[b] += costs[i]
			if load[b] > budget {
				ok = false
			}
		}
		if ok || n >= 1024 {
			return n
		}
		n *= 2
	}
}

// functionsUnder counts the functions a subtree's methods call: one
// permission each in the subtree's stack.
func functionsUnder(n *restNode) int {
	seen := map[string]bool{}
	var walk func(n *restNode)
	walk = func(n *restNode) {
		for _, m := range n.methods {
			seen[m.Function] = true
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return len(seen)
}

func bucketOf(key string, n int) int {
	v, _ := strconv.ParseUint(hashOf(key)[:8], 16, 32)
	return int(v % uint64(n))
}

// restParts lays the REST resource tree over the main API stack and, when
// it is too big, over shard stacks. Units are whole subtrees that fit an
// eighth of a stack (small units spread evenly by hash); a bigger subtree's own resource (and methods) stays in api.yaml
// and its children become units. Shards only ever refer to api.yaml's
// resources, never to each other.
func restParts(pl *plan.Plan, root *restNode) (main *APIPart, shards []*APIPart) {
	main = &APIPart{APIRef: "!Ref RestApi"}
	var units, mainNodes []*restNode
	var split func(n *restNode)
	split = func(n *restNode) {
		if n.cost <= apiResourceBudget/8 {
			units = append(units, n)
			return
		}
		mainNodes = append(mainNodes, n)
		for _, c := range n.children {
			split(c)
		}
	}
	sharded := root.cost+functionsUnder(root) > mainAPIResourceShare
	var mainWhole []*restNode
	for _, c := range root.children {
		if !sharded || c.path == plan.CatchAllPath {
			mainWhole = append(mainWhole, c)
			continue
		}
		split(c)
	}
	fnByName := map[string]*plan.Function{}
	for i := range pl.Functions {
		fnByName[pl.Functions[i].Name] = &pl.Functions[i]
	}
	permSeen := map[*APIPart]map[string]bool{}
	addMethods := func(p *APIPart, n *restNode, resRef string) {
		for _, m := range n.methods {
			id := "RootMethod" + methodSuffix(m.Method)
			if n.path != "/" {
				id = n.id + methodSuffix(m.Method)
			}
			f := fnByName[m.Function]
			p.Methods = append(p.Methods, RestMethod{ID: id, ResourceRef: resRef, HTTPMethod: m.Method, AliasArn: aliasArnSub(pl, f)})
			if permSeen[p] == nil {
				permSeen[p] = map[string]bool{}
			}
			if !permSeen[p][f.Name] {
				permSeen[p][f.Name] = true
				p.Permissions = append(p.Permissions, Permission{ID: f.Name + "Permission", AliasArn: aliasArnSub(pl, f)})
			}
		}
	}
	// refIn is how stack p refers to node n's resource ID; api.yaml passes
	// its own resources to shards as parameters.
	refIn := func(p *APIPart, n *restNode) string {
		switch {
		case n.parent == nil && p.Shard == 0:
			return "!GetAtt RestApi.RootResourceId"
		case n.parent == nil:
			p.addParam("RootResourceId", "Root resource ID of the REST API", "!GetAtt RestApi.RootResourceId")
			return "!Ref RootResourceId"
		case n.shard != p.Shard:
			p.addParam(n.id, "Resource ID of "+n.path, "!Ref "+n.id)
		}
		return "!Ref " + n.id
	}
	var emit func(p *APIPart, n *restNode, whole bool)
	emit = func(p *APIPart, n *restNode, whole bool) {
		n.shard = p.Shard
		p.Resources = append(p.Resources, RestResource{ID: n.id, ParentRef: refIn(p, n.parent), PathPart: n.part})
		addMethods(p, n, "!Ref "+n.id)
		if whole {
			for _, c := range n.children {
				emit(p, c, true)
			}
		}
	}
	addMethods(main, root, "!GetAtt RestApi.RootResourceId")
	for _, n := range mainWhole {
		emit(main, n, true)
	}
	for _, n := range mainNodes {
		emit(main, n, false)
	}
	if len(units) == 0 {
		return main, nil
	}
	keys := make([]string, len(units))
	costs := make([]int, len(units))
	for i, u := range units {
		keys[i], costs[i] = u.path, u.cost+functionsUnder(u)
	}
	n := bucketCount(keys, costs, apiResourceBudget)
	byBucket := make([]*APIPart, n)
	for i, u := range units {
		b := bucketOf(keys[i], n)
		if byBucket[b] == nil {
			byBucket[b] = &APIPart{Shard: b + 1, APIRef: "!Ref RestApiId"}
		}
		emit(byBucket[b], u, true)
	}
	for _, p := range byBucket {
		if p != nil {
			shards = append(shards, p)
		}
	}
	return main, shards
}

// ---- HTTP API ----

// HTTPRoute is one AWS::ApiGatewayV2::Route.
type HTTPRoute struct {
	ID             string
	RouteKey       string
	IntegrationRef string // !Sub string: integrations/${X}
}

// HTTPIntegration is one AWS::ApiGatewayV2::Integration.
type HTTPIntegration struct {
	ID       string
	AliasArn string
}

func httpParts(pl *plan.Plan) (main *APIPart, shards []*APIPart) {
	main = &APIPart{APIRef: "!Ref HttpApi"}
	byFn := map[string][]plan.Method{}
	var fns []string
	for _, m := range pl.Methods {
		if byFn[m.Function] == nil {
			fns = append(fns, m.Function)
		}
		byFn[m.Function] = append(byFn[m.Function], m)
	}
	sort.Strings(fns)
	total := 0
	var keys []string
	var costs []int
	for _, name := range fns {
		total += len(byFn[name]) + 2
		if name != plan.DefaultFunction {
			keys = append(keys, name)
			costs = append(costs, len(byFn[name])+2)
		}
	}
	n := 0
	if total > mainAPIResourceShare {
		n = bucketCount(keys, costs, httpResourceBudget)
	}
	byBucket := make([]*APIPart, n)
	for _, name := range fns {
		f := pl.Function(name)
		p := main
		if n > 0 && name != plan.DefaultFunction {
			b := bucketOf(name, n)
			if byBucket[b] == nil {
				byBucket[b] = &APIPart{Shard: b + 1, APIRef: "!Ref ApiId"}
			}
			p = byBucket[b]
		}
		integ := HTTPIntegration{ID: name + "Integration", AliasArn: aliasArnSub(pl, f)}
		p.Integrations = append(p.Integrations, integ)
		p.Permissions = append(p.Permissions, Permission{ID: name + "Permission", AliasArn: integ.AliasArn})
		for _, m := range byFn[name] {
			key := m.Method + " " + m.Path
			id := "Route" + plan.Sanitize(m.Path)
			if len(id) > 45 {
				id = id[:45]
			}
			id += methodSuffix(m.Method) + strings.ToUpper(hashOf(key)[:8])
			switch {
			case m.Path == plan.CatchAllPath && m.Method == "ANY" && name == plan.DefaultFunction:
				key, id = "$default", "DefaultRoute"
			case m.Path == "/" && m.Method == "ANY" && name == plan.DefaultFunction:
				key, id = "ANY /", "RootRoute"
			}
			p.Routes = append(p.Routes, HTTPRoute{ID: id, RouteKey: key, IntegrationRef: "integrations/${" + integ.ID + "}"})
		}
	}
	for _, p := range byBucket {
		if p != nil {
			shards = append(shards, p)
		}
	}
	return main, shards
}

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
