package django

import (
	"fmt"
	"sort"
	"strings"
)

// walker follows URL confs from ROOT_URLCONF, as Django's resolver would,
// and appends each leaf pattern to the project's routes.
type walker struct {
	l        *loader
	proj     *Project
	stack    []string
	byModule map[string]string // app module -> label
	appNamed bool              // the include being walked passed (module, app_name)
	walking  map[*vSeq]bool    // lists being walked, to stop self-inclusion
	walked   map[*modState]bool
	// left counts URL patterns left to the catch-all (not followed).
	left int
	// read is true once ROOT_URLCONF's module was read.
	read bool
	// via are the include() calls being walked, innermost last.
	via []*viaInclude
}

// viaInclude is one include() call being walked and the route before it.
type viaInclude struct {
	pos    at
	route  string
	warned bool
}

// at is a position for messages.
type at struct {
	file string
	line int
}

func (w *walker) warn(p at, format string, args ...any) {
	w.proj.Diagnostics.Warnf(p.file, p.line, 0, format, args...)
}

// leave warns about a URL pattern (or include) left to the catch-all and
// counts it.
func (w *walker) leave(p at, format string, args ...any) {
	w.left++
	if n := len(w.via); n > 0 && w.via[n-1].pos.file != p.file {
		// Patterns built in another module (a project function, maybe
		// called by hundreds of URL confs): the warning is the
		// include()'s, once per call, naming where it went wrong.
		v := w.via[n-1]
		if !v.warned {
			v.warned = true
			w.warn(v.pos, "%s:%d: %s (in the patterns this include() gives, below %q)", p.file, p.line, fmt.Sprintf(format, args...), v.route)
		}
		return
	}
	w.warn(p, format, args...)
}

func (w *walker) root(urlconf string, settings *modState) {
	ms := w.l.module(urlconf)
	if ms == nil || ms.file == "" {
		w.proj.Diagnostics.Errf(settings.rel, 0, 0, "ROOT_URLCONF module %s not found", urlconf)
		return
	}
	w.conf(ms, nil, nil, "", at{file: settings.rel})
}

// conf walks one urlconf module. namespace is include()'s namespace;
// the module's app_name is used when it is empty.
func (w *walker) conf(ms *modState, parts []routePart, ns []string, namespace string, from at) {
	for i, name := range w.stack {
		if name == ms.name {
			chain := append(append([]string(nil), w.stack[i:]...), ms.name)
			w.proj.Diagnostics.Errf(from.file, from.line, 0, "circular include: %s", strings.Join(chain, " -> "))
			return
		}
	}
	w.stack = append(w.stack, ms.name)
	// A URL conf module reports its own patterns where they are.
	via := w.via
	w.via = nil
	defer func() { w.stack, w.via = w.stack[:len(w.stack)-1], via }()
	w.walked[ms] = true
	w.l.exec(ms)
	if ms.mod == nil {
		why := w.l.failed[ms.file]
		if why == "" {
			why = "it could not be parsed"
		}
		w.leave(from, "urlconf %s could not be read (%s); its routes are left to the catch-all", ms.name, why)
		return
	}
	if len(w.stack) == 1 {
		w.read = true
	}
	if an, ok := w.l.force(ms.env["app_name"]).(vStr); ok {
		if namespace == "" {
			namespace = an.s
		}
	} else if namespace != "" && from.line > 0 && !w.appNamed {
		w.warn(from, "include() of %s gives namespace %q but %s sets no app_name; Django refuses this (ImproperlyConfigured)", ms.name, namespace, ms.name)
	}
	w.appNamed = false
	if namespace != "" {
		ns = appendCopy(ns, namespace)
	}
	up, ok := ms.env["urlpatterns"]
	if !ok {
		w.leave(at{file: ms.rel}, "urlconf %s has no urlpatterns", ms.name)
		return
	}
	w.patterns(up, parts, ns, at{file: ms.rel})
}

func appendCopy[T any](s []T, v T) []T {
	out := make([]T, len(s), len(s)+1)
	copy(out, s)
	return append(out, v)
}

