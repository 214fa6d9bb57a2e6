package action_test

import (
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// redeployDomain is the custom domain of the redeploy tests, with a
// Route 53 hosted zone (the alias records are rendered).
const redeployDomain = "environments:\n  dev:\n    domain: {name: www.example.com, certificate_arn: " + switchCert + ", hosted_zone_id: Z0123456789ABCDEFGHIJ}\n"

// noReplacement fails when the deploy's change set replaces (or may
// replace) a resource of one of the types, in any stack.
func noReplacement(t *testing.T, step string, res *stack.Result, types ...string) {
	t.Helper()
	if res.Model == nil {
		return
	}
	for _, st := range res.Model.Stacks {
		for _, c := range st.Changes {
			for _, typ := range types {
				if c.ResourceType == typ && (c.Action == "Remove" || c.Action == "Add" || c.Replacement == "True" || c.Replacement == "Conditional") {
					t.Errorf("%s: %s %s %s (replacement %q) in stack %s", step, c.Action, c.ResourceType, c.LogicalID, c.Replacement, st.StackName)
				}
			}
		}
	}
}

// physical is the physical ID of a resource of the root stack (path "")
// or of a nested stack ("StaticStack", "ApiStack").
func (s *switchWorld) physical(path, id string) string {
	s.t.Helper()
	name := "shop-dev"
	if path != "" {
		name = s.w.CFN.NestedStack("shop-dev", path)
		if name == "" {
			s.t.Fatalf("no nested stack %s", path)
		}
	}
	return s.w.CFN.Resources(name)[id]
}

// redeploySteps deploys config three times: first (create), again
// unchanged, then with one route more. Every step succeeds, and the
// resources named in keep (path/ID: "" for the root) keep their physical
// IDs, with no change set replacing a resource of the types.
func redeploySteps(t *testing.T, config string, keep [][2]string, types ...string) {
	t.Helper()
	s := newSwitchWorld(t)
	s.mustDeploy(config, "CREATE_COMPLETE")
	before := map[[2]string]string{}
	for _, k := range keep {
		if before[k] = s.physical(k[0], k[1]); before[k] == "" {
			t.Fatalf("no resource %s/%s after the first deploy", k[0], k[1])
		}
	}
	res, err := s.deploy(config)
	if err != nil || res.HasChanges {
		t.Fatalf("identical second deploy: %v (status %s, has changes %v)\n%s", err, res.Status, res.HasChanges, s.w.Log)
	}
	addRoutes(t, s.dir, 1)
	res, err = s.deploy(config)
	if err != nil || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("deploy with one route more: %v (%s %s)\n%s", err, res.Status, res.RootCause, s.w.Log)
	}
	noReplacement(t, "one route more", res, types...)
	for _, k := range keep {
		if got := s.physical(k[0], k[1]); got != before[k] {
			t.Errorf("%s/%s: physical ID %s, then %s (replaced)", k[0], k[1], before[k], got)
		}
	}
}

// TestRedeployDomainZoneCloudFront: a domain with a hosted zone served by
// CloudFront (static files on): the Route 53 alias records in root.yaml
// and the distribution survive an identical second deploy and one with a
// route more, in place (Route 53 refuses a second record set of the same
// name and type, and a replaced distribution would need the alias freed
// first).
func TestRedeployDomainZoneCloudFront(t *testing.T) {
	redeploySteps(t, "static: {mode: cloudfront}\n"+redeployDomain,
		[][2]string{{"", "AliasRecord"}, {"", "AliasRecordIPv6"}, {"StaticStack", "Distribution"}},
		"AWS::Route53::RecordSet", "AWS::CloudFront::Distribution")
}

// TestRedeployHTTPCustomDomain: an HTTP API with an API Gateway custom
// domain (HttpStage, HttpCustomDomain, ApiMapping, the A record in the
// root) deployed twice unchanged, then with a route more: the domain name
// (one per account and region), its mapping and the record stay.
func TestRedeployHTTPCustomDomain(t *testing.T) {
	redeploySteps(t, "static: {mode: \"off\"}\napi: {type: http}\n"+redeployDomain,
		[][2]string{{"", "AliasRecord"}, {"ApiStack", "HttpCustomDomain"}, {"ApiStack", "ApiMapping"}, {"ApiStack", "HttpStage"}},
		"AWS::Route53::RecordSet", "AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping", "AWS::ApiGatewayV2::Stage")
}

// TestRedeployRESTCustomDomain: the same with a REST API (Stage,
// CustomDomain, BasePathMapping): a route more makes a new deployment,
// the stage moves to it in place.
func TestRedeployRESTCustomDomain(t *testing.T) {
	redeploySteps(t, "static: {mode: \"off\"}\n"+redeployDomain,
		[][2]string{{"", "AliasRecord"}, {"ApiStack", "CustomDomain"}, {"ApiStack", "BasePathMapping"}, {"ApiStack", "Stage"}},
		"AWS::Route53::RecordSet", "AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping", "AWS::ApiGateway::Stage")
}
