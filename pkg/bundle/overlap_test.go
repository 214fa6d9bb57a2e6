package bundle_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

func layer(t *testing.T, name string, files ...string) bundle.Artifact {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if _, err := zw.Create(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bundle.Artifact{Name: name, Bytes: buf.Bytes()}
}

func TestCheckOverlap(t *testing.T) {
	deps := layer(t, "deps-layer", "python/django/__init__.py", "python/django/db/models.py", "python/six.py", "python/requests/__init__.py")
	runtime := layer(t, "runtime-layer", "python/django_serverless/__init__.py", "python/django_serverless/handler.py")
	ok := layer(t, "project-layer", "python/manage.py", "python/shop/", "python/shop/__init__.py", "python/shop/__pycache__/__init__.cpython-312.pyc")
	if err := bundle.CheckOverlap(deps, ok, runtime); err != nil {
		t.Fatalf("distinct layers: %v", err)
	}
	for _, c := range []struct {
		name    string
		project bundle.Artifact
		want    []string
	}{
		{"same file", layer(t, "project-layer", "python/manage.py", "python/six.py"),
			[]string{"python/six.py (in both deps-layer and project-layer)"}},
		{"a vendored package again", layer(t, "project-layer", "python/requests/__init__.py", "python/django/db/models.py"),
			[]string{"python/django/db/models.py (in both deps-layer and project-layer)", "python/requests/__init__.py (in both deps-layer and project-layer)"}},
		{"file over a folder", layer(t, "project-layer", "python/django"),
			[]string{"python/django (a folder in deps-layer, a file in project-layer)"}},
		{"folder over a file", layer(t, "project-layer", "python/six.py/x.py"),
			[]string{"python/six.py (a file in deps-layer, a folder in project-layer)"}},
		{"the runtime's package", layer(t, "project-layer", "python/django_serverless/handler.py"),
			[]string{"python/django_serverless/handler.py (in both project-layer and runtime-layer)"}},
	} {
		err := bundle.CheckOverlap(deps, c.project, runtime)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v lacks %q", c.name, err, w)
			}
		}
	}
	var many []string
	for i := range 8 {
		many = append(many, fmt.Sprintf("python/m%d.py", i))
	}
	err := bundle.CheckOverlap(layer(t, "a", many...), layer(t, "b", many...))
	if err == nil || !strings.Contains(err.Error(), "python/m4.py") || strings.Contains(err.Error(), "python/m5.py") || !strings.Contains(err.Error(), "and 3 more") {
		t.Errorf("many clashes: %v", err)
	}
	if err := bundle.CheckOverlap(bundle.Artifact{Name: "x"}); err == nil {
		t.Error("a layer without zip accepted")
	}
}
