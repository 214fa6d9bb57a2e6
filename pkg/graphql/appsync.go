// Package graphql rewrites a graphene schema (GraphQL SDL) into one AWS
// AppSync accepts, working on the syntax tree (vektah/gqlparser), and lists
// the root Query and Mutation fields that need resolvers.
//
// The rewrite:
//
//   - custom scalars are mapped: DateTime -> AWSDateTime, Date -> AWSDate,
//     Time -> AWSTime, JSONString/GenericScalar/JSON -> AWSJSON, UUID -> ID,
//     Decimal/BigInt -> String; any other custom scalar becomes String with a
//     warning. Scalar declarations are removed (AppSync declares its own).
//   - Upload (graphene-file-upload) has no AppSync equivalent: every field,
//     argument and input field of that type is removed with a warning, and
//     so is any input, object or union left empty by that (transitively).
//     Removing an argument is safe for AppSync; the resolver then runs
//     without it. Typing it String instead would hand graphene a string
//     where it expects a file, failing later and less clearly.
//   - Apollo Federation helpers (_Service, _Any, _Entity, _FieldSet,
//     link__*, federation__*, Query._service, Query._entities) are removed.
//   - Directive definitions are removed (AppSync rejects them), and so are
//     directive uses other than AppSync's own (@aws_api_key, @aws_iam,
//     @aws_cognito_user_pools, @aws_oidc, @aws_lambda, @aws_subscribe) and
//     @deprecated on fields and enum values.
//   - Interfaces implementing interfaces lose their `implements` (AppSync
//     rejects interface inheritance; object types still list them all).
//   - Type extensions are merged into their types; the schema block is
//     always written, as `schema { query mutation subscription }`.
//   - Interfaces, unions, enums, inputs, default values and descriptions are
//     kept. Comments are dropped.
//
// The result is validated with gqlparser against AppSync's scalars and
// directives before it is returned. Output depends only on the input.
package graphql

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// RootFields lists the root fields AppSync needs a resolver for, in schema
// order, with the root type names the resolvers attach to.
type RootFields struct {
	QueryType    string   // "Query" unless the schema block says otherwise
	Query        []string // field names of the query type
	MutationType string   // "" when the schema has no mutations
	Mutation     []string
}

// Options tunes the conversion.
type Options struct {
	// StripDescriptions drops every description ("""...""" strings), for
	// AppSync accounts or tools that still reject them.
	StripDescriptions bool
}

// ToAppSync converts the SDL read from file name (used in diagnostics) with
// default options. warnings holds what was mapped or removed and why; err
// is a diag.List naming name:line:col when the schema does not parse or
// would not be valid for AppSync.
func ToAppSync(name string, sdl []byte) (out []byte, root RootFields, warnings diag.List, err error) {
	return Convert(name, sdl, Options{})
}

// Convert is ToAppSync with options.
func Convert(name string, sdl []byte, o Options) (out []byte, root RootFields, warnings diag.List, err error) {
	doc, perr := parser.ParseSchema(&ast.Source{Name: name, Input: string(sdl)})
	if perr != nil {
		return nil, RootFields{}, nil, gqlDiag(name, "parse graphql schema", perr).Err()
	}
	c := &converter{
		file:    name,
		doc:     doc,
		defs:    map[string]*ast.Definition{},
		mapped:  map[string]string{},
		removed: map[string]removal{},
		dirs:    map[string]*dirUse{},
		loud:    map[string]bool{},
	}
	c.run(o)
	if c.diags.HasErrors() {
		return nil, RootFields{}, c.diags.Warnings(), c.diags.Err()
	}
	var buf bytes.Buffer
	fo := []formatter.FormatterOption{formatter.WithIndent("  ")}
	if o.StripDescriptions {
		fo = append(fo, formatter.WithoutDescription())
	}
	formatter.NewFormatter(&buf, fo...).FormatSchemaDocument(c.doc)
	root = c.rootFields()
	// Validate what AppSync will see: the converted tree (so errors point
	// into the input; validation adds __schema/__type to the query type,
	// hence after printing), then the printed text must parse back.
	if err := validate(name, c.doc); err != nil {
		c.diags.Sort()
		return nil, RootFields{}, c.diags.Warnings(), err
	}
	if _, err := parser.ParseSchema(&ast.Source{Name: name, Input: buf.String()}); err != nil {
		return nil, RootFields{}, c.diags.Warnings(), fmt.Errorf("converted schema of %s does not parse back (a bug): %w", name, err)
	}
	c.diags.Sort()
	return buf.Bytes(), root, c.diags, nil
}

