// Package github is the action's side of GitHub: the sticky pull-request
// comment holding the change-set diff (Commenter, Comment), the job summary
// (Summary), and the Actions runtime: inputs, outputs, masks, annotations,
// groups (ReadInputs, WriteOutputs, ...) and the triggering event
// (ReadEvent).
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v75/github"
)

// ErrNoPermission is matched (errors.Is) when GitHub refuses to list, create
// or edit the comment with 403 or 404: a read-only token (pull requests from
// forks), a token without `pull-requests: write`, or no access to the
// repository. The caller then writes the comment to the job summary and
// warns.
var ErrNoPermission = errors.New("the token may not comment on this pull request")

// Outcome actions.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Outcome says what Upsert did and where the comment is.
type Outcome struct {
	Action string // Created | Updated | Unchanged
	ID     int64
	URL    string // html_url
}

// Commenter keeps one comment per stack on a pull request.
type Commenter struct {
	Client *gh.Client
}

// requestTimeout bounds one API request (the caller's context bounds all).
const requestTimeout = 30 * time.Second

// perPage is the page size used to list comments (GitHub's maximum).
const perPage = 100

// NewClient returns a go-github client authenticated with token and talking
// to apiURL (GITHUB_API_URL: https://api.github.com, https://HOST/api/v3 on
// GitHub Enterprise Server, a test server...). apiURL is used as given
// (unlike go-github's WithEnterpriseURLs, which appends /api/v3/); "" means
// https://api.github.com/.
func NewClient(token, apiURL string) (*gh.Client, error) {
	c := gh.NewClient(&http.Client{Timeout: requestTimeout})
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if apiURL == "" {
		return c, nil
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, fmt.Errorf("github api url %q: %w", apiURL, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("github api url %q: want an http(s) URL such as https://api.github.com", apiURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c.BaseURL = u
	return c, nil
}

// Marker is the hidden first line that identifies the comment of a stack.
func Marker(stack string) string {
	return "<!-- django-serverless:stack=" + stack + " -->"
}

// validStack reports whether a stack name can sit inside the marker: a
// CloudFormation stack name ([A-Za-z][-A-Za-z0-9]*), which cannot end the
// HTML comment early.
func validStack(s string) bool {
	if s == "" || len(s) > 128 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// hasMarker reports whether body's first line is the stack's marker.
func hasMarker(body, marker string) bool {
	first, _, _ := strings.Cut(body, "\n")
	return strings.TrimRight(first, "\r ") == marker
}

// normalize makes bodies comparable: GitHub may store CRLF line ends.
func normalize(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}

// Upsert makes body the stack's comment on pull request pr: it looks for a
// comment whose first line is Marker(stack) across every page of comments,
// edits it in place when the body differs, leaves it alone when it is the
// same, and creates it otherwise. body gets the marker as its first line
// when it does not start with it already. When several comments carry the
// marker (a race between two runs), the oldest is kept up to date.
func (c *Commenter) Upsert(ctx context.Context, owner, repo string, pr int, stack, body string) (Outcome, error) {
	if c == nil || c.Client == nil {
		return Outcome{}, errors.New("comment: no GitHub client")
	}
	if !validStack(stack) {
		return Outcome{}, fmt.Errorf("comment on %s/%s#%d: stack name %q is not a CloudFormation stack name", owner, repo, pr, stack)
	}
	if pr <= 0 {
		return Outcome{}, fmt.Errorf("comment for stack %s on %s/%s: no pull request number", stack, owner, repo)
	}
	marker := Marker(stack)
	if !hasMarker(body, marker) {
		body = marker + "\n" + body
	}
	where := fmt.Sprintf("%s/%s#%d", owner, repo, pr)

	existing, err := c.find(ctx, owner, repo, pr, marker)
	if err != nil {
		return Outcome{}, classify(fmt.Sprintf("list comments on %s", where), err)
	}
	if existing == nil {
		made, _, err := c.Client.Issues.CreateComment(ctx, owner, repo, pr, &gh.IssueComment{Body: gh.Ptr(body)})
		if err != nil {
			return Outcome{}, classify(fmt.Sprintf("create comment for stack %s on %s", stack, where), err)
		}
		return Outcome{Action: Created, ID: made.GetID(), URL: made.GetHTMLURL()}, nil
	}
	if normalize(existing.GetBody()) == normalize(body) {
		return Outcome{Action: Unchanged, ID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
	}
	edited, _, err := c.Client.Issues.EditComment(ctx, owner, repo, existing.GetID(), &gh.IssueComment{Body: gh.Ptr(body)})
	if err != nil {
		return Outcome{}, classify(fmt.Sprintf("update comment %d for stack %s on %s", existing.GetID(), stack, where), err)
	}
	return Outcome{Action: Updated, ID: edited.GetID(), URL: edited.GetHTMLURL()}, nil
}

// UpdateExisting makes body the stack's comment only when the pull request
// already has one (Upsert's rules); without one it writes nothing and
// returns Skipped. The changes-only comment mode uses it to replace a
// stale plan with "no changes".
func (c *Commenter) UpdateExisting(ctx context.Context, owner, repo string, pr int, stack, body string) (Outcome, error) {
	if c == nil || c.Client == nil {
		return Outcome{}, errors.New("comment: no GitHub client")
	}
	if !validStack(stack) || pr <= 0 {
		return Outcome{}, fmt.Errorf("comment for stack %q on %s/%s#%d: no valid stack or pull request", stack, owner, repo, pr)
	}
	marker := Marker(stack)
	existing, err := c.find(ctx, owner, repo, pr, marker)
	if err != nil {
		return Outcome{}, classify(fmt.Sprintf("list comments on %s/%s#%d", owner, repo, pr), err)
	}
	if existing == nil {
		return Outcome{Action: Skipped}, nil
	}
	return c.Upsert(ctx, owner, repo, pr, stack, body)
}

// find returns the oldest comment carrying marker, reading every page.
func (c *Commenter) find(ctx context.Context, owner, repo string, pr int, marker string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	for pages := 0; ; pages++ {
		if pages > 10000 { // 1,000,000 comments: a server that never ends paging
			return nil, errors.New("more than 10000 pages of comments")
		}
		list, resp, err := c.Client.Issues.ListComments(ctx, owner, repo, pr, opts)
		if err != nil {
			return nil, err
		}
		for _, ic := range list {
			if hasMarker(ic.GetBody(), marker) {
				return ic, nil
			}
		}
		if resp == nil || resp.NextPage == 0 || resp.NextPage == opts.Page {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// classify wraps err, adding ErrNoPermission for 403 and 404 answers
// (rate-limit 403s are not permission problems and stay as they are).
func classify(what string, err error) error {
	var rl *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &abuse) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusForbidden, http.StatusNotFound:
			return fmt.Errorf("%s: %w: %w", what, ErrNoPermission, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
