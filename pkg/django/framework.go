package django

import "strings"

// reexports maps public import paths of Django, DRF and graphene to the
// module that defines the object, so views are named as Django's resolver
// names them (module.__name__ of the defining module).
var reexports = map[string]string{
	// django.urls
	"django.urls.path":         "django.urls.conf.path",
	"django.urls.re_path":      "django.urls.conf.re_path",
	"django.urls.include":      "django.urls.conf.include",
	"django.conf.urls.url":     "django.urls.conf.re_path",
	"django.conf.urls.include": "django.urls.conf.include",
	"django.conf.urls.static":  "django.conf.urls.static.static",
	// generic views
	"django.views.View":                     "django.views.generic.base.View",
	"django.views.generic.View":             "django.views.generic.base.View",
	"django.views.generic.TemplateView":     "django.views.generic.base.TemplateView",
	"django.views.generic.RedirectView":     "django.views.generic.base.RedirectView",
	"django.views.generic.DetailView":       "django.views.generic.detail.DetailView",
	"django.views.generic.ListView":         "django.views.generic.list.ListView",
	"django.views.generic.FormView":         "django.views.generic.edit.FormView",
	"django.views.generic.CreateView":       "django.views.generic.edit.CreateView",
	"django.views.generic.UpdateView":       "django.views.generic.edit.UpdateView",
	"django.views.generic.DeleteView":       "django.views.generic.edit.DeleteView",
	"django.views.generic.ArchiveIndexView": "django.views.generic.dates.ArchiveIndexView",
	"django.views.generic.YearArchiveView":  "django.views.generic.dates.YearArchiveView",
	"django.views.generic.MonthArchiveView": "django.views.generic.dates.MonthArchiveView",
	"django.views.generic.WeekArchiveView":  "django.views.generic.dates.WeekArchiveView",
	"django.views.generic.DayArchiveView":   "django.views.generic.dates.DayArchiveView",
	"django.views.generic.TodayArchiveView": "django.views.generic.dates.TodayArchiveView",
	"django.views.generic.DateDetailView":   "django.views.generic.dates.DateDetailView",
	// DRF
	// graphene
	"graphene.Schema":             "graphene.types.schema.Schema",
	"graphene.ObjectType":         "graphene.types.objecttype.ObjectType",
	"graphene.Mutation":           "graphene.types.mutation.Mutation",
	"graphene_django.GraphQLView": "graphene_django.views.GraphQLView",
}

// canonical maps a public dotted name to its defining module's name.
func canonical(path string) string {
	if c, ok := reexports[path]; ok {
		return c
	}
	// DRF re-exports: rest_framework.viewsets.ModelViewSet etc. are defined
	// where imported from; os.environ.get keeps its name.
	return path
}

// handlerOrder is View.http_method_names: the order methods are listed in.
var handlerOrder = []string{"get", "post", "put", "patch", "delete", "head", "options", "trace"}

