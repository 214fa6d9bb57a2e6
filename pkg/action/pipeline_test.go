package action_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/openapi"
)

// examples are the example projects of testdata/django.
var examples = []string{"tutorial", "shop", "legacy"}

func repoRoot(t testing.TB) string {
	t.Helper()
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func exampleDir(t testing.TB, name string) string {
	return filepath.Join(repoRoot(t), "testdata", "django", name)
}

// copyTree copies src to dst (regular files only, __pycache__ left out).
// reverse creates the files in reverse lexical order, and every file and
// folder gets the mtime base + i minutes, so a copy differs from its source
// in everything a careless zip would record.
func copyTree(t testing.TB, src, dst string, reverse bool, base time.Time) {
	t.Helper()
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(src, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if reverse {
		for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
			files[i], files[j] = files[j], files[i]
		}
	}
	dirs := map[string]bool{}
	for i, rel := range files {
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(filepath.Join(src, rel))
		out := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		dirs[filepath.Dir(out)] = true
		if err := os.WriteFile(out, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(out, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	for d := range dirs {
		os.Chtimes(d, base, base)
	}
}

// writeConfig writes a django-serverless.yml into a temporary folder and
// returns its path.
func writeConfig(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "django-serverless.yml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// build runs the offline pipeline with the dependencies layer referenced
// by its input hash (nothing installed: no package index here).
func build(t testing.TB, dir, config, env string) *action.Build {
	t.Helper()
	b, err := action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: dir, ConfigFile: config, Environment: env, WorkDir: t.TempDir(),
		Deps: &action.PipDeps{Install: false, CacheDir: t.TempDir(), ToolVersion: cli.Version},
	})
	if err != nil {
		t.Fatalf("build %s (%s, config %s): %v", dir, env, config, err)
	}
	return b
}

func templates(b *action.Build) map[string][]byte {
	m := map[string][]byte{}
	for _, t := range b.Output.Templates {
		m[t.Name] = t.Body
	}
	return m
}

// zips returns each built zip's bytes by artifact name, read back from
// disk, checking the recorded sha256 against them.
func zips(t testing.TB, b *action.Build) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, z := range b.Zips {
		data := z.Bytes
		if z.Path != "" {
			var err error
			if data, err = os.ReadFile(z.Path); err != nil {
				t.Fatal(err)
			}
		}
		if got := sha256Hex(data); got != z.SHA256 {
			t.Errorf("%s: recorded sha256 %s, bytes hash to %s", z.Name, z.SHA256, got)
		}
		m[z.Name] = data
	}
	return m
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// resource is a CloudFormation resource as parsed back from a template.
type resource struct {
	Type       string `yaml:"Type"`
	Properties any    `yaml:"Properties"`
	DependsOn  any    `yaml:"DependsOn"`
}

type cfnTemplate struct {
	Resources map[string]resource `yaml:"Resources"`
	Outputs   map[string]any      `yaml:"Outputs"`
}

func parseTemplate(t testing.TB, name string, body []byte) cfnTemplate {
	t.Helper()
	var tpl cfnTemplate
	if err := yaml.Unmarshal(body, &tpl); err != nil {
		t.Fatalf("%s does not parse back: %v", name, err)
	}
	if len(tpl.Resources) == 0 {
		t.Fatalf("%s has no resources", name)
	}
	return tpl
}

// The cfn-lint quality gate: every template of every example project, for
// dev, prod and pr-7, every granularity, REST and HTTP APIs, parsed back and
// linted with no error and no warning. All variants are rendered first and
// linted by one cfn-lint process (its start-up dominates).
func TestCfnLintEveryVariant(t *testing.T) {
	lint := testenv.CfnLint(t)
	dir := t.TempDir()
	seen := map[string]string{} // template sha -> file written
	var files []string
	variants := 0
	for _, proj := range examples {
		for _, gran := range []string{"route", "app", "project"} {
			for _, api := range []string{"rest", "http"} {
				cfg := writeConfig(t, fmt.Sprintf("functions:\n  granularity: %s\napi:\n  type: %s\n", gran, api))
				for _, env := range []string{"dev", "prod", "pr-7"} {
					b := build(t, exampleDir(t, proj), cfg, env)
					variants++
					if len(b.Plan.Functions) == 0 {
						t.Errorf("%s %s %s %s: no functions", proj, env, gran, api)
					}
					names := map[string]bool{}
					for _, tpl := range b.Output.Templates {
						names[tpl.Name] = true
						parseTemplate(t, proj+"/"+tpl.Name, tpl.Body)
						if sha256Hex(tpl.Body) != tpl.SHA256 {
							t.Errorf("%s %s: recorded sha256 differs from the body's", proj, tpl.Name)
						}
						if _, ok := seen[tpl.SHA256]; ok {
							continue
						}
						f := filepath.Join(dir, fmt.Sprintf("%s-%s-%s-%s-%s", proj, env, gran, api, tpl.Name))
						if err := os.WriteFile(f, tpl.Body, 0o644); err != nil {
							t.Fatal(err)
						}
						seen[tpl.SHA256] = f
						files = append(files, f)
					}
					for _, want := range []string{"root.yaml", "lambdas.yaml", "api.yaml"} {
						if !names[want] {
							t.Errorf("%s %s %s %s: no %s rendered", proj, env, gran, api, want)
						}
					}
					if last := b.Output.Templates[len(b.Output.Templates)-1].Name; last != "root.yaml" {
						t.Errorf("%s %s %s %s: last template is %s, want root.yaml (children first)", proj, env, gran, api, last)
					}
				}
			}
		}
	}
	if variants != 54 {
		t.Fatalf("rendered %d variants, want 54", variants)
	}
	// A project without requirements has no dependencies layer.
	noReq := noRequirementsCopy(t)
	for _, v := range [][2]string{{"route", "rest"}, {"project", "http"}} {
		cfg := writeConfig(t, fmt.Sprintf("functions:\n  granularity: %s\napi:\n  type: %s\n", v[0], v[1]))
		b := build(t, noReq, cfg, "dev")
		for _, tpl := range b.Output.Templates {
			parseTemplate(t, "no-requirements/"+tpl.Name, tpl.Body)
			if _, ok := seen[tpl.SHA256]; ok {
				continue
			}
			f := filepath.Join(dir, fmt.Sprintf("norequirements-dev-%s-%s-%s", v[0], v[1], tpl.Name))
			if err := os.WriteFile(f, tpl.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			seen[tpl.SHA256] = f
			files = append(files, f)
		}
	}
	t.Logf("linting %d distinct templates of %d variants", len(files), variants)
	// Two processes (the machines have two cores), each on half the files.
	type result struct {
		out, stderr bytes.Buffer
		err         error
	}
	results := make([]*result, 2)
	var wg sync.WaitGroup
	for i := range results {
		r := &result{}
		results[i] = r
		var part []string
		for j := i; j < len(files); j += len(results) {
			part = append(part, files[j])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(lint, append([]string{"--format", "parseable", "--"}, part...)...)
			cmd.Stdout, cmd.Stderr = &r.out, &r.stderr
			r.err = cmd.Run()
		}()
	}
	wg.Wait()
	// parseable: FILE:LINE:COL:ENDLINE:ENDCOL:RULE:MESSAGE
	line := regexp.MustCompile(`^(.+?):(\d+):(\d+):(\d+):(\d+):([EWI]\d+):(.*)$`)
	for _, r := range results {
		problems := 0
		sc := bufio.NewScanner(&r.out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			m := line.FindStringSubmatch(sc.Text())
			if m == nil {
				t.Errorf("cfn-lint: unexpected output line %q", sc.Text())
				continue
			}
			if strings.HasPrefix(m[6], "I") {
				t.Logf("cfn-lint info: %s", sc.Text())
				continue
			}
			problems++
			t.Errorf("cfn-lint: %s", sc.Text())
		}
		var ee *exec.ExitError
		switch {
		case r.err == nil:
		case errors.As(r.err, &ee) && ee.ExitCode()&^8 == 0:
			// informational findings only
		case errors.As(r.err, &ee) && problems > 0 && ee.ExitCode()&1 == 0:
			// reported above
		default:
			t.Errorf("cfn-lint failed: %v\n%s", r.err, r.stderr.String())
		}
	}
}

// Rendering twice, and rendering a copy of the project whose files were
// created in another order with other mtimes, gives identical bytes.
func TestDeterministicBytes(t *testing.T) {
	for _, proj := range examples {
		t.Run(proj, func(t *testing.T) {
			src := exampleDir(t, proj)
			a := build(t, src, "", "pr-7")
			b := build(t, src, "", "pr-7")
			cp := filepath.Join(t.TempDir(), "checkout", proj)
			copyTree(t, src, cp, true, time.Date(2003, 7, 1, 12, 0, 0, 0, time.UTC))
			c := build(t, cp, "", "pr-7")

			ta, za := templates(a), zips(t, a)
			if len(ta) < 3 || len(za) != 3 {
				t.Fatalf("got %d templates and %d zips", len(ta), len(za))
			}
			for label, other := range map[string]*action.Build{"second render": b, "fresh copy": c} {
				to, zo := templates(other), zips(t, other)
				if diff := diffBytes(ta, to); diff != "" {
					t.Errorf("%s: templates differ: %s", label, diff)
				}
				if diff := diffBytes(za, zo); diff != "" {
					t.Errorf("%s: zips differ: %s", label, diff)
				}
				ma, _ := json.Marshal(a.Manifest())
				mo, _ := json.Marshal(other.Manifest())
				if !bytes.Equal(ma, mo) {
					t.Errorf("%s: manifests differ:\n%s\n%s", label, ma, mo)
				}
			}
		})
	}
}

func diffBytes(a, b map[string][]byte) string {
	var out []string
	for k, v := range a {
		w, ok := b[k]
		switch {
		case !ok:
			out = append(out, k+" missing")
		case !bytes.Equal(v, w):
			out = append(out, fmt.Sprintf("%s (%d vs %d bytes)", k, len(v), len(w)))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k+" extra")
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// renamable are the resource types whose logical ID carries a content hash
// by design: a new version or deployment is a new resource.
var renamable = map[string]bool{
	"AWS::Lambda::Version":          true,
	"AWS::ApiGateway::Deployment":   true,
	"AWS::ApiGatewayV2::Deployment": true,
}

// idChanges compares the resources of two renders of one template.
func idChanges(t *testing.T, name string, before, after []byte) (removed, added, modified []string) {
	t.Helper()
	a, b := parseTemplate(t, name, before), parseTemplate(t, name, after)
	for id, r := range a.Resources {
		nr, ok := b.Resources[id]
		switch {
		case !ok:
			removed = append(removed, id)
		case nr.Type != r.Type:
			t.Errorf("%s: %s changed type %s -> %s", name, id, r.Type, nr.Type)
		default:
			x, _ := json.Marshal(r)
			y, _ := json.Marshal(nr)
			if !bytes.Equal(x, y) {
				modified = append(modified, id)
			}
		}
	}
	for id := range b.Resources {
		if _, ok := a.Resources[id]; !ok {
			added = append(added, id)
		}
	}
	sort.Strings(removed)
	sort.Strings(added)
	sort.Strings(modified)
	return
}

// Changing one view file changes the project layer and the versions only:
// the runtime layer, the handler, the dependencies layer and api.yaml are
// untouched, and no logical ID is renamed except Lambda versions.
func TestViewChangeChangesProjectLayerAndVersionsOnly(t *testing.T) {
	src := exampleDir(t, "tutorial")
	dir := filepath.Join(t.TempDir(), "tutorial")
	copyTree(t, src, dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	before := build(t, dir, "", "dev")

	view := filepath.Join(dir, "polls", "views.py")
	f, err := os.OpenFile(view, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "\n\ndef _helper():\n    return 42\n")
	f.Close()
	after := build(t, dir, "", "dev")

	za, zb := zips(t, before), zips(t, after)
	for name := range za {
		changed := !bytes.Equal(za[name], zb[name])
		if want := name == "project-layer"; changed != want {
			t.Errorf("zip %s changed=%v, want %v", name, changed, want)
		}
	}
	if before.Deps == nil || after.Deps == nil || before.Deps.Hash != after.Deps.Hash {
		t.Errorf("dependencies layer hash changed or missing: %+v -> %+v", before.Deps, after.Deps)
	}

	ta, tb := templates(before), templates(after)
	if !bytes.Equal(ta["api.yaml"], tb["api.yaml"]) {
		removed, added, modified := idChanges(t, "api.yaml", ta["api.yaml"], tb["api.yaml"])
		t.Errorf("api.yaml changed on a view edit: removed %v added %v modified %v", removed, added, modified)
	}
	if bytes.Equal(ta["lambdas.yaml"], tb["lambdas.yaml"]) || bytes.Equal(ta["root.yaml"], tb["root.yaml"]) {
		t.Fatalf("lambdas.yaml or root.yaml unchanged after a view edit")
	}
	removed, added, modified := idChanges(t, "lambdas.yaml", ta["lambdas.yaml"], tb["lambdas.yaml"])
	tplA, tplB := parseTemplate(t, "before", ta["lambdas.yaml"]), parseTemplate(t, "after", tb["lambdas.yaml"])
	versions := 0
	for _, r := range tplA.Resources {
		if r.Type == "AWS::Lambda::Version" {
			versions++
		}
	}
	if len(removed) != versions || len(added) != versions {
		t.Errorf("lambdas.yaml: %d versions, but %d IDs removed and %d added: %v / %v", versions, len(removed), len(added), removed, added)
	}
	for _, id := range removed {
		if r := tplA.Resources[id]; !renamable[r.Type] {
			t.Errorf("lambdas.yaml: %s (%s) renamed or removed by a view edit", id, r.Type)
		}
	}
	for _, id := range added {
		if r := tplB.Resources[id]; !renamable[r.Type] {
			t.Errorf("lambdas.yaml: %s (%s) added by a view edit", id, r.Type)
		}
	}
	// What may change in place: the project layer (new S3 key) and what
	// points at the new versions (aliases, warmer targets, functions'
	// configuration hash).
	layerChanged := false
	for _, id := range modified {
		switch typ := tplA.Resources[id].Type; typ {
		case "AWS::Lambda::LayerVersion":
			x, _ := json.Marshal(tplB.Resources[id].Properties)
			if !strings.Contains(string(x), zipSHA(after, "project-layer")) {
				t.Errorf("layer %s changed but is not the project layer: %s", id, x)
			}
			layerChanged = true
		case "AWS::Lambda::Alias", "AWS::Lambda::Function", "AWS::Scheduler::Schedule", "AWS::Events::Rule":
		default:
			t.Errorf("lambdas.yaml: %s (%s) modified by a view edit", id, typ)
		}
	}
	if !layerChanged {
		t.Errorf("no layer resource changed (modified: %v)", modified)
	}
}

func zipSHA(b *action.Build, name string) string {
	for _, z := range b.Zips {
		if z.Name == name {
			return z.SHA256
		}
	}
	return "no " + name
}

// Adding a route adds resources and renames none (but the versions, whose
// IDs hash the project layer, and the API deployment, which hashes routes).
func TestAddRouteRenamesNothing(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		t.Run(api, func(t *testing.T) {
			cfg := writeConfig(t, "functions:\n  granularity: route\napi:\n  type: "+api+"\n")
			src := exampleDir(t, "tutorial")
			dir := filepath.Join(t.TempDir(), "tutorial")
			copyTree(t, src, dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
			before := build(t, dir, cfg, "dev")

			urls := filepath.Join(dir, "polls", "urls.py")
			data, err := os.ReadFile(urls)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(data), "]\n", "    path(\"<int:question_id>/archive/\", views.detail, name=\"archive\"),\n]\n", 1)
			if edited == string(data) {
				t.Fatal("could not add a route to polls/urls.py")
			}
			if err := os.WriteFile(urls, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			after := build(t, dir, cfg, "dev")
			if len(after.Plan.Routes) != len(before.Plan.Routes)+1 {
				t.Fatalf("routes %d -> %d, want one more", len(before.Plan.Routes), len(after.Plan.Routes))
			}
			ta, tb := templates(before), templates(after)
			for _, name := range []string{"lambdas.yaml", "api.yaml"} {
				removed, added, _ := idChanges(t, name, ta[name], tb[name])
				a, b := parseTemplate(t, name, ta[name]), parseTemplate(t, name, tb[name])
				for _, id := range removed {
					if !renamable[a.Resources[id].Type] {
						t.Errorf("%s: %s (%s) renamed or removed by adding a route", name, id, a.Resources[id].Type)
					}
				}
				grew := 0
				for _, id := range added {
					if !renamable[b.Resources[id].Type] {
						grew++
					}
				}
				if grew == 0 {
					t.Errorf("%s: adding a route added no resource (added %v)", name, added)
				}
			}
		})
	}
}

// render --out through the CLI: templates/, artifacts/ and manifest.json,
// each artifact named by its own sha256 and listed in the manifest.
func TestRenderOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	cache := t.TempDir()
	env := cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		switch k {
		case "DJANGO_SERVERLESS_CACHE":
			return cache
		case "GITHUB_REPOSITORY":
			return "acme/Shop" // the stack is named after the repository
		}
		return ""
	}}
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "shop"), "--env", "pr-7", "--out", out}, env)
	if code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var m action.Manifest
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Stack != "shop-pr-7" || m.Environment != "pr-7" || m.Prefix != "shop" || len(m.Functions) == 0 || len(m.Routes) == 0 {
		t.Errorf("manifest header: stack %q env %q prefix %q, %d functions, %d routes", m.Stack, m.Environment, m.Prefix, len(m.Functions), len(m.Routes))
	}
	listed := map[string]bool{}
	for _, a := range m.Artifacts {
		if !a.Built {
			if a.Name != "deps-layer" || a.InputHash == "" || a.Key != m.Prefix+"/"+a.InputHash+".zip" {
				t.Errorf("unbuilt artifact %+v", a)
			}
			continue
		}
		if a.Key != m.Prefix+"/"+a.SHA256+".zip" {
			t.Errorf("artifact %s key %s is not prefix/sha256.zip", a.Name, a.Key)
		}
		data, err := os.ReadFile(filepath.Join(out, "artifacts", a.SHA256+".zip"))
		if err != nil {
			t.Errorf("artifact %s: %v", a.Name, err)
			continue
		}
		if sha256Hex(data) != a.SHA256 || int64(len(data)) != a.Size {
			t.Errorf("artifact %s: file hashes to %s (%d bytes), manifest says %s (%d)", a.Name, sha256Hex(data), len(data), a.SHA256, a.Size)
		}
		listed[a.SHA256+".zip"] = true
	}
	entries, _ := os.ReadDir(filepath.Join(out, "artifacts"))
	if len(entries) != 3 {
		t.Errorf("artifacts/ holds %d files, want 3 (project, runtime, code)", len(entries))
	}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(out, "artifacts", e.Name()))
		if e.Name() != sha256Hex(data)+".zip" {
			t.Errorf("artifacts/%s: its bytes hash to %s", e.Name(), sha256Hex(data))
		}
		if !listed[e.Name()] {
			t.Errorf("artifacts/%s is not in the manifest", e.Name())
		}
	}
	for _, tpl := range m.Templates {
		data, err := os.ReadFile(filepath.Join(out, "templates", tpl.Name))
		if err != nil {
			t.Errorf("template %s: %v", tpl.Name, err)
			continue
		}
		if sha256Hex(data) != tpl.SHA256 || tpl.Key != "shop/templates/"+tpl.SHA256+".yaml" {
			t.Errorf("template %s: sha %s key %s, file hashes to %s", tpl.Name, tpl.SHA256, tpl.Key, sha256Hex(data))
		}
		parseTemplate(t, tpl.Name, data)
	}
	// The OpenAPI document and the deployment record sit beside templates/,
	// listed with their S3 keys; without --account-id the document names
	// the placeholder account, and the manifest says so.
	doc, err := os.ReadFile(filepath.Join(out, action.OpenAPIFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.API.Document.Name != "openapi.json" || m.API.Document.SHA256 != sha256Hex(doc) || m.API.Document.Key != "shop/openapi/"+sha256Hex(doc)+".json" || m.API.Document.Size != int64(len(doc)) {
		t.Errorf("manifest api.document %+v", m.API.Document)
	}
	if !m.API.Placeholder || m.API.AccountID != "000000000000" || m.API.Region != "us-east-1" || m.API.Type != "rest" || m.API.Paths == 0 || m.API.Resources == 0 || m.API.ResourceQuota != 300 {
		t.Errorf("manifest api %+v", m.API)
	}
	if !bytes.Contains(doc, []byte("arn:aws:lambda:us-east-1:000000000000:function:shop-pr-7_")) {
		t.Errorf("openapi.json does not name the placeholder account")
	}
	if _, err := openapi.Validate("rest", doc); err != nil {
		t.Errorf("openapi.json: %v", err)
	}
	rec, err := os.ReadFile(filepath.Join(out, action.RecordFile))
	if err != nil || m.Record.SHA256 != sha256Hex(rec) || m.Record.Key != "shop/records/"+sha256Hex(rec)+".json" {
		t.Errorf("record %+v: %v", m.Record, err)
	}
	if !strings.Contains(stderr.String(), "placeholders") {
		t.Errorf("render does not say the account is a placeholder:\n%s", stderr.String())
	}
	// Render again into the same folder: replaced, same bytes.
	stderr.Reset()
	if code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "shop"), "--env", "pr-7", "--out", out}, env); code != cli.ExitOK {
		t.Fatalf("second render: exit %d\n%s", code, stderr.String())
	}
	raw2, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !bytes.Equal(raw, raw2) {
		t.Errorf("second render wrote another manifest")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
}

