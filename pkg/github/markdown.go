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
	// Left counts the static files a plan did not upload because live
	// pages use their names (the originals that changed): deploy
	// uploads them.
	Left int
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
	Status   string        // final root stack status: UPDATE_COMPLETE, ...
	Duration time.Duration // shown rounded to the second
	// The environment's URLs: its front door (SiteURL, shown when it is
	// not the API's own), the API, GraphQL and the static files.
	SiteURL    string
	APIURL     string
	GraphQLURL string
	StaticURL  string
	// Static counts the static files uploaded; nil: not shown.
	Static *Artifacts
	// RootCause explains a failure: the earliest real cause across nested
	// stacks, or the error. Shown as a code block.
	RootCause string
	// Warnings are what the reviewer must not miss about the deployment
	// itself (discovery found no routes, sends most of them to the
	// catch-all, ...), each one line; shown near the top, never cut.
	Warnings []string

	// Migrations this change adds (nil: not shown).
	Migrations *Migrations

	// Region is the stack's AWS region, for the link to the
	// CloudFormation console ("" shows no link).
	Region string
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
	valueRunes    int // longest before or after value
	values        int // values shown per change (then "+N more")
	marker        bool
	// migrationNames bounds the non-risky new migrations named.
	migrationNames int
}

var everything = limits{detailRows: -1, routeRows: -1, riskMax: -1, causeRunes: -1, cellRunes: -1, valueRunes: 500, values: -1, migrationNames: -1}

