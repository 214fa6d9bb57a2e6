package serve

import (
	"net/url"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// Router matches a request to the API entry API Gateway would pick.
// path is the request path below the stage (REST) or the whole path (HTTP
// API), still percent-encoded.
type Router interface {
	Match(method, path string) (Match, bool)
}

// Match is the API entry serving a request.
type Match struct {
	// Function is the plan's function name.
	Function string
	// Resource is the REST resource path ("/polls/{id}", "/{proxy+}") or the
	// HTTP API route's path.
	Resource string
	// RouteKey is the HTTP API route key ("ANY /polls/{id}", "$default").
	RouteKey string
	// Params are the path parameters, decoded; nil when there are none.
	Params map[string]string
}

// Entry is one API entry: a method (or ANY) on a path, to a function.
type Entry struct {
	Method   string // GET, ..., ANY
	Path     string // "/polls/{id}", "/{proxy+}", "/"
	Function string
}

// TableRouter routes like API Gateway over a list of entries: for REST a
// resource tree (static segments before {name} before {name+}, backtracking
// to a greedy ancestor past resources that only exist as parents), then
// the method on the resource found (an exact method before ANY; none is
// API Gateway's 403); for the HTTP API the most specific route (exact
// method and path, then greedy paths, then $default).
type TableRouter struct {
	rest     bool
	root     *node
	routes   []Entry
	fallback string // HTTP API $default's function
}

type node struct {
	path    string
	static  map[string]*node
	param   *node
	name    string // {name} of param / {name+} of greedy
	greedy  *node
	methods map[string]string // method -> function
}

func newNode(path string) *node {
	return &node{path: path, static: map[string]*node{}, methods: map[string]string{}}
}

// NewTableRouter builds a router over entries. For the HTTP API the entry
// ANY /{proxy+} is the $default route.
func NewTableRouter(rest bool, entries []Entry) *TableRouter {
	r := &TableRouter{rest: rest, root: newNode("/")}
	for _, e := range entries {
		if !rest && e.Path == plan.CatchAllPath && e.Method == "ANY" {
			r.fallback = e.Function
			continue
		}
		r.routes = append(r.routes, e)
		n := r.root
		if e.Path != "/" {
			for _, seg := range strings.Split(strings.Trim(e.Path, "/"), "/") {
				n = n.child(seg)
			}
		}
		if _, dup := n.methods[e.Method]; !dup {
			n.methods[e.Method] = e.Function
		}
	}
	return r
}

// PlanRouter is the router of a plan's API entries.
func PlanRouter(pl *plan.Plan) *TableRouter {
	entries := make([]Entry, 0, len(pl.Methods))
	for _, m := range pl.Methods {
		entries = append(entries, Entry{Method: m.Method, Path: m.Path, Function: m.Function})
	}
	return NewTableRouter(pl.APIType == "rest", entries)
}

func (n *node) child(seg string) *node {
	p := strings.TrimSuffix(n.path, "/") + "/" + seg
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		name := seg[1 : len(seg)-1]
		if strings.HasSuffix(name, "+") {
			if n.greedy == nil {
				n.greedy = newNode(p)
				n.greedy.name = strings.TrimSuffix(name, "+")
			}
			return n.greedy
		}
		if n.param == nil {
			n.param = newNode(p)
			n.param.name = name
		}
		return n.param
	}
	c := n.static[seg]
	if c == nil {
		c = newNode(p)
		n.static[seg] = c
	}
	return c
}

