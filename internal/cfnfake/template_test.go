package cfnfake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// env is a fake with an in-memory S3 and a real SDK client.
type env struct {
	params []types.Parameter
	t      *testing.T
	srv    *Server
	c      *cloudformation.Client
	obj    *MapObjects
	ctx    context.Context
}

const bucket = "artifacts"

func newEnv(t *testing.T, sc Scenario) *env {
	t.Helper()
	obj := NewMapObjects()
	if sc.S3 == nil {
		sc.S3 = obj
	}
	srv := New(t, sc)
	return &env{t: t, srv: srv, c: newClient(t, srv, 1), obj: obj, ctx: context.Background(),
		params: []types.Parameter{{ParameterKey: aws.String("ArtifactsBucket"), ParameterValue: aws.String(bucket)}}}
}

// put uploads testdata/file under shop/templates/<key>.
func (e *env) put(key, file string) {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		e.t.Fatal(err)
	}
	e.obj.Put(bucket, "shop/templates/"+key, b)
}

func (e *env) putBody(key, body string) {
	e.obj.Put(bucket, "shop/templates/"+key, []byte(body))
}

func paramOf(k, v string) types.Parameter {
	return types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
}

func templateURL(key string) string {
	return "https://" + bucket + ".s3.us-east-1.amazonaws.com/shop/templates/" + key
}

// changeSet creates a change set and waits until it settles. A rootKey
// holding a newline is the template body itself.
func (e *env) changeSet(stackName, csName, rootKey string, tags map[string]string) *cloudformation.DescribeChangeSetOutput {
	e.t.Helper()
	var url, body *string
	if strings.Contains(rootKey, "\n") {
		body = aws.String(rootKey)
	} else {
		url = aws.String(templateURL(rootKey))
	}
	csType := types.ChangeSetTypeUpdate
	if st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)}); err != nil || st.Stacks[0].StackStatus == types.StackStatusReviewInProgress {
		csType = types.ChangeSetTypeCreate
	}
	var tl []types.Tag
	for _, k := range sortedKeys(tags) {
		tl = append(tl, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	out, err := e.c.CreateChangeSet(e.ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String(stackName), ChangeSetName: aws.String(csName), ChangeSetType: csType,
		TemplateURL: url, TemplateBody: body, IncludeNestedStacks: aws.Bool(true), Tags: tl,
		Parameters:   e.params,
		Capabilities: []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam},
	})
	if err != nil {
		e.t.Fatalf("create change set: %v", err)
	}
	for i := 0; i < 20; i++ {
		d, err := e.c.DescribeChangeSet(e.ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
		if err != nil {
			e.t.Fatal(err)
		}
		if d.Status != types.ChangeSetStatusCreatePending && d.Status != types.ChangeSetStatusCreateInProgress {
			return d
		}
	}
	e.t.Fatal("change set never settled")
	return nil
}

// levels describes a change set and its nested ones, by path.
func (e *env) levels(id string, propertyValues bool) map[string]*cloudformation.DescribeChangeSetOutput {
	e.t.Helper()
	out := map[string]*cloudformation.DescribeChangeSetOutput{}
	var walk func(id, path string)
	walk = func(id, path string) {
		d, err := e.c.DescribeChangeSet(e.ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), IncludePropertyValues: aws.Bool(propertyValues)})
		if err != nil {
			e.t.Fatal(err)
		}
		out[path] = d
		for _, c := range d.Changes {
			if nid := aws.ToString(c.ResourceChange.ChangeSetId); nid != "" {
				p := aws.ToString(c.ResourceChange.LogicalResourceId)
				if path != "" {
					p = path + "/" + p
				}
				walk(nid, p)
			}
		}
	}
	walk(id, "")
	return out
}

// execute runs a change set and polls until the root stack settles.
func (e *env) execute(d *cloudformation.DescribeChangeSetOutput) string {
	e.t.Helper()
	if _, err := e.c.ExecuteChangeSet(e.ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: d.ChangeSetId}); err != nil {
		e.t.Fatalf("execute: %v", err)
	}
	return e.wait(aws.ToString(d.StackId))
}

func (e *env) wait(id string) string {
	e.t.Helper()
	for i := 0; i < 500; i++ {
		st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(id)})
		if err != nil {
			e.t.Fatal(err)
		}
		s := string(st.Stacks[0].StackStatus)
		if !strings.HasSuffix(s, "_IN_PROGRESS") {
			return s
		}
	}
	e.t.Fatal("stack never settled")
	return ""
}

