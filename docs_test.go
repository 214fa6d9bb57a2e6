package main

// The README and docs/ are held to the code here: the flags of every
// command, every configuration key the decoder reads, every input and
// output of action.yml, the commands the README shows, and every link.
// A failure says exactly what to add or remove, and where.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/config"
)

// runCLI runs the binary's Run with an empty environment.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLIEnv(t, nil, args...)
}

// runCLIEnv runs the binary's Run with only the variables of vars set.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errb.String()
}

// commandFlags returns every command `django-serverless --help` lists and,
// for each, the flags its `-h` prints (the flag set it parses).
func commandFlags(t *testing.T) map[string][]string {
	t.Helper()
	_, out, errs := runCLI(t, "--help")
	help := out + errs
	i := strings.Index(help, "commands:")
	if i < 0 {
		t.Fatalf("--help lists no commands:\n%s", help)
	}
	cmds := map[string][]string{}
	for _, l := range strings.Split(help[i+len("commands:"):], "\n") {
		m := regexp.MustCompile(`^\s{2}([a-z][a-z-]*)\s{2,}\S`).FindStringSubmatch(l)
		if m == nil {
			continue
		}
		_, o, e := runCLI(t, m[1], "-h")
		var flags []string
		for _, fl := range regexp.MustCompile(`(?m)^\s+--?([a-z][a-z0-9-]*)\b`).FindAllStringSubmatch(o+e, -1) {
			if !slices.Contains(flags, fl[1]) {
				flags = append(flags, fl[1])
			}
		}
		sort.Strings(flags)
		cmds[m[1]] = flags
	}
	if len(cmds) < 5 {
		t.Fatalf("found %d commands in --help:\n%s", len(cmds), help)
	}
	return cmds
}

// synopsis returns, per command, the --flags of its line in the README's
// "## Commands" block.
func synopsis(t *testing.T) map[string][]string {
	t.Helper()
	readme := read(t, "README.md")
	sec := readme[strings.Index(readme, "## Commands"):]
	m := regexp.MustCompile("(?s)```\n(.*?)```").FindStringSubmatch(sec)
	if m == nil {
		t.Fatal("README.md: no synopsis block under ## Commands")
	}
	out := map[string][]string{}
	for _, l := range strings.Split(m[1], "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "django-serverless" {
			continue
		}
		var flags []string
		for _, fl := range regexp.MustCompile(`--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(l, -1) {
			flags = append(flags, fl[1])
		}
		sort.Strings(flags)
		out[f[1]] = flags
	}
	return out
}

// docsFlags returns, per "## <command>" section of docs/cli.md, the
// `--flags` it names.
func docsFlags(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	doc := read(t, "docs/cli.md")
	parts := regexp.MustCompile(`(?m)^## `).Split(doc, -1)
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		name = strings.TrimSpace(name)
		if strings.ContainsAny(name, " `") {
			continue // "Exit codes", "Common flags", ...
		}
		var flags []string
		for _, fl := range regexp.MustCompile("`--([a-z][a-z0-9-]*)").FindAllStringSubmatch(body, -1) {
			if !slices.Contains(flags, fl[1]) {
				flags = append(flags, fl[1])
			}
		}
		// "--project DIR, --env NAME, --config FILE | see above" rows name
		// the common flags by reference.
		sort.Strings(flags)
		out[name] = flags
	}
	return out
}

func diffSets(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return
}

func dashed(flags []string) string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = "--" + f
	}
	return strings.Join(out, ", ")
}

