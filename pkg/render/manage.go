package render

import (
	"sort"

	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// ManageStackID is the root's nested stack holding the manage function,
// and ManageTemplateParam the root parameter naming its template's S3 key:
// a deploy with migrations: before updates that stack alone first (a
// change set with the previous root template and this parameter changed),
// runs the migrations with the new code, then deploys the rest.
const (
	ManageStackID       = "ManageStack"
	ManageTemplateParam = "ManageTemplateKey"
	ManageTemplateName  = "manage.yaml"
)

// manageView is manage.yaml's data: lambdas.yaml with the manage function
// alone, owning layer versions of its own made from the same zips (so
// updating it first never touches what the functions that serve requests
// run on).
func manageView(pl *plan.Plan, a Artifacts) *LambdasView {
	base := lambdasViews(withoutFunctions(pl), a)[0]
	m := pl.Manage
	fv := FunctionView{ID: m.Name, PhysicalName: m.PhysicalName, Memory: m.Memory, Timeout: m.Timeout}
	keys := make([]string, 0, len(m.Env))
	for k := range m.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fv.Env = append(fv.Env, KV{k, m.Env[k]})
	}
	fv.VersionID = m.Name + "Version" + versionHash(pl, a, fv)[:10]
	base.Plan = pl
	base.Shard = 0
	base.Manage = true
	base.OwnsLayers = true
	base.Functions = []FunctionView{fv}
	base.AnyWarm = false
	return base
}

// withoutFunctions is a copy of pl with no functions or warmers and one
// lambdas stack: what lambdasViews needs to build the shared parts (keys,
// secrets, statements) of a view.
func withoutFunctions(pl *plan.Plan) *plan.Plan {
	c := *pl
	c.Functions, c.Warmers, c.LambdaShards = nil, nil, 1
	return &c
}
