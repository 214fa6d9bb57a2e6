package graphql

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// load parses converted output as AppSync would: GraphQL's prelude plus
// AppSync's scalars and directives, nothing else.
func load(t testing.TB, out []byte) *ast.Schema {
	t.Helper()
	s, err := validator.LoadSchema(validator.Prelude,
		&ast.Source{Name: "appsync.graphql", Input: appSyncPrelude, BuiltIn: true},
		&ast.Source{Name: "out.graphql", Input: string(out)})
	if err != nil {
		t.Fatalf("converted schema does not load: %v\n%s", err, out)
	}
	return s
}

func convert(t testing.TB, sdl string) (string, RootFields, diag.List) {
	t.Helper()
	out, root, warns, err := ToAppSync("schema.graphql", []byte(sdl))
	if err != nil {
		t.Fatalf("ToAppSync: %v\ninput:\n%s", err, sdl)
	}
	load(t, out)
	return string(out), root, warns
}

// fieldType returns the printed type of type.field in a loaded schema.
func fieldType(t testing.TB, s *ast.Schema, typ, field string) string {
	t.Helper()
	d := s.Types[typ]
	if d == nil {
		t.Fatalf("type %s missing", typ)
	}
	f := d.Fields.ForName(field)
	if f == nil {
		t.Fatalf("field %s.%s missing", typ, field)
	}
	return f.Type.String()
}

func messages(l diag.List) []string {
	var out []string
	for _, d := range l {
		out = append(out, d.String())
	}
	return out
}

