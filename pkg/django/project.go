package django

import "github.com/django-serverless/django-serverless-action/pkg/diag"

// Project is what static discovery knows of a Django project. Its JSON form
// is the `discover --json` contract (DESIGN.md section 2); fields tagged "-"
// are for the rest of the pipeline only.
type Project struct {
	// Root is the absolute path of the Django root (the folder holding manage.py).
	Root string `json:"-"`
	// SettingsModule is the dotted settings module, e.g. "shop.settings".
	SettingsModule string `json:"settings_module"`
	// RootURLConf is ROOT_URLCONF, e.g. "shop.urls".
	RootURLConf string `json:"root_urlconf"`
	// Apps are the project's own apps by label, in INSTALLED_APPS order.
	Apps []string `json:"apps"`
	// AppModules maps each label in Apps to its dotted module ("shop.catalog").
	AppModules map[string]string `json:"-"`
	// InstalledApps is every INSTALLED_APPS entry as written, in order
	// (framework and third-party apps included): "django.contrib.staticfiles".
	InstalledApps []string `json:"-"`
	Routes        []Route  `json:"routes"`
	GraphQL       *GraphQL `json:"graphql"`
	// Python is the Lambda runtime's version discovery assumed ("3.12"):
	// syntax newer than it is an error.
	Python string `json:"-"`
	// Requirements is the requirements file relative to Root ("" when none).
	Requirements string `json:"-"`
	// Diagnostics holds warnings and notes (and errors of parts that could
	// not be read while discovery went on), each with file:line.
	Diagnostics diag.List `json:"-"`
	// Alerts are the diagnostics a reviewer must see at the top of the
	// pull-request comment and the job summary (also in Diagnostics): no
	// routes, a URL conf that could not be evaluated, most patterns left to
	// the catch-all, an ambiguous manage.py.
	Alerts diag.List `json:"-"`
	// CatchAll counts the URL patterns left to the catch-all function:
	// those discovery could not follow and routes whose path is /{proxy+}.
	CatchAll int `json:"-"`
}

// Route is one URL pattern as Django would resolve it.
type Route struct {
	Path    string   `json:"path"`    // API Gateway form: /catalog/{pk}/
	View    string   `json:"view"`    // module.qualname of the defining callable
	Name    string   `json:"name"`    // "namespace:name", "" when unnamed
	Methods []string `json:"methods"` // ["GET"], or ["ANY"]
	Source  string   `json:"source"`  // "catalog/urls.py:12", relative to Root
	Route   string   `json:"route"`   // joined Django pattern: "catalog/<int:pk>/"
	// App is the label of the project app whose module defines the view,
	// "" for framework or third-party views.
	App string `json:"-"`
}

// GraphQL is the graphene schema, when the project has one.
type GraphQL struct {
	Schema         string   `json:"schema"` // dotted path: "shop.schema.schema"
	QueryFields    []string `json:"query_fields"`
	MutationFields []string `json:"mutation_fields"`
	// Source is "file:line" of the Schema(...) call.
	Source string `json:"-"`
}
