package config

import (
	"strings"
	"testing"
)

const testCert = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func resolve(t *testing.T, src, env string) *Config {
	t.Helper()
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	c, err := f.Resolve(env)
	if err != nil {
		t.Fatalf("resolve %s: %v", env, err)
	}
	return c
}

// TestStaticConfig: static.mode and static.bucket, their default (auto:
// the plan decides) and per-environment overrides.
func TestStaticConfig(t *testing.T) {
	src := "static:\n  mode: cloudfront\n  bucket: my-static\nenvironments:\n  preview:\n    static: {mode: \"off\"}\n  prod:\n    static: {mode: whitenoise}\n"
	for env, want := range map[string]Static{
		"dev":  {Mode: StaticCloudFront, Bucket: "my-static"},
		"pr-3": {Mode: StaticOff, Bucket: "my-static"},
		"prod": {Mode: StaticWhiteNoise, Bucket: "my-static"},
	} {
		if got := resolve(t, src, env).Static; got != want {
			t.Errorf("%s: %+v, want %+v", env, got, want)
		}
	}
	if got := resolve(t, "", "dev").Static; got != (Static{}) {
		t.Errorf("default %+v, want auto (zero)", got)
	}
	// An unquoted off is YAML 1.1's false to some parsers: either way, off.
	if got := resolve(t, "static: {mode: off}\n", "dev").Static.Mode; got != StaticOff {
		t.Errorf("mode: off -> %q", got)
	}
	f, err := Parse("c.yml", []byte("static: {mode: \"off\", bucket: my-static}\n"))
	if err != nil || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0].String(), "static.bucket is used only when static.mode is cloudfront") {
		t.Errorf("bucket without cloudfront: %v %v", err, f.Warnings)
	}
}

// TestDomainConfig: the name's placeholders per environment, lower case;
// the certificate's region and partition read from its ARN.
func TestDomainConfig(t *testing.T) {
	src := "domain:\n  name: Shop-{env}.Example.com\n  certificate_arn: " + testCert + "\n  hosted_zone_id: Z0123456789ABCDEFGHIJ\n" +
		"environments:\n  staging:\n    domain: {name: \"{env}.example.com\"}\n  preview:\n    domain: {name: \"pr-{number}.preview.example.com\"}\n  nodomain:\n    domain: ~\n"
	for env, want := range map[string]string{
		"dev": "shop-dev.example.com", "staging": "staging.example.com", "pr-42": "pr-42.preview.example.com",
	} {
		c := resolve(t, src, env)
		if c.Domain == nil || c.Domain.Name != want || c.Domain.CertificateARN != testCert || c.Domain.HostedZoneID != "Z0123456789ABCDEFGHIJ" {
			t.Errorf("%s: %+v, want name %s", env, c.Domain, want)
		}
	}
	if c := resolve(t, src, "nodomain"); c.Domain != nil {
		t.Errorf("domain: ~ keeps %+v", c.Domain)
	}
	if c := resolve(t, src, "dev"); c.Domain.CertificatePos.Line != 3 || c.Domain.NamePos.Line != 2 {
		t.Errorf("positions %+v %+v", c.Domain.NamePos, c.Domain.CertificatePos)
	}
	if r, p := CertificateRegion("arn:aws-cn:acm:cn-north-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"); r != "cn-north-1" || p != "aws-cn" {
		t.Errorf("CertificateRegion: %s %s", r, p)
	}
	if r, _ := CertificateRegion("arn:aws:iam::123456789012:server-certificate/x"); r != "" {
		t.Errorf("an IAM certificate read as ACM in %s", r)
	}
}

