package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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

// payload is the part of the webhook payload read here.
type payload struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	Ref         string `json:"ref"`
	After       string `json:"after"`
	Deleted     bool   `json:"deleted"`
	PullRequest *struct {
		Number int  `json:"number"`
		Merged bool `json:"merged"`
		Head   side `json:"head"`
		Base   side `json:"base"`
	} `json:"pull_request"`
	Repository *struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
}

type side struct {
	Ref  string `json:"ref"`
	SHA  string `json:"sha"`
	Repo *struct {
		ID       int64  `json:"id"`
		FullName string `json:"full_name"`
	} `json:"repo"`
}

// ReadEvent reads the event from the runner's environment: GITHUB_EVENT_NAME,
// GITHUB_EVENT_PATH (the webhook payload), GITHUB_SHA, GITHUB_RUN_ID,
// GITHUB_RUN_ATTEMPT, GITHUB_REPOSITORY and GITHUB_SERVER_URL. Every
// problem is reported (errors.Join).
func ReadEvent(getenv func(string) string) (Event, error) {
	e := Event{Name: getenv("GITHUB_EVENT_NAME"), SHA: getenv("GITHUB_SHA")}
	var errs []error
	if repo := getenv("GITHUB_REPOSITORY"); repo != "" {
		owner, name, ok := strings.Cut(repo, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY %q is not OWNER/REPO", repo))
		}
		e.Owner, e.Repo = owner, name
	}
	for _, v := range []struct {
		name string
		dst  *int64
	}{{"GITHUB_RUN_ID", &e.RunID}, {"GITHUB_RUN_ATTEMPT", &e.RunAttempt}} {
		if s := getenv(v.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Errorf("%s %q is not a number", v.name, s))
			}
			*v.dst = n
		}
	}

	if p := getenv("GITHUB_EVENT_PATH"); p != "" {
		raw, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("read event payload: %w", err))
		} else if err := e.parse(raw); err != nil {
			errs = append(errs, fmt.Errorf("event payload %s: %w", p, err))
		}
	} else if e.Name != "" {
		errs = append(errs, fmt.Errorf("GITHUB_EVENT_PATH is not set for event %s", e.Name))
	}

	if e.RunID > 0 && e.Owner != "" && e.Repo != "" {
		server := strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/")
		if server == "" {
			server = "https://github.com"
		}
		e.RunURL = fmt.Sprintf("%s/%s/%s/actions/runs/%d", server, e.Owner, e.Repo, e.RunID)
		if e.RunAttempt > 1 {
			e.RunURL += fmt.Sprintf("/attempts/%d", e.RunAttempt)
		}
	}
	return e, errors.Join(errs...)
}

func (e *Event) parse(raw []byte) error {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	e.Action = p.Action
	if p.Repository != nil {
		e.DefaultBranch = p.Repository.DefaultBranch
		if e.Owner == "" {
			e.Owner, e.Repo, _ = strings.Cut(p.Repository.FullName, "/")
		}
	}
	switch {
	case p.PullRequest != nil && (e.Name == "" || strings.HasPrefix(e.Name, "pull_request")):
		pr := p.PullRequest
		e.PR = p.Number
		if e.PR == 0 {
			e.PR = pr.Number
		}
		if e.PR <= 0 {
			return errors.New("pull request event without a number")
		}
		e.Merged = pr.Merged
		e.HeadSHA = pr.Head.SHA
		e.HeadRef, e.BaseRef = pr.Head.Ref, pr.Base.Ref
		if pr.Head.Repo != nil {
			e.HeadRepo = pr.Head.Repo.FullName
		}
		// A deleted fork has head.repo null: still not this repository.
		// The repositories' IDs decide when both are given (a rename
		// keeps the ID); their names otherwise.
		head, base := pr.Head.Repo, pr.Base.Repo
		e.Fork = head == nil || base == nil || !strings.EqualFold(head.FullName, base.FullName) ||
			(head.ID != 0 && base.ID != 0 && head.ID != base.ID)
	case e.Name == "push" || (e.Name == "" && strings.HasPrefix(p.Ref, "refs/")):
		e.Ref = p.Ref
		e.Deleted = p.Deleted
		if !p.Deleted && p.After != "" && strings.Trim(p.After, "0") != "" {
			e.HeadSHA = p.After
		}
		e.DefaultBranchPush = e.DefaultBranch != "" && p.Ref == "refs/heads/"+e.DefaultBranch && !p.Deleted
	}
	return nil
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
