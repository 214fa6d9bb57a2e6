package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

// TestRuntimeLayerFromAdapter zips the real embedded runtime: every file
// lands under python/django_serverless/, the handler module is there, and
// both layouts of the embedded files give the same bytes.
func TestRuntimeLayerFromAdapter(t *testing.T) {
	a, err := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), adapter.Files()))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes), a.Size)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !strings.HasPrefix(f.Name, "python/django_serverless/") {
			t.Errorf("%s is outside python/django_serverless/", f.Name)
		}
	}
	handler := "python/" + strings.ReplaceAll(strings.TrimSuffix(bundle.Handler, ".handle"), ".", "/") + ".py"
	found := false
	for _, n := range names {
		found = found || n == handler
	}
	if !found {
		t.Errorf("runtime layer lacks %s: %v", handler, names)
	}
	if bundle.Handler != adapter.Handler {
		t.Errorf("bundle.Handler %q differs from adapter.Handler %q", bundle.Handler, adapter.Handler)
	}
	sub, err := fs.Sub(adapter.Files(), "python")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.BuildBytes(bundle.RuntimeLayerName, bundle.RuntimeLayer(context.Background(), sub))
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != b.SHA256 {
		t.Error("python/-rooted and package-rooted embedded files give different zips")
	}
}
