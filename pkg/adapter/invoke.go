package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// InvokeOptions configures one local run of the handler.
type InvokeOptions struct {
	// Python is the interpreter; "" means "python3" from PATH.
	Python string
	// Root is the Django root (the folder holding manage.py), put on
	// PYTHONPATH after the runtime as the project layer would be.
	Root string
	// Event is the JSON event handed to the handler.
	Event []byte
	// Env is the function environment (DJANGO_SETTINGS_MODULE,
	// DJANGO_SERVERLESS_*); it is added to a minimal inherited environment
	// (PATH, HOME, TMPDIR, LANG) and wins over it.
	Env map[string]string
	// Stderr receives the application's output and, when the handler
	// raises, its traceback. Nil discards it.
	Stderr io.Writer
}

// raisedExit is the driver's exit status when the handler raised.
const raisedExit = 3

// inherited lists the variables a local run takes from the caller's
// environment; everything else comes from InvokeOptions.Env.
var inherited = []string{"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "SYSTEMROOT"}

// Invoke materializes the embedded runtime in a temporary directory (removed
// afterwards), runs the handler on o.Event with o.Python, and returns the
// handler's return value as JSON. When the handler raised, result is the
// Lambda-style error object ({"errorMessage", "errorType"}) and raised is
// true; err is for failures to run at all.
func Invoke(ctx context.Context, o InvokeOptions) (result json.RawMessage, raised bool, err error) {
	if !json.Valid(o.Event) {
		return nil, false, errors.New("invoke: event is not valid JSON")
	}
	stdout, code, err := run(ctx, o, [][]byte{o.Event}, false)
	if err != nil {
		return nil, false, err
	}
	out := bytes.TrimSpace(stdout)
	if !json.Valid(out) {
		return nil, false, fmt.Errorf("invoke: handler output is not JSON: %q", truncate(out, 200))
	}
	return json.RawMessage(out), code == raisedExit, nil
}

// Outcome is the handler's answer to one event of InvokeBatch.
type Outcome struct {
	Result json.RawMessage `json:"result"`
	Raised bool            `json:"raised"`
}

// InvokeBatch runs several events in order in one warm Python process (as
// one Lambda container would serve them); o.Event is ignored. It returns
// one Outcome per event.
func InvokeBatch(ctx context.Context, o InvokeOptions, events [][]byte) ([]Outcome, error) {
	for i, ev := range events {
		if !json.Valid(ev) {
			return nil, fmt.Errorf("invoke: event %d is not valid JSON", i)
		}
	}
	stdout, _, err := run(ctx, o, events, true)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	out := make([]Outcome, 0, len(events))
	for dec.More() {
		var oc Outcome
		if err := dec.Decode(&oc); err != nil {
			return nil, fmt.Errorf("invoke: read batch output: %w", err)
		}
		out = append(out, oc)
	}
	if len(out) != len(events) {
		return nil, fmt.Errorf("invoke: %d results for %d events", len(out), len(events))
	}
	return out, nil
}

// run executes the driver on events and returns its stdout and exit code
// (0 or raisedExit; any other outcome is an error).
func run(ctx context.Context, o InvokeOptions, events [][]byte, batch bool) ([]byte, int, error) {
	python := o.Python
	if python == "" {
		python = "python3"
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: django root %s: %w", o.Root, err)
	}
	tmp, err := os.MkdirTemp("", "django-serverless-invoke-")
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: %w", err)
	}
	defer os.RemoveAll(tmp)

	if err := Materialize(tmp); err != nil {
		return nil, 0, fmt.Errorf("invoke: %w", err)
	}
	driverPath := filepath.Join(tmp, "driver.py")
	if err := os.WriteFile(driverPath, driver, 0o644); err != nil {
		return nil, 0, fmt.Errorf("invoke: write driver: %w", err)
	}
	// -s: no user site-packages, as on Lambda; PYTHONPATH stays honoured.
	args := []string{"-s", driverPath}
	if batch {
		args = append(args, "--batch")
	}
	for i, ev := range events {
		p := filepath.Join(tmp, fmt.Sprintf("event-%d.json", i))
		if err := os.WriteFile(p, ev, 0o644); err != nil {
			return nil, 0, fmt.Errorf("invoke: write event: %w", err)
		}
		args = append(args, p)
	}

	env := map[string]string{}
	for _, k := range inherited {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	env["PYTHONDONTWRITEBYTECODE"] = "1"
	env["PYTHONIOENCODING"] = "utf-8"
	env["PYTHONUNBUFFERED"] = "1"
	for k, v := range o.Env {
		env[k] = v
	}
	env["PYTHONPATH"] = strings.Join([]string{filepath.Join(tmp, "python"), root}, string(os.PathListSeparator))

	var stdout, stderr bytes.Buffer
	errOut := io.Writer(&tail{max: 8 << 10, buf: &stderr})
	if o.Stderr != nil {
		errOut = io.MultiWriter(o.Stderr, errOut)
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = root
	cmd.Env = sortedEnv(env)
	cmd.Stdout = &stdout
	cmd.Stderr = errOut
	runErr := cmd.Run()

	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return stdout.Bytes(), 0, nil
	case !batch && errors.As(runErr, &exit) && exit.ExitCode() == raisedExit:
		return stdout.Bytes(), raisedExit, nil
	default:
		if tail := strings.TrimSpace(stderr.String()); tail != "" {
			return nil, 0, fmt.Errorf("invoke: run %s: %w: %s", python, runErr, tail)
		}
		return nil, 0, fmt.Errorf("invoke: run %s: %w", python, runErr)
	}
}

// Materialize writes Files() under dir (dir/python/django_serverless/...).
func Materialize(dir string) error {
	return fs.WalkDir(Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(Files(), name)
		if err != nil {
			return fmt.Errorf("read runtime file %s: %w", name, err)
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return fmt.Errorf("write runtime file %s: %w", name, err)
		}
		return nil
	})
}

func sortedEnv(env map[string]string) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// tail keeps the last max bytes written (for error messages).
type tail struct {
	max int
	buf *bytes.Buffer
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}
