package django

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseString(t *testing.T, path, src string) *Module {
	t.Helper()
	ts, err := NewTreeSitter()
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	m, err := ts.Parse(path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// render prints statements compactly so tests can compare whole modules.
func render(stmts []*Stmt, indent string) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(indent)
		switch s.Kind {
		case StmtImport, StmtImportFrom:
			if s.Kind == StmtImport {
				b.WriteString("import")
			} else {
				b.WriteString("from " + strings.Repeat(".", s.Level) + s.Module + " import")
			}
			for _, n := range s.Names {
				b.WriteString(" " + n.Name)
				if n.Alias != "" {
					b.WriteString(" as " + n.Alias)
				}
			}
		case StmtAssign:
			for _, t := range s.Targets {
				b.WriteString(renderExpr(t) + " = ")
			}
			b.WriteString(renderExpr(s.Value))
		case StmtAugAssign:
			b.WriteString(renderExpr(s.Targets[0]) + " " + s.Op + " " + renderExpr(s.Value))
		case StmtExpr:
			b.WriteString(renderExpr(s.Value))
		case StmtClass:
			c := s.Class
			b.WriteString("class " + c.Name + "(" + renderList(c.Bases) + ")" + renderDecos(c.Decorators) + "\n")
			b.WriteString(render(c.Body, indent+"  "))
			continue
		case StmtFunc:
			b.WriteString("def " + s.Func.Name + renderDecos(s.Func.Decorators) + "\n")
			b.WriteString(render(s.Func.Body, indent+"  "))
			continue
		case StmtIf:
			for _, br := range s.Branches {
				if br.Cond == nil {
					b.WriteString("else\n")
				} else {
					b.WriteString("if " + renderExpr(br.Cond) + "\n")
				}
				b.WriteString(render(br.Body, indent+"  "))
				b.WriteString(indent)
			}
			b.WriteString("endif\n")
			continue
		case StmtBlock:
			g := ""
			if s.Guarded {
				g = " guarded"
			}
			b.WriteString("block" + g + "\n" + render(s.Body, indent+"  "))
			continue
		}
		b.WriteString(" @" + strconv.Itoa(s.Line) + "\n")
	}
	return b.String()
}

func renderDecos(ds []*Expr) string {
	if len(ds) == 0 {
		return ""
	}
	return " @[" + renderList(ds) + "]"
}

func renderList(es []*Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = renderExpr(e)
	}
	return strings.Join(parts, ", ")
}

