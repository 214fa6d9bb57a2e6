package lambdafake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// environment is one execution environment: a warm Python process.
type environment struct {
	cmd      *exec.Cmd
	requests io.WriteCloser
	answers  *bufio.Reader
	tmp      string

	mu      sync.Mutex
	log     *bytes.Buffer // the current invocation's log, nil between invocations
	ended   chan string   // request IDs whose end marker was read
	exited  chan struct{}
	waitErr error
	sink    io.Writer
}

var errTimeout = errors.New("task timed out")

// initError is a failed init phase, answered as a function error.
type initError struct{ payload []byte }

func (e *initError) Error() string { return string(e.payload) }

// answer is one line the runtime writes on its answers pipe.
type answer struct {
	Ready     bool            `json:"ready"`
	InitError json.RawMessage `json:"init_error"`
	Result    string          `json:"result"`
	Error     json.RawMessage `json:"error"`
}

// reserved are the variables Lambda sets itself; a function's own
// variables cannot replace them.
var reserved = map[string]bool{
	"_HANDLER": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true,
	"AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "TZ": true,
}

func (s *Server) start(v *version, dir string, log *bytes.Buffer) (*environment, error) {
	tmp, err := os.MkdirTemp(s.dir, "tmp-")
	if err != nil {
		return nil, err
	}
	f := v.cfg
	env := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin",
		"LANG": "C.UTF-8",
	}
	for k, val := range s.opts.Env {
		env[k] = val
	}
	for k, val := range f.Env {
		if !reserved[k] {
			env[k] = val
		}
	}
	for k, val := range map[string]string{
		"_HANDLER":                        f.Handler,
		"AWS_REGION":                      s.opts.Region,
		"AWS_DEFAULT_REGION":              s.opts.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_" + f.Runtime,
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.Memory),
		"AWS_LAMBDA_FUNCTION_VERSION":     v.number,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "lambdafake/" + filepath.Base(tmp),
		"LAMBDA_TASK_ROOT":                filepath.Join(dir, "task"),
		"LAMBDA_RUNTIME_DIR":              s.dir,
		"LAMBDAFAKE_OPT":                  filepath.Join(dir, "opt"),
		"TMPDIR":                          tmp,
		"TZ":                              ":UTC",
		"PYTHONUNBUFFERED":                "1",
	} {
		env[k] = val
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	environ := make([]string, 0, len(keys))
	for _, k := range keys {
		environ = append(environ, k+"="+env[k])
	}

	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		ansR.Close()
		ansW.Close()
		return nil, err
	}
	cmd := exec.Command(s.opts.Python, "-s", filepath.Join(s.dir, "bootstrap.py"))
	cmd.Dir = filepath.Join(dir, "task")
	cmd.Env = environ
	cmd.Stdout = outW
	cmd.Stderr = outW
	cmd.ExtraFiles = []*os.File{reqR, ansW} // fd 3 and 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{reqR, reqW, ansR, ansW, outR, outW} {
			f.Close()
		}
		return nil, fmt.Errorf("start %s: %w", s.opts.Python, err)
	}
	reqR.Close()
	ansW.Close()
	outW.Close()
	e := &environment{
		cmd: cmd, requests: reqW, answers: bufio.NewReaderSize(ansR, 1<<20), tmp: tmp,
		ended: make(chan string, 4), exited: make(chan struct{}), sink: s.opts.Log, log: log,
	}
	go e.readLog(outR)
	go func() {
		e.waitErr = cmd.Wait()
		ansR.Close()
		close(e.exited)
	}()

	// The init phase: Lambda allows 10 s, then retries init inside the
	// first invocation's timeout; the fake allows the function's timeout.
	type initDone struct {
		a   answer
		err error
	}
	done := make(chan initDone, 1)
	go func() {
		a, err := e.readAnswer()
		done <- initDone{a, err}
	}()
	timeout := max(f.Timeout, 10*time.Second)
	select {
	case d := <-done:
		e.waitEnd("init", 2*time.Second)
		switch {
		case d.err != nil:
			e.kill()
			return nil, &initError{payload: errorPayload("Runtime.ExitError", fmt.Sprintf("RequestId: init Error: Runtime exited with error: %v", e.exitErr(d.err)))}
		case d.a.InitError != nil:
			e.kill()
			return nil, &initError{payload: d.a.InitError}
		}
	case <-time.After(timeout):
		e.kill()
		return nil, &initError{payload: errorPayload("Sandbox.Timedout", fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms Phase: init Status: timeout", float64(timeout.Milliseconds())))}
	}
	e.mu.Lock()
	e.log = nil
	e.mu.Unlock()
	return e, nil
}

func (e *environment) exitErr(readErr error) error {
	select {
	case <-e.exited:
		if e.waitErr != nil {
			return e.waitErr
		}
	case <-time.After(2 * time.Second):
	}
	return readErr
}

// readLog copies the process's output into the current invocation's log
// and reports end markers.
func (e *environment) readLog(r io.ReadCloser) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if line[0] == 0x1e {
				e.ended <- strings.TrimSpace(string(line[1:]))
			} else {
				e.mu.Lock()
				if e.log != nil && e.log.Len() < 8<<20 {
					e.log.Write(line)
				}
				if e.sink != nil {
					e.sink.Write(line)
				}
				e.mu.Unlock()
			}
		}
		if err != nil {
			close(e.ended)
			return
		}
	}
}

func (e *environment) readAnswer() (answer, error) {
	line, err := e.answers.ReadBytes('\n')
	if err != nil {
		return answer{}, err
	}
	var a answer
	if err := json.Unmarshal(line, &a); err != nil {
		return answer{}, fmt.Errorf("runtime answer: %w", err)
	}
	return a, nil
}

// waitEnd waits for the end marker of id, so the invocation's log is whole.
func (e *environment) waitEnd(id string, limit time.Duration) {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case got, ok := <-e.ended:
			if !ok || got == id {
				return
			}
		case <-timer.C:
			return
		}
	}
}

// call runs one invocation; a caller that goes away does not stop it (as
// on Lambda), only the deadline does.
func (e *environment) call(id, arn string, payload []byte, clientContext string, deadline time.Time, log *bytes.Buffer) (answer, error) {
	e.mu.Lock()
	e.log = log
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.log = nil
		e.mu.Unlock()
	}()
	req := map[string]any{
		"id": id, "arn": arn, "payload": base64.StdEncoding.EncodeToString(payload),
		"deadline_ms": deadline.UnixMilli(),
	}
	if clientContext != "" {
		if raw, err := base64.StdEncoding.DecodeString(clientContext); err == nil {
			var cc any
			if json.Unmarshal(raw, &cc) == nil {
				req["client_context"] = cc
			}
		}
	}
	line, _ := json.Marshal(req)
	if _, err := e.requests.Write(append(line, '\n')); err != nil {
		return answer{}, e.exitErr(err)
	}
	type got struct {
		a   answer
		err error
	}
	ch := make(chan got, 1)
	go func() {
		a, err := e.readAnswer()
		ch <- got{a, err}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case g := <-ch:
		if g.err != nil {
			return answer{}, e.exitErr(g.err)
		}
		e.waitEnd(id, 2*time.Second)
		return g.a, nil
	case <-timer.C:
		return answer{}, errTimeout
	}
}

func (e *environment) kill() {
	if e.cmd.Process != nil {
		syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
	}
	e.requests.Close()
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
	}
	os.RemoveAll(e.tmp)
}
