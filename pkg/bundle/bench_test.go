package bundle

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/bundle/bundletest"
)

// The benchmarks share one generated tree so ZipDir and Info-ZIP are
// compared on the same files in the same run:
//
//	go test ./pkg/bundle -run '^$' -bench 'ZipDir|InfoZip' -benchtime 3x
//
// bench/bundle/run.sh does the same on a 3,000-file, 50 MB tree.
const (
	benchFiles = 1000
	benchBytes = 16 << 20
)

var (
	benchOnce sync.Once
	benchRoot string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(filepath.Dir(benchRoot))
	}
	os.Exit(code)
}

func benchTree(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bundle-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchRoot = filepath.Join(dir, "tree")
		benchErr = bundletest.Generate(benchRoot, benchFiles, benchBytes)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchRoot
}

func BenchmarkZipDir(b *testing.B) {
	root := benchTree(b)
	b.SetBytes(benchBytes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ZipDir(context.Background(), io.Discard, root, Options{Prefix: "python/"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInfoZip(b *testing.B) {
	bin, err := exec.LookPath("zip")
	if err != nil {
		b.Skip("Info-ZIP zip not installed")
	}
	root := benchTree(b)
	out := filepath.Join(b.TempDir(), "out.zip")
	b.SetBytes(benchBytes)
	for b.Loop() {
		os.Remove(out)
		cmd := exec.Command(bin, "-X", "-r", "-q", out, ".")
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("zip: %v: %s", err, msg)
		}
	}
}
