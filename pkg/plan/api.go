package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
)

// CatchAllPath is the greedy path of the default function.
const CatchAllPath = "/{proxy+}"

// DefaultPath is the HTTP API's $default route in the plan's API.
const DefaultPath = openapi.DefaultPath

// API Gateway's per-API quotas (Amazon API Gateway quotas: REST "Resources
// per API" 300, adjustable; HTTP "Routes per API" 300, adjustable, and
// "Integrations per API" 300, not adjustable).
const (
	DefaultRESTResources = 300
	DefaultHTTPRoutes    = 300
	HTTPIntegrations     = 300
)

// EntryKind says why a path is in the API.
type EntryKind string

// Entry kinds.
const (
	// EntryRoute is a discovered route's path.
	EntryRoute EntryKind = "route"
	// EntryIntermediate is a REST resource above routes: it gets the
	// function a greedy path above it would reach, since a resource
	// without a method answers 403.
	EntryIntermediate EntryKind = "intermediate"
	// EntryCatchAll is "/", "/{proxy+}" or the HTTP $default route.
	EntryCatchAll EntryKind = "catch-all"
	// EntryGreedy is a {proxy+} path added below a path whose routes all
	// reach one function, to stay within a quota.
	EntryGreedy EntryKind = "greedy"
)

// APIEntry is one path of the API: every HTTP method on Path reaches
// Function, and Django answers 405 for the methods its view refuses.
type APIEntry struct {
	// Path is "/", "/catalog/{pk}", "/media/{path+}", "/{proxy+}"; for an
	// HTTP API also DefaultPath.
	Path     string
	Function string
	Kind     EntryKind
}

// APIStats are the API's counts against API Gateway's per-API quotas.
type APIStats struct {
	// Resources (REST): distinct path nodes, root and intermediate nodes
	// included.
	Resources int
	// Routes (HTTP): one per path, $default included.
	Routes int
	// Integrations (HTTP): one per function the API reaches.
	Integrations int
	// Quotas applied.
	ResourceQuota, RouteQuota, IntegrationQuota int
	// Merged lists the apps whose routes were merged into one function
	// per app to stay within a quota.
	Merged []string
	// ToDefault lists the apps whose routes were merged into the default
	// function ("" for the routes of no app); "*" when every route was.
	ToDefault []string
	// Greedy is the number of greedy paths added to stay within a quota.
	Greedy int
}

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

// apiRoute is a discovered route on its way into the API.
type apiRoute struct {
	route django.Route
	file  string
	line  int
	// path is the route's API form (trailing slash dropped).
	path string
	// unified is path with variable names unified with sibling routes;
	// "" when API Gateway cannot express the route and a greedy path
	// above it serves it.
	unified string
	// key groups the routes one function serves at the configured
	// granularity; "" is the default function.
	key   string
	owner bool // first route with its unified path
}

// apiBuilder lays the routes out as API paths within API Gateway's quotas
// and derives the functions.
type apiBuilder struct {
	pl          *Plan
	c           *config.Config
	granularity string
	diags       *diag.List
	routes      []*apiRoute
	base        map[string]string // key -> readable ID base
	ids         map[string]string // key -> function name
	rules       map[string]int    // function name -> index of the rule that set its settings
}

func newAPIBuilder(pl *Plan, c *config.Config, granularity string, diags *diag.List) *apiBuilder {
	return &apiBuilder{pl: pl, c: c, granularity: granularity, diags: diags, base: map[string]string{}, ids: map[string]string{}, rules: map[string]int{}}
}

func appKey(app string) string {
	if app == "" {
		return ""
	}
	return "app\x00" + app
}

// prepare checks every route's path, unifies path variables and finds the
// route owning each path.
func (b *apiBuilder) prepare(routes []django.Route) {
	for _, r := range routes {
		file, line := diag.ParseSource(r.Source)
		p, err := apiPath(r.Path)
		if err != nil {
			b.diags.Errf(file, line, 0, "route %s: %v", routeLabel(r), err)
			continue
		}
		ar := &apiRoute{route: r, file: file, line: line, path: p}
		switch b.granularity {
		case "route":
			text := r.Name
			if text == "" {
				text = r.Path
			}
			ar.key = "route\x00" + r.Name + "\x00" + r.Path
			b.base[ar.key] = idBase(text, ar.key)
		case "app":
			ar.key = appKey(r.App)
		}
		if r.App != "" {
			b.base[appKey(r.App)] = idBase(r.App, appKey(r.App))
		}
		b.routes = append(b.routes, ar)
	}
	b.unify()
	b.shadow()
}

