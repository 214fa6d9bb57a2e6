package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

func ptr[T any](v T) *T { return &v }

func shaOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// shopProject is a small project in the shape discovery produces.
func shopProject() *django.Project {
	return &django.Project{
		Root:           "/src/shop",
		SettingsModule: "shop.settings",
		RootURLConf:    "shop.urls",
		Apps:           []string{"catalog", "orders"},
		AppModules:     map[string]string{"catalog": "shop.catalog", "orders": "shop.orders"},
		Routes: []django.Route{
			{Path: "/", View: "shop.views.home", Name: "home", Methods: []string{"GET"}, Source: "shop/urls.py:8", Route: ""},
			{Path: "/catalog/", View: "shop.catalog.views.ProductList", Name: "catalog:list", Methods: []string{"GET"}, Source: "shop/catalog/urls.py:6", Route: "catalog/", App: "catalog"},
			{Path: "/catalog/{pk}/", View: "shop.catalog.views.product_detail", Name: "catalog:detail", Methods: []string{"GET", "POST"}, Source: "shop/catalog/urls.py:7", Route: "catalog/<int:pk>/", App: "catalog"},
			{Path: "/catalog/{pk}/reviews/", View: "shop.catalog.views.reviews", Name: "catalog:reviews", Methods: []string{"ANY"}, Source: "shop/catalog/urls.py:8", Route: "catalog/<int:pk>/reviews/", App: "catalog"},
			{Path: "/orders/", View: "shop.orders.views.OrderViewSet", Name: "orders:order-list", Methods: []string{"GET", "POST"}, Source: "shop/orders/urls.py:9", Route: "orders/", App: "orders"},
			{Path: "/orders/{pk}/", View: "shop.orders.views.OrderViewSet", Name: "orders:order-detail", Methods: []string{"GET", "PUT", "PATCH", "DELETE"}, Source: "shop/orders/urls.py:9", Route: "orders/<pk>/", App: "orders"},
			{Path: "/media/{path+}", View: "django.views.static.serve", Name: "", Methods: []string{"GET"}, Source: "shop/urls.py:12", Route: "media/<path:path>"},
			{Path: "/graphql/", View: "graphene_django.views.GraphQLView", Name: "graphql", Methods: []string{"ANY"}, Source: "shop/urls.py:10", Route: "graphql/"},
			{Path: "/admin/", View: "django.contrib.admin.sites.AdminSite.index", Name: "admin:index", Methods: []string{"ANY"}, Source: "shop/urls.py:9", Route: "admin/"},
		},
		GraphQL: &django.GraphQL{Schema: "shop.schema.schema", QueryFields: []string{"products", "product"}, MutationFields: []string{"createOrder"}, Source: "shop/schema.py:30"},
	}
}

