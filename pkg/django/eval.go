package django

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// MaxFileSize is the largest Python file discovery reads; bigger files are
// skipped with a warning (generated code, data dumps).
const MaxFileSize = 2 << 20

// maxEvalDepth bounds recursion through names, attributes and imports.
const maxEvalDepth = 200

// Limits on evaluation: a value past them, or a project needing more
// steps, ends in a warning and an unknown value, never in exhausted memory.
// Steps count evaluated expressions and statements, so the limit holds
// whatever the clock says and the outcome is the same on every machine.
const (
	maxStrLen    = 1 << 20   // characters in one string
	maxSeqLen    = 100_000   // items in one list, tuple or dict
	maxSteps     = 5_000_000 // evaluation steps for the whole project
	maxCallDepth = 8         // nested calls of project functions
)

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
	// vBuiltin is a Python builtin function (len, getattr, ...).
	vBuiltin struct{ name string }
	// vGlobals is globals() (or locals()) of a scope.
	vGlobals struct{ ms *modState }
	// vObject is a value with known attributes (urlparse(...), a
	// DRF Route(...)).
	vObject struct {
		kind  string
		attrs map[string]Value
	}
	// vThunk is a class attribute, evaluated when first used.
	vThunk struct {
		scope *modState
		e     *Expr
		val   Value
		busy  bool
	}
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
	// parent is set for the scope of a function call, a class body or a
	// comprehension: names not found here are looked up there.
	parent *modState
	// class marks a class body, whose names functions defined in it do
	// not see (Python's scoping).
	class bool
	// rets collects the values a function scope returns.
	rets []Value
}

// module returns the module a scope belongs to.
func (ms *modState) module() *modState {
	for ms.parent != nil {
		ms = ms.parent
	}
	return ms
}

