package github

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

func newAction(env map[string]string) (*githubactions.Action, *bytes.Buffer) {
	var out bytes.Buffer
	a := githubactions.New(githubactions.WithGetenv(func(k string) string { return env[k] }), githubactions.WithWriter(&out))
	return a, &out
}

func TestReadInputsDefaults(t *testing.T) {
	// What the runner passes for action.yml's defaults.
	a, _ := newAction(map[string]string{
		"INPUT_COMMAND": "plan", "INPUT_PROJECT-PATH": ".", "INPUT_ENVIRONMENT": "dev",
		"INPUT_GITHUB-TOKEN": "ghs_x", "INPUT_COMMENT": "auto", "INPUT_FAIL-ON-EMPTY-CHANGESET": "false",
		"INPUT_TIMEOUT-MINUTES": "30",
	})
	got, err := ReadInputs(a)
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Command: "plan", ProjectPath: ".", Environment: "dev", GitHubToken: "ghs_x", Comment: CommentAuto, Timeout: 30 * time.Minute}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("inputs (-want +got):\n%s", d)
	}
	// Nothing set at all (the binary run by hand with GITHUB_ACTIONS=true):
	// the same defaults.
	a, _ = newAction(nil)
	got, err = ReadInputs(a)
	want.GitHubToken = ""
	if err != nil || cmp.Diff(want, got) != "" {
		t.Fatalf("empty environment: %v %s", err, cmp.Diff(want, got))
	}
}

func TestReadInputsAll(t *testing.T) {
	a, _ := newAction(map[string]string{
		"INPUT_COMMAND": "deploy", "INPUT_PROJECT-PATH": "./backend/", "INPUT_ENVIRONMENT": "pr-42",
		"INPUT_CONFIG": "deploy/django-serverless.yml", "INPUT_ARTIFACTS-BUCKET": "my-artifacts.eu",
		"INPUT_REGION": "eu-west-1", "INPUT_GITHUB-TOKEN": "t", "INPUT_COMMENT": "True",
		"INPUT_FAIL-ON-EMPTY-CHANGESET": "TRUE", "INPUT_TIMEOUT-MINUTES": " 45 ",
		"INPUT_CHANGE-SET-ID": "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-abc-1/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
	})
	got, err := ReadInputs(a)
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Command: "deploy", ProjectPath: "backend", Environment: "pr-42", Config: "deploy/django-serverless.yml",
		ArtifactsBucket: "my-artifacts.eu", Region: "eu-west-1", GitHubToken: "t", Comment: CommentAlways, FailOnEmpty: true,
		Timeout: 45 * time.Minute, ChangeSetID: "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-abc-1/0f1e2d3c-aaaa-bbbb-cccc-000000000001"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("inputs (-want +got):\n%s", d)
	}
	// A change set name is accepted too.
	a, _ = newAction(map[string]string{"INPUT_COMMAND": "deploy", "INPUT_CHANGE-SET-ID": "ds-abc-1"})
	if _, err := ReadInputs(a); err != nil {
		t.Fatal(err)
	}
}

func TestReadInputsReportsEveryProblem(t *testing.T) {
	a, _ := newAction(map[string]string{
		"INPUT_COMMAND": "apply", "INPUT_PROJECT-PATH": "../elsewhere", "INPUT_ENVIRONMENT": "pr-",
		"INPUT_ARTIFACTS-BUCKET": "My_Bucket", "INPUT_REGION": "Europe", "INPUT_COMMENT": "yes",
		"INPUT_FAIL-ON-EMPTY-CHANGESET": "maybe", "INPUT_TIMEOUT-MINUTES": "0",
		"INPUT_CHANGE-SET-ID": "not a change set",
	})
	_, err := ReadInputs(a)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`input command: "apply"`,
		`input project-path: "../elsewhere" leaves the repository`,
		`input environment: "pr-" ends with '-' (pr-${{ github.event.number }} is empty outside pull_request events)`,
		`input artifacts-bucket: "My_Bucket"`,
		`input region: "Europe"`,
		`input comment: "yes"`,
		`input fail-on-empty-changeset: "maybe"`,
		`input timeout-minutes: "0"`,
		`input change-set-id: only deploy executes a reviewed change set (command is apply)`,
		`input change-set-id: "not a change set" is neither`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 10 {
		t.Errorf("%d problems reported, want 10", n)
	}
}

func TestShouldComment(t *testing.T) {
	pr, push := Event{PR: 7}, Event{Name: "push"}
	for _, tc := range []struct {
		comment string
		ev      Event
		want    bool
	}{
		{CommentAuto, pr, true}, {CommentAuto, push, false}, {CommentAlways, pr, true},
		{CommentAlways, push, false}, {CommentNever, pr, false},
	} {
		if got := (Inputs{Comment: tc.comment}).ShouldComment(tc.ev); got != tc.want {
			t.Errorf("comment=%s pr=%d: %v, want %v", tc.comment, tc.ev.PR, got, tc.want)
		}
	}
}

// parseOutputFile reads GITHUB_OUTPUT the way the runner does: NAME=VALUE
// lines and NAME<<DELIMITER heredocs.
func parseOutputFile(t *testing.T, path string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if name, delim, ok := strings.Cut(l, "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		if name, val, ok := strings.Cut(l, "="); ok {
			out[name] = val
		}
	}
	return out
}

