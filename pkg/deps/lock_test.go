package deps

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A uv.lock written the way uv 0.5+ writes one (version 1, revision 2) for
// a project whose resolution forks on the Python version, with markers on
// edges, an extra, a dev group and a git package only the dev group needs.
const forkedUVLock = `version = 1
revision = 2
requires-python = ">=3.11"
resolution-markers = [
    "python_full_version >= '3.13'",
    "python_full_version < '3.13'",
]

[[package]]
name = "asgiref"
version = "3.8.1"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/asgiref-3.8.1.tar.gz", hash = "sha256:c3", size = 35186 }

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "django"
version = "5.1.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "asgiref" },
    { name = "sqlparse" },
    { name = "tzdata", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = [
    "python_full_version < '3.13'",
]

[[package]]
name = "numpy"
version = "2.1.3"
source = { registry = "https://pypi.org/simple" }
resolution-markers = [
    "python_full_version >= '3.13'",
]

[[package]]
name = "psycopg"
version = "3.2.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "typing-extensions", marker = "python_full_version < '3.13'" },
]

[package.optional-dependencies]
binary = [
    { name = "psycopg-binary", marker = "implementation_name != 'pypy'" },
]
pool = [
    { name = "psycopg-pool" },
]

[[package]]
name = "psycopg-binary"
version = "3.2.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "psycopg-pool"
version = "3.2.4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "colorama", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "pytest-tools"
version = "0.1"
source = { git = "https://github.com/example/pytest-tools?rev=main#0123456789abcdef" }

[[package]]
name = "shop"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "django" },
    { name = "graviton-only", marker = "platform_machine == 'aarch64'" },
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.13'" },
    { name = "numpy", version = "2.1.3", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.13'" },
    { name = "psycopg", extra = ["binary"] },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
    { name = "pytest-tools" },
]

[package.metadata]
requires-dist = [{ name = "django", specifier = ">=5" }]

[package.metadata.requires-dev]
dev = [{ name = "pytest" }, { name = "pytest-tools", git = "https://github.com/example/pytest-tools" }]

[[package]]
name = "graviton-only"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sqlparse"
version = "0.5.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "typing-extensions"
version = "4.12.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tzdata"
version = "2024.2"
source = { registry = "https://pypi.org/simple" }
`

func pins(r *Requirements) []string {
	var out []string
	for _, l := range r.Lines {
		out = append(out, l.Text)
	}
	return out
}

func TestReadUVLock(t *testing.T) {
	for _, tc := range []struct {
		target Target
		want   []string
	}{
		{Target{"3.12", "x86_64"}, []string{"asgiref==3.8.1", "django==5.1.2", "numpy==1.26.4", "psycopg==3.2.3", "psycopg-binary==3.2.3", "sqlparse==0.5.1", "typing-extensions==4.12.2"}},
		{Target{"3.13", "arm64"}, []string{"asgiref==3.8.1", "django==5.1.2", "graviton-only==1.0", "numpy==2.1.3", "psycopg==3.2.3", "psycopg-binary==3.2.3", "sqlparse==0.5.1"}},
	} {
		r, err := ReadLock("uv.lock", KindUVLock, []byte(forkedUVLock), tc.target)
		if err != nil {
			t.Fatalf("%+v: %v", tc.target, err)
		}
		// Not there: the dev group (pytest, its git tool), tzdata and
		// colorama (Windows only), the project, the extra not asked for.
		if diff := cmp.Diff(tc.want, pins(r)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.target, diff)
		}
	}
	// Each pin names its own [[package]] line, for errors about it.
	r, _ := ReadLock("uv.lock", KindUVLock, []byte(forkedUVLock), Target{"3.13", "arm64"})
	for _, l := range r.Lines {
		if l.File != "uv.lock" || !strings.HasPrefix(lineOf(forkedUVLock, l.Line+1), `name = "`+strings.Split(l.Text, "==")[0]+`"`) {
			t.Errorf("%s: line %d is %q", l.Text, l.Line, lineOf(forkedUVLock, l.Line+1))
		}
	}
}

