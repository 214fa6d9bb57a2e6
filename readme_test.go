package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
)

// The README's example workflows are the linted files, verbatim.
func TestReadmeHoldsTheExampleWorkflows(t *testing.T) {
	readme := read(t, "README.md")
	files, err := filepath.Glob("examples/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example workflows: %v", err)
	}
	for _, f := range files {
		if !strings.Contains(readme, "```yaml\n"+read(t, f)+"```") {
			t.Errorf("README.md does not hold %s verbatim in a yaml block", f)
		}
	}
}

// The README's configuration sample is valid and resolves for every kind
// of environment.
func TestReadmeConfigurationSample(t *testing.T) {
	readme := read(t, "README.md")
	sec := readme[strings.Index(readme, "## Configuration"):]
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(sec)
	if m == nil {
		t.Fatal("no yaml block under ## Configuration")
	}
	f, err := config.Parse("README.md", []byte(m[1]))
	if err != nil {
		t.Fatalf("README configuration sample: %v", err)
	}
	for _, env := range []string{"dev", "prod", "pr-7"} {
		c, err := f.Resolve(env)
		if err != nil {
			t.Fatalf("resolve %s: %v", env, err)
		}
		if env == "prod" && (!c.Protected || c.Functions.Defaults.Memory != 1024) {
			t.Errorf("prod: protected=%v memory=%d", c.Protected, c.Functions.Defaults.Memory)
		}
		if env == "pr-7" && c.Warm.Schedule != "off" {
			t.Errorf("pr-7 warm schedule = %q, want off", c.Warm.Schedule)
		}
	}
}

// The README's two set-up commands: the main job and the test command
// .ci/run calls.
func TestReadmeSetupCommands(t *testing.T) {
	readme := read(t, "README.md")
	for _, cmd := range []string{"go run . render --project testdata/django/tutorial --out out/tutorial", "make test"} {
		if !strings.Contains(readme, "```sh\n"+cmd+"\n```") {
			t.Errorf("README lacks the set-up command %q", cmd)
		}
	}
	if ci := read(t, ".ci/run"); !regexp.MustCompile(`(?m)^make test$`).MatchString(ci) {
		t.Errorf(".ci/run does not run the README's test command (make test)")
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
