package django

import (
	"strings"
	"testing"
)

func TestAPIPathParts(t *testing.T) {
	p := func(s string) routePart { return routePart{text: s} }
	re := func(s string) routePart { return routePart{text: s, regex: true} }
	tests := []struct {
		name  string
		parts []routePart
		want  string
	}{
		{"empty route", []routePart{p("")}, "/"},
		{"design example path", []routePart{p("catalog/"), p("<int:pk>/")}, "/catalog/{pk}/"},
		{"converter without type", []routePart{p("u/<name>/")}, "/u/{name}/"},
		{"no trailing slash stays without", []routePart{p("a/<slug:s>")}, "/a/{s}"},
		{"path converter at end is greedy", []routePart{p("files/<path:rest>")}, "/files/{rest+}"},
		{"path converter not at end stops", []routePart{p("files/<path:rest>/x/")}, "/files/{proxy+}"},
		{"path converter before slash stops", []routePart{p("files/<path:rest>/")}, "/files/{proxy+}"},
		{"converter inside a segment stops", []routePart{p("item-<int:pk>/")}, "/{proxy+}"},
		{"literal dot in path() route", []routePart{p("robots.txt")}, "/robots.txt"},
		{"character API Gateway refuses stops", []routePart{p("a/b c/")}, "/a/{proxy+}"},
		{"leading slash gives empty segment", []routePart{p("/x/")}, "/{proxy+}"},
		{"design example search", []routePart{re("^search/?$")}, "/{proxy+}"},
		{"design example receipts", []routePart{p("orders/"), re("^receipts/(?P<number>[0-9]+)(?:\\.pdf)?$")}, "/orders/receipts/{proxy+}"},
		{"named group", []routePart{re(`^blog/(?P<slug>[\w-]+)/$`)}, "/blog/{slug}/"},
		{"anchors dropped between levels", []routePart{re("^api/"), re("^products/$")}, "/api/products/"},
		{"drf lookup", []routePart{p("api/"), re("^products/(?P<pk>[^/.]+)/$")}, "/api/products/{pk}/"},
		{"unnamed groups numbered across the route", []routePart{re(`^a/(\d+)/`), re(`^b/(\d+)/$`)}, "/a/{arg1}/b/{arg2}/"},
		{"escaped literal", []routePart{re(`^robots\.txt$`)}, "/robots.txt"},
		{"escaped slash literal", []routePart{re(`^a\/b/$`)}, "/a/b/"},
		{"group able to match slash", []routePart{re(`^files/(?P<p>.*)$`)}, "/files/{proxy+}"},
		// DESIGN section 2: an unnamed group is a parameter only if it
		// cannot match "/" either ("/files/{arg1}" would be wrong).
		{"unnamed group able to match slash", []routePart{re(`^files/(.+)/$`)}, "/files/{proxy+}"},
		{"unnamed negated class able to match slash", []routePart{re(`^x/([^.]+)$`)}, "/x/{proxy+}"},
		{"negated class without slash can match slash", []routePart{re(`^x/(?P<p>[^.]+)/$`)}, "/x/{proxy+}"},
		{"class with slash", []routePart{re(`^x/(?P<p>[a-z/]+)/$`)}, "/x/{proxy+}"},
		{"range covering slash", []routePart{re(`^x/(?P<p>[!-~]+)/$`)}, "/x/{proxy+}"},
		{"\\S matches slash", []routePart{re(`^x/(?P<p>\S+)/$`)}, "/x/{proxy+}"},
		{"group inside a segment", []routePart{re(`^x/v(?P<n>\d+)/$`)}, "/x/{proxy+}"},
		{"quantified group", []routePart{re(`^x/(?P<n>\d+)?/$`)}, "/x/{proxy+}"},
		{"quantified literal", []routePart{re(`^ab+c/$`)}, "/{proxy+}"},
		{"counted quantifier on literal", []routePart{re(`^x/a{2}/$`)}, "/x/{proxy+}"},
		{"counted quantifier inside group is fine", []routePart{re(`^(?P<year>[0-9]{4})/$`)}, "/{year}/"},
		{"non-capturing group", []routePart{re(`^x/(?:a|b)/$`)}, "/x/{proxy+}"},
		{"alternation inside group is a parameter", []routePart{re(`^x/(?P<fmt>json|xml)/$`)}, "/x/{fmt}/"},
		{"top-level alternation stops at its level", []routePart{p("p/"), re(`^a/$|^b/$`)}, "/p/{proxy+}"},
		{"class outside group", []routePart{re(`^x/[a-z]+/$`)}, "/x/{proxy+}"},
		{"dot outside group", []routePart{re(`^x/a.b/$`)}, "/x/{proxy+}"},
		{"class escape outside group", []routePart{re(`^x/\d+/$`)}, "/x/{proxy+}"},
		{"lookahead", []routePart{re(`^x/(?=a)a/$`)}, "/x/{proxy+}"},
		{"duplicate parameter names", []routePart{p("<int:pk>/"), p("<int:pk>/")}, "/{pk}/{proxy+}"},
		{"regex then path converter", []routePart{re("^wiki/"), p("<path:title>")}, "/wiki/{title+}"},
		{"unbalanced group", []routePart{re(`^x/(?P<a>\d+/$`)}, "/x/{proxy+}"},
		{"trailing slash kept", []routePart{re(`^x/$`)}, "/x/"},
		{"no trailing slash", []routePart{re(`^x$`)}, "/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiPathParts(tt.parts); got != tt.want {
				t.Errorf("apiPathParts(%+v) = %q, want %q", tt.parts, got, tt.want)
			}
		})
	}
}

