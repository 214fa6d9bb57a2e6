package django

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// builtinNames are the builtins discovery evaluates (others stay unknown).
var builtinNames = map[string]bool{
	"list": true, "tuple": true, "set": true, "frozenset": true, "dict": true, "str": true, "int": true,
	"bool": true, "len": true, "getattr": true, "hasattr": true, "sorted": true, "reversed": true,
	"range": true, "enumerate": true, "zip": true, "dir": true, "vars": true, "globals": true,
	"locals": true, "any": true, "all": true, "repr": true, "isinstance": true, "print": true,
	"format": true, "object": true, "type": true, "super": true,
}

// builtinExceptions are Python's built-in exception classes (Python 3.12's
// builtins module), which project classes derive from (class
// PaymentError(Exception)).
var builtinExceptions = map[string]bool{
	"BaseException": true, "BaseExceptionGroup": true, "Exception": true, "ExceptionGroup": true,
	"ArithmeticError": true, "AssertionError": true, "AttributeError": true, "BlockingIOError": true,
	"BrokenPipeError": true, "BufferError": true, "ChildProcessError": true, "ConnectionAbortedError": true,
	"ConnectionError": true, "ConnectionRefusedError": true, "ConnectionResetError": true, "EOFError": true,
	"EnvironmentError": true, "FileExistsError": true, "FileNotFoundError": true, "FloatingPointError": true,
	"GeneratorExit": true, "IOError": true, "ImportError": true, "IndentationError": true, "IndexError": true,
	"InterruptedError": true, "IsADirectoryError": true, "KeyError": true, "KeyboardInterrupt": true,
	"LookupError": true, "MemoryError": true, "ModuleNotFoundError": true, "NameError": true,
	"NotADirectoryError": true, "NotImplementedError": true, "OSError": true, "OverflowError": true,
	"PermissionError": true, "ProcessLookupError": true, "RecursionError": true, "ReferenceError": true,
	"RuntimeError": true, "StopAsyncIteration": true, "StopIteration": true, "SyntaxError": true,
	"SystemError": true, "SystemExit": true, "TabError": true, "TimeoutError": true, "TypeError": true,
	"UnboundLocalError": true, "UnicodeDecodeError": true, "UnicodeEncodeError": true, "UnicodeError": true,
	"UnicodeTranslateError": true, "ValueError": true, "ZeroDivisionError": true,
	"Warning": true, "BytesWarning": true, "DeprecationWarning": true, "EncodingWarning": true,
	"FutureWarning": true, "ImportWarning": true, "PendingDeprecationWarning": true, "ResourceWarning": true,
	"RuntimeWarning": true, "SyntaxWarning": true, "UnicodeWarning": true, "UserWarning": true,
}

// funcParser converts the body of a function kept as source.
type funcParser interface {
	ParseFunc(*FuncDef) error
}

func (l *loader) call(ms *modState, e *Expr) Value {
	fn := l.force(l.eval(ms, e.X))
	args := l.evalArgs(ms, e.Elts)
	kw := l.evalKw(ms, e.Keywords)
	switch f := fn.(type) {
	case vBuiltin:
		return l.builtin(ms, f.name, args, kw, e.Line)
	case vExt:
		if v, ok := l.external(ms, canonical(f.path), args, kw, e.Line); ok {
			return v
		}
	case *vAttr:
		if v, ok := l.method(ms, f, args, kw, e.Line); ok {
			return v
		}
	case *vFunc:
		if v, ok := l.callFunc(f, args, kw); ok {
			return v
		}
	case vUnknown:
		return f
	}
	return &vCall{fn: fn, args: args, kw: kw, ms: ms.module(), line: e.Line}
}

