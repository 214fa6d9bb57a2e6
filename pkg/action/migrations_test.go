package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

// render --out's manifest.json carries the migrations: offline every
// migration of the project is new, and the risky ones are listed with
// file and line.
func TestManifestMigrations(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "guestbook"), "--env", "pr-3", "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != cli.ExitOK {
		t.Fatalf("render exit %d\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Migrations json.RawMessage `json:"migrations"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var got any
	json.Unmarshal(m.Migrations, &got)
	var want any
	json.Unmarshal([]byte(`{
		"new": ["entries.0001_initial", "entries.0002_entry_email", "entries.0003_entry_rating", "entries.0004_remove_entry_legacy_note", "tags.0001_initial"],
		"risky": [{"migration": "entries.0004_remove_entry_legacy_note", "operation": "RemoveField", "line": 13,
			"file": "entries/migrations/0004_remove_entry_legacy_note.py",
			"reason": "drops entry.legacy_note and its data; the previous version still uses it until it stops serving"}]
	}`), &want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifest migrations (-want +got):\n%s", diff)
	}
}

// A project without migrations has empty lists, never null.
func TestManifestNoMigrations(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "legacy"), "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != cli.ExitOK {
		t.Fatalf("render exit %d\n%s", code, stderr.String())
	}
	data, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !bytes.Contains(data, []byte(`"migrations": {`)) || !bytes.Contains(data, []byte(`"new": []`)) || !bytes.Contains(data, []byte(`"risky": []`)) {
		t.Errorf("manifest.json migrations:\n%s", data)
	}
}

// A migration Django would refuse to load stops the run with its file and
// line while migrations run in deploys, and is a warning with
// migrations: off.
func TestBrokenMigration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "guestbook")
	copyTree(t, exampleDir(t, "guestbook"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	broken := filepath.Join(dir, "entries", "migrations", "0005_broken.py")
	if err := os.WriteFile(broken, []byte("from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [('entries', '0004_missing')]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Run(context.Background(), append([]string{"render", "--project", dir}, extra...),
			cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
		return code, stderr.String()
	}
	code, errs := run()
	if code != cli.ExitUsage || !strings.Contains(errs, "entries/migrations/0005_broken.py:3: error: migration entries.0005_broken depends on entries.0004_missing, which does not exist") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
	cfg := filepath.Join(dir, "django-serverless.yml")
	os.WriteFile(cfg, []byte("migrations: off\n"), 0o644)
	code, errs = run()
	if code != cli.ExitOK || !strings.Contains(errs, "0005_broken.py:3: warning:") {
		t.Errorf("migrations: off: exit %d:\n%s", code, errs)
	}
}
