package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// response is an HTTP answer ready to write.
type response struct {
	status int
	header http.Header
	body   []byte
	// note says why a gateway error was answered (for the log).
	note string
}

// Lambda's synchronous invocation payload limit (request and response).
const lambdaPayloadLimit = 6 * 1024 * 1024

// apiPayloadLimit is API Gateway's request payload quota (REST and HTTP).
const apiPayloadLimit = 10 * 1024 * 1024

// gatewayKind is a response API Gateway makes itself.
type gatewayKind int

const (
	// gwFunctionError: the function raised, timed out, ran out of memory,
	// exited, failed its init, or answered in the wrong shape.
	gwFunctionError gatewayKind = iota
	// gwInvokeRejected: Lambda refused the invocation (payload too large).
	gwInvokeRejected
	// gwIntegrationTimeout: the API's integration timeout passed first.
	gwIntegrationTimeout
	// gwNoRoute: no resource/route for the request.
	gwNoRoute
	// gwForbidden: a REST request outside the stage.
	gwForbidden
	// gwTooLarge: the request body is over the API's payload quota.
	gwTooLarge
	// gwConfig: a REST base64 body API Gateway could not decode.
	gwConfig
)

// gatewayResponse is API Gateway's own answer of that kind: REST's default
// gateway responses (with x-amzn-ErrorType), the HTTP API's fixed bodies.
func gatewayResponse(rest bool, kind gatewayKind, note string) response {
	var status int
	var msg, errType string
	switch kind {
	case gwFunctionError:
		status, msg, errType = 502, "Internal server error", "InternalServerErrorException"
		if !rest {
			status, msg = 500, "Internal Server Error"
		}
	case gwInvokeRejected, gwConfig:
		status, msg, errType = 500, "Internal server error", "InternalServerErrorException"
		if !rest {
			msg = "Internal Server Error"
		}
	case gwIntegrationTimeout:
		status, msg, errType = 504, "Endpoint request timed out", "InternalServerErrorException"
		if !rest {
			status, msg = 503, "Service Unavailable"
		}
	case gwNoRoute:
		status, msg, errType = 403, "Missing Authentication Token", "MissingAuthenticationTokenException"
		if !rest {
			status, msg = 404, "Not Found"
		}
	case gwForbidden:
		status, msg, errType = 403, "Forbidden", "ForbiddenException"
	case gwTooLarge:
		status, msg, errType = 413, "Request Too Long", "RequestTooLargeException"
		if !rest {
			msg = "Request Entity Too Large"
		}
	}
	body, _ := json.Marshal(map[string]string{"message": msg})
	h := http.Header{"Content-Type": {"application/json"}}
	if rest && errType != "" {
		h.Set("X-Amzn-Errortype", errType)
	}
	return response{status: status, header: h, body: body, note: note}
}

// scalar turns a JSON header value into its text; objects and arrays are
// not header values.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		return "", false
	case 'n':
		return "", true
	default:
		return string(raw), true
	}
}

func statusCode(raw json.RawMessage) (int, bool) {
	if s, ok := scalar(raw); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err == nil && n >= 100 && n <= 599 {
			return n, true
		}
	}
	return 0, false
}

