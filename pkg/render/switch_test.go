package render

import (
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// renderAfter renders c for the stack whose deployed record is prev.
func (c staticCase) renderAfter(t *testing.T, prev *record.Record) (*Output, error) {
	t.Helper()
	pl, diags, err := plan.New(shopProject(), c.config(), plan.Options{Account: "123456789012", Region: "eu-west-1", Previous: prev})
	if err != nil {
		t.Fatalf("%s: plan: %v %v", c.name(), err, diags)
	}
	return Render(pl, staticArtifacts())
}

// types maps every logical ID of every template of out (by template
// name) to its resource type.
func types(t *testing.T, out *Output) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, tp := range out.Templates {
		for id, r := range parse(t, tp).Resources {
			m[tp.Name+"/"+id], _ = r["Type"].(string)
		}
	}
	return m
}

// sameIDSameType fails when a logical ID of a holds a resource of another
// type in b: CloudFormation refuses that update ("Update of resource type
// is not permitted").
func sameIDSameType(t *testing.T, what string, a, b *Output) {
	t.Helper()
	tb := types(t, b)
	for id, typ := range types(t, a) {
		if other, ok := tb[id]; ok && other != typ {
			t.Errorf("%s: %s is %s, then %s", what, id, typ, other)
		}
	}
}

