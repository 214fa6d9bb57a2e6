package github

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

// actionYML is the part of action.yml checked against this package.
type actionYML struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Image string `yaml:"image"`
	} `yaml:"runs"`
}

// TestActionYMLMatchesCode keeps action.yml and ReadInputs/WriteOutputs in
// step: every input declared is read with the same default, every output
// written is declared.
func TestActionYMLMatchesCode(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "docker" || a.Runs.Image != "Dockerfile" {
		t.Errorf("runs: %+v, want docker / Dockerfile", a.Runs)
	}

	// Inputs: the runner passes each default as INPUT_<NAME>; with only
	// those set, ReadInputs must accept them and give what an empty
	// environment gives (the code's defaults equal action.yml's).
	env := map[string]string{}
	var names []string
	for name, in := range a.Inputs {
		names = append(names, name)
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %s has no description", name)
		}
		if strings.Contains(in.Default, "${{") {
			continue // expressions (github.token) are the runner's
		}
		env["INPUT_"+strings.ToUpper(name)] = in.Default
	}
	sort.Strings(names)
	wantInputs := []string{"artifacts-bucket", "change-set-id", "command", "comment", "config", "environment",
		"fail-on-empty-changeset", "github-token", "manage", "notification-arns", "on-failure", "project-path", "region", "role-arn",
		"stack-name", "tags", "timeout-minutes", "wait-timeout-minutes"}
	if d := cmp.Diff(wantInputs, names); d != "" {
		t.Errorf("inputs (-read by ReadInputs +declared):\n%s", d)
	}
	act, _ := newAction(env)
	fromYML, err := ReadInputs(act)
	if err != nil {
		t.Fatalf("action.yml defaults rejected: %v", err)
	}
	empty, _ := newAction(nil)
	fromCode, err := ReadInputs(empty)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(fromCode, fromYML); d != "" {
		t.Errorf("action.yml defaults differ from the code's (-code +action.yml):\n%s", d)
	}

	// Outputs: exactly what WriteOutputs writes.
	file := filepath.Join(t.TempDir(), "out")
	w, _ := newAction(map[string]string{"GITHUB_OUTPUT": file})
	if err := WriteOutputs(w, Outputs{}); err != nil {
		t.Fatal(err)
	}
	var written, declared []string
	for name := range parseOutputFile(t, file) {
		written = append(written, name)
	}
	for name, o := range a.Outputs {
		declared = append(declared, name)
		if strings.TrimSpace(o.Description) == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	sort.Strings(written)
	sort.Strings(declared)
	if d := cmp.Diff(written, declared); d != "" {
		t.Errorf("outputs (-written +declared):\n%s", d)
	}
}
