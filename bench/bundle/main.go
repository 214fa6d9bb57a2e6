// Command bundlebench compares pkg/bundle's ZipDir with Info-ZIP's
// `zip -X -r` on the same generated tree, in the same run.
//
//	go run ./bench/bundle -files 3000 -mb 50 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
	"github.com/django-serverless/django-serverless-action/pkg/bundle/bundletest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bundlebench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bundlebench", flag.ContinueOnError)
	files := fs.Int("files", 3000, "number of files in the generated tree")
	mbs := fs.Int("mb", 50, "total size of the tree in MB")
	runs := fs.Int("runs", 3, "timed runs of each tool (the median is reported)")
	zipBin := fs.String("zip", "/usr/bin/zip", "Info-ZIP binary")
	keep := fs.String("tree", "", "use (or create) the generated tree in this folder instead of a temp dir")
	src := fs.String("src", "", "zip this existing folder instead of a generated tree")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "bundlebench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	tree := filepath.Join(dir, "tree")
	if *src != "" {
		tree = *src
	} else if _, err := os.Stat(tree); err != nil {
		if err := bundletest.Generate(tree, *files, int64(*mbs)<<20); err != nil {
			return err
		}
	}
	var ours, theirs, oursCPU, theirsCPU []time.Duration
	var oursSize, theirsSize int64
	for i := 0; i < *runs; i++ {
		// Alternate so both see the same cache state and machine load.
		r, err := timeOurs(tree, filepath.Join(dir, "ours.zip"))
		if err != nil {
			return err
		}
		ours, oursCPU, oursSize = append(ours, r.wall), append(oursCPU, r.cpu), r.size
		r, err = timeInfoZip(*zipBin, tree, filepath.Join(dir, "theirs.zip"))
		if err != nil {
			return err
		}
		theirs, theirsCPU, theirsSize = append(theirs, r.wall), append(theirsCPU, r.cpu), r.size
	}
	mo, mt := median(ours), median(theirs)
	co, ct := median(oursCPU), median(theirsCPU)
	if *src != "" {
		fmt.Fprintf(out, "tree: %s\n", *src)
	} else {
		fmt.Fprintf(out, "tree: %d files, %d MB (generated)\n", *files, *mbs)
	}
	fmt.Fprintf(out, "bundle.ZipDir: wall %v, cpu %v (zip %.1f MB)\n", mo.Round(time.Millisecond), co.Round(time.Millisecond), float64(oursSize)/(1<<20))
	fmt.Fprintf(out, "zip -X -r:     wall %v, cpu %v (zip %.1f MB)\n", mt.Round(time.Millisecond), ct.Round(time.Millisecond), float64(theirsSize)/(1<<20))
	fmt.Fprintf(out, "ratio ours/zip: wall %.2f, cpu %.2f (below 1 is faster; medians of %d alternating runs)\n",
		float64(mo)/float64(mt), float64(co)/float64(ct), *runs)
	return nil
}

// result is one timed run: wall clock, CPU time (user + system, which
// shared machines disturb less than wall time) and the zip's size.
type result struct {
	wall, cpu time.Duration
	size      int64
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func timeOurs(tree, dst string) (result, error) {
	runtime.GC() // do not bill the previous run's garbage to this one
	start, cpu0 := time.Now(), cpuTime()
	f, err := os.Create(dst)
	if err != nil {
		return result{}, err
	}
	if _, err := bundle.ZipDir(context.Background(), f, tree, bundle.Options{Prefix: "python/"}); err != nil {
		f.Close()
		return result{}, err
	}
	if err := f.Close(); err != nil {
		return result{}, err
	}
	r := result{wall: time.Since(start), cpu: cpuTime() - cpu0}
	fi, err := os.Stat(dst)
	if err != nil {
		return result{}, err
	}
	r.size = fi.Size()
	return r, nil
}

func timeInfoZip(bin, tree, dst string) (result, error) {
	os.Remove(dst)
	start := time.Now()
	cmd := exec.Command(bin, "-X", "-r", "-q", dst, ".")
	cmd.Dir = tree
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %w", bin, err)
	}
	r := result{wall: time.Since(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	fi, err := os.Stat(dst)
	if err != nil {
		return result{}, err
	}
	r.size = fi.Size()
	return r, nil
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
