// Package django discovers the layout of a Django project from its source,
// without running it: the settings module, the project's own apps, every URL
// route with its view and methods (DRF routers expanded), and the graphene
// schema's root fields. Python is read with tree-sitter's grammar behind the
// small Parser interface; the module model below is all the rest sees.
package django

import (
	"fmt"
	"strconv"
	"strings"
)

// Parser turns Python source into the light module model discovery works on.
// Implementations must not keep references to src after returning.
type Parser interface {
	Parse(path string, src []byte) (*Module, error)
}

// Module is one parsed Python file: its top-level statements (the bodies of
// if/try/with blocks are kept nested) and the syntax errors found.
type Module struct {
	Path   string
	Stmts  []*Stmt
	Errors []SyntaxError
}

// SyntaxError is a place where the grammar could not make sense of the
// text, or a construct the Python runtime may refuse.
type SyntaxError struct {
	Line, Col int
	Text      string
	// Msg, when set, is the whole message ("syntax error near Text"
	// otherwise).
	Msg string
	// Since is the first Python version that accepts the construct
	// ("3.14"); "" when none does. Msg then names the construct and Fix
	// says how to write it for older versions.
	Since, Fix string
}

// DefaultPython is the Lambda runtime's version when the configuration
// names none (pkg/config's default).
const DefaultPython = "3.12"

// Message is how e is reported for a project whose runtime is Python
// python ("3.13"; "" is DefaultPython). ok is false when that runtime
// accepts the construct, which is then no error.
func (e SyntaxError) Message(python string) (msg string, ok bool) {
	if python == "" {
		python = DefaultPython
	}
	if e.Since != "" && versionAtLeast(python, e.Since) {
		return "", false
	}
	if e.Since != "" {
		return fmt.Sprintf("%s needs Python %s (the runtime is python%s): %s or set python: %q", e.Msg, e.Since, python, e.Fix, e.Since), true
	}
	if e.Msg != "" {
		return e.Msg, true
	}
	return fmt.Sprintf("syntax error near %q", e.Text), true
}

// versionAtLeast compares two "major.minor" versions; an unreadable one
// is the oldest.
func versionAtLeast(v, min string) bool {
	parse := func(s string) (int, int) {
		a, b, _ := strings.Cut(s, ".")
		major, err1 := strconv.Atoi(a)
		minor, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil {
			return -1, -1
		}
		return major, minor
	}
	vm, vn := parse(v)
	mm, mn := parse(min)
	return vm > mm || vm == mm && vn >= mn
}

// StmtKind tells statements apart.
type StmtKind int

// Statement kinds.
const (
	StmtImport     StmtKind = iota // import a.b [as c]
	StmtImportFrom                 // from [.]a import b [as c] | *
	StmtAssign                     // a = b = value
	StmtAugAssign                  // a += value
	StmtExpr                       // a bare expression (usually a call)
	StmtClass                      // class definition
	StmtFunc                       // function definition
	StmtBlock                      // try/with/for/while body, flattened in order
	StmtIf                         // if/elif/else: Branches
	StmtFor                        // for Targets[0] in Value: Body, else Branches[0].Body
	StmtReturn                     // return Value (Value nil for a bare return)
	StmtRaise                      // raise ...
	StmtBreak                      // break
	StmtContinue                   // continue
)

// Branch is one arm of an if statement; Cond is nil for else.
type Branch struct {
	Cond *Expr
	Body []*Stmt
}

// Stmt is one statement. Which fields are set depends on Kind.
type Stmt struct {
	Kind StmtKind
	Line int
	// Imports: the names imported (Import and ImportFrom).
	Names []ImportName
	// Module and Level: ImportFrom's source ("a.b", dots counted in Level).
	Module string
	Level  int
	// Targets are Assign's left-hand sides (several for a = b = 1);
	// AugAssign has one.
	Targets []*Expr
	Op      string // AugAssign operator, e.g. "+="
	Value   *Expr  // Assign/AugAssign right-hand side; Expr's expression
	Class   *ClassDef
	Func    *FuncDef
	// Body holds a block's statements (Kind StmtBlock). Guarded is true
	// inside try bodies, where a failed import is expected.
	Body     []*Stmt
	Guarded  bool
	Branches []Branch
	// Try is set for a try statement (Body then holds its parts in
	// source order): a function body runs the handlers as alternatives.
	Try *TryParts
}

