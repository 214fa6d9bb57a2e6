package changeset

import (
	"regexp"
	"strings"
)

// Logical ID conventions of the templates (pkg/render): every resource of
// a function carries the function's name, followed by what it is.
var functionParts = []struct {
	typ  string
	re   *regexp.Regexp
	part string
}{
	{"AWS::Lambda::Function", regexp.MustCompile(`^(.+)Function$`), "function"},
	{"AWS::Logs::LogGroup", regexp.MustCompile(`^(.+)LogGroup$`), "log group"},
	{"AWS::Lambda::Alias", regexp.MustCompile(`^(.+)Alias$`), "alias"},
	{LambdaVersionType, regexp.MustCompile(`^(.+)Version[0-9a-f]{6,}$`), "version"},
	{"AWS::Scheduler::Schedule", regexp.MustCompile(`^(.+)Warmer[0-9]*$`), "warmer"},
	{"AWS::Lambda::Permission", regexp.MustCompile(`^(.+)Permission$`), "API permission"},
	{"AWS::AppSync::DataSource", regexp.MustCompile(`^(.+)DataSource$`), "AppSync data source"},
}

// FunctionOf names the function a resource belongs to, from its type and
// logical ID ("OrdersLogGroup" of type AWS::Logs::LogGroup is the log
// group of function Orders), and what the resource is to it. ok is false
// for resources of no function.
func FunctionOf(c ResourceChange) (function, part string, ok bool) {
	for _, p := range functionParts {
		if c.ResourceType != p.typ {
			continue
		}
		if m := p.re.FindStringSubmatch(c.LogicalID); m != nil {
			return m[1], p.part, true
		}
	}
	return "", "", false
}

// RiskGroup is one line of a risk list: a removed function with every
// resource that goes with it (its log group, alias, version, warmers, API
// permission, in whichever nested stack they are), or a single removal or
// replacement (Function "").
type RiskGroup struct {
	Function string
	Risks    []Risk
}

// Parts lists what a function group removes besides the function itself,
// in the order of functionParts, each once: "log group", "alias", ...
func (g RiskGroup) Parts() []string {
	have := map[string]bool{}
	for _, r := range g.Risks {
		if _, part, ok := FunctionOf(r.Change); ok {
			have[part] = true
		}
	}
	var out []string
	for _, p := range functionParts {
		if have[p.part] && p.part != "function" {
			out = append(out, p.part)
			have[p.part] = false
		}
	}
	return out
}

// Paths lists the levels a group's resources are in, in order of first
// appearance ("" is the root).
func (g RiskGroup) Paths() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range g.Risks {
		if !seen[r.Path] {
			seen[r.Path] = true
			out = append(out, r.Path)
		}
	}
	return out
}

// GroupRisks folds the removals of a removed function (its
// AWS::Lambda::Function and at least one other of its resources) into one
// group at the place of the first; every other risk is a group of its
// own. Order is kept.
func GroupRisks(risks []Risk) []RiskGroup {
	removed := map[string]bool{} // functions whose function resource goes
	members := map[string]int{}
	for _, r := range risks {
		fn, part, ok := FunctionOf(r.Change)
		if !ok || r.Change.Action != "Remove" {
			continue
		}
		members[fn]++
		if part == "function" {
			removed[fn] = true
		}
	}
	for fn := range removed {
		if members[fn] < 2 {
			delete(removed, fn)
		}
	}
	var out []RiskGroup
	at := map[string]int{}
	for _, r := range risks {
		fn, _, ok := FunctionOf(r.Change)
		if ok && r.Change.Action == "Remove" && removed[fn] {
			if i, seen := at[fn]; seen {
				out[i].Risks = append(out[i].Risks, r)
				continue
			}
			at[fn] = len(out)
			out = append(out, RiskGroup{Function: fn, Risks: []Risk{r}})
			continue
		}
		out = append(out, RiskGroup{Risks: []Risk{r}})
	}
	return out
}

// Join lists words the English way: "a", "a and b", "a, b and c".
func Join(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
