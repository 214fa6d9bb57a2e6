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

func summary(t Totals) string {
	return fmt.Sprintf("%d to add, %d to modify, %d to remove, %d to replace", t.Add, t.Modify, t.Remove, t.Replace)
}

func changed(c ResourceChange) string {
	var parts []string
	seen := map[string]bool{}
	for _, d := range c.Details {
		name := d.Attribute
		if d.Name != "" {
			name += "." + d.Name
		}
		if d.RequiresRecreation != "" && d.RequiresRecreation != "Never" {
			name += " (recreate: " + d.RequiresRecreation + ")"
		}
		if !seen[name] {
			seen[name] = true
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ", ")
}

// Text renders the model for a log: one header line, then one line per
// change grouped by stack, marked "+" (add), "~" (modify), "!" (a risk:
// removal or replacement) or "~" with "(routine: ...)" for the designed
// churn of immutable resources (see Stack.Routine).
func Text(m *Model) string {
	var b strings.Builder
	fmt.Fprintf(&b, "change set %s on %s: %s\n", m.ChangeSetName, m.StackName, summary(m.Totals()))
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
			if c.Replacement == "True" || c.Replacement == "Conditional" {
				fmt.Fprintf(&b, " replacement=%s", c.Replacement)
			}
			if routine[i] {
				fmt.Fprintf(&b, " (%s)", RoutineNote(c))
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
