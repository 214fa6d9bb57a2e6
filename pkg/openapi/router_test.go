package openapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

// withMethod adds an operation for one method beside ANY on a path.
func withMethod(t *testing.T, doc []byte, path, method, fn string) []byte {
	t.Helper()
	d, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	any := d.Paths[path][AnyMethod]
	op := *any
	in := *any.Integration
	if in.Ref != "" {
		in.Ref = IntegrationRefPrefix + fn
		d.Components.Integrations[fn] = &Integration{Type: "aws_proxy", HTTPMethod: "POST", URI: target.InvocationURI("shop-dev_"+fn, "dev"), PayloadFormatVersion: "2.0", ConnectionType: "INTERNET"}
	} else {
		in.URI = target.InvocationURI("shop-dev_"+fn, "dev")
	}
	op.Integration = &in
	d.Paths[path][method] = &op
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type routeCase struct {
	method, path string
	fn, matched  string // "" fn: no route (API Gateway answers itself)
	params       map[string]string
}

func checkRoutes(t *testing.T, rt *Router, cases []routeCase) {
	t.Helper()
	for _, c := range cases {
		m, ok := rt.Route(c.method, c.path)
		switch {
		case c.fn == "" && ok:
			t.Errorf("%s %s reached %s (%s), want no route", c.method, c.path, m.FunctionName, m.Path)
		case c.fn == "":
		case !ok:
			t.Errorf("%s %s reached nothing, want %s", c.method, c.path, c.fn)
		case m.FunctionName != "shop-dev_"+c.fn || m.Path != c.matched || m.Qualifier != "dev":
			t.Errorf("%s %s reached %s:%s via %s, want shop-dev_%s via %s", c.method, c.path, m.FunctionName, m.Qualifier, m.Path, c.fn, c.matched)
		case c.params != nil && !reflect.DeepEqual(m.Params, c.params):
			t.Errorf("%s %s params %v, want %v", c.method, c.path, m.Params, c.params)
		}
	}
}

// TestHTTPRouteSelection is the example of API Gateway's "Routing API
// requests" (HTTP APIs): a full match first, then the most specific greedy
// route, then $default; ANY catches the methods a route does not define.
func TestHTTPRouteSelection(t *testing.T) {
	doc := build(t, HTTP,
		r("/pets/dog/1", "Dog1"), r("/pets/dog/{id}", "DogID"), r("/pets/{proxy+}", "PetsProxy"),
		r("/{proxy+}", "RootProxy"), r(DefaultPath, "Default"))
	// GET /pets/{proxy+} in the documentation's example is a GET route; here
	// the path's ANY goes elsewhere, so POST falls through to ANY /{proxy+}.
	doc = withMethod(t, doc, "/pets/{proxy+}", "get", "PetsGet")
	if _, err := Validate(HTTP, doc); err != nil {
		t.Fatal(err)
	}
	rt, err := NewRouter(HTTP, doc)
	if err != nil {
		t.Fatal(err)
	}
	checkRoutes(t, rt, []routeCase{
		{"GET", "/pets/dog/1", "Dog1", "/pets/dog/1", map[string]string{}},
		{"GET", "/pets/dog/2", "DogID", "/pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/cat/1", "PetsGet", "/pets/{proxy+}", map[string]string{"proxy": "cat/1"}},
		{"POST", "/pets/cat/1", "PetsProxy", "/pets/{proxy+}", nil},
		{"GET", "/", "Default", DefaultPath, nil},
		{"GET", "/other", "RootProxy", "/{proxy+}", map[string]string{"proxy": "other"}},
		{"GET", "/pets/dog/1/", "Dog1", "/pets/dog/1", nil},
		{"GET", "/pets%2Fdog/1", "Dog1", "/pets/dog/1", nil},
	})
}

// TestRESTResourceSelection: a literal resource before a parameter before
// a greedy one; an unmatched branch falls back to the deepest greedy
// resource above; a method the resource lacks (and no ANY) is API
// Gateway's own 403, without falling back.
func TestRESTResourceSelection(t *testing.T) {
	doc := build(t, REST,
		r("/", "Home"), r("/a", "A"), r("/a/b", "AB"), r("/a/{id}", "AID"), r("/a/{id}/c", "AIDC"),
		r("/a/b/{rest+}", "ABRest"), r("/{proxy+}", "Default"))
	doc = withMethod(t, doc, "/a/b", "get", "ABGet")
	rt, err := NewRouter(REST, doc)
	if err != nil {
		t.Fatal(err)
	}
	checkRoutes(t, rt, []routeCase{
		{"GET", "/", "Home", "/", nil},
		{"GET", "", "Home", "/", nil},
		{"GET", "/a/b", "ABGet", "/a/b", nil},
		{"DELETE", "/a/b", "AB", "/a/b", nil},
		{"GET", "/a/x", "AID", "/a/{id}", map[string]string{"id": "x"}},
		{"GET", "/a/b/c", "ABRest", "/a/b/{rest+}", map[string]string{"rest": "c"}},
		{"GET", "/a/x/c", "AIDC", "/a/{id}/c", map[string]string{"id": "x"}},
		{"GET", "/a/x/d", "Default", "/{proxy+}", map[string]string{"proxy": "a/x/d"}},
		{"GET", "/zzz/y", "Default", "/{proxy+}", nil},
	})
	// Without a method (and no ANY) on the resource, and without a greedy
	// resource, API Gateway answers itself.
	bare := build(t, REST, r("/a", "A"))
	var d Document
	if err := json.Unmarshal(bare, &d); err != nil {
		t.Fatal(err)
	}
	d.Paths["/a"] = PathItem{"get": d.Paths["/a"][AnyMethod]}
	bare, _ = json.Marshal(&d)
	rt, _ = NewRouter(REST, bare)
	checkRoutes(t, rt, []routeCase{
		{"GET", "/a", "A", "/a", nil},
		{"OPTIONS", "/a", "", "", nil},
		{"GET", "/b", "", "", nil},
		{"GET", "/", "", "", nil},
	})
}
