package django

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// ErrNoManagePy is returned by FindRoot when no manage.py is below the folder.
var ErrNoManagePy = errors.New("no manage.py found")

// FindRoot returns the Django root: dir itself when it holds manage.py,
// else the shallowest folder below it that does (ties broken by path order).
// Tool and virtualenv folders are skipped and symlinks never followed.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find django root in %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("find django root: %w", err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("find django root: %s is not a folder", dir)
	}
	level := []string{abs}
	for depth := 0; depth < 12 && len(level) > 0; depth++ {
		var found []string
		var next []string
		for _, d := range level {
			entries, err := os.ReadDir(d)
			if err != nil {
				continue
			}
			for _, e := range entries {
				p := filepath.Join(d, e.Name())
				switch {
				case e.Name() == "manage.py" && e.Type().IsRegular():
					found = append(found, d)
				case e.IsDir() && !skipDir(p, e.Name()):
					next = append(next, p)
				}
			}
		}
		if len(found) > 0 {
			sort.Strings(found)
			return found[0], nil
		}
		sort.Strings(next)
		level = next
	}
	return "", fmt.Errorf("%w in %s or below", ErrNoManagePy, dir)
}

// Options tune Discover; the zero value is the default.
type Options struct {
	// Parser replaces the tree-sitter parser (tests).
	Parser Parser
}

// Discover reads the Django project at or below dir. It fails only when
// nothing useful can be said (no manage.py, no settings module); every
// other problem lands in Project.Diagnostics with file:line.
func Discover(dir string) (*Project, error) {
	return DiscoverWith(dir, Options{})
}

// DiscoverWith is Discover with options.
func DiscoverWith(dir string, opt Options) (*Project, error) {
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	p := opt.Parser
	if p == nil {
		ts, err := NewTreeSitter()
		if err != nil {
			return nil, err
		}
		defer ts.Close()
		p = ts
	}
	proj := &Project{Root: root, Apps: []string{}, Routes: []Route{}, AppModules: map[string]string{}}
	l := newLoader(root, p, &proj.Diagnostics)
	settings, err := findSettings(l)
	if err != nil {
		return nil, err
	}
	proj.SettingsModule = settings.name
	l.exec(settings)
	l.settings = settings
	if settings.mod == nil && settings.file != "" {
		return nil, diagErr(settings.rel, 0, "settings module %s could not be read", settings.name)
	}
	readApps(l, settings, proj)
	if opt.Parser == nil {
		mods := make([]string, 0, len(proj.Apps))
		for _, label := range proj.Apps {
			mods = append(mods, proj.AppModules[label])
		}
		l.prefetch(mods, NewTreeSitter)
	}
	if v, ok := l.force(settings.env["ROOT_URLCONF"]).(vStr); ok {
		proj.RootURLConf = v.s
	} else {
		proj.Diagnostics.Warnf(settings.rel, 0, 0, "ROOT_URLCONF not found in %s", settings.name)
	}
	if proj.RootURLConf != "" {
		w := &walker{l: l, proj: proj, walking: map[*vSeq]bool{}}
		w.root(proj.RootURLConf, settings)
	}
	proj.GraphQL = findSchema(l, settings, proj)
	proj.Requirements = findRequirements(root, dir)
	proj.Diagnostics.Sort()
	return proj, nil
}

func diagErr(file string, line int, format string, args ...any) error {
	var l diag.List
	l.Errf(file, line, 0, format, args...)
	return l
}

