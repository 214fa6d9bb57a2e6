package django

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// MaxFileSize is the largest Python file discovery reads; bigger files are
// skipped with a warning (generated code, data dumps).
const MaxFileSize = 2 << 20

// maxEvalDepth bounds recursion through names, attributes and imports.
const maxEvalDepth = 200

// Values are what module-level Python expressions evaluate to, statically.
type (
	// Value is any of the v* types below.
	Value any
	// vUnknown is something discovery cannot follow; why says what.
	vUnknown struct{ why string }
	// vModule is a module of the project.
	vModule struct{ ms *modState }
	// vExt is a dotted name outside the project (django.urls.path).
	vExt struct{ path string }
	// vClass and vFunc are definitions in a project module.
	vClass struct {
		ms  *modState
		def *ClassDef
	}
	vFunc struct {
		ms  *modState
		def *FuncDef
	}
	vStr   struct{ s string }
	vConst struct{ s string } // numbers, True, False, None
	vSeq   struct {
		items []Value
		tuple bool
	}
	vDict struct {
		keys []string
		vals []Value
	}
	// vCall is the result of calling fn: path(...), include(...),
	// DefaultRouter(), X.as_view(), graphene.Schema(...).
	vCall struct {
		fn   Value
		args []Value
		kw   map[string]Value
		ms   *modState
		line int
	}
	// vAttr is an attribute of a value that is not a module (X.as_view).
	vAttr struct {
		x    Value
		name string
	}
	// vLazy is a from-import binding, resolved when first used.
	vLazy struct {
		from     *modState
		mod      string
		attr     string
		line     int
		guarded  bool
		resolved Value
		busy     bool
	}
	// vSplice is a non-list value concatenated into a list (+ router.urls).
	vSplice struct{ v Value }
)

func (d *vDict) get(key string) (Value, bool) {
	for i := len(d.keys) - 1; i >= 0; i-- {
		if d.keys[i] == key {
			return d.vals[i], true
		}
	}
	return nil, false
}

// modState is one module of the project: where it lives and, once
// executed, its module-level names.
type modState struct {
	name  string
	file  string // absolute path of the .py file, "" for a namespace package
	rel   string // file relative to the root, for messages
	isPkg bool
	mod   *Module
	env   map[string]Value
	state int // 0 not run, 1 running, 2 done
}

// registration is one router.register(...) call.
type registration struct {
	args []Value
	kw   map[string]Value
	ms   *modState
	line int
}

// loader finds, parses (once) and executes project modules.
type loader struct {
	root     string
	parser   Parser
	mods     map[string]*modState // by dotted name; nil entry: not in project
	parsed   map[string]*Module   // by absolute path
	diags    *diag.List
	registry map[*vCall][]registration
	realDirs map[string]string                 // folder -> folder with symlinks resolved ("" when unreadable)
	listings map[string]map[string]fs.FileMode // folder (with trailing separator) -> entries
	// installed is INSTALLED_APPS in order, third-party entries included.
	installed []installedApp
	// settings is the settings module once run: django.conf.settings.X
	// reads from it.
	settings *modState
	// prefetched holds files parsed ahead of use, by absolute path.
	prefetched map[string]parsedFile
	depth      int
}

func newLoader(root string, p Parser, diags *diag.List) *loader {
	return &loader{root: root, parser: p, mods: map[string]*modState{}, parsed: map[string]*Module{},
		diags: diags, registry: map[*vCall][]registration{}, realDirs: map[string]string{}, listings: map[string]map[string]fs.FileMode{}, prefetched: map[string]parsedFile{}}
}

func (l *loader) rel(abs string) string {
	if r, err := filepath.Rel(l.root, abs); err == nil {
		return filepath.ToSlash(r)
	}
	return abs
}