// scalarMap is graphene's (and common Django libraries') custom scalars and
// their AppSync counterparts.
var scalarMap = map[string]string{
	"DateTime":      "AWSDateTime",
	"Date":          "AWSDate",
	"Time":          "AWSTime",
	"JSONString":    "AWSJSON",
	"GenericScalar": "AWSJSON",
	"JSON":          "AWSJSON",
	"UUID":          "ID",
	"Decimal":       "String",
	"BigInt":        "String",
}

// uploadScalar is graphene-file-upload's scalar, removed with its uses.
const uploadScalar = "Upload"

var builtinScalars = []string{"Int", "Float", "String", "Boolean", "ID"}

// awsScalars are AppSync's own scalars: references stay, declarations go.
var awsScalars = []string{"AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail",
	"AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"}

// appSyncDirectives are the directives AppSync accepts in a schema.
var appSyncDirectives = []string{"aws_api_key", "aws_iam", "aws_cognito_user_pools", "aws_oidc",
	"aws_lambda", "aws_subscribe", "deprecated"}

// federation types and fields (Apollo Federation v1 and v2).
var (
	federationTypes  = []string{"_Service", "_Any", "_Entity", "_FieldSet", "FieldSet"}
	federationFields = []string{"_service", "_entities"}
)

func isFederationType(name string) bool {
	return slices.Contains(federationTypes, name) ||
		strings.HasPrefix(name, "link__") || strings.HasPrefix(name, "federation__")
}

// removal says why a type is removed.
type removal struct {
	reason string
	// quiet removals (federation helpers) are reported once as a note,
	// not once per field.
	quiet bool
}

// dirUse counts the removed uses of one directive.
type dirUse struct {
	count int
	first *ast.Position
}

type converter struct {
	file    string
	doc     *ast.SchemaDocument
	defs    map[string]*ast.Definition
	diags   diag.List
	mapped  map[string]string  // type name -> AppSync type name
	removed map[string]removal // type name -> why
	dirs    map[string]*dirUse // removed directive -> uses
	deprArg dirUse             // @deprecated removed from arguments and input fields
	roots   map[ast.Operation]string
	fedNote []string        // federation names removed
	loud    map[string]bool // types that lost a member for a reported reason
}

func (c *converter) pos(p *ast.Position) (int, int) {
	if p == nil {
		return 0, 0
	}
	return p.Line, p.Column
}

func (c *converter) errf(p *ast.Position, format string, args ...any) {
	l, col := c.pos(p)
	c.diags.Errf(c.file, l, col, format, args...)
}

func (c *converter) warnf(p *ast.Position, format string, args ...any) {
	l, col := c.pos(p)
	c.diags.Warnf(c.file, l, col, format, args...)
}

func (c *converter) notef(p *ast.Position, format string, args ...any) {
	l, col := c.pos(p)
	c.diags.Notef(c.file, l, col, format, args...)
}

func (c *converter) run(o Options) {
	c.index()
	c.mergeExtensions()
	c.findRoots()
	if c.diags.HasErrors() {
		return
	}
	c.classifyScalars()
	c.rewriteTypes()
	c.cascade()
	c.fixDefaults()
	c.flattenInterfaces()
	c.filterDirectives()
	c.finish()
}

