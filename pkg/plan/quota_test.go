package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// synthRoutes are n routes over n/10 apps in the shapes of the synthetic
// benchmark project (bench/discover/synth): a list, a detail with a
// parameter, a page by slug, a two-parameter archive and a static page,
// every app under a group prefix.
func synthRoutes(n int) []django.Route {
	var out []django.Route
	for i := range n {
		a := i / 10
		app := fmt.Sprintf("app%03d", a)
		prefix := fmt.Sprintf("/g%02d/%s", a/10, app)
		if a%2 == 1 {
			prefix = fmt.Sprintf("/g%02d/a%03d", a/10, a)
		}
		var p string
		switch i % 5 {
		case 0:
			p = fmt.Sprintf("%s/items%d/", prefix, i%10)
		case 1:
			p = fmt.Sprintf("%s/items%d/{pk}/", prefix, i%10)
		case 2:
			p = fmt.Sprintf("%s/pages%d/{slug}/", prefix, i%10)
		case 3:
			p = fmt.Sprintf("%s/archive%d/{year}/{month}/", prefix, i%10)
		case 4:
			p = fmt.Sprintf("%s/about%d/", prefix, i%10)
		}
		out = append(out, django.Route{Path: p, Name: fmt.Sprintf("%s:r%d", app, i%10), View: fmt.Sprintf("apps.%s.views.v%d", app, i%10),
			Methods: []string{"GET"}, Source: fmt.Sprintf("apps/%s/urls.py:%d", app, 10+i%10), App: app})
	}
	return out
}

func quotaCfg(api string) *config.Config {
	c := cfg("dev", "route")
	c.API.Type = api
	return c
}

// TestQuotas400Routes: 400 routes as one function per route need 801
// REST resources (and 401 HTTP integrations): over API Gateway's
// quotas, the plan merges as few apps as needed, says which, and the
// result is within every quota.
func TestQuotas400Routes(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		t.Run(api, func(t *testing.T) {
			pl, diags := mustNew(t, project(synthRoutes(400)...), quotaCfg(api))
			s := pl.APIStats
			if api == "rest" && (s.Resources > 300 || s.Resources < 2) || api == "http" && (s.Routes > 300 || s.Integrations > 300) {
				t.Errorf("over a quota: %+v", s)
			}
			if len(s.Merged) == 0 || len(s.Merged) == 40 || len(s.ToDefault) != 0 {
				t.Errorf("merged %v: want some apps, not all", s.Merged)
			}
			var warned bool
			for _, d := range diags {
				if d.Severity == diag.Warning && strings.Contains(d.Message, "served by one function per app: ") && strings.Contains(d.Message, s.Merged[0]) {
					warned = true
				}
			}
			if !warned {
				t.Errorf("no warning naming the merged apps: %v", diags)
			}
			// Every route still reaches a function, and the apps not
			// merged keep one function per route.
			perRoute := 0
			for _, f := range pl.Functions {
				if strings.HasPrefix(f.Name, "App") && strings.Contains(f.Name, "R") {
					perRoute++
				}
			}
			if perRoute == 0 || len(pl.Functions) > 300 {
				t.Errorf("%d functions, %d per route", len(pl.Functions), perRoute)
			}
			for _, r := range pl.Routes {
				if pl.Function(r.Function) == nil {
					t.Errorf("route %s reaches %s, which is not planned", r.Route.Path, r.Function)
				}
			}
			t.Logf("%s: %d functions (%d per route), %d apps merged, stats %+v", api, len(pl.Functions), perRoute, len(s.Merged), s)
		})
	}
}

// TestQuotas2000Routes: 2,000 routes render deployably (merged) or, with
// merging refused, stop with one error naming the quota.
func TestQuotas2000Routes(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		pl, _ := mustNew(t, project(synthRoutes(2000)...), quotaCfg(api))
		s := pl.APIStats
		if api == "rest" && s.Resources > s.ResourceQuota || api == "http" && (s.Routes > s.RouteQuota || s.Integrations > s.IntegrationQuota) {
			t.Errorf("%s: over a quota: %+v", api, s)
		}
		t.Logf("%s: %d functions, %d apps merged, stats %+v", api, len(pl.Functions), len(s.Merged), s)

		c := quotaCfg(api)
		c.API.MergeFunctions = ptr(false)
		_, diags, err := New(project(synthRoutes(2000)...), c, Options{})
		errs := diags.Errors()
		if err == nil || len(errs) != 1 {
			t.Fatalf("%s: err %v, errors %v: want exactly one", api, err, errs)
		}
		want := "REST API needs 3822 resources, over API Gateway's quota of 300 resources per API (api.quotas.resources; adjustable on request)"
		if api == "http" {
			want = "HTTP API needs 2001 integrations (one per function), over API Gateway's quota of 300 integrations per API (not adjustable)"
		}
		if !strings.Contains(errs[0].Message, want) {
			t.Errorf("%s: error %q does not say %q", api, errs[0].Message, want)
		}
	}
}