// inside reports whether path stays in the project once symlinks are
// resolved; a symlink leaving the project is reported and never followed.
// Resolved folders are cached, so each costs one EvalSymlinks.
func (l *loader) inside(path string) bool {
	dir, base := filepath.Split(path)
	realDir, ok := l.realDirs[dir]
	if !ok {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			realDir = r
		}
		l.realDirs[dir] = realDir
	}
	if realDir == "" {
		return false
	}
	real := filepath.Join(realDir, base)
	var mode fs.FileMode
	if m, ok := l.listings[dir][base]; ok {
		mode = m
	} else if st, err := os.Lstat(real); err == nil {
		mode = st.Mode()
	} else {
		return false
	}
	if mode&fs.ModeSymlink != 0 {
		r, err := filepath.EvalSymlinks(real)
		if err != nil {
			return false
		}
		real = r
	}
	if real == l.root || strings.HasPrefix(real, l.root+string(filepath.Separator)) {
		return true
	}
	l.diags.Warnf(l.rel(path), 0, 0, "symlink leaves the project (to %s); not followed", real)
	return false
}

// dirEntry reports the type of a path from its folder's listing, read
// once per folder; symlinks are stat'ed (inside() decides whether they may
// be followed).
func (l *loader) dirEntry(p string) (fs.FileMode, bool) {
	dir, base := filepath.Split(p)
	entries, ok := l.listings[dir]
	if !ok {
		des, err := os.ReadDir(dir)
		if err == nil {
			entries = make(map[string]fs.FileMode, len(des))
			for _, d := range des {
				entries[d.Name()] = d.Type()
			}
		}
		l.listings[dir] = entries
	}
	mode, ok := entries[base]
	if !ok {
		return 0, false
	}
	if mode&fs.ModeSymlink != 0 {
		st, err := os.Stat(p)
		if err != nil {
			return 0, false
		}
		return st.Mode().Type(), true
	}
	return mode, true
}

func (l *loader) isFile(p string) bool {
	m, ok := l.dirEntry(p)
	return ok && m.IsRegular()
}

func (l *loader) isDir(p string) bool {
	m, ok := l.dirEntry(p)
	return ok && m.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// module returns the project module with a dotted name, nil when the
// project has no such module (third-party or missing).
func (l *loader) module(name string) *modState {
	if ms, ok := l.mods[name]; ok {
		return ms
	}
	l.mods[name] = nil
	if name == "" || !validDotted(name) {
		return nil
	}
	base := filepath.Join(l.root, filepath.FromSlash(strings.ReplaceAll(name, ".", "/")))
	var ms *modState
	switch {
	case l.isFile(base + ".py"):
		ms = &modState{name: name, file: base + ".py"}
	case l.isFile(filepath.Join(base, "__init__.py")):
		ms = &modState{name: name, file: filepath.Join(base, "__init__.py"), isPkg: true}
	case l.isDir(base):
		ms = &modState{name: name, isPkg: true}
	default:
		return nil
	}
	check := base
	if ms.file != "" {
		check = ms.file
	}
	if !l.inside(check) {
		return nil
	}
	if ms.file != "" {
		ms.rel = l.rel(ms.file)
	} else {
		ms.rel = l.rel(base)
	}
	l.mods[name] = ms
	return ms
}

func validDotted(name string) bool {
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' || r > 127) {
				return false
			}
		}
	}
	return true
}

// parse reads and parses a file once; nil when it cannot be read. Its
// problems are reported when the file is first used, also when it was
// parsed ahead of time by prefetch.
func (l *loader) parse(abs string) *Module {
	if m, ok := l.parsed[abs]; ok {
		return m
	}
	r, ok := l.prefetched[abs]
	if ok {
		delete(l.prefetched, abs)
	} else {
		r = readAndParse(l.parser, abs, l.rel(abs))
	}
	*l.diags = append(*l.diags, r.diags...)
	l.parsed[abs] = r.mod
	return r.mod
}

// parsed is one file read and parsed, with its problems.
type parsedFile struct {
	mod   *Module
	diags diag.List
}