// Comment renders the sticky pull-request comment, risk first, as tfcmt
// and Atlantis lead with the plan's result: the title says what the plan
// removes and replaces ("Plan for pr-2: ⚠️ 2 removals, 1 replacement") or
// that it removes and replaces nothing ("Plan for pr-2: 5 to add, no
// risk"); a caution alert lists every removal and replacement, one line
// per removed function with everything that goes with it, in plain words
// (will be deleted, will be replaced, may be replaced) with the
// resource's deletion policy and its changed values (before -> after,
// secrets masked); then the totals, which count the same removals and
// replacements, with the routine churn of immutable resources (new Lambda
// versions, layer versions, API deployments; changeset.Stack.Routine)
// counted and listed apart, without alarm; the route map, artifacts, the
// outcome, a table per stack inside <details>, and a link to the stack in
// the CloudFormation console. A stack with nothing to change gets one
// short paragraph.
//
// It stays under MaxCommentBytes by dropping table rows (then route rows);
// the risk list is never dropped: when it alone is too long its lines get
// shorter (every entry still named), then the routine group gives counts
// instead of logical IDs, and the comment says so. Only a shortened
// comment points to the job summary, which then has what it left out.
func Comment(d CommentData) string {
	return fit(d, limits{detailRows: -1, routeRows: -1, riskMax: -1, causeRunes: 4000, cellRunes: 300, valueRunes: 80, values: 10, marker: true, migrationNames: commentMigrationNames}, MaxCommentBytes)
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
	d = masked(d)
	out := render(d, l)
	if len(out) <= budget {
		return out
	}
	fits := func() bool { return len(render(d, l)) <= budget }
	// Fewer and shorter values first: every change keeps its row.
	if l.values < 0 || l.values > 3 {
		l.values = 3
	}
	l.valueRunes = min(l.valueRunes, 40)
	if fits() {
		return render(d, l)
	}
	rows, routes := countRows(d.ChangeSet), len(d.Routes)
	for step := 0; step <= 3; step++ {
		l.riskLevel, l.routineCounts, l.routeRows = min(step, 2), step == 3, -1
		if step > 0 {
			l.values = 0
		}
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

// masked returns d with every value that looks sensitive masked: the
// model is masked when it is described (changeset.DescribeWith); this
// checks again, once per report rather than once per render, so that no
// model, however it was built, shows a secret.
func masked(d CommentData) CommentData {
	if d.ChangeSet == nil {
		return d
	}
	m := *d.ChangeSet
	m.Stacks = append([]changeset.Stack(nil), m.Stacks...)
	for si := range m.Stacks {
		s := &m.Stacks[si]
		s.Changes = append([]changeset.ResourceChange(nil), s.Changes...)
		for ci := range s.Changes {
			c := &s.Changes[ci]
			if len(c.Values) == 0 {
				continue
			}
			c.Values = append([]changeset.Value(nil), c.Values...)
			for vi := range c.Values {
				v := &c.Values[vi]
				if !v.Sensitive && (changeset.LooksSensitive(v.Path, v.Before) || changeset.LooksSensitive(v.Path, v.After)) {
					v.Sensitive = true
				}
				if v.Sensitive {
					if v.Before != "" {
						v.Before = changeset.Masked
					}
					if v.After != "" {
						v.After = changeset.Masked
					}
				}
			}
		}
	}
	d.ChangeSet = &m
	return d
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

var (
	hexSHA        = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
	changeSetName = regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9]{0,127}$`)
	safeURL       = regexp.MustCompile(`^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[-A-Za-z0-9._~/%$]*)?$`)
	regionRE      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

func shortSHA(s string) string {
	if hexSHA.MatchString(s) && len(s) > 7 {
		return s[:7]
	}
	return Escape(clip(s, 40))
}

// riskWords counts removals and replacements: "2 removals, 1
// replacement", leaving out a zero.
func riskWords(t changeset.Totals) string {
	var parts []string
	if t.Remove > 0 {
		parts = append(parts, human.Count(t.Remove, "removal"))
	}
	if t.Replace > 0 {
		parts = append(parts, human.Count(t.Replace, "replacement"))
	}
	return strings.Join(parts, ", ")
}

// changeWords counts what a change set adds and modifies ("5 to add, 2 to
// modify"; "5 added, 2 modified" once deployed), leaving out a zero.
func changeWords(t changeset.Totals, done bool) string {
	add, mod, routine := "to add", "to modify", "routine"
	if done {
		add, mod = "added", "modified"
	}
	var parts []string
	if t.Add > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", t.Add, add))
	}
	if t.Modify > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", t.Modify, mod))
	}
	if t.Routine > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", t.Routine, routine))
	}
	return strings.Join(parts, ", ")
}

// title leads with the risk: what the change set removes and replaces, or
// that it removes and replaces nothing.
func title(d CommentData, t changeset.Totals) string {
	env := Escape(d.Environment)
	outcome := func(done bool) string {
		if d.ChangeSet == nil {
			return ""
		}
		// Risky migration operations (dropped columns, ...) are risks too.
		migrations := ""
		if m := d.Migrations; m != nil && len(m.Risky) > 0 {
			migrations = human.Count(len(m.Risky), "risky migration operation")
		}
		switch {
		case t.Risky() > 0 && migrations != "":
			return ": ⚠️ " + riskWords(t) + ", " + migrations
		case t.Risky() > 0:
			return ": ⚠️ " + riskWords(t)
		}
		w := changeWords(t, done)
		switch {
		case migrations != "" && w != "":
			return ": " + w + ", ⚠️ " + migrations
		case migrations != "":
			return ": ⚠️ " + migrations
		case w != "":
			return ": " + w + ", no risk"
		}
		return ": no resource changes"
	}
	switch d.Mode {
	case ModePlan:
		return "📋 Plan for " + env + outcome(false)
	case ModeDeploy:
		return "🚀 Deployed " + env + outcome(true)
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

// ConsoleURL links the stack in the CloudFormation console of its region:
// the stack list filtered by the stack's name. It names no account ID on
// purpose: a change set's or stack's ARN carries the account ID, which
// the action masks in the log, but a comment is not masked and anyone
// who can read the pull request (everyone, in a public repository) would
// read it. "" when the region or the stack name is not valid.
func ConsoleURL(region, stack string) string {
	if !regionRE.MatchString(region) || !validStack(stack) {
		return ""
	}
	host := region + ".console.aws.amazon.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		host = region + ".console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		host = "console.amazonaws-us-gov.com"
	}
	return "https://" + host + "/cloudformation/home?region=" + region + "#/stacks?filteringText=" + stack + "&filteringStatus=active&viewNested=true"
}

func render(d CommentData, l limits) string {
	var b strings.Builder
	if l.marker {
		b.WriteString(Marker(d.Stack) + "\n")
	}
	m := d.ChangeSet
	tot := m.Totals()
	fmt.Fprintf(&b, "### %s\n\n", title(d, tot))
	if d.Mode == ModeNoChanges {
		writeNoChanges(&b, d)
		for _, w := range d.Warnings { // what the reviewer must not miss, even then
			b.WriteString("\n> ⚠️ " + Escape(clip(w, 500)) + "\n")
		}
		return b.String()
	}
	var facts []string
	facts = append(facts, "**Environment** "+Escape(d.Environment), "**Stack** "+Escape(d.Stack))
	if d.Commit != "" {
		facts = append(facts, "**Commit** "+shortSHA(d.Commit))
	}
	if d.PR > 0 {
		facts = append(facts, "**Pull request** #"+strconv.Itoa(d.PR))
	}
	if safeURL.MatchString(d.RunURL) {
		// As tfcmt's "CI link": the run, its log and its job summary.
		facts = append(facts, "[workflow run]("+d.RunURL+")")
	}
	b.WriteString(strings.Join(facts, " · ") + "\n\n")
	for _, w := range d.Warnings {
		b.WriteString("> ⚠️ " + Escape(clip(w, 500)) + "\n\n")
	}

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
	if d.SiteURL != "" && d.SiteURL != d.APIURL {
		b.WriteString("**Site** " + link(d.SiteURL) + "\n\n")
	}
	if d.APIURL != "" {
		b.WriteString("**API** " + link(d.APIURL) + "\n\n")
	}
	if d.GraphQLURL != "" {
		b.WriteString("**GraphQL** " + link(d.GraphQLURL) + "\n\n")
	}
	if d.StaticURL != "" {
		b.WriteString("**Static files** " + link(d.StaticURL) + "\n\n")
	}
	if d.RootCause != "" {
		b.WriteString("**Root cause**\n\n" + codeBlock(clip(d.RootCause, l.causeRunes)) + "\n")
	}

	if m != nil {
		rs, routine := m.Classify()
		writeCaution(&b, d.Mode, rs, tot, l)
		line := fmt.Sprintf("**Changes** %d to add · %d to modify · %d to remove · %d to replace", tot.Add, tot.Modify, tot.Remove, tot.Replace)
		if tot.Routine > 0 {
			line += fmt.Sprintf(" · %d routine", tot.Routine)
		}
		b.WriteString(line + "\n\n")
		if len(rs) == 0 {
			if len(routine) > 0 {
				b.WriteString("No risky removals or replacements.\n\n")
			} else {
				b.WriteString("No removals or replacements.\n\n")
			}
		}
		for _, s := range m.Stacks {
			if s.Failed() { // a nested level with nothing to change FAILS too, harmlessly
				fmt.Fprintf(&b, "> ❌ Change set of %s failed: %s\n\n", Escape(stackLabel(m, s)), Escape(clip(s.StatusReason, 500)))
			}
		}
		writeRoutine(&b, routine, l)
	}
	writeMigrations(&b, d.Migrations, l)
	writeRoutes(&b, d.Routes, l)
	if a := d.Artifacts; a != nil {
		fmt.Fprintf(&b, "**Artifacts** %d uploaded (%s), %d already in S3\n\n", a.Uploaded, human.Bytes(a.UploadedBytes), a.Skipped)
	}
	if a := d.Static; a != nil {
		line := fmt.Sprintf("**Static files** %d uploaded (%s), %d unchanged", a.Uploaded, human.Bytes(a.UploadedBytes), a.Skipped)
		if a.Left > 0 {
			line += fmt.Sprintf(", %d changed for deploy to upload (names the live site serves)", a.Left)
		}
		b.WriteString(line + "\n\n")
	}
	shownRows := 0
	if m != nil {
		shownRows = writeTables(&b, m, l)
	}
	var links []string
	if d.Mode == ModePlan && m != nil && m.ChangeSetName != "" && changeSetName.MatchString(m.ChangeSetName) {
		links = append(links, fmt.Sprintf("Change set `%s`: deploy exactly this change set with `change-set-id: %s`.", m.ChangeSetName, m.ChangeSetName))
	}
	if u := ConsoleURL(d.Region, d.Stack); u != "" && d.Mode != ModeDestroy {
		links = append(links, "[Open "+d.Stack+" in the CloudFormation console]("+u+")")
	}
	if len(links) > 0 {
		b.WriteString(strings.Join(links, " ") + "\n\n")
	}
	writeFooter(&b, d, l, shownRows, countRows(m))
	return b.String()
}

// writeNoChanges writes the whole report of a stack that already matches
// the commit: one short paragraph.
func writeNoChanges(b *strings.Builder, d CommentData) {
	var s strings.Builder
	s.WriteString("Stack " + Escape(d.Stack) + " already matches ")
	if d.Commit != "" {
		s.WriteString("commit " + shortSHA(d.Commit))
	} else {
		s.WriteString("this commit")
	}
	if d.PR > 0 {
		s.WriteString(" of pull request #" + strconv.Itoa(d.PR))
	}
	s.WriteString(": nothing to deploy")
	if a := d.Artifacts; a != nil && a.Uploaded > 0 {
		fmt.Fprintf(&s, " (%s uploaded, %s)", human.Count(a.Uploaded, "artifact"), human.Bytes(a.UploadedBytes))
	}
	s.WriteString(".")
	if d.APIURL != "" {
		s.WriteString(" API " + link(d.APIURL))
	}
	if d.GraphQLURL != "" {
		s.WriteString(" · GraphQL " + link(d.GraphQLURL))
	}
	b.WriteString(s.String() + "\n")
}

func stackLabel(m *changeset.Model, s changeset.Stack) string {
	if s.Path == "" {
		return m.StackName + " (root)"
	}
	return s.Path
}

// writeCaution writes every removal and replacement that is not routine in
// a caution alert: one line per removed function (with what goes with
// it), one per other removal or replacement.
func writeCaution(b *strings.Builder, mode Mode, rs []changeset.Risk, tot changeset.Totals, l limits) {
	if len(rs) == 0 {
		return
	}
	b.WriteString("> [!CAUTION]\n")
	switch mode {
	case ModeDeploy:
		fmt.Fprintf(b, "> **%s** were deployed:\n>\n", riskWords(tot))
	case ModePlan:
		fmt.Fprintf(b, "> **%s.** Review them before deploying:\n>\n", riskWords(tot))
	default:
		fmt.Fprintf(b, "> **%s** in the change set:\n>\n", riskWords(tot))
	}
	groups := changeset.GroupRisks(rs)
	switch l.riskLevel {
	case 0, 1:
		for _, g := range groups {
			b.WriteString("> - " + riskLine(g, l) + "\n")
		}
	case 2, 3:
		// Grouped by stack and kind (in order of first appearance): every
		// logical ID, nothing else.
		type group struct {
			path, kind string
			ids        []string
		}
		var kinds []*group
		index := map[[2]string]*group{}
		for _, r := range rs {
			k := [2]string{r.Path, riskKind(r.Change)}
			g := index[k]
			if g == nil {
				g = &group{path: r.Path, kind: k[1]}
				index[k] = g
				kinds = append(kinds, g)
			}
			g.ids = append(g.ids, r.Change.LogicalID)
		}
		listed := 0
		for _, g := range kinds {
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
			fmt.Fprintf(b, "> - %s in %s (%d): %s\n", g.kind, Escape(where(g.path)), len(g.ids), strings.Join(ids, ", "))
		}
		if listed < len(rs) {
			fmt.Fprintf(b, "> - **%d more removals or replacements are not listed here**: too many for one comment; see the job summary.\n", len(rs)-listed)
		}
	}
	if l.riskLevel > 0 {
		b.WriteString(">\n> _The list above is shortened to fit GitHub's comment size limit")
		if l.riskLevel < 3 {
			b.WriteString(" (every removal and replacement is named)")
		}
		b.WriteString("; the job summary has every detail._\n")
	}
	b.WriteString("\n")
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

// riskKind names the kind of a risk for the compact list: "removed",
// "will be replaced", "may be replaced".
func riskKind(c changeset.ResourceChange) string {
	if c.Action == "Remove" {
		return "**removed**"
	}
	return "**" + changeset.ReplacementWords(c) + "**"
}

// keptWords says how a removed resource outlives its removal, from its
// deletion policy ("" when it is simply deleted).
func keptWords(c changeset.ResourceChange) string {
	switch c.PolicyAction {
	case "Retain":
		return "kept in AWS (DeletionPolicy Retain)"
	case "Snapshot":
		return "deleted after a final snapshot (DeletionPolicy Snapshot)"
	}
	return ""
}

// removalWords says what a removal does, from its deletion policy.
func removalWords(c changeset.ResourceChange) string {
	switch c.PolicyAction {
	case "Retain":
		return "will be removed from the stack and kept in AWS (DeletionPolicy Retain)"
	case "Snapshot":
		return "will be deleted after a final snapshot (DeletionPolicy Snapshot)"
	case "Delete":
		return "will be deleted"
	}
	return "will be removed"
}

// riskLine writes one line of the risk list: a removed function with
// what goes with it, or one removal or replacement with its changed
// values (l.riskLevel 1: names only, shortened).
func riskLine(g changeset.RiskGroup, l limits) string {
	short := l.riskLevel == 1
	n := 0
	if short {
		n = 80
	}
	if g.Function != "" {
		var kept []string
		for _, r := range g.Risks {
			if w := keptWords(r.Change); w != "" {
				_, part, _ := changeset.FunctionOf(r.Change)
				kept = append(kept, "the "+part+" is "+w)
			}
		}
		verb := "deleted"
		if len(kept) > 0 {
			verb = "removed"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "**Function %s** will be %s", Escape(clip(g.Function, n)), verb)
		if parts := g.Parts(); len(parts) > 0 {
			b.WriteString(" with its " + changeset.Join(parts))
		}
		paths := g.Paths()
		for i, p := range paths {
			paths[i] = Escape(where(p))
		}
		fmt.Fprintf(&b, " (%s in %s)", human.Count(len(g.Risks), "resource"), strings.Join(paths, ", "))
		if !short && len(kept) > 0 {
			b.WriteString(": " + Escape(strings.Join(kept, "; ")))
		}
		return b.String()
	}
	r := g.Risks[0]
	c := r.Change
	id := c.LogicalID
	if r.Path != "" {
		id = r.Path + "/" + id
	}
	line := fmt.Sprintf("**%s** (%s) ", Escape(clip(id, n)), Escape(clip(c.ResourceType, n)))
	if c.Action == "Remove" {
		line += removalWords(c)
	} else {
		line += changeset.ReplacementWords(c)
		if w := changeset.PolicyWords(c); w != "" {
			line += ", " + Escape(w)
		}
	}
	if short {
		return line
	}
	if c.Action == "Remove" && c.PhysicalID != "" {
		line += " · physical ID " + code(clip(c.PhysicalID, 200), false)
	}
	if p := properties(c, l, false); p != "" && c.Action != "Remove" {
		line += ": " + p
	}
	if c.MayChange {
		line += " · may change: depends on values passed between nested stacks"
	}
	return line
}

// properties lists a change's changed properties as markdown: with their
// values (before -> after) when known, else their names, with what forces
// a replacement. At most l.values values (negative: all), then "+N more".
func properties(c changeset.ResourceChange, l limits, inTable bool) string {
	// What forces a replacement, by property name.
	forces := map[string]string{}
	for _, d := range c.Details {
		if w := changeset.RecreationWords(d); w != "" && forces[changeset.PropertyName(d)] == "" {
			forces[changeset.PropertyName(d)] = w
		}
	}
	var parts []string
	said := map[string]bool{}
	shown := 0
	for _, v := range c.Values {
		top := changeset.TopProperty(v.Path)
		w := forces[top]
		if l.values >= 0 && shown >= l.values && w == "" {
			continue
		}
		shown++
		part := Escape(v.Path) + " " + valueText(v, l, inTable)
		if w != "" && !said[top] {
			part += " (" + w + ")"
			said[top] = true
		}
		parts = append(parts, part)
	}
	if more := len(c.Values) - shown; more > 0 {
		parts = append(parts, fmt.Sprintf("+%d more", more))
	}
	seen := map[string]bool{}
	for _, d := range c.Details {
		name := changeset.PropertyName(d)
		w := changeset.RecreationWords(d)
		if len(c.Values) > 0 && (w == "" || said[name]) {
			continue // shown with its value
		}
		if w != "" {
			name += " (" + w + ")"
		}
		if name != "" && !seen[name] {
			seen[name] = true
			parts = append(parts, Escape(name))
		}
	}
	return strings.Join(parts, ", ")
}

// valueText writes a value change: `512` → `1024`, added `x`, removed
// (was `x`), (sensitive) for masked ones.
func valueText(v changeset.Value, l limits, inTable bool) string {
	val := func(s string) string {
		switch s {
		case changeset.Masked, changeset.KnownAfterDeploy:
			return "_" + strings.Trim(s, "()") + "_"
		}
		return code(clip(s, l.valueRunes), inTable)
	}
	switch {
	case v.Sensitive:
		return "_(sensitive, not shown)_"
	case v.Change == "Add":
		return "added " + val(v.After)
	case v.Change == "Remove":
		return "removed (was " + val(v.Before) + ")"
	}
	return val(v.Before) + " → " + val(v.After)
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
			// The route as written in urls.py, in a code span: a regex
			// keeps its <, > and \ as they are.
			route := code(clip(r.Route, l.cellRunes), true)
			if r.Name != "" {
				route += " (" + cell(r.Name, l) + ")"
			}
			methods := strings.Join(r.Methods, ", ")
			if methods == "" {
				methods = "ANY"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Escape(r.Change), route, code(clip(r.APIPath, l.cellRunes), true), cell(methods, l), cell(r.Function, l))
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
	case changeset.Replaced(c) && c.Replacement == "True":
		return "⚠️ ♻️ Replace"
	case changeset.Replaced(c):
		return "⚠️ ♻️ May replace"
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
		fmt.Fprintf(b, "<details><summary>%s: %s</summary>\n\n", escapeHTML(stackLabel(m, s)), human.Count(len(s.Changes), "change"))
		b.WriteString("| Action | Logical ID | Type | Changes |\n|---|---|---|---|\n")
		routine := s.Routine()
		for i, c := range s.Changes[:n] {
			action := actionLabel(c, routine[i])
			if c.MayChange {
				action += " (may change)"
			}
			what := properties(c, l, true)
			if c.Action == "Remove" && !routine[i] {
				if w := changeset.PolicyWords(c); w != "" {
					what = Escape(w)
				}
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", action, cell(c.LogicalID, l), cell(c.ResourceType, l), what)
		}
		if n < len(s.Changes) {
			fmt.Fprintf(b, "\n_%d more changes of this stack are in the job summary._\n", len(s.Changes)-n)
		}
		b.WriteString("\n</details>\n\n")
		shown += n
	}
	return shown
}

// writeFooter says what a shortened report left out, and where it is: only
// when something was left out.
func writeFooter(b *strings.Builder, d CommentData, l limits, shownRows, rows int) {
	var cut []string
	if shownRows < rows {
		cut = append(cut, fmt.Sprintf("%d of %s", rows-shownRows, human.Count(rows, "change")))
	}
	if l.routeRows >= 0 && l.routeRows < len(d.Routes) {
		cut = append(cut, fmt.Sprintf("%d of %s", len(d.Routes)-l.routeRows, human.Count(len(d.Routes), "route")))
	}
	if len(cut) == 0 {
		return
	}
	if !l.marker { // the job summary
		fmt.Fprintf(b, "<sub>Shortened to fit GitHub's 1 MiB job summary limit: %s not shown. The change set itself has them all: aws cloudformation describe-change-set --include-property-values.</sub>\n", strings.Join(cut, " and "))
		return
	}
	summary := "the job summary of this workflow run"
	if safeURL.MatchString(d.RunURL) {
		summary = "the [job summary](" + d.RunURL + ")"
	}
	fmt.Fprintf(b, "<sub>Shortened to fit GitHub's comment size limit: %s not shown here. The full diff is in %s.</sub>\n", strings.Join(cut, " and "), summary)
}
