package serve

import (
	"fmt"
	"testing"
)

var entries = []Entry{
	{"ANY", "/", "Root"},
	{"ANY", "/{proxy+}", "Default"},
	{"ANY", "/polls", "Polls"},
	{"ANY", "/polls/{id}", "Detail"},
	{"GET", "/polls/{id}/results", "Results"},
	{"ANY", "/polls/archive", "Archive"},
	{"ANY", "/media/{path+}", "Media"},
}

// TestRESTRouting: API Gateway's resource tree: static before {name}
// before {name+}, backtracking to the deepest greedy ancestor, the method
// (or ANY) of the resource found, trailing slash ignored.
func TestRESTRouting(t *testing.T) {
	r := NewTableRouter(true, entries)
	for _, c := range []struct {
		method, path string
		want         string // "Function resource params", "" for no match
	}{
		{"GET", "/", "Root / map[]"},
		{"GET", "/polls", "Polls /polls map[]"},
		{"POST", "/polls/", "Polls /polls map[]"},
		{"GET", "/polls/7", "Detail /polls/{id} map[id:7]"},
		{"GET", "/polls/archive", "Archive /polls/archive map[]"},
		{"GET", "/polls/7/results/", "Results /polls/{id}/results map[id:7]"},
		{"POST", "/polls/7/results", ""}, // the resource has GET only: 403
		{"GET", "/polls/7/other", "Default /{proxy+} map[proxy:polls/7/other]"},
		{"GET", "/media/a/b/c.png", "Media /media/{path+} map[path:a/b/c.png]"},
		{"GET", "/media", "Default /{proxy+} map[proxy:media]"},
		{"GET", "/caf%C3%A9/x", "Default /{proxy+} map[proxy:café/x]"},
		{"GET", "/polls/a%2Fb", "Detail /polls/{id} map[id:a/b]"},
	} {
		m, ok := r.Match(c.method, c.path)
		got := ""
		if ok {
			got = fmt.Sprintf("%s %s %v", m.Function, m.Resource, m.Params)
			if m.Params == nil {
				got = fmt.Sprintf("%s %s map[]", m.Function, m.Resource)
			}
		}
		if got != c.want {
			t.Errorf("%s %s -> %q, want %q", c.method, c.path, got, c.want)
		}
	}
	// Without a greedy root resource, unknown paths have no entry.
	r = NewTableRouter(true, []Entry{{"ANY", "/a", "A"}})
	if _, ok := r.Match("GET", "/b"); ok {
		t.Error("/b matched without a catch-all")
	}
	if _, ok := r.Match("GET", "/"); ok {
		t.Error("/ matched: the root resource has no method")
	}
}

// TestHTTPRouting: the HTTP API's route selection: exact path and method,
// literal segments over parameters, explicit method over ANY, greedy
// routes after full matches, then $default (the plan's ANY /{proxy+}).
func TestHTTPRouting(t *testing.T) {
	r := NewTableRouter(false, append(entries, Entry{"GET", "/polls/{id}", "DetailGet"}))
	for _, c := range []struct {
		method, path, want string
	}{
		{"GET", "/", "Root ANY /"},
		{"GET", "/polls/7", "DetailGet GET /polls/{id}"},
		{"DELETE", "/polls/7", "Detail ANY /polls/{id}"},
		{"GET", "/polls/archive", "Archive ANY /polls/archive"},
		{"POST", "/polls/7/results", "Default $default"},
		{"GET", "/media/x/y", "Media ANY /media/{path+}"},
		{"GET", "/nothing/here", "Default $default"},
	} {
		m, ok := r.Match(c.method, c.path)
		got := ""
		if ok {
			got = m.Function + " " + m.RouteKey
		}
		if got != c.want {
			t.Errorf("%s %s -> %q, want %q", c.method, c.path, got, c.want)
		}
	}
	r = NewTableRouter(false, []Entry{{"ANY", "/a", "A"}})
	if _, ok := r.Match("GET", "/b"); ok {
		t.Error("/b matched without $default")
	}
}