// readAndParse reads a file (within MaxFileSize, invalid UTF-8 replaced)
// and parses it; it touches no loader state so prefetch can run it in
// parallel.
func readAndParse(p Parser, abs, rel string) parsedFile {
	var r parsedFile
	src, size, err := readCapped(abs, MaxFileSize)
	if err != nil {
		r.diags.Errf(rel, 0, 0, "read %s: %v", rel, err)
		return r
	}
	if src == nil {
		r.diags.Warnf(rel, 0, 0, "file is %s, over the %s limit; skipped", human.Bytes(size), human.Bytes(MaxFileSize))
		return r
	}
	if !utf8.Valid(src) {
		ln := 1 + bytes.Count(src[:firstInvalidUTF8(src)], []byte("\n"))
		r.diags.Warnf(rel, ln, 0, "file is not valid UTF-8; invalid bytes read as '?'")
		src = sanitizeUTF8(src)
	}
	m, err := p.Parse(rel, src)
	if err != nil {
		r.diags.Errf(rel, 0, 0, "%v", err)
		return r
	}
	for _, e := range m.Errors {
		r.diags.Errf(rel, e.Line, e.Col, "syntax error near %q", e.Text)
	}
	r.mod = m
	return r
}

// readCapped reads a file of at most limit bytes; for a bigger one it
// returns nil and the size without reading it.
func readCapped(path string, limit int64) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.Size() > limit {
		return nil, st.Size(), nil
	}
	buf := make([]byte, st.Size())
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, 0, err
	}
	return buf, st.Size(), nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// sanitizeUTF8 replaces each invalid byte with '?', keeping offsets.
func sanitizeUTF8(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && n == 1 {
			out[i] = '?'
		}
		i += n
	}
	return out
}

// exec runs a module's top level once. A module asked for while it runs
// (an import cycle) gives what it has so far, as Python does.
func (l *loader) exec(ms *modState) {
	if ms.state != 0 {
		return
	}
	ms.state = 1
	ms.env = map[string]Value{}
	if ms.file != "" {
		ms.mod = l.parse(ms.file)
		if ms.mod != nil {
			l.execBlock(ms, ms.mod.Stmts, false)
		}
	}
	ms.state = 2
}

func (l *loader) execBlock(ms *modState, stmts []*Stmt, guarded bool) {
	for _, s := range stmts {
		l.execStmt(ms, s, guarded)
	}
}

func (l *loader) execStmt(ms *modState, s *Stmt, guarded bool) {
	switch s.Kind {
	case StmtBlock:
		l.execBlock(ms, s.Body, guarded || s.Guarded)
	case StmtIf:
		for i, b := range s.Branches {
			if b.Cond == nil {
				l.execBlock(ms, b.Body, guarded)
				return
			}
			switch truth(l.eval(ms, b.Cond)) {
			case 1:
				l.execBlock(ms, b.Body, guarded)
				return
			case -1:
				// Unknown condition: every remaining branch may run.
				for _, rest := range s.Branches[i:] {
					l.execBlock(ms, rest.Body, guarded)
				}
				return
			}
		}
	case StmtImport:
		for _, n := range s.Names {
			if n.Alias != "" {
				ms.env[n.Alias] = l.moduleValue(n.Name)
				continue
			}
			top := n.Name
			if i := strings.IndexByte(top, '.'); i >= 0 {
				top = top[:i]
			}
			ms.env[top] = l.moduleValue(top)
		}
	case StmtImportFrom:
		mod, ok := l.absModule(ms, s.Module, s.Level)
		if !ok {
			l.diags.Warnf(ms.rel, s.Line, 0, "relative import beyond the top-level package")
			return
		}
		for _, n := range s.Names {
			if n.Name == "*" {
				l.starImport(ms, mod, s.Line, guarded)
				continue
			}
			bind := n.Alias
			if bind == "" {
				bind = n.Name
			}
			ms.env[bind] = &vLazy{from: ms, mod: mod, attr: n.Name, line: s.Line, guarded: guarded}
		}
	case StmtAssign:
		if s.Value == nil {
			return
		}
		v := l.eval(ms, s.Value)
		for _, t := range s.Targets {
			l.assign(ms, t, v)
		}
	case StmtAugAssign:
		if len(s.Targets) != 1 || s.Targets[0].Kind != ExprName {
			return
		}
		name := s.Targets[0].Name
		old := l.force(ms.env[name])
		rhs := l.eval(ms, s.Value)
		switch s.Op {
		case "+=":
			ms.env[name] = l.add(old, rhs)
		default:
			ms.env[name] = vUnknown{why: fmt.Sprintf("%s %s", name, s.Op)}
		}
	case StmtExpr:
		l.execCallStmt(ms, s.Value)
	case StmtClass:
		ms.env[s.Class.Name] = &vClass{ms: ms, def: s.Class}
	case StmtFunc:
		ms.env[s.Func.Name] = &vFunc{ms: ms, def: s.Func}
	}
}

