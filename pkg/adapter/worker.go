package adapter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Runtime is the embedded runtime and driver written once to a folder, for
// workers that start many times (serve). Close removes the folder.
type Runtime struct {
	dir string
}

// NewRuntime materializes Files() and the driver in a new temporary folder.
func NewRuntime() (*Runtime, error) {
	dir, err := os.MkdirTemp("", "django-serverless-runtime-")
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	if err := Materialize(dir); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("runtime: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "driver.py"), driver, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("runtime: write driver: %w", err)
	}
	return &Runtime{dir: dir}, nil
}

// Dir is the folder holding python/django_serverless and driver.py.
func (r *Runtime) Dir() string { return r.dir }

// Close removes the folder.
func (r *Runtime) Close() error { return os.RemoveAll(r.dir) }

// WorkerOptions configures one warm worker: a Python process that imports
// the handler once (Lambda's init phase) and then serves events one at a
// time, like one Lambda execution environment.
type WorkerOptions struct {
	// Python is the interpreter; "" means "python3" from PATH.
	Python string
	// Root is the Django root, on PYTHONPATH after the runtime.
	Root string
	// Runtime holds the runtime package and the driver.
	Runtime *Runtime
	// Env is the function's environment (as InvokeOptions.Env).
	Env map[string]string
	// Output receives the application's stdout and stderr (print, logging,
	// tracebacks of raised handlers). Nil discards them.
	Output io.Writer
	// MemoryMB is the function's memory size: a worker whose resident set
	// grows past it is killed during the event, as Lambda kills an
	// environment that runs out of memory (ErrOutOfMemory). 0: no limit.
	MemoryMB int
}

// Init is the end of a worker's init phase.
type Init struct {
	// Took is the time from process start to the handler being imported
	// (the cold start the first event pays).
	Took time.Duration
	// ImportTook is the part the handler import took (Django set-up), as
	// measured inside Python.
	ImportTook time.Duration
	// Python is the interpreter's version ("3.12").
	Python string
}

// InitError is a failed init phase: importing the handler raised. Lambda
// reports it as the invoke's error; the worker has exited.
type InitError struct {
	// Result is the Lambda error object ({"errorMessage", "errorType"}).
	Result json.RawMessage
}

func (e *InitError) Error() string {
	var le struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	_ = json.Unmarshal(e.Result, &le)
	return fmt.Sprintf("init failed: %s: %s", le.ErrorType, le.ErrorMessage)
}

// ErrOutOfMemory is returned by Invoke when the worker was killed for
// exceeding its memory size.
var ErrOutOfMemory = errors.New("worker exceeded its memory size")

// ErrWorkerExited is returned by Invoke when the process ended during the
// event without answering (killed, os._exit, a crash of the interpreter).
var ErrWorkerExited = errors.New("worker exited during the event")

// Worker is one warm Python process. Invoke and Modules must not be called
// concurrently (a Lambda environment serves one event at a time).
type Worker struct {
	cmd      *exec.Cmd
	reqW     *os.File
	respR    *bufio.Reader
	respFile *os.File
	memoryMB int
	done     chan struct{} // closed when the process has exited
	waitErr  error
	killOnce sync.Once
	oom      atomic.Bool
	mu       sync.Mutex
}

// asHeadroomMB is added to MemoryMB for the RLIMIT_AS backstop: address
// space counts reservations (thread stacks, malloc arenas) that the resident
// set Lambda limits does not, so the limit the watch enforces is the
// resident set and this cap only stops a runaway allocation early.
const asHeadroomMB = 1024

