package adapter_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/lambdafake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// BenchmarkPersistDB is the per-event cost of persist_db against
// PostgreSQL, through the Lambda fake (the real handler in a warm
// environment, one HTTP event at a time). Each op sends, interleaved so
// that load on the machine hits every side alike: an event to a view that
// does not touch the database (the baseline, "no-db"), an event to a view
// with one query on a function with persist_db on (the kept connection
// and its health check), and the same event on a function with persist_db
// off (a new connection per event). Reported per event: ns-no-db,
// ns-persist-on, ns-persist-off, and the ratios on/no-db and off/on.
func BenchmarkPersistDB(b *testing.B) {
	pg := testenv.Postgres(b)
	name := "bench_persist_db"
	testenv.Psql(b, pg, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	testenv.Psql(b, pg, "CREATE DATABASE "+name)
	b.Cleanup(func() { testenv.Psql(b, pg, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	db := withDB(pg, name)
	s, c := fakeLambda(b)
	s.Put(guestbookFunction(b, "manage", db, map[string]string{"DJANGO_SERVERLESS_MANAGE_ALLOW": "migrate"}))
	migrate(b, c, "manage")
	s.Put(guestbookFunction(b, "on", db, map[string]string{"DJANGO_SERVERLESS_PERSIST_DB": "1"}))
	s.Put(guestbookFunction(b, "off", db, nil))
	sides := []struct{ fn, path string }{{"on", "/entries/ping/"}, {"on", "/entries/count/"}, {"off", "/entries/count/"}}
	for _, sd := range sides {
		get(b, c, sd.fn, sd.path) // warm
	}
	var total [3]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, sd := range sides {
			start := time.Now()
			if r := get(b, c, sd.fn, sd.path); r.StatusCode != 200 {
				b.Fatalf("%d %s", r.StatusCode, r.Body)
			}
			total[j] += time.Since(start)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(total[0].Nanoseconds())/n, "ns-no-db")
	b.ReportMetric(float64(total[1].Nanoseconds())/n, "ns-persist-on")
	b.ReportMetric(float64(total[2].Nanoseconds())/n, "ns-persist-off")
	b.ReportMetric(float64(total[1])/float64(total[0]), "on/no-db")
	b.ReportMetric(float64(total[2])/float64(total[1]), "off/on")
}

// writeProject30 writes a Django project whose only app has 30 migrations
// (a model, then one field added per migration).
func writeProject30(b testing.TB) string {
	root := b.TempDir()
	files := map[string]string{
		"manage.py":           "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bench30.settings')\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
		"bench30/__init__.py": "",
		"bench30/settings.py": `import os
from urllib.parse import urlsplit
u = urlsplit(os.environ["DATABASE_URL"])
SECRET_KEY = "bench"
INSTALLED_APPS = ["notes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": u.path[1:], "USER": u.username or "", "HOST": u.hostname, "PORT": str(u.port or "")}}
ROOT_URLCONF = "bench30.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
`,
		"bench30/urls.py":              "urlpatterns = []\n",
		"notes/__init__.py":            "",
		"notes/migrations/__init__.py": "",
	}
	files["notes/migrations/0001_initial.py"] = `from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    operations = [migrations.CreateModel(name="Note", fields=[("id", models.AutoField(primary_key=True)), ("text", models.TextField())])]
`
	for i := 2; i <= 30; i++ {
		files[fmt.Sprintf("notes/migrations/%04d_field%d.py", i, i)] = fmt.Sprintf(`from django.db import migrations, models
class Migration(migrations.Migration):
    dependencies = [("notes", "%04d_%s")]
    operations = [migrations.AddField("note", "field%d", models.IntegerField(default=%d))]
`, i-1, map[bool]string{true: "initial", false: fmt.Sprintf("field%d", i-1)}[i == 2], i, i)
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// BenchmarkMigrate30 migrates a fresh database through 30 migrations,
// interleaved in each op: by a manage event through the Lambda fake and
// the real runtime (a child process per command, as on Lambda), and the
// baseline, `python manage.py migrate --noinput` run directly with the
// same Python and server. Reported: s-direct, s-lambda-fake and their
// ratio.
func BenchmarkMigrate30(b *testing.B) {
	pg := testenv.Postgres(b)
	py := testenv.Django(b)
	root := writeProject30(b)
	code, layers := packages(b, root)
	name := "bench_migrate30"
	fresh := func() {
		testenv.Psql(b, pg, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		testenv.Psql(b, pg, "CREATE DATABASE "+name)
	}
	b.Cleanup(func() { testenv.Psql(b, pg, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	db := withDB(pg, name)
	s, c := fakeLambda(b)
	s.Put(lambdafake.Function{Name: "manage", Runtime: "python3.12", Handler: "django_serverless.handler.handle",
		Timeout: 5 * time.Minute, Memory: 1024, Code: code, Layers: layers,
		Env: map[string]string{"DJANGO_SETTINGS_MODULE": "bench30.settings", "DATABASE_URL": db, "DJANGO_SERVERLESS_MANAGE_ALLOW": "migrate"}})
	var direct, fake time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fresh()
		b.StartTimer()
		start := time.Now()
		cmd := exec.CommandContext(context.Background(), py, "manage.py", "migrate", "--noinput")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "DATABASE_URL="+db, "PYTHONDONTWRITEBYTECODE=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "0030_field30... OK") {
			b.Fatalf("%v\n%s", err, out)
		}
		direct += time.Since(start)
		b.StopTimer()
		fresh()
		b.StartTimer()
		start = time.Now()
		r := migrate(b, c, "manage")
		if !strings.Contains(r.Output, "0030_field30... OK") {
			b.Fatalf("%s", r.Output)
		}
		fake += time.Since(start)
	}
	b.ReportMetric(direct.Seconds()/float64(b.N), "s-direct")
	b.ReportMetric(fake.Seconds()/float64(b.N), "s-lambda-fake")
	b.ReportMetric(float64(fake)/float64(direct), "fake/direct")
}
