package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func loadEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return "?"
}

// sameShape compares the keys and JSON types of got with a real event,
// recursively, skipping the keys a feature serve does not emulate adds
// (authorizers, mutual TLS, API keys). Null on one side matches any type
// (a field API Gateway leaves null when there is nothing to say).
func sameShape(t *testing.T, path string, want, got map[string]any, optional map[string]bool) {
	t.Helper()
	for k, wv := range want {
		p := path + "." + k
		if optional[p] {
			continue
		}
		gv, ok := got[k]
		if !ok {
			t.Errorf("%s: missing (the real event has it)", p)
			continue
		}
		wk, gk := kind(wv), kind(gv)
		if wk != gk && wk != "null" && gk != "null" {
			t.Errorf("%s: %s, the real event has a %s", p, gk, wk)
			continue
		}
		if wm, ok := wv.(map[string]any); ok {
			if gm, ok := gv.(map[string]any); ok && !strings.HasSuffix(p, "eaders") && !strings.HasSuffix(p, "Parameters") {
				sameShape(t, p, wm, gm, optional)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && !optional[path+"."+k] {
			t.Errorf("%s.%s: not in the real event", path, k)
		}
	}
}

func testRequest(t *testing.T, method, target string, body []byte, headers map[string]string) *request {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.Host = "127.0.0.1:8000"
	r.RemoteAddr = "127.0.0.1:51234"
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return &request{r: r, body: body, requestID: "11111111-2222-4333-8444-555555555555", now: time.Unix(1589522469, 693000000), port: "8000"}
}

// TestRESTEventMatchesRealEvent: the REST event has the fields and types
// of a real API Gateway event (aws-lambda-go's sample), and the values
// API Gateway puts there.
func TestRESTEventMatchesRealEvent(t *testing.T) {
	q := testRequest(t, "POST", "/dev/hello/w%C3%B6rld?name=me&tag=a&tag=b&q=x+y", []byte("{\r\n\t\"a\": 1\r\n}"),
		map[string]string{"Content-Type": "application/json", "User-Agent": "PostmanRuntime/2.4.5", "Accept": "*/*"})
	q.r.Header.Add("X-Multi", "one")
	q.r.Header.Add("X-Multi", "two")
	q.match = Match{Function: "Default", Resource: "/{proxy+}", Params: map[string]string{"proxy": "hello/wörld"}}
	q.stage, q.path = "dev", "/hello/w%C3%B6rld"
	ev, err := restEvent(q)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, ev)
	want := loadEvent(t, "apigw-request.json")
	sameShape(t, "event", want, got, map[string]bool{
		"event.requestContext.authorizer":              true, // no authorizer
		"event.requestContext.identity.clientCert":     true, // mutual TLS
		"event.requestContext.identity.apiKey":         true, // API keys
		"event.requestContext.identity.apiKeyId":       true,
		"event.requestContext.identity.principalOrgId": true, // documented, not in the sample
		"event.isBase64Encoded":                        true, // documented, not in this older sample
	})
	rc := got["requestContext"].(map[string]any)
	checks := map[string][2]any{
		"path":                            {got["path"], "/hello/w%C3%B6rld"},
		"requestContext.path":             {rc["path"], "/dev/hello/w%C3%B6rld"},
		"requestContext.stage":            {rc["stage"], "dev"},
		"resource":                        {got["resource"], "/{proxy+}"},
		"requestContext.resourcePath":     {rc["resourcePath"], "/{proxy+}"},
		"httpMethod":                      {got["httpMethod"], "POST"},
		"requestContext.requestTime":      {rc["requestTime"], "15/May/2020:06:01:09 +0000"},
		"requestContext.requestTimeEpoch": {rc["requestTimeEpoch"], float64(1589522469693)},
		"identity.sourceIp":               {rc["identity"].(map[string]any)["sourceIp"], "127.0.0.1"},
		"body":                            {got["body"], "{\r\n\t\"a\": 1\r\n}"},
		"isBase64Encoded":                 {got["isBase64Encoded"], false},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %#v, want %#v", name, c[0], c[1])
		}
	}
	mqs, _ := json.Marshal(got["multiValueQueryStringParameters"])
	if string(mqs) != `{"name":["me"],"q":["x y"],"tag":["a","b"]}` {
		t.Errorf("multiValueQueryStringParameters = %s", mqs)
	}
	qs, _ := json.Marshal(got["queryStringParameters"])
	if string(qs) != `{"name":"me","q":"x y","tag":"b"}` {
		t.Errorf("queryStringParameters = %s (the last value of a repeated name)", qs)
	}
	mh := got["multiValueHeaders"].(map[string]any)
	if m, _ := json.Marshal(mh["X-Multi"]); string(m) != `["one","two"]` {
		t.Errorf("multiValueHeaders.X-Multi = %s", m)
	}
	if h := got["headers"].(map[string]any); h["X-Multi"] != "two" || h["Host"] != "127.0.0.1:8000" || h["X-Forwarded-Proto"] != "http" || h["X-Forwarded-Port"] != "8000" {
		t.Errorf("headers = %v", h)
	}
	if pp, _ := json.Marshal(got["pathParameters"]); string(pp) != `{"proxy":"hello/wörld"}` {
		t.Errorf("pathParameters = %s", pp)
	}

	// No query, no body, no path parameters: nulls, as API Gateway sends.
	q = testRequest(t, "GET", "/dev/", nil, nil)
	q.match, q.stage, q.path = Match{Function: "Default", Resource: "/"}, "dev", "/"
	ev, _ = restEvent(q)
	got = decode(t, ev)
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
}

