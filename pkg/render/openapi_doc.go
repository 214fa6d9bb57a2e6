package render

import "github.com/django-serverless/django-serverless-action/pkg/plan"

// OpenAPIDocument is the plan's API as the OpenAPI document Render writes
// and uploads (the same bytes), without rendering templates or needing
// artifacts: what `serve` routes with.
func OpenAPIDocument(pl *plan.Plan) ([]byte, error) { return openAPIDocument(pl) }
