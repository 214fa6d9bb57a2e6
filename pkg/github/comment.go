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
	// Warning, when set, is a problem the caller should show: the comment
	// was written as an account the action cannot recognise as its own on
	// the next run (see Commenter.self).
	Warning string
}

// Commenter keeps one comment per stack on a pull request. Only comments
// written by the token's own identity count as the stack's comment (see
// self): anyone who may comment on the pull request can post the marker.
type Commenter struct {
	Client *gh.Client

	// me is the token's identity, looked up once (self).
	me *identity
}

// identity is who the token writes comments as.
type identity struct {
	login string
	id    int64 // 0: match by login and type instead
	bot   bool  // a GitHub App's bot account (user type "Bot")
}

// actionsBot is the account GITHUB_TOKEN writes as: GitHub Actions' GitHub
// App acts through its bot user, whose login carries the "[bot]" suffix.
const actionsBot = "github-actions[bot]"

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
// comment written by the token's identity whose first line is
// Marker(stack) across every page of comments (someone else's comment
// carrying the marker is ignored),
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
		return Outcome{}, classify(fmt.Sprintf("find the comment of stack %s on %s", stack, where), err)
	}
	if existing == nil {
		made, _, err := c.Client.Issues.CreateComment(ctx, owner, repo, pr, &gh.IssueComment{Body: gh.Ptr(body)})
		if err != nil {
			return Outcome{}, classify(fmt.Sprintf("create comment for stack %s on %s", stack, where), err)
		}
		out := Outcome{Action: Created, ID: made.GetID(), URL: made.GetHTMLURL()}
		if c.me != nil && !c.me.wrote(made) {
			// Known only when a comment carried the marker: a second
			// run with another GitHub App's installation token.
			out.Warning = fmt.Sprintf("the comment was written as %s, which the action cannot recognise as its own on the next run: GitHub does not tell an installation token of a GitHub App other than GitHub Actions which account it is, and only github-actions[bot]'s comments are taken for the action's own, so each run adds a comment. Give `github-token` the workflow's GITHUB_TOKEN or a personal access token.", made.GetUser().GetLogin())
		}
		return out, nil
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
		return Outcome{}, classify(fmt.Sprintf("find the comment of stack %s on %s/%s#%d", stack, owner, repo, pr), err)
	}
	if existing == nil {
		return Outcome{Action: Skipped}, nil
	}
	return c.Upsert(ctx, owner, repo, pr, stack, body)
}

// self returns the identity the token writes comments as, asking GitHub
// once per Commenter.
//
// GET /user ("Get the authenticated user") answers for the tokens that act
// as a user: personal access tokens (classic and fine-grained), OAuth
// tokens, a GitHub App's user access tokens. Its comments are the user's,
// matched by the account id (stable across login renames).
//
// GitHub does not accept installation access tokens on GET /user: it
// answers 403 "Resource not accessible by integration". GITHUB_TOKEN, this
// action's default token, is one ("When you enable GitHub Actions, GitHub
// installs a GitHub App on your repository. The GITHUB_TOKEN secret is a
// GitHub App installation access token", docs.github.com, "Automatic token
// authentication"), and comments made with it are written by that app's
// bot account, github-actions[bot] (user type "Bot"; GitHub also names the
// "github-actions" app in the comment's performed_via_github_app, which
// adds nothing the login does not say). Its id differs
// between github.com and GitHub Enterprise Server, so it is matched by
// login and type: no person can hold that login ("[" and "]" are not
// allowed in account names) and a user account's type is "User". A token
// of another GitHub App cannot learn its own bot's login without the
// app's private key (GET /app takes a JWT), so with one the action only
// recognises github-actions[bot]'s comments: it posts a new comment rather
// than ever taking someone else's for its own.
func (c *Commenter) self(ctx context.Context) (*identity, error) {
	if c.me != nil {
		return c.me, nil
	}
	u, _, err := c.Client.Users.Get(ctx, "")
	var er *gh.ErrorResponse
	var rl *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	switch {
	case err == nil && u.GetLogin() != "":
		c.me = &identity{login: u.GetLogin(), id: u.GetID(), bot: u.GetType() == "Bot"}
	case err == nil:
		return nil, errors.New("get the authenticated user: GitHub returned no login")
	case errors.As(err, &rl) || errors.As(err, &abuse):
		return nil, fmt.Errorf("get the authenticated user: %w", err)
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden:
		// An installation access token (GITHUB_TOKEN).
		c.me = &identity{login: actionsBot, bot: true}
	default:
		return nil, fmt.Errorf("get the authenticated user: %w", err)
	}
	return c.me, nil
}

// wrote reports whether the comment was written by me.
func (me *identity) wrote(ic *gh.IssueComment) bool {
	u := ic.GetUser()
	if u == nil {
		return false
	}
	if me.id != 0 {
		return u.GetID() == me.id
	}
	return strings.EqualFold(u.GetLogin(), me.login) && (u.GetType() == "Bot") == me.bot
}

// find returns the oldest comment the token's identity wrote carrying
// marker, reading every page. Comments by anyone else are skipped whatever
// they hold: they are never edited nor read for state.
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
			if !hasMarker(ic.GetBody(), marker) {
				continue
			}
			// Who we are is only asked once a comment carries the
			// marker: a first run creates the comment without asking.
			me, err := c.self(ctx)
			if err != nil {
				return nil, err
			}
			if me.wrote(ic) {
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