func hasMessage(l diag.List, sev diag.Severity, parts ...string) bool {
	for _, d := range l {
		if d.Severity != sev {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(d.String(), p)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestScalarMapping(t *testing.T) {
	tests := []struct {
		scalar string
		want   string
		warn   bool
	}{
		{"DateTime", "AWSDateTime", false},
		{"Date", "AWSDate", false},
		{"Time", "AWSTime", false},
		{"JSONString", "AWSJSON", false},
		{"GenericScalar", "AWSJSON", false},
		{"JSON", "AWSJSON", false},
		{"UUID", "ID", false},
		{"Decimal", "String", false},
		{"BigInt", "String", false},
		{"PositiveInt", "String", true},
		{"WeightScalar", "String", true},
		{"AWSEmail", "AWSEmail", false}, // AppSync's own: declaration dropped, uses kept
	}
	for _, tt := range tests {
		t.Run(tt.scalar, func(t *testing.T) {
			sdl := "scalar " + tt.scalar + "\n" +
				"type Query {\n  one: " + tt.scalar + "\n  many(at: [" + tt.scalar + "!]!): [" + tt.scalar + "]!\n}\n" +
				"input Filter {\n  value: " + tt.scalar + "!\n}\n" +
				"type Mutation {\n  set(filter: Filter): Boolean\n}\n"
			out, root, warns := convert(t, sdl)
			s := load(t, []byte(out))
			if got := fieldType(t, s, "Query", "one"); got != tt.want {
				t.Errorf("Query.one: %s, want %s", got, tt.want)
			}
			if got := fieldType(t, s, "Query", "many"); got != "["+tt.want+"]!" {
				t.Errorf("Query.many: %s, want [%s]!", got, tt.want)
			}
			if got := s.Types["Query"].Fields.ForName("many").Arguments.ForName("at").Type.String(); got != "["+tt.want+"!]!" {
				t.Errorf("Query.many(at): %s, want [%s!]!", got, tt.want)
			}
			if got := fieldType(t, s, "Filter", "value"); got != tt.want+"!" {
				t.Errorf("Filter.value: %s, want %s!", got, tt.want)
			}
			if strings.Contains(out, "scalar ") {
				t.Errorf("scalar declaration kept:\n%s", out)
			}
			if got := hasMessage(warns, diag.Warning, "schema.graphql:1:8", tt.scalar, "String"); got != tt.warn {
				t.Errorf("warning about %s: %v, want %v (got %q)", tt.scalar, got, tt.warn, messages(warns))
			}
			want := RootFields{QueryType: "Query", Query: []string{"one", "many"}, MutationType: "Mutation", Mutation: []string{"set"}}
			if diff := cmp.Diff(want, root); diff != "" {
				t.Errorf("root fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUndeclaredGrapheneScalarsAreMapped(t *testing.T) {
	// A hand-written SDL may use graphene's names without declaring them.
	out, _, _ := convert(t, "type Query {\n  at: DateTime\n  id: UUID\n}\n")
	s := load(t, []byte(out))
	if fieldType(t, s, "Query", "at") != "AWSDateTime" || fieldType(t, s, "Query", "id") != "ID" {
		t.Errorf("undeclared graphene scalars not mapped:\n%s", out)
	}
	// A type that merely shares a name with a graphene scalar is left alone.
	out, _, _ = convert(t, "type Date {\n  day: Int\n}\ntype Query {\n  today: Date\n}\n")
	if fieldType(t, load(t, []byte(out)), "Query", "today") != "Date" {
		t.Errorf("object type Date was remapped:\n%s", out)
	}
}

func TestUploadRemoved(t *testing.T) {
	sdl := `scalar Upload

type Query {
  me: String
}

input AvatarInput {
  image: Upload!
}

input ProductInput {
  name: String!
  image: Upload
}

type Mutation {
  fileUpload(file: Upload!, note: String): Boolean
  setAvatar(input: AvatarInput!): Boolean
  createProduct(input: ProductInput!): Boolean
  onlyUpload: Upload
}
`
	out, root, warns := convert(t, sdl)
	s := load(t, []byte(out))
	if strings.Contains(out, ": Upload") || strings.Contains(out, "scalar Upload") || strings.Contains(out, "AvatarInput") {
		t.Errorf("Upload or the input it emptied survived:\n%s", out)
	}
	// Mutation keeps fileUpload without its file, drops setAvatar (its only
	// argument's type vanished: the field stays, without the argument).
	if diff := cmp.Diff([]string{"fileUpload", "setAvatar", "createProduct"}, root.Mutation); diff != "" {
		t.Errorf("mutation fields (-want +got):\n%s", diff)
	}
	fu := s.Types["Mutation"].Fields.ForName("fileUpload")
	if len(fu.Arguments) != 1 || fu.Arguments[0].Name != "note" {
		t.Errorf("fileUpload arguments: %v, want only note", fu.Arguments)
	}
	if s.Types["ProductInput"].Fields.ForName("image") != nil || s.Types["ProductInput"].Fields.ForName("name") == nil {
		t.Errorf("ProductInput: want name kept and image removed:\n%s", out)
	}
	for _, want := range [][]string{
		{"schema.graphql:17:14", "argument file of Mutation.fileUpload removed", "Upload", "required"},
		{"schema.graphql:8:3", "input field AvatarInput.image removed"},
		{"schema.graphql:7:7", "input AvatarInput removed"},
		{"schema.graphql:18:13", "argument input of Mutation.setAvatar removed", "input AvatarInput was removed"},
		{"schema.graphql:13:3", "input field ProductInput.image removed"},
		{"schema.graphql:20:3", "field Mutation.onlyUpload removed"},
	} {
		if !hasMessage(warns, diag.Warning, want...) {
			t.Errorf("no warning with %q in:\n%s", want, strings.Join(messages(warns), "\n"))
		}
	}
}

func TestMutationEmptiedIsDropped(t *testing.T) {
	out, root, warns := convert(t, "scalar Upload\ntype Query {\n  a: Int\n}\ntype Mutation {\n  up: Upload\n}\n")
	if strings.Contains(out, "Mutation") || root.MutationType != "" || root.Mutation != nil {
		t.Errorf("empty Mutation kept (root %+v):\n%s", root, out)
	}
	if !hasMessage(warns, diag.Warning, "type Mutation removed") {
		t.Errorf("no warning about Mutation: %q", messages(warns))
	}
	_, _, _, err := ToAppSync("s.graphql", []byte("scalar Upload\ntype Query {\n  up: Upload\n}\n"))
	if err == nil || !strings.Contains(err.Error(), "s.graphql:2:6") || !strings.Contains(err.Error(), "query type Query") {
		t.Errorf("query emptied: error %v, want one naming s.graphql:2:6 and the query type", err)
	}
}

func TestFederationRemoved(t *testing.T) {
	sdl := `directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
scalar _Any
scalar _FieldSet
type _Service {
  sdl: String
}
union _Entity = Product
type Product @key(fields: "id") {
  id: ID!
}
type Query {
  product(id: ID!): Product
  _entities(representations: [_Any!]!): [_Entity]!
  _service: _Service!
}
`
	out, root, warns := convert(t, sdl)
	for _, gone := range []string{"_Any", "_FieldSet", "_Service", "_Entity", "_entities", "_service", "@key", "directive"} {
		if strings.Contains(out, gone) {
			t.Errorf("%s survived:\n%s", gone, out)
		}
	}
	if diff := cmp.Diff([]string{"product"}, root.Query); diff != "" {
		t.Errorf("query fields (-want +got):\n%s", diff)
	}
	for _, d := range warns {
		if d.Severity == diag.Warning {
			t.Errorf("federation removal should be a note, got %s", d)
		}
	}
	if !hasMessage(warns, diag.Note, "Federation", "_Service", "Query._entities") {
		t.Errorf("no federation note: %q", messages(warns))
	}
}

func TestDirectives(t *testing.T) {
	sdl := `directive @doc(category: String) on FIELD_DEFINITION | OBJECT
type Query @doc(category: "x") @aws_api_key {
  a(old: Int @deprecated(reason: "no")): Int @doc(category: "y") @deprecated(reason: "use b") @aws_iam
  b: Int @aws_cognito_user_pools(cognito_groups: ["admin"]) @aws_oidc @aws_lambda
  c: Color
}
enum Color {
  RED @deprecated
  GREEN @doc(category: "z")
}
input In {
  x: Int @deprecated
}
type Mutation {
  put(in: In): Int
}
type Subscription {
  onPut: Int @aws_subscribe(mutations: ["put"])
}
`
	out, _, warns := convert(t, sdl)
	s := load(t, []byte(out))
	dirs := func(l ast.DirectiveList) []string {
		var n []string
		for _, d := range l {
			n = append(n, d.Name)
		}
		return n
	}
	q := s.Types["Query"]
	checks := []struct {
		where string
		got   []string
		want  []string
	}{
		{"Query", dirs(q.Directives), []string{"aws_api_key"}},
		{"Query.a", dirs(q.Fields.ForName("a").Directives), []string{"deprecated", "aws_iam"}},
		{"Query.a(old)", dirs(q.Fields.ForName("a").Arguments.ForName("old").Directives), nil},
		{"Query.b", dirs(q.Fields.ForName("b").Directives), []string{"aws_cognito_user_pools", "aws_oidc", "aws_lambda"}},
		{"Color.RED", dirs(s.Types["Color"].EnumValues.ForName("RED").Directives), []string{"deprecated"}},
		{"Color.GREEN", dirs(s.Types["Color"].EnumValues.ForName("GREEN").Directives), nil},
		{"In.x", dirs(s.Types["In"].Fields.ForName("x").Directives), nil},
		{"Subscription.onPut", dirs(s.Types["Subscription"].Fields.ForName("onPut").Directives), []string{"aws_subscribe"}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s directives (-want +got):\n%s", c.where, diff)
		}
	}
	if strings.Contains(out, "directive @") {
		t.Errorf("directive definition kept:\n%s", out)
	}
	for _, want := range [][]string{
		{"schema.graphql:1:12", "directive definitions removed", "@doc"},
		{"schema.graphql:2:13", "@doc removed from 3 place(s)"},
		{"schema.graphql:3:15", "@deprecated removed from 2 argument(s) and input field(s)"},
	} {
		if !hasMessage(warns, diag.Note, want...) {
			t.Errorf("no note with %q in:\n%s", want, strings.Join(messages(warns), "\n"))
		}
	}
}

func TestSchemaBlock(t *testing.T) {
	tests := []struct {
		name string
		sdl  string
		want RootFields
		head string
	}{
		{
			name: "added when missing",
			sdl:  "type Mutation {\n  m: Int\n}\ntype Query {\n  q: Int\n}\n",
			want: RootFields{QueryType: "Query", Query: []string{"q"}, MutationType: "Mutation", Mutation: []string{"m"}},
			head: "schema {\n  query: Query\n  mutation: Mutation\n}\n",
		},
		{
			name: "custom names kept, order normalised",
			sdl:  "schema {\n  mutation: RootMutation\n  query: RootQuery\n}\ntype RootQuery {\n  q: Int\n}\ntype RootMutation {\n  m: Int\n}\n",
			want: RootFields{QueryType: "RootQuery", Query: []string{"q"}, MutationType: "RootMutation", Mutation: []string{"m"}},
			head: "schema {\n  query: RootQuery\n  mutation: RootMutation\n}\n",
		},
		{
			name: "extensions merged",
			sdl:  "schema {\n  query: Query\n}\nextend schema {\n  mutation: Mutation\n}\ntype Query {\n  a: Int\n}\nextend type Query {\n  b: Int\n}\nextend type Mutation {\n  m: Int\n}\n",
			want: RootFields{QueryType: "Query", Query: []string{"a", "b"}, MutationType: "Mutation", Mutation: []string{"m"}},
			head: "schema {\n  query: Query\n  mutation: Mutation\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, root, _ := convert(t, tt.sdl)
			if diff := cmp.Diff(tt.want, root); diff != "" {
				t.Errorf("root fields (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(out, tt.head) {
				t.Errorf("output does not start with %q:\n%s", tt.head, out)
			}
			if strings.Contains(out, "extend") {
				t.Errorf("extension kept:\n%s", out)
			}
		})
	}
}

func TestKeepsInterfacesUnionsEnumsInputsDescriptions(t *testing.T) {
	sdl := `"""A node."""
interface Node {
  "The id."
  id: ID!
}
"""A thing
on two lines."""
type Thing implements Node {
  id: ID!
  kind(
    """Filter."""
    k: Kind = A
  ): Kind
}
enum Kind {
  """First."""
  A
  B
}
union Any = Thing
input Range {
  from: Int = 1
  to: Int
}
type Query {
  things(r: Range = {from: 2}): [Any]
}
`
	out, _, warns := convert(t, sdl)
	s := load(t, []byte(out))
	if s.Types["Node"].Kind != ast.Interface || s.Types["Any"].Kind != ast.Union || s.Types["Kind"].Kind != ast.Enum || s.Types["Range"].Kind != ast.InputObject {
		t.Errorf("kinds changed:\n%s", out)
	}
	if got := s.Types["Thing"].Description; got != "A thing\non two lines." {
		t.Errorf("Thing description %q", got)
	}
	if got := s.Types["Node"].Fields.ForName("id").Description; got != "The id." {
		t.Errorf("Node.id description %q", got)
	}
	if got := s.Types["Query"].Fields.ForName("things").Arguments.ForName("r").DefaultValue.String(); got != "{from:2}" {
		t.Errorf("things(r) default %q, want {from:2}", got)
	}
	if got := s.Types["Thing"].Fields.ForName("kind").Arguments.ForName("k").DefaultValue.String(); got != "A" {
		t.Errorf("kind(k) default %q, want A", got)
	}
	if len(warns) != 0 {
		t.Errorf("unexpected diagnostics: %q", messages(warns))
	}
	stripped, _, _, err := Convert("schema.graphql", []byte(sdl), Options{StripDescriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stripped), `"""`) || strings.Contains(string(stripped), "two lines") {
		t.Errorf("StripDescriptions kept descriptions:\n%s", stripped)
	}
}

func TestDefaultValues(t *testing.T) {
	sdl := `scalar PositiveInt
scalar GenericScalar
scalar DateTime
enum Color {
  RED
  GREEN
}
input Opts {
  n: PositiveInt = 5
  ratio: PositiveInt = 1.5
  flag: GenericScalar = true
  obj: GenericScalar = {a: 1}
  color: Color = 1
  good: Color = RED
  at: DateTime = "2024-01-01T00:00:00Z"
  list: [PositiveInt] = [1, 2]
}
type Query {
  q(o: Opts, at: DateTime = 0, c: [Color!] = [GREEN]): Int
}
`
	out, _, warns := convert(t, sdl)
	s := load(t, []byte(out))
	opts := s.Types["Opts"].Fields
	want := map[string]string{
		"n": `"5"`, "ratio": `"1.5"`, "flag": `"true"`, "obj": "", "color": "", "good": "RED",
		"at": `"2024-01-01T00:00:00Z"`, "list": `["1","2"]`,
	}
	for f, w := range want {
		got := ""
		if dv := opts.ForName(f).DefaultValue; dv != nil {
			got = dv.String()
		}
		if got != w {
			t.Errorf("Opts.%s default %q, want %q", f, got, w)
		}
	}
	q := s.Types["Query"].Fields.ForName("q")
	if q.Arguments.ForName("at").DefaultValue != nil {
		t.Errorf("q(at) default kept: an Int is not an AWSDateTime")
	}
	if got := q.Arguments.ForName("c").DefaultValue.String(); got != "[GREEN]" {
		t.Errorf("q(c) default %q, want [GREEN]", got)
	}
	for _, w := range []string{"Opts.obj: default value", "Opts.color: default value 1 dropped", "Query.q(at): default value 0 dropped"} {
		if !hasMessage(warns, diag.Warning, w) {
			t.Errorf("no warning %q in %q", w, messages(warns))
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		sdl  string
		want []string
	}{
		{"syntax", "type Query {\n  a: Int\n  b(: Int\n}\n", []string{"shop/schema.graphql:3:5", "parse graphql schema"}},
		{"unterminated", "type Query {\n  a: Int\n", []string{"shop/schema.graphql:3:1", "parse graphql schema"}},
		{"undefined type", "type Query {\n  a: Int\n  b: Missing\n}\n", []string{"shop/schema.graphql:3:6", "Missing"}},
		{"no query", "type Foo {\n  a: Int\n}\n", []string{"shop/schema.graphql", "no query type"}},
		{"query not defined", "schema {\n  query: Root\n}\ntype Foo {\n  a: Int\n}\n", []string{"shop/schema.graphql:2:3", "query type Root is not defined"}},
		{"defined twice", "type Query {\n  a: Int\n}\ntype Query {\n  b: Int\n}\n", []string{"shop/schema.graphql:4:6", "defined twice (first at line 1)"}},
		{"bad extension", "type Query {\n  a: Int\n}\nextend input Query {\n  b: Int\n}\n", []string{"shop/schema.graphql:4:14", "cannot extend"}},
		{"input as output", "input In {\n  a: Int\n}\ntype Query {\n  a: In\n}\n", []string{"shop/schema.graphql:5:3", "field must be one of"}},
		{"empty", "", []string{"shop/schema.graphql", "no query type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _, err := ToAppSync("shop/schema.graphql", []byte(tt.sdl))
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			var l diag.List
			if !errors.As(err, &l) || !l.HasErrors() {
				t.Errorf("error %T is not a diag.List with errors", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestGoldenGrapheneSchema(t *testing.T) {
	// testdata/shop.graphql is graphene 2.1's print of a schema using every
	// graphene scalar (Debian python3-graphene).
	in, err := os.ReadFile(filepath.Join("testdata", "shop.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	out, root, warns, err := ToAppSync("shop.graphql", in)
	if err != nil {
		t.Fatal(err)
	}
	load(t, out)
	got := string(out) + "\n# root: " + strings.Join(root.Query, ",") + " | " + strings.Join(root.Mutation, ",") +
		"\n# " + strings.Join(messages(warns), "\n# ") + "\n"
	golden.AssertString(t, got, "testdata/shop.appsync.graphql")
	again, _, _, err := ToAppSync("shop.graphql", in)
	if err != nil || string(again) != string(out) {
		t.Errorf("second conversion differs (err %v)", err)
	}
}

// TestSaleor converts the real 1 MB Saleor schema.
func TestSaleor(t *testing.T) {
	in, err := os.ReadFile(saleorPath)
	if err != nil {
		testenv.Missing(t, "the vendored Saleor schema %s: %v", saleorPath, err)
	}
	out, root, warns, err := ToAppSync("saleor.schema.graphql", in)
	if err != nil {
		t.Fatal(err)
	}
	s := load(t, out)

	// No removed or unmapped scalar is referenced, none is declared.
	src, err := parser.ParseSchema(&ast.Source{Name: "in", Input: string(in)})
	if err != nil {
		t.Fatal(err)
	}
	var customScalars []string
	for _, d := range src.Definitions {
		if d.Kind == ast.Scalar {
			customScalars = append(customScalars, d.Name)
		}
	}
	if len(customScalars) < 10 {
		t.Fatalf("expected Saleor's custom scalars, found %v", customScalars)
	}
	for _, d := range s.Types {
		if d.BuiltIn {
			continue
		}
		if d.Kind == ast.Scalar {
			t.Errorf("scalar %s declared in output", d.Name)
		}
		for _, f := range d.Fields {
			if slices.Contains(customScalars, f.Type.Name()) {
				t.Errorf("%s.%s still has type %s", d.Name, f.Name, f.Type.Name())
			}
			for _, a := range f.Arguments {
				if slices.Contains(customScalars, a.Type.Name()) {
					t.Errorf("%s.%s(%s) still has type %s", d.Name, f.Name, a.Name, a.Type.Name())
				}
			}
		}
	}

	// Root fields are the input's, minus the federation helpers.
	inputRoot := func(name string) []string {
		var out []string
		for _, d := range append(src.Definitions, src.Extensions...) {
			if d.Name != name {
				continue
			}
			for _, f := range d.Fields {
				if f.Name != "_service" && f.Name != "_entities" {
					out = append(out, f.Name)
				}
			}
		}
		return out
	}
	wantQ, wantM := inputRoot("Query"), inputRoot("Mutation")
	if len(wantQ) < 50 || len(wantM) < 200 {
		t.Fatalf("Saleor root fields: %d query, %d mutation: corpus changed?", len(wantQ), len(wantM))
	}
	if diff := cmp.Diff(wantQ, root.Query); diff != "" {
		t.Errorf("query fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantM, root.Mutation); diff != "" {
		t.Errorf("mutation fields (-want +got):\n%s", diff)
	}
	if root.QueryType != "Query" || root.MutationType != "Mutation" {
		t.Errorf("root types %q %q", root.QueryType, root.MutationType)
	}
	if s.Subscription == nil {
		t.Error("subscription type dropped")
	}
	if warns.HasErrors() {
		t.Errorf("warnings hold errors: %v", warns.Errors())
	}
	// Converting the output again changes nothing but what the first pass
	// already fixed.
	again, root2, _, err := ToAppSync("out.graphql", out)
	if err != nil {
		t.Fatalf("re-converting the output: %v", err)
	}
	if diff := cmp.Diff(root, root2); diff != "" {
		t.Errorf("root fields after a second pass (-first +second):\n%s", diff)
	}
	if string(again) != string(out) {
		t.Error("second conversion of the output differs from the first")
	}
}

func TestInterfaceInheritanceFlattened(t *testing.T) {
	sdl := "interface Node {\n  id: ID!\n}\ninterface Character implements Node {\n  id: ID!\n  name: String\n}\n" +
		"type Human implements Character & Node {\n  id: ID!\n  name: String\n}\ntype Query {\n  h: Human\n}\n"
	out, _, warns := convert(t, sdl)
	s := load(t, []byte(out))
	if got := s.Types["Character"].Interfaces; len(got) != 0 {
		t.Errorf("Character still implements %v", got)
	}
	if diff := cmp.Diff([]string{"Character", "Node"}, s.Types["Human"].Interfaces); diff != "" {
		t.Errorf("Human interfaces (-want +got):\n%s", diff)
	}
	if !hasMessage(warns, diag.Note, "schema.graphql:4:11", "interface Character no longer implements Node") {
		t.Errorf("no note: %q", messages(warns))
	}
}
