package config

import (
	"fmt"
	"regexp"
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

//
// Which environments can be deployed: every one the file lists (each
// resolved), and any other name: non-preview environments take the base
// settings, previews (pr-<N>) the preview override over them.

// domainShare is a name, where it was written, and who resolves to it.
type domainShare struct {
	name string
	pos  Position
	env  string
}

// checkDomains reports every domain name that two environments would
// share. It runs once the file decodes cleanly.
func (f *File) checkDomains(diags *diag.List) {
	reported := map[Position]bool{}
	errf := func(p Position, format string, args ...any) {
		if reported[p] {
			return
		}
		reported[p] = true
		diags.Errf(p.File, p.Line, p.Col, format, args...)
	}
	const why = "two stacks cannot both create it (API Gateway custom domain, CloudFront alias, Route 53 record: the second deploy fails with \"already exists\")"

	// Environments the file does not list: their name is a template.
	listed := map[string]bool{}
	for _, e := range f.order {
		listed[e] = true
	}
	base, basePos := f.domainTemplate(envInfo{})
	prev, prevPos := f.domainTemplate(envInfo{name: "pr-1", preview: true, pr: 1})
	if base != "" && !strings.Contains(base, "{env}") && !strings.Contains(base, "{number}") {
		who := "dev, prod, ..."
		if prevPos == basePos {
			who = "dev, prod, every pr-<N>, ..."
		}
		errf(basePos, "domain.name: %q is the same for every environment that takes it from the top level (%s): %s; put {env} in the name (\"{env}.%s\"), or set domain under each environment that has one",
			base, who, why, parentDomain(base))
	}
	if prev != "" && !strings.Contains(prev, "{env}") && !strings.Contains(prev, "{number}") {
		errf(prevPos, "domain.name: %q is the same for every preview (pr-1, pr-2, ...): %s; put {number} in the name (\"pr-{number}.%s\")",
			prev, why, parentDomain(prev))
	}

	// Environments the file lists: their own names, against each other
	// and against the names of environments it does not list.
	var shares []domainShare
	for _, e := range f.order {
		if e == PreviewKey {
			continue
		}
		info, err := parseEnv(e)
		if err != nil {
			continue
		}
		c, l := f.decode(info)
		if l.HasErrors() || c.Domain == nil || c.Domain.Name == "" {
			continue
		}
		shares = append(shares, domainShare{name: c.Domain.Name, pos: c.Domain.NamePos, env: e})
	}
	first := map[string]domainShare{}
	for _, s := range shares {
		if o, ok := first[s.name]; ok {
			errf(s.pos, "domain.name: %q is environment %s's and environment %s's too (%s): %s; give each environment its own name (or use {env})",
				s.name, s.env, o.env, posString(o.pos), why)
			continue
		}
		first[s.name] = s
		if other := unlistedMatch(base, false, s.name, listed); other != "" {
			errf(s.pos, "domain.name: %q of environment %s is also what %s resolves to (%s, not listed under environments): %s; give %s another name",
				s.name, s.env, other, posString(basePos), why, s.env)
		} else if other := unlistedMatch(prev, true, s.name, listed); other != "" {
			errf(s.pos, "domain.name: %q of environment %s is also what preview %s resolves to (%s): %s; give %s another name",
				s.name, s.env, other, posString(prevPos), why, s.env)
		}
	}
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

// unlistedMatch returns an environment the file does not list whose name
// (from template tpl; preview: any pr-<N>, else the default environment)
// resolves to name, else "".
func unlistedMatch(tpl string, preview bool, name string, listed map[string]bool) string {
	if tpl == "" {
		return ""
	}
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
	if preview {
		if env == "" {
			env = "pr-" + strconv.Itoa(number)
		}
		if mm := prEnvRe.FindStringSubmatch(env); mm != nil {
			number, _ = strconv.Atoi(mm[1])
		} else {
			return ""
		}
	} else if env != DefaultEnvironment {
		// Any name could be deployed, but refusing www.example.com for
		// prod because {env}.example.com would give it to an environment
		// named www refuses a sound file: only the default environment
		// (deployed without being named) is held against the listed ones.
		return ""
	}
	if listed[env] || ValidateEnvironment(env) != nil {
		return ""
	}
	got, err := expandDomain(tpl, &Config{Environment: env, Preview: preview, PR: number})
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
