// Package render turns a plan into CloudFormation templates: root.yaml with
// nested stacks, lambdas.yaml and api.yaml, plus shard templates when a
// project outgrows CloudFormation's per-stack limits; the API's OpenAPI
// document (loaded by API Gateway from S3); and the deployment record
// that says where every function and resolver was placed. Templates are
// executed strictly (missing keys are errors) from typed data with a func
// map of pure helpers only, and the output is byte-deterministic.
package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/human"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/templates"
)

// Artifact is one uploaded zip. SHA256 is the hex key that addresses it:
// the zip is stored at <Prefix>/<SHA256>.zip and the key goes into the
// functions' Version IDs. Render treats it as an opaque identity and never
// assumes it is the zip's own digest: for the code, project and runtime
// zips it is, but the dependencies layer is keyed by the hash of its
// resolved inputs (requirements, platform, Python version, vendored files)
// so that its key is known before it is built.
type Artifact struct {
	SHA256 string
	Size   int64
	// UnzippedSize is the size of the extracted files; 0 when unknown. The
	// code and the layers together must stay under Lambda's 250 MB.
	UnzippedSize int64
}

// Artifacts is what the templates point at.
type Artifacts struct {
	// Prefix is the S3 key prefix (the project name): keys are
	// <Prefix>/<sha256>.zip and <Prefix>/templates/<sha256>.yaml.
	Prefix string
	// Deps is the dependencies layer, keyed by the hash of its inputs. The
	// zero Artifact (SHA256 "") means the project has no dependencies: no
	// deps layer is rendered and functions get the project and runtime
	// layers only.
	Deps    Artifact
	Project Artifact
	Runtime Artifact
	Code    Artifact
	// GraphQLSDL is the AppSync schema; "" renders no AppSync API.
	GraphQLSDL string
	// Static are the collected static files the deployment serves
	// (static.mode cloudfront), listed in the deployment record;
	// StaticBucket is the bucket they are uploaded to ("" offline).
	Static       []record.StaticFile
	StaticBucket string
}

// Template is one rendered template.
type Template struct {
	Name   string // "lambdas.yaml", "api-methods-2.yaml", "root.yaml", ...
	Body   []byte
	SHA256 string // hex sha256 of Body; the S3 key is <prefix>/templates/<SHA256>.yaml
}

// File is an extra object the templates reference and the caller uploads.
type File struct {
	Key  string // S3 key
	Body []byte
}

// Output is the result of Render.
type Output struct {
	// APIKeyExpiry is true when root.yaml declares the GraphQLApiKeyExpires
	// parameter (AppSync with API_KEY auth), which the deploy must set.
	APIKeyExpiry bool
	// Templates in upload order: children first, root.yaml last.
	Templates []Template
	// Files the templates reference besides the zips, in upload order (all
	// before any template): a schema too big to inline
	// (<prefix>/<sha256>.graphql), the API's OpenAPI document, the
	// deployment record.
	Files []File
	// OpenAPI is the API's document (also in Files).
	OpenAPI File
	// Record is the deployment record (also in Files); root.yaml names
	// its key in Metadata.
	Record File
	// Placement is the record's content.
	Placement record.Record
	// ManageTemplateKey is the S3 key of manage.yaml, the value of the
	// root's ManageTemplateKey parameter.
	ManageTemplateKey string
	// Diagnostics are warnings and notes about the rendering.
	Diagnostics diag.List
}

// TemplateKey is the S3 key of a rendered template.
func TemplateKey(prefix, sha string) string { return prefix + "/templates/" + sha + ".yaml" }

// OpenAPIKey is the S3 key of an OpenAPI document.
func OpenAPIKey(prefix, sha string) string { return prefix + "/openapi/" + sha + ".json" }

// Template returns the named template, or nil.
func (o *Output) Template(name string) *Template {
	for i := range o.Templates {
		if o.Templates[i].Name == name {
			return &o.Templates[i]
		}
	}
	return nil
}

