package render

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/templates"
)

// Templates stay text/template (see the note of issue 17), so what keeps
// their YAML well formed is that every value reaches the document through
// q (a YAML double-quoted scalar), sub (!Sub of one), include/nindent (a
// rendered partial), or is one of the few raw values below whose type
// cannot break YAML: logical IDs built by pkg/plan and pkg/render from
// [A-Za-z0-9], integers, and the !Ref/!GetAtt references pkg/render builds
// from such IDs. A template that emits anything else raw fails here:
// wrap it in q.
var rawEmissions = map[string]string{
	".ID":                      "logical ID",
	".Name":                    "logical ID of a parameter or output",
	".VersionID":               "logical ID",
	".DeploymentID":            "logical ID",
	".StageID":                 "logical ID (apiids.go)",
	".DomainID":                "logical ID (apiids.go)",
	"$.StageID":                "logical ID (apiids.go)",
	"$.DomainID":               "logical ID (apiids.go)",
	".Target":                  "!GetAtt built by pkg/render (domainRecords)",
	".TargetZone":              "!GetAtt built by pkg/render, or a quoted zone ID (domainRecords)",
	".DataSourceID":            "logical ID",
	".Function":                "logical ID",
	".Kind":                    "layer kind (Deps, Project, Runtime)",
	".":                        "a DependsOn logical ID",
	"$api":                     "!Ref/!GetAtt built by pkg/render",
	".Value":                   "!Ref/!GetAtt built by pkg/render",
	".Expr":                    "!Sub built by pkg/render with quote (model.go KV)",
	".Memory":                  "int",
	".Timeout":                 "int",
	".ReservedConcurrency":     "int",
	".ProvisionedConcurrency":  "int",
	"$v.Plan.LogRetentionDays": "int",
}

func TestTemplatesQuoteEveryValue(t *testing.T) {
	action := regexp.MustCompile(`\{\{-?\s*(.*?)\s*-?\}\}`)
	control := regexp.MustCompile(`^(/\*|if |else|end|range |define |with |\$[a-z]+ :=|template )`)
	helpers := regexp.MustCompile(`^(q|sub|include|nindent) `)
	err := fs.WalkDir(templates.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".yaml") {
			return err
		}
		data, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range action.FindAllStringSubmatch(line, -1) {
				expr := m[1]
				if control.MatchString(expr) || helpers.MatchString(expr) || expr == "else" || expr == "end" {
					continue
				}
				if _, ok := rawEmissions[expr]; !ok {
					t.Errorf("templates/%s:%d: {{ %s }} is emitted raw: pass it through q (or sub), or add it to rawEmissions with the reason its value cannot break YAML", name, i+1, expr)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// quote's output is a YAML scalar that goccy/go-yaml (the library that
// parses the rendered templates back in every test) reads as the very
// string, whatever the string: as a value, in a flow sequence and as a
// mapping key.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "a: b", `"q" 'q'`, "*x", "&a", "!Ref X", "%TAG", "@", "`", "|", ">", "? k", "- x", "[a]", "{a: 1}",
		"line\nbreak", "\t", "\r\n", "\x00", "\x7f", "\u2028\u2029", "\ufeffbom", "yes", "no", "~", "null", "0x1F", "1e3", ".inf", "0123",
		"ünïcödé", "${AWS::Region}", "#c", "a #b", "\\", "\\\\n", "\"\\u0041\"", strings.Repeat("long ", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			return // templates only ever carry UTF-8 (names, paths, ARNs)
		}
		q := quote(s)
		var v map[string]string
		if err := yaml.Unmarshal([]byte("v: "+q+"\n"), &v); err != nil || v["v"] != s {
			t.Fatalf("value: quote(%q) = %s reads back as %q (%v)", s, q, v["v"], err)
		}
		var l map[string][]string
		if err := yaml.Unmarshal([]byte("l: ["+q+", "+q+"]\n"), &l); err != nil || len(l["l"]) != 2 || l["l"][0] != s {
			t.Fatalf("flow sequence: quote(%q) = %s reads back as %q (%v)", s, q, l["l"], err)
		}
		var k map[string]int
		if err := yaml.Unmarshal([]byte(q+": 1\n"), &k); err != nil || k[s] != 1 {
			t.Fatalf("key: quote(%q) = %s reads back as %v (%v)", s, q, k, err)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
