package openapi

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Router routes requests through a document as API Gateway does.
//
// REST APIs (API Gateway's resource tree): a request path is matched
// segment by segment from the root, preferring at each level a literal
// child, then the path-parameter child, then the greedy {name+} child
// (which takes one or more remaining segments); a resource that matches
// the whole path must have the request's method or ANY, else API Gateway
// answers 403 "Missing Authentication Token" (so does a path that matches
// no resource). A failed branch falls back to the next candidate, so the
// deepest greedy resource above an unmatched path catches it.
//
// HTTP APIs (documented route selection): a full match of path and method
// first (literal segments preferred over parameters, an explicit method
// over ANY), then the most specific route with a greedy path variable,
// then the $default route; else 404.
//
// A trailing slash is ignored (API Gateway matches /a/ as /a).
type Router struct {
	kind string
	root *rnode
	def  *Operation // HTTP $default
	doc  *Document
}

type rnode struct {
	seg     string
	literal map[string]*rnode
	param   *rnode
	greedy  *rnode
	name    string // parameter name of param/greedy nodes
	path    string // the document path of this node, "" for implicit ones
	item    PathItem
}

// Match is where a request goes.
type Match struct {
	// Path is the document path that matched ("/catalog/{pk}",
	// "/$default").
	Path string
	// Operation is the operation key ("get", ..., AnyMethod).
	Operation string
	// Params are the path parameters (a greedy one holds the rest of the
	// path, slashes included).
	Params map[string]string
	// Integration is the operation's integration, $ref resolved.
	Integration Integration
	// FunctionName and Qualifier are parsed from the integration URI.
	FunctionName string
	Qualifier    string
}

// NewRouter reads a document of the given kind (REST or HTTP).
func NewRouter(kind string, data []byte) (*Router, error) {
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if kind != REST && kind != HTTP {
		return nil, fmt.Errorf("openapi: unknown API kind %q", kind)
	}
	r := &Router{kind: kind, root: &rnode{}, doc: doc}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths[p]
		if kind == HTTP && p == DefaultPath {
			r.def = item[AnyMethod]
			continue
		}
		n := r.root
		if p != "/" {
			for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
				n = n.child(seg)
			}
		}
		n.path, n.item = p, item
	}
	return r, nil
}

func (n *rnode) child(seg string) *rnode {
	name, greedy, isVar := variable(seg)
	switch {
	case isVar && greedy:
		if n.greedy == nil {
			n.greedy = &rnode{seg: seg, name: name}
		}
		return n.greedy
	case isVar:
		if n.param == nil {
			n.param = &rnode{seg: seg, name: name}
		}
		return n.param
	}
	if n.literal == nil {
		n.literal = map[string]*rnode{}
	}
	c := n.literal[seg]
	if c == nil {
		c = &rnode{seg: seg}
		n.literal[seg] = c
	}
	return c
}

// Route returns where a request with this method and path (URL path,
// percent-encoded or not, no query) goes; false when API Gateway would
// answer it itself (403 for REST, 404 for HTTP).
func (r *Router) Route(method, path string) (Match, bool) {
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	path = strings.TrimSuffix(path, "/")
	var segs []string
	if path != "" {
		segs = strings.Split(strings.TrimPrefix(path, "/"), "/")
	}
	method = strings.ToLower(method)
	params := map[string]string{}
	if r.kind == REST {
		if n := r.rest(r.root, segs, params); n != nil {
			op, key := operation(n.item, method)
			if op == nil {
				return Match{}, false
			}
			return r.match(n.path, key, op, params)
		}
		return Match{}, false
	}
	// HTTP: full matches first, then greedy, then $default.
	if n := r.full(r.root, segs, params, method); n != nil {
		op, key := operation(n.item, method)
		return r.match(n.path, key, op, params)
	}
	params = map[string]string{}
	if n := r.greedyMatch(r.root, segs, params, method); n != nil {
		op, key := operation(n.item, method)
		return r.match(n.path, key, op, params)
	}
	if r.def != nil {
		return r.match(DefaultPath, AnyMethod, r.def, map[string]string{})
	}
	return Match{}, false
}

// rest walks the resource tree: literal, then parameter, then greedy;
// the first resource matching the whole path wins (methods are checked
// by the caller, without falling back, as API Gateway does).
func (r *Router) rest(n *rnode, segs []string, params map[string]string) *rnode {
	if len(segs) == 0 {
		if n.item != nil {
			return n
		}
		return nil
	}
	if c := n.literal[segs[0]]; c != nil {
		if m := r.rest(c, segs[1:], params); m != nil {
			return m
		}
	}
	if c := n.param; c != nil && segs[0] != "" {
		if m := r.rest(c, segs[1:], params); m != nil {
			params[c.name] = segs[0]
			return m
		}
	}
	if c := n.greedy; c != nil && c.item != nil {
		params[c.name] = strings.Join(segs, "/")
		return c
	}
	return nil
}

// full finds a route matching the whole path without a greedy variable
// and having the method (or ANY).
func (r *Router) full(n *rnode, segs []string, params map[string]string, method string) *rnode {
	if len(segs) == 0 {
		if op, _ := operation(n.item, method); op != nil {
			return n
		}
		return nil
	}
	if c := n.literal[segs[0]]; c != nil {
		if m := r.full(c, segs[1:], params, method); m != nil {
			return m
		}
	}
	if c := n.param; c != nil && segs[0] != "" {
		if m := r.full(c, segs[1:], params, method); m != nil {
			params[c.name] = segs[0]
			return m
		}
	}
	return nil
}

// greedyMatch finds the most specific greedy route (deepest, literal
// before parameter) having the method.
func (r *Router) greedyMatch(n *rnode, segs []string, params map[string]string, method string) *rnode {
	if len(segs) == 0 {
		return nil
	}
	if c := n.literal[segs[0]]; c != nil {
		if m := r.greedyMatch(c, segs[1:], params, method); m != nil {
			return m
		}
	}
	if c := n.param; c != nil && segs[0] != "" {
		if m := r.greedyMatch(c, segs[1:], params, method); m != nil {
			params[c.name] = segs[0]
			return m
		}
	}
	if c := n.greedy; c != nil {
		if op, _ := operation(c.item, method); op != nil {
			params[c.name] = strings.Join(segs, "/")
			return c
		}
	}
	return nil
}

// operation returns the item's operation for method, else its ANY.
func operation(item PathItem, method string) (*Operation, string) {
	if item == nil {
		return nil, ""
	}
	if op := item[method]; op != nil {
		return op, method
	}
	if op := item[AnyMethod]; op != nil {
		return op, AnyMethod
	}
	return nil, ""
}

func (r *Router) match(path, key string, op *Operation, params map[string]string) (Match, bool) {
	m := Match{Path: path, Operation: key, Params: params}
	if op.Integration == nil {
		return Match{}, false
	}
	in := *op.Integration
	if name, ok := strings.CutPrefix(in.Ref, IntegrationRefPrefix); ok && r.doc.Components != nil {
		c := r.doc.Components.Integrations[name]
		if c == nil {
			return Match{}, false
		}
		in = *c
	}
	m.Integration = in
	if sm := invocationURIRE.FindStringSubmatch(in.URI); sm != nil {
		m.FunctionName = sm[8]
		m.Qualifier = strings.TrimPrefix(sm[9], ":")
	}
	return m, true
}
