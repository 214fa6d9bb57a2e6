package config

import (
	"bytes"
	"regexp"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// The YAML parser's cost grows with the square of the nesting depth: 40 KB
// of "[[[[..." took 640 MB. So the depth is bounded before the parser sees
// the bytes, by a scan that reads each byte once and allocates nothing but
// its indentation stack: block nesting (indentation levels, plus "- " and
// "? " entries written on one line), flow nesting ("[" and "{"), skipping
// quoted strings, comments and block scalars. The scan never counts less
// than the parser nests (an unusual layout may count more), so a document
// it accepts is at most maxDepth deep. Aliases are bounded the same way
// (maxAliases), so a "billion laughs" cannot expand either.

// maxAliases bounds the alias references (*name) of a document; a real
// configuration has a handful.
const maxAliases = 256

// maxNodes bounds the values of a document (counted as the scan sees them:
// a line, a list entry, a "[" or "{", a ","): the parser's cost grows
// faster than linearly with their number too (40,000 keys took seconds).
// A large real configuration has a few hundred.
const maxNodes = 10000

// blockScalar matches a line whose value starts a literal or folded block
// scalar ("key: |", "- >-", "key: |2 # comment"): the lines below it that
// are more indented are text.
var blockScalar = regexp.MustCompile(`^(?:[-?][ \t]+)*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^#'"\s][^#]*?)[ \t]*:[ \t]+)?[|>][0-9+-]*[ \t]*(?:#.*)?$`)

// checkBounds scans src and reports (in diags) the first place it nests
// deeper than maxDepth or uses more than maxAliases aliases.
func checkBounds(file string, src []byte, diags *diag.List) bool {
	var (
		indents   []int // block indentation stack
		flow      int   // open "[" and "{"
		quote     byte  // open quoted string across lines: '"', '\'' or 0
		scalarAt  = -1  // indentation of the line that opened a block scalar
		aliases   int
		nodes     int
		lineNo    int
		lineStart int
	)
	tooMany := func(col int) bool {
		diags.Errf(file, lineNo, col+1, "more than %d values: a django-serverless.yml holds a few hundred; refused before parsing", maxNodes)
		return false
	}
	errAt := func(col, depth int) bool {
		diags.Errf(file, lineNo, col+1, "nests %d levels deep (more than %d): a django-serverless.yml is a few levels deep; refused before parsing", depth, maxDepth)
		return false
	}
	for lineStart < len(src) {
		lineNo++
		end := bytes.IndexByte(src[lineStart:], '\n')
		var line []byte
		if end < 0 {
			line = src[lineStart:]
			lineStart = len(src)
		} else {
			line = src[lineStart : lineStart+end]
			lineStart += end + 1
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		content := line[indent:]
		blank := len(bytes.TrimSpace(content)) == 0

		if scalarAt >= 0 {
			if blank || indent > scalarAt {
				continue
			}
			scalarAt = -1
		}
		base := 0
		i := indent
		if flow == 0 && quote == 0 {
			if blank || content[0] == '#' {
				continue
			}
			for len(indents) > 0 && indents[len(indents)-1] > indent {
				indents = indents[:len(indents)-1]
			}
			if len(indents) == 0 || indents[len(indents)-1] < indent {
				indents = append(indents, indent)
			}
			base = len(indents)
			if nodes++; nodes > maxNodes {
				return tooMany(i)
			}
			// Entries opened on the same line: "- - - x", "? - x".
			for i < len(line) && (line[i] == '-' || line[i] == '?') && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t') {
				base++
				if base > maxDepth {
					return errAt(i, base)
				}
				if nodes++; nodes > maxNodes {
					return tooMany(i)
				}
				i++
				for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
					i++
				}
			}
			if base > maxDepth {
				return errAt(i, base)
			}
			if blockScalar.Match(content) {
				scalarAt = indent
				continue
			}
		} else {
			base = len(indents) + 1
		}
		prev := byte(' ')
		for ; i < len(line); i++ {
			c := line[i]
			if quote != 0 {
				switch {
				case quote == '"' && c == '\\':
					i++
				case c == quote && quote == '\'' && i+1 < len(line) && line[i+1] == '\'':
					i++
				case c == quote:
					quote = 0
				}
				prev = c
				continue
			}
			// Where a value may start: after a blank, at the line's
			// start, and in a flow collection after "[", "{", "," or ":".
			tokenStart := prev == ' ' || prev == '\t' || i == indent ||
				flow > 0 && (prev == '[' || prev == '{' || prev == ',' || prev == ':')
			switch {
			case c == '#' && (prev == ' ' || prev == '\t' || i == indent):
				i = len(line)
				continue
			case (c == '"' || c == '\'') && tokenStart:
				quote = c
			case (c == '[' || c == '{') && (flow > 0 || tokenStart):
				flow++
				if base+flow > maxDepth {
					return errAt(i, base+flow)
				}
				if nodes++; nodes > maxNodes {
					return tooMany(i)
				}
			case c == ',' && flow > 0:
				if nodes++; nodes > maxNodes {
					return tooMany(i)
				}
			case (c == ']' || c == '}') && flow > 0:
				flow--
			case c == '*' && tokenStart:
				aliases++
				if aliases > maxAliases {
					diags.Errf(file, lineNo, i+1, "more than %d aliases (*name): refused before parsing", maxAliases)
					return false
				}
			}
			prev = c
		}
	}
	return true
}