// TestStaticDomainErrors: every bad value is reported at its line and
// column, whichever environment it is in.
func TestStaticDomainErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"mode", "static: {mode: s3}\n", `c.yml:1:16: error: static.mode: "s3" is not one of cloudfront, whitenoise, off`},
		{"bucket", "static:\n  bucket: My_Bucket\n", `c.yml:2:11: error: static.bucket: "My_Bucket" is not an S3 bucket name`},
		{"unknown static key", "static: {path: /assets/}\n", `c.yml:1:10: error: static: unknown key "path"`},
		{"domain not a mapping", "domain: www.example.com\n", `c.yml:1:9: error: domain: expected a mapping, got a string (www.example.com)`},
		{"no name", "domain: {certificate_arn: " + testCert + "}\n", "domain needs name"},
		{"no certificate", "domain: {name: www.example.com}\n", "domain needs certificate_arn"},
		{"bad certificate", "domain:\n  name: www.example.com\n  certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/nope\n",
			`c.yml:3:20: error: domain.certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/nope" is not an ACM certificate ARN`},
		{"iam certificate", "domain:\n  name: www.example.com\n  certificate_arn: arn:aws:iam::123456789012:server-certificate/www\n", "is not an ACM certificate ARN"},
		{"zone path", "domain:\n  name: www.example.com\n  certificate_arn: " + testCert + "\n  hosted_zone_id: /hostedzone/Z123ABC\n",
			`c.yml:4:19: error: domain.hosted_zone_id: "/hostedzone/Z123ABC": give the hosted zone ID alone (Z123ABC)`},
		{"zone lower case", "domain:\n  name: www.example.com\n  certificate_arn: " + testCert + "\n  hosted_zone_id: z123abc\n", "is not a Route 53 hosted zone ID"},
		{"wildcard", "domain: {name: \"*.example.com\", certificate_arn: " + testCert + "}\n", "a wildcard is not a host name"},
		{"one label", "domain: {name: localhost, certificate_arn: " + testCert + "}\n", "not a fully qualified host name"},
		{"underscore", "domain: {name: my_site.example.com, certificate_arn: " + testCert + "}\n", `label "my_site"`},
		{"trailing dot", "domain: {name: www.example.com., certificate_arn: " + testCert + "}\n", "no trailing dot"},
		{"long label", "domain: {name: " + strings.Repeat("a", 64) + ".example.com, certificate_arn: " + testCert + "}\n", "is not 1-63 letters"},
		{"unknown placeholder", "domain: {name: \"{branch}.example.com\", certificate_arn: " + testCert + "}\n", "unknown placeholder {branch} (known: {env}, {number})"},
		{"number outside a preview", "domain: {name: \"pr-{number}.example.com\", certificate_arn: " + testCert + "}\nenvironments:\n  dev: {}\n",
			"{number} is a pull request's number: environment dev is not a preview (pr-<N>); set this name under environments.preview"},
	} {
		_, err := Parse("c.yml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		}
	}
	// {number} in the base is fine when only previews are configured.
	f, err := Parse("c.yml", []byte("domain: {name: \"pr-{number}.example.com\", certificate_arn: "+testCert+"}\n"))
	if err != nil {
		t.Fatalf("base {number} without other environments: %v", err)
	}
	// ... but deploying another environment with it stops.
	if _, err := f.Resolve("dev"); err == nil || !strings.Contains(err.Error(), "c.yml:1:16: error: domain.name:") {
		t.Errorf("dev with pr-{number}: %v", err)
	}
	if c, err := f.Resolve("pr-5"); err != nil || c.Domain.Name != "pr-5.example.com" {
		t.Errorf("pr-5: %v %+v", err, c)
	}
}

