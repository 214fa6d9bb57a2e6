package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/deps"
	"github.com/django-serverless/django-serverless-action/pkg/graphql"
	"github.com/django-serverless/django-serverless-action/pkg/plan"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// GraphQL runs GraphQL requests as AppSync runs them against direct Lambda
// resolvers: the query is parsed and validated against the AppSync schema,
// each root field is one Lambda call (in parallel for a query, in order
// for a mutation) with the direct resolver event, and each answer is
// completed against the field's type and selection set (fields read by
// name from the returned object, aliases applied, __typename from the
// schema or, for interfaces and unions, from the returned object).
//
// Authorization is not emulated: the event's identity is null, as for
// API_KEY authorization.
type GraphQL struct {
	schema *ast.Schema
	// resolvers maps "Type.field" to the function resolving it.
	resolvers map[string]string
	fallback  string
	server    *Server
}

// NewGraphQL builds the AppSync side from the schema (as AppSync serves it)
// and the resolver functions ("Query.products" -> function); fields
// without an entry go to fallback.
func NewGraphQL(schema *ast.Schema, resolvers map[string]string, fallback string) *GraphQL {
	return &GraphQL{schema: schema, resolvers: resolvers, fallback: fallback}
}

// appSyncTimeout is AppSync's limit on one request.
const appSyncTimeout = 30 * time.Second

type gqlRequest struct {
	Query         *string        `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

type gqlLocation struct {
	Line       int     `json:"line"`
	Column     int     `json:"column"`
	SourceName *string `json:"sourceName"`
}

type gqlError struct {
	Path      []any         `json:"path"`
	Data      any           `json:"data,omitempty"`
	ErrorType string        `json:"errorType,omitempty"`
	ErrorInfo any           `json:"errorInfo,omitempty"`
	Locations []gqlLocation `json:"locations,omitempty"`
	Message   string        `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) []byte {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return body
}

func malformed(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]string{{"message": msg, "errorType": "MalformedHttpRequestException"}}})
}

func locations(p *ast.Position) []gqlLocation {
	if p == nil {
		return nil
	}
	return []gqlLocation{{Line: p.Line, Column: p.Column}}
}

func (g *GraphQL) serve(w http.ResponseWriter, r *http.Request, start time.Time) {
	status, fields, note := g.handle(w, r, start)
	line := fmt.Sprintf("%s %s %d AppSync %s", r.Method, r.URL.RequestURI(), status, ms(time.Since(start)))
	if fields != "" {
		line += " " + fields
	}
	if note != "" {
		line += ": " + note
	}
	g.server.log.printf("%s", line)
}

// handle answers one GraphQL request; it returns the status, the root
// fields called (for the log) and a note.
func (g *GraphQL) handle(w http.ResponseWriter, r *http.Request, start time.Time) (int, string, string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, apiPayloadLimit+1))
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		malformed(w, "Request body is empty.")
		return 400, "", "empty body"
	}
	var req gqlRequest
	if err := json.Unmarshal(raw, &req); err != nil || req.Query == nil {
		malformed(w, "Unable to parse GraphQL query.")
		return 400, "", "not a GraphQL request"
	}
	doc, perr := parser.ParseQuery(&ast.Source{Name: "query", Input: *req.Query})
	if perr != nil {
		malformed(w, "Unable to parse GraphQL query.")
		return 400, "", perr.Error()
	}
	if errs := validator.ValidateWithRules(g.schema, doc, nil); len(errs) > 0 {
		writeJSON(w, 200, map[string]any{"data": nil, "errors": validationErrors(errs)})
		return 200, "", "validation failed: " + strings.TrimSpace(errs.Error())
	}
	op, problem := pickOperation(doc, req.OperationName)
	if op == nil {
		writeJSON(w, 200, map[string]any{"data": nil, "errors": []gqlError{{Message: problem}}})
		return 200, "", problem
	}
	if op.Operation == ast.Subscription {
		writeJSON(w, 200, map[string]any{"data": nil, "errors": []gqlError{{Message: "Subscriptions are served over AppSync's real-time WebSocket endpoint, not emulated by serve", Locations: locations(op.Position)}}})
		return 200, "", "subscription"
	}
	vars, verr := validator.VariableValues(g.schema, op, req.Variables)
	if verr != nil {
		writeJSON(w, 200, map[string]any{"data": nil, "errors": []gqlError{{Message: "Variable validation error: " + verr.Error(), Locations: locations(op.Position)}}})
		return 200, "", verr.Error()
	}
	root := g.schema.Query
	if op.Operation == ast.Mutation {
		root = g.schema.Mutation
	}
	ex := &execution{g: g, doc: doc, vars: vars, rawVars: req.Variables, r: r, start: start}
	fields := ex.collect(root, op.SelectionSet)
	results := make([]any, len(fields))
	errs := make([][]gqlError, len(fields))
	run := func(i int) {
		results[i], errs[i] = ex.rootField(root, fields[i])
	}
	if op.Operation == ast.Mutation {
		for i := range fields {
			run(i)
		}
	} else {
		var wg sync.WaitGroup
		for i := range fields {
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(i)
			}()
		}
		wg.Wait()
	}
	data := newOrderedMap()
	var allErrs []gqlError
	dataNull := false
	var names []string
	for i, f := range fields {
		names = append(names, f.Name)
		allErrs = append(allErrs, errs[i]...)
		if results[i] == nil && f.Definition != nil && f.Definition.Type.NonNull {
			dataNull = true
		}
		data.set(responseKey(f), results[i])
	}
	out := newOrderedMap()
	if dataNull {
		out.set("data", nil)
	} else {
		out.set("data", data)
	}
	if len(allErrs) > 0 {
		out.set("errors", allErrs)
	}
	writeJSON(w, 200, out)
	note := ""
	if len(allErrs) > 0 {
		note = allErrs[0].Message
	}
	return 200, strings.Join(names, ","), note
}

