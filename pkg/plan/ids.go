package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// maxIDBase bounds the readable part of a logical ID so that every resource
// ID derived from it (ID + "Version" + hash, ...) stays far below
// CloudFormation's 255-character limit and function names stay short.
const maxIDBase = 48

// shortHash is the first n hex digits of sha256(s).
func shortHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// Sanitize turns any text into an identifier made of [A-Za-z0-9], starting
// with a letter: every run of other characters is a word boundary and each
// word starts with a capital ("catalog:product-detail" -> "CatalogProductDetail",
// "/catalog/{pk}/" -> "CatalogPk"). Empty input gives "".
func Sanitize(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	out := b.String()
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "N" + out
	}
	return out
}

// idBase is the readable ID of a key, bounded in length: a long text keeps
// its head and gets a hash of the whole so that two long keys sharing a head
// still differ.
func idBase(text, key string) string {
	base := Sanitize(text)
	if base == "" {
		base = "Route"
	}
	if len(base) > maxIDBase {
		base = base[:maxIDBase-8] + strings.ToUpper(shortHash(key, 8))
	}
	return base
}

// assignIDs gives every key an identifier. want maps key -> readable base.
// A base used by one key only is that key's ID; keys sharing a base (or
// hitting a reserved ID) each get the base plus a hash of their own key, except
// the key that sorts first, which keeps the bare base. The result depends on
// the set of keys only, never on their order, and a key that is alone with its
// base keeps its ID whatever other keys are added unless a new key collides
// with it and sorts before it.
func assignIDs(want map[string]string, reserved map[string]bool) map[string]string {
	groups := map[string][]string{}
	for k, base := range want {
		groups[base] = append(groups[base], k)
	}
	out := make(map[string]string, len(want))
	for base, keys := range groups {
		sort.Strings(keys)
		for i, k := range keys {
			if i == 0 && !reserved[base] {
				out[k] = base
				continue
			}
			out[k] = base + "X" + strings.ToUpper(shortHash(k, 6))
		}
	}
	return out
}
