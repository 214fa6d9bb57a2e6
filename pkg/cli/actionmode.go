package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/sethvargo/go-githubactions"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	gh "github.com/django-serverless/django-serverless-action/pkg/github"
)

// runAction is the GitHub Action: inputs from INPUT_*, the event from
// GITHUB_EVENT_PATH, outputs to GITHUB_OUTPUT, the full diff to the job
// summary and the sticky comment to the pull request.
//
// The log runs under guard (stop-commands): env.Stdout is its inert text,
// the action's own commands go through guard.Commands().
func runAction(ctx context.Context, env Env, guard *gh.LogGuard) error {
	a := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(guard.Commands()))
	in, err := gh.ReadInputs(a)
	if err != nil {
		return usageError{fmt.Errorf("action inputs: %w", err)}
	}
	for _, w := range in.Warnings {
		a.Warningf("%s", w)
	}
	ev, err := gh.ReadEvent(env.Getenv)
	if err != nil {
		return usageError{fmt.Errorf("workflow event: %w", err)}
	}
	workspace := env.Getenv("GITHUB_WORKSPACE")
	if workspace == "" {
		workspace = "."
	}
	projectDir, err := inWorkspace(workspace, "project-path", in.ProjectPath)
	if err != nil {
		return usageError{err}
	}
	build := action.BuildOptions{
		ProjectDir:  projectDir,
		Environment: in.Environment,
		StackName:   in.StackName,
		Repository:  env.Getenv("GITHUB_REPOSITORY"),
		Log:         env.Stdout,
		Deps:        newDeps(Env{Stderr: env.Stdout, Getenv: env.Getenv}, true),
	}
	if in.Config != "" {
		if build.ConfigFile, err = inWorkspace(workspace, "config", in.Config); err != nil {
			return usageError{err}
		}
	}

	if ev.IsPullRequest() && ev.Fork {
		// A fork's code is never planned or deployed, whatever credentials
		// the runner holds: a self-hosted runner's instance role, or a
		// pull_request_target workflow, would otherwise run it with the
		// base repository's rights. Say so and stop without failing.
		notice := gh.ForkNotice(ev, in.Command)
		a.Noticef("%s", notice)
		if serr := gh.WriteSummary(a, notice); serr != nil {
			a.Warningf("%v", serr)
		}
		return nil
	}

	var clients action.Clients
	err = gh.Group(a, "AWS credentials", func() error {
		var cerr error
		clients, cerr = newClients(ctx, in.Region)
		if cerr != nil {
			return cerr
		}
		build.Account, cerr = maskCaller(ctx, a, clients.STS)
		return cerr
	})
	if err != nil {
		return err
	}

	if in.Command == "manage" {
		return actionManage(ctx, a, clients, build, in)
	}

	stage := &stageGroups{a: a}
	build.Stage = stage.start
	sum, runErr := action.Run(ctx, clients, action.Options{
		Command:         in.Command,
		Build:           build,
		ArtifactsBucket: in.ArtifactsBucket,
		Timeout:         in.Timeout,
		ChangeSetID:     in.ChangeSetID,
		FailOnEmpty:     in.FailOnEmpty,
		Commit:          ev.Commit(),
		RunID:           runIDOf(env),
		PR:              ev.PR,
		Poll:            actionPoll,
		OnChangeSet:     func(arn string) { gh.Mask(a, gh.AccountID(arn)) },
		RoleARN:         in.RoleARN,
		Tags:            in.Tags,
		OnFailure:       in.OnFailure,

		NotificationARNs: in.NotificationARNs,
	})
	stage.end()

	annotate(a, workspace, sum, runErr)
	if sum != nil {
		gh.Mask(a, gh.AccountID(sum.ChangeSetID), gh.AccountID(sum.StackID), sum.Outputs["GraphQLApiKeyId"])
	}
	var commentURL string
	data := commentData(in.Command, ev, sum, runErr)
	if data.Stack != "" {
		c := &gh.Commenter{}
		var cerr error
		if in.GitHubToken != "" {
			c.Client, cerr = gh.NewClient(in.GitHubToken, env.Getenv("GITHUB_API_URL"))
		}
		if cerr != nil {
			a.Warningf("pull-request comment: %v", cerr)
		} else {
			// Publish logs the comment's URL itself.
			out, perr := gh.Publish(ctx, a, c, in, ev, data)
			if perr != nil {
				a.Warningf("pull-request comment: %v", perr)
			}
			commentURL = out.URL
		}
	}
	if sum != nil {
		o := outputsOf(sum)
		o.CommentURL = commentURL
		if path, perr := writePlanJSON(env, sum); perr != nil {
			a.Warningf("plan-json: %v", perr)
		} else {
			o.PlanJSON = path
		}
		if oerr := gh.WriteOutputs(a, o); oerr != nil {
			runErr = errors.Join(runErr, oerr)
		}
	}
	if errors.Is(runErr, action.ErrConfig) {
		return usageError{runErr}
	}
	return runErr
}

