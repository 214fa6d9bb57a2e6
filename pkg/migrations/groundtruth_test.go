package migrations

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// truth is what testdata/groundtruth.py prints: Django's own
// MigrationLoader over the project.
type truth struct {
	Apps       []string `json:"apps"`
	Migrations []struct {
		App          string      `json:"app"`
		Name         string      `json:"name"`
		Initial      bool        `json:"initial"`
		Dependencies [][2]string `json:"dependencies"`
		Replaces     [][2]string `json:"replaces"`
		RunBefore    [][2]string `json:"run_before"`
		Operations   []string    `json:"operations"`
		Parents      []string    `json:"parents"`
	} `json:"migrations"`
	Replaced       []string `json:"replaced"`
	ShowMigrations string   `json:"showmigrations"`
	// Error and Node: the loader refused the graph (NodeNotFoundError).
	Error string   `json:"error"`
	Node  []string `json:"node"`
}

// truthProjects are the projects with migrations: this package's edge
// cases and the example projects that have some.
var truthProjects = []struct{ name, root, settings string }{
	{"edge", "testdata/edge", "edgesite.settings"},
	// Squashes whose replaced files were deleted, a squash of a deleted
	// squash, depended on by replaced names (paperless-ngx and kitsune
	// have both).
	{"squash", "testdata/squash", "squashsite.settings"},
	{"guestbook", "../../testdata/django/guestbook", "guestbook.settings"},
	{"tutorial", "../../testdata/django/tutorial", "mysite.settings"},
}

func TestGroundTruth(t *testing.T) {
	py := testenv.Django(t)
	for _, p := range truthProjects {
		t.Run(p.name, func(t *testing.T) {
			want := groundTruth(t, py, p.root, p.settings, "0")
			if want.Error != "" {
				t.Fatalf("Django refuses the graph: %s", want.Error)
			}
			set := readRoot(t, p.root)
			if errs := set.Diagnostics.Errors(); len(errs) > 0 {
				t.Fatalf("errors reading migrations Django loads: %v", errs)
			}
			compareTruth(t, want, set)
		})
	}
}

// TestGroundTruthNestedSquash: a squash that replaces a squash still on
// disk. Django 3.2 carries the two out in the order of a set, so whether
// it loads the graph depends on PYTHONHASHSEED: every run that loads it
// must agree with the reader, and when some run refuses it the reader
// must warn.
func TestGroundTruthNestedSquash(t *testing.T) {
	py := testenv.Django(t)
	const root = "testdata/nested"
	set := readRoot(t, root)
	if errs := set.Diagnostics.Errors(); len(errs) > 0 {
		t.Fatalf("errors reading migrations Django can load: %v", errs)
	}
	loaded, refused := 0, 0
	for seed := 0; seed < 8; seed++ {
		want := groundTruth(t, py, root, "nestsite.settings", strconv.Itoa(seed))
		if want.Error != "" {
			if !strings.Contains(want.Error, "Unable to find replacement node") {
				t.Fatalf("PYTHONHASHSEED=%d: %s", seed, want.Error)
			}
			refused++
			continue
		}
		loaded++
		t.Run("PYTHONHASHSEED="+strconv.Itoa(seed), func(t *testing.T) { compareTruth(t, want, set) })
	}
	if loaded == 0 {
		t.Fatal("Django refused the graph with every seed")
	}
	warned := false
	for _, d := range set.Diagnostics {
		if d.Severity == diag.Warning && strings.Contains(d.Message, "itself a squashed migration on disk") {
			warned = true
		}
	}
	if refused > 0 && !warned {
		t.Errorf("Django refused the graph %d times in %d, and the reader gave no warning: %v", refused, refused+loaded, set.Diagnostics)
	}
}

// TestGroundTruthMissingDependency: a dependency that no migration has and
// no squash replaces is refused by Django and is an error of the reader,
// on the file that names it.
func TestGroundTruthMissingDependency(t *testing.T) {
	py := testenv.Django(t)
	const root = "testdata/missing"
	want := groundTruth(t, py, root, "missingsite.settings", "0")
	if want.Error == "" || len(want.Node) != 2 {
		t.Fatalf("Django loads the graph: %+v", want)
	}
	set := readRoot(t, root)
	missing := want.Node[0] + "." + want.Node[1]
	var found []string
	for _, d := range set.Diagnostics.Errors() {
		if strings.Contains(d.Message, "depends on "+missing+", which does not exist") {
			found = append(found, d.String())
		}
	}
	if diff := cmp.Diff([]string{"till/migrations/0003_sale_note.py:4: error: migration till.0003_sale_note depends on till.0002_sale_totals, which does not exist (Django refuses to load the migration graph)"}, found); diff != "" {
		t.Errorf("Django: %s\nerrors about %s (-want +got):\n%s\nall: %v", want.Error, missing, diff, set.Diagnostics)
	}
}