func TestAPIPath(t *testing.T) {
	tests := []struct{ route, want string }{
		{"catalog/<int:pk>/", "/catalog/{pk}/"},
		{"^search/?$", "/{proxy+}"},
		{"orders/^receipts/(?P<number>[0-9]+)(?:\\.pdf)?$", "/orders/receipts/{proxy+}"},
		// ResolverMatch.route form: the inner "^" is dropped when joining.
		{"orders/receipts/(?P<number>[0-9]+)(?:\\.pdf)?$", "/orders/receipts/{proxy+}"},
		{"api/products/(?P<pk>[^/.]+)/$", "/api/products/{pk}/"},
		{"robots.txt", "/robots.txt"},
		{`^robots\.txt$`, "/robots.txt"},
		{"^wiki/<path:title>", "/wiki/{title+}"},
		{"", "/"},
	}
	for _, tt := range tests {
		if got := APIPath(tt.route); got != tt.want {
			t.Errorf("APIPath(%q) = %q, want %q", tt.route, got, tt.want)
		}
	}
}

func TestJoinRoute(t *testing.T) {
	got := joinRoute([]routePart{{text: "^api/", regex: true}, {text: "^products/$", regex: true}})
	if got != "^api/products/$" {
		t.Errorf("joinRoute = %q", got)
	}
	got = joinRoute([]routePart{{text: ""}, {text: "^x/$", regex: true}})
	if got != "^x/$" {
		t.Errorf("joinRoute with empty prefix = %q, want the child's anchor kept", got)
	}
}

// checkAPIPath asserts the invariants every API path must hold.
func checkAPIPath(t *testing.T, route, got string) {
	t.Helper()
	if !strings.HasPrefix(got, "/") {
		t.Fatalf("APIPath(%q) = %q: no leading slash", route, got)
	}
	depth := 0
	for i, r := range got {
		switch {
		case r == '{':
			depth++
			if depth > 1 || got[i-1] != '/' {
				t.Fatalf("APIPath(%q) = %q: brace not at segment start", route, got)
			}
		case r == '}':
			depth--
			if depth < 0 || i+1 < len(got) && got[i+1] != '/' {
				t.Fatalf("APIPath(%q) = %q: brace not at segment end", route, got)
			}
		case r == '+':
			if depth != 1 || i+2 != len(got) || got[i+1] != '}' {
				t.Fatalf("APIPath(%q) = %q: greedy parameter not at the end", route, got)
			}
		case r == '/' && i > 0 && got[i-1] == '/':
			t.Fatalf("APIPath(%q) = %q: empty segment", route, got)
		case !pathChar(r) && !(depth == 1 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')):
			t.Fatalf("APIPath(%q) = %q: character %q not allowed", route, got, r)
		}
	}
	if depth != 0 {
		t.Fatalf("APIPath(%q) = %q: unbalanced braces", route, got)
	}
}

func FuzzAPIPath(f *testing.F) {
	for _, s := range []string{"", "catalog/<int:pk>/", "^search/?$", "orders/^receipts/(?P<number>[0-9]+)(?:\\.pdf)?$",
		"files/<path:p>", `^(\d+)/(\d+)/$`, "a/<x>/<x>/", "^x/(?P<a>[^/]+)/$", "(", "<", "\\", "[", "^(?P<", "{1,2}", "/a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, route string) {
		checkAPIPath(t, route, APIPath(route))
		checkAPIPath(t, route, apiPathParts([]routePart{{text: route}, {text: route, regex: true}}))
	})
}