func (l *loader) assign(ms *modState, t *Expr, v Value) {
	switch t.Kind {
	case ExprName:
		ms.env[t.Name] = v
	case ExprTuple, ExprList:
		seq, ok := l.force(v).(*vSeq)
		if ok && len(seq.items) == len(t.Elts) {
			for i, e := range t.Elts {
				l.assign(ms, e, seq.items[i])
			}
			return
		}
		for _, e := range t.Elts {
			l.assign(ms, e, vUnknown{why: "unpacked value"})
		}
	case ExprSubscript:
		d, ok := l.force(l.eval(ms, t.X)).(*vDict)
		k, kok := l.force(l.eval(ms, t.Y)).(vStr)
		if ok && kok {
			d.keys = append(d.keys, k.s)
			d.vals = append(d.vals, v)
		}
	}
}

// execCallStmt handles the module-level calls that change a value:
// list.append/extend/insert/remove and router.register(...).
func (l *loader) execCallStmt(ms *modState, e *Expr) {
	if e == nil || e.Kind != ExprCall || e.X.Kind != ExprAttr {
		return
	}
	method := e.X.Name
	switch method {
	case "append", "extend", "insert", "remove", "register":
	default:
		return
	}
	// router.registry.extend(other.registry)
	if method == "extend" && e.X.X.Kind == ExprAttr && e.X.X.Name == "registry" && len(e.Elts) == 1 && e.Elts[0].Kind == ExprAttr && e.Elts[0].Name == "registry" {
		dst, ok1 := l.force(l.eval(ms, e.X.X.X)).(*vCall)
		src, ok2 := l.force(l.eval(ms, e.Elts[0].X)).(*vCall)
		if ok1 && ok2 {
			l.registry[dst] = append(l.registry[dst], l.registry[src]...)
		}
		return
	}
	recv := l.force(l.eval(ms, e.X.X))
	switch r := recv.(type) {
	case *vSeq:
		args := l.evalArgs(ms, e.Elts)
		switch {
		case method == "append" && len(args) == 1:
			r.items = append(r.items, args[0])
		case method == "extend" && len(args) == 1:
			if s, ok := l.force(args[0]).(*vSeq); ok {
				r.items = append(r.items, s.items...)
			} else {
				r.items = append(r.items, vSplice{v: args[0]})
			}
		case method == "insert" && len(args) == 2:
			idx := 0
			if c, ok := l.force(args[0]).(vConst); ok {
				fmt.Sscanf(c.s, "%d", &idx)
			}
			if idx < 0 {
				idx += len(r.items)
			}
			idx = max(0, min(idx, len(r.items)))
			r.items = append(r.items[:idx], append([]Value{args[1]}, r.items[idx:]...)...)
		case method == "remove" && len(args) == 1:
			if s, ok := l.force(args[0]).(vStr); ok {
				for i, it := range r.items {
					if v, ok := l.force(it).(vStr); ok && v.s == s.s {
						r.items = append(r.items[:i], r.items[i+1:]...)
						break
					}
				}
			}
		}
	case *vCall:
		if method == "register" {
			args := l.evalArgs(ms, e.Elts)
			l.registry[r] = append(l.registry[r], registration{args: args, kw: l.evalKw(ms, e.Keywords), ms: ms, line: e.Line})
		}
	}
}