func readRoot(t *testing.T, root string) *Set {
	t.Helper()
	proj, err := django.Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Read(proj, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// compareTruth compares what the reader found with what Django's loader
// built: apps, migrations in showmigrations order with the graph's edges
// between the project's migrations, replaced files, showmigrations.
func compareTruth(t *testing.T, want truth, set *Set) {
	t.Helper()
	if diff := cmp.Diff(want.Apps, set.Apps); diff != "" {
		t.Errorf("apps (-django +static):\n%s", diff)
	}
	type mig struct {
		ID                                string
		Initial                           bool
		Dependencies, Replaces, RunBefore []string
		Operations                        []string
		Parents                           []string
	}
	var wantM, gotM []mig
	for _, m := range want.Migrations {
		wantM = append(wantM, mig{m.App + "." + m.Name, m.Initial, pairs(m.Dependencies), pairs(m.Replaces), pairs(m.RunBefore), m.Operations, m.Parents})
	}
	for _, m := range set.Migrations {
		var parents []string
		for _, p := range m.parents {
			parents = append(parents, p.String())
		}
		gotM = append(gotM, mig{m.String(), m.Initial, keys(m.Dependencies), keys(m.Replaces), keys(m.RunBefore), opNames(m.Operations), parents})
	}
	if diff := cmp.Diff(wantM, gotM, cmpNilEmpty); diff != "" {
		t.Errorf("migrations in showmigrations order (-django +static):\n%s", diff)
	}
	var replaced []string
	for _, m := range set.Replaced {
		replaced = append(replaced, m.String())
	}
	if diff := cmp.Diff(want.Replaced, replaced, cmpNilEmpty); diff != "" {
		t.Errorf("replaced (-django +static):\n%s", diff)
	}
	if diff := cmp.Diff(want.ShowMigrations, showMigrations(set)); diff != "" {
		t.Errorf("showmigrations --list (-django +static):\n%s", diff)
	}
}

var cmpNilEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

// showMigrations prints the set as `showmigrations --list` does with no
// migration applied.
func showMigrations(s *Set) string {
	var b strings.Builder
	byApp := map[string][]Migration{}
	for _, m := range s.Migrations {
		byApp[m.App] = append(byApp[m.App], m)
	}
	for _, app := range s.Apps {
		b.WriteString(app + "\n")
		if len(byApp[app]) == 0 {
			b.WriteString(" (no migrations)\n")
		}
		for _, m := range byApp[app] {
			title := m.Name
			if len(m.Replaces) > 0 {
				title += fmt.Sprintf(" (%d squashed migrations)", len(m.Replaces))
			}
			b.WriteString(" [ ] " + title + "\n")
		}
	}
	return b.String()
}

func pairs(ps [][2]string) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p[0]+"."+p[1])
	}
	return out
}

// keys renders keys as Django resolves them: a swappable dependency on the
// default AUTH_USER_MODEL (auth.User) is (auth, __first__).
func keys(ks []Key) []string {
	out := []string{}
	for _, k := range ks {
		if k.App == "__setting__" && k.Name == "AUTH_USER_MODEL" {
			k = Key{App: "auth", Name: "__first__"}
		}
		out = append(out, k.String())
	}
	return out
}

func opNames(ops []Operation) []string {
	out := []string{}
	for _, op := range ops {
		name := op.Name
		if name == "SeparateDatabaseAndState" {
			name += "[" + strings.Join(opNames(op.Inner), ",") + "]"
		}
		out = append(out, name)
	}
	return out
}

func groundTruth(t *testing.T, py, root, settings, hashSeed string) truth {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "groundtruth.py"), root, settings)
	cmd.Env = []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "LANG=C.UTF-8", "PYTHONHASHSEED=" + hashSeed, "PATH=" + os.Getenv("PATH")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("groundtruth.py %s: %v\n%s", root, err, stderr.String())
	}
	var tr truth
	if err := json.Unmarshal(out, &tr); err != nil {
		t.Fatalf("groundtruth.py output: %v\n%s", err, out)
	}
	return tr
}