// unify gives sibling path variables one name (API Gateway allows one
// variable child per resource; the name does not matter, every function
// runs Django's own resolver) and leaves a route whose variable kind
// clashes with a sibling's ({x} beside {y+}), or whose path holds a
// character API Gateway refuses, to the greedy path above it.
func (b *apiBuilder) unify() {
	type varKind struct {
		name   string
		greedy bool
	}
	varChild := map[string]varKind{"/": {name: "proxy", greedy: true}}
	for _, ar := range b.routes {
		r := ar.route
		if ar.path == "/" {
			ar.unified = "/"
			continue
		}
		parent := "/"
		var out strings.Builder
		ok := true
		problem := ""
		for _, s := range strings.Split(ar.path[1:], "/") {
			if name, greedy, isVar := variable(s); isVar {
				v, seen := varChild[parent]
				switch {
				case !seen:
					// The level's name must not repeat a parameter of the
					// path above it (API Gateway refuses a path naming one
					// parameter twice): /a/{x}/{y} then /a/{z}/{x}/... has
					// the second route's last level named x2.
					name = freshName(parent, name)
					varChild[parent] = varKind{name, greedy}
				case v.greedy != greedy:
					ok = false
				default:
					name = v.name
				}
				s = "{" + name + "}"
				if greedy {
					s = "{" + name + "+}"
				}
			} else if p := openapi.StaticSegmentProblem(s); p != "" && problem == "" {
				problem = p
			}
			if !ok {
				break
			}
			out.WriteString("/")
			out.WriteString(s)
			parent = out.String()
		}
		switch {
		case !ok:
			b.diags.Warnf(ar.file, ar.line, 0, "route %s: its parameter clashes with a sibling route's (API Gateway allows one per level); the greedy path above it serves it", routeLabel(r))
		case problem != "":
			b.diags.Warnf(ar.file, ar.line, 0, "route %s: %s; the greedy path above it serves it", routeLabel(r), problem)
		default:
			ar.unified = out.String()
		}
		if ar.unified == CatchAllPath {
			ar.key = "" // discovery could say nothing more: the catch-all's function
		}
	}
}

// freshName is name, or name (less its trailing digits) with the smallest
// number from 2 appended that no parameter of path uses.
func freshName(path, name string) string {
	used := map[string]bool{}
	for _, seg := range strings.Split(path, "/") {
		if n, _, ok := variable(seg); ok {
			used[n] = true
		}
	}
	if !used[name] {
		return name
	}
	base := strings.TrimRight(name, "0123456789")
	if base == "" {
		base = name
	}
	for i := 2; ; i++ {
		if c := fmt.Sprintf("%s%d", base, i); !used[c] {
			return c
		}
	}
}

// shadow marks the first route of each API path as its owner; Django
// matches patterns in order, and API Gateway sends the path to one
// function, so a later route with the same path is reported, never an
// error.
func (b *apiBuilder) shadow() {
	owner := map[string]*apiRoute{}
	for _, ar := range b.routes {
		if ar.unified == "" {
			continue
		}
		prev := owner[ar.unified]
		if prev == nil {
			owner[ar.unified] = ar
			ar.owner = true
			continue
		}
		r, pr := ar.route, prev.route
		switch {
		case r.Path == pr.Path && r.Route == pr.Route:
			b.diags.Warnf(ar.file, ar.line, 0, "route %s is shadowed by route %s at %s: Django matches the first pattern, so this one is never reached (remove one of them)", routeLabel(r), routeLabel(pr), pr.Source)
		case r.Path == pr.Path:
			// Different Django patterns API Gateway sees as one path
			// (regex routes cut back to {proxy+}).
			b.diags.Notef(ar.file, ar.line, 0, "route %s: path %s is served by the function of route %s at %s; Django resolves the view", routeLabel(r), r.Path, routeLabel(pr), pr.Source)
		default:
			b.diags.Warnf(ar.file, ar.line, 0, "route %s: API Gateway sees %s as the path of route %s at %s (it ignores trailing slashes and parameter names); that route's function serves both, and Django resolves the view", routeLabel(r), ar.unified, routeLabel(pr), pr.Source)
		}
	}
}