// TestQuotaRaised: an account with a raised quota keeps one function per
// route; a quota that cannot be raised still applies.
func TestQuotaRaised(t *testing.T) {
	c := quotaCfg("rest")
	c.API.Quotas.Resources = 1000
	pl, diags := mustNew(t, project(synthRoutes(400)...), c)
	if len(pl.APIStats.Merged) != 0 || len(pl.Functions) != 401 || pl.APIStats.ResourceQuota != 1000 || len(diags) != 0 {
		t.Errorf("raised quota: %d functions, stats %+v, diags %v", len(pl.Functions), pl.APIStats, diags)
	}
	c = quotaCfg("http")
	c.API.Quotas.Routes = 1000
	pl, _ = mustNew(t, project(synthRoutes(400)...), c)
	if s := pl.APIStats; s.Integrations > HTTPIntegrations || len(s.Merged) == 0 {
		t.Errorf("HTTP integrations are not adjustable: %+v", s)
	}
}

// TestQuotaGreedyPaths: routes sharing one function under a path are
// served through one greedy path when that is what fits, before any
// function is merged.
func TestQuotaGreedyPaths(t *testing.T) {
	var routes []django.Route
	for i := range 400 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/shop/item%d/{pk}/", i), Name: fmt.Sprintf("item%d", i), App: "shop", Source: "shop/urls.py:1"})
	}
	c := cfg("dev", "app")
	pl, diags := mustNew(t, project(routes...), c)
	want := map[string]string{"/": "Default", "/shop": "Default", "/shop/{proxy+}": "Shop", "/{proxy+}": "Default"}
	if got := apiMap(pl); fmt.Sprint(got) != fmt.Sprint(want) || pl.APIStats.Greedy != 1 || len(pl.APIStats.Merged) != 0 {
		t.Errorf("API %v, stats %+v", got, pl.APIStats)
	}
	if len(diags) != 1 || diags[0].Severity != diag.Note || !strings.Contains(diags[0].Message, "1 greedy paths ({proxy+})") {
		t.Errorf("diags %v", diags)
	}
	for _, r := range pl.Routes {
		if r.Function != "Shop" {
			t.Errorf("route %s reaches %s", r.Route.Path, r.Function)
		}
	}
}

// TestQuotaMergeEverything: routes with no app and no shared prefix can
// only be merged into the default function.
func TestQuotaMergeEverything(t *testing.T) {
	var routes []django.Route
	for i := range 350 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/page%d/", i), Name: fmt.Sprintf("page%d", i), Source: "urls.py:1"})
	}
	pl, diags := mustNew(t, project(routes...), cfg("dev", "route"))
	if got := apiMap(pl); len(got) != 2 || len(pl.Functions) != 1 || fmt.Sprint(pl.APIStats.ToDefault) != "[*]" {
		t.Errorf("API %v, functions %v, stats %+v", got, functionNames(pl), pl.APIStats)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "every route is served by the default function") {
		t.Errorf("diags %v", diags)
	}
}

// BenchmarkPlan2000 plans the 2,000-route synthetic project, whose API
// must be merged to fit API Gateway's quotas (the layout is searched).
func BenchmarkPlan2000(b *testing.B) {
	routes := synthRoutes(2000)
	for _, api := range []string{"rest", "http"} {
		b.Run(api, func(b *testing.B) {
			c := quotaCfg(api)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := New(project(routes...), c, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// When only the routes of no app have to go to the default function, the
// warning says so, without an empty list of apps (seen on kitsune:
// "except those of 0 app(s) ()").
func TestQuotaOnlyRoutesOfNoAppToDefault(t *testing.T) {
	var routes []django.Route
	for _, app := range []string{"shop", "blog"} {
		for i := range 5 {
			routes = append(routes, django.Route{Path: fmt.Sprintf("/%s/p%d/", app, i), Name: fmt.Sprintf("%s%d", app, i), App: app, Source: app + "/urls.py:1"})
		}
	}
	for i := range 320 {
		routes = append(routes, django.Route{Path: fmt.Sprintf("/page%d/", i), Name: fmt.Sprintf("page%d", i), Source: "urls.py:1"})
	}
	_, diags := mustNew(t, project(routes...), cfg("dev", "route"))
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Message)
	}
	got := strings.Join(msgs, "\n")
	if !strings.Contains(got, "except those of no app, served by the default function") || strings.Contains(got, "0 app(s)") {
		t.Errorf("diags:\n%s", got)
	}
}
