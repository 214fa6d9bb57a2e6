package adapter

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// TestExplainPython: an interpreter that cannot be started, or that
// cannot import a module, is named (with the file PATH gives for a bare
// name), and so are the module and the way to pick another interpreter;
// other errors pass unchanged.
func TestExplainPython(t *testing.T) {
	_, runErr := exec.Command("/nonexistent/python3", "-c", "pass").Output()
	err := ExplainPython(runErr, "/nonexistent/python3", "--python")
	for _, want := range []string{"/nonexistent/python3 cannot be run", "--python or DJANGO_SERVERLESS_PYTHON"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if !errors.Is(err, runErr) {
		t.Error("the cause is not wrapped")
	}

	_, lookErr := exec.Command("no-such-python-here", "-c", "pass").Output()
	if err := ExplainPython(lookErr, "no-such-python-here", ""); !strings.Contains(err.Error(), "no-such-python-here (not on PATH) cannot be run: set DJANGO_SERVERLESS_PYTHON") {
		t.Errorf("bare name not on PATH: %v", err)
	}

	noDjango := testenv.PythonWithoutDjango(t)
	out, _ := exec.CommandContext(context.Background(), noDjango, "-c", "import django").CombinedOutput()
	err = ExplainPython(errors.New(strings.TrimSpace(string(out))), noDjango, "")
	for _, want := range []string{"module django cannot be imported by the Python interpreter " + noDjango, "set DJANGO_SERVERLESS_PYTHON"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if got := MissingModule("ModuleNotFoundError: No module named 'rest_framework.fields'"); got != "rest_framework.fields" {
		t.Errorf("MissingModule = %q", got)
	}
	other := errors.New("SyntaxError: invalid syntax")
	if ExplainPython(other, "python3", "--python") != other {
		t.Error("an unrelated error was changed")
	}
}
