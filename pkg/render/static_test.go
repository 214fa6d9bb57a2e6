package render

import (
	"bytes"
	"fmt"
	"strings"
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

// behaviour reads a cache behaviour's fields of interest.
func behaviour(t *testing.T, v any) (target, cachePolicy, requestPolicy string, methods []any) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("behaviour %v", v)
	}
	target, _ = m["TargetOriginId"].(string)
	cachePolicy, _ = m["CachePolicyId"].(string)
	requestPolicy, _ = m["OriginRequestPolicyId"].(string)
	methods, _ = m["AllowedMethods"].([]any)
	return
}

// TestStaticTemplates: what each combination of static files and domain
// renders, read back from the templates.
func TestStaticTemplates(t *testing.T) {
	for _, c := range staticCases() {
		t.Run(c.name(), func(t *testing.T) {
			out := c.render(t)
			root := out.Template("root.yaml")
			rd := parse(t, *root)
			st := out.Template("static.yaml")
			api := out.Template("api.yaml")
			lambdas := string(out.Template("lambdas.yaml").Body)
			cloudfront := c.static == config.StaticCloudFront
			front := cloudfront && c.domain != ""
			if (st != nil) != cloudfront || (rd.Parameters["StaticBucket"] != nil) != cloudfront || (rd.Resources["StaticStack"] != nil) != cloudfront {
				t.Fatalf("static.yaml %v, StaticBucket parameter %v, StaticStack %v", st != nil, rd.Parameters["StaticBucket"] != nil, rd.Resources["StaticStack"] != nil)
			}
			written, err := record.Decode(out.Record.Body)
			if err != nil {
				t.Fatal(err)
			}
			rec := written.Static // sorted by name
			if cloudfront != (rec != nil) || (rec != nil && (rec.Bucket != "static-bucket" || rec.Prefix != "shop/"+c.env || len(rec.Files) != 2 || rec.Files[0].Name != "admin/css/base.1f418065fc2c.css")) {
				t.Errorf("record static %+v", rec)
			}
			if !cloudfront {
				if strings.Contains(lambdas, "DJANGO_SERVERLESS_STATIC") {
					t.Error("static settings without CloudFront")
				}
			} else {
				sd := parse(t, *st)
				dist := props(sd.Resources["Distribution"])["DistributionConfig"].(map[string]any)
				origins := dist["Origins"].([]any)
				s3o := origins[0].(map[string]any)
				if s3o["Id"] != "static" || s3o["OriginPath"] != "/shop/"+c.env || s3o["S3OriginConfig"].(map[string]any)["OriginAccessIdentity"] != "" ||
					!strings.Contains(string(st.Body), `OriginAccessControlId: !GetAtt OriginAccessControl.Id`) ||
					!strings.Contains(string(st.Body), `DomainName: !Sub "${StaticBucket}.s3.${AWS::Region}.${AWS::URLSuffix}"`) {
					t.Errorf("static origin %v", s3o)
				}
				oac := props(sd.Resources["OriginAccessControl"])["OriginAccessControlConfig"].(map[string]any)
				if oac["OriginAccessControlOriginType"] != "s3" || oac["SigningBehavior"] != "always" || oac["Name"] != "shop-"+c.env+"_static" {
					t.Errorf("origin access control %v", oac)
				}
				if front {
					target, cp, rp, methods := behaviour(t, dist["DefaultCacheBehavior"])
					if target != "api" || cp != cachingDisabled || rp != allViewerExceptHostHeader || len(methods) != 7 {
						t.Errorf("default behaviour %s %s %s %v", target, cp, rp, methods)
					}
					sb := dist["CacheBehaviors"].([]any)[0].(map[string]any)
					if target, cp, _, _ := behaviour(t, sb); sb["PathPattern"] != "/static/*" || target != "static" || cp != cachingOptimized || sb["ResponseHeadersPolicyId"] != simpleCORS {
						t.Errorf("static behaviour %v", sb)
					}
					apio := origins[1].(map[string]any)
					wantPath := "/dev"
					if c.env != "dev" {
						wantPath = "/" + c.env
					}
					if c.api == "http" {
						wantPath = ""
					}
					if p, _ := apio["OriginPath"].(string); p != wantPath || apio["CustomOriginConfig"].(map[string]any)["OriginProtocolPolicy"] != "https-only" {
						t.Errorf("api origin %v, want origin path %q", apio, wantPath)
					}
					if al := dist["Aliases"].([]any); len(al) != 1 || dist["ViewerCertificate"].(map[string]any)["AcmCertificateArn"] != usEast1Cert {
						t.Errorf("aliases %v certificate %v", al, dist["ViewerCertificate"])
					}
					if !strings.Contains(string(root.Body), "ApiDomain: !GetAtt ApiStack.Outputs.ApiDomain") || parse(t, *api).Outputs["ApiDomain"] == nil {
						t.Error("the front door does not get the API's domain")
					}
					if !strings.Contains(lambdas, `"DJANGO_SERVERLESS_HOST": "`) || strings.Contains(lambdas, "StaticDomainName") {
						t.Error("front door: functions lack the host, or take the distribution's domain")
					}
					if sd.Resources["AliasRecord"] != nil || sd.Resources["AliasRecordIPv6"] != nil {
						t.Errorf("alias records in static.yaml: %v", keys(sd.Resources))
					}
					if (c.domain == "zone") != (rd.Resources["AliasRecord"] != nil && rd.Resources["AliasRecordIPv6"] != nil) {
						t.Errorf("alias records %v with domain %s", keys(rd.Resources), c.domain)
					}
				} else {
					if target, cp, _, _ := behaviour(t, dist["DefaultCacheBehavior"]); target != "static" || cp != cachingOptimized || dist["Aliases"] != nil || len(origins) != 1 {
						t.Errorf("static-only distribution %v", dist)
					}
					if !strings.Contains(lambdas, `"DJANGO_SERVERLESS_STATIC_URL": !Sub "https://${StaticDomainName}/static/"`) ||
						!strings.Contains(string(root.Body), "StaticDomainName: !GetAtt StaticStack.Outputs.DomainName") ||
						!strings.Contains(string(root.Body), `Value: !Sub "https://${StaticStack.Outputs.DomainName}/static/"`) {
						t.Error("STATIC_URL is not the distribution's domain")
					}
				}
			}
			ad := parse(t, *api)
			apiDomain := c.domain != "" && !cloudfront
			domainID := "CustomDomain"
			if c.api == "http" {
				domainID = "HttpCustomDomain"
			}
			if (ad.Resources[domainID] != nil) != apiDomain || (ad.Outputs["DomainTarget"] != nil) != apiDomain {
				t.Errorf("API Gateway custom domain %v (want %v)", ad.Resources[domainID] != nil, apiDomain)
			}
			if ad.Resources["AliasRecord"] != nil {
				t.Errorf("alias record in api.yaml: %v", keys(ad.Resources))
			}
			if apiDomain {
				mapping := "BasePathMapping"
				if c.api == "http" {
					mapping = "ApiMapping"
				}
				if ad.Resources[mapping] == nil || (c.domain == "zone") != (rd.Resources["AliasRecord"] != nil) || rd.Resources["AliasRecordIPv6"] != nil {
					t.Errorf("resources %v, root %v", keys(ad.Resources), keys(rd.Resources))
				}
			}
			site := rd.Outputs["SiteUrl"]["Value"]
			if c.domain != "" && site != "https://www.example.com/" && site != "https://pr-7.preview.example.com/" {
				t.Errorf("SiteUrl %v", site)
			}
			if (c.domain != "") != (rd.Outputs["DomainTarget"] != nil) || cloudfront != (rd.Outputs["StaticUrl"] != nil) {
				t.Errorf("outputs %v", keys(rd.Outputs))
			}
			if script := `"DJANGO_SERVERLESS_SCRIPT_NAME": ""`; (c.domain != "" || c.api == "http") != strings.Contains(lambdas, script) {
				t.Errorf("script name with domain %q api %s", c.domain, c.api)
			}
		})
	}
}

