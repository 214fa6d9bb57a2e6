package django

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/google/go-cmp/cmp"
)

// TestDiscoverGolden runs discovery on each fixture project under testdata/
// and compares the JSON contract and the table with testdata/<case>.golden.
func TestDiscoverGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || !isFile(filepath.Join("testdata", e.Name(), "manage.py")) {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			p, err := Discover(filepath.Join("testdata", e.Name()))
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			js, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			got := string(js) + "\n" + p.Table()
			golden.AssertString(t, got, filepath.Join("testdata", e.Name()+".golden"))
		})
	}
	if n < 3 {
		t.Fatalf("found %d fixture projects under testdata, want at least 3", n)
	}
}

// writeTree creates files (path -> content) below a new temporary folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const managePy = `import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
`

// baseProject is a small valid project with two apps; tests break parts of it.
func baseProject() map[string]string {
	return map[string]string{
		"manage.py":        managePy,
		"proj/__init__.py": "",
		"proj/settings.py": "INSTALLED_APPS = ['django.contrib.auth', 'good', 'bad']\nROOT_URLCONF = 'proj.urls'\n",
		"proj/urls.py":     "from django.urls import include, path\n\nurlpatterns = [\n    path('good/', include('good.urls')),\n    path('bad/', include('bad.urls')),\n]\n",
		"good/__init__.py": "",
		"good/urls.py":     "from django.urls import path\nfrom . import views\n\nurlpatterns = [path('a/', views.a, name='a')]\n",
		"good/views.py":    "def a(request):\n    pass\n",
		"bad/__init__.py":  "",
		"bad/urls.py":      "from django.urls import path\nfrom . import views\n\nurlpatterns = [path('b/', views.b, name='b')]\n",
		"bad/views.py":     "def b(request):\n    pass\n",
	}
}

func routePaths(p *Project) []string {
	var out []string
	for _, r := range p.Routes {
		out = append(out, r.Path+" "+r.View)
	}
	return out
}

func hasDiag(l diag.List, sev diag.Severity, file string, line int, substr string) bool {
	for _, d := range l {
		if d.Severity == sev && d.File == file && (line == 0 || d.Line == line) && strings.Contains(d.Message, substr) {
			return true
		}
	}
	return false
}

func TestDiscoverBaseProject(t *testing.T) {
	p, err := Discover(writeTree(t, baseProject()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/good/a/ good.views.a", "/bad/b/ bad.views.b"}
	if got := routePaths(p); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("routes = %q, want %q", got, want)
	}
	if strings.Join(p.Apps, ",") != "good,bad" {
		t.Errorf("apps = %q", p.Apps)
	}
	if len(p.Diagnostics) != 0 {
		t.Errorf("unexpected diagnostics:\n%s", p.Diagnostics.Error())
	}
}

func TestFindRoot(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"b/deep/x/manage.py":       "",
		"b/z/manage.py":            "",
		"a/manage.py":              "",
		".venv/manage.py":          "",
		"node_modules/m/manage.py": "",
	})
	got, err := FindRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "a"); got != want {
		t.Errorf("FindRoot = %s, want %s (shallowest, then first by name)", got, want)
	}
	got, err = FindRoot(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "b", "z"); got != want {
		t.Errorf("FindRoot = %s, want %s", got, want)
	}
}

func TestBadInput(t *testing.T) {
	t.Run("no manage.py", func(t *testing.T) {
		_, err := Discover(writeTree(t, map[string]string{"x.py": ""}))
		if !errors.Is(err, ErrNoManagePy) {
			t.Fatalf("err = %v, want ErrNoManagePy", err)
		}
	})
	t.Run("manage.py only in a virtualenv", func(t *testing.T) {
		_, err := Discover(writeTree(t, map[string]string{"venv/pyvenv.cfg": "", "venv/lib/manage.py": ""}))
		if !errors.Is(err, ErrNoManagePy) {
			t.Fatalf("err = %v, want ErrNoManagePy", err)
		}
	})
	t.Run("settings module missing", func(t *testing.T) {
		files := baseProject()
		delete(files, "proj/settings.py")
		_, err := Discover(writeTree(t, files))
		var l diag.List
		if !errors.As(err, &l) || !hasDiag(l, diag.Error, "manage.py", 2, "settings module proj.settings not found") {
			t.Fatalf("err = %v, want manage.py:2 naming proj.settings", err)
		}
	})
	t.Run("no DJANGO_SETTINGS_MODULE", func(t *testing.T) {
		files := baseProject()
		files["manage.py"] = "import sys\n"
		_, err := Discover(writeTree(t, files))
		if err == nil || !strings.Contains(err.Error(), "DJANGO_SETTINGS_MODULE") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("syntax error in one app", func(t *testing.T) {
		files := baseProject()
		files["bad/urls.py"] = "from django.urls import path\nfrom . import views\n\nurlpatterns = [path('b/', views.b,, name='b')]\ndef (:\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Error, "bad/urls.py", 4, "syntax error") {
			t.Errorf("no syntax error at bad/urls.py:4:\n%s", p.Diagnostics.Error())
		}
		if got := routePaths(p); len(got) == 0 || got[0] != "/good/a/ good.views.a" {
			t.Errorf("good app's routes lost: %q", got)
		}
	})
	t.Run("include of a missing module", func(t *testing.T) {
		files := baseProject()
		files["proj/urls.py"] = "from django.urls import include, path\n\nurlpatterns = [\n    path('x/', include('good.nothere')),\n    path('good/', include('good.urls')),\n    path('ext/', include('allauth.urls')),\n]\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Error, "proj/urls.py", 4, "module good.nothere not found") {
			t.Errorf("missing include not reported:\n%s", p.Diagnostics.Error())
		}
		if !hasDiag(p.Diagnostics, diag.Warning, "proj/urls.py", 6, "outside the project") {
			t.Errorf("third-party include not reported:\n%s", p.Diagnostics.Error())
		}
		if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a" {
			t.Errorf("routes = %q", got)
		}
	})
	t.Run("circular include", func(t *testing.T) {
		files := baseProject()
		files["good/urls.py"] = "from django.urls import include, path\nfrom . import views\n\nurlpatterns = [path('a/', views.a), path('loop/', include('bad.urls'))]\n"
		files["bad/urls.py"] = "from django.urls import include, path\n\nurlpatterns = [path('back/', include('good.urls'))]\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Error, "bad/urls.py", 3, "circular include: good.urls -> bad.urls -> good.urls") {
			t.Errorf("cycle not reported:\n%s", p.Diagnostics.Error())
		}
		if len(p.Routes) == 0 {
			t.Error("routes before the cycle lost")
		}
	})
	t.Run("circular import", func(t *testing.T) {
		files := baseProject()
		files["good/views.py"] = "from bad.views import b\n\ndef a(request):\n    pass\n"
		files["bad/views.py"] = "from good.views import a\n\ndef b(request):\n    pass\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
			t.Errorf("routes = %q", got)
		}
	})
	t.Run("10 MB python file", func(t *testing.T) {
		files := baseProject()
		var b bytes.Buffer
		b.WriteString("def b(request):\n    pass\n")
		for b.Len() < 10<<20 {
			b.WriteString("x = [" + strings.Repeat("1, ", 300) + "]\n")
		}
		files["bad/views.py"] = b.String()
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Warning, "bad/views.py", 0, "over the") {
			t.Errorf("large file not reported:\n%s", p.Diagnostics.Error())
		}
		if got := routePaths(p); len(got) != 2 || got[0] != "/good/a/ good.views.a" || got[1] != "/bad/b/ " {
			t.Errorf("routes = %q, want good's view and bad's route without a view", got)
		}
	})
	t.Run("symlink leaving the project", func(t *testing.T) {
		outside := writeTree(t, map[string]string{"urls.py": "from django.urls import path\nurlpatterns = [path('secret/', print)]\n"})
		files := baseProject()
		delete(files, "bad/urls.py")
		dir := writeTree(t, files)
		if err := os.Symlink(filepath.Join(outside, "urls.py"), filepath.Join(dir, "bad", "urls.py")); err != nil {
			t.Skip("symlinks unsupported:", err)
		}
		p, err := Discover(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Warning, "bad/urls.py", 0, "symlink leaves the project") {
			t.Errorf("symlink not reported:\n%s", p.Diagnostics.Error())
		}
		for _, r := range p.Routes {
			if strings.Contains(r.Path, "secret") {
				t.Errorf("followed the symlink: %+v", r)
			}
		}
	})
	t.Run("non-UTF-8 bytes", func(t *testing.T) {
		files := baseProject()
		files["bad/views.py"] = "# caf\xe9 \xff\xfe\ndef b(request):\n    return '\xe9'\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Warning, "bad/views.py", 1, "not valid UTF-8") {
			t.Errorf("invalid UTF-8 not reported:\n%s", p.Diagnostics.Error())
		}
		if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
			t.Errorf("routes = %q", got)
		}
		js, err := p.JSON()
		if err != nil || !bytes.Contains(js, []byte("bad.views.b")) {
			t.Errorf("JSON: %v", err)
		}
	})
	t.Run("ROOT_URLCONF missing", func(t *testing.T) {
		files := baseProject()
		files["proj/settings.py"] = "INSTALLED_APPS = []\nROOT_URLCONF = 'proj.nourls'\n"
		p, err := Discover(writeTree(t, files))
		if err != nil {
			t.Fatal(err)
		}
		if !hasDiag(p.Diagnostics, diag.Error, "proj/settings.py", 0, "ROOT_URLCONF module proj.nourls not found") {
			t.Errorf("not reported:\n%s", p.Diagnostics.Error())
		}
	})
}

// TestDiagnosticsSorted checks diagnostics come out in a stable order.
func TestDiagnosticsSorted(t *testing.T) {
	files := baseProject()
	files["good/urls.py"] = "from django.urls import path\nurlpatterns = [path(ROUTE, x), path('a/', y)]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if !sort.SliceIsSorted(p.Diagnostics, func(i, j int) bool {
		a, b := p.Diagnostics[i], p.Diagnostics[j]
		return a.File < b.File || a.File == b.File && a.Line < b.Line
	}) {
		t.Errorf("diagnostics not sorted:\n%s", p.Diagnostics.Error())
	}
}

func TestViewsEveryWay(t *testing.T) {
	files := baseProject()
	files["good/urls.py"] = `from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
