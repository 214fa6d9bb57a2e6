// Command serve benchmarks `django-serverless serve` against Django's own
// `manage.py runserver` on the same project (serve's demo project, HTTP API
// so that both answer the same paths), in the same run:
//
//   - first-request latency: from process start to the first 200 answer
//     (serve pays a worker's cold start there, runserver its Django
//     import at start-up); for serve also the time to its first stdout line;
//   - warm requests per second, a closed loop of C clients for D seconds,
//     rounds alternating which server goes first;
//   - memory: resident set of each warm serve worker and of serve's own
//     process, against runserver's process.
//
// Usage (from the repository root): bench/serve/run.sh [flags]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	// A closed stdout (| head) or Ctrl-C must not leave servers behind:
	// writes then fail instead of killing the process, and a signal stops
	// every server started before exiting.
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		stopAll()
		os.Exit(130)
	}()
	err := run()
	stopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/serve:", err)
		os.Exit(1)
	}
}

var (
	startedMu sync.Mutex
	started   []*server
)

func track(s *server) *server {
	startedMu.Lock()
	defer startedMu.Unlock()
	started = append(started, s)
	return s
}

// stopAll stops every server still running.
func stopAll() {
	startedMu.Lock()
	defer startedMu.Unlock()
	for _, s := range started {
		s.stop()
	}
	started = nil
}

var (
	bin       = flag.String("bin", "", "django-serverless binary")
	python    = flag.String("python", "/usr/bin/python3", "Python with Django")
	duration  = flag.Duration("duration", 5*time.Second, "length of one throughput measurement")
	rounds    = flag.Int("rounds", 3, "rounds of throughput measurements")
	clients   = flag.String("clients", "1,4", "concurrent clients, comma-separated")
	paths     = flag.String("paths", "/echo/?a=1&a=2,/admin/login/", "paths measured")
	firstRuns = flag.Int("first-runs", 9, "process starts for the first-request latency")
)

type server struct {
	name string
	cmd  *exec.Cmd
	base string
}

func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// Two clients: keep-alive connections, and a fresh connection a request.
// runserver (wsgiref) writes headers and body in two small segments; on a
// kept-alive connection the second waits for the client's delayed ACK
// (about 40 ms), so it is measured both ways and its better figure taken.
var (
	keepAlive = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fresh = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
)

func fetch(url string) (int, error) { return fetchWith(keepAlive, url) }

func fetchWith(cl *http.Client, url string) (int, error) {
	resp, err := cl.Get(url)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// waitOK polls url until it answers 200.
func waitOK(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if code, err := fetch(url); err == nil {
			if code == 200 {
				return nil
			}
			return fmt.Errorf("%s answered %d", url, code)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s: no answer within %v", url, limit)
}

type project struct {
	dir, db string
	env     []string
}

func setup(repo string) (*project, error) {
	work, err := os.MkdirTemp("", "bench-serve-")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(work, "demo")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repo, "pkg", "serve", "testdata", "demo"))); err != nil {
		return nil, err
	}
	p := &project{dir: dir, db: filepath.Join(work, "demo.sqlite3")}
	cfg := fmt.Sprintf("api: {type: http}\nenv:\n  DEMO_DB: %q\n", p.db)
	if err := os.WriteFile(filepath.Join(dir, "django-serverless.yml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	p.env = append(os.Environ(), "DEMO_DB="+p.db, "DJANGO_SETTINGS_MODULE=demo.settings", "PYTHONDONTWRITEBYTECODE=1")
	cmd := exec.Command(*python, "manage.py", "migrate", "--noinput", "-v", "0")
	cmd.Dir, cmd.Env = dir, p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	return p, nil
}

// startRunserver starts manage.py runserver (threaded, no autoreloader,
// as fair a single process as serve's warm worker).
func startRunserver(p *project) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(*python, "manage.py", "runserver", "--noreload", "127.0.0.1:"+port)
	cmd.Dir, cmd.Env = p.dir, p.env
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return track(&server{name: "runserver", cmd: cmd, base: "http://127.0.0.1:" + port}), nil
}

var servingRE = regexp.MustCompile(`^serving (http://127\.0\.0\.1:[0-9]+)$`)

// startServe starts serve and returns once its first stdout line is read.
func startServe(p *project) (*server, time.Duration, error) {
	start := time.Now()
	cmd := exec.Command(*bin, "serve", "--project", p.dir, "--port", "0", "--python", *python, "--no-reload")
	cmd.Dir, cmd.Env = p.dir, p.env
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := track(&server{name: "serve", cmd: cmd})
	line, err := bufio.NewReader(out).ReadString('\n')
	took := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("serve: no first line: %w", err)
	}
	m := servingRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return nil, 0, fmt.Errorf("serve: first line %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	s.base = m[1]
	return s, took, nil
}

