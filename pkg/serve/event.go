package serve

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The identifiers the local API puts in its events: an API ID, an account
// and a domain prefix that cannot be mistaken for real ones.
const (
	localAPIID   = "local"
	localAccount = "000000000000"
)

// request is what an event is built from: the HTTP request, its body read
// whole, and what serve knows about the API.
type request struct {
	r         *http.Request
	body      []byte
	match     Match
	stage     string // REST stage ("dev"); "$default" for the HTTP API
	path      string // REST: the path below the stage, still encoded
	requestID string
	now       time.Time
	port      string // the port serve listens on (X-Forwarded-Port)
	binary    []string
}

// newRequestID is a random UUID (version 4), like API Gateway's.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// traceID is an X-Ray trace header value as API Gateway adds it.
func traceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// mediaType is the lower-case type/subtype of a header value, "" when absent.
func mediaType(v string) string {
	if v == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		mt = strings.TrimSpace(strings.SplitN(v, ";", 2)[0])
	}
	return strings.ToLower(mt)
}

// matchesBinary reports whether a media type matches the API's binary
// media types: exact, type/* or */* (which also matches an absent type).
func matchesBinary(mt string, types []string) bool {
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "*/*":
			return true
		case mt == "":
			continue
		case strings.HasSuffix(t, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(t, "*")):
			return true
		case t == mt:
			return true
		}
	}
	return false
}

// firstAccept is the first media type of the Accept header: the only one
// REST APIs look at ("API Gateway honors only the first Accept media type").
func firstAccept(r *http.Request) string {
	v := r.Header.Get("Accept")
	return mediaType(strings.TrimSpace(strings.SplitN(v, ",", 2)[0]))
}

// restRequestBinary: a REST API base64-encodes the request body when its
// Content-Type matches a binary media type (an absent one is taken as
// application/json, API Gateway's default).
func restRequestBinary(r *http.Request, types []string) bool {
	mt := mediaType(r.Header.Get("Content-Type"))
	if mt == "" {
		mt = "application/json"
	}
	return matchesBinary(mt, types)
}

