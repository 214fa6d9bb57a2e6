package deps

import (
	"fmt"
	"strconv"
	"strings"
)

// Environment markers (PEP 508) are evaluated here for the Lambda target,
// not for the machine that builds the layer. No kept Go implementation of
// PEP 508 markers or PEP 440 specifiers exists (the Go module proxy has
// none; pip's is Python's packaging), and the subset locks use is small:
// this file holds a parser for the marker grammar (and/or/parentheses,
// the comparison operators, in/not in, either operand a variable) and PEP
// 440 release comparisons (==, !=, <, <=, >, >=, ~=, ===, ".*" prefixes);
// pre-, post- and dev-release parts compare as their release part.

// Target is the platform a dependencies layer is built for: Lambda's
// Amazon Linux with CPython at Python ("3.12") on Architecture.
type Target struct {
	Python       string // "3.12"
	Architecture string // "arm64" or "x86_64"
}

// env is the marker environment of Lambda's runtime for t.
// python_full_version is X.Y.0: the patch release Lambda runs changes
// without notice, so a marker that splits on a patch release is read as of
// the first one.
func (t Target) env() map[string]string {
	machine := "x86_64"
	if t.Architecture == "arm64" || t.Architecture == "aarch64" {
		machine = "aarch64"
	}
	return map[string]string{
		"python_version":                 t.Python,
		"python_full_version":            t.Python + ".0",
		"implementation_version":         t.Python + ".0",
		"implementation_name":            "cpython",
		"platform_python_implementation": "CPython",
		"platform_machine":               machine,
		"sys_platform":                   "linux",
		"platform_system":                "Linux",
		"os_name":                        "posix",
		"platform_release":               "",
		"platform_version":               "",
		"extra":                          "", // no extra is requested of a lock's packages by a marker
	}
}

// versionVars compare as PEP 440 versions.
var versionVars = map[string]bool{"python_version": true, "python_full_version": true, "implementation_version": true}

// evalMarker reports whether marker holds on t ("" holds everywhere).
func evalMarker(marker string, t Target) (bool, error) {
	if strings.TrimSpace(marker) == "" {
		return true, nil
	}
	p := &markerParser{toks: nil, env: t.env()}
	if err := p.lex(marker); err != nil {
		return false, fmt.Errorf("marker %q: %w", marker, err)
	}
	v, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", marker, err)
	}
	return v, nil
}

type markerTok struct {
	kind byte // 'v' variable, 's' string, 'o' operator, '(' ')', 'a' and, 'r' or
	text string
}

type markerParser struct {
	toks []markerTok
	pos  int
	env  map[string]string
}

func (p *markerParser) lex(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, markerTok{kind: c, text: string(c)})
			i++
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return fmt.Errorf("unterminated string")
			}
			p.toks = append(p.toks, markerTok{kind: 's', text: s[i+1 : i+1+j]})
			i += j + 2
		case strings.ContainsRune("=!<>~", rune(c)):
			j := i
			for j < len(s) && strings.ContainsRune("=!<>~", rune(s[j])) {
				j++
			}
			op := s[i:j]
			switch op {
			case "==", "!=", "<", "<=", ">", ">=", "~=", "===":
			default:
				return fmt.Errorf("unknown operator %q", op)
			}
			p.toks = append(p.toks, markerTok{kind: 'o', text: op})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			w := s[i:j]
			switch w {
			case "and":
				p.toks = append(p.toks, markerTok{kind: 'a', text: w})
			case "or":
				p.toks = append(p.toks, markerTok{kind: 'r', text: w})
			case "in":
				p.toks = append(p.toks, markerTok{kind: 'o', text: "in"})
			case "not":
				k := j
				for k < len(s) && s[k] == ' ' {
					k++
				}
				if !strings.HasPrefix(s[k:], "in") || k+2 < len(s) && s[k+2] != ' ' && s[k+2] != '\'' && s[k+2] != '"' {
					return fmt.Errorf("'not' must be followed by 'in'")
				}
				p.toks = append(p.toks, markerTok{kind: 'o', text: "not in"})
				j = k + 2
			default:
				// os.name, sys.platform, platform.version: PEP 345 spellings.
				p.toks = append(p.toks, markerTok{kind: 'v', text: strings.ReplaceAll(w, ".", "_")})
			}
			i = j
		default:
			return fmt.Errorf("unexpected character %q", c)
		}
	}
	return nil
}

func (p *markerParser) peek() byte {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return 0
}

func (p *markerParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.peek() == 'r' {
		p.pos++
		var w bool
		w, err = p.and()
		v = v || w
	}
	return v, err
}

