package django

import (
	"bytes"
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
	c := &conv{src: src, funcBodies: entryScript(path), reparse: t.reparse}
	m := &Module{Path: path}
	if root.HasError() {
		c.errors(root, &m.Errors)
		m.Stmts = c.recoverBlock(root)
	} else {
		m.Stmts = c.block(root, false)
	}
	c.exceptLists(root, &m.Errors)
	return m, nil
}

// PEP 758 (Python 3.14) lets an except clause list its exception types
// without parentheses; the grammar accepts that form on every version,
// and also with "as", which no Python accepts.
const (
	pep758Since = "3.14"
	pep758Msg   = "`except A, B:` without parentheses"
	pep758AsMsg = "multiple exception types must be parenthesized when using 'as' (`except (A, B) as e:`)"
)

// exceptLists reports the except clauses that list several exception
// types without parentheses (at most maxSyntaxErrors). Only lines that
// start with "except" are looked at, so a file without them costs a scan.
func (c *conv) exceptLists(root *sitter.Node, out *[]SyntaxError) {
	n := 0
	for off := 0; off < len(c.src) && n < maxSyntaxErrors; {
		end := bytes.IndexByte(c.src[off:], '\n')
		if end < 0 {
			end = len(c.src)
		} else {
			end += off
		}
		line := c.src[off:end]
		kw := off + len(line) - len(bytes.TrimLeft(line, " \t"))
		rest := c.src[kw:end]
		if bytes.HasPrefix(rest, []byte("except")) && (len(rest) == 6 || !isIdentByte(rest[6])) {
			if e, ok := c.exceptList(root.DescendantForByteRange(uint(kw), uint(kw+6))); ok {
				*out = append(*out, e)
				n++
			}
		}
		off = end + 1
	}
}

// exceptList checks the except clause whose keyword is tok.
func (c *conv) exceptList(tok *sitter.Node) (SyntaxError, bool) {
	if tok == nil || tok.Kind() != "except" {
		return SyntaxError{}, false
	}
	clause := tok.Parent()
	if clause == nil || clause.Kind() != "except_clause" {
		return SyntaxError{}, false
	}
	values, aliased := 0, false
	var comma *sitter.Node
	for i := uint(0); i < clause.ChildCount(); i++ {
		ch := clause.Child(i)
		switch {
		case ch == nil:
		case clause.FieldNameForChild(uint32(i)) == "value":
			values++
			if ch.Kind() == "as_pattern" {
				aliased = true
			}
		case ch.Kind() == "," && comma == nil:
			comma = ch
		}
	}
	if values < 2 || comma == nil {
		return SyntaxError{}, false
	}
	p := comma.StartPosition()
	e := SyntaxError{Line: int(p.Row) + 1 + c.lineOff, Col: int(p.Column) + 1, Text: ","}
	if aliased {
		e.Msg = pep758AsMsg
	} else {
		e.Msg, e.Since, e.Fix = pep758Msg, pep758Since, "add parentheses"
	}
	return e, true
}

// reparse parses a fragment (error recovery); the caller closes the tree.
func (t *TreeSitter) reparse(src []byte) *sitter.Tree { return t.parser.Parse(src, nil) }

// ParseFunc converts the body and parameters of a function kept as source
// (FuncDef.Src) when discovery calls it. It is safe to call once per
// definition; afterwards Src is "" and Parsed true.
func (t *TreeSitter) ParseFunc(fd *FuncDef) error {
	if fd.Parsed || fd.Src == "" {
		fd.Parsed = true
		return nil
	}
	if t.parser == nil {
		return fmt.Errorf("parse function %s: parser closed", fd.Name)
	}
	text := fd.Src
	off := fd.Line - 1
	if text != "" && (text[0] == ' ' || text[0] == '\t') {
		// A method: its indented text parses inside a class body.
		text = "class _:\n" + text
		off--
	}
	tree := t.parser.Parse([]byte(text), nil)
	if tree == nil {
		return fmt.Errorf("parse function %s: tree-sitter returned no tree", fd.Name)
	}
	defer tree.Close()
	c := &conv{src: []byte(text), funcBodies: true, lineOff: off}
	var found *FuncDef
	var find func(stmts []*Stmt)
	find = func(stmts []*Stmt) {
		for _, s := range stmts {
			switch {
			case found != nil:
				return
			case s.Kind == StmtFunc && s.Func.Name == fd.Name:
				found = s.Func
			case s.Kind == StmtClass:
				find(s.Class.Body)
			}
		}
	}
	find(c.block(tree.RootNode(), false))
	fd.Src, fd.Parsed = "", true
	if found == nil {
		return fmt.Errorf("parse function %s: definition not found in its source", fd.Name)
	}
	fd.Params, fd.Body = found.Params, found.Body
	return nil
}