// inWorkspace resolves an input naming a path in the repository: relative
// to the workspace, or absolute inside it (as ${{ github.workspace }}/app
// gives), never leading out of it, symlinks included.
func inWorkspace(workspace, input, p string) (string, error) {
	ws, err := filepath.Abs(workspace)
	if err != nil {
		return "", err
	}
	full := p
	if !filepath.IsAbs(p) {
		full = filepath.Join(ws, p)
	}
	full = filepath.Clean(full)
	rel, err := filepath.Rel(ws, full)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("input %s: %q is outside the workspace %s", input, p, ws)
	}
	// A symlink in the repository must not lead out of it either.
	if real, err := filepath.EvalSymlinks(full); err == nil {
		realWS, werr := filepath.EvalSymlinks(ws)
		if werr != nil {
			realWS = ws
		}
		if r, err := filepath.Rel(realWS, real); err != nil || !filepath.IsLocal(r) && r != "." {
			return "", fmt.Errorf("input %s: %q leads out of the workspace %s (a symlink)", input, p, ws)
		}
	}
	return full, nil
}

// maskCaller asks STS who the credentials belong to, before any other AWS
// call, and masks the account ID and the caller's ARN in the rest of the
// log: an AccessDenied message naming the caller, an ARN in an event, a
// bucket named after the account all print as "***".
func maskCaller(ctx context.Context, a *githubactions.Action, who action.STS) (account string, err error) {
	if who == nil {
		return "", errors.New("check the AWS credentials: no STS client")
	}
	out, err := who.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("check the AWS credentials (sts:GetCallerIdentity): %w", err)
	}
	gh.Mask(a, aws.ToString(out.Account), aws.ToString(out.Arn))
	return aws.ToString(out.Account), nil
}

// actionPoll overrides the longest CloudFormation polling interval in
// Actions mode; zero keeps the default. Only tests set it (the
// CloudFormation fake's time advances per request, not by the clock).
var actionPoll time.Duration

// stageGroups folds each pipeline stage into its own ::group:: of the log.
type stageGroups struct {
	a    *githubactions.Action
	open bool
}

func (s *stageGroups) start(name string) {
	s.end()
	s.a.Group(name)
	s.open = true
}

func (s *stageGroups) end() {
	if s.open {
		s.a.EndGroup()
		s.open = false
	}
}

// annotate turns the diagnostics of the run (and of a configuration error)
// into annotations on the files and lines they name.
func annotate(a *githubactions.Action, workspace string, sum *action.Summary, runErr error) {
	var list diag.List
	root := ""
	if sum != nil && sum.Build != nil && sum.Build.Project != nil {
		list = append(list, sum.Build.Diagnostics...)
		if rel, err := filepath.Rel(workspace, sum.Build.Project.Root); err == nil {
			root = filepath.ToSlash(rel)
		}
	}
	var dl diag.List
	if errors.As(runErr, &dl) {
		list = append(list, dl...)
	} else if runErr != nil {
		a.Errorf("%v", runErr)
	}
	gh.Annotate(a, root, workspaceRelative(workspace, list))
}

// workspaceRelative rewrites absolute file names inside the workspace (the
// configuration file is read by its absolute path) relative to it:
// annotations only land on files named relative to the repository root.
func workspaceRelative(workspace string, list diag.List) diag.List {
	ws, err := filepath.Abs(workspace)
	if err != nil {
		return list
	}
	out := make(diag.List, len(list))
	for i, d := range list {
		if filepath.IsAbs(d.File) {
			if rel, err := filepath.Rel(ws, d.File); err == nil && filepath.IsLocal(rel) {
				d.File = filepath.ToSlash(rel)
			}
		}
		out[i] = d
	}
	return out
}