// deploy creates and executes a change set, failing the test unless the
// stack ends in want.
func (e *env) deploy(stackName, csName, rootKey string, tags map[string]string, want string) *cloudformation.DescribeChangeSetOutput {
	e.t.Helper()
	d := e.changeSet(stackName, csName, rootKey, tags)
	if d.Status != types.ChangeSetStatusCreateComplete {
		e.t.Fatalf("change set %s: %s %s", csName, d.Status, aws.ToString(d.StatusReason))
	}
	if got := e.execute(d); got != want {
		e.t.Fatalf("deploy %s ended %s, want %s\n%s", csName, got, want, e.eventLog(stackName))
	}
	return d
}

// eventLog is every event of a stack and its nested stacks, oldest first.
func (e *env) eventLog(stackName string) string {
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	var all []event
	for _, st := range e.srv.stacks {
		if st.name == stackName || strings.HasPrefix(st.name, stackName+"-") {
			all = append(all, st.events...)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return seqOf(all[i].id) < seqOf(all[j].id) })
	var b strings.Builder
	for _, ev := range all {
		b.WriteString(ev.ts.Format("15:04:05") + " " + ev.stackName + " " + ev.status + " " + ev.resType + " " + ev.logical)
		if ev.physical == "" {
			b.WriteString(" (no physical ID)")
		}
		if ev.reason != "" {
			b.WriteString(": " + ev.reason)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func seqOf(id string) string {
	return id[strings.LastIndex(id, "-")+1:]
}

func changeOf(d *cloudformation.DescribeChangeSetOutput, logical string) *types.ResourceChange {
	for _, c := range d.Changes {
		if aws.ToString(c.ResourceChange.LogicalResourceId) == logical {
			return c.ResourceChange
		}
	}
	return nil
}

func TestTemplateDrivenFirstDeploy(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.put("root-1.yaml", "root.yaml")
	e.put("lambdas-v1.yaml", "lambdas-v1.yaml")
	e.put("api-v1.yaml", "api-v1.yaml")
	d := e.changeSet("shop-dev", "cs1", "root-1.yaml", map[string]string{"environment": "dev"})
	if d.Status != types.ChangeSetStatusCreateComplete {
		t.Fatalf("change set %s: %s", d.Status, aws.ToString(d.StatusReason))
	}
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	var got []string
	for _, p := range []string{"", "Lambdas", "Api"} {
		l := lv[p]
		if l == nil {
			t.Fatalf("no level %q", p)
		}
		for _, c := range l.Changes {
			got = append(got, p+":"+string(c.ResourceChange.Action)+":"+aws.ToString(c.ResourceChange.LogicalResourceId))
		}
	}
	want := "[:Add:Lambdas :Add:Api Lambdas:Add:ExecutionRole Lambdas:Add:CatalogLogGroup Lambdas:Add:CatalogFunction Lambdas:Add:CatalogVersion1111 Lambdas:Add:CatalogAlias Api:Add:RestApi Api:Add:CatalogResource Api:Add:CatalogMethod Api:Add:Deployment1111 Api:Add:Stage Api:Add:CatalogPermission]"
	if g := "[" + strings.Join(got, " ") + "]"; g != want {
		t.Errorf("changes\n got %s\nwant %s", g, want)
	}
	if got := e.execute(d); got != "CREATE_COMPLETE" {
		t.Fatalf("status %s\n%s", got, e.eventLog("shop-dev"))
	}
	t.Logf("%s", e.eventLog("shop-dev"))
	st, _ := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	if len(st.Stacks[0].Outputs) != 1 || !strings.HasPrefix(aws.ToString(st.Stacks[0].Outputs[0].OutputValue), "https://") {
		t.Errorf("outputs %+v", st.Stacks[0].Outputs)
	}
	tpl, err := e.c.GetTemplate(e.ctx, &cloudformation.GetTemplateInput{StackName: aws.String("shop-dev"), TemplateStage: types.TemplateStageOriginal})
	if err != nil || !strings.Contains(aws.ToString(tpl.TemplateBody), "records/one.json") {
		t.Errorf("GetTemplate: %v %v", tpl, err)
	}
}

// shopEnv deploys root-static.yaml with lambdas-v1: three nested stacks.
func shopEnv(t *testing.T, sc Scenario) *env {
	t.Helper()
	e := newEnv(t, sc)
	e.put("lambdas-v1.yaml", "lambdas-v1.yaml")
	e.put("lambdas-v2.yaml", "lambdas-v2.yaml")
	e.put("api-v1.yaml", "api-v1.yaml")
	e.put("static.yaml", "static.yaml")
	e.rootWith("root-v1.yaml", "lambdas-v1.yaml")
	e.rootWith("root-v2.yaml", "lambdas-v2.yaml")
	e.deploy("shop-dev", "cs1", "root-v1.yaml", map[string]string{"environment": "dev"}, "CREATE_COMPLETE")
	return e
}

func (e *env) rootWith(key, lambdas string) {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "root-static.yaml"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.putBody(key, strings.ReplaceAll(string(b), "LAMBDAS", lambdas))
}

func TestSameTemplatesNoChanges(t *testing.T) {
	e := shopEnv(t, Scenario{})
	d := e.changeSet("shop-dev", "cs2", "root-v1.yaml", map[string]string{"environment": "dev"})
	if d.Status != types.ChangeSetStatusFailed || aws.ToString(d.StatusReason) != ReasonNoChanges || len(d.Changes) != 0 {
		t.Fatalf("same templates: %s %q %d changes", d.Status, aws.ToString(d.StatusReason), len(d.Changes))
	}
}

// An update of one nested stack: the others are listed as Automatic
// updates; Static, whose inputs cannot change, gets a nested change set
// that FAILS with "didn't contain changes" while the root stays
// executable, and those FAILED nested sets stay on Static.
func TestEmptyNestedLevelsFailAndPileUp(t *testing.T) {
	e := shopEnv(t, Scenario{})
	staticARN := e.srv.NestedStack("shop-dev", "Static")
	for i, root := range []string{"root-v2.yaml", "root-v1.yaml", "root-v2.yaml"} {
		d := e.changeSet("shop-dev", fmt.Sprintf("up%d", i), root, map[string]string{"environment": "dev"})
		if d.Status != types.ChangeSetStatusCreateComplete || d.ExecutionStatus != types.ExecutionStatusAvailable {
			t.Fatalf("root change set %s %s %q", d.Status, d.ExecutionStatus, aws.ToString(d.StatusReason))
		}
		lv := e.levels(aws.ToString(d.ChangeSetId), false)
		static := changeOf(lv[""], "Static")
		if static == nil || static.Action != types.ChangeActionModify || len(static.Details) != 1 ||
			static.Details[0].ChangeSource != types.ChangeSourceAutomatic || static.Details[0].Evaluation != types.EvaluationTypeDynamic {
			t.Fatalf("Static in the root change set: %+v", static)
		}
		if s := lv["Static"]; s.Status != types.ChangeSetStatusFailed || aws.ToString(s.StatusReason) != ReasonNoChanges || s.ExecutionStatus != types.ExecutionStatusUnavailable {
			t.Errorf("Static's nested change set: %s %q %s", s.Status, aws.ToString(s.StatusReason), s.ExecutionStatus)
		}
		if l := lv["Lambdas"]; l.Status != types.ChangeSetStatusCreateComplete || aws.ToString(l.StatusReason) != "Executable from root change set" {
			t.Errorf("Lambdas's nested change set: %s %q", l.Status, aws.ToString(l.StatusReason))
		}
		if got := e.execute(d); got != "UPDATE_COMPLETE" {
			t.Fatalf("update %d: %s\n%s", i, got, e.eventLog("shop-dev"))
		}
		// Its creation's change set, then one FAILED set per update.
		if n := e.srv.ChangeSetCount(staticARN); n != i+2 {
			t.Errorf("after %d updates Static holds %d change sets, want %d (AWS keeps the FAILED nested ones)", i+1, n, i+2)
		}
	}
	ls, err := e.c.ListChangeSets(e.ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String(staticARN)})
	if err != nil || len(ls.Summaries) != 4 {
		t.Fatalf("Static's change sets: %+v %v", ls, err)
	}
	failed := ls.Summaries[3]
	if failed.Status != types.ChangeSetStatusFailed || aws.ToString(failed.RootChangeSetId) == "" {
		t.Fatalf("last change set of Static: %+v", failed)
	}
	_, err = e.c.DeleteChangeSet(e.ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: failed.ChangeSetId})
	if !isCode(err, "ValidationError") {
		t.Errorf("deleting a nested change set directly: %v", err)
	}
}

func TestCodeChangeUpdate(t *testing.T) {
	e := shopEnv(t, Scenario{})
	oldVersion := e.srv.Resources(e.srv.NestedStack("shop-dev", "Lambdas"))["CatalogVersion1111"]
	d := e.changeSet("shop-dev", "cs2", "root-v2.yaml", map[string]string{"environment": "dev"})
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	want := map[string]string{
		"/Lambdas":                   "Modify False Properties.TemplateURL:Never:Static:DirectModification:",
		"/Api":                       "Modify False Properties.Parameters:Never:Dynamic:ResourceAttribute:Lambdas.Outputs.CatalogAlias",
		"/Static":                    "Modify False Properties.:Never:Dynamic:Automatic:",
		"Lambdas/CatalogFunction":    "Modify False Properties.Code:Never:Static:DirectModification:",
		"Lambdas/CatalogVersion2222": "Add  ",
		"Lambdas/CatalogAlias":       "Modify False Properties.FunctionVersion:Never:Dynamic:DirectModification:",
		"Lambdas/CatalogVersion1111": "Remove  ",
		"Api/CatalogMethod":          "Modify False Properties.Integration:Never:Dynamic:ParameterReference:CatalogAlias",
		"Api/CatalogPermission":      "Modify Conditional Properties.FunctionName:Always:Dynamic:ParameterReference:CatalogAlias",
	}
	got := map[string]string{}
	for path, l := range lv {
		for _, c := range l.Changes {
			rc := c.ResourceChange
			s := string(rc.Action) + " " + string(rc.Replacement) + " "
			for _, dt := range rc.Details {
				s += fmt.Sprintf("%s.%s:%s:%s:%s:%s", dt.Target.Attribute, aws.ToString(dt.Target.Name), dt.Target.RequiresRecreation, dt.Evaluation, dt.ChangeSource, aws.ToString(dt.CausingEntity))
			}
			got[path+"/"+aws.ToString(rc.LogicalResourceId)] = s
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("changes: %v", got)
	}
	if got := e.execute(d); got != "UPDATE_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	// The dynamic changes of Api turned out to be none: nothing there is
	// touched; the old version goes in the cleanup, after the alias moved.
	for _, forbidden := range []string{"UPDATE_IN_PROGRESS AWS::ApiGateway::Method", "AWS::Lambda::Permission CatalogPermission: Requested update"} {
		if strings.Contains(log, forbidden) {
			t.Errorf("log has %q:\n%s", forbidden, log)
		}
	}
	alias := strings.Index(log, "UPDATE_COMPLETE AWS::Lambda::Alias CatalogAlias")
	cleanup := strings.Index(log, "shop-dev UPDATE_COMPLETE_CLEANUP_IN_PROGRESS AWS::CloudFormation::Stack shop-dev\n")
	del := strings.Index(log, "DELETE_COMPLETE AWS::Lambda::Version CatalogVersion1111")
	if !(alias > 0 && cleanup > alias && del > cleanup) {
		t.Errorf("order alias %d < root cleanup %d < old version deleted %d:\n%s", alias, cleanup, del, log)
	}
	if e.srv.Resources(e.srv.NestedStack("shop-dev", "Lambdas"))["CatalogVersion1111"] != "" || oldVersion == "" {
		t.Errorf("old version still there")
	}
}

// Stack tags propagate to every taggable resource: a tag change is a
// Modify with Scope Tags for each of them, and nothing else changes.
func TestStackTagsPropagate(t *testing.T) {
	e := shopEnv(t, Scenario{})
	d := e.changeSet("shop-dev", "cs2", "root-v1.yaml", map[string]string{"environment": "dev", "commit": "abc"})
	if d.Status != types.ChangeSetStatusCreateComplete {
		t.Fatalf("%s %s", d.Status, aws.ToString(d.StatusReason))
	}
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	var tagged []string
	for _, p := range []string{"", "Lambdas", "Static", "Api"} {
		for _, c := range lv[p].Changes {
			rc := c.ResourceChange
			for _, dt := range rc.Details {
				if dt.Target.Attribute == types.ResourceAttributeTags {
					tagged = append(tagged, p+"/"+aws.ToString(rc.LogicalResourceId))
					if len(rc.Scope) == 0 || rc.Replacement != types.ReplacementFalse {
						t.Errorf("%s: scope %v replacement %s", aws.ToString(rc.LogicalResourceId), rc.Scope, rc.Replacement)
					}
				}
			}
		}
	}
	sort.Strings(tagged)
	want := "/Api /Lambdas /Static Api/RestApi Api/Stage Lambdas/CatalogFunction Lambdas/CatalogLogGroup Lambdas/ExecutionRole Static/Uploads"
	if got := strings.Join(tagged, " "); got != want {
		t.Errorf("tagged resources\n got %s\nwant %s", got, want)
	}
	if got := e.execute(d); got != "UPDATE_COMPLETE" {
		t.Fatal(got)
	}
	st, _ := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(e.srv.NestedStack("shop-dev", "Lambdas"))})
	if tagList := st.Stacks[0].Tags; len(tagList) != 2 {
		t.Errorf("nested stack tags %+v", tagList)
	}
}

