package deps

import (
	"context"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func TestGenerateSchema(t *testing.T) {
	py := testenv.Django(t)
	got, err := GenerateSchema(context.Background(), py, "testdata/schemaproj", "", "mysite.settings", "mysite.schema.schema")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, got, "testdata/schemaproj.graphql")
}

func TestGenerateSchemaDepsDir(t *testing.T) {
	py := testenv.Django(t)
	// A module only the dependencies folder provides.
	deps := t.TempDir()
	writeFiles(t, deps, map[string]string{"extschema/__init__.py": "import graphene\n\nclass Query(graphene.ObjectType):\n    ping = graphene.String()\n\nschema = graphene.Schema(query=Query)\n"})
	got, err := GenerateSchema(context.Background(), py, "testdata/schemaproj", deps, "mysite.settings", "extschema.schema")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "ping: String") {
		t.Errorf("SDL:\n%s", got)
	}
}

func TestGenerateSchemaErrors(t *testing.T) {
	py := testenv.Django(t)
	for _, tc := range []struct{ schema, settings, want string }{
		{"mysite.broken.schema", "mysite.settings", "ModuleNotFoundError: No module named 'not_installed_anywhere'"},
		{"mysite.schema.nope", "mysite.settings", "AttributeError"},
		{"mysite.schema.schema", "mysite.nosettings", "No module named 'mysite.nosettings'"},
		{"schema", "mysite.settings", `graphql schema "schema": want a dotted path`},
	} {
		_, err := GenerateSchema(context.Background(), py, "testdata/schemaproj", "", tc.settings, tc.schema)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want %q, got %v", tc.schema, tc.want, err)
		}
	}
	_, err := GenerateSchema(context.Background(), py, "testdata/schemaproj", "", "mysite.settings", "mysite.broken.schema")
	if err == nil || !strings.Contains(err.Error(), "broken.py\", line 2") {
		t.Errorf("want the failing frame, got %v", err)
	}
}
