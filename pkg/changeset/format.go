package changeset

import (
	"fmt"
	"strings"
)

// displayPath is how a level is named in output: the root stack's name,
// then the logical path of nested stacks below it.
func (m *Model) displayPath(s Stack) string {
	if s.Path == "" {
		return m.StackName
	}
	return m.StackName + "/" + s.Path
}

// symbol marks a change in the log: "+" an add or
// import, "!" a risk (a removal or replacement that is not routine), "~" a
// modification or routine churn (then the line says "routine").
func symbol(c ResourceChange, routine bool) string {
	switch {
	case routine:
		return "~"
	case c.Action == "Add" || c.Action == "Import":
		return "+"
	case Flagged(c):
		return "!"
	default:
		return "~"
	}
}

// RoutineKind names the kind of a routine change for grouping, in the
// singular ("Lambda version", "layer version", "API deployment"); a plural
// is the same with "s".
func RoutineKind(c ResourceChange) string {
	switch c.ResourceType {
	case LambdaVersionType:
		return "Lambda version"
	case LayerVersionType:
		return "layer version"
	case DeploymentType, DeploymentV2Type:
		return "API deployment"
	}
	return c.ResourceType
}

// RoutineNote says why a routine change is routine, for one log line.
func RoutineNote(c ResourceChange) string {
	switch c.ResourceType {
	case LambdaVersionType:
		return "routine: the function moves to its new version"
	case LayerVersionType:
		return "routine: a new layer version is published"
	case DeploymentType, DeploymentV2Type:
		return "routine: the stage moves to the new deployment"
	}
	return "routine"
}

// String counts the totals in words: "3 to add, 0 to modify, 1 to remove,
// 0 to replace", then ", 2 routine" when there is routine churn.
func (t Totals) String() string {
	out := fmt.Sprintf("%d to add, %d to modify, %d to remove, %d to replace", t.Add, t.Modify, t.Remove, t.Replace)
	if t.Routine > 0 {
		out += fmt.Sprintf(", %d routine", t.Routine)
	}
	return out
}

// ReplacementWords says in plain words what Replacement True or
// Conditional means: "will be replaced", "may be replaced" ("" for
// anything else).
func ReplacementWords(c ResourceChange) string {
	if !Replaced(c) {
		return ""
	}
	if c.Replacement == "True" {
		return "will be replaced"
	}
	return "may be replaced"
}

// RecreationWords says what a detail's RequiresRecreation means for the
// resource: "forces replacement" (Always), "may force replacement"
// (Conditionally), "" (Never).
func RecreationWords(d Detail) string {
	switch d.RequiresRecreation {
	case "Always":
		return "forces replacement"
	case "Conditionally":
		return "may force replacement"
	}
	return ""
}

// PolicyWords says what happens to a removed or replaced resource from its
// PolicyAction: "deleted", "kept in AWS (DeletionPolicy Retain)", ...
// "" when AWS gave none.
func PolicyWords(c ResourceChange) string {
	switch c.PolicyAction {
	case "Delete":
		return "deleted"
	case "Retain":
		return "kept in AWS, no longer managed by the stack (DeletionPolicy Retain)"
	case "Snapshot":
		return "deleted after a final snapshot (DeletionPolicy Snapshot)"
	case "ReplaceAndDelete":
		return "the old one is deleted"
	case "ReplaceAndRetain":
		return "the old one is kept in AWS (UpdateReplacePolicy Retain)"
	case "ReplaceAndSnapshot":
		return "the old one is deleted after a snapshot (UpdateReplacePolicy Snapshot)"
	}
	return ""
}

// PropertyName names a detail: its property ("MemorySize"), or its
// attribute with the property ("Tags", "Metadata").
func PropertyName(d Detail) string {
	if d.Attribute == "Properties" && d.Name != "" {
		return d.Name
	}
	if d.Name != "" {
		return d.Attribute + "." + d.Name
	}
	return d.Attribute
}

// ValueText writes a changed value for one line: "512 -> 1024", "added:
// x", "removed (was x)", shortening values longer than n runes (n <= 0
// keeps them).
func ValueText(v Value, n int) string {
	b, a := shorten(v.Before, n), shorten(v.After, n)
	switch v.Change {
	case "Add":
		return "(none) -> " + a
	case "Remove":
		return b + " -> (none)"
	}
	return b + " -> " + a
}

func shorten(s string, n int) string {
	s = oneLine(s)
	if n <= 0 || len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// changed lists a change's changed properties for a log line: with their
// values when known ("MemorySize: 512 -> 1024"), else their names, with
// what forces a replacement.
func changed(c ResourceChange) string {
	forces := map[string]string{}
	for _, d := range c.Details {
		if w := RecreationWords(d); w != "" && forces[PropertyName(d)] == "" {
			forces[PropertyName(d)] = w
		}
	}
	var parts []string
	said := map[string]bool{}
	for _, v := range c.Values {
		part := v.Path + ": " + ValueText(v, 80)
		if top := TopProperty(v.Path); forces[top] != "" && !said[top] {
			part += " (" + forces[top] + ")"
			said[top] = true
		}
		parts = append(parts, part)
	}
	seen := map[string]bool{}
	for _, d := range c.Details {
		name := PropertyName(d)
		w := RecreationWords(d)
		if len(c.Values) > 0 && (w == "" || said[name]) {
			continue // named with its value above
		}
		if w != "" {
			name += " (" + w + ")"
		}
		if !seen[name] {
			seen[name] = true
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ", ")
}

// TopProperty is the property a value path starts with:
// "Environment.Variables.DEBUG" is in Environment, "Layers[1]" in Layers.
func TopProperty(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// Text renders the model for a log: one header line, then one line per
// change grouped by stack, marked "+" (add), "~" (modify), "!" (a risk:
// removal or replacement) or "~" with "(routine: ...)" for the designed
// churn of immutable resources (see Stack.Routine), in plain words ("will
// be replaced", "deleted"), with the changed values when known.
func Text(m *Model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "change set %s on %s: %s\n", m.ChangeSetName, m.StackName, m.Totals())
	for _, s := range m.Stacks {
		fmt.Fprintf(&b, "%s", m.displayPath(s))
		if s.Failed() {
			fmt.Fprintf(&b, " (FAILED: %s)", oneLine(s.StatusReason))
		}
		b.WriteString("\n")
		if len(s.Changes) == 0 {
			b.WriteString("  (no changes)\n")
		}
		routine := s.Routine()
		for i, c := range s.Changes {
			fmt.Fprintf(&b, "  %s %-7s %s %s", symbol(c, routine[i]), c.Action, c.LogicalID, c.ResourceType)
			if w := ReplacementWords(c); w != "" {
				fmt.Fprintf(&b, " %s", w)
			}
			if routine[i] {
				fmt.Fprintf(&b, " (%s)", RoutineNote(c))
			} else if w := PolicyWords(c); w != "" && Flagged(c) {
				fmt.Fprintf(&b, " (%s)", w)
			}
			if c.MayChange {
				b.WriteString(" (may change)")
			}
			if d := changed(c); d != "" {
				fmt.Fprintf(&b, " [%s]", oneLine(d))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
