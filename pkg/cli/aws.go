package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// awsFlags are the flags of plan, deploy and destroy: the CLI twins of the
// action's inputs.
type awsFlags struct {
	buildFlags
	bucket, region, changeSetID string
	timeout                     time.Duration
	json, failOnEmpty           bool
	stackName, roleARN          string
	tags, topics, onFailure     string
	keepDatabase                bool
}

// flagSet builds the FlagSet of plan, deploy or destroy.
func (f *awsFlags) flagSet(env Env, name string) *flag.FlagSet {
	usage := "[--project DIR] [--env NAME] [--config FILE] [--stack-name NAME] [--artifacts-bucket NAME] [--region NAME] [--role-arn ARN]"
	switch name {
	case "destroy":
		usage += " [--timeout DURATION] [--keep-database] [--json]"
	case "deploy":
		usage += " [--tags KEY=VALUE,...] [--notification-arns ARN,...] [--on-failure ACTION] [--timeout DURATION] [--fail-on-empty-changeset] [--change-set-id ID] [--json]"
	default:
		usage += " [--tags KEY=VALUE,...] [--notification-arns ARN,...] [--on-failure ACTION] [--timeout DURATION] [--fail-on-empty-changeset] [--json]"
	}
	fs := newFlags(env, name, usage)
	f.register(fs)
	fs.StringVar(&f.bucket, "artifacts-bucket", "", "S3 bucket `name` for code and templates (default: the managed bucket of the account and region)")
	fs.StringVar(&f.region, "region", "", "AWS region `name` (default: AWS_REGION)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up waiting for CloudFormation after this `duration`")
	fs.BoolVar(&f.json, "json", false, "print a JSON summary on stdout after the log")
	fs.StringVar(&f.stackName, "stack-name", "", "root stack `name` (default: <project>-<env>; not for pr-<N> previews)")
	fs.StringVar(&f.roleARN, "role-arn", "", "`ARN` of the CloudFormation service role that creates, updates and deletes the stack")
	if name != "destroy" {
		fs.BoolVar(&f.failOnEmpty, "fail-on-empty-changeset", false, "fail when the change set has no changes")
		fs.StringVar(&f.tags, "tags", "", "extra stack tags, `key=value,...` (they reach every resource: no per-commit values)")
		fs.StringVar(&f.topics, "notification-arns", "", "SNS topic `ARNs` (comma-separated) that receive the stack's events")
		fs.StringVar(&f.onFailure, "on-failure", stack.OnFailureRollback, "what a failed creation does: ROLLBACK, DELETE or DO_NOTHING (`action`)")
	}
	if name == "deploy" {
		fs.StringVar(&f.changeSetID, "change-set-id", "", "execute exactly this reviewed change set (its ARN or `name`, from plan)")
	}
	if name == "destroy" {
		fs.BoolVar(&f.keepDatabase, "keep-database", false, "do not drop a pr-<N> preview's own database")
	}
	return fs
}

func (f *awsFlags) parse(env Env, name string, args []string) error {
	fs := f.flagSet(env, name)
	if err := parse(fs, args); err != nil {
		return err
	}
	var errs []error
	if f.timeout <= 0 {
		errs = append(errs, errors.New("--timeout must be positive"))
	}
	if f.stackName != "" {
		if err := stack.ValidateStackName(f.stackName); err != nil {
			errs = append(errs, fmt.Errorf("--stack-name: %w", err))
		} else if stack.IsPreview(f.env) {
			errs = append(errs, fmt.Errorf("--stack-name: %s is a pull request's preview, whose stack django-serverless names itself", f.env))
		}
	}
	f.onFailure = strings.ToUpper(f.onFailure)
	for _, err := range []error{stack.ValidateRoleARN(f.roleARN), stack.ValidateOnFailure(f.onFailure)} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := stack.ValidateNotificationARNs(f.topicList()); err != nil {
		errs = append(errs, fmt.Errorf("--notification-arns: %w", err))
	}
	if tags, err := gh.ParseTags(f.tags); err != nil {
		errs = append(errs, fmt.Errorf("--tags: %w", err))
	} else if err := stack.ValidateTags(tags); err != nil {
		errs = append(errs, fmt.Errorf("--tags: %w", err))
	} else if err := gh.PerCommit(tags, commitOf(env, f.project), runIDOf(env)); err != nil {
		errs = append(errs, fmt.Errorf("--tags: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return usagef("%s: %w", name, err)
	}
	return nil
}

// topicList splits --notification-arns.
func (f *awsFlags) topicList() []string {
	var out []string
	for _, a := range strings.Split(f.topics, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
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
	tags, _ := gh.ParseTags(f.tags) // checked by parse
	o := action.Options{
		Command:          name,
		RoleARN:          f.roleARN,
		Tags:             tags,
		NotificationARNs: f.topicList(),
		Build: action.BuildOptions{ProjectDir: f.project, ConfigFile: f.config, Environment: f.env, StackName: f.stackName,
			Repository: repositoryOf(env, f.project), Log: env.Stderr, Deps: newDeps(env, true)},
		ArtifactsBucket: f.bucket,
		Timeout:         f.timeout,
		ChangeSetID:     f.changeSetID,
		FailOnEmpty:     f.failOnEmpty,
		Commit:          commitOf(env, f.project),
		RunID:           runIDOf(env),
		KeepDatabase:    f.keepDatabase,
	}
	if name != "destroy" {
		o.OnFailure = f.onFailure
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

// repositoryOf is the repository whose name is the default project (the
// stack-name prefix): GITHUB_REPOSITORY in Actions, else the name of the
// project's git remote "origin" (so that a command run on a laptop finds
// the stacks the workflow deployed), else "" (the folder holding
// manage.py then names it).
func repositoryOf(env Env, dir string) string {
	if s := env.Getenv("GITHUB_REPOSITORY"); s != "" {
		return s
	}
	if env.GitRemote == nil {
		return ""
	}
	if dir == "" {
		dir = "."
	}
	return remoteRepository(env.GitRemote(dir))
}

// GitRemote is the URL of the git remote "origin" of the repository
// holding dir, "" when there is none (or no git).
func GitRemote(dir string) string {
	out, err := exec.Command("git", "-C", dir, "remote", "get-url", "origin").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// remoteRepository is "owner/name" of a git remote URL
// (https://github.com/owner/name.git, git@github.com:owner/name.git,
// ssh://git@host/owner/name), or "" when it has no such form.
func remoteRepository(url string) string {
	url = strings.TrimSuffix(strings.TrimRight(url, "/"), ".git")
	if i := strings.Index(url, "://"); i >= 0 {
		url = url[i+3:]
		if j := strings.Index(url, "/"); j >= 0 {
			url = url[j+1:]
		} else {
			return ""
		}
	} else if i := strings.Index(url, ":"); i >= 0 && !strings.HasPrefix(url, "/") {
		url = url[i+1:]
	} else {
		return "" // a local path: no repository name to trust
	}
	parts := strings.Split(url, "/")
	if len(parts) < 2 || parts[len(parts)-1] == "" {
		return ""
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
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