import good.views
import good.views as gv
from good import views
from good.views import Page, a as alias_a
from good.feeds import LatestFeed

urlpatterns = [
    path("1/", good.views.a),
    path("2/", gv.a),
    path("3/", alias_a),
    path("4/", login_required(views.a)),
    path("5/", csrf_exempt(Page.as_view())),
    path("6/", cache_page(60)(views.a)),
    path("7/", require_http_methods(["PUT"])(views.a)),
    path("8/", LatestFeed()),
    path("9/", include([path("x/", views.a, name="x")])),
    path("10/", include("good.more", namespace="m")),
    path("11/", views.Page.as_view(http_method_names=["get"])),
]
`
	files["good/views.py"] = "from django.views.generic import TemplateView\n\ndef a(request):\n    pass\n\nclass Page(TemplateView):\n    def post(self, request):\n        pass\n"
	files["good/feeds.py"] = "from django.contrib.syndication.views import Feed\n\nclass LatestFeed(Feed):\n    pass\n"
	files["good/more.py"] = "from django.urls import path\nfrom .views import a\nurlpatterns = [path('m/', a, name='m')]\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range p.Routes {
		got = append(got, r.Path+" "+r.View+" "+strings.Join(r.Methods, ",")+" "+r.Name+" "+r.App)
	}
	want := []string{
		"/good/1/ good.views.a ANY  good",
		"/good/2/ good.views.a ANY  good",
		"/good/3/ good.views.a ANY  good",
		"/good/4/ good.views.a ANY  good",
		"/good/5/ good.views.Page GET,POST  good",
		"/good/6/ good.views.a ANY  good",
		"/good/7/ good.views.a PUT  good",
		"/good/8/ good.feeds.LatestFeed ANY  good",
		"/good/9/x/ good.views.a ANY x good",
		"/good/10/m/ good.views.a ANY m:m good",
		"/good/11/ good.views.Page GET  good",
		"/bad/b/ bad.views.b ANY b bad",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "good/urls.py", 22, "sets no app_name") {
		t.Errorf("namespace without app_name not reported:\n%s", p.Diagnostics.Error())
	}
}

func TestRequirements(t *testing.T) {
	files := baseProject()
	moved := map[string]string{"repo/requirements/production.txt": "django\n"}
	for k, v := range files {
		moved["repo/src/"+k] = v
	}
	dir := writeTree(t, moved)
	p, err := Discover(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Requirements != "../requirements/production.txt" {
		t.Errorf("Requirements = %q", p.Requirements)
	}
	files["requirements.txt"] = "django\n"
	p, err = Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.Requirements != "requirements.txt" {
		t.Errorf("Requirements = %q", p.Requirements)
	}
}

func TestDeeplyNestedExpression(t *testing.T) {
	files := baseProject()
	depth := 30000
	files["bad/views.py"] = "x = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\ny = " + strings.Repeat("(", depth) + "1" + strings.Repeat(")", depth) + "\n\ndef b(request):\n    pass\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
		t.Errorf("routes = %q\n%s", got, p.Diagnostics.Error())
	}
	if !hasDiag(p.Diagnostics, diag.Warning, "bad/views.py", 1, "evaluation limit: expressions, names or imports nested more than 200 deep") {
		t.Errorf("no depth warning:\n%s", p.Diagnostics.Error())
	}
}

func TestDebugConditions(t *testing.T) {
	const prod = "/good/a/ good.views.a|/bad/b/ bad.views.b|/prod/ good.views.a"
	const debug = "/good/a/ good.views.a|/bad/b/ bad.views.b|/debug/ good.views.a|/debug2/ good.views.a"
	const union = "/good/a/ good.views.a|/bad/b/ bad.views.b|/debug/ good.views.a|/prod/ good.views.a|/debug2/ good.views.a"
	for _, tc := range []struct {
		name, debug string
		env         map[string]string
		want        string
		warnLines   []int // urls.py lines warned about as unknown conditions
	}{
		{"False", "DEBUG = False", nil, prod, nil},
		{"True", "DEBUG = True", nil, debug, nil},
		// Django's default when the settings leave it out.
		{"unset", "", nil, prod, nil},
		// The functions' environment is the config's env: DEBUG unset there.
		{"env unset", "DEBUG = os.environ.get('DEBUG') == '1'", nil, prod, nil},
		{"env set", "DEBUG = os.environ.get('DEBUG') == '1'", map[string]string{"DEBUG": "1"}, debug, nil},
		{"env default", "DEBUG = os.environ.get('DEBUG', 'True') == 'True'", nil, debug, nil},
		{"env other value", "DEBUG = os.environ.get('DEBUG', '0') == '1'", map[string]string{"DEBUG": "yes"}, prod, nil},
		// Not known statically: every branch is kept, with a warning at each if.
		{"unknown", "DEBUG = len(sys.argv) > 1", nil, union, []int{9, 13}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := baseProject()
			files["proj/settings.py"] = "import os, sys\n" + tc.debug + "\n" + files["proj/settings.py"]
			files["proj/urls.py"] += `from django.conf import settings
