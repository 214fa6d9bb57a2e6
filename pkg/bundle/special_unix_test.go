//go:build unix

package bundle

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpecialFilesSkipped(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, []file{{"app.py", "x", 0o644}})
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	b, st := zipDir(t, root, Options{}) // must not block reading the FIFO
	if diff := cmp.Diff([]string{"app.py"}, names(readZip(t, b))); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if len(st.Skipped) != 1 || st.Skipped[0].Path != "pipe" {
		t.Errorf("Skipped = %v, want the FIFO", st.Skipped)
	}
}