func lineOf(s string, n int) string {
	lines := strings.Split(s, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

func TestReadUVLockErrors(t *testing.T) {
	// The git package is needed at run time now, not only by the dev group.
	runtimeGit := strings.Replace(forkedUVLock, `    { name = "psycopg", extra = ["binary"] },`, `    { name = "psycopg", extra = ["binary"] },
    { name = "pytest-tools" },`, 1)
	_, err := ReadLock("uv.lock", KindUVLock, []byte(runtimeGit), Target{"3.12", "arm64"})
	line := strings.Count(runtimeGit[:strings.Index(runtimeGit, `name = "pytest-tools"`)], "\n") // the header above
	want := "uv.lock:" + strconv.Itoa(line) + ": error: package pytest-tools comes from a git source"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("git at run time: want %q, got %v", want, err)
	}

	_, err = ReadLock("uv.lock", KindUVLock, []byte(forkedUVLock), Target{"3.10", "arm64"})
	if err == nil || !strings.Contains(err.Error(), `requires-python ">=3.11" excludes the Lambda runtime python3.10`) {
		t.Errorf("requires-python: %v", err)
	}

	_, err = ReadLock("uv.lock", KindUVLock, []byte("version = 1\n[[package]]\nname = \"x\"\nversion = \n"), Target{"3.12", "arm64"})
	if err == nil || !strings.Contains(err.Error(), "uv.lock:4:") {
		t.Errorf("syntax error: want uv.lock:4, got %v", err)
	}

	_, err = ReadLock("uv.lock", KindUVLock, []byte("version = 1\n[[package]]\nname = \"x\"\nversion = \"1\"\nsource = { registry = \"r\" }\n"), Target{"3.12", "arm64"})
	if err == nil || !strings.Contains(err.Error(), "no project package") {
		t.Errorf("no project: %v", err)
	}

	bad := strings.Replace(forkedUVLock, `marker = "platform_machine == 'aarch64'"`, `marker = "platform_machine ~ 'aarch64'"`, 1)
	_, err = ReadLock("uv.lock", KindUVLock, []byte(bad), Target{"3.12", "arm64"})
	if err == nil || !strings.Contains(err.Error(), "package shop, dependency graviton-only: marker") {
		t.Errorf("bad marker: %v", err)
	}
}

// A workspace: the members are the roots; a member's dependency on
// another member is not a pin.
func TestReadUVLockWorkspace(t *testing.T) {
	lock := `version = 1
requires-python = ">=3.12"

[manifest]
members = ["api", "shared"]

[[package]]
name = "api"
version = "0.1.0"
source = { editable = "api" }
dependencies = [{ name = "shared" }, { name = "django" }]

[[package]]
name = "shared"
version = "0.1.0"
source = { editable = "shared" }
dependencies = [{ name = "requests" }]

[[package]]
name = "django"
version = "5.1.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
`
	r, err := ReadLock("uv.lock", KindUVLock, []byte(lock), Target{"3.12", "x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"django==5.1.2", "requests==2.32.3"}, pins(r)); diff != "" {
		t.Errorf("workspace (-want +got):\n%s", diff)
	}
}

func TestReadPoetryLock(t *testing.T) {
	// Poetry 2 (lock-version 2.1): groups and markers per package.
	poetry2 := `[[package]]
name = "django"
version = "4.2.16"
description = "A high-level Python web framework"
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [
    {file = "Django-4.2.16-py3-none-any.whl", hash = "sha256:1d"},
]

[package.dependencies]
asgiref = ">=3.6.0,<4"
tzdata = {version = "*", markers = "sys_platform == \"win32\""}

[[package]]
name = "tzdata"
version = "2024.2"
optional = false
python-versions = ">=2"
groups = ["main"]
markers = "sys_platform == \"win32\""

[[package]]
name = "uvloop"
version = "0.21.0"
optional = false
python-versions = ">=3.8"
groups = ["main", "dev"]
markers = {main = "sys_platform != \"win32\"", dev = "sys_platform == \"never\""}

[[package]]
name = "pytest"
version = "8.3.3"
optional = false
python-versions = ">=3.8"
groups = ["dev"]

[[package]]
name = "argon2-cffi"
version = "23.1.0"
optional = true
python-versions = ">=3.7"
groups = ["main"]

[[package]]
name = "mylib"
version = "0.1"
optional = false
python-versions = "*"
groups = ["dev"]

[package.source]
type = "git"
url = "https://github.com/x/mylib.git"
reference = "HEAD"
resolved_reference = "abc"

[metadata]
lock-version = "2.1"
python-versions = "^3.12"
content-hash = "0"
`
	r, err := ReadLock("poetry.lock", KindPoetryLock, []byte(poetry2), Target{"3.12", "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"django==4.2.16", "uvloop==0.21.0"}, pins(r)); diff != "" {
		t.Errorf("poetry 2 (-want +got):\n%s", diff)
	}

	// The git package in the main group: an error naming its line.
	mainGit := strings.Replace(poetry2, "groups = [\"dev\"]\n\n[package.source]", "groups = [\"main\"]\n\n[package.source]", 1)
	_, err = ReadLock("poetry.lock", KindPoetryLock, []byte(mainGit), Target{"3.12", "arm64"})
	line := strings.Count(mainGit[:strings.Index(mainGit, `name = "mylib"`)], "\n")
	if err == nil || !strings.Contains(err.Error(), "poetry.lock:"+strconv.Itoa(line)+": error: package mylib comes from a git source") {
		t.Errorf("git in main at line %d: %v", line, err)
	}

	// Poetry 1: category.
	poetry1 := `[[package]]
name = "django"
version = "3.2.25"
category = "main"
optional = false
python-versions = ">=3.6"

[[package]]
name = "pytest"
version = "7.0.0"
category = "dev"
optional = false
python-versions = ">=3.6"
`
	r, err = ReadLock("poetry.lock", KindPoetryLock, []byte(poetry1), Target{"3.12", "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"django==3.2.25"}, pins(r)); diff != "" {
		t.Errorf("poetry 1 (-want +got):\n%s", diff)
	}
}

func TestEvalMarker(t *testing.T) {
	arm312 := Target{"3.12", "arm64"}
	x313 := Target{"3.13", "x86_64"}
	for _, tc := range []struct {
		marker string
		t      Target
		want   bool
	}{
		{"", arm312, true},
		{"sys_platform == 'win32'", arm312, false},
		{`sys_platform == "linux"`, arm312, true},
		{"platform_machine == 'aarch64'", arm312, true},
		{"platform_machine == 'aarch64'", x313, false},
		{"platform_machine == 'x86_64' and python_version >= '3.13'", x313, true},
		{"python_version < '3.13'", arm312, true},
		{"python_version < '3.13'", x313, false},
		{"python_full_version >= '3.12.0'", arm312, true},
		{"python_full_version >= '3.12.1'", arm312, false}, // read as 3.12.0
		{"python_version == '3.12.*'", arm312, true},
		{"python_version != '3.1.*'", arm312, true},
		{"python_version ~= '3.10'", arm312, true},
		{"python_version ~= '3.13'", arm312, false},
		{"'3.10' <= python_version", arm312, true}, // operand order swapped
		{"python_version > '3.9'", arm312, true},   // versions, not strings: "3.12" < "3.9" as text
		{"implementation_name != 'pypy' and platform_python_implementation == 'CPython'", arm312, true},
		{"(sys_platform == 'win32' or sys_platform == 'darwin') and python_version >= '3.8'", arm312, false},
		{"sys_platform == 'win32' or (os_name == 'posix' and platform_system == 'Linux')", arm312, true},
		{"'linux' in sys_platform", arm312, true},
		{"'arm' not in platform_machine", arm312, true},
		{"extra == 'docs'", arm312, false},
		{"os.name == 'posix'", arm312, true}, // PEP 345 spelling
	} {
		got, err := evalMarker(tc.marker, tc.t)
		if err != nil || got != tc.want {
			t.Errorf("evalMarker(%q, %+v) = %v, %v; want %v", tc.marker, tc.t, got, err, tc.want)
		}
	}
	for _, bad := range []string{"python_version >", "python_version >> '3'", "(sys_platform == 'linux'", "nonsense == 'x'", "python_version == '3.12' and", "sys_platform == 'linux", "python_version < 'abc'"} {
		if _, err := evalMarker(bad, arm312); err == nil {
			t.Errorf("evalMarker(%q): no error", bad)
		}
	}
}

func TestMatchSpecifierSet(t *testing.T) {
	for _, tc := range []struct {
		v, set string
		want   bool
	}{
		{"3.12", ">=3.11", true},
		{"3.12", ">=3.10, <3.12", false},
		{"3.13", "==3.13.*", true},
		{"3.12", "==3.13.*", false},
		{"3.12", ">=3.8,!=3.12.*", false},
		{"3.12", "~=3.11", true},
		{"3.12", "~=3.11.0", false},
	} {
		if got, err := matchSpecifierSet(tc.v, tc.set); err != nil || got != tc.want {
			t.Errorf("%s in %q = %v, %v; want %v", tc.v, tc.set, got, err, tc.want)
		}
	}
}