// external evaluates the outside functions whose result is known from
// their arguments: environment lookups (their default: the environment of
// the deploy is not known here), path and URL helpers.
func (l *loader) external(ms *modState, p string, args []Value, kw map[string]Value, line int) (Value, bool) {
	arg := func(i int, name string) Value {
		if i < len(args) {
			return l.force(args[i])
		}
		if v, ok := kw[name]; ok {
			return l.force(v)
		}
		return nil
	}
	switch p {
	case "os.environ.get", "os.getenv", "os.environ.setdefault":
		name, ok := arg(0, "key").(vStr)
		if !ok {
			return vUnknown{why: "environment variable"}, true
		}
		if v, known := l.envVar(name.s); known {
			if v != nil {
				return v, true
			}
			if d := arg(1, "default"); d != nil {
				return d, true
			}
			return vNone, true
		}
		return vUnknown{why: "environment variable " + name.s + " (set by Lambda)"}, true
	case "decouple.config", "decouple.AutoConfig", "environs.Env":
		name, ok := arg(0, "option").(vStr)
		if !ok {
			return vUnknown{why: "configuration value"}, true
		}
		if v, known := l.envVar(name.s); known && v != nil {
			return castDefault(v, kw["cast"]), true
		} else if known {
			if d, ok := kw["default"]; ok {
				return castDefault(l.force(d), kw["cast"]), true
			}
		}
		return vUnknown{why: "configuration value " + name.s}, true
	case "importlib.import_module", "django.utils.module_loading.import_module":
		name, ok := arg(0, "name").(vStr)
		if !ok {
			return vUnknown{why: "import_module() of a name not known statically"}, true
		}
		mod := name.s
		if strings.HasPrefix(mod, ".") {
			pkg, ok := arg(1, "package").(vStr)
			if !ok {
				return vUnknown{why: "relative import_module() without a known package"}, true
			}
			level := len(mod) - len(strings.TrimLeft(mod, "."))
			parts := strings.Split(pkg.s, ".")
			if level-1 > len(parts) {
				return vUnknown{why: "relative import beyond the top-level package"}, true
			}
			mod = strings.Join(append(parts[:len(parts)-(level-1)], strings.TrimLeft(mod, ".")), ".")
			mod = strings.TrimSuffix(mod, ".")
		}
		if ms := l.module(mod); ms != nil {
			l.exec(ms)
			return &vModule{ms: ms}, true
		}
		if l.looksLocal(mod) {
			l.warnOnce(ms.rel, line, "import_module(%q): module not found", mod)
			return vUnknown{why: "missing module " + mod}, true
		}
		return vExt{path: mod}, true
	case "rest_framework.urlpatterns.format_suffix_patterns":
		if len(args) >= 1 {
			return args[0], true
		}
	case "django.conf.urls.i18n.i18n_patterns":
		l.diags.Warnf(ms.rel, line, 0, "i18n_patterns(): language prefixes are left to the catch-all route")
		return &vSeq{items: args}, true
	case "os.path.join", "posixpath.join":
		var parts []string
		for _, a := range args {
			s, ok := l.force(a).(vStr)
			if !ok {
				return vUnknown{why: "path of unknown parts"}, true
			}
			parts = append(parts, s.s)
		}
		out := ""
		for _, s := range parts {
			if strings.HasPrefix(s, "/") {
				out = s
			} else if out == "" || strings.HasSuffix(out, "/") {
				out += s
			} else {
				out += "/" + s
			}
		}
		return vStr{s: out}, true
	case "os.path.basename", "os.path.dirname":
		if s, ok := arg(0, "p").(vStr); ok {
			i := strings.LastIndexByte(s.s, '/')
			if p == "os.path.basename" {
				return vStr{s: s.s[i+1:]}, true
			}
			if i < 0 {
				return vStr{s: ""}, true
			}
			return vStr{s: strings.TrimRight(s.s[:i], "/")}, true
		}
	case "urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse":
		if s, ok := arg(0, "url").(vStr); ok {
			if o, ok := parseURL(s.s); ok {
				return o, true
			}
		}
		return vUnknown{why: "URL not known"}, true
	case "django.utils.translation.gettext_lazy", "django.utils.translation.gettext",
		"django.utils.translation.ugettext_lazy", "django.utils.translation.ugettext",
		"django.utils.translation.pgettext_lazy":
		// Translated route strings: Django matches the active language; the
		// source text is the default language's route.
		if s, ok := arg(len(args)-1, "message").(vStr); ok {
			return s, true
		}
	}
	return nil, false
}

func argAt(args []Value, kw map[string]Value, i int, name string) Value {
	if i < len(args) {
		return args[i]
	}
	return kw[name]
}

// envVar is an environment variable as the deployed function sees it:
// known is false for what Lambda sets (AWS_*, ...) or differs by function;
// otherwise v is its value from the configuration's env:, nil when unset.
func (l *loader) envVar(name string) (v Value, known bool) {
	if lambdaEnv(name) {
		return nil, false
	}
	if name == "DJANGO_SETTINGS_MODULE" && l.settingsName != "" {
		return vStr{s: l.settingsName}, true
	}
	if s, ok := l.env[name]; ok {
		return vStr{s: s}, true
	}
	return nil, true
}

