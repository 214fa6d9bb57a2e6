package django

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// show renders a static value the way Python's repr would, for tests;
// unknown values print as "?".
func show(l *loader, v Value) string {
	switch x := l.force(v).(type) {
	case vStr:
		return fmt.Sprintf("%q", x.s)
	case vConst:
		return x.s
	case *vSeq:
		items, ok := l.iterate(x)
		if !ok {
			return "?"
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = show(l, it)
		}
		if x.tuple {
			return "(" + strings.Join(parts, ", ") + ")"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *vDict:
		var parts []string
		seen := map[string]bool{}
		for _, k := range x.keys {
			if !seen[k] {
				seen[k] = true
				v, _ := x.get(k)
				parts = append(parts, fmt.Sprintf("%q: %s", k, show(l, v)))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *vClass:
		return "class " + x.def.Name
	}
	return "?"
}

// evalModule writes files into a project, runs module "m" (m.py) and
// returns the loader, the module and the diagnostics.
func evalModule(t *testing.T, files map[string]string, env map[string]string) (*loader, *modState, *diag.List) {
	t.Helper()
	dir := writeTree(t, files)
	ts, err := NewTreeSitter()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.Close)
	var diags diag.List
	l := newLoader(dir, ts, &diags)
	l.env, l.python = env, "3.12"
	ms := l.module("m")
	if ms == nil {
		t.Fatal("module m not found")
	}
	l.exec(ms)
	return l, ms, &diags
}

func TestEvalPython(t *testing.T) {
	prelude := `import os, sys
from urllib.parse import urlparse
prefix = ""
name = "checks"
n = 3
items = [("a", 1), ("b", 2)]
d = {"x": "1", "y": [1, 2]}

def trailing_slash(value):
    """A docstring first."""
    return f'{value.strip("/")}/' if value else ''

def join(*parts, sep="/", **extra):
    if extra:
        return "kw"
    return sep.join(parts)

def first_even(values):
    for v in values:
        if v % 2 == 1:
            continue
        return v
    return None

class Base:
    APPS = ["a", "b"]
    ROOT = "site.urls"
    def method(self):
        return 1

class Child(Base):
    APPS = Base.APPS + ["c"]
`
	tests := []struct{ expr, want string }{
		{`f"{prefix}{name}/"`, `"checks/"`},
		{`f"v{n}/{name!r}/{n:d}"`, `"v3/'checks'/3"`},
		{`f"{{literal}}{n}"`, `"{literal}3"`},
		{`f"{undefined_name}/"`, `?`},
		{`"%s/%d/" % (name, n)`, `"checks/3/"`},
		{`"%s/" % name`, `"checks/"`},
		{`"%(a)s-%(b)s" % {"a": "x", "b": "y"}`, `"x-y"`},
		{`"{}/{}".format(name, n)`, `"checks/3"`},
		{`"{1}-{0}-{k}".format("a", "b", k="c")`, `"b-a-c"`},
		{`"/a/b/".strip("/")`, `"a/b"`},
		{`"/".join(["a", "b", ""])`, `"a/b/"`},
		{`"A-B".lower().replace("-", "_")`, `"a_b"`},
		{`"a,b,c".split(",")`, `["a", "b", "c"]`},
		{`"hello wORLD-x".title()`, `"Hello World-X"`},
		{`"x.y.z".rpartition(".")`, `("x.y", ".", "z")`},
		{`"admin/".startswith(("api", "adm"))`, `True`},
		{`[f"{k}/" for k, v in items if v > 1]`, `["b/"]`},
		{`{k: v for k, v in items}`, `{"a": 1, "b": 2}`},
		{`[x * 2 for x in range(3)]`, `[0, 2, 4]`},
		{`list(enumerate(["a", "b"], 1))`, `[(1, "a"), (2, "b")]`},
		{`list(zip(["a", "b"], [1, 2]))`, `[("a", 1), ("b", 2)]`},
		{`sorted(["b", "a"])`, `["a", "b"]`},
		{`len(d["y"]) + len("abc")`, `5`},
		{`d.get("x")`, `"1"`},
		{`d.get("zz", "dflt")`, `"dflt"`},
		{`list(d.keys())`, `["x", "y"]`},
		{`"yes" if n > 2 else "no"`, `"yes"`},
		{`1 < n <= 3`, `True`},
		{`"a" in ["a", "b"] and "x" not in d`, `False`},
		{`prefix is None`, `False`},
		{`-n`, `-3`},
		{`[1, 2] * 2`, `[1, 2, 1, 2]`},
		{`trailing_slash("/inventory")`, `"inventory/"`},
		{`trailing_slash("")`, `""`},
		{`join("a", "b")`, `"a/b"`},
		{`join("a", "b", sep="-")`, `"a-b"`},
		{`join("a", other=1)`, `"kw"`},
		{`first_even([1, 3, 4, 6])`, `4`},
		{`Child.APPS`, `["a", "b", "c"]`},
		{`getattr(Child, "ROOT")`, `"site.urls"`},
		{`getattr(Child, "MISSING", "dflt")`, `"dflt"`},
		{`getattr(unknown_thing, "X", "dflt")`, `"dflt"`},
		{`[k for k in dir(Child) if k.isupper()]`, `["APPS", "ROOT"]`},
		{`urlparse("https://example.com/hc/").path`, `"/hc/"`},
		{`urlparse("http://localhost:8000").path.lstrip("/")`, `""`},
		{`os.environ.get("SITE", "dflt")`, `"dflt"`},
		{`os.environ.get("SET_IN_CONFIG", "dflt")`, `"configured"`},
		{`os.environ.get("UNSET")`, `None`},
		{`os.getenv("AWS_REGION", "x")`, `?`},
		{`"SET_IN_CONFIG" in os.environ`, `True`},
		{`sys.version_info >= (3, 10)`, `True`},
		{`sys.platform.startswith("linux")`, `True`},
		{`sys.argv[1]`, `?`},
	}
	var src strings.Builder
	src.WriteString(prelude)
	for i, tt := range tests {
		fmt.Fprintf(&src, "r%d = %s\n", i, tt.expr)
	}
	l, ms, diags := evalModule(t, map[string]string{"m.py": src.String()}, map[string]string{"SET_IN_CONFIG": "configured"})
	for i, tt := range tests {
		if got := show(l, ms.env[fmt.Sprintf("r%d", i)]); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
	for _, d := range *diags {
		if d.Severity == diag.Error {
			t.Errorf("unexpected %s", d)
		}
	}
}

func TestEvalStatements(t *testing.T) {
	src := `x = []
for i in ["a", "b", "c"]:
    if i == "b":
        continue
    x.append(i)
else:
    x.append("done")
y = []
for i in range(10):
    if i == 2:
        break
    y += [i]
else:
    y.append("not reached")
g = {"A": 1}
globals().update({"FROM_DICT": "yes"})
globals()["FROM_SUBSCRIPT"] = 2
if (w := len(x)) > 2:
    walrus = w
try:
    raise ValueError("x")
except ValueError:
    handled = True
lst = ["keep", "drop"]
lst.remove("drop")
lst.insert(0, "first")
lst.extend(("a", "b"))
t1, (t2, t3) = "p", ["q", "r"]
`
	l, ms, _ := evalModule(t, map[string]string{"m.py": src}, nil)
	for name, want := range map[string]string{
		"x": `["a", "c", "done"]`, "y": `[0, 1]`, "FROM_DICT": `"yes"`, "FROM_SUBSCRIPT": `2`,
		"walrus": `3`, "handled": `True`, "lst": `["first", "keep", "a", "b"]`, "t1": `"p"`, "t3": `"r"`,
	} {
		if got := show(l, ms.env[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
}

// An unknown condition runs every branch on its own copy of the names and
// joins them: lists keep the items of every branch, values the branches
// disagree on become unknown, a branch that raises is left out and a
// removal under the condition does not happen (the union keeps the item).
func TestEvalUnion(t *testing.T) {
	src := `import sys
base = ["a"]
patterns = list(base)
same = "s"
if len(sys.argv) > 3:
    patterns += ["b"]
    differs = "one"
    same = "s"
    base.remove("a")
else:
    patterns += ["c"]
    differs = "two"
if len(sys.argv) > 4:
    raise RuntimeError("not this one")
else:
    only = "kept"
`
	l, ms, _ := evalModule(t, map[string]string{"m.py": src}, nil)
	for name, want := range map[string]string{
		"patterns": `["a", "b", "c"]`, "differs": `?`, "same": `"s"`, "only": `"kept"`, "base": `["a"]`,
	} {
		if got := show(l, ms.env[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	// Both conditions were joined; reportUnions decides which to warn about.
	if len(l.unions) != 1 || l.unions[0].line != 5 || strings.Join(l.unions[0].names, ",") != "differs" {
		t.Errorf("unions = %+v, want the one at line 5 (the raising branch of line 13 leaves nothing to join)", l.unions)
	}
}

// The 741-byte urls.py that doubled a string sixty times (2^60 characters)
// and exhausted 23 GB ends with a warning and the routes after it; so do
// its list and nested-loop variants. (BenchmarkDoubling measures it.)
func TestEvalLimits(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"string doubling", "X = 'abcdefghij'\n" + strings.Repeat("X = X + X\n", 60), "a string longer than 1048576 characters"},
		{"list doubling", "X = ['abcdefghij']\n" + strings.Repeat("X = X + X\n", 60), "a list of more than 100000 items"},
		{"in-place doubling", "X = ['a']\n" + strings.Repeat("X += X\n", 60), "a list of more than 100000 items"},
		{"repetition", "X = 'ab' * (10 ** 12)\nY = [0] * 1000000000\n", "a list of more than 100000 items"},
		{"comprehension", "X = [(a, b) for a in range(1000) for b in range(1000)]\n", "a comprehension of more than 100000 items"},
		{"format", "X = 'x' * 1000000\nY = f'{X}{X}'\nZ = '{}{}'.format(X, X)\n", "a string longer than 1048576 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := baseProject()
			files["proj/urls.py"] = tc.body + files["proj/urls.py"]
			if tc.name == "string doubling" && len(files["proj/urls.py"]) < 700 {
				t.Fatalf("the case is %d bytes", len(files["proj/urls.py"]))
			}
			p, err := Discover(writeTree(t, files))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(routePaths(p), "|"); got != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
				t.Errorf("routes = %s", got)
			}
			found := false
			for _, d := range p.Diagnostics {
				if d.Severity == diag.Warning && d.File == "proj/urls.py" && strings.Contains(d.Message, "evaluation limit: "+tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no evaluation-limit warning %q:\n%s", tc.want, p.Diagnostics.Error())
			}
		})
	}
}

// Work past the step budget stops evaluation with one warning, whatever
// the clock: the outcome is the same on every machine.
func TestEvalStepBudget(t *testing.T) {
	dir := writeTree(t, map[string]string{"m.py": "n = 0\nfor a in range(1000):\n    for b in range(1000):\n        n = n + 1\nafter = 'reached'\n"})
	ts, err := NewTreeSitter()
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	var diags diag.List
	l := newLoader(dir, ts, &diags)
	l.budget = 10_000
	ms := l.module("m")
	l.exec(ms)
	if l.steps > 2*l.budget {
		t.Errorf("%d steps taken with a budget of %d", l.steps, l.budget)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "evaluation limit: stopped after 10000 steps") {
		t.Errorf("diagnostics:\n%s", diags.Error())
	}
}

func TestSyntaxErrorKeepsLaterRoutes(t *testing.T) {
	files := baseProject()
	files["good/urls.py"] = `from django.urls import path
from . import views

urlpatterns = [
    path('a/', views.a, name='a'),
    path('a2/', views.a, name='a2'),

def helper(request)
    return 1

urlpatterns += [
    path('c/', views.a, name='c'),
    path('d/' views.a, name='d'),
    path('e/', views.a, name='e'
    path('f/', views.a, name='f'),
]
`
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	want := "/good/a/ good.views.a|/good/a2/ good.views.a|/good/c/ good.views.a|/good/d/ good.views.a|/good/e/ good.views.a|/good/f/ good.views.a|/bad/b/ bad.views.b"
	if got := strings.Join(routePaths(p), "|"); got != want {
		t.Errorf("routes = %s\nwant     %s\n%s", got, want, p.Diagnostics.Error())
	}
	if !hasDiag(p.Diagnostics, diag.Error, "good/urls.py", 0, "syntax error") {
		t.Errorf("the syntax errors are not reported:\n%s", p.Diagnostics.Error())
	}
}

func TestSettingsOverTheParseCap(t *testing.T) {
	files := baseProject()
	files["proj/settings.py"] += "# " + strings.Repeat("x", MaxFileSize) + "\n"
	_, err := Discover(writeTree(t, files))
	if err == nil {
		t.Fatal("no error")
	}
	if want := fmt.Sprintf("proj/settings.py: error: settings module proj.settings could not be read: the file is %d bytes, over the %d bytes discovery reads", len(files["proj/settings.py"]), MaxFileSize); !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant it to contain %q", err, want)
	}
}

func TestSettingsOption(t *testing.T) {
	files := baseProject()
	files["proj/prod.py"] = "from .settings import *\nROOT_URLCONF = 'proj.prod_urls'\n"
	files["proj/prod_urls.py"] = "from django.urls import include, path\nurlpatterns = [path('only/', include('good.urls'))]\n"
	dir := writeTree(t, files)
	p, err := DiscoverWith(dir, Options{Settings: "proj.prod"})
	if err != nil {
		t.Fatal(err)
	}
	if p.SettingsModule != "proj.prod" || strings.Join(routePaths(p), "|") != "/only/a/ good.views.a" {
		t.Errorf("settings %s, routes %q", p.SettingsModule, routePaths(p))
	}
	_, err = DiscoverWith(dir, Options{Settings: "proj.staging", SettingsFrom: "django-serverless.yml:3:15"})
	if err == nil || !strings.Contains(err.Error(), "django-serverless.yml:3:15: error: settings module proj.staging not found") {
		t.Errorf("error = %v", err)
	}
}

// django-configurations: DJANGO_CONFIGURATION (from manage.py) names the
// class whose upper-case attributes are the settings.
func TestDjangoConfigurations(t *testing.T) {
	files := baseProject()
	files["manage.py"] = managePy + "os.environ.setdefault('DJANGO_CONFIGURATION', 'Dev')\n"
	files["proj/settings.py"] = `from configurations import Configuration

class Base(Configuration):
    INSTALLED_APPS = ['good']
    ROOT_URLCONF = 'proj.urls'

class Dev(Base):
    INSTALLED_APPS = Base.INSTALLED_APPS + ['bad']
`
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(routePaths(p), "|"); got != "/good/a/ good.views.a|/bad/b/ bad.views.b" || strings.Join(p.Apps, ",") != "good,bad" {
		t.Errorf("routes %s, apps %v\n%s", got, p.Apps, p.Diagnostics.Error())
	}
}

func TestUnknownWrapperKeepsPatterns(t *testing.T) {
	files := baseProject()
	files["proj/urls.py"] += "from somelib import decorate_all\nurlpatterns = decorate_all(urlpatterns, cache=True)\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(routePaths(p), "|"); got != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
		t.Errorf("routes = %s", got)
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "proj/urls.py", 8, "somelib.decorate_all(...) is not known statically: the URL patterns it is given are kept") {
		t.Errorf("diagnostics:\n%s", p.Diagnostics.Error())
	}
}

// Never a silent zero: no routes, a URL conf that cannot be read, or most
// patterns left to the catch-all are alerts (warnings that head the PR
// comment and the job summary).
func TestNeverASilentZero(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(map[string]string)
		alert string
	}{
		{"no routes", func(f map[string]string) { f["proj/urls.py"] = "urlpatterns = []\n" },
			"no routes discovered from proj.urls: every request goes to the catch-all function"},
		{"unreadable URL conf", func(f map[string]string) { f["proj/urls.py"] = "# " + strings.Repeat("x", MaxFileSize) },
			"the URL conf proj.urls could not be evaluated: no routes discovered"},
		{"no ROOT_URLCONF", func(f map[string]string) { f["proj/settings.py"] = "INSTALLED_APPS = []\n" },
			"ROOT_URLCONF not found in proj.settings"},
		{"mostly catch-all", func(f map[string]string) {
			f["proj/urls.py"] = "from django.urls import include, path, re_path\nfrom good import views\nurlpatterns = [path('a/', views.a), re_path(r'^.*$', views.a), path('x/', include('third.party.urls')), path(PREFIX, views.a)]\n"
		}, "3 of 4 URL patterns (75%) go to the catch-all function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := baseProject()
			tc.edit(files)
			p, err := Discover(writeTree(t, files))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Alerts) != 1 || !strings.Contains(p.Alerts[0].Message, tc.alert) || p.Alerts[0].Severity != diag.Warning {
				t.Errorf("alerts = %v, want one containing %q", p.Alerts, tc.alert)
			}
			if !hasDiag(p.Diagnostics, diag.Warning, "", 0, tc.alert) {
				t.Errorf("the alert is not among the diagnostics:\n%s", p.Diagnostics.Error())
			}
		})
	}
	p, err := Discover(writeTree(t, baseProject()))
	if err != nil || len(p.Alerts) != 0 {
		t.Errorf("alerts on a healthy project: %v %v", p.Alerts, err)
	}
}

func TestUnresolvedBaseIsWarned(t *testing.T) {
	files := baseProject()
	files["good/views.py"] = "from rest_framework import viewsets\n\nclass V(Missing[int], viewsets.ViewSet):\n    pass\n\ndef a(request):\n    pass\n"
	files["good/urls.py"] = "from django.urls import include, path\nfrom rest_framework.routers import SimpleRouter\nfrom . import views\nr = SimpleRouter()\nr.register('v', views.V, basename='v')\nurlpatterns = [path('a/', views.a, name='a'), path('', include(r.urls))]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "good/views.py", 3, "class V: base Missing[...] not resolved (undefined name Missing)") {
		t.Errorf("diagnostics:\n%s", p.Diagnostics.Error())
	}
}

