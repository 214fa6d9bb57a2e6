package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Static configures how the project's static files are served.
type Static struct {
	// Mode is StaticCloudFront, StaticWhiteNoise, StaticOff, or "" (auto:
	// CloudFront when the project installs django.contrib.staticfiles,
	// else off; the plan decides, knowing the project).
	Mode string
	// Bucket is an existing S3 bucket for the files; "" uses the managed
	// static bucket (one per account and region).
	Bucket string
}

// Static modes.
const (
	// StaticCloudFront collects the files at build time, uploads them to
	// S3 and serves them through a CloudFront distribution.
	StaticCloudFront = "cloudfront"
	// StaticWhiteNoise leaves static files to the application (WhiteNoise
	// or anything else): nothing is collected, uploaded or configured.
	StaticWhiteNoise = "whitenoise"
	// StaticOff serves no static files.
	StaticOff = "off"
)

var staticModes = []string{StaticCloudFront, StaticWhiteNoise, StaticOff}

// Domain is the host name an environment is served at.
type Domain struct {
	// Name is the host name, lower-case, placeholders ({env}, {number})
	// filled in for the environment.
	Name string
	// CertificateARN is the ACM certificate covering Name: in us-east-1
	// when CloudFront serves the domain, else in the API's region.
	CertificateARN string
	// HostedZoneID is the Route 53 hosted zone to write the alias records
	// in; "" writes none (point the name at the output yourself).
	HostedZoneID string
	// NamePos and CertificatePos are where name and certificate_arn are
	// set, for diagnostics about them.
	NamePos, CertificatePos Position
}

var (
	bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// ACM certificate ARNs: arn:<partition>:acm:<region>:<account>:certificate/<uuid>.
	certificateARNRe = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(-[a-z]+)+-[0-9]+):([0-9]{12}):certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// Route 53 hosted zone IDs: upper-case letters and digits (Z...).
	hostedZoneIDRe = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)
	hostLabelRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	placeholderRe  = regexp.MustCompile(`\{[^{}]*\}`)
)

// CertificateRegion returns the region and partition of an ACM
// certificate ARN ("" when arn is not one).
func CertificateRegion(arn string) (region, partition string) {
	m := certificateARNRe.FindStringSubmatch(arn)
	if m == nil {
		return "", ""
	}
	return m[2], m[1]
}

func (d *decoder) static(n *node, s *Static) {
	d.fields(n,
		field{"mode", func(n *node) {
			if n.kind == kindBool && !n.boolean { // an unquoted off reads as false
				s.Mode = StaticOff
				return
			}
			if v, ok := d.oneOf(n, staticModes); ok {
				s.Mode = v
			}
		}},
		field{"bucket", func(n *node) {
			v, ok := d.str(n)
			if !ok {
				return
			}
			if !bucketNameRe.MatchString(v) || strings.Contains(v, "..") {
				d.errf(n, "%q is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')", v)
				return
			}
			s.Bucket = v
			d.set["static.bucket"] = n
		}},
	)
}

// domain decodes domain: for the environment c is being resolved for
// (c.Environment is "" while the file's base settings are checked alone).
func (d *decoder) domain(n *node, c *Config) {
	if n.kind != kindMap {
		d.typeErr(n, kindMap)
		return
	}
	dom := &Domain{}
	var nameNode *node
	d.fields(n,
		field{"name", func(n *node) {
			v, ok := d.str(n)
			if !ok {
				return
			}
			nameNode = n
			dom.NamePos = Position{File: d.file, Line: n.line, Col: n.col}
			name, err := expandDomain(v, c)
			if err != nil {
				d.errf(n, "%v", err)
				return
			}
			if err := checkHostName(name); err != nil {
				d.errf(n, "%q: %v", v, err)
				return
			}
			dom.Name = name
		}},
		field{"certificate_arn", func(n *node) {
			v, ok := d.str(n)
			if !ok {
				return
			}
			dom.CertificatePos = Position{File: d.file, Line: n.line, Col: n.col}
			if !certificateARNRe.MatchString(v) {
				d.errf(n, "%q is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID); CloudFront takes certificates from us-east-1 only", v)
				return
			}
			dom.CertificateARN = v
		}},
		field{"hosted_zone_id", func(n *node) {
			v, ok := d.str(n)
			if !ok {
				return
			}
			if strings.HasPrefix(v, "/hostedzone/") {
				d.errf(n, "%q: give the hosted zone ID alone (%s)", v, strings.TrimPrefix(v, "/hostedzone/"))
				return
			}
			if !hostedZoneIDRe.MatchString(v) {
				d.errf(n, "%q is not a Route 53 hosted zone ID (upper-case letters and digits, such as Z0123456789ABCDEFGHIJ)", v)
				return
			}
			dom.HostedZoneID = v
		}},
	)
	if nameNode == nil && !hasKey(n, "name") {
		d.errf(n, "domain needs name (the host name, such as www.example.com or pr-{number}.preview.example.com)")
	}
	if dom.CertificateARN == "" && !hasKey(n, "certificate_arn") {
		d.errf(n, "domain needs certificate_arn: an ACM certificate for the name (in us-east-1 when CloudFront serves it)")
	}
	c.Domain = dom
}

func hasKey(n *node, key string) bool {
	for _, e := range n.entries {
		if e.key == key {
			return true
		}
	}
	return false
}

// expandDomain fills the placeholders of a domain name for the
// environment of c: {env} is the environment's name and {number} a pull
// request's number (pr-<N> environments only). While the file's base
// settings are checked alone (no environment), sample values stand in.
func expandDomain(v string, c *Config) (string, error) {
	var bad []string
	out := placeholderRe.ReplaceAllStringFunc(v, func(p string) string {
		switch p {
		case "{env}":
			if c.Environment == "" {
				return "dev"
			}
			return c.Environment
		case "{number}":
			if c.Environment == "" {
				return "1"
			}
			if !c.Preview {
				bad = append(bad, fmt.Sprintf("%s is a pull request's number: environment %s is not a preview (pr-<N>); set this name under environments.preview", p, c.Environment))
				return p
			}
			return strconv.Itoa(c.PR)
		}
		bad = append(bad, fmt.Sprintf("unknown placeholder %s (known: {env}, {number})", p))
		return p
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return strings.ToLower(out), nil
}

// checkHostName accepts a DNS host name CloudFront and API Gateway take
// as an alias or custom domain: two labels or more of letters, digits and
// '-', each at most 63 characters, 253 in all, no wildcard.
func checkHostName(name string) error {
	switch {
	case strings.Contains(name, "*"):
		return fmt.Errorf("a wildcard is not a host name an environment can be served at (the certificate may be a wildcard one)")
	case strings.HasSuffix(name, "."):
		return fmt.Errorf("no trailing dot")
	case len(name) > 253:
		return fmt.Errorf("longer than 253 characters")
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return fmt.Errorf("not a fully qualified host name (such as www.example.com)")
	}
	for _, l := range labels {
		if !hostLabelRe.MatchString(l) {
			return fmt.Errorf("label %q is not 1-63 letters, digits or '-' (not at either end)", l)
		}
	}
	return nil
}
