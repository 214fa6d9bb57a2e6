package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// kind is the YAML type of a node after anchors, aliases and tags are
// resolved.
type kind int

const (
	kindNull kind = iota
	kindString
	kindInt
	kindFloat
	kindBool
	kindMap
	kindSeq
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindMap:
		return "a mapping"
	case kindSeq:
		return "a list"
	default:
		return "null"
	}
}

// node is a YAML value with the place it was written. The tree is built
// once from goccy's AST so that merging layers keeps every value's own
// position and key path (for messages naming where a value came from).
type node struct {
	kind kind
	line int
	col  int
	path string // dotted key path in the document: "functions.defaults.memory"

	text    string // scalars: the source text (strings: the decoded value)
	integer int64  // kindInt
	boolean bool   // kindBool

	entries []entry // kindMap, in document order
	items   []*node // kindSeq
}

type entry struct {
	key    string
	parent string // path of the mapping the key was written in
	line   int
	col    int
	val    *node
}

func (n *node) get(key string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	for _, e := range n.entries {
		if e.key == key {
			return e.val
		}
	}
	return nil
}

// parseTree parses src into a node tree. Problems (syntax, unsupported
// constructs) are appended to diags; the tree is nil when nothing usable
// was read.
func parseTree(file string, src []byte, diags *diag.List) *node {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		line, col, msg := 0, 0, err.Error()
		var ye yaml.Error
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				line, col = tk.Position.Line, tk.Position.Column
			}
		}
		diags.Errf(file, line, col, "yaml: %s", msg)
		return nil
	}
	b := &builder{file: file, diags: diags, anchors: map[string]*node{}}
	var root *node
	docs := 0
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		docs++
		if docs > 1 {
			l, c := tokenPos(d.Body)
			diags.Errf(file, l, c, "a second YAML document; the file must hold exactly one")
			break
		}
		root = b.build(d.Body, "", 0)
	}
	return root
}

type builder struct {
	file    string
	diags   *diag.List
	anchors map[string]*node
}

const maxDepth = 64