// absModule resolves a (possibly relative) from-import source.
func (l *loader) absModule(ms *modState, mod string, level int) (string, bool) {
	if level == 0 {
		return mod, true
	}
	parts := strings.Split(ms.name, ".")
	if !ms.isPkg {
		parts = parts[:len(parts)-1]
	}
	if level-1 > len(parts) {
		return "", false
	}
	parts = parts[:len(parts)-(level-1)]
	if mod != "" {
		parts = append(parts, mod)
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "."), true
}

func (l *loader) moduleValue(name string) Value {
	if ms := l.module(name); ms != nil {
		return &vModule{ms: ms}
	}
	return vExt{path: name}
}

func (l *loader) starImport(ms *modState, mod string, line int, guarded bool) {
	src := l.module(mod)
	if src == nil {
		if !l.looksLocal(mod) {
			return
		}
		if guarded {
			l.diags.Notef(ms.rel, line, 0, "module %s not found (import guarded by try)", mod)
		} else {
			l.diags.Warnf(ms.rel, line, 0, "module %s not found", mod)
		}
		return
	}
	if src.state == 1 {
		l.diags.Warnf(ms.rel, line, 0, "circular star import of %s", mod)
	}
	l.exec(src)
	if all, ok := l.force(src.env["__all__"]).(*vSeq); ok {
		for _, it := range all.items {
			if s, ok := l.force(it).(vStr); ok {
				if v, ok := src.env[s.s]; ok {
					ms.env[s.s] = v
				}
			}
		}
		return
	}
	for k, v := range src.env {
		if !strings.HasPrefix(k, "_") {
			ms.env[k] = v
		}
	}
}

// looksLocal reports whether a missing module's top package is part of the
// project, i.e. the import is broken rather than third-party.
func (l *loader) looksLocal(mod string) bool {
	top := mod
	if i := strings.IndexByte(mod, '.'); i >= 0 {
		top = mod[:i]
	}
	return l.module(top) != nil
}

// force resolves lazy from-import bindings.
func (l *loader) force(v Value) Value {
	lz, ok := v.(*vLazy)
	if !ok {
		return v
	}
	if lz.resolved != nil {
		return lz.resolved
	}
	if lz.busy || l.depth > maxEvalDepth {
		return vUnknown{why: fmt.Sprintf("import cycle through %s.%s", lz.mod, lz.attr)}
	}
	lz.busy = true
	l.depth++
	defer func() { lz.busy = false; l.depth-- }()
	lz.resolved = l.importAttr(lz)
	return lz.resolved
}

func (l *loader) importAttr(lz *vLazy) Value {
	src := l.module(lz.mod)
	if src == nil {
		if l.looksLocal(lz.mod) {
			l.importProblem(lz, "module %s not found", lz.mod)
			return vUnknown{why: "missing module " + lz.mod}
		}
		return vExt{path: lz.mod + "." + lz.attr}
	}
	l.exec(src)
	if v, ok := src.env[lz.attr]; ok {
		return l.force(v)
	}
	if sub := l.module(lz.mod + "." + lz.attr); sub != nil {
		return &vModule{ms: sub}
	}
	if src.state == 1 {
		return vUnknown{why: fmt.Sprintf("%s.%s used during an import cycle", lz.mod, lz.attr)}
	}
	if src.file != "" && src.mod == nil {
		return vUnknown{why: fmt.Sprintf("%s could not be read", src.rel)}
	}
	l.importProblem(lz, "cannot import name %s from %s", lz.attr, lz.mod)
	return vUnknown{why: "cannot import " + lz.attr}
}