// lambdaEnv reports the variables the Lambda runtime (or django-serverless
// per function) sets, whose values discovery does not know.
func lambdaEnv(name string) bool {
	switch name {
	case "_HANDLER", "_X_AMZN_TRACE_ID", "TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "HOME":
		return true
	}
	for _, p := range []string{"AWS_", "LAMBDA_", "DJANGO_SERVERLESS_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// castDefault applies a config library's cast=bool/int to a default.
func castDefault(d, cast Value) Value {
	b, ok := cast.(vBuiltin)
	if !ok {
		return d
	}
	s, isStr := d.(vStr)
	switch b.name {
	case "bool":
		if isStr {
			switch strings.ToLower(s.s) {
			case "1", "true", "yes", "on", "y", "t":
				return vBool(true)
			case "", "0", "false", "no", "off", "n", "f":
				return vBool(false)
			}
			return vUnknown{why: "cast of " + s.s}
		}
		if t := truth(d); t >= 0 {
			return vBool(t == 1)
		}
	case "int":
		if isStr {
			if n, err := strconv.ParseInt(strings.TrimSpace(s.s), 10, 64); err == nil {
				return vInt(n)
			}
			return vUnknown{why: "cast of " + s.s}
		}
	}
	return d
}

// parseURL is urllib.parse.urlparse for absolute URLs.
func parseURL(s string) (*vObject, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return nil, false
	}
	p := u.Path
	if u.RawPath != "" {
		p = u.RawPath
	}
	o := &vObject{kind: "ParseResult", attrs: map[string]Value{
		"scheme": vStr{s: u.Scheme}, "netloc": vStr{s: u.Host}, "path": vStr{s: p},
		"query": vStr{s: u.RawQuery}, "fragment": vStr{s: u.Fragment}, "params": vStr{s: ""},
	}}
	if h := u.Hostname(); h != "" {
		o.attrs["hostname"] = vStr{s: strings.ToLower(h)}
	} else {
		o.attrs["hostname"] = vNone
	}
	return o, true
}

// builtin evaluates a call of a Python builtin.
func (l *loader) builtin(ms *modState, name string, args []Value, kw map[string]Value, line int) Value {
	for i := range args {
		args[i] = l.force(args[i])
	}
	one := func() (Value, bool) {
		if len(args) == 1 {
			return args[0], true
		}
		return nil, false
	}
	switch name {
	case "list", "tuple", "set", "frozenset", "sorted", "reversed":
		if len(args) == 0 && (name == "list" || name == "tuple" || name == "set" || name == "frozenset") {
			return &vSeq{tuple: name == "tuple"}
		}
		a, ok := one()
		if !ok && name != "sorted" {
			break
		}
		if !ok {
			a = args[0]
		}
		items, ok := l.iterate(a)
		if !ok {
			return vUnknown{why: name + "() of " + unknownWhy(a)}
		}
		items = append([]Value(nil), items...)
		switch name {
		case "sorted":
			strs := make([]string, len(items))
			for i, it := range items {
				s, ok := l.force(it).(vStr)
				if !ok {
					return vUnknown{why: "sorted() of values other than strings"}
				}
				strs[i] = s.s
			}
			sort.Strings(strs)
			if r, ok := kw["reverse"]; ok && truth(l.force(r)) == 1 {
				for i, j := 0, len(strs)-1; i < j; i, j = i+1, j-1 {
					strs[i], strs[j] = strs[j], strs[i]
				}
			}
			for i, s := range strs {
				items[i] = vStr{s: s}
			}
		case "reversed":
			for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
				items[i], items[j] = items[j], items[i]
			}
		case "set", "frozenset":
			var uniq []Value
			for _, it := range items {
				dup := false
				for _, u := range uniq {
					if eq, ok := equal(u, it); ok && eq {
						dup = true
						break
					}
				}
				if !dup {
					uniq = append(uniq, it)
				}
			}
			items = uniq
		}
		return &vSeq{items: items, tuple: name == "tuple"}
	case "dict":
		d := &vDict{}
		if a, ok := one(); ok {
			switch x := a.(type) {
			case *vDict:
				d.keys, d.vals = append(d.keys, x.keys...), append(d.vals, x.vals...)
			default:
				pairs, ok := l.iterate(x)
				if !ok {
					return vUnknown{why: "dict() of " + unknownWhy(a)}
				}
				for _, p := range pairs {
					kv, ok := l.iterate(p)
					if !ok || len(kv) != 2 {
						return vUnknown{why: "dict() of unknown pairs"}
					}
					k, ok := l.force(kv[0]).(vStr)
					if !ok {
						return vUnknown{why: "dict() with a key not known"}
					}
					d.keys, d.vals = append(d.keys, k.s), append(d.vals, kv[1])
				}
			}
		}
		keys := make([]string, 0, len(kw))
		for k := range kw {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.keys, d.vals = append(d.keys, k), append(d.vals, kw[k])
		}
		return d
	case "str":
		if len(args) == 0 {
			return vStr{}
		}
		if s, ok := formatValue(args[0], ""); ok {
			return vStr{s: s}
		}
	case "repr":
		if a, ok := one(); ok {
			if s, ok := pyRepr(a); ok {
				return vStr{s: s}
			}
		}
	case "format":
		if len(args) >= 1 {
			spec := ""
			if len(args) == 2 {
				sp, ok := args[1].(vStr)
				if !ok {
					break
				}
				spec = sp.s
			}
			if s, ok := formatValue(args[0], spec); ok {
				return vStr{s: s}
			}
		}
	case "int":
		if a, ok := one(); ok {
			if n, ok := intOf(a); ok {
				return vInt(n)
			}
			if s, ok := a.(vStr); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(s.s), 10, 64); err == nil {
					return vInt(n)
				}
			}
		}
	case "bool":
		if len(args) == 0 {
			return vBool(false)
		}
		if t := truth(args[0]); t >= 0 {
			return vBool(t == 1)
		}
	case "len":
		if a, ok := one(); ok {
			switch x := a.(type) {
			case vStr:
				return vInt(int64(len([]rune(x.s))))
			case *vDict:
				seen := map[string]bool{}
				for _, k := range x.keys {
					seen[k] = true
				}
				return vInt(int64(len(seen)))
			}
			if items, ok := l.iterate(a); ok {
				return vInt(int64(len(items)))
			}
		}
	case "getattr", "hasattr":
		if len(args) < 2 {
			break
		}
		attr, ok := args[1].(vStr)
		if !ok {
			break
		}
		v, found, known := l.getattr(args[0], attr.s)
		if name == "hasattr" {
			if !known {
				return vUnknown{why: "hasattr of " + unknownWhy(args[0])}
			}
			return vBool(found)
		}
		if found {
			return v
		}
		if len(args) >= 3 {
			// Not there, or not known (a configuration module discovery
			// cannot see): the default is what an unset value gives.
			return args[2]
		}
		if !known {
			return vUnknown{why: "getattr of " + unknownWhy(args[0])}
		}
		return vUnknown{why: "no attribute " + attr.s}
	case "range":
		var lo, hi, st int64 = 0, 0, 1
		var ok1, ok2, ok3 = true, true, true
		switch len(args) {
		case 1:
			hi, ok1 = intOf(args[0])
		case 2:
			lo, ok1 = intOf(args[0])
			hi, ok2 = intOf(args[1])
		case 3:
			lo, ok1 = intOf(args[0])
			hi, ok2 = intOf(args[1])
			st, ok3 = intOf(args[2])
		default:
			ok1 = false
		}
		if !ok1 || !ok2 || !ok3 || st == 0 {
			break
		}
		n := (hi - lo + st - sign(st)) / st
		if n < 0 {
			n = 0
		}
		if n > maxSeqLen {
			return l.limit(ms, line, fmt.Sprintf("a range of more than %d items", maxSeqLen))
		}
		out := &vSeq{}
		for i := int64(0); i < n; i++ {
			out.items = append(out.items, vInt(lo+i*st))
		}
		return out
	case "enumerate":
		if len(args) >= 1 {
			items, ok := l.iterate(args[0])
			if !ok {
				break
			}
			start := int64(0)
			if len(args) == 2 {
				start, _ = intOf(args[1])
			}
			out := &vSeq{}
			for i, it := range items {
				out.items = append(out.items, &vSeq{items: []Value{vInt(start + int64(i)), it}, tuple: true})
			}
			return out
		}
	case "zip":
		var lists [][]Value
		n := -1
		for _, a := range args {
			items, ok := l.iterate(a)
			if !ok {
				return vUnknown{why: "zip() of " + unknownWhy(a)}
			}
			lists = append(lists, items)
			if n < 0 || len(items) < n {
				n = len(items)
			}
		}
		out := &vSeq{}
		for i := 0; i < n; i++ {
			t := &vSeq{tuple: true}
			for _, li := range lists {
				t.items = append(t.items, li[i])
			}
			out.items = append(out.items, t)
		}
		return out
	case "any", "all":
		if a, ok := one(); ok {
			items, ok := l.iterate(a)
			if !ok {
				break
			}
			unknown := false
			for _, it := range items {
				switch truth(l.force(it)) {
				case 1:
					if name == "any" {
						return vBool(true)
					}
				case 0:
					if name == "all" {
						return vBool(false)
					}
				default:
					unknown = true
				}
			}
			if !unknown {
				return vBool(name == "all")
			}
		}
	case "dir":
		if a, ok := one(); ok {
			var names []string
			switch x := a.(type) {
			case *vClass:
				names = l.classNames(x)
			case *vModule:
				l.exec(x.ms)
				for k := range x.ms.env {
					names = append(names, k)
				}
			default:
				return vUnknown{why: "dir() of " + unknownWhy(a)}
			}
			sort.Strings(names)
			out := &vSeq{}
			for _, n := range names {
				out.items = append(out.items, vStr{s: n})
			}
			return out
		}
	case "vars":
		if a, ok := one(); ok {
			switch x := a.(type) {
			case *vClass:
				return l.envDict(l.classScope(x).env)
			case *vModule:
				l.exec(x.ms)
				return l.envDict(x.ms.env)
			}
		}
	case "globals":
		return vGlobals{ms: ms.module()}
	case "locals":
		return vGlobals{ms: ms}
	case "print":
		return vNone
	}
	return vUnknown{why: name + "() not evaluated"}
}

