package changeset

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/golden"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// scenario is an update of a root stack with two nested stacks and one
// nested level below Api, with values that need markdown escaping.
func scenario() cfnfake.Scenario {
	return cfnfake.Scenario{
		Stacks:   []cfnfake.Stack{{Name: "shop-prod", Status: "UPDATE_COMPLETE", Nested: []string{"Lambdas", "Api"}}},
		PageSize: 2,
		Plans: map[string]*cfnfake.Level{"shop-prod": {Changes: []cfnfake.Change{
			{Action: "Modify", LogicalID: "Lambdas", ResourceType: cfnfake.StackType, Replacement: "False", Scope: []string{"Properties"},
				Details: []cfnfake.Detail{{Attribute: "Properties", Name: "TemplateURL", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"}},
				Nested: &cfnfake.Level{Changes: []cfnfake.Change{
					{Action: "Modify", LogicalID: "CatalogFn", ResourceType: "AWS::Lambda::Function", PhysicalID: "shop-prod-catalog", Replacement: "False", Scope: []string{"Properties"},
						Details: []cfnfake.Detail{
							{Attribute: "Properties", Name: "Code", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"},
							{Attribute: "Properties", Name: "Environment", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"},
						}},
					{Action: "Add", LogicalID: "CatalogFnVersion5f3a", ResourceType: "AWS::Lambda::Version"},
					{Action: "Remove", LogicalID: "CatalogFnVersion1b2c", ResourceType: "AWS::Lambda::Version", PhysicalID: "arn:aws:lambda:us-east-1:123456789012:function:shop-prod-catalog:7"},
					{Action: "Modify", LogicalID: "Role", ResourceType: "AWS::IAM::Role", PhysicalID: "shop-prod-role", Replacement: "True", Scope: []string{"Properties"},
						Details: []cfnfake.Detail{{Attribute: "Properties", Name: "RoleName", RequiresRecreation: "Always", ChangeSource: "DirectModification", Evaluation: "Static"}}},
				}}},
			{Action: "Modify", LogicalID: "Api", ResourceType: cfnfake.StackType, Replacement: "False", Scope: []string{"Properties"},
				Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Parameters", RequiresRecreation: "Never", ChangeSource: "ResourceAttribute", Evaluation: "Dynamic", CausingEntity: "Lambdas.Outputs.CatalogFnAlias"}},
				Nested: &cfnfake.Level{Changes: []cfnfake.Change{
					{Action: "Modify", LogicalID: "CatalogMethod", ResourceType: "AWS::ApiGateway::Method", PhysicalID: "a|b`c<d>\nnext", Replacement: "Conditional", Scope: []string{"Properties"},
						Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Integration", RequiresRecreation: "Conditionally", ChangeSource: "ParameterReference", Evaluation: "Dynamic", CausingEntity: "CatalogFnAlias"}}},
					{Action: "Modify", LogicalID: "Stage", ResourceType: "AWS::ApiGateway::Stage", PhysicalID: "prod", Replacement: "False", Scope: []string{"Properties"},
						Details: []cfnfake.Detail{{Attribute: "Properties", Name: "Variables|x", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"}}},
					{Action: "Modify", LogicalID: "Graph", ResourceType: cfnfake.StackType, Replacement: "False",
						Details: []cfnfake.Detail{{Attribute: "Properties", Name: "TemplateURL", RequiresRecreation: "Never", ChangeSource: "DirectModification", Evaluation: "Static"}},
						Nested: &cfnfake.Level{Changes: []cfnfake.Change{
							{Action: "Remove", LogicalID: "Resolver_products", ResourceType: "AWS::AppSync::Resolver", PhysicalID: "arn:aws:appsync:us-east-1:123456789012:apis/x/types/Query/resolvers/products"},
						}}},
				}}},
		}}},
	}
}

func describeScenario(t *testing.T) (*Model, *cfnfake.Server) {
	t.Helper()
	testenv.AWSEnv(t)
	srv := cfnfake.New(t, scenario())
	c := cloudformation.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()
	out, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("shop-prod"), ChangeSetName: aws.String("ds-0123456789ab-42"),
		TemplateURL: aws.String("https://b.s3.us-east-1.amazonaws.com/t.yaml"), IncludeNestedStacks: aws.Bool(true),
		Capabilities: []types.Capability{types.CapabilityCapabilityIam},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // let the fake reach CREATE_COMPLETE
		if _, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-prod")}); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Describe(ctx, c, aws.ToString(out.Id))
	if err != nil {
		t.Fatal(err)
	}
	return m, srv
}

func TestDescribeAllLevels(t *testing.T) {
	m, srv := describeScenario(t)
	var got []string
	for _, s := range m.Stacks {
		got = append(got, s.Path+"="+s.Status)
	}
	want := []string{"=CREATE_COMPLETE", "Lambdas=CREATE_COMPLETE", "Api=CREATE_COMPLETE", "Api/Graph=CREATE_COMPLETE"}
	if !cmp.Equal(got, want) {
		t.Errorf("levels = %q, want %q", got, want)
	}
	if n := len(m.Stacks[1].Changes); n != 4 {
		t.Errorf("Lambdas has %d changes, want 4 (NextToken not followed?)", n)
	}
	// 4 levels: root 1 page, Lambdas 2 pages, Api 2 pages, Graph 1 page.
	if n := srv.Calls()["DescribeChangeSet"]; n != 6 {
		t.Errorf("DescribeChangeSet calls = %d, want 6", n)
	}
	if got, want := m.Totals(), (Totals{Add: 1, Modify: 2, Remove: 1, Replace: 2, Routine: 1}); got != want {
		t.Errorf("totals = %+v, want %+v", got, want)
	}
	var may []string
	for _, s := range m.Stacks {
		for _, c := range s.Changes {
			if c.MayChange {
				may = append(may, s.Path+"/"+c.LogicalID)
			}
		}
	}
	if want := []string{"/Api", "Api/CatalogMethod"}; !cmp.Equal(may, want) {
		t.Errorf("may-change = %q, want %q", may, want)
	}
	if !m.HasChanges() || m.ChangeSetName != "ds-0123456789ab-42" || m.StackName != "shop-prod" {
		t.Errorf("model header = %+v", m)
	}
}

func TestFormats(t *testing.T) {
	m, srv := describeScenario(t)
	golden.AssertString(t, Text(m), "testdata/update.txt")
	// Every level carries its own change set: the one its parent's change
	// points at, on its own stack.
	c := cloudformation.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	byPath := map[string]Stack{}
	for _, s := range m.Stacks {
		byPath[s.Path] = s
	}
	for _, s := range m.Stacks {
		if s.Path == "" {
			continue
		}
		parentPath := ""
		if i := strings.LastIndex(s.Path, "/"); i >= 0 {
			parentPath = s.Path[:i]
		}
		d, err := c.DescribeChangeSet(context.Background(), &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(s.ChangeSetID)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.StackName) != s.StackName || aws.ToString(d.ParentChangeSetId) != byPath[parentPath].ChangeSetID {
			t.Errorf("level %q: change set %s is on %s with parent %s, want %s with parent %s", s.Path, s.ChangeSetID,
				aws.ToString(d.StackName), aws.ToString(d.ParentChangeSetId), s.StackName, byPath[parentPath].ChangeSetID)
		}
	}
}

func TestMayChangeRules(t *testing.T) {
	dyn := func(src, entity string) Detail {
		return Detail{Attribute: "Properties", Evaluation: "Dynamic", ChangeSource: src, CausingEntity: entity}
	}
	for _, tc := range []struct {
		name   string
		c      ResourceChange
		nested bool
		want   bool
	}{
		{"parameter in nested", ResourceChange{Action: "Modify", Details: []Detail{dyn("ParameterReference", "P")}}, true, true},
		{"parameter in root", ResourceChange{Action: "Modify", Details: []Detail{dyn("ParameterReference", "P")}}, false, false},
		{"sibling output", ResourceChange{Action: "Modify", Details: []Detail{dyn("ResourceAttribute", "Lambdas.Outputs.Arn")}}, false, true},
		{"plain attribute", ResourceChange{Action: "Modify", Details: []Detail{dyn("ResourceAttribute", "Bucket.Arn")}}, false, false},
		{"mixed static", ResourceChange{Action: "Modify", Details: []Detail{dyn("ParameterReference", "P"), {Evaluation: "Static", ChangeSource: "DirectModification"}}}, true, false},
		{"add", ResourceChange{Action: "Add", Details: []Detail{dyn("ParameterReference", "P")}}, true, false},
		{"no details", ResourceChange{Action: "Modify"}, true, false},
	} {
		if got := mayChange(tc.c, tc.nested); got != tc.want {
			t.Errorf("%s: mayChange = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	ch := func(action, id, typ, replacement string) ResourceChange {
		return ResourceChange{Action: action, LogicalID: id, ResourceType: typ, Replacement: replacement}
	}
	const (
		fn    = "AWS::Lambda::Function"
		ver   = LambdaVersionType
		layer = LayerVersionType
	)
	for _, tc := range []struct {
		name    string
		changes []ResourceChange
		// want lists the flagged changes as "risk:ID" or "routine:ID", in
		// model order.
		want []string
	}{
		{"version swap", []ResourceChange{
			ch("Modify", "CatalogFunction", fn, "False"),
			ch("Remove", "CatalogVersion3f9a2c1b00", ver, ""),
			ch("Add", "CatalogVersion8b1c0d2e11", ver, ""),
		}, []string{"routine:CatalogVersion3f9a2c1b00"}},
		{"version removed without an add", []ResourceChange{
			ch("Modify", "CatalogFunction", fn, "False"),
			ch("Remove", "CatalogVersion3f9a2c1b00", ver, ""),
		}, []string{"risk:CatalogVersion3f9a2c1b00"}},
		{"new version of another function", []ResourceChange{
			ch("Remove", "CatalogVersion3f9a2c1b00", ver, ""),
			ch("Add", "OrdersVersion8b1c0d2e11", ver, ""),
		}, []string{"risk:CatalogVersion3f9a2c1b00"}},
		{"function whose name holds Version", []ResourceChange{
			ch("Remove", "ApiVersionVersion3f9a2c1b00", ver, ""),
			ch("Add", "ApiVersion2Version8b1c0d2e11", ver, ""),
			ch("Remove", "V2Version0000000000", ver, ""),
			ch("Add", "V2Version1111111111", ver, ""),
		}, []string{"risk:ApiVersionVersion3f9a2c1b00", "routine:V2Version0000000000"}},
		{"function removed", []ResourceChange{
			ch("Remove", "OrdersFunction", fn, ""),
			ch("Remove", "OrdersVersion3f9a2c1b00", ver, ""),
			ch("Remove", "OrdersAlias", "AWS::Lambda::Alias", ""),
			ch("Add", "CatalogVersion8b1c0d2e11", ver, ""),
		}, []string{"risk:OrdersFunction", "risk:OrdersVersion3f9a2c1b00", "risk:OrdersAlias"}},
		{"layer replaced", []ResourceChange{
			ch("Modify", "ProjectLayer", layer, "True"),
			ch("Modify", "DepsLayer", layer, "Conditional"),
			ch("Modify", "CatalogFunction", fn, "False"),
		}, []string{"routine:ProjectLayer", "routine:DepsLayer"}},
		{"layer removed", []ResourceChange{ch("Remove", "DepsLayer", layer, "")}, []string{"risk:DepsLayer"}},
		{"IAM role replacement", []ResourceChange{ch("Modify", "ExecutionRole", "AWS::IAM::Role", "True")}, []string{"risk:ExecutionRole"}},
		{"deployment swap", []ResourceChange{
			ch("Remove", "Deployment0d9e8f7a6b", DeploymentType, ""),
			ch("Add", "Deployment1a2b3c4d5e", DeploymentType, ""),
			ch("Modify", "Stage", "AWS::ApiGateway::Stage", "False"),
		}, []string{"routine:Deployment0d9e8f7a6b"}},
		{"HTTP API deployment swap", []ResourceChange{
			ch("Add", "Deployment1a2b3c4d5e", DeploymentV2Type, ""),
			ch("Remove", "Deployment0d9e8f7a6b", DeploymentV2Type, ""),
		}, []string{"routine:Deployment0d9e8f7a6b"}},
		{"deployment removed without an add", []ResourceChange{
			ch("Remove", "Deployment0d9e8f7a6b", DeploymentType, ""),
			ch("Add", "Deployment1a2b3c4d5e", DeploymentV2Type, ""),
		}, []string{"risk:Deployment0d9e8f7a6b"}},
		{"stage replacement conditional", []ResourceChange{
			ch("Remove", "Deployment0d9e8f7a6b", DeploymentType, ""),
			ch("Add", "Deployment1a2b3c4d5e", DeploymentType, ""),
			ch("Modify", "Stage", "AWS::ApiGateway::Stage", "Conditional"),
		}, []string{"routine:Deployment0d9e8f7a6b", "risk:Stage"}},
		{"version replaced in place", []ResourceChange{ch("Modify", "CatalogVersion3f9a2c1b00", ver, "True")}, []string{"risk:CatalogVersion3f9a2c1b00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{StackName: "s", Stacks: []Stack{{Path: "Lambdas", Changes: tc.changes}}}
			risks, routine := m.Classify()
			class := map[string]string{}
			for _, r := range risks {
				class[r.Change.LogicalID] += "risk"
			}
			for _, r := range routine {
				class[r.Change.LogicalID] += "routine"
			}
			var got []string // in model order
			for _, c := range tc.changes {
				if k := class[c.LogicalID]; k != "" {
					got = append(got, k+":"+c.LogicalID)
				}
			}
			if !cmp.Equal(got, tc.want) {
				t.Errorf("classified %q, want %q", got, tc.want)
			}
			// The totals count exactly what Classify lists: the risk
			// header and the totals line never disagree.
			assertTotalsMatchClassify(t, m)
		})
	}
}

func TestRoutineSameLevelOnly(t *testing.T) {
	// A function moved from one nested stack to another: its old version
	// goes in Lambdas, a new one comes in Lambdas2. Not routine.
	m := &Model{StackName: "s", Stacks: []Stack{
		{Path: "Lambdas", Changes: []ResourceChange{{Action: "Remove", LogicalID: "CatalogVersion3f9a2c1b00", ResourceType: LambdaVersionType}}},
		{Path: "Lambdas2", Changes: []ResourceChange{{Action: "Add", LogicalID: "CatalogVersion8b1c0d2e11", ResourceType: LambdaVersionType}}},
	}}
	risks, routine := m.Classify()
	if len(risks) != 1 || len(routine) != 0 || risks[0].Path != "Lambdas" {
		t.Errorf("risks %+v, routine %+v", risks, routine)
	}
	// Totals do not depend on the classification.
	if got, want := m.Totals(), (Totals{Add: 1, Remove: 1}); got != want {
		t.Errorf("totals = %+v, want %+v", got, want)
	}
}

func TestTextMarksRisksAndRoutine(t *testing.T) {
	m := &Model{StackName: "s", ChangeSetName: "cs", Stacks: []Stack{{Path: "", Changes: []ResourceChange{
		{Action: "Remove", LogicalID: "CatalogVersion3f9a2c1b00", ResourceType: LambdaVersionType},
		{Action: "Add", LogicalID: "CatalogVersion8b1c0d2e11", ResourceType: LambdaVersionType},
		{Action: "Modify", LogicalID: "ProjectLayer", ResourceType: LayerVersionType, Replacement: "True"},
		{Action: "Remove", LogicalID: "OrdersFunction", ResourceType: "AWS::Lambda::Function"},
		{Action: "Modify", LogicalID: "Role", ResourceType: "AWS::IAM::Role", Replacement: "True"},
	}}}}
	want := []string{
		"  ~ Remove  CatalogVersion3f9a2c1b00 AWS::Lambda::Version (routine: the function moves to its new version)",
		"  + Add     CatalogVersion8b1c0d2e11 AWS::Lambda::Version",
		"  ~ Modify  ProjectLayer AWS::Lambda::LayerVersion will be replaced (routine: a new layer version is published)",
		"  ! Remove  OrdersFunction AWS::Lambda::Function",
		"  ! Modify  Role AWS::IAM::Role will be replaced",
	}
	lines := strings.Split(strings.TrimRight(Text(m), "\n"), "\n")
	if !cmp.Equal(lines[2:], want) {
		t.Errorf("text lines:\n%s", cmp.Diff(want, lines[2:]))
	}
}

// assertTotalsMatchClassify checks that Totals counts the risks and the
// routine churn Classify lists, removals and replacements apart.
func assertTotalsMatchClassify(t *testing.T, m *Model) {
	t.Helper()
	risks, routine := m.Classify()
	removals := 0
	for _, r := range risks {
		if r.Change.Action == "Remove" {
			removals++
		}
	}
	tot := m.Totals()
	if tot.Remove != removals || tot.Replace != len(risks)-removals || tot.Routine != len(routine) {
		t.Errorf("totals %+v, but Classify lists %d removals, %d replacements, %d routine", tot, removals, len(risks)-removals, len(routine))
	}
}

func TestGroupRisks(t *testing.T) {
	ch := func(action, id, typ string) ResourceChange {
		return ResourceChange{Action: action, LogicalID: id, ResourceType: typ}
	}
	m := &Model{StackName: "s", Stacks: []Stack{
		{Path: "Lambdas", Changes: []ResourceChange{
			ch("Remove", "OrdersLogGroup", "AWS::Logs::LogGroup"),
			ch("Remove", "OrdersFunction", "AWS::Lambda::Function"),
			ch("Remove", "OrdersVersion3f9a2c1b00", LambdaVersionType),
			ch("Remove", "OrdersAlias", "AWS::Lambda::Alias"),
			ch("Remove", "OrdersWarmer", "AWS::Scheduler::Schedule"),
			{Action: "Modify", LogicalID: "ExecutionRole", ResourceType: "AWS::IAM::Role", Replacement: "True"},
			// Only the alias of Catalog goes: not a removed function.
			ch("Remove", "CatalogAlias", "AWS::Lambda::Alias"),
		}},
		{Path: "Api/ApiPermissions1Stack", Changes: []ResourceChange{ch("Remove", "OrdersPermission", "AWS::Lambda::Permission")}},
	}}
	risks, _ := m.Classify()
	groups := GroupRisks(risks)
	var got []string
	for _, g := range groups {
		var ids []string
		for _, r := range g.Risks {
			ids = append(ids, r.Change.LogicalID)
		}
		got = append(got, g.Function+":"+strings.Join(ids, ","))
	}
	want := []string{
		"Orders:OrdersLogGroup,OrdersFunction,OrdersVersion3f9a2c1b00,OrdersAlias,OrdersWarmer,OrdersPermission",
		":ExecutionRole",
		":CatalogAlias",
	}
	if !cmp.Equal(got, want) {
		t.Errorf("groups %q, want %q", got, want)
	}
	if parts := Join(groups[0].Parts()); parts != "log group, alias, version, warmer and API permission" {
		t.Errorf("parts %q", parts)
	}
	if p := groups[0].Paths(); !cmp.Equal(p, []string{"Lambdas", "Api/ApiPermissions1Stack"}) {
		t.Errorf("paths %q", p)
	}
	// A function name that ends like a part is still its own name.
	if fn, part, ok := FunctionOf(ch("Remove", "ApiVersionFunction", "AWS::Lambda::Function")); !ok || fn != "ApiVersion" || part != "function" {
		t.Errorf("FunctionOf = %q %q %v", fn, part, ok)
	}
	if _, _, ok := FunctionOf(ch("Remove", "OrdersAlias", "AWS::Lambda::Function")); ok {
		t.Errorf("type and suffix must agree")
	}
}
