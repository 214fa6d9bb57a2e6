// Package openapi writes the OpenAPI 3 document that defines a project's
// API Gateway API (REST or HTTP), checks a document against what API
// Gateway's import accepts, and routes requests through a document the way
// API Gateway does, so that tests (and a local server) can ask "which
// function does this request reach?".
//
// Every path of a document written here carries only
// x-amazon-apigateway-any-method: every HTTP method reaches the path's
// function and Django answers 405 itself. Integrations are Lambda proxy
// integrations (aws_proxy) on a function alias; their URIs carry the
// partition, region and account as plain values, because CloudFormation
// resolves no intrinsic function inside a document loaded from S3
// (BodyS3Location).
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// API kinds.
const (
	REST = "rest"
	HTTP = "http"
)

// Version is the OpenAPI version written.
const Version = "3.0.1"

// AnyMethod is API Gateway's catch-all method key of a path item.
const AnyMethod = "x-amazon-apigateway-any-method"

// DefaultPath is the path key of an HTTP API's $default route.
const DefaultPath = "/$default"

// Methods are the operation keys a path item may hold, besides AnyMethod.
var Methods = []string{"get", "put", "post", "delete", "options", "head", "patch"}

// Document is the subset of OpenAPI 3.0 (plus API Gateway's extensions)
// this package writes and reads. Unknown fields are refused by Parse so
// that a document can only say what is modelled (and validated) here.
type Document struct {
	OpenAPI string `json:"openapi"`
	Info    Info   `json:"info"`
	// ImportExportVersion is written for HTTP APIs, as API Gateway's own
	// exports do.
	ImportExportVersion string              `json:"x-amazon-apigateway-importexport-version,omitempty"`
	Paths               map[string]PathItem `json:"paths"`
	Components          *Components         `json:"components,omitempty"`
	// BinaryMediaTypes (REST only) are the content types API Gateway
	// passes as binary.
	BinaryMediaTypes []string `json:"x-amazon-apigateway-binary-media-types,omitempty"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version"`
}

// PathItem maps an operation key ("get", ..., AnyMethod) to its operation.
type PathItem map[string]*Operation

// Operation is one method of a path.
type Operation struct {
	// IsDefaultRoute marks an HTTP API's $default route.
	IsDefaultRoute bool                `json:"isDefaultRoute,omitempty"`
	Parameters     []Parameter         `json:"parameters,omitempty"`
	Responses      map[string]Response `json:"responses"`
	Integration    *Integration        `json:"x-amazon-apigateway-integration,omitempty"`
}

// Response is an operation response (unused by proxy integrations).
type Response struct {
	Description string `json:"description"`
}

// Parameter is a path parameter.
type Parameter struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
	Schema   Schema `json:"schema"`
}

// Schema is a parameter's schema.
type Schema struct {
	Type string `json:"type"`
}