// Every command's flags (its -h) are in the README's synopsis line and in
// its section of docs/cli.md, and nothing else is.
func TestDocsCLIMatchesFlags(t *testing.T) {
	cmds := commandFlags(t)
	syn := synopsis(t)
	docs := docsFlags(t)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		flags := cmds[name]
		line, ok := syn[name]
		if !ok {
			t.Errorf("README.md, ## Commands: no synopsis line for `%s`: add `django-serverless %s %s` to the block", name, name, bracketed(flags))
		} else if missing, extra := diffSets(flags, line); len(missing)+len(extra) > 0 {
			if len(missing) > 0 {
				t.Errorf("README.md, ## Commands: the `%s` line lacks %s (in `%s -h`): add them to its synopsis", name, dashed(missing), name)
			}
			if len(extra) > 0 {
				t.Errorf("README.md, ## Commands: the `%s` line shows %s, which `%s -h` does not accept: remove them", name, dashed(extra), name)
			}
		}
		sec, ok := docs[name]
		if !ok {
			t.Errorf("docs/cli.md: no `## %s` section: add one with a table naming each of its flags (%s)", name, dashed(flags))
			continue
		}
		if missing, extra := diffSets(flags, sec); len(missing)+len(extra) > 0 {
			if len(missing) > 0 {
				t.Errorf("docs/cli.md, ## %s: %s not described: add a row for each to its flag table", name, dashed(missing))
			}
			if len(extra) > 0 {
				t.Errorf("docs/cli.md, ## %s: describes %s, which `%s -h` does not accept: remove them", name, dashed(extra), name)
			}
		}
	}
	for name := range syn {
		if _, ok := cmds[name]; !ok {
			t.Errorf("README.md, ## Commands: `%s` is not a command of `django-serverless --help`: remove its line", name)
		}
	}
}

func bracketed(flags []string) string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = "[--" + f + " ...]"
	}
	return strings.Join(out, " ")
}

// decoderKeys asks the configuration decoder which keys it reads: a probe
// key put into each mapping draws its "unknown key" error, which lists the
// keys of that mapping; each key is then probed as a mapping and as a
// list of mappings, down to the leaves. Keys the file reader handles
// itself (environments, environments.<name>.protected) are added by name.
func decoderKeys(t *testing.T) []string {
	t.Helper()
	const probe = "zzqx_probe"
	expected := regexp.MustCompile(`: ([^:]*): unknown key "` + probe + `" \(expected one of: ([^)]*)\)`)
	// keysAt returns the keys of the mapping at path (nil: not a mapping).
	keysAt := func(path []string) []string {
		doc := "{" + probe + ": 1}"
		for i := len(path) - 1; i >= 0; i-- {
			if path[i] == "[]" {
				doc = "[" + doc + "]"
			} else {
				doc = "{" + path[i] + ": " + doc + "}"
			}
		}
		_, err := config.Parse("probe.yml", []byte(doc))
		if err == nil {
			return nil
		}
		want := strings.ReplaceAll(strings.Join(path, "."), ".[]", "[0]")
		if want == "" {
			want = "top level"
		}
		for _, m := range expected.FindAllStringSubmatch(err.Error(), -1) {
			if m[1] == want {
				return strings.Split(m[2], ", ")
			}
		}
		return nil
	}
	var out []string
	var walk func(path []string)
	walk = func(path []string) {
		for _, k := range keysAt(path) {
			// A mapping is documented by its keys; a list of mappings by
			// a row for its items and their keys; anything else is a leaf.
			p := append(append([]string(nil), path...), k)
			if keysAt(p) != nil {
				walk(p)
			} else if lp := append(p, "[]"); keysAt(lp) != nil {
				out = append(out, strings.ReplaceAll(strings.Join(lp, "."), ".[]", "[]"))
				walk(lp)
			} else {
				out = append(out, strings.ReplaceAll(strings.Join(p, "."), ".[]", "[]"))
			}
		}
	}
	walk(nil)
	if len(out) < 20 {
		t.Fatalf("the probe found only %v: the decoder's unknown-key message changed?", out)
	}
	// An environment overrides the same keys as the top level.
	top := keysAt(nil)
	env := keysAt([]string{"environments", "dev"})
	if missing, extra := diffSets(top, env); len(missing)+len(extra) > 0 {
		t.Errorf("environments.<name> accepts %v, the top level %v: document each difference as environments.<name>.KEY in docs/config.md", env, top)
	}
	out = append(out, "environments", "environments.<name>.protected", "environments.<name>.<key>")
	sort.Strings(out)
	return out
}

