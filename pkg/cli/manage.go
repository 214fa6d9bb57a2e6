package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
	"github.com/django-serverless/django-serverless-action/pkg/manage"
)

const manageUsage = "[--project DIR] [--env NAME] [--config FILE] [--region NAME] [--timeout DURATION] [--json] -- COMMAND [ARGS...]"

// runManage runs a management command in the environment's manage
// function: `django-serverless manage --env prod -- migrate --noinput`.
// The command's output goes to stdout (with --json, the whole result as
// one object); exit 0 when the command exits 0, 1 when it fails, is
// refused or times out, 2 when the configuration does not allow it.
func runManage(ctx context.Context, env Env, args []string) error {
	fs, o := manageFlags(env)
	if err := parseWithArgs(fs, args); err != nil {
		return err
	}
	bf, region, timeout, asJSON := o.buildFlags, &o.region, &o.timeout, &o.json
	words := fs.Args()
	if len(words) == 0 {
		return usagef("manage: no command (usage: django-serverless manage %s)", manageUsage)
	}
	if *timeout < 0 {
		return usagef("manage: --timeout must not be negative")
	}
	c, err := newClients(ctx, *region)
	if err != nil {
		return err
	}
	r, err := manageCommand(ctx, c, action.BuildOptions{ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env, Repository: repositoryOf(env, bf.project), Log: io.Discard}, words, *timeout, env.Stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		io.WriteString(env.Stdout, r.Output)
	}
	if !r.OK() {
		return fmt.Errorf("manage %s: %s", words[0], r.Status())
	}
	fmt.Fprintf(env.Stderr, "manage %s: exit status 0 in %s\n", words[0], time.Duration(r.DurationMS)*time.Millisecond)
	return nil
}

type manageOptions struct {
	buildFlags
	region  string
	timeout time.Duration
	json    bool
}

func manageFlags(env Env) (*flag.FlagSet, *manageOptions) {
	var o manageOptions
	fs := newFlags(env, "manage", manageUsage)
	o.register(fs)
	fs.StringVar(&o.region, "region", "", "AWS region `name` (default: AWS_REGION)")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop the command after this `duration` (default: the manage function's timeout, less a few seconds)")
	fs.BoolVar(&o.json, "json", false, "print the result as one JSON object")
	return fs, &o
}

// manageCommand plans the environment offline (to name its manage
// function and read which commands the configuration allows), refuses a
// command it does not allow, and runs the command.
func manageCommand(ctx context.Context, c action.Clients, o action.BuildOptions, words []string, timeout time.Duration, log io.Writer) (*manage.Result, error) {
	if o.WorkDir == "" {
		dir, err := os.MkdirTemp("", "django-serverless-manage-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		o.WorkDir = dir
	}
	b, err := action.NewPlan(ctx, o)
	if err != nil {
		return nil, err
	}
	allowed := b.Config.ManageCommands()
	if !slices.Contains(allowed, words[0]) {
		return nil, usagef("manage: command %q is not allowed in environment %s (manage.commands allows: %s)", words[0], b.Plan.Environment, strings.Join(allowed, ", "))
	}
	if c.Lambda == nil {
		return nil, fmt.Errorf("manage: no Lambda client")
	}
	t := b.ManageTarget()
	fmt.Fprintf(log, "running %s in %s (%s)\n", strings.Join(words, " "), b.Plan.Environment, t)
	return manage.Command(ctx, c.Lambda, t, words[0], words[1:], timeout)
}

// actionManage is the action's command: manage: the manage input's
// command in the environment, its output in the log and the job summary,
// its exit status as the manage-exit-status output.
func actionManage(ctx context.Context, a *githubactions.Action, c action.Clients, build action.BuildOptions, in gh.Inputs) error {
	words, err := manage.SplitArgs(in.Manage)
	if err != nil {
		return usagef("input manage: %v", err)
	}
	if len(words) == 0 {
		return usagef("input manage: no command")
	}
	var r *manage.Result
	err = gh.Group(a, "manage "+words[0], func() error {
		var rerr error
		r, rerr = manageCommand(ctx, c, build, words, in.Timeout, build.Log)
		if r != nil {
			io.WriteString(build.Log, r.Output)
		}
		return rerr
	})
	if err != nil {
		return err
	}
	status := ""
	if r.ExitStatus != nil {
		status = strconv.Itoa(*r.ExitStatus)
	}
	if oerr := gh.WriteOutputs(a, gh.Outputs{ManageExitStatus: status}); oerr != nil {
		a.Warningf("%v", oerr)
	}
	summary := fmt.Sprintf("### manage %s in %s\n\n%s\n\n```\n%s\n```\n", gh.Escape(strings.Join(words, " ")), gh.Escape(in.Environment), gh.Escape(r.Status()), strings.ReplaceAll(tailLines(r.Output, 200), "```", "`\u200b``"))
	if serr := gh.WriteSummary(a, summary); serr != nil {
		a.Warningf("%v", serr)
	}
	if !r.OK() {
		return fmt.Errorf("manage %s: %s", words[0], r.Status())
	}
	return nil
}

// tailLines keeps the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[%d earlier lines in the log]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
