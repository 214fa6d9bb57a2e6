package django

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// ErrNoManagePy is returned by FindRoot when no manage.py is below the folder.
var ErrNoManagePy = errors.New("no manage.py found")

// FindRoot returns the Django root: dir itself when it holds manage.py,
// else the shallowest folder below it that does (ties broken by path order).
// Tool and virtualenv folders are skipped and symlinks never followed.
func FindRoot(dir string) (string, error) {
	roots, err := FindRoots(dir)
	if err != nil {
		return "", err
	}
	return roots[0], nil
}

// FindRoots is FindRoot with the other candidates: every folder holding a
// manage.py at the depth of the first one found, in path order (the first
// is the one used).
func FindRoots(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("find django root in %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("find django root: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("find django root: %s is not a folder", dir)
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
			return found, nil
		}
		sort.Strings(next)
		level = next
	}
	return nil, fmt.Errorf("%w in %s or below", ErrNoManagePy, dir)
}

// Options tune Discover; the zero value is the default.
type Options struct {
	// Parser replaces the tree-sitter parser (tests).
	Parser Parser
	// Settings is the settings module to read ("shop.settings.prod");
	// "" reads it from manage.py, wsgi.py or asgi.py as Django's own
	// entry points set it.
	Settings string
	// SettingsFrom names where Settings was configured
	// ("django-serverless.yml:4:11"), for messages.
	SettingsFrom string
	// Env is the environment the functions run with (the configuration's
	// env:). Settings and URL confs read environment variables as the
	// deployed code will: these values, every other variable unset, and
	// the ones Lambda sets (AWS_*, ...) unknown. The environment of the
	// process running discovery is never read.
	Env map[string]string
	// Python is the Lambda runtime's version ("3.12", the default), for
	// sys.version_info.
	Python string
}

// Discover reads the Django project at or below dir. It fails only when
// nothing useful can be said (no manage.py, no settings module); every
// other problem lands in Project.Diagnostics with file:line.
func Discover(dir string) (*Project, error) {
	return DiscoverWith(dir, Options{})
}

// DiscoverWith is Discover with options.
func DiscoverWith(dir string, opt Options) (*Project, error) {
	roots, err := FindRoots(dir)
	if err != nil {
		return nil, err
	}
	root := roots[0]
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
	if len(roots) > 1 {
		var others []string
		for _, r := range roots[1:] {
			others = append(others, relTo(dir, r)+"/manage.py")
		}
		proj.alert("%d manage.py files at the same depth: using %s/manage.py (the first in path order), not %s; point --project (the action's project-path) at the one to deploy",
			len(roots), relTo(dir, roots[0]), strings.Join(others, ", "))
	}
	l := newLoader(root, p, &proj.Diagnostics)
	l.env, l.python = opt.Env, opt.Python
	if l.python == "" {
		l.python = DefaultPython
	}
	proj.Python = l.python
	settings, err := findSettings(l, opt)
	if err != nil {
		return nil, err
	}
	proj.SettingsModule = settings.name
	l.settingsName = settings.name
	l.exec(settings)
	l.settings = settings
	if settings.mod == nil && settings.file != "" {
		why := l.failed[settings.file]
		if why == "" {
			why = "it could not be parsed"
		}
		return nil, diagErr(settings.rel, 0, "settings module %s could not be read: %s", settings.name, why)
	}
	loadConfiguration(l, settings)
	readApps(l, settings, proj)
	if opt.Parser == nil {
		mods := make([]string, 0, len(proj.Apps))
		for _, label := range proj.Apps {
			mods = append(mods, proj.AppModules[label])
		}
		l.prefetch(mods, NewTreeSitter)
	}
	if v, ok := l.settingValue(settings, "ROOT_URLCONF").(vStr); ok {
		proj.RootURLConf = v.s
	} else {
		proj.alert("ROOT_URLCONF not found in %s (%s): no routes can be discovered; every request goes to the catch-all function", settings.name, settings.rel)
	}
	w := &walker{l: l, proj: proj, walking: map[*vSeq]bool{}, walked: map[*modState]bool{}}
	if proj.RootURLConf != "" {
		w.root(proj.RootURLConf, settings)
	}
	proj.GraphQL = findSchema(l, settings, proj)
	hostsWarnings(l, settings, proj)
	l.reportUnions(w.walked)
	proj.Requirements = findRequirements(root, dir)
	proj.checkCoverage(w)
	proj.Diagnostics.Sort()
	proj.Diagnostics = capPerFile(proj.Diagnostics, maxDiagnosticsPerFile)
	proj.Alerts.Sort()
	return proj, nil
}