func (p *markerParser) and() (bool, error) {
	v, err := p.atom()
	for err == nil && p.peek() == 'a' {
		p.pos++
		var w bool
		w, err = p.atom()
		v = v && w
	}
	return v, err
}

func (p *markerParser) atom() (bool, error) {
	if p.peek() == '(' {
		p.pos++
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if p.peek() != ')' {
			return false, fmt.Errorf("missing )")
		}
		p.pos++
		return v, nil
	}
	if p.pos+3 > len(p.toks) {
		return false, fmt.Errorf("incomplete comparison")
	}
	l, op, r := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	p.pos += 3
	if op.kind != 'o' {
		return false, fmt.Errorf("expected an operator after %q, got %q", l.text, op.text)
	}
	value := func(t markerTok) (string, bool, error) {
		switch t.kind {
		case 's':
			return t.text, false, nil
		case 'v':
			v, ok := p.env[t.text]
			if !ok {
				return "", false, fmt.Errorf("unknown marker variable %s", t.text)
			}
			return v, versionVars[t.text], nil
		}
		return "", false, fmt.Errorf("expected a variable or a string, got %q", t.text)
	}
	lv, lver, err := value(l)
	if err != nil {
		return false, err
	}
	rv, rver, err := value(r)
	if err != nil {
		return false, err
	}
	switch op.text {
	case "in":
		return strings.Contains(rv, lv), nil
	case "not in":
		return !strings.Contains(rv, lv), nil
	}
	if lver || rver {
		if l.kind == 'v' {
			return matchSpecifier(lv, op.text, rv)
		}
		// "3.8" <= python_version: the same as python_version >= "3.8".
		return matchSpecifier(rv, flipOp(op.text), lv)
	}
	switch op.text {
	case "==", "===":
		return lv == rv, nil
	case "!=":
		return lv != rv, nil
	case "<":
		return lv < rv, nil
	case "<=":
		return lv <= rv, nil
	case ">":
		return lv > rv, nil
	case ">=":
		return lv >= rv, nil
	}
	return false, fmt.Errorf("operator %s needs versions", op.text)
}

func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// matchSpecifierSet reports whether version satisfies every clause of a
// PEP 440 specifier set (">=3.10, <4", "==3.13.*").
func matchSpecifierSet(version, set string) (bool, error) {
	for _, clause := range strings.Split(set, ",") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		i := strings.IndexFunc(clause, func(r rune) bool { return !strings.ContainsRune("=!<>~", r) })
		if i <= 0 {
			return false, fmt.Errorf("specifier %q: no operator", clause)
		}
		ok, err := matchSpecifier(version, clause[:i], strings.TrimSpace(clause[i:]))
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// matchSpecifier compares version with spec under op (PEP 440 release
// parts; "==3.12.*" and "!=3.12.*" match by prefix).
func matchSpecifier(version, op, spec string) (bool, error) {
	if op == "===" {
		return version == spec, nil
	}
	v, err := releaseOf(version)
	if err != nil {
		return false, err
	}
	if prefix, ok := strings.CutSuffix(spec, ".*"); ok {
		s, err := releaseOf(prefix)
		if err != nil {
			return false, err
		}
		// The version, padded with zeros, starts with the prefix.
		match := compareRelease(v[:min(len(v), len(s))], s) == 0
		switch op {
		case "==":
			return match, nil
		case "!=":
			return !match, nil
		}
		return false, fmt.Errorf("%s%s: a .* suffix only goes with == and !=", op, spec)
	}
	s, err := releaseOf(spec)
	if err != nil {
		return false, err
	}
	c := compareRelease(v, s)
	switch op {
	case "==":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	case ">=":
		return c >= 0, nil
	case "~=":
		if len(s) < 2 {
			return false, fmt.Errorf("~=%s: needs at least two release parts", spec)
		}
		return c >= 0 && compareRelease(v[:min(len(v), len(s)-1)], s[:len(s)-1]) == 0, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// releaseOf is the release part of a PEP 440 version ("3.12.1rc1" ->
// [3 12 1]); an epoch or local part is refused.
func releaseOf(v string) ([]int, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	end := len(v)
	for i, r := range v {
		if (r < '0' || r > '9') && r != '.' {
			end = i
			break
		}
	}
	if end == 0 || strings.ContainsAny(v, "!+") {
		return nil, fmt.Errorf("version %q: want a release such as 3.12", v)
	}
	var out []int
	for _, part := range strings.Split(strings.TrimSuffix(v[:end], "."), ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, fmt.Errorf("version %q: want a release such as 3.12", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// compareRelease compares release parts, the shorter padded with zeros.
func compareRelease(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
