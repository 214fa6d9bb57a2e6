// Package synth writes synthetic Django projects for discovery benchmarks:
// many apps, each with a fixed number of routes, reached through nested
// include() levels, with views spread over modules and a views/ package.
package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write creates a project with apps apps of routes routes each under dir
// (which must not exist or be empty) and returns the number of routes
// Django would resolve.
func Write(dir string, apps, routes int) (int, error) {
	if apps < 1 || routes < 1 {
		return 0, fmt.Errorf("write synthetic project: apps (%d) and routes (%d) must be positive", apps, routes)
	}
	w := &writer{dir: dir}
	w.file("manage.py", `#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synth.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
`)
	w.file("synth/__init__.py", "")
	var installed strings.Builder
	for a := 0; a < apps; a++ {
		fmt.Fprintf(&installed, "    \"apps.app%03d.apps.App%03dConfig\",\n", a, a)
	}
	w.file("synth/settings/__init__.py", "from .base import *  # noqa\n")
	w.file("synth/settings/base.py", fmt.Sprintf(`SECRET_KEY = "bench"
DEBUG = False
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
]
LOCAL_APPS = [
%s]
INSTALLED_APPS = [*DJANGO_APPS, *LOCAL_APPS]
ROOT_URLCONF = "synth.urls"
`, installed.String()))
	w.file("apps/__init__.py", "")
	// Root urlconf includes one group per 10 apps; each group includes its apps.
	groups := (apps + 9) / 10
	var root strings.Builder
	root.WriteString("from django.urls import include, path\n\nurlpatterns = [\n")
	for g := 0; g < groups; g++ {
		fmt.Fprintf(&root, "    path(\"g%02d/\", include(\"synth.groups.g%02d\")),\n", g, g)
	}
	root.WriteString("]\n")
	w.file("synth/urls.py", root.String())
	w.file("synth/groups/__init__.py", "")
	for g := 0; g < groups; g++ {
		var b strings.Builder
		b.WriteString("from django.urls import include, path, re_path\n\nurlpatterns = [\n")
		for a := g * 10; a < min(apps, g*10+10); a++ {
			if a%2 == 0 {
				fmt.Fprintf(&b, "    path(\"app%03d/\", include(\"apps.app%03d.urls\", namespace=\"app%03d\")),\n", a, a, a)
			} else {
				fmt.Fprintf(&b, "    re_path(r\"^a%03d/\", include(\"apps.app%03d.urls\")),\n", a, a)
			}
		}
		b.WriteString("]\n")
		w.file(fmt.Sprintf("synth/groups/g%02d.py", g), b.String())
	}
	for a := 0; a < apps; a++ {
		w.app(a, routes)
	}
	return apps * routes, w.err
}

type writer struct {
	dir string
	err error
}

func (w *writer) file(rel, content string) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = os.WriteFile(p, []byte(content), 0o644)
}

func (w *writer) app(a, routes int) {
	pkg := fmt.Sprintf("apps/app%03d", a)
	w.file(pkg+"/__init__.py", "")
	w.file(pkg+"/apps.py", fmt.Sprintf(`from django.apps import AppConfig


class App%03dConfig(AppConfig):
    name = "apps.app%03d"
    label = "app%03d"
`, a, a, a))
	var funcs, classes strings.Builder
	funcs.WriteString("from django.http import HttpResponse\nfrom django.views.decorators.http import require_GET, require_http_methods\n\n")
	classes.WriteString("from django.http import HttpResponse\nfrom django.views.generic import TemplateView, View\n\n")
	var urls strings.Builder
	urls.WriteString("from django.urls import path, re_path\n\nfrom . import views\nfrom .views.pages import Page0\n\n")
	fmt.Fprintf(&urls, "app_name = \"app%03d\"\n\nurlpatterns = [\n", a)
	var exports []string
	for r := 0; r < routes; r++ {
		switch r % 5 {
		case 0:
			fmt.Fprintf(&funcs, "\n@require_GET\ndef list%d(request):\n    return HttpResponse(\"\")\n\n", r)
			fmt.Fprintf(&urls, "    path(\"items%d/\", views.list%d, name=\"list%d\"),\n", r, r, r)
			exports = append(exports, fmt.Sprintf("list%d", r))
		case 1:
			fmt.Fprintf(&funcs, "\n@require_http_methods([\"GET\", \"POST\"])\ndef detail%d(request, pk):\n    return HttpResponse(\"\")\n\n", r)
			fmt.Fprintf(&urls, "    path(\"items%d/<int:pk>/\", views.detail%d, name=\"detail%d\"),\n", r, r, r)
			exports = append(exports, fmt.Sprintf("detail%d", r))
		case 2:
			fmt.Fprintf(&classes, "\nclass Page%d(View):\n    def get(self, request, *args, **kwargs):\n        return HttpResponse(\"\")\n\n    def post(self, request, *args, **kwargs):\n        return HttpResponse(\"\")\n\n", r)
			fmt.Fprintf(&urls, "    path(\"pages%d/<slug:slug>/\", views.Page%d.as_view(), name=\"page%d\"),\n", r, r, r)
			exports = append(exports, fmt.Sprintf("Page%d", r))
		case 3:
			fmt.Fprintf(&funcs, "\ndef archive%d(request, year, month):\n    return HttpResponse(\"\")\n\n", r)
			fmt.Fprintf(&urls, "    re_path(r\"^archive%d/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$\", views.archive%d, name=\"archive%d\"),\n", r, r, r)
			exports = append(exports, fmt.Sprintf("archive%d", r))
		case 4:
			fmt.Fprintf(&classes, "\nclass About%d(TemplateView):\n    template_name = \"about.html\"\n\n", r)
			fmt.Fprintf(&urls, "    path(\"about%d/\", views.About%d.as_view(), name=\"about%d\"),\n", r, r, r)
			exports = append(exports, fmt.Sprintf("About%d", r))
		}
	}
	if !strings.Contains(classes.String(), "class Page0(") {
		classes.WriteString("\nclass Page0(View):\n    def get(self, request, *args, **kwargs):\n        return HttpResponse(\"\")\n")
	}
	urls.WriteString("]\n")
	w.file(pkg+"/urls.py", urls.String())
	w.file(pkg+"/views/funcs.py", funcs.String())
	w.file(pkg+"/views/pages.py", classes.String())
	w.file(pkg+"/views/__init__.py", "from .funcs import *  # noqa\nfrom .pages import *  # noqa\n")
	_ = exports
}
