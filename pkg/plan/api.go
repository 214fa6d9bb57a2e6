package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// CatchAllPath is the greedy path of the default function.
const CatchAllPath = "/{proxy+}"

// apiPath checks that API Gateway can express a discovered path and
// returns its API form: no trailing slash ("/" stays "/").
func apiPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q does not start with /", p)
	}
	if p == "/" {
		return "/", nil
	}
	trimmed := strings.TrimSuffix(p, "/")
	segs := strings.Split(trimmed[1:], "/")
	for i, s := range segs {
		if s == "" {
			return "", fmt.Errorf("path %q has an empty segment, which API Gateway cannot express", p)
		}
		if strings.HasPrefix(s, "{") {
			name, greedy, ok := variable(s)
			if !ok {
				return "", fmt.Errorf("path %q: segment %q is not a whole {name} or {name+} parameter, which API Gateway cannot express", p, s)
			}
			if greedy && i != len(segs)-1 {
				return "", fmt.Errorf("path %q: greedy parameter {%s+} must be the last segment", p, name)
			}
			continue
		}
		for _, r := range s {
			if !staticChar(r) {
				return "", fmt.Errorf("path %q: segment %q holds %q, which API Gateway cannot express", p, s, r)
			}
		}
	}
	return trimmed, nil
}

func variable(s string) (name string, greedy bool, ok bool) {
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return "", false, false
	}
	name = s[1 : len(s)-1]
	if strings.HasSuffix(name, "+") {
		greedy = true
		name = name[:len(name)-1]
	}
	if name == "" {
		return "", false, false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return "", false, false
		}
	}
	return name, greedy, true
}

func staticChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-._~:@!$&',;=", r)
}

// methods builds the API entries. API Gateway allows one variable child per
// resource, so sibling parameters are unified under the first route's name
// (the name does not matter: every function runs Django's own resolver),
// and a route whose variable kind clashes ({x} beside {y+}) is left to the
// catch-all with a warning.
func methods(pl *Plan, granularity string, diags *diag.List) []Method {
	type entry struct {
		Method
		raw     string // discovered path
		pattern string // Django pattern
		source  string
	}
	varChild := map[string]struct {
		name   string
		greedy bool
	}{"/": {name: "proxy", greedy: true}}
	byKey := map[[2]string]*entry{}
	var out []Method
	for i := range pl.Routes {
		rt := &pl.Routes[i]
		// Routes discovery could only cut back to the catch-all stay with
		// the default function.
		if granularity == "project" || rt.Function == DefaultFunction || rt.APIPath == CatchAllPath {
			continue
		}
		r := rt.Route
		file, line := diag.ParseSource(r.Source)
		unified, ok := "", true
		if rt.APIPath == "/" {
			unified = "/"
		} else {
			parent := "/"
			var b strings.Builder
			for _, s := range strings.Split(rt.APIPath[1:], "/") {
				if name, greedy, isVar := variable(s); isVar {
					v, seen := varChild[parent]
					switch {
					case !seen:
						varChild[parent] = struct {
							name   string
							greedy bool
						}{name, greedy}
					case v.greedy != greedy:
						ok = false
					default:
						name = v.name
					}
					s = "{" + name + "}"
					if greedy {
						s = "{" + name + "+}"
					}
				}
				if !ok {
					break
				}
				b.WriteString("/")
				b.WriteString(s)
				parent = b.String()
			}
			unified = b.String()
		}
		if !ok {
			diags.Warnf(file, line, 0, "route %s: its parameter clashes with a sibling route's (API Gateway allows one per level); the catch-all serves it", routeLabel(r))
			continue
		}
		rt.APIPath = unified
		ms := r.Methods
		if len(ms) == 0 {
			ms = []string{"ANY"}
		}
		for _, m := range ms {
			m = strings.ToUpper(m)
			if !validMethod(m) {
				diags.Errf(file, line, 0, "route %s: method %q is not an HTTP method API Gateway supports", routeLabel(r), m)
				continue
			}
			key := [2]string{unified, m}
			if prev := byKey[key]; prev != nil {
				if prev.Function == rt.Function {
					continue
				}
				switch {
				case prev.raw == r.Path && prev.pattern == r.Route:
					diags.Errf(file, line, 0, "route %s: duplicate path and method %s %s (already routed at %s)", routeLabel(r), m, r.Path, prev.source)
				case prev.raw == r.Path:
					// Different Django patterns API Gateway sees as one
					// path (regex routes cut back to {proxy+}).
					diags.Notef(file, line, 0, "route %s: %s %s is served by %s, routed at %s", routeLabel(r), m, r.Path, prev.Function, prev.source)
				default:
					diags.Warnf(file, line, 0, "route %s: %s %s is already routed to %s at %s (API Gateway ignores trailing slashes and parameter names); that function serves it", routeLabel(r), m, unified, prev.Function, prev.source)
				}
				continue
			}
			e := &entry{Method: Method{Path: unified, Method: m, Function: rt.Function}, raw: r.Path, pattern: r.Route, source: r.Source}
			byKey[key] = e
			out = append(out, e.Method)
		}
	}
	for _, p := range []string{"/", CatchAllPath} {
		if byKey[[2]string{p, "ANY"}] == nil {
			out = append(out, Method{Path: p, Method: "ANY", Function: DefaultFunction})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

func validMethod(m string) bool {
	switch m {
	case "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// graphQL maps root fields to the function of the route serving the
// GraphQL view, else the default function.
func graphQL(pl *Plan, g *django.GraphQL, auth string) *GraphQL {
	fn := DefaultFunction
	for _, rt := range pl.Routes {
		if strings.Contains(rt.Route.View, "GraphQLView") {
			fn = rt.Function
			break
		}
	}
	out := &GraphQL{Schema: g.Schema, Auth: auth, Source: g.Source, Function: fn}
	seen := map[[2]string]bool{}
	add := func(typ string, fields []string) {
		for _, f := range fields {
			k := [2]string{typ, f}
			if f == "" || seen[k] {
				continue
			}
			seen[k] = true
			out.Resolvers = append(out.Resolvers, Resolver{Type: typ, Field: f, Function: fn})
		}
	}
	add("Query", g.QueryFields)
	add("Mutation", g.MutationFields)
	sort.Slice(out.Resolvers, func(i, j int) bool {
		a, b := out.Resolvers[i], out.Resolvers[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Field < b.Field
	})
	return out
}
