package action_test

import (
	"context"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/deploytest"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

const switchCert = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// switchWorld builds the shop example offline with a config and deploys
// builds through the CloudFormation fake, each planned on the record of
// the one deployed before it (as plan and deploy read it back).
type switchWorld struct {
	t    *testing.T
	dir  string
	w    *deploytest.World
	prev *record.Record
}

func newSwitchWorld(t *testing.T) *switchWorld {
	return &switchWorld{t: t, dir: growthProject(t), w: deploytest.New(t, deploytest.Options{})}
}

func (s *switchWorld) build(config string, previous *record.Record) (*action.Build, error) {
	s.t.Helper()
	return action.NewBuild(context.Background(), action.BuildOptions{ProjectDir: s.dir, Environment: "dev", WorkDir: s.t.TempDir(),
		Account: "123456789012", Region: "us-east-1", ConfigFile: writeConfig(s.t, config), Previous: previous,
		Python: testenv.Django(s.t), RequireStatic: true,
		Deps: &action.PipDeps{Install: false, CacheDir: s.t.TempDir(), ToolVersion: cli.Version}})
}

// deploy builds config on the deployed record and deploys it.
func (s *switchWorld) deploy(config string) (*stack.Result, error) {
	s.t.Helper()
	b, err := s.build(config, s.prev)
	if err != nil {
		s.t.Fatalf("build %q: %v", config, err)
	}
	v := deploytest.FromRender(b.Output, b.Plan.Project)
	v.Parameters = map[string]string{action.APIKeyExpiresParam: "0"}
	res, err := s.w.Deploy(context.Background(), v)
	if err == nil {
		s.prev = &b.Output.Placement
	}
	return res, err
}

func (s *switchWorld) mustDeploy(config, want string) {
	s.t.Helper()
	res, err := s.deploy(config)
	if err != nil || res.Status != want {
		status := ""
		if res != nil {
			status = res.Status + " " + res.RootCause
		}
		s.t.Fatalf("deploy %q: %v %s\n%s", config, err, status, s.w.Log)
	}
}

// TestAPITypeSwitchDeploys: api.type rest -> http -> rest updates the
// stack (the fake refuses a resource type change under one logical ID,
// as CloudFormation does: REST and HTTP stages have IDs of their own).
func TestAPITypeSwitchDeploys(t *testing.T) {
	s := newSwitchWorld(t)
	s.mustDeploy("static: {mode: \"off\"}\n", "CREATE_COMPLETE")
	s.mustDeploy("static: {mode: \"off\"}\napi: {type: http}\n", "UPDATE_COMPLETE")
	s.mustDeploy("static: {mode: \"off\"}\n", "UPDATE_COMPLETE")
}

// TestAPITypeSwitchWithDomainRefused: with an API Gateway custom domain,
// the switch cannot succeed in one update (the new API's domain name is
// created before the old one is deleted, and API Gateway holds a name
// once): the build refuses it, saying what to do; doing that (deploy
// without the domain, then with it) works. The control deploys the
// switch planned without the record: it rolls back on the duplicate
// domain name.
func TestAPITypeSwitchWithDomainRefused(t *testing.T) {
	domain := "environments:\n  dev:\n    domain: {name: www.example.com, certificate_arn: " + switchCert + ", hosted_zone_id: Z0123456789ABCDEFGHIJ}\n"
	rest := "static: {mode: \"off\"}\n" + domain
	http := "static: {mode: \"off\"}\napi: {type: http}\n" + domain
	s := newSwitchWorld(t)
	s.mustDeploy(rest, "CREATE_COMPLETE")
	_, err := s.build(http, s.prev)
	if err == nil || !strings.Contains(err.Error(), "the deployed API is rest and API Gateway serves the custom domain www.example.com") ||
		!strings.Contains(err.Error(), "Deploy once with api.type http and without domain") {
		t.Fatalf("switch with the domain: %v", err)
	}

	// Control: the same switch, planned blind, rolls back.
	blind, err := s.build(http, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := deploytest.FromRender(blind.Output, blind.Plan.Project)
	v.Parameters = map[string]string{action.APIKeyExpiresParam: "0"}
	res, err := s.w.Deploy(context.Background(), v)
	if err == nil || res.Status != "UPDATE_ROLLBACK_COMPLETE" || !strings.Contains(res.RootCause, "with identifier 'www.example.com' already exists") {
		t.Fatalf("blind switch: %v %+v\n%s", err, res, s.w.Log)
	}

	// What the message says to do.
	s.mustDeploy("static: {mode: \"off\"}\napi: {type: http}\n", "UPDATE_COMPLETE")
	s.mustDeploy(http, "UPDATE_COMPLETE")
}

// TestDomainRecordStaysWhenStaticToggles: with a hosted zone, turning
// static files (CloudFront) on and off keeps the domain's Route 53 A
// record in the root stack, updated in place; the fake refuses a second
// record set of the same name and type in a zone, as Route 53 does.
func TestDomainRecordStaysWhenStaticToggles(t *testing.T) {
	domain := "environments:\n  dev:\n    domain: {name: www.example.com, certificate_arn: " + switchCert + ", hosted_zone_id: Z0123456789ABCDEFGHIJ}\n"
	s := newSwitchWorld(t)
	s.mustDeploy("static: {mode: cloudfront}\n"+domain, "CREATE_COMPLETE")
	s.mustDeploy("static: {mode: \"off\"}\n"+domain, "UPDATE_COMPLETE")
	s.mustDeploy("static: {mode: cloudfront}\n"+domain, "UPDATE_COMPLETE")
	if r := s.w.CFN.Resources("shop-dev"); r["AliasRecord"] == "" || r["AliasRecordIPv6"] == "" {
		t.Errorf("root stack resources %v", r)
	}
}

// TestRunRefusesAPITypeSwitchWithDomain: deploy reads the deployed
// record back (GetTemplate, S3) and stops the switch before uploading
// anything; the stack is untouched.
func TestRunRefusesAPITypeSwitchWithDomain(t *testing.T) {
	e := newRunEnv(t, cfnfake.Scenario{})
	domain := "static: {mode: \"off\"}\nenvironments:\n  dev:\n    domain: {name: www.example.com, certificate_arn: " + switchCert + "}\n"
	dir := growthProject(t)
	sum, err := e.run("deploy", dir, writeConfig(t, domain), "dev")
	if err != nil || sum.Status != "CREATE_COMPLETE" {
		t.Fatalf("first deploy: %v %+v", err, sum)
	}
	e.s3log.reset()
	_, err = e.run("deploy", dir, writeConfig(t, "api: {type: http}\n"+domain), "dev")
	if err == nil || !strings.Contains(err.Error(), "the deployed API is rest and API Gateway serves the custom domain www.example.com") {
		t.Fatalf("switch: %v", err)
	}
	if n := e.s3log.count("PUT"); n != 0 {
		t.Errorf("%d objects uploaded before the refusal", n)
	}
}
