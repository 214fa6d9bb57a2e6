package config

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// Matches reports whether a route with this URL name ("catalog:detail"),
// view ("shop.catalog.views.detail") and API path ("/catalog/{pk}/") is
// selected. Every non-empty field must match; an empty Match matches
// nothing. In Name "*" stays within a ":"-separated part, in View within a
// "."-separated part, in Path within a "/"-separated segment; "**" as a
// whole part matches any number of parts, none included ("/api/**"
// matches /api, /api/ and everything below), as in doublestar and git.
func (m Match) Matches(name, view, path string) bool {
	if m == (Match{}) {
		return false
	}
	return (m.Name == "" || globMatch(m.Name, name, ':')) &&
		(m.View == "" || globMatch(m.View, view, '.')) &&
		(m.Path == "" || globMatch(m.Path, path, '/'))
}

func (m Match) String() string {
	var parts []string
	if m.Name != "" {
		parts = append(parts, "name: "+m.Name)
	}
	if m.View != "" {
		parts = append(parts, "view: "+m.View)
	}
	if m.Path != "" {
		parts = append(parts, "path: "+m.Path)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// globMatch matches s against pattern with doublestar (the project's one
// glob library; the bundle's exclude/include globs use it too), sep
// playing the part of "/": the separator is mapped to "/" and a "/" of
// the text to a byte no glob gives a meaning. "{" and "}" are literal (API
// paths carry {pk}); doublestar matches in linear time per star, so no
// pattern can make it slow. An invalid pattern matches nothing (the
// decoder refuses it first, see validGlob).
func globMatch(pattern, s string, sep byte) bool {
	ok, err := doublestar.Match(slashed(pattern, sep, true), slashed(s, sep, false))
	return err == nil && ok
}

// slashed maps sep to "/" and "/" to NUL; in a pattern, braces are
// escaped.
func slashed(s string, sep byte, pattern bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == sep:
			b.WriteByte('/')
		case c == '/':
			b.WriteByte(0)
		case pattern && c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
		case pattern && (c == '{' || c == '}'):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// validGlob reports whether pattern is a valid glob (no unclosed "[").
func validGlob(pattern string) bool {
	return doublestar.ValidatePattern(slashed(pattern, '/', true))
}

// RuleFor returns the index of the first rule matching the route, or -1.
func (c *Config) RuleFor(r django.Route) int {
	for i, rule := range c.Functions.Rules {
		if rule.Match.Matches(r.Name, r.View, r.Path) {
			return i
		}
	}
	return -1
}

// UnusedRules returns a warning, at the rule's match, for every rule that
// selects no route, and for every rule whose routes are all taken by
// earlier rules (the first match wins).
func (c *Config) UnusedRules(routes []django.Route) diag.List {
	var out diag.List
	winner := make([]int, len(routes))
	for j, r := range routes {
		winner[j] = c.RuleFor(r)
	}
	for i, rule := range c.Functions.Rules {
		matched, won := 0, 0
		for j, r := range routes {
			if !rule.Match.Matches(r.Name, r.View, r.Path) {
				continue
			}
			matched++
			if winner[j] == i {
				won++
			}
		}
		switch {
		case matched == 0:
			out.Warnf(rule.Pos.File, rule.Pos.Line, rule.Pos.Col, "functions.rules[%d]: rule %s matches no route", i, rule.Match)
		case won == 0:
			out.Warnf(rule.Pos.File, rule.Pos.Line, rule.Pos.Col, "functions.rules[%d]: rule %s never applies: every route it matches is taken by an earlier rule", i, rule.Match)
		}
	}
	return out
}

var _ fmt.Stringer = Match{}