func validationErrors(errs gqlerror.List) []gqlError {
	var out []gqlError
	for _, e := range errs {
		ge := gqlError{Message: "Validation error: " + e.Message}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, gqlLocation{Line: l.Line, Column: l.Column})
		}
		out = append(out, ge)
	}
	return out
}

// pickOperation returns the operation to run, or nil and the GraphQL
// error message.
func pickOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, string) {
	if name != "" {
		if op := doc.Operations.ForName(name); op != nil {
			return op, ""
		}
		return nil, fmt.Sprintf("Unknown operation named '%s'.", name)
	}
	if len(doc.Operations) != 1 {
		return nil, "Must provide operation name if query contains multiple operations."
	}
	return doc.Operations[0], ""
}

func responseKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// execution is one GraphQL request being run.
type execution struct {
	g       *GraphQL
	doc     *ast.QueryDocument
	vars    map[string]any
	rawVars map[string]any
	r       *http.Request
	start   time.Time
}

// collect gathers the fields of a selection set for an object type, through
// fragments whose type condition applies, honouring @skip and @include,
// merging fields of the same response key.
func (ex *execution) collect(obj *ast.Definition, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	byKey := map[string]*ast.Field{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !ex.included(s.Directives) {
					continue
				}
				key := responseKey(s)
				if prev := byKey[key]; prev != nil {
					merged := *prev
					merged.SelectionSet = append(append(ast.SelectionSet{}, prev.SelectionSet...), s.SelectionSet...)
					*prev = merged
					continue
				}
				cp := *s
				byKey[key] = &cp
				out = append(out, &cp)
			case *ast.InlineFragment:
				if ex.included(s.Directives) && ex.applies(s.TypeCondition, obj) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				frag := ex.doc.Fragments.ForName(s.Name)
				if frag != nil && ex.included(s.Directives) && ex.applies(frag.TypeCondition, obj) {
					walk(frag.SelectionSet)
				}
			}
		}
	}
	walk(set)
	return out
}

func (ex *execution) included(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, ok := d.ArgumentMap(ex.vars)["if"].(bool); ok && v {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, ok := d.ArgumentMap(ex.vars)["if"].(bool); ok && !v {
			return false
		}
	}
	return true
}

func (ex *execution) applies(cond string, obj *ast.Definition) bool {
	if cond == "" || obj == nil || cond == obj.Name {
		return true
	}
	t := ex.g.schema.Types[cond]
	if t == nil {
		return false
	}
	for _, impl := range ex.g.schema.GetPossibleTypes(t) {
		if impl.Name == obj.Name {
			return true
		}
	}
	return false
}

