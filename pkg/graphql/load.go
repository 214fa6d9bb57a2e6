package graphql

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// LoadAppSync loads a schema written for AppSync (ToAppSync's output) into
// a validated gqlparser schema, with AppSync's implicit scalars and
// directives declared, so that queries can be validated and executed
// against it as AppSync would.
func LoadAppSync(name string, sdl []byte) (*ast.Schema, error) {
	doc, err := parser.ParseSchema(&ast.Source{Name: name, Input: string(sdl)})
	if err != nil {
		return nil, gqlDiag(name, "parse graphql schema", err).Err()
	}
	all := validator.PreludeDocument()
	aws, err := parser.ParseSchema(&ast.Source{Name: "appsync.graphql", Input: appSyncPrelude, BuiltIn: true})
	if err != nil {
		return nil, fmt.Errorf("appsync prelude: %w", err)
	}
	all.Merge(aws)
	all.Merge(doc)
	schema, err := validator.ValidateSchemaDocument(all)
	if err != nil {
		return nil, gqlDiag(name, "invalid schema for AppSync", err).Err()
	}
	return schema, nil
}
