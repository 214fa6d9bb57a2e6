package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/ghfake"
)

const (
	owner = "Codertocat"
	repo  = "Hello-World"
	prNum = 2
)

func newCommenter(t *testing.T, fake *ghfake.Server, token string) *Commenter {
	t.Helper()
	c, err := NewClient(token, fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &Commenter{Client: c}
}

func commentsPath(pr int) string {
	return fmt.Sprintf("/repos/%s/%s/issues/%d/comments", owner, repo, pr)
}

func editPath(id int64) string {
	return fmt.Sprintf("/repos/%s/%s/issues/comments/%d", owner, repo, id)
}

// markerComments returns the comments carrying the stack's marker first.
func markerComments(fake *ghfake.Server, stack string) []ghfake.Comment {
	var out []ghfake.Comment
	for _, c := range fake.Comments(owner, repo, prNum) {
		if strings.HasPrefix(c.Body, Marker(stack)+"\n") {
			out = append(out, c)
		}
	}
	return out
}

func TestUpsertCreateUpdateNoDuplicateAcrossPages(t *testing.T) {
	ctx := context.Background()
	fake := ghfake.New(t)
	fake.Token = "ghs_test"
	c := newCommenter(t, fake, "ghs_test")

	// 250 comments before ours: our comment lands on the third page.
	others := make([]string, 250)
	for i := range others {
		others[i] = fmt.Sprintf("comment %d by a reviewer", i)
	}
	fake.AddComments(owner, repo, prNum, "octocat", others...)
	// Look-alikes that must not be taken for ours: another stack's marker,
	// and our marker quoted in a reply (not on the first line).
	fake.AddComments(owner, repo, prNum, "octocat",
		Marker("shop-pr-3")+"\nanother stack",
		"> "+Marker("shop-pr-2")+"\n> quoted",
		"reply\n"+Marker("shop-pr-2"))

	// First run: created.
	first, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Plan\n\nfirst body\n")
	if err != nil {
		t.Fatal(err)
	}
	if first.Action != Created || first.ID == 0 || !strings.Contains(first.URL, fmt.Sprintf("#issuecomment-%d", first.ID)) {
		t.Fatalf("first run: %+v, want created with an id and URL", first)
	}
	if n := fake.Calls(http.MethodPost, commentsPath(prNum)); n != 1 {
		t.Fatalf("first run: %d POSTs, want 1", n)
	}
	// 253 comments at 100 per page: every page was read.
	if n := fake.Calls(http.MethodGet, commentsPath(prNum)); n != 3 {
		t.Errorf("first run: %d list requests, want 3 pages", n)
	}
	mine := markerComments(fake, "shop-pr-2")
	if len(mine) != 1 || mine[0].Body != Marker("shop-pr-2")+"\n### Plan\n\nfirst body\n" {
		t.Fatalf("after first run: %+v", mine)
	}

	// Second run: the same comment is edited.
	fake.ResetRequests()
	second, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Plan\n\nsecond body\n")
	if err != nil {
		t.Fatal(err)
	}
	if second.Action != Updated || second.ID != first.ID {
		t.Fatalf("second run: %+v, want updated id %d", second, first.ID)
	}
	if got := fake.CallCounts(); got["PATCH "+editPath(first.ID)] != 1 || fake.Calls(http.MethodPost, "") != 0 {
		t.Fatalf("second run calls: %v", got)
	}
	if b := fake.Bodies(http.MethodPatch, editPath(first.ID)); len(b) != 1 || !strings.Contains(b[0], "second body") {
		t.Fatalf("second run PATCH bodies: %q", b)
	}

	// Third run after many more comments (the PR grew to 5 pages): still
	// the same comment, never a duplicate.
	more := make([]string, 180)
	for i := range more {
		more[i] = fmt.Sprintf("later comment %d", i)
	}
	fake.AddComments(owner, repo, prNum, "octocat", more...)
	fake.ResetRequests()
	third, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Deployed\n\nthird body\n")
	if err != nil {
		t.Fatal(err)
	}
	if third.Action != Updated || third.ID != first.ID {
		t.Fatalf("third run: %+v, want updated id %d", third, first.ID)
	}
	if n := fake.Calls(http.MethodPost, ""); n != 0 {
		t.Fatalf("third run: %d POSTs, want none", n)
	}
	if mine := markerComments(fake, "shop-pr-2"); len(mine) != 1 || !strings.Contains(mine[0].Body, "third body") {
		t.Fatalf("after third run: %d marker comments: %+v", len(mine), mine)
	}
	// The other stack's comment is untouched.
	if other := markerComments(fake, "shop-pr-3"); len(other) != 1 || other[0].Body != Marker("shop-pr-3")+"\nanother stack" {
		t.Fatalf("other stack's comment changed: %+v", other)
	}
}

func TestUpsertUnchangedBodyDoesNotWrite(t *testing.T) {
	ctx := context.Background()
	fake := ghfake.New(t)
	c := newCommenter(t, fake, "")
	body := Marker("shop-dev") + "\n### Plan\n\nsame\n"
	first, err := c.Upsert(ctx, owner, repo, prNum, "shop-dev", body)
	if err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()
	// Same content, given without the marker and with CRLF line ends as
	// GitHub may return it: still unchanged.
	again, err := c.Upsert(ctx, owner, repo, prNum, "shop-dev", "### Plan\r\n\r\nsame\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if again.Action != Unchanged || again.ID != first.ID || again.URL != first.URL {
		t.Fatalf("got %+v, want unchanged %d", again, first.ID)
	}
	// Reads only: the list, and who the token is (asked once a comment
	// carries the marker).
	if got := fake.CallCounts(); len(got) != 2 || got["GET "+commentsPath(prNum)] != 1 || got["GET /user"] != 1 {
		t.Fatalf("calls %v, want only the list and GET /user", got)
	}
}

func TestUpsertNoPermission(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		fault  ghfake.Fault
		noPerm bool
	}{
		{"fork token cannot create", ghfake.Fault{Method: http.MethodPost, Status: http.StatusForbidden}, true},
		{"no access to the repository", ghfake.Fault{Method: http.MethodGet, Status: http.StatusNotFound}, true},
		{"cannot edit", ghfake.Fault{Method: http.MethodPatch, Status: http.StatusForbidden}, true},
		{"server error is not a permission problem", ghfake.Fault{Method: http.MethodPost, Status: http.StatusBadGateway}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := ghfake.New(t)
			c := newCommenter(t, fake, "")
			if tc.fault.Method == http.MethodPatch {
				fake.AddComments(owner, repo, prNum, ghfake.DefaultUser, Marker("shop-pr-2")+"\nold")
			}
			fake.Fail(tc.fault)
			out, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "new body")
			if err == nil {
				t.Fatalf("no error, outcome %+v", out)
			}
			if got := errors.Is(err, ErrNoPermission); got != tc.noPerm {
				t.Fatalf("errors.Is(ErrNoPermission) = %v, want %v: %v", got, tc.noPerm, err)
			}
			if !strings.Contains(err.Error(), "Codertocat/Hello-World#2") {
				t.Errorf("error does not name the pull request: %v", err)
			}
		})
	}
}

