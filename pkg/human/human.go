// Package human writes quantities for people to read, the same way in
// every message of the tool: byte sizes in IEC units (B, KiB, MiB, GiB:
// powers of 1,024, which is also how AWS counts its "MB" limits: Lambda's
// 250 MB is 262,144,000 bytes) and counted nouns with their plural
// ("1 function", "2 functions").
package human

import (
	"strconv"
	"strings"
)

var units = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes writes a size: "0 B", "1023 B", "1.5 KiB", "18 MiB", "2.3 GiB".
// One decimal, dropped when it is 0; rounded half away from zero. A
// negative size is written with its sign.
func Bytes(n int64) string {
	if n < 0 {
		if n == -n { // math.MinInt64
			return "-8 EiB"
		}
		return "-" + Bytes(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(1024), 0
	for m := n / 1024; m >= 1024 && exp < len(units)-1; m /= 1024 {
		div *= 1024
		exp++
	}
	// Tenths of the unit, rounded.
	tenths := (n*10 + div/2) / div
	if n > (1<<62)/10 { // avoid overflow for sizes in EiB
		tenths = int64(float64(n)*10/float64(div) + 0.5)
	}
	if tenths >= 10240 && exp < len(units)-1 { // 1023.96 MiB rounds to 1 GiB
		exp++
		tenths = (tenths + 512) / 1024
	}
	s := strconv.FormatInt(tenths/10, 10)
	if d := tenths % 10; d != 0 {
		s += "." + strconv.FormatInt(d, 10)
	}
	return s + " " + units[exp]
}

// Count writes n and the noun, in the plural unless n is 1 or -1:
// Count(1, "function") is "1 function", Count(3, "function") "3
// functions". Nouns ending in a consonant and "y" take "ies", nouns
// ending in s, x, z, ch or sh take "es"; use CountOf for others.
func Count(n int, noun string) string {
	return CountOf(n, noun, Plural(noun))
}

// CountOf is Count with an explicit plural: CountOf(2, "child",
// "children").
func CountOf(n int, singular, plural string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + singular
	}
	return strconv.Itoa(n) + " " + plural
}

// Plural is the regular English plural of a noun.
func Plural(noun string) string {
	switch {
	case noun == "":
		return noun
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "z"),
		strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}
