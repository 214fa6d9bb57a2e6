package plan

import (
	"fmt"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// StaticPath is the URL path static files are served under, on the
// distribution's domain or the environment's own: CloudFront's cache
// behaviour /static/* and the path part of STATIC_URL. collectstatic runs
// with it too, so absolute url(/static/...) references in CSS are
// rewritten to the hashed names.
const StaticPath = "/static/"

// StaticRoot is where the staticfiles manifest (staticfiles.json) is on
// Lambda: in the function code zip, unpacked under /var/task.
const StaticRoot = "/var/task/django_serverless_static"

// LocalStaticURL is STATIC_URL for a local run (invoke, serve) when the
// deployed one is the distribution's own domain, which only exists once
// deployed.
const LocalStaticURL = StaticPath

// Static is how an environment serves its static files.
type Static struct {
	// Mode is config.StaticCloudFront, StaticWhiteNoise or StaticOff,
	// never "" (the plan resolves auto).
	Mode string
	// Bucket is the configured bucket; "" for the managed static bucket,
	// known at deploy time.
	Bucket string
	// Prefix is the S3 key prefix of the environment's files,
	// "<project>/<env>": an object is <Prefix>/static/<name>, and the
	// distribution's origin path is "/"+Prefix. Every environment has its
	// own (previews included), so destroy removes exactly its own.
	Prefix string
	// URL is STATIC_URL for the functions when it is known before the
	// stack exists ("https://<domain>/static/"), else "": the
	// distribution's own domain, passed to the functions from the static
	// stack's output.
	URL string
}

// Domain is the environment's own host name.
type Domain struct {
	Name           string
	CertificateARN string
	HostedZoneID   string
	// Front is what answers at Name: FrontCloudFront (the distribution
	// serves the API and /static/*) or FrontAPIGateway (an API Gateway
	// regional custom domain).
	Front string
}

// Fronts of a domain.
const (
	FrontCloudFront = "cloudfront"
	FrontAPIGateway = "apigateway"
)

// CloudFront reports whether the environment has a CloudFront
// distribution (static files in cloudfront mode).
func (p *Plan) CloudFront() bool { return p.Static.Mode == config.StaticCloudFront }

// StaticURLFromStack reports whether STATIC_URL is the distribution's own
// domain, known only once the static stack exists (cloudfront mode
// without a domain).
func (p *Plan) StaticURLFromStack() bool { return p.CloudFront() && p.Static.URL == "" }

// SiteURL is the environment's front door when it is known before the
// stack exists ("https://<domain>/"), else "".
func (p *Plan) SiteURL() string {
	if p.Domain == nil {
		return ""
	}
	return "https://" + p.Domain.Name + "/"
}

// DropStatic turns static files off after planning (a collection that
// found nothing to serve in auto mode): no distribution, no static
// settings for the functions or the manage function.
func (p *Plan) DropStatic() {
	p.Static = Static{Mode: config.StaticOff}
	if p.Manage != nil {
		delete(p.Manage.Env, EnvStaticURL)
		delete(p.Manage.Env, EnvStaticRoot)
	}
}

// installs reports whether INSTALLED_APPS names app (as a module or by
// one of its AppConfig classes).
func installs(p *django.Project, app string) bool {
	for _, e := range p.InstalledApps {
		if e == app || strings.HasPrefix(e, app+".apps.") {
			return true
		}
	}
	return false
}

// staticAndDomain resolves static: and domain: for the plan.
func staticAndDomain(pl *Plan, p *django.Project, c *config.Config, diags *diag.List) {
	mode := c.Static.Mode
	if mode == "" {
		mode = config.StaticOff
		if installs(p, "django.contrib.staticfiles") {
			mode = config.StaticCloudFront
		}
	}
	pl.Static = Static{Mode: mode, Bucket: c.Static.Bucket}
	if mode == config.StaticCloudFront {
		pl.Static.Prefix = pl.Project + "/" + pl.Environment
		if pl.Target.Partition == "aws-cn" {
			diags.Errf(c.Path, 0, 0, "static.mode cloudfront: django-serverless does not set up CloudFront in the China regions (%s); set static.mode: off or whitenoise", pl.Target.Region)
		}
	}
	if c.Domain == nil {
		return
	}
	d := &Domain{Name: c.Domain.Name, CertificateARN: c.Domain.CertificateARN, HostedZoneID: c.Domain.HostedZoneID, Front: FrontAPIGateway}
	if mode == config.StaticCloudFront {
		d.Front = FrontCloudFront
		pl.Static.URL = "https://" + d.Name + StaticPath
	}
	pl.Domain = d
	// The front door is the domain: the functions see its paths, without
	// the REST stage.
	pl.ScriptName = ""
	region, partition := config.CertificateRegion(d.CertificateARN)
	at := c.Domain.CertificatePos
	switch {
	case region == "":
	case d.Front == FrontCloudFront && region != "us-east-1":
		diags.Errf(at.File, at.Line, at.Col, "domain.certificate_arn: CloudFront serves %s and takes certificates from us-east-1 only; this one is in %s: request or import a certificate for %s in us-east-1", d.Name, region, d.Name)
	case partition != pl.Target.Partition && !pl.Target.Placeholder:
		diags.Errf(at.File, at.Line, at.Col, "domain.certificate_arn: the certificate is in partition %s, the stack in %s", partition, pl.Target.Partition)
	case d.Front == FrontAPIGateway && region != pl.Target.Region && !pl.Target.Placeholder:
		diags.Errf(at.File, at.Line, at.Col, "domain.certificate_arn: API Gateway's regional custom domain %s needs its certificate in the API's region %s; this one is in %s", d.Name, pl.Target.Region, region)
	}
}

// PreviewWarning is said of a preview environment that gets a
// distribution (once its static files are known to exist).
func PreviewWarning() string {
	return fmt.Sprintf("static: every preview environment creates its own CloudFront distribution and origin access control; an account has room for %d distributions and %d origin access controls by default (adjustable), and deleting a distribution takes CloudFront several minutes; set environments.preview.static.mode: off if previews do not need styled pages", CloudFrontDistributionsPerAccount, CloudFrontOACsPerAccount)
}

// CloudFront's default quotas per account (adjustable).
const (
	CloudFrontDistributionsPerAccount = 500
	CloudFrontOACsPerAccount          = 100
)
