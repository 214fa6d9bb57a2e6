package plan

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// MaxEnvBytes is Lambda's limit on a function's environment variables:
// 4 KB, measured on their JSON form (Lambda's error quotes the "String
// measured", a JSON object).
const MaxEnvBytes = 4096

// Runtime is one Lambda Python runtime and where it stands in Lambda's
// runtime deprecation table (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
type Runtime struct {
	ID string
	// Deprecated is the deprecation date ("" while supported).
	Deprecated string
	// BlockCreate and BlockUpdate are the dates from which Lambda refuses
	// to create functions on the runtime, then to update them.
	BlockCreate, BlockUpdate string
	// CreateBlocked and UpdateBlocked are true when Lambda no longer
	// creates, then no longer updates, functions on it (facts of the
	// table's last update: no clock decides them).
	CreateBlocked, UpdateBlocked bool
}

// Runtimes are the Python runtimes config accepts. Update this table from
// Lambda's runtime deprecation table when it changes (last: 2026-12).
var Runtimes = []Runtime{
	{ID: "python3.10", Deprecated: "2026-06-30", BlockCreate: "2026-07-31", BlockUpdate: "2026-08-31", CreateBlocked: true, UpdateBlocked: true},
	{ID: "python3.11"},
	{ID: "python3.12"},
	{ID: "python3.13"},
	{ID: "python3.14"},
}

func runtimeInfo(id string) (Runtime, bool) {
	for _, r := range Runtimes {
		if r.ID == id {
			return r, true
		}
	}
	return Runtime{}, false
}

// checkFunctions applies Lambda's limits to the planned functions:
// provisioned concurrency within reserved concurrency, the 4 KB
// environment, and the runtime accepting new functions.
func checkFunctions(pl *Plan, c *config.Config, rules map[string]int, diags *diag.List) {
	at := func(name string) (string, int, int) {
		if i, ok := rules[name]; ok && i >= 0 && i < len(c.Functions.Rules) {
			p := c.Functions.Rules[i].Pos
			return p.File, p.Line, p.Col
		}
		return c.Path, 0, 0
	}
	var created []string
	for _, f := range pl.Functions {
		file, line, col := at(f.Name)
		if p := f.ProvisionedConcurrency; p != nil {
			switch {
			case *p < 1:
				diags.Errf(file, line, col, "function %s: provisioned_concurrency %d: Lambda needs at least 1 (leave it unset for none)", f.Name, *p)
			case f.ReservedConcurrency != nil && *p > *f.ReservedConcurrency:
				diags.Errf(file, line, col, "function %s: provisioned_concurrency %d is more than its reserved_concurrency %d; Lambda refuses it", f.Name, *p, *f.ReservedConcurrency)
			}
		}
		env := pl.FunctionEnv(f.Name)
		if pl.StaticURLFromStack() {
			// Deployed, STATIC_URL is https://<distribution>.cloudfront.net/static/.
			env[EnvStaticURL] = "https://d111111abcdef8.cloudfront.net" + StaticPath
		}
		if b, err := json.Marshal(env); err == nil && len(b) > MaxEnvBytes {
			keys := make([]string, 0, len(env))
			for k := range env {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return len(env[keys[i]])+len(keys[i]) > len(env[keys[j]])+len(keys[j]) })
			if len(keys) > 3 {
				keys = keys[:3]
			}
			diags.Errf(c.Path, 0, 0, "function %s: its environment variables take %d bytes, over Lambda's %s (%d bytes); the largest are %s", f.Name, len(b), human.Bytes(MaxEnvBytes), MaxEnvBytes, strings.Join(keys, ", "))
		}
		if f.New {
			created = append(created, f.Name)
		}
	}
	if rt, ok := runtimeInfo(pl.Runtime); ok && rt.CreateBlocked {
		switch {
		case rt.UpdateBlocked:
			diags.Errf(c.Path, 0, 0, "python: %s is deprecated (%s) and Lambda neither creates nor updates functions on it (since %s and %s): use python 3.11 or later", rt.ID, rt.Deprecated, rt.BlockCreate, rt.BlockUpdate)
		case len(created) > 0:
			if len(created) > 5 {
				created = append(created[:5], "...")
			}
			diags.Errf(c.Path, 0, 0, "python: %s is deprecated (%s) and Lambda no longer creates functions on it (since %s); this deployment creates %s: use python 3.11 or later", rt.ID, rt.Deprecated, rt.BlockCreate, strings.Join(created, ", "))
		default:
			diags.Warnf(c.Path, 0, 0, "python: %s is deprecated (%s); Lambda refuses updates to functions on it from %s: move to python 3.11 or later", rt.ID, rt.Deprecated, rt.BlockUpdate)
		}
	}
}
