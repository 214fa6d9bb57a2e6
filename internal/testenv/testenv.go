// Package testenv finds the real components tests run against (Debian's
// Django, moto_server, cfn-lint, a CPython of a Lambda runtime version) and
// skips a test when one is missing, except
// under DJANGO_SERVERLESS_STRICT=1 (set by .ci/run), where a missing
// component fails the test instead.
package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/bytecode"
)

// StrictEnv is the variable that turns skips into failures.
const StrictEnv = "DJANGO_SERVERLESS_STRICT"

// Strict reports whether missing components must fail tests.
func Strict() bool { return os.Getenv(StrictEnv) == "1" }

// Missing skips t with the reason, or fails it under strict mode.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("required test component missing ("+StrictEnv+"=1): "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// DebianPython is the interpreter that has python3-django,
// python3-djangorestframework and python3-graphene.
const DebianPython = "/usr/bin/python3"

var (
	djangoOnce sync.Once
	djangoErr  error
)

// Django returns the Python interpreter with Django, DRF and graphene
// importable, or skips/fails t.
func Django(t testing.TB) string {
	t.Helper()
	djangoOnce.Do(func() {
		cmd := exec.Command(DebianPython, "-c", "import django, rest_framework, graphene")
		out, err := cmd.CombinedOutput()
		if err != nil {
			djangoErr = &componentError{what: DebianPython + " with django, rest_framework, graphene", out: string(out), err: err}
		}
	})
	if djangoErr != nil {
		Missing(t, "%v (apt-get install python3-django python3-djangorestframework python3-graphene)", djangoErr)
	}
	return DebianPython
}

// MotoEndpoint returns the URL of a running moto_server (from MOTO_ENDPOINT,
// which .ci/run sets), or skips/fails t.
func MotoEndpoint(t testing.TB) string {
	t.Helper()
	ep := os.Getenv("MOTO_ENDPOINT")
	if ep == "" {
		Missing(t, "MOTO_ENDPOINT is not set (start moto_server -H 127.0.0.1 -p 5123 and export MOTO_ENDPOINT=http://127.0.0.1:5123)")
	}
	return ep
}

// CfnLint returns the path of cfn-lint, or skips/fails t.
func CfnLint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("cfn-lint")
	if err != nil {
		Missing(t, "cfn-lint not on PATH")
	}
	return p
}

// AWSEnv sets static credentials, a region and disables the instance
// metadata service for the duration of t, so SDK clients never leave
// loopback.
func AWSEnv(t testing.TB) {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
}

type componentError struct {
	what string
	out  string
	err  error
}

func (e *componentError) Error() string {
	return e.what + ": " + e.err.Error() + ": " + e.out
}

var (
	pythonMu    sync.Mutex
	pythonFound = map[string]*bytecode.Interpreter{}
	pythonErr   = map[string]error{}
)

func findPython(version string) (*bytecode.Interpreter, error) {
	pythonMu.Lock()
	defer pythonMu.Unlock()
	if in, ok := pythonFound[version]; ok {
		return in, pythonErr[version]
	}
	// Tests decide the interpreter: the process's own setting is ignored.
	in, err := bytecode.Finder{Getenv: func(k string) string {
		if k == bytecode.EnvPython {
			return ""
		}
		return os.Getenv(k)
	}}.Find(context.Background(), version)
	pythonFound[version], pythonErr[version] = in, err
	return in, err
}

// Python returns a CPython interpreter of version ("3.11") to compile
// bytecode with, found as the build finds one, or skips/fails t. Version
// 3.11 is Debian bookworm's python3 (.ci/run installs it); use
// OptionalPython for the others.
func Python(t testing.TB, version string) *bytecode.Interpreter {
	t.Helper()
	in, err := findPython(version)
	if err != nil {
		Missing(t, "%v", err)
	}
	return in
}

// OptionalPython is Python for versions no Debian package of CI provides
// (3.12, 3.13: pyenv or uv builds on a developer's machine): it skips
// without one, even under strict mode, and says so.
func OptionalPython(t testing.TB, version string) *bytecode.Interpreter {
	t.Helper()
	in, err := findPython(version)
	if err != nil {
		t.Skipf("skipping: Python %s is not installable on CI (Debian bookworm has 3.11 only) and not found here: %v", version, err)
	}
	return in
}

// PythonWithoutDjango returns a Python interpreter that cannot import
// Django: python3 on PATH or a pyenv build when one lacks it, else a
// script running Debian's python3 without its site packages (-S), where
// Django lives. Skips/fails t without any python3.
func PythonWithoutDjango(t testing.TB) string {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	if home, err := os.UserHomeDir(); err == nil {
		found, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "*", "bin", "python3"))
		candidates = append(candidates, found...)
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "-c", "import django").CombinedOutput()
		if err != nil && strings.Contains(string(out), "No module named 'django'") {
			return p
		}
	}
	if _, err := os.Stat(DebianPython); err != nil {
		Missing(t, "no python3 to run without Django: %v", err)
	}
	script := filepath.Join(t.TempDir(), "python3-without-django")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec "+DebianPython+" -S \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}
