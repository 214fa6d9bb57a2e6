package django

import (
	"fmt"
	"strings"
)

// adminModel is one model registered with the default admin site.
type adminModel struct {
	appLabel, modelName string
	userAdmin           bool    // a UserAdmin: adds <id>/password/
	admin               *vClass // the project's ModelAdmin class, if any
}

// contribAdmin lists what django.contrib apps register, in their order.
var contribAdmin = map[string][]adminModel{
	"django.contrib.auth":      {{appLabel: "auth", modelName: "group"}, {appLabel: "auth", modelName: "user", userAdmin: true}},
	"django.contrib.sites":     {{appLabel: "sites", modelName: "site"}},
	"django.contrib.flatpages": {{appLabel: "flatpages", modelName: "flatpage"}},
	"django.contrib.redirects": {{appLabel: "redirects", modelName: "redirect"}},
	"rest_framework.authtoken": {{appLabel: "authtoken", modelName: "tokenproxy"}},
}

// noAdmin lists common third-party apps that register no admin models.
var noAdmin = map[string]bool{
	"rest_framework": true, "graphene_django": true, "corsheaders": true, "django_filters": true,
	"django_extensions": true, "storages": true, "debug_toolbar": true, "whitenoise.runserver_nostatic": true,
	"drf_yasg": true, "drf_spectacular": true, "crispy_forms": true, "widget_tweaks": true, "channels": true,
}

// admin expands admin.site.urls as Django 3.2's AdminSite.get_urls does:
// the site's own views, each registered model's ModelAdmin views, the app
// index and the final catch-all. Models come from django.contrib apps and
// the admin modules of the project's apps, in INSTALLED_APPS order.
func (w *walker) admin(parts []routePart, ns []string, pos at) {
	ns = appendCopy(ns, "admin")
	// Views are named module.qualname: AdminSite's bound methods.
	const sites = "django.contrib.admin.sites.AdminSite."
	emit := func(sub []routePart, name, view string) {
		methods := []string{"ANY"}
		if h, ok := frameworkHandlers[view]; ok {
			methods = nil
			for _, m := range handlerOrder {
				if contains(h, m) {
					methods = append(methods, strings.ToUpper(m))
				}
			}
		}
		r := Route{Path: apiPathParts(append(append([]routePart(nil), parts...), sub...)),
			Route: joinRoute(append(append([]routePart(nil), parts...), sub...)), View: view, Methods: methods,
			Source: fmt.Sprintf("%s:%d", pos.file, pos.line)}
		if name != "" {
			r.Name = strings.Join(appendCopy(ns, name), ":")
		}
		w.proj.Routes = append(w.proj.Routes, r)
	}
	p := func(s string) []routePart { return []routePart{{text: s}} }
	emit(p(""), "index", sites+"index")
	emit(p("login/"), "login", sites+"login")
	emit(p("logout/"), "logout", sites+"logout")
	emit(p("password_change/"), "password_change", sites+"password_change")
	emit(p("password_change/done/"), "password_change_done", sites+"password_change_done")
	emit(p("autocomplete/"), "autocomplete", sites+"autocomplete_view")
	emit(p("jsi18n/"), "jsi18n", sites+"i18n_javascript")
	emit(p("r/<int:content_type_id>/<path:object_id>/"), "view_on_site", "django.contrib.contenttypes.views.shortcut")

	var labels []string
	for _, m := range w.adminModels(pos) {
		if !contains(labels, m.appLabel) {
			labels = append(labels, m.appLabel)
		}
		info := m.appLabel + "_" + m.modelName
		base := routePart{text: m.appLabel + "/" + m.modelName + "/"}
		sub := func(s string) []routePart { return []routePart{base, {text: s}} }
		view := func(method string) string { return w.adminView(m, method) }
		if m.userAdmin {
			emit(sub("<id>/password/"), "auth_user_password_change", view("user_change_password"))
		}
		emit(sub(""), info+"_changelist", view("changelist_view"))
		emit(sub("add/"), info+"_add", view("add_view"))
		emit(sub("<path:object_id>/history/"), info+"_history", view("history_view"))
		emit(sub("<path:object_id>/delete/"), info+"_delete", view("delete_view"))
		emit(sub("<path:object_id>/change/"), info+"_change", view("change_view"))
		emit(sub("<path:object_id>/"), "", "django.views.generic.base.RedirectView")
	}
	if len(labels) > 0 {
		emit([]routePart{{text: "^(?P<app_label>" + strings.Join(labels, "|") + ")/$", regex: true}}, "app_list", sites+"app_index")
	}
	emit([]routePart{{text: "(?P<url>.*)$", regex: true}}, "", sites+"catch_all_view")
}

// adminView names a ModelAdmin view method as module.qualname of the
// method Django wraps (update_wrapper keeps it as __wrapped__): the project
// class that defines it, UserAdmin for its own views, else ModelAdmin.
func (w *walker) adminView(m adminModel, method string) string {
	if m.admin != nil {
		for _, b := range w.l.mro(m.admin) {
			if c, ok := b.(*vClass); ok {
				if f, ok := w.l.ownAttr(c, method); ok {
					if _, isFunc := f.(*vFunc); isFunc {
						return c.ms.name + "." + c.def.Name + "." + method
					}
				}
			}
		}
	}
	if m.userAdmin && (method == "add_view" || method == "user_change_password") {
		return "django.contrib.auth.admin.UserAdmin." + method
	}
	return "django.contrib.admin.options.ModelAdmin." + method
}

