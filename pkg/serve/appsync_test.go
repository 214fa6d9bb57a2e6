package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func postGraphQL(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "appsync-test/1")
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("answer %q: %v", raw, err)
	}
	return resp.StatusCode, m
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestAppSyncOneLambdaCallPerRootField: POST /graphql runs as AppSync runs
// direct Lambda resolvers: one call per root field (aliases included), the
// field's arguments resolved from variables and defaults, the selection
// set applied to each answer, a failing field null with its error
// (Lambda:Unhandled) beside the others' data, mutations, and AppSync's
// answers to malformed and invalid requests.
func TestAppSyncOneLambdaCallPerRootField(t *testing.T) {
	d := newDemo(t, "rest", false)
	pl := planDemo(t, d)
	g, err := LoadGraphQL(context.Background(), d.dir, "", pl, d.python)
	if err != nil {
		t.Fatalf("load graphql: %v", err)
	}
	srv := startServer(t, d, Options{Plan: pl, GraphQL: g})

	query := `query Q($id: ID!, $n: Int, $who: String) {
  hello
  named: hello(name: $who)
  item(id: $id) { id name ...tagged }
  fail
  userAgent
}
fragment tagged on Item { tags(first: $n) { name w: weight } }`
	status, got := postGraphQL(t, srv.url, js(map[string]any{"query": query, "variables": map[string]any{"id": "7", "n": 2, "who": "ana"}}))
	if status != 200 {
		t.Fatalf("status %d: %v", status, got)
	}
	want := `{"hello":"hello world","named":"hello ana","item":{"id":"7","name":"item 7","tags":[{"name":"t0","w":0},{"name":"t1","w":1}]},"fail":null,"userAgent":"appsync-test/1"}`
	var wantData any
	_ = json.Unmarshal([]byte(want), &wantData)
	if !cmp.Equal(got["data"], wantData) {
		t.Errorf("data = %s\nwant   %s", js(got["data"]), want)
	}
	errs, _ := got["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors = %s", js(got["errors"]))
	}
	e := errs[0].(map[string]any)
	if js(e["path"]) != `["fail"]` || e["errorType"] != "Lambda:Unhandled" || !strings.Contains(e["message"].(string), "not allowed here") {
		t.Errorf("error = %s", js(e))
	}
	if n := strings.Count(srv.log.String(), "  AppSync Query."); n != 5 {
		t.Errorf("%d Lambda calls for 5 root fields:\n%s", n, srv.log.String())
	}

	status, got = postGraphQL(t, srv.url, `{"query": "mutation { addItem(name: \"new\") { item { id name } } }"}`)
	if status != 200 || js(got["data"]) != `{"addItem":{"item":{"id":"new","name":"new"}}}` {
		t.Errorf("mutation: %d %s", status, js(got))
	}

	for _, c := range []struct {
		body   string
		status int
		msg    string
	}{
		{"", 400, "Request body is empty."},
		{"meow", 400, "Unable to parse GraphQL query."},
		{`{"query": "{ hello "}`, 400, "Unable to parse GraphQL query."},
		{`{"query": "{ nope }"}`, 200, "Validation error"},
		{`{"query": "query Q($x: Int!) { item(id: \"1\") { tags(first: $x) { name } } }"}`, 200, "Variable validation error"},
	} {
		status, got := postGraphQL(t, srv.url, c.body)
		if status != c.status || !strings.Contains(js(got["errors"]), c.msg) {
			t.Errorf("%q: %d %s, want %d %q", c.body, status, js(got), c.status, c.msg)
		}
	}
}

// TestAppSyncEventShape: the direct resolver event of a root field, as
// AppSync builds it (arguments, null identity for API key auth, request
// headers, info with the selection set as text and as a list).
func TestAppSyncEventShape(t *testing.T) {
	d := newDemo(t, "rest", false)
	pl := planDemo(t, d)
	g, err := LoadGraphQL(context.Background(), d.dir, "", pl, d.python)
	if err != nil {
		t.Fatal(err)
	}
	doc, op := parseForTest(t, g, `query { item(id: "3") { id ...f tags { name } } } fragment f on Item { name }`)
	ex := &execution{g: g, doc: doc, vars: map[string]any{}, r: mustRequest(t)}
	fields := ex.collect(g.schema.Query, op.SelectionSet)
	ev, err := ex.event(g.schema.Query, fields[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(ev, &m); err != nil {
		t.Fatal(err)
	}
	info := m["info"].(map[string]any)
	if js(m["arguments"]) != `{"id":"3"}` || m["identity"] != nil || m["source"] != nil || m["prev"] != nil || js(m["stash"]) != `{}` {
		t.Errorf("event = %s", ev)
	}
	if info["fieldName"] != "item" || info["parentTypeName"] != "Query" || js(info["selectionSetList"]) != `["id","name","tags","tags/name"]` {
		t.Errorf("info = %s", js(info))
	}
	if sel := info["selectionSetGraphQL"].(string); !strings.Contains(sel, "... on Item") || !strings.Contains(sel, "tags {") {
		t.Errorf("selectionSetGraphQL = %q", sel)
	}
	if h := m["request"].(map[string]any)["headers"].(map[string]any); h["x-test"] != "1" {
		t.Errorf("request.headers = %v", h)
	}
}

func mustRequest(t *testing.T) *http.Request {
	t.Helper()
	r, _ := http.NewRequest("POST", "http://127.0.0.1/graphql", nil)
	r.Header.Set("X-Test", "1")
	return r
}