// rootField calls the field's resolver function and completes its answer.
func (ex *execution) rootField(root *ast.Definition, f *ast.Field) (any, []gqlError) {
	if f.Name == "__typename" {
		return root.Name, nil
	}
	if strings.HasPrefix(f.Name, "__") {
		return nil, []gqlError{{Path: []any{responseKey(f)}, Message: "Introspection is not emulated by serve", Locations: locations(f.Position)}}
	}
	fn := ex.g.resolvers[root.Name+"."+f.Name]
	if fn == "" {
		fn = ex.g.fallback
	}
	event, err := ex.event(root, f)
	if err != nil {
		return nil, []gqlError{{Path: []any{responseKey(f)}, Message: err.Error(), Locations: locations(f.Position)}}
	}
	s := ex.g.server
	pl, _, _ := s.current()
	requestID := newRequestID()
	oc := s.invokeWithin(ex.r.Context(), ex.start, appSyncTimeout, pl, fn, event, requestID)
	state := "warm"
	if oc.cold {
		state = "cold"
	}
	s.log.printf("  AppSync %s.%s -> %s %s", root.Name, f.Name, fn, state)
	if oc.fail {
		msg := oc.note
		if oc.value != nil {
			var le struct {
				ErrorMessage string `json:"errorMessage"`
			}
			if json.Unmarshal(oc.value, &le) == nil && le.ErrorMessage != "" {
				msg = le.ErrorMessage
			}
		}
		return nil, []gqlError{{Path: []any{responseKey(f)}, Data: nil, ErrorType: "Lambda:Unhandled", Locations: locations(f.Position), Message: msg}}
	}
	var value any
	dec := json.NewDecoder(bytes.NewReader(oc.value))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return nil, []gqlError{{Path: []any{responseKey(f)}, Message: "the resolver's answer is not JSON: " + err.Error(), Locations: locations(f.Position)}}
	}
	var errs []gqlError
	out := ex.complete(f.Definition.Type, f, value, []any{responseKey(f)}, root.Name, &errs)
	return out, errs
}

// event is the direct Lambda resolver event AppSync sends for a root field.
func (ex *execution) event(root *ast.Definition, f *ast.Field) ([]byte, error) {
	args := f.ArgumentMap(ex.vars)
	if args == nil {
		args = map[string]any{}
	}
	headers := map[string]string{}
	for k, vs := range ex.r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = ex.r.Host
	vars := ex.rawVars
	if vars == nil {
		vars = map[string]any{}
	}
	var list []string
	ex.selectionList(f.SelectionSet, "", &list)
	if list == nil {
		list = []string{}
	}
	ev := map[string]any{
		"arguments": args,
		"identity":  nil,
		"source":    nil,
		"request":   map[string]any{"headers": headers, "domainName": nil},
		"prev":      nil,
		"info": map[string]any{
			"fieldName":           f.Name,
			"parentTypeName":      root.Name,
			"variables":           vars,
			"selectionSetList":    list,
			"selectionSetGraphQL": ex.selectionText(f.SelectionSet),
		},
		"stash": map[string]any{},
	}
	return json.Marshal(ev)
}

// selectionList is info.selectionSetList: every selected field by response
// key, nested ones as "parent/child", fragments flattened.
func (ex *execution) selectionList(set ast.SelectionSet, prefix string, out *[]string) {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if strings.HasPrefix(s.Name, "__") {
					continue
				}
				key := prefix + responseKey(s)
				if !seen[key] {
					seen[key] = true
					*out = append(*out, key)
				}
				ex.selectionList(s.SelectionSet, key+"/", out)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if frag := ex.doc.Fragments.ForName(s.Name); frag != nil {
					walk(frag.SelectionSet)
				}
			}
		}
	}
	walk(set)
}

// selectionText is info.selectionSetGraphQL: the field's selection set as
// GraphQL text. Named fragments are written as inline fragments (the
// resolver receives no fragment definitions), variables stay as $name
// (info.variables carries their values).
func (ex *execution) selectionText(set ast.SelectionSet) string {
	if len(set) == 0 {
		return ""
	}
	var b bytes.Buffer
	op := &ast.OperationDefinition{Operation: ast.Query, SelectionSet: ex.inline(set)}
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{op}})
	text := strings.TrimSpace(b.String())
	return strings.TrimSpace(strings.TrimPrefix(text, "query"))
}

func (ex *execution) inline(set ast.SelectionSet) ast.SelectionSet {
	out := make(ast.SelectionSet, 0, len(set))
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			cp := *s
			cp.SelectionSet = ex.inline(s.SelectionSet)
			cp.Comment = nil
			out = append(out, &cp)
		case *ast.InlineFragment:
			cp := *s
			cp.SelectionSet = ex.inline(s.SelectionSet)
			cp.Comment = nil
			out = append(out, &cp)
		case *ast.FragmentSpread:
			frag := ex.doc.Fragments.ForName(s.Name)
			if frag == nil {
				continue
			}
			out = append(out, &ast.InlineFragment{TypeCondition: frag.TypeCondition, Directives: s.Directives, SelectionSet: ex.inline(frag.SelectionSet)})
		}
	}
	return out
}