// adminModels lists the models registered with the default admin site, in
// the order autodiscover() registers them.
func (w *walker) adminModels(pos at) []adminModel {
	l := w.l
	swappedUser := false
	if l.settings != nil {
		if u, ok := l.settingValue(l.settings, "AUTH_USER_MODEL").(vStr); ok && u.s != "auth.User" {
			swappedUser = true
		}
	}
	var out []adminModel
	index := map[string]int{}
	add := func(m adminModel) {
		key := m.appLabel + "." + m.modelName
		if _, ok := index[key]; ok {
			return // AlreadyRegistered in Django
		}
		index[key] = len(out)
		out = append(out, m)
	}
	remove := func(m adminModel) {
		key := m.appLabel + "." + m.modelName
		i, ok := index[key]
		if !ok {
			return
		}
		out = append(out[:i], out[i+1:]...)
		delete(index, key)
		for k, j := range index {
			if j > i {
				index[k] = j - 1
			}
		}
	}
	for _, app := range l.installed {
		if models, ok := contribAdmin[app.module]; ok {
			for _, m := range models {
				if m.appLabel == "auth" && m.modelName == "user" && swappedUser {
					continue
				}
				add(m)
			}
			continue
		}
		if !app.own {
			if !noAdmin[app.module] && !strings.HasPrefix(app.module, "django.contrib.") {
				if ms := l.module(app.module); ms == nil {
					w.proj.Diagnostics.Notef(pos.file, pos.line, 0, "admin models of third-party app %s are not known; its admin pages are left to the admin catch-all", app.module)
				}
			}
			continue
		}
		ms := l.module(app.module + ".admin")
		if ms == nil || ms.file == "" {
			continue
		}
		l.exec(ms)
		if ms.mod == nil {
			continue
		}
		w.adminStmts(ms, ms.mod.Stmts, add, remove)
	}
	return out
}

// adminStmts finds admin.site.register(...)/unregister(...) calls and
// @admin.register(...) class decorators in an admin module.
func (w *walker) adminStmts(ms *modState, stmts []*Stmt, add, remove func(adminModel)) {
	l := w.l
	for _, s := range stmts {
		switch s.Kind {
		case StmtBlock:
			w.adminStmts(ms, s.Body, add, remove)
		case StmtIf:
			for _, b := range s.Branches {
				w.adminStmts(ms, b.Body, add, remove)
			}
		case StmtExpr:
			e := s.Value
			if e.Kind != ExprCall || e.X.Kind != ExprAttr || (e.X.Name != "register" && e.X.Name != "unregister") || len(e.Elts) == 0 {
				continue
			}
			site, ok := l.force(l.eval(ms, e.X.X)).(vExt)
			if !ok || (site.path != "django.contrib.admin.site" && site.path != "django.contrib.admin.sites.site") {
				continue
			}
			user := false
			var cls *vClass
			if len(e.Elts) > 1 {
				av := l.force(l.eval(ms, e.Elts[1]))
				user = w.isUserAdmin(av)
				cls, _ = av.(*vClass)
			}
			for _, m := range w.modelsOf(ms, l.eval(ms, e.Elts[0])) {
				m.userAdmin, m.admin = user, cls
				if e.X.Name == "register" {
					add(m)
				} else {
					remove(m)
				}
			}
		case StmtClass:
			for _, d := range s.Class.Decorators {
				if d.Kind != ExprCall {
					continue
				}
				fn, ok := l.force(l.eval(ms, d.X)).(vExt)
				if !ok || (fn.path != "django.contrib.admin.register" && fn.path != "django.contrib.admin.decorators.register") {
					continue
				}
				cls := &vClass{ms: ms, def: s.Class}
				if v, ok := ms.env[s.Class.Name].(*vClass); ok && v.def == s.Class {
					cls = v
				}
				user := w.isUserAdmin(cls)
				for _, a := range d.Elts {
					for _, m := range w.modelsOf(ms, l.eval(ms, a)) {
						m.userAdmin, m.admin = user, cls
						add(m)
					}
				}
			}
		}
	}
}

func (w *walker) isUserAdmin(v Value) bool {
	switch c := v.(type) {
	case vExt:
		return canonical(c.path) == "django.contrib.auth.admin.UserAdmin"
	case *vClass:
		return w.l.subclassOf(c, "django.contrib.auth.admin.UserAdmin")
	}
	return false
}

// modelsOf reads one model or a list of models into admin labels.
func (w *walker) modelsOf(ms *modState, v Value) []adminModel {
	switch x := w.l.force(v).(type) {
	case *vSeq:
		var out []adminModel
		for _, it := range flatten(w.l, x) {
			out = append(out, w.modelsOf(ms, it)...)
		}
		return out
	case *vClass:
		label := w.appOf(qualPath(x.ms, x.def.Name))
		if meta, ok := w.l.ownAttr(x, "Meta"); ok {
			if mc, ok := meta.(*vClass); ok {
				if al, ok := w.l.force(w.l.classAttr(mc, "app_label")).(vStr); ok {
					label = al.s
				}
			}
		}
		if label == "" {
			return nil
		}
		return []adminModel{{appLabel: label, modelName: strings.ToLower(x.def.Name)}}
	case vExt:
		// django.contrib.auth.models.User -> auth.user
		mod := x.path[:max(0, strings.LastIndexByte(x.path, '.'))]
		mod = strings.TrimSuffix(mod, ".models")
		return []adminModel{{appLabel: lastComponent(mod), modelName: strings.ToLower(lastComponent(x.path))}}
	}
	return nil
}
