package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// A domain name belongs to one environment: the API Gateway custom domain,
// the CloudFront alias and the Route 53 record each exist once (API
// Gateway: "already exists"; CloudFront: CNAMEAlreadyExists, across every
// account; Route 53: one record set per name and type in a zone). A name
// two environments would resolve to makes the second one's deploy fail,
// so the file is refused at load time instead.

// DefaultEnvironment is the environment the action and the CLI deploy
// when none is given.
const DefaultEnvironment = "dev"

// Which environments are held against each other: every one the file
// lists (each resolved through the merge; domain: ~ is none), the default
// environment when the file does not list it (it is deployed without
// being named, with the base settings), and the previews (pr-<N>: the
// preview override over the base) unless that override removes the
// domain. Any other name could be deployed too (--env staging), but
// counting every name a template could produce would refuse sound files
// (a top-level name without {env} is fine when one listed environment
// alone takes it), so those are not held against anyone.

// domainUser is one environment (or every preview) and the domain name it
// resolves to.
type domainUser struct {
	name string   // resolved, lower case
	pos  Position // where the name is written
	kind domainUserKind
	env  string // the environment (kind listed, defaultEnv, onePreview)
}

type domainUserKind int

const (
	userListed      domainUserKind = iota // an environment the file lists
	userDefault                           // dev, not listed
	userAllPreviews                       // every pr-<N>: a preview name without placeholders
	userOnePreview                        // one pr-<N> (not listed) a preview template gives this name
)

// label names the user in a list ("dev, prod, every pr-<N>").
func (u domainUser) label() string {
	if u.kind == userAllPreviews {
		return "every pr-<N>"
	}
	return u.env
}

// subject names the user as the one whose name is reported.
func (u domainUser) subject() string {
	switch u.kind {
	case userAllPreviews:
		return "every preview (pr-1, pr-2, ...)"
	case userOnePreview:
		return "preview " + u.env
	case userDefault:
		return u.env
	}
	return "environment " + u.env
}

// other describes the user as the one already holding the name.
func (u domainUser) other() string {
	switch u.kind {
	case userAllPreviews:
		return fmt.Sprintf("what every preview resolves to (%s)", posString(u.pos))
	case userOnePreview:
		return fmt.Sprintf("what preview %s resolves to (%s)", u.env, posString(u.pos))
	case userDefault:
		return fmt.Sprintf("what %s resolves to (%s, not listed under environments)", u.env, posString(u.pos))
	}
	return fmt.Sprintf("what environment %s resolves to (%s)", u.env, posString(u.pos))
}

func hasPlaceholder(name string) bool {
	return strings.Contains(name, "{env}") || strings.Contains(name, "{number}")
}

// checkDomains reports every domain name that two environments would
// share. It runs once the file decodes cleanly; listed holds every
// environment the file lists (but preview), as Parse resolved it.
func (f *File) checkDomains(listed map[string]*Config, diags *diag.List) {
	reported := map[Position]bool{}
	errf := func(p Position, format string, args ...any) {
		if reported[p] {
			return
		}
		reported[p] = true
		diags.Errf(p.File, p.Line, p.Col, format, args...)
	}
	const why = "two stacks cannot both create it (API Gateway custom domain, CloudFront alias, Route 53 record: the second deploy fails with \"already exists\")"

	isListed := map[string]bool{PreviewKey: f.envs[PreviewKey] != nil}
	for e := range listed {
		isListed[e] = true
	}
	_, basePos := f.domainTemplate(envInfo{})
	prev, prevPos := f.domainTemplate(envInfo{name: "pr-1", preview: true, pr: 1})
	prevShared := prev != "" && !hasPlaceholder(prev)

	var users []domainUser
	resolved := func(c *Config) (string, Position) {
		if c == nil || c.Domain == nil || c.Domain.Name == "" {
			return "", Position{}
		}
		return c.Domain.Name, c.Domain.NamePos
	}
	if !isListed[DefaultEnvironment] {
		c, l := f.decode(envInfo{name: DefaultEnvironment})
		if name, pos := resolved(c); name != "" && !l.HasErrors() {
			users = append(users, domainUser{name: name, pos: pos, kind: userDefault, env: DefaultEnvironment})
		}
	}
	for _, e := range f.order {
		c := listed[e]
		if c == nil {
			continue
		}
		name, pos := resolved(c)
		if name == "" || c.Preview && prevShared && name == prev {
			// A listed pr-<N> with the previews' shared name is one
			// of every pr-<N>.
			continue
		}
		users = append(users, domainUser{name: name, pos: pos, kind: userListed, env: e})
	}
	if prevShared {
		users = append(users, domainUser{name: prev, pos: prevPos, kind: userAllPreviews})
	}
	if prev != "" && !prevShared {
		for _, u := range users {
			if pr := previewMatch(prev, u.name, isListed); pr != "" {
				users = append(users, domainUser{name: u.name, pos: prevPos, kind: userOnePreview, env: pr})
			}
		}
	}
	// Names written once for several environments (the top level, then
	// the preview override) come first: a later, environment's own name
	// is the one reported as taken.
	rank := func(p Position) int {
		switch p {
		case basePos:
			return 0
		case prevPos:
			return 1
		}
		return 2
	}
	sort.SliceStable(users, func(i, j int) bool { return rank(users[i].pos) < rank(users[j].pos) })

	names, byName := groupInOrder(users, func(u domainUser) string { return u.name })
	for _, name := range names {
		group := byName[name]
		if len(group) < 2 {
			continue
		}
		positions, at := groupInOrder(group, func(u domainUser) Position { return u.pos })
		if first := at[positions[0]]; len(first) > 1 {
			var who []string
			dev := false
			for _, u := range first {
				who = append(who, u.label())
				dev = dev || u.kind == userDefault
			}
			from := posString(positions[0])
			switch positions[0] {
			case basePos:
				from = "the top level"
			case prevPos:
				from = "environments.preview"
			}
			hint := ""
			if dev {
				hint = "; dev, deployed when no environment is named, takes the top level's unless listed"
			}
			errf(positions[0], "domain.name: %q is the same for every environment that takes it from %s (%s): %s; put {env} in the name (\"{env}.%s\"), or give each its own domain (domain: ~ under one without%s)",
				name, from, strings.Join(who, ", "), why, parentDomain(name), hint)
		}
		for i, p := range positions[1:] {
			var subj, others []string
			for _, u := range at[p] {
				subj = append(subj, u.subject())
			}
			for _, q := range positions[:i+1] {
				for _, u := range at[q] {
					others = append(others, u.other())
				}
			}
			errf(p, "domain.name: %q of %s is also %s: %s; give each environment its own name (or use {env})",
				name, strings.Join(subj, " and "), strings.Join(others, " and "), why)
		}
	}
	if prevShared {
		errf(prevPos, "domain.name: %q is the same for every preview (pr-1, pr-2, ...): %s; put {number} in the name (\"pr-{number}.%s\")",
			prev, why, parentDomain(prev))
	}
}

