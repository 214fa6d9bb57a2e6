package bundle

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

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

// BenchmarkScanBigFile scans an 8 MiB and a 64 MiB text file (a key pair
// at the very end of each) as streamEntry does, in the same run, and
// reports the time and bytes allocated for each, their ratio, and the
// whole-file scan of the 8 MiB file (read into memory) for comparison:
//
//	go test ./pkg/bundle -run '^$' -bench ScanBigFile -benchtime 3x
func BenchmarkScanBigFile(b *testing.B) {
	dir := b.TempDir()
	write := func(name string, size int) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(f, newGen(size, "\n"+testAWS)); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return p
	}
	small, big := write("8.txt", 8<<20), write("64.txt", 64<<20)
	buf := make([]byte, 1<<20)
	stream := func(p string) (time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sc := newSecretScanner()
		if _, err := io.CopyBuffer(sc, f, buf); err != nil {
			b.Fatal(err)
		}
		if len(sc.Kinds()) != 1 {
			b.Fatal("the key pair was not found")
		}
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		return d, after.TotalAlloc - before.TotalAlloc
	}
	var t8, t64, whole time.Duration
	var a8, a64 uint64
	for b.Loop() {
		d, a := stream(small)
		t8, a8 = t8+d, a8+a
		d, a = stream(big)
		t64, a64 = t64+d, a64+a
		start := time.Now()
		data, err := os.ReadFile(small)
		if err != nil || len(scanSecrets(data)) != 1 {
			b.Fatal("whole-file scan: the key pair was not found", err)
		}
		whole += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(t8.Milliseconds())/n, "ms/8MiB")
	b.ReportMetric(float64(t64.Milliseconds())/n, "ms/64MiB")
	b.ReportMetric(float64(t64)/float64(t8), "time-ratio")
	b.ReportMetric(float64(whole.Milliseconds())/n, "ms/8MiB-whole")
	b.ReportMetric(float64(a8)/n/(1<<20), "MiB-alloc/8MiB")
	b.ReportMetric(float64(a64)/n/(1<<20), "MiB-alloc/64MiB")
}