// lookup finds a name in the scope or the scopes around it.
func (ms *modState) lookup(name string) (Value, bool) {
	for s := ms; s != nil; s = s.parent {
		if s.class && s != ms {
			continue
		}
		if v, ok := s.env[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// newScope is a scope inside parent (a call, a class body, a comprehension).
func newScope(parent *modState, class bool) *modState {
	m := parent.module()
	return &modState{name: m.name, file: m.file, rel: m.rel, isPkg: m.isPkg, mod: m.mod,
		env: map[string]Value{}, state: 2, parent: parent, class: class}
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

	// steps counts evaluation work against budget (maxSteps); stopped is
	// set once it is spent (reported once).
	steps   int
	budget  int
	stopped bool
	// speculative > 0 while the branches of an unknown condition run:
	// removals from shared lists are then skipped (the union keeps them).
	speculative int
	// mutations counts in-place changes of lists, dicts and routers, so a
	// branch that only appended is seen to differ.
	mutations int
	callDepth int
	// warned dedupes warnings by file, line and message.
	warned map[string]bool
	// classScopes holds each class body's names once run.
	classScopes map[*ClassDef]*modState
	// failed tells why a file could not be read, for messages naming it.
	failed map[string]string
	// configuration is DJANGO_CONFIGURATION (django-configurations), "" when unset.
	configuration string
	// env is the functions' environment (the configuration's env:);
	// every other variable is unset there, except Lambda's own.
	env map[string]string
	// python is the Lambda runtime's Python version ("3.12").
	python string
	// settingsName is the settings module's dotted name once chosen.
	settingsName string
	// graphqlViews are the GraphQLView.as_view(schema=...) calls the URL
	// walk met, in order.
	graphqlViews []*vCall
	// grapheneRouted is set when a route serves graphene's GraphQLView.
	grapheneRouted bool

	// builtEmpty are the empty lists project functions returned that
	// they build from data (a registry, a setting), by the function:
	// include() of one is reported, as the data may only be filled
	// while the project runs.
	builtEmpty map[*vSeq]*vFunc
	// unions are the unknown conditions met; reportUnions warns about
	// those that matter to what discovery reports.
	unions []unionRecord
	// assigning names the targets of the assignment being evaluated.
	assigning []string
	// starImports records which modules star-import which.
	starImports map[*modState][]*modState
	// settingsRead are the settings discovery (or the URL confs) read.
	settingsRead map[string]bool
}

// unionRecord is one condition whose branches were joined.
type unionRecord struct {
	ms    *modState
	line  int
	msg   string
	names []string // names whose value differs between the branches
}

func newLoader(root string, p Parser, diags *diag.List) *loader {
	return &loader{root: root, parser: p, mods: map[string]*modState{}, parsed: map[string]*Module{},
		diags: diags, registry: map[*vCall][]registration{}, realDirs: map[string]string{}, listings: map[string]map[string]fs.FileMode{}, prefetched: map[string]parsedFile{},
		budget: maxSteps, warned: map[string]bool{}, classScopes: map[*ClassDef]*modState{}, failed: map[string]string{},
		starImports: map[*modState][]*modState{}, settingsRead: map[string]bool{}, builtEmpty: map[*vSeq]*vFunc{}}
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
		r = readAndParse(l.parser, abs, l.rel(abs), l.python)
	}
	*l.diags = append(*l.diags, r.diags...)
	l.parsed[abs] = r.mod
	if r.failed != "" {
		l.failed[abs] = r.failed
	}
	return r.mod
}

// parsed is one file read and parsed, with its problems.
type parsedFile struct {
	mod   *Module
	diags diag.List
	// failed says why mod is nil.
	failed string
}

// readAndParse reads a file (within MaxFileSize, invalid UTF-8 replaced)
// and parses it; it touches no loader state so prefetch can run it in
// parallel.
func readAndParse(p Parser, abs, rel, python string) parsedFile {
	var r parsedFile
	src, size, err := readCapped(abs, MaxFileSize)
	if err != nil {
		r.failed = fmt.Sprintf("read %s: %v", rel, err)
		r.diags.Errf(rel, 0, 0, "%s", r.failed)
		return r
	}
	if src == nil {
		r.failed = fmt.Sprintf("the file is %d bytes, over the %d bytes discovery reads (generated code or data belongs elsewhere)", size, MaxFileSize)
		r.diags.Warnf(rel, 0, 0, "%s; skipped", r.failed)
		return r
	}
	if !utf8.Valid(src) {
		ln := 1 + bytes.Count(src[:firstInvalidUTF8(src)], []byte("\n"))
		r.diags.Warnf(rel, ln, 0, "file is not valid UTF-8; invalid bytes read as '?'")
		src = sanitizeUTF8(src)
	}
	m, err := p.Parse(rel, src)
	if err != nil {
		r.failed = err.Error()
		r.diags.Errf(rel, 0, 0, "%v", err)
		return r
	}
	for _, e := range m.Errors {
		if msg, ok := e.Message(python); ok {
			r.diags.Errf(rel, e.Line, e.Col, "%s", msg)
		}
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
			// A raise at the top level is not followed: Django would stop,
			// but what comes after it is still the best reading of the file.
			for _, s := range ms.mod.Stmts {
				l.execStmt(ms, s, false)
			}
		}
	}
	ms.state = 2
}

// flow says how a block ended.
type flow int

const (
	flowNext flow = iota
	flowReturn
	flowRaise
	flowBreak
	flowContinue
)

func (l *loader) execBlock(ms *modState, stmts []*Stmt, guarded bool) flow {
	for _, s := range stmts {
		if f := l.execStmt(ms, s, guarded); f != flowNext {
			return f
		}
	}
	return flowNext
}

func (l *loader) execStmt(ms *modState, s *Stmt, guarded bool) flow {
	if l.exhausted() {
		return flowNext
	}
	switch s.Kind {
	case StmtBlock:
		if s.Try != nil && len(s.Try.Handlers) > 0 && ms.parent != nil && !ms.class {
			return l.execTry(ms, s, guarded)
		}
		// try/with/while bodies are flattened with their handlers: after a
		// raise the statements that follow still run (the handlers among
		// them), which reads both outcomes of the try.
		for _, st := range s.Body {
			if f := l.execStmt(ms, st, guarded || s.Guarded); f == flowReturn || f == flowBreak || f == flowContinue {
				return f
			}
		}
	case StmtIf:
		return l.execIf(ms, s, guarded)
	case StmtFor:
		return l.execFor(ms, s, guarded)
	case StmtReturn:
		var v Value = vConst{s: "None"}
		if s.Value != nil {
			v = l.eval(ms, s.Value)
		}
		ms.rets = append(ms.rets, v)
		return flowReturn
	case StmtRaise:
		return flowRaise
	case StmtBreak:
		return flowBreak
	case StmtContinue:
		return flowContinue
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
		mod, ok := l.absModule(ms.module(), s.Module, s.Level)
		if !ok {
			l.diags.Warnf(ms.rel, s.Line, 0, "relative import beyond the top-level package")
			return flowNext
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
			ms.env[bind] = &vLazy{from: ms.module(), mod: mod, attr: n.Name, line: s.Line, guarded: guarded}
		}
	case StmtAssign:
		if s.Value == nil {
			return flowNext
		}
		if ms.class && len(s.Targets) == 1 && s.Targets[0].Kind == ExprName && !mentions(s.Value, s.Targets[0].Name) {
			// Class attributes are read when asked for: a serializer_class
			// never used by discovery never imports its module.
			ms.env[s.Targets[0].Name] = &vThunk{scope: ms, e: s.Value}
			return flowNext
		}
		l.assigning = l.assigning[:0]
		for _, t := range s.Targets {
			if t.Kind == ExprName {
				l.assigning = append(l.assigning, t.Name)
			}
		}
		v := l.eval(ms, s.Value)
		l.assigning = l.assigning[:0]
		for _, t := range s.Targets {
			l.assign(ms, t, v, s.Line)
		}
	case StmtAugAssign:
		if len(s.Targets) != 1 {
			return flowNext
		}
		t := s.Targets[0]
		old := l.eval(ms, t)
		rhs := l.eval(ms, s.Value)
		var v Value
		switch s.Op {
		case "+=":
			if seq, ok := l.force(old).(*vSeq); ok && !seq.tuple {
				// list += x extends in place, like list.extend.
				l.extend(seq, rhs, s.Line, ms)
				v = seq
			} else {
				v = l.binop(ms, "+", old, rhs, s.Line)
			}
		case "|=":
			if d, ok := l.force(old).(*vDict); ok {
				if src, ok := l.force(rhs).(*vDict); ok {
					l.mutated()
					d.keys = append(d.keys, src.keys...)
					d.vals = append(d.vals, src.vals...)
					v = d
					break
				}
			}
			v = l.binop(ms, "|", old, rhs, s.Line)
		default:
			v = l.binop(ms, strings.TrimSuffix(s.Op, "="), old, rhs, s.Line)
		}
		l.assign(ms, t, v, s.Line)
	case StmtExpr:
		l.eval(ms, s.Value)
	case StmtClass:
		ms.env[s.Class.Name] = &vClass{ms: ms, def: s.Class}
	case StmtFunc:
		ms.env[s.Func.Name] = &vFunc{ms: ms, def: s.Func}
	}
	return flowNext
}

// mentions reports whether the expression uses name (as a plain name).
func mentions(e *Expr, name string) bool {
	if e == nil {
		return false
	}
	if e.Kind == ExprName && e.Name == name {
		return true
	}
	if mentions(e.X, name) || mentions(e.Y, name) {
		return true
	}
	for _, x := range e.Elts {
		if mentions(x, name) {
			return true
		}
	}
	for _, x := range e.Vals {
		if mentions(x, name) {
			return true
		}
	}
	for _, k := range e.Keywords {
		if mentions(k.Value, name) {
			return true
		}
	}
	for _, c := range e.Comps {
		if mentions(c.Iter, name) {
			return true
		}
	}
	return false
}

// execIf runs the branch Django would run when the conditions are known.
// When one is not, every branch that may run is run on its own copy of the
// names and the results are joined (lists of patterns keep the items of
// every branch; a value the branches disagree on becomes unknown), with a
// warning naming the line; a branch that raises is left out, as Django
// would not have started with it.
func (l *loader) execIf(ms *modState, s *Stmt, guarded bool) flow {
	var bodies [][]*Stmt
	certain := false
	why := ""
	for _, b := range s.Branches {
		if b.Cond == nil {
			bodies, certain = append(bodies, b.Body), true
			break
		}
		v := l.eval(ms, b.Cond)
		t := truth(v)
		if t == 1 {
			bodies, certain = append(bodies, b.Body), true
			break
		}
		if t == 0 {
			continue
		}
		if why == "" {
			why = unknownWhy(v)
		}
		bodies = append(bodies, b.Body)
	}
	if !certain {
		bodies = append(bodies, nil) // no branch taken
	}
	if len(bodies) == 1 {
		return l.execBlock(ms, bodies[0], guarded)
	}
	return l.union(ms, s.Line, why, bodies, guarded, true)
}

// execTry runs a try statement of a function body: its body, then the
// else clause or one of the handlers, as alternatives whose results are
// joined (a handler's `x = []` does not hide what the body assigned),
// then finally. Module level keeps the flattened reading.
func (l *loader) execTry(ms *modState, s *Stmt, guarded bool) flow {
	bodies := s.Try.Handlers
	switch l.execBlock(ms, s.Try.Body, true) {
	case flowReturn:
		return flowReturn
	case flowBreak:
		return flowBreak
	case flowContinue:
		return flowContinue
	case flowNext:
		bodies = append([][]*Stmt{s.Try.Else}, bodies...)
	}
	if f := l.union(ms, s.Line, "", bodies, guarded, false); f != flowNext {
		return f
	}
	return l.execBlock(ms, s.Try.Finally, guarded)
}

// union runs each body on a copy of the scope's names and joins the
// results; report records an unknown condition (why) for reportUnions
// (a try's handlers are not one).
func (l *loader) union(ms *modState, line int, why string, bodies [][]*Stmt, guarded, report bool) flow {
	base := ms.env
	var envs []map[string]Value
	returned := 0
	before := l.mutations
	l.speculative++
	for _, body := range bodies {
		env := make(map[string]Value, len(base))
		for k, v := range base {
			env[k] = v
		}
		ms.env = env
		switch l.execBlock(ms, body, guarded) {
		case flowRaise:
			continue
		case flowReturn:
			returned++
			continue
		}
		envs = append(envs, env)
	}
	l.speculative--
	differs := l.mutations != before
	switch {
	case len(envs) == 0 && returned > 0:
		ms.env = base
		return flowReturn
	case len(envs) == 0:
		ms.env = base
		return flowRaise
	}
	merged := make(map[string]Value, len(base))
	keys := map[string]bool{}
	for _, e := range envs {
		for k := range e {
			keys[k] = true
		}
	}
	var names []string
	for k := range keys {
		var vals []Value
		missing := false
		for _, e := range envs {
			if v, ok := e[k]; ok {
				vals = append(vals, v)
			} else {
				missing = true
			}
		}
		v, d := l.merge(vals, ms.rel, line)
		merged[k] = v
		if d || missing {
			names = append(names, k)
		}
	}
	ms.env = merged
	if report && (differs || len(names) > 0) {
		sort.Strings(names)
		l.unions = append(l.unions, unionRecord{ms: ms.module(), line: line, names: names,
			msg: fmt.Sprintf("condition not known statically (%s): the branches that may run are all kept (their URL patterns joined)", why)})
	}
	return flowNext
}

// merge joins the values one name has after each branch.
func (l *loader) merge(vals []Value, file string, line int) (Value, bool) {
	if len(vals) == 0 {
		return vUnknown{why: "no value"}, false
	}
	first := vals[0]
	same := true
	for _, v := range vals[1:] {
		if !sameValue(first, v) {
			same = false
			break
		}
	}
	if same {
		return first, false
	}
	var seqs []*vSeq
	for _, v := range vals {
		s, ok := l.force(v).(*vSeq)
		if !ok {
			return vUnknown{why: fmt.Sprintf("differs between the branches at %s:%d", file, line)}, true
		}
		seqs = append(seqs, s)
	}
	out := &vSeq{tuple: seqs[0].tuple}
	for _, s := range seqs {
		for _, it := range s.items {
			dup := false
			for _, have := range out.items {
				if sameValue(have, it) {
					dup = true
					break
				}
			}
			if !dup {
				out.items = append(out.items, it)
			}
		}
	}
	return out, true
}

// sameValue is identity for objects and equality for scalars.
func sameValue(a, b Value) bool {
	switch x := a.(type) {
	case vStr:
		y, ok := b.(vStr)
		return ok && x.s == y.s
	case vConst:
		y, ok := b.(vConst)
		return ok && x.s == y.s
	case vExt:
		y, ok := b.(vExt)
		return ok && x.path == y.path
	case vUnknown:
		_, ok := b.(vUnknown)
		return ok
	case vSplice:
		y, ok := b.(vSplice)
		return ok && sameValue(x.v, y.v)
	case vBuiltin:
		y, ok := b.(vBuiltin)
		return ok && x.name == y.name
	}
	return a == b
}

// execFor runs a loop over a known sequence item by item; over anything
// else the body runs once with the loop variable unknown.
func (l *loader) execFor(ms *modState, s *Stmt, guarded bool) flow {
	var orElse []*Stmt
	if len(s.Branches) > 0 {
		orElse = s.Branches[0].Body
	}
	items, ok := l.iterate(l.eval(ms, s.Value))
	if !ok {
		l.assign(ms, s.Targets[0], vUnknown{why: "loop over an unknown value"}, s.Line)
		if f := l.execBlock(ms, s.Body, guarded); f == flowReturn {
			return f
		}
		return l.execBlock(ms, orElse, guarded)
	}
	for _, it := range items {
		if !l.step(ms, s.Line) {
			break
		}
		l.assign(ms, s.Targets[0], it, s.Line)
		switch l.execBlock(ms, s.Body, guarded) {
		case flowReturn:
			return flowReturn
		case flowRaise:
			return flowRaise
		case flowBreak:
			return flowNext
		}
	}
	return l.execBlock(ms, orElse, guarded)
}

func (l *loader) assign(ms *modState, t *Expr, v Value, line int) {
	switch t.Kind {
	case ExprName:
		ms.env[t.Name] = v
	case ExprTuple, ExprList:
		items, ok := l.iterate(v)
		if ok && len(items) == len(t.Elts) {
			for i, e := range t.Elts {
				l.assign(ms, e, items[i], line)
			}
			return
		}
		for _, e := range t.Elts {
			l.assign(ms, e, vUnknown{why: "unpacked value"}, line)
		}
	case ExprStarred:
		l.assign(ms, t.X, v, line)
	case ExprSubscript:
		x := l.force(l.eval(ms, t.X))
		k := l.force(l.eval(ms, t.Y))
		switch d := x.(type) {
		case *vDict:
			if ks, ok := k.(vStr); ok {
				l.mutated()
				d.keys = append(d.keys, ks.s)
				d.vals = append(d.vals, v)
			}
		case vGlobals:
			if ks, ok := k.(vStr); ok {
				d.ms.env[ks.s] = v
			}
		case *vSeq:
			if i, ok := intOf(k); ok {
				if i < 0 {
					i += int64(len(d.items))
				}
				if i >= 0 && i < int64(len(d.items)) {
					l.mutated()
					d.items[i] = v
				}
			}
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

// extValue is an outside name: a constant discovery knows the value of
// where Django runs (on Lambda: typing.TYPE_CHECKING is False, the
// platform is Linux, the Python version is the runtime's), else the name.
func (l *loader) extValue(path string) Value {
	switch path {
	case "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING":
		return vBool(false)
	case "sys.platform":
		return vStr{s: "linux"}
	case "os.name":
		return vStr{s: "posix"}
	case "sys.version_info":
		major, minor, ok := strings.Cut(l.python, ".")
		if !ok {
			major, minor = "3", "12"
		}
		return &vSeq{tuple: true, items: []Value{vConst{s: major}, vConst{s: minor}, vInt(0), vStr{s: "final"}, vInt(0)}}
	}
	return vExt{path: path}
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
	l.starImports[ms.module()] = append(l.starImports[ms.module()], src)
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

// force resolves lazy from-import bindings and class attributes.
func (l *loader) force(v Value) Value {
	switch lz := v.(type) {
	case *vLazy:
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
	case *vThunk:
		if lz.val != nil {
			return lz.val
		}
		if lz.busy {
			return vUnknown{why: "class attribute defined in terms of itself"}
		}
		lz.busy = true
		v := l.force(l.eval(lz.scope, lz.e))
		lz.busy = false
		lz.val = v
		return v
	}
	return v
}

func (l *loader) importAttr(lz *vLazy) Value {
	src := l.module(lz.mod)
	if src == nil {
		if l.looksLocal(lz.mod) {
			l.importProblem(lz, "module %s not found", lz.mod)
			return vUnknown{why: "missing module " + lz.mod}
		}
		return l.extValue(lz.mod + "." + lz.attr)
	}
	l.exec(src)
	// "from . import sub" inside the package's own __init__ binds the name
	// to this very import: the submodule is meant.
	if v, ok := src.env[lz.attr]; ok && v != Value(lz) {
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
