package django

// hostsWarnings reads django-hosts' ROOT_HOSTCONF: a host served by
// another URL conf than ROOT_URLCONF gets no routes of its own (requests
// for it reach whichever function API Gateway picks by path, or the
// catch-all, and Django resolves them there), so each is a warning.
func hostsWarnings(l *loader, settings *modState, proj *Project) {
	conf, ok := l.settingValue(settings, "ROOT_HOSTCONF").(vStr)
	if !ok {
		return
	}
	ms := l.module(conf.s)
	if ms == nil || ms.file == "" {
		proj.Diagnostics.Warnf(settings.rel, 0, 0, "ROOT_HOSTCONF %s not found: django-hosts host URL confs are not read", conf.s)
		return
	}
	l.exec(ms)
	seq, ok := l.force(ms.env["host_patterns"]).(*vSeq)
	if !ok {
		proj.Diagnostics.Warnf(ms.rel, 0, 0, "django-hosts: host_patterns not understood; only ROOT_URLCONF %s is discovered", proj.RootURLConf)
		return
	}
	for _, it := range flatten(l, seq) {
		c, ok := it.(*vCall)
		if !ok {
			continue
		}
		fn, ok := l.force(c.fn).(vExt)
		if !ok || (fn.path != "django_hosts.host" && fn.path != "django_hosts.defaults.host") {
			continue
		}
		name := ""
		if n, ok := l.force(arg(c, 3, "name")).(vStr); ok {
			name = n.s
		}
		urlconf, ok := l.force(arg(c, 1, "urlconf")).(vStr)
		switch {
		case !ok:
			proj.Diagnostics.Warnf(c.ms.rel, c.line, 0, "django-hosts: host %q: URL conf not known statically; its routes are not discovered", name)
		case urlconf.s != proj.RootURLConf:
			proj.Diagnostics.Warnf(c.ms.rel, c.line, 0, "django-hosts: host %q serves %s, which discovery does not read (it follows ROOT_URLCONF %s): no routes of its own, its requests reach the functions by path or the catch-all, where Django resolves them",
				name, urlconf.s, proj.RootURLConf)
		}
	}
}
