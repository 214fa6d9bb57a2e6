package django

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// TreeSitter parses Python with tree-sitter's grammar. It holds C memory:
// call Close when done. It is not safe for concurrent use.
type TreeSitter struct {
	parser *sitter.Parser
}

var _ Parser = (*TreeSitter)(nil)

// maxSyntaxErrors bounds the syntax errors reported per file.
const maxSyntaxErrors = 5

// NewTreeSitter returns a parser for Python source.
func NewTreeSitter() (*TreeSitter, error) {
	useLibcAllocator()
	p := sitter.NewParser()
	if err := p.SetLanguage(sitter.NewLanguage(python.Language())); err != nil {
		p.Close()
		return nil, fmt.Errorf("load python grammar: %w", err)
	}
	return &TreeSitter{parser: p}, nil
}

// Close frees the parser's C memory.
func (t *TreeSitter) Close() {
	if t.parser != nil {
		t.parser.Close()
		t.parser = nil
	}
}

// entryScript reports the files whose function bodies discovery reads
// (manage.py's main() sets DJANGO_SETTINGS_MODULE); elsewhere only
// signatures and decorators matter, and skipping bodies halves the work.
func entryScript(path string) bool {
	base := path
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		base = path[i+1:]
	}
	switch base {
	case "manage.py", "wsgi.py", "asgi.py":
		return true
	}
	return false
}

// Parse reads src into a Module. Function bodies are kept only for entry
// scripts (manage.py, wsgi.py, asgi.py). Syntax errors do not fail the parse: they
// are listed in Module.Errors and the rest of the file is still modelled.
func (t *TreeSitter) Parse(path string, src []byte) (*Module, error) {
	if t.parser == nil {
		return nil, fmt.Errorf("parse %s: parser closed", path)
	}
	tree := t.parser.Parse(src, nil)
	if tree == nil {
		return nil, fmt.Errorf("parse %s: tree-sitter returned no tree", path)
	}
	defer tree.Close()
	root := tree.RootNode()
	c := &conv{src: src, funcBodies: entryScript(path)}
	m := &Module{Path: path, Stmts: c.block(root, false)}
	if root.HasError() {
		c.errors(root, &m.Errors)
	}
	return m, nil
}

type conv struct {
	src        []byte
	funcBodies bool
}

func (c *conv) text(n *sitter.Node) string { return string(c.src[n.StartByte():n.EndByte()]) }

func line(n *sitter.Node) int { return int(n.StartPosition().Row) + 1 }

// errors collects ERROR and MISSING nodes, descending only where errors are.
func (c *conv) errors(n *sitter.Node, out *[]SyntaxError) {
	if len(*out) >= maxSyntaxErrors {
		return
	}
	if n.IsError() || n.IsMissing() {
		p := n.StartPosition()
		txt := c.text(n)
		if i := strings.IndexByte(txt, '\n'); i >= 0 {
			txt = txt[:i]
		}
		if len(txt) > 40 {
			txt = txt[:40]
		}
		if n.IsMissing() {
			txt = "missing " + n.Kind()
		}
		*out = append(*out, SyntaxError{Line: int(p.Row) + 1, Col: int(p.Column) + 1, Text: strings.ToValidUTF8(txt, "?")})
		return
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		ch := n.Child(i)
		if ch != nil && (ch.HasError() || ch.IsMissing()) {
			c.errors(ch, out)
		}
	}
}

// block converts the statements below n (a module or block node).
func (c *conv) block(n *sitter.Node, guarded bool) []*Stmt {
	if n == nil {
		return nil
	}
	var out []*Stmt
	for i := uint(0); i < n.NamedChildCount(); i++ {
		ch := n.NamedChild(i)
		if ch == nil {
			continue
		}
		out = c.stmt(ch, guarded, out)
	}
	return out
}