// StartWorker starts a worker and waits for its init phase. An init that
// raised returns *InitError (the process has exited).
func StartWorker(ctx context.Context, o WorkerOptions) (*Worker, Init, error) {
	start := time.Now()
	if o.Runtime == nil {
		return nil, Init{}, errors.New("worker: no runtime")
	}
	python := o.Python
	if python == "" {
		python = "python3"
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, Init{}, fmt.Errorf("worker: django root %s: %w", o.Root, err)
	}
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, Init{}, fmt.Errorf("worker: %w", err)
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, Init{}, fmt.Errorf("worker: %w", err)
	}
	asLimit := 0
	if o.MemoryMB > 0 {
		asLimit = o.MemoryMB + asHeadroomMB
	}
	// ExtraFiles become fds 3 (requests) and 4 (responses) in the child.
	args := []string{"-s", filepath.Join(o.Runtime.dir, "driver.py"), "--worker", "3", "4", root, strconv.Itoa(asLimit)}
	cmd := exec.Command(python, args...)
	cmd.Dir = root
	cmd.Env = sortedEnv(workerEnv(o, root))
	cmd.ExtraFiles = []*os.File{reqR, respW}
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout = out
	cmd.Stderr = out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		reqR.Close()
		reqW.Close()
		respR.Close()
		respW.Close()
		return nil, Init{}, fmt.Errorf("worker: start %s: %w", python, err)
	}
	// The child holds its own copies now.
	reqR.Close()
	respW.Close()
	w := &Worker{cmd: cmd, reqW: reqW, respR: bufio.NewReaderSize(respR, 64<<10), respFile: respR, memoryMB: o.MemoryMB, done: make(chan struct{})}
	go func() {
		w.waitErr = cmd.Wait()
		close(w.done)
	}()

	type readyFrame struct {
		Ready  bool            `json:"ready"`
		InitMS float64         `json:"init_ms"`
		Python string          `json:"python"`
		Error  json.RawMessage `json:"error"`
	}
	frame, err := w.await(ctx, nil)
	if err != nil {
		w.Kill()
		return nil, Init{}, fmt.Errorf("worker: init: %w", err)
	}
	var rf readyFrame
	if err := json.Unmarshal(frame, &rf); err != nil {
		w.Kill()
		return nil, Init{}, fmt.Errorf("worker: init frame: %w", err)
	}
	if !rf.Ready {
		w.Kill()
		return nil, Init{}, &InitError{Result: rf.Error}
	}
	return w, Init{Took: time.Since(start), ImportTook: time.Duration(rf.InitMS * float64(time.Millisecond)), Python: rf.Python}, nil
}

