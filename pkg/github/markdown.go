package github

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/changeset"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// MaxCommentBytes is the size Comment keeps a comment under: GitHub
// refuses bodies over 65,536 characters; bytes are never fewer than
// characters, and 1 KiB is left for what GitHub may add (CRLF line ends).
const MaxCommentBytes = 65536 - 1024

// Mode is what the comment reports.
type Mode string

// Modes.
const (
	ModePlan      Mode = "plan"       // change set created, not executed
	ModeDeploy    Mode = "deploy"     // change set executed
	ModeDestroy   Mode = "destroy"    // stack deleted
	ModeNoChanges Mode = "no-changes" // the stack already matches the commit
	ModeFailed    Mode = "failed"     // plan, deploy or destroy failed
)

// RouteLine is one row of the route map: a Django route, the API path that
// serves it and the Lambda function behind it.
type RouteLine struct {
	Route    string   // as written in urls.py: "catalog/<int:pk>/"
	Name     string   // URL name, "catalog:detail" ("" when unnamed)
	APIPath  string   // "/catalog/{pk}"
	Methods  []string // "GET", ...; empty or ["ANY"] for any
	Function string   // function name in the plan
	Change   string   // "new" | "changed" (the comment lists only these)
}

// Artifacts counts the S3 uploads; it has the shape of artifacts.Stats so
// the caller can convert one into the other.
type Artifacts struct {
	Uploaded      int
	UploadedBytes int64
	Skipped       int
}

// CommentData is everything the comment and the job summary show.
type CommentData struct {
	Mode        Mode
	Environment string
	Stack       string
	Commit      string // full SHA; shown short
	PR          int    // 0 outside pull requests
	// RunURL links the workflow run whose job summary holds the full diff
	// (Event.RunURL).
	RunURL string

	// ChangeSet is the described change set; nil when there is none
	// (destroy, or a failure before it was created).
	ChangeSet *changeset.Model
	// Routes lists new or changed routes.
	Routes    []RouteLine
	Artifacts *Artifacts // nil: not shown

	// After deploy or destroy.
	Status     string        // final root stack status: UPDATE_COMPLETE, ...
	Duration   time.Duration // shown rounded to the second
	APIURL     string
	GraphQLURL string
	// RootCause explains a failure: the earliest real cause across nested
	// stacks, or the error. Shown as a code block.
	RootCause string
}

// limits bound what a render shows. Negative means everything.
type limits struct {
	detailRows int // rows of the per-stack tables
	routeRows  int
	riskLevel  int // 0 full, 1 short, 2 compact, 3 cut to riskMax
	riskMax    int // with riskLevel 3: entries listed
	// routineCounts lists routine churn by count only, without logical IDs
	// (only when even the compact risk list would not fit otherwise).
	routineCounts bool
	causeRunes    int // root cause length
	cellRunes     int // longest table cell value
	marker        bool
}

var everything = limits{detailRows: -1, routeRows: -1, riskMax: -1, causeRunes: -1, cellRunes: -1}

// Comment renders the sticky pull-request comment: the marker, what ran
// and where, totals, every removal and replacement outside any <details>
// in two groups (the risks, flagged ⚠️, then the routine churn of
// immutable resources, see changeset.Stack.Routine, listed compactly
// without alarm), the route map, artifacts, the outcome and a table per
// stack. It stays under MaxCommentBytes by dropping table rows (then route
// rows); the risk list is never dropped: when it alone is too long its
// lines get shorter (every entry still named), then the routine group
// gives counts instead of logical IDs, and the comment says so. It always
// says that the job summary holds the full diff.
func Comment(d CommentData) string {
	return fit(d, limits{detailRows: -1, routeRows: -1, riskMax: -1, causeRunes: 4000, cellRunes: 300, marker: true}, MaxCommentBytes)
}

// MaxSummaryBytes keeps Summary under GitHub's 1 MiB limit for one step's
// job summary (a larger one is dropped whole by the runner).
const MaxSummaryBytes = 1<<20 - 16<<10

