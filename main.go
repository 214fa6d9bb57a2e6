// Command django-serverless deploys an ordinary Django project to AWS
// serverless infrastructure (API Gateway, AppSync, Lambda) through
// CloudFormation change sets. It is both a CLI and a GitHub Action.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go handleSignals(sigs, cancel, os.Stderr, os.Exit)
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Getenv:    os.Getenv,
		GitRemote: cli.GitRemote,
	})
	signal.Stop(sigs)
	os.Exit(code)
}

// handleSignals cancels the run on the first SIGINT or SIGTERM (every stage
// stops, cleans up and reports) and exits at once on the second, as a
// person pressing Ctrl-C twice or a runner's cancel followed by its kill
// expects. The binary may run as PID 1 in the action's container, where a
// signal without a handler is ignored: so the second signal is handled
// here too, not left to the default action.
func handleSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, w io.Writer, exit func(int)) {
	s := <-sigs
	fmt.Fprintf(w, "django-serverless: %v: stopping (send it again to exit at once)\n", s)
	cancel(fmt.Errorf("interrupted by %v", s))
	s = <-sigs
	fmt.Fprintf(w, "django-serverless: %v again: exiting now\n", s)
	exit(exitCode(s))
}

// exitCode is the shell's code for a process ended by s: 128 + its number.
func exitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}
