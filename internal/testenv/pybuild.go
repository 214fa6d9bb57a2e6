package testenv

import (
	"os/exec"
	"sync"
	"testing"
)

var (
	pyBuildOnce sync.Once
	pyBuildErr  error
)

// PythonBuild returns Debian's Python with pip, setuptools and wheel (what
// `pip wheel --no-build-isolation` needs to build a package from source
// offline) and git, or skips/fails t.
func PythonBuild(t testing.TB) string {
	t.Helper()
	pyBuildOnce.Do(func() {
		out, err := exec.Command(DebianPython, "-c", "import setuptools, wheel").CombinedOutput()
		if err == nil {
			out, err = exec.Command(DebianPython, "-m", "pip", "--version").CombinedOutput()
		}
		if err == nil {
			_, err = exec.LookPath("git")
		}
		if err != nil {
			pyBuildErr = &componentError{what: DebianPython + " with pip, setuptools, wheel, and git", out: string(out), err: err}
		}
	})
	if pyBuildErr != nil {
		Missing(t, "%v (apt-get install python3-pip python3-setuptools python3-wheel git)", pyBuildErr)
	}
	return DebianPython
}
