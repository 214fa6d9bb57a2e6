package cfnfake

import (
	"context"
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
	t   *testing.T
	srv *Server
	c   *cloudformation.Client
	obj *MapObjects
	ctx context.Context
}

const bucket = "artifacts"

func newEnv(t *testing.T, sc Scenario) *env {
	t.Helper()
	obj := NewMapObjects()
	if sc.S3 == nil {
		sc.S3 = obj
	}
	srv := New(t, sc)
	return &env{t: t, srv: srv, c: newClient(t, srv, 1), obj: obj, ctx: context.Background()}
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

func templateURL(key string) string {
	return "https://" + bucket + ".s3.us-east-1.amazonaws.com/shop/templates/" + key
}

// changeSet creates a change set and waits until it settles.
func (e *env) changeSet(stackName, csName, rootKey string, tags map[string]string) *cloudformation.DescribeChangeSetOutput {
	e.t.Helper()
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
		TemplateURL: aws.String(templateURL(rootKey)), IncludeNestedStacks: aws.Bool(true), Tags: tl,
		Parameters:   []types.Parameter{{ParameterKey: aws.String("ArtifactsBucket"), ParameterValue: aws.String(bucket)}},
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