func TestGraphQLViewSchema(t *testing.T) {
	files := baseProject()
	files["good/gql.py"] = "import graphene\n\nclass Query(graphene.ObjectType):\n    all_items = graphene.List(graphene.String)\n\napi_schema = graphene.Schema(query=Query)\nother = graphene.Schema(query=Query)\n"
	files["good/urls.py"] = "from django.urls import path\nfrom django.views.decorators.csrf import csrf_exempt\nfrom graphene_django.views import GraphQLView\nfrom . import views\nfrom .gql import api_schema\n\nurlpatterns = [path('a/', views.a, name='a'), path('graphql/', csrf_exempt(GraphQLView.as_view(schema=api_schema)))]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.GraphQL == nil || p.GraphQL.Schema != "good.gql.api_schema" || strings.Join(p.GraphQL.QueryFields, ",") != "allItems" {
		t.Fatalf("GraphQL = %+v\n%s", p.GraphQL, p.Diagnostics.Error())
	}
	// GRAPHENE names another schema: the view's wins, with a warning.
	files["proj/settings.py"] += "GRAPHENE = {'SCHEMA': 'good.gql.other'}\n"
	p, err = Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.GraphQL == nil || p.GraphQL.Schema != "good.gql.api_schema" || !hasDiag(p.Diagnostics, diag.Warning, "good/urls.py", 7, `GRAPHENE["SCHEMA"] names good.gql.other`) {
		t.Errorf("GraphQL = %+v\n%s", p.GraphQL, p.Diagnostics.Error())
	}
	// A routed graphene view whose schema cannot be found is said.
	files["good/urls.py"] = strings.Replace(files["good/urls.py"], "schema=api_schema", "schema=make_schema()", 1)
	files["proj/settings.py"] = baseProject()["proj/settings.py"]
	p, err = Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.GraphQL != nil || !hasDiag(p.Diagnostics, diag.Warning, "good/urls.py", 7, "GraphQLView is routed but its graphene schema was not found") {
		t.Errorf("GraphQL = %+v\n%s", p.GraphQL, p.Diagnostics.Error())
	}
}