type conv struct {
	src        []byte
	funcBodies bool
	// lineOff is added to every line (a function or fragment parsed alone).
	lineOff int
	// reparse parses a fragment for error recovery (nil: no recovery).
	reparse func([]byte) *sitter.Tree
	// hoist collects list items recovered out of a call whose closing
	// parenthesis is missing; the enclosing list takes them.
	hoist []*Expr
}

func (c *conv) text(n *sitter.Node) string { return string(c.src[n.StartByte():n.EndByte()]) }

func (c *conv) line(n *sitter.Node) int { return int(n.StartPosition().Row) + 1 + c.lineOff }

// errors collects ERROR and MISSING nodes, descending only where errors are.
func (c *conv) errors(n *sitter.Node, out *[]SyntaxError) {
	if len(*out) >= maxSyntaxErrors {
		return
	}
	if n.IsError() || n.IsMissing() {
		p := n.StartPosition()
		p.Row += uint(c.lineOff)
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
		s := &Stmt{Kind: StmtImport, Line: c.line(n)}
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
		s := &Stmt{Kind: StmtImportFrom, Line: c.line(n)}
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
		cd := &ClassDef{Name: c.text(name), Line: c.line(n)}
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
		fd := &FuncDef{Name: c.text(name), Line: c.line(n)}
		if c.funcBodies {
			fd.Params = c.params(n.ChildByFieldName("parameters"))
			fd.Body = c.block(n.ChildByFieldName("body"), false)
			fd.Parsed = true
		} else {
			start := int(n.StartByte())
			for start > 0 && c.src[start-1] != '\n' {
				start--
			}
			fd.Src = string(c.src[start:n.EndByte()])
		}
		return append(out, &Stmt{Kind: StmtFunc, Line: fd.Line, Func: fd})
	case "return_statement":
		s := &Stmt{Kind: StmtReturn, Line: c.line(n)}
		if n.NamedChildCount() > 0 {
			if ch := n.NamedChild(0); ch.Kind() != "comment" {
				s.Value = c.expr(ch)
			}
		}
		return append(out, s)
	case "raise_statement":
		return append(out, &Stmt{Kind: StmtRaise, Line: c.line(n)})
	case "break_statement":
		return append(out, &Stmt{Kind: StmtBreak, Line: c.line(n)})
	case "continue_statement":
		return append(out, &Stmt{Kind: StmtContinue, Line: c.line(n)})
	case "for_statement":
		left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
		if left == nil || right == nil {
			return out
		}
		s := &Stmt{Kind: StmtFor, Line: c.line(n), Targets: []*Expr{c.expr(left)}, Value: c.expr(right), Guarded: guarded}
		s.Body = c.block(n.ChildByFieldName("body"), guarded)
		if alt := n.ChildByFieldName("alternative"); alt != nil {
			s.Branches = []Branch{{Body: c.stmt(alt, guarded, nil)}}
		}
		return append(out, s)
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
		s := &Stmt{Kind: StmtIf, Line: c.line(n)}
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
	case "try_statement", "with_statement", "while_statement":
		g := guarded || n.Kind() == "try_statement"
		var body []*Stmt
		var try *TryParts
		if n.Kind() == "try_statement" {
			try = &TryParts{}
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "block", "elif_clause", "else_clause", "except_clause", "finally_clause":
				part := c.stmt(ch, g, nil)
				body = append(body, part...)
				if try == nil {
					continue
				}
				switch ch.Kind() {
				case "block":
					try.Body = append(try.Body, part...)
				case "else_clause":
					try.Else = append(try.Else, part...)
				case "except_clause":
					try.Handlers = append(try.Handlers, part)
				case "finally_clause":
					try.Finally = append(try.Finally, part...)
				}
			}
		}
		if len(body) == 0 {
			return out
		}
		return append(out, &Stmt{Kind: StmtBlock, Line: c.line(n), Body: body, Guarded: g, Try: try})
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
		s := &Stmt{Kind: StmtAssign, Line: c.line(n)}
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
		return append(out, &Stmt{Kind: StmtAugAssign, Line: c.line(n), Targets: []*Expr{c.expr(left)}, Op: c.text(op), Value: c.expr(right)})
	default:
		return append(out, &Stmt{Kind: StmtExpr, Line: c.line(n), Value: c.expr(n)})
	}
}

