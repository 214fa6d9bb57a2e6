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
		"INPUT_WAIT-TIMEOUT-MINUTES": "30", "INPUT_TIMEOUT-MINUTES": "", "INPUT_ON-FAILURE": "ROLLBACK",
	})
	got, err := ReadInputs(a)
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Command: "plan", ProjectPath: ".", Environment: "dev", GitHubToken: "ghs_x", Comment: CommentAuto, Timeout: 30 * time.Minute,
		OnFailure: "ROLLBACK"}
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
		"INPUT_FAIL-ON-EMPTY-CHANGESET": "TRUE", "INPUT_WAIT-TIMEOUT-MINUTES": " 45 ",
		"INPUT_CHANGE-SET-ID": "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-abc-1/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		"INPUT_ROLE-ARN":      "arn:aws:iam::123456789012:role/cfn-deployer", "INPUT_ON-FAILURE": "delete",
		"INPUT_NOTIFICATION-ARNS": "arn:aws:sns:eu-west-1:123456789012:deploys,\n arn:aws:sns:eu-west-1:123456789012:audit\n",
		"INPUT_TAGS":              "# cost allocation\nteam = shop\n\ncost-center=42\n",
	})
	got, err := ReadInputs(a)
	if err != nil {
		t.Fatal(err)
	}
	want := Inputs{Command: "deploy", ProjectPath: "backend", Environment: "pr-42", Config: "deploy/django-serverless.yml",
		ArtifactsBucket: "my-artifacts.eu", Region: "eu-west-1", GitHubToken: "t", Comment: CommentAlways, FailOnEmpty: true,
		Timeout: 45 * time.Minute, ChangeSetID: "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-abc-1/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		RoleARN: "arn:aws:iam::123456789012:role/cfn-deployer", OnFailure: "DELETE",
		NotificationARNs: []string{"arn:aws:sns:eu-west-1:123456789012:deploys", "arn:aws:sns:eu-west-1:123456789012:audit"},
		Tags:             map[string]string{"team": "shop", "cost-center": "42"}}
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
		"INPUT_CHANGE-SET-ID": "not a change set", "INPUT_ROLE-ARN": "deployer", "INPUT_ON-FAILURE": "explode",
		"INPUT_NOTIFICATION-ARNS": "arn:aws:sqs:eu-west-1:123456789012:q", "INPUT_TAGS": "team",
		"INPUT_STACK-NAME": "9lives",
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
		`input role-arn: role ARN "deployer" is not an IAM role ARN`,
		`input on-failure: on-failure "EXPLODE" is not ROLLBACK, DELETE or DO_NOTHING`,
		`input notification-arns: notification ARN "arn:aws:sqs:eu-west-1:123456789012:q" is not an SNS topic ARN`,
		`input tags: line 1: "team" is not key=value`,
		`input stack-name: stack name "9lives" is invalid`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 15 {
		t.Errorf("%d problems reported, want 15", n)
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
		SiteURL: "https://pr-2.preview.example.com/", StaticURL: "https://pr-2.preview.example.com/static/",
		ChangeSetID:   "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-1/uuid",
		ChangeSetName: "ds-1", HasChanges: true, ChangesCount: 12,
	}
	if err := WriteOutputs(a, o); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"stack-name": "shop-pr-2", "api-url": "https://abc.execute-api.eu-west-1.amazonaws.com/pr-2", "graphql-url": "",
		"site-url": "https://pr-2.preview.example.com/", "static-url": "https://pr-2.preview.example.com/static/",
		"change-set-id": o.ChangeSetID, "change-set-name": "ds-1", "has-changes": "true", "changes-count": "12",
		"stack-id": "", "stack-status": "", "stack-outputs": "{}", "comment-url": "", "artifacts-bucket": "",
		"removals": "0", "replacements": "0", "plan-json": "",
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

