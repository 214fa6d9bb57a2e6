package deps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseRequirements(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"requirements.txt": `# production
-r requirements/base.txt
--index-url https://pypi.org/simple
Django==3.2.25 \
    --hash=sha256:aaaa \
    --hash=sha256:bbbb
pywin32==306; sys_platform == "win32"   # markers are pip's business
-c constraints.txt

Pillow>=10  # imaging
--find-links wheels
`,
		"requirements/base.txt": `requests[socks]==2.32.3
-r common.txt
`,
		"requirements/common.txt": "six\n-r ../requirements/common.txt\n",
		"constraints.txt":         "urllib3<3\n",
	})
	// common.txt including itself would be a cycle: check it separately.
	writeFiles(t, dir, map[string]string{"requirements/common.txt": "six\n"})

	r, err := ParseRequirements(dir, filepath.Join(dir, "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{File: "requirements/base.txt", Line: 1, Text: "requests[socks]==2.32.3", Name: "requests"},
		{File: "requirements/common.txt", Line: 1, Text: "six", Name: "six"},
		{File: "requirements.txt", Line: 3, Text: "--index-url https://pypi.org/simple"},
		{File: "requirements.txt", Line: 4, Text: "Django==3.2.25 --hash=sha256:aaaa --hash=sha256:bbbb", Name: "django"},
		{File: "requirements.txt", Line: 7, Text: `pywin32==306; sys_platform == "win32"`, Name: "pywin32"},
		{File: "requirements.txt", Line: 10, Text: "Pillow>=10", Name: "pillow"},
		{File: "requirements.txt", Line: 11, Text: "--find-links wheels"},
	}
	if diff := cmp.Diff(want, r.Lines, cmpopts.IgnoreUnexported(Line{})); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Line{{File: "constraints.txt", Line: 1, Text: "urllib3<3", Name: "urllib3"}}, r.Constraints, cmpopts.IgnoreUnexported(Line{})); diff != "" {
		t.Errorf("constraints (-want +got):\n%s", diff)
	}
	// The installer gets an absolute --find-links; the hash does not.
	if got := pipText(r.Lines); !strings.Contains(got, "--find-links "+filepath.Join(dir, "wheels")+"\n") {
		t.Errorf("pip text lacks absolute find-links:\n%s", got)
	}
	if strings.Contains(hashText(r.Lines), dir) {
		t.Errorf("hash text depends on the checkout's location:\n%s", hashText(r.Lines))
	}
}

func TestParseRequirementsRejects(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"requirements.txt": `django==3.2
-e ./mylib
git+https://github.com/x/y.git#egg=y
pkg @ https://example.com/pkg-1.0.tar.gz
./local/pkg
-r missing.txt
-r loop.txt
--no-binary :all:
`,
		"loop.txt": "-r requirements.txt\n",
	})
	_, err := ParseRequirements(dir, filepath.Join(dir, "requirements.txt"))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`requirements.txt:2: error: editable requirement "./mylib"`,
		`requirements.txt:5: error: local path requirement "./local/pkg"`,
		`requirements.txt:6: error: requirements file missing.txt not found`,
		`loop.txt:1: error: requirements include cycle: requirements.txt includes itself`,
		`requirements.txt:8: error: --no-binary :all:`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// URL and VCS requirements are not errors (TestDirectRequirements).
	if strings.Contains(err.Error(), "requirements.txt:3") || strings.Contains(err.Error(), "requirements.txt:4") {
		t.Errorf("URL or VCS requirement refused:\n%v", err)
	}
}