// TestRESTBinaryMediaTypes: the body is base64 when the Content-Type
// matches a binary media type (an absent one counts as application/json).
func TestRESTBinaryMediaTypes(t *testing.T) {
	body := []byte{0xff, 0x00, 'a'}
	for _, c := range []struct {
		types []string
		ct    string
		b64   bool
	}{
		{nil, "application/octet-stream", false},
		{[]string{"*/*"}, "text/plain", true},
		{[]string{"*/*"}, "", true},
		{[]string{"image/*"}, "image/png", true},
		{[]string{"image/*"}, "IMAGE/PNG; q=1", true},
		{[]string{"image/*"}, "application/pdf", false},
		{[]string{"application/pdf"}, "application/pdf", true},
		{[]string{"multipart/form-data"}, "multipart/form-data; boundary=x", true},
		{[]string{"application/json"}, "", true},
	} {
		h := map[string]string{}
		if c.ct != "" {
			h["Content-Type"] = c.ct
		}
		q := testRequest(t, "POST", "/dev/up", body, h)
		q.match, q.stage, q.path, q.binary = Match{Function: "F", Resource: "/up"}, "dev", "/up", c.types
		ev, _ := restEvent(q)
		got := decode(t, ev)
		if got["isBase64Encoded"] != c.b64 {
			t.Errorf("types %v, Content-Type %q: isBase64Encoded = %v, want %v", c.types, c.ct, got["isBase64Encoded"], c.b64)
			continue
		}
		if c.b64 && got["body"] != base64.StdEncoding.EncodeToString(body) {
			t.Errorf("body = %v", got["body"])
		}
	}
}

// TestHTTPEventMatchesRealEvent: the payload 2.0 event, compared with a
// real one: lower-case headers, repeated ones joined by commas, cookies
// split out of the Cookie headers, rawQueryString as sent, query values
// decoded and joined, absent fields left out, bodies base64 unless text.
func TestHTTPEventMatchesRealEvent(t *testing.T) {
	q := testRequest(t, "POST", "/caf%C3%A9/x?a=1&a=2&b=c%20d&flag", []byte("x=1&y=2"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "curl/7.58.0"})
	q.r.Header.Add("Cookie", "a=1; b=2")
	q.r.Header.Add("Cookie", "c=3")
	q.r.Header.Add("X-Multi", "one")
	q.r.Header.Add("X-Multi", "two")
	q.match, q.stage = Match{Function: "Default", Resource: "$default", RouteKey: "$default"}, "$default"
	ev, err := httpEvent(q)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, ev)
	want := loadEvent(t, "apigw-v2-request-no-authorizer.json")
	want["cookies"] = []any{"c"} // absent from the sample: no cookies were sent
	want["queryStringParameters"] = map[string]any{}
	want["body"] = ""
	sameShape(t, "event", want, got, map[string]bool{"event.requestContext.authentication": true})
	if got["rawPath"] != "/café/x" || got["rawQueryString"] != "a=1&a=2&b=c%20d&flag" || got["routeKey"] != "$default" {
		t.Errorf("rawPath %v rawQueryString %v routeKey %v", got["rawPath"], got["rawQueryString"], got["routeKey"])
	}
	if c, _ := json.Marshal(got["cookies"]); string(c) != `["a=1","b=2","c=3"]` {
		t.Errorf("cookies = %s", c)
	}
	h := got["headers"].(map[string]any)
	if _, ok := h["cookie"]; ok {
		t.Errorf("cookie header kept beside cookies: %v", h)
	}
	if h["x-multi"] != "one,two" || h["content-type"] != "application/x-www-form-urlencoded" || h["host"] != "127.0.0.1:8000" {
		t.Errorf("headers = %v", h)
	}
	if qs, _ := json.Marshal(got["queryStringParameters"]); string(qs) != `{"a":"1,2","b":"c d","flag":""}` {
		t.Errorf("queryStringParameters = %s", qs)
	}
	// A form body is not text to the HTTP API: base64.
	if got["isBase64Encoded"] != true || got["body"] != base64.StdEncoding.EncodeToString([]byte("x=1&y=2")) {
		t.Errorf("form body: isBase64Encoded %v body %v", got["isBase64Encoded"], got["body"])
	}
	rc := got["requestContext"].(map[string]any)
	if rc["stage"] != "$default" || rc["http"].(map[string]any)["path"] != "/café/x" || rc["timeEpoch"] != float64(1589522469693) {
		t.Errorf("requestContext = %v", rc)
	}

	// Nothing to say: no cookies, query, path parameters or body keys.
	q = testRequest(t, "GET", "/", nil, nil)
	q.match, q.stage = Match{Function: "Default", Resource: "/", RouteKey: "ANY /"}, "$default"
	ev, _ = httpEvent(q)
	got = decode(t, ev)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "headers,isBase64Encoded,rawPath,rawQueryString,requestContext,routeKey,version" {
		t.Errorf("keys of a bare GET: %v", keys)
	}
	for ct, text := range map[string]bool{"text/html": true, "application/json; charset=utf-8": true, "application/xml": true, "application/javascript": true,
		"application/octet-stream": false, "": false, "multipart/form-data; boundary=x": false, "image/svg+xml": false} {
		h := map[string]string{}
		if ct != "" {
			h["Content-Type"] = ct
		}
		q := testRequest(t, "POST", "/x", []byte("hi"), h)
		q.match, q.stage = Match{RouteKey: "$default"}, "$default"
		ev, _ := httpEvent(q)
		if b64 := decode(t, ev)["isBase64Encoded"]; b64 == text {
			t.Errorf("Content-Type %q: isBase64Encoded = %v", ct, b64)
		}
	}
}