func TestReadInputsTimeoutRenamed(t *testing.T) {
	for _, tc := range []struct {
		name          string
		env           map[string]string
		want          time.Duration
		warns         string
		wantErrSubstr string
	}{
		{"new name", map[string]string{"INPUT_WAIT-TIMEOUT-MINUTES": "45"}, 45 * time.Minute, "", ""},
		// The old name alone (wait-timeout-minutes at its default) still
		// works, with a deprecation warning.
		{"old name", map[string]string{"INPUT_WAIT-TIMEOUT-MINUTES": "30", "INPUT_TIMEOUT-MINUTES": "50"}, 50 * time.Minute, "input timeout-minutes is deprecated", ""},
		{"both", map[string]string{"INPUT_WAIT-TIMEOUT-MINUTES": "20", "INPUT_TIMEOUT-MINUTES": "50"}, 20 * time.Minute, "input timeout-minutes (50) is deprecated and ignored", ""},
		{"old name bad", map[string]string{"INPUT_TIMEOUT-MINUTES": "soon"}, 0, "", `input timeout-minutes: "soon"`},
		{"new name bad", map[string]string{"INPUT_WAIT-TIMEOUT-MINUTES": "1441"}, 0, "", `input wait-timeout-minutes: "1441"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newAction(tc.env)
			in, err := ReadInputs(a)
			if tc.wantErrSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSubstr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErrSubstr)
				}
				return
			}
			if err != nil || in.Timeout != tc.want || !strings.Contains(strings.Join(in.Warnings, "\n"), tc.warns) || (tc.warns == "") != (len(in.Warnings) == 0) {
				t.Errorf("timeout %v, warnings %q, err %v", in.Timeout, in.Warnings, err)
			}
		})
	}
}

func TestParseTags(t *testing.T) {
	want := map[string]string{"team": "shop", "cost-center": "42"}
	for _, in := range []string{
		"team=shop\ncost-center=42",
		"  # comment\r\nteam = shop \r\n\r\ncost-center=42\r\n",
		"team=shop, cost-center=42,",
		`{"team": "shop", "cost-center": "42"}`,
		`[{"Key": "team", "Value": "shop"}, {"Key": "cost-center", "Value": "42"}]`,
	} {
		got, err := ParseTags(in)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("ParseTags(%q) = %v, %v", in, got, err)
		}
	}
	for in, wantErr := range map[string]string{
		"team=shop\nteam=web": `tag "team" is given twice`,
		`[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]`: `tag "a" is given twice`,
		`[{"Key": "a"}]`:                `item 1: want {"Key": ..., "Value": ...}`,
		`[{"Name": "a", "Value": "1"}]`: "not a JSON list",
		`{"a": 1}`:                      "not a JSON object of strings",
		"just words":                    `line 1: "just words" is not key=value`,
	} {
		if _, err := ParseTags(in); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseTags(%q) = %v, want %q", in, err, wantErr)
		}
	}
	if got, err := ParseTags("  "); got != nil || err != nil {
		t.Errorf("empty: %v %v", got, err)
	}
}

// Stack tags propagate to every resource: one holding the commit or the
// run would change every resource on every push.
func TestReadInputsRefusesPerCommitTags(t *testing.T) {
	const sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
	for tags, want := range map[string]string{
		"commit=" + sha:             "tag commit holds the commit SHA",
		"commit=" + sha[:7]:         "tag commit holds the commit SHA",
		"run=build-1234567890":      "tag run holds the workflow run ID",
		"team=shop\nowner=platform": "",
	} {
		a, _ := newAction(map[string]string{"INPUT_TAGS": tags, "GITHUB_SHA": sha, "GITHUB_RUN_ID": "1234567890"})
		_, err := ReadInputs(a)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("tags %q: %v, want %q", tags, err, want)
		}
	}
	// The tool's own keys and AWS's prefix are refused at input time.
	a, _ := newAction(map[string]string{"INPUT_TAGS": "environment=prod\naws:x=y"})
	if _, err := ReadInputs(a); err == nil || !strings.Contains(err.Error(), "is set by django-serverless itself") || !strings.Contains(err.Error(), "aws: prefix") {
		t.Errorf("reserved tags: %v", err)
	}
}

// A preview's stack is always <project>-pr-<N>: closing the pull request
// must find it.
func TestReadInputsStackNameNotForPreviews(t *testing.T) {
	a, _ := newAction(map[string]string{"INPUT_STACK-NAME": "legacy-shop", "INPUT_ENVIRONMENT": "pr-7"})
	if _, err := ReadInputs(a); err == nil || !strings.Contains(err.Error(), "input stack-name: environment pr-7 is a pull request's preview") {
		t.Errorf("stack-name on a preview: %v", err)
	}
	a, _ = newAction(map[string]string{"INPUT_STACK-NAME": "legacy-shop", "INPUT_ENVIRONMENT": "prod"})
	if in, err := ReadInputs(a); err != nil || in.StackName != "legacy-shop" {
		t.Errorf("stack-name on prod: %+v %v", in, err)
	}
}

// Every stack output is written twice: in stack-outputs (JSON) and as an
// output of its own name, unless that name is one of the action's own
// (compared without case, as expressions do) or not an output name.
func TestWriteOutputsStackOutputs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "output")
	a, log := newAction(map[string]string{"GITHUB_OUTPUT": file})
	o := Outputs{
		StackName: "shop-prod", StackID: "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-prod/1", StackStatus: "UPDATE_COMPLETE",
		CommentURL: "https://github.com/o/r/pull/2#issuecomment-1", ArtifactsBucket: "ds-artifacts", Removals: 2, Replacements: 1,
		PlanJSON:     "/home/runner/work/_temp/django-serverless/shop-prod.plan.json",
		StackOutputs: map[string]string{"ApiUrl": "https://x/prod", "GraphQLUrl": "https://y/graphql", "Stack-Name": "clash", "Removals": "clash too"},
	}
	if err := WriteOutputs(a, o); err != nil {
		t.Fatal(err)
	}
	got := parseOutputFile(t, file)
	for k, v := range map[string]string{
		"stack-id": o.StackID, "stack-status": "UPDATE_COMPLETE", "comment-url": o.CommentURL, "artifacts-bucket": "ds-artifacts",
		"removals": "2", "replacements": "1", "plan-json": o.PlanJSON,
		"stack-outputs": `{"ApiUrl":"https://x/prod","GraphQLUrl":"https://y/graphql","Removals":"clash too","Stack-Name":"clash"}`,
		"ApiUrl":        "https://x/prod", "GraphQLUrl": "https://y/graphql",
		"stack-name": "shop-prod", "removals ": "",
	} {
		if k == "removals " {
			continue
		}
		if got[k] != v {
			t.Errorf("output %s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["Stack-Name"]; ok {
		t.Error("a stack output overrode stack-name")
	}
	if _, ok := got["Removals"]; ok {
		t.Error("a stack output overrode removals")
	}
	if !strings.Contains(log.String(), "::warning::stack output Removals is not set as an output of its own") {
		t.Errorf("no warning for the clash: %s", log)
	}
	// A stack output that could inject outputs is left out on its own
	// (the JSON escapes it); the other outputs are written.
	file = filepath.Join(t.TempDir(), "output")
	a, log = newAction(map[string]string{"GITHUB_OUTPUT": file})
	o.StackOutputs = map[string]string{"Evil": "x\nhas-changes=true", "ApiUrl": "https://x/prod"}
	if err := WriteOutputs(a, o); err != nil {
		t.Fatalf("hostile stack output: %v", err)
	}
	got = parseOutputFile(t, file)
	if _, ok := got["Evil"]; ok || got["has-changes"] != "false" || got["ApiUrl"] != "https://x/prod" || !strings.Contains(got["stack-outputs"], `"Evil":"x\nhas-changes=true"`) {
		t.Errorf("outputs: %v", got)
	}
	if !strings.Contains(log.String(), "stack output Evil is not set as an output of its own") {
		t.Errorf("no warning: %s", log)
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
