package github

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/django-serverless/django-serverless-action/internal/ghfake"
	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/pkg/changeset"
)

const commit = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
const runURL = "https://github.com/Codertocat/Hello-World/actions/runs/1234567890"

func add(id, typ string) changeset.ResourceChange {
	return changeset.ResourceChange{Action: "Add", LogicalID: id, ResourceType: typ}
}

func modify(id, typ, replacement string, props ...string) changeset.ResourceChange {
	c := changeset.ResourceChange{Action: "Modify", LogicalID: id, ResourceType: typ, Replacement: replacement, PhysicalID: "phys-" + id}
	for _, p := range props {
		rec := "Never"
		if replacement == "True" {
			rec = "Always"
		} else if replacement == "Conditional" {
			rec = "Conditionally"
		}
		c.Details = append(c.Details, changeset.Detail{Attribute: "Properties", Name: p, RequiresRecreation: rec, ChangeSource: "DirectModification", Evaluation: "Static"})
	}
	return c
}

func remove(id, typ string) changeset.ResourceChange {
	return changeset.ResourceChange{Action: "Remove", LogicalID: id, ResourceType: typ, PhysicalID: "shop-pr-2-" + id, PolicyAction: "Delete"}
}

// withValues gives a change its changed values (before, after pairs by
// path).
func withValues(c changeset.ResourceChange, vals ...changeset.Value) changeset.ResourceChange {
	c.Values = append(c.Values, vals...)
	return c
}

func val(path, before, after string) changeset.Value {
	return changeset.Value{Path: path, Before: before, After: after, Change: "Modify"}
}

func nested(action, id string) changeset.ResourceChange {
	c := changeset.ResourceChange{Action: action, LogicalID: id, ResourceType: "AWS::CloudFormation::Stack", NestedStack: true}
	if action == "Modify" {
		c.Replacement = "False"
	}
	return c
}

func model(stacks ...changeset.Stack) *changeset.Model {
	return &changeset.Model{
		StackName:     "shop-pr-2",
		ChangeSetID:   "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/ds-ec26c3e-1234567890-1/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		ChangeSetName: "ds-ec26c3e-1234567890-1",
		Status:        "CREATE_COMPLETE",
		Stacks:        stacks,
	}
}

func firstDeploy() CommentData {
	return CommentData{
		Mode: ModeDeploy, Environment: "pr-2", Stack: "shop-pr-2", Commit: commit, PR: 2, RunURL: runURL, Region: "eu-west-1",
		ChangeSet: model(
			changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Add", "Lambdas"), nested("Add", "Api")}},
			changeset.Stack{Path: "Lambdas", Changes: []changeset.ResourceChange{
				add("ExecutionRole", "AWS::IAM::Role"), add("DepsLayer", "AWS::Lambda::LayerVersion"),
				add("CatalogFunction", "AWS::Lambda::Function"), add("CatalogVersion3f9a2c1b", "AWS::Lambda::Version"),
				add("CatalogAlias", "AWS::Lambda::Alias"), add("DefaultFunction", "AWS::Lambda::Function"),
			}},
			changeset.Stack{Path: "Api", Changes: []changeset.ResourceChange{
				add("RestApi", "AWS::ApiGateway::RestApi"), add("CatalogPkResource", "AWS::ApiGateway::Resource"),
				add("Deployment8c1d2e3f", "AWS::ApiGateway::Deployment"), add("Stage", "AWS::ApiGateway::Stage"),
			}},
		),
		Routes: []RouteLine{
			{Route: "catalog/<int:pk>/", Name: "catalog:detail", APIPath: "/catalog/{pk}", Methods: []string{"GET"}, Function: "Catalog", Change: "new"},
			{Route: "orders/", Name: "orders:list", APIPath: "/orders", Methods: []string{"GET", "POST"}, Function: "Default", Change: "new"},
		},
		Artifacts:  &Artifacts{Uploaded: 4, UploadedBytes: 18_874_368, Skipped: 0},
		Status:     "CREATE_COMPLETE",
		Duration:   2*time.Minute + 13*time.Second + 400*time.Millisecond,
		APIURL:     "https://abc123defg.execute-api.eu-west-1.amazonaws.com/pr-2",
		GraphQLURL: "https://xyz.appsync-api.eu-west-1.amazonaws.com/graphql",
	}
}

func codeOnly() CommentData {
	d := firstDeploy()
	d.ChangeSet = model(
		changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Modify", "Lambdas")}},
		changeset.Stack{Path: "Lambdas", Changes: []changeset.ResourceChange{
			modify("ProjectLayer", "AWS::Lambda::LayerVersion", "True", "Content"),
			modify("CatalogFunction", "AWS::Lambda::Function", "False", "Layers"),
			{Action: "Remove", LogicalID: "CatalogVersion3f9a2c1b", ResourceType: "AWS::Lambda::Version", PhysicalID: "arn:aws:lambda:eu-west-1:123456789012:function:shop-pr-2_Catalog:1"},
			add("CatalogVersion77aa01de", "AWS::Lambda::Version"),
			modify("CatalogAlias", "AWS::Lambda::Alias", "False", "FunctionVersion"),
			modify("DefaultFunction", "AWS::Lambda::Function", "False", "Layers"),
			remove("DefaultVersion0b1c2d3e", "AWS::Lambda::Version"),
			add("DefaultVersion4f5a6b7c", "AWS::Lambda::Version"),
			modify("DefaultAlias", "AWS::Lambda::Alias", "False", "FunctionVersion"),
		}},
	)
	d.Routes = nil
	d.Artifacts = &Artifacts{Uploaded: 1, UploadedBytes: 48_213, Skipped: 3}
	d.Status, d.Duration = "UPDATE_COMPLETE", 41*time.Second
	return d
}