// index maps definitions by name; a name defined twice is an error.
func (c *converter) index() {
	for _, d := range c.doc.Definitions {
		if prev := c.defs[d.Name]; prev != nil {
			l, _ := c.pos(prev.Position)
			c.errf(d.Position, "type %s is defined twice (first at line %d)", d.Name, l)
			continue
		}
		c.defs[d.Name] = d
	}
}

// mergeExtensions folds `extend type` blocks into their types (AppSync's
// parser is older than type extensions) and extension schema blocks into
// the schema block.
func (c *converter) mergeExtensions() {
	for _, ext := range c.doc.Extensions {
		base := c.defs[ext.Name]
		if base == nil {
			c.doc.Definitions = append(c.doc.Definitions, ext)
			c.defs[ext.Name] = ext
			continue
		}
		if base.Kind != ext.Kind {
			c.errf(ext.Position, "cannot extend %s %s with a %s extension", strings.ToLower(string(base.Kind)), ext.Name, strings.ToLower(string(ext.Kind)))
			continue
		}
		base.Directives = append(base.Directives, ext.Directives...)
		base.Interfaces = append(base.Interfaces, ext.Interfaces...)
		base.Fields = append(base.Fields, ext.Fields...)
		base.Types = append(base.Types, ext.Types...)
		base.TypePositions = append(base.TypePositions, ext.TypePositions...)
		base.EnumValues = append(base.EnumValues, ext.EnumValues...)
	}
	c.doc.Extensions = nil
	c.doc.Schema = append(c.doc.Schema, c.doc.SchemaExtension...)
	c.doc.SchemaExtension = nil
	c.doc.DirectiveExtensions = nil
}

// findRoots reads the root type names from the schema block, else uses the
// conventional names.
func (c *converter) findRoots() {
	c.roots = map[ast.Operation]string{}
	if len(c.doc.Schema) > 0 {
		for _, sd := range c.doc.Schema {
			for _, ot := range sd.OperationTypes {
				if prev, ok := c.roots[ot.Operation]; ok {
					c.errf(ot.Position, "schema sets the %s type twice (%s and %s)", ot.Operation, prev, ot.Type)
					continue
				}
				c.roots[ot.Operation] = ot.Type
			}
		}
	} else {
		for op, n := range map[ast.Operation]string{ast.Query: "Query", ast.Mutation: "Mutation", ast.Subscription: "Subscription"} {
			if d := c.defs[n]; d != nil && d.Kind == ast.Object {
				c.roots[op] = n
			}
		}
	}
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		n, ok := c.roots[op]
		if !ok {
			continue
		}
		d := c.defs[n]
		switch {
		case d == nil:
			c.errf(c.schemaPos(op), "schema %s type %s is not defined", op, n)
		case d.Kind != ast.Object:
			c.errf(d.Position, "schema %s type %s must be an object type, not %s", op, n, strings.ToLower(string(d.Kind)))
		}
	}
	if _, ok := c.roots[ast.Query]; !ok {
		c.errf(nil, "schema has no query type: define type Query or a schema { query: ... } block")
	}
}

func (c *converter) schemaPos(op ast.Operation) *ast.Position {
	for _, sd := range c.doc.Schema {
		for _, ot := range sd.OperationTypes {
			if ot.Operation == op {
				return ot.Position
			}
		}
	}
	return nil
}

