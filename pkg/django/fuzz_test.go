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
		"p = ''\nif _x := p.strip('/'):\n    p = f'{_x}/'\nurlpatterns = [path(f'{p}a/{p!r:>{3}}', v) for v in [1, 2] if v]\n",
		"X = 'ab'\n" + "X = X + X\n" + "X = X + X\n" + "Y = X * 99999999\nurlpatterns = [path('%s/%d' % (X, 1), v), path('{}'.format(Y), v)]\n",
		"def f(x):\n    return [f(x), f(x)]\nurlpatterns = f(1)\n",
		"class A:\n    B = A.B\nurlpatterns = [A.B, globals(), vars(A), dir(A)]\nglobals().update(urlpatterns)\n",
		"import sys\nif sys.argv:\n    raise X\nelif len(sys.argv):\n    urlpatterns = [1]\nelse:\n    for urlpatterns in range(10**9): break\n",
		"urlpatterns = [\n    path('a/', v.a,\n\ndef broken(:\n    pass\nurlpatterns += [path('b/' v.b), path('c/', v.c, name='c'\n  path('d/', v.d)]\n",
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