// Integration is an x-amazon-apigateway-integration object, or a $ref to
// one in components (HTTP APIs).
type Integration struct {
	Ref                  string `json:"$ref,omitempty"`
	Type                 string `json:"type,omitempty"`
	HTTPMethod           string `json:"httpMethod,omitempty"`
	URI                  string `json:"uri,omitempty"`
	PassthroughBehavior  string `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
	ConnectionType       string `json:"connectionType,omitempty"`
	TimeoutInMillis      int    `json:"timeoutInMillis,omitempty"`
}

// Components holds reusable integrations (HTTP APIs only).
type Components struct {
	Integrations map[string]*Integration `json:"x-amazon-apigateway-integrations,omitempty"`
}

// IntegrationRefPrefix starts an integration $ref.
const IntegrationRefPrefix = "#/components/x-amazon-apigateway-integrations/"

// Target is where the API and its functions live: the values API
// Gateway's import needs literally.
type Target struct {
	Partition string // aws, aws-cn, aws-us-gov
	Region    string
	Account   string // 12 digits
}

// Route is one path of an API: every method on Path reaches the alias
// Alias of the Lambda function FunctionName.
type Route struct {
	// Path is "/", "/catalog/{pk}", "/media/{path+}", ...; DefaultPath
	// for an HTTP API's $default route.
	Path string
	// Function names the integration in components (HTTP APIs): the
	// plan's function name, [A-Za-z0-9] only.
	Function     string
	FunctionName string // Lambda function name
	Alias        string
}

// Spec is what Build writes.
type Spec struct {
	Kind   string // REST | HTTP
	Title  string
	Target Target
	// BinaryMediaTypes (REST only).
	BinaryMediaTypes []string
	Routes           []Route
}

// FunctionARN is the ARN of a function alias.
func (t Target) FunctionARN(name, alias string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s:%s", t.Partition, t.Region, t.Account, name, alias)
}

// InvocationURI is the integration URI that invokes a function alias.
func (t Target) InvocationURI(name, alias string) string {
	return fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", t.Partition, t.Region, t.FunctionARN(name, alias))
}

// Partition is the AWS partition of a region name.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// Build writes the document of spec: paths sorted (JSON object keys are
// sorted by encoding/json), two-space indent, trailing newline. The same
// spec always gives the same bytes.
func Build(s Spec) ([]byte, error) {
	if s.Kind != REST && s.Kind != HTTP {
		return nil, fmt.Errorf("openapi: unknown API kind %q", s.Kind)
	}
	doc := Document{
		OpenAPI: Version,
		Info:    Info{Title: s.Title, Version: "1.0", Description: "Django routes served by Lambda functions (django-serverless); every method of a path reaches its function."},
		Paths:   map[string]PathItem{},
	}
	switch s.Kind {
	case REST:
		doc.BinaryMediaTypes = sortedUnique(s.BinaryMediaTypes)
	case HTTP:
		doc.ImportExportVersion = "1.0"
		doc.Components = &Components{Integrations: map[string]*Integration{}}
	}
	for _, r := range s.Routes {
		if _, dup := doc.Paths[r.Path]; dup {
			return nil, fmt.Errorf("openapi: path %s listed twice", r.Path)
		}
		op := &Operation{Responses: map[string]Response{}, Parameters: pathParameters(r.Path)}
		integ := &Integration{Type: "aws_proxy", HTTPMethod: "POST", URI: s.Target.InvocationURI(r.FunctionName, r.Alias)}
		switch s.Kind {
		case REST:
			integ.PassthroughBehavior = "when_no_match"
			op.Integration = integ
		case HTTP:
			if r.Function == "" {
				return nil, fmt.Errorf("openapi: route %s has no function name for its integration", r.Path)
			}
			integ.PayloadFormatVersion = "2.0"
			integ.ConnectionType = "INTERNET"
			if prev, ok := doc.Components.Integrations[r.Function]; ok && *prev != *integ {
				return nil, fmt.Errorf("openapi: function %s has two integrations", r.Function)
			}
			doc.Components.Integrations[r.Function] = integ
			op.Integration = &Integration{Ref: IntegrationRefPrefix + r.Function}
			if r.Path == DefaultPath {
				op.IsDefaultRoute = true
			}
		}
		doc.Paths[r.Path] = PathItem{AnyMethod: op}
	}
	return Marshal(&doc)
}

// Marshal encodes a document canonically.
func Marshal(doc *Document) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b.Bytes(), nil
}

// pathParameters declares the path's parameters ({proxy+} is "proxy").
func pathParameters(path string) []Parameter {
	var out []Parameter
	for _, seg := range strings.Split(path, "/") {
		if name, _, ok := variable(seg); ok {
			out = append(out, Parameter{Name: name, In: "path", Required: true, Schema: Schema{Type: "string"}})
		}
	}
	return out
}

// variable parses a path segment "{name}" or "{name+}".
func variable(seg string) (name string, greedy, ok bool) {
	if len(seg) < 3 || seg[0] != '{' || seg[len(seg)-1] != '}' {
		return "", false, false
	}
	name = seg[1 : len(seg)-1]
	if strings.HasSuffix(name, "+") {
		greedy, name = true, name[:len(name)-1]
	}
	if name == "" {
		return "", false, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return "", false, false
		}
	}
	return name, greedy, true
}

func sortedUnique(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}