// tokenPos is where a node starts. A block mapping's own token is its
// first ':', so its first key is used instead.
func tokenPos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0] != nil {
		return tokenPos(m.Values[0].Key)
	}
	if mv, ok := n.(*ast.MappingValueNode); ok && mv.Key != nil {
		return tokenPos(mv.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func (b *builder) build(n ast.Node, path string, depth int) *node {
	line, col := tokenPos(n)
	if depth > maxDepth {
		b.diags.Errf(b.file, line, col, "%s: nesting deeper than %d levels", displayPath(path), maxDepth)
		return &node{kind: kindNull, line: line, col: col, path: path}
	}
	out := &node{line: line, col: col, path: path}
	switch v := n.(type) {
	case nil:
		out.kind = kindNull
	case *ast.NullNode:
		out.kind = kindNull
	case *ast.StringNode:
		out.kind, out.text = kindString, v.Value
	case *ast.LiteralNode:
		out.kind = kindString
		if v.Value != nil {
			out.text = v.Value.Value
		}
	case *ast.IntegerNode:
		out.kind, out.text = kindInt, v.GetToken().Value
		switch x := v.Value.(type) {
		case int64:
			out.integer = x
		case uint64:
			if x > math.MaxInt64 {
				out.kind = kindFloat // too large for any setting; reported as out of range
			} else {
				out.integer = int64(x)
			}
		}
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		out.kind, out.text = kindFloat, v.GetToken().Value
	case *ast.BoolNode:
		out.kind, out.boolean, out.text = kindBool, v.Value, v.GetToken().Value
	case *ast.AnchorNode:
		val := b.build(v.Value, path, depth+1)
		if name, ok := v.Name.(*ast.StringNode); ok {
			b.anchors[name.Value] = val
		}
		return val
	case *ast.AliasNode:
		name := ""
		if v.Value != nil && v.Value.GetToken() != nil {
			name = v.Value.GetToken().Value
		}
		target, ok := b.anchors[name]
		if !ok {
			b.diags.Errf(b.file, line, col, "%s: alias *%s names no anchor defined before it", displayPath(path), name)
			out.kind = kindNull
			return out
		}
		return target
	case *ast.TagNode:
		tag := ""
		if v.Start != nil {
			tag = v.Start.Value
		}
		switch tag {
		case "!!str":
			inner := b.build(v.Value, path, depth+1)
			if inner.kind != kindMap && inner.kind != kindSeq {
				inner.kind = kindString
			}
			return inner
		case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
			return b.build(v.Value, path, depth+1)
		default:
			b.diags.Errf(b.file, line, col, "%s: unsupported YAML tag %s", displayPath(path), tag)
			out.kind = kindNull
			return out
		}
	case *ast.MappingNode:
		out.kind = kindMap
		b.mapping(out, v.Values, path, depth)
	case *ast.MappingValueNode:
		out.kind = kindMap
		b.mapping(out, []*ast.MappingValueNode{v}, path, depth)
	case *ast.SequenceNode:
		out.kind = kindSeq
		for i, item := range v.Values {
			out.items = append(out.items, b.build(item, fmt.Sprintf("%s[%d]", path, i), depth+1))
		}
	default:
		b.diags.Errf(b.file, line, col, "%s: unsupported YAML construct (%s)", displayPath(path), n.Type())
		out.kind = kindNull
	}
	return out
}

func (b *builder) mapping(out *node, values []*ast.MappingValueNode, path string, depth int) {
	for _, mv := range values {
		if mv == nil {
			continue
		}
		kl, kc := tokenPos(mv.Key)
		if mv.Key != nil && mv.Key.IsMergeKey() {
			b.merge(out, mv.Value, path, depth)
			continue
		}
		key, ok := keyString(mv.Key)
		if !ok {
			b.diags.Errf(b.file, kl, kc, "%s: keys must be plain strings", displayPath(path))
			continue
		}
		child := joinPath(path, key)
		val := b.build(mv.Value, child, depth+1)
		replaced := false
		for i := range out.entries {
			if out.entries[i].key == key { // only keys merged in by "<<" can repeat
				out.entries[i] = entry{key: key, parent: path, line: kl, col: kc, val: val}
				replaced = true
			}
		}
		if !replaced {
			out.entries = append(out.entries, entry{key: key, parent: path, line: kl, col: kc, val: val})
		}
	}
}

// merge applies a YAML merge key ("<<: *base"): entries not yet present are
// copied from the referenced mapping(s).
func (b *builder) merge(out *node, v ast.Node, path string, depth int) {
	src := b.build(v, path, depth+1)
	var maps []*node
	switch src.kind {
	case kindMap:
		maps = []*node{src}
	case kindSeq:
		maps = src.items
	}
	if len(maps) == 0 {
		b.diags.Errf(b.file, src.line, src.col, "%s: a merge key (<<) needs a mapping or a list of mappings", displayPath(path))
		return
	}
	for _, m := range maps {
		if m.kind != kindMap {
			b.diags.Errf(b.file, m.line, m.col, "%s: a merge key (<<) needs a mapping or a list of mappings", displayPath(path))
			continue
		}
		for _, e := range m.entries {
			if !out.has(e.key) {
				out.entries = append(out.entries, e)
			}
		}
	}
}

func (n *node) has(key string) bool {
	for _, e := range n.entries {
		if e.key == key {
			return true
		}
	}
	return false
}

func keyString(k ast.MapKeyNode) (string, bool) {
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode, *ast.BoolNode, *ast.FloatNode, *ast.NullNode:
		return v.GetToken().Value, true
	case *ast.MappingKeyNode:
		if v.Value == nil {
			return "", false
		}
		mk, ok := v.Value.(ast.MapKeyNode)
		if !ok {
			return "", false
		}
		return keyString(mk)
	}
	return "", false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// mergeNodes lays over on top of base: mappings merge key by key (deeply),
// anything else (scalars, lists, null) in over replaces base. Neither input
// is modified.
func mergeNodes(base, over *node) *node {
	switch {
	case over == nil:
		return base
	case base == nil:
		return over
	case base.kind != kindMap || over.kind != kindMap:
		return over
	}
	out := *base
	out.entries = append([]entry(nil), base.entries...)
	for _, e := range over.entries {
		found := false
		for i := range out.entries {
			if out.entries[i].key == e.key {
				out.entries[i].val = mergeNodes(out.entries[i].val, e.val)
				out.entries[i].line, out.entries[i].col = e.line, e.col
				found = true
				break
			}
		}
		if !found {
			out.entries = append(out.entries, e)
		}
	}
	return &out
}

// without returns a copy of a mapping node lacking the given keys.
func (n *node) without(keys ...string) *node {
	if n == nil || n.kind != kindMap {
		return n
	}
	out := *n
	out.entries = nil
	for _, e := range n.entries {
		drop := false
		for _, k := range keys {
			if e.key == k {
				drop = true
			}
		}
		if !drop {
			out.entries = append(out.entries, e)
		}
	}
	return &out
}

// scalarText is the text of a scalar node as a string value.
func scalarText(n *node) string {
	if n.kind == kindInt && n.text == "" {
		return strconv.FormatInt(n.integer, 10)
	}
	return n.text
}
