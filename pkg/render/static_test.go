package render

import (
	"fmt"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// staticCase is one combination of static files and domain.
type staticCase struct {
	api    string // rest | http
	static string // config.StaticCloudFront | StaticOff
	domain string // "" | "zone" (with a hosted zone) | "dns" (records left to the user)
	env    string
}

func (c staticCase) name() string {
	d := c.domain
	if d == "" {
		d = "nodomain"
	}
	return fmt.Sprintf("%s-%s-%s-%s", c.env, c.api, c.static, d)
}

// staticCases is every combination: static files on (CloudFront) and
// off, a domain or none (with and without a hosted zone), REST and HTTP.
func staticCases() []staticCase {
	var out []staticCase
	for _, api := range []string{"rest", "http"} {
		for _, st := range []string{config.StaticCloudFront, config.StaticOff} {
			for _, d := range []string{"", "zone", "dns"} {
				out = append(out, staticCase{api: api, static: st, domain: d, env: "dev"})
			}
		}
	}
	// A preview with its own name under a wildcard certificate.
	out = append(out, staticCase{api: "rest", static: config.StaticCloudFront, domain: "zone", env: "pr-7"})
	return out
}

const (
	usEast1Cert = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	euWest1Cert = "arn:aws:acm:eu-west-1:123456789012:certificate/1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

func (c staticCase) config() *config.Config {
	cfg := shopConfig(c.env, "route", c.api)
	cfg.Static.Mode = c.static
	if c.domain != "" {
		name := "www.example.com"
		if c.env == "pr-7" {
			name = "pr-7.preview.example.com"
		}
		cert := euWest1Cert // the API's region (eu-west-1 in mustPlan)
		if c.static == config.StaticCloudFront {
			cert = usEast1Cert
		}
		cfg.Domain = &config.Domain{Name: name, CertificateARN: cert}
		if c.domain == "zone" {
			cfg.Domain.HostedZoneID = "Z0123456789ABCDEFGHIJ"
		}
	}
	return cfg
}

func staticArtifacts() Artifacts {
	a := testArtifacts("shop")
	a.GraphQLSDL = shopSDL
	a.StaticBucket = "static-bucket"
	a.Static = []record.StaticFile{
		{Name: "admin/css/base.css", SHA256: shaOf("base"), Size: 10},
		{Name: "admin/css/base.1f418065fc2c.css", SHA256: shaOf("base"), Size: 10},
	}
	return a
}

func (c staticCase) render(t *testing.T) *Output {
	t.Helper()
	pl, diags, err := plan.New(shopProject(), c.config(), plan.Options{Account: "123456789012", Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("%s: plan: %v %v", c.name(), err, diags)
	}
	return mustRender(t, pl, staticArtifacts())
}

// staticLintFiles are the templates of every static/domain combination,
// for TestCfnLintMatrix.
func staticLintFiles(t *testing.T) []lintFile {
	var files []lintFile
	for _, c := range staticCases() {
		for _, tp := range c.render(t).Templates {
			files = append(files, lintFile{"static-" + c.name() + "-" + tp.Name, tp.Body})
		}
	}
	return files
}
