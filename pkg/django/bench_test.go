package django

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/django-serverless/django-serverless-action/bench/discover/synth"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// BenchmarkDiscover measures discovery on synthetic projects of 500, 1,000
// and 2,000 routes (10 routes per app behind two include levels). Target:
// 2,000 routes under 500 ms; cost per route roughly constant.
func BenchmarkDiscover(b *testing.B) {
	for _, routes := range []int{500, 1000, 2000} {
		b.Run(fmt.Sprintf("routes=%d", routes), func(b *testing.B) {
			dir := b.TempDir()
			want, err := synth.Write(dir, routes/10, 10)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := Discover(dir)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Routes) != want || len(p.Diagnostics) != 0 {
					b.Fatalf("discovered %d routes with %d diagnostics, want %d and none:\n%s", len(p.Routes), len(p.Diagnostics), want, p.Diagnostics.Error())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(want), "ns/route")
			// CPU time (user+system, all threads) shows the cost when other
			// processes share the machine and wall time is noisy.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkDoubling is issue 12's 741-byte urls.py that doubles a string
// sixty times (2^60 characters: it once took 23 GB): discovery ends at its
// size limit with a warning. Target: well under a second.
func BenchmarkDoubling(b *testing.B) {
	files := baseProject()
	files["proj/urls.py"] = "X = 'abcdefghij'\n" + strings.Repeat("X = X + X\n", 60) + files["proj/urls.py"]
	dir := b.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p, err := Discover(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Routes) != 2 || !hasDiag(p.Diagnostics, diag.Warning, "proj/urls.py", 0, "evaluation limit") {
			b.Fatalf("routes %d, diagnostics:\n%s", len(p.Routes), p.Diagnostics.Error())
		}
	}
}