// documentedKeys are the `key` cells of docs/config.md's key table.
func documentedKeys(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllStringSubmatch(read(t, "docs/config.md"), -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// Every key the decoder reads has a row in docs/config.md, every row is a
// key the decoder reads, and the README's sample sets every top-level key.
func TestDocsConfigMatchesDecoder(t *testing.T) {
	decoded := decoderKeys(t)
	documented := documentedKeys(t)
	missing, extra := diffSets(decoded, documented)
	for _, k := range missing {
		t.Errorf("docs/config.md: the decoder reads `%s`, which the key table does not list: add the row \"| `%s` | <default> | <meaning> |\" to the table under ## Keys", k, k)
	}
	for _, k := range extra {
		t.Errorf("docs/config.md: the key table lists `%s`, which the decoder does not read: remove the row (or fix its path)", k)
	}

	readme := read(t, "README.md")
	sec := readme[strings.Index(readme, "## Configuration"):]
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(sec)
	if m == nil {
		t.Fatal("README.md: no yaml block under ## Configuration")
	}
	var sample map[string]any
	if err := yaml.Unmarshal([]byte(m[1]), &sample); err != nil {
		t.Fatal(err)
	}
	var tops []string
	for _, k := range decoded {
		top, _, _ := strings.Cut(k, ".")
		top, _, _ = strings.Cut(top, "[")
		if !slices.Contains(tops, top) {
			tops = append(tops, top)
		}
	}
	for _, k := range tops {
		if _, ok := sample[k]; !ok {
			t.Errorf("README.md, ## Configuration: the sample does not set the top-level key `%s`: add it (with a comment saying what it does)", k)
		}
	}
}

// The README's configuration sample renders the bundled project, without
// a warning. The sample serves static files (static.mode cloudfront), so
// render runs collectstatic: with Debian's Django, named as the README
// tells a user to name it (DJANGO_SERVERLESS_PYTHON), since the python3
// on PATH may have no Django.
func TestReadmeConfigurationSampleRendersTheTutorial(t *testing.T) {
	python := testenv.Django(t)
	readme := read(t, "README.md")
	sec := readme[strings.Index(readme, "## Configuration"):]
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(sec)
	cfg := filepath.Join(t.TempDir(), "django-serverless.yml")
	if err := os.WriteFile(cfg, []byte(m[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLIEnv(t, map[string]string{"DJANGO_SERVERLESS_PYTHON": python},
		"render", "--project", "testdata/django/tutorial", "--config", cfg, "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("render with the README's sample: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("render with the README's sample warns:\n%s", stderr)
	}
}

// The shell commands the README shows run as shown (render writes to a
// scratch folder; invoke needs Debian's Django).
func TestReadmeCommandsRun(t *testing.T) {
	readme := read(t, "README.md")
	var ran int
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		for _, line := range strings.Split(strings.TrimSpace(block[1]), "\n") {
			args := strings.Fields(line)
			if len(args) < 3 || args[0] != "go" || args[1] != "run" || args[2] != "." {
				if line != "make test" {
					t.Errorf("README.md: shell command %q is not checked by this test: make it `go run . ...` or teach the test", line)
				}
				continue
			}
			args = args[3:]
			for i := range args {
				if i > 0 && args[i-1] == "--out" {
					args[i] = filepath.Join(t.TempDir(), "out")
				}
			}
			if args[0] == "invoke" || args[0] == "serve" {
				testenv.Django(t)
			}
			if args[0] == "serve" {
				serveOnce(t, line, append(args, "--port", "0", "--no-reload"))
				ran++
				continue
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Errorf("README.md: `%s` exits %d\n%s", line, code, stderr)
				continue
			}
			ran++
			if args[0] == "invoke" {
				var res struct {
					StatusCode int    `json:"statusCode"`
					Body       string `json:"body"`
				}
				if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.StatusCode != 200 || !strings.Contains(res.Body, "Tabs or spaces?") {
					t.Errorf("README.md: `%s` printed %q (%v), want status 200 with the latest polls", line, stdout, err)
				}
			}
		}
	}
	if ran < 3 {
		t.Errorf("ran %d README commands, want the render, invoke and serve examples", ran)
	}
}

// serveOnce runs a serve command until it prints its address, asks it
// for /dev/polls/ and stops it the way Ctrl-C does (its context ends).
func serveOnce(t *testing.T, line string, args []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, args, cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &errb, Getenv: func(string) string { return "" }})
		pw.Close()
	}()
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		io.Copy(io.Discard, pr)
	}()
	var addr string
	select {
	case l, ok := <-first:
		if !ok {
			t.Fatalf("README.md: `%s` printed nothing (exit %d)\n%s", line, <-done, errb.String())
		}
		addr = strings.TrimPrefix(l, "serving ")
	case <-time.After(2 * time.Minute):
		t.Fatalf("README.md: `%s` did not start within 2 minutes\n%s", line, errb.String())
	}
	// The tutorial is a REST API: its stage, dev, prefixes every path.
	resp, err := http.Get(addr + "/dev/polls/")
	if err != nil {
		t.Fatalf("README.md: `%s`: GET /dev/polls/: %v", line, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Tabs or spaces?") {
		t.Errorf("README.md: `%s`: GET /dev/polls/ answered %d %q", line, resp.StatusCode, body)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Errorf("README.md: `%s` did not stop after its context ended", line)
	}
}

// docs/action.md's tables are action.yml's inputs (with their defaults)
// and outputs.
func TestDocsActionMatchesActionYML(t *testing.T) {
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Outputs map[string]any `yaml:"outputs"`
	}
	if err := yaml.Unmarshal([]byte(read(t, "action.yml")), &a); err != nil {
		t.Fatal(err)
	}
	doc := read(t, "docs/action.md")
	table := func(heading string) map[string][]string {
		i := strings.Index(doc, heading+"\n")
		if i < 0 {
			t.Fatalf("docs/action.md: no %q", heading)
		}
		rest := doc[i+len(heading):]
		if j := strings.Index(rest, "\n## "); j >= 0 {
			rest = rest[:j]
		}
		rows := map[string][]string{}
		for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\|(.*)\\|$").FindAllStringSubmatch(rest, -1) {
			rows[m[1]] = strings.Split(m[2], "|")
		}
		return rows
	}
	inputs := table("## Inputs")
	for name, in := range a.Inputs {
		row, ok := inputs[name]
		if !ok {
			t.Errorf("docs/action.md, ## Inputs: action.yml declares `%s`: add the row \"| `%s` | %s | <meaning> |\"", name, name, in.Default)
			continue
		}
		got := strings.Trim(strings.TrimSpace(row[0]), "`")
		if got != in.Default {
			t.Errorf("docs/action.md, ## Inputs: `%s` default %q, action.yml says %q", name, got, in.Default)
		}
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("docs/action.md, ## Inputs: `%s` is not an input of action.yml: remove the row", name)
		}
	}
	outputs := table("## Outputs")
	for name := range a.Outputs {
		if _, ok := outputs[name]; !ok {
			t.Errorf("docs/action.md, ## Outputs: action.yml declares `%s`: add the row \"| `%s` | <meaning> |\"", name, name)
		}
	}
	for name := range outputs {
		if _, ok := a.Outputs[name]; !ok {
			t.Errorf("docs/action.md, ## Outputs: `%s` is not an output of action.yml: remove the row", name)
		}
	}
	// The README names every input and output too.
	readme := read(t, "README.md")
	for name := range a.Inputs {
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("README.md, ### Inputs and outputs: input `%s` is not named", name)
		}
	}
	for name := range a.Outputs {
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("README.md, ### Inputs and outputs: output `%s` is not named", name)
		}
	}
}