func sign(n int64) int64 {
	if n < 0 {
		return -1
	}
	return 1
}

// envDict is a dict of a scope's names, sorted.
func (l *loader) envDict(env map[string]Value) *vDict {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := &vDict{}
	for _, k := range keys {
		d.keys, d.vals = append(d.keys, k), append(d.vals, env[k])
	}
	return d
}

// getattr looks an attribute up: the value, whether it is there, and
// whether the object is known well enough to tell.
func (l *loader) getattr(obj Value, name string) (Value, bool, bool) {
	switch x := l.force(obj).(type) {
	case *vModule:
		l.exec(x.ms)
		if v, ok := x.ms.env[name]; ok {
			return l.force(v), true, true
		}
		if sub := l.module(x.ms.name + "." + name); sub != nil {
			return &vModule{ms: sub}, true, true
		}
		return nil, false, x.ms.mod != nil
	case *vClass:
		if v := l.classAttr(x, name); v != nil {
			return l.force(v), true, true
		}
		// A framework base may define it.
		for _, b := range l.mro(x) {
			if _, ok := b.(vExt); ok {
				return nil, false, false
			}
		}
		return nil, false, true
	case *vObject:
		v, ok := x.attrs[name]
		return v, ok, true
	case vExt:
		if x.path == "django.conf.settings" && l.settings != nil && l.settings.state == 2 {
			l.settingsRead[name] = true
			if v, ok := l.settings.env[name]; ok {
				return l.force(v), true, true
			}
			if v, ok := djangoDefaults[name]; ok {
				return v, true, true
			}
			return nil, false, true
		}
	}
	return nil, false, false
}