func (l *loader) importProblem(lz *vLazy, format string, args ...any) {
	if lz.guarded {
		l.diags.Notef(lz.from.rel, lz.line, 0, format+" (import guarded by try)", args...)
		return
	}
	l.diags.Warnf(lz.from.rel, lz.line, 0, format, args...)
}

// attr is getattr(x, name) for static values.
func (l *loader) attr(x Value, name string) Value {
	switch v := l.force(x).(type) {
	case *vModule:
		l.exec(v.ms)
		if val, ok := v.ms.env[name]; ok {
			return l.force(val)
		}
		if sub := l.module(v.ms.name + "." + name); sub != nil {
			return &vModule{ms: sub}
		}
		return vUnknown{why: fmt.Sprintf("%s has no attribute %s", v.ms.name, name)}
	case vExt:
		if v.path == "django.conf.settings" && l.settings != nil && l.settings.state == 2 {
			if val, ok := l.settings.env[name]; ok {
				return l.force(val)
			}
		}
		return vExt{path: v.path + "." + name}
	case vUnknown:
		return v
	default:
		return &vAttr{x: v, name: name}
	}
}

func (l *loader) eval(ms *modState, e *Expr) Value {
	if e == nil {
		return vUnknown{why: "missing expression"}
	}
	if l.depth > maxEvalDepth {
		return vUnknown{why: "expression nested too deeply"}
	}
	l.depth++
	defer func() { l.depth-- }()
	switch e.Kind {
	case ExprName:
		if v, ok := ms.env[e.Name]; ok {
			return l.force(v)
		}
		switch e.Name {
		case "__name__":
			return vStr{s: ms.name}
		case "__file__":
			return vUnknown{why: "__file__"}
		}
		return vUnknown{why: "undefined name " + e.Name}
	case ExprAttr:
		return l.attr(l.eval(ms, e.X), e.Name)
	case ExprStr:
		return vStr{s: e.Name}
	case ExprNum, ExprBool:
		return vConst{s: e.Name}
	case ExprNone:
		return vConst{s: "None"}
	case ExprList, ExprTuple, ExprSet:
		return &vSeq{items: l.evalArgs(ms, e.Elts), tuple: e.Kind == ExprTuple}
	case ExprDict:
		d := &vDict{}
		for i, k := range e.Elts {
			if k == nil {
				if src, ok := l.eval(ms, e.Vals[i]).(*vDict); ok {
					d.keys = append(d.keys, src.keys...)
					d.vals = append(d.vals, src.vals...)
				}
				continue
			}
			if ks, ok := l.eval(ms, k).(vStr); ok {
				d.keys = append(d.keys, ks.s)
				d.vals = append(d.vals, l.eval(ms, e.Vals[i]))
			}
		}
		return d
	case ExprBinOp:
		if e.Name == "+" {
			return l.add(l.eval(ms, e.X), l.eval(ms, e.Y))
		}
		return vUnknown{why: "operator " + e.Name}
	case ExprSubscript:
		x := l.eval(ms, e.X)
		k := l.eval(ms, e.Y)
		if d, ok := x.(*vDict); ok {
			if ks, ok := k.(vStr); ok {
				if v, ok := d.get(ks.s); ok {
					return l.force(v)
				}
			}
		}
		return vUnknown{why: "subscript"}
	case ExprCall:
		return l.call(ms, e)
	case ExprNot:
		switch truth(l.eval(ms, e.X)) {
		case 1:
			return vConst{s: "False"}
		case 0:
			return vConst{s: "True"}
		}
		return vUnknown{why: "not of an unknown value"}
	case ExprBoolOp:
		x := l.eval(ms, e.X)
		tx := truth(x)
		switch {
		case e.Name == "and" && tx == 0, e.Name == "or" && tx == 1:
			return x
		case tx == -1:
			return vUnknown{why: "condition"}
		}
		return l.eval(ms, e.Y)
	}
	return vUnknown{why: "expression " + e.Name}
}

