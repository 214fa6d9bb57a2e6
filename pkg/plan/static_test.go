package plan

import (
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
)

const (
	certUSEast1 = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	certEUWest1 = "arn:aws:acm:eu-west-1:123456789012:certificate/1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

// planFor plans the shop with INSTALLED_APPS apps and c, for eu-west-1.
func planFor(t *testing.T, apps []string, c *config.Config) (*Plan, error) {
	t.Helper()
	p := project(shopRoutes...)
	p.InstalledApps = apps
	pl, _, err := New(p, c, Options{Account: "123456789012", Region: "eu-west-1"})
	return pl, err
}

// TestStaticMode: left to its default, static files go to CloudFront
// exactly when the project installs django.contrib.staticfiles (by module
// or AppConfig); the environment's prefix is <project>/<env>.
func TestStaticMode(t *testing.T) {
	for _, c := range []struct {
		apps []string
		mode string
		want string
	}{
		{[]string{"django.contrib.auth", "django.contrib.staticfiles"}, "", config.StaticCloudFront},
		{[]string{"django.contrib.staticfiles.apps.StaticFilesConfig"}, "", config.StaticCloudFront},
		{[]string{"django.contrib.auth", "django.contrib.staticfilesx"}, "", config.StaticOff},
		{nil, "", config.StaticOff},
		{[]string{"django.contrib.staticfiles"}, config.StaticWhiteNoise, config.StaticWhiteNoise},
		{[]string{"django.contrib.staticfiles"}, config.StaticOff, config.StaticOff},
		{nil, config.StaticCloudFront, config.StaticCloudFront},
	} {
		k := cfg("pr-7", "route")
		k.Preview, k.PR = true, 7
		k.Static.Mode = c.mode
		pl, err := planFor(t, c.apps, k)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Static.Mode != c.want {
			t.Errorf("apps %v mode %q: %s, want %s", c.apps, c.mode, pl.Static.Mode, c.want)
		}
		env := pl.FunctionEnv(DefaultFunction)
		if pl.CloudFront() {
			if pl.Static.Prefix != "shop/pr-7" || !pl.StaticURLFromStack() || env[EnvStaticURL] != LocalStaticURL || env[EnvStaticRoot] != StaticRoot {
				t.Errorf("cloudfront: %+v env %v", pl.Static, env)
			}
			if pl.ScriptName != "/pr-7" {
				t.Errorf("without a domain the stage stays the script name: %q", pl.ScriptName)
			}
		} else if _, ok := env[EnvStaticURL]; ok || pl.Static.Prefix != "" {
			t.Errorf("%s: static env %v prefix %q", pl.Static.Mode, env, pl.Static.Prefix)
		}
	}
}

// TestDomainFront: with CloudFront the domain is the distribution's (the
// functions learn the host from the configuration, and STATIC_URL is on
// the domain); without, it is an API Gateway custom domain. Either way
// the functions see no stage prefix.
func TestDomainFront(t *testing.T) {
	for _, api := range []string{"rest", "http"} {
		k := cfg("prod", "route")
		k.API.Type = api
		k.Domain = &config.Domain{Name: "www.example.com", CertificateARN: certUSEast1, HostedZoneID: "Z1"}
		pl, err := planFor(t, []string{"django.contrib.staticfiles"}, k)
		if err != nil {
			t.Fatal(err)
		}
		env := pl.FunctionEnv("Home")
		if pl.Domain.Front != FrontCloudFront || pl.ScriptName != "" || pl.Static.URL != "https://www.example.com/static/" || pl.StaticURLFromStack() ||
			env[EnvHost] != "www.example.com" || env[EnvStaticURL] != "https://www.example.com/static/" || env["DJANGO_SERVERLESS_SCRIPT_NAME"] != "" || pl.SiteURL() != "https://www.example.com/" {
			t.Errorf("%s cloudfront: %+v %+v script %q env %v", api, pl.Domain, pl.Static, pl.ScriptName, env)
		}

		k.Static.Mode = config.StaticOff
		k.Domain.CertificateARN = certEUWest1
		pl, err = planFor(t, []string{"django.contrib.staticfiles"}, k)
		if err != nil {
			t.Fatal(err)
		}
		env = pl.FunctionEnv("Home")
		if pl.Domain.Front != FrontAPIGateway || pl.ScriptName != "" || env[EnvHost] != "" || env[EnvStaticURL] != "" {
			t.Errorf("%s apigateway: %+v script %q env %v", api, pl.Domain, pl.ScriptName, env)
		}
	}
}

// TestDomainCertificateRules: CloudFront takes certificates from
// us-east-1 only; a regional API Gateway domain from the API's region; a
// certificate of another partition never. Errors name the config line.
func TestDomainCertificateRules(t *testing.T) {
	pos := config.Position{File: "django-serverless.yml", Line: 7, Col: 20}
	for _, c := range []struct {
		mode, cert, region string
		want               string
	}{
		{"", certEUWest1, "eu-west-1", "django-serverless.yml:7:20: error: domain.certificate_arn: CloudFront serves www.example.com and takes certificates from us-east-1 only; this one is in eu-west-1"},
		{"", certUSEast1, "eu-west-1", ""},
		{config.StaticOff, certUSEast1, "eu-west-1", "API Gateway's regional custom domain www.example.com needs its certificate in the API's region eu-west-1; this one is in us-east-1"},
		{config.StaticOff, certEUWest1, "eu-west-1", ""},
		{config.StaticOff, certUSEast1, "", ""}, // offline render: the region is not known
		{config.StaticOff, "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "eu-west-1", "the certificate is in partition aws-us-gov, the stack in aws"},
	} {
		k := cfg("prod", "route")
		k.Static.Mode = c.mode
		k.Domain = &config.Domain{Name: "www.example.com", CertificateARN: c.cert, CertificatePos: pos}
		p := project(shopRoutes...)
		p.InstalledApps = []string{"django.contrib.staticfiles"}
		account := "123456789012"
		if c.region == "" {
			account = ""
		}
		_, diags, err := New(p, k, Options{Account: account, Region: c.region})
		got := ""
		if err != nil {
			got = diags.Err().Error()
		}
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("mode %q cert %s region %q: %q, want %q", c.mode, c.cert, c.region, got, c.want)
		}
	}
}

// TestStaticInChina: no CloudFront set-up in the China partition.
func TestStaticInChina(t *testing.T) {
	p := project(shopRoutes...)
	p.InstalledApps = []string{"django.contrib.staticfiles"}
	_, diags, err := New(p, cfg("dev", "route"), Options{Account: "123456789012", Region: "cn-north-1"})
	if err == nil || !strings.Contains(diags.Err().Error(), "django-serverless does not set up CloudFront in the China regions (cn-north-1)") {
		t.Errorf("cloudfront in cn-north-1: %v", err)
	}
	k := cfg("dev", "route")
	k.Static.Mode = config.StaticOff
	if _, _, err := New(p, k, Options{Account: "123456789012", Region: "cn-north-1"}); err != nil {
		t.Errorf("static off in cn-north-1: %v", err)
	}
}

// TestStaticEnvReserved: the configuration cannot set what the runtime
// reads for static files and the front door.
func TestStaticEnvReserved(t *testing.T) {
	k := cfg("dev", "route")
	k.Env = map[string]string{EnvHost: "evil.example.net", EnvStaticURL: "https://evil.example.net/"}
	pl, diags := mustNew(t, project(shopRoutes...), k)
	env := pl.FunctionEnv(DefaultFunction)
	if env[EnvHost] != "" || env[EnvStaticURL] != "" || len(diags) < 2 {
		t.Errorf("configured env reached the functions: %v %v", env, diags)
	}
}