func TestUpsertBadCredentials(t *testing.T) {
	fake := ghfake.New(t)
	fake.Token = "right"
	c := newCommenter(t, fake, "wrong")
	_, err := c.Upsert(context.Background(), owner, repo, prNum, "shop-pr-2", "x")
	if err == nil || errors.Is(err, ErrNoPermission) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("got %v, want a 401 that is not ErrNoPermission", err)
	}
}

func TestUpsertRefusesBadStack(t *testing.T) {
	fake := ghfake.New(t)
	c := newCommenter(t, fake, "")
	for _, stack := range []string{"", "a -->", "shop pr", "9lives"} {
		if _, err := c.Upsert(context.Background(), owner, repo, prNum, stack, "x"); err == nil {
			t.Errorf("stack %q accepted", stack)
		}
	}
	if _, err := c.Upsert(context.Background(), owner, repo, 0, "shop-dev", "x"); err == nil {
		t.Error("pull request 0 accepted")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for refused input", n)
	}
}

func TestNewClientBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "https://api.github.com/",
		"https://api.github.com":          "https://api.github.com/",
		"https://ghe.example.com/api/v3":  "https://ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/api/v3/",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080/",
	} {
		c, err := NewClient("t", in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := c.BaseURL.String(); got != want {
			t.Errorf("NewClient(%q).BaseURL = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"api.github.com", "ftp://x", "://"} {
		if _, err := NewClient("t", bad); err == nil {
			t.Errorf("NewClient(%q) accepted", bad)
		}
	}
}

// tokenCase is a kind of token the action may be given, and who it writes
// comments as.
type tokenCase struct {
	name  string
	token string
	as    ghfake.Identity
}

var tokenCases = []tokenCase{
	// GITHUB_TOKEN: an installation access token, GET /user refused.
	{"installation token (GITHUB_TOKEN)", "ghs_actions", ghfake.GitHubActions},
	// A person's personal access token: GET /user answers.
	{"user token", "ghp_deployer", ghfake.User("deployer")},
}

// attackers post comments whose first line is our marker: a fork
// contributor, a look-alike login, another app's bot, and (for the
// installation token) a maintainer who is not the token's identity.
func attackers(tc tokenCase) []ghfake.Identity {
	out := []ghfake.Identity{ghfake.User("mallory"), ghfake.User("github-actions"), ghfake.AppBot("other-app")}
	if tc.as.Bot {
		out = append(out, ghfake.User("deployer"))
	} else {
		out = append(out, ghfake.GitHubActions)
	}
	return out
}

func fakeWithToken(t *testing.T, tc tokenCase) (*ghfake.Server, *Commenter) {
	fake := ghfake.New(t)
	fake.Tokens = map[string]ghfake.Identity{tc.token: tc.as}
	return fake, newCommenter(t, fake, tc.token)
}

// assertUntouched fails when a comment changed or was sent a write.
func assertUntouched(t *testing.T, fake *ghfake.Server, before []ghfake.Comment) {
	t.Helper()
	now := map[int64]ghfake.Comment{}
	for _, c := range fake.Comments(owner, repo, prNum) {
		now[c.ID] = c
	}
	for _, b := range before {
		if got, ok := now[b.ID]; !ok || got.Body != b.Body || !got.UpdatedAt.Equal(b.UpdatedAt) {
			t.Errorf("%s's comment %d changed: %+v, was %+v", b.User, b.ID, got, b)
		}
		for _, m := range []string{http.MethodPatch, http.MethodDelete} {
			if n := fake.Calls(m, editPath(b.ID)); n != 0 {
				t.Errorf("%d %s requests on %s's comment %d", n, m, b.User, b.ID)
			}
		}
	}
}

func TestUpsertIgnoresOthersMarkerPostedBeforeOurs(t *testing.T) {
	ctx := context.Background()
	for _, tc := range tokenCases {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeWithToken(t, tc)
			for _, who := range attackers(tc) {
				fake.AddCommentsAs(owner, repo, prNum, who, Marker("shop-pr-2")+"\n### Plan\n\nNo changes. [details](https://evil.example)")
			}
			theirs := fake.Comments(owner, repo, prNum)

			first, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Plan\n\nfirst\n")
			if err != nil {
				t.Fatal(err)
			}
			if first.Action != Created {
				t.Fatalf("first run: %+v, want our own comment created", first)
			}
			for _, th := range theirs {
				if first.ID == th.ID {
					t.Fatalf("first run took %s's comment %d for ours", th.User, th.ID)
				}
			}
			assertUntouched(t, fake, theirs)
			mine := fake.Comments(owner, repo, prNum)[len(theirs):]
			if len(mine) != 1 || mine[0].ID != first.ID || mine[0].Author.Login != tc.as.Login {
				t.Fatalf("new comments: %+v", mine)
			}

			// The next run finds ours, not theirs.
			second, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Plan\n\nsecond\n")
			if err != nil {
				t.Fatal(err)
			}
			if second.Action != Updated || second.ID != first.ID {
				t.Fatalf("second run: %+v, want ours (%d) updated", second, first.ID)
			}
			assertUntouched(t, fake, theirs)
			if n := fake.Calls(http.MethodPost, ""); n != 1 {
				t.Errorf("%d comments created, want 1", n)
			}
		})
	}
}

