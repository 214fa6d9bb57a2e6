package github

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/ghfake"
)

func TestPublish(t *testing.T) {
	ctx := context.Background()
	ev := Event{Name: "pull_request", Owner: owner, Repo: repo, PR: prNum}
	in := Inputs{Comment: CommentAuto}
	d := risky()

	setup := func(t *testing.T) (*ghfake.Server, *Commenter, string, map[string]string) {
		fake := ghfake.New(t)
		summary := filepath.Join(t.TempDir(), "summary.md")
		return fake, newCommenter(t, fake, ""), summary, map[string]string{"GITHUB_STEP_SUMMARY": summary}
	}

	t.Run("comment and summary", func(t *testing.T) {
		fake, c, summary, env := setup(t)
		a, log := newAction(env)
		out, err := Publish(ctx, a, c, in, ev, d)
		if err != nil || out.Action != Created {
			t.Fatalf("%+v %v", out, err)
		}
		if got := fake.Comments(owner, repo, prNum); len(got) != 1 || got[0].Body != Comment(d) {
			t.Fatalf("comments: %+v", got)
		}
		raw, _ := os.ReadFile(summary)
		if !strings.HasPrefix(string(raw), Summary(d)) {
			t.Fatalf("summary file: %q", raw)
		}
		if !strings.Contains(log.String(), "comment created: https://github.com/") {
			t.Errorf("log: %s", log)
		}
	})

	t.Run("403 falls back to the summary with a warning", func(t *testing.T) {
		fake, c, summary, env := setup(t)
		fake.Fail(ghfake.Fault{Method: http.MethodPost, Status: http.StatusForbidden})
		a, log := newAction(env)
		out, err := Publish(ctx, a, c, in, ev, d)
		if err != nil || out.Action != Skipped {
			t.Fatalf("%+v %v", out, err)
		}
		if !strings.HasPrefix(log.String(), "::warning::could not comment on pull request #2") {
			t.Errorf("no warning annotation: %q", log)
		}
		if raw, _ := os.ReadFile(summary); !strings.Contains(string(raw), "**Function Orders** will be removed") {
			t.Errorf("summary lacks the report")
		}
	})

	t.Run("server error is returned, summary still written", func(t *testing.T) {
		fake, c, summary, env := setup(t)
		fake.Fail(ghfake.Fault{Method: http.MethodGet, Status: http.StatusInternalServerError})
		a, _ := newAction(env)
		if _, err := Publish(ctx, a, c, in, ev, d); err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("got %v", err)
		}
		if raw, _ := os.ReadFile(summary); len(raw) == 0 {
			t.Errorf("summary not written")
		}
	})

	t.Run("push event: no comment", func(t *testing.T) {
		fake, c, _, env := setup(t)
		a, _ := newAction(env)
		out, err := Publish(ctx, a, c, in, Event{Name: "push", Owner: owner, Repo: repo}, d)
		if err != nil || out.Action != Skipped || len(fake.Requests()) != 0 {
			t.Fatalf("%+v %v, %d requests", out, err, len(fake.Requests()))
		}
	})
}
