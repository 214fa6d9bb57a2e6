package django

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// routePart is one level of a joined route: a path() route or a regex.
type routePart struct {
	text  string
	regex bool
}

// joinRoute joins route levels as Django's resolver does for
// ResolverMatch.route: each level after a non-empty prefix loses its
// leading "^".
func joinRoute(parts []routePart) string {
	var b strings.Builder
	for _, p := range parts {
		t := p.text
		if b.Len() > 0 {
			t = strings.TrimPrefix(t, "^")
		}
		b.WriteString(t)
	}
	return b.String()
}

// APIPath converts a joined Django route to its API Gateway path (DESIGN
// section 2). The route may mix path() syntax and regular expressions:
// from its first "^" on, or throughout when it uses regex-only syntax
// ("(?P<", "\", a final "$"), it is read as a regex, otherwise as path()
// syntax. Discovery itself converts each level with the syntax it was
// written in.
func APIPath(route string) string {
	var parts []routePart
	switch i := firstAnchor(route); {
	case i >= 0:
		if i > 0 {
			parts = append(parts, routePart{text: route[:i]})
		}
		parts = append(parts, routePart{text: route[i:], regex: true})
	case strings.Contains(route, "(?P<") || strings.Contains(route, `\`) || strings.HasSuffix(route, "$"):
		parts = append(parts, routePart{text: route, regex: true})
	default:
		parts = append(parts, routePart{text: route})
	}
	return apiPathParts(parts)
}

// firstAnchor returns the index of the first "^" outside character
// classes and escapes, -1 when none.
func firstAnchor(s string) int {
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			if k := classEnd(s, j); k > 0 {
				j = k
			}
		case '^':
			return j
		}
	}
	return -1
}

type tokKind int

const (
	tLit   tokKind = iota // one literal character
	tParam                // a parameter candidate
	tStop                 // something a path cannot express
)

type token struct {
	kind     tokKind
	lit      rune
	name     string // parameter name ("" for an unnamed group)
	greedy   bool   // <path:x>
	canSlash bool   // regex group able to match "/"
}

// apiPathParts converts route levels to the API Gateway form.
func apiPathParts(parts []routePart) string {
	var toks []token
	for _, p := range parts {
		if p.regex {
			toks = regexTokens(p.text, toks)
		} else {
			toks = routeTokens(p.text, toks)
		}
	}
	var b strings.Builder
	b.WriteByte('/')
	unnamed := 0
	seen := map[string]bool{}
	stop := func() string {
		s := b.String()
		return s[:strings.LastIndexByte(s, '/')+1] + "{proxy+}"
	}
	for i, t := range toks {
		atStart := strings.HasSuffix(b.String(), "/")
		switch t.kind {
		case tStop:
			return stop()
		case tLit:
			if !pathChar(t.lit) || (t.lit == '/' && atStart) {
				return stop()
			}
			b.WriteRune(t.lit)
		case tParam:
			name := t.name
			if name == "" {
				unnamed++
				name = "arg" + strconv.Itoa(unnamed)
			}
			last := i == len(toks)-1
			endsSeg := last || toks[i+1].kind == tLit && toks[i+1].lit == '/'
			if !atStart || !endsSeg || t.canSlash || !paramName(name) || seen[name] {
				return stop()
			}
			seen[name] = true
			if t.greedy {
				if !last {
					return stop()
				}
				b.WriteString("{" + name + "+}")
				return b.String()
			}
			b.WriteString("{" + name + "}")
		}
	}
	return b.String()
}

// pathChar reports characters API Gateway allows in a resource path part.
func pathChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '/'
}

func paramName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// routeTokens reads path() syntax: literals and <conv:name> / <name>.
func routeTokens(s string, toks []token) []token {
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if tk, n, ok := converterToken(s[i:]); ok {
				toks = append(toks, tk)
				i += n
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		toks = append(toks, token{kind: tLit, lit: r})
		i += n
	}
	return toks
}

// converterToken reads "<conv:name>" or "<name>" at the start of s.
func converterToken(s string) (token, int, bool) {
	j := strings.IndexByte(s, '>')
	if j <= 1 {
		return token{}, 0, false
	}
	inner := s[1:j]
	conv, name := "str", inner
	if k := strings.IndexByte(inner, ':'); k >= 0 {
		conv, name = inner[:k], inner[k+1:]
	}
	if name == "" || conv == "" || strings.ContainsAny(inner, "<") {
		return token{}, 0, false
	}
	return token{kind: tParam, name: name, greedy: conv == "path"}, j + 1, true
}

// regexTokens reads a regular expression as far as a path can express it.
func regexTokens(s string, toks []token) []token {
	if topLevelAlternation(s) {
		return append(toks, token{kind: tStop})
	}
	for i := 0; i < len(s); {
		c := s[i]
		start := len(toks)
		var next int
		switch c {
		case '^', '$':
			i++
			continue
		case '\\':
			if i+1 >= len(s) {
				return append(toks, token{kind: tStop})
			}
			e := s[i+1]
			switch {
			case e == 'A' || e == 'Z':
				i += 2
				continue
			case isAlnum(e):
				return append(toks, token{kind: tStop})
			}
			r, n := utf8.DecodeRuneInString(s[i+1:])
			toks = append(toks, token{kind: tLit, lit: r})
			next = i + 1 + n
		case '(':
			end := groupEnd(s, i)
			if end < 0 {
				return append(toks, token{kind: tStop})
			}
			body := s[i+1 : end]
			switch {
			case strings.HasPrefix(body, "?P<"):
				k := strings.IndexByte(body, '>')
				if k < 0 {
					return append(toks, token{kind: tStop})
				}
				toks = append(toks, token{kind: tParam, name: body[3:k], canSlash: canMatchSlash(body[k+1:])})
			case strings.HasPrefix(body, "?"):
				return append(toks, token{kind: tStop})
			default:
				toks = append(toks, token{kind: tParam, canSlash: canMatchSlash(body)})
			}
			next = end + 1
		case '[', '.', '|', ')', '?', '*', '+', '{':
			return append(toks, token{kind: tStop})
		case '<':
			// a path() converter joined after a regex level
			if tk, n, ok := converterToken(s[i:]); ok {
				toks = append(toks, tk)
				next = i + n
				break
			}
			toks = append(toks, token{kind: tLit, lit: '<'})
			next = i + 1
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{kind: tLit, lit: r})
			next = i + n
		}
		if next < len(s) && isQuantifier(s[next:]) {
			return append(toks[:start], token{kind: tStop})
		}
		i = next
	}
	return toks
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isQuantifier reports whether s starts with ?, *, + or {m}, {m,}, {m,n}.
func isQuantifier(s string) bool {
	switch s[0] {
	case '?', '*', '+':
		return true
	case '{':
		j := strings.IndexByte(s, '}')
		if j < 2 {
			return false
		}
		for _, r := range s[1:j] {
			if !(r >= '0' && r <= '9' || r == ',') {
				return false
			}
		}
		return s[1] != ','
	}
	return false
}

// groupEnd returns the index of the ")" closing the group opened at i.
func groupEnd(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			k := classEnd(s, j)
			if k < 0 {
				return -1
			}
			j = k
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// classEnd returns the index of the "]" closing the class opened at i.
func classEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '^' {
		j++
	}
	if j < len(s) && s[j] == ']' {
		j++
	}
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case ']':
			return j
		}
	}
	return -1
}

// topLevelAlternation reports a "|" outside every group and class.
func topLevelAlternation(s string) bool {
	depth := 0
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			k := classEnd(s, j)
			if k < 0 {
				return false
			}
			j = k
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// canMatchSlash reports whether a group body may match "/" (conservative:
// true when unsure).
func canMatchSlash(body string) bool {
	for j := 0; j < len(body); j++ {
		switch body[j] {
		case '/', '.':
			return true
		case '\\':
			if j+1 >= len(body) {
				return true
			}
			switch body[j+1] {
			case '/', 'S', 'W', 'D', 'N':
				return true
			}
			j++
		case '[':
			k := classEnd(body, j)
			if k < 0 {
				return true
			}
			if classMatchesSlash(body[j+1 : k]) {
				return true
			}
			j = k
		case '(':
			if strings.HasPrefix(body[j:], "(?P=") {
				return true
			}
		}
	}
	return false
}

// classMatchesSlash reports whether a character class body (between the
// brackets) matches "/".
func classMatchesSlash(cls string) bool {
	neg := strings.HasPrefix(cls, "^")
	if neg {
		cls = cls[1:]
	}
	has := false
	for j := 0; j < len(cls); j++ {
		c := cls[j]
		if c == '\\' && j+1 < len(cls) {
			e := cls[j+1]
			j++
			switch e {
			case '/', 'S', 'W', 'D':
				has = true
			}
			continue
		}
		if c == '/' {
			has = true
		}
		if j+2 < len(cls) && cls[j+1] == '-' && cls[j+2] != ']' {
			lo, hi := c, cls[j+2]
			if hi == '\\' && j+3 < len(cls) {
				hi = cls[j+3]
				j++
			}
			if lo <= '/' && '/' <= hi {
				has = true
			}
			j += 2
		}
	}
	if neg {
		return !has
	}
	return has
}