func TestParseFuncOfAMethod(t *testing.T) {
	src := "class R:\n    x = 1\n\n    def __init__(self, a, *rest, b=2, **kw):\n        self.trailing_slash = '/?'\n        return None\n"
	ts, err := NewTreeSitter()
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	m, err := ts.Parse("routers.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fd := m.Stmts[0].Class.Body[1].Func
	if fd.Parsed || fd.Src == "" || len(fd.Body) != 0 {
		t.Fatalf("body converted eagerly: %+v", fd)
	}
	if err := ts.ParseFunc(fd); err != nil {
		t.Fatal(err)
	}
	var params []string
	for _, p := range fd.Params {
		params = append(params, p.Kind+p.Name)
	}
	if strings.Join(params, ",") != "self,a,*rest,b,**kw" || len(fd.Body) != 2 || fd.Body[0].Line != 5 || fd.Body[1].Kind != StmtReturn {
		t.Errorf("params %v, body %d statements (first at line %d)", params, len(fd.Body), fd.Body[0].Line)
	}
}

// Two manage.py at the same depth: the first in path order, said.
func TestTwoManagePy(t *testing.T) {
	files := map[string]string{}
	for p, c := range baseProject() {
		files["b/"+p] = c
		files["a/"+p] = c
	}
	dir := writeTree(t, files)
	p, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Root != filepath.Join(dir, "a") {
		t.Errorf("root = %s", p.Root)
	}
	want := "2 manage.py files at the same depth: using a/manage.py (the first in path order), not b/manage.py"
	if len(p.Alerts) != 1 || !strings.Contains(p.Alerts[0].Message, want) {
		t.Errorf("alerts = %v", p.Alerts)
	}
	// Discovery from one of them is not ambiguous.
	p, err = Discover(filepath.Join(dir, "b"))
	if err != nil || len(p.Alerts) != 0 {
		t.Errorf("alerts = %v, %v", p.Alerts, err)
	}
}

// Every example under testdata/django discovers in a bounded number of
// steps (no pattern makes evaluation blow up).
func TestExamplesWithinBudget(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "testdata", "django"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), "_") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := Discover(filepath.Join("..", "..", "testdata", "django", n))
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		for _, d := range p.Diagnostics {
			if strings.Contains(d.Message, "stopped after") {
				t.Errorf("%s: %s", n, d)
			}
		}
	}
}

