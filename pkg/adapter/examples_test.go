package adapter

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// exampleHost is the Host header of every request, on both sides.
const exampleHost = "abc123.execute-api.us-east-1.amazonaws.com"

// request is one HTTP request, as the reference client script reads it.
type request struct {
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Query       string            `json:"query"`
	Headers     map[string]string `json:"headers"`
	ScriptName  string            `json:"script_name"`
	BodyB64     string            `json:"body_b64"`
	ContentType string            `json:"content_type"`
}

// answer is a normalised HTTP response from either side.
type answer struct {
	Status  int
	Headers []string // "name: value", lower-case names, sorted
	Body    string
}

// TestExampleProjectsMatchDjangoTestClient drives every discovered route of
// every example project through the runtime with API Gateway REST (stage
// dev, SCRIPT_NAME /dev) and HTTP API ($default) events, and compares
// status, headers and body with what Django's own test client answers for
// the same request.
func TestExampleProjectsMatchDjangoTestClient(t *testing.T) {
	python := testenv.Django(t)
	for _, name := range []string{"tutorial", "shop", "legacy"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("..", "..", "testdata", "django", name)
			if _, err := os.Stat(src); err != nil {
				testenv.Missing(t, "example project %s: %v", name, err)
			}
			// Work on a copy: the projects' SQLite files must not appear in testdata.
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			proj, err := django.Discover(dir)
			if err != nil {
				t.Fatalf("discover %s: %v", name, err)
			}
			if len(proj.Routes) == 0 {
				t.Fatalf("discover %s: no routes", name)
			}
			compareProject(t, python, proj)
		})
	}
}

func compareProject(t *testing.T, python string, proj *django.Project) {
	var reqs []request
	var events [][]byte
	var labels []string
	for _, r := range proj.Routes {
		path, ok := regexSample(r.Route)
		if !ok {
			path = samplePath(r)
		}
		method := sampleMethod(r.Methods)
		for _, version := range []string{"v1", "v2"} {
			req := request{
				Method:      method,
				Path:        path,
				Query:       "page=2&q=caf%C3%A9",
				Headers:     map[string]string{"HTTP_HOST": exampleHost, "HTTP_ACCEPT": "text/html,application/json", "HTTP_USER_AGENT": "django-serverless-test", "HTTP_X_FORWARDED_PROTO": "https"},
				ContentType: "application/x-www-form-urlencoded",
			}
			var ev []byte
			if version == "v1" {
				req.ScriptName = "/dev"
				ev = restEvent(t, r.Path, req)
			} else {
				ev = httpEvent(t, req)
			}
			reqs = append(reqs, req)
			events = append(events, ev)
			labels = append(labels, fmt.Sprintf("%s %s %s (route %s)", version, method, path, r.Path))
		}
	}

	want := djangoClient(t, python, proj, reqs)
	env := map[string]string{
		"DJANGO_SETTINGS_MODULE":        proj.SettingsModule,
		"DJANGO_SERVERLESS_PERSIST_DB":  "0",
		"DJANGO_SERVERLESS_FUNCTION":    "default",
		"DJANGO_SERVERLESS_SCRIPT_NAME": "/dev",
	}
	if proj.GraphQL != nil {
		env["DJANGO_SERVERLESS_GRAPHQL_SCHEMA"] = proj.GraphQL.Schema
	}
	// REST events run with SCRIPT_NAME /dev, HTTP API events with "": two warm processes.
	var v1, v2 [][]byte
	for i, ev := range events {
		if i%2 == 0 {
			v1 = append(v1, ev)
		} else {
			v2 = append(v2, ev)
		}
	}
	var stderr bytes.Buffer
	got1, err := InvokeBatch(context.Background(), InvokeOptions{Python: python, Root: proj.Root, Env: env, Stderr: &stderr}, v1)
	if err != nil {
		t.Fatalf("invoke REST events: %v\n%s", err, stderr.String())
	}
	env["DJANGO_SERVERLESS_SCRIPT_NAME"] = ""
	got2, err := InvokeBatch(context.Background(), InvokeOptions{Python: python, Root: proj.Root, Env: env, Stderr: &stderr}, v2)
	if err != nil {
		t.Fatalf("invoke HTTP API events: %v\n%s", err, stderr.String())
	}
	statuses := map[int]int{}
	for i := range events {
		statuses[want[i].Status]++
		if want[i].Status == 404 {
			t.Logf("404 from Django for %s", labels[i])
		}
		var oc Outcome
		if i%2 == 0 {
			oc = got1[i/2]
		} else {
			oc = got2[i/2]
		}
		if oc.Raised {
			t.Errorf("%s: handler raised: %s", labels[i], oc.Result)
			continue
		}
		got, err := fromLambda(oc.Result)
		if err != nil {
			t.Errorf("%s: %v", labels[i], err)
			continue
		}
		if d := diffAnswers(want[i], got); d != "" {
			t.Errorf("%s: adapter and Django test client differ:\n%s", labels[i], d)
		}
	}
	t.Logf("%d routes, %d requests compared; Django's statuses: %v", len(proj.Routes), len(events), statuses)
}