func minimum(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// load runs c clients against url for d and returns requests per second
// and the median latency; any non-200 answer is an error.
func load(cl *http.Client, url string, c int, d time.Duration) (float64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t := time.Now()
				code, err := fetchWith(cl, url)
				if err == nil && code != 200 {
					err = fmt.Errorf("%s answered %d", url, code)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil && ctx.Err() == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if firstErr != nil {
		return 0, 0, firstErr
	}
	return float64(n.Load()) / el.Seconds(), median(lat), nil
}

// rss is the resident set of a process in MB (Linux /proc).
func rss(pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

// children are the processes whose parent is pid.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

func run() error {
	flag.Parse()
	if *bin == "" {
		return errors.New("-bin is required (run.sh builds it)")
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	p, err := setup(repo)
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(p.dir))
	ps := strings.Split(*paths, ",")

	// First-request latency, fresh processes, alternating. The measuring
	// process keeps a 2 ms ticker running throughout: on this project's
	// virtual machines a child process starts measurably slower (about 2x
	// wall clock for the same CPU time, measured with /proc/PID/stat) while
	// its parent is blocked than while the parent polls, and runserver's
	// start is measured by polling while serve's first request is one
	// blocking call. The ticker gives both the same conditions.
	awake := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-awake:
				return
			case <-t.C:
			}
		}
	}()
	var rsFirst, svFirst, svLine []time.Duration
	for i := 0; i < *firstRuns; i++ {
		t := time.Now()
		rs, err := startRunserver(p)
		if err != nil {
			return err
		}
		if err := waitOK(rs.base+ps[0], 60*time.Second); err != nil {
			rs.stop()
			return err
		}
		rsFirst = append(rsFirst, time.Since(t))
		rs.stop()
		fmt.Fprintf(os.Stderr, "first request, run %d: runserver %v\n", i+1, rsFirst[i].Round(time.Millisecond))

		t = time.Now()
		sv, line, err := startServe(p)
		if err != nil {
			return err
		}
		if err := waitOK(sv.base+ps[0], 60*time.Second); err != nil {
			sv.stop()
			return err
		}
		svFirst = append(svFirst, time.Since(t))
		svLine = append(svLine, line)
		sv.stop()
		fmt.Fprintf(os.Stderr, "first request, run %d: serve %v (first line %v)\n", i+1, svFirst[i].Round(time.Millisecond), line.Round(time.Millisecond))
	}
	close(awake)
	fmt.Printf("## First request (%d fresh starts each, alternating, %s)\n\n", *firstRuns, ps[0])
	fmt.Printf("| | process start -> first 200, median (min) | ratio of medians (of mins) |\n|---|---|---|\n")
	fmt.Printf("| runserver | %v (%v) | 1.00 |\n", median(rsFirst).Round(time.Millisecond), minimum(rsFirst).Round(time.Millisecond))
	fmt.Printf("| serve | %v (%v); first stdout line after %v | %.2f (%.2f) |\n\n", median(svFirst).Round(time.Millisecond), minimum(svFirst).Round(time.Millisecond),
		median(svLine).Round(time.Millisecond), median(svFirst).Seconds()/median(rsFirst).Seconds(), minimum(svFirst).Seconds()/minimum(rsFirst).Seconds())

	// Warm throughput.
	rs, err := startRunserver(p)
	if err != nil {
		return err
	}
	defer rs.stop()
	sv, _, err := startServe(p)
	if err != nil {
		return err
	}
	defer sv.stop()
	for _, s := range []*server{rs, sv} {
		for _, path := range ps {
			if err := waitOK(s.base+path, 60*time.Second); err != nil {
				return err
			}
			if _, _, err := load(keepAlive, s.base+path, 4, time.Second); err != nil { // warm (and scale serve out)
				return err
			}
		}
	}
	type key struct {
		path string
		c    int
		name string
		mode string
	}
	modes := map[string]*http.Client{"keep-alive": keepAlive, "fresh": fresh}
	rps := map[key][]float64{}
	lat := map[key][]time.Duration{}
	var cs []int
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(c)
		if err != nil {
			return fmt.Errorf("-clients: %w", err)
		}
		cs = append(cs, n)
	}
	for r := 0; r < *rounds; r++ {
		order := []*server{rs, sv}
		if r%2 == 1 {
			order = []*server{sv, rs}
		}
		for _, path := range ps {
			for _, c := range cs {
				for _, s := range order {
					for _, mode := range []string{"keep-alive", "fresh"} {
						v, l, err := load(modes[mode], s.base+path, c, *duration)
						if err != nil {
							return fmt.Errorf("%s: %w", s.name, err)
						}
						k := key{path, c, s.name, mode}
						rps[k] = append(rps[k], v)
						lat[k] = append(lat[k], l)
					}
				}
			}
		}
	}
	fmt.Printf("## Warm requests per second (%d rounds of %v, median; keep-alive / fresh connection a request)\n\n", *rounds, *duration)
	fmt.Printf("| path | clients | runserver req/s | serve req/s | serve best / runserver best |\n|---|---|---|---|---|\n")
	med := func(k key) (float64, time.Duration) {
		v := append([]float64(nil), rps[k]...)
		sort.Float64s(v)
		return v[len(v)/2], median(lat[k])
	}
	for _, path := range ps {
		for _, c := range cs {
			var cells [2]string
			var best [2]float64
			for i, name := range []string{"runserver", "serve"} {
				ka, kal := med(key{path, c, name, "keep-alive"})
				fr, frl := med(key{path, c, name, "fresh"})
				cells[i] = fmt.Sprintf("%.0f (p50 %v) / %.0f (p50 %v)", ka, kal.Round(10*time.Microsecond), fr, frl.Round(10*time.Microsecond))
				best[i] = max(ka, fr)
			}
			fmt.Printf("| `%s` | %d | %s | %s | %.2f |\n", path, c, cells[0], cells[1], best[1]/best[0])
		}
	}

	// Memory after the load.
	workers := children(sv.cmd.Process.Pid)
	fmt.Printf("\n## Memory after the load (resident set)\n\n| process | MB |\n|---|---|\n")
	fmt.Printf("| runserver (one process, all views) | %.1f |\n", rss(rs.cmd.Process.Pid))
	fmt.Printf("| serve (Go process) | %.1f |\n", rss(sv.cmd.Process.Pid))
	var sum float64
	for _, w := range workers {
		m := rss(w)
		sum += m
		fmt.Printf("| serve worker pid %d | %.1f |\n", w, m)
	}
	if len(workers) > 0 {
		fmt.Printf("| serve, per warm worker (mean of %d) | %.1f |\n", len(workers), sum/float64(len(workers)))
	}
	return nil
}
