package changeset

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// knownAfterApply is how CloudFormation writes a value it cannot know
// before it deploys, inside BeforeContext/AfterContext and
// BeforeValue/AfterValue.
const knownAfterApply = "{{changeSet:KNOWN_AFTER_APPLY}}"

// maxValues bounds the values kept per change: a resource whose every
// property changed (a rename of a big API) would otherwise carry hundreds.
const maxValues = 100

// values returns the changed values of a change: the leaves that differ
// between its BeforeContext and AfterContext (the resource's properties as
// JSON before and after), or, without contexts, the BeforeValue/AfterValue
// of each detail. Sensitive values are masked.
func values(rc *types.ResourceChange, mask *masker) []Value {
	var out []Value
	before, after := aws.ToString(rc.BeforeContext), aws.ToString(rc.AfterContext)
	if b, a, ok := parseContexts(before, after); ok {
		diffValues(nil, b, a, &out)
	} else {
		seen := map[string]bool{}
		for _, d := range rc.Details {
			t := d.Target
			if t == nil || (t.BeforeValue == nil && t.AfterValue == nil) {
				continue
			}
			path := pathText(strings.Split(strings.Trim(aws.ToString(t.Path), "/"), "/"))
			if path == "" {
				path = aws.ToString(t.Name)
			}
			if seen[path] {
				continue
			}
			seen[path] = true
			v := Value{Path: path, Before: aws.ToString(t.BeforeValue), After: aws.ToString(t.AfterValue), Change: string(t.AttributeChangeType)}
			if v.Change == "" {
				v.Change = "Modify"
			}
			out = append(out, v)
		}
	}
	if len(out) > maxValues {
		out = out[:maxValues]
	}
	for i := range out {
		mask.apply(&out[i])
	}
	return out
}

// parseContexts decodes both contexts; ok is false when either is missing
// or not JSON.
func parseContexts(before, after string) (b, a any, ok bool) {
	if before == "" || after == "" {
		return nil, nil, false
	}
	if err := decode(before, &b); err != nil {
		return nil, nil, false
	}
	if err := decode(after, &a); err != nil {
		return nil, nil, false
	}
	return b, a, true
}

func decode(s string, v *any) error {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	return d.Decode(v)
}

// diffValues appends the leaves that differ between a and b. Objects are
// compared key by key, lists of equal length item by item; anything else
// (scalars, lists that changed length) is one leaf.
func diffValues(path []string, b, a any, out *[]Value) {
	if len(*out) > maxValues {
		return
	}
	bm, bIsMap := b.(map[string]any)
	am, aIsMap := a.(map[string]any)
	if bIsMap && aIsMap {
		keys := make([]string, 0, len(bm)+len(am))
		for k := range bm {
			keys = append(keys, k)
		}
		for k := range am {
			if _, ok := bm[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			bv, inB := bm[k]
			av, inA := am[k]
			p := append(append([]string(nil), path...), k)
			switch {
			case !inB:
				*out = append(*out, Value{Path: pathText(p), After: text(av), Change: "Add"})
			case !inA:
				*out = append(*out, Value{Path: pathText(p), Before: text(bv), Change: "Remove"})
			default:
				diffValues(p, bv, av, out)
			}
		}
		return
	}
	bl, bIsList := b.([]any)
	al, aIsList := a.([]any)
	if bIsList && aIsList && len(bl) == len(al) {
		for i := range bl {
			p := append([]string(nil), path...)
			if len(p) == 0 {
				p = append(p, "["+strconv.Itoa(i)+"]")
			} else {
				p[len(p)-1] += "[" + strconv.Itoa(i) + "]"
			}
			diffValues(p, bl[i], al[i], out)
		}
		return
	}
	if equalJSON(b, a) {
		return
	}
	*out = append(*out, Value{Path: pathText(path), Before: text(b), After: text(a), Change: "Modify"})
}

// pathText joins a property path with dots, leaving out the leading
// "Properties" every property path starts with.
func pathText(p []string) string {
	if len(p) > 0 && p[0] == "Properties" {
		p = p[1:]
	}
	return strings.Join(p, ".")
}

// text is a value as text: strings as they are, anything else as compact
// JSON; CloudFormation's unknown-value placeholder as KnownAfterDeploy.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if x == knownAfterApply {
			return KnownAfterDeploy
		}
		return x
	case json.Number:
		return x.String()
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return ""
	}
	return strings.ReplaceAll(strings.TrimSpace(b.String()), `"`+knownAfterApply+`"`, `"`+KnownAfterDeploy+`"`)
}

