package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

// errHandlerRaised makes invoke exit 1 after printing the result.
var errHandlerRaised = errors.New("the handler raised (traceback above)")

type invokeOptions struct {
	buildFlags
	event, python, route string
	collect              bool
}

func invokeFlags(env Env) (*flag.FlagSet, *invokeOptions) {
	var o invokeOptions
	fs := newFlags(env, "invoke", "[--project DIR] [--env NAME] [--config FILE] --event FILE [--python BIN] [--route NAME] [--collectstatic=false]")
	o.register(fs)
	fs.StringVar(&o.event, "event", "", "JSON event `file` (API Gateway v1/v2, ALB, Function URL, AppSync, warm-up); - for stdin")
	fs.StringVar(&o.python, "python", "", "Python interpreter (`bin`) with the project's dependencies (default: $DJANGO_SERVERLESS_PYTHON, else python3)")
	fs.StringVar(&o.route, "route", "", "URL name (catalog:detail) or function `name` whose environment to use (default: the catch-all function)")
	fs.BoolVar(&o.collect, "collectstatic", true, "with static.mode cloudfront, collect the static files first so {% static %} gives the hashed names the deployed functions give")
	return fs, &o
}

func runInvoke(ctx context.Context, env Env, args []string) error {
	fs, o := invokeFlags(env)
	if err := parse(fs, args); err != nil {
		return err
	}
	o.python = localPython(env, o.python)
	bf, event, python, route, collect := o.buildFlags, &o.event, &o.python, &o.route, &o.collect
	if *event == "" {
		return usagef("invoke: --event FILE is required")
	}
	var body []byte
	var err error
	if *event == "-" {
		if body, err = io.ReadAll(env.Stdin); err != nil {
			return usagef("invoke: read event from stdin: %v", err)
		}
	} else if body, err = os.ReadFile(*event); err != nil {
		return usagef("invoke: read event: %v", err)
	}

	b, err := action.NewPlan(ctx, action.BuildOptions{ProjectDir: bf.project, ConfigFile: bf.config, Environment: bf.env, Repository: repositoryOf(env, bf.project), Log: env.Stderr})
	if err != nil {
		return err
	}
	fn, err := pickFunction(b.Plan, *route)
	if err != nil {
		return err
	}
	fenv := b.Plan.FunctionEnv(fn)
	if b.Plan.CloudFront() {
		// The deployed functions read the manifest from their code; here
		// it is collected the same way, with the same Python.
		delete(fenv, plan.EnvStaticRoot)
		if *collect {
			dir, err := os.MkdirTemp("", "django-serverless-static-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			coll, err := staticfiles.Collect(ctx, staticfiles.Options{Python: *python, Root: b.Project.Root, SettingsModule: b.Plan.SettingsModule, Env: b.Plan.Env, Out: dir})
			if err != nil {
				fmt.Fprintf(env.Stderr, "warning: static files not collected (STATIC_URL is %s, names unhashed): %v\n", fenv[plan.EnvStaticURL], adapter.ExplainPython(err, *python, "--python"))
			} else {
				fmt.Fprintf(env.Stderr, "collected %d static files for STATIC_URL %s\n", len(coll.Files), fenv[plan.EnvStaticURL])
				fenv[plan.EnvStaticRoot] = dir
			}
		}
	}
	result, raised, err := adapter.Invoke(ctx, adapter.InvokeOptions{
		Python: *python,
		Root:   b.Project.Root,
		Event:  body,
		Env:    fenv,
		Stderr: env.Stderr,
	})
	if err != nil {
		return adapter.ExplainPython(err, *python, "--python")
	}
	if len(result) > 0 {
		if _, err := fmt.Fprintf(env.Stdout, "%s\n", result); err != nil {
			return err
		}
	}
	if raised {
		if m := raisedMissingModule(result); m != nil {
			return fmt.Errorf("%w: %w", errHandlerRaised, adapter.ExplainPython(m, *python, "--python"))
		}
		return errHandlerRaised
	}
	return nil
}

// localPython is the interpreter serve and invoke run: --python, else
// DJANGO_SERVERLESS_PYTHON, else python3.
func localPython(env Env, flag string) string {
	if flag != "" {
		return flag
	}
	if env.Getenv != nil {
		if p := env.Getenv(adapter.PythonEnv); p != "" {
			return p
		}
	}
	return "python3"
}

// raisedMissingModule is the Lambda error of a handler that raised
// ModuleNotFoundError (importing the handler, Django, or a module of the
// project), as an error; nil for any other result.
func raisedMissingModule(result []byte) error {
	var le struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(result, &le) != nil || le.ErrorType != "ModuleNotFoundError" {
		return nil
	}
	return fmt.Errorf("%s: %s", le.ErrorType, le.ErrorMessage)
}

// pickFunction maps --route to a planned function: a URL name, a function
// name, or "" for the catch-all function.
func pickFunction(pl *plan.Plan, route string) (string, error) {
	if route == "" {
		return plan.DefaultFunction, nil
	}
	if pl.Function(route) != nil {
		return route, nil
	}
	for _, r := range pl.Routes {
		if r.Route.Name == route {
			return r.Function, nil
		}
	}
	var names []string
	for _, r := range pl.Routes {
		if r.Route.Name != "" {
			names = append(names, r.Route.Name)
		}
	}
	sort.Strings(names)
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return "", usagef("invoke: --route %q is neither a URL name nor a function (URL names: %s)", route, strings.Join(names, ", "))
}
