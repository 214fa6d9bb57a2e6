package github

import (
	"context"
	"errors"

	"github.com/sethvargo/go-githubactions"
)

// Skipped is the Outcome action when no comment was written: the inputs or
// the event did not ask for one, or GitHub refused it (see Publish).
const Skipped = "skipped"

// Publish writes the report: the full version to the job summary, and,
// when the inputs and the event call for it (Inputs.ShouldComment), the
// sticky comment on the pull request. A comment GitHub refuses with 403 or
// 404 (forks, a token without pull-requests: write) becomes a warning
// annotation and no error: the job summary holds the report. Other
// failures are returned; the summary is written whatever happens to the
// comment. With comment: changes-only a report without changes posts no
// comment, but updates the stack's comment if there is one (so a plan
// shown earlier does not stay as if it still held).
func Publish(ctx context.Context, a *githubactions.Action, c *Commenter, in Inputs, ev Event, d CommentData) (Outcome, error) {
	summaryErr := WriteSummary(a, Summary(d))
	if !in.ShouldComment(ev) {
		return Outcome{Action: Skipped}, summaryErr
	}
	if c == nil || c.Client == nil {
		return Outcome{Action: Skipped}, errors.Join(summaryErr, errors.New("comment: no GitHub client (github-token empty?)"))
	}
	upsert := c.Upsert
	if in.Comment == CommentChangesOnly && d.Mode == ModeNoChanges {
		// No changes: no new comment; one posted before now says so
		// rather than show a plan that no longer holds.
		upsert = c.UpdateExisting
	}
	out, err := upsert(ctx, ev.Owner, ev.Repo, ev.PR, d.Stack, Comment(d))
	switch {
	case errors.Is(err, ErrNoPermission):
		a.Warningf("could not comment on pull request #%d: %v. The report is in the job summary; to get the comment, give the workflow `permissions: pull-requests: write`.", ev.PR, err)
		return Outcome{Action: Skipped}, summaryErr
	case err != nil:
		return Outcome{}, errors.Join(summaryErr, err)
	}
	if out.Action == Skipped {
		a.Infof("no changes and comment is changes-only: no comment")
		return out, summaryErr
	}
	if out.Warning != "" {
		a.Warningf("pull-request comment: %s", out.Warning)
	}
	a.Infof("comment %s: %s", out.Action, out.URL)
	return out, summaryErr
}
