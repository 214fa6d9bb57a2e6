// Package manage runs management commands and preview-database operations
// in a deployed environment: it invokes the environment's manage function
// (the same code, layers, settings, VPC and secrets as the functions that
// serve requests, with a longer timeout) through the Lambda Invoke API
// with the runtime adapter's management events (see the adapter's
// django_serverless/control.py), and reads the command's output and exit
// status back.
package manage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Lambda is what invoking the manage function needs (*lambda.Client
// satisfies it).
type Lambda interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ Lambda = (*lambda.Client)(nil)

// Target is the function to invoke: its name and a version or alias
// (the environment's alias; a version number to run a version the alias
// does not point at yet).
type Target struct {
	Function  string
	Qualifier string
}

func (t Target) String() string {
	if t.Qualifier == "" {
		return t.Function
	}
	return t.Function + ":" + t.Qualifier
}

// Result is the answer to a management event.
type Result struct {
	Command string   `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	Action  string   `json:"action,omitempty"`
	// ExitStatus is the command's exit status (0 success, 1 a
	// CommandError, 2 refused); nil when it was stopped at its timeout.
	ExitStatus *int   `json:"exit_status"`
	TimedOut   bool   `json:"timed_out"`
	Output     string `json:"output"`
	Truncated  bool   `json:"truncated"`
	DurationMS int64  `json:"duration_ms"`
}

// OK reports whether the command ran and exited 0.
func (r *Result) OK() bool { return r != nil && r.ExitStatus != nil && *r.ExitStatus == 0 }

// Status describes how the command ended, for messages.
func (r *Result) Status() string {
	switch {
	case r.TimedOut:
		return "stopped at its timeout"
	case r.ExitStatus == nil:
		return "ended without an exit status"
	case *r.ExitStatus == 2 && strings.HasPrefix(r.Output, "refused: "):
		return "refused"
	default:
		return fmt.Sprintf("exit status %d", *r.ExitStatus)
	}
}

// Error is a failed invocation: the function could not answer (Lambda's
// own timeout, an init error such as broken settings, a crash).
type Error struct {
	Target  Target
	Type    string // errorType: "Sandbox.Timedout", "Runtime.ImportModuleError", ...
	Message string
	// Log is the tail of the invocation's log (Lambda's last 4 KB).
	Log string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("manage function %s failed: %s: %s", e.Target, e.Type, e.Message)
	if e.Log != "" {
		msg += "\nlog tail:\n" + strings.TrimRight(e.Log, "\n")
	}
	return msg
}

// commandRe is what the runtime accepts as a command name.
var commandRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$`)

// Command runs one management command with its arguments (a list, handed
// to Django's parser as it is: no shell). timeout > 0 bounds the command
// (the runtime also keeps it within the invocation's time). A command that
// runs and fails is a Result with its exit status, not an error.
func Command(ctx context.Context, api Lambda, t Target, command string, args []string, timeout time.Duration) (*Result, error) {
	if !commandRe.MatchString(command) {
		return nil, fmt.Errorf("%q is not a management command name", command)
	}
	if args == nil {
		args = []string{}
	}
	ev := map[string]any{"django_serverless": "manage", "command": command, "args": args}
	if timeout > 0 {
		ev["timeout"] = timeout.Seconds()
	}
	return invoke(ctx, api, t, ev)
}

// Migrate runs `migrate --noinput` for a deploy. When every database in
// the project's DATABASES is SQLite (a file local to each function, as in
// a demo project) the runtime does not run it and skipped is true.
func Migrate(ctx context.Context, api Lambda, t Target, timeout time.Duration) (r *Result, skipped bool, err error) {
	ev := map[string]any{"django_serverless": "manage", "command": "migrate", "args": []string{"--noinput"}, "skip_sqlite": true}
	if timeout > 0 {
		ev["timeout"] = timeout.Seconds()
	}
	r, err = invoke(ctx, api, t, ev)
	if err != nil || !r.OK() {
		return r, false, err
	}
	var out struct {
		Skipped string `json:"skipped"`
	}
	if r.LastJSON(&out) == nil && out.Skipped != "" {
		return r, true, nil
	}
	return r, false, nil
}

// Database actions on a pr-<N> preview's own database.
const (
	DatabaseCreate   = "create"
	DatabaseDrop     = "drop"
	DatabaseFixtures = "fixtures"
)

// Database runs a preview database action.
func Database(ctx context.Context, api Lambda, t Target, action string) (*Result, error) {
	switch action {
	case DatabaseCreate, DatabaseDrop, DatabaseFixtures:
	default:
		return nil, fmt.Errorf("unknown database action %q", action)
	}
	return invoke(ctx, api, t, map[string]any{"django_serverless": "database", "action": action})
}

// LastJSON decodes the last line of the output that is a JSON object
// (database actions print their outcome that way).
func (r *Result) LastJSON(v any) error {
	lines := strings.Split(strings.TrimSpace(r.Output), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "{") {
			return json.Unmarshal([]byte(l), v)
		}
	}
	return errors.New("no JSON outcome in the output")
}

func invoke(ctx context.Context, api Lambda, t Target, event map[string]any) (*Result, error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	in := &lambda.InvokeInput{
		FunctionName:   aws.String(t.Function),
		Payload:        payload,
		InvocationType: types.InvocationTypeRequestResponse,
		LogType:        types.LogTypeTail,
	}
	if t.Qualifier != "" {
		in.Qualifier = aws.String(t.Qualifier)
	}
	out, err := api.Invoke(ctx, in)
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("manage function %s not found: deploy the environment first (%w)", t, err)
		}
		return nil, fmt.Errorf("invoke manage function %s: %w", t, err)
	}
	if out.FunctionError != nil {
		var fe struct {
			Type    string `json:"errorType"`
			Message string `json:"errorMessage"`
		}
		json.Unmarshal(out.Payload, &fe)
		if fe.Type == "" {
			fe.Type = aws.ToString(out.FunctionError)
		}
		if fe.Message == "" {
			fe.Message = string(out.Payload)
		}
		log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		return nil, &Error{Target: t, Type: fe.Type, Message: fe.Message, Log: string(log)}
	}
	var r Result
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		return nil, fmt.Errorf("manage function %s: answer is not a management result: %w: %.200s", t, err, out.Payload)
	}
	if r.ExitStatus == nil && !r.TimedOut {
		return nil, fmt.Errorf("manage function %s: answer has no exit status (is it the django-serverless runtime?): %.200s", t, out.Payload)
	}
	return &r, nil
}