// Every relative link of README.md and docs/ leads to a file of the
// repository, and none points at the design document users cannot see.
func TestDocsLinksResolve(t *testing.T) {
	files, _ := filepath.Glob("docs/*.md")
	files = append(files, "README.md", "examples/events/README.md")
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
	for _, f := range files {
		text := read(t, f)
		if strings.Contains(text, "DESIGN.md") {
			t.Errorf("%s mentions DESIGN.md, which is not in this repository: point at docs/ instead", f)
		}
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			p := filepath.Join(filepath.Dir(f), filepath.FromSlash(target))
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: link %s leads nowhere (%v)", f, target, err)
			}
		}
	}
}

// The configuration examples of docs/config.md and
// docs/static-and-domains.md (every ```yaml block, an indented one taken
// out of its list item) load as they are shown.
func TestDocsConfigExamplesLoad(t *testing.T) {
	block := regexp.MustCompile("(?s)\n( *)```yaml\n(.*?)\n *```")
	for _, name := range []string{"docs/config.md", "docs/static-and-domains.md"} {
		blocks := block.FindAllStringSubmatch(read(t, name), -1)
		if len(blocks) == 0 {
			t.Errorf("%s: no yaml example", name)
		}
		for i, m := range blocks {
			lines := strings.Split(m[2], "\n")
			for j, l := range lines {
				lines[j] = strings.TrimPrefix(l, m[1])
			}
			if _, err := config.Parse(name, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
				t.Errorf("%s, yaml example %d does not load:\n%v", name, i+1, err)
			}
		}
	}
}