func renderExpr(e *Expr) string {
	if e == nil {
		return "<nil>"
	}
	switch e.Kind {
	case ExprName:
		return e.Name
	case ExprAttr:
		return renderExpr(e.X) + "." + e.Name
	case ExprCall:
		args := renderList(e.Elts)
		for _, k := range e.Keywords {
			if args != "" {
				args += ", "
			}
			if k.Name == "" {
				args += "**" + renderExpr(k.Value)
			} else {
				args += k.Name + "=" + renderExpr(k.Value)
			}
		}
		return renderExpr(e.X) + "(" + args + ")"
	case ExprStr:
		return "'" + e.Name + "'"
	case ExprNum, ExprBool:
		return e.Name
	case ExprNone:
		return "None"
	case ExprList:
		return "[" + renderList(e.Elts) + "]"
	case ExprTuple:
		return "(" + renderList(e.Elts) + ",)"
	case ExprSet:
		return "{" + renderList(e.Elts) + "}"
	case ExprDict:
		var parts []string
		for i, k := range e.Elts {
			if k == nil {
				parts = append(parts, "**"+renderExpr(e.Vals[i]))
			} else {
				parts = append(parts, renderExpr(k)+": "+renderExpr(e.Vals[i]))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case ExprStarred:
		return "*" + renderExpr(e.X)
	case ExprBinOp:
		return "(" + renderExpr(e.X) + " " + e.Name + " " + renderExpr(e.Y) + ")"
	case ExprSubscript:
		return renderExpr(e.X) + "[" + renderExpr(e.Y) + "]"
	case ExprNot:
		return "not " + renderExpr(e.X)
	case ExprBoolOp:
		return "(" + renderExpr(e.X) + " " + e.Name + " " + renderExpr(e.Y) + ")"
	}
	return "?" + e.Name
}

func TestTreeSitterModel(t *testing.T) {
	src := `import os, a.b.c as abc
from . import views
from ..pkg.mod import x as y, z
from .base import *
from django.urls import (path,
    re_path)

A = B = [*X, "s", 1, None, True]
T = ("a",)
D = {"SCHEMA": "x.y", **E}
INSTALLED_APPS += ["a"]
urlpatterns = base + [path("p/", views.v, name="n")]
G["K"] = 1
router.register(r"items", ItemViewSet, basename="item")
x: int = 3


@require_GET
@cache(60)
def view(request):
    return None


class V(mixins.A, View, metaclass=M):
    label = "lbl"

    @action(detail=True)
    def act(self):
        pass


if DEBUG:
    urlpatterns += [1]
elif not A or B and C:
    pass
else:
    urlpatterns += [2]
try:
    from .local import *
except ImportError:
    pass
`
	m := parseString(t, "x.py", src)
	want := `import os a.b.c as abc @1
from . import views @2
from ..pkg.mod import x as y z @3
from .base import * @4
from django.urls import path re_path @5
A = B = [*X, 's', 1, None, True] @8
T = ('a',) @9
D = {'SCHEMA': 'x.y', **E} @10
INSTALLED_APPS += ['a'] @11
urlpatterns = (base + [path('p/', views.v, name='n')]) @12
G['K'] = 1 @13
router.register('items', ItemViewSet, basename='item') @14
x = 3 @15
def view @[require_GET, cache(60)]
class V(mixins.A, View)
  label = 'lbl' @25
  def act @[action(detail=True)]
if DEBUG
  urlpatterns += [1] @33
if (not A or (B and C))
else
  urlpatterns += [2] @37
endif
block guarded
  from .local import * @39
`
	if diff := cmp.Diff(want, render(m.Stmts, "")); diff != "" {
		t.Errorf("module model (-want +got):\n%s", diff)
	}
	if len(m.Errors) != 0 {
		t.Errorf("errors: %+v", m.Errors)
	}
	cls := m.Stmts[14].Class
	if len(cls.Keywords) != 1 || cls.Keywords[0].Name != "metaclass" {
		t.Errorf("class keywords = %+v", cls.Keywords)
	}
}

func TestTreeSitterFunctionBodies(t *testing.T) {
	src := "import os\n\ndef main():\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'p.settings')\n"
	if got := render(parseString(t, "sub/manage.py", src).Stmts, ""); !strings.Contains(got, "setdefault") {
		t.Errorf("manage.py body not kept:\n%s", got)
	}
	if got := render(parseString(t, "views.py", src).Stmts, ""); strings.Contains(got, "setdefault") {
		t.Errorf("views.py body kept:\n%s", got)
	}
}

func TestTreeSitterSyntaxErrors(t *testing.T) {
	m := parseString(t, "bad.py", "x = 1\nurlpatterns = [path('a/', v,, name='a')]\ny = 2\n")
	if len(m.Errors) == 0 || m.Errors[0].Line != 2 {
		t.Fatalf("errors = %+v, want one on line 2", m.Errors)
	}
	got := render(m.Stmts, "")
	if !strings.Contains(got, "x = 1 @1") || !strings.Contains(got, "y = 2 @3") {
		t.Errorf("statements around the error lost:\n%s", got)
	}
}

func TestDecodeString(t *testing.T) {
	tests := []struct {
		lit, want string
		ok        bool
	}{
		{`'a'`, "a", true},
		{`"a\"b"`, `a"b`, true},
		{`r'^a\.b/(?P<pk>\d+)$'`, `^a\.b/(?P<pk>\d+)$`, true},
		{`'^a\.b$'`, `^a\.b$`, true}, // unknown escapes stay
		{`'tab\tnl\n'`, "tab\tnl\n", true},
		{`'\x41\u00e9\101'`, "Aé" + "A", true},
		{`"""tri"ple"""`, `tri"ple`, true},
		{`f'{x}/'`, "", false},
		{`f'plain{{}}'`, "plain{}", true},
		{`b'bytes'`, "", false},
		{`Rb'x'`, "", false},
		{`U'u'`, "u", true},
	}
	for _, tt := range tests {
		got, ok := decodeString(tt.lit)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decodeString(%s) = %q, %v; want %q, %v", tt.lit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestToCamelCase(t *testing.T) {
	// graphene 2's to_camel_case, checked against the installed graphene.
	for in, want := range map[string]string{
		"all_products":   "allProducts",
		"products":       "products",
		"product__by_id": "product_ById",
		"_private_thing": "PrivateThing",
		"get_URL":        "getUrl",
		"trailing_":      "trailing_",
	} {
		if got := toCamelCase(in); got != want {
			t.Errorf("toCamelCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// PEP 758: except lists without parentheses are Python 3.14 syntax, an
// error on older runtimes; with "as" they are an error on every Python.
func TestTreeSitterExceptLists(t *testing.T) {
	src := `def view(request):
    try:
        pass
    except ValueError, TypeError:
        pass
    except* KeyError, OSError:
        pass
    except (LookupError, EOFError):
        pass
    except ValueError as e:
        pass
    except (KeyError, OSError) as e:
        pass
    except:
        pass
doc = """
except ValueError, TypeError:
"""
try:
    pass
except ValueError, TypeError as e:
    pass
`
	m := parseString(t, "views.py", src)
	type got struct {
		Line, Col   int
		Since, Text string
		Msg         string
	}
	var gotErrs []got
	for _, e := range m.Errors {
		gotErrs = append(gotErrs, got{e.Line, e.Col, e.Since, e.Text, e.Msg})
	}
	want := []got{
		{4, 22, "3.14", ",", pep758Msg},
		{6, 21, "3.14", ",", pep758Msg},
		{21, 18, "", ",", pep758AsMsg},
	}
	if diff := cmp.Diff(want, gotErrs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		python string
		want   string // "" when no error
	}{
		{"3.14", ""},
		{"3.15", ""},
		{"4.0", ""},
		{"3.13", "`except A, B:` without parentheses needs Python 3.14 (the runtime is python3.13): add parentheses or set python: \"3.14\""},
		{"3.9", "`except A, B:` without parentheses needs Python 3.14 (the runtime is python3.9): add parentheses or set python: \"3.14\""},
		{"", "`except A, B:` without parentheses needs Python 3.14 (the runtime is python" + DefaultPython + "): add parentheses or set python: \"3.14\""},
	} {
		msg, ok := m.Errors[0].Message(c.python)
		if ok != (c.want != "") || msg != c.want {
			t.Errorf("Message(%q) = %q, %v; want %q", c.python, msg, ok, c.want)
		}
		if msg, ok := m.Errors[2].Message(c.python); !ok || msg != pep758AsMsg {
			t.Errorf("Message(%q) of except A, B as e = %q, %v; want the error on every version", c.python, msg, ok)
		}
	}
	if msg, ok := (SyntaxError{Text: ", x"}).Message("3.14"); !ok || msg != `syntax error near ", x"` {
		t.Errorf("a grammar error reads %q, %v", msg, ok)
	}
}