// patterns walks a urlpatterns value.
func (w *walker) patterns(v Value, parts []routePart, ns []string, where at) {
	if len(parts) > maxEvalDepth {
		w.proj.Diagnostics.Errf(where.file, where.line, 0, "url patterns nested more than %d levels; not followed", maxEvalDepth)
		return
	}
	switch x := w.l.force(v).(type) {
	case *vSeq:
		if w.walking[x] {
			w.proj.Diagnostics.Errf(where.file, where.line, 0, "url pattern list contains itself; not followed")
			return
		}
		w.walking[x] = true
		defer delete(w.walking, x)
		for _, it := range x.items {
			w.entry(it, parts, ns, where)
		}
	case vSplice:
		w.patterns(x.v, parts, ns, where)
	default:
		w.entry(x, parts, ns, where)
	}
}

func (w *walker) entry(v Value, parts []routePart, ns []string, where at) {
	switch x := w.l.force(v).(type) {
	case vSplice:
		w.patterns(x.v, parts, ns, where)
	case *vSeq:
		w.patterns(x, parts, ns, where)
	case *vAttr:
		if rv, ok := w.routerOf(x); ok {
			w.router(rv, parts, ns)
			return
		}
		w.leave(where, "urlpatterns entry .%s not understood; left to the catch-all", x.name)
	case *vCall:
		pos := at{file: x.ms.rel, line: x.line}
		if e, ok := w.l.force(x.fn).(vExt); ok {
			switch urlFunc(e.path) {
			case "path":
				w.pattern(x, false, parts, ns)
				return
			case "re_path":
				w.pattern(x, true, parts, ns)
				return
			case "static":
				w.proj.Diagnostics.Notef(pos.file, pos.line, 0, "%s() ignored: static and media files are not served through the API", lastComponent(e.path))
				return
			}
		}
		// An unknown wrapper (urlpatterns = wrap(urlpatterns)) keeps the
		// patterns it was given: Django would resolve what it returns,
		// which is nearly always those patterns, decorated.
		var kept []Value
		for _, a := range x.args {
			if w.patternish(a) {
				kept = append(kept, a)
			}
		}
		for _, name := range sortedKeys(x.kw) {
			if w.patternish(x.kw[name]) {
				kept = append(kept, x.kw[name])
			}
		}
		if len(kept) == 0 {
			w.leave(pos, "urlpatterns entry not understood (%s); left to the catch-all", describe(x.fn))
			return
		}
		w.warn(pos, "%s(...) is not known statically: the URL patterns it is given are kept as they are", describe(x.fn))
		for _, k := range kept {
			w.patterns(k, parts, ns, pos)
		}
	case vUnknown:
		w.leave(where, "urlpatterns: cannot follow %s; left to the catch-all", x.why)
	default:
		w.leave(where, "urlpatterns entry not understood (%s); left to the catch-all", describe(x))
	}
}

