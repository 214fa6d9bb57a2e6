package migrations

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
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
	} `json:"migrations"`
	Replaced       []string `json:"replaced"`
	ShowMigrations string   `json:"showmigrations"`
}

// truthProjects are the projects with migrations: this package's edge
// cases and the example projects that have some.
var truthProjects = []struct{ name, root, settings string }{
	{"edge", "testdata/edge", "edgesite.settings"},
	{"guestbook", "../../testdata/django/guestbook", "guestbook.settings"},
	{"tutorial", "../../testdata/django/tutorial", "mysite.settings"},
}

func TestGroundTruth(t *testing.T) {
	py := testenv.Django(t)
	for _, p := range truthProjects {
		t.Run(p.name, func(t *testing.T) {
			want := groundTruth(t, py, p.root, p.settings)
			proj, err := django.Discover(p.root)
			if err != nil {
				t.Fatal(err)
			}
			set, err := Read(proj, nil)
			if err != nil {
				t.Fatal(err)
			}
			if errs := set.Diagnostics.Errors(); len(errs) > 0 {
				t.Fatalf("errors reading migrations Django loads: %v", errs)
			}
			if diff := cmp.Diff(want.Apps, set.Apps); diff != "" {
				t.Errorf("apps (-django +static):\n%s", diff)
			}
			type mig struct {
				ID                                string
				Initial                           bool
				Dependencies, Replaces, RunBefore []string
				Operations                        []string
			}
			var wantM, gotM []mig
			for _, m := range want.Migrations {
				wantM = append(wantM, mig{m.App + "." + m.Name, m.Initial, pairs(m.Dependencies), pairs(m.Replaces), pairs(m.RunBefore), m.Operations})
			}
			for _, m := range set.Migrations {
				gotM = append(gotM, mig{m.String(), m.Initial, keys(m.Dependencies), keys(m.Replaces), keys(m.RunBefore), opNames(m.Operations)})
			}
			if diff := cmp.Diff(wantM, gotM); diff != "" {
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
		})
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

func groundTruth(t *testing.T, py, root, settings string) truth {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "groundtruth.py"), root, settings)
	cmd.Env = []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8", "LANG=C.UTF-8", "PATH=" + os.Getenv("PATH")}
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
