package django

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

// resolverScript asks Django for every leaf pattern: the route joined as
// ResolverMatch.route joins it, the view as module.qualname of what Django
// wraps (DESIGN section 2; ResolverMatch._func_path has __name__, which
// drops the class of a bound method such as AdminSite.index), and the
// namespaced name. DRF format-suffix variants are left out
// (discovery omits them by design).
const resolverScript = `
import json, os, re, sys
root = sys.argv[1]
sys.path.insert(0, root)
src = open(os.path.join(root, "manage.py")).read()
os.environ["DJANGO_SETTINGS_MODULE"] = re.search(r"DJANGO_SETTINGS_MODULE['\"],\s*['\"]([\w.]+)", src).group(1)
import django
django.setup()
from django.urls import get_resolver, URLResolver
out = []
def walk(patterns, prefix, ns):
    for p in patterns:
        s = str(p.pattern)
        route = prefix + (s[1:] if prefix and s.startswith("^") else s)
        if isinstance(p, URLResolver):
            walk(p.url_patterns, route, ns + ([p.namespace] if p.namespace else []))
            continue
        if "(?P<format>" in route:
            continue
        f = p.callback
        # module.qualname of what Django wraps (as groundtruth.py names it):
        # the class of an as_view() function, the class of a callable
        # instance, else the function under its decorators.
        cls = getattr(f, "view_class", None) or getattr(f, "cls", None)
        if cls is not None:
            q = cls.__qualname__
            view = cls.__module__ + "." + (cls.__name__ if "<locals>" in q or q.rpartition(".")[2] != cls.__name__ else q)
        elif not hasattr(f, "__name__"):
            view = type(f).__module__ + "." + type(f).__qualname__
        else:
            seen = set()
            while hasattr(f, "__wrapped__") and id(f) not in seen:
                seen.add(id(f))
                f = f.__wrapped__
            view = f.__module__ + "." + f.__qualname__
        out.append([route, view, ":".join(ns + [p.name]) if p.name else ""])
walk(get_resolver().url_patterns, "", [])
json.dump(out, sys.stdout)
`

// TestFixturesAgainstDjango checks this package's fixture projects against
// Django itself: same routes, views and names, in resolver order.
func TestFixturesAgainstDjango(t *testing.T) {
	python := testenv.Django(t)
	for _, name := range []string{"basic", "drf", "legacy"} {
		t.Run(name, func(t *testing.T) {
			root, err := filepath.Abs(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, "-c", resolverScript, root)
			cmd.Env = []string{"PYTHONDONTWRITEBYTECODE=1", "LANG=C.UTF-8", "PATH=" + os.Getenv("PATH")}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("django resolver script: %v\n%s", err, stderr.String())
			}
			var want [][3]string
			if err := json.Unmarshal(stdout.Bytes(), &want); err != nil {
				t.Fatalf("resolver output: %v\n%s", err, stdout.String())
			}
			p, err := Discover(root)
			if err != nil {
				t.Fatal(err)
			}
			got := make([][3]string, 0, len(p.Routes))
			for _, r := range p.Routes {
				got = append(got, [3]string{r.Route, r.View, r.Name})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("routes differ from Django's (-django +discovered):\n%s", diff)
			}
			for _, r := range p.Routes {
				if strings.Contains(r.Path, "{proxy+}") && !strings.ContainsAny(r.Route, `^$\(`) && !strings.Contains(r.Route, "<path:") {
					t.Errorf("path() route %q fell back to %s", r.Route, r.Path)
				}
			}
		})
	}
}