// httpRequestText: the HTTP API passes the body as text only for text/*,
// application/json, application/xml and application/javascript; anything
// else, an absent type and application/x-www-form-urlencoded included, is
// base64-encoded (measured against AWS by others; the docs do not list it).
func httpRequestText(r *http.Request) bool {
	mt := mediaType(r.Header.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// gatewayHeaders are the request headers API Gateway adds or replaces, as
// a regional endpoint does on localhost: the scheme is http and the port
// serve's own, so that Django builds links and checks CSRF origins for
// the address the browser uses.
func (q *request) gatewayHeaders() [][2]string {
	xff := clientIP(q.r)
	if prev := q.r.Header.Values("X-Forwarded-For"); len(prev) > 0 {
		xff = strings.Join(prev, ", ") + ", " + xff
	}
	return [][2]string{
		{"X-Amzn-Trace-Id", traceID(q.now)},
		{"X-Forwarded-For", xff},
		{"X-Forwarded-Port", q.port},
		{"X-Forwarded-Proto", "http"},
	}
}

// headerList is the request's headers in a stable order (Host first, then
// by name), with API Gateway's own.
func (q *request) headerList() (names []string, values map[string][]string) {
	values = map[string][]string{}
	add := func(name string, vs ...string) {
		if _, ok := values[name]; !ok {
			names = append(names, name)
		}
		values[name] = append(values[name], vs...)
	}
	add("Host", q.r.Host)
	keys := make([]string, 0, len(q.r.Header))
	for k := range q.r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	gw := q.gatewayHeaders()
	own := map[string]bool{}
	for _, h := range gw {
		own[h[0]] = true
	}
	for _, k := range keys {
		if own[k] || k == "Host" {
			continue
		}
		add(k, q.r.Header[k]...)
	}
	for _, h := range gw {
		add(h[0], h[1])
	}
	return names, values
}

func (q *request) domain() (name, prefix string) {
	name = q.r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	prefix = strings.SplitN(name, ".", 2)[0]
	return name, prefix
}

// restEvent builds the REST API (payload 1.0) proxy event, field for field
// as API Gateway sends it: path still percent-encoded and below the stage,
// requestContext.path with the stage, multi-value maps holding every value
// and the single-value maps the last one, query values decoded, null for
// absent maps and bodies.
func restEvent(q *request) ([]byte, error) {
	names, values := q.headerList()
	headers := map[string]string{}
	multi := map[string][]string{}
	for _, n := range names {
		vs := values[n]
		headers[n] = vs[len(vs)-1]
		multi[n] = vs
	}
	var qs map[string]string
	var mqs map[string][]string
	if q.r.URL.RawQuery != "" {
		qs, mqs = map[string]string{}, map[string][]string{}
		for _, kv := range queryPairs(q.r.URL.RawQuery) {
			qs[kv[0]] = kv[1]
			mqs[kv[0]] = append(mqs[kv[0]], kv[1])
		}
	}
	var body any
	b64 := false
	if len(q.body) > 0 {
		if restRequestBinary(q.r, q.binary) {
			body, b64 = base64.StdEncoding.EncodeToString(q.body), true
		} else {
			body = string(q.body)
		}
	}
	domain, prefix := q.domain()
	resource := q.match.Resource
	ev := map[string]any{
		"resource":                        resource,
		"path":                            q.path,
		"httpMethod":                      q.r.Method,
		"headers":                         headers,
		"multiValueHeaders":               multi,
		"queryStringParameters":           qs,
		"multiValueQueryStringParameters": mqs,
		"pathParameters":                  q.match.Params,
		"stageVariables":                  nil,
		"requestContext": map[string]any{
			"resourceId":        "local",
			"resourcePath":      resource,
			"httpMethod":        q.r.Method,
			"extendedRequestId": q.requestID,
			"requestTime":       q.now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			"path":              "/" + q.stage + q.path,
			"accountId":         localAccount,
			"protocol":          q.r.Proto,
			"stage":             q.stage,
			"domainPrefix":      prefix,
			"requestTimeEpoch":  q.now.UnixMilli(),
			"requestId":         q.requestID,
			"identity": map[string]any{
				"cognitoIdentityPoolId":         nil,
				"accountId":                     nil,
				"cognitoIdentityId":             nil,
				"caller":                        nil,
				"sourceIp":                      clientIP(q.r),
				"principalOrgId":                nil,
				"accessKey":                     nil,
				"cognitoAuthenticationType":     nil,
				"cognitoAuthenticationProvider": nil,
				"userArn":                       nil,
				"userAgent":                     q.r.Header.Get("User-Agent"),
				"user":                          nil,
			},
			"domainName": domain,
			"apiId":      localAPIID,
		},
		"body":            body,
		"isBase64Encoded": b64,
	}
	if q.match.Params == nil {
		ev["pathParameters"] = nil
	}
	return json.Marshal(ev)
}

// httpEvent builds the HTTP API payload 2.0 event: lower-case headers with
// repeats joined by commas, the Cookie headers split into cookies (and
// removed from headers), rawPath decoded (as API Gateway delivers it),
// rawQueryString as sent, query parameters decoded and joined by commas,
// absent fields left out.
func httpEvent(q *request) ([]byte, error) {
	names, values := q.headerList()
	headers := map[string]string{}
	var cookies []string
	for _, n := range names {
		ln := strings.ToLower(n)
		if ln == "cookie" {
			for _, v := range values[n] {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		if prev, ok := headers[ln]; ok {
			headers[ln] = prev + "," + strings.Join(values[n], ",")
		} else {
			headers[ln] = strings.Join(values[n], ",")
		}
	}
	domain, prefix := q.domain()
	rawPath := q.r.URL.Path
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       q.match.RouteKey,
		"rawPath":        rawPath,
		"rawQueryString": q.r.URL.RawQuery,
		"headers":        headers,
		"requestContext": map[string]any{
			"accountId":    localAccount,
			"apiId":        localAPIID,
			"domainName":   domain,
			"domainPrefix": prefix,
			"http": map[string]any{
				"method":    q.r.Method,
				"path":      rawPath,
				"protocol":  q.r.Proto,
				"sourceIp":  clientIP(q.r),
				"userAgent": q.r.Header.Get("User-Agent"),
			},
			"requestId": q.requestID,
			"routeKey":  q.match.RouteKey,
			"stage":     q.stage,
			"time":      q.now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			"timeEpoch": q.now.UnixMilli(),
		},
		"isBase64Encoded": false,
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if q.r.URL.RawQuery != "" {
		qs := map[string]string{}
		for _, kv := range queryPairs(q.r.URL.RawQuery) {
			if prev, ok := qs[kv[0]]; ok {
				qs[kv[0]] = prev + "," + kv[1]
			} else {
				qs[kv[0]] = kv[1]
			}
		}
		ev["queryStringParameters"] = qs
	}
	if q.match.Params != nil {
		ev["pathParameters"] = q.match.Params
	}
	if len(q.body) > 0 {
		if httpRequestText(q.r) {
			ev["body"] = string(q.body)
		} else {
			ev["body"] = base64.StdEncoding.EncodeToString(q.body)
			ev["isBase64Encoded"] = true
		}
	}
	return json.Marshal(ev)
}

// queryPairs decodes a raw query string into (name, value) pairs in order;
// a name without '=' has the value "", a malformed escape stays as sent.
func queryPairs(raw string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, [2]string{queryUnescape(k), queryUnescape(v)})
	}
	return out
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
