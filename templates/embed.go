// Package templates holds the CloudFormation templates django-serverless
// renders: root.yaml (the root stack), lambdas.yaml (functions, layers,
// warmers), api.yaml (API Gateway REST or HTTP API, AppSync) and the shard
// templates used when a project outgrows one stack, plus shared partials in
// _partials.yaml. They are executed by pkg/render.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.yaml
var FS embed.FS
