package github

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpus holds real webhook payloads (GitHub's documented samples for
// Codertocat/Hello-World), copied from the shared corpus
// (github-events/) so the tests run on any checkout.
const corpus = "testdata/events"

func corpusFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(corpus, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpus payload: %v", err)
	}
	return p
}

func runnerEnv(eventName, eventPath string) map[string]string {
	return map[string]string{
		"GITHUB_EVENT_NAME":  eventName,
		"GITHUB_EVENT_PATH":  eventPath,
		"GITHUB_SHA":         "0123456789abcdef0123456789abcdef01234567", // the test merge commit
		"GITHUB_RUN_ID":      "1234567890",
		"GITHUB_RUN_ATTEMPT": "1",
		"GITHUB_REPOSITORY":  "Codertocat/Hello-World",
		"GITHUB_SERVER_URL":  "https://github.com",
	}
}

func read(t *testing.T, env map[string]string) Event {
	t.Helper()
	ev, err := ReadEvent(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestReadEventCorpus(t *testing.T) {
	const head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
	pr := func(action string) Event {
		return Event{
			Name: "pull_request", Action: action, Owner: "Codertocat", Repo: "Hello-World",
			SHA: "0123456789abcdef0123456789abcdef01234567", HeadSHA: head, RunID: 1234567890, RunAttempt: 1,
			RunURL: "https://github.com/Codertocat/Hello-World/actions/runs/1234567890",
			PR:     2, HeadRef: "changes", BaseRef: "master", DefaultBranch: "master", HeadRepo: "Codertocat/Hello-World",
		}
	}
	for file, want := range map[string]Event{
		"pull_request.opened.json":          pr("opened"),
		"pull_request.synchronize.json":     pr("synchronize"),
		"pull_request.reopened.json":        pr("reopened"),
		"pull_request.closed-unmerged.json": pr("closed"),
		"push.default-branch.json": {
			Name: "push", Owner: "Codertocat", Repo: "Hello-World",
			SHA: "0123456789abcdef0123456789abcdef01234567", HeadSHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
			RunID: 1234567890, RunAttempt: 1, RunURL: "https://github.com/Codertocat/Hello-World/actions/runs/1234567890",
			Ref: "refs/heads/master", DefaultBranch: "master", DefaultBranchPush: true,
		},
	} {
		t.Run(file, func(t *testing.T) {
			name, _, _ := strings.Cut(file, ".")
			got := read(t, runnerEnv(name, corpusFile(t, file)))
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("event (-want +got):\n%s", d)
			}
			if got.Commit() != want.HeadSHA {
				t.Errorf("Commit() = %s, want the head %s", got.Commit(), want.HeadSHA)
			}
		})
	}
}

// derive rewrites a corpus payload with edit and writes it to a temp file.
func derive(t *testing.T, file string, edit func(p map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(corpusFile(t, file))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	edit(p)
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func obj(p map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		p = p[k].(map[string]any)
	}
	return p
}

// The corpus has no merged or fork payloads: these are derived from the
// real ones by editing the fields GitHub sets in those cases.
func TestReadEventDerivedVariants(t *testing.T) {
	t.Run("merged", func(t *testing.T) {
		path := derive(t, "pull_request.closed-unmerged.json", func(p map[string]any) {
			obj(p, "pull_request")["merged"] = true
		})
		ev := read(t, runnerEnv("pull_request", path))
		if ev.Action != "closed" || !ev.Merged || ev.Fork || ev.PR != 2 {
			t.Fatalf("%+v", ev)
		}
	})
	t.Run("fork", func(t *testing.T) {
		path := derive(t, "pull_request.opened.json", func(p map[string]any) {
			obj(p, "pull_request", "head", "repo")["full_name"] = "forker/Hello-World"
			obj(p, "pull_request", "head", "repo")["fork"] = true
		})
		ev := read(t, runnerEnv("pull_request", path))
		if !ev.Fork || ev.PR != 2 || ev.Owner != "Codertocat" || ev.HeadRepo != "forker/Hello-World" {
			t.Fatalf("%+v", ev)
		}
		n := ForkNotice(ev, "plan")
		for _, want := range []string{"plan skipped for pull request #2", "the fork forker/Hello-World", "this step succeeds"} {
			if !strings.Contains(n, want) {
				t.Errorf("notice lacks %q:\n%s", want, n)
			}
		}
	})
	t.Run("fork deleted", func(t *testing.T) {
		path := derive(t, "pull_request.synchronize.json", func(p map[string]any) {
			obj(p, "pull_request", "head")["repo"] = nil
		})
		if ev := read(t, runnerEnv("pull_request", path)); !ev.Fork {
			t.Fatalf("a head repository that is gone is not this repository: %+v", ev)
		}
	})
	t.Run("pull_request_target from a fork", func(t *testing.T) {
		path := derive(t, "pull_request.opened.json", func(p map[string]any) {
			obj(p, "pull_request", "head", "repo")["full_name"] = "forker/Hello-World"
		})
		if ev := read(t, runnerEnv("pull_request_target", path)); !ev.Fork || ev.PR != 2 {
			t.Fatalf("%+v", ev)
		}
	})
	t.Run("push to another branch", func(t *testing.T) {
		path := derive(t, "push.default-branch.json", func(p map[string]any) {
			p["ref"] = "refs/heads/feature"
		})
		if ev := read(t, runnerEnv("push", path)); ev.DefaultBranchPush || ev.Ref != "refs/heads/feature" {
			t.Fatalf("%+v", ev)
		}
	})
	t.Run("branch deleted", func(t *testing.T) {
		path := derive(t, "push.default-branch.json", func(p map[string]any) {
			p["deleted"] = true
			p["after"] = "0000000000000000000000000000000000000000"
		})
		if ev := read(t, runnerEnv("push", path)); ev.DefaultBranchPush || !ev.Deleted || ev.HeadSHA != "" {
			t.Fatalf("%+v", ev)
		}
	})
	t.Run("re-run attempt", func(t *testing.T) {
		env := runnerEnv("pull_request", corpusFile(t, "pull_request.opened.json"))
		env["GITHUB_RUN_ATTEMPT"] = "3"
		env["GITHUB_SERVER_URL"] = "https://ghe.example.com/"
		if ev := read(t, env); ev.RunURL != "https://ghe.example.com/Codertocat/Hello-World/actions/runs/1234567890/attempts/3" {
			t.Fatalf("RunURL %s", ev.RunURL)
		}
	})
}

func TestReadEventErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": bad,
		"GITHUB_RUN_ID": "x", "GITHUB_REPOSITORY": "no-slash",
	}
	_, err := ReadEvent(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"GITHUB_REPOSITORY \"no-slash\"", "GITHUB_RUN_ID \"x\"", "event payload " + bad} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	env = map[string]string{"GITHUB_EVENT_NAME": "push"}
	if _, err := ReadEvent(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Fatalf("missing payload: %v", err)
	}
	// Outside Actions (nothing set): an empty event, no error.
	if ev, err := ReadEvent(func(string) string { return "" }); err != nil || ev != (Event{}) {
		t.Fatalf("%+v %v", ev, err)
	}
}
