package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tableRequest is one row of the runtime table: a request as a client
// sends it, below the stage.
type tableRequest struct {
	name        string
	method      string
	path        string // percent-encoded, below the stage
	query       string // raw
	headers     [][2]string
	body        []byte
	contentType string
}

// runtimeTable: the request shapes API Gateway and the runtime must carry
// exactly: multi-value query strings, cookies in and out, base64 bodies
// both ways, redirects, 404, 405, HEAD, OPTIONS, encoded paths, repeated
// headers, uploads, a failing view.
func runtimeTable() []tableRequest {
	rnd := make([]byte, 4096)
	for i := range rnd {
		rnd[i] = byte(i*131 + i/7) // invalid UTF-8 included
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MB
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.SetBoundary("serve-test-boundary")
	_ = mw.WriteField("title", "a picture")
	_ = mw.WriteField("tag", "x")
	_ = mw.WriteField("tag", "y")
	fw, _ := mw.CreateFormFile("file", "pixel.bin")
	_, _ = fw.Write(rnd)
	_ = mw.Close()
	return []tableRequest{
		{name: "multi-value query", method: "GET", path: "/echo/", query: "tag=a&tag=b&q=x+y&e=%C3%A9&enc=a%26b%3Dc"},
		{name: "query flags and empties", method: "GET", path: "/echo/", query: "flag&empty=&a=1&a=2&a=3"},
		{name: "cookies in", method: "GET", path: "/echo/", headers: [][2]string{{"Cookie", "a=1; b=two; c=%22q%22"}}},
		{name: "cookies in, two headers", method: "GET", path: "/echo/", headers: [][2]string{{"Cookie", "a=1"}, {"Cookie", "b=2"}}},
		{name: "cookies out", method: "GET", path: "/cookies/"},
		{name: "binary body base64 in", method: "POST", path: "/echo/", body: rnd, contentType: "application/octet-stream"},
		{name: "binary body without a content type", method: "PUT", path: "/echo/", body: rnd},
		{name: "json body", method: "POST", path: "/echo/", body: []byte(`{"a": [1, 2], "é": "ü"}`), contentType: "application/json"},
		{name: "form body, repeated fields", method: "POST", path: "/echo/", body: []byte("x=1&x=2&name=J%C3%BCrgen+M"), contentType: "application/x-www-form-urlencoded"},
		{name: "multipart upload", method: "POST", path: "/upload/", body: mp.Bytes(), contentType: mw.FormDataContentType()},
		{name: "1 MB body", method: "POST", path: "/echo/", body: big, contentType: "text/plain"},
		{name: "binary body base64 out", method: "GET", path: "/binary/", headers: [][2]string{{"Accept", "image/png"}}},
		{name: "gzip body out", method: "GET", path: "/gzip/", headers: [][2]string{{"Accept-Encoding", "gzip"}}},
		{name: "redirect", method: "GET", path: "/redirect/"},
		{name: "permanent redirect", method: "GET", path: "/permanent/"},
		{name: "APPEND_SLASH redirect", method: "GET", path: "/echo", query: "keep=1"},
		{name: "404", method: "GET", path: "/nowhere/"},
		{name: "404 below a known path", method: "GET", path: "/cbv/deeper/"},
		{name: "405 POST on a GET-only view", method: "POST", path: "/only-get/", body: []byte("x"), contentType: "text/plain"},
		{name: "405 PATCH on a class-based view", method: "PATCH", path: "/cbv/", body: []byte("{}"), contentType: "application/json"},
		{name: "405 DELETE on a class-based view", method: "DELETE", path: "/cbv/"},
		{name: "HEAD on a view", method: "HEAD", path: "/echo/"},
		{name: "HEAD on a GET-only view", method: "HEAD", path: "/only-get/"},
		{name: "OPTIONS on a class-based view", method: "OPTIONS", path: "/cbv/"},
		{name: "OPTIONS on a function view", method: "OPTIONS", path: "/echo/"},
		{name: "GET on a class-based view", method: "GET", path: "/cbv/"},
		{name: "encoded unicode path", method: "GET", path: "/caf%C3%A9/na%20me/"},
		{name: "greedy path", method: "GET", path: "/echo/a/b/c.txt", query: "x=1"},
		{name: "repeated header", method: "GET", path: "/echo/", headers: [][2]string{{"X-Multi", "one"}, {"X-Multi", "two"}}},
		{name: "accept list", method: "GET", path: "/echo/", headers: [][2]string{{"Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}}},
		{name: "view raising: Django's 500", method: "GET", path: "/error/"},
		{name: "POST without a CSRF token: Django's 403", method: "POST", path: "/protected/", body: []byte("a=1"), contentType: "application/x-www-form-urlencoded"},
		{name: "admin login page redirect", method: "GET", path: "/admin/"},
	}
}

// reference is one request for the Django test client script.
type reference struct {
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Query       string            `json:"query"`
	Meta        map[string]string `json:"meta"`
	ScriptName  string            `json:"script_name"`
	BodyB64     string            `json:"body_b64"`
	ContentType string            `json:"content_type"`
}

// answer is a response reduced to what the comparison looks at.
type answer struct {
	Status  int
	Headers []string // "name: value", lower-case names, sorted
	Body    []byte
}

// compared are the response headers that must match Django's: what a
// browser acts on. API Gateway adds its own (request IDs, Date).
var compared = map[string]bool{
	"content-type": true, "content-length": true, "location": true, "set-cookie": true, "allow": true,
	"content-encoding": true, "x-frame-options": true, "vary": true, "cache-control": true,
	"expires": true, "content-disposition": true, "x-content-type-options": true, "referrer-policy": true,
}

const userAgent = "django-serverless-serve-test/1"

func referenceOf(tr tableRequest, scriptName, host string) reference {
	meta := map[string]string{"HTTP_HOST": host, "HTTP_USER_AGENT": userAgent}
	for _, h := range tr.headers {
		key := "HTTP_" + strings.ToUpper(strings.ReplaceAll(h[0], "-", "_"))
		if prev, ok := meta[key]; ok {
			sep := ","
			if key == "HTTP_COOKIE" {
				sep = "; "
			}
			meta[key] = prev + sep + h[1]
		} else {
			meta[key] = h[1]
		}
	}
	ct := tr.contentType
	if ct == "" && len(tr.body) > 0 {
		ct = "" // sent without one; the test client must not invent one
	}
	return reference{Method: tr.method, Path: tr.path, Query: tr.query, Meta: meta, ScriptName: scriptName,
		BodyB64: base64.StdEncoding.EncodeToString(tr.body), ContentType: ct}
}

// djangoAnswers asks Django's test client, in one process.
func djangoAnswers(t *testing.T, d *demo, refs []reference) []answer {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "django_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "requests.json")
	data, _ := json.Marshal(refs)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(d.python, "-s", script, in)
	cmd.Dir = d.dir
	cmd.Env = d.environ(nil)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("django test client: %v\n%s", err, stderr.String())
	}
	var raw []struct {
		Status  int        `json:"status"`
		Headers [][]string `json:"headers"`
		BodyB64 string     `json:"body_b64"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("django test client output: %v", err)
	}
	answers := make([]answer, len(raw))
	for i, r := range raw {
		body, err := base64.StdEncoding.DecodeString(r.BodyB64)
		if err != nil {
			t.Fatal(err)
		}
		var hs []string
		for _, h := range r.Headers {
			if compared[strings.ToLower(h[0])] {
				hs = append(hs, headerLine(h[0], h[1]))
			}
		}
		sort.Strings(hs)
		if refs[i].Method == "HEAD" {
			body = nil
		}
		answers[i] = answer{Status: r.Status, Headers: hs, Body: body}
	}
	return answers
}

func serveAnswer(t *testing.T, base string, tr tableRequest) answer {
	t.Helper()
	u := base + tr.path
	if tr.query != "" {
		u += "?" + tr.query
	}
	var body io.Reader
	if tr.body != nil {
		body = bytes.NewReader(tr.body)
	}
	req, err := http.NewRequest(tr.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", userAgent)
	for _, h := range tr.headers {
		req.Header.Add(h[0], h[1])
	}
	if tr.contentType != "" {
		req.Header.Set("Content-Type", tr.contentType)
	}
	resp, err := client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", tr.name, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var hs []string
	for k, vs := range resp.Header {
		if !compared[strings.ToLower(k)] {
			continue
		}
		for _, v := range vs {
			hs = append(hs, headerLine(k, v))
		}
	}
	sort.Strings(hs)
	if len(got) == 0 {
		got = nil
	}
	return answer{Status: resp.StatusCode, Headers: hs, Body: got}
}

// headerLine is "name: value"; a date in Expires (the clock at the time
// of the request) is compared as a date.
func headerLine(name, value string) string {
	name = strings.ToLower(name)
	if name == "expires" {
		if _, err := http.ParseTime(value); err == nil {
			value = "<a date>"
		}
	}
	return name + ": " + value
}

func showBody(b []byte) string {
	if len(b) > 600 {
		return fmt.Sprintf("%q... (%d bytes)", b[:600], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// TestRuntimeTableMatchesDjangoTestClient drives serve with Go's HTTP
// client through every request of the runtime table, for a REST API
// (stage dev, paths below /dev, a function per route) and an HTTP API
// ($default, one function for the project), and compares status, the
// headers a browser acts on and the body with what Django's test client
// answers for the same request on the same project.
func TestRuntimeTableMatchesDjangoTestClient(t *testing.T) {
	granularity := map[string]string{"rest": "route", "http": "project"}
	for _, apiType := range []string{"rest", "http"} {
		t.Run(apiType, func(t *testing.T) {
			d := newDemoEnv(t, apiType, false, map[string]string{"granularity": granularity[apiType]})
			srv := startServer(t, d, Options{})
			table := runtimeTable()
			scriptName, base := "", srv.url
			if apiType == "rest" {
				scriptName, base = "/dev", srv.url+"/dev"
			}
			refs := make([]reference, len(table))
			for i, tr := range table {
				refs[i] = referenceOf(tr, scriptName, srv.host)
			}
			want := djangoAnswers(t, d, refs)
			for i, tr := range table {
				got := serveAnswer(t, base, tr)
				if got.Status != want[i].Status || !cmp.Equal(got.Headers, want[i].Headers) || !bytes.Equal(got.Body, want[i].Body) {
					t.Errorf("%s (%s %s?%s): serve and Django's test client differ\nstatus: serve %d, django %d\nheaders (-django +serve):\n%s\nbody serve:  %s\nbody django: %s",
						tr.name, tr.method, tr.path, tr.query, got.Status, want[i].Status, cmp.Diff(want[i].Headers, got.Headers), showBody(got.Body), showBody(want[i].Body))
				}
			}
		})
	}
}