// maxDiagnosticsPerFile bounds what one file can report (a generated URL
// conf can produce thousands of identical warnings).
const maxDiagnosticsPerFile = 100

// capPerFile keeps the first max diagnostics of each file (the list is
// sorted) and says how many more there were; errors are always kept.
func capPerFile(l diag.List, max int) diag.List {
	out := make(diag.List, 0, len(l))
	count := map[string]int{}
	dropped := map[string]int{}
	var order []string
	for _, d := range l {
		if d.Severity != diag.Error && count[d.File] >= max {
			if dropped[d.File] == 0 {
				order = append(order, d.File)
			}
			dropped[d.File]++
			continue
		}
		count[d.File]++
		out = append(out, d)
	}
	for _, f := range order {
		out.Notef(f, 0, 0, "%d more warnings and notes in this file not shown", dropped[f])
	}
	out.Sort()
	return out
}

// relTo names path relative to base for messages.
func relTo(base, path string) string {
	b, err := filepath.Abs(base)
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(b, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// alert adds a warning that also heads the pull-request comment and the
// job summary: what a reviewer must not miss.
func (p *Project) alert(format string, args ...any) {
	p.Diagnostics.Warnf("", 0, 0, format, args...)
	p.Alerts.Warnf("", 0, 0, format, args...)
}

// checkCoverage says so when discovery found no routes or sends most of
// them to the catch-all function: never a silent zero.
func (p *Project) checkCoverage(w *walker) {
	catchAll := w.left
	for _, r := range p.Routes {
		if r.Path == "/{proxy+}" {
			catchAll++
		}
	}
	total := len(p.Routes) + w.left
	p.CatchAll = catchAll
	switch {
	case p.RootURLConf == "":
		// already said
	case len(p.Routes) == 0 && !w.read:
		p.alert("the URL conf %s could not be evaluated: no routes discovered, every request goes to the catch-all function (see the warnings before this one)", p.RootURLConf)
	case len(p.Routes) == 0:
		p.alert("no routes discovered from %s: every request goes to the catch-all function (see the warnings before this one)", p.RootURLConf)
	case 2*catchAll > total:
		p.alert("%d of %d URL patterns (%d%%) go to the catch-all function: discovery could not follow most of %s (see the warnings before this one)",
			catchAll, total, 100*catchAll/total, p.RootURLConf)
	}
}

func diagErr(file string, line int, format string, args ...any) error {
	var l diag.List
	l.Errf(file, line, 0, format, args...)
	return l
}

// findSettings returns the settings module: the one asked for, else the
// one manage.py, then wsgi.py and asgi.py set as DJANGO_SETTINGS_MODULE.
// It also reads DJANGO_CONFIGURATION (django-configurations) from them.
func findSettings(l *loader, opt Options) (*modState, error) {
	candidates := []string{filepath.Join(l.root, "manage.py")}
	for _, pat := range []string{"*/wsgi.py", "*/asgi.py", "wsgi.py", "asgi.py"} {
		m, _ := filepath.Glob(filepath.Join(l.root, pat))
		sort.Strings(m)
		candidates = append(candidates, m...)
	}
	var chosen *modState
	if opt.Settings != "" {
		var ms *modState
		if validDotted(opt.Settings) {
			ms = l.module(opt.Settings)
		}
		if ms == nil || ms.file == "" {
			from := opt.SettingsFrom
			if from == "" {
				from = "settings"
			}
			var dl diag.List
			file, line, col := splitPos(from)
			dl.Errf(file, line, col, "settings module %s not found (no %s.py or %s/__init__.py below %s)",
				opt.Settings, strings.ReplaceAll(opt.Settings, ".", "/"), strings.ReplaceAll(opt.Settings, ".", "/"), l.root)
			return nil, dl
		}
		chosen = ms
	}
	for _, file := range candidates {
		if !isFile(file) || !l.inside(file) {
			continue
		}
		m := l.parse(file)
		if m == nil {
			continue
		}
		if l.configuration == "" {
			l.configuration, _ = envDefault(m.Stmts, "DJANGO_CONFIGURATION")
		}
		if chosen != nil {
			continue
		}
		name, line := envDefault(m.Stmts, "DJANGO_SETTINGS_MODULE")
		if name == "" {
			continue
		}
		ms := l.module(name)
		if ms == nil || ms.file == "" {
			return nil, diagErr(l.rel(file), line, "settings module %s not found (no %s.py or %s/__init__.py below %s); name the settings module with settings: in django-serverless.yml",
				name, strings.ReplaceAll(name, ".", "/"), strings.ReplaceAll(name, ".", "/"), l.root)
		}
		chosen = ms
	}
	if chosen == nil {
		return nil, diagErr("manage.py", 0, "DJANGO_SETTINGS_MODULE not set by os.environ.setdefault in manage.py, wsgi.py or asgi.py; name the settings module with settings: in django-serverless.yml")
	}
	return chosen, nil
}

// splitPos splits "file:line:col" (line and col optional).
func splitPos(s string) (string, int, int) {
	parts := strings.Split(s, ":")
	var nums []int
	for len(parts) > 1 && len(nums) < 2 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	file := strings.Join(parts, ":")
	switch len(nums) {
	case 2:
		return file, nums[0], nums[1]
	case 1:
		return file, nums[0], 0
	}
	return file, 0, 0
}

// loadConfiguration applies django-configurations: when the settings
// module defines the class DJANGO_CONFIGURATION names (a subclass of
// configurations.Configuration), its upper-case attributes, inherited ones
// included, are the settings.
func loadConfiguration(l *loader, settings *modState) {
	name := l.configuration
	if name == "" {
		return
	}
	cls, ok := l.force(settings.env[name]).(*vClass)
	if !ok || !l.subclassOf(cls, "configurations.Configuration", "configurations.base.Configuration") {
		return
	}
	for _, n := range l.classNames(cls) {
		if n == strings.ToUpper(n) && !strings.HasPrefix(n, "_") {
			if v := l.classAttr(cls, n); v != nil {
				settings.env[n] = v
			}
		}
	}
}

// envDefault finds os.environ.setdefault(key, "x") (or os.environ[key] =
// "x") anywhere in the statements (main() bodies included).
func envDefault(stmts []*Stmt, key string) (string, int) {
	for _, s := range stmts {
		switch s.Kind {
		case StmtExpr:
			e := s.Value
			if e.Kind == ExprCall && strings.HasSuffix(e.X.Dotted(), "environ.setdefault") && len(e.Elts) == 2 &&
				e.Elts[0].Kind == ExprStr && e.Elts[0].Name == key && e.Elts[1].Kind == ExprStr {
				return e.Elts[1].Name, s.Line
			}
		case StmtAssign:
			for _, t := range s.Targets {
				if t.Kind == ExprSubscript && t.X.Dotted() == "os.environ" && t.Y.Kind == ExprStr &&
					t.Y.Name == key && s.Value.Kind == ExprStr {
					return s.Value.Name, s.Line
				}
			}
		case StmtBlock, StmtFor:
			if n, l := envDefault(s.Body, key); n != "" {
				return n, l
			}
		case StmtIf:
			for _, b := range s.Branches {
				if n, l := envDefault(b.Body, key); n != "" {
					return n, l
				}
			}
		case StmtFunc:
			if n, l := envDefault(s.Func.Body, key); n != "" {
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
	seq, ok := l.settingValue(settings, "INSTALLED_APPS").(*vSeq)
	if !ok {
		proj.Diagnostics.Warnf(settings.rel, 0, 0, "INSTALLED_APPS not found or not a list in %s", settings.name)
		return
	}
	seen := map[string]bool{}
	for _, it := range flatten(l, seq) {
		s, ok := it.(vStr)
		if !ok {
			proj.Diagnostics.Warnf(settings.rel, 0, 0, "INSTALLED_APPS entry not known statically (%s); skipped", unknownWhy(it))
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
