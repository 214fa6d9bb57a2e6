package ghfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, s *Server, path string) (*http.Response, []map[string]any) {
	t.Helper()
	resp, err := s.Client().Get(strings.TrimSuffix(s.URL(), "/") + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	return resp, out
}

func TestListPaginationLikeGitHub(t *testing.T) {
	s := New(t)
	bodies := make([]string, 65)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("c%d", i)
	}
	s.AddComments("o", "r", 1, "octocat", bodies...)
	s.AddComments("o", "r", 2, "octocat", "other issue")

	// Default page size 30.
	resp, page := get(t, s, "/repos/o/r/issues/1/comments")
	if len(page) != 30 || page[0]["body"] != "c0" {
		t.Fatalf("first page: %d comments", len(page))
	}
	link := resp.Header.Get("Link")
	if !strings.Contains(link, `page=2&per_page=30>; rel="next"`) || !strings.Contains(link, `page=3&per_page=30>; rel="last"`) || strings.Contains(link, `rel="prev"`) {
		t.Fatalf("Link: %s", link)
	}
	// per_page above 100 is capped; the last page has no next.
	resp, page = get(t, s, "/repos/o/r/issues/1/comments?per_page=500&page=1")
	if len(page) != 65 || resp.Header.Get("Link") != "" {
		t.Fatalf("capped page: %d comments, Link %q", len(page), resp.Header.Get("Link"))
	}
	resp, page = get(t, s, "/repos/o/r/issues/1/comments?per_page=20&page=4")
	if len(page) != 5 || page[4]["body"] != "c64" || strings.Contains(resp.Header.Get("Link"), `rel="next"`) || !strings.Contains(resp.Header.Get("Link"), `rel="prev"`) {
		t.Fatalf("last page: %d comments, Link %q", len(page), resp.Header.Get("Link"))
	}
	// Past the end: an empty list.
	if _, page = get(t, s, "/repos/o/r/issues/1/comments?per_page=20&page=9"); len(page) != 0 {
		t.Fatalf("past the end: %d", len(page))
	}
	if n := s.Calls(http.MethodGet, "/repos/o/r/issues/1/comments"); n != 4 {
		t.Fatalf("%d calls counted", n)
	}
}

func TestFaultsAndValidation(t *testing.T) {
	s := New(t)
	s.Fail(Fault{Method: http.MethodPost, Path: "/repos/o/r/issues/1/comments", Status: http.StatusForbidden, Times: 1})
	post := func(body string) int {
		resp, err := s.Client().Post(s.URL()+"repos/o/r/issues/1/comments", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(`{"body":"x"}`); c != http.StatusForbidden {
		t.Fatalf("fault: %d", c)
	}
	if c := post(`{"body":"x"}`); c != http.StatusCreated {
		t.Fatalf("after the fault was used up: %d", c)
	}
	if c := post(`{"body":""}`); c != http.StatusUnprocessableEntity {
		t.Fatalf("empty body: %d", c)
	}
	if c := post(`{"body":"` + strings.Repeat("é", MaxBodyChars+1) + `"}`); c != http.StatusUnprocessableEntity {
		t.Fatalf("long body: %d", c)
	}
	if c := post(`{"body":"` + strings.Repeat("é", MaxBodyChars) + `"}`); c != http.StatusCreated {
		t.Fatalf("body at the limit (characters, not bytes): %d", c)
	}
	if got := len(s.Comments("o", "r", 1)); got != 2 {
		t.Fatalf("%d comments stored", got)
	}
	if b := s.Bodies(http.MethodPost, ""); len(b) != 5 || b[0] != `{"body":"x"}` {
		t.Fatalf("bodies %d", len(b))
	}
}

func TestAuthorshipLikeGitHub(t *testing.T) {
	s := New(t)
	s.Tokens = map[string]Identity{
		"ghs_actions": GitHubActions,
		"ghp_alice":   User("alice"),
		"ghs_other":   AppBot("other-app"),
	}
	do := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, strings.TrimSuffix(s.URL(), "/")+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}

	// GET /user: a user token answers, installation tokens get 403.
	if code, u := do(http.MethodGet, "/user", "ghp_alice", ""); code != http.StatusOK || u["login"] != "alice" || u["type"] != "User" || u["id"] != float64(User("alice").ID) {
		t.Fatalf("GET /user as alice: %d %v", code, u)
	}
	for _, tok := range []string{"ghs_actions", "ghs_other"} {
		if code, e := do(http.MethodGet, "/user", tok, ""); code != http.StatusForbidden || e["message"] != "Resource not accessible by integration" {
			t.Fatalf("GET /user with %s: %d %v", tok, code, e)
		}
	}
	if code, _ := do(http.MethodGet, "/user", "ghp_unknown", ""); code != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", code)
	}

	// Comments record their author as GitHub reports it.
	code, c := do(http.MethodPost, "/repos/o/r/issues/1/comments", "ghs_actions", `{"body":"by the bot"}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	user := c["user"].(map[string]any)
	app, _ := c["performed_via_github_app"].(map[string]any)
	if user["login"] != "github-actions[bot]" || user["type"] != "Bot" || user["id"] != float64(41898282) || app["slug"] != "github-actions" {
		t.Fatalf("bot comment: user %v app %v", user, app)
	}
	botComment := fmt.Sprintf("/repos/o/r/issues/comments/%.0f", c["id"])
	_, c = do(http.MethodPost, "/repos/o/r/issues/1/comments", "ghp_alice", `{"body":"by alice"}`)
	if user := c["user"].(map[string]any); user["login"] != "alice" || user["type"] != "User" || c["performed_via_github_app"] != nil {
		t.Fatalf("user comment: %v", c)
	}
	aliceComment := fmt.Sprintf("/repos/o/r/issues/comments/%.0f", c["id"])

	// Only the author may edit or delete a comment.
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{http.MethodPatch, botComment, "ghp_alice", http.StatusForbidden},
		{http.MethodPatch, botComment, "ghs_other", http.StatusForbidden},
		{http.MethodDelete, botComment, "ghp_alice", http.StatusForbidden},
		{http.MethodPatch, aliceComment, "ghs_actions", http.StatusForbidden},
		{http.MethodDelete, aliceComment, "ghs_actions", http.StatusForbidden},
		{http.MethodPatch, botComment, "ghs_actions", http.StatusOK},
		{http.MethodPatch, aliceComment, "ghp_alice", http.StatusOK},
		{http.MethodDelete, aliceComment, "ghp_alice", http.StatusNoContent},
		{http.MethodDelete, aliceComment, "ghp_alice", http.StatusNotFound},
	} {
		if code, _ := do(tc.method, tc.path, tc.token, `{"body":"edited"}`); code != tc.want {
			t.Errorf("%s %s with %s: %d, want %d", tc.method, tc.path, tc.token, code, tc.want)
		}
	}
	got := s.Comments("o", "r", 1)
	if len(got) != 1 || got[0].Body != "edited" || got[0].Author != GitHubActions {
		t.Fatalf("comments after: %+v", got)
	}

	// AddComments takes logins: distinct logins are distinct accounts.
	s.AddComments("o", "r", 2, "octocat", "a")
	s.AddComments("o", "r", 2, "mallory", "b")
	s.AddComments("o", "r", 2, DefaultUser, "c")
	if cs := s.Comments("o", "r", 2); cs[0].Author.ID == cs[1].Author.ID || cs[2].Author != GitHubActions || cs[0].Author.Bot {
		t.Fatalf("authors: %+v", cs)
	}
}