// tnode is a node of the API's path tree.
type tnode struct {
	seg      string
	path     string
	parent   *tnode
	kids     map[string]*tnode
	greedy   *tnode // the greedy child, also in kids
	hasEntry bool
	key      string
	kind     EntryKind
}

// layout is one arrangement of the API: the path tree and its counts.
type layout struct {
	b     *apiBuilder
	kind  string // rest | http
	root  *tnode
	stats APIStats
}

func (n *tnode) child(seg string) *tnode {
	if c := n.kids[seg]; c != nil {
		return c
	}
	if n.kids == nil {
		n.kids = map[string]*tnode{}
	}
	c := &tnode{seg: seg, parent: n, path: strings.TrimSuffix(n.path, "/") + "/" + seg}
	n.kids[seg] = c
	if _, greedy, ok := variable(seg); ok && greedy {
		n.greedy = c
	}
	return c
}

func (l *layout) add(path, key string, kind EntryKind) {
	n := l.root
	if path != "/" {
		for _, s := range strings.Split(path[1:], "/") {
			n = n.child(s)
		}
	}
	if !n.hasEntry {
		n.hasEntry, n.key, n.kind = true, key, kind
	}
}

// fallback is the function key a request for n's path reaches when n is
// not in the API: the deepest greedy path above it, else the default
// function (REST: /{proxy+}; HTTP: $default).
func (n *tnode) fallback() string {
	for a := n.parent; a != nil; a = a.parent {
		if g := a.greedy; g != nil && g != n && g.hasEntry {
			return g.key
		}
	}
	return ""
}

// Ways a group of routes can be merged to stay within a quota.
const (
	mergeApp     = 1 // one function per app
	mergeDefault = 2 // the default function
)

// layout arranges the API with the routes of each app in merged served by
// one function for the app (mergeApp) or by the default function
// (mergeDefault; "" is the routes of no app), and greedy paths below paths
// whose routes share a function when collapse.
func (b *apiBuilder) layout(merged map[string]int, collapse bool) *layout {
	l := &layout{b: b, kind: b.pl.APIType, root: &tnode{path: "/"}}
	for _, ar := range b.routes {
		if ar.owner {
			l.add(ar.unified, b.keyOf(ar, merged), EntryRoute)
		}
	}
	l.add("/", "", EntryCatchAll)
	if l.kind == "rest" {
		l.add(CatchAllPath, "", EntryCatchAll)
	}
	l.fold(l.root)
	if collapse {
		l.collapse()
	}
	l.count()
	return l
}

func (b *apiBuilder) keyOf(ar *apiRoute, merged map[string]int) string {
	switch merged[ar.route.App] {
	case mergeDefault:
		return ""
	case mergeApp:
		return appKey(ar.route.App)
	}
	return ar.key
}

// fold removes paths that reach the function a request would reach
// without them; routing is unchanged. A REST resource stays while a path
// below it stays.
func (l *layout) fold(n *tnode) {
	for _, seg := range sortedKeys(n.kids) {
		c := n.kids[seg]
		l.fold(c)
		if l.removable(c) {
			delete(n.kids, seg)
			if n.greedy == c {
				n.greedy = nil
			}
		}
	}
	if l.kind == "http" && n.hasEntry && n.key == n.fallback() {
		n.hasEntry = false
	}
}

func (l *layout) removable(n *tnode) bool {
	if n.path == CatchAllPath && l.kind == "rest" {
		return false // the REST catch-all: fallbacks rely on it
	}
	if len(n.kids) > 0 {
		return false
	}
	return !n.hasEntry || n.key == n.fallback()
}

// subtree is what lies strictly below a node: its entries' keys and its
// node count.
type subtree struct {
	keys  map[string]bool
	nodes int
	entry int
}