func outputsOf(sum *action.Summary) gh.Outputs {
	site, static := environmentURLs(sum)
	o := gh.Outputs{
		StackName:       sum.Stack,
		SiteURL:         site,
		StaticURL:       static,
		APIURL:          sum.Outputs["ApiUrl"],
		GraphQLURL:      sum.Outputs["GraphQLUrl"],
		ChangeSetID:     sum.ChangeSetID,
		HasChanges:      sum.HasChanges,
		ChangesCount:    sum.Changes.Count(),
		StackID:         sum.StackID,
		StackStatus:     sum.Status,
		StackOutputs:    sum.Outputs,
		ArtifactsBucket: sum.Bucket,
		Removals:        sum.Changes.Remove,
		Replacements:    sum.Changes.Replace,
	}
	if sum.Model != nil {
		o.ChangeSetName = sum.Model.ChangeSetName
	}
	return o
}

// environmentURLs are the environment's front door and STATIC_URL: the
// stack's outputs once deployed, else what the plan knows before (a
// domain's URLs; a plan's change set has no outputs).
func environmentURLs(sum *action.Summary) (site, static string) {
	site, static = sum.Outputs["SiteUrl"], sum.Outputs["StaticUrl"]
	if b := sum.Build; b != nil && b.Plan != nil {
		if site == "" {
			site = b.Plan.SiteURL()
		}
		if static == "" && b.Plan.CloudFront() {
			static = b.Plan.Static.URL
		}
	}
	if site == "" {
		site = sum.Outputs["ApiUrl"]
	}
	return site, static
}

// writePlanJSON writes the machine-readable plan (the --json summary and
// the change set of every level) to RUNNER_TEMP/django-serverless/
// <stack>.plan.json (the system's temporary folder outside a runner) and
// returns its path: later steps of the job read it there.
func writePlanJSON(env Env, sum *action.Summary) (string, error) {
	dir := env.Getenv("RUNNER_TEMP")
	if dir == "" {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "django-serverless")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(action.Plan{Summary: sum, ChangeSet: sum.Model}, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, sum.Stack+".plan.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// commentData is what the PR comment and the job summary show.
func commentData(command string, ev gh.Event, sum *action.Summary, runErr error) gh.CommentData {
	d := gh.CommentData{Commit: ev.Commit(), PR: ev.PR, RunURL: ev.RunURL}
	if sum == nil {
		return d
	}
	d.Environment, d.Stack, d.Region = sum.Environment, sum.Stack, sum.Region
	d.ChangeSet = sum.Model
	d.Status, d.Duration = sum.Status, sum.Duration
	d.APIURL, d.GraphQLURL = sum.Outputs["ApiUrl"], sum.Outputs["GraphQLUrl"]
	if command != "destroy" {
		d.SiteURL, d.StaticURL = environmentURLs(sum)
		art := gh.Artifacts(sum.Artifacts)
		d.Artifacts = &art
		if sum.Static != nil {
			st := gh.Artifacts(*sum.Static)
			d.Static = &st
		}
	}
	d.Routes = changedRoutes(sum)
	if sum.Build != nil && sum.Build.Project != nil {
		for _, a := range sum.Build.Project.Alerts {
			d.Warnings = append(d.Warnings, a.String())
		}
	}
	d.Migrations = commentMigrations(sum)
	switch {
	case runErr != nil:
		d.Mode = gh.ModeFailed
		d.RootCause = sum.RootCause
		if d.RootCause == "" {
			d.RootCause = runErr.Error()
		}
	case command == "destroy":
		d.Mode = gh.ModeDestroy
	case !sum.HasChanges:
		d.Mode = gh.ModeNoChanges
	case command == "deploy":
		d.Mode = gh.ModeDeploy
	default:
		d.Mode = gh.ModePlan
	}
	return d
}

// changedRoutes lists the routes whose function the change set adds
// ("new") or modifies ("changed").
func changedRoutes(sum *action.Summary) []gh.RouteLine {
	if sum.Model == nil || sum.Build == nil || sum.Build.Plan == nil {
		return nil
	}
	change := map[string]string{}
	for _, st := range sum.Model.Stacks {
		for _, c := range st.Changes {
			switch c.Action {
			case "Add":
				change[c.LogicalID] = "new"
			case "Modify":
				if _, ok := change[c.LogicalID]; !ok {
					change[c.LogicalID] = "changed"
				}
			}
		}
	}
	var out []gh.RouteLine
	for _, r := range sum.Build.Plan.Routes {
		ch, ok := change[r.Function+"Function"]
		if !ok {
			continue
		}
		out = append(out, gh.RouteLine{Route: r.Route.Route, Name: r.Route.Name, APIPath: r.APIPath,
			Methods: r.Route.Methods, Function: r.Function, Change: ch})
	}
	return out
}