// patternish reports whether a value holds URL patterns: a list (of
// anything but strings), router.urls, a path()/re_path()/include() call.
func (w *walker) patternish(v Value) bool {
	switch x := w.l.force(v).(type) {
	case *vSeq:
		for _, it := range x.items {
			if w.patternish(it) {
				return true
			}
		}
	case vSplice:
		return w.patternish(x.v)
	case *vAttr:
		_, ok := w.routerOf(x)
		return ok
	case *vCall:
		if e, ok := w.l.force(x.fn).(vExt); ok && urlFunc(e.path) != "" {
			return true
		}
		for _, a := range x.args {
			if w.patternish(a) {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[string]Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// arg returns positional argument i or keyword name of a call.
func arg(c *vCall, i int, names ...string) Value {
	if i >= 0 && i < len(c.args) {
		if _, ok := c.args[i].(vSplice); !ok {
			return c.args[i]
		}
	}
	for _, n := range names {
		if v, ok := c.kw[n]; ok {
			return v
		}
	}
	return nil
}

// pattern handles one path()/re_path()/url() call.
func (w *walker) pattern(c *vCall, regex bool, parts []routePart, ns []string) {
	pos := at{file: c.ms.rel, line: c.line}
	rv := w.l.force(arg(c, 0, "route", "regex"))
	rs, ok := rv.(vStr)
	if !ok {
		w.leave(pos, "route not known statically (%s); left to the catch-all", unknownWhy(rv))
		return
	}
	parts = appendCopy(parts, routePart{text: rs.s, regex: regex})
	view := w.l.force(arg(c, 1, "view"))
	switch v := view.(type) {
	case *vCall:
		if e, ok := w.l.force(v.fn).(vExt); ok && urlFunc(e.path) == "include" {
			w.include(v, parts, ns)
			return
		}
	case *vSeq:
		// path("x/", (patterns, app_name, namespace)), e.g. a site's urls.
		if len(v.items) == 3 {
			namespace, _ := w.l.force(v.items[2]).(vStr)
			w.included(v.items[0], w.l.force(v.items[1]), namespace.s, parts, ns, pos)
			return
		}
		w.patterns(v, parts, ns, pos)
		return
	case vExt:
		if v.path == "django.contrib.admin.site.urls" || v.path == "django.contrib.admin.sites.site.urls" {
			w.admin(parts, ns, pos)
			return
		}
	case nil:
		w.warn(pos, "pattern has no view")
		return
	}
	name := ""
	if n, ok := w.l.force(arg(c, 3, "name")).(vStr); ok {
		name = n.s
	}
	w.emit(parts, ns, name, view, pos)
}

func (w *walker) emit(parts []routePart, ns []string, name string, view Value, pos at) {
	r := Route{Path: apiPathParts(parts), Route: joinRoute(parts), Source: fmt.Sprintf("%s:%d", pos.file, pos.line)}
	if name != "" {
		r.Name = strings.Join(appendCopy(ns, name), ":")
	}
	w.noteGraphQL(view)
	vi := w.resolveView(view, 0)
	if vi.path == "" {
		w.warn(pos, "view not resolved (%s); route kept with methods ANY", vi.why)
	}
	r.View, r.Methods = vi.path, vi.methods
	if len(r.Methods) == 0 {
		r.Methods = []string{"ANY"}
	}
	r.App = w.appOf(r.View)
	w.proj.Routes = append(w.proj.Routes, r)
}

// noteGraphQL records a view built with as_view(schema=S) where S is a
// graphene.Schema(...) (graphene-django's GraphQLView, a subclass, or a
// project's own GraphQL view), unwrapping decorators (csrf_exempt(...)),
// so the schema it serves is found; and notes a routed graphene-django
// GraphQLView without schema= (it serves GRAPHENE["SCHEMA"]).
func (w *walker) noteGraphQL(v Value) {
	for depth := 0; depth < 8; depth++ {
		c, ok := w.l.force(v).(*vCall)
		if !ok {
			return
		}
		isAsView, isGQL := false, false
		switch fn := w.l.force(c.fn).(type) {
		case *vAttr:
			if fn.name == "as_view" {
				isAsView = true
				switch cls := w.l.force(fn.x).(type) {
				case *vClass:
					isGQL = w.l.subclassOf(cls, "graphene_django.views.GraphQLView")
				case vExt:
					isGQL = canonical(cls.path) == "graphene_django.views.GraphQLView"
				}
			}
		case vExt:
			if strings.HasSuffix(fn.path, ".as_view") {
				isAsView = true
				isGQL = canonical(strings.TrimSuffix(fn.path, ".as_view")) == "graphene_django.views.GraphQLView"
			}
		}
		if isAsView {
			w.l.grapheneRouted = w.l.grapheneRouted || isGQL
			if s, ok := w.l.force(c.kw["schema"]).(*vCall); ok && (isGQL || isSchemaCall(w.l, s)) {
				w.l.graphqlViews = append(w.l.graphqlViews, c)
			} else if isGQL && c.kw["schema"] != nil {
				w.l.graphqlViews = append(w.l.graphqlViews, c)
			}
			return
		}
		if len(c.args) == 0 {
			return
		}
		v = c.args[len(c.args)-1]
	}
}

// appOf returns the label of the project app whose module (the longest
// matching prefix) defines view.
func (w *walker) appOf(view string) string {
	if w.byModule == nil {
		w.byModule = make(map[string]string, len(w.proj.AppModules))
		for label, mod := range w.proj.AppModules {
			if old, ok := w.byModule[mod]; !ok || label < old {
				w.byModule[mod] = label
			}
		}
	}
	for mod := view; ; {
		i := strings.LastIndexByte(mod, '.')
		if i < 0 {
			return ""
		}
		mod = mod[:i]
		if label, ok := w.byModule[mod]; ok {
			return label
		}
	}
}

// include handles include(arg, namespace=...).
func (w *walker) include(c *vCall, parts []routePart, ns []string) {
	pos := at{file: c.ms.rel, line: c.line}
	w.via = append(w.via, &viaInclude{pos: pos, route: joinRoute(parts)})
	defer func() { w.via = w.via[:len(w.via)-1] }()
	namespace := ""
	if n, ok := w.l.force(arg(c, 1, "namespace")).(vStr); ok {
		namespace = n.s
	}
	a := w.l.force(arg(c, 0, "arg"))
	if t, ok := a.(*vSeq); ok && t.tuple && len(t.items) == 2 {
		w.appNamed = true
		w.included(t.items[0], w.l.force(t.items[1]), namespace, parts, ns, pos)
		w.appNamed = false
		return
	}
	w.included(a, nil, namespace, parts, ns, pos)
}

// included walks what an include points at: a dotted module name, a
// module, a list of patterns or router.urls. appName is the tuple form's
// app_name (nil when absent); a module's own app_name wins, as in Django.
func (w *walker) included(target Value, appName Value, namespace string, parts []routePart, ns []string, pos at) {
	target = w.l.force(target)
	if namespace == "" {
		if an, ok := appName.(vStr); ok {
			namespace = an.s
		}
	}
	switch t := target.(type) {
	case vStr:
		ms := w.l.module(t.s)
		if ms == nil || ms.file == "" {
			w.left++
			if w.l.looksLocal(t.s) {
				w.proj.Diagnostics.Errf(pos.file, pos.line, 0, "include(): module %s not found", t.s)
			} else {
				w.warn(pos, "include(%q) is outside the project; its routes are left to the catch-all", t.s)
			}
			return
		}
		w.conf(ms, parts, ns, namespace, pos)
	case *vModule:
		if t.ms.file == "" {
			w.proj.Diagnostics.Errf(pos.file, pos.line, 0, "include(): %s is a namespace package, not a urlconf", t.ms.name)
			return
		}
		w.conf(t.ms, parts, ns, namespace, pos)
	case *vSeq, vSplice:
		if seq, ok := t.(*vSeq); ok && len(seq.items) == 0 {
			if f, built := w.l.builtEmpty[seq]; built {
				w.leave(pos, "include(%s(...)) gives no URL patterns as discovery reads it: %s builds them from data it does not know yet (a registry filled while the project runs, e.g. by decorators); if Django finds some, they are left to the catch-all", f.def.Name, qualPath(f.ms, f.def.Name))
				return
			}
		}
		if namespace != "" {
			ns = appendCopy(ns, namespace)
		}
		w.patterns(t, parts, ns, pos)
	case *vAttr:
		if namespace != "" {
			ns = appendCopy(ns, namespace)
		}
		if rv, ok := w.routerOf(t); ok {
			w.router(rv, parts, ns)
			return
		}
		w.leave(pos, "include() of .%s not understood; left to the catch-all", t.name)
	case vExt:
		w.leave(pos, "include(%s) is outside the project; its routes are left to the catch-all", t.path)
	case vUnknown:
		w.leave(pos, "include(): cannot follow %s; left to the catch-all", t.why)
	default:
		w.leave(pos, "include() argument not understood (%s); left to the catch-all", describe(t))
	}
}

// describe names a value for messages.
func describe(v Value) string {
	switch x := v.(type) {
	case vExt:
		return x.path
	case *vClass:
		return qualPath(x.ms, x.def.Name)
	case *vFunc:
		return qualPath(x.ms, x.def.Name)
	case *vModule:
		return "module " + x.ms.name
	case *vAttr:
		return describe(x.x) + "." + x.name
	case *vCall:
		return describe(x.fn) + "(...)"
	case vUnknown:
		return x.why
	case vStr:
		return fmt.Sprintf("%q", x.s)
	case vConst:
		return x.s
	case *vSeq:
		return "list"
	case *vDict:
		return "dict"
	case vBuiltin:
		return x.name
	case vGlobals:
		return "globals()"
	case *vObject:
		return x.kind
	}
	return fmt.Sprintf("%T", v)
}

// viewInfo is a resolved view.
type viewInfo struct {
	path    string
	methods []string
	why     string
}

// resolveView names the callable Django's resolver would report and the
// methods the source allows.
func (w *walker) resolveView(v Value, depth int) viewInfo {
	if depth > 8 {
		return viewInfo{why: "view wrapped too deeply"}
	}
	l := w.l
	switch x := l.force(v).(type) {
	case *vFunc:
		return viewInfo{path: qualPath(x.ms, x.def.Name), methods: w.funcMethods(x)}
	case *vClass:
		// A class used as a view is called like a function.
		return viewInfo{path: qualPath(x.ms, x.def.Name), methods: []string{"ANY"}}
	case vExt:
		return viewInfo{path: canonical(x.path), methods: []string{"ANY"}}
	case *vCall:
		switch fn := l.force(x.fn).(type) {
		case *vAttr:
			if fn.name == "as_view" {
				if cls, ok := l.force(fn.x).(*vClass); ok {
					methods := w.classMethods(cls)
					// as_view(http_method_names=[...]) narrows what the class allows.
					if names, ok := l.strList(x.kw["http_method_names"]); ok && methods[0] != "ANY" {
						var keep []string
						for _, m := range methods {
							if contains(names, strings.ToLower(m)) {
								keep = append(keep, m)
							}
						}
						methods = keep
					}
					return viewInfo{path: qualPath(cls.ms, cls.def.Name), methods: methods}
				}
			}
		case vExt:
			if strings.HasSuffix(fn.path, ".as_view") {
				p := canonical(strings.TrimSuffix(fn.path, ".as_view"))
				return viewInfo{path: p, methods: upperAll(frameworkHandlers[p])}
			}
			if inner, ok := w.wrapped(x, depth); ok {
				if m, ok := methodDecorators[canonical(fn.path)]; ok {
					inner.methods = m
				}
				return inner
			}
			// An instance of a framework class (a callable view object).
			return viewInfo{path: canonical(fn.path), methods: []string{"ANY"}}
		case *vClass:
			// A callable instance (syndication Feed()): Django names its class.
			return viewInfo{path: qualPath(fn.ms, fn.def.Name), methods: []string{"ANY"}}
		case *vCall:
			// decorator factory applied: require_http_methods([...])(view)
			if inner, ok := w.wrapped(x, depth); ok {
				if m := w.decoratorMethods(fn); m != nil {
					inner.methods = m
				}
				return inner
			}
		case *vFunc:
			if inner, ok := w.wrapped(x, depth); ok {
				return inner
			}
		}
		return viewInfo{why: "call of " + describe(x.fn)}
	case vUnknown:
		return viewInfo{why: x.why}
	case nil:
		return viewInfo{why: "no view"}
	default:
		return viewInfo{why: describe(x)}
	}
}

// wrapped finds the view a wrapper call receives (login_required(view)).
func (w *walker) wrapped(c *vCall, depth int) (viewInfo, bool) {
	for i := len(c.args) - 1; i >= 0; i-- {
		vi := w.resolveView(c.args[i], depth+1)
		if vi.path != "" {
			return vi, true
		}
	}
	return viewInfo{}, false
}

// decoratorMethods reads the methods a decorator (already called, e.g.
// require_http_methods(["GET"]) or api_view(["POST"])) allows; nil when it
// says nothing about methods.
func (w *walker) decoratorMethods(d Value) []string {
	switch x := w.l.force(d).(type) {
	case vExt:
		return methodDecorators[canonical(x.path)]
	case *vCall:
		fn, ok := w.l.force(x.fn).(vExt)
		if !ok {
			return nil
		}
		switch canonical(fn.path) {
		case "django.views.decorators.http.require_http_methods":
			if ms, ok := w.l.strList(arg(x, 0, "request_method_list")); ok {
				return upperAll(ms)
			}
		case "rest_framework.decorators.api_view":
			if a := arg(x, 0, "http_method_names"); a != nil {
				if ms, ok := w.l.strList(a); ok {
					return upperAll(ms)
				}
				return nil
			}
			return []string{"GET"}
		}
	}
	return nil
}

func (w *walker) funcMethods(f *vFunc) []string {
	for _, d := range f.def.Decorators {
		if m := w.decoratorMethods(w.l.eval(f.ms, d)); m != nil {
			return m
		}
	}
	return []string{"ANY"}
}

// classMethods lists the HTTP handlers a class-based view defines or
// inherits (View.options, which every view has, is not listed), in
// http_method_names order.
func (w *walker) classMethods(cls *vClass) []string {
	allowed := handlerOrder
	if names, ok := w.l.strList(w.l.classAttr(cls, "http_method_names")); ok {
		allowed = names
	}
	var out []string
	for _, m := range handlerOrder {
		if !contains(allowed, m) {
			continue
		}
		if w.l.hasMethod(cls, m, frameworkHandlers) {
			out = append(out, strings.ToUpper(m))
		}
	}
	if len(out) == 0 {
		return []string{"ANY"}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// routerOf recognises router.urls.
func (w *walker) routerOf(a *vAttr) (*vCall, bool) {
	if a.name != "urls" {
		return nil, false
	}
	rv, ok := w.l.force(a.x).(*vCall)
	if !ok {
		return nil, false
	}
	if r, _ := w.routerKind(rv); !r {
		return nil, false
	}
	return rv, true
}

func (w *walker) routerKind(rv *vCall) (router, isDefault bool) {
	switch fn := w.l.force(rv.fn).(type) {
	case vExt:
		return isRouter(canonical(fn.path))
	case *vClass:
		for _, b := range w.l.mro(fn) {
			if e, ok := b.(vExt); ok {
				if r, d := isRouter(e.path); r {
					return r, d
				}
			}
		}
	}
	return false, false
}

// drfRoute is one entry of DRF's SimpleRouter.routes.
type drfRoute struct {
	url     string
	mapping [][2]string
	name    string
	detail  bool
	dynamic bool
}

var simpleRoutes = []drfRoute{
	{url: "^{prefix}{trailing_slash}$", mapping: [][2]string{{"get", "list"}, {"post", "create"}}, name: "{basename}-list"},
	{url: "^{prefix}/{url_path}{trailing_slash}$", name: "{basename}-{url_name}", dynamic: true},
	{url: "^{prefix}/{lookup}{trailing_slash}$", mapping: [][2]string{{"get", "retrieve"}, {"put", "update"}, {"patch", "partial_update"}, {"delete", "destroy"}}, name: "{basename}-detail", detail: true},
	{url: "^{prefix}/{lookup}/{url_path}{trailing_slash}$", name: "{basename}-{url_name}", detail: true, dynamic: true},
}

// extraAction is a ViewSet method decorated with @action.
type extraAction struct {
	name    string
	detail  bool
	mapping [][2]string
	urlPath string
	urlName string
}

// router expands a DRF router's registrations into the routes it makes.
func (w *walker) router(rv *vCall, parts []routePart, ns []string) {
	_, isDefault := w.routerKind(rv)
	trailing := "/"
	if c, ok := w.l.force(rv.kw["trailing_slash"]).(vConst); ok && c.s == "False" {
		trailing = ""
	}
	routes := simpleRoutes
	if cls, ok := w.l.force(rv.fn).(*vClass); ok {
		// A project router: what it overrides (routes, trailing_slash set
		// in __init__, include_root_view), the rest from its DRF base.
		if rs, ok := w.customRoutes(cls); ok {
			routes = rs
		}
		if t, ok := w.initTrailingSlash(cls); ok {
			trailing = t
		}
		if c, ok := w.l.force(w.l.classAttr(cls, "include_root_view")).(vConst); ok && c.s == "False" {
			isDefault = false
		}
	}
	for _, reg := range w.l.registry[rv] {
		pos := at{file: reg.ms.rel, line: reg.line}
		probe := &vCall{args: reg.args, kw: reg.kw}
		prefix, ok := w.l.force(arg(probe, 0, "prefix")).(vStr)
		if !ok {
			w.warn(pos, "register(): prefix is not a string literal; left to the catch-all")
			continue
		}
		cls, ok := w.l.force(arg(probe, 1, "viewset")).(*vClass)
		if !ok {
			w.warn(pos, "register(): viewset %s is not a class of the project; left to the catch-all", describe(w.l.force(arg(probe, 1, "viewset"))))
			continue
		}
		basename := ""
		if b, ok := w.l.force(arg(probe, 2, "basename", "base_name")).(vStr); ok {
			basename = b.s
		} else if m := modelName(w.l, w.l.classAttr(cls, "queryset")); m != "" {
			basename = strings.ToLower(m)
		} else {
			w.warn(pos, "register(): no basename and no queryset on %s", cls.def.Name)
			continue
		}
		lookup := w.lookupRegex(cls)
		actions := w.extraActions(cls)
		viewPath := qualPath(cls.ms, cls.def.Name)
		for _, r := range routes {
			type made struct {
				url, name string
				mapping   [][2]string
			}
			var routes []made
			if r.dynamic {
				for _, a := range actions {
					if a.detail != r.detail {
						continue
					}
					routes = append(routes, made{url: strings.ReplaceAll(r.url, "{url_path}", a.urlPath),
						name: strings.ReplaceAll(r.name, "{url_name}", a.urlName), mapping: a.mapping})
				}
			} else {
				var m [][2]string
				for _, pair := range r.mapping {
					if w.l.hasMethod(cls, pair[1], frameworkActions) {
						m = append(m, pair)
					}
				}
				routes = append(routes, made{url: r.url, name: r.name, mapping: m})
			}
			for _, mr := range routes {
				if len(mr.mapping) == 0 {
					continue
				}
				regex := strings.NewReplacer("{prefix}", prefix.s, "{lookup}", lookup, "{trailing_slash}", trailing).Replace(mr.url)
				if prefix.s == "" && strings.HasPrefix(regex, "^/") {
					regex = "^" + regex[2:]
				}
				var methods []string
				for _, pair := range mr.mapping {
					methods = append(methods, strings.ToUpper(pair[0]))
				}
				name := strings.ReplaceAll(mr.name, "{basename}", basename)
				w.emitRouted(parts, ns, routePart{text: regex, regex: true}, name, viewPath, methods, pos)
			}
		}
	}
	if c, ok := w.l.force(rv.kw["include_root_view"]).(vConst); ok && c.s == "False" {
		isDefault = false
	}
	if isDefault {
		// DefaultRouter appends its API root view after the registrations.
		w.emitRouted(parts, ns, routePart{text: "^$", regex: true}, "api-root", "rest_framework.routers.APIRootView",
			[]string{"GET"}, at{file: rv.ms.rel, line: rv.line})
	}
}

func (w *walker) emitRouted(parts []routePart, ns []string, p routePart, name, view string, methods []string, pos at) {
	parts = appendCopy(parts, p)
	r := Route{Path: apiPathParts(parts), Route: joinRoute(parts), View: view, Methods: methods,
		Source: fmt.Sprintf("%s:%d", pos.file, pos.line), Name: strings.Join(appendCopy(ns, name), ":")}
	r.App = w.appOf(view)
	w.proj.Routes = append(w.proj.Routes, r)
}

// customRoutes reads a router class's own routes = [Route(...),
// DynamicRoute(...)] (DRF's documented way to change what a router makes).
func (w *walker) customRoutes(cls *vClass) ([]drfRoute, bool) {
	v := w.l.classAttr(cls, "routes")
	if v == nil {
		return nil, false
	}
	seq, ok := w.l.force(v).(*vSeq)
	if !ok {
		w.warn(at{file: cls.ms.rel, line: cls.def.Line}, "router %s: routes not known statically; DRF's default routes are used", cls.def.Name)
		return nil, false
	}
	var out []drfRoute
	for _, it := range flatten(w.l, seq) {
		c, ok := it.(*vCall)
		var fn vExt
		if ok {
			fn, ok = w.l.force(c.fn).(vExt)
		}
		if !ok {
			w.warn(at{file: cls.ms.rel, line: cls.def.Line}, "router %s: a route is not Route(...) or DynamicRoute(...); DRF's default routes are used", cls.def.Name)
			return nil, false
		}
		kind := lastComponent(fn.path)
		r := drfRoute{dynamic: kind == "DynamicRoute"}
		if kind != "Route" && kind != "DynamicRoute" {
			return nil, false
		}
		url, ok := w.l.force(arg(c, 0, "url")).(vStr)
		if !ok {
			return nil, false
		}
		r.url = url.s
		nameIdx, detailIdx := 2, 3
		if r.dynamic {
			nameIdx, detailIdx = 1, 2
		} else {
			m, ok := w.l.force(arg(c, 1, "mapping")).(*vDict)
			if !ok {
				return nil, false
			}
			for i, k := range m.keys {
				a, ok := w.l.force(m.vals[i]).(vStr)
				if !ok {
					return nil, false
				}
				r.mapping = append(r.mapping, [2]string{strings.ToLower(k), a.s})
			}
		}
		name, ok := w.l.force(arg(c, nameIdx, "name")).(vStr)
		if !ok {
			return nil, false
		}
		r.name = name.s
		if d, ok := w.l.force(arg(c, detailIdx, "detail")).(vConst); ok && d.s == "True" {
			r.detail = true
		}
		out = append(out, r)
	}
	return out, true
}

// initTrailingSlash reads self.trailing_slash = "..." from a router
// class's __init__ (OptionalSlashRouter's "/?").
func (w *walker) initTrailingSlash(cls *vClass) (string, bool) {
	for _, b := range w.l.mro(cls) {
		c, ok := b.(*vClass)
		if !ok {
			continue
		}
		f, ok := w.l.ownAttr(c, "__init__")
		if !ok {
			continue
		}
		fn, ok := f.(*vFunc)
		if !ok {
			return "", false
		}
		if !fn.def.Parsed {
			fp, ok := w.l.parser.(funcParser)
			if !ok || fp.ParseFunc(fn.def) != nil {
				return "", false
			}
		}
		var found string
		var ok2 bool
		var walk func(stmts []*Stmt)
		walk = func(stmts []*Stmt) {
			for _, s := range stmts {
				switch s.Kind {
				case StmtAssign:
					for _, t := range s.Targets {
						if t.Kind == ExprAttr && t.Name == "trailing_slash" && t.X.Kind == ExprName && t.X.Name == "self" {
							if v, ok := w.l.force(w.l.eval(fn.ms, s.Value)).(vStr); ok {
								found, ok2 = v.s, true
							}
						}
					}
				case StmtIf, StmtBlock:
					walk(s.Body)
					for _, br := range s.Branches {
						walk(br.Body)
					}
				}
			}
		}
		walk(fn.def.Body)
		return found, ok2
	}
	return "", false
}

// lookupRegex is SimpleRouter.get_lookup_regex.
func (w *walker) lookupRegex(cls *vClass) string {
	field := "pk"
	if f, ok := w.l.force(w.l.classAttr(cls, "lookup_field")).(vStr); ok {
		field = f.s
	}
	kwarg := field
	if f, ok := w.l.force(w.l.classAttr(cls, "lookup_url_kwarg")).(vStr); ok && f.s != "" {
		kwarg = f.s
	}
	value := "[^/.]+"
	if f, ok := w.l.force(w.l.classAttr(cls, "lookup_value_regex")).(vStr); ok {
		value = f.s
	}
	return "(?P<" + kwarg + ">" + value + ")"
}

// extraActions lists @action methods of a ViewSet and its project bases,
// sorted by name as inspect.getmembers does.
func (w *walker) extraActions(cls *vClass) []extraAction {
	byName := map[string]*extraAction{}
	seen := map[string]bool{}
	for _, b := range w.l.mro(cls) {
		c, ok := b.(*vClass)
		if !ok {
			continue
		}
		for _, f := range ownMethods(c) {
			if seen[f.Name] {
				continue
			}
			seen[f.Name] = true
			for _, d := range f.Decorators {
				dv := w.l.force(w.l.eval(c.ms, d))
				call, ok := dv.(*vCall)
				if !ok {
					if e, ok := dv.(vExt); !ok || canonical(e.path) != "rest_framework.decorators.action" {
						continue
					}
					call = &vCall{}
				} else if e, ok := w.l.force(call.fn).(vExt); !ok || canonical(e.path) != "rest_framework.decorators.action" {
					continue
				}
				a := &extraAction{name: f.Name, urlPath: f.Name, urlName: strings.ReplaceAll(f.Name, "_", "-")}
				if c, ok := w.l.force(arg(call, 1, "detail")).(vConst); ok && c.s == "True" {
					a.detail = true
				}
				methods := []string{"get"}
				if ms, ok := w.l.strList(arg(call, 0, "methods")); ok {
					methods = ms
				}
				for _, m := range methods {
					a.mapping = append(a.mapping, [2]string{strings.ToLower(m), f.Name})
				}
				if s, ok := w.l.force(arg(call, 3, "url_path")).(vStr); ok {
					a.urlPath = s.s
				}
				if s, ok := w.l.force(arg(call, 4, "url_name")).(vStr); ok {
					a.urlName = s.s
				}
				byName[f.Name] = a
			}
		}
		// @other.mapping.post handlers add methods to an action.
		for _, f := range ownMethods(c) {
			for _, d := range f.Decorators {
				if d.Kind == ExprAttr && d.X.Kind == ExprAttr && d.X.Name == "mapping" && d.X.X.Kind == ExprName {
					if a, ok := byName[d.X.X.Name]; ok {
						a.mapping = append(a.mapping, [2]string{strings.ToLower(d.Name), f.Name})
					}
				}
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]extraAction, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out
}

// modelName finds the model class behind Model.objects.all().
func modelName(l *loader, v Value) string {
	for i := 0; i < 16; i++ {
		switch x := l.force(v).(type) {
		case *vCall:
			v = x.fn
		case *vAttr:
			if c, ok := l.force(x.x).(*vClass); ok && x.name == "objects" {
				return c.def.Name
			}
			v = x.x
		case vExt:
			if i := strings.Index(x.path, ".objects"); i > 0 {
				return lastComponent(x.path[:i])
			}
			return ""
		case *vClass:
			return x.def.Name
		default:
			return ""
		}
	}
	return ""
}