// TryParts are the clauses of a try statement.
type TryParts struct {
	Body, Else, Finally []*Stmt
	Handlers            [][]*Stmt
}

// ImportName is one imported name; Name is "*" for a star import.
type ImportName struct {
	Name  string // dotted for Import, plain for ImportFrom
	Alias string
}

// ClassDef is a class with its bases, decorators and body.
type ClassDef struct {
	Name       string
	Line       int
	Bases      []*Expr
	Keywords   []Keyword // metaclass=..., etc.
	Decorators []*Expr
	Body       []*Stmt
}

// FuncDef is a function with its decorators. In entry scripts (manage.py,
// wsgi.py, asgi.py) its parameters and body are converted at once;
// elsewhere Src keeps the definition's text and the body is converted only
// if discovery ever calls the function (Parsed is then true).
type FuncDef struct {
	Name       string
	Line       int
	Decorators []*Expr
	Params     []Param
	Body       []*Stmt
	// Src is the definition's source from the start of its first line
	// (indentation included); "" once converted.
	Src    string
	Parsed bool
}

// Param is one function parameter. Kind is "" for a plain one, "*" for
// *args, "**" for **kwargs; KwOnly marks parameters after * or *args.
type Param struct {
	Name    string
	Default *Expr
	Kind    string
	KwOnly  bool
}

// ExprKind tells expressions apart.
type ExprKind int

// Expression kinds.
const (
	ExprOther     ExprKind = iota // anything discovery does not model
	ExprName                      // Name
	ExprAttr                      // X.Name
	ExprCall                      // X(Args..., Keywords...)
	ExprStr                       // Name holds the decoded value
	ExprNum                       // Name holds the literal text
	ExprBool                      // Name is "True" or "False"
	ExprNone                      // None
	ExprList                      // [Elts]
	ExprTuple                     // (Elts)
	ExprSet                       // {Elts}
	ExprDict                      // {Elts[i]: Vals[i]}; Elts[i] nil for **x
	ExprStarred                   // *X
	ExprBinOp                     // X Name Y
	ExprSubscript                 // X[Y]
	ExprNot                       // not X
	ExprBoolOp                    // X and Y, X or Y (Name is the operator)
	ExprFString                   // f"...": Elts are ExprStr parts and ExprFormatted fields
	ExprFormatted                 // {X!Name:Y} inside an f-string; Y (an ExprFString) is the format spec or nil
	ExprCompare                   // X Ops[0] Elts[0] Ops[1] Elts[1] ... (a chained comparison)
	ExprCond                      // X if Elts[0] else Y
	ExprNamed                     // Name := X
	ExprComp                      // comprehension; Name "list", "set", "dict" or "gen"; X the element (dict: X key, Y value)
	ExprUnary                     // Name X, Name one of "-", "+", "~"
	ExprSlice                     // X:Y (either nil when left out); only as a subscript
)

// Expr is an expression. Which fields are set depends on Kind.
type Expr struct {
	Kind     ExprKind
	Line     int
	Name     string
	X, Y     *Expr
	Elts     []*Expr
	Vals     []*Expr
	Keywords []Keyword
	Ops      []string // ExprCompare's operators: "==", "not in", "is not", ...
	Comps    []Comp   // ExprComp's for clauses, outermost first
}

// Comp is one "for Target in Iter if Ifs..." clause of a comprehension.
type Comp struct {
	Target *Expr
	Iter   *Expr
	Ifs    []*Expr
}

// Keyword is name=value in a call; Name is "" for **value.
type Keyword struct {
	Name  string
	Value *Expr
}

// Dotted renders a Name/Attr chain as "a.b.c", or "" for anything else.
func (e *Expr) Dotted() string {
	if e == nil {
		return ""
	}
	switch e.Kind {
	case ExprName:
		return e.Name
	case ExprAttr:
		if x := e.X.Dotted(); x != "" {
			return x + "." + e.Name
		}
	}
	return ""
}

// Kw returns the keyword argument called name, or nil.
func (e *Expr) Kw(name string) *Expr {
	for _, k := range e.Keywords {
		if k.Name == name {
			return k.Value
		}
	}
	return nil
}
