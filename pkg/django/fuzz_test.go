package django

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDiscoverURLConf feeds arbitrary text as a project's urls.py: discovery
// must neither crash nor hang, and every route it reports must have a
// valid API path.
func FuzzDiscoverURLConf(f *testing.F) {
	for _, s := range []string{
		"from django.urls import path, include\nurlpatterns = [path('a/<int:pk>/', v)]\n",
		"from django.urls import re_path as r\nurlpatterns = [r(r'^x/(?P<a>\\d+)/$', include('proj.urls'))]\n",
		"urlpatterns = urlpatterns + [*urlpatterns]\nurlpatterns += urlpatterns\n",
		"from rest_framework import routers\nr = routers.DefaultRouter()\nr.register('', r)\nurlpatterns = r.urls\n",
		"from . import urls\nurlpatterns = [urls]\n",
		"class A(A): pass\nurlpatterns = [A.as_view()]\n",
		"def (:\n\xff\xfe",
		"urlpatterns = []\nurlpatterns.append(urlpatterns)\n",
		"from django.urls import path, include\nurlpatterns = []\nurlpatterns.append(path('x/', include(urlpatterns)))\n",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	files := baseProject()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	urls := filepath.Join(dir, "good", "urls.py")
	f.Fuzz(func(t *testing.T, src string) {
		if err := os.WriteFile(urls, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Discover(dir)
		if err != nil {
			t.Fatalf("Discover: %v", err)
		}
		for _, r := range p.Routes {
			checkAPIPath(t, r.Route, r.Path)
		}
	})
}