var engine = parseTemplates()

func parseTemplates() *template.Template {
	t := template.New("templates").Option("missingkey=error")
	t.Funcs(funcs(t))
	// ParseFS of embedded, tested files; an error here is a build defect
	// caught by every test, and is reported by Render, not panicked.
	parsed, err := t.ParseFS(templates.FS, "*.yaml")
	if err != nil {
		parseErr = err
		return t
	}
	return parsed
}

var parseErr error

// funcs are the only helpers templates get: pure, no env, no clock.
func funcs(t *template.Template) template.FuncMap {
	return template.FuncMap{
		"q": quote,
		"include": func(name string, data any) (string, error) {
			var b strings.Builder
			if err := t.ExecuteTemplate(&b, name, data); err != nil {
				return "", err
			}
			return b.String(), nil
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
		},
		"sub": func(s string) string { return "!Sub " + quote(s) },
		"layer": func(kind, desc, key string, pl *plan.Plan) LayerView {
			return LayerView{Kind: kind, Description: desc, Key: key, Plan: pl}
		},
		"warmupPayload": func() string { return plan.WarmupPayload },
		"resolverPart": func(p *APIPart, apiRef string) ResolverPart {
			return ResolverPart{APIRef: apiRef, Resolvers: p.Resolvers}
		},
	}
}