var (
	paramRe = regexp.MustCompile(`\{([^}]+)\}`)
	convRe  = regexp.MustCompile(`<(?:(\w+):)?(\w+)>`)
	groupRe = regexp.MustCompile(`\(\?P<(\w+)>([^)]*)\)`)
)

// samplePath fills the API Gateway path parameters of r with values its
// Django pattern accepts where that is easy to tell ("1" for numbers,
// "abc" otherwise); any value gives a valid comparison.
func samplePath(r django.Route) string {
	kinds := map[string]string{}
	for _, m := range convRe.FindAllStringSubmatch(r.Route, -1) {
		kinds[m[2]] = m[1]
	}
	for _, m := range groupRe.FindAllStringSubmatch(r.Route, -1) {
		if strings.Contains(m[2], `\d`) || strings.Contains(m[2], "0-9") {
			kinds[m[1]] = "int"
		} else {
			kinds[m[1]] = "str"
		}
	}
	return paramRe.ReplaceAllStringFunc(r.Path, func(p string) string {
		name := strings.TrimSuffix(strings.Trim(p, "{}"), "+")
		switch kinds[name] {
		case "int":
			return "1"
		case "uuid":
			return "12345678-1234-5678-1234-567812345678"
		case "path":
			return "abc/def"
		case "str", "slug":
			return "abc"
		case "":
			if strings.HasPrefix(name, "arg") {
				return "1"
			}
			return "abc"
		default: // a registered converter: a year is the common case
			return "2024"
		}
	})
}

// regexSample returns a request path matching a Django route that contains
// regular expressions (re_path, url()), built from the parsed pattern:
// first alternative, minimum repetitions, a plain character from each class.
func regexSample(route string) (string, bool) {
	if !strings.Contains(route, "^") && !strings.Contains(route, "(") {
		return "", false
	}
	// path() converters inside a mixed route become sample literals first.
	var conv strings.Builder
	last := 0
	for _, m := range convRe.FindAllStringSubmatchIndex(route, -1) {
		if m[0] > 0 && route[m[0]-1] == 'P' {
			continue // (?P<name>...), a regex group
		}
		conv.WriteString(route[last:m[0]])
		switch {
		case m[2] >= 0 && route[m[2]:m[3]] == "int":
			conv.WriteString("1")
		case m[2] >= 0 && route[m[2]:m[3]] == "path":
			conv.WriteString("abc/def")
		default:
			conv.WriteString("abc")
		}
		last = m[1]
	}
	conv.WriteString(route[last:])
	route = conv.String()
	re, err := syntax.Parse(route, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	var walk func(*syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			b.WriteRune(classSample(r.Rune))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture, syntax.OpPlus:
			walk(r.Sub[0])
		case syntax.OpRepeat:
			for i := 0; i < r.Min; i++ {
				walk(r.Sub[0])
			}
		case syntax.OpConcat:
			for _, sub := range r.Sub {
				walk(sub)
			}
		case syntax.OpAlternate:
			walk(r.Sub[0])
		}
	}
	walk(re)
	return "/" + b.String(), true
}