func TestUpsertIgnoresOthersMarkerPostedAfterOurs(t *testing.T) {
	ctx := context.Background()
	for _, tc := range tokenCases {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeWithToken(t, tc)
			ours := fake.AddCommentsAs(owner, repo, prNum, tc.as, Marker("shop-pr-2")+"\nold plan")[0]
			// Ours on the first page, theirs on the third.
			filler := make([]string, 210)
			for i := range filler {
				filler[i] = fmt.Sprintf("review %d", i)
			}
			fake.AddComments(owner, repo, prNum, "octocat", filler...)
			for _, who := range attackers(tc) {
				fake.AddCommentsAs(owner, repo, prNum, who, Marker("shop-pr-2")+"\nforged")
			}
			var theirs []ghfake.Comment
			for _, cm := range fake.Comments(owner, repo, prNum) {
				if cm.ID != ours {
					theirs = append(theirs, cm)
				}
			}

			out, err := c.Upsert(ctx, owner, repo, prNum, "shop-pr-2", "### Plan\n\nnew\n")
			if err != nil {
				t.Fatal(err)
			}
			if out.Action != Updated || out.ID != ours {
				t.Fatalf("%+v, want ours (%d) updated", out, ours)
			}
			if b := fake.Bodies(http.MethodPatch, editPath(ours)); len(b) != 1 || !strings.Contains(b[0], "new") {
				t.Fatalf("PATCH bodies on ours: %q", b)
			}
			assertUntouched(t, fake, theirs)
			if n := fake.Calls(http.MethodPost, ""); n != 0 {
				t.Errorf("%d comments created, want none", n)
			}
		})
	}
}

