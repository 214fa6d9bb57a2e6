package cfnfake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

func (e *env) growthRoot(key, shard1, shard2 string) {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "growth", "root.yaml"))
	if err != nil {
		e.t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "SHARD1", shard1)
	e.putBody(key, strings.ReplaceAll(s, "SHARD2", shard2))
}

// The growth failure of the hash-sharded API (issue 10): when routes and
// GraphQL fields move from one nested stack to another, the stack that
// receives them creates them while the one that loses them still holds
// them (its removals wait for the cleanup phase, after the whole update):
// API Gateway and AppSync refuse the duplicates, and the update rolls
// back.
func TestGrowthMovesBetweenNestedStacksFail(t *testing.T) {
	e := newEnv(t, Scenario{})
	for _, f := range []string{"api.yaml", "shard-catalog.yaml", "shard-orders.yaml"} {
		e.put("growth/"+f, filepath.Join("growth", f))
	}
	e.growthRoot("growth-v1.yaml", "shard-catalog.yaml", "shard-orders.yaml")
	e.growthRoot("growth-v2.yaml", "shard-orders.yaml", "shard-catalog.yaml")
	e.deploy("shop-dev", "v1", "growth-v1.yaml", nil, "CREATE_COMPLETE")
	d := e.changeSet("shop-dev", "v2", "growth-v2.yaml", nil)
	lv := e.levels(aws.ToString(d.ChangeSetId), false)
	for _, p := range []string{"Shard1", "Shard2"} {
		var acts []string
		for _, c := range lv[p].Changes {
			acts = append(acts, string(c.ResourceChange.Action)+" "+aws.ToString(c.ResourceChange.LogicalResourceId))
		}
		if len(acts) != 6 {
			t.Errorf("%s changes: %v", p, acts)
		}
	}
	if got := e.execute(d); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("growth ended %s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"CREATE_FAILED AWS::ApiGateway::Resource ResourceOrders (no physical ID): Another resource with the same parent already has this name: orders (Service: AmazonApiGateway; Status Code: 409; Error Code: ConflictException",
		"CREATE_FAILED AWS::AppSync::Resolver ResolverOrders (no physical ID): Only one resolver is allowed per field. (Service: AWSAppSync; Status Code: 400; Error Code: BadRequestException",
		"UPDATE_ROLLBACK_COMPLETE AWS::CloudFormation::Stack shop-dev\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
	// Nothing moved: the routes are where they were.
	if r := e.srv.Resources(e.srv.NestedStack("shop-dev", "Shard1")); r["ResourceCatalog"] == "" || r["ResourceOrders"] != "" {
		t.Errorf("Shard1 after the rollback: %v", r)
	}
}

// Renaming a logical ID fails the same way inside one stack: the new
// resource is created before the old one is deleted.
func TestLogicalIDRenameConflicts(t *testing.T) {
	e := newEnv(t, Scenario{})
	v1 := `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  Catalog:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: catalog}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: shop-fn, Role: arn:aws:iam::123456789012:role/r, Code: {ZipFile: "x"}}
`
	e.params = nil
	e.deploy("shop-dev", "v1", v1, nil, "CREATE_COMPLETE")
	v2 := strings.Replace(strings.Replace(v1, "  Catalog:\n", "  CatalogV2:\n", 1), "  Fn:\n", "  Fn2:\n", 1)
	d := e.changeSet("shop-dev", "v2", v2, nil)
	if got := e.execute(d); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		"Another resource with the same parent already has this name: catalog",
		`CREATE_FAILED AWS::Lambda::Function Fn2 (no physical ID): Resource handler returned message: "Resource of type 'AWS::Lambda::Function' with identifier 'shop-fn' already exists." (RequestToken: 00000000-0000-4000-a000-000000000000, HandlerErrorCode: AlreadyExists)`,
		"UPDATE_ROLLBACK_IN_PROGRESS AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to create: [",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
}

// AWS::Lambda::Version publishes a version; Lambda refuses when the code
// and configuration are those of the latest published version.
func TestLambdaVersionNeedsAChange(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	tpl := func(key, version string) string {
		return `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: shop-fn, Role: arn:aws:iam::123456789012:role/r, Code: {S3Bucket: b, S3Key: ` + key + `}}
  ` + version + `:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Fn}
`
	}
	e.deploy("shop-dev", "v1", tpl("code-1.zip", "Version1"), nil, "CREATE_COMPLETE")
	// A new version with new code: published.
	e.deploy("shop-dev", "v2", tpl("code-2.zip", "Version2"), nil, "UPDATE_COMPLETE")
	if v := e.srv.Resources("shop-dev")["Version2"]; !strings.HasSuffix(v, ":function:shop-fn:2") {
		t.Errorf("second version %q", v)
	}
	// A new Version resource for the same code: refused, rolled back.
	d := e.changeSet("shop-dev", "v3", tpl("code-2.zip", "Version3"), nil)
	if got := e.execute(d); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	want := `CREATE_FAILED AWS::Lambda::Version Version3 (no physical ID): Resource handler returned message: "A version for this Lambda function exists ( 2 ). Modify the function to create a new version." (RequestToken: 00000000-0000-4000-a000-000000000000, HandlerErrorCode: AlreadyExists)`
	if log := e.eventLog("shop-dev"); !strings.Contains(log, want) {
		t.Errorf("log misses %q:\n%s", want, log)
	}
	// Back to the first code: a change from the latest version, published
	// (Lambda compares with the latest version only).
	e.deploy("shop-dev", "v4", tpl("code-1.zip", "Version4"), nil, "UPDATE_COMPLETE")
}

// Physical names are unique in the account, whichever stack holds them,
// including resources no stack manages (the log group Lambda creates on
// a function's first invocation).
func TestUniqueNames(t *testing.T) {
	e := newEnv(t, Scenario{External: []ExternalResource{{Type: "AWS::Logs::LogGroup", Properties: map[string]string{"LogGroupName": "/aws/lambda/shop-dev-catalog"}}}})
	e.params = nil
	body := `Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /aws/lambda/shop-dev-catalog}
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: shop-dev-role, AssumeRolePolicyDocument: {}}
`
	d := e.changeSet("shop-dev", "v1", body, nil)
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	want := `CREATE_FAILED AWS::Logs::LogGroup Logs (no physical ID): Resource handler returned message: "Resource of type 'AWS::Logs::LogGroup' with identifier '{\"/properties/LogGroupName\":\"/aws/lambda/shop-dev-catalog\"}' already exists."`
	log := e.eventLog("shop-dev")
	if !strings.Contains(log, want) {
		t.Errorf("log misses %q:\n%s", want, log)
	}
	// The role was created (or cancelled) and is gone after the rollback:
	// another stack can take its name.
	other := strings.Replace(body, "/aws/lambda/shop-dev-catalog", "/aws/lambda/other", 1)
	e.deploy("shop-qa", "v1", other, nil, "CREATE_COMPLETE")
	d = e.changeSet("shop-prod", "v1", other, nil)
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" || !strings.Contains(e.eventLog("shop-prod"), "with identifier 'shop-dev-role' already exists") {
		t.Errorf("second stack with the same role name: %s\n%s", got, e.eventLog("shop-prod"))
	}
}

// HTTP API routes: one route per route key, and no two routes whose
// variables differ at the same level.
func TestHTTPRouteConflicts(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	body := `Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: shop, ProtocolType: HTTP}
  A:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /items/{id}"}
  B:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /items/{pk}"}
    DependsOn: A
  C:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /items/{id}"}
    DependsOn: A
`
	d := e.changeSet("shop-dev", "v1", body, nil)
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	log := e.eventLog("shop-dev")
	for _, want := range []string{
		`CREATE_FAILED AWS::ApiGatewayV2::Route B (no physical ID): Resource handler returned message: "The provided route key \"GET /items/{pk}\" has a conflicting variable on the same hierarchical level as \"GET /items/{id}\""`,
		`CREATE_FAILED AWS::ApiGatewayV2::Route C (no physical ID): Resource handler returned message: "Route with key 'GET /items/{id}' already exists"`,
		"ROLLBACK_IN_PROGRESS AWS::CloudFormation::Stack shop-dev: The following resource(s) failed to create: [B, C]. Rollback requested by user.",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log misses %q:\n%s", want, log)
		}
	}
}