func (c *conv) stmt(n *sitter.Node, guarded bool, out []*Stmt) []*Stmt {
	switch n.Kind() {
	case "import_statement":
		s := &Stmt{Kind: StmtImport, Line: line(n)}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "dotted_name":
				s.Names = append(s.Names, ImportName{Name: c.text(ch)})
			case "aliased_import":
				s.Names = append(s.Names, c.aliased(ch))
			}
		}
		return append(out, s)
	case "import_from_statement":
		s := &Stmt{Kind: StmtImportFrom, Line: line(n)}
		mod := n.ChildByFieldName("module_name")
		if mod == nil {
			return out
		}
		if mod.Kind() == "relative_import" {
			for i := uint(0); i < mod.NamedChildCount(); i++ {
				ch := mod.NamedChild(i)
				switch ch.Kind() {
				case "import_prefix":
					s.Level = strings.Count(c.text(ch), ".")
				case "dotted_name":
					s.Module = c.text(ch)
				}
			}
		} else {
			s.Module = c.text(mod)
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			if ch.Id() == mod.Id() {
				continue
			}
			switch ch.Kind() {
			case "wildcard_import":
				s.Names = append(s.Names, ImportName{Name: "*"})
			case "dotted_name":
				s.Names = append(s.Names, ImportName{Name: c.text(ch)})
			case "aliased_import":
				s.Names = append(s.Names, c.aliased(ch))
			}
		}
		return append(out, s)
	case "expression_statement":
		for i := uint(0); i < n.NamedChildCount(); i++ {
			out = c.exprStmt(n.NamedChild(i), out)
		}
		return out
	case "decorated_definition":
		var decos []*Expr
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			if ch.Kind() == "decorator" && ch.NamedChildCount() > 0 {
				decos = append(decos, c.expr(ch.NamedChild(0)))
			}
		}
		def := n.ChildByFieldName("definition")
		if def == nil {
			return out
		}
		before := len(out)
		out = c.stmt(def, guarded, out)
		if len(out) > before {
			s := out[len(out)-1]
			switch {
			case s.Class != nil:
				s.Class.Decorators = decos
			case s.Func != nil:
				s.Func.Decorators = decos
			}
		}
		return out
	case "class_definition":
		name := n.ChildByFieldName("name")
		if name == nil {
			return out
		}
		cd := &ClassDef{Name: c.text(name), Line: line(n)}
		if sup := n.ChildByFieldName("superclasses"); sup != nil {
			cd.Bases, cd.Keywords = c.args(sup)
		}
		cd.Body = c.block(n.ChildByFieldName("body"), false)
		return append(out, &Stmt{Kind: StmtClass, Line: cd.Line, Class: cd})
	case "function_definition":
		name := n.ChildByFieldName("name")
		if name == nil {
			return out
		}
		fd := &FuncDef{Name: c.text(name), Line: line(n)}
		if c.funcBodies {
			fd.Body = c.block(n.ChildByFieldName("body"), false)
		}
		return append(out, &Stmt{Kind: StmtFunc, Line: fd.Line, Func: fd})
	case "block":
		return append(out, c.block(n, guarded)...)
	case "elif_clause", "else_clause", "except_clause", "finally_clause":
		for i := uint(0); i < n.NamedChildCount(); i++ {
			if ch := n.NamedChild(i); ch.Kind() == "block" {
				out = append(out, c.block(ch, guarded)...)
			}
		}
		return out
	case "if_statement":
		// if/elif/else keep their conditions so a known setting
		// (if settings.DEBUG:) selects one branch.
		s := &Stmt{Kind: StmtIf, Line: line(n)}
		cond, cons := n.ChildByFieldName("condition"), n.ChildByFieldName("consequence")
		if cond == nil {
			return out
		}
		s.Branches = append(s.Branches, Branch{Cond: c.expr(cond), Body: c.block(cons, guarded)})
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "elif_clause":
				if cc := ch.ChildByFieldName("condition"); cc != nil {
					s.Branches = append(s.Branches, Branch{Cond: c.expr(cc), Body: c.block(ch.ChildByFieldName("consequence"), guarded)})
				}
			case "else_clause":
				s.Branches = append(s.Branches, Branch{Body: c.block(ch.ChildByFieldName("body"), guarded)})
			}
		}
		return append(out, s)
	case "try_statement", "with_statement", "for_statement", "while_statement":
		g := guarded || n.Kind() == "try_statement"
		var body []*Stmt
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "block", "elif_clause", "else_clause", "except_clause", "finally_clause":
				body = c.stmt(ch, g, body)
			}
		}
		if len(body) == 0 {
			return out
		}
		return append(out, &Stmt{Kind: StmtBlock, Line: line(n), Body: body, Guarded: g})
	}
	return out
}