// method evaluates a method call on a known value: str, list and dict
// methods, globals().update, router.register, urlparse results.
func (l *loader) method(ms *modState, a *vAttr, args []Value, kw map[string]Value, line int) (Value, bool) {
	recv := l.force(a.x)
	switch r := recv.(type) {
	case vStr:
		return l.strMethod(ms, r.s, a.name, args, kw, line)
	case *vSeq:
		return l.seqMethod(ms, r, a.name, args, line)
	case *vDict:
		return l.dictMethod(r, a.name, args)
	case vGlobals:
		switch a.name {
		case "update":
			for _, arg := range args {
				if d, ok := l.force(arg).(*vDict); ok {
					for i, k := range d.keys {
						r.ms.env[k] = d.vals[i]
					}
				}
			}
			for k, v := range kw {
				r.ms.env[k] = v
			}
			return vNone, true
		case "get":
			if len(args) >= 1 {
				if k, ok := l.force(args[0]).(vStr); ok {
					if v, ok := r.ms.lookup(k.s); ok {
						return l.force(v), true
					}
					if len(args) == 2 {
						return args[1], true
					}
					return vNone, true
				}
			}
		case "setdefault":
			if len(args) == 2 {
				if k, ok := l.force(args[0]).(vStr); ok {
					if v, ok := r.ms.env[k.s]; ok {
						return l.force(v), true
					}
					r.ms.env[k.s] = args[1]
					return args[1], true
				}
			}
		}
	case *vCall:
		if a.name == "register" {
			l.mutated()
			l.registry[r] = append(l.registry[r], registration{args: args, kw: kw, ms: ms.module(), line: line})
			return vNone, true
		}
		// django-environ: env.bool("X", default=False), env.str(...)
		if e, ok := l.force(r.fn).(vExt); ok && (e.path == "environ.Env" || e.path == "environ.environ.Env" || e.path == "environs.Env") {
			name, ok := l.force(argAt(args, kw, 0, "var")).(vStr)
			if !ok {
				return vUnknown{why: "environment variable"}, true
			}
			cast := vBuiltin{name: a.name}
			if v, known := l.envVar(name.s); known && v != nil {
				return castDefault(v, cast), true
			} else if known {
				if d, ok := kw["default"]; ok {
					return castDefault(l.force(d), cast), true
				}
				if len(args) >= 2 {
					return castDefault(l.force(args[1]), cast), true
				}
			}
			return vUnknown{why: "environment variable " + name.s}, true
		}
	case *vAttr:
		// router.registry.extend(other.registry)
		if r.name == "registry" && a.name == "extend" && len(args) == 1 {
			dst, ok1 := l.force(r.x).(*vCall)
			src, ok2 := l.force(args[0]).(*vAttr)
			if ok1 && ok2 && src.name == "registry" {
				if sc, ok := l.force(src.x).(*vCall); ok {
					l.mutated()
					l.registry[dst] = append(l.registry[dst], l.registry[sc]...)
					return vNone, true
				}
			}
		}
	case vExt:
		if r.path == "os.environ" {
			return l.external(ms, "os.environ."+a.name, args, kw, line)
		}
	}
	return nil, false
}

func (l *loader) seqMethod(ms *modState, r *vSeq, name string, args []Value, line int) (Value, bool) {
	switch {
	case name == "append" && len(args) == 1:
		if len(r.items) >= maxSeqLen {
			return l.limit(ms, line, fmt.Sprintf("a list of more than %d items", maxSeqLen)), true
		}
		l.mutated()
		r.items = append(r.items, args[0])
		return vNone, true
	case name == "extend" && len(args) == 1:
		l.extend(r, l.force(args[0]), line, ms)
		return vNone, true
	case name == "insert" && len(args) == 2:
		idx, _ := intOf(l.force(args[0]))
		if idx < 0 {
			idx += int64(len(r.items))
		}
		idx = max(0, min(idx, int64(len(r.items))))
		l.mutated()
		r.items = append(r.items[:idx], append([]Value{args[1]}, r.items[idx:]...)...)
		return vNone, true
	case name == "remove" && len(args) == 1:
		if l.speculative > 0 {
			// Under an unknown condition the item stays: the union of the
			// branches has it.
			return vNone, true
		}
		target := l.force(args[0])
		for i, it := range r.items {
			if eq, ok := equal(l.force(it), target); ok && eq {
				l.mutated()
				r.items = append(r.items[:i], r.items[i+1:]...)
				break
			}
		}
		return vNone, true
	case name == "copy" && len(args) == 0:
		return &vSeq{items: append([]Value(nil), r.items...), tuple: r.tuple}, true
	case name == "index" && len(args) == 1:
		target := l.force(args[0])
		for i, it := range r.items {
			if eq, ok := equal(l.force(it), target); ok && eq {
				return vInt(int64(i)), true
			}
		}
	}
	return nil, false
}

func (l *loader) dictMethod(d *vDict, name string, args []Value) (Value, bool) {
	key := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		k, ok := l.force(args[0]).(vStr)
		return k.s, ok
	}
	switch name {
	case "get":
		k, ok := key()
		if !ok {
			return vUnknown{why: "dict key not known"}, true
		}
		if v, ok := d.get(k); ok {
			return l.force(v), true
		}
		if len(args) >= 2 {
			return args[1], true
		}
		return vNone, true
	case "setdefault":
		k, ok := key()
		if !ok {
			break
		}
		if v, ok := d.get(k); ok {
			return l.force(v), true
		}
		var v Value = vNone
		if len(args) >= 2 {
			v = args[1]
		}
		l.mutated()
		d.keys, d.vals = append(d.keys, k), append(d.vals, v)
		return v, true
	case "update":
		for _, a := range args {
			if src, ok := l.force(a).(*vDict); ok {
				l.mutated()
				d.keys, d.vals = append(d.keys, src.keys...), append(d.vals, src.vals...)
			}
		}
		return vNone, true
	case "keys", "values", "items":
		out := &vSeq{}
		seen := map[string]bool{}
		for _, k := range d.keys {
			if seen[k] {
				continue
			}
			seen[k] = true
			v, _ := d.get(k) // the last binding of a key wins
			switch name {
			case "keys":
				out.items = append(out.items, vStr{s: k})
			case "values":
				out.items = append(out.items, v)
			default:
				out.items = append(out.items, &vSeq{items: []Value{vStr{s: k}, v}, tuple: true})
			}
		}
		return out, true
	case "copy":
		return &vDict{keys: append([]string(nil), d.keys...), vals: append([]Value(nil), d.vals...)}, true
	}
	return nil, false
}

