package migrations

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

func readProject(t *testing.T, root string) *Set {
	t.Helper()
	p, err := django.Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Read(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRiskyOperations pins which operations of the edge project are risky
// and where: every kind the rules know, and the look-alikes that are not
// (AlterField to NOT NULL with a default, RunPython with reverse_code, a
// many-to-many AddField, an AddField with a default).
func TestRiskyOperations(t *testing.T) {
	s := readProject(t, "testdata/edge")
	type risk struct {
		Migration, Operation, At string
	}
	var got []risk
	for _, r := range s.Compare(nil).Risky {
		got = append(got, risk{r.Migration, r.Operation, r.File + ":" + strconv.Itoa(r.Line)})
		if r.Reason == "" {
			t.Errorf("%s %s: no reason", r.Migration, r.Operation)
		}
	}
	want := []risk{
		{"alpha.0003_branch_b", "AlterField", "alpha/migrations/0003_branch_b.py:8"},
		{"beta.0004_after_squash", "AddField", "beta/migrations/0004_after_squash.py:8"},
		{"gamma.0001_initial", "RunPython", "gamma/migrations/0001_initial.py:30"},
		{"gamma.0001_initial", "RunSQL", "gamma/migrations/0001_initial.py:32"},
		{"gamma.0001_initial", "RunSQL", "gamma/migrations/0001_initial.py:33"},
		{"gamma.0002_changes", "RenameField", "gamma/migrations/0002_changes.py:8"},
		{"gamma.0002_changes", "RenameModel", "gamma/migrations/0002_changes.py:9"},
		{"gamma.0002_changes", "DeleteModel", "gamma/migrations/0002_changes.py:10"},
		{"gamma.0002_changes", "SeparateDatabaseAndState", "gamma/migrations/0002_changes.py:11"},
		{"gamma.0002_changes", "AlterModelTable", "gamma/migrations/0002_changes.py:15"},
		{"zlabel.0002_second", "RunSQL", "zeta/migrations/0002_second.py:7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("risky operations (-want +got):\n%s", diff)
	}
}

func TestCompare(t *testing.T) {
	s := readProject(t, "testdata/edge")
	t.Run("offline every migration is new", func(t *testing.T) {
		sum := s.Compare(nil)
		if diff := cmp.Diff(s.IDs(), sum.New); diff != "" {
			t.Errorf("new (-all +got):\n%s", diff)
		}
		if sum.Known {
			t.Error("Known with no previous list")
		}
	})
	t.Run("previous deployment", func(t *testing.T) {
		prev := []string{
			"alpha.0001_initial", "alpha.0002_branch_a", "alpha.0003_branch_b", "alpha.0004_merge",
			// deployed before the squash existed: the squash is not new
			"beta.0001_initial", "beta.0002_box_name", "beta.0003_box_weight",
			"gamma.0001_initial",
			"gamma.0003_gone",
		}
		sum := s.Compare(prev)
		want := []string{"beta.0004_after_squash", "gamma.0002_changes", "zlabel.0001_first", "zlabel.0002_second"}
		if diff := cmp.Diff(want, sum.New); diff != "" {
			t.Errorf("new (-want +got):\n%s", diff)
		}
		for _, r := range sum.Risky {
			if !contains(want, r.Migration) {
				t.Errorf("risk of a migration that is not new: %+v", r)
			}
		}
		if len(sum.Risky) != 7 {
			t.Errorf("%d risky operations in the new migrations, want 7: %+v", len(sum.Risky), sum.Risky)
		}
		if diff := cmp.Diff([]string{"gamma.0003_gone"}, sum.Removed); diff != "" {
			t.Errorf("removed (-want +got):\n%s", diff)
		}
	})
	t.Run("partly deployed squash is new", func(t *testing.T) {
		sum := s.Compare([]string{"beta.0001_initial"})
		if !contains(sum.New, "beta.0001_squashed_0003_box_weight") {
			t.Errorf("squash with part of its migrations deployed is not new: %v", sum.New)
		}
	})
	t.Run("nothing new", func(t *testing.T) {
		sum := s.Compare(s.IDs())
		if len(sum.New) != 0 || len(sum.Risky) != 0 || len(sum.Removed) != 0 {
			t.Errorf("same list: %+v", sum)
		}
		if sum.New == nil || sum.Risky == nil {
			t.Error("empty lists must encode as [], not null")
		}
	})
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// project writes a minimal Django project with one app "shop" whose
// migrations are files.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	base := map[string]string{
		"manage.py":                   "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_settings')\n",
		"site_settings.py":            "INSTALLED_APPS = ['shop', 'other']\nROOT_URLCONF = 'urls'\n",
		"urls.py":                     "urlpatterns = []\n",
		"shop/__init__.py":            "",
		"shop/migrations/__init__.py": "",
		"other/__init__.py":           "",
	}
	for k, v := range files {
		base[k] = v
	}
	for name, body := range base {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestProblemsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // diagnostics, "file:line: severity: message" prefixes
	}{
		{"no Migration class", map[string]string{
			"shop/migrations/0001_initial.py": "from django.db import migrations\n\nclass Migrashun(migrations.Migration):\n    pass\n",
		}, []string{"shop/migrations/0001_initial.py:1: error: migration 0001_initial in app shop has no Migration class"}},
		{"syntax error", map[string]string{
			"shop/migrations/0001_initial.py": "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunSQL('x',\n    ]\n",
		}, []string{"shop/migrations/0001_initial.py:"}},
		{"missing dependency", map[string]string{
			"shop/migrations/0001_initial.py": "class Migration:\n    dependencies = []\n",
			"shop/migrations/0002_next.py":    "class Migration:\n    dependencies = [('shop', '0001_inital')]\n",
		}, []string{"shop/migrations/0002_next.py:1: error: migration shop.0002_next depends on shop.0001_inital, which does not exist"}},
		{"missing dependency next to a squash", map[string]string{
			"shop/migrations/0001_squashed.py": "class Migration:\n    replaces = [('shop', '0001_initial'), ('shop', '0002_b')]\n",
			"shop/migrations/0003_c.py":        "class Migration:\n    dependencies = [('shop', '0002_a')]\n",
		}, []string{"shop/migrations/0003_c.py:1: error: migration shop.0003_c depends on shop.0002_a, which does not exist"}},
		{"deleted replaced migration of an app with no squash for it", map[string]string{
			"shop/migrations/0001_squashed.py": "class Migration:\n    replaces = [('shop', '0001_initial')]\n",
			"other/migrations/__init__.py":     "",
			"other/migrations/0001_initial.py": "class Migration:\n    dependencies = [('shop', '0002_b')]\n",
		}, []string{"other/migrations/0001_initial.py:1: error: migration other.0001_initial depends on shop.0002_b, which does not exist"}},
		{"run_before a missing migration", map[string]string{
			"shop/migrations/0001_initial.py": "class Migration:\n    run_before = [('shop', '0002_gone')]\n",
		}, []string{"shop/migrations/0001_initial.py:1: error: migration shop.0001_initial runs before shop.0002_gone, which does not exist"}},
		{"same-app __latest__", map[string]string{
			"shop/migrations/0001_initial.py": "class Migration:\n    pass\n",
			"shop/migrations/0002_next.py":    "class Migration:\n    dependencies = [('shop', '__latest__')]\n",
		}, []string{"shop/migrations/0002_next.py:1: error: migration shop.0002_next depends on shop.__latest__, which does not exist"}},
		{"squash of a squash on disk", map[string]string{
			"shop/migrations/0001_squashed_0002_b.py": "class Migration:\n    replaces = [('shop', '0001_initial'), ('shop', '0002_b')]\n",
			"shop/migrations/0003_c.py":               "class Migration:\n    dependencies = [('shop', '0002_b')]\n",
			"shop/migrations/0001_squashed_0003_c.py": "class Migration:\n    replaces = [('shop', '0001_squashed_0002_b'), ('shop', '0003_c')]\n",
		}, []string{"shop/migrations/0001_squashed_0003_c.py:1: warning: squashed migration shop.0001_squashed_0003_c replaces shop.0001_squashed_0002_b, itself a squashed migration on disk"}},
		{"cycle", map[string]string{
			"shop/migrations/0001_a.py": "class Migration:\n    dependencies = [('shop', '0002_b')]\n",
			"shop/migrations/0002_b.py": "class Migration:\n    dependencies = [('shop', '0001_a')]\n",
		}, []string{"shop/migrations/0001_a.py:1: error: circular migration dependencies: shop.0001_a -> shop.0002_b -> shop.0001_a"}},
		{"dynamic operations", map[string]string{
			"shop/migrations/0001_initial.py": "from django.db import migrations\nOPS = []\n\nclass Migration(migrations.Migration):\n    operations = [op for op in OPS]\n",
		}, []string{"shop/migrations/0001_initial.py:5: warning: operations of migration shop.0001_initial are not a literal list"}},
		{"dependencies not literal", map[string]string{
			"shop/migrations/0001_initial.py": "DEPS = []\nclass Migration:\n    dependencies = DEPS\n",
		}, []string{"shop/migrations/0001_initial.py:3: warning: dependencies is not a literal list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := readProject(t, project(t, tc.files))
			var got []string
			for _, d := range s.Diagnostics {
				got = append(got, d.String())
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					if strings.HasPrefix(g, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no diagnostic starting %q in:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestDynamicOperationsAreRisky(t *testing.T) {
	s := readProject(t, project(t, map[string]string{
		"shop/migrations/0001_initial.py": "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunPython(f, r),\n        make_op(),\n        OP,\n    ]\n",
	}))
	sum := s.Compare(nil)
	if len(sum.Risky) != 1 || sum.Risky[0].Operation != "?" || sum.Risky[0].Line != 6 {
		t.Fatalf("a name in operations must be flagged for review at its line: %+v", sum.Risky)
	}
}

func TestWhichFilesAreMigrations(t *testing.T) {
	root := project(t, map[string]string{
		"shop/migrations/0001_initial.py":  "class Migration:\n    pass\n",
		"shop/migrations/_private.py":      "",
		"shop/migrations/~tmp.py":          "",
		"shop/migrations/notes.txt":        "",
		"shop/migrations/pkg/__init__.py":  "",
		"shop/migrations/0002.backup.py":   "",
		"other/migrations/0001_initial.py": "class Migration:\n    pass\n", // namespace folder: not loaded
	})
	if err := os.Symlink(filepath.Join(root, "shop/migrations/0001_initial.py"), filepath.Join(root, "shop/migrations/0003_link.py")); err != nil {
		t.Fatal(err)
	}
	s := readProject(t, root)
	if diff := cmp.Diff([]string{"shop.0001_initial"}, s.IDs()); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"shop"}, s.Apps); diff != "" {
		t.Errorf("apps (-want +got):\n%s", diff)
	}
}

func TestStateFollowsRenames(t *testing.T) {
	s := readProject(t, project(t, map[string]string{
		"shop/migrations/0001_initial.py": `from django.db import migrations, models
class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(name="Item", fields=[("id", models.AutoField(primary_key=True)), ("note", models.TextField(null=True))]),
        migrations.RenameModel("Item", "Product"),
        migrations.RenameField("product", "note", "memo"),
        migrations.AlterField("product", "memo", models.TextField()),
        migrations.AlterField("product", "ghost", models.TextField()),
    ]
`,
	}))
	var got []string
	for _, r := range s.Compare(nil).Risky {
		got = append(got, r.Operation+":"+strconv.Itoa(r.Line))
	}
	// The AlterField of the renamed nullable field is risky; the one of a
	// field the migrations never created is not judged.
	want := []string{"RenameModel:5", "RenameField:6", "AlterField:7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("risky (-want +got):\n%s", diff)
	}
}

// TestCompareSquashesOfDeletedMigrations: the squash project's migrations
// against a deployment made before the squashes, when the replaced files
// still existed. The squashes are not new and the deleted files they
// replace are not removed.
func TestCompareSquashesOfDeletedMigrations(t *testing.T) {
	s := readProject(t, "testdata/squash")
	if errs := s.Diagnostics.Errors(); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	prev := []string{
		"board.0001_initial", "board.0002_stat", "board.0003_stat_item",
		"catalog.0001_squashed_0004_topic", "catalog.0005_topic_slug", "catalog.0006_item",
		"catalog.0007_item_topic", "catalog.0008_item_price", "catalog.0009_final",
		"inbox.0001_initial", "inbox.0002_rule_entry",
		"ledger.0001_initial", "ledger.0002_entry_memo", "ledger.0003_entry_amount",
	}
	sum := s.Compare(prev)
	want := []string{"catalog.0010_item_name", "inbox.0002_rule_name", "ledger.0004_entry_posted", "report.0001_initial"}
	if diff := cmp.Diff(want, sum.New); diff != "" {
		t.Errorf("new (-want +got):\n%s", diff)
	}
	if len(sum.Removed) != 0 {
		t.Errorf("replaced migrations whose files were deleted reported removed: %v", sum.Removed)
	}

	// Deployed before the earlier squash of catalog, whose file is gone
	// too: what it replaced is unknown, so the later squash is new and
	// those names are removed.
	sum = s.Compare([]string{
		"catalog.0001_initial", "catalog.0002_topic", "catalog.0003_topic_name", "catalog.0004_topic",
		"catalog.0005_topic_slug", "catalog.0006_item", "catalog.0007_item_topic", "catalog.0008_item_price", "catalog.0009_final",
	})
	if !contains(sum.New, "catalog.0001_squashed_0009_final") {
		t.Errorf("squash of a deleted squash whose own migrations were deployed must count as new (unknown): %v", sum.New)
	}
	if diff := cmp.Diff([]string{"catalog.0001_initial", "catalog.0002_topic", "catalog.0003_topic_name", "catalog.0004_topic"}, sum.Removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
}

// TestCompareNestedSquash: a squash of a squash still on disk is not new
// when the inner squash, or every migration the inner squash replaces,
// was deployed.
func TestCompareNestedSquash(t *testing.T) {
	s := readProject(t, "testdata/nested")
	if diff := cmp.Diff([]string{"lamp.0001_initial", "shelf.0001_squashed_0003_book_isbn", "shelf.0004_book_pages"}, s.IDs()); diff != "" {
		t.Fatalf("migrations (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		prev []string
		want []string
	}{
		{"before any squash", []string{"shelf.0001_initial", "shelf.0002_book_title", "shelf.0003_book_isbn"}, []string{"lamp.0001_initial", "shelf.0004_book_pages"}},
		{"with the inner squash", []string{"shelf.0001_squashed_0002_book_title", "shelf.0003_book_isbn"}, []string{"lamp.0001_initial", "shelf.0004_book_pages"}},
		{"inner squash partly", []string{"shelf.0001_initial", "shelf.0003_book_isbn"}, []string{"lamp.0001_initial", "shelf.0001_squashed_0003_book_isbn", "shelf.0004_book_pages"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := s.Compare(tc.prev)
			if diff := cmp.Diff(tc.want, sum.New); diff != "" {
				t.Errorf("new (-want +got):\n%s", diff)
			}
			if len(sum.Removed) != 0 {
				t.Errorf("removed: %v", sum.Removed)
			}
		})
	}
}

// A migration with PEP 758's `except A, B:` loads on a python3.14 runtime
// only: below it, an error that names the runtime.
func TestExceptListNeedsPython314(t *testing.T) {
	root := project(t, map[string]string{
		"shop/migrations/0001_initial.py": "from django.db import migrations\n\ndef fill(apps, schema_editor):\n    try:\n        pass\n    except KeyError, ValueError:\n        pass\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]\n",
	})
	for python, want := range map[string]string{
		"3.14": "",
		"3.13": "shop/migrations/0001_initial.py:6:20: error: `except A, B:` without parentheses needs Python 3.14 (the runtime is python3.13): add parentheses or set python: \"3.14\"",
	} {
		p, err := django.DiscoverWith(root, django.Options{Python: python})
		if err != nil {
			t.Fatal(err)
		}
		s, err := Read(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Diagnostics.Errors().Error(); got != want {
			t.Errorf("python %s: errors %q, want %q", python, got, want)
		}
	}
}
