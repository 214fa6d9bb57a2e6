package cfnfake

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// GetTemplate answers for root and nested stacks, at both stages, and for
// a change set; DescribeStackResources and ListStackResources list what
// the stack holds.
func TestGetTemplateAndResources(t *testing.T) {
	e := newEnv(t, Scenario{PageSize: 2})
	e.put("root-1.yaml", "root.yaml")
	e.put("lambdas-v1.yaml", "lambdas-v1.yaml")
	e.put("api-v1.yaml", "api-v1.yaml")
	d := e.changeSet("shop-dev", "cs1", "root-1.yaml", nil)
	// Before execution: the change set's template, not yet the stack's.
	byCS, err := e.c.GetTemplate(e.ctx, &cloudformation.GetTemplateInput{ChangeSetName: d.ChangeSetId})
	if err != nil || !strings.Contains(aws.ToString(byCS.TemplateBody), "records/one.json") {
		t.Fatalf("GetTemplate of the change set: %v %v", byCS, err)
	}
	if _, err := e.c.GetTemplate(e.ctx, &cloudformation.GetTemplateInput{StackName: aws.String("shop-dev")}); !isCode(err, "ValidationError") {
		t.Errorf("GetTemplate of a REVIEW_IN_PROGRESS stack: %v", err)
	}
	e.execute(d)
	for _, stage := range []types.TemplateStage{types.TemplateStageOriginal, types.TemplateStageProcessed} {
		out, err := e.c.GetTemplate(e.ctx, &cloudformation.GetTemplateInput{StackName: aws.String("shop-dev"), TemplateStage: stage})
		if err != nil || !strings.Contains(aws.ToString(out.TemplateBody), "records/one.json") || len(out.StagesAvailable) != 2 {
			t.Errorf("GetTemplate %s: %+v %v", stage, out, err)
		}
	}
	lambdas := e.srv.NestedStack("shop-dev", "Lambdas")
	out, err := e.c.GetTemplate(e.ctx, &cloudformation.GetTemplateInput{StackName: aws.String(lambdas)})
	if err != nil || !strings.Contains(aws.ToString(out.TemplateBody), "CatalogVersion1111") {
		t.Errorf("GetTemplate of the nested stack: %v", err)
	}
	res, err := e.c.DescribeStackResources(e.ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(lambdas)})
	if err != nil || len(res.StackResources) != 5 || aws.ToString(res.StackResources[0].LogicalResourceId) != "CatalogAlias" ||
		res.StackResources[0].ResourceStatus != types.ResourceStatusCreateComplete {
		t.Errorf("DescribeStackResources: %+v %v", res, err)
	}
	var ids []string
	var token *string
	for {
		page, err := e.c.ListStackResources(e.ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(lambdas), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.StackResourceSummaries {
			ids = append(ids, aws.ToString(r.LogicalResourceId)+"="+aws.ToString(r.PhysicalResourceId))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(ids) != 5 || ids[1] != "CatalogFunction=shop-dev-catalog" {
		t.Errorf("ListStackResources: %q", ids)
	}
}
