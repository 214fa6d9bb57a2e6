package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// MaxDocumentBytes bounds a document: API Gateway's PutRestApi (what
// CloudFormation calls with the S3 object's bytes) takes at most 6 MB.
const MaxDocumentBytes = 6 << 20

var (
	// invocationURIRE is a Lambda proxy integration URI on a function or
	// an alias of it.
	invocationURIRE = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):apigateway:([a-z]{2}(-[a-z]+)+-[0-9]+):lambda:path/2015-03-31/functions/arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):lambda:([a-z]{2}(-[a-z]+)+-[0-9]+):([0-9]{12}):function:([A-Za-z0-9_-]{1,64})(:[A-Za-z0-9_-]{1,128})?/invocations$`)
	// componentNameRE is an OpenAPI components key.
	componentNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// Parse decodes a document, refusing fields this package does not model
// (and so does not validate).
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("openapi: document is %s, over API Gateway's import limit of %s", human.Bytes(int64(len(data))), human.Bytes(MaxDocumentBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if dec.More() {
		return nil, errors.New("openapi: trailing data after the document")
	}
	return &doc, nil
}

// Stats are the counts API Gateway's per-API quotas apply to.
type Stats struct {
	// Resources (REST) is the number of resources the import creates: one
	// per distinct path node, the root and every intermediate node
	// included.
	Resources int
	// Routes (HTTP) is the number of routes: one per path and operation.
	Routes int
	// Integrations (HTTP) is the number of distinct integrations.
	Integrations int
}

// Validate checks a document against what API Gateway's OpenAPI import
// accepts for an API of the given kind, as far as the documentation says
// (the x-amazon-apigateway-* extensions, path syntax, one path variable
// per level, Lambda proxy integrations), and returns its quota counts.
// Every problem is reported.
func Validate(kind string, data []byte) (Stats, error) {
	doc, err := Parse(data)
	if err != nil {
		return Stats{}, err
	}
	v := &validator{kind: kind, doc: doc}
	v.check()
	return v.stats, errors.Join(v.errs...)
}

type validator struct {
	kind  string
	doc   *Document
	errs  []error
	stats Stats
}

func (v *validator) errf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

func (v *validator) check() {
	d := v.doc
	if !strings.HasPrefix(d.OpenAPI, "3.0.") {
		v.errf("openapi is %q, want 3.0.x", d.OpenAPI)
	}
	if d.Info.Title == "" || d.Info.Version == "" {
		v.errf("info needs a title and a version (got %q, %q)", d.Info.Title, d.Info.Version)
	}
	if len(d.Paths) == 0 {
		v.errf("no paths")
	}
	switch v.kind {
	case REST:
		if d.Components != nil {
			v.errf("components.x-amazon-apigateway-integrations is for HTTP APIs only")
		}
		if d.ImportExportVersion != "" {
			v.errf("x-amazon-apigateway-importexport-version is for HTTP APIs only")
		}
		for _, t := range d.BinaryMediaTypes {
			if typ, sub, ok := strings.Cut(t, "/"); !ok || typ == "" || sub == "" || strings.ContainsAny(t, " ,;") {
				v.errf("binary media type %q is not type/subtype", t)
			}
		}
	case HTTP:
		if len(d.BinaryMediaTypes) > 0 {
			v.errf("x-amazon-apigateway-binary-media-types is for REST APIs only")
		}
		if d.ImportExportVersion != "1.0" {
			v.errf("x-amazon-apigateway-importexport-version is %q, want 1.0", d.ImportExportVersion)
		}
		if d.Components != nil {
			for name, in := range d.Components.Integrations {
				if !componentNameRE.MatchString(name) {
					v.errf("integration component name %q", name)
				}
				if in == nil {
					v.errf("integration component %s is empty", name)
					continue
				}
				v.integration("components."+name, in)
			}
		}
	default:
		v.errf("unknown API kind %q", v.kind)
		return
	}

	paths := make([]string, 0, len(d.Paths))
	for p := range d.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	nodes := map[string]bool{"/": true}
	varChild := map[string]string{}
	used := map[string]bool{}
	defaults := 0
	for _, p := range paths {
		item := d.Paths[p]
		if v.kind == HTTP && p == DefaultPath {
			defaults++
			op := item[AnyMethod]
			if len(item) != 1 || op == nil || !op.IsDefaultRoute {
				v.errf("path %s: the $default route is one %s with isDefaultRoute", p, AnyMethod)
			}
			v.operation(p, AnyMethod, op, nil, used)
			v.stats.Routes++
			continue
		}
		vars, ok := v.path(p)
		if !ok {
			continue
		}
		// Every node of the path is a REST resource; one variable child
		// per parent.
		parent := "/"
		if p != "/" {
			for _, seg := range strings.Split(p[1:], "/") {
				node := strings.TrimSuffix(parent, "/") + "/" + seg
				if _, _, isVar := variable(seg); isVar {
					if prev, seen := varChild[parent]; seen && prev != seg {
						v.errf("path %s: %s already has the variable child %s; API Gateway allows one per level", p, parent, prev)
					}
					varChild[parent] = seg
				}
				nodes[node] = true
				parent = node
			}
		}
		if len(item) == 0 {
			v.errf("path %s has no operation", p)
		}
		for key, op := range item {
			if key != AnyMethod && !contains(Methods, key) {
				v.errf("path %s: %q is not an operation API Gateway imports", p, key)
				continue
			}
			v.operation(p, key, op, vars, used)
			v.stats.Routes++
		}
	}
	v.stats.Resources = len(nodes)
	if v.kind == HTTP {
		if defaults != 1 {
			v.errf("HTTP API documents here have exactly one $default route, found %d", defaults)
		}
		v.stats.Resources = 0
		if d.Components != nil {
			for name := range d.Components.Integrations {
				if !used[name] {
					v.errf("integration component %s is not used by any route", name)
				}
			}
			v.stats.Integrations = len(d.Components.Integrations)
		}
	} else {
		v.stats.Routes = 0
	}
}

// path checks a path's syntax and returns its variable names.
func (v *validator) path(p string) ([]string, bool) {
	if p == "/" {
		return nil, true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		v.errf("path %q must start with / and not end with /", p)
		return nil, false
	}
	var vars []string
	segs := strings.Split(p[1:], "/")
	ok := true
	for i, seg := range segs {
		if seg == "" {
			v.errf("path %s has an empty segment", p)
			ok = false
			continue
		}
		if strings.ContainsAny(seg, "{}") {
			name, greedy, isVar := variable(seg)
			switch {
			case !isVar:
				v.errf("path %s: segment %q: a path parameter is a whole segment {name} or {name+}", p, seg)
				ok = false
			case greedy && i != len(segs)-1:
				v.errf("path %s: greedy parameter {%s+} must be the last segment", p, name)
				ok = false
			case contains(vars, name):
				v.errf("path %s: parameter %s appears twice", p, name)
				ok = false
			default:
				vars = append(vars, name)
			}
			continue
		}
		if bad := StaticSegmentProblem(seg); bad != "" {
			v.errf("path %s: %s", p, bad)
			ok = false
		}
	}
	return vars, ok
}

// StaticSegmentProblem says why API Gateway would refuse a path segment
// that is not a parameter ("" when it accepts it): REST API path segments
// hold only letters, digits, '-', '.', '_', ':' and ','.
func StaticSegmentProblem(seg string) string {
	for _, r := range seg {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._:,", r)) {
			return fmt.Sprintf("segment %q holds %q; API Gateway path segments hold only letters, digits, '-', '.', '_', ':' and ','", seg, r)
		}
	}
	return ""
}

func (v *validator) operation(p, key string, op *Operation, vars []string, used map[string]bool) {
	where := fmt.Sprintf("path %s %s", p, key)
	if op == nil {
		v.errf("%s: empty operation", where)
		return
	}
	if op.Responses == nil {
		v.errf("%s: responses is required", where)
	}
	if op.IsDefaultRoute && (v.kind != HTTP || p != DefaultPath) {
		v.errf("%s: isDefaultRoute is for the HTTP API $default route only", where)
	}
	var declared []string
	for _, prm := range op.Parameters {
		if prm.In != "path" || !prm.Required || prm.Schema.Type != "string" {
			v.errf("%s: parameter %s must be a required string path parameter", where, prm.Name)
		}
		declared = append(declared, prm.Name)
	}
	want := append([]string(nil), vars...)
	sort.Strings(want)
	sort.Strings(declared)
	if strings.Join(want, ",") != strings.Join(declared, ",") {
		v.errf("%s: declares parameters %v, the path has %v", where, declared, want)
	}
	in := op.Integration
	if in == nil {
		v.errf("%s: no x-amazon-apigateway-integration", where)
		return
	}
	switch v.kind {
	case REST:
		if in.Ref != "" {
			v.errf("%s: integration $ref is for HTTP APIs only", where)
			return
		}
		v.integration(where, in)
	case HTTP:
		if in.Ref == "" {
			v.integration(where, in)
			return
		}
		name, ok := strings.CutPrefix(in.Ref, IntegrationRefPrefix)
		if !ok || v.doc.Components == nil || v.doc.Components.Integrations[name] == nil || *in != (Integration{Ref: in.Ref}) {
			v.errf("%s: integration $ref %q does not name a component (and nothing else)", where, in.Ref)
			return
		}
		used[name] = true
	}
}

func (v *validator) integration(where string, in *Integration) {
	if in.Ref != "" {
		v.errf("%s: a component integration cannot be a $ref", where)
		return
	}
	if !strings.EqualFold(in.Type, "aws_proxy") || in.HTTPMethod != "POST" {
		v.errf("%s: integration type %q method %q, want aws_proxy POST (Lambda proxy integrations are invoked with POST)", where, in.Type, in.HTTPMethod)
	}
	m := invocationURIRE.FindStringSubmatch(in.URI)
	switch {
	case m == nil:
		v.errf("%s: integration uri %q is not a Lambda invocation URI (arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations)", where, in.URI)
	case m[1] != m[4] || m[2] != m[5]:
		v.errf("%s: integration uri %q mixes partitions or regions", where, in.URI)
	}
	if in.TimeoutInMillis != 0 && (in.TimeoutInMillis < 50 || in.TimeoutInMillis > 30000) {
		v.errf("%s: timeoutInMillis %d outside 50..30000", where, in.TimeoutInMillis)
	}
	switch v.kind {
	case REST:
		if in.PayloadFormatVersion != "" || in.ConnectionType != "" && in.ConnectionType != "INTERNET" {
			v.errf("%s: payloadFormatVersion is for HTTP APIs; connectionType must be INTERNET", where)
		}
		switch in.PassthroughBehavior {
		case "", "when_no_match", "when_no_templates", "never":
		default:
			v.errf("%s: passthroughBehavior %q", where, in.PassthroughBehavior)
		}
	case HTTP:
		if in.PayloadFormatVersion != "1.0" && in.PayloadFormatVersion != "2.0" {
			v.errf("%s: payloadFormatVersion %q, want 1.0 or 2.0", where, in.PayloadFormatVersion)
		}
		if in.ConnectionType != "" && in.ConnectionType != "INTERNET" {
			v.errf("%s: connectionType %q, want INTERNET", where, in.ConnectionType)
		}
		if in.PassthroughBehavior != "" {
			v.errf("%s: passthroughBehavior is for REST APIs", where)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