func classSample(ranges []rune) rune {
	for _, c := range "a1A_-." {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= c && c <= ranges[i+1] {
				return c
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

func sampleMethod(methods []string) string {
	for _, m := range methods {
		if m == "ANY" || m == "GET" {
			return "GET"
		}
	}
	if len(methods) > 0 {
		return methods[0]
	}
	return "GET"
}

func loadSample(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("python", "tests", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func plainHeaders(req request) map[string]any {
	h := map[string]any{}
	for k, v := range req.Headers {
		h[strings.ReplaceAll(strings.TrimPrefix(k, "HTTP_"), "_", "-")] = v
	}
	h["Content-Type"] = req.ContentType
	return h
}

func restEvent(t *testing.T, resource string, req request) []byte {
	e := loadSample(t, "apigw-request")
	e["resource"] = resource
	e["path"] = req.Path
	e["httpMethod"] = req.Method
	e["headers"] = plainHeaders(req)
	multi := map[string]any{}
	for k, v := range plainHeaders(req) {
		multi[k] = []any{v}
	}
	e["multiValueHeaders"] = multi
	e["queryStringParameters"] = map[string]any{"page": "2", "q": "café"}
	e["multiValueQueryStringParameters"] = map[string]any{"page": []any{"2"}, "q": []any{"café"}}
	e["pathParameters"] = nil
	e["body"] = nil
	e["isBase64Encoded"] = false
	rc := e["requestContext"].(map[string]any)
	rc["stage"] = "dev"
	rc["path"] = "/dev" + req.Path
	rc["httpMethod"] = req.Method
	rc["resourcePath"] = resource
	rc["identity"].(map[string]any)["sourceIp"] = "127.0.0.1"
	return mustJSON(t, e)
}

func httpEvent(t *testing.T, req request) []byte {
	e := loadSample(t, "apigw-v2-request-no-authorizer")
	e["rawPath"] = req.Path
	e["rawQueryString"] = req.Query
	delete(e, "queryStringParameters")
	delete(e, "cookies")
	delete(e, "pathParameters")
	h := map[string]any{}
	for k, v := range plainHeaders(req) {
		h[strings.ToLower(k)] = v
	}
	e["headers"] = h
	e["body"] = nil
	e["isBase64Encoded"] = false
	rc := e["requestContext"].(map[string]any)
	rc["stage"] = "$default"
	httpc := rc["http"].(map[string]any)
	httpc["method"] = req.Method
	httpc["path"] = req.Path
	httpc["sourceIp"] = "127.0.0.1"
	return mustJSON(t, e)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// djangoClient answers reqs with django.test.Client in one process.
func djangoClient(t *testing.T, python string, proj *django.Project, reqs []request) []answer {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "django_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "requests.json")
	if err := os.WriteFile(in, mustJSON(t, reqs), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-s", script, in)
	cmd.Dir = proj.Root
	cmd.Env = append(os.Environ(), "PYTHONPATH="+proj.Root, "DJANGO_SETTINGS_MODULE="+proj.SettingsModule, "PYTHONDONTWRITEBYTECODE=1")
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
			hs = append(hs, normHeader(h[0], h[1]))
		}
		sort.Strings(hs)
		answers[i] = answer{Status: r.Status, Headers: hs, Body: normBody(string(body))}
	}
	return answers
}

// fromLambda normalises a REST (multiValueHeaders) or HTTP API
// (headers + cookies) response.
func fromLambda(res json.RawMessage) (answer, error) {
	var r struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return answer{}, fmt.Errorf("response %s: %w", res, err)
	}
	var hs []string
	for k, vs := range r.MultiValueHeaders {
		for _, v := range vs {
			hs = append(hs, normHeader(k, v))
		}
	}
	for k, v := range r.Headers {
		hs = append(hs, normHeader(k, v))
	}
	for _, c := range r.Cookies {
		hs = append(hs, normHeader("Set-Cookie", c))
	}
	sort.Strings(hs)
	body := r.Body
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return answer{}, fmt.Errorf("body: %w", err)
		}
		body = string(b)
	}
	return answer{Status: r.StatusCode, Headers: hs, Body: normBody(body)}, nil
}

var (
	// Per-request random values: CSRF tokens and session keys, cookie expiry times.
	cookieValueRe = regexp.MustCompile(`^(csrftoken|sessionid)=[^;]*`)
	expiresRe     = regexp.MustCompile(`(?i)expires=[^;]*`)
	csrfInputRe   = regexp.MustCompile(`name="csrfmiddlewaretoken" value="[^"]*"`)
	// A syndication feed without item dates stamps the current time.
	buildDateRe = regexp.MustCompile(`<lastBuildDate>[^<]*</lastBuildDate>`)
)

func normHeader(name, value string) string {
	name = strings.ToLower(name)
	value = strings.TrimSpace(value)
	if name == "allow" {
		// DRF's @api_view builds its methods from a set: the order changes
		// with each process's hash seed.
		parts := strings.Split(value, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		sort.Strings(parts)
		value = strings.Join(parts, ", ")
	}
	if name == "set-cookie" {
		value = cookieValueRe.ReplaceAllString(value, "$1=MASKED")
		value = expiresRe.ReplaceAllString(value, "expires=MASKED")
	}
	return name + ": " + value
}

func normBody(b string) string {
	b = csrfInputRe.ReplaceAllString(b, `name="csrfmiddlewaretoken" value="MASKED"`)
	return buildDateRe.ReplaceAllString(b, "<lastBuildDate>MASKED</lastBuildDate>")
}

func diffAnswers(want, got answer) string {
	var b strings.Builder
	if want.Status != got.Status {
		fmt.Fprintf(&b, "status: django %d, adapter %d\n", want.Status, got.Status)
	}
	if strings.Join(want.Headers, "\n") != strings.Join(got.Headers, "\n") {
		fmt.Fprintf(&b, "headers:\n  django:  %q\n  adapter: %q\n", want.Headers, got.Headers)
	}
	if want.Body != got.Body {
		i := 0
		for i < len(want.Body) && i < len(got.Body) && want.Body[i] == got.Body[i] {
			i++
		}
		from := max(0, i-80)
		fmt.Fprintf(&b, "body differs at byte %d:\n  django:  %.200q\n  adapter: %.200q\n", i, want.Body[from:], got.Body[from:])
	}
	return b.String()
}

var _ fs.FS = Files()
