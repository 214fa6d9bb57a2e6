package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	gh "github.com/google/go-github/v75/github"
	"github.com/sethvargo/go-githubactions"
)

// Event is what the action needs from the workflow run that started it.
type Event struct {
	Name   string // GITHUB_EVENT_NAME: pull_request, push, ...
	Action string // opened, synchronize, reopened, closed, ... ("" for push)
	Owner  string
	Repo   string
	// SHA is GITHUB_SHA: for pull requests the test merge commit.
	SHA string
	// HeadSHA is the commit under review: the pull request's head, or the
	// pushed commit. Use it in comments and tags.
	HeadSHA string
	RunID   int64
	// RunAttempt is GITHUB_RUN_ATTEMPT (1 for the first attempt).
	RunAttempt int64
	// RunURL is the workflow run's page: SERVER/OWNER/REPO/actions/runs/ID.
	RunURL string

	PR     int  // pull request number, 0 for other events
	Merged bool // a closed pull request that was merged
	// Fork is true when the head repository differs from the base (or was
	// deleted): such a pull request is never planned or deployed.
	Fork bool
	// HeadRepo is the head repository's OWNER/REPO ("" when deleted).
	HeadRepo string
	HeadRef  string // pull request head branch
	BaseRef  string // pull request base branch

	Ref           string // push: refs/heads/main
	DefaultBranch string
	// DefaultBranchPush is a push to the repository's default branch.
	DefaultBranchPush bool
	// Deleted is a push that deleted the branch.
	Deleted bool
}

// IsPullRequest reports whether the event is about a pull request
// (pull_request or pull_request_target).
func (e Event) IsPullRequest() bool { return e.PR > 0 }

// Commit is the commit to report: HeadSHA, else SHA.
func (e Event) Commit() string {
	if e.HeadSHA != "" {
		return e.HeadSHA
	}
	return e.SHA
}

// ReadEvent reads the event from the runner's environment through
// go-githubactions' Context (GITHUB_EVENT_NAME, GITHUB_SHA, GITHUB_RUN_ID,
// GITHUB_RUN_ATTEMPT, GITHUB_REPOSITORY, GITHUB_SERVER_URL and the payload
// at GITHUB_EVENT_PATH), and the payload into go-github's event types
// (PullRequestEvent for pull_request and pull_request_target, PushEvent
// for push). Every problem is reported (errors.Join).
func ReadEvent(getenv func(string) string) (Event, error) {
	var errs []error
	a := githubactions.New(githubactions.WithGetenv(getenv))
	ctx, cerr := a.Context()
	if ctx == nil {
		// The payload could not be read or is not JSON.
		ctx, _ = githubactions.New(githubactions.WithGetenv(func(k string) string {
			if k == "GITHUB_EVENT_PATH" {
				return ""
			}
			return getenv(k)
		})).Context()
		errs = append(errs, fmt.Errorf("event payload %s: %w", getenv("GITHUB_EVENT_PATH"), cerr))
	}
	e := Event{Name: ctx.EventName, SHA: ctx.SHA, RunID: ctx.RunID, RunAttempt: ctx.RunAttempt}
	if repo := ctx.Repository; repo != "" {
		owner, name, ok := strings.Cut(repo, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY %q is not OWNER/REPO", repo))
		}
		e.Owner, e.Repo = owner, name
	}
	// Context leaves a number it cannot parse at 0 (its error names only
	// strconv's complaint): say which variable.
	for _, v := range []struct {
		name string
		got  int64
	}{{"GITHUB_RUN_ID", e.RunID}, {"GITHUB_RUN_ATTEMPT", e.RunAttempt}} {
		if s := getenv(v.name); s != "" && (v.got <= 0 && s != "0") {
			errs = append(errs, fmt.Errorf("%s %q is not a number", v.name, s))
		}
	}

	switch p := ctx.EventPath; {
	case p != "" && ctx.Event != nil:
		raw, err := os.ReadFile(p)
		if err == nil {
			err = e.parse(raw, ctx.Event)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("event payload %s: %w", p, err))
		}
	case p != "" && ctx.Event == nil && len(errs) == 0:
		errs = append(errs, fmt.Errorf("read event payload %s: it does not exist", p))
	case p == "" && e.Name != "":
		errs = append(errs, fmt.Errorf("GITHUB_EVENT_PATH is not set for event %s", e.Name))
	}

	if e.RunID > 0 && e.Owner != "" && e.Repo != "" {
		server := strings.TrimSuffix(ctx.ServerURL, "/")
		e.RunURL = fmt.Sprintf("%s/%s/%s/actions/runs/%d", server, e.Owner, e.Repo, e.RunID)
		if e.RunAttempt > 1 {
			e.RunURL += fmt.Sprintf("/attempts/%d", e.RunAttempt)
		}
	}
	return e, errors.Join(errs...)
}