from good import views
if settings.DEBUG:
    urlpatterns += [path('debug/', views.a)]
else:
    urlpatterns += [path('prod/', views.a)]
if not settings.DEBUG or False:
    pass
else:
    urlpatterns += [path('debug2/', views.a)]
`
			p, err := DiscoverWith(writeTree(t, files), Options{Env: tc.env})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(routePaths(p), "|"); got != tc.want {
				t.Errorf("routes = %s, want %s", got, tc.want)
			}
			var lines []int
			for _, d := range p.Diagnostics {
				if strings.Contains(d.Message, "condition not known statically") {
					if d.File != "proj/urls.py" || d.Severity != diag.Warning {
						t.Errorf("unexpected %s", d)
					}
					lines = append(lines, d.Line)
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(tc.warnLines) {
				t.Errorf("warned at urls.py lines %v, want %v\n%s", lines, tc.warnLines, p.Diagnostics.Error())
			}
		})
	}
}

func TestDefaultRouterWithoutRoot(t *testing.T) {
	files := baseProject()
	files["good/urls.py"] = `from rest_framework.routers import DefaultRouter
from rest_framework.viewsets import ViewSet

class Things(ViewSet):
    def list(self, request):
        pass

router = DefaultRouter(include_root_view=False)
router.register("things", Things, basename="thing")
urlpatterns = router.urls
`
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(routePaths(p), "|"); got != "/good/things/ good.urls.Things|/bad/b/ bad.views.b" {
		t.Errorf("routes = %s", got)
	}
}

func TestSettingsFromWSGI(t *testing.T) {
	files := baseProject()
	files["manage.py"] = "import sys\n"
	files["proj/wsgi.py"] = "import os\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\napplication = get_wsgi_application()\n"
	p, err := Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.SettingsModule != "proj.settings" || len(p.Routes) != 2 {
		t.Errorf("settings %q, %d routes", p.SettingsModule, len(p.Routes))
	}
	files["proj/wsgi.py"] = ""
	files["proj/asgi.py"] = "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'proj.settings'\n"
	p, err = Discover(writeTree(t, files))
	if err != nil {
		t.Fatal(err)
	}
	if p.SettingsModule != "proj.settings" {
		t.Errorf("settings from asgi.py = %q", p.SettingsModule)
	}
}

// PEP 758's `except A, B:` is valid on a python3.14 runtime and an error
// naming the runtime below it; other syntax errors read as before.
func TestExceptListsByRuntime(t *testing.T) {
	files := baseProject()
	files["bad/views.py"] = "def b(request):\n    try:\n        pass\n    except KeyError, ValueError:\n        pass\n"
	dir := writeTree(t, files)
	p, err := DiscoverWith(dir, Options{Python: "3.14"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Diagnostics) != 0 {
		t.Errorf("python 3.14: diagnostics:\n%s", p.Diagnostics.Error())
	}
	if got := routePaths(p); strings.Join(got, "|") != "/good/a/ good.views.a|/bad/b/ bad.views.b" {
		t.Errorf("routes = %q", got)
	}
	for _, python := range []string{"3.13", ""} {
		p, err := DiscoverWith(dir, Options{Python: python})
		if err != nil {
			t.Fatal(err)
		}
		runtime := python
		if runtime == "" {
			runtime = "3.12"
		}
		want := fmt.Sprintf("bad/views.py:4:20: error: `except A, B:` without parentheses needs Python 3.14 (the runtime is python%s): add parentheses or set python: \"3.14\"", runtime)
		if got := p.Diagnostics.Error(); got != want {
			t.Errorf("python %q: diagnostics:\n%s\nwant:\n%s", python, got, want)
		}
	}
	files["bad/views.py"] = "def b(request):\n    try:\n        pass\n    except KeyError, ValueError:\n        pass\n    except (KeyError,, ValueError):\n        pass\n"
	p, err = DiscoverWith(writeTree(t, files), Options{Python: "3.14"})
	if err != nil {
		t.Fatal(err)
	}
	if !hasDiag(p.Diagnostics, diag.Error, "bad/views.py", 6, "syntax error near") || len(p.Diagnostics.Errors()) != 1 {
		t.Errorf("python 3.14: want only the syntax error on line 6:\n%s", p.Diagnostics.Error())
	}
}