func (l *loader) strMethod(ms *modState, s, name string, args []Value, kw map[string]Value, line int) (Value, bool) {
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		v, ok := l.force(args[i]).(vStr)
		return v.s, ok
	}
	switch name {
	case "strip", "lstrip", "rstrip":
		cut := " \t\n\r\x0b\x0c"
		if len(args) == 1 {
			c, ok := str(0)
			if !ok {
				if c, isConst := l.force(args[0]).(vConst); !isConst || c.s != "None" {
					return vUnknown{why: "strip of unknown characters"}, true
				}
			} else {
				cut = c
			}
		}
		switch name {
		case "strip":
			return vStr{s: strings.Trim(s, cut)}, true
		case "lstrip":
			return vStr{s: strings.TrimLeft(s, cut)}, true
		}
		return vStr{s: strings.TrimRight(s, cut)}, true
	case "lower":
		return vStr{s: strings.ToLower(s)}, true
	case "upper":
		return vStr{s: strings.ToUpper(s)}, true
	case "capitalize":
		return vStr{s: capitalize(s)}, true
	case "title":
		return vStr{s: pyTitle(s)}, true
	case "replace":
		a, ok1 := str(0)
		b, ok2 := str(1)
		if !ok1 || !ok2 {
			return vUnknown{why: "replace of unknown strings"}, true
		}
		n := -1
		if len(args) == 3 {
			c, ok := intOf(l.force(args[2]))
			if !ok {
				return vUnknown{why: "replace count"}, true
			}
			n = int(c)
		}
		if a == "" && len(s) > maxStrLen/2 {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen)), true
		}
		out := strings.Replace(s, a, b, n)
		if len(out) > maxStrLen {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen)), true
		}
		return vStr{s: out}, true
	case "startswith", "endswith":
		var prefixes []string
		if p, ok := str(0); ok {
			prefixes = []string{p}
		} else if len(args) == 1 {
			items, ok := l.iterate(args[0])
			if !ok {
				return vUnknown{why: name + " of unknown strings"}, true
			}
			for _, it := range items {
				p, ok := l.force(it).(vStr)
				if !ok {
					return vUnknown{why: name + " of unknown strings"}, true
				}
				prefixes = append(prefixes, p.s)
			}
		} else {
			return vUnknown{why: name}, true
		}
		for _, p := range prefixes {
			if name == "startswith" && strings.HasPrefix(s, p) || name == "endswith" && strings.HasSuffix(s, p) {
				return vBool(true), true
			}
		}
		return vBool(false), true
	case "removeprefix":
		if p, ok := str(0); ok {
			return vStr{s: strings.TrimPrefix(s, p)}, true
		}
	case "removesuffix":
		if p, ok := str(0); ok {
			return vStr{s: strings.TrimSuffix(s, p)}, true
		}
	case "split", "rsplit":
		sep, hasSep := str(0)
		maxSplit := int64(-1)
		if len(args) >= 2 {
			maxSplit, _ = intOf(l.force(args[1]))
		}
		if m, ok := kw["maxsplit"]; ok {
			maxSplit, _ = intOf(l.force(m))
		}
		var parts []string
		switch {
		case !hasSep && maxSplit < 0:
			parts = strings.Fields(s)
		case !hasSep:
			return vUnknown{why: "split with maxsplit"}, true
		case name == "rsplit" && maxSplit >= 0:
			parts = rsplitN(s, sep, int(maxSplit))
		case maxSplit >= 0:
			parts = strings.SplitN(s, sep, int(maxSplit)+1)
		default:
			parts = strings.Split(s, sep)
		}
		if len(parts) > maxSeqLen {
			return l.limit(ms, line, fmt.Sprintf("a list of more than %d items", maxSeqLen)), true
		}
		out := &vSeq{}
		for _, p := range parts {
			out.items = append(out.items, vStr{s: p})
		}
		return out, true
	case "partition", "rpartition":
		sep, ok := str(0)
		if !ok || sep == "" {
			break
		}
		var a, b, c string
		var i int
		if name == "partition" {
			i = strings.Index(s, sep)
		} else {
			i = strings.LastIndex(s, sep)
		}
		switch {
		case i >= 0:
			a, b, c = s[:i], sep, s[i+len(sep):]
		case name == "partition":
			a = s
		default:
			c = s
		}
		return &vSeq{items: []Value{vStr{s: a}, vStr{s: b}, vStr{s: c}}, tuple: true}, true
	case "join":
		if len(args) != 1 {
			break
		}
		items, ok := l.iterate(args[0])
		if !ok {
			return vUnknown{why: "join of unknown strings"}, true
		}
		parts := make([]string, len(items))
		total := 0
		for i, it := range items {
			p, ok := l.force(it).(vStr)
			if !ok {
				return vUnknown{why: "join of unknown strings"}, true
			}
			parts[i] = p.s
			total += len(p.s) + len(s)
		}
		if total > maxStrLen {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen)), true
		}
		return vStr{s: strings.Join(parts, s)}, true
	case "format":
		return l.strFormat(ms, s, args, kw, line), true
	case "isupper", "islower", "isdigit", "isidentifier", "isalpha", "isalnum":
		return vBool(strPredicate(name, s)), true
	case "find", "index", "rfind":
		sub, ok := str(0)
		if !ok {
			break
		}
		var i int
		if name == "rfind" {
			i = strings.LastIndex(s, sub)
		} else {
			i = strings.Index(s, sub)
		}
		return vInt(int64(i)), true
	case "count":
		if sub, ok := str(0); ok {
			return vInt(int64(strings.Count(s, sub))), true
		}
	case "encode", "decode":
		return vUnknown{why: "bytes"}, true
	case "zfill", "ljust", "rjust", "center":
		return vUnknown{why: "str." + name}, true
	}
	return vUnknown{why: "str." + name}, true
}