func workerEnv(o WorkerOptions, root string) map[string]string {
	env := map[string]string{}
	for _, k := range inherited {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	// No bytecode beside the project's sources. (A PYTHONPYCACHEPREFIX
	// would keep it in the runtime folder, but Python then looks for every
	// module's bytecode there, Django's included, and compiles them all:
	// measured, a cold start of seconds instead of half of one.)
	env["PYTHONDONTWRITEBYTECODE"] = "1"
	env["PYTHONIOENCODING"] = "utf-8"
	env["PYTHONUNBUFFERED"] = "1"
	for k, v := range o.Env {
		env[k] = v
	}
	env["PYTHONPATH"] = strings.Join([]string{filepath.Join(o.Runtime.dir, "python"), root}, string(os.PathListSeparator))
	return env
}

// Pid is the worker's process ID.
func (w *Worker) Pid() int { return w.cmd.Process.Pid }

// Done is closed when the process has exited.
func (w *Worker) Done() <-chan struct{} { return w.done }

// Kill ends the worker and everything it started (its process group), and
// waits for it to exit.
func (w *Worker) Kill() {
	w.killOnce.Do(func() {
		w.reqW.Close()
		killGroup(w.cmd)
	})
	<-w.done
	w.respFile.Close()
}

// Close ends the worker gently: end of input, then a kill if it has not
// exited within grace.
func (w *Worker) Close(grace time.Duration) {
	w.mu.Lock()
	w.reqW.Close()
	w.mu.Unlock()
	select {
	case <-w.done:
	case <-time.After(grace):
	}
	w.Kill()
}

// Result is the answer to one event.
type Result struct {
	// Value is the handler's return value, or the Lambda error object when
	// Raised.
	Value  json.RawMessage `json:"result"`
	Raised bool            `json:"raised"`
	// MaxRSSKB is the worker's peak resident set so far.
	MaxRSSKB int64 `json:"max_rss_kb"`
}

// Invoke sends one event and waits for the handler's answer. When ctx ends
// first (the function's timeout, the API's integration timeout, serve
// stopping), the worker is killed and ctx.Err() returned: a Lambda
// environment that timed out is not reused either. ErrOutOfMemory and
// ErrWorkerExited also leave the worker dead.
func (w *Worker) Invoke(ctx context.Context, requestID string, timeout time.Duration, event []byte) (Result, error) {
	if !json.Valid(event) {
		return Result{}, errors.New("worker: event is not valid JSON")
	}
	var b bytes.Buffer
	b.WriteString(`{"op":"invoke","request_id":`)
	id, _ := json.Marshal(requestID)
	b.Write(id)
	b.WriteString(`,"timeout_ms":`)
	b.WriteString(strconv.FormatInt(timeout.Milliseconds(), 10))
	b.WriteString(`,"event":`)
	b.Write(event)
	b.WriteString(`}`)
	frame, err := w.roundTrip(ctx, b.Bytes(), true)
	if err != nil {
		return Result{}, err
	}
	var r Result
	if err := json.Unmarshal(frame, &r); err != nil {
		w.Kill()
		return Result{}, fmt.Errorf("worker: answer: %w", err)
	}
	if w.memoryMB > 0 && r.MaxRSSKB > int64(w.memoryMB)*1024 {
		// The peak passed the limit between two looks of the watch.
		w.oom.Store(true)
		w.Kill()
		return Result{}, ErrOutOfMemory
	}
	return r, nil
}

// Modules lists the files below the Django root that the worker imported.
func (w *Worker) Modules(ctx context.Context) ([]string, error) {
	frame, err := w.roundTrip(ctx, []byte(`{"op":"modules"}`), false)
	if err != nil {
		return nil, err
	}
	var m struct {
		Modules []string `json:"modules"`
	}
	if err := json.Unmarshal(frame, &m); err != nil {
		return nil, fmt.Errorf("worker: modules: %w", err)
	}
	return m.Modules, nil
}

func (w *Worker) roundTrip(ctx context.Context, msg []byte, watch bool) ([]byte, error) {
	select {
	case <-w.done:
		return nil, ErrWorkerExited
	default:
	}
	head := make([]byte, 4, 4+len(msg))
	binary.BigEndian.PutUint32(head, uint32(len(msg)))
	w.mu.Lock()
	_, err := w.reqW.Write(append(head, msg...))
	w.mu.Unlock()
	if err != nil {
		w.Kill()
		return nil, ErrWorkerExited
	}
	var stop func()
	if watch && w.memoryMB > 0 {
		stop = w.watchMemory()
	}
	frame, err := w.await(ctx, stop)
	if err != nil {
		if w.oom.Load() {
			return nil, ErrOutOfMemory
		}
		return nil, err
	}
	return frame, nil
}

// await reads one frame; it kills the worker when ctx ends first.
func (w *Worker) await(ctx context.Context, stop func()) ([]byte, error) {
	type read struct {
		frame []byte
		err   error
	}
	ch := make(chan read, 1)
	go func() {
		f, err := readFrame(w.respR)
		ch <- read{f, err}
	}()
	var r read
	select {
	case r = <-ch:
	case <-ctx.Done():
		if stop != nil {
			stop()
		}
		w.Kill()
		<-ch
		return nil, ctx.Err()
	}
	if stop != nil {
		stop()
	}
	if r.err != nil {
		w.Kill()
		return nil, ErrWorkerExited
	}
	return r.frame, nil
}

// maxFrame bounds an answer: Lambda's response limit is 6 MB; the JSON of a
// larger one is still read so that the caller can report it.
const maxFrame = 64 << 20

func readFrame(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// memoryPoll is how often the memory watch reads the resident set.
const memoryPoll = 10 * time.Millisecond

// watchMemory kills the worker when its resident set passes memoryMB;
// the returned func stops the watch.
func (w *Worker) watchMemory() func() {
	quit := make(chan struct{})
	stopped := make(chan struct{})
	limit := int64(w.memoryMB) << 20
	go func() {
		defer close(stopped)
		t := time.NewTicker(memoryPoll)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-w.done:
				return
			case <-t.C:
				rss, ok := residentBytes(w.Pid())
				if ok && rss > limit {
					w.oom.Store(true)
					w.Kill()
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			<-stopped
		})
	}
}

// RSS is the worker's current resident set in bytes (false where the
// platform does not say).
func (w *Worker) RSS() (int64, bool) { return residentBytes(w.Pid()) }
