// Package cli parses the command line of django-serverless and runs the
// command it names. main only builds an Env and calls Run, so tests drive
// Run directly with buffers and an injected environment.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
)

// Version is the tool's version; part of the dependencies layer's hash so a
// release that changes how layers are built rebuilds them.
const Version = "0.1.0"

// Exit codes (DESIGN.md section 2).
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// Env is everything a run may read from or write to the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

// commands lists the subcommands that work; nothing is listed before it does.
func commands() map[string]command {
	return map[string]command{
		"discover": {"print the routes, apps and GraphQL schema found in the Django source", runDiscover},
		"render":   {"build the templates and zips CloudFormation needs, without AWS access", runRender},
		"plan":     {"upload artifacts and create the change set (no execute)", runPlan},
		"deploy":   {"plan, execute the change set and wait for the stack", runDeploy},
		"invoke":   {"run the Lambda handler locally on an event and print its result", runInvoke},
		"serve":    {"run the API on localhost as it will be deployed (routing, events, warm workers)", runServe},
		"destroy":  {"delete the environment's stack (refuses protected environments)", runDestroy},
		"manage":   {"run a management command in the deployed environment (manage --env prod -- migrate)", runManage},
	}
}

// usageError marks errors that exit with code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// Run executes args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		if env.Getenv("GITHUB_ACTIONS") == "true" {
			// Everything goes to stdout (one stream keeps the runner's
			// view of the stop-commands markers in order), between them.
			guard := gh.NewLogGuard(env.Stdout)
			guard.Stop()
			env.Stdout, env.Stderr = guard.Log(), guard.Log()
			code := report(env, runAction(ctx, env, guard))
			guard.Resume()
			return code
		}
		printUsage(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		printUsage(env.Stdout)
		return ExitOK
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "django-serverless: unknown command %q\n\n", name)
		printUsage(env.Stderr)
		return ExitUsage
	}
	return report(env, cmd.run(ctx, env, args[1:]))
}

// report prints err once and maps it to an exit code.
func report(env Env, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "django-serverless: %v\n", err)
	var ue usageError
	var dl diag.List
	if errors.As(err, &ue) || errors.As(err, &dl) || errors.Is(err, action.ErrConfig) || errors.Is(err, django.ErrNoManagePy) ||
		errors.Is(err, artifacts.ErrNoRegion) {
		return ExitUsage
	}
	return ExitFail
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: django-serverless <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'django-serverless <command> -h' for the flags of a command.")
}

// newFlags returns a FlagSet that reports errors instead of exiting.
func newFlags(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: django-serverless %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning flag errors into usage errors and refusing
// stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), strings.Join(fs.Args(), " "))
	}
	return nil
}