// classifyScalars decides what becomes of every scalar, declared or not.
func (c *converter) classifyScalars() {
	for name, target := range scalarMap {
		if d := c.defs[name]; d == nil || d.Kind == ast.Scalar {
			c.mapped[name] = target
		}
	}
	if d := c.defs[uploadScalar]; d == nil || d.Kind == ast.Scalar {
		c.removed[uploadScalar] = removal{reason: "type Upload (file upload) has no AppSync equivalent"}
	}
	for _, d := range c.doc.Definitions {
		switch {
		case isFederationType(d.Name):
			c.removed[d.Name] = removal{reason: "Apollo Federation helper", quiet: true}
			c.fedNote = append(c.fedNote, d.Name)
		case strings.HasPrefix(d.Name, "__"):
			c.removed[d.Name] = removal{reason: "introspection types are built in", quiet: true}
			c.notef(d.Position, "type %s removed: names starting with __ are reserved for introspection", d.Name)
		case d.Kind != ast.Scalar:
		case slices.Contains(builtinScalars, d.Name), slices.Contains(awsScalars, d.Name):
		case c.mapped[d.Name] != "", d.Name == uploadScalar:
		default:
			c.mapped[d.Name] = "String"
			c.warnf(d.Position, "custom scalar %s has no AppSync equivalent: typed as String", d.Name)
		}
	}
}

// rewriteTypes applies the scalar mapping to every type reference.
func (c *converter) rewriteTypes() {
	for _, d := range c.doc.Definitions {
		if _, gone := c.removed[d.Name]; gone || d.Kind == ast.Scalar {
			continue
		}
		for _, f := range d.Fields {
			c.mapType(f.Type)
			for _, a := range f.Arguments {
				c.mapType(a.Type)
			}
		}
	}
}

// mapType rewrites t's named type in place.
func (c *converter) mapType(t *ast.Type) {
	for t != nil && t.NamedType == "" {
		t = t.Elem
	}
	if t == nil {
		return
	}
	if target, ok := c.mapped[t.NamedType]; ok {
		t.NamedType = target
	}
}

// fixDefaults makes every default value valid for its (mapped) type.
// Numbers and booleans become strings where the type is now String or
// AWSJSON (a PositiveInt = 5 becomes "5"); a default that still does not fit
// (graphene 2 prints enum defaults by value: "color: Color = 1") is dropped
// with a warning. Dropping is safe: graphene applies its own defaults when
// the runtime executes the field.
func (c *converter) fixDefaults() {
	for _, d := range c.doc.Definitions {
		if _, gone := c.removed[d.Name]; gone {
			continue
		}
		for _, f := range d.Fields {
			if d.Kind == ast.InputObject && f.DefaultValue != nil {
				f.DefaultValue = c.fitDefault(d.Name+"."+f.Name, f.DefaultValue, f.Type)
			}
			for _, a := range f.Arguments {
				if a.DefaultValue != nil {
					a.DefaultValue = c.fitDefault(d.Name+"."+f.Name+"("+a.Name+")", a.DefaultValue, a.Type)
				}
			}
		}
	}
}

func (c *converter) fitDefault(where string, v *ast.Value, t *ast.Type) *ast.Value {
	if fixed, ok := c.fit(v, t, 0); ok {
		return fixed
	}
	c.warnf(v.Position, "%s: default value %s dropped: it is not a valid %s (graphene still applies its own default)", where, v.String(), t.String())
	return nil
}

