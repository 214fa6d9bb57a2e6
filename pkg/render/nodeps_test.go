package render

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// depsCase is a plan rendered without a dependencies layer; withDeps are
// the same artifacts plus one.
type depsCase struct {
	name     string
	pl       *plan.Plan
	withDeps Artifacts
	out      *Output // rendered without deps
}

func (c depsCase) noDeps() Artifacts {
	a := c.withDeps
	a.Deps = Artifact{}
	return a
}

func newDepsCase(t testing.TB, name string, pl *plan.Plan, a Artifacts) depsCase {
	t.Helper()
	c := depsCase{name: name, pl: pl, withDeps: a}
	c.out = mustRender(t, pl, c.noDeps())
	return c
}

// noDepsSharded is a project whose functions need two or more lambdas
// stacks, rendered without a dependencies layer.
func noDepsSharded(t testing.TB) depsCase {
	t.Helper()
	pl := mustPlan(t, bigProject(150), shopConfig("dev", "route", "rest"))
	if pl.LambdaShards < 2 {
		t.Fatalf("%d functions fit %d lambdas stack(s), want a sharded plan", len(pl.Functions), pl.LambdaShards)
	}
	return newDepsCase(t, "sharded", pl, testArtifacts("big"))
}

func depsCases(t *testing.T) []depsCase {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	return []depsCase{
		newDepsCase(t, "single", mustPlan(t, shopProject(), shopConfig("dev", "route", "rest")), a),
		newDepsCase(t, "sharded", noDepsSharded(t).pl, testArtifacts("big")),
	}
}

func lambdasTemplates(out *Output) []Template {
	var ts []Template
	for _, tp := range out.Templates {
		if strings.HasPrefix(tp.Name, "lambdas") {
			ts = append(ts, tp)
		}
	}
	return ts
}

// layersOf returns each function's Layers (the !Ref targets) by logical ID.
func layersOf(t *testing.T, d doc) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for id, r := range d.Resources {
		if r["Type"] != "AWS::Lambda::Function" {
			continue
		}
		ls, ok := props(r)["Layers"].([]any)
		if !ok {
			t.Fatalf("%s: Layers %T", id, props(r)["Layers"])
		}
		for _, l := range ls {
			s, _ := l.(string)
			out[id] = append(out[id], s)
		}
	}
	return out
}

func TestNoDepsLayer(t *testing.T) {
	for _, c := range depsCases(t) {
		t.Run(c.name, func(t *testing.T) {
			out := c.out
			checkWiring(t, out, c.withDeps.Prefix)
			assertLimits(t, out)
			for _, tp := range out.Templates {
				if bytes.Contains(tp.Body, []byte("DepsLayer")) || bytes.Contains(tp.Body, []byte(c.withDeps.Prefix+"/.zip")) {
					t.Errorf("%s refers to a dependencies layer that does not exist", tp.Name)
				}
			}
			ls := lambdasTemplates(out)
			if len(ls) != c.pl.LambdaShards {
				t.Fatalf("%d lambdas templates, want %d", len(ls), c.pl.LambdaShards)
			}
			functions := 0
			for i, tp := range ls {
				d := parse(t, tp)
				var layerIDs []string
				for id, r := range d.Resources {
					if r["Type"] == "AWS::Lambda::LayerVersion" {
						layerIDs = append(layerIDs, id)
					}
				}
				slices.Sort(layerIDs)
				wantLayers, wantParams, wantOutputs := []string{"ProjectLayer", "RuntimeLayer"}, []string{"ArtifactsBucket"}, []string(nil)
				if i > 0 {
					wantLayers = []string{"ProjectLayerArn", "RuntimeLayerArn"}
					wantParams = []string{"ArtifactsBucket", "ProjectLayerArn", "RuntimeLayerArn"}
				} else if c.pl.LambdaShards > 1 {
					wantOutputs = []string{"ProjectLayerArn", "RuntimeLayerArn"}
				}
				if i == 0 && !slices.Equal(layerIDs, []string{"ProjectLayer", "RuntimeLayer"}) || i > 0 && len(layerIDs) > 0 {
					t.Errorf("%s: layer resources %v", tp.Name, layerIDs)
				}
				if got := keys(d.Parameters); !slices.Equal(got, wantParams) {
					t.Errorf("%s: parameters %v, want %v", tp.Name, got, wantParams)
				}
				if got := keys(d.Outputs); !slices.Equal(got, wantOutputs) {
					t.Errorf("%s: outputs %v, want %v", tp.Name, got, wantOutputs)
				}
				for id, got := range layersOf(t, d) {
					functions++
					if !slices.Equal(got, wantLayers) {
						t.Errorf("%s: %s layers %v, want %v", tp.Name, id, got, wantLayers)
					}
				}
				// Each function has one version, which its alias publishes.
				for id, r := range d.Resources {
					if r["Type"] != "AWS::Lambda::Alias" {
						continue
					}
					fn := strings.TrimSuffix(id, "Alias")
					v, _ := props(r)["FunctionVersion"].(string)
					vid := strings.TrimSuffix(v, ".Version")
					if !strings.HasPrefix(vid, fn+"Version") || d.Resources[vid]["Type"] != "AWS::Lambda::Version" {
						t.Errorf("%s: %s publishes %q", tp.Name, id, v)
					}
				}
			}
			if functions != len(c.pl.Functions) {
				t.Errorf("%d functions rendered, want %d", functions, len(c.pl.Functions))
			}
			again := mustRender(t, c.pl, c.noDeps())
			for i := range out.Templates {
				if !bytes.Equal(out.Templates[i].Body, again.Templates[i].Body) {
					t.Errorf("%s differs between renders", out.Templates[i].Name)
				}
			}
		})
	}
}

