package cli

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
)

// awsFlags are the flags of plan, deploy and destroy: the CLI twins of the
// action's inputs.
type awsFlags struct {
	buildFlags
	bucket, region, changeSetID string
	timeout                     time.Duration
	json, failOnEmpty           bool
	keepDatabase                bool
}

func (f *awsFlags) parse(env Env, name string, args []string) error {
	usage := "[--project DIR] [--env NAME] [--config FILE] [--artifacts-bucket NAME] [--region NAME] [--timeout DURATION] [--json]"
	if name == "deploy" {
		usage += " [--change-set-id ID]"
	}
	if name == "destroy" {
		usage += " [--keep-database]"
	}
	fs := newFlags(env, name, usage)
	f.register(fs)
	fs.StringVar(&f.bucket, "artifacts-bucket", "", "S3 bucket for code and templates (default: the managed bucket of the account and region)")
	fs.StringVar(&f.region, "region", "", "AWS region (default: AWS_REGION)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up waiting for CloudFormation after this long")
	fs.BoolVar(&f.json, "json", false, "print a JSON summary on stdout after the log")
	if name != "destroy" {
		fs.BoolVar(&f.failOnEmpty, "fail-on-empty-changeset", false, "fail when the change set has no changes")
	}
	if name == "deploy" {
		fs.StringVar(&f.changeSetID, "change-set-id", "", "execute exactly this reviewed change set (from plan)")
	}
	if name == "destroy" {
		fs.BoolVar(&f.keepDatabase, "keep-database", false, "do not drop a pr-<N> preview's own database")
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.timeout <= 0 {
		return usagef("%s: --timeout must be positive", name)
	}
	return nil
}

func runPlan(ctx context.Context, env Env, args []string) error {
	return runAWS(ctx, env, "plan", args)
}

func runDeploy(ctx context.Context, env Env, args []string) error {
	return runAWS(ctx, env, "deploy", args)
}

func runDestroy(ctx context.Context, env Env, args []string) error {
	return runAWS(ctx, env, "destroy", args)
}

func runAWS(ctx context.Context, env Env, name string, args []string) error {
	var f awsFlags
	if err := f.parse(env, name, args); err != nil {
		return err
	}
	clients, err := newClients(ctx, f.region)
	if err != nil {
		return err
	}
	o := action.Options{
		Command:         name,
		Build:           action.BuildOptions{ProjectDir: f.project, ConfigFile: f.config, Environment: f.env, Repository: env.Getenv("GITHUB_REPOSITORY"), Log: env.Stderr, Deps: newDeps(env, true)},
		ArtifactsBucket: f.bucket,
		Timeout:         f.timeout,
		ChangeSetID:     f.changeSetID,
		FailOnEmpty:     f.failOnEmpty,
		Commit:          commitOf(env, f.project),
		RunID:           runIDOf(env),
		KeepDatabase:    f.keepDatabase,
	}
	// The change set's text is in the log already (stack.Deployer).
	sum, err := action.Run(ctx, clients, o)
	if sum != nil && f.json {
		if jerr := writeJSON(env, sum); jerr != nil && err == nil {
			err = jerr
		}
	}
	return err
}

// newClients builds the SDK clients from the standard AWS environment
// (AWS_REGION, AWS_ENDPOINT_URL*, credentials chain; STS honours
// AWS_ENDPOINT_URL_STS like the others).
func newClients(ctx context.Context, region string) (action.Clients, error) {
	cfg, err := artifacts.LoadConfig(ctx, region)
	if err != nil {
		return action.Clients{}, err
	}
	return action.Clients{
		S3:  artifacts.NewS3ClientFromConfig(cfg),
		CFN: cloudformation.NewFromConfig(cfg),
		STS: sts.NewFromConfig(cfg),
		// One attempt: a retried invocation could run a command twice.
		Lambda: lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.RetryMaxAttempts = 1 }),
		Region: cfg.Region,
	}, nil
}

// commitOf is GITHUB_SHA in Actions, else the project's git HEAD, else "".
func commitOf(env Env, dir string) string {
	if s := env.Getenv("GITHUB_SHA"); s != "" {
		return s
	}
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// runIDOf is GITHUB_RUN_ID plus the attempt in Actions, else "".
func runIDOf(env Env) string {
	id := env.Getenv("GITHUB_RUN_ID")
	if id == "" {
		return ""
	}
	if a := env.Getenv("GITHUB_RUN_ATTEMPT"); a != "" && a != "1" {
		id += "-" + a
	}
	return id
}

// newDeps is the dependencies-layer builder: pip (or uv) for the Lambda
// platform, cached under DJANGO_SERVERLESS_CACHE or the user cache folder.
func newDeps(env Env, install bool) *action.PipDeps {
	cache := env.Getenv("DJANGO_SERVERLESS_CACHE")
	if cache != "" {
		cache = filepath.Join(cache, "deps")
	}
	return &action.PipDeps{
		Install:      install,
		CacheDir:     cache,
		PipPython:    env.Getenv("DJANGO_SERVERLESS_PIP_PYTHON"),
		SchemaPython: env.Getenv("DJANGO_SERVERLESS_PYTHON"),
		ToolVersion:  Version,
		Log:          env.Stderr,
	}
}
