package render

import (
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/openapi"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// mustDoc parses and validates a render's OpenAPI document.
func mustDoc(t testing.TB, out *Output) *openapi.Document {
	t.Helper()
	doc, err := openapi.Parse(out.OpenAPI.Body)
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	return doc
}

// apiMap is a plan's API as path -> function.
func apiMap(pl *plan.Plan) map[string]string {
	m := map[string]string{}
	for _, e := range pl.API {
		m[e.Path] = e.Function
	}
	return m
}
