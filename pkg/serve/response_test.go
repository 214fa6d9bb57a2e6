package serve

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestRESTResponse(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0}
	b64 := base64.StdEncoding.EncodeToString(png)
	for _, c := range []struct {
		name   string
		value  string
		accept string
		binary []string
		status int
		header http.Header
		body   string
	}{
		{name: "plain", value: `{"statusCode": 201, "headers": {"Content-Type": "text/plain"}, "body": "made"}`,
			status: 201, header: http.Header{"Content-Type": {"text/plain"}}, body: "made"},
		{name: "merge headers and multiValueHeaders, a pair in both kept once",
			value:  `{"statusCode": 200, "headers": {"X-A": "1", "X-B": "b"}, "multiValueHeaders": {"X-A": ["1", "2"], "Set-Cookie": ["a=1", "b=2"]}, "body": ""}`,
			status: 200, header: http.Header{"X-A": {"1", "2"}, "X-B": {"b"}, "Set-Cookie": {"a=1", "b=2"}}},
		{name: "base64 body decoded for a binary Accept", value: `{"statusCode": 200, "body": "` + b64 + `", "isBase64Encoded": true}`,
			accept: "image/png", binary: []string{"image/*"}, status: 200, header: http.Header{}, body: string(png)},
		{name: "base64 body left as text when the first Accept type is not binary", value: `{"statusCode": 200, "body": "` + b64 + `", "isBase64Encoded": true}`,
			accept: "text/html", binary: []string{"image/*"}, status: 200, header: http.Header{}, body: b64},
		{name: "*/* decodes every base64 body", value: `{"statusCode": 200, "body": "` + b64 + `", "isBase64Encoded": true}`,
			binary: []string{"*/*"}, status: 200, header: http.Header{}, body: string(png)},
		{name: "numeric strings and null body accepted", value: `{"statusCode": "204", "body": null}`, status: 204, header: http.Header{}},
		{name: "hop-by-hop and length dropped", value: `{"statusCode": 200, "headers": {"Content-Length": "99", "Connection": "close", "X-Ok": "1"}, "body": "x"}`,
			status: 200, header: http.Header{"X-Ok": {"1"}}, body: "x"},
		{name: "no statusCode: 502", value: `{"body": "x"}`, status: 502},
		{name: "status out of range: 502", value: `{"statusCode": 99, "body": "x"}`, status: 502},
		{name: "object body: 502", value: `{"statusCode": 200, "body": {"a": 1}}`, status: 502},
		{name: "not an object: 502", value: `"hello"`, status: 502},
		{name: "header value an object: 502", value: `{"statusCode": 200, "headers": {"X": {"a": 1}}}`, status: 502},
		{name: "multiValueHeaders not lists: 502", value: `{"statusCode": 200, "multiValueHeaders": {"X": "a"}}`, status: 502},
		{name: "bad base64 with a binary Accept: 500", value: `{"statusCode": 200, "body": "!!", "isBase64Encoded": true}`, binary: []string{"*/*"}, status: 500},
	} {
		got := restResponse([]byte(c.value), c.accept, c.binary)
		if got.status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, got.status, c.status, got.note)
			continue
		}
		if c.status >= 500 {
			if !strings.Contains(string(got.body), "Internal server error") || got.note == "" {
				t.Errorf("%s: body %s note %q", c.name, got.body, got.note)
			}
			continue
		}
		if string(got.body) != c.body {
			t.Errorf("%s: body %q, want %q", c.name, got.body, c.body)
		}
		if len(got.header) != len(c.header) {
			t.Errorf("%s: headers %v, want %v", c.name, got.header, c.header)
		}
		for k, vs := range c.header {
			if strings.Join(got.header.Values(k), "|") != strings.Join(vs, "|") {
				t.Errorf("%s: %s = %v, want %v", c.name, k, got.header.Values(k), vs)
			}
		}
	}
}

func TestHTTPResponse(t *testing.T) {
	for _, c := range []struct {
		name, value string
		status      int
		ctype       string
		cookies     []string
		body        string
	}{
		{name: "full", value: `{"statusCode": 302, "headers": {"location": "/x", "content-type": "text/html"}, "cookies": ["a=1; Path=/", "b=2"], "body": "<p>"}`,
			status: 302, ctype: "text/html", cookies: []string{"a=1; Path=/", "b=2"}, body: "<p>"},
		{name: "base64 always decoded", value: `{"statusCode": 200, "body": "aGk=", "isBase64Encoded": true}`, status: 200, body: "hi"},
		{name: "inferred from an object", value: `{"message": "Hello"}`, status: 200, ctype: "application/json", body: `{"message": "Hello"}`},
		{name: "inferred from a string", value: `"Hello from Lambda!"`, status: 200, ctype: "application/json", body: "Hello from Lambda!"},
		{name: "inferred from a number", value: `42`, status: 200, ctype: "application/json", body: "42"},
		{name: "bad status: 500", value: `{"statusCode": "abc"}`, status: 500},
		{name: "bad base64: 500", value: `{"statusCode": 200, "body": "%%%", "isBase64Encoded": true}`, status: 500},
	} {
		got := httpResponse([]byte(c.value))
		if got.status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, got.status, c.status, got.note)
			continue
		}
		if c.status == 500 {
			if string(got.body) != `{"message":"Internal Server Error"}` {
				t.Errorf("%s: body %s", c.name, got.body)
			}
			continue
		}
		if string(got.body) != c.body || got.header.Get("Content-Type") != c.ctype || strings.Join(got.header.Values("Set-Cookie"), "|") != strings.Join(c.cookies, "|") {
			t.Errorf("%s: body %q type %q cookies %v", c.name, got.body, got.header.Get("Content-Type"), got.header.Values("Set-Cookie"))
		}
	}
}

// TestFirstAccept: REST APIs look only at the first media type of Accept
// ("API Gateway honors only the first Accept media type").
func TestFirstAccept(t *testing.T) {
	for accept, want := range map[string]string{
		"image/webp,image/*,*/*;q=0.8": "image/webp",
		"Text/HTML; q=1, image/png":    "text/html",
		"":                             "",
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := firstAccept(r); got != want {
			t.Errorf("Accept %q: %q, want %q", accept, got, want)
		}
	}
	// With image/* binary, a browser's image request decodes; its page
	// request (text/html first) gets the base64 text.
	if !matchesBinary("image/webp", []string{"image/*"}) || matchesBinary("text/html", []string{"image/*"}) || matchesBinary("", []string{"image/*"}) {
		t.Error("matchesBinary with image/*")
	}
}