// A file cannot flood the report: past 100 warnings a note counts the rest.
func TestDiagnosticsCappedPerFile(t *testing.T) {
	files := baseProject()
	files["good/urls.py"] = "from . import views\nurlpatterns = [" + strings.Repeat("unknown(), ", 300) + "]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range p.Diagnostics {
		if d.File == "good/urls.py" {
			n++
		}
	}
	if n != 101 || !hasDiag(p.Diagnostics, diag.Note, "good/urls.py", 0, "200 more warnings and notes in this file not shown") {
		t.Errorf("%d diagnostics for good/urls.py:\n%s", n, p.Diagnostics.Error())
	}
}

// A project's own GraphQL view (not graphene-django's) given a schema that
// a factory function builds: the schema is found under the name that
// defines it (as Saleor's urls.py does).
func TestGraphQLViewOfTheProjectWithAFactory(t *testing.T) {
	files := baseProject()
	files["good/federation.py"] = "import graphene\n\ndef build_schema(query, mutation=None):\n    s = graphene.Schema(query=query, mutation=mutation)\n    s.extra = True\n    return s\n"
	files["good/api.py"] = "import graphene\nfrom .federation import build_schema\n\nclass Query(graphene.ObjectType):\n    shop_name = graphene.String()\n\nschema = build_schema(Query)\n"
	files["good/views.py"] += "\nfrom django.views import View\n\nclass GraphQLView(View):\n    schema = None\n\n    def post(self, request):\n        pass\n"
	files["good/urls.py"] = "from django.urls import path\nfrom django.views.decorators.csrf import csrf_exempt\nfrom . import views\nfrom .api import schema\n\nurlpatterns = [path('a/', views.a, name='a'), path('graphql/', csrf_exempt(views.GraphQLView.as_view(schema=schema)), name='api')]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.GraphQL == nil || p.GraphQL.Schema != "good.api.schema" || strings.Join(p.GraphQL.QueryFields, ",") != "shopName" {
		t.Errorf("GraphQL = %+v\n%s", p.GraphQL, p.Diagnostics.Error())
	}
}