func (l *layout) summarize(n *tnode, memo map[*tnode]subtree) subtree {
	s := subtree{keys: map[string]bool{}}
	for _, c := range n.kids {
		cs := l.summarize(c, memo)
		s.nodes += 1 + cs.nodes
		s.entry += cs.entry
		for k := range cs.keys {
			s.keys[k] = true
		}
		if c.hasEntry {
			s.entry++
			s.keys[c.key] = true
		}
	}
	memo[n] = s
	return s
}

// collapse replaces every highest subtree whose routes all reach one
// function F by a greedy path reaching F, when that saves resources
// (REST) or routes (HTTP). Only paths no route names change function:
// they reach F instead of the greedy path above.
func (l *layout) collapse() {
	memo := map[*tnode]subtree{}
	l.summarize(l.root, memo)
	var visit func(n *tnode)
	visit = func(n *tnode) {
		for _, seg := range sortedKeys(n.kids) {
			c := n.kids[seg]
			if c == n.greedy {
				continue
			}
			s := memo[c]
			gain := s.nodes - 1
			if l.kind == "http" {
				gain = s.entry - 1
			}
			if len(s.keys) == 1 && gain > 0 {
				var f string
				for k := range s.keys {
					f = k
				}
				if f != c.fallback() {
					c.kids = nil
					c.greedy = nil
					g := c.child("{proxy+}")
					g.hasEntry, g.key, g.kind = true, f, EntryGreedy
					l.stats.Greedy++
					continue
				}
			}
			visit(c)
		}
	}
	visit(l.root)
}

func (l *layout) count() {
	keys := map[string]bool{"": true}
	nodes, entries := 0, 0
	var walk func(n *tnode)
	walk = func(n *tnode) {
		nodes++
		if n.hasEntry {
			entries++
			keys[n.key] = true
		}
		for _, c := range n.kids {
			walk(c)
		}
	}
	walk(l.root)
	b := l.b
	l.stats.ResourceQuota, l.stats.RouteQuota, l.stats.IntegrationQuota = b.quota(b.c.API.Quotas.Resources, DefaultRESTResources), b.quota(b.c.API.Quotas.Routes, DefaultHTTPRoutes), HTTPIntegrations
	if l.kind == "rest" {
		l.stats.Resources = nodes
		return
	}
	l.stats.Routes = entries + 1 // $default
	l.stats.Integrations = len(keys)
}

func (b *apiBuilder) quota(configured, def int) int {
	if configured > 0 {
		return configured
	}
	return def
}

// over names the quota the layout exceeds, "" when none.
func (l *layout) over() string {
	s := l.stats
	switch {
	case l.kind == "rest" && s.Resources > s.ResourceQuota:
		return fmt.Sprintf("the REST API needs %d resources, over API Gateway's quota of %d resources per API (api.quotas.resources; adjustable on request)", s.Resources, s.ResourceQuota)
	case l.kind == "http" && s.Integrations > s.IntegrationQuota:
		return fmt.Sprintf("the HTTP API needs %d integrations (one per function), over API Gateway's quota of %d integrations per API (not adjustable)", s.Integrations, s.IntegrationQuota)
	case l.kind == "http" && s.Routes > s.RouteQuota:
		return fmt.Sprintf("the HTTP API needs %d routes, over API Gateway's quota of %d routes per API (api.quotas.routes; adjustable on request)", s.Routes, s.RouteQuota)
	}
	return ""
}