func risky() CommentData {
	return CommentData{
		Mode: ModePlan, Environment: "pr-2", Stack: "shop-pr-2", Commit: commit, PR: 2, RunURL: runURL, Region: "eu-west-1",
		ChangeSet: model(
			changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Modify", "Lambdas"), nested("Modify", "Api")}},
			changeset.Stack{Path: "Lambdas", Changes: []changeset.ResourceChange{
				remove("OrdersFunction", "AWS::Lambda::Function"),
				retained(remove("OrdersLogGroup", "AWS::Logs::LogGroup")),
				replaceAndDelete(withValues(modify("ExecutionRole", "AWS::IAM::Role", "True", "RoleName"), val("RoleName", "shop-pr-2-role", "shop-pr-2-exec"))),
				withValues(modify("CatalogFunction", "AWS::Lambda::Function", "False", "MemorySize", "Timeout", "Environment"),
					val("Environment.Variables.DEBUG", "1", "0"),
					changeset.Value{Path: "Environment.Variables.DJANGO_SECRET_KEY", Before: changeset.Masked, After: changeset.Masked, Change: "Modify", Sensitive: true},
					val("MemorySize", "512", "1024"), val("Timeout", "15", "30")),
				{Action: "Modify", LogicalID: "CatalogAlias", ResourceType: "AWS::Lambda::Alias", Replacement: "False", MayChange: true,
					Details: []changeset.Detail{{Attribute: "Properties", Name: "FunctionVersion", Evaluation: "Dynamic", ChangeSource: "ParameterReference"}}},
			}},
			changeset.Stack{Path: "Api", Changes: []changeset.ResourceChange{
				replaceAndDelete(withValues(modify("Stage", "AWS::ApiGateway::Stage", "Conditional", "StageName"), val("StageName", "pr-2", changeset.KnownAfterDeploy))),
				remove("OrdersResource", "AWS::ApiGateway::Resource"),
				add("Deployment0d9e8f7a", "AWS::ApiGateway::Deployment"),
			}},
		),
		Routes: []RouteLine{
			{Route: "^receipts/(?P<number>[0-9]+)(?:\\.pdf)?$", APIPath: "/receipts/{proxy+}", Function: "Default", Change: "changed"},
		},
		Artifacts: &Artifacts{Uploaded: 2, UploadedBytes: 3_145_728, Skipped: 2},
	}
}

// mixed is a plan with both the routine churn of a deploy (new function
// versions, a new layer version, a new API deployment) and real risks (a
// function removed with its version, a role and a stage replaced).
func mixed() CommentData {
	return CommentData{
		Mode: ModePlan, Environment: "pr-2", Stack: "shop-pr-2", Commit: commit, PR: 2, RunURL: runURL,
		ChangeSet: model(
			changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Modify", "Lambdas"), nested("Modify", "Api")}},
			changeset.Stack{Path: "Lambdas", Changes: []changeset.ResourceChange{
				modify("DepsLayer", "AWS::Lambda::LayerVersion", "True", "Content"),
				modify("ProjectLayer", "AWS::Lambda::LayerVersion", "True", "Content"),
				modify("ExecutionRole", "AWS::IAM::Role", "True", "RoleName"),
				modify("CatalogFunction", "AWS::Lambda::Function", "False", "Layers"),
				remove("CatalogVersion3f9a2c1b", "AWS::Lambda::Version"),
				add("CatalogVersion77aa01de", "AWS::Lambda::Version"),
				modify("CatalogAlias", "AWS::Lambda::Alias", "False", "FunctionVersion"),
				remove("OrdersFunction", "AWS::Lambda::Function"),
				remove("OrdersVersion5e6f7a8b", "AWS::Lambda::Version"),
				remove("OrdersAlias", "AWS::Lambda::Alias"),
				modify("DefaultFunction", "AWS::Lambda::Function", "False", "Layers"),
				remove("DefaultVersion0b1c2d3e", "AWS::Lambda::Version"),
				add("DefaultVersion4f5a6b7c", "AWS::Lambda::Version"),
				modify("DefaultAlias", "AWS::Lambda::Alias", "False", "FunctionVersion"),
			}},
			changeset.Stack{Path: "Api", Changes: []changeset.ResourceChange{
				remove("OrdersResource", "AWS::ApiGateway::Resource"),
				remove("OrdersMethodGET", "AWS::ApiGateway::Method"),
				remove("Deployment8c1d2e3f", "AWS::ApiGateway::Deployment"),
				add("Deployment0d9e8f7a", "AWS::ApiGateway::Deployment"),
				modify("Stage", "AWS::ApiGateway::Stage", "Conditional", "StageName"),
			}},
		),
		Routes: []RouteLine{
			{Route: "orders/", Name: "orders:list", APIPath: "/orders", Methods: []string{"GET"}, Function: "Default", Change: "changed"},
		},
		Artifacts: &Artifacts{Uploaded: 2, UploadedBytes: 9_437_184, Skipped: 2},
	}
}

func retained(c changeset.ResourceChange) changeset.ResourceChange {
	c.PolicyAction = "Retain"
	return c
}

func replaceAndDelete(c changeset.ResourceChange) changeset.ResourceChange {
	c.PolicyAction = "ReplaceAndDelete"
	return c
}

func noChanges() CommentData {
	return CommentData{
		Mode: ModeNoChanges, Environment: "prod", Stack: "shop-prod", Commit: commit, RunURL: runURL, Region: "eu-west-1",
		Artifacts: &Artifacts{Skipped: 4},
		APIURL:    "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod",
	}
}

func failedDeploy() CommentData {
	d := codeOnly()
	d.Mode = ModeFailed
	d.Status = "UPDATE_ROLLBACK_COMPLETE"
	d.Duration = 3*time.Minute + 2*time.Second
	d.APIURL, d.GraphQLURL = "", ""
	// The format pkg/stack's root cause has (stack path/LogicalId (Type):
	// reason; pinned by its TestTemplateNestedFailureRootCause).
	d.RootCause = "shop-pr-2/Lambdas/CatalogFunction (AWS::Lambda::Function): Resource handler returned message: \"Unzipped size must be smaller than 262144000 bytes (Service: Lambda, Status Code: 400, Request ID: 0f1e2d3c-aaaa)\" (RequestToken: 4f1c6a2e-bbbb, HandlerErrorCode: InvalidRequest)"
	return d
}