// shopConfig is the resolved config of env with the given granularity and
// API type; prod and preview environments differ as a user would set them.
func shopConfig(env, granularity, apiType string) *config.Config {
	c := &config.Config{
		Path:         "django-serverless.yml",
		Environment:  env,
		Python:       "3.12",
		Architecture: "arm64",
		Functions: config.Functions{
			Granularity: granularity,
			Defaults:    config.FunctionSettings{Memory: 512, Timeout: 15, PersistDB: ptr(false), Warm: ptr(false)},
			Rules: []config.Rule{
				{Match: config.Match{Name: "catalog:*"}, Settings: config.FunctionSettings{Memory: 1024, PersistDB: ptr(true), Warm: ptr(true)}, Pos: config.Position{File: "django-serverless.yml", Line: 9, Col: 7}},
			},
		},
		API:              config.API{Type: apiType, BinaryMediaTypes: []string{"multipart/form-data", "image/*"}},
		GraphQL:          config.GraphQL{Enabled: "auto", Auth: "API_KEY"},
		Warm:             config.Warm{Schedule: "business-hours", BusinessHours: config.BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "Europe/Lisbon"}, Every: "5m"},
		Env:              map[string]string{"DJANGO_DEBUG": "0", "ALLOWED_HOSTS": "*"},
		LogRetentionDays: 14,
	}
	switch {
	case env == "prod":
		c.Protected = true
		c.Architecture = "x86_64"
		c.Functions.Defaults.Memory = 1024
		c.Functions.Rules[0].Settings.ProvisionedConcurrency = ptr(2)
		c.Functions.Rules = append(c.Functions.Rules, config.Rule{Match: config.Match{Path: "/orders/**"}, Settings: config.FunctionSettings{ReservedConcurrency: ptr(20), Timeout: 30}, Pos: config.Position{File: "django-serverless.yml", Line: 14, Col: 7}})
		c.VPC = &config.VPC{SubnetIDs: []string{"subnet-0a1b2c3d", "subnet-4e5f6a7b"}, SecurityGroupIDs: []string{"sg-0123abcd"}}
		c.Secrets = []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf", "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/*"}
		c.IAM = config.IAM{Statements: []config.Statement{{Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::shop-media/*"}}}}
		c.LogRetentionDays = 90
	case len(env) > 3 && env[:3] == "pr-":
		c.Preview = true
		fmt.Sscanf(env[3:], "%d", &c.PR)
		c.Warm.Schedule = "off"
		c.LogRetentionDays = 3
	}
	return c
}

func testArtifacts(prefix string) Artifacts {
	return Artifacts{
		Prefix:  prefix,
		Deps:    Artifact{SHA256: shaOf("deps"), Size: 1000, UnzippedSize: 40 << 20},
		Project: Artifact{SHA256: shaOf("project"), Size: 200, UnzippedSize: 1 << 20},
		Runtime: Artifact{SHA256: shaOf("runtime"), Size: 50, UnzippedSize: 1 << 16},
		Code:    Artifact{SHA256: shaOf("code"), Size: 10, UnzippedSize: 1 << 10},
	}
}

const shopSDL = "type Query {\n  products: [Product]\n  product(id: ID!): Product\n}\n\ntype Mutation {\n  createOrder(productId: ID!): Order\n}\n\ntype Product {\n  id: ID!\n  name: String\n}\n\ntype Order {\n  id: ID!\n}\n"

func mustPlan(t testing.TB, p *django.Project, c *config.Config) *plan.Plan {
	t.Helper()
	pl, _, err := plan.New(p, c, plan.Options{Account: "123456789012", Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return pl
}

func mustRender(t testing.TB, pl *plan.Plan, a Artifacts) *Output {
	t.Helper()
	out, err := Render(pl, a)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return out
}

func djangoRoute(path, name, app string) django.Route {
	return django.Route{Path: path, Name: name, View: "shop.views.x", Methods: []string{"GET"}, Source: "shop/urls.py:99", App: app}
}

// bigProject is a synthetic project of n routes across 40 apps, with
// parameters, nested paths and a few greedy ones, in the shapes discovery
// emits.
func bigProject(n int) *django.Project {
	p := &django.Project{SettingsModule: "big.settings", RootURLConf: "big.urls", AppModules: map[string]string{}}
	for i := range 40 {
		app := fmt.Sprintf("app%02d", i)
		p.Apps = append(p.Apps, app)
		p.AppModules[app] = "big." + app
	}
	for i := range n {
		app := p.Apps[i%40]
		var path string
		switch i % 5 {
		case 0:
			path = fmt.Sprintf("/%s/items%d/", app, i)
		case 1:
			path = fmt.Sprintf("/%s/items%d/{pk}/", app, i-1)
		case 2:
			path = fmt.Sprintf("/%s/items%d/{pk}/edit/", app, i-2)
		case 3:
			path = fmt.Sprintf("/%s/reports/r%d/{year}/{month}/", app, i)
		case 4:
			path = fmt.Sprintf("/%s/files%d/{path+}", app, i)
		}
		p.Routes = append(p.Routes, django.Route{
			Path: path, View: fmt.Sprintf("big.%s.views.view%d", app, i), Name: fmt.Sprintf("%s:view-%d", app, i),
			Methods: []string{"GET", "POST"}[:1+i%2], Source: fmt.Sprintf("big/%s/urls.py:%d", app, 1+i/40), App: app,
		})
	}
	return p
}