// TestAPITypeSwitchIDs: REST keeps the stage's and the custom domain's
// logical IDs it always had (Stage, CustomDomain); HTTP's are its own
// (HttpStage, HttpCustomDomain), so a switch either way never changes a
// resource's type under one ID. The record says which IDs are deployed;
// a stack deployed before (its HTTP API under Stage and CustomDomain)
// keeps them, and a switch from it to REST takes other IDs for REST.
func TestAPITypeSwitchIDs(t *testing.T) {
	rest := staticCase{api: "rest", static: config.StaticOff, domain: "zone", env: "dev"}
	http := staticCase{api: "http", static: config.StaticOff, domain: "zone", env: "dev"}
	restOut, err := rest.renderAfter(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	httpOut, err := http.renderAfter(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, ht := types(t, restOut), types(t, httpOut)
	if rt["api.yaml/Stage"] != "AWS::ApiGateway::Stage" || rt["api.yaml/CustomDomain"] != "AWS::ApiGateway::DomainName" ||
		ht["api.yaml/HttpStage"] != "AWS::ApiGatewayV2::Stage" || ht["api.yaml/HttpCustomDomain"] != "AWS::ApiGatewayV2::DomainName" {
		t.Errorf("REST %v\nHTTP %v", keys(rt), keys(ht))
	}
	if a := restOut.Placement.API; a == nil || *a != (record.API{Type: "rest", StageID: "Stage", Domain: "www.example.com", DomainID: "CustomDomain"}) {
		t.Errorf("REST record api %+v", a)
	}
	if a := httpOut.Placement.API; a == nil || *a != (record.API{Type: "http", StageID: "HttpStage", Domain: "www.example.com", DomainID: "HttpCustomDomain"}) {
		t.Errorf("HTTP record api %+v", a)
	}

	// Without a custom domain (or with CloudFront serving it) the switch
	// renders, both ways, and keeps every ID's type.
	for _, st := range []struct{ static, domain string }{{config.StaticOff, ""}, {config.StaticCloudFront, "zone"}} {
		r := staticCase{api: "rest", static: st.static, domain: st.domain, env: "dev"}
		h := staticCase{api: "http", static: st.static, domain: st.domain, env: "dev"}
		r1, err := r.renderAfter(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		h2, err := h.renderAfter(t, &r1.Placement)
		if err != nil {
			t.Fatalf("rest -> http (%s): %v", r.name(), err)
		}
		sameIDSameType(t, "rest -> http "+r.name(), r1, h2)
		r3, err := r.renderAfter(t, &h2.Placement)
		if err != nil {
			t.Fatalf("http -> rest (%s): %v", r.name(), err)
		}
		sameIDSameType(t, "http -> rest "+r.name(), h2, r3)
		if r3.Placement.API.StageID != "Stage" {
			t.Errorf("back to REST: stage %s", r3.Placement.API.StageID)
		}
	}

	// The same API Gateway custom domain on both sides: refused before
	// anything is deployed, saying what to do.
	_, err = http.renderAfter(t, &restOut.Placement)
	if err == nil || !strings.Contains(err.Error(), "api.type http: the deployed API is rest and API Gateway serves the custom domain www.example.com") ||
		!strings.Contains(err.Error(), "Deploy once with api.type http and without domain") {
		t.Errorf("switch keeping the custom domain: %v", err)
	}

	// A stack deployed before the record named the API: HTTP under Stage
	// and CustomDomain.
	legacy := &record.Record{Stack: "shop-dev", API: &record.API{Type: "http", StageID: "Stage", Domain: "www.example.com", DomainID: "CustomDomain"}}
	again, err := http.renderAfter(t, legacy)
	if err != nil {
		t.Fatal(err)
	}
	if at := types(t, again); at["api.yaml/Stage"] != "AWS::ApiGatewayV2::Stage" || at["api.yaml/CustomDomain"] != "AWS::ApiGatewayV2::DomainName" || at["api.yaml/HttpStage"] != "" {
		t.Errorf("legacy HTTP stack renamed its stage or domain: %v", keys(at))
	}
	legacy.API.Domain, legacy.API.DomainID = "", ""
	toREST, err := rest.renderAfter(t, legacy)
	if err != nil {
		t.Fatal(err)
	}
	if at := types(t, toREST); at["api.yaml/RestStage"] != "AWS::ApiGateway::Stage" || at["api.yaml/Stage"] != "" || at["api.yaml/CustomDomain"] != "AWS::ApiGateway::DomainName" {
		t.Errorf("legacy HTTP -> REST: %v", keys(at))
	}
}

// TestDomainRecordsStayInRoot: the domain's Route 53 records are in the
// root template under the same logical IDs whether CloudFront or API
// Gateway serves the domain, so turning static files on or off updates
// them in place (a record set moving between nested stacks would be
// created before the old one is deleted: Route 53 refuses the duplicate).
func TestDomainRecordsStayInRoot(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		on, err := staticCase{api: api, static: config.StaticCloudFront, domain: "zone", env: "dev"}.renderAfter(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		off, err := staticCase{api: api, static: config.StaticOff, domain: "zone", env: "dev"}.renderAfter(t, &on.Placement)
		if err != nil {
			t.Fatal(err)
		}
		records := func(out *Output) map[string]string {
			m := map[string]string{}
			for id, typ := range types(t, out) {
				if typ == "AWS::Route53::RecordSet" {
					m[id] = props(parse(t, *out.Template(strings.SplitN(id, "/", 2)[0])).Resources[strings.SplitN(id, "/", 2)[1]])["Type"].(string)
				}
			}
			return m
		}
		ron, roff := records(on), records(off)
		if ron["root.yaml/AliasRecord"] != "A" || ron["root.yaml/AliasRecordIPv6"] != "AAAA" || len(ron) != 2 {
			t.Errorf("%s with CloudFront: records %v", api, ron)
		}
		if roff["root.yaml/AliasRecord"] != "A" || len(roff) != 1 {
			t.Errorf("%s with API Gateway: records %v", api, roff)
		}
		root := string(off.Template("root.yaml").Body)
		if !strings.Contains(root, "DNSName: !GetAtt ApiStack.Outputs.DomainTarget") || !strings.Contains(root, "HostedZoneId: !GetAtt ApiStack.Outputs.DomainTargetZone") {
			t.Errorf("%s: API Gateway record target:\n%s", api, root)
		}
		if root := string(on.Template("root.yaml").Body); !strings.Contains(root, "DNSName: !GetAtt StaticStack.Outputs.DomainName") || !strings.Contains(root, `HostedZoneId: "Z2FDTNDATAQYW2"`) {
			t.Errorf("%s: CloudFront record target:\n%s", api, root)
		}
		sameIDSameType(t, api+" static on -> off", on, off)
	}
}

// TestLegacyDomainRecordsRefused: a stack deployed by an earlier version
// (its record names no API, so the reader inferred it) kept the domain's
// Route 53 records in a nested stack; the same name with a hosted zone
// would be created in the root before the old one is deleted, so the
// render stops with what to do. Another name, or no zone, renders.
func TestLegacyDomainRecordsRefused(t *testing.T) {
	c := staticCase{api: "rest", static: config.StaticCloudFront, domain: "zone", env: "dev"}
	legacy := &record.Record{Stack: "shop-dev", API: &record.API{Type: "rest", StageID: "Stage", Inferred: true, SiteDomain: "www.example.com"}}
	if _, err := c.renderAfter(t, legacy); err == nil || !strings.Contains(err.Error(), "Deploy once without hosted_zone_id") {
		t.Errorf("legacy stack with a zone: %v", err)
	}
	c.domain = "dns"
	if _, err := c.renderAfter(t, legacy); err != nil {
		t.Errorf("legacy stack without a zone: %v", err)
	}
	legacy.API.Inferred = false
	c.domain = "zone"
	if _, err := c.renderAfter(t, legacy); err != nil {
		t.Errorf("a record written by this version: %v", err)
	}
}