// One method per resource and verb, one stage name per API.
func TestMethodAndStageConflicts(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	body := `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  Get1:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE}
  Get2:
    Type: AWS::ApiGateway::Method
    DependsOn: Get1
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: get, AuthorizationType: NONE}
`
	d := e.changeSet("shop-dev", "v1", body, nil)
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" || !strings.Contains(e.eventLog("shop-dev"), "CREATE_FAILED AWS::ApiGateway::Method Get2 (no physical ID): Method already exists for this resource") {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	st, err := e.c.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shop-dev")})
	if err != nil || st.Stacks[0].StackStatus != types.StackStatusRollbackComplete {
		t.Errorf("%+v %v", st, err)
	}
}

// Two variable path parts under one parent: API Gateway names the one
// that exists.
func TestVariableSiblings(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	body := `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  ById:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{id}"}
  ByPk:
    Type: AWS::ApiGateway::Resource
    DependsOn: ById
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{pk}"}
`
	d := e.changeSet("shop-dev", "v1", body, nil)
	want := "CREATE_FAILED AWS::ApiGateway::Resource ByPk (no physical ID): A sibling ({id}) of this resource already has a variable path part -- only one is allowed (Service: AmazonApiGateway; Status Code: 400; Error Code: BadRequestException"
	if got := e.execute(d); got != "ROLLBACK_COMPLETE" || !strings.Contains(e.eventLog("shop-dev"), want) {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
}

// A resource never changes type under its logical ID: the change set
// FAILS with CloudFormation's message. And a REST and an HTTP API share
// custom domain names (API Gateway: "You can map HTTP and REST API stages
// to the same custom domain name", one object): an HTTP API's domain name
// created beside a REST API's of the same name fails "already exists".
func TestTypeChangeAndSharedDomainNames(t *testing.T) {
	e := newEnv(t, Scenario{})
	e.params = nil
	rest := `Resources:
  CustomDomain:
    Type: AWS::ApiGateway::DomainName
    Properties: {DomainName: www.example.com, RegionalCertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x}
`
	e.deploy("shop-dev", "v1", rest, nil, "CREATE_COMPLETE")
	sameID := `Resources:
  CustomDomain:
    Type: AWS::ApiGatewayV2::DomainName
    Properties: {DomainName: www.example.com}
`
	d := e.changeSet("shop-dev", "v2", sameID, nil)
	if d.Status != types.ChangeSetStatusFailed || !strings.Contains(aws.ToString(d.StatusReason), "Update of resource type is not permitted. The new template modifies resource type of the following resources: [CustomDomain]") {
		t.Errorf("type change under one logical ID: %s %s", d.Status, aws.ToString(d.StatusReason))
	}
	otherID := `Resources:
  HttpCustomDomain:
    Type: AWS::ApiGatewayV2::DomainName
    Properties: {DomainName: www.example.com}
`
	d = e.changeSet("shop-dev", "v3", otherID, nil)
	if got := e.execute(d); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Fatalf("%s\n%s", got, e.eventLog("shop-dev"))
	}
	if log := e.eventLog("shop-dev"); !strings.Contains(log, `CREATE_FAILED AWS::ApiGatewayV2::DomainName HttpCustomDomain (no physical ID): Resource handler returned message: "Resource of type 'AWS::ApiGatewayV2::DomainName' with identifier 'www.example.com' already exists."`) {
		t.Errorf("log:\n%s", log)
	}
}