// Summary renders the same report for the job summary: every change of
// every stack and every route, with nothing shortened unless the whole
// would pass GitHub's 1 MiB job-summary limit (then rows are dropped as in
// Comment, and it says so).
func Summary(d CommentData) string {
	return fit(d, everything, MaxSummaryBytes)
}

// fit renders d within budget bytes, cutting the least important parts
// first: table rows, then route rows; when even that is not enough, the
// risk list's lines get shorter (every entry still named) and the room
// left goes back to routes and rows; then the routine group drops its
// logical IDs (counts stay); only when the risk names alone cannot fit
// are risk entries left out, with their count.
func fit(d CommentData, l limits, budget int) string {
	out := render(d, l)
	if len(out) <= budget {
		return out
	}
	fits := func() bool { return len(render(d, l)) <= budget }
	rows, routes := countRows(d.ChangeSet), len(d.Routes)
	for step := 0; step <= 3; step++ {
		l.riskLevel, l.routineCounts, l.routeRows = min(step, 2), step == 3, -1
		l.detailRows = largest(rows, func(n int) bool { l.detailRows = n; return fits() })
		if fits() {
			return render(d, l)
		}
		l.detailRows = 0
		l.routeRows = largest(routes, func(n int) bool { l.routeRows = n; return fits() })
		if fits() {
			return render(d, l)
		}
		l.causeRunes = 1000
	}
	l.riskLevel, l.routeRows = 3, 0
	rs, _ := d.ChangeSet.Classify()
	l.riskMax = largest(len(rs), func(n int) bool { l.riskMax = n; return fits() })
	return render(d, l)
}

