package openapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var target = Target{Partition: "aws", Region: "eu-west-1", Account: "123456789012"}

func build(t *testing.T, kind string, routes ...Route) []byte {
	t.Helper()
	doc, err := Build(Spec{Kind: kind, Title: "shop-dev", Target: target, BinaryMediaTypes: []string{"*/*"}, Routes: routes})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func r(path, fn string) Route {
	return Route{Path: path, Function: fn, FunctionName: "shop-dev_" + fn, Alias: "dev"}
}

// TestBuildIsCanonical: the same spec gives the same bytes whatever the
// route order; the document validates.
func TestBuildIsCanonical(t *testing.T) {
	routes := []Route{r("/", "Home"), r("/catalog/{pk}", "Detail"), r("/{proxy+}", "Default"), r("/catalog", "Default")}
	one := build(t, REST, routes...)
	two := build(t, REST, routes[3], routes[1], routes[0], routes[2])
	if !bytes.Equal(one, two) {
		t.Error("route order changed the document")
	}
	stats, err := Validate(REST, one)
	if err != nil || stats.Resources != 4 {
		t.Errorf("stats %+v, err %v", stats, err)
	}
	if _, err := Build(Spec{Kind: REST, Target: target, Routes: []Route{r("/a", "A"), r("/a", "B")}}); err == nil {
		t.Error("a path listed twice was accepted")
	}
	if _, err := Build(Spec{Kind: "websocket"}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestValidateRefuses: each thing API Gateway's import refuses (or this
// tool never writes) is reported.
func TestValidateRefuses(t *testing.T) {
	good := func(kind string) map[string]any {
		var m map[string]any
		routes := []Route{r("/", "Home"), r("/a/{pk}", "A")}
		if kind == HTTP {
			routes = append(routes, r(DefaultPath, "Default"))
		}
		if err := json.Unmarshal(build(t, kind, routes...), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	paths := func(m map[string]any) map[string]any { return m["paths"].(map[string]any) }
	op := func(m map[string]any, p string) map[string]any {
		return paths(m)[p].(map[string]any)[AnyMethod].(map[string]any)
	}
	tests := []struct {
		name, kind, want string
		mut              func(m map[string]any)
	}{
		{"swagger 2", REST, "openapi is \"2.0\"", func(m map[string]any) { m["openapi"] = "2.0" }},
		{"no title", REST, "info needs a title", func(m map[string]any) { m["info"].(map[string]any)["title"] = "" }},
		{"unknown field", REST, "unknown field", func(m map[string]any) { m["x-amazon-apigateway-policy"] = map[string]any{} }},
		{"trailing slash", REST, "must start with / and not end with /", func(m map[string]any) { paths(m)["/b/"] = paths(m)["/"] }},
		{"bad character", REST, "segment \"b@c\" holds '@'", func(m map[string]any) { paths(m)["/b@c"] = paths(m)["/"] }},
		{"partial parameter", REST, "a path parameter is a whole segment", func(m map[string]any) { paths(m)["/b{id}"] = paths(m)["/"] }},
		{"greedy not last", REST, "greedy parameter {x+} must be the last segment", func(m map[string]any) { paths(m)["/{x+}/b"] = paths(m)["/"] }},
		{"two variables per level", REST, "already has the variable child {id}; API Gateway allows one per level", func(m map[string]any) {
			paths(m)["/a/{id}/x"] = map[string]any{AnyMethod: map[string]any{"responses": map[string]any{}, "parameters": []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}, "x-amazon-apigateway-integration": op(m, "/")["x-amazon-apigateway-integration"]}}
		}},
		{"undeclared parameter", REST, "declares parameters [], the path has [pk]", func(m map[string]any) { delete(op(m, "/a/{pk}"), "parameters") }},
		{"no responses", REST, "responses is required", func(m map[string]any) { delete(op(m, "/"), "responses") }},
		{"operation key", REST, "\"trace\" is not an operation", func(m map[string]any) {
			paths(m)["/"].(map[string]any)["trace"] = op(m, "/")
		}},
		{"not a proxy", REST, "want aws_proxy POST", func(m map[string]any) {
			op(m, "/")["x-amazon-apigateway-integration"].(map[string]any)["httpMethod"] = "GET"
		}},
		{"bad uri", REST, "is not a Lambda invocation URI", func(m map[string]any) {
			op(m, "/")["x-amazon-apigateway-integration"].(map[string]any)["uri"] = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:${AWS::AccountId}:function:x/invocations"
		}},
		{"regions differ", REST, "mixes partitions or regions", func(m map[string]any) {
			op(m, "/")["x-amazon-apigateway-integration"].(map[string]any)["uri"] = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:x/invocations"
		}},
		{"binary type", REST, "binary media type \"image\" is not type/subtype", func(m map[string]any) { m["x-amazon-apigateway-binary-media-types"] = []any{"image"} }},
		{"REST $ref", REST, "integration $ref is for HTTP APIs only", func(m map[string]any) {
			op(m, "/")["x-amazon-apigateway-integration"] = map[string]any{"$ref": IntegrationRefPrefix + "Home"}
		}},
		{"HTTP without $default", HTTP, "exactly one $default route, found 0", func(m map[string]any) { delete(paths(m), DefaultPath) }},
		{"HTTP dangling $ref", HTTP, "does not name a component", func(m map[string]any) {
			op(m, "/")["x-amazon-apigateway-integration"] = map[string]any{"$ref": IntegrationRefPrefix + "Nope"}
		}},
		{"HTTP unused component", HTTP, "integration component Extra is not used", func(m map[string]any) {
			ints := m["components"].(map[string]any)["x-amazon-apigateway-integrations"].(map[string]any)
			ints["Extra"] = ints["Home"]
		}},
		{"HTTP payload version", HTTP, "payloadFormatVersion \"3.0\"", func(m map[string]any) {
			m["components"].(map[string]any)["x-amazon-apigateway-integrations"].(map[string]any)["Home"].(map[string]any)["payloadFormatVersion"] = "3.0"
		}},
		{"HTTP binary types", HTTP, "x-amazon-apigateway-binary-media-types is for REST APIs only", func(m map[string]any) { m["x-amazon-apigateway-binary-media-types"] = []any{"*/*"} }},
		{"isDefaultRoute elsewhere", HTTP, "isDefaultRoute is for the HTTP API $default route only", func(m map[string]any) { op(m, "/")["isDefaultRoute"] = true }},
	}
	for _, tt := range tests {
		m := good(tt.kind)
		if _, err := Validate(tt.kind, mustJSON(t, m)); err != nil {
			t.Fatalf("%s: the unmodified document fails: %v", tt.name, err)
		}
		tt.mut(m)
		_, err := Validate(tt.kind, mustJSON(t, m))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := Validate(REST, bytes.Repeat([]byte(" "), MaxDocumentBytes+1)); err == nil || !strings.Contains(err.Error(), "import limit") {
		t.Errorf("oversized document: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStats counts what API Gateway's quotas count: REST resources are
// path nodes (intermediate ones and the root included); HTTP routes are
// paths, integrations are components.
func TestStats(t *testing.T) {
	doc := build(t, REST, r("/", "Home"), r("/a/b/c", "C"), r("/a/{pk}", "P"), r("/{proxy+}", "Default"))
	st, err := Validate(REST, doc)
	if err != nil || st != (Stats{Resources: 6}) { // /, /a, /a/b, /a/b/c, /a/{pk}, /{proxy+}
		t.Errorf("REST %+v %v", st, err)
	}
	doc = build(t, HTTP, r("/", "Home"), r("/a/b/c", "C"), r("/a/{pk}", "C"), r(DefaultPath, "Default"))
	st, err = Validate(HTTP, doc)
	if err != nil || st != (Stats{Routes: 4, Integrations: 3}) {
		t.Errorf("HTTP %+v %v", st, err)
	}
}