// quote renders any string as a YAML double-quoted scalar (JSON string
// syntax is a subset of it), so colons, quotes, '*', '!' or newlines in
// values can never change the document's structure.
func quote(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return `"` + s + `"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

type renderer struct {
	pl  *plan.Plan
	a   Artifacts
	out *Output
}

func (r *renderer) exec(file, name string, data any) (Template, error) {
	var b bytes.Buffer
	if err := engine.ExecuteTemplate(&b, file, data); err != nil {
		return Template{}, fmt.Errorf("render %s: %w", name, err)
	}
	body := b.Bytes()
	t := Template{Name: name, Body: body, SHA256: sum(body)}
	r.out.Templates = append(r.out.Templates, t)
	return t, nil
}

// LayerView is one layer resource.
type LayerView struct {
	Kind, Description, Key string
	Plan                   *plan.Plan
}

// ResolverPart is a list of resolvers and how they name their API.
type ResolverPart struct {
	APIRef    string
	Resolvers []ResolverView
}

// stamp fills what every nested stack resource repeats.
func (r *renderer) stamp(ns *NestedStack) {
	ns.Prefix, ns.Project, ns.Environment = r.a.Prefix, r.pl.Project, r.pl.Environment
}

// RootView is the data of root.yaml.
type RootView struct {
	Plan    *plan.Plan
	Prefix  string
	Stacks  []NestedStack
	Outputs []OutputView
	// APIKeyExpiry: the AppSync API key's expiry is a root parameter
	// (GraphQLApiKeyExpires, Unix seconds) that deploy sets, since
	// rendering may not read the clock.
	APIKeyExpiry bool
	// RecordKey is the deployment record's S3 key, named in Metadata.
	RecordKey string
	// StaticBucket: the stack takes the static files' bucket (StaticBucket
	// parameter, cloudfront mode).
	StaticBucket bool
	// ManageTemplateKey is the default of the ManageTemplateKey parameter.
	ManageTemplateKey string
	// Records are the domain's Route 53 alias records.
	Records []RecordView
}

// APIView is the data of api.yaml.
type APIView struct {
	Plan   *plan.Plan
	Prefix string
	Main   *APIPart
	Shards []NestedStack
	// DocumentKey is the OpenAPI document's S3 key.
	DocumentKey string
	// DeploymentID (REST) carries a hash of the OpenAPI document, whose
	// integration URIs name every function alias: any change to what the
	// API serves is a new deployment.
	DeploymentID string
	AppSync      *AppSyncView
	APIKeyExpiry bool
	// Domain is the API Gateway custom domain (a domain without CloudFront
	// in front); nil otherwise.
	Domain *plan.Domain
	// APIDomain is the execute-api host name (a !Sub string) the
	// CloudFront front door reaches the API at; "" without one.
	APIDomain string
	// StageID and DomainID are the logical IDs of the stage and of the
	// custom domain (apiIDs).
	StageID, DomainID string
}

// ShardView is the data of an API permissions or resolvers shard.
type ShardView struct {
	Plan *plan.Plan
	Part *APIPart
}

// HasDeps reports whether the artifacts include a dependencies layer.
func (a Artifacts) HasDeps() bool { return a.Deps.SHA256 != "" }

func checkArtifacts(a Artifacts) error {
	if !a.HasDeps() && a.Deps != (Artifact{}) {
		return fmt.Errorf("render: deps layer has a size (%d bytes, %d unzipped) but no sha256", a.Deps.Size, a.Deps.UnzippedSize)
	}
	for _, x := range []struct {
		name     string
		a        Artifact
		optional bool
	}{{"deps layer", a.Deps, true}, {"project layer", a.Project, false}, {"runtime layer", a.Runtime, false}, {"function code", a.Code, false}} {
		if x.optional && x.a.SHA256 == "" {
			continue
		}
		if len(x.a.SHA256) != 64 || strings.Trim(x.a.SHA256, "0123456789abcdef") != "" {
			return fmt.Errorf("render: %s sha256 %q is not 64 lower-case hex digits", x.name, x.a.SHA256)
		}
	}
	if a.Prefix == "" || strings.HasPrefix(a.Prefix, "/") || strings.HasSuffix(a.Prefix, "/") {
		return fmt.Errorf("render: artifact prefix %q must be non-empty without leading or trailing /", a.Prefix)
	}
	total := a.Deps.UnzippedSize + a.Project.UnzippedSize + a.Runtime.UnzippedSize + a.Code.UnzippedSize
	if total > lambdaUnzippedMaxBytes {
		return fmt.Errorf("render: function code and layers unzip to %s, over Lambda's %s limit (deps %s, project %s, runtime %s, code %s)",
			human.Bytes(total), human.Bytes(lambdaUnzippedMaxBytes), human.Bytes(a.Deps.UnzippedSize), human.Bytes(a.Project.UnzippedSize),
			human.Bytes(a.Runtime.UnzippedSize), human.Bytes(a.Code.UnzippedSize))
	}
	return nil
}

// Render renders every template of the plan, the API's OpenAPI document
// and the deployment record. Templates come out children first, root.yaml
// last, each named in its parent by its content hash.
func Render(pl *plan.Plan, a Artifacts) (*Output, error) {
	if parseErr != nil {
		return nil, fmt.Errorf("render: parse templates: %w", parseErr)
	}
	if pl == nil {
		return nil, fmt.Errorf("render: no plan")
	}
	if err := checkArtifacts(a); err != nil {
		return nil, err
	}
	r := &renderer{pl: pl, a: a, out: &Output{}}
	root := &RootView{Plan: pl, Prefix: a.Prefix, StaticBucket: pl.CloudFront()}
	bucket := NestedParam{Name: "ArtifactsBucket", Value: "!Ref ArtifactsBucket"}
	rec := record.Record{Stack: pl.Stack}

	// Lambdas stacks: the first always (it owns the layers), the others
	// when they hold functions.
	var lambdaIDs []string
	for i, v := range lambdasViews(pl, a) {
		if i > 0 && len(v.Functions) == 0 {
			continue
		}
		name, id := "lambdas.yaml", "LambdasStack"
		if i > 0 {
			name, id = fmt.Sprintf("lambdas-%d.yaml", i+1), shardStackID("Lambdas", i+1)
		}
		t, err := r.exec("lambdas.yaml", name, v)
		if err != nil {
			return nil, err
		}
		ns := NestedStack{ID: id, TemplateSHA: t.SHA256, Parameters: []NestedParam{bucket}}
		if i > 0 {
			for _, l := range layerArnOutputs(a) {
				ns.Parameters = append(ns.Parameters, NestedParam{Name: l, Value: "!GetAtt LambdasStack.Outputs." + l})
			}
		}
		if v.StaticDomainParam {
			ns.Parameters = append(ns.Parameters, NestedParam{Name: "StaticDomainName", Value: "!GetAtt StaticStack.Outputs.DomainName"})
		}
		root.Stacks = append(root.Stacks, ns)
		lambdaIDs = append(lambdaIDs, id)
	}
	for _, f := range pl.Functions {
		rec.Functions = append(rec.Functions, record.Function{Name: f.Name, PhysicalName: f.PhysicalName, Shard: f.Shard + 1, Runtime: pl.Runtime})
	}
	rec.Migrations = pl.Migrations

	// The manage function: a stack of its own, its template key a root
	// parameter.
	if pl.Manage != nil {
		t, err := r.exec("lambdas.yaml", ManageTemplateName, manageView(pl, a))
		if err != nil {
			return nil, err
		}
		r.out.ManageTemplateKey = TemplateKey(a.Prefix, t.SHA256)
		root.ManageTemplateKey = r.out.ManageTemplateKey
		root.Stacks = append(root.Stacks, NestedStack{ID: ManageStackID, TemplateSHA: t.SHA256, TemplateKeyParam: ManageTemplateParam, Parameters: []NestedParam{bucket}})
	}
	if a.HasDeps() {
		rec.DepsLayer = &record.Layer{Key: artifactKey(a.Prefix, a.Deps.SHA256, ".zip"), UnzippedSize: a.Deps.UnzippedSize}
	}
	if pl.CloudFront() {
		rec.Static = &record.Static{Bucket: a.StaticBucket, Prefix: pl.Static.Prefix, Files: a.Static}
	}

	// The API: one OpenAPI document (every path ANY to its function's
	// alias), loaded from S3 by API Gateway; permissions beside it, in
	// api.yaml for the functions of the first lambdas stack and in one
	// permissions stack per other lambdas stack, so they never move.
	doc, err := openAPIDocument(pl)
	if err != nil {
		return nil, err
	}
	docFile := File{Key: OpenAPIKey(a.Prefix, sum(doc)), Body: doc}
	r.out.OpenAPI = docFile
	ids, err := apiIDs(pl)
	if err != nil {
		return nil, err
	}
	rec.API = ids
	av := &APIView{Plan: pl, Prefix: a.Prefix, Main: &APIPart{}, DocumentKey: docFile.Key, StageID: ids.StageID, DomainID: restDomainID}
	if ids.DomainID != "" {
		av.DomainID = ids.DomainID
	}
	if d := pl.Domain; d != nil {
		switch d.Front {
		case plan.FrontAPIGateway:
			av.Domain = d
		case plan.FrontCloudFront:
			api := "${RestApi}"
			if pl.APIType == "http" {
				api = "${HttpApi}"
			}
			av.APIDomain = api + ".execute-api.${AWS::Region}.${AWS::URLSuffix}"
		}
	}
	apiID := "${RestApi}"
	sourceArn := func(api string) string {
		if pl.APIType == "http" {
			return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:" + api + "/*"
		}
		return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:" + api + "/" + pl.StageName + "/*"
	}
	if pl.APIType == "http" {
		apiID = "${HttpApi}"
	} else {
		av.DeploymentID = "Deployment" + sum(doc)[:12]
	}
	av.Main.SourceArn = sourceArn(apiID)
	reached := map[string]bool{}
	for _, e := range pl.API {
		reached[e.Function] = true
	}
	perShard := map[int]*APIPart{}
	for i := range pl.Functions {
		f := &pl.Functions[i]
		if !reached[f.Name] {
			continue
		}
		p := av.Main
		if f.Shard > 0 {
			if perShard[f.Shard] == nil {
				param, ref := "RestApiId", "!Ref RestApi"
				if pl.APIType == "http" {
					param, ref = "ApiId", "!Ref HttpApi"
				}
				perShard[f.Shard] = &APIPart{Shard: f.Shard + 1, Kind: "permissions",
					Params:    []ParamView{{Name: param, Description: "ID of the API that invokes these functions"}},
					Passed:    []NestedParam{{Name: param, Value: ref}},
					SourceArn: sourceArn("${" + param + "}")}
			}
			p = perShard[f.Shard]
		}
		p.Permissions = append(p.Permissions, Permission{ID: f.Name + "Permission", AliasArn: aliasArnSub(pl, f)})
	}
	for shard := 1; shard < pl.LambdaShards; shard++ {
		p := perShard[shard]
		if p == nil {
			continue
		}
		t, err := r.exec("api-shard.yaml", fmt.Sprintf("api-permissions-%d.yaml", p.Shard), &ShardView{Plan: pl, Part: p})
		if err != nil {
			return nil, err
		}
		av.Shards = append(av.Shards, NestedStack{ID: shardStackID("ApiPermissions", p.Shard), TemplateSHA: t.SHA256, Parameters: p.Passed})
	}

	// AppSync.
	if pl.GraphQL != nil {
		if a.GraphQLSDL == "" {
			r.out.Diagnostics.Warnf("", 0, 0, "graphql schema %s: no SDL to deploy; AppSync is not rendered", pl.GraphQL.Schema)
		} else {
			as, resolvers, err := appSyncParts(pl, a.GraphQLSDL, &r.out.Diagnostics)
			if err != nil {
				return nil, err
			}
			if len(a.GraphQLSDL) > inlineSchemaMaxBytes {
				key := a.Prefix + "/" + sum([]byte(a.GraphQLSDL)) + ".graphql"
				r.out.Files = append(r.out.Files, File{Key: key, Body: []byte(a.GraphQLSDL)})
				as.DefinitionS3 = "s3://${ArtifactsBucket}/" + key
			} else {
				as.Definition = a.GraphQLSDL
			}
			shards := placeResolvers(resolvers, pl.Previous)
			parts := map[int]*APIPart{}
			maxShard := 0
			for i, rv := range resolvers {
				b := shards[i]
				rec.Resolvers = append(rec.Resolvers, record.Resolver{Type: rv.Type, Field: rv.Field, Shard: b})
				if b == 0 {
					av.Main.Resolvers = append(av.Main.Resolvers, rv)
					continue
				}
				if parts[b] == nil {
					parts[b] = &APIPart{Shard: b, Kind: "resolvers",
						Params: []ParamView{{Name: "GraphQLApiId", Description: "AppSync API ID"}},
						Passed: []NestedParam{{Name: "GraphQLApiId", Value: "!GetAtt GraphQLApi.ApiId"}}}
				}
				parts[b].Resolvers = append(parts[b].Resolvers, rv)
				maxShard = max(maxShard, b)
			}
			for b := 1; b <= maxShard; b++ {
				p := parts[b]
				if p == nil {
					continue
				}
				t, err := r.exec("api-shard.yaml", fmt.Sprintf("api-resolvers-%d.yaml", p.Shard), &ShardView{Plan: pl, Part: p})
				if err != nil {
					return nil, err
				}
				deps := []string{"GraphQLSchema"}
				for _, d := range as.DataSources {
					deps = append(deps, d.ID)
				}
				av.Shards = append(av.Shards, NestedStack{ID: shardStackID("ApiResolvers", p.Shard), TemplateSHA: t.SHA256, Parameters: p.Passed, DependsOn: deps})
			}
			av.AppSync = as
			av.APIKeyExpiry = as.Auth == "API_KEY"
			root.APIKeyExpiry = av.APIKeyExpiry
		}
	}
	for i := range av.Shards {
		r.stamp(&av.Shards[i])
	}
	t, err := r.exec("api.yaml", "api.yaml", av)
	if err != nil {
		return nil, err
	}
	apiStack := NestedStack{ID: "ApiStack", TemplateSHA: t.SHA256, DependsOn: lambdaIDs, Parameters: []NestedParam{bucket}}
	r.out.APIKeyExpiry = av.APIKeyExpiry
	if av.APIKeyExpiry {
		apiStack.Parameters = append(apiStack.Parameters, NestedParam{Name: "GraphQLApiKeyExpires", Value: "!Ref GraphQLApiKeyExpires"})
	}
	root.Stacks = append(root.Stacks, apiStack)

	// Static files: a CloudFront distribution reading the environment's
	// prefix of the static bucket; with a domain, also the front door to
	// the API.
	if pl.CloudFront() {
		t, err := r.exec("static.yaml", "static.yaml", staticView(pl))
		if err != nil {
			return nil, err
		}
		ns := NestedStack{ID: "StaticStack", TemplateSHA: t.SHA256, Parameters: []NestedParam{{Name: "StaticBucket", Value: "!Ref StaticBucket"}}}
		if av.APIDomain != "" {
			ns.Parameters = append(ns.Parameters, NestedParam{Name: "ApiDomain", Value: "!GetAtt ApiStack.Outputs.ApiDomain"})
		}
		root.Stacks = append(root.Stacks, ns)
	}

	root.Records = domainRecords(pl)

	// The record, then the root naming it.
	body, recSHA, err := rec.Encode()
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	r.out.Record = File{Key: record.Key(a.Prefix, recSHA), Body: body}
	r.out.Placement = rec
	r.out.Files = append(r.out.Files, docFile, r.out.Record)
	root.RecordKey = r.out.Record.Key

	// Root outputs: the environment's URLs first.
	root.Outputs = append(root.Outputs, OutputView{Name: "ApiUrl", Value: "!GetAtt ApiStack.Outputs.ApiUrl"})
	site := "!GetAtt ApiStack.Outputs.ApiUrl"
	if u := pl.SiteURL(); u != "" {
		site = quote(u)
	}
	root.Outputs = append(root.Outputs, OutputView{Name: "SiteUrl", Value: site})
	if pl.CloudFront() {
		static := quote(pl.Static.URL)
		if pl.StaticURLFromStack() {
			static = "!Sub " + quote("https://${StaticStack.Outputs.DomainName}"+plan.StaticPath)
		}
		root.Outputs = append(root.Outputs,
			OutputView{Name: "StaticUrl", Value: static},
			OutputView{Name: "DistributionId", Value: "!GetAtt StaticStack.Outputs.DistributionId"})
	}
	if d := pl.Domain; d != nil {
		target := "!GetAtt ApiStack.Outputs.DomainTarget"
		if d.Front == plan.FrontCloudFront {
			target = "!GetAtt StaticStack.Outputs.DomainName"
		}
		root.Outputs = append(root.Outputs, OutputView{Name: "DomainTarget", Value: target})
	}
	if av.AppSync != nil {
		root.Outputs = append(root.Outputs, OutputView{Name: "GraphQLUrl", Value: "!GetAtt ApiStack.Outputs.GraphQLUrl"})
		if av.AppSync.Auth == "API_KEY" {
			root.Outputs = append(root.Outputs, OutputView{Name: "GraphQLApiKeyId", Value: "!GetAtt ApiStack.Outputs.GraphQLApiKeyId"})
		}
	}
	if len(root.Outputs)+len(pl.Functions) <= outputBudget {
		for i := range pl.Functions {
			f := &pl.Functions[i]
			root.Outputs = append(root.Outputs, OutputView{Name: f.Name + "AliasArn", Value: "!Sub " + quote(aliasArnSub(pl, f))})
		}
	} else {
		r.out.Diagnostics.Notef("", 0, 0, "%d functions: alias ARNs are not stack outputs (CloudFormation allows 200 outputs); names start with %s", len(pl.Functions), pl.FunctionPrefix)
	}
	for i := range root.Stacks {
		r.stamp(&root.Stacks[i])
	}
	if _, err := r.exec("root.yaml", "root.yaml", root); err != nil {
		return nil, err
	}
	for _, t := range r.out.Templates {
		if err := checkLimits(t); err != nil {
			return nil, err
		}
	}
	return r.out, nil
}

// openAPIDocument writes the plan's API as an OpenAPI document.
func openAPIDocument(pl *plan.Plan) ([]byte, error) {
	spec := openapi.Spec{
		Kind:   pl.APIType,
		Title:  pl.Stack,
		Target: openapi.Target{Partition: pl.Target.Partition, Region: pl.Target.Region, Account: pl.Target.Account},
	}
	if pl.APIType == "rest" {
		spec.BinaryMediaTypes = pl.BinaryMediaTypes
	}
	for _, e := range pl.API {
		f := pl.Function(e.Function)
		if f == nil {
			return nil, fmt.Errorf("render: API path %s: no function %s in the plan", e.Path, e.Function)
		}
		spec.Routes = append(spec.Routes, openapi.Route{Path: e.Path, Function: f.Name, FunctionName: f.PhysicalName, Alias: pl.Environment})
	}
	doc, err := openapi.Build(spec)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if _, err := openapi.Validate(pl.APIType, doc); err != nil {
		return nil, fmt.Errorf("render: the OpenAPI document would not import: %w", err)
	}
	return doc, nil
}

// placeResolvers gives every resolver a stack: 0 for api.yaml, n > 0 for
// api-resolvers-n.yaml. A resolver the previous deployment had stays where
// it was (AppSync refuses a second resolver on a type and field, and
// CloudFormation would create the moved copy first); new ones, in order,
// go to api.yaml while it holds fewer than mainResolverShare, else to the
// first resolver stack with room, else to a new one.
func placeResolvers(rs []ResolverView, prev *record.Record) []int {
	shards := make([]int, len(rs))
	load := map[int]int{}
	had := map[string]int{}
	if prev != nil {
		for _, x := range prev.Resolvers {
			had[x.Type+"."+x.Field] = x.Shard
		}
	}
	var fresh []int
	for i, rv := range rs {
		if b, ok := had[rv.Type+"."+rv.Field]; ok {
			shards[i] = b
			load[b]++
			continue
		}
		fresh = append(fresh, i)
	}
	for _, i := range fresh {
		b := 0
		if load[0] >= mainResolverShare {
			b = 1
			for load[b] >= resolverBudget {
				b++
			}
		}
		shards[i] = b
		load[b]++
	}
	return shards
}

// checkLimits counts the entries of each top-level section of a rendered
// template (every entry is a line indented by exactly two spaces) against
// CloudFormation's per-template limits.
func checkLimits(t Template) error {
	if len(t.Body) > 1<<20 {
		return fmt.Errorf("render %s: %d bytes, over CloudFormation's template limit of %s (%d bytes)", t.Name, len(t.Body), human.Bytes(1<<20), 1<<20)
	}
	limits := map[string]int{"Resources": 500, "Parameters": 200, "Outputs": 200}
	counts := sectionCounts(t.Body)
	for _, sec := range []string{"Resources", "Parameters", "Outputs"} {
		if counts[sec] > limits[sec] {
			return fmt.Errorf("render %s: %d %s, over CloudFormation's limit of %d per template", t.Name, counts[sec], strings.ToLower(sec), limits[sec])
		}
	}
	return nil
}

// sectionCounts counts the entries of each top-level section: lines indented
// by exactly two spaces that open a mapping entry.
func sectionCounts(body []byte) map[string]int {
	counts := map[string]int{}
	section := ""
	for _, line := range strings.Split(string(body), "\n") {
		switch {
		case line == "":
		case line[0] != ' ':
			section = strings.TrimSuffix(line, ":")
		case len(line) > 2 && line[:2] == "  " && line[2] != ' ' && line[2] != '-' && strings.HasSuffix(line, ":"):
			counts[section]++
		}
	}
	return counts
}
