package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/serve"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

type serveOptions struct {
	buildFlags
	port, maxWorkers  int
	python            string
	noReload, collect bool
	poll              time.Duration
}

func serveFlags(env Env) (*flag.FlagSet, *serveOptions) {
	var o serveOptions
	fs := newFlags(env, "serve", "[--project DIR] [--env NAME] [--config FILE] [--port 8000] [--python BIN] [--max-workers N] [--no-reload] [--reload-interval DURATION] [--collectstatic=false]")
	o.register(fs)
	fs.IntVar(&o.port, "port", 8000, "`port` on 127.0.0.1 (0 picks a free one)")
	fs.StringVar(&o.python, "python", "", "Python interpreter (`bin`) with the project's dependencies (default: $DJANGO_SERVERLESS_PYTHON, else python3)")
	fs.IntVar(&o.maxWorkers, "max-workers", 8, "most worker processes at once (`n`; the least recently used idle one is stopped to make room)")
	fs.BoolVar(&o.noReload, "no-reload", false, "do not watch the project for changes")
	fs.BoolVar(&o.collect, "collectstatic", true, "with static.mode cloudfront, collect the static files at start and serve them under /static/ as CloudFront would (restart serve after changing them)")
	fs.DurationVar(&o.poll, "reload-interval", 500*time.Millisecond, "how often (`duration`) the project is checked for changes")
	return fs, &o
}

func runServe(ctx context.Context, env Env, args []string) error {
	fs, o := serveFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	o.python = localPython(env, o.python)
	bf, port, python, maxWorkers, noReload, poll, collect := o.buildFlags, &o.port, &o.python, &o.maxWorkers, &o.noReload, &o.poll, &o.collect
	if *port < 0 || *port > 65535 {
		return usagef("serve: --port %d is not a port (0-65535)", *port)
	}
	if *maxWorkers < 1 {
		return usagef("serve: --max-workers must be at least 1")
	}
	opts := action.BuildOptions{ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env, Repository: repositoryOf(env, bf.project), Log: env.Stderr}
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

	// Static files (cloudfront mode) are collected once the first line is
	// out, before the first request is served: the workers link the
	// hashed names the deployed functions link (the manifest's folder is
	// in their environment), and /static/ answers as the distribution
	// does.
	var static *lateHandler
	var staticEnv map[string]string
	staticDir := ""
	if pl.CloudFront() && *collect {
		dir, err := os.MkdirTemp("", "django-serverless-serve-static-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		staticDir = filepath.Join(dir, "static")
		static = &lateHandler{}
		staticEnv = map[string]string{plan.EnvStaticRoot: staticDir}
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
		Static: static.handler(), StaticPrefix: plan.StaticPath, Env: staticEnv,
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
	if staticDir != "" {
		coll, err := staticfiles.Collect(ctx, staticfiles.Options{Python: *python, Root: b.Project.Root, SettingsModule: pl.SettingsModule, Env: pl.Env, Out: staticDir})
		if err != nil {
			fmt.Fprintf(env.Stderr, "warning: static files not collected (pages link unhashed names, %s is not served): %v\n", plan.StaticPath, adapter.ExplainPython(err, *python, "--python"))
		} else {
			static.set(staticfiles.Handler(coll, plan.StaticPath, true))
			fmt.Fprintf(env.Stderr, "static files: %d collected, served under %s as CloudFront serves them (restart serve after changing them)\n", len(coll.Files), plan.StaticPath)
		}
	}
	return srv.Serve(ctx, ln)
}

// lateHandler is an http.Handler set once serving has been announced and
// before the first request (the collected static files); until then, and
// when collecting failed, it answers 403 as S3 does for a missing key.
type lateHandler struct{ h http.Handler }

func (l *lateHandler) set(h http.Handler) { l.h = h }

// handler is l as an http.Handler, nil for a nil l (no static files).
func (l *lateHandler) handler() http.Handler {
	if l == nil {
		return nil
	}
	return l
}

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if l.h == nil {
		http.Error(w, "403 Forbidden: static files not collected", http.StatusForbidden)
		return
	}
	l.h.ServeHTTP(w, r)
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