// pyTitle is Python's str.title: a letter after a non-letter is upper
// case, the others lower case.
func pyTitle(s string) string {
	var b strings.Builder
	prev := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prev {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			prev = true
			continue
		}
		prev = false
		b.WriteRune(r)
	}
	return b.String()
}

func rsplitN(s, sep string, n int) []string {
	var out []string
	for n > 0 {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		out = append([]string{s[i+len(sep):]}, out...)
		s = s[:i]
		n--
	}
	return append([]string{s}, out...)
}

func strPredicate(name, s string) bool {
	if s == "" {
		return false
	}
	switch name {
	case "isupper", "islower":
		cased := false
		for _, r := range s {
			if unicode.IsUpper(r) || unicode.IsLower(r) {
				cased = true
				if name == "isupper" && unicode.IsLower(r) || name == "islower" && unicode.IsUpper(r) {
					return false
				}
			}
		}
		return cased
	case "isdigit":
		for _, r := range s {
			if !unicode.IsDigit(r) {
				return false
			}
		}
	case "isalpha":
		for _, r := range s {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	case "isalnum":
		for _, r := range s {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	case "isidentifier":
		return validDotted(s) && !strings.Contains(s, ".")
	}
	return true
}

// formatValue is format(v, spec) for the specs routes use: none, or a
// width/alignment/fill, or d/s.
func formatValue(v Value, spec string) (string, bool) {
	var s string
	switch x := v.(type) {
	case vStr:
		s = x.s
	case vConst:
		s = x.s
		if n, ok := intOf(x); ok && x.s != "True" && x.s != "False" {
			s = strconv.FormatInt(n, 10)
		}
	default:
		return "", false
	}
	if spec == "" || spec == "s" || spec == "d" {
		return s, true
	}
	return "", false
}

// pyRepr is repr() of a string or constant.
func pyRepr(v Value) (string, bool) {
	switch x := v.(type) {
	case vStr:
		if strings.Contains(x.s, "'") && !strings.Contains(x.s, `"`) {
			return `"` + x.s + `"`, true
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x.s, `\`, `\\`), "'", `\'`) + "'", true
	case vConst:
		return formatValue(x, "")
	}
	return "", false
}

// strFormat is str.format with {} / {0} / {name} fields (and {{ }}).
func (l *loader) strFormat(ms *modState, f string, args []Value, kw map[string]Value, line int) Value {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				i++
			}
			b.WriteByte('}')
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(f) && f[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			return vUnknown{why: "format string"}
		}
		field := f[i+1 : i+j]
		i += j
		spec := ""
		if k := strings.IndexByte(field, ':'); k >= 0 {
			field, spec = field[:k], field[k+1:]
		}
		conv := ""
		if k := strings.IndexByte(field, '!'); k >= 0 {
			field, conv = field[:k], field[k+1:]
		}
		var v Value
		switch {
		case field == "":
			if auto >= len(args) {
				return vUnknown{why: "format field"}
			}
			v = args[auto]
			auto++
		case field[0] >= '0' && field[0] <= '9':
			n, err := strconv.Atoi(field)
			if err != nil || n >= len(args) {
				return vUnknown{why: "format field"}
			}
			v = args[n]
		default:
			name, rest, _ := strings.Cut(field, ".")
			val, ok := kw[name]
			if !ok {
				return vUnknown{why: "format field " + name}
			}
			v = val
			for rest != "" {
				var attr string
				attr, rest, _ = strings.Cut(rest, ".")
				v = l.attr(v, attr)
			}
		}
		v = l.force(v)
		var s string
		var ok bool
		if conv == "r" {
			s, ok = pyRepr(v)
		} else {
			s, ok = formatValue(v, spec)
		}
		if !ok {
			return vUnknown{why: "format field " + unknownWhy(v)}
		}
		b.WriteString(s)
		if b.Len() > maxStrLen {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen))
		}
	}
	return vStr{s: b.String()}
}