// args converts an argument_list into positional and keyword arguments.
// Syntax errors are recovered where the grammar left pieces: an ERROR
// node's expressions become arguments, and when the closing parenthesis is
// missing the calls after the error are hoisted to the enclosing list (the
// parser swallowed the next list items into this call).
func (c *conv) args(n *sitter.Node) ([]*Expr, []Keyword) {
	var pos []*Expr
	var kws []Keyword
	missingClose := false
	if k := n.ChildCount(); k > 0 {
		last := n.Child(k - 1)
		missingClose = last != nil && last.IsMissing() && last.Kind() == ")"
	}
	afterError := false
	for i := uint(0); i < n.NamedChildCount(); i++ {
		ch := n.NamedChild(i)
		switch ch.Kind() {
		case "keyword_argument":
			nm, v := ch.ChildByFieldName("name"), ch.ChildByFieldName("value")
			if nm == nil || v == nil {
				continue
			}
			// name='e' <newline> path(...): with the closing parenthesis
			// missing, the grammar reads the value as ERROR('e') and the
			// next list item as the value. The item goes back to the list.
			var errVal *sitter.Node
			for j := uint(0); j < ch.NamedChildCount(); j++ {
				if g := ch.NamedChild(j); g.Kind() == "ERROR" && g.NamedChildCount() == 1 {
					errVal = g.NamedChild(0)
				}
			}
			if errVal != nil && v.Kind() == "call" {
				kws = append(kws, Keyword{Name: c.text(nm), Value: c.expr(errVal)})
				c.hoist = append(c.hoist, c.expr(v))
				continue
			}
			kws = append(kws, Keyword{Name: c.text(nm), Value: c.unwrapError(v)})
		case "dictionary_splat":
			if ch.NamedChildCount() > 0 {
				kws = append(kws, Keyword{Value: c.expr(ch.NamedChild(0))})
			}
		case "comment":
		case "ERROR":
			for j := uint(0); j < ch.NamedChildCount(); j++ {
				if g := ch.NamedChild(j); g.Kind() != "comment" && g.Kind() != "ERROR" {
					pos = append(pos, c.expr(g))
				}
			}
			afterError = true
		default:
			e := c.expr(ch)
			if missingClose && afterError && e.Kind == ExprCall {
				c.hoist = append(c.hoist, e)
				continue
			}
			pos = append(pos, e)
		}
	}
	return pos, kws
}

// unwrapError returns the expression inside an ERROR node that holds just
// one (name="x" extra parses as name=ERROR("x")), else converts n.
func (c *conv) unwrapError(n *sitter.Node) *Expr {
	if n.Kind() == "ERROR" && n.NamedChildCount() == 1 {
		return c.expr(n.NamedChild(0))
	}
	return c.expr(n)
}

