package config

import (
	"fmt"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// Matches reports whether a route with this URL name ("catalog:detail"),
// view ("shop.catalog.views.detail") and API path ("/catalog/{pk}/") is
// selected. Every non-empty field must match; an empty Match matches
// nothing. In Name "*" stays within a ":"-separated part, in View within a
// "."-separated part, in Path within a "/"-separated segment; "**" crosses
// separators (and matches the empty string).
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

type globTok struct {
	lit  byte
	star int // 0 literal, 1 "*", 2 "**"
}

// globMatch matches s against pattern in O(len(pattern)*len(s)) time, so
// no pattern can make it slow.
func globMatch(pattern, s string, sep byte) bool {
	var toks []globTok
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' {
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				toks = append(toks, globTok{star: 2})
				i++
			} else {
				toks = append(toks, globTok{star: 1})
			}
			continue
		}
		toks = append(toks, globTok{lit: pattern[i]})
	}
	// cur[j]: the first i tokens match s[:j].
	prev := make([]bool, len(s)+1)
	cur := make([]bool, len(s)+1)
	prev[0] = true
	for _, t := range toks {
		cur[0] = prev[0] && t.star > 0
		for j := 1; j <= len(s); j++ {
			c := s[j-1]
			switch t.star {
			case 0:
				cur[j] = prev[j-1] && c == t.lit
			case 1:
				cur[j] = prev[j] || (cur[j-1] && c != sep)
			default:
				cur[j] = prev[j] || cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(s)]
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
