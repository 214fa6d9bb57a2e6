package serve

import (
	"fmt"
	"strings"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/render"
)

// Router matches a request to the API entry API Gateway would pick.
// path is the request path below the stage (REST) or the whole path (HTTP
// API), still percent-encoded.
type Router interface {
	Match(method, path string) (Match, bool)
}

// Match is the API entry serving a request.
type Match struct {
	// Function is the plan's function name.
	Function string
	// Resource is the REST resource path ("/polls/{id}", "/{proxy+}") or the
	// HTTP API route's path.
	Resource string
	// RouteKey is the HTTP API route key ("ANY /polls/{id}", "$default").
	RouteKey string
	// Params are the path parameters, decoded; nil when there are none.
	Params map[string]string
	// Timeout is the integration's own timeout; 0 means API Gateway's
	// default.
	Timeout time.Duration
}

// DocumentRouter routes with the API's OpenAPI document, the bytes render
// writes and CloudFormation imports, through pkg/openapi's router (API
// Gateway's resource selection for REST, route selection for the HTTP
// API); the integration's function name is mapped back to the plan's
// function.
type DocumentRouter struct {
	kind       string
	r          *openapi.Router
	byPhysical map[string]string
	binary     []string
}

var _ Router = (*DocumentRouter)(nil)

// PlanRouter renders the plan's OpenAPI document and routes with it.
func PlanRouter(pl *plan.Plan) (*DocumentRouter, error) {
	doc, err := render.OpenAPIDocument(pl)
	if err != nil {
		return nil, err
	}
	return NewDocumentRouter(pl, doc)
}

// NewDocumentRouter routes with doc, an OpenAPI document of the plan's API.
func NewDocumentRouter(pl *plan.Plan, doc []byte) (*DocumentRouter, error) {
	kind := openapi.REST
	if pl.APIType == "http" {
		kind = openapi.HTTP
	}
	r, err := openapi.NewRouter(kind, doc)
	if err != nil {
		return nil, fmt.Errorf("serve: route with the OpenAPI document: %w", err)
	}
	parsed, err := openapi.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	d := &DocumentRouter{kind: kind, r: r, byPhysical: map[string]string{}, binary: parsed.BinaryMediaTypes}
	for _, f := range pl.Functions {
		d.byPhysical[f.PhysicalName] = f.Name
	}
	return d, nil
}

// BinaryMediaTypes are the document's (REST only).
func (d *DocumentRouter) BinaryMediaTypes() []string { return d.binary }

// Match implements Router.
func (d *DocumentRouter) Match(method, path string) (Match, bool) {
	m, ok := d.r.Route(method, path)
	if !ok {
		return Match{}, false
	}
	fn, ok := d.byPhysical[m.FunctionName]
	if !ok {
		return Match{}, false
	}
	out := Match{Function: fn, Resource: m.Path, Timeout: time.Duration(m.Integration.TimeoutInMillis) * time.Millisecond}
	if len(m.Params) > 0 {
		out.Params = m.Params
	}
	if d.kind == openapi.HTTP {
		switch {
		case m.Path == openapi.DefaultPath:
			out.Resource, out.RouteKey = "$default", "$default"
		case m.Operation == openapi.AnyMethod:
			out.RouteKey = "ANY " + m.Path
		default:
			out.RouteKey = strings.ToUpper(m.Operation) + " " + m.Path
		}
	}
	return out, true
}