func TestWriteOutputs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "output")
	a, _ := newAction(map[string]string{"GITHUB_OUTPUT": file})
	o := Outputs{
		StackName: "shop-pr-2", APIURL: "https://abc.execute-api.eu-west-1.amazonaws.com/pr-2",
		ChangeSetID:   "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-1/uuid",
		ChangeSetName: "ds-1", HasChanges: true, ChangesCount: 12,
	}
	if err := WriteOutputs(a, o); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"stack-name": "shop-pr-2", "api-url": "https://abc.execute-api.eu-west-1.amazonaws.com/pr-2", "graphql-url": "",
		"change-set-id": o.ChangeSetID, "change-set-name": "ds-1", "has-changes": "true", "changes-count": "12",
		"manage-exit-status": "",
	}
	if d := cmp.Diff(want, parseOutputFile(t, file)); d != "" {
		t.Fatalf("outputs (-want +got):\n%s", d)
	}
}

func TestWriteOutputsRefusesDelimiterInjection(t *testing.T) {
	hostile := "https://x\n" + fileCommandDelimiter + "\nhas-changes<<" + fileCommandDelimiter + "\nfalse"

	// Without the guard, go-githubactions writes it and the runner reads an
	// extra output: the attack is real.
	file := filepath.Join(t.TempDir(), "raw")
	a, _ := newAction(map[string]string{"GITHUB_OUTPUT": file})
	a.SetOutput("api-url", hostile)
	if got := parseOutputFile(t, file); got["has-changes"] != "false" {
		t.Fatalf("the unguarded write did not inject (parsed %q): the test no longer shows the attack", got)
	}

	for name, value := range map[string]string{
		"delimiter and newline": hostile,
		"delimiter alone":       "x" + fileCommandDelimiter,
		"newline":               "a\nb",
		"carriage return":       "a\rb",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "output")
			a, _ := newAction(map[string]string{"GITHUB_OUTPUT": file})
			err := WriteOutputs(a, Outputs{StackName: "shop-dev", APIURL: value})
			if !errors.Is(err, ErrUnsafeOutput) || !strings.Contains(err.Error(), "output api-url") {
				t.Fatalf("got %v, want ErrUnsafeOutput naming api-url", err)
			}
			if _, err := os.Stat(file); !os.IsNotExist(err) {
				t.Fatalf("something was written: %v", err)
			}
		})
	}
}

func TestWriteOutputsWithoutFile(t *testing.T) {
	a, _ := newAction(nil)
	if err := WriteOutputs(a, Outputs{}); err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT") {
		t.Fatalf("got %v", err)
	}
	a, _ = newAction(map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "missing-dir", "out")})
	if err := WriteOutputs(a, Outputs{}); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}

func TestWriteSummary(t *testing.T) {
	file := filepath.Join(t.TempDir(), "summary")
	a, _ := newAction(map[string]string{"GITHUB_STEP_SUMMARY": file})
	if err := WriteSummary(a, "### one\n"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(a, "### two\n"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	if string(raw) != "### one\n\n### two\n\n" {
		t.Fatalf("summary %q", raw)
	}
	a, _ = newAction(nil)
	if err := WriteSummary(a, "x"); err == nil {
		t.Fatal("no error without GITHUB_STEP_SUMMARY")
	}
}

func TestMask(t *testing.T) {
	a, out := newAction(nil)
	Mask(a, AccountID("arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-dev/uuid"), "", "da2-abcdefghijklmnopqrstuvwxyz", "key\nline2", "ab")
	want := "::add-mask::123456789012\n::add-mask::da2-abcdefghijklmnopqrstuvwxyz\n::add-mask::line2\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	if AccountID("not-an-arn") != "" || AccountID("arn:aws:s3:::bucket") != "" {
		t.Fatal("AccountID found an account where there is none")
	}
}

func TestAnnotate(t *testing.T) {
	a, out := newAction(nil)
	var l diag.List
	l.Errf("django-serverless.yml", 3, 5, "unknown key %q", "functionz")
	l.Warnf("shop/urls.py", 12, 0, "cannot resolve include(%s)", "dynamic")
	l.Notef("", 0, 0, "static() ignored")
	Annotate(a, "backend", l)
	want := strings.Join([]string{
		`::error col=5,file=backend/django-serverless.yml,line=3::unknown key "functionz"`,
		`::warning file=backend/shop/urls.py,line=12::cannot resolve include(dynamic)`,
		`::notice::static() ignored`,
	}, "\n") + "\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestGroupClosesOnError(t *testing.T) {
	a, out := newAction(nil)
	boom := errors.New("boom")
	err := Group(a, "Upload artifacts", func() error {
		a.Infof("uploading")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if want := "::group::Upload artifacts\nuploading\n::endgroup::\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

func TestManageInput(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string // error substring, "" for none
	}{
		{map[string]string{"INPUT_COMMAND": "manage", "INPUT_MANAGE": "migrate --noinput"}, ""},
		{map[string]string{"INPUT_COMMAND": "manage"}, "input manage: empty, but command is manage"},
		{map[string]string{"INPUT_COMMAND": "manage", "INPUT_MANAGE": "   "}, "input manage: empty"},
		{map[string]string{"INPUT_COMMAND": "deploy", "INPUT_MANAGE": "migrate"}, "input manage: only with command: manage"},
		{map[string]string{"INPUT_COMMAND": "shell"}, "not one of plan, deploy, destroy, manage"},
	} {
		a, _ := newAction(tc.env)
		in, err := ReadInputs(a)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case tc.want == "" && in.Manage != tc.env["INPUT_MANAGE"]:
			t.Errorf("%v: manage %q", tc.env, in.Manage)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v, want %q", tc.env, err, tc.want)
		}
	}
}