// A render that fails leaves no output folder, exits 2 and names the
// configuration's file, line and column.
func TestRenderOutConfigError(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	cfg := writeConfig(t, "functions:\n  granularity: per-view\n")
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "tutorial"), "--config", cfg, "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != cli.ExitUsage {
		t.Errorf("exit %d, want %d\n%s", code, cli.ExitUsage, stderr.String())
	}
	if want := cfg + ":2:16:"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("failed render left %v in %s", names, parent)
	}
}

// An existing folder that is not a render output is never replaced.
func TestRenderOutRefusesForeignFolder(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "src")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(out, "precious.py")
	if err := os.WriteFile(keep, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "tutorial"), "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code == cli.ExitOK {
		t.Fatalf("render replaced a foreign folder (exit 0)\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "not a render output") {
		t.Errorf("stderr does not say why:\n%s", stderr.String())
	}
	if data, err := os.ReadFile(keep); err != nil || string(data) != "x = 1\n" {
		t.Errorf("foreign file damaged: %q, %v", data, err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries, want only the foreign folder", len(entries))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("foreign folder holds %d entries, want 1", len(entries))
	}
}

// A file where the output folder should go is not replaced either.
func TestRenderOutRefusesFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(out, []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "tutorial"), "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code == cli.ExitOK {
		t.Errorf("render replaced a file (exit 0)\n%s", stderr.String())
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "notes\n" {
		t.Errorf("file at --out damaged: %q, %v", data, err)
	}
}