// URL patterns a project function builds from a registry that decorators
// fill while the project runs are never dropped silently: each include()
// of them is a warning at the include (once per call), counted toward the
// catch-all alert; an include() of a function that can only return [] is
// not reported.
func TestIncludeOfRegistryPatternsIsReported(t *testing.T) {
	files := baseProject()
	files["good/registry.py"] = `from django.urls import path

_views = {}


def register(model):
    def record(cls):
        _views.setdefault(model, []).append(cls)
        return cls
    return record


def model_urls(model):
    try:
        found = _views[model]
    except KeyError:
        found = []
    urls = []
    for cls in found:
        urls.append(path(cls.route, cls.as_view()))
    return urls


def listed_urls(model):
    return [path(f"{cls.route}/", cls.as_view()) for cls in _views.get(model, [])]


def nothing():
    return []
`
	files["good/urls.py"] = `from django.urls import include, path
from . import views
from .registry import listed_urls, model_urls, nothing

urlpatterns = [
    path('a/', views.a, name='a'),
    path('sites/<int:pk>/', include(model_urls('site'))),
    path('racks/', include(listed_urls('rack'))),
    path('none/', include(nothing())),
]
`
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "good/urls.py", 7, `left to the catch-all (in the patterns this include() gives, below "good/sites/<int:pk>/")`) {
		t.Errorf("include(model_urls(...)) not reported at good/urls.py:7:\n%s", p.Diagnostics.Error())
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "good/urls.py", 8, "include(listed_urls(...)) gives no URL patterns as discovery reads it: good.registry.listed_urls builds them") {
		t.Errorf("include(listed_urls(...)) not reported at good/urls.py:8:\n%s", p.Diagnostics.Error())
	}
	for _, d := range p.Diagnostics {
		if d.Line == 9 || d.File == "good/registry.py" {
			t.Errorf("unexpected diagnostic: %s", d)
		}
	}
	if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
		t.Errorf("routes = %q", got)
	}
	if p.CatchAll != 2 {
		t.Errorf("CatchAll = %d, want 2", p.CatchAll)
	}
	if len(p.Alerts) != 0 {
		t.Errorf("2 of 4 patterns is not most: alerts %s", p.Alerts.Error())
	}

	// 120 call sites in one URL conf: one warning each, the file's cap
	// applies, and most patterns going to the catch-all is an alert.
	var b strings.Builder
	b.WriteString("from django.urls import include, path\nfrom . import views\nfrom .registry import model_urls\n\nurlpatterns = [\n    path('a/', views.a, name='a'),\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&b, "    path('m%d/<int:pk>/', include(model_urls('m%d'))),\n", i, i)
	}
	b.WriteString("]\n")
	files["good/urls.py"] = b.String()
	p, err = Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range p.Diagnostics {
		if d.File == "good/urls.py" && d.Severity == diag.Warning {
			n++
		}
	}
	if n != 100 || !hasDiag(p.Diagnostics, diag.Note, "good/urls.py", 0, "20 more warnings and notes in this file not shown") {
		t.Errorf("%d warnings for good/urls.py:\n%s", n, p.Diagnostics.Error())
	}
	if p.CatchAll != 120 || !hasDiag(p.Alerts, diag.Warning, "", 0, "120 of 122 URL patterns (98%) go to the catch-all function") {
		t.Errorf("CatchAll = %d, alerts:\n%s", p.CatchAll, p.Alerts.Error())
	}
}