// fit returns v, or a rewritten copy, when it is a valid literal of type t.
func (c *converter) fit(v *ast.Value, t *ast.Type, depth int) (*ast.Value, bool) {
	if v == nil || depth > 64 {
		return nil, false
	}
	if v.Kind == ast.NullValue {
		return v, !t.NonNull
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			return c.fit(v, t.Elem, depth+1) // a single value coerces to a list
		}
		out := &ast.Value{Kind: ast.ListValue, Position: v.Position}
		for _, ch := range v.Children {
			fv, ok := c.fit(ch.Value, t.Elem, depth+1)
			if !ok {
				return nil, false
			}
			out.Children = append(out.Children, &ast.ChildValue{Name: ch.Name, Value: fv, Position: ch.Position})
		}
		return out, true
	}
	str := v.Kind == ast.StringValue || v.Kind == ast.BlockValue
	switch n := t.NamedType; n {
	case "Int", "AWSTimestamp":
		return v, v.Kind == ast.IntValue
	case "Float":
		return v, v.Kind == ast.IntValue || v.Kind == ast.FloatValue
	case "Boolean":
		return v, v.Kind == ast.BooleanValue
	case "ID":
		return v, str || v.Kind == ast.IntValue
	case "String", "AWSJSON":
		switch v.Kind {
		case ast.StringValue, ast.BlockValue:
			return v, true
		case ast.IntValue, ast.FloatValue, ast.BooleanValue:
			return &ast.Value{Kind: ast.StringValue, Raw: v.Raw, Position: v.Position}, true
		}
		return nil, false
	}
	if slices.Contains(awsScalars, t.NamedType) {
		return v, str
	}
	d := c.defs[t.NamedType]
	if d == nil {
		return v, true // undefined types are reported by validation
	}
	switch d.Kind {
	case ast.Enum:
		return v, v.Kind == ast.EnumValue && d.EnumValues.ForName(v.Raw) != nil
	case ast.InputObject:
		if v.Kind != ast.ObjectValue {
			return nil, false
		}
		out := &ast.Value{Kind: ast.ObjectValue, Position: v.Position}
		seen := map[string]bool{}
		for _, ch := range v.Children {
			fd := d.Fields.ForName(ch.Name)
			if fd == nil || seen[ch.Name] {
				return nil, false
			}
			seen[ch.Name] = true
			fv, ok := c.fit(ch.Value, fd.Type, depth+1)
			if !ok {
				return nil, false
			}
			out.Children = append(out.Children, &ast.ChildValue{Name: ch.Name, Value: fv, Position: ch.Position})
		}
		for _, fd := range d.Fields {
			if fd.Type.NonNull && fd.DefaultValue == nil && !seen[fd.Name] {
				return nil, false
			}
		}
		return out, true
	}
	return v, true
}

// cascade removes every field, argument, input field and union member whose
// type is removed, then every type left empty, until nothing changes.
func (c *converter) cascade() {
	for {
		changed := false
		for _, d := range c.doc.Definitions {
			if _, gone := c.removed[d.Name]; gone {
				continue
			}
			switch d.Kind {
			case ast.Object, ast.Interface, ast.InputObject:
				d.Fields = c.filterFields(d)
				d.Interfaces = slices.DeleteFunc(d.Interfaces, func(n string) bool {
					_, gone := c.removed[n]
					return gone
				})
				if len(d.Fields) == 0 {
					c.dropType(d, "no field left")
					changed = true
				}
			case ast.Union:
				var kept []string
				var keptPos []*ast.Position
				for i, m := range d.Types {
					if r, gone := c.removed[m]; gone {
						c.loud[d.Name] = c.loud[d.Name] || !r.quiet
						continue
					}
					kept = append(kept, m)
					if i < len(d.TypePositions) {
						keptPos = append(keptPos, d.TypePositions[i])
					}
				}
				d.Types, d.TypePositions = kept, keptPos
				if len(d.Types) == 0 {
					c.dropType(d, "no member type left")
					changed = true
				}
			case ast.Enum:
				if len(d.EnumValues) == 0 {
					c.dropType(d, "it has no values")
					changed = true
				}
			}
		}
		if !changed {
			return
		}
	}
}

func (c *converter) dropType(d *ast.Definition, why string) {
	quiet := c.quietCause(d)
	c.removed[d.Name] = removal{reason: fmt.Sprintf("%s %s was removed", kindWord(d.Kind), d.Name), quiet: quiet}
	if !quiet {
		c.warnf(d.Position, "%s %s removed: %s", kindWord(d.Kind), d.Name, why)
	}
}

// quietCause reports whether a type emptied by the cascade only lost
// federation members (then it is a federation helper too).
func (c *converter) quietCause(d *ast.Definition) bool {
	loud, lost := c.loud[d.Name]
	return isFederationType(d.Name) || (lost && !loud)
}

