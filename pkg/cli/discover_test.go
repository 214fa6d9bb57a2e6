package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
)

func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func smallProject() map[string]string {
	return map[string]string{
		"manage.py":        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
		"proj/__init__.py": "",
		"proj/settings.py": "INSTALLED_APPS = ['app']\nROOT_URLCONF = 'proj.urls'\n",
		"proj/urls.py":     "from django.urls import include, path\nurlpatterns = [path('app/', include('app.urls')), path('x/', include('third.party.urls'))]\n",
		"app/__init__.py":  "",
		"app/views.py":     "def a(request):\n    pass\n",
		"app/urls.py":      "from django.urls import path\nfrom . import views\nurlpatterns = [path('a/', views.a, name='a')]\n",
	}
}

// Text mode prints each diagnostic once (on stderr, not in the table) and
// exits 0 when there is no error.
func TestDiscoverDiagnosticsOnce(t *testing.T) {
	dir := writeProject(t, smallProject())
	code, out, errs := run(t, "discover", "--project", dir)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	const w = `include("third.party.urls") is outside the project`
	if n := strings.Count(out+errs, w); n != 1 {
		t.Errorf("warning printed %d times\nstdout:\n%s\nstderr:\n%s", n, out, errs)
	}
	if !strings.Contains(out, "1 route, 1 URL pattern left to the catch-all function") {
		t.Errorf("table:\n%s", out)
	}
}

// Errors (a file discovery could not read) exit 1 after everything was
// printed, each once.
func TestDiscoverExitsOneOnErrors(t *testing.T) {
	files := smallProject()
	files["app/urls.py"] = "from django.urls import path\nfrom . import views\nurlpatterns = [path('a/', views.a, name='a'),\n"
	dir := writeProject(t, files)
	code, out, errs := run(t, "discover", "--project", dir)
	if code != ExitFail {
		t.Errorf("exit %d, want %d", code, ExitFail)
	}
	if n := strings.Count(errs, "app/urls.py:3"); n != 1 || !strings.Contains(errs, "error: syntax error") {
		t.Errorf("syntax error printed %d times:\n%s", n, errs)
	}
	if !strings.Contains(errs, "discovery reported errors: 1") || !strings.Contains(out, "/app/a/") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
	code, out, _ = run(t, "discover", "--project", dir, "--json")
	if code != ExitFail || !strings.Contains(out, `"severity": "error"`) {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
}

// --json adds "diagnostics" after the contract's keys, each with severity,
// file, line, column and message.
func TestDiscoverJSONDiagnostics(t *testing.T) {
	dir := writeProject(t, smallProject())
	code, out, errs := run(t, "discover", "--project", dir, "--json")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"settings_module", "root_urlconf", "apps", "routes", "graphql", "diagnostics"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	var diags []map[string]any
	if err := json.Unmarshal(doc["diagnostics"], &diags); err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %v", diags)
	}
	d := diags[0]
	if d["severity"] != "warning" || d["file"] != "proj/urls.py" || d["line"] != float64(2) || d["column"] != float64(0) ||
		!strings.Contains(d["message"].(string), "third.party.urls") || len(d) != 5 {
		t.Errorf("diagnostic = %v", d)
	}
	if strings.Index(out, `"graphql"`) > strings.Index(out, `"diagnostics"`) {
		t.Errorf("diagnostics is not after the contract's keys:\n%s", out)
	}
}

// --env reads that environment's settings: and env: from the config.
func TestDiscoverSettingsPerEnvironment(t *testing.T) {
	files := smallProject()
	files["proj/prod.py"] = "from .settings import *\nimport os\nROOT_URLCONF = 'proj.prod_urls'\nPREFIX = os.environ.get('PREFIX', 'none')\n"
	files["proj/prod_urls.py"] = "from django.conf import settings\nfrom django.urls import include, path\nurlpatterns = [path(settings.PREFIX + '/', include('app.urls'))]\n"
	files["django-serverless.yml"] = "environments:\n  prod:\n    settings: proj.prod\n    env: {PREFIX: live}\n"
	dir := writeProject(t, files)
	code, out, errs := run(t, "discover", "--project", dir, "--env", "prod", "--json")
	if code != ExitOK || !strings.Contains(out, `"settings_module": "proj.prod"`) || !strings.Contains(out, `"path": "/live/a/"`) {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, "discover", "--project", dir)
	if code != ExitOK || !strings.Contains(out, "settings:     proj.settings") {
		t.Errorf("dev: exit %d\n%s", code, out)
	}
	files["django-serverless.yml"] = "environments:\n  prod:\n    settings: proj.missing\n"
	dir = writeProject(t, files)
	code, _, errs = run(t, "discover", "--project", dir, "--env", "prod")
	if code != ExitUsage || !strings.Contains(errs, "django-serverless.yml:3:15: error: settings module proj.missing not found") {
		t.Errorf("exit %d\n%s", code, errs)
	}
}

// Discovery's alerts reach the comment and the job summary.
func TestCommentDataCarriesDiscoveryAlerts(t *testing.T) {
	var p django.Project
	p.Alerts.Warnf("", 0, 0, "no routes discovered from shop.urls: every request goes to the catch-all function")
	p.Alerts.Warnf("", 0, 0, "2 manage.py files at the same depth")
	sum := &action.Summary{Stack: "shop-dev", Environment: "dev", Build: &action.Build{Project: &p}}
	d := commentData("plan", gh.Event{}, sum, nil)
	want := []string{"warning: no routes discovered from shop.urls: every request goes to the catch-all function", "warning: 2 manage.py files at the same depth"}
	if strings.Join(d.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings = %q", d.Warnings)
	}
	if !strings.Contains(gh.Comment(d), "> ⚠️ warning: no routes discovered") {
		t.Error("the comment lacks the alert")
	}
}