func TestCommentGolden(t *testing.T) {
	for name, d := range map[string]CommentData{
		"first-deploy":  firstDeploy(),
		"code-only":     codeOnly(),
		"risky-plan":    risky(),
		"mixed-plan":    mixed(),
		"no-changes":    noChanges(),
		"failed-deploy": failedDeploy(),
	} {
		t.Run(name, func(t *testing.T) {
			got := Comment(d)
			golden.AssertString(t, got, filepath.Join("testdata", name+".md"))
			if !strings.HasPrefix(got, Marker(d.Stack)+"\n") {
				t.Errorf("comment does not start with the marker line")
			}
			// Nothing was left out: the job summary adds nothing, so
			// the comment does not send reviewers there.
			if strings.Contains(got, "job summary") {
				t.Errorf("an unshortened comment points to the job summary")
			}
			assertWellFormed(t, got)
			if strings.Contains(got, "123456789012") {
				t.Errorf("comment shows the account ID")
			}
			// The job summary holds the same report without marker.
			sum := Summary(d)
			if strings.Contains(sum, "<!--") {
				t.Errorf("summary carries the marker")
			}
			golden.AssertString(t, sum, filepath.Join("testdata", name+".summary.md"))
		})
	}
}

// beforeDetails is the part of a comment outside every <details> block
// (everything before the first one: the risk list comes before them).
func beforeDetails(s string) string {
	before, _, _ := strings.Cut(s, "<details>")
	return before
}

func TestCommentRiskListOutsideDetails(t *testing.T) {
	got := Comment(risky())
	top := beforeDetails(got)
	for _, want := range []string{
		"> [!CAUTION]\n> **3 removals, 2 replacements.** Review them before deploying:\n",
		"> - **Function Orders** will be removed with its log group (2 resources in Lambdas): the log group is kept in AWS (DeletionPolicy Retain)\n",
		"> - **Lambdas/ExecutionRole** (AWS::IAM::Role) will be replaced, the old one is deleted: RoleName `shop-pr-2-role` → `shop-pr-2-exec` (forces replacement)\n",
		"> - **Api/Stage** (AWS::ApiGateway::Stage) may be replaced, the old one is deleted: StageName `pr-2` → _known after deploy_ (may force replacement)\n",
		"> - **Api/OrdersResource** (AWS::ApiGateway::Resource) will be deleted · physical ID `shop-pr-2-OrdersResource`\n",
		"**Changes** 1 to add · 2 to modify · 3 to remove · 2 to replace\n",
	} {
		if !strings.Contains(top, want) {
			t.Errorf("outside <details> lacks %q", want)
		}
	}
	if strings.Contains(top, "CatalogFunction") {
		t.Errorf("a plain modify is listed as a risk")
	}
}

// unescapedPipes counts '|' not preceded by a backslash.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == '|' {
			n++
		}
	}
	return n
}

// containsUnescaped reports whether s occurs in text without a backslash
// before it.
func containsUnescaped(text, s string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], s)
		if j < 0 {
			return false
		}
		if at := i + j; at == 0 || text[at-1] != '\\' {
			return true
		}
		i += j + 1
	}
}

// withoutCodeBlocks drops fenced code blocks and inline code spans (whose
// content is inert: no markup, HTML, entity, mention or link).
func withoutCodeBlocks(md string) string {
	return withoutCodeSpans(withoutFences(md))
}

// withoutCodeSpans drops inline code spans as CommonMark reads them: a
// run of n backticks (not escaped) up to the next run of exactly n
// backticks in the same line.
func withoutCodeSpans(md string) string {
	var out strings.Builder
	for _, line := range strings.SplitAfter(md, "\n") {
		for i := 0; i < len(line); {
			if line[i] == '\\' && i+1 < len(line) {
				out.WriteString(line[i : i+2])
				i += 2
				continue
			}
			if line[i] != '`' {
				out.WriteByte(line[i])
				i++
				continue
			}
			n := 0
			for i+n < len(line) && line[i+n] == '`' {
				n++
			}
			end := -1
			for j := i + n; j < len(line); {
				if line[j] != '`' {
					j++
					continue
				}
				m := 0
				for j+m < len(line) && line[j+m] == '`' {
					m++
				}
				if m == n {
					end = j + m
					break
				}
				j += m
			}
			if end < 0 {
				out.WriteString(line[i : i+n])
				i += n
				continue
			}
			out.WriteString("CODE")
			i = end
		}
	}
	return out.String()
}