// frameworkHandlers lists the HTTP handler methods framework classes
// define (beyond View.options / APIView.options, which every view has).
var frameworkHandlers = map[string][]string{
	"django.views.generic.base.View":                       nil,
	"django.views.generic.base.TemplateView":               {"get"},
	"django.views.generic.base.RedirectView":               {"get", "post", "put", "patch", "delete", "head", "options"},
	"django.views.generic.detail.DetailView":               {"get"},
	"django.views.generic.detail.BaseDetailView":           {"get"},
	"django.views.generic.list.ListView":                   {"get"},
	"django.views.generic.list.BaseListView":               {"get"},
	"django.views.generic.edit.FormView":                   {"get", "post", "put"},
	"django.views.generic.edit.BaseFormView":               {"get", "post", "put"},
	"django.views.generic.edit.ProcessFormView":            {"get", "post", "put"},
	"django.views.generic.edit.CreateView":                 {"get", "post", "put"},
	"django.views.generic.edit.BaseCreateView":             {"get", "post", "put"},
	"django.views.generic.edit.UpdateView":                 {"get", "post", "put"},
	"django.views.generic.edit.BaseUpdateView":             {"get", "post", "put"},
	"django.views.generic.edit.DeleteView":                 {"get", "post", "delete"},
	"django.views.generic.edit.BaseDeleteView":             {"get", "post", "delete"},
	"django.views.generic.edit.DeletionMixin":              {"post", "delete"},
	"django.views.generic.dates.ArchiveIndexView":          {"get"},
	"django.views.generic.dates.YearArchiveView":           {"get"},
	"django.views.generic.dates.MonthArchiveView":          {"get"},
	"django.views.generic.dates.WeekArchiveView":           {"get"},
	"django.views.generic.dates.DayArchiveView":            {"get"},
	"django.views.generic.dates.TodayArchiveView":          {"get"},
	"django.views.generic.dates.DateDetailView":            {"get"},
	"django.contrib.auth.views.LoginView":                  {"get", "post", "put"},
	"django.contrib.auth.views.LogoutView":                 {"get", "post"},
	"django.contrib.auth.views.PasswordChangeView":         {"get", "post", "put"},
	"django.contrib.auth.views.PasswordChangeDoneView":     {"get"},
	"django.contrib.auth.views.PasswordResetView":          {"get", "post", "put"},
	"django.contrib.auth.views.PasswordResetDoneView":      {"get"},
	"django.contrib.auth.views.PasswordResetConfirmView":   {"get", "post", "put"},
	"django.contrib.auth.views.PasswordResetCompleteView":  {"get"},
	"rest_framework.views.APIView":                         nil,
	"rest_framework.generics.GenericAPIView":               nil,
	"rest_framework.generics.CreateAPIView":                {"post"},
	"rest_framework.generics.ListAPIView":                  {"get"},
	"rest_framework.generics.RetrieveAPIView":              {"get"},
	"rest_framework.generics.DestroyAPIView":               {"delete"},
	"rest_framework.generics.UpdateAPIView":                {"put", "patch"},
	"rest_framework.generics.ListCreateAPIView":            {"get", "post"},
	"rest_framework.generics.RetrieveUpdateAPIView":        {"get", "put", "patch"},
	"rest_framework.generics.RetrieveDestroyAPIView":       {"get", "delete"},
	"rest_framework.generics.RetrieveUpdateDestroyAPIView": {"get", "put", "patch", "delete"},
	"rest_framework.routers.APIRootView":                   {"get"},
	"graphene_django.views.GraphQLView":                    {"get", "post"},
}

// frameworkActions lists the ViewSet actions framework classes define.
var frameworkActions = map[string][]string{
	"rest_framework.viewsets.ViewSetMixin":         nil,
	"rest_framework.viewsets.ViewSet":              nil,
	"rest_framework.viewsets.GenericViewSet":       nil,
	"rest_framework.viewsets.ReadOnlyModelViewSet": {"list", "retrieve"},
	"rest_framework.viewsets.ModelViewSet":         {"list", "create", "retrieve", "update", "partial_update", "destroy"},
	"rest_framework.mixins.ListModelMixin":         {"list"},
	"rest_framework.mixins.CreateModelMixin":       {"create"},
	"rest_framework.mixins.RetrieveModelMixin":     {"retrieve"},
	"rest_framework.mixins.UpdateModelMixin":       {"update", "partial_update"},
	"rest_framework.mixins.DestroyModelMixin":      {"destroy"},
}

// isRouter reports whether a framework class is a DRF router, and whether
// it is a DefaultRouter (which adds the API root view).
func isRouter(path string) (router, isDefault bool) {
	switch path {
	case "rest_framework.routers.DefaultRouter":
		return true, true
	case "rest_framework.routers.SimpleRouter", "rest_framework.routers.BaseRouter":
		return true, false
	}
	return false, false
}

// methodDecorators maps view decorators to the methods they allow.
var methodDecorators = map[string][]string{
	"django.views.decorators.http.require_GET":  {"GET"},
	"django.views.decorators.http.require_POST": {"POST"},
	"django.views.decorators.http.require_safe": {"GET", "HEAD"},
}

// urlFunc classifies django.urls callables after canonical().
func urlFunc(path string) string {
	switch canonical(path) {
	case "django.urls.conf.path":
		return "path"
	case "django.urls.conf.re_path":
		return "re_path"
	case "django.urls.conf.include":
		return "include"
	case "django.conf.urls.static.static", "django.contrib.staticfiles.urls.staticfiles_urlpatterns":
		return "static"
	}
	return ""
}

// lastComponent returns the part after the last dot.
func lastComponent(dotted string) string {
	if i := strings.LastIndexByte(dotted, '.'); i >= 0 {
		return dotted[i+1:]
	}
	return dotted
}

// skipDir reports folders discovery never enters.
func skipDir(path, name string) bool {
	switch name {
	case ".git", ".hg", ".svn", "node_modules", "__pycache__", "site-packages", ".tox", ".nox",
		".venv", "venv", "env", ".env", "virtualenv", ".mypy_cache", ".pytest_cache", "dist-packages":
		return true
	}
	if strings.HasPrefix(name, ".") {
		return true
	}
	return isFile(path + "/pyvenv.cfg")
}
