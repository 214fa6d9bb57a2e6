package testenv

import (
	"os/exec"
	"sync"
	"testing"
)

var (
	chromiumOnce sync.Once
	chromiumPath string
	chromiumErr  error
)

// Chromium returns the path of Debian's chromium (apt-get install chromium
// chromium-driver, which .ci/run does), or skips/fails t.
func Chromium(t testing.TB) string {
	t.Helper()
	chromiumOnce.Do(func() {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				out, err := exec.Command(p, "--version").CombinedOutput()
				if err != nil {
					chromiumErr = &componentError{what: p + " --version", out: string(out), err: err}
					return
				}
				chromiumPath = p
				return
			}
		}
		chromiumErr = exec.ErrNotFound
	})
	if chromiumPath == "" {
		Missing(t, "chromium: %v (apt-get install chromium chromium-driver)", chromiumErr)
	}
	return chromiumPath
}

// ChromiumFlags are the flags a test browser runs with: headless, no
// sandbox (tests run as root in CI), nothing that talks to the network by
// itself, every host name but the loopback one unresolvable, and a fresh
// profile in userDataDir.
func ChromiumFlags(userDataDir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
		"--user-data-dir=" + userDataDir,
	}
}