// params converts a parameters node.
func (c *conv) params(n *sitter.Node) []Param {
	if n == nil {
		return nil
	}
	var out []Param
	kwOnly := false
	for i := uint(0); i < n.NamedChildCount(); i++ {
		ch := n.NamedChild(i)
		p := Param{KwOnly: kwOnly}
		switch ch.Kind() {
		case "identifier":
			p.Name = c.text(ch)
		case "typed_parameter":
			// x: int, *args: int, **kw: int
			if ch.NamedChildCount() == 0 {
				continue
			}
			inner := ch.NamedChild(0)
			switch inner.Kind() {
			case "identifier":
				p.Name = c.text(inner)
			case "list_splat_pattern", "dictionary_splat_pattern":
				if inner.NamedChildCount() == 0 {
					continue
				}
				p.Name = c.text(inner.NamedChild(0))
				p.Kind = "*"
				if inner.Kind() == "dictionary_splat_pattern" {
					p.Kind = "**"
				} else {
					kwOnly = true
				}
			default:
				continue
			}
		case "default_parameter", "typed_default_parameter":
			nm, v := ch.ChildByFieldName("name"), ch.ChildByFieldName("value")
			if nm == nil {
				continue
			}
			p.Name = c.text(nm)
			if v != nil {
				p.Default = c.expr(v)
			}
		case "list_splat_pattern", "dictionary_splat_pattern":
			if ch.NamedChildCount() == 0 {
				continue
			}
			p.Name = c.text(ch.NamedChild(0))
			p.Kind = "*"
			if ch.Kind() == "dictionary_splat_pattern" {
				p.Kind = "**"
			} else {
				kwOnly = true
			}
		case "keyword_separator":
			kwOnly = true
			continue
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// recoverBlock converts a module whose parse has errors. Statements that
// parsed are kept; each top-level ERROR node is cut at the lines that start
// a new top-level statement (text at column 0) and every piece is parsed
// again on its own, with unclosed brackets closed, so one broken line does
// not take the statements after it along.
func (c *conv) recoverBlock(root *sitter.Node) []*Stmt {
	var out []*Stmt
	for i := uint(0); i < root.NamedChildCount(); i++ {
		ch := root.NamedChild(i)
		if ch == nil {
			continue
		}
		if ch.Kind() != "ERROR" || c.reparse == nil {
			out = c.stmt(ch, false, out)
			continue
		}
		out = append(out, c.recoverError(ch)...)
	}
	return out
}

// recoverError re-parses the lines of a top-level ERROR node piece by piece.
func (c *conv) recoverError(n *sitter.Node) []*Stmt {
	start := int(n.StartByte())
	for start > 0 && c.src[start-1] != '\n' {
		start--
	}
	end := int(n.EndByte())
	firstRow := int(n.StartPosition().Row)
	text := c.src[start:end]
	var out []*Stmt
	row := firstRow
	pieceStart, pieceRow := 0, firstRow
	flush := func(to int) {
		if to <= pieceStart {
			return
		}
		out = append(out, c.reparsePiece(text[pieceStart:to], pieceRow)...)
	}
	for off := 0; off < len(text); {
		nl := bytes.IndexByte(text[off:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = off + nl + 1
		}
		if off > 0 && startsStatement(text[off:lineEnd]) {
			flush(off)
			pieceStart, pieceRow = off, row
		}
		off = lineEnd
		row++
	}
	flush(len(text))
	return out
}

// startsStatement reports whether a line begins a new top-level statement:
// text at column 0 that does not close a bracket or continue a compound
// statement.
func startsStatement(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case ' ', '\t', '\r', '\n', '#', ')', ']', '}':
		return false
	}
	for _, kw := range []string{"else", "elif", "except", "finally"} {
		if bytes.HasPrefix(line, []byte(kw)) && (len(line) == len(kw) || !isIdentByte(line[len(kw)])) {
			return false
		}
	}
	return true
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// reparsePiece parses one piece of a broken region alone (its unclosed
// brackets closed) and converts the statements that parse.
func (c *conv) reparsePiece(piece []byte, row int) []*Stmt {
	src := append(append([]byte(nil), piece...), closers(piece)...)
	tree := c.reparse(src)
	if tree == nil {
		return nil
	}
	defer tree.Close()
	sub := &conv{src: src, funcBodies: c.funcBodies, lineOff: c.lineOff + row}
	root := tree.RootNode()
	var out []*Stmt
	for i := uint(0); i < root.NamedChildCount(); i++ {
		if ch := root.NamedChild(i); ch != nil && ch.Kind() != "ERROR" {
			out = sub.stmt(ch, false, out)
		}
	}
	return out
}

// closers returns the brackets that close what src leaves open, skipping
// strings and comments (a rough scan: enough for recovery).
func closers(src []byte) []byte {
	var stack []byte
	for i := 0; i < len(src); i++ {
		switch ch := src[i]; ch {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '\'', '"':
			q := []byte{ch}
			if i+2 < len(src) && src[i+1] == ch && src[i+2] == ch {
				q = []byte{ch, ch, ch}
			}
			j := i + len(q)
			for j < len(src) && !bytes.HasPrefix(src[j:], q) {
				if src[j] == '\\' {
					j++
				} else if len(q) == 1 && src[j] == '\n' {
					break
				}
				j++
			}
			i = j + len(q) - 1
		case '(':
			stack = append(stack, ')')
		case '[':
			stack = append(stack, ']')
		case '{':
			stack = append(stack, '}')
		case ')', ']', '}':
			if len(stack) > 0 && stack[len(stack)-1] == ch {
				stack = stack[:len(stack)-1]
			}
		}
	}
	out := []byte{'\n'}
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, stack[i])
	}
	return append(out, '\n')
}

func (c *conv) expr(n *sitter.Node) *Expr {
	e := &Expr{Line: c.line(n)}
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
			e.Elts = []*Expr{{Kind: ExprOther, Line: c.line(args), Name: args.Kind()}}
		}
	case "string":
		return c.str(n, e)
	case "concatenated_string":
		var parts []*Expr
		allPlain := true
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			if ch.Kind() != "string" {
				continue
			}
			p := c.str(ch, &Expr{Line: e.Line})
			switch p.Kind {
			case ExprStr:
				parts = append(parts, p)
			case ExprFString:
				parts = append(parts, p.Elts...)
				allPlain = false
			default:
				return p
			}
		}
		e.Kind, e.Elts = ExprFString, parts
		if allPlain {
			return collapse(e)
		}
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
			ch := n.NamedChild(i)
			if ch.Kind() == "comment" {
				continue
			}
			mark := len(c.hoist)
			e.Elts = append(e.Elts, c.expr(ch))
			if len(c.hoist) > mark {
				e.Elts = append(e.Elts, c.hoist[mark:]...)
				c.hoist = c.hoist[:mark]
			}
		}
	case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
		body := n.ChildByFieldName("body")
		if body == nil {
			return e
		}
		e.Kind = ExprComp
		e.Name = map[string]string{"list_comprehension": "list", "set_comprehension": "set",
			"generator_expression": "gen", "dictionary_comprehension": "dict"}[n.Kind()]
		if e.Name == "dict" {
			k, v := body.ChildByFieldName("key"), body.ChildByFieldName("value")
			if k == nil || v == nil {
				return &Expr{Line: e.Line, Name: "dictionary_comprehension"}
			}
			e.X, e.Y = c.expr(k), c.expr(v)
		} else {
			e.X = c.expr(body)
		}
		for i := uint(0); i < n.NamedChildCount(); i++ {
			ch := n.NamedChild(i)
			switch ch.Kind() {
			case "for_in_clause":
				l, r := ch.ChildByFieldName("left"), ch.ChildByFieldName("right")
				if l == nil || r == nil {
					return &Expr{Line: e.Line, Name: n.Kind()}
				}
				e.Comps = append(e.Comps, Comp{Target: c.expr(l), Iter: c.expr(r)})
			case "if_clause":
				if len(e.Comps) > 0 && ch.NamedChildCount() > 0 {
					last := &e.Comps[len(e.Comps)-1]
					last.Ifs = append(last.Ifs, c.expr(ch.NamedChild(0)))
				}
			}
		}
		if len(e.Comps) == 0 {
			return &Expr{Line: e.Line, Name: n.Kind()}
		}
	case "comparison_operator":
		e.Kind = ExprCompare
		first := true
		var op []string
		for i := uint(0); i < n.ChildCount(); i++ {
			ch := n.Child(i)
			if ch.IsNamed() {
				if ch.Kind() == "comment" {
					continue
				}
				x := c.expr(ch)
				if first {
					e.X, first = x, false
				} else {
					e.Ops = append(e.Ops, strings.Join(op, " "))
					e.Elts = append(e.Elts, x)
				}
				op = nil
				continue
			}
			op = append(op, c.text(ch))
		}
		if e.X == nil || len(e.Elts) == 0 {
			return &Expr{Line: e.Line, Name: "comparison"}
		}
	case "conditional_expression":
		var parts []*Expr
		for i := uint(0); i < n.NamedChildCount(); i++ {
			if ch := n.NamedChild(i); ch.Kind() != "comment" {
				parts = append(parts, c.expr(ch))
			}
		}
		if len(parts) != 3 {
			return &Expr{Line: e.Line, Name: "conditional_expression"}
		}
		e.Kind, e.X, e.Elts, e.Y = ExprCond, parts[0], []*Expr{parts[1]}, parts[2]
	case "named_expression":
		nm, v := n.ChildByFieldName("name"), n.ChildByFieldName("value")
		if nm == nil || v == nil {
			return e
		}
		e.Kind, e.Name, e.X = ExprNamed, c.text(nm), c.expr(v)
	case "unary_operator":
		op, a := n.ChildByFieldName("operator"), n.ChildByFieldName("argument")
		if op == nil || a == nil {
			return e
		}
		e.Kind, e.Name, e.X = ExprUnary, c.text(op), c.expr(a)
	case "slice":
		e.Kind = ExprSlice
		part := 0
		for i := uint(0); i < n.ChildCount(); i++ {
			ch := n.Child(i)
			if !ch.IsNamed() {
				if c.text(ch) == ":" {
					part++
				}
				continue
			}
			switch part {
			case 0:
				e.X = c.expr(ch)
			case 1:
				e.Y = c.expr(ch)
			default:
				return &Expr{Line: e.Line, Name: "slice with a step"}
			}
		}
	case "ERROR":
		if n.NamedChildCount() == 1 {
			return c.expr(n.NamedChild(0))
		}
		e.Name = "ERROR"
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
		v := n.ChildByFieldName("value")
		if v == nil {
			return e
		}
		var idx []*Expr
		for i := uint(0); i < n.ChildCount(); i++ {
			if n.FieldNameForChild(uint32(i)) == "subscript" {
				idx = append(idx, c.expr(n.Child(i)))
			}
		}
		switch len(idx) {
		case 0:
			return e
		case 1:
			e.Kind, e.X, e.Y = ExprSubscript, c.expr(v), idx[0]
		default:
			e.Kind, e.X, e.Y = ExprSubscript, c.expr(v), &Expr{Kind: ExprTuple, Line: e.Line, Elts: idx}
		}
	default:
		e.Name = n.Kind()
	}
	return e
}

