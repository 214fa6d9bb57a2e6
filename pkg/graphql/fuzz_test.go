package graphql

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// FuzzToAppSync: ToAppSync never panics, and whatever it accepts loads as
// a valid schema next to AppSync's own declarations.
//
//	go test ./pkg/graphql -run '^$' -fuzz FuzzToAppSync -fuzztime 60s
func FuzzToAppSync(f *testing.F) {
	seeds := []string{
		"",
		"type Query { a: Int }",
		"scalar DateTime scalar Upload type Query { a(at: DateTime, f: Upload!): DateTime } type Mutation { up: Upload }",
		"schema { query: Q } type Q { a: [JSONString!]! @doc } directive @doc on FIELD_DEFINITION",
		"scalar _Any union _Entity = T type T { id: ID } type _Service { sdl: String } type Query { _entities(r: [_Any!]!): [_Entity] _service: _Service! t: T }",
		"enum E { A B } input I { e: E = 1 n: PositiveInt = 3 } scalar PositiveInt type Query { q(i: I = {e: A}): E }",
		"\"\"\"doc \\\"\"\" x\"\"\" type Query { \"d\" a: Int } extend type Query { b: Int } extend schema { mutation: M } type M { m: Int }",
		"interface N { id: ID! } type T implements N { id: ID! } union U = T type Query { u: U n: N }",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "shop.graphql")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, sdl []byte) {
		out, root, _, err := ToAppSync("fuzz.graphql", sdl)
		if err != nil {
			return
		}
		if _, err := validator.LoadSchema(validator.Prelude,
			&ast.Source{Name: "appsync.graphql", Input: appSyncPrelude, BuiltIn: true},
			&ast.Source{Name: "out.graphql", Input: string(out)}); err != nil {
			t.Fatalf("accepted input gives an invalid schema: %v\ninput:\n%s\noutput:\n%s", err, sdl, out)
		}
		if root.QueryType == "" {
			t.Fatalf("accepted input without a query type:\n%s", sdl)
		}
	})
}
