package deploytest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/render"
)

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// renderShop renders testdata/django/shop (the bundled example) for dev
// with the given code artifact.
func renderShop(t *testing.T, code string) *render.Output {
	t.Helper()
	p, err := django.Discover(filepath.Join("..", "..", "testdata", "django", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Default().Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	c.Project = "shop" // the world's project (the default would be "src", the folder holding manage.py)
	pl, _, err := plan.New(p, c, plan.Options{Account: "123456789012", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	a := render.Artifacts{Prefix: pl.Project,
		Deps:    render.Artifact{SHA256: sha("deps"), Size: 1000},
		Project: render.Artifact{SHA256: sha("project"), Size: 200},
		Runtime: render.Artifact{SHA256: sha("runtime"), Size: 50},
		Code:    render.Artifact{SHA256: sha(code), Size: 10},
	}
	if sdl, err := os.ReadFile(filepath.Join(p.Root, "schema.graphql")); err == nil {
		a.GraphQLSDL = string(sdl)
	}
	out, err := render.Render(pl, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The bundled example's rendered templates deploy through the fake, and
// a code change deploys as an update.
func TestRenderedProjectDeploysAndUpdates(t *testing.T) {
	w := New(t, Options{})
	ctx := context.Background()
	first := renderShop(t, "code-1")
	res, err := w.Deploy(ctx, FromRender(first, "shop"))
	if err != nil || res.Status != "CREATE_COMPLETE" {
		t.Fatalf("first deploy: %v %v\n%s", res.Status, err, w.Log)
	}
	second := renderShop(t, "code-2")
	res, err = w.Deploy(ctx, FromRender(second, "shop"))
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("second deploy: %v %v\n%s", res.Status, err, w.Log)
	}
	// A code change publishes new versions and drops the old ones: routine
	// churn, counted apart, not a risky removal.
	if res.Totals.Add == 0 || res.Totals.Routine == 0 || res.Totals.Remove != 0 || res.Totals.Replace != 0 {
		t.Errorf("a code change adds versions and drops the old ones as routine churn: %+v\n%s", res.Totals, w.Log)
	}
	// Same templates again: no changes.
	res, err = w.Deploy(ctx, FromRender(second, "shop"))
	if err != nil || res.HasChanges {
		t.Fatalf("third deploy: %+v %v\n%s", res, err, w.Log)
	}
	if !strings.Contains(w.Log.String(), "no changes for stack shop-dev") {
		t.Errorf("log:\n%s", w.Log)
	}
	// The same templates from another commit and run: nothing changes. The
	// commit and run go into the change set's description; a stack tag
	// would propagate to every taggable resource and modify them all.
	v := FromRender(second, "shop")
	v.Commit = strings.Repeat("ab", 20)
	res, err = w.Plan(ctx, v)
	if err != nil || res.HasChanges {
		t.Fatalf("new commit: %+v %v\n%s", res.Totals, err, w.Log)
	}
}

// growthVersion is the hand-written sharded API of internal/cfnfake's
// growth test: shard1 and shard2 name the templates of the two nested
// stacks holding the routes.
func growthVersion(t *testing.T, shard1, shard2 string) Version {
	t.Helper()
	dir := filepath.Join("..", "cfnfake", "testdata", "growth")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	root := strings.NewReplacer("SHARD1", shard1, "SHARD2", shard2).Replace(string(read("root.yaml")))
	key := "shop/templates/growth/root-" + sha(root)[:12] + ".yaml"
	return Version{Root: key, Objects: map[string][]byte{
		key:                              []byte(root),
		"shop/templates/growth/api.yaml": read("api.yaml"),
		"shop/templates/growth/shard-catalog.yaml": read("shard-catalog.yaml"),
		"shop/templates/growth/shard-orders.yaml":  read("shard-orders.yaml"),
	}}
}

// Sequence through the Deployer: routes moving between nested stacks fail
// the second deploy with API Gateway's conflict as the root cause, and the
// stack rolls back to the first version.
func TestSequenceGrowthFailure(t *testing.T) {
	w := New(t, Options{})
	results, err := w.Sequence(context.Background(),
		growthVersion(t, "shard-catalog.yaml", "shard-orders.yaml"),
		growthVersion(t, "shard-orders.yaml", "shard-catalog.yaml"))
	if err == nil || len(results) != 2 || results[0].Status != "CREATE_COMPLETE" || results[1].Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("sequence: %v\n%s", err, w.Log)
	}
	if rc := results[1].RootCause; !strings.Contains(rc, "Another resource with the same parent already has this name") &&
		!strings.Contains(rc, "Only one resolver is allowed per field") {
		t.Errorf("root cause = %q\n%s", rc, w.Log)
	}
	if !strings.Contains(err.Error(), "deploy 2 of 2:") {
		t.Errorf("error = %v", err)
	}
}
