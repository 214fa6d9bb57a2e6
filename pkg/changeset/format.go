package changeset

import (
	"encoding/json"
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

// symbol marks a change in the log and the markdown table: "+" an add or
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

// MarkdownOptions tune Markdown.
type MarkdownOptions struct {
	// Title is the heading; default "Change set for STACK".
	Title string
	// MaxBytes, when > 0, drops table rows from the end (never the risk
	// list) until the output fits, saying how many were left out.
	MaxBytes int
	// Note is an optional line after the summary (e.g. "see the job
	// summary for the full diff").
	Note string
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// Escape makes an AWS-provided value safe inside markdown text and tables.
func Escape(s string) string { return mdEscaper.Replace(s) }

// Markdown renders the model for a PR comment or job summary: totals, the
// risk list (every Remove and Replacement True/Conditional that is not
// routine) and the routine churn grouped by stack and kind, both outside
// <details>, then one table per stack inside <details>.
func Markdown(m *Model, opts MarkdownOptions) string {
	rows := 0
	for _, s := range m.Stacks {
		rows += len(s.Changes)
	}
	out := markdown(m, opts, rows)
	if opts.MaxBytes <= 0 || len(out) <= opts.MaxBytes {
		return out
	}
	lo, hi := 0, rows
	for lo < hi { // largest row count that fits
		mid := (lo + hi + 1) / 2
		if len(markdown(m, opts, mid)) <= opts.MaxBytes {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return markdown(m, opts, lo)
}

func markdown(m *Model, opts MarkdownOptions, maxRows int) string {
	var b strings.Builder
	title := opts.Title
	if title == "" {
		title = "Change set for " + Escape(m.StackName)
	}
	t := m.Totals()
	fmt.Fprintf(&b, "### %s\n\n", title)
	fmt.Fprintf(&b, "**%d** to add, **%d** to modify, **%d** to remove, **%d** to replace", t.Add, t.Modify, t.Remove, t.Replace)
	if m.ChangeSetName != "" {
		fmt.Fprintf(&b, " (change set %s)", Escape(m.ChangeSetName))
	}
	b.WriteString("\n\n")
	if opts.Note != "" {
		b.WriteString(opts.Note + "\n\n")
	}
	for _, s := range m.FailedLevels() {
		fmt.Fprintf(&b, "> **Failed** %s: %s\n\n", Escape(m.displayPath(s)), Escape(s.StatusReason))
	}
	risks, routine := m.Classify()
	switch {
	case len(risks) == 0 && len(routine) == 0:
		b.WriteString("No removals or replacements.\n\n")
	case len(risks) == 0:
		b.WriteString("No risky removals or replacements.\n\n")
	default:
		b.WriteString("**Removals and replacements:**\n\n")
		for _, r := range risks {
			what := "Remove"
			if r.Change.Action != "Remove" {
				what = "Replace (" + r.Change.Replacement + ")"
			}
			path := r.Change.LogicalID
			if r.Path != "" {
				path = r.Path + "/" + path
			}
			fmt.Fprintf(&b, "- :warning: %s **%s** %s", what, Escape(path), Escape(r.Change.ResourceType))
			if r.Change.MayChange {
				b.WriteString(" (may change: depends on values from other nested stacks)")
			}
			if d := changed(r.Change); d != "" && r.Change.Action != "Remove" {
				fmt.Fprintf(&b, ": %s", Escape(d))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if len(routine) > 0 {
		b.WriteString("**Routine** (new versions of immutable resources replace the old ones):\n\n")
		for _, g := range GroupRoutine(routine) {
			ids := make([]string, len(g.IDs))
			for i, id := range g.IDs {
				ids[i] = Escape(id)
			}
			where := "root"
			if g.Path != "" {
				where = g.Path
			}
			fmt.Fprintf(&b, "- :recycle: %d %s replaced in %s: %s\n", len(g.IDs), g.Kind(), Escape(where), strings.Join(ids, ", "))
		}
		b.WriteString("\n")
	}
	total := 0
	for _, s := range m.Stacks {
		total += len(s.Changes)
	}
	fmt.Fprintf(&b, "<details><summary>All changes (%d)</summary>\n\n", total)
	shown := 0
	for _, s := range m.Stacks {
		if shown >= maxRows && len(s.Changes) > 0 {
			break
		}
		fmt.Fprintf(&b, "#### %s\n\n", Escape(m.displayPath(s)))
		if len(s.Changes) == 0 {
			b.WriteString("No changes.\n\n")
			continue
		}
		b.WriteString("| | Action | Logical ID | Type | Replacement | Changed |\n|---|---|---|---|---|---|\n")
		routine := s.Routine()
		for i, c := range s.Changes {
			if shown >= maxRows {
				break
			}
			shown++
			action := c.Action
			if routine[i] {
				action += " (routine)"
			}
			if c.MayChange {
				action += " (may change)"
			}
			if c.NestedStack {
				action += " (nested stack)"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", symbol(c, routine[i]), action, Escape(c.LogicalID), Escape(c.ResourceType), Escape(c.Replacement), Escape(changed(c)))
		}
		b.WriteString("\n")
	}
	if shown < total {
		fmt.Fprintf(&b, "_%d more changes not shown here._\n\n", total-shown)
	}
	b.WriteString("</details>\n")
	return b.String()
}

// JSON renders the model with its totals.
func JSON(m *Model) ([]byte, error) {
	v := struct {
		*Model
		Totals Totals `json:"totals"`
	}{m, m.Totals()}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode change set %s: %w", m.ChangeSetName, err)
	}
	return append(out, '\n'), nil
}