// An output folder inside the Django root never enters the project layer:
// rendering into it twice gives the bytes of a render without it.
func TestRenderOutInsideProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tutorial")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	want := zipSHA(build(t, dir, "", "dev"), "project-layer")
	out := filepath.Join(dir, "build")
	for i := 0; i < 2; i++ {
		var stdout, stderr bytes.Buffer
		code := cli.Run(context.Background(), []string{"render", "--project", dir, "--out", out},
			cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
		if code != cli.ExitOK {
			t.Fatalf("render %d: exit %d\n%s", i+1, code, stderr.String())
		}
		if _, err := os.Stat(filepath.Join(out, "artifacts", want+".zip")); err != nil {
			t.Errorf("render %d: project layer is not %s (the output folder entered it?): %v", i+1, want, err)
		}
	}
}

// noRequirementsCopy is the tutorial without its requirements.txt.
func noRequirementsCopy(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tutorial")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := os.Remove(filepath.Join(dir, "requirements.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A project that brings no requirements renders without a dependencies
// layer: none in the manifest, none in lambdas.yaml, nothing pointing at
// one.
func TestNoRequirementsNoDepsLayer(t *testing.T) {
	dir := noRequirementsCopy(t)
	for _, deps := range []action.DepsBuilder{nil, &action.PipDeps{CacheDir: t.TempDir()}} {
		b, err := action.NewBuild(context.Background(), action.BuildOptions{ProjectDir: dir, Environment: "dev", WorkDir: t.TempDir(), Deps: deps})
		if err != nil {
			t.Fatalf("deps %T: %v", deps, err)
		}
		if b.Deps != nil {
			t.Errorf("deps %T: a dependencies layer %+v", deps, b.Deps)
		}
		for _, a := range b.Manifest().Artifacts {
			if a.Name == "deps-layer" {
				t.Errorf("manifest lists %+v", a)
			}
		}
		lambdas := templates(b)["lambdas.yaml"]
		tpl := parseTemplate(t, "lambdas.yaml", lambdas)
		layers := 0
		for id, r := range tpl.Resources {
			if r.Type == "AWS::Lambda::LayerVersion" {
				layers++
				if strings.Contains(id, "Deps") {
					t.Errorf("deps %T: layer %s rendered", deps, id)
				}
			}
		}
		if layers != 2 || bytes.Contains(lambdas, []byte("DepsLayer")) {
			t.Errorf("deps %T: %d layers, DepsLayer mentioned: %v", deps, layers, bytes.Contains(lambdas, []byte("DepsLayer")))
		}
	}
}
