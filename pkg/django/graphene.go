package django

import (
	"fmt"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// findSchema locates the graphene schema: GRAPHENE["SCHEMA"] in settings,
// else a module-level graphene.Schema(...) in the settings package's
// schema.py, a top-level schema.py or an app's schema.py.
func findSchema(l *loader, settings *modState, proj *Project) *GraphQL {
	fromView := schemaOfViews(l, proj)
	fromSettings := schemaOfSettings(l, settings, proj)
	switch {
	case fromView != nil && fromSettings != nil && fromView.Schema != fromSettings.Schema:
		file, line := fromViewPos(l)
		proj.Diagnostics.Warnf(file, line, 0, "GraphQLView serves schema %s while GRAPHENE[\"SCHEMA\"] names %s: AppSync gets the one the view serves", fromView.Schema, fromSettings.Schema)
		return fromView
	case fromView != nil:
		return fromView
	case fromSettings != nil:
		return fromSettings
	}
	if g := schemaByConvention(l, settings, proj); g != nil {
		return g
	}
	if len(l.graphqlViews) > 0 || l.grapheneRouted {
		file, line := fromViewPos(l)
		if file == "" {
			for _, r := range proj.Routes {
				if strings.Contains(r.View, "GraphQLView") {
					file, line = diag.ParseSource(r.Source)
					break
				}
			}
		}
		proj.Diagnostics.Warnf(file, line, 0, "a GraphQLView is routed but its graphene schema was not found (no schema= discovery can follow, no GRAPHENE[\"SCHEMA\"]): AppSync is not rendered; commit the SDL and set graphql.schema_file")
	}
	return nil
}

func fromViewPos(l *loader) (string, int) {
	if len(l.graphqlViews) == 0 {
		return "", 0
	}
	c := l.graphqlViews[0]
	return c.ms.rel, c.line
}

// schemaOfViews reads GraphQLView.as_view(schema=...) of the routed views:
// the schema the view serves, named by the module-level name it is bound
// to.
func schemaOfViews(l *loader, proj *Project) *GraphQL {
	for _, c := range l.graphqlViews {
		sv := l.force(c.kw["schema"])
		call, ok := sv.(*vCall)
		if !ok || !isSchemaCall(l, call) {
			proj.Diagnostics.Warnf(c.ms.rel, c.line, 0, "GraphQLView schema=%s is not a graphene.Schema(...) discovery can read", describe(sv))
			continue
		}
		path := schemaPath(l, call, c)
		if path == "" {
			proj.Diagnostics.Warnf(call.ms.rel, call.line, 0, "graphene.Schema(...) is not bound to a module-level name: the runtime cannot import it; bind it (schema = graphene.Schema(...)) and pass that name")
			continue
		}
		return schemaFields(l, path, call, proj)
	}
	return nil
}

// schemaPath names a Schema(...) call by the module-level name that holds
// it ("shop.schema.schema"): in the module that made it, else the name the
// view's module passes, followed to the module that defines it (a schema
// built by a factory function is bound where the factory is called). ""
// when no module-level name holds it.
func schemaPath(l *loader, call, view *vCall) string {
	if p := boundName(l, call.ms, call); p != "" {
		return p
	}
	if view == nil || view.ms == nil {
		return ""
	}
	return boundName(l, view.ms, call)
}

// boundName finds a module-level name of ms bound to v, following
// from-imports to the module that defines the name.
func boundName(l *loader, ms *modState, v Value) string {
	if ms == nil || ms.env == nil {
		return ""
	}
	var names []string
	for k, raw := range ms.env {
		if l.force(raw) == v {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	name := names[0]
	for _, n := range names {
		if n == "schema" {
			name = n
		}
	}
	raw := ms.env[name]
	for i := 0; i < 16; i++ {
		lz, ok := raw.(*vLazy)
		if !ok {
			break
		}
		src := l.module(lz.mod)
		if src == nil || src.env == nil {
			return lz.mod + "." + lz.attr
		}
		next, ok := src.env[lz.attr]
		if !ok {
			return lz.mod + "." + lz.attr
		}
		ms, name, raw = src, lz.attr, next
	}
	return ms.name + "." + name
}

// schemaOfSettings reads graphene-django's GRAPHENE["SCHEMA"].
func schemaOfSettings(l *loader, settings *modState, proj *Project) *GraphQL {
	if g, ok := l.settingValue(settings, "GRAPHENE").(*vDict); ok {
		if sv, ok := g.get("SCHEMA"); ok {
			if s, ok := l.force(sv).(vStr); ok {
				i := strings.LastIndexByte(s.s, '.')
				if i <= 0 {
					proj.Diagnostics.Warnf(settings.rel, 0, 0, "GRAPHENE[\"SCHEMA\"] %q is not a dotted path", s.s)
					return nil
				}
				ms := l.module(s.s[:i])
				if ms == nil || ms.file == "" {
					proj.Diagnostics.Warnf(settings.rel, 0, 0, "GRAPHENE[\"SCHEMA\"]: module %s not found", s.s[:i])
					return nil
				}
				l.exec(ms)
				call, ok := l.force(ms.env[s.s[i+1:]]).(*vCall)
				if !ok || !isSchemaCall(l, call) {
					proj.Diagnostics.Warnf(ms.rel, 0, 0, "GRAPHENE[\"SCHEMA\"]: %s is not a graphene.Schema(...)", s.s)
					return nil
				}
				return schemaFields(l, s.s, call, proj)
			}
		}
	}
	return nil
}

// schemaByConvention looks for a module-level graphene.Schema(...) in the
// settings package's schema.py, a top-level schema.py or an app's schema.py.
func schemaByConvention(l *loader, settings *modState, proj *Project) *GraphQL {
	var candidates []string
	parts := strings.Split(settings.name, ".")
	for i := len(parts) - 1; i > 0; i-- {
		candidates = append(candidates, strings.Join(parts[:i], ".")+".schema")
	}
	candidates = append(candidates, "schema")
	for _, label := range proj.Apps {
		candidates = append(candidates, proj.AppModules[label]+".schema")
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		ms := l.module(c)
		if ms == nil || ms.file == "" {
			continue
		}
		l.exec(ms)
		if ms.mod == nil {
			continue
		}
		for _, s := range ms.mod.Stmts {
			if s.Kind != StmtAssign || len(s.Targets) != 1 || s.Targets[0].Kind != ExprName {
				continue
			}
			call, ok := l.force(ms.env[s.Targets[0].Name]).(*vCall)
			if ok && isSchemaCall(l, call) {
				return schemaFields(l, ms.name+"."+s.Targets[0].Name, call, proj)
			}
		}
	}
	return nil
}

func isSchemaCall(l *loader, c *vCall) bool {
	e, ok := l.force(c.fn).(vExt)
	return ok && canonical(e.path) == "graphene.types.schema.Schema"
}

func schemaFields(l *loader, path string, call *vCall, proj *Project) *GraphQL {
	g := &GraphQL{Schema: path, QueryFields: []string{}, MutationFields: []string{}, Source: fmt.Sprintf("%s:%d", call.ms.rel, call.line)}
	camel := true
	if c, ok := l.force(call.kw["auto_camelcase"]).(vConst); ok && c.s == "False" {
		camel = false
	}
	if q, ok := l.force(arg(call, 0, "query")).(*vClass); ok {
		g.QueryFields = objectFields(l, q, camel)
	} else if v := arg(call, 0, "query"); v != nil {
		proj.Diagnostics.Warnf(call.ms.rel, call.line, 0, "schema query %s is not a class of the project", describe(l.force(v)))
	}
	if m, ok := l.force(arg(call, 1, "mutation")).(*vClass); ok {
		g.MutationFields = objectFields(l, m, camel)
	} else if v := arg(call, 1, "mutation"); v != nil {
		proj.Diagnostics.Warnf(call.ms.rel, call.line, 0, "schema mutation %s is not a class of the project", describe(l.force(v)))
	}
	return g
}

// objectFields lists an ObjectType's fields as graphene collects them:
// bases first (reversed MRO), each class's fields in definition order, a
// redefined field keeping its first position.
func objectFields(l *loader, cls *vClass, camel bool) []string {
	mro := l.mro(cls)
	var order []string
	names := map[string]string{}
	for i := len(mro) - 1; i >= 0; i-- {
		c, ok := mro[i].(*vClass)
		if !ok {
			continue
		}
		for _, s := range c.def.Body {
			if s.Kind != StmtAssign || len(s.Targets) != 1 || s.Targets[0].Kind != ExprName || s.Value == nil || s.Value.Kind != ExprCall {
				continue
			}
			attr := s.Targets[0].Name
			if !isFieldCall(l, c, s.Value) {
				continue
			}
			name := attr
			if camel {
				name = toCamelCase(attr)
			}
			if n := s.Value.Kw("name"); n != nil && n.Kind == ExprStr {
				name = n.Name
			}
			if _, ok := names[attr]; !ok {
				order = append(order, attr)
			}
			names[attr] = name
		}
	}
	out := make([]string, 0, len(order))
	for _, a := range order {
		out = append(out, names[a])
	}
	return out
}

// isFieldCall reports whether a class-level call mounts a field:
// graphene.String(), graphene.Field(...), X.Field(), relay.Node.Field(),
// DjangoFilterConnectionField(...), or an instance of a project type.
func isFieldCall(l *loader, c *vClass, e *Expr) bool {
	if e.X.Kind == ExprAttr && e.X.Name == "Field" {
		return true
	}
	switch fn := l.force(l.eval(c.ms, e.X)).(type) {
	case vExt:
		p := fn.path
		return strings.HasPrefix(p, "graphene") || strings.HasSuffix(p, "Field") || strings.HasSuffix(p, "ConnectionField")
	case *vClass:
		return true
	}
	return false
}

// toCamelCase is graphene's to_camel_case: "all_products" -> "allProducts",
// each later part capitalize()d (rest lower-cased), empty parts kept as "_".
func toCamelCase(s string) string {
	parts := strings.Split(s, "_")
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			b.WriteByte('_')
			continue
		}
		b.WriteString(capitalize(p))
	}
	return b.String()
}

// capitalize is Python's str.capitalize.
func capitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	return string(r)
}
