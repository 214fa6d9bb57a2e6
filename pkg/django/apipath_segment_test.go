package django

import "testing"

// The cases groundtruth.py's self-test shares with discovery for path()
// routes: a converter that does not fill a whole segment, a <path:>
// converter that does not end the route, and characters API Gateway
// resource paths do not take, all stop the path.
func TestAPIPathSegmentRules(t *testing.T) {
	for _, tc := range []struct {
		parts []routePart
		want  string
	}{
		{[]routePart{{text: "badge/<slug:tag>.json"}}, "/badge/{proxy+}"},
		{[]routePart{{text: "v<int:n>/x/"}}, "/{proxy+}"},
		{[]routePart{{text: "files/<path:p>/meta/"}}, "/files/{proxy+}"},
		{[]routePart{{text: "users/~redirect/"}}, "/users/{proxy+}"},
		{[]routePart{{text: "a//b/"}}, "/a/{proxy+}"},
		{[]routePart{{text: "docs/"}, {text: "<path:page>"}}, "/docs/{page+}"},
		{[]routePart{{text: "badge/"}, {text: "<slug:tag>"}, {text: "/x/"}}, "/badge/{tag}/x/"},
	} {
		if got := apiPathParts(tc.parts); got != tc.want {
			t.Errorf("apiPathParts(%v) = %s, want %s", tc.parts, got, tc.want)
		}
	}
}