// largest returns the largest n in [0, hi] with fits(n), assuming fits is
// monotone (0 when none fits).
func largest(hi int, fits func(int) bool) int {
	lo := 0
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func countRows(m *changeset.Model) int {
	n := 0
	if m != nil {
		for _, s := range m.Stacks {
			n += len(s.Changes)
		}
	}
	return n
}

func isReplacement(c changeset.ResourceChange) bool {
	return c.Action != "Remove" && (c.Replacement == "True" || c.Replacement == "Conditional")
}

var (
	hexSHA        = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
	changeSetName = regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9]{0,127}$`)
	safeURL       = regexp.MustCompile(`^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[-A-Za-z0-9._~/%$]*)?$`)
)

func shortSHA(s string) string {
	if hexSHA.MatchString(s) && len(s) > 7 {
		return s[:7]
	}
	return Escape(clip(s, 40))
}

func title(d CommentData) string {
	env := Escape(d.Environment)
	switch d.Mode {
	case ModePlan:
		return "📋 Plan for " + env
	case ModeDeploy:
		return "🚀 Deployed " + env
	case ModeDestroy:
		return "🗑️ Destroyed " + env
	case ModeNoChanges:
		return "✅ No changes for " + env
	case ModeFailed:
		return "❌ Failed: " + env
	}
	return "django-serverless: " + env
}

// link shows a URL as a link when it is a plain https URL, else as
// escaped text.
func link(u string) string {
	if safeURL.MatchString(u) {
		return u
	}
	return Escape(u)
}

func render(d CommentData, l limits) string {
	var b strings.Builder
	if l.marker {
		b.WriteString(Marker(d.Stack) + "\n")
	}
	fmt.Fprintf(&b, "### %s\n\n", title(d))
	var facts []string
	facts = append(facts, "**Environment** "+Escape(d.Environment), "**Stack** "+Escape(d.Stack))
	if d.Commit != "" {
		facts = append(facts, "**Commit** "+shortSHA(d.Commit))
	}
	if d.PR > 0 {
		facts = append(facts, "**Pull request** #"+strconv.Itoa(d.PR))
	}
	b.WriteString(strings.Join(facts, " · ") + "\n\n")

	// Outcome.
	// The status line says what the stack is; a plan has no status (the
	// stack does not change) and shows none, nor a duration alone.
	if d.Status != "" {
		line := "**Status** " + Escape(d.Status)
		if took := d.Duration.Round(time.Second); took > 0 {
			line += " in " + took.String()
		}
		b.WriteString(line + "\n\n")
	}
	if d.APIURL != "" {
		b.WriteString("**API** " + link(d.APIURL) + "\n\n")
	}
	if d.GraphQLURL != "" {
		b.WriteString("**GraphQL** " + link(d.GraphQLURL) + "\n\n")
	}
	if d.RootCause != "" {
		b.WriteString("**Root cause**\n\n" + codeBlock(clip(d.RootCause, l.causeRunes)) + "\n")
	}
	if d.Mode == ModeNoChanges {
		b.WriteString("The stack already matches this commit: nothing to deploy.\n\n")
	}

	m := d.ChangeSet
	rs, routine := m.Classify()
	if m != nil {
		t := m.Totals()
		fmt.Fprintf(&b, "**Changes** %d to add · %d to modify · %d to remove · %d to replace\n\n", t.Add, t.Modify, t.Remove, t.Replace)
		for _, s := range m.Stacks {
			if s.Failed() { // a nested level with nothing to change FAILS too, harmlessly
				fmt.Fprintf(&b, "> ❌ Change set of %s failed: %s\n\n", Escape(stackLabel(m, s)), Escape(clip(s.StatusReason, 500)))
			}
		}
		writeRisks(&b, rs, len(routine) > 0, l)
		writeRoutine(&b, routine, l)
	}
	writeRoutes(&b, d.Routes, l)
	if a := d.Artifacts; a != nil {
		fmt.Fprintf(&b, "**Artifacts** %d uploaded (%s), %d already in S3\n\n", a.Uploaded, human.Bytes(a.UploadedBytes), a.Skipped)
	}
	shownRows := 0
	if m != nil {
		shownRows = writeTables(&b, m, l)
	}
	if d.Mode == ModePlan && m != nil && m.ChangeSetName != "" && changeSetName.MatchString(m.ChangeSetName) {
		fmt.Fprintf(&b, "Change set `%s`: deploy exactly this change set with `change-set-id: %s`.\n\n", m.ChangeSetName, m.ChangeSetName)
	}
	writeFooter(&b, d, l, shownRows, countRows(m))
	return b.String()
}

func stackLabel(m *changeset.Model, s changeset.Stack) string {
	if s.Path == "" {
		return m.StackName + " (root)"
	}
	return s.Path
}

// writeRisks writes the risk list: every removal and replacement that is
// not routine, flagged.
func writeRisks(b *strings.Builder, rs []changeset.Risk, routine bool, l limits) {
	if len(rs) == 0 {
		if routine {
			b.WriteString("No risky removals or replacements.\n\n")
		} else {
			b.WriteString("No removals or replacements.\n\n")
		}
		return
	}
	removals := 0
	for _, r := range rs {
		if r.Change.Action == "Remove" {
			removals++
		}
	}
	fmt.Fprintf(b, "#### ⚠️ %s, %s\n\n", plural(removals, "removal"), plural(len(rs)-removals, "replacement"))
	switch l.riskLevel {
	case 0, 1:
		for _, r := range rs {
			b.WriteString(riskLine(r, l.riskLevel == 1) + "\n")
		}
	case 2, 3:
		// Grouped by stack and kind (in order of first appearance): every
		// logical ID, nothing else.
		type group struct {
			path, kind string
			ids        []string
		}
		var groups []*group
		index := map[[2]string]*group{}
		for _, r := range rs {
			k := [2]string{r.Path, riskKind(r.Change)}
			g := index[k]
			if g == nil {
				g = &group{path: r.Path, kind: k[1]}
				index[k] = g
				groups = append(groups, g)
			}
			g.ids = append(g.ids, r.Change.LogicalID)
		}
		listed := 0
		for _, g := range groups {
			n := len(g.ids)
			if l.riskLevel == 3 && l.riskMax >= 0 {
				n = min(n, l.riskMax-listed)
			}
			if n <= 0 {
				break
			}
			ids := make([]string, n)
			for i, id := range g.ids[:n] {
				ids[i] = Escape(clip(id, 64))
			}
			listed += n
			fmt.Fprintf(b, "- ⚠️ **%s** in %s (%d): %s\n", g.kind, Escape(where(g.path)), len(g.ids), strings.Join(ids, ", "))
		}
		if listed < len(rs) {
			fmt.Fprintf(b, "- ⚠️ **%d more removals or replacements are not listed here**: too many for one comment; see the job summary.\n", len(rs)-listed)
		}
	}
	b.WriteString("\n")
	if l.riskLevel > 0 {
		b.WriteString("_The list above is shortened to fit GitHub's comment size limit")
		if l.riskLevel < 3 {
			b.WriteString(" (every removal and replacement is named)")
		}
		b.WriteString("; the job summary has every detail._\n\n")
	}
}

// writeRoutine writes the routine churn after the risks, outside any
// <details>, without alarm: one line per stack and kind with every
// logical ID, or only counts when l.routineCounts (and then it says so).
func writeRoutine(b *strings.Builder, routine []changeset.Risk, l limits) {
	if len(routine) == 0 {
		return
	}
	b.WriteString("**♻️ Routine**: new versions of immutable resources replace the old ones, which are deleted once the update succeeds.\n\n")
	for _, g := range changeset.GroupRoutine(routine) {
		by := "by new ones"
		if len(g.IDs) == 1 {
			by = "by a new one"
		}
		fmt.Fprintf(b, "- ♻️ %d %s replaced %s in %s", len(g.IDs), g.Kind(), by, Escape(where(g.Path)))
		if !l.routineCounts {
			ids := make([]string, len(g.IDs))
			for i, id := range g.IDs {
				ids[i] = cell(id, l)
			}
			b.WriteString(": " + strings.Join(ids, ", "))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if l.routineCounts {
		b.WriteString("_The routine changes are counted, not named, to fit GitHub's comment size limit; the job summary names them all._\n\n")
	}
}

func where(path string) string {
	if path == "" {
		return "root"
	}
	return path
}

func riskKind(c changeset.ResourceChange) string {
	if c.Action == "Remove" {
		return "Remove"
	}
	return "Replace (" + c.Replacement + ")"
}

func riskLine(r changeset.Risk, short bool) string {
	n := 0
	if short {
		n = 80
	}
	c := r.Change
	id := c.LogicalID
	if r.Path != "" {
		id = r.Path + "/" + id
	}
	line := fmt.Sprintf("- ⚠️ **%s** %s (%s)", riskKind(c), Escape(clip(id, n)), Escape(clip(c.ResourceType, n)))
	if short {
		return line
	}
	if c.Action == "Remove" && c.PhysicalID != "" {
		line += " · physical ID " + Escape(clip(c.PhysicalID, 200))
	}
	if p := properties(c); p != "" && c.Action != "Remove" {
		line += ": " + Escape(clip(p, 300))
	}
	if c.MayChange {
		line += " · may change: depends on values passed between nested stacks"
	}
	return line
}

// properties lists the changed properties, with the recreation they need.
func properties(c changeset.ResourceChange) string {
	var parts []string
	seen := map[string]bool{}
	for _, d := range c.Details {
		name := d.Name
		if d.Attribute != "Properties" || name == "" {
			name = d.Attribute
			if d.Name != "" {
				name += "." + d.Name
			}
		}
		if d.RequiresRecreation == "Always" || d.RequiresRecreation == "Conditionally" {
			name += " (recreate: " + d.RequiresRecreation + ")"
		}
		if name != "" && !seen[name] {
			seen[name] = true
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ", ")
}

func writeRoutes(b *strings.Builder, routes []RouteLine, l limits) {
	if len(routes) == 0 {
		return
	}
	n := len(routes)
	if l.routeRows >= 0 && l.routeRows < n {
		n = l.routeRows
	}
	fmt.Fprintf(b, "#### Routes (%d new or changed)\n\n", len(routes))
	if n > 0 {
		b.WriteString("| | Django route | API path | Methods | Function |\n|---|---|---|---|---|\n")
		for _, r := range routes[:n] {
			route := r.Route
			if r.Name != "" {
				route += " (" + r.Name + ")"
			}
			methods := strings.Join(r.Methods, ", ")
			if methods == "" {
				methods = "ANY"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Escape(r.Change), cell(route, l), cell(r.APIPath, l), cell(methods, l), cell(r.Function, l))
		}
	}
	if n < len(routes) {
		fmt.Fprintf(b, "\n_%d more routes are in the job summary._\n", len(routes)-n)
	}
	b.WriteString("\n")
}

func cell(s string, l limits) string {
	if s == "" {
		return ""
	}
	return Escape(clip(s, l.cellRunes))
}

func actionLabel(c changeset.ResourceChange, routine bool) string {
	switch {
	case routine && c.Action == "Remove":
		return "➖ Remove (routine)"
	case routine:
		return "♻️ Replace (routine)"
	case c.Action == "Add":
		return "➕ Add"
	case c.Action == "Import":
		return "📥 Import"
	case c.Action == "Remove":
		return "⚠️ ➖ Remove"
	case isReplacement(c):
		return "⚠️ ♻️ Replace"
	case c.Action == "Modify":
		return "✏️ Modify"
	}
	return Escape(c.Action)
}

// writeTables writes one table per stack inside <details>, at most
// l.detailRows rows in all, and returns the rows written.
func writeTables(b *strings.Builder, m *changeset.Model, l limits) int {
	shown := 0
	for _, s := range m.Stacks {
		if len(s.Changes) == 0 {
			continue
		}
		n := len(s.Changes)
		if l.detailRows >= 0 {
			n = min(n, l.detailRows-shown)
		}
		if n <= 0 {
			continue
		}
		fmt.Fprintf(b, "<details><summary>%s: %s</summary>\n\n", escapeHTML(stackLabel(m, s)), plural(len(s.Changes), "change"))
		b.WriteString("| Action | Logical ID | Type | Replacement | Changed properties |\n|---|---|---|---|---|\n")
		routine := s.Routine()
		for i, c := range s.Changes[:n] {
			action := actionLabel(c, routine[i])
			if c.MayChange {
				action += " (may change)"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", action, cell(c.LogicalID, l), cell(c.ResourceType, l), cell(c.Replacement, l), cell(properties(c), l))
		}
		if n < len(s.Changes) {
			fmt.Fprintf(b, "\n_%d more changes of this stack are in the job summary._\n", len(s.Changes)-n)
		}
		b.WriteString("\n</details>\n\n")
		shown += n
	}
	return shown
}

func writeFooter(b *strings.Builder, d CommentData, l limits, shownRows, rows int) {
	var cut []string
	if shownRows < rows {
		cut = append(cut, fmt.Sprintf("%d of %d changes", rows-shownRows, rows))
	}
	if l.routeRows >= 0 && l.routeRows < len(d.Routes) {
		cut = append(cut, fmt.Sprintf("%d of %d routes", len(d.Routes)-l.routeRows, len(d.Routes)))
	}
	if !l.marker { // the job summary
		if len(cut) > 0 {
			fmt.Fprintf(b, "<sub>Shortened to fit GitHub's 1 MiB job summary limit: %s not shown. The change set itself has them all: aws cloudformation describe-change-set --include-property-values.</sub>\n", strings.Join(cut, " and "))
		}
		return
	}
	summary := "the job summary of this workflow run"
	if safeURL.MatchString(d.RunURL) {
		summary = "the [job summary](" + d.RunURL + ")"
	}
	if len(cut) > 0 {
		fmt.Fprintf(b, "<sub>Shortened to fit GitHub's comment size limit: %s not shown here. The full diff is in %s.</sub>\n", strings.Join(cut, " and "), summary)
		return
	}
	fmt.Fprintf(b, "<sub>The full diff is in %s.</sub>\n", summary)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

