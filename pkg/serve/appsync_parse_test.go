package serve

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

func parseForTest(t *testing.T, g *GraphQL, q string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatal(err)
	}
	if errs := validator.ValidateWithRules(g.schema, doc, nil); len(errs) > 0 {
		t.Fatal(errs)
	}
	return doc, doc.Operations[0]
}