// Renaming a property that forces replacement (createOnlyProperties):
// Replace/True in the change set, and CloudFormation's replacement at
// execution (new copy first, old one in the cleanup).
func TestRenameForcesReplacement(t *testing.T) {
	e := shopEnv(t, Scenario{})
	b, _ := os.ReadFile(filepath.Join("testdata", "lambdas-v1.yaml"))
	e.putBody("lambdas-renamed.yaml", strings.ReplaceAll(string(b), "/aws/lambda/shop-dev-catalog", "/aws/lambda/shop-dev-catalog-v2"))
	e.rootWith("root-renamed.yaml", "lambdas-renamed.yaml")
	d := e.changeSet("shop-dev", "cs2", "root-renamed.yaml", map[string]string{"environment": "dev"})
	lv := e.levels(aws.ToString(d.ChangeSetId), true)
	c := changeOf(lv["Lambdas"], "CatalogLogGroup")
	if c == nil || c.Action != types.ChangeActionModify || c.Replacement != types.ReplacementTrue || c.PolicyAction != types.PolicyActionReplaceAndDelete {
		t.Fatalf("log group change: %+v", c)
	}
	dt := c.Details[0]
	if aws.ToString(dt.Target.Name) != "LogGroupName" || dt.Target.RequiresRecreation != types.RequiresRecreationAlways ||
		dt.Evaluation != types.EvaluationTypeStatic || dt.ChangeSource != types.ChangeSourceDirectModification {
		t.Errorf("detail %+v", dt.Target)
	}
	if aws.ToString(dt.Target.BeforeValue) != "/aws/lambda/shop-dev-catalog" || aws.ToString(dt.Target.AfterValue) != "/aws/lambda/shop-dev-catalog-v2" ||
		!strings.Contains(aws.ToString(c.BeforeContext), `"LogGroupName":"/aws/lambda/shop-dev-catalog"`) {
		t.Errorf("property values: %q -> %q, context %s", aws.ToString(dt.Target.BeforeValue), aws.ToString(dt.Target.AfterValue), aws.ToString(c.BeforeContext))
	}
	// The function logs to the log group by Ref: its LoggingConfig changes.
	if f := changeOf(lv["Lambdas"], "CatalogFunction"); f == nil || f.Details[0].ChangeSource != types.ChangeSourceResourceReference || aws.ToString(f.Details[0].CausingEntity) != "CatalogLogGroup" {
		t.Errorf("function change: %+v", f)
	}
	if got := e.execute(d); got != "UPDATE_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"UPDATE_IN_PROGRESS AWS::Logs::LogGroup CatalogLogGroup: Requested update requires the creation of a new physical resource; hence creating one.",
		"UPDATE_IN_PROGRESS AWS::Logs::LogGroup CatalogLogGroup: Resource creation Initiated",
		"DELETE_COMPLETE AWS::Logs::LogGroup CatalogLogGroup",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
	if got := e.srv.Resources(e.srv.NestedStack("shop-dev", "Lambdas"))["CatalogLogGroup"]; got != "/aws/lambda/shop-dev-catalog-v2" {
		t.Errorf("log group is %q", got)
	}
}

// A replacement of a resource whose custom name does not change fails:
// both copies cannot exist.
func TestCustomNamedReplacementFails(t *testing.T) {
	e := shopEnv(t, Scenario{})
	b, _ := os.ReadFile(filepath.Join("testdata", "lambdas-v1.yaml"))
	e.putBody("lambdas-zip.yaml", strings.Replace(string(b), "      Runtime: python3.12\n", "      Runtime: python3.12\n      PackageType: Zip\n", 1))
	e.rootWith("root-zip.yaml", "lambdas-zip.yaml")
	d := e.changeSet("shop-dev", "cs2", "root-zip.yaml", map[string]string{"environment": "dev"})
	if c := changeOf(e.levels(aws.ToString(d.ChangeSetId), false)["Lambdas"], "CatalogFunction"); c == nil || c.Replacement != types.ReplacementTrue {
		t.Fatalf("change %+v", c)
	}
	if got := e.execute(d); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	if log := e.eventLog("shop-dev"); !strings.Contains(log, "UPDATE_FAILED AWS::Lambda::Function CatalogFunction: CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename shop-dev-catalog and update the stack again.") {
		t.Errorf("log:\n%s", log)
	}
}
