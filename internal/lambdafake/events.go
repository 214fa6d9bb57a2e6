package lambdafake

import (
	"encoding/json"
	"net/url"
	"strings"
)

// HTTPEvent is the event API Gateway's HTTP API (payload format 2.0) sends
// a function for one request: what stands for API Gateway in tests that
// invoke functions through the fake. path may carry a query string.
func HTTPEvent(method, path string, headers map[string]string, body string) []byte {
	raw, query, _ := strings.Cut(path, "?")
	h := map[string]string{"host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "lambdafake"}
	for k, v := range headers {
		h[strings.ToLower(k)] = v
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		decoded = raw
	}
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       "$default",
		"rawPath":        raw,
		"rawQueryString": query,
		"headers":        h,
		"requestContext": map[string]any{
			"accountId":    "123456789012",
			"apiId":        "abc123",
			"domainName":   h["host"],
			"domainPrefix": "abc123",
			"http": map[string]any{
				"method": method, "path": decoded, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": h["user-agent"],
			},
			"requestId": "lambdafake",
			"routeKey":  "$default",
			"stage":     "$default",
			"timeEpoch": 0,
		},
		"body":            body,
		"isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

// HTTPResponse is a payload format 2.0 response.
type HTTPResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}