// fit lays the API out within API Gateway's quotas: as discovered; then
// with greedy paths below paths whose routes share a function; then with
// the routes of apps merged into one function per app (apps with the most
// functions first, as few as needed); then, every app merged, with the
// routes of no app and of the smallest apps served by the default function
// (as few as needed), down to every route on the default function, which
// always fits. Every step that changes something is reported; with
// api.merge_functions off, exceeding a quota is one error naming it.
func (b *apiBuilder) fit() *layout {
	lay := b.layout(nil, false)
	first := lay.over()
	if first == "" {
		return lay
	}
	if l := b.layout(nil, true); l.over() == "" {
		b.diags.Notef(b.c.Path, 0, 0, "api: %s: %d greedy paths ({proxy+}) now serve paths whose routes share one function; unknown paths below them reach that function", first, l.stats.Greedy)
		return l
	}
	if b.c.API.MergeFunctions != nil && !*b.c.API.MergeFunctions {
		b.diags.Errf(b.c.Path, 0, 0, "api: %s; raise the quota (api.quotas) or let django-serverless merge functions (api.merge_functions: true)", first)
		return lay
	}
	apps := b.mergeOrder()
	// smallest finds the fewest groups of order to merge (in order, each
	// the given way, over base) that fit; nil when even all do not.
	smallest := func(base map[string]int, order []string, how int) (*layout, []string) {
		lo, hi := 1, len(order)
		var best *layout
		var bestN int
		for lo <= hi {
			mid := (lo + hi) / 2
			merged := map[string]int{}
			for k, v := range base {
				merged[k] = v
			}
			for _, a := range order[:mid] {
				merged[a] = how
			}
			if l := b.layout(merged, true); l.over() == "" {
				best, bestN, hi = l, mid, mid-1
			} else {
				lo = mid + 1
			}
		}
		if best == nil {
			return nil, nil
		}
		return best, order[:bestN]
	}
	if l, merged := smallest(nil, apps, mergeApp); l != nil {
		l.stats.Merged = append([]string(nil), merged...)
		b.diags.Warnf(b.c.Path, 0, 0, "api: %s: the routes of %d app(s) are served by one function per app: %s (%d greedy paths; unknown paths below them reach that app's function); set functions.granularity: app to choose this yourself, or raise the quota (api.quotas)", first, len(merged), strings.Join(sortedCopy(merged), ", "), l.stats.Greedy)
		return l
	}
	perApp := map[string]int{}
	for _, a := range apps {
		perApp[a] = mergeApp
	}
	// Then to the default function: the routes of no app, then the apps
	// with the fewest functions.
	var toDefault []string
	if b.hasAppless() {
		toDefault = append(toDefault, "")
	}
	for i := len(apps) - 1; i >= 0; i-- {
		toDefault = append(toDefault, apps[i])
	}
	if l, merged := smallest(perApp, toDefault, mergeDefault); l != nil && len(merged) < len(toDefault) {
		var named []string
		for _, a := range merged {
			if a != "" {
				named = append(named, a)
			}
		}
		l.stats.Merged = nil
		for _, a := range apps {
			if !slices.Contains(merged, a) {
				l.stats.Merged = append(l.stats.Merged, a)
			}
		}
		l.stats.ToDefault = append([]string(nil), merged...)
		except := "those of no app"
		if len(named) > 0 {
			except = fmt.Sprintf("those of %d app(s) (%s) and of no app", len(named), strings.Join(sortedCopy(named), ", "))
		}
		b.diags.Warnf(b.c.Path, 0, 0, "api: %s, even with one function per app: every app's routes are served by one function per app, except %s, served by the default function (%d greedy paths); raise the quota (api.quotas) to split them", first, except, l.stats.Greedy)
		return l
	}
	all := map[string]int{"": mergeDefault}
	for _, a := range apps {
		all[a] = mergeDefault
	}
	l := b.layout(all, true)
	l.stats.ToDefault = []string{"*"}
	if over := l.over(); over != "" {
		b.diags.Errf(b.c.Path, 0, 0, "api: %s, even with every route served by the default function", over)
		return l
	}
	b.diags.Warnf(b.c.Path, 0, 0, "api: %s, even with one function per app: every route is served by the default function (the project granularity); raise the quota (api.quotas) to split it", first)
	return l
}

func (b *apiBuilder) hasAppless() bool {
	for _, ar := range b.routes {
		if ar.owner && ar.route.App == "" && ar.key != "" {
			return true
		}
	}
	return false
}

// mergeOrder lists the apps to merge, those with the most functions first
// (then by label); routes of no app are not an app.
func (b *apiBuilder) mergeOrder() []string {
	keys := map[string]map[string]bool{}
	for _, ar := range b.routes {
		a := ar.route.App
		if !ar.owner || a == "" {
			continue
		}
		if keys[a] == nil {
			keys[a] = map[string]bool{}
		}
		keys[a][ar.key] = true
	}
	apps := make([]string, 0, len(keys))
	for a := range keys {
		apps = append(apps, a)
	}
	sort.Slice(apps, func(i, j int) bool {
		a, c := apps[i], apps[j]
		if len(keys[a]) != len(keys[c]) {
			return len(keys[a]) > len(keys[c])
		}
		return a < c
	})
	return apps
}