// findSettings reads DJANGO_SETTINGS_MODULE from manage.py, then wsgi.py
// and asgi.py, and returns the module it names.
func findSettings(l *loader) (*modState, error) {
	candidates := []string{filepath.Join(l.root, "manage.py")}
	for _, pat := range []string{"*/wsgi.py", "*/asgi.py", "wsgi.py", "asgi.py"} {
		m, _ := filepath.Glob(filepath.Join(l.root, pat))
		sort.Strings(m)
		candidates = append(candidates, m...)
	}
	for _, file := range candidates {
		if !isFile(file) || !l.inside(file) {
			continue
		}
		m := l.parse(file)
		if m == nil {
			continue
		}
		name, line := settingsDefault(m.Stmts)
		if name == "" {
			continue
		}
		ms := l.module(name)
		if ms == nil || ms.file == "" {
			return nil, diagErr(l.rel(file), line, "settings module %s not found (no %s.py or %s/__init__.py below %s)",
				name, strings.ReplaceAll(name, ".", "/"), strings.ReplaceAll(name, ".", "/"), l.root)
		}
		return ms, nil
	}
	return nil, diagErr("manage.py", 0, "DJANGO_SETTINGS_MODULE not set by os.environ.setdefault in manage.py, wsgi.py or asgi.py")
}

// settingsDefault finds os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")
// anywhere in the statements (main() bodies included).
func settingsDefault(stmts []*Stmt) (string, int) {
	for _, s := range stmts {
		switch s.Kind {
		case StmtExpr:
			e := s.Value
			if e.Kind == ExprCall && strings.HasSuffix(e.X.Dotted(), "environ.setdefault") && len(e.Elts) == 2 &&
				e.Elts[0].Kind == ExprStr && e.Elts[0].Name == "DJANGO_SETTINGS_MODULE" && e.Elts[1].Kind == ExprStr {
				return e.Elts[1].Name, s.Line
			}
		case StmtAssign:
			for _, t := range s.Targets {
				if t.Kind == ExprSubscript && t.X.Dotted() == "os.environ" && t.Y.Kind == ExprStr &&
					t.Y.Name == "DJANGO_SETTINGS_MODULE" && s.Value.Kind == ExprStr {
					return s.Value.Name, s.Line
				}
			}
		case StmtBlock:
			if n, l := settingsDefault(s.Body); n != "" {
				return n, l
			}
		case StmtIf:
			for _, b := range s.Branches {
				if n, l := settingsDefault(b.Body); n != "" {
					return n, l
				}
			}
		case StmtFunc:
			if n, l := settingsDefault(s.Func.Body); n != "" {
				return n, l
			}
		}
	}
	return "", 0
}

// installedApp is one INSTALLED_APPS entry resolved.
type installedApp struct {
	label, module string
	own           bool
}

// readApps maps INSTALLED_APPS to labels and keeps the project's own apps.
func readApps(l *loader, settings *modState, proj *Project) {
	seq, ok := l.force(settings.env["INSTALLED_APPS"]).(*vSeq)
	if !ok {
		proj.Diagnostics.Warnf(settings.rel, 0, 0, "INSTALLED_APPS not found or not a list in %s", settings.name)
		return
	}
	seen := map[string]bool{}
	for _, it := range flatten(l, seq) {
		s, ok := it.(vStr)
		if !ok {
			proj.Diagnostics.Warnf(settings.rel, 0, 0, "INSTALLED_APPS entry is not a string literal; skipped")
			continue
		}
		proj.InstalledApps = append(proj.InstalledApps, s.s)
		label, module, own := appLabel(l, s.s)
		l.installed = append(l.installed, installedApp{label: label, module: module, own: own})
		if !own || seen[label] {
			continue
		}
		seen[label] = true
		proj.Apps = append(proj.Apps, label)
		proj.AppModules[label] = module
	}
}

// flatten expands splices of lists inside a list (a list spliced into
// itself is expanded once).
func flatten(l *loader, seq *vSeq) []Value {
	return flattenSeen(l, seq, map[*vSeq]bool{seq: true})
}