// decodeBody decodes a body marked isBase64Encoded.
func decodeBody(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// skipHeader drops hop-by-hop headers and the length API Gateway computes
// itself.
func skipHeader(name string) bool {
	switch strings.ToLower(name) {
	case "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade":
		return true
	}
	return false
}

// restResponse reads a REST (payload 1.0) proxy answer. headers and
// multiValueHeaders merge (a pair present in both is kept once);
// a base64 body is decoded only when the request's first Accept media
// type matches a binary media type, else it goes out as the base64 text.
// Anything else in the wrong shape is API Gateway's 502.
func restResponse(value json.RawMessage, accept string, binary []string) response {
	var v struct {
		StatusCode        json.RawMessage            `json:"statusCode"`
		Headers           map[string]json.RawMessage `json:"headers"`
		MultiValueHeaders map[string]json.RawMessage `json:"multiValueHeaders"`
		Body              json.RawMessage            `json:"body"`
		IsBase64Encoded   json.RawMessage            `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(value, &v); err != nil {
		return gatewayResponse(true, gwFunctionError, "malformed Lambda proxy response: not a JSON object")
	}
	status, ok := statusCode(v.StatusCode)
	if !ok {
		return gatewayResponse(true, gwFunctionError, fmt.Sprintf("malformed Lambda proxy response: statusCode %s", orNull(v.StatusCode)))
	}
	h := http.Header{}
	for _, name := range sortedKeys(v.MultiValueHeaders) {
		var vals []json.RawMessage
		if err := json.Unmarshal(v.MultiValueHeaders[name], &vals); err != nil && string(v.MultiValueHeaders[name]) != "null" {
			return gatewayResponse(true, gwFunctionError, "malformed Lambda proxy response: multiValueHeaders."+name+" is not a list")
		}
		for _, raw := range vals {
			s, ok := scalar(raw)
			if !ok {
				return gatewayResponse(true, gwFunctionError, "malformed Lambda proxy response: multiValueHeaders."+name+" holds a non-scalar")
			}
			if !skipHeader(name) {
				h.Add(name, s)
			}
		}
	}
	for _, name := range sortedKeys(v.Headers) {
		s, ok := scalar(v.Headers[name])
		if !ok {
			return gatewayResponse(true, gwFunctionError, "malformed Lambda proxy response: headers."+name+" is not a string")
		}
		if skipHeader(name) || contains(h.Values(name), s) {
			continue
		}
		h.Add(name, s)
	}
	body, ok := bodyText(v.Body)
	if !ok {
		return gatewayResponse(true, gwFunctionError, "malformed Lambda proxy response: body is not a string")
	}
	out := []byte(body)
	if isTrue(v.IsBase64Encoded) && matchesBinary(accept, binary) {
		b, ok := decodeBody(body)
		if !ok {
			return gatewayResponse(true, gwConfig, "the base64 body could not be decoded")
		}
		out = b
	}
	return response{status: status, header: h, body: out}
}

// httpResponse reads an HTTP API payload 2.0 answer. An answer without
// statusCode is taken as a 200 application/json body (a string answer is
// the body itself, anything else its JSON text); cookies become Set-Cookie
// headers; a base64 body is always decoded.
func httpResponse(value json.RawMessage) response {
	value = bytes.TrimSpace(value)
	var v struct {
		StatusCode      json.RawMessage            `json:"statusCode"`
		Headers         map[string]json.RawMessage `json:"headers"`
		Cookies         []json.RawMessage          `json:"cookies"`
		Body            json.RawMessage            `json:"body"`
		IsBase64Encoded json.RawMessage            `json:"isBase64Encoded"`
	}
	isObject := len(value) > 0 && value[0] == '{'
	if isObject {
		if err := json.Unmarshal(value, &v); err != nil {
			return gatewayResponse(false, gwFunctionError, "malformed Lambda response: "+err.Error())
		}
	}
	if !isObject || v.StatusCode == nil {
		body := value
		var s string
		if len(value) > 0 && value[0] == '"' && json.Unmarshal(value, &s) == nil {
			body = []byte(s)
		}
		return response{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: body}
	}
	status, ok := statusCode(v.StatusCode)
	if !ok {
		return gatewayResponse(false, gwFunctionError, fmt.Sprintf("malformed Lambda response: statusCode %s", orNull(v.StatusCode)))
	}
	h := http.Header{}
	for _, name := range sortedKeys(v.Headers) {
		s, ok := scalar(v.Headers[name])
		if !ok {
			return gatewayResponse(false, gwFunctionError, "malformed Lambda response: headers."+name+" is not a string")
		}
		if !skipHeader(name) {
			h.Add(name, s)
		}
	}
	for _, raw := range v.Cookies {
		s, ok := scalar(raw)
		if !ok {
			return gatewayResponse(false, gwFunctionError, "malformed Lambda response: cookies holds a non-string")
		}
		h.Add("Set-Cookie", s)
	}
	body, ok := bodyText(v.Body)
	if !ok {
		return gatewayResponse(false, gwFunctionError, "malformed Lambda response: body is not a string")
	}
	out := []byte(body)
	if isTrue(v.IsBase64Encoded) {
		b, ok := decodeBody(body)
		if !ok {
			return gatewayResponse(false, gwFunctionError, "the base64 body could not be decoded")
		}
		out = b
	}
	return response{status: status, header: h, body: out}
}

func bodyText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func isTrue(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "true" || s == `"true"`
}

func orNull(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	return string(raw)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
