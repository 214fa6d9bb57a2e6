package django

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/django-serverless/django-serverless-action/bench/discover/synth"
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
