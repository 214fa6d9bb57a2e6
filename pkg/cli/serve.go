package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/serve"
)

type serveOptions struct {
	buildFlags
	port, maxWorkers int
	python           string
	noReload         bool
	poll             time.Duration
}

func serveFlags(env Env) (*flag.FlagSet, *serveOptions) {
	var o serveOptions
	fs := newFlags(env, "serve", "[--project DIR] [--env NAME] [--config FILE] [--port 8000] [--python BIN] [--max-workers N] [--no-reload] [--reload-interval DURATION]")
	o.register(fs)
	fs.IntVar(&o.port, "port", 8000, "`port` on 127.0.0.1 (0 picks a free one)")
	fs.StringVar(&o.python, "python", "python3", "Python interpreter (`bin`) with the project's dependencies")
	fs.IntVar(&o.maxWorkers, "max-workers", 8, "most worker processes at once (`n`; the least recently used idle one is stopped to make room)")
	fs.BoolVar(&o.noReload, "no-reload", false, "do not watch the project for changes")
	fs.DurationVar(&o.poll, "reload-interval", 500*time.Millisecond, "how often (`duration`) the project is checked for changes")
	return fs, &o
}

func runServe(ctx context.Context, env Env, args []string) error {
	fs, o := serveFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	bf, port, python, maxWorkers, noReload, poll := o.buildFlags, &o.port, &o.python, &o.maxWorkers, &o.noReload, &o.poll
	if *port < 0 || *port > 65535 {
		return usagef("serve: --port %d is not a port (0-65535)", *port)
	}
	if *maxWorkers < 1 {
		return usagef("serve: --max-workers must be at least 1")
	}
	opts := action.BuildOptions{ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env, Log: env.Stderr}
	b, err := action.NewPlan(ctx, opts)
	if err != nil {
		return err
	}
	printDiagnostics(env, b.Diagnostics)
	pl := b.Plan

	var loadGraphQL func(context.Context) (*serve.GraphQL, error)
	if pl.GraphQL != nil {
		schemaFile := b.Config.GraphQL.SchemaFile
		loadGraphQL = func(ctx context.Context) (*serve.GraphQL, error) {
			return serve.LoadGraphQL(ctx, b.Project.Root, schemaFile, pl, *python)
		}
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("serve: port %d on 127.0.0.1 is already in use (another serve or runserver?): choose another with --port, or --port 0 for a free one", *port)
		}
		return fmt.Errorf("serve: listen on 127.0.0.1:%d: %w", *port, err)
	}
	watch := *poll
	if *noReload {
		watch = 0
	}
	replan := func(ctx context.Context) (*plan.Plan, error) {
		o := opts
		o.Log = io.Discard
		nb, err := action.NewPlan(ctx, o)
		if err != nil {
			return nil, err
		}
		return nb.Plan, nil
	}
	srv, err := serve.New(serve.Options{
		Plan: pl, Root: b.Project.Root, Python: *python, MaxWorkers: *maxWorkers,
		Log: env.Stderr, LoadGraphQL: loadGraphQL, Watch: watch, Replan: replan,
	})
	if err != nil {
		ln.Close()
		return err
	}
	url := "http://" + ln.Addr().String()
	if _, err := fmt.Fprintf(env.Stdout, "serving %s\n", url); err != nil {
		ln.Close()
		srv.Close()
		return err
	}
	if f, ok := env.Stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	describe(env.Stderr, pl, url, loadGraphQL != nil, watch)
	return srv.Serve(ctx, ln)
}

// describe tells where the API is and what serves it.
func describe(w io.Writer, pl *plan.Plan, url string, graph bool, watch time.Duration) {
	switch pl.APIType {
	case "rest":
		fmt.Fprintf(w, "REST API, stage %s: %s/%s/ (paths outside the stage answer 403 as API Gateway does)\n", pl.StageName, url, pl.StageName)
	default:
		fmt.Fprintf(w, "HTTP API, stage $default: %s/\n", url)
	}
	if graph {
		fmt.Fprintf(w, "AppSync GraphQL: POST %s/graphql\n", url)
	}
	names := make([]string, 0, len(pl.Functions))
	for _, f := range pl.Functions {
		names = append(names, fmt.Sprintf("%s (%d MB, %ds)", f.Name, f.Memory, f.Timeout))
	}
	fmt.Fprintf(w, "%d functions: %s\n", len(names), strings.Join(names, ", "))
	if watch > 0 {
		fmt.Fprintf(w, "watching %s for changes; Ctrl-C stops\n", "the project")
	} else {
		fmt.Fprintln(w, "Ctrl-C stops")
	}
}