func (c *conv) aliased(n *sitter.Node) ImportName {
	var in ImportName
	if nm := n.ChildByFieldName("name"); nm != nil {
		in.Name = c.text(nm)
	}
	if al := n.ChildByFieldName("alias"); al != nil {
		in.Alias = c.text(al)
	}
	return in
}

func (c *conv) exprStmt(n *sitter.Node, out []*Stmt) []*Stmt {
	if n == nil {
		return out
	}
	switch n.Kind() {
	case "assignment":
		s := &Stmt{Kind: StmtAssign, Line: line(n)}
		cur := n
		for {
			left := cur.ChildByFieldName("left")
			right := cur.ChildByFieldName("right")
			if left != nil {
				s.Targets = append(s.Targets, c.expr(left))
			}
			if right == nil {
				// annotation only: x: int
				return out
			}
			if right.Kind() == "assignment" {
				cur = right
				continue
			}
			s.Value = c.expr(right)
			break
		}
		return append(out, s)
	case "augmented_assignment":
		left, right, op := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("operator")
		if left == nil || right == nil || op == nil {
			return out
		}
		return append(out, &Stmt{Kind: StmtAugAssign, Line: line(n), Targets: []*Expr{c.expr(left)}, Op: c.text(op), Value: c.expr(right)})
	default:
		return append(out, &Stmt{Kind: StmtExpr, Line: line(n), Value: c.expr(n)})
	}
}

// args converts an argument_list into positional and keyword arguments.
func (c *conv) args(n *sitter.Node) ([]*Expr, []Keyword) {
	var pos []*Expr
	var kws []Keyword
	for i := uint(0); i < n.NamedChildCount(); i++ {
		ch := n.NamedChild(i)
		switch ch.Kind() {
		case "keyword_argument":
			nm, v := ch.ChildByFieldName("name"), ch.ChildByFieldName("value")
			if nm != nil && v != nil {
				kws = append(kws, Keyword{Name: c.text(nm), Value: c.expr(v)})
			}
		case "dictionary_splat":
			if ch.NamedChildCount() > 0 {
				kws = append(kws, Keyword{Value: c.expr(ch.NamedChild(0))})
			}
		case "comment":
		default:
			pos = append(pos, c.expr(ch))
		}
	}
	return pos, kws
}