// TestDomainSharedRefused: a domain name two environments would resolve to
// (the second deploy would fail: API Gateway, CloudFront and Route 53 each
// hold a name once) stops the load at the line of the name, naming exactly
// the environments that share it: the listed ones, dev when it is not
// listed (the default environment) and the previews unless their override
// removes the domain; names that differ per environment, or a top-level
// name one environment alone takes, load.
func TestDomainSharedRefused(t *testing.T) {
	cert := ", certificate_arn: " + testCert + "}\n"
	top := "domain: {name: www.example.com" + cert + "environments:\n"
	for _, c := range []struct{ name, src, want string }{
		{"top level, no placeholder", "domain: {name: www.example.com" + cert,
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (dev, every pr-<N>): two stacks cannot both create it`},
		{"top level, previews elsewhere", "domain: {name: www.example.com" + cert + "environments:\n  preview:\n    domain: {name: \"pr-{number}.example.com\"}\n  prod: {}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (dev, prod): two stacks cannot both create it`},
		{"top level, prod alone listed", top + "  prod: {}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (dev, prod, every pr-<N>): two stacks cannot both create it`},
		{"top level, prod listed, previews without a domain", top + "  preview: {domain: ~}\n  prod: {}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (dev, prod): two stacks cannot both create it`},
		{"top level, dev without a domain, previews inheriting", top + "  dev: {domain: ~}\n  prod: {}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (prod, every pr-<N>): two stacks cannot both create it`},
		{"top level, previews changing the certificate only", top + "  dev: {domain: ~}\n  preview:\n    domain: {certificate_arn: " + testCert + "}\n  prod: {}\n",
			`takes it from the top level (prod, every pr-<N>): two stacks`},
		{"top level, two listed", top + "  dev: {domain: ~}\n  preview: {domain: ~}\n  prod: {}\n  staging: {}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every environment that takes it from the top level (prod, staging): two stacks cannot both create it`},
		{"top level, a listed environment writing it again", top + "  dev: {domain: ~}\n  preview: {domain: ~}\n  prod: {}\n  staging:\n    domain: {name: www.example.com}\n",
			`c.yml:7:20: error: domain.name: "www.example.com" of environment staging is also what environment prod resolves to (c.yml:1:16): two stacks cannot both create it`},
		{"top level, previews alone", top + "  dev: {domain: ~}\n",
			`c.yml:1:16: error: domain.name: "www.example.com" is the same for every preview (pr-1, pr-2, ...): two stacks cannot both create it`},
		{"preview without number", "environments:\n  preview:\n    domain: {name: preview.example.com" + cert,
			`c.yml:3:20: error: domain.name: "preview.example.com" is the same for every preview (pr-1, pr-2, ...): two stacks cannot both create it (API Gateway custom domain, CloudFront alias, Route 53 record: the second deploy fails with "already exists"); put {number} in the name ("pr-{number}.example.com")`},
		{"two environments, one name", "environments:\n  dev:\n    domain: {name: www.example.com" + cert + "  prod:\n    domain: {name: WWW.example.com" + cert,
			`c.yml:5:20: error: domain.name: "www.example.com" of environment prod is also what environment dev resolves to (c.yml:3:20)`},
		{"a listed pr-N and previews", "environments:\n  preview:\n    domain: {name: \"pr-{number}.example.com\"" + cert + "  pr-9:\n    domain: {name: pr-3.example.com}\n",
			`c.yml:5:20: error: domain.name: "pr-3.example.com" of environment pr-9 is also what preview pr-3 resolves to (c.yml:3:20)`},
		{"a listed environment and the top level's {env}", "domain: {name: \"{env}.example.com\"" + cert + "environments:\n  prod:\n    domain: {name: dev.example.com}\n",
			`c.yml:4:20: error: domain.name: "dev.example.com" of environment prod is also what dev resolves to (c.yml:1:16, not listed under environments)`},
		{"dev's name and a preview's", "domain: {name: pr-1.example.com" + cert + "environments:\n  preview:\n    domain: {name: \"pr-{number}.example.com\"}\n",
			`c.yml:4:20: error: domain.name: "pr-1.example.com" of preview pr-1 is also what dev resolves to (c.yml:1:16, not listed under environments)`},
	} {
		_, err := Parse("c.yml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %q", c.name, err, c.want)
		}
	}
	for _, src := range []string{
		"domain: {name: \"{env}.example.com\"" + cert,
		"domain: {name: \"{env}.example.com\"" + cert + "environments:\n  prod:\n    domain: {name: www.example.com}\n  preview:\n    domain: {name: \"pr-{number}.preview.example.com\"}\n",
		"environments:\n  prod:\n    domain: {name: www.example.com" + cert + "  dev:\n    domain: {name: dev.example.com" + cert + "  preview:\n    domain: {name: \"{env}.preview.example.com\"" + cert,
		// A listed environment whose name the top level's template would
		// give itself is not shared.
		"domain: {name: \"{env}.example.com\"" + cert + "environments:\n  prod:\n    domain: {name: prod.example.com}\n",
		// One production: dev and the previews have no domain.
		top + "  dev: {domain: ~}\n  preview: {domain: ~}\n  prod: {}\n",
		// ... or names of their own.
		top + "  dev:\n    domain: {name: dev.example.com}\n  preview:\n    domain: {name: \"pr-{number}.example.com\"}\n  prod: {}\n",
		// An environment the file does not list (--env staging) is not
		// held against the one that takes the top-level name.
		top + "  dev: {domain: ~}\n  preview: {domain: ~}\n  prod: {protected: true}\n",
		// A listed pr-<N> of previews named by {number}.
		"environments:\n  preview:\n    domain: {name: \"pr-{number}.example.com\"" + cert + "  pr-9: {}\n",
	} {
		if _, err := Parse("c.yml", []byte(src)); err != nil {
			t.Errorf("%q refused:\n%v", src, err)
		}
	}
}