func kindWord(k ast.DefinitionKind) string {
	switch k {
	case ast.InputObject:
		return "input"
	case ast.Object:
		return "type"
	default:
		return strings.ToLower(string(k))
	}
}

func (c *converter) filterFields(d *ast.Definition) ast.FieldList {
	var kept ast.FieldList
	for _, f := range d.Fields {
		root := d.Name == c.roots[ast.Query]
		if root && slices.Contains(federationFields, f.Name) {
			c.fedNote = append(c.fedNote, d.Name+"."+f.Name)
			continue
		}
		if r, gone := c.removed[f.Type.Name()]; gone {
			what := "field"
			if d.Kind == ast.InputObject {
				what = "input field"
			}
			c.loud[d.Name] = c.loud[d.Name] || !r.quiet
			if !r.quiet {
				c.warnf(f.Position, "%s %s.%s removed: %s", what, d.Name, f.Name, r.reason)
			} else if root {
				c.fedNote = append(c.fedNote, d.Name+"."+f.Name)
			}
			continue
		}
		var args ast.ArgumentDefinitionList
		for _, a := range f.Arguments {
			if r, gone := c.removed[a.Type.Name()]; gone {
				if !r.quiet {
					req := ""
					if a.Type.NonNull && a.DefaultValue == nil {
						req = " (it was required: calls through AppSync run without it)"
					}
					c.warnf(a.Position, "argument %s of %s.%s removed: %s%s", a.Name, d.Name, f.Name, r.reason, req)
				}
				continue
			}
			args = append(args, a)
		}
		f.Arguments = args
		kept = append(kept, f)
	}
	return kept
}

// flattenInterfaces drops `implements` from interfaces: AppSync rejects
// interface inheritance (aws-appsync-community#387). The schema stays valid
// because GraphQL requires object types to list every interface they
// implement, inherited ones included.
func (c *converter) flattenInterfaces() {
	for _, d := range c.doc.Definitions {
		if _, gone := c.removed[d.Name]; gone || d.Kind != ast.Interface || len(d.Interfaces) == 0 {
			continue
		}
		c.notef(d.Position, "interface %s no longer implements %s: AppSync does not support interfaces implementing interfaces", d.Name, strings.Join(d.Interfaces, " & "))
		d.Interfaces = nil
	}
}

// filterDirectives removes directive definitions and the uses AppSync does
// not support.
func (c *converter) filterDirectives() {
	var custom []string
	for _, dd := range c.doc.Directives {
		custom = append(custom, "@"+dd.Name)
	}
	if len(custom) > 0 {
		l, col := c.pos(c.doc.Directives[0].Position)
		c.diags.Notef(c.file, l, col, "directive definitions removed (AppSync does not accept them): %s", strings.Join(custom, ", "))
	}
	c.doc.Directives = nil
	for _, d := range c.doc.Definitions {
		if _, gone := c.removed[d.Name]; gone {
			continue
		}
		d.Directives = c.keep(d.Directives, false)
		for _, f := range d.Fields {
			f.Directives = c.keep(f.Directives, d.Kind == ast.InputObject)
			for _, a := range f.Arguments {
				a.Directives = c.keep(a.Directives, true)
			}
		}
		for _, ev := range d.EnumValues {
			ev.Directives = c.keep(ev.Directives, false)
		}
	}
	for _, sd := range c.doc.Schema {
		sd.Directives = c.keep(sd.Directives, false)
	}
	names := make([]string, 0, len(c.dirs))
	for n := range c.dirs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u := c.dirs[n]
		c.notef(u.first, "directive @%s removed from %d place(s): AppSync does not support it", n, u.count)
	}
	if c.deprArg.count > 0 {
		c.notef(c.deprArg.first, "@deprecated removed from %d argument(s) and input field(s): AppSync accepts it on fields and enum values only", c.deprArg.count)
	}
}