// Python's built-in exceptions are known bases (classes outside the
// project): a project's `class PaymentError(Exception)` is no unresolved
// base, while a base nobody defines still is (found on mozilla/kitsune:
// "base Exception not resolved").
func TestBuiltinExceptionBases(t *testing.T) {
	src := "class PaymentError(Exception):\n    pass\nclass Odd(ValueError, KeyError):\n    pass\nclass Broken(Missing):\n    pass\n"
	l, ms, diags := evalModule(t, map[string]string{"m.py": src}, nil)
	for _, name := range []string{"PaymentError", "Odd", "Broken"} {
		cls, ok := l.force(ms.env[name]).(*vClass)
		if !ok {
			t.Fatalf("%s is not a class: %T", name, ms.env[name])
		}
		l.mro(cls)
	}
	if cls := l.force(ms.env["PaymentError"]).(*vClass); !l.subclassOf(cls, "builtins.Exception") {
		t.Errorf("PaymentError's bases: %v", l.mro(cls))
	}
	var warned []string
	for _, d := range *diags {
		warned = append(warned, d.Message)
	}
	got := strings.Join(warned, "\n")
	if strings.Contains(got, "base Exception") || strings.Contains(got, "base ValueError") || strings.Contains(got, "base KeyError") {
		t.Errorf("built-in exception bases reported:\n%s", got)
	}
	if !strings.Contains(got, "class Broken: base Missing not resolved") {
		t.Errorf("an undefined base is not reported:\n%s", got)
	}
}
