package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		m                Match
		name, view, path string
		want             bool
	}{
		{Match{Name: "catalog:*"}, "catalog:detail", "", "", true},
		{Match{Name: "catalog:*"}, "catalog", "", "", false},
		{Match{Name: "catalog:*"}, "shop:catalog:detail", "", "", false},
		{Match{Name: "catalog:*"}, "catalog:admin:detail", "", "", false}, // * stays within a part
		{Match{Name: "catalog:**"}, "catalog:admin:detail", "", "", true},
		{Match{Name: "**:detail"}, "shop:catalog:detail", "", "", true},
		{Match{Name: "*"}, "", "", "", true},  // an unnamed route has the empty name
		{Match{Name: "?"}, "a", "", "", true}, // doublestar: one character
		{Match{Name: "?"}, "ab", "", "", false},
		{Match{Name: "v[12]:*"}, "v2:list", "", "", true},
		{Match{Name: "docs/*"}, "docs/x", "", "", true},    // "/" is an ordinary character in names
		{Match{Name: "docs:*"}, "docs:a/b", "", "", true},  // and * crosses it there
		{Match{Name: "docs:*"}, "docs:a:b", "", "", false}, // but not ":"
		{Match{View: "shop.catalog.views.*"}, "", "shop.catalog.views.detail", "", true},
		{Match{View: "shop.catalog.views.*"}, "", "shop.catalog.views.api.List", "", false},
		{Match{View: "shop.**"}, "", "shop.catalog.views.api.List", "", true},
		{Match{View: "**.ProductViewSet"}, "", "shop.catalog.api.ProductViewSet", "", true},
		{Match{View: "*.views.*"}, "", "catalog.views.detail", "", true},
		{Match{Path: "/api/*"}, "", "", "/api/", true},
		{Match{Path: "/api/*"}, "", "", "/api/products/", false},
		{Match{Path: "/api/*/"}, "", "", "/api/products/", true},
		{Match{Path: "/api/**"}, "", "", "/api/products/{pk}/", true},
		{Match{Path: "/api/**"}, "", "", "/api", true}, // ** matches zero parts (doublestar, git)
		{Match{Path: "/api/**"}, "", "", "/apis/", false},
		{Match{Path: "/catalog/{pk}/"}, "", "", "/catalog/pk/", false}, // braces are literal
		{Match{Path: "/a**/"}, "", "", "/ab/c/", false},                // ** inside a part is *
		{Match{Path: "/catalog/{pk}/"}, "", "", "/catalog/{pk}/", true},
		{Match{Path: "/**/reviews/"}, "", "", "/catalog/{pk}/reviews/", true},
		{Match{Path: "**"}, "", "", "/", true},
		// every set field must match
		{Match{Name: "catalog:*", Path: "/api/**"}, "catalog:detail", "", "/catalog/1/", false},
		{Match{Name: "catalog:*", Path: "/catalog/**"}, "catalog:detail", "", "/catalog/{pk}/", true},
		{Match{}, "a", "b", "/c", false},
	}
	for _, tt := range tests {
		if got := tt.m.Matches(tt.name, tt.view, tt.path); got != tt.want {
			t.Errorf("%s.Matches(%q, %q, %q) = %v, want %v", tt.m, tt.name, tt.view, tt.path, got, tt.want)
		}
	}
}

func TestInvalidGlobRefused(t *testing.T) {
	_, err := Parse("c.yml", []byte("functions:\n  rules:\n    - match: {path: \"/api/[x\"}\n      memory: 256\n"))
	if err == nil || !strings.Contains(err.Error(), `c.yml:3:21: error: functions.rules[0].match.path: pattern "/api/[x": unclosed [`) {
		t.Errorf("want the unclosed [ at c.yml:3:21, got %v", err)
	}
}

func TestInvalidFileGlobRefused(t *testing.T) {
	_, err := Parse("c.yml", []byte("exclude: [\"media/**\", \"a[b\"]\ninclude: [\"{x,y\"]\n"))
	for _, want := range []string{`c.yml:1:23: error: exclude[1]: pattern "a[b": unclosed [ or {`, `c.yml:2:11: error: include[0]: pattern "{x,y": unclosed [ or {`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}

func TestGlobMatchIsLinear(t *testing.T) {
	// A pattern that makes naive backtracking exponential.
	pattern := "/**a**a**a**a**a**a**a**a**a**a**a**a**b"
	s := "/" + strings.Repeat("a", 4000)
	if globMatch(pattern, s, '/') {
		t.Error("matched a string without b")
	}
}

func TestUnusedRules(t *testing.T) {
	src := `functions:
  rules:
    - match: {name: "catalog:*"}
      memory: 1024
    - match: {path: "/legacy/**"}
      memory: 256
    - match: {view: "shop.catalog.views.detail"}
      timeout: 20
    - match:
        view: "shop.orders.**"
      warm: false
`
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	routes := []django.Route{
		{Path: "/catalog/", View: "shop.catalog.views.index", Name: "catalog:index"},
		{Path: "/catalog/{pk}/", View: "shop.catalog.views.detail", Name: "catalog:detail"},
		{Path: "/orders/", View: "shop.orders.views.OrderList", Name: "orders:list"},
	}
	if got := c.RuleFor(routes[1]); got != 0 {
		t.Errorf("RuleFor(detail) = %d, want 0 (first match wins)", got)
	}
	var got []string
	for _, d := range c.UnusedRules(routes) {
		got = append(got, d.String())
	}
	want := []string{
		`c.yml:5:7: warning: functions.rules[1]: rule {path: /legacy/**} matches no route`,
		`c.yml:7:7: warning: functions.rules[2]: rule {view: shop.catalog.views.detail} never applies: every route it matches is taken by an earlier rule`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UnusedRules (-want +got):\n%s", diff)
	}
	if l := c.UnusedRules(nil); len(l) != 4 || l.HasErrors() {
		t.Errorf("UnusedRules(no routes) = %v, want 4 warnings", l)
	}
}

func BenchmarkRuleFor(b *testing.B) {
	c := &Config{Functions: Functions{Rules: []Rule{
		{Match: Match{Name: "catalog:*"}},
		{Match: Match{Path: "/api/**/reviews/"}},
		{Match: Match{View: "shop.orders.**"}},
	}}}
	r := django.Route{Path: "/api/v1/products/{pk}/reviews/", View: "shop.reviews.views.ReviewList", Name: "reviews:list"}
	for b.Loop() {
		c.RuleFor(r)
	}
}