// complete shapes a resolver's value for a field of type t: lists item by
// item, objects field by field from the value's keys, leaves as they are;
// null in a non-null position is an error that makes the parent null.
func (ex *execution) complete(t *ast.Type, f *ast.Field, value any, path []any, parent string, errs *[]gqlError) any {
	if value == nil {
		if t.NonNull {
			*errs = append(*errs, gqlError{Path: path, Locations: locations(f.Position),
				Message: fmt.Sprintf("Cannot return null for non-nullable type: '%s' within parent '%s' (/%s)", t.Name(), parent, joinPath(path))})
		}
		return nil
	}
	if t.Elem != nil {
		list, ok := value.([]any)
		if !ok {
			*errs = append(*errs, gqlError{Path: path, Locations: locations(f.Position), Message: fmt.Sprintf("Can't resolve value (/%s) : type mismatch error, expected type LIST", joinPath(path))})
			return nil
		}
		out := make([]any, len(list))
		for i, item := range list {
			p := append(append([]any{}, path...), i)
			out[i] = ex.complete(t.Elem, f, item, p, parent, errs)
			if out[i] == nil && t.Elem.NonNull {
				return nil
			}
		}
		return out
	}
	def := ex.g.schema.Types[t.NamedType]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return value
	}
	obj, ok := value.(map[string]any)
	if !ok {
		*errs = append(*errs, gqlError{Path: path, Locations: locations(f.Position), Message: fmt.Sprintf("Can't resolve value (/%s) : type mismatch error, expected type %s", joinPath(path), def.Name)})
		return nil
	}
	concrete := def
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		name, _ := obj["__typename"].(string)
		concrete = ex.g.schema.Types[name]
		if concrete == nil || !ex.applies(def.Name, concrete) {
			*errs = append(*errs, gqlError{Path: path, Locations: locations(f.Position), Message: fmt.Sprintf("Could not determine the exact type of %s: the resolver must return __typename", def.Name)})
			return nil
		}
	}
	out := newOrderedMap()
	for _, sub := range ex.collect(concrete, f.SelectionSet) {
		key := responseKey(sub)
		if sub.Name == "__typename" {
			out.set(key, concrete.Name)
			continue
		}
		fd := concrete.Fields.ForName(sub.Name)
		if fd == nil {
			continue
		}
		p := append(append([]any{}, path...), key)
		v := ex.complete(fd.Type, sub, obj[sub.Name], p, concrete.Name, errs)
		if v == nil && fd.Type.NonNull {
			return nil
		}
		out.set(key, v)
	}
	return out
}

func joinPath(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, "/")
}

// orderedMap keeps the response keys in selection order, as GraphQL
// responses do.
type orderedMap struct {
	keys []string
	vals map[string]any
}

func newOrderedMap() *orderedMap { return &orderedMap{vals: map[string]any{}} }

func (m *orderedMap) set(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *orderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(m.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ResolverFunctions lists the functions the resolvers name, sorted.
func (g *GraphQL) ResolverFunctions() []string {
	seen := map[string]bool{g.fallback: true}
	for _, f := range g.resolvers {
		seen[f] = true
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// LoadGraphQL prepares the AppSync side of a plan: the schema AppSync will
// serve (the committed SDL, schemaFile or schema.graphql beside manage.py,
// else generated from the graphene schema with python, as render does),
// converted for AppSync, and the function of each root field.
func LoadGraphQL(ctx context.Context, root, schemaFile string, pl *plan.Plan, python string) (*GraphQL, error) {
	if pl.GraphQL == nil {
		return nil, errors.New("the plan has no GraphQL API")
	}
	name := schemaFile
	if name == "" {
		for _, cand := range []string{"schema.graphql", "schema.graphqls"} {
			if _, err := os.Stat(filepath.Join(root, cand)); err == nil {
				name = cand
				break
			}
		}
	}
	var sdl []byte
	var err error
	if name != "" {
		sdl, err = os.ReadFile(filepath.Join(root, name))
	} else {
		name = "generated schema of " + pl.GraphQL.Schema
		sdl, err = deps.GenerateSchema(ctx, python, root, "", pl.SettingsModule, pl.GraphQL.Schema)
	}
	if err != nil {
		return nil, err
	}
	out, fields, _, err := graphql.ToAppSync(name, sdl)
	if err != nil {
		return nil, err
	}
	schema, err := graphql.LoadAppSync(name, out)
	if err != nil {
		return nil, err
	}
	byField := map[string]string{}
	for _, r := range pl.GraphQL.Resolvers {
		byField[r.Type+"."+r.Field] = r.Function
	}
	resolvers := map[string]string{}
	for _, f := range fields.Query {
		if fn, ok := byField["Query."+f]; ok {
			resolvers[fields.QueryType+"."+f] = fn
		}
	}
	for _, f := range fields.Mutation {
		if fn, ok := byField["Mutation."+f]; ok {
			resolvers[fields.MutationType+"."+f] = fn
		}
	}
	return NewGraphQL(schema, resolvers, pl.GraphQL.Function), nil
}