// groupInOrder groups users by key: the keys in the order they first
// occur, and each key's users in their order.
func groupInOrder[K comparable](users []domainUser, key func(domainUser) K) ([]K, map[K][]domainUser) {
	var keys []K
	by := map[K][]domainUser{}
	for _, u := range users {
		k := key(u)
		if by[k] == nil {
			keys = append(keys, k)
		}
		by[k] = append(by[k], u)
	}
	return keys, by
}

// domainTemplate is the domain name as written (placeholders unfilled,
// lower case) in the settings tree of info without its own override, and
// where; "" without a domain.
func (f *File) domainTemplate(info envInfo) (string, Position) {
	tree := f.base
	if info.preview {
		if l := f.envs[PreviewKey]; l != nil {
			tree = mergeNodes(tree, l.over)
		}
	}
	n := tree.get("domain").get("name")
	if n == nil || n.kind != kindString {
		return "", Position{}
	}
	return strings.ToLower(n.text), Position{File: f.Path, Line: n.line, Col: n.col}
}

// previewMatch returns a pr-<N> the file does not list whose name (from
// the previews' template tpl) resolves to name, else "".
func previewMatch(tpl string, name string, listed map[string]bool) string {
	var expr strings.Builder
	var groups []string
	expr.WriteString("^")
	last := 0
	for _, loc := range placeholderRe.FindAllStringIndex(tpl, -1) {
		expr.WriteString(regexp.QuoteMeta(tpl[last:loc[0]]))
		p := tpl[loc[0]:loc[1]]
		groups = append(groups, p)
		if p == "{number}" {
			expr.WriteString(`([1-9][0-9]{0,8})`)
		} else {
			expr.WriteString(`([a-z][a-z0-9-]{0,30})`)
		}
		last = loc[1]
	}
	expr.WriteString(regexp.QuoteMeta(tpl[last:]) + "$")
	re, err := regexp.Compile(expr.String())
	if err != nil {
		return ""
	}
	m := re.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	env, number := "", 0
	for i, p := range groups {
		switch p {
		case "{env}":
			if env == "" {
				env = m[i+1]
			}
		case "{number}":
			if number == 0 {
				number, _ = strconv.Atoi(m[i+1])
			}
		}
	}
	if env == "" {
		env = "pr-" + strconv.Itoa(number)
	}
	mm := prEnvRe.FindStringSubmatch(env)
	if mm == nil {
		return ""
	}
	number, _ = strconv.Atoi(mm[1])
	if listed[env] || ValidateEnvironment(env) != nil {
		return ""
	}
	got, err := expandDomain(tpl, &Config{Environment: env, Preview: true, PR: number})
	if err != nil || got != name {
		return ""
	}
	return env
}

// parentDomain drops a name's first label (www.example.com: example.com).
func parentDomain(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 && strings.Count(name, ".") > 1 {
		return name[i+1:]
	}
	return name
}

func posString(p Position) string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }
