package github

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordJoiner (U+2060) is put after '@' and '#' and inside "://" and "www."
// so GitHub turns no escaped text into a mention, an issue reference or a
// link, while it still reads the same.
const wordJoiner = "\u2060"

// mdPunct are the ASCII punctuation characters that can start markup inside
// a line or a table cell ('(' and '!' only matter next to '[', which is
// escaped); each gets a backslash (CommonMark allows one before any ASCII
// punctuation), or a numeric entity inside HTML.
const mdPunct = "\\`*_[]|~$"

// Escape makes text from AWS or the user's code (names, reasons, routes)
// inert in GitHub markdown, inside a line or a table cell: account IDs in
// ARNs are redacted, line breaks and
// control characters become spaces, bidirectional overrides are replaced,
// '<', '>' and '&' become entities, markup punctuation gets a backslash,
// and mentions, issue references and autolinks are broken with an
// invisible word joiner.
func Escape(s string) string {
	return escape(s, true)
}

// escapeHTML is Escape for text inside an HTML element (<summary>), where
// markdown is not parsed and a backslash would show.
func escapeHTML(s string) string {
	return escape(s, false)
}

// accountARN matches the account ID inside an ARN.
var accountARN = regexp.MustCompile(`(arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:)[0-9]{12}(:)`)

// redact replaces AWS account IDs inside ARNs with "<account>": the
// comment and the job summary are readable by everyone who can read the
// repository, and the account ID is masked in the log too.
func redact(s string) string {
	return accountARN.ReplaceAllString(s, "${1}<account>${2}")
}

func escape(s string, markdown bool) string {
	s = redact(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		rest := s[i+size:]
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case bidi(r):
			b.WriteRune(utf8.RuneError)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"' && !markdown:
			b.WriteString("&quot;")
		case r == '@' || r == '#':
			b.WriteRune(r)
			b.WriteString(wordJoiner)
		case r == ':' && strings.HasPrefix(rest, "//"):
			b.WriteString(":" + wordJoiner)
		case (r == 'w' || r == 'W') && len(rest) >= 3 && strings.EqualFold(rest[:3], "ww."):
			b.WriteRune(r)
			b.WriteString(rest[:2] + wordJoiner + ".")
			i += 3
		case r < utf8.RuneSelf && strings.ContainsRune(mdPunct, r):
			if markdown {
				b.WriteByte('\\')
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, "&#%d;", r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bidi reports the Unicode bidirectional controls that can make text read
// differently from what it is.
func bidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// clip shortens s to at most n runes, ending with "…" when cut (before
// escaping, so no escape sequence is cut in half). n <= 0 keeps s.
func clip(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}

// fence returns a code fence longer than any run of backticks in s, so s
// cannot close the block it sits in.
func fence(s string) string {
	return strings.Repeat("`", max(3, longestRun(s, '`')+1))
}

// codeBlock renders s as a fenced block: nothing inside is markup, mentions
// or references. Control characters other than line breaks are removed.
func codeBlock(s string) string {
	s = redact(strings.ReplaceAll(s, "\r\n", "\n"))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case bidi(r):
			return utf8.RuneError
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, strings.TrimRight(s, "\n"))
	f := fence(s)
	return f + "text\n" + s + "\n" + f + "\n"
}

// code renders s as an inline code span: the text shows exactly as it is
// (a route regex keeps its <, > and \; nothing inside is markup, an
// entity, a mention or a link). Line breaks and control characters become
// spaces, bidirectional controls are replaced and account IDs in ARNs
// redacted, as in Escape. The fence is longer than any run of backticks
// in s. In a table cell ('|' splits cells even inside a code span) pipes
// are escaped, which GitHub's table parser removes again.
func code(s string, inTable bool) string {
	s = redact(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return r
		case bidi(r):
			return utf8.RuneError
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	f := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return f + s + f
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c rune) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
