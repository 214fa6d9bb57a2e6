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