// TestStaticVersions: a change of STATIC_URL (a domain added) publishes
// new function versions; a change of the static files alone changes the
// record, not the templates' functions (the manifest is in the code zip,
// whose key the versions already hash).
func TestStaticVersions(t *testing.T) {
	base := staticCase{api: "rest", static: config.StaticCloudFront, env: "dev"}
	dom := base
	dom.domain = "dns"
	v1 := versionIDs(t, base.render(t))
	v2 := versionIDs(t, dom.render(t))
	for fn, id := range v1 {
		if v2[fn] == id {
			t.Errorf("%s keeps version %s when STATIC_URL moves to the domain", fn, id)
		}
	}
	pl, _, err := plan.New(shopProject(), base.config(), plan.Options{Account: "123456789012", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	a := staticArtifacts()
	one := mustRender(t, pl, a)
	a.Static = append(a.Static, record.StaticFile{Name: "pages/site.css", SHA256: shaOf("site"), Size: 3})
	two := mustRender(t, pl, a)
	if one.Record.Key == two.Record.Key {
		t.Error("the record does not follow the static files")
	}
	if !bytes.Equal(one.Template("lambdas.yaml").Body, two.Template("lambdas.yaml").Body) {
		t.Error("lambdas.yaml changed with the static file list alone")
	}
}

// TestManageStackStatic: the manage function reads the manifest like the
// others, but takes nothing from the static stack (its stack is updated
// alone before the rest with migrations: before): no StaticDomainName,
// STATIC_URL only when a domain fixes it.
func TestManageStackStatic(t *testing.T) {
	for _, c := range []staticCase{
		{api: "rest", static: config.StaticCloudFront, env: "dev"},
		{api: "rest", static: config.StaticCloudFront, domain: "dns", env: "dev"},
	} {
		out := c.render(t)
		m := out.Template(ManageTemplateName)
		if m == nil {
			t.Fatalf("%s: no %s", c.name(), ManageTemplateName)
		}
		body := string(m.Body)
		if strings.Contains(body, "StaticDomainName") || !strings.Contains(body, `"DJANGO_SERVERLESS_STATIC_ROOT": "/var/task/django_serverless_static"`) {
			t.Errorf("%s: manage.yaml static wiring:\n%s", c.name(), body)
		}
		if hasURL := strings.Contains(body, `"DJANGO_SERVERLESS_STATIC_URL": "https://www.example.com/static/"`); hasURL != (c.domain != "") {
			t.Errorf("%s: manage function STATIC_URL present %v", c.name(), hasURL)
		}
	}
	pl, _, err := plan.New(shopProject(), staticCase{api: "rest", static: config.StaticCloudFront, env: "dev"}.config(), plan.Options{Account: "123456789012", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	pl.DropStatic()
	if _, ok := pl.Manage.Env[plan.EnvStaticRoot]; ok || pl.CloudFront() {
		t.Errorf("after DropStatic: %v %+v", pl.Manage.Env, pl.Static)
	}
	out := mustRender(t, pl, staticArtifacts())
	if out.Template("static.yaml") != nil || strings.Contains(string(out.Template(ManageTemplateName).Body), "STATIC") {
		t.Error("static settings after DropStatic")
	}
}