// withoutFences drops fenced code blocks.
func withoutFences(md string) string {
	var out []string
	fenceOpen := ""
	for _, l := range strings.Split(md, "\n") {
		trimmed := strings.TrimRight(l, " ")
		switch {
		case fenceOpen == "" && strings.HasPrefix(trimmed, "```"):
			fenceOpen = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
		case fenceOpen != "" && strings.Trim(trimmed, "`") == "" && len(trimmed) >= len(fenceOpen):
			fenceOpen = ""
		case fenceOpen == "":
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// assertWellFormed checks what hostile text could break: every table row
// has its header's column count, <details> blocks balance, the marker
// appears once, no raw HTML tag other than ours appears.
func assertWellFormed(t *testing.T, md string) {
	t.Helper()
	md = withoutCodeBlocks(md)
	lines := strings.Split(md, "\n")
	cols := 0
	for i, l := range lines {
		if !strings.HasPrefix(l, "|") {
			cols = 0
			continue
		}
		n := unescapedPipes(l)
		if cols == 0 {
			cols = n
			continue
		}
		if n != cols {
			t.Errorf("line %d has %d cell separators, header has %d: %q", i+1, n, cols, l)
		}
	}
	if o, c := strings.Count(md, "<details>"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%d <details> and %d </details>", o, c)
	}
	if n := strings.Count(md, "<!--"); n > 1 {
		t.Errorf("%d HTML comments, want only the marker", n)
	}
	tags := regexp.MustCompile(`</?([a-zA-Z]+)`)
	for _, m := range tags.FindAllStringSubmatch(md, -1) {
		switch m[1] {
		case "details", "summary", "sub":
		default:
			t.Errorf("unexpected HTML tag %q", m[0])
		}
	}
}

func TestCommentEscapesHostileNames(t *testing.T) {
	hostile := "Evil|Name`code` <script>alert(1)</script> @octocat #1 [x](http://evil.example) ![i](https://e/i.png) **bold** $x^2$ ~~s~~\n## Heading\r\n</details><!-- django-serverless:stack=x --> \u202egnp.exe www.evil.example"
	d := risky()
	m := d.ChangeSet
	m.StackName = hostile
	m.Stacks[1].StatusReason = hostile
	m.Stacks[1].Status = "FAILED"
	m.Stacks[1].Changes = append(m.Stacks[1].Changes,
		changeset.ResourceChange{Action: "Remove", LogicalID: hostile, ResourceType: hostile, PhysicalID: hostile},
		changeset.ResourceChange{Action: "Modify", LogicalID: "X", ResourceType: hostile, Replacement: "True",
			Details: []changeset.Detail{{Attribute: "Properties", Name: hostile, RequiresRecreation: "Always"}}})
	m.Stacks[2].Path = hostile
	d.Routes = append(d.Routes, RouteLine{Route: hostile, Name: hostile, APIPath: hostile, Methods: []string{hostile}, Function: hostile, Change: hostile})
	d.Status = hostile
	d.APIURL = "javascript:alert(1)//" + hostile
	d.RootCause = "```\n" + hostile + "\n````"
	d.Commit = hostile

	for name, got := range map[string]string{"comment": Comment(d), "summary": Summary(d)} {
		t.Run(name, func(t *testing.T) {
			assertWellFormed(t, got)
			text := withoutCodeBlocks(got)
			for _, bad := range []string{"<script", "@octocat", " #1 ", "](http://evil", "](https://e/", "![", "**bold**", "\n## Heading", "\u202e", "www.evil", "http://evil", "`code`", "$x"} {
				if containsUnescaped(text, bad) {
					t.Errorf("%s contains %q", name, bad)
				}
			}
			if !strings.Contains(got, "\n`````text\n```\n") || !strings.Contains(got, "\n````\n`````\n") {
				t.Errorf("root cause is not fenced with a fence longer than its backtick runs:\n%s", got)
			}
			if name == "comment" && !strings.HasPrefix(got, Marker("shop-pr-2")+"\n") {
				t.Errorf("marker is not the first line")
			}
			// The hostile logical ID is listed as a risk outside <details>,
			// escaped.
			if !strings.Contains(beforeDetails(got), "> - **Lambdas/Evil\\|Name\\`code\\` &lt;script&gt;") {
				t.Errorf("escaped hostile removal missing from the risk list:\n%s", beforeDetails(got))
			}
		})
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain-Name9":                      "plain-Name9",
		"arn:aws:iam::123456789012:role/x": "arn:aws:iam::&lt;account&gt;:role/x",
		"a|b":                              `a\|b`,
		"<b>&":                             "&lt;b&gt;&amp;",
		"@user":                            "@\u2060user",
		"fix #12":                          "fix #\u206012",
		"line\nbreak\r\ntab\t.":            "line break  tab .",
		"[x](y)":                           `\[x\](y)`,
		"http://x":                         "http:\u2060//x",
		"WWW.x.org":                        "WWW\u2060.x.org",
		"a\u202eb":                         "a\ufffdb",
		"*_`~$!":                           "\\*\\_\\`\\~\\$!",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// bigModel has n changes spread over three nested stacks; every step-th
// change is a removal or a replacement.
func bigModel(n, step int, id func(i int) string) *changeset.Model {
	m := model(changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Modify", "Lambdas"), nested("Modify", "Lambdas2"), nested("Modify", "Api")}},
		changeset.Stack{Path: "Lambdas"}, changeset.Stack{Path: "Lambdas2"}, changeset.Stack{Path: "Api"})
	for i := 0; i < n; i++ {
		var c changeset.ResourceChange
		switch {
		case step > 0 && i%step == 0 && i%(2*step) == 0:
			c = remove(id(i), "AWS::Lambda::Function")
		case step > 0 && i%step == 0:
			c = withValues(modify(id(i), "AWS::ApiGateway::Resource", "True", "PathPart", "ParentId"),
				val("PathPart", fmt.Sprintf("catalog-products-%04d", i), fmt.Sprintf("catalogue-products-%04d", i)),
				val("ParentId", "abc123", changeset.KnownAfterDeploy))
		default:
			// Before/after values as IncludePropertyValues gives them: the
			// code's key, a layer, an environment variable, the memory.
			c = withValues(modify(id(i), "AWS::Lambda::Function", "False", "Code", "Layers", "Environment", "MemorySize"),
				val("Code.S3Key", fmt.Sprintf("shop/%064d.zip", i), fmt.Sprintf("shop/%064d.zip", i+1)),
				val("Layers[0]", "arn:aws:lambda:eu-west-1:123456789012:layer:shop-deps:41", "arn:aws:lambda:eu-west-1:123456789012:layer:shop-deps:42"),
				val("Environment.Variables.DJANGO_SERVERLESS_FUNCTION", "CatalogProductDetail", "CatalogProductDetails"),
				val("MemorySize", "512", "1024"))
		}
		s := &m.Stacks[1+i%3]
		s.Changes = append(s.Changes, c)
	}
	return m
}

func TestCommentLimit3000Changes(t *testing.T) {
	d := firstDeploy()
	d.Mode = ModePlan
	d.ChangeSet = bigModel(3000, 10, func(i int) string { return fmt.Sprintf("CatalogProductDetailFunction%04d", i) })
	got := Comment(d)
	if len(got) > MaxCommentBytes || utf8.RuneCountInString(got) > ghfake.MaxBodyChars {
		t.Fatalf("comment is %d bytes", len(got))
	}
	full := Summary(d)
	if len(full) <= ghfake.MaxBodyChars {
		t.Fatalf("summary is only %d bytes: the test does not exceed the limit", len(full))
	}
	top := beforeDetails(got)
	risks := 0
	for i := 0; i < 3000; i++ {
		if i%10 != 0 {
			continue
		}
		risks++
		path := []string{"Lambdas", "Lambdas2", "Api"}[i%3]
		want := fmt.Sprintf("> - **%s/CatalogProductDetailFunction%04d** (AWS::Lambda::Function) will be deleted", path, i)
		if i%20 != 0 {
			want = fmt.Sprintf("> - **%s/CatalogProductDetailFunction%04d** (AWS::ApiGateway::Resource) will be replaced: PathPart `catalog-products-%04d` → `catalogue-products-%04d` (forces replacement)", path, i, i, i)
		}
		if !strings.Contains(top, want) {
			t.Errorf("risk %d missing outside <details>: %q", i, want)
		}
	}
	if n := strings.Count(top, "\n> - "); n != risks {
		t.Errorf("%d risk lines, want %d", n, risks)
	}
	// Values reach the comment where they fit.
	if !strings.Contains(got, "Code.S3Key `shop/") {
		t.Errorf("no before -> after value in the comment's tables")
	}
	if !strings.Contains(got, "Shortened to fit GitHub's comment size limit") || !strings.Contains(got, "The full diff is in the [job summary]("+runURL+")") {
		t.Errorf("comment does not say it was shortened and where the full diff is:\n%s", got[len(got)-400:])
	}
	assertWellFormed(t, got)
	// The summary has every row.
	// The summary has every row within its own 1 MiB limit, else says
	// how many it left out.
	rows := strings.Count(full, "| ✏️ Modify |") + strings.Count(full, "| ⚠️ ➖ Remove |") + strings.Count(full, "| ⚠️ ♻️ Replace |")
	if rows != 3003 && !strings.Contains(full, fmt.Sprintf("Shortened to fit GitHub's 1 MiB job summary limit: %d of 3003 changes not shown", 3003-rows)) {
		t.Errorf("summary has %d rows of 3003 and does not say so", rows)
	}
	if len(full) > MaxSummaryBytes || rows < 2000 {
		t.Errorf("summary: %d bytes, %d rows", len(full), rows)
	}

	// GitHub (the fake enforces its 65,536-character limit) takes it.
	fake := ghfake.New(t)
	c := newCommenter(t, fake, "")
	if _, err := c.Upsert(context.Background(), owner, repo, prNum, d.Stack, got); err != nil {
		t.Fatal(err)
	}
	// And refuses the unshortened report: the limit is real.
	if _, err := c.Upsert(context.Background(), owner, repo, prNum+1, d.Stack, full); err == nil || !strings.Contains(err.Error(), "422") {
		t.Fatalf("the fake accepted %d bytes: %v", len(full), err)
	}
}

func TestCommentRiskListAloneTooLong(t *testing.T) {
	// 3,000 removals and replacements: full risk lines cannot fit; the
	// lines are shortened but every logical ID stays.
	d := risky()
	d.ChangeSet = bigModel(3000, 1, func(i int) string { return fmt.Sprintf("Fn%04d", i) })
	got := Comment(d)
	if len(got) > MaxCommentBytes {
		t.Fatalf("comment is %d bytes", len(got))
	}
	top := beforeDetails(got)
	named := map[string]bool{}
	for _, m := range regexp.MustCompile(`[ ,](Fn[0-9]{4})(?:,|\n)`).FindAllStringSubmatch(top, -1) {
		named[m[1]] = true
	}
	for i := 0; i < 3000; i++ {
		if !named[fmt.Sprintf("Fn%04d", i)] {
			t.Fatalf("Fn%04d missing from the risk list", i)
		}
	}
	if !strings.Contains(top, "every removal and replacement is named") {
		t.Errorf("comment does not say the risk list was shortened")
	}
	assertWellFormed(t, got)

	// With names too long for even that, the comment says how many are not
	// listed rather than exceed the limit.
	d.ChangeSet = bigModel(3000, 1, func(i int) string { return fmt.Sprintf("VeryLongLogicalIdentifierForAResource%04dThatGoesOnAndOn", i) })
	got = Comment(d)
	if len(got) > MaxCommentBytes {
		t.Fatalf("comment is %d bytes", len(got))
	}
	listed := 0
	for i := 0; i < 3000; i++ {
		if strings.Contains(got, fmt.Sprintf("Resource%04dThat", i)) {
			listed++
		}
	}
	want := fmt.Sprintf("**%d more removals or replacements are not listed here**", 3000-listed)
	if listed == 0 || listed == 3000 || !strings.Contains(got, want) {
		t.Fatalf("listed %d of 3000; comment lacks %q", listed, want)
	}
}

func TestCommentDeterministic(t *testing.T) {
	d := risky()
	a, b := Comment(d), Comment(d)
	if a != b {
		t.Fatal("two renders differ")
	}
}

func TestSummaryStaysUnderJobSummaryLimit(t *testing.T) {
	d := risky()
	long := strings.Repeat("Environment.Variables.SETTING_", 8)
	d.ChangeSet = bigModel(9000, 50, func(i int) string { return fmt.Sprintf("Function%05d", i) })
	for si := range d.ChangeSet.Stacks {
		for ci := range d.ChangeSet.Stacks[si].Changes {
			c := &d.ChangeSet.Stacks[si].Changes[ci]
			c.Details = append(c.Details, changeset.Detail{Attribute: "Properties", Name: long, RequiresRecreation: "Never"})
		}
	}
	got := Summary(d)
	if len(got) > MaxSummaryBytes {
		t.Fatalf("summary is %d bytes", len(got))
	}
	if !strings.Contains(got, "Shortened to fit GitHub's 1 MiB job summary limit") {
		t.Fatal("summary does not say it was shortened")
	}
	// Still every risk, in full.
	top := beforeDetails(got)
	for i := 0; i < 9000; i += 50 {
		if !strings.Contains(top, fmt.Sprintf("/Function%05d** (", i)) {
			t.Fatalf("risk Function%05d missing", i)
		}
	}
	// A summary that fits is not shortened.
	if s := Summary(risky()); strings.Contains(s, "Shortened") {
		t.Fatal("small summary shortened")
	}
}

// BenchmarkComment3000 renders the comment of a 3,000-change change set,
// which must be shortened to fit (several renders).
func BenchmarkComment3000(b *testing.B) {
	d := risky()
	d.ChangeSet = bigModel(3000, 10, func(i int) string { return fmt.Sprintf("CatalogProductDetailFunction%04d", i) })
	for b.Loop() {
		if len(Comment(d)) > MaxCommentBytes {
			b.Fatal("too long")
		}
	}
}

// flagged lists "path/logicalID" of every Remove and every Replacement
// True/Conditional of m, routine or not.
func flagged(m *changeset.Model) []string {
	var out []string
	for _, s := range m.Stacks {
		for _, c := range s.Changes {
			if changeset.Flagged(c) {
				out = append(out, s.Path+"/"+c.LogicalID)
			}
		}
	}
	return out
}

func TestCommentRiskAndRoutineGroups(t *testing.T) {
	for name, got := range map[string]string{"comment": Comment(mixed()), "summary": Summary(mixed())} {
		t.Run(name, func(t *testing.T) {
			top := beforeDetails(got)
			riskAt, routineAt := strings.Index(top, "> [!CAUTION]\n> **5 removals, 2 replacements.**"), strings.Index(top, "**♻️ Routine**")
			if riskAt < 0 || routineAt < riskAt {
				t.Fatalf("want the risk list, then the routine group, outside <details>:\n%s", top)
			}
			risks, routine := top[riskAt:routineAt], top[routineAt:]
			for _, want := range []string{
				"> - **Lambdas/ExecutionRole** (AWS::IAM::Role) will be replaced: RoleName (forces replacement)\n",
				// One line for the function and what goes with it; its
				// version has no new one: it goes too.
				"> - **Function Orders** will be deleted with its alias and version (3 resources in Lambdas)\n",
				"> - **Api/Stage** (AWS::ApiGateway::Stage) may be replaced: StageName (may force replacement)\n",
			} {
				if !strings.Contains(risks, want) {
					t.Errorf("risk list lacks %q:\n%s", want, risks)
				}
			}
			for _, routineID := range []string{"DepsLayer", "ProjectLayer", "CatalogVersion3f9a2c1b", "DefaultVersion0b1c2d3e", "Deployment8c1d2e3f"} {
				if strings.Contains(risks, routineID) {
					t.Errorf("routine %s is in the risk list:\n%s", routineID, risks)
				}
			}
			for _, want := range []string{
				"- ♻️ 2 layer versions replaced by new ones in Lambdas: DepsLayer, ProjectLayer\n",
				"- ♻️ 2 Lambda versions replaced by new ones in Lambdas: CatalogVersion3f9a2c1b, DefaultVersion0b1c2d3e\n",
				"- ♻️ 1 API deployment replaced by a new one in Api: Deployment8c1d2e3f\n",
			} {
				if !strings.Contains(routine, want) {
					t.Errorf("routine group lacks %q:\n%s", want, routine)
				}
			}
			if strings.Contains(routine, "⚠️") {
				t.Errorf("routine group is flagged as a risk:\n%s", routine)
			}
			// Every removal and replacement is named outside <details>:
			// by its logical ID, or as part of its removed function.
			for _, id := range flagged(mixed().ChangeSet) {
				_, logical, _ := strings.Cut(id, "/")
				if !strings.Contains(top, logical) && !strings.HasPrefix(logical, "Orders") {
					t.Errorf("%s is not named outside <details>", id)
				}
			}
			// The totals count what the risk header counts; the routine
			// churn apart.
			if !strings.Contains(top, "**Changes** 3 to add · 4 to modify · 5 to remove · 2 to replace · 5 routine\n") {
				t.Errorf("totals changed:\n%s", top)
			}
			assertWellFormed(t, got)
		})
	}
}

func TestCommentCodeOnlyHasNoRisk(t *testing.T) {
	got := Comment(codeOnly())
	top := beforeDetails(got)
	if strings.Contains(top, "⚠️") || !strings.Contains(top, "No risky removals or replacements.") {
		t.Errorf("a code-only deploy shows a risk:\n%s", top)
	}
	if !strings.Contains(top, "**♻️ Routine**") || !strings.Contains(top, "ProjectLayer") || !strings.Contains(top, "CatalogVersion3f9a2c1b") {
		t.Errorf("routine group missing:\n%s", top)
	}
	// Without any removal or replacement, neither group shows.
	fd := Comment(firstDeploy())
	if !strings.Contains(fd, "No removals or replacements.") || strings.Contains(fd, "Routine") {
		t.Errorf("first deploy:\n%s", beforeDetails(fd))
	}
}

func TestCommentRoutineEscaped(t *testing.T) {
	hostile := "Evil|`x` <img src=x> @octocat [y](http://evil)"
	d := codeOnly()
	s := &d.ChangeSet.Stacks[1]
	s.Changes = append(s.Changes,
		changeset.ResourceChange{Action: "Remove", LogicalID: hostile + "Version1", ResourceType: "AWS::Lambda::Version"},
		changeset.ResourceChange{Action: "Add", LogicalID: hostile + "Version2", ResourceType: "AWS::Lambda::Version"})
	d.ChangeSet.Stacks[1].Path = "Lambdas|<b>"
	got := Comment(d)
	assertWellFormed(t, got)
	top := beforeDetails(got)
	if !strings.Contains(top, "- ♻️ 3 Lambda versions replaced by new ones in Lambdas\\|&lt;b&gt;: CatalogVersion3f9a2c1b, DefaultVersion0b1c2d3e, Evil\\|\\`x\\` &lt;img src=x&gt; @\u2060octocat \\[y\\](http:\u2060//evil)Version1\n") {
		t.Errorf("hostile routine ID not escaped:\n%s", top)
	}
	for _, bad := range []string{"<img", "@octocat", "](http://evil"} {
		if containsUnescaped(withoutCodeBlocks(got), bad) {
			t.Errorf("comment contains %q", bad)
		}
	}
}

// churnModel has, in each of three Lambdas stacks, a share of n changes:
// function modifications, version swaps (a Remove and an Add per
// function, routine) and every 10th function removed or its role-like
// resource replaced (risks).
func churnModel(n int, id func(i int) string) (m *changeset.Model, risks, routine []string) {
	m = model(changeset.Stack{Path: "", Changes: []changeset.ResourceChange{nested("Modify", "Lambdas"), nested("Modify", "Lambdas2"), nested("Modify", "Lambdas3")}},
		changeset.Stack{Path: "Lambdas"}, changeset.Stack{Path: "Lambdas2"}, changeset.Stack{Path: "Lambdas3"})
	for i := 0; len(m.Stacks[1].Changes)+len(m.Stacks[2].Changes)+len(m.Stacks[3].Changes) < n; i++ {
		s := &m.Stacks[1+i%3]
		fn := id(i)
		switch {
		case i%20 == 0:
			s.Changes = append(s.Changes, remove(fn+"Function", "AWS::Lambda::Function"))
			risks = append(risks, s.Path+"/"+fn+"Function")
		case i%10 == 0:
			s.Changes = append(s.Changes, modify(fn+"Role", "AWS::IAM::Role", "True", "RoleName"))
			risks = append(risks, s.Path+"/"+fn+"Role")
		default:
			s.Changes = append(s.Changes, modify(fn+"Function", "AWS::Lambda::Function", "False", "Layers"),
				remove(fn+"Version0123456789", "AWS::Lambda::Version"), add(fn+"Version9876543210", "AWS::Lambda::Version"))
			routine = append(routine, s.Path+"/"+fn+"Version0123456789")
		}
	}
	return m, risks, routine
}

func TestCommentLimitKeepsRisksAndRoutine(t *testing.T) {
	d := codeOnly()
	d.Mode = ModePlan
	var risks, routine []string
	d.ChangeSet, risks, routine = churnModel(3000, func(i int) string { return fmt.Sprintf("Catalog%04d", i) })
	got := Comment(d)
	if len(got) > MaxCommentBytes {
		t.Fatalf("comment is %d bytes", len(got))
	}
	if len(Summary(d)) <= MaxCommentBytes {
		t.Fatal("the test does not exceed the comment limit")
	}
	top := beforeDetails(got)
	riskPart, routinePart, ok := strings.Cut(top, "**♻️ Routine**")
	if !ok {
		t.Fatalf("no routine group:\n%s", top)
	}
	for _, id := range risks {
		path, logical, _ := strings.Cut(id, "/")
		if !strings.Contains(riskPart, "**"+path+"/"+logical+"** (") && !regexp.MustCompile(`in `+path+` \(\d+\):.* `+logical+`(,|\n)`).MatchString(riskPart) {
			t.Fatalf("risk %s missing from the risk list:\n%s", id, riskPart)
		}
	}
	if n := strings.Count(riskPart, ") will be deleted") + strings.Count(riskPart, ") will be replaced"); n != len(risks) {
		t.Errorf("%d risk lines, want %d", n, len(risks))
	}
	for _, id := range routine {
		_, logical, _ := strings.Cut(id, "/")
		if !strings.Contains(routinePart, " "+logical+",") && !strings.Contains(routinePart, " "+logical+"\n") {
			t.Fatalf("routine %s not named:\n%s", id, routinePart)
		}
		if strings.Contains(riskPart, logical) {
			t.Fatalf("routine %s listed as a risk", id)
		}
	}
	if !strings.Contains(got, "Shortened to fit GitHub's comment size limit") {
		t.Errorf("comment does not say it was shortened")
	}
	assertWellFormed(t, got)
}

func TestCommentLimitRoutineCountsOnly(t *testing.T) {
	// Routine names too long to list beside the risks: the routine group
	// keeps its counts, says so, and every risk is still named.
	d := codeOnly()
	d.Mode = ModePlan
	long := func(i int) string {
		return fmt.Sprintf("CatalogProductDetailWithAVeryLongNameThatGoesOnAndOn%04d", i)
	}
	var risks, routine []string
	d.ChangeSet, risks, routine = churnModel(6000, long)
	got := Comment(d)
	if len(got) > MaxCommentBytes {
		t.Fatalf("comment is %d bytes", len(got))
	}
	top := beforeDetails(got)
	riskPart, routinePart, ok := strings.Cut(top, "**♻️ Routine**")
	if !ok {
		t.Fatalf("no routine group:\n%s", top)
	}
	for _, id := range risks {
		_, logical, _ := strings.Cut(id, "/")
		if !strings.Contains(riskPart, logical) {
			t.Fatalf("risk %s missing from the risk list", id)
		}
	}
	if strings.Contains(riskPart, "more removals or replacements are not listed") {
		t.Errorf("risks cut while routine names could go")
	}
	perStack := map[string]int{}
	for _, id := range routine {
		path, _, _ := strings.Cut(id, "/")
		perStack[path]++
	}
	for _, path := range []string{"Lambdas", "Lambdas2", "Lambdas3"} {
		want := fmt.Sprintf("- ♻️ %d Lambda versions replaced by new ones in %s\n", perStack[path], path)
		if !strings.Contains(routinePart, want) {
			t.Errorf("routine group lacks %q:\n%s", want, routinePart)
		}
	}
	if !strings.Contains(routinePart, "counted, not named, to fit GitHub's comment size limit; the job summary names them all") {
		t.Errorf("comment does not say routine names were left out:\n%s", routinePart)
	}
	// The job summary names them all.
	sum := Summary(d)
	for _, id := range routine {
		_, logical, _ := strings.Cut(id, "/")
		if !strings.Contains(beforeDetails(sum), logical) {
			t.Fatalf("summary does not name routine %s", id)
		}
	}
	assertWellFormed(t, got)
}

// Finding 12: a plan's comment has no status (the stack does not change):
// no "**Status**  in 0s" line.
func TestAttackPlanCommentEmptyStatus(t *testing.T) {
	for _, d := range []CommentData{
		{Mode: ModePlan, Environment: "pr-7", Stack: "shop-pr-7", Duration: 300 * time.Millisecond},
		{Mode: ModePlan, Environment: "pr-7", Stack: "shop-pr-7", Duration: 4 * time.Second},
	} {
		body := Comment(d)
		if strings.Contains(body, "**Status**") || strings.Contains(body, " in 0s") {
			t.Errorf("comment shows an empty status:\n%s", body)
		}
	}
	d := CommentData{Mode: ModeDeploy, Environment: "pr-7", Stack: "shop-pr-7", Status: "UPDATE_COMPLETE", Duration: 300 * time.Millisecond}
	if body := Comment(d); !strings.Contains(body, "**Status** UPDATE\\_COMPLETE\n") {
		t.Errorf("a sub-second deploy's status:\n%s", body)
	}
}

// A stack with nothing to change gets one short paragraph: no totals, no
// tables, no pointer to a job summary that adds nothing.
func TestNoChangeCommentIsOneShortParagraph(t *testing.T) {
	for _, d := range []CommentData{noChanges(), func() CommentData {
		d := noChanges()
		d.PR, d.Artifacts = 7, &Artifacts{Uploaded: 1, UploadedBytes: 2048, Skipped: 3}
		d.GraphQLURL = "https://xyz.appsync-api.eu-west-1.amazonaws.com/graphql"
		return d
	}()} {
		got := Comment(d)
		head := Marker(d.Stack) + "\n### ✅ No changes for prod\n\n"
		if !strings.HasPrefix(got, head) {
			t.Fatalf("comment starts %q", got)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(got, head), "\n")
		if strings.Contains(body, "\n") || len(body) > 400 {
			t.Errorf("not one short paragraph (%d bytes):\n%s", len(body), body)
		}
		for _, unwanted := range []string{"job summary", "<details>", "**Changes**", "CAUTION"} {
			if strings.Contains(got, unwanted) {
				t.Errorf("no-change comment has %q:\n%s", unwanted, got)
			}
		}
		if !strings.Contains(body, "nothing to deploy") || !strings.Contains(body, "ec26c3e") {
			t.Errorf("paragraph: %s", body)
		}
	}
}

// Values whose name or text looks secret never show, even when the model
// did not mark them (a model built by other means than Describe).
func TestCommentNeverShowsSecretValues(t *testing.T) {
	d := risky()
	c := &d.ChangeSet.Stacks[1].Changes[3]
	c.Values = append(c.Values,
		val("Environment.Variables.DATABASE_URL", "postgres://shop:pw-one@db/shop", "postgres://shop:pw-two@db/shop"),
		val("Environment.Variables.PLAIN", "AKIAABCDEFGHIJKLMNOP", "x"),
	)
	for name, got := range map[string]string{"comment": Comment(d), "summary": Summary(d)} {
		for _, secret := range []string{"pw-one", "pw-two", "AKIAABCDEFGHIJKLMNOP"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s shows %q", name, secret)
			}
		}
		if !strings.Contains(got, "DATABASE\\_URL _(sensitive, not shown)_") {
			t.Errorf("%s does not say the value is hidden", name)
		}
	}
}

// The console link names the stack and the region, never the account ID
// (which the change set's ARN holds): anyone who reads the pull request
// reads the comment.
func TestConsoleLink(t *testing.T) {
	got := Comment(risky())
	want := "[Open shop-pr-2 in the CloudFormation console](https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks?filteringText=shop-pr-2&filteringStatus=active&viewNested=true)"
	if !strings.Contains(got, want) {
		t.Errorf("no console link:\n%s", got)
	}
	if strings.Contains(got, "123456789012") {
		t.Error("the comment names the account")
	}
	for region, host := range map[string]string{"cn-north-1": "cn-north-1.console.amazonaws.cn", "us-gov-west-1": "console.amazonaws-us-gov.com"} {
		if u := ConsoleURL(region, "shop-prod"); !strings.HasPrefix(u, "https://"+host+"/cloudformation/home?region="+region+"#") {
			t.Errorf("ConsoleURL(%s) = %s", region, u)
		}
	}
	for _, bad := range [][2]string{{"", "shop"}, {"eu-west-1", ""}, {"eu-west-1\"", "shop"}, {"eu-west-1", "shop)](javascript:x"}} {
		if u := ConsoleURL(bad[0], bad[1]); u != "" {
			t.Errorf("ConsoleURL(%q, %q) = %q", bad[0], bad[1], u)
		}
	}
	d := risky()
	d.Region = ""
	if strings.Contains(Comment(d), "console") {
		t.Error("a link without a region")
	}
}

// Route regexes show as written: in a code span, not entity-escaped.
func TestRouteRegexInCodeSpan(t *testing.T) {
	got := Comment(risky())
	if !strings.Contains(got, "| `^receipts/(?P<number>[0-9]+)(?:\\.pdf)?$` | `/receipts/{proxy+}` |") {
		t.Errorf("route not shown as written:\n%s", got)
	}
	for in, want := range map[string]string{
		"a|b":                              "`a\\|b`",
		"x`y":                              "``x`y``",
		"`lead":                            "`` `lead ``",
		"":                                 "(empty)",
		"<b>&amp;":                         "`<b>&amp;`",
		"a\nb":                             "`a b`",
		"a\u202eb":                         "`a\ufffdb`",
		"arn:aws:iam::123456789012:role/x": "`arn:aws:iam::<account>:role/x`",
	} {
		if got := code(in, true); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}