// resolve is the function key API Gateway reaches for a route's path.
func (l *layout) resolve(ar *apiRoute) string {
	path := ar.unified
	exact := path != ""
	if !exact {
		path = ar.path
	}
	n := l.root
	fb := ""
	if path != "/" {
		for _, s := range strings.Split(path[1:], "/") {
			if g := n.greedy; g != nil && g.hasEntry {
				fb = g.key
			}
			if _, _, isVar := variable(s); isVar && !exact {
				return fb
			}
			c := n.kids[s]
			if c == nil {
				return fb
			}
			n = c
		}
	}
	if n.hasEntry {
		return n.key
	}
	return n.fallback()
}

// graphqlKey is the key of the function serving the GraphQL view's path.
func (l *layout) graphqlKey(b *apiBuilder) string {
	for _, ar := range b.routes {
		if strings.Contains(ar.route.View, "GraphQLView") {
			return l.resolve(ar)
		}
	}
	return ""
}

// functionName is the plan's name of a function key.
func (b *apiBuilder) functionName(key string) string {
	if key == "" {
		return DefaultFunction
	}
	return b.ids[key]
}

// functions names the functions the layout calls (and the GraphQL
// function), resolves their settings, and fills the plan's routes, API
// entries and counts.
func (b *apiBuilder) functions(l *layout, graphqlKey string) {
	pl := b.pl
	used := map[string]bool{"": true, graphqlKey: true}
	var walk func(n *tnode)
	walk = func(n *tnode) {
		if n.hasEntry {
			used[n.key] = true
		}
		for _, c := range n.kids {
			walk(c)
		}
	}
	walk(l.root)
	want := map[string]string{}
	for k := range used {
		if k != "" {
			want[k] = b.base[k]
		}
	}
	b.ids = assignIDs(want, map[string]bool{DefaultFunction: true})
	b.ids[""] = DefaultFunction

	routesOf := map[string][]int{}
	rs := map[string][]django.Route{"": {{Path: CatchAllPath}}}
	for _, ar := range b.routes {
		k := l.resolve(ar)
		idx := len(pl.Routes)
		pl.Routes = append(pl.Routes, RouteTarget{Route: ar.route, Function: b.functionName(k), APIPath: ar.unified})
		routesOf[k] = append(routesOf[k], idx)
		rs[k] = append(rs[k], ar.route)
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, rule := settingsFor(b.c, rs[k])
		f.Name = b.functionName(k)
		f.Routes = routesOf[k]
		b.rules[f.Name] = rule
		pl.Functions = append(pl.Functions, f)
	}
	sort.Slice(pl.Functions, func(i, j int) bool { return pl.Functions[i].Name < pl.Functions[j].Name })

	// The API's paths: REST lists every resource (a resource without a
	// method answers 403, so intermediate ones reach what the greedy path
	// above them would); HTTP lists its routes and $default.
	var entries []APIEntry
	var emit func(n *tnode)
	emit = func(n *tnode) {
		switch {
		case n.hasEntry:
			entries = append(entries, APIEntry{Path: n.path, Function: b.functionName(n.key), Kind: n.kind})
		case l.kind == "rest":
			entries = append(entries, APIEntry{Path: n.path, Function: b.functionName(n.fallback()), Kind: EntryIntermediate})
		}
		for _, seg := range sortedKeys(n.kids) {
			emit(n.kids[seg])
		}
	}
	emit(l.root)
	if l.kind == "http" {
		entries = append(entries, APIEntry{Path: DefaultPath, Function: DefaultFunction, Kind: EntryCatchAll})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	pl.API = entries
	pl.APIStats = l.stats
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// graphQL maps root fields to the function serving the GraphQL view's
// path (the default function when there is no such route).
func graphQL(pl *Plan, g *django.GraphQL, auth, fn string) *GraphQL {
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