// parse reads the payload into go-github's event type for the event's
// name (or, without a name, for the shape of the payload: a pull_request
// key, or a push's refs/ ref).
func (e *Event) parse(raw []byte, generic map[string]any) error {
	_, hasPR := generic["pull_request"]
	ref, _ := generic["ref"].(string)
	switch {
	case hasPR && (e.Name == "" || strings.HasPrefix(e.Name, "pull_request")):
		var ev gh.PullRequestEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		return e.pullRequest(&ev)
	case e.Name == "push" || (e.Name == "" && strings.HasPrefix(ref, "refs/")):
		var ev gh.PushEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		e.push(&ev)
		return nil
	}
	var other struct {
		Action     *string        `json:"action"`
		Repository *gh.Repository `json:"repository"`
	}
	if err := json.Unmarshal(raw, &other); err != nil {
		return err
	}
	if other.Action != nil {
		e.Action = *other.Action
	}
	e.repository(other.Repository)
	return nil
}

func (e *Event) repository(r *gh.Repository) {
	if r == nil {
		return
	}
	e.DefaultBranch = r.GetDefaultBranch()
	if e.Owner == "" {
		e.Owner, e.Repo, _ = strings.Cut(r.GetFullName(), "/")
	}
}

func (e *Event) pullRequest(ev *gh.PullRequestEvent) error {
	e.Action = ev.GetAction()
	e.repository(ev.GetRepo())
	pr := ev.GetPullRequest()
	e.PR = ev.GetNumber()
	if e.PR == 0 {
		e.PR = pr.GetNumber()
	}
	if e.PR <= 0 {
		return errors.New("pull request event without a number")
	}
	e.Merged = pr.GetMerged()
	head, base := pr.GetHead(), pr.GetBase()
	e.HeadSHA = head.GetSHA()
	e.HeadRef, e.BaseRef = head.GetRef(), base.GetRef()
	hr, br := head.GetRepo(), base.GetRepo()
	e.HeadRepo = hr.GetFullName()
	// A deleted fork has head.repo null: still not this repository. The
	// repositories' IDs decide when both are given (a rename keeps the
	// ID); their names otherwise.
	e.Fork = hr == nil || br == nil || !strings.EqualFold(hr.GetFullName(), br.GetFullName()) ||
		(hr.GetID() != 0 && br.GetID() != 0 && hr.GetID() != br.GetID())
	return nil
}

func (e *Event) push(ev *gh.PushEvent) {
	if r := ev.GetRepo(); r != nil {
		e.DefaultBranch = r.GetDefaultBranch()
		if e.Owner == "" {
			e.Owner, e.Repo, _ = strings.Cut(r.GetFullName(), "/")
		}
	}
	e.Ref = ev.GetRef()
	e.Deleted = ev.GetDeleted()
	if after := ev.GetAfter(); !e.Deleted && after != "" && strings.Trim(after, "0") != "" {
		e.HeadSHA = after
	}
	e.DefaultBranchPush = e.DefaultBranch != "" && e.Ref == "refs/heads/"+e.DefaultBranch && !e.Deleted
}

// ForkNotice is the job-summary notice for a pull request from a fork,
// where the action does nothing and succeeds.
func ForkNotice(e Event, command string) string {
	from := "a fork"
	if e.HeadRepo != "" {
		from = "the fork " + Escape(e.HeadRepo)
	}
	return fmt.Sprintf("### ℹ️ django-serverless: %s skipped for pull request #%d\n\n"+
		"This pull request comes from %s. django-serverless never plans or deploys a fork's code, whatever credentials the runner holds "+
		"(it would run with this repository's AWS rights), so nothing was planned, deployed or commented, "+
		"and this step succeeds. To get a plan, a maintainer can review the change and push the branch to this repository.\n",
		Escape(command), e.PR, from)
}