func (c *conv) expr(n *sitter.Node) *Expr {
	e := &Expr{Line: line(n)}
	switch n.Kind() {
	case "identifier":
		e.Kind, e.Name = ExprName, c.text(n)
	case "attribute":
		obj, attr := n.ChildByFieldName("object"), n.ChildByFieldName("attribute")
		if obj == nil || attr == nil {
			return e
		}
		e.Kind, e.X, e.Name = ExprAttr, c.expr(obj), c.text(attr)
	case "call":
		fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
		if fn == nil {
			return e
		}
		e.Kind, e.X = ExprCall, c.expr(fn)
		if args != nil && args.Kind() == "argument_list" {
			e.Elts, e.Keywords = c.args(args)
		} else if args != nil {
			e.Elts = []*Expr{{Kind: ExprOther, Line: line(args), Name: args.Kind()}}
		}
	case "string":
		s, ok := decodeString(c.text(n))
		if !ok {
			e.Name = "f-string"
			return e
		}
		e.Kind, e.Name = ExprStr, s
	case "concatenated_string":
		var b strings.Builder
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			if ch.Kind() != "string" {
				continue
			}
			s, ok := decodeString(c.text(ch))
			if !ok {
				e.Name = "f-string"
				return e
			}
			b.WriteString(s)
		}
		e.Kind, e.Name = ExprStr, b.String()
	case "integer", "float":
		e.Kind, e.Name = ExprNum, c.text(n)
	case "true":
		e.Kind, e.Name = ExprBool, "True"
	case "false":
		e.Kind, e.Name = ExprBool, "False"
	case "none":
		e.Kind = ExprNone
	case "list", "tuple", "set", "expression_list", "pattern_list", "tuple_pattern", "list_pattern":
		switch n.Kind() {
		case "list", "list_pattern":
			e.Kind = ExprList
		case "set":
			e.Kind = ExprSet
		default:
			e.Kind = ExprTuple
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			if ch := n.NamedChild(i); ch.Kind() != "comment" {
				e.Elts = append(e.Elts, c.expr(ch))
			}
		}
	case "parenthesized_expression":
		for i := uint(0); i < n.NamedChildCount(); i++ {
			if ch := n.NamedChild(i); ch.Kind() != "comment" {
				return c.expr(ch)
			}
		}
	case "list_splat", "list_splat_pattern":
		if n.NamedChildCount() > 0 {
			e.Kind, e.X = ExprStarred, c.expr(n.NamedChild(0))
		}
	case "dictionary":
		e.Kind = ExprDict
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "pair":
				k, v := ch.ChildByFieldName("key"), ch.ChildByFieldName("value")
				if k != nil && v != nil {
					e.Elts = append(e.Elts, c.expr(k))
					e.Vals = append(e.Vals, c.expr(v))
				}
			case "dictionary_splat":
				if ch.NamedChildCount() > 0 {
					e.Elts = append(e.Elts, nil)
					e.Vals = append(e.Vals, c.expr(ch.NamedChild(0)))
				}
			}
		}
	case "not_operator":
		if a := n.ChildByFieldName("argument"); a != nil {
			e.Kind, e.X = ExprNot, c.expr(a)
		}
	case "boolean_operator":
		l, r, op := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("operator")
		if l == nil || r == nil || op == nil {
			return e
		}
		e.Kind, e.X, e.Y, e.Name = ExprBoolOp, c.expr(l), c.expr(r), c.text(op)
	case "binary_operator":
		l, r, op := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("operator")
		if l == nil || r == nil || op == nil {
			return e
		}
		e.Kind, e.X, e.Y, e.Name = ExprBinOp, c.expr(l), c.expr(r), c.text(op)
	case "subscript":
		v, s := n.ChildByFieldName("value"), n.ChildByFieldName("subscript")
		if v == nil || s == nil {
			return e
		}
		e.Kind, e.X, e.Y = ExprSubscript, c.expr(v), c.expr(s)
	default:
		e.Name = n.Kind()
	}
	return e
}

// decodeString decodes one Python string literal (with prefix and quotes).
// It reports false for f-strings with replacement fields and for bytes.
func decodeString(lit string) (string, bool) {
	i := 0
	for i < len(lit) && lit[i] != '\'' && lit[i] != '"' {
		i++
	}
	prefix := strings.ToLower(lit[:i])
	body := lit[i:]
	var q string
	switch {
	case strings.HasPrefix(body, `"""`) || strings.HasPrefix(body, `'''`):
		q = body[:3]
	case len(body) > 0:
		q = body[:1]
	default:
		return "", false
	}
	if len(body) < 2*len(q) || !strings.HasSuffix(body, q) {
		return "", false
	}
	body = body[len(q) : len(body)-len(q)]
	if strings.Contains(prefix, "b") {
		return "", false
	}
	if strings.Contains(prefix, "f") && strings.Contains(strings.ReplaceAll(body, "{{", ""), "{") {
		return "", false
	}
	if strings.Contains(prefix, "f") {
		body = strings.NewReplacer("{{", "{", "}}", "}").Replace(body)
	}
	if strings.Contains(prefix, "r") || !strings.Contains(body, `\`) {
		return body, true
	}
	return unescape(body), true
}

// unescape applies Python's escape sequences; unknown ones stay as written.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '\\' || i+1 >= len(s) {
			b.WriteByte(ch)
			continue
		}
		n := s[i+1]
		switch n {
		case '\n':
			i++
		case '\\', '\'', '"':
			b.WriteByte(n)
			i++
		case 'a':
			b.WriteByte('\a')
			i++
		case 'b':
			b.WriteByte('\b')
			i++
		case 'f':
			b.WriteByte('\f')
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 'r':
			b.WriteByte('\r')
			i++
		case 't':
			b.WriteByte('\t')
			i++
		case 'v':
			b.WriteByte('\v')
			i++
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[n]
			if i+2+width <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					i += 1 + width
					continue
				}
			}
			b.WriteByte(ch)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