// keep filters one directive list; input is true for arguments and input
// fields, where @deprecated is not accepted.
func (c *converter) keep(ds ast.DirectiveList, input bool) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range ds {
		switch {
		case d.Name == "deprecated" && input:
			c.deprArg.count++
			if c.deprArg.first == nil {
				c.deprArg.first = d.Position
			}
		case slices.Contains(appSyncDirectives, d.Name):
			out = append(out, d)
		default:
			u := c.dirs[d.Name]
			if u == nil {
				u = &dirUse{first: d.Position}
				c.dirs[d.Name] = u
			}
			u.count++
		}
	}
	return out
}

// finish drops removed and scalar definitions and writes the schema block.
func (c *converter) finish() {
	q := c.roots[ast.Query]
	if r, gone := c.removed[q]; gone {
		c.errf(c.defs[q].Position, "query type %s has no field AppSync can serve (%s)", q, r.reason)
		return
	}
	var defs ast.DefinitionList
	for _, d := range c.doc.Definitions {
		if _, gone := c.removed[d.Name]; gone || d.Kind == ast.Scalar {
			continue
		}
		defs = append(defs, d)
	}
	c.doc.Definitions = defs
	if len(c.fedNote) > 0 {
		seen := map[string]bool{}
		var uniq []string
		for _, n := range c.fedNote {
			if !seen[n] {
				seen[n] = true
				uniq = append(uniq, n)
			}
		}
		c.notef(nil, "Apollo Federation helpers removed: %s", strings.Join(uniq, ", "))
	}
	sd := &ast.SchemaDefinition{}
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		n, ok := c.roots[op]
		if !ok {
			continue
		}
		if _, gone := c.removed[n]; gone {
			delete(c.roots, op)
			continue
		}
		sd.OperationTypes = append(sd.OperationTypes, &ast.OperationTypeDefinition{Operation: op, Type: n})
	}
	c.doc.Schema = ast.SchemaDefinitionList{sd}
}

func (c *converter) rootFields() RootFields {
	var r RootFields
	if n, ok := c.roots[ast.Query]; ok {
		r.QueryType = n
		r.Query = fieldNames(c.defs[n])
	}
	if n, ok := c.roots[ast.Mutation]; ok {
		r.MutationType = n
		r.Mutation = fieldNames(c.defs[n])
	}
	return r
}

func fieldNames(d *ast.Definition) []string {
	out := make([]string, 0, len(d.Fields))
	for _, f := range d.Fields {
		out = append(out, f.Name)
	}
	return out
}

// appSyncPrelude declares what AppSync provides implicitly, for validation.
const appSyncPrelude = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`

// validate checks the converted tree against GraphQL's and AppSync's
// built-in declarations. It runs after printing: validation links nodes.
func validate(name string, doc *ast.SchemaDocument) error {
	all := validator.PreludeDocument()
	aws, err := parser.ParseSchema(&ast.Source{Name: "appsync.graphql", Input: appSyncPrelude, BuiltIn: true})
	if err != nil {
		return fmt.Errorf("appsync prelude: %w", err) // constant input: cannot happen
	}
	all.Merge(aws)
	all.Merge(doc)
	if _, err := validator.ValidateSchemaDocument(all); err != nil {
		return gqlDiag(name, "invalid schema for AppSync", err).Err()
	}
	return nil
}

// gqlDiag turns gqlparser errors into diagnostics at their positions.
func gqlDiag(file, what string, err error) diag.List {
	var l diag.List
	var list gqlerror.List
	var one *gqlerror.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = gqlerror.List{one}
	default:
		l.Errf(file, 0, 0, "%s: %v", what, err)
		return l
	}
	for _, e := range list {
		line, col := 0, 0
		if len(e.Locations) > 0 {
			line, col = e.Locations[0].Line, e.Locations[0].Column
		}
		l.Errf(file, line, col, "%s: %s", what, e.Message)
	}
	return l
}
