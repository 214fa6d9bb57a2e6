package adapter

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"regexp"
	"strings"
)

// PythonEnv is the environment variable naming the Python interpreter
// that imports the project (build time, and serve and invoke without
// --python).
const PythonEnv = "DJANGO_SERVERLESS_PYTHON"

var noModule = regexp.MustCompile(`No module named '([A-Za-z0-9_.]+)'`)

// MissingModule is the module a ModuleNotFoundError message names
// ("No module named 'django'" gives django), or "".
func MissingModule(msg string) string {
	m := noModule.FindAllStringSubmatch(msg, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}

// Interpreter names python as it was tried: a bare name with the file
// PATH gives for it ("python3 (/usr/bin/python3)"), or with "not on
// PATH".
func Interpreter(python string) string {
	if python == "" {
		python = "python3"
	}
	if strings.ContainsRune(python, '/') {
		return python
	}
	p, err := exec.LookPath(python)
	if err != nil {
		return python + " (not on PATH)"
	}
	return python + " (" + p + ")"
}

// ExplainPython adds to err what went wrong with the interpreter and how
// to pick another when python could not be started (missing, not
// executable) or could not import a module (ModuleNotFoundError); any
// other error is returned as it is. flag is the command-line flag that
// also picks the interpreter ("--python"), or "" where only the
// environment variable does.
func ExplainPython(err error, python, flag string) error {
	if err == nil {
		return nil
	}
	how := PythonEnv
	if flag != "" {
		how = flag + " or " + PythonEnv
	}
	var ee *exec.Error
	var pe *fs.PathError
	switch {
	case errors.As(err, &ee) || (errors.As(err, &pe) && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission))):
		return fmt.Errorf("%w: the Python interpreter %s cannot be run: set %s to a Python that has Django and the project's requirements", err, Interpreter(python), how)
	case MissingModule(err.Error()) != "":
		return fmt.Errorf("%w: module %s cannot be imported by the Python interpreter %s: set %s to a Python that has it (Django and the project's requirements)", err, MissingModule(err.Error()), Interpreter(python), how)
	}
	return err
}
