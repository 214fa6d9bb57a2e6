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
	// GitRemote returns the URL of the git remote "origin" of the
	// repository holding dir, or "" (main passes GitRemote; nil looks
	// nothing up, so tests do not depend on the checkout's remotes).
	GitRemote func(dir string) string
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
	switch name {
	case "-h", "--help", "help":
		printUsage(env.Stdout)
		return ExitOK
	case "--version", "version":
		if len(args) > 1 {
			return report(env, usagef("%s takes no arguments", name))
		}
		fmt.Fprintf(env.Stdout, "django-serverless %s\n", Version)
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

// report prints err once and maps it to an exit code. A report of
// problems in files (a diag.List) prints one problem per line, each
// starting with its file:line:col as compilers write them, so editors and
// problem matchers pick every line up; what the error adds around the list
// follows on a line of its own.
func report(env Env, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var dl diag.List
	if errors.As(err, &dl) && len(dl) > 0 {
		list := dl.Error()
		fmt.Fprintln(env.Stderr, list)
		if rest := strings.TrimSpace(strings.Replace(err.Error(), list, "", 1)); rest != "" {
			fmt.Fprintf(env.Stderr, "django-serverless: %s\n", strings.Trim(rest, ": "))
		}
	} else {
		fmt.Fprintf(env.Stderr, "django-serverless: %v\n", err)
	}
	var ue usageError
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
	fmt.Fprintln(w, "Run 'django-serverless <command> -h' for the flags of a command, 'django-serverless --version' for the version.")
}

// newFlags returns a FlagSet that reports errors instead of exiting and
// prints nothing itself: parse prints the help (-h) on stdout, and report
// prints an error once.
func newFlags(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := env.Stdout
		if w == nil {
			w = io.Discard
		}
		fmt.Fprintf(w, "usage: django-serverless %s %s\n\nflags:\n", name, usage)
		printFlags(w, fs)
	}
	return fs
}

// printFlags lists the flags as the synopsis writes them (--name, not
// Go's -name), each with its help and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		meta, help := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if meta != "" {
			line += " " + strings.ToUpper(meta)
		}
		fmt.Fprintln(w, line)
		def := ""
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "        %s%s\n", help, def)
	})
}

// parseWithArgs is parse for a command that takes positional arguments
// after its flags (manage: -- COMMAND ARGS...).
func parseWithArgs(fs *flag.FlagSet, args []string) error {
	return parseFlags(fs, args, true)
}

// parse parses flags: -h prints the command's help on stdout (exit 0), a
// flag error becomes a usage error naming the command (printed once, by
// report), stray positional arguments are refused, and an --env given
// empty is refused rather than taken as dev.
func parse(fs *flag.FlagSet, args []string) error {
	return parseFlags(fs, args, false)
}

func parseFlags(fs *flag.FlagSet, args []string, positional bool) error {
	usage := fs.Usage
	fs.Usage = func() {} // flag calls it on errors too; help is printed below
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return usagef("%s: %v (see 'django-serverless %s -h')", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 && !positional {
		return usagef("%s: unexpected argument %q", fs.Name(), strings.Join(fs.Args(), " "))
	}
	var empty error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "env" && f.Value.String() == "" {
			empty = usagef("%s: --env is empty: name an environment (dev, prod, pr-<N>, ...)", fs.Name())
		}
	})
	return empty
}