func equalJSON(a, b any) bool {
	return text(a) == text(b)
}

// sensitiveName matches a property or variable name that holds a secret:
// a Lambda environment variable DATABASE_PASSWORD, SECRET_KEY, API_TOKEN,
// DJANGO_SECRET_KEY, SENTRY_DSN, DATABASE_URL (which carries the
// password), a property named ...Password or ...Secret.
var sensitiveName = regexp.MustCompile(`(?i)(passw(or)?d|passphrase|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|credential|signing[-_]?key|salt|dsn|database[-_]?url|db[-_]?url|connection[-_]?string|cookie|session[-_]?key|encryption[-_]?key)`)

// sensitiveValue matches values whose shape gives them away as secrets,
// whatever their name: AWS access key IDs, PEM private keys, GitHub,
// Slack and Stripe tokens, JWTs, URLs with a password.
var sensitiveValue = regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\b[sr]k_live_[A-Za-z0-9]{16,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.|://[^/\s:@]+:[^/\s@]+@`)

// LooksSensitive reports whether a value at path looks like a secret by
// its name or its text (the rules Describe masks by, without the NoEcho
// values it is given).
func LooksSensitive(path, value string) bool {
	return (*masker)(nil).Sensitive(path, value)
}

// nameHints are lower-case substrings every sensitiveName match holds:
// the regular expression runs only on text holding one (a report checks
// tens of thousands of values).
var nameHints = []string{"pass", "secret", "token", "key", "credential", "salt", "dsn", "url", "string", "cookie"}

func nameLooksSecret(s string) bool {
	lower := strings.ToLower(s)
	for _, h := range nameHints {
		if strings.Contains(lower, h) {
			return sensitiveName.MatchString(s)
		}
	}
	return false
}

// valueHints are substrings every sensitiveValue match holds.
var valueHints = []string{"AKIA", "ASIA", "PRIVATE KEY", "gh", "github_pat_", "xox", "_live_", "eyJ", "://"}

func valueLooksSecret(s string) bool {
	for _, h := range valueHints {
		if strings.Contains(s, h) {
			return sensitiveValue.MatchString(s)
		}
	}
	return false
}

// masker masks sensitive values.
type masker struct {
	exact []string // NoEcho parameter values
}

func newMasker(sensitive []string) *masker {
	m := &masker{}
	for _, s := range sensitive {
		// Very short values would mask common text (as GitHub's
		// add-mask, which skips them too).
		if len(strings.TrimSpace(s)) >= 4 {
			m.exact = append(m.exact, s)
		}
	}
	return m
}

// Sensitive reports whether a value at path must be masked: its name looks
// like a secret's, its text looks like one, it holds a NoEcho value, or
// CloudFormation masked it already ("****").
func (m *masker) Sensitive(path, value string) bool {
	if value == "" || value == KnownAfterDeploy {
		return false
	}
	if nameLooksSecret(path) || valueLooksSecret(value) || (len(value) >= 4 && strings.Trim(value, "*") == "") {
		return true
	}
	// An object or list holding a secret-looking key.
	if (strings.HasPrefix(value, "{") || strings.HasPrefix(value, "[")) && nameLooksSecret(value) {
		return true
	}
	if m != nil {
		for _, s := range m.exact {
			if strings.Contains(value, s) {
				return true
			}
		}
	}
	return false
}

func (m *masker) apply(v *Value) {
	if m.Sensitive(v.Path, v.Before) || m.Sensitive(v.Path, v.After) || (nameLooksSecret(v.Path) && (v.Before != "" || v.After != "")) {
		v.Sensitive = true
		if v.Before != "" {
			v.Before = Masked
		}
		if v.After != "" {
			v.After = Masked
		}
	}
}