func TestUpdateExistingIgnoresOthersMarker(t *testing.T) {
	ctx := context.Background()
	for _, tc := range tokenCases {
		t.Run(tc.name, func(t *testing.T) {
			fake, c := fakeWithToken(t, tc)
			for _, who := range attackers(tc) {
				fake.AddCommentsAs(owner, repo, prNum, who, Marker("shop-pr-2")+"\nforged plan")
			}
			theirs := fake.Comments(owner, repo, prNum)
			// changes-only with no changes: only our own comment may be
			// updated; theirs is not one.
			out, err := c.UpdateExisting(ctx, owner, repo, prNum, "shop-pr-2", "### No changes\n")
			if err != nil {
				t.Fatal(err)
			}
			if out.Action != Skipped {
				t.Fatalf("%+v, want skipped", out)
			}
			assertUntouched(t, fake, theirs)
			if n := fake.Calls(http.MethodPost, ""); n != 0 {
				t.Errorf("%d comments created", n)
			}
			if n := fake.Calls(http.MethodGet, "/user"); n > 1 {
				t.Errorf("GET /user asked %d times, want at most once", n)
			}
		})
	}
}

func TestUpsertOtherAppTokenNeverTakesOthersComment(t *testing.T) {
	// Another GitHub App's installation token: GET /user is refused and
	// its bot's login cannot be learnt, so its earlier comment is not
	// recognised. It must still never write to someone else's comment,
	// and the duplicate comes with a warning.
	ctx := context.Background()
	ev := Event{Name: "pull_request", Owner: owner, Repo: repo, PR: prNum}
	fake, c := fakeWithToken(t, tokenCase{token: "ghs_app", as: ghfake.AppBot("deploy-bot")})
	fake.AddCommentsAs(owner, repo, prNum, ghfake.User("mallory"), Marker("shop-pr-2")+"\nforged")
	theirs := fake.Comments(owner, repo, prNum)
	d := risky()
	d.Stack = "shop-pr-2"
	summary := filepath.Join(t.TempDir(), "summary.md")
	var outs []Outcome
	for range 2 {
		a, log := newAction(map[string]string{"GITHUB_STEP_SUMMARY": summary})
		out, err := Publish(ctx, a, c, Inputs{Comment: CommentAuto}, ev, d)
		if err != nil {
			t.Fatal(err)
		}
		if out.Action != Created {
			t.Fatalf("%+v, want created", out)
		}
		if got := strings.Contains(log.String(), "::warning::pull-request comment: the comment was written as deploy-bot[bot]"); got != (out.Warning != "") {
			t.Errorf("warning %q, log %q", out.Warning, log)
		}
		outs = append(outs, out)
	}
	if outs[1].Warning == "" {
		t.Errorf("second run: no warning about the duplicate: %+v", outs[1])
	}
	assertUntouched(t, fake, theirs)
}