// str converts one string node: a plain literal to ExprStr, an f-string
// with fields to ExprFString; bytes stay ExprOther.
func (c *conv) str(n *sitter.Node, e *Expr) *Expr {
	lit := c.text(n)
	i := 0
	for i < len(lit) && lit[i] != '\'' && lit[i] != '"' {
		i++
	}
	prefix := strings.ToLower(lit[:i])
	if !strings.Contains(prefix, "f") {
		s, ok := decodeString(lit)
		if !ok {
			e.Name = "bytes"
			return e
		}
		e.Kind, e.Name = ExprStr, s
		return e
	}
	raw := strings.Contains(prefix, "r")
	e.Kind = ExprFString
	for j := uint(0); j < n.NamedChildCount(); j++ {
		ch := n.NamedChild(j)
		switch ch.Kind() {
		case "string_content":
			t := strings.NewReplacer("{{", "{", "}}", "}").Replace(c.text(ch))
			if !raw && strings.Contains(t, `\`) {
				t = unescape(t)
			}
			e.Elts = append(e.Elts, &Expr{Kind: ExprStr, Line: e.Line, Name: t})
		case "interpolation":
			e.Elts = append(e.Elts, c.field(ch))
		}
	}
	return collapse(e)
}

// collapse turns an f-string without fields into a plain string.
func collapse(e *Expr) *Expr {
	var b strings.Builder
	for _, p := range e.Elts {
		if p.Kind != ExprStr {
			return e
		}
		b.WriteString(p.Name)
	}
	return &Expr{Kind: ExprStr, Line: e.Line, Name: b.String()}
}

// field converts one {expr!conv:spec} of an f-string.
func (c *conv) field(n *sitter.Node) *Expr {
	f := &Expr{Kind: ExprFormatted, Line: c.line(n)}
	x := n.ChildByFieldName("expression")
	if x == nil {
		return &Expr{Line: f.Line, Name: "f-string field"}
	}
	f.X = c.expr(x)
	if conv := n.ChildByFieldName("type_conversion"); conv != nil {
		f.Name = strings.TrimPrefix(c.text(conv), "!")
	}
	if spec := n.ChildByFieldName("format_specifier"); spec != nil {
		sp := &Expr{Kind: ExprFString, Line: f.Line}
		start := spec.StartByte() + 1 // after ":"
		for j := uint(0); j < spec.ChildCount(); j++ {
			ch := spec.Child(j)
			if ch.Kind() != "format_expression" {
				continue
			}
			if ch.StartByte() > start {
				sp.Elts = append(sp.Elts, &Expr{Kind: ExprStr, Line: f.Line, Name: string(c.src[start:ch.StartByte()])})
			}
			if inner := ch.ChildByFieldName("expression"); inner != nil {
				sp.Elts = append(sp.Elts, &Expr{Kind: ExprFormatted, Line: f.Line, X: c.expr(inner)})
			}
			start = ch.EndByte()
		}
		if spec.EndByte() > start {
			sp.Elts = append(sp.Elts, &Expr{Kind: ExprStr, Line: f.Line, Name: string(c.src[start:spec.EndByte()])})
		}
		f.Y = sp
	}
	return f
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
