package serve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
)

// funcSpec is what a function's workers run with.
type funcSpec struct {
	Name     string
	Env      map[string]string
	MemoryMB int
	Timeout  time.Duration
}

func (a funcSpec) same(b funcSpec) bool {
	return a.Name == b.Name && a.MemoryMB == b.MemoryMB && a.Timeout == b.Timeout && maps.Equal(a.Env, b.Env)
}

// pool keeps warm workers, one process per concurrent event of a function
// (a Lambda function scales out the same way), at most max processes in
// all: when full, the least recently used idle worker of any function is
// stopped to make room; when every worker is busy, a request waits.
type pool struct {
	rt     *adapter.Runtime
	python string
	root   string
	max    int
	log    *logger

	mu      sync.Mutex
	idle    map[string][]*pworker // per function, most recently used last
	all     map[*pworker]bool
	total   int // workers running or starting
	changed chan struct{}
	closed  bool
}

type pworker struct {
	w        *adapter.Worker
	spec     funcSpec
	lastUsed time.Time
	retire   bool // stop instead of going back to idle
}

func newPool(rt *adapter.Runtime, python, root string, max int, log *logger) *pool {
	return &pool{rt: rt, python: python, root: root, max: max, log: log,
		idle: map[string][]*pworker{}, all: map[*pworker]bool{}, changed: make(chan struct{})}
}

// notify wakes requests waiting for a worker; p.mu is held.
func (p *pool) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

var errPoolClosed = errors.New("serve is stopping")

// acquire returns a worker for spec: a warm one when one is idle, else a
// new one (cold, init is the cold start), evicting the least recently
// used idle worker when the cap is reached.
func (p *pool) acquire(ctx context.Context, spec funcSpec) (*pworker, *adapter.Init, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, nil, errPoolClosed
		}
		if list := p.idle[spec.Name]; len(list) > 0 {
			pw := list[len(list)-1]
			p.idle[spec.Name] = list[:len(list)-1]
			if !pw.spec.same(spec) {
				// The plan changed the function's settings: not this one.
				p.total--
				delete(p.all, pw)
				p.mu.Unlock()
				pw.w.Close(time.Second)
				continue
			}
			p.mu.Unlock()
			return pw, nil, nil
		}
		var victim *pworker
		switch {
		case p.total < p.max:
			p.total++
		default:
			victim = p.lruIdle()
			if victim == nil {
				ch := p.changed
				p.mu.Unlock()
				select {
				case <-ch:
					continue
				case <-ctx.Done():
					return nil, nil, ctx.Err()
				}
			}
			// The victim's slot goes to the new worker.
			delete(p.all, victim)
		}
		p.mu.Unlock()
		if victim != nil {
			p.log.printf("%s: worker %d stopped to make room for %s (--max-workers %d)", victim.spec.Name, victim.w.Pid(), spec.Name, p.max)
			victim.w.Close(time.Second)
		}
		pw, init, err := p.start(ctx, spec)
		if err != nil {
			p.mu.Lock()
			p.total--
			p.notify()
			p.mu.Unlock()
			return nil, nil, err
		}
		return pw, init, nil
	}
}

// lruIdle removes and returns the least recently used idle worker; p.mu is
// held.
func (p *pool) lruIdle() *pworker {
	var best *pworker
	bestFn, bestIdx := "", -1
	for fn, list := range p.idle {
		for i, pw := range list {
			if best == nil || pw.lastUsed.Before(best.lastUsed) {
				best, bestFn, bestIdx = pw, fn, i
			}
		}
	}
	if best != nil {
		list := p.idle[bestFn]
		p.idle[bestFn] = append(list[:bestIdx:bestIdx], list[bestIdx+1:]...)
	}
	return best
}

func (p *pool) start(ctx context.Context, spec funcSpec) (*pworker, *adapter.Init, error) {
	out := p.log.prefixed(spec.Name)
	w, init, err := adapter.StartWorker(ctx, adapter.WorkerOptions{
		Python: p.python, Root: p.root, Runtime: p.rt, Env: spec.Env, Output: out, MemoryMB: spec.MemoryMB,
	})
	if err != nil {
		out.flush()
		return nil, nil, err
	}
	pw := &pworker{w: w, spec: spec}
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.all[pw] = true
	}
	p.mu.Unlock()
	if closed {
		w.Kill()
		return nil, nil, errPoolClosed
	}
	p.log.printf("%s: cold start %s (Django set-up %s), worker %d", spec.Name, ms(init.Took), ms(init.ImportTook), w.Pid())
	return pw, &init, nil
}

// release gives a worker back after an event; a dead, retired or unhealthy
// worker is stopped.
func (p *pool) release(pw *pworker, healthy bool) {
	p.mu.Lock()
	if !healthy || pw.retire || p.closed {
		if p.all[pw] {
			delete(p.all, pw)
			p.total--
		}
		p.notify()
		p.mu.Unlock()
		pw.w.Close(time.Second)
		return
	}
	pw.lastUsed = time.Now()
	p.idle[pw.spec.Name] = append(p.idle[pw.spec.Name], pw)
	p.notify()
	p.mu.Unlock()
}

// reload stops the workers a change concerns: every worker when all is
// set (or a non-Python file changed), else the idle workers that imported
// one of the changed files; busy workers are retired when they finish (a
// change during an event may concern them). It returns the functions whose
// workers were stopped or retired.
func (p *pool) reload(changed []string, all bool) []string {
	p.mu.Lock()
	var idle []*pworker
	for fn, list := range p.idle {
		idle = append(idle, list...)
		delete(p.idle, fn)
	}
	busy := map[*pworker]bool{}
	for pw := range p.all {
		busy[pw] = true
	}
	for _, pw := range idle {
		delete(busy, pw)
	}
	for pw := range busy {
		pw.retire = true
	}
	p.mu.Unlock()

	set := map[string]bool{}
	for _, f := range changed {
		if abs, err := filepath.Abs(f); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			set[abs] = true
		}
		set[f] = true
	}
	hit := map[string]bool{}
	for pw := range busy {
		hit[pw.spec.Name] = true
	}
	for _, pw := range idle {
		stop := all
		if !stop {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			mods, err := pw.w.Modules(ctx)
			cancel()
			stop = err != nil
			for _, m := range mods {
				if set[m] {
					stop = true
					break
				}
			}
		}
		if stop {
			hit[pw.spec.Name] = true
		}
		p.release(pw, !stop)
	}
	return sortedKeys(hit)
}

// close stops every worker, busy ones included.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	var ws []*pworker
	for pw := range p.all {
		ws = append(ws, pw)
	}
	p.all = map[*pworker]bool{}
	p.idle = map[string][]*pworker{}
	p.total = 0
	p.notify()
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, pw := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw.w.Close(500 * time.Millisecond)
		}()
	}
	wg.Wait()
}

// workers is the number of worker processes (for tests and the log).
func (p *pool) workers() (total int, byFunction map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	byFunction = map[string]int{}
	for pw := range p.all {
		byFunction[pw.spec.Name]++
	}
	return len(p.all), byFunction
}

// pids lists the worker processes.
func (p *pool) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for pw := range p.all {
		out = append(out, pw.w.Pid())
	}
	return out
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
}
