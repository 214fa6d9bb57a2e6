package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
)

// The inputs aws-cloudformation-github-deploy users expect reach
// CloudFormation (the fake records the requests the real SDK client
// sends), and every output is written.
func TestActionInputsReachCloudFormationAndOutputsAreWritten(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{
		Plans: map[string]*cfnfake.Level{prStack: prPlan()},
		Outputs: map[string]map[string]string{prStack: {
			"ApiUrl":     "https://abc.execute-api.us-east-1.amazonaws.com/pr-2/",
			"GraphQLUrl": "https://xyz.appsync-api.us-east-1.amazonaws.com/graphql",
		}},
	})
	temp := t.TempDir()
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{
		"command": "deploy", "environment": "pr-2",
		"role-arn":          "arn:aws:iam::123456789012:role/cfn-deployer",
		"tags":              "team=shop\ncost-center=42",
		"notification-arns": "arn:aws:sns:us-east-1:123456789012:deploys",
		"on-failure":        "DO_NOTHING",
	}, map[string]string{"RUNNER_TEMP": temp})
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	var create map[string][]string
	for _, req := range w.cfn.Requests() {
		if req.Action == "CreateChangeSet" {
			create = req.Params
		}
	}
	tags := map[string]string{}
	for i := 1; ; i++ {
		k := create["Tags.member."+itoa(i)+".Key"]
		if k == nil {
			break
		}
		tags[k[0]] = create["Tags.member."+itoa(i)+".Value"][0]
	}
	for k, v := range map[string]string{
		"RoleARN":                   "arn:aws:iam::123456789012:role/cfn-deployer",
		"NotificationARNs.member.1": "arn:aws:sns:us-east-1:123456789012:deploys",
		"OnStackFailure":            "DO_NOTHING",
	} {
		if got := create[k]; len(got) != 1 || got[0] != v {
			t.Errorf("CreateChangeSet %s = %q, want %q", k, got, v)
		}
	}
	if tags["team"] != "shop" || tags["cost-center"] != "42" || tags["environment"] != "pr-2" || tags["managed-by"] != "django-serverless" {
		t.Errorf("stack tags %v", tags)
	}

	o := r.outputs
	for k, want := range map[string]string{
		"stack-status":     "CREATE_COMPLETE",
		"artifacts-bucket": w.bucket,
		"removals":         "0",
		"replacements":     "0",
		"ApiUrl":           "https://abc.execute-api.us-east-1.amazonaws.com/pr-2/",
		"GraphQLUrl":       "https://xyz.appsync-api.us-east-1.amazonaws.com/graphql",
		"stack-outputs":    `{"ApiUrl":"https://abc.execute-api.us-east-1.amazonaws.com/pr-2/","GraphQLUrl":"https://xyz.appsync-api.us-east-1.amazonaws.com/graphql"}`,
	} {
		if o[k] != want {
			t.Errorf("output %s = %q, want %q", k, o[k], want)
		}
	}
	if !strings.HasPrefix(o["stack-id"], "arn:aws:cloudformation:us-east-1:123456789012:stack/"+prStack+"/") {
		t.Errorf("stack-id %q", o["stack-id"])
	}
	if c := w.comments(); len(c) != 1 || o["comment-url"] == "" || o["comment-url"] != htmlURL(c[0].ID) {
		t.Errorf("comment-url %q, comments %+v", o["comment-url"], c)
	}
	if want := filepath.Join(temp, "django-serverless", prStack+".plan.json"); o["plan-json"] != want {
		t.Fatalf("plan-json %q, want %q", o["plan-json"], want)
	}
	raw, err := os.ReadFile(o["plan-json"])
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Stack     string         `json:"stack"`
		Changes   map[string]int `json:"changes"`
		ChangeSet struct {
			Stacks []struct {
				Path string `json:"path"`
			} `json:"stacks"`
		} `json:"change_set"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil || plan.Stack != prStack || plan.Changes["add"] != 3 || len(plan.ChangeSet.Stacks) != 3 {
		t.Errorf("plan-json: %v %+v\n%s", err, plan, raw)
	}
	// The installer's lines are in the log as it ran, folded in the
	// dependencies layer's group.
	group := regexp.MustCompile(`(?s)::group::Dependencies layer\n.*?::endgroup::`).FindString(r.log)
	if !strings.Contains(group, "\n  pip: Collecting fakedep==1.0\n") {
		t.Errorf("pip's output is not in the dependencies layer group:\n%s", r.log)
	}
	// The account ID in stack-id is masked in the log (it is in the
	// change set's ARN too).
	if !strings.Contains(r.log, "::add-mask::123456789012") {
		t.Errorf("account not masked:\n%s", r.log)
	}
}

// timeout-minutes keeps working under its new name's deprecation warning.
func TestActionTimeoutMinutesDeprecated(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{prStack: prPlan()}})
	r := w.run("pull_request.opened.json", "pull_request", map[string]string{"command": "plan", "environment": "pr-2",
		"wait-timeout-minutes": "30", "timeout-minutes": "12"}, nil)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	if !strings.Contains(r.log, "::warning::input timeout-minutes is deprecated") {
		t.Errorf("no deprecation warning:\n%s", r.log)
	}
}

// comment: changes-only posts nothing for a plan without changes, and
// turns a comment posted before into "no changes" rather than leave a
// stale plan on the pull request.
func TestActionCommentChangesOnly(t *testing.T) {
	w := newActionWorld(t, cfnfake.Scenario{})
	in := map[string]string{"command": "plan", "environment": "pr-2", "comment": "changes-only"}
	// No plan scripted: the change set has no changes.
	r := w.run("pull_request.opened.json", "pull_request", in, nil)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	if n := len(w.comments()); n != 0 || r.outputs["comment-url"] != "" {
		t.Fatalf("%d comments, comment-url %q for a plan without changes", n, r.outputs["comment-url"])
	}
	// A plan with changes is commented.
	w.cfn.SetPlan(prStack, prPlan())
	r = w.run("pull_request.synchronize.json", "pull_request", in, nil)
	if r.code != ExitOK || len(w.comments()) != 1 || !strings.Contains(w.comments()[0].Body, "Plan for pr-2") {
		t.Fatalf("exit %d, comments %+v\n%s", r.code, w.comments(), r.log)
	}
	// The plan is deployed elsewhere; the next plan has no changes: the
	// comment now says so.
	w.cfn.SetPlan(prStack, nil)
	r = w.run("pull_request.synchronize.json", "pull_request", in, nil)
	c := w.comments()
	if r.code != ExitOK || len(c) != 1 || !strings.Contains(c[0].Body, "No changes for pr-2") || strings.Contains(c[0].Body, "Plan for pr-2") {
		t.Fatalf("exit %d, comments %+v\n%s", r.code, c, r.log)
	}
	if r.outputs["comment-url"] != htmlURL(c[0].ID) {
		t.Errorf("comment-url %q", r.outputs["comment-url"])
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// htmlURL is the page of a comment as GitHub (and the fake) gives it.
func htmlURL(id int64) string {
	return "https://github.com/" + owner + "/" + repo + "/pull/" + strconv.Itoa(prNumber) + "#issuecomment-" + strconv.FormatInt(id, 10)
}