// versionIDs maps each function (by its Function resource ID) to its
// Version resource ID across the lambdas templates.
func versionIDs(t *testing.T, out *Output) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, tp := range lambdasTemplates(out) {
		for id, r := range parse(t, tp).Resources {
			if r["Type"] == "AWS::Lambda::Alias" {
				v, _ := props(r)["FunctionVersion"].(string)
				ids[strings.TrimSuffix(id, "Alias")+"Function"] = strings.TrimSuffix(v, ".Version")
			}
		}
	}
	return ids
}

// TestAddDepsLayerLater: a project that gains requirements keeps every
// function, API resource and stack; only the layer wiring and the
// functions' Version IDs (a new version is published) change.
func TestAddDepsLayerLater(t *testing.T) {
	for _, c := range depsCases(t) {
		t.Run(c.name, func(t *testing.T) {
			before, after := c.out, mustRender(t, c.pl, c.withDeps)
			var names, afterNames []string
			for _, tp := range before.Templates {
				names = append(names, tp.Name)
			}
			for _, tp := range after.Templates {
				afterNames = append(afterNames, tp.Name)
			}
			if !slices.Equal(names, afterNames) {
				t.Fatalf("templates %v became %v", names, afterNames)
			}
			vBefore, vAfter := versionIDs(t, before), versionIDs(t, after)
			if len(vBefore) != len(c.pl.Functions) || !slices.Equal(keys(vBefore), keys(vAfter)) {
				t.Fatalf("functions %v became %v", keys(vBefore), keys(vAfter))
			}
			for fn, v := range vBefore {
				if vAfter[fn] == v {
					t.Errorf("%s keeps version %s: adding the deps layer publishes no new version", fn, v)
				}
			}
			isVersion := func(id string) bool {
				return slices.Contains(slices.Collect(maps.Values(vBefore)), id) || slices.Contains(slices.Collect(maps.Values(vAfter)), id)
			}
			for i := range before.Templates {
				tb, ta := before.Templates[i], after.Templates[i]
				if !strings.HasPrefix(tb.Name, "lambdas") && tb.Name != "root.yaml" && tb.Name != ManageTemplateName {
					if !bytes.Equal(tb.Body, ta.Body) {
						t.Errorf("%s changed when a deps layer was added", tb.Name)
					}
					continue
				}
				db, da := parse(t, tb), parse(t, ta)
				for id := range db.Resources {
					manageVersion := tb.Name == ManageTemplateName && strings.HasPrefix(id, "DjangoManageVersion")
					if _, ok := da.Resources[id]; !ok && !isVersion(id) && !manageVersion {
						t.Errorf("%s: %s disappeared", tb.Name, id)
					}
				}
				for id := range da.Resources {
					manage := tb.Name == ManageTemplateName && (strings.HasPrefix(id, "DjangoManageVersion") || id == "DepsLayer")
					if _, ok := db.Resources[id]; !ok && !isVersion(id) && !(i == 0 && id == "DepsLayer") && !manage {
						t.Errorf("%s: %s appeared", tb.Name, id)
					}
				}
				// Resources kept: identical but for the layers a function
				// lists, the version its alias points at and the
				// templates (and layer ARNs) nested stacks get.
				for id, rb := range db.Resources {
					ra, ok := da.Resources[id]
					if !ok {
						continue
					}
					if diff := cmp.Diff(withoutLayerWiring(rb), withoutLayerWiring(ra)); diff != "" {
						t.Errorf("%s: %s changed beyond its layers and version (-before +after):\n%s", tb.Name, id, diff)
					}
				}
				if strings.HasPrefix(tb.Name, "lambdas") {
					wantParams, wantOutputs := keys(db.Parameters), keys(db.Outputs)
					prefix := ""
					if i > 0 {
						wantParams = append(wantParams, "DepsLayerArn")
						prefix = "Arn"
					} else if c.pl.LambdaShards > 1 {
						wantOutputs = append(wantOutputs, "DepsLayerArn")
					}
					slices.Sort(wantParams)
					slices.Sort(wantOutputs)
					if got := keys(da.Parameters); !slices.Equal(got, wantParams) {
						t.Errorf("%s: parameters %v, want %v", tb.Name, got, wantParams)
					}
					if got := keys(da.Outputs); !slices.Equal(got, wantOutputs) {
						t.Errorf("%s: outputs %v, want %v", tb.Name, got, wantOutputs)
					}
					lb, la := layersOf(t, db), layersOf(t, da)
					for fn, l := range lb {
						if want := append([]string{"DepsLayer" + prefix}, l...); !slices.Equal(la[fn], want) {
							t.Errorf("%s: %s layers %v, want %v", tb.Name, fn, la[fn], want)
						}
					}
				}
			}
			// Nested stacks of the root: lambdas shards gain exactly the
			// DepsLayerArn parameter.
			rb, ra := parse(t, *before.Template("root.yaml")), parse(t, *after.Template("root.yaml"))
			for id, r := range rb.Resources {
				pb, _ := props(r)["Parameters"].(map[string]any)
				pa, _ := props(ra.Resources[id])["Parameters"].(map[string]any)
				want := keys(pb)
				if strings.HasPrefix(id, "Lambdas") && id != "LambdasStack" {
					want = append(want, "DepsLayerArn")
					slices.Sort(want)
					if pa["DepsLayerArn"] != "LambdasStack.Outputs.DepsLayerArn" {
						t.Errorf("root: %s gets DepsLayerArn %v", id, pa["DepsLayerArn"])
					}
				}
				if got := keys(pa); !slices.Equal(got, want) {
					t.Errorf("root: %s parameters %v, want %v", id, got, want)
				}
			}
		})
	}
}

// withoutLayerWiring drops what adding a layer may change in a kept
// resource: a function's Layers, an alias's FunctionVersion and a nested
// stack's TemplateURL and Parameters (checked separately).
func withoutLayerWiring(r map[string]any) map[string]any {
	p := maps.Clone(props(r))
	switch r["Type"] {
	case "AWS::Lambda::Function":
		delete(p, "Layers")
	case "AWS::Lambda::Alias":
		delete(p, "FunctionVersion")
	case "AWS::CloudFormation::Stack":
		delete(p, "TemplateURL")
		delete(p, "Parameters")
	}
	c := maps.Clone(r)
	c["Properties"] = p
	return c
}