// percent is printf-style "%s/%d" % args for %s, %d, %r, %(name)s, %%.
func (l *loader) percent(ms *modState, f string, arg Value, line int) Value {
	var args []Value
	d, isDict := arg.(*vDict)
	if seq, ok := arg.(*vSeq); ok && seq.tuple {
		args = seq.items
	} else if !isDict {
		args = []Value{arg}
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return vUnknown{why: "format string"}
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var v Value
		if f[i] == '(' {
			j := strings.IndexByte(f[i:], ')')
			if j < 0 || !isDict {
				return vUnknown{why: "format string"}
			}
			val, ok := d.get(f[i+1 : i+j])
			if !ok {
				return vUnknown{why: "format key"}
			}
			v = val
			i += j + 1
			if i >= len(f) {
				return vUnknown{why: "format string"}
			}
		} else {
			if n >= len(args) {
				return vUnknown{why: "not enough format arguments"}
			}
			v = args[n]
			n++
		}
		v = l.force(v)
		var s string
		var ok bool
		switch f[i] {
		case 's':
			s, ok = formatValue(v, "")
		case 'd', 'i':
			if x, isInt := intOf(v); isInt {
				s, ok = strconv.FormatInt(x, 10), true
			}
		case 'r':
			s, ok = pyRepr(v)
		}
		if !ok {
			return vUnknown{why: "format of " + unknownWhy(v)}
		}
		b.WriteString(s)
		if b.Len() > maxStrLen {
			return l.limit(ms, line, fmt.Sprintf("a string longer than %d characters", maxStrLen))
		}
	}
	return vStr{s: b.String()}
}

// callFunc runs a project function whose result discovery can use: data
// (strings, lists, dicts, numbers) or URL patterns. Anything else (a
// closure a decorator returns, an unknown) keeps the call itself, which
// the view resolver reads as a wrapper of its arguments.
func (l *loader) callFunc(f *vFunc, args []Value, kw map[string]Value) (Value, bool) {
	if l.callDepth >= maxCallDepth || l.exhausted() {
		return nil, false
	}
	def := f.def
	if !def.Parsed {
		fp, ok := l.parser.(funcParser)
		if !ok {
			return nil, false
		}
		if err := fp.ParseFunc(def); err != nil {
			return nil, false
		}
	}
	if len(def.Body) == 0 {
		return nil, false
	}
	scope := newScope(f.ms, false)
	// Bind the parameters.
	pos := 0
	var extraPos []Value
	used := map[string]bool{}
	for _, p := range def.Params {
		switch p.Kind {
		case "*":
			if pos < len(args) {
				extraPos = append(extraPos, args[pos:]...)
				pos = len(args)
			}
			scope.env[p.Name] = &vSeq{items: extraPos, tuple: true}
			continue
		case "**":
			d := &vDict{}
			keys := make([]string, 0, len(kw))
			for k := range kw {
				if !used[k] {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				d.keys, d.vals = append(d.keys, k), append(d.vals, kw[k])
			}
			scope.env[p.Name] = d
			continue
		}
		switch {
		case !p.KwOnly && pos < len(args):
			scope.env[p.Name] = args[pos]
			pos++
		case kw[p.Name] != nil:
			scope.env[p.Name] = kw[p.Name]
			used[p.Name] = true
		case p.Default != nil:
			scope.env[p.Name] = l.eval(f.ms, p.Default)
		default:
			scope.env[p.Name] = vUnknown{why: "argument " + p.Name + " not given"}
		}
	}
	for _, a := range args {
		if _, ok := a.(vSplice); ok {
			return nil, false // f(*unknown): the binding is not known
		}
	}
	l.callDepth++
	fl := l.execBlock(scope, def.Body, false)
	l.callDepth--
	if fl == flowRaise {
		return nil, false
	}
	var res Value = vNone
	if len(scope.rets) > 0 {
		res, _ = l.merge(scope.rets, scope.rel, def.Line)
	}
	res = l.force(res)
	if seq, ok := res.(*vSeq); ok && len(seq.items) == 0 && !returnsOnlyEmpty(def.Body) {
		l.builtEmpty[seq] = f
	}
	if usable(l, res) {
		return res, true
	}
	return nil, false
}

// returnsOnlyEmpty reports whether every return statement of a function
// body returns a literal empty list or tuple: its result is empty
// whatever the data.
func returnsOnlyEmpty(body []*Stmt) bool {
	for _, s := range body {
		switch s.Kind {
		case StmtReturn:
			if s.Value == nil || (s.Value.Kind != ExprList && s.Value.Kind != ExprTuple) || len(s.Value.Elts) > 0 {
				return false
			}
		case StmtBlock, StmtFor:
			if !returnsOnlyEmpty(s.Body) {
				return false
			}
			for _, b := range s.Branches {
				if !returnsOnlyEmpty(b.Body) {
					return false
				}
			}
		case StmtIf:
			for _, b := range s.Branches {
				if !returnsOnlyEmpty(b.Body) {
					return false
				}
			}
		}
	}
	return true
}

// usable reports whether a function's result is data discovery can use
// in place of the call.
func usable(l *loader, v Value) bool {
	switch x := v.(type) {
	case vStr, vConst, *vDict, *vObject, *vModule:
		return true
	case *vSeq:
		return true
	case *vCall:
		if e, ok := l.force(x.fn).(vExt); ok {
			switch urlFunc(e.path) {
			case "path", "re_path", "include":
				return true
			}
			// A schema factory's graphene.Schema(...).
			return canonical(e.path) == "graphene.types.schema.Schema"
		}
	}
	return false
}

// classScope runs a class body once: its names are the class's own
// attributes (assignments read lazily, functions and nested classes).
func (l *loader) classScope(c *vClass) *modState {
	if s, ok := l.classScopes[c.def]; ok {
		return s
	}
	s := newScope(c.ms, true)
	l.classScopes[c.def] = s
	for _, st := range c.def.Body {
		l.execStmt(s, st, false)
	}
	return s
}

// classNames lists a class's attribute names through its project bases.
func (l *loader) classNames(c *vClass) []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range l.mro(c) {
		if bc, ok := b.(*vClass); ok {
			for k := range l.classScope(bc).env {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}
