package action

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// platformWheel writes a wheel of hostmod for one platform tag whose
// module says which platform it was built for, as a compiled extension's
// wheel would differ.
func platformWheel(t *testing.T, dir, platform string) {
	t.Helper()
	name, version := "hostmod", "1.0"
	tag := "py3-none-" + platform
	distInfo := name + "-" + version + ".dist-info/"
	files := map[string]string{
		"hostmod/__init__.py": fmt.Sprintf("BUILT_FOR = %q\n", map[string]string{"manylinux2014_x86_64": "intel", "manylinux2014_aarch64": "graviton"}[platform]),
		distInfo + "METADATA": "Metadata-Version: 2.1\nName: hostmod\nVersion: 1.0\n",
		distInfo + "WHEEL":    "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: " + tag + "\n",
	}
	names := []string{"hostmod/__init__.py", distInfo + "METADATA", distInfo + "WHEEL"}
	var record strings.Builder
	for _, n := range names {
		sum := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	record.WriteString(distInfo + "RECORD,,\n")
	files[distInfo+"RECORD"] = record.String()
	names = append(names, distInfo+"RECORD")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(files[n]))
	}
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name+"-"+version+"-"+tag+".whl"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Schema generation imports the project with its dependencies on this
// machine: when the Lambda architecture is another one, the layer's
// wheels are the other platform's, so the dependencies are installed for
// this machine and those are imported.
func TestGenerateSchemaImportsDependenciesForThisMachine(t *testing.T) {
	py := testenv.Django(t)
	pip, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(pip, "-m", "pip", "--version").Run()
	}
	if err != nil {
		testenv.Missing(t, "python3 with pip: %v", err)
	}
	wh := t.TempDir()
	platformWheel(t, wh, "manylinux2014_x86_64")
	platformWheel(t, wh, "manylinux2014_aarch64")

	root := t.TempDir()
	for rel, body := range map[string]string{
		"requirements.txt":     "hostmod==1.0\n",
		"mysite/__init__.py":   "",
		"mysite/settings.py":   "SECRET_KEY = 'x'\nINSTALLED_APPS = []\n",
		"mysite/archschema.py": "import graphene, hostmod\n\nQuery = type('Query', (graphene.ObjectType,), {'built_for_' + hostmod.BUILT_FOR: graphene.String()})\nschema = graphene.Schema(query=Query)\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	proj := &django.Project{Root: root, SettingsModule: "mysite.settings", GraphQL: &django.GraphQL{Schema: "mysite.archschema.schema"}}
	host := HostArchitecture()
	other := map[string]string{"x86_64": "arm64", "arm64": "x86_64"}[host]
	platform := map[string]string{"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}

	for _, arch := range []string{host, other} {
		var log bytes.Buffer
		d := &PipDeps{Install: true, CacheDir: t.TempDir(), Installer: "pip", PipPython: pip, SchemaPython: py,
			ExtraArgs: []string{"--no-index", "--find-links", wh}, Log: &log}
		c := &config.Config{Python: "3.11", Architecture: arch}
		layer, err := d.BuildLayer(context.Background(), proj, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		sdl, err := d.GenerateSchema(context.Background(), proj, c, layer)
		if err != nil {
			t.Fatalf("%s: %v\n%s", arch, err, log.String())
		}
		if want := map[string]string{"x86_64": "builtForIntel", "arm64": "builtForGraviton"}[host]; !strings.Contains(string(sdl), want) {
			t.Errorf("Lambda on %s: the schema imported %q, want this machine's %s wheel:\n%s", arch, sdl, want, log.String())
		}
		if arch == other && !strings.Contains(log.String(), "installed for this "+host+" machine") {
			t.Errorf("Lambda on %s: the log does not say the dependencies were installed for this machine:\n%s", arch, log.String())
		}
		// The layer itself stays the target's.
		if layer.Platform != platform[arch] {
			t.Errorf("layer platform %s, want %s", layer.Platform, platform[arch])
		}
	}
}

func TestRuntimePython(t *testing.T) {
	found := func(name string) (string, error) {
		if name == "python3.12" {
			return "/usr/local/bin/python3.12", nil
		}
		return "", exec.ErrNotFound
	}
	if got := runtimePython("3.12", found); got != "/usr/local/bin/python3.12" {
		t.Errorf("3.12: %s", got)
	}
	if got := runtimePython("3.13", found); got != "python3" {
		t.Errorf("3.13 without python3.13: %s", got)
	}
}