func (l *loader) evalArgs(ms *modState, elts []*Expr) []Value {
	out := make([]Value, 0, len(elts))
	for _, a := range elts {
		if a.Kind == ExprStarred {
			v := l.eval(ms, a.X)
			if s, ok := v.(*vSeq); ok {
				out = append(out, s.items...)
			} else {
				out = append(out, vSplice{v: v})
			}
			continue
		}
		out = append(out, l.eval(ms, a))
	}
	return out
}

func (l *loader) evalKw(ms *modState, kws []Keyword) map[string]Value {
	if len(kws) == 0 {
		return nil
	}
	m := make(map[string]Value, len(kws))
	for _, k := range kws {
		if k.Name != "" {
			m[k.Name] = l.eval(ms, k.Value)
		}
	}
	return m
}

func (l *loader) call(ms *modState, e *Expr) Value {
	fn := l.eval(ms, e.X)
	args := l.evalArgs(ms, e.Elts)
	kw := l.evalKw(ms, e.Keywords)
	if x, ok := fn.(vExt); ok {
		switch canonical(x.path) {
		case "os.environ.get", "os.getenv":
			if len(args) >= 2 {
				return args[1]
			}
			if v, ok := kw["default"]; ok {
				return v
			}
		case "rest_framework.urlpatterns.format_suffix_patterns":
			if len(args) >= 1 {
				return args[0]
			}
		case "django.conf.urls.i18n.i18n_patterns":
			l.diags.Warnf(ms.rel, e.Line, 0, "i18n_patterns(): language prefixes are left to the catch-all route")
			return &vSeq{items: args}
		}
	}
	// list(x) / tuple(x) of a known list (builtins are not in the module's names).
	if _, ok := fn.(vUnknown); ok && e.X.Kind == ExprName && (e.X.Name == "list" || e.X.Name == "tuple") {
		if len(args) == 1 {
			if s, ok := l.force(args[0]).(*vSeq); ok {
				return &vSeq{items: append([]Value(nil), s.items...), tuple: e.X.Name == "tuple"}
			}
		}
		return vUnknown{why: e.X.Name + "() of an unknown value"}
	}
	return &vCall{fn: fn, args: args, kw: kw, ms: ms, line: e.Line}
}

// truth is Python truthiness for static values: 1 true, 0 false, -1 unknown.
func truth(v Value) int {
	switch x := v.(type) {
	case vConst:
		switch x.s {
		case "True":
			return 1
		case "False", "None", "0", "0.0":
			return 0
		}
		return 1
	case vStr:
		if x.s == "" {
			return 0
		}
		return 1
	case *vSeq:
		if len(x.items) == 0 {
			return 0
		}
		return 1
	}
	return -1
}

// add is Python's + for the values discovery follows.
func (l *loader) add(a, b Value) Value {
	a, b = l.force(a), l.force(b)
	sa, aok := a.(*vSeq)
	sb, bok := b.(*vSeq)
	switch {
	case aok && bok:
		items := make([]Value, 0, len(sa.items)+len(sb.items))
		return &vSeq{items: append(append(items, sa.items...), sb.items...), tuple: sa.tuple}
	case aok:
		return &vSeq{items: append(append([]Value(nil), sa.items...), vSplice{v: b}), tuple: sa.tuple}
	case bok:
		return &vSeq{items: append([]Value{vSplice{v: a}}, sb.items...), tuple: sb.tuple}
	}
	if x, ok := a.(vStr); ok {
		if y, ok := b.(vStr); ok {
			return vStr{s: x.s + y.s}
		}
	}
	if _, ok := a.(*vCall); ok {
		// router.urls + ..., static(...) + ...: keep both as a list.
		return &vSeq{items: []Value{vSplice{v: a}, vSplice{v: b}}}
	}
	if _, ok := a.(*vAttr); ok {
		return &vSeq{items: []Value{vSplice{v: a}, vSplice{v: b}}}
	}
	return vUnknown{why: "unsupported +"}
}