func flattenSeen(l *loader, seq *vSeq, seen map[*vSeq]bool) []Value {
	var out []Value
	for _, it := range seq.items {
		it = l.force(it)
		if sp, ok := it.(vSplice); ok {
			if inner, ok := l.force(sp.v).(*vSeq); ok {
				if !seen[inner] {
					seen[inner] = true
					out = append(out, flattenSeen(l, inner, seen)...)
				}
				continue
			}
			out = append(out, l.force(sp.v))
			continue
		}
		out = append(out, it)
	}
	return out
}

// appLabel resolves an INSTALLED_APPS entry (a module or an AppConfig
// path) to its label and module; own is true when the app's module is a
// folder of the project.
func appLabel(l *loader, entry string) (label, module string, own bool) {
	// An AppConfig path: module.Class where module is in the project.
	if i := strings.LastIndexByte(entry, '.'); i > 0 {
		if ms := l.module(entry[:i]); ms != nil && ms.file != "" && l.module(entry) == nil {
			l.exec(ms)
			if cls, ok := l.force(ms.env[entry[i+1:]]).(*vClass); ok {
				return configLabel(l, cls, "")
			}
		}
	}
	ms := l.module(entry)
	if ms == nil || !ms.isPkg {
		// third-party AppConfig path: pkg.apps.PkgConfig
		if i := strings.LastIndex(entry, ".apps."); i > 0 && strings.HasSuffix(entry, "Config") {
			entry = entry[:i]
		}
		return lastComponent(entry), entry, false
	}
	// Django 3.2: a single AppConfig (or the one with default = True) in
	// apps.py is used automatically.
	if apps := l.module(entry + ".apps"); apps != nil {
		l.exec(apps)
		var configs []*vClass
		var def *vClass
		for _, s := range apps.mod.StmtsOrNil() {
			if s.Kind != StmtClass {
				continue
			}
			cls := &vClass{ms: apps, def: s.Class}
			if !l.subclassOf(cls, "django.apps.config.AppConfig", "django.apps.AppConfig") {
				continue
			}
			configs = append(configs, cls)
			if c, ok := l.force(l.classAttr(cls, "default")).(vConst); ok && c.s == "True" {
				def = cls
			}
		}
		if def == nil && len(configs) == 1 {
			def = configs[0]
		}
		if def != nil {
			return configLabel(l, def, entry)
		}
	}
	return lastComponent(entry), entry, true
}

// StmtsOrNil returns the module's statements, nil for a nil module.
func (m *Module) StmtsOrNil() []*Stmt {
	if m == nil {
		return nil
	}
	return m.Stmts
}

func configLabel(l *loader, cls *vClass, fallback string) (string, string, bool) {
	module := fallback
	if n, ok := l.force(l.classAttr(cls, "name")).(vStr); ok {
		module = n.s
	}
	if module == "" {
		l.diags.Warnf(cls.ms.rel, cls.def.Line, 0, "AppConfig %s has no name", cls.def.Name)
		return cls.def.Name, "", false
	}
	label := lastComponent(module)
	if lb, ok := l.force(l.classAttr(cls, "label")).(vStr); ok {
		label = lb.s
	}
	ms := l.module(module)
	return label, module, ms != nil && ms.isPkg
}

// findRequirements looks for the requirements file beside manage.py and in
// the folders up to the one discovery started from.
func findRequirements(root, start string) string {
	names := []string{"requirements.txt", "requirements/production.txt", "requirements/prod.txt",
		"requirements/base.txt", "requirements/common.txt"}
	stop, err := filepath.Abs(start)
	if err != nil {
		stop = root
	}
	if real, err := filepath.EvalSymlinks(stop); err == nil {
		stop = real
	}
	for dir := root; ; dir = filepath.Dir(dir) {
		for _, n := range names {
			p := filepath.Join(dir, filepath.FromSlash(n))
			if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() {
				if r, err := filepath.Rel(root, p); err == nil {
					return filepath.ToSlash(r)
				}
			}
		}
		if dir == stop || !strings.HasPrefix(dir, stop) || filepath.Dir(dir) == dir {
			return ""
		}
	}
}