// segments splits a request path for matching: one trailing slash is not
// a segment of its own ("/polls/" matches the resource /polls).
func segments(path string) []string {
	path = strings.TrimPrefix(path, "/")
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Match implements Router.
func (r *TableRouter) Match(method, path string) (Match, bool) {
	segs := segments(path)
	if r.rest {
		params := map[string]string{}
		n := r.root.find(segs, params)
		if n == nil {
			return Match{}, false
		}
		fn, ok := n.methods[method]
		if !ok {
			fn, ok = n.methods["ANY"]
		}
		if !ok {
			return Match{}, false
		}
		m := Match{Function: fn, Resource: n.path}
		if len(params) > 0 {
			m.Params = params
		}
		return m, true
	}
	best, bestScore := -1, score{}
	var bestParams map[string]string
	for i, e := range r.routes {
		if e.Method != method && e.Method != "ANY" {
			continue
		}
		params, s, ok := matchRoute(e.Path, segs)
		if !ok {
			continue
		}
		s.exactMethod = e.Method == method
		if best < 0 || s.better(bestScore) {
			best, bestScore, bestParams = i, s, params
		}
	}
	if best < 0 {
		if r.fallback == "" {
			return Match{}, false
		}
		return Match{Function: r.fallback, Resource: "$default", RouteKey: "$default"}, true
	}
	e := r.routes[best]
	m := Match{Function: e.Function, Resource: e.Path, RouteKey: e.Method + " " + e.Path}
	if len(bestParams) > 0 {
		m.Params = bestParams
	}
	return m, true
}

// find walks the resource tree: a static child first, then the {name}
// child, then the {name+} child, backtracking when a branch finds nothing.
func (n *node) find(segs []string, params map[string]string) *node {
	if len(segs) == 0 {
		if len(n.methods) == 0 {
			return nil // an intermediate resource: keep looking
		}
		return n
	}
	if c := n.static[segs[0]]; c != nil {
		if found := c.find(segs[1:], params); found != nil {
			return found
		}
	}
	if n.param != nil && segs[0] != "" {
		if found := n.param.find(segs[1:], params); found != nil {
			params[n.param.name] = unescape(segs[0])
			return found
		}
	}
	if n.greedy != nil && len(n.greedy.methods) > 0 {
		params[n.greedy.name] = unescape(strings.Join(segs, "/"))
		return n.greedy
	}
	return nil
}

// score orders HTTP API routes that match the same request.
type score struct {
	greedy      bool
	static      []bool // per segment: static (true) or variable
	exactMethod bool
}

func (s score) better(o score) bool {
	if s.greedy != o.greedy {
		return !s.greedy
	}
	for i := 0; i < len(s.static) && i < len(o.static); i++ {
		if s.static[i] != o.static[i] {
			return s.static[i]
		}
	}
	if len(s.static) != len(o.static) {
		return len(s.static) > len(o.static)
	}
	return s.exactMethod && !o.exactMethod
}

func matchRoute(pattern string, segs []string) (map[string]string, score, bool) {
	var pat []string
	if pattern != "/" {
		pat = strings.Split(strings.Trim(pattern, "/"), "/")
	}
	var s score
	params := map[string]string{}
	for i, p := range pat {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}") {
			if i >= len(segs) {
				return nil, s, false
			}
			params[p[1:len(p)-2]] = unescape(strings.Join(segs[i:], "/"))
			s.greedy = true
			return params, s, true
		}
		if i >= len(segs) {
			return nil, s, false
		}
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, s, false
			}
			params[p[1:len(p)-1]] = unescape(segs[i])
			s.static = append(s.static, false)
			continue
		}
		if p != segs[i] {
			return nil, s, false
		}
		s.static = append(s.static, true)
	}
	if len(pat) != len(segs) {
		return nil, s, false
	}
	return params, s, true
}

// Functions lists the functions the entries name, sorted.
func (r *TableRouter) Functions() []string {
	seen := map[string]bool{}
	if r.fallback != "" {
		seen[r.fallback] = true
	}
	for _, e := range r.routes {
		seen[e.Function] = true
	}
	var walk func(*node)
	walk = func(n *node) {
		for _, f := range n.methods {
			seen[f] = true
		}
		for _, c := range n.static {
			walk(c)
		}
		if n.param != nil {
			walk(n.param)
		}
		if n.greedy != nil {
			walk(n.greedy)
		}
	}
	walk(r.root)
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