// URL and VCS requirements (also -e) are kept for the layer build, in the
// hash as written; one that pins no content (a branch, a URL without a
// hash) is a warning, never an error.
func TestDirectRequirements(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"requirements.txt": `django==3.2
git+https://github.com/acme/tool.git@` + sha + `#egg=acme-tool
git+https://github.com/acme/other.git@main#egg=other
-e git+https://github.com/acme/edit.git#egg=edit
pkg @ https://example.com/pkg-1.0.tar.gz#sha256=abcd
lib[extra] @ https://example.com/lib-2.0-py3-none-any.whl ; python_version >= "3.8"
https://example.com/bare-1.0.tar.gz
`})
	r, err := ParseRequirements(dir, filepath.Join(dir, "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{File: "requirements.txt", Line: 1, Text: "django==3.2", Name: "django"},
		{File: "requirements.txt", Line: 2, Text: "git+https://github.com/acme/tool.git@" + sha + "#egg=acme-tool", Name: "acme-tool", Direct: true},
		{File: "requirements.txt", Line: 3, Text: "git+https://github.com/acme/other.git@main#egg=other", Name: "other", Direct: true},
		{File: "requirements.txt", Line: 4, Text: "git+https://github.com/acme/edit.git#egg=edit", Name: "edit", Direct: true},
		{File: "requirements.txt", Line: 5, Text: "pkg @ https://example.com/pkg-1.0.tar.gz#sha256=abcd", Name: "pkg", Direct: true},
		{File: "requirements.txt", Line: 6, Text: `lib[extra] @ https://example.com/lib-2.0-py3-none-any.whl ; python_version >= "3.8"`, Name: "lib", Direct: true},
		{File: "requirements.txt", Line: 7, Text: "https://example.com/bare-1.0.tar.gz", Name: "@https://example.com/bare-1.0.tar.gz", Direct: true},
	}
	if diff := cmp.Diff(want, r.Lines, cmpopts.IgnoreUnexported(Line{})); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	var got []string
	for _, d := range r.Warnings {
		got = append(got, d.String())
	}
	wantWarn := []string{
		`requirements.txt:3: warning: VCS requirement git+https://github.com/acme/other.git@main#egg=other pins revision "main", not a commit sha: the dependencies layer is not reproducible (its hash covers the text, not what the branch or tag points at); pin a full commit sha (@<40 hex digits>)`,
		`requirements.txt:4: warning: VCS requirement git+https://github.com/acme/edit.git#egg=edit pins no revision: the dependencies layer is not reproducible (its hash covers the text, not what the branch or tag points at); pin a full commit sha (@<40 hex digits>)`,
		`requirements.txt:6: warning: URL requirement https://example.com/lib-2.0-py3-none-any.whl has no hash: the dependencies layer is not reproducible if the file behind the URL changes; add #sha256=<digest> to the URL`,
		`requirements.txt:7: warning: URL requirement https://example.com/bare-1.0.tar.gz has no hash: the dependencies layer is not reproducible if the file behind the URL changes; add #sha256=<digest> to the URL`,
	}
	if diff := cmp.Diff(wantWarn, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// The hash sees the text as written: another commit, another layer.
	if !strings.Contains(hashText(r.Lines), sha) {
		t.Errorf("hash text lacks the commit:\n%s", hashText(r.Lines))
	}
}

func TestPinsFromLock(t *testing.T) {
	uvLock := `version = 1
requires-python = ">=3.12"

[[package]]
name = "asgiref"
version = "3.8.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/asgiref-3.8.1.tar.gz", hash = "sha256:c3", size = 35186 }

[[package]]
name = "django"
version = "5.1.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "asgiref" },
]

[[package]]
name = "shop"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "django" },
]

[package.metadata]
requires-dist = [{ name = "django", specifier = ">=5" }]
`
	got, err := pinsFromLock("uv.lock", KindUVLock, []byte(uvLock))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("asgiref==3.8.1\ndjango==5.1.2\n", got); diff != "" {
		t.Errorf("uv.lock (-want +got):\n%s", diff)
	}

	poetryLock := `[[package]]
name = "django"
version = "4.2.16"
description = "A high-level Python web framework"
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [
    {file = "Django-4.2.16-py3-none-any.whl", hash = "sha256:1d"},
]

[[package]]
name = "pytest"
version = "8.3.3"
optional = false
python-versions = ">=3.8"
groups = ["dev"]

[[package]]
name = "mylib"
version = "0.1"
optional = false
python-versions = "*"
groups = ["main"]

[package.source]
type = "git"
url = "https://github.com/x/mylib.git"
`
	_, err = pinsFromLock("poetry.lock", KindPoetryLock, []byte(poetryLock))
	if err == nil || !strings.Contains(err.Error(), "poetry.lock:19: error: package mylib comes from a git source") {
		t.Fatalf("want a git source error at poetry.lock:19, got %v", err)
	}
	got, err = pinsFromLock("poetry.lock", KindPoetryLock, []byte(poetryLock[:strings.Index(poetryLock, "[[package]]\nname = \"mylib\"")]))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("django==4.2.16\n", got); diff != "" {
		t.Errorf("poetry.lock (-want +got):\n%s", diff)
	}
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := Detect(dir, ""); ok || err != nil {
		t.Fatalf("empty project: ok=%v err=%v", ok, err)
	}
	writeFiles(t, dir, map[string]string{"uv.lock": "version = 1\n"})
	src, ok, err := Detect(dir, "")
	if err != nil || !ok || src.Kind != KindUVLock {
		t.Fatalf("uv.lock: %+v %v %v", src, ok, err)
	}
	writeFiles(t, dir, map[string]string{"requirements.txt": "django\n"})
	if src, _, _ := Detect(dir, ""); src.Kind != KindRequirements {
		t.Errorf("requirements.txt should win, got %s", src.Kind)
	}
	_, _, err = Detect(dir, "requirements/prod.txt")
	if err == nil || !strings.Contains(err.Error(), "requirements file requirements/prod.txt (the config's requirements:) not found") {
		t.Errorf("missing configured file: %v", err)
	}
}
