package config

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // timezones must resolve in a static binary without /usr/share/zoneinfo

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// Allowed values, in the order messages list them.
var (
	pythonVersions  = []string{"3.10", "3.11", "3.12", "3.13", "3.14"}
	architectures   = []string{"arm64", "x86_64"}
	granularities   = []string{"route", "app", "project"}
	apiTypes        = []string{"rest", "http"}
	graphqlEnabled  = []string{"auto", "true", "false"}
	graphqlAuths    = []string{"API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA"}
	statementEffect = []string{"Allow", "Deny"}
	// retentionDays are the values CloudWatch Logs accepts.
	retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

var (
	projectRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)
	settingsRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	envVarRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// The ID and ARN shapes cfn-lint checks (its formats AWS::EC2::Subnet.Id
	// and AWS::EC2::SecurityGroup.Id, and the ARN formats of the IAM
	// actions the execution role grants on secrets).
	subnetIDRe          = regexp.MustCompile(`^subnet-([0-9A-Fa-f]{8}|[0-9A-Fa-f]{17})$`)
	securityGroupIDRe   = regexp.MustCompile(`^sg-([0-9A-Fa-f]{8}|[0-9A-Fa-f]{17})$`)
	secretsManagerARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@*?-]+$`)
	ssmParameterARNRe   = regexp.MustCompile(`^arn:aws[a-z-]*:ssm:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:parameter/[A-Za-z0-9/_.*?-]+$`)
)

// reservedEnvVars are set by Lambda or by django-serverless itself; a
// function may not override them.
var reservedEnvVars = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "DJANGO_SETTINGS_MODULE",
}

// API Gateway ends a request after this many seconds whatever the function does.
const (
	restTimeoutLimit = 29
	httpTimeoutLimit = 30
)

// decoder turns a (merged) node tree into a Config, reporting every problem
// at the node that holds it.
type decoder struct {
	file  string
	diags diag.List
	// set records the node that supplied a value, by logical key, for
	// checks that look at several values together.
	set map[string]*node
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, set: map[string]*node{}}
}

func (d *decoder) errf(n *node, format string, args ...any) {
	d.diags.Errf(d.file, n.line, n.col, "%s: %s", displayPath(n.path), fmt.Sprintf(format, args...))
}

func (d *decoder) warnf(n *node, format string, args ...any) {
	d.diags.Warnf(d.file, n.line, n.col, "%s: %s", displayPath(n.path), fmt.Sprintf(format, args...))
}

type field struct {
	name string
	fn   func(*node)
}

// fields decodes a mapping: each known key's handler runs on its value
// (null values mean "not set" and keep the default), unknown keys are
// reported at the key.
func (d *decoder) fields(n *node, fs ...field) {
	if n == nil || n.kind == kindNull {
		return
	}
	if n.kind != kindMap {
		d.typeErr(n, kindMap)
		return
	}
	for _, e := range n.entries {
		var fn func(*node)
		for _, f := range fs {
			if f.name == e.key {
				fn = f.fn
				break
			}
		}
		if fn == nil {
			names := make([]string, len(fs))
			for i, f := range fs {
				names[i] = f.name
			}
			d.diags.Errf(d.file, e.line, e.col, "%s: %s", displayPath(e.parent), unknownKeyMessage(e.parent, e.key, names))
			continue
		}
		if e.val.kind == kindNull {
			continue
		}
		fn(e.val)
	}
}

func unknownKeyMessage(path, key string, names []string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if key == "protected" && path == "" {
		return msg + " (protected is set per environment: environments.<name>.protected)"
	}
	best, bestDist := "", 3
	for _, name := range names {
		if dist := editDistance(key, name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	if best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return msg + " (expected one of: " + strings.Join(sorted, ", ") + ")"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (d *decoder) typeErr(n *node, want kind) {
	got := n.kind.String()
	if n.kind != kindMap && n.kind != kindSeq && n.kind != kindNull {
		got += fmt.Sprintf(" (%s)", clip(n.text))
	}
	d.errf(n, "expected %s, got %s", want, got)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func (d *decoder) str(n *node) (string, bool) {
	if n.kind != kindString {
		d.typeErr(n, kindString)
		return "", false
	}
	return n.text, true
}

func (d *decoder) integer(n *node) (int, bool) {
	if n.kind != kindInt {
		d.typeErr(n, kindInt)
		return 0, false
	}
	if n.integer > 1<<31 || n.integer < -(1<<31) {
		d.errf(n, "%s is out of range", n.text)
		return 0, false
	}
	return int(n.integer), true
}

func (d *decoder) boolean(n *node) (bool, bool) {
	if n.kind != kindBool {
		d.typeErr(n, kindBool)
		return false, false
	}
	return n.boolean, true
}

// localPath reads a path relative to the Django root that stays inside
// it: no absolute path, no ".." leading out (symlinks are checked where the
// path is read).
func (d *decoder) localPath(n *node) (string, bool) {
	s, ok := d.str(n)
	if !ok {
		return "", false
	}
	if !localPath(s) {
		d.errf(n, "%q leaves the project: paths are relative to the Django root (the folder holding manage.py) and stay inside it", s)
		return "", false
	}
	return s, true
}

// localPaths is localPath for a list.
func (d *decoder) localPaths(n *node) ([]string, bool) {
	l, ok := d.strList(n, false)
	if !ok {
		return nil, false
	}
	for i, s := range l {
		if !localPath(s) {
			d.errf(n.items[i], "%q leaves the project: paths are relative to the Django root (the folder holding manage.py) and stay inside it", s)
			ok = false
		}
	}
	return l, ok
}

func localPath(s string) bool {
	s = strings.ReplaceAll(s, "\\", "/")
	if strings.HasPrefix(s, "/") || (len(s) > 1 && s[1] == ':') {
		return false
	}
	clean := path.Clean(s)
	return clean != ".." && !strings.HasPrefix(clean, "../")
}

// strList reads a list of strings; single reports whether a lone string
// is accepted in place of a one-item list.
func (d *decoder) strList(n *node, single bool) ([]string, bool) {
	if single && n.kind == kindString {
		return []string{n.text}, true
	}
	if n.kind != kindSeq {
		d.typeErr(n, kindSeq)
		return nil, false
	}
	out := make([]string, 0, len(n.items))
	ok := true
	for _, item := range n.items {
		s, good := d.str(item)
		if !good {
			ok = false
			continue
		}
		if s == "" {
			d.errf(item, "empty string")
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

// idList reads a list of IDs that must match re (what is described by
// what).
func (d *decoder) idList(n *node, re *regexp.Regexp, what string) []string {
	l, ok := d.strList(n, false)
	if !ok {
		return nil
	}
	for i, id := range l {
		if !re.MatchString(id) {
			d.errf(n.items[i], "%q is not %s", id, what)
		}
	}
	return l
}

func (d *decoder) oneOf(n *node, allowed []string) (string, bool) {
	s, ok := d.str(n)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	d.errf(n, "%q is not one of %s", s, strings.Join(allowed, ", "))
	return "", false
}

func (d *decoder) intRange(n *node, lo, hi int, unit string) (int, bool) {
	v, ok := d.integer(n)
	if !ok {
		return 0, false
	}
	if v < lo || v > hi {
		d.errf(n, "%d is outside %d..%d%s", v, lo, hi, unit)
		return 0, false
	}
	return v, true
}

// config decodes the settings keys of a layer (everything but
// "environments" and "protected") into c.
func (d *decoder) config(root *node, c *Config) {
	d.fields(root,
		field{"project", func(n *node) {
			if s, ok := d.str(n); ok {
				if !projectRe.MatchString(s) {
					d.errf(n, "%q is not a valid project name (a letter, then letters, digits or '-', at most 64)", s)
					return
				}
				c.Project = s
			}
		}},
		field{"settings", func(n *node) {
			if s, ok := d.str(n); ok {
				if !settingsRe.MatchString(s) {
					d.errf(n, "%q is not a dotted Python module path (e.g. shop.settings.prod)", s)
					return
				}
				c.Settings = s
				c.SettingsPos = Position{File: d.file, Line: n.line, Col: n.col}
			}
		}},
		field{"python", func(n *node) {
			// An unquoted 3.12 is a YAML number; its source text is what was meant.
			if n.kind == kindFloat || n.kind == kindInt {
				n = &node{kind: kindString, text: n.text, line: n.line, col: n.col, path: n.path}
			}
			if s, ok := d.oneOf(n, pythonVersions); ok {
				c.Python = s
			}
		}},
		field{"architecture", func(n *node) {
			if s, ok := d.oneOf(n, architectures); ok {
				c.Architecture = s
			}
		}},
		field{"requirements", func(n *node) {
			if s, ok := d.localPath(n); ok {
				c.Requirements = s
			}
		}},
		field{"vendor", func(n *node) {
			if l, ok := d.localPaths(n); ok {
				c.Vendor = l
			}
		}},
		field{"exclude", func(n *node) {
			if l, ok := d.strList(n, false); ok {
				c.Exclude = l
			}
		}},
		field{"include", func(n *node) {
			if l, ok := d.strList(n, false); ok {
				c.Include = l
			}
		}},
		field{"functions", func(n *node) { d.functions(n, &c.Functions) }},
		field{"api", func(n *node) { d.api(n, &c.API) }},
		field{"graphql", func(n *node) { d.graphql(n, &c.GraphQL) }},
		field{"warm", func(n *node) { d.warm(n, &c.Warm) }},
		field{"iam", func(n *node) { d.iam(n, &c.IAM) }},
		field{"vpc", func(n *node) {
			v := &VPC{}
			d.fields(n,
				field{"subnet_ids", func(n *node) { v.SubnetIDs = d.idList(n, subnetIDRe, "a subnet ID (subnet- and 8 or 17 hex digits)") }},
				field{"security_group_ids", func(n *node) {
					v.SecurityGroupIDs = d.idList(n, securityGroupIDRe, "a security group ID (sg- and 8 or 17 hex digits)")
				}},
			)
			if n.kind == kindMap {
				// Lambda's VpcConfig needs both: subnets to place the
				// function's network interfaces, and at least one
				// security group for them.
				if len(v.SubnetIDs) == 0 {
					d.errf(n, "subnet_ids is required")
				}
				if len(v.SecurityGroupIDs) == 0 {
					d.errf(n, "security_group_ids is required: Lambda needs at least one security group for the subnets' network interfaces")
				}
			}
			c.VPC = v
		}},
		field{"secrets", func(n *node) {
			l, ok := d.strList(n, false)
			if !ok {
				return
			}
			for i, a := range l {
				if !secretsManagerARNRe.MatchString(a) && !ssmParameterARNRe.MatchString(a) {
					d.errf(n.items[i], "%q is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)", a)
					ok = false
				}
			}
			if ok {
				c.Secrets = l
			}
		}},
		field{"env", func(n *node) { d.env(n, c) }},
		field{"migrations", func(n *node) { d.migrations(n, c) }},
		field{"database", func(n *node) { d.database(n, c) }},
		field{"manage", func(n *node) { d.manage(n, &c.Manage) }},
		field{"log_retention_days", func(n *node) {
			v, ok := d.integer(n)
			if !ok {
				return
			}
			for _, r := range retentionDays {
				if v == r {
					c.LogRetentionDays = v
					return
				}
			}
			d.errf(n, "%d is not a retention CloudWatch Logs accepts (%s)", v, joinInts(retentionDays))
		}},
	)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func (d *decoder) env(n *node, c *Config) {
	if n.kind != kindMap {
		d.typeErr(n, kindMap)
		return
	}
	out := map[string]string{}
	for _, e := range n.entries {
		keyNode := &node{line: e.line, col: e.col, path: n.path}
		switch {
		case !envVarRe.MatchString(e.key):
			d.errf(keyNode, "%q is not a valid environment variable name", e.key)
			continue
		case e.key == "DJANGO_SETTINGS_MODULE":
			hint := "settings: MODULE"
			if e.val.kind == kindString && settingsRe.MatchString(e.val.text) {
				hint = "settings: " + e.val.text
			}
			d.errf(keyNode, "DJANGO_SETTINGS_MODULE is set by django-serverless from the settings: key (top level or per environment), which discovery and schema generation read too; write %s instead", hint)
			continue
		case isReservedEnvVar(e.key):
			d.errf(keyNode, "%s is set by Lambda or django-serverless and cannot be overridden", e.key)
			continue
		}
		switch e.val.kind {
		case kindString, kindInt, kindFloat, kindBool:
			out[e.key] = scalarText(e.val)
		case kindNull: // "KEY: ~" in an override removes a variable the base sets
		default:
			d.typeErr(e.val, kindString)
		}
	}
	c.Env = out
}

func isReservedEnvVar(k string) bool {
	if strings.HasPrefix(k, "DJANGO_SERVERLESS_") {
		return true
	}
	for _, r := range reservedEnvVars {
		if k == r {
			return true
		}
	}
	return false
}

func (d *decoder) functions(n *node, f *Functions) {
	d.fields(n,
		field{"granularity", func(n *node) {
			if s, ok := d.oneOf(n, granularities); ok {
				f.Granularity = s
			}
		}},
		field{"defaults", func(n *node) { d.settings(n, &f.Defaults, "functions.defaults") }},
		field{"rules", func(n *node) { f.Rules = d.rules(n) }},
	)
}

// settings decodes function knobs (plus any extra fields, for rules); key
// names the logical place for the cross-value checks (timeout against the
// API's limit).
func (d *decoder) settings(n *node, s *FunctionSettings, key string, extra ...field) {
	fs := []field{
		{"memory", func(n *node) {
			if v, ok := d.intRange(n, 128, 10240, " MB"); ok {
				s.Memory = v
			}
		}},
		{"timeout", func(n *node) {
			if v, ok := d.intRange(n, 1, 900, " seconds"); ok {
				s.Timeout = v
				d.set[key+".timeout"] = n
			}
		}},
		{"persist_db", func(n *node) {
			if v, ok := d.boolean(n); ok {
				s.PersistDB = &v
			}
		}},
		{"warm", func(n *node) {
			if v, ok := d.boolean(n); ok {
				s.Warm = &v
			}
		}},
		{"reserved_concurrency", func(n *node) {
			if v, ok := d.intRange(n, 0, 1000000, ""); ok {
				s.ReservedConcurrency = &v
			}
		}},
		{"provisioned_concurrency", func(n *node) {
			if v, ok := d.intRange(n, 1, 1000000, " (Lambda needs at least 1; leave it unset for none)"); ok {
				s.ProvisionedConcurrency = &v
			}
		}},
	}
	d.fields(n, append(extra, fs...)...)
}

func (d *decoder) rules(n *node) []Rule {
	if n.kind != kindSeq {
		d.typeErr(n, kindSeq)
		return nil
	}
	var rules []Rule
	seen := map[Match]int{}
	for i, item := range n.items {
		if item.kind != kindMap {
			d.typeErr(item, kindMap)
			continue
		}
		var r Rule
		var matchNode *node
		d.settings(item, &r.Settings, fmt.Sprintf("functions.rules[%d]", i),
			field{"match", func(m *node) {
				matchNode = m
				d.fields(m,
					field{"name", func(n *node) { r.Match.Name = d.glob(n, false) }},
					field{"view", func(n *node) { r.Match.View = d.glob(n, false) }},
					field{"path", func(n *node) { r.Match.Path = d.glob(n, true) }},
				)
			}},
		)
		for _, e := range item.entries {
			if e.key == "match" {
				r.Pos = Position{File: d.file, Line: e.line, Col: e.col}
			}
		}
		switch {
		case matchNode == nil && item.has("match"):
			d.errf(item.get("match"), "empty match: set name, view or path")
			continue
		case matchNode == nil:
			d.errf(item, "rule has no match: set match.name, match.view or match.path")
			continue
		case r.Match == Match{}:
			// Report an empty match only when nothing in it was already reported.
			if matchNode.kind == kindMap && !hasValue(matchNode) {
				d.errf(matchNode, "empty match: set name, view or path")
			}
			continue
		}
		if first, dup := seen[r.Match]; dup {
			d.errf(matchNode, "duplicate rule: same match as rule %d at line %d", first+1, rules[first].Pos.Line)
			continue
		}
		seen[r.Match] = len(rules)
		rules = append(rules, r)
	}
	return rules
}

// glob reads a match pattern. Path patterns start with "/" (or a wildcard).
func (d *decoder) glob(n *node, isPath bool) string {
	s, ok := d.str(n)
	if !ok {
		return ""
	}
	if s == "" {
		d.errf(n, "empty pattern")
		return ""
	}
	if isPath && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "*") {
		d.errf(n, "path pattern %q must start with / (API paths look like /catalog/{pk}/)", s)
		return ""
	}
	if strings.Contains(s, "***") {
		d.errf(n, "pattern %q: use * within a segment or ** across segments", s)
		return ""
	}
	return s
}

func (d *decoder) api(n *node, a *API) {
	d.fields(n,
		field{"type", func(n *node) {
			if s, ok := d.oneOf(n, apiTypes); ok {
				a.Type = s
				d.set["api.type"] = n
			}
		}},
		field{"binary_media_types", func(n *node) {
			l, ok := d.strList(n, false)
			if !ok {
				return
			}
			for i, m := range l {
				if !strings.Contains(m, "/") {
					d.errf(n.items[i], "%q is not a media type (type/subtype)", m)
					ok = false
				}
			}
			if ok {
				a.BinaryMediaTypes = l
			}
		}},
		field{"quotas", func(n *node) {
			d.fields(n,
				field{"resources", func(n *node) {
					if v, ok := d.intRange(n, 300, 100000, " resources per REST API (API Gateway's default is 300)"); ok {
						a.Quotas.Resources = v
					}
				}},
				field{"routes", func(n *node) {
					if v, ok := d.intRange(n, 300, 100000, " routes per HTTP API (API Gateway's default is 300)"); ok {
						a.Quotas.Routes = v
					}
				}},
			)
		}},
		field{"merge_functions", func(n *node) {
			if v, ok := d.boolean(n); ok {
				a.MergeFunctions = &v
			}
		}},
	)
}

func (d *decoder) graphql(n *node, g *GraphQL) {
	d.fields(n,
		field{"enabled", func(n *node) {
			if n.kind == kindBool {
				g.Enabled = fmt.Sprint(n.boolean)
				return
			}
			if s, ok := d.oneOf(n, graphqlEnabled); ok {
				g.Enabled = s
			}
		}},
		field{"schema_file", func(n *node) {
			if s, ok := d.localPath(n); ok {
				g.SchemaFile = s
			}
		}},
		field{"auth", func(n *node) {
			if s, ok := d.oneOf(n, graphqlAuths); ok {
				g.Auth = s
			}
		}},
	)
}

func (d *decoder) warm(n *node, w *Warm) {
	d.fields(n,
		field{"schedule", func(n *node) {
			if n.kind == kindBool { // "schedule: false" reads as off, true as always
				w.Schedule = map[bool]string{false: "off", true: "always"}[n.boolean]
				return
			}
			s, ok := d.str(n)
			if !ok {
				return
			}
			if err := checkSchedule(s); err != nil {
				d.errf(n, "%v", err)
				return
			}
			w.Schedule = s
		}},
		field{"business_hours", func(n *node) {
			b := &w.BusinessHours
			d.fields(n,
				field{"days", func(n *node) {
					if s, ok := d.str(n); ok {
						if err := checkDays(s); err != nil {
							d.errf(n, "%v", err)
							return
						}
						b.Days = s
					}
				}},
				field{"start", func(n *node) {
					if s, ok := d.str(n); ok {
						if _, err := parseClock(s, false); err != nil {
							d.errf(n, "%v", err)
							return
						}
						b.Start = s
						d.set["warm.business_hours.start"] = n
					}
				}},
				field{"end", func(n *node) {
					if s, ok := d.str(n); ok {
						if _, err := parseClock(s, true); err != nil {
							d.errf(n, "%v", err)
							return
						}
						b.End = s
						d.set["warm.business_hours.end"] = n
					}
				}},
				field{"timezone", func(n *node) {
					if s, ok := d.str(n); ok {
						if err := checkTimezone(s); err != nil {
							d.errf(n, "%v", err)
							return
						}
						b.Timezone = s
					}
				}},
			)
		}},
		field{"every", func(n *node) {
			s, ok := d.str(n)
			if !ok {
				return
			}
			m, err := parseEvery(s)
			if err != nil {
				d.errf(n, "%v", err)
				return
			}
			w.Every = fmt.Sprintf("%dm", m)
		}},
	)
}

func checkTimezone(s string) error {
	if s == "" || s == "Local" {
		return fmt.Errorf("%q is not an IANA timezone name (for example Europe/Lisbon or UTC)", s)
	}
	if _, err := time.LoadLocation(s); err != nil {
		return fmt.Errorf("unknown timezone %q (expected an IANA name such as Europe/Lisbon or UTC)", s)
	}
	return nil
}

func (d *decoder) iam(n *node, iam *IAM) {
	d.fields(n,
		field{"managed_policy_arns", func(n *node) {
			l, ok := d.strList(n, false)
			if !ok {
				return
			}
			for i, a := range l {
				if !strings.HasPrefix(a, "arn:") {
					d.errf(n.items[i], "%q is not an ARN", a)
					ok = false
				}
			}
			if ok {
				iam.ManagedPolicyArns = l
			}
		}},
		field{"statements", func(n *node) {
			if n.kind != kindSeq {
				d.typeErr(n, kindSeq)
				return
			}
			var out []Statement
			for _, item := range n.items {
				var st Statement
				d.fields(item,
					field{"effect", func(n *node) { st.Effect, _ = d.oneOf(n, statementEffect) }},
					field{"action", func(n *node) {
						st.Action, _ = d.strList(n, true)
						for i, a := range st.Action {
							if a == "*" {
								d.warnf(itemOrSelf(n, i), "action \"*\" grants every AWS action; name the actions the functions need")
							}
						}
					}},
					field{"resource", func(n *node) { st.Resource, _ = d.strList(n, true) }},
				)
				if item.kind != kindMap {
					continue
				}
				if st.Effect == "" && !item.has("effect") {
					st.Effect = "Allow"
				}
				if len(st.Action) == 0 && !item.has("action") {
					d.errf(item, "statement needs action")
				}
				if len(st.Resource) == 0 && !item.has("resource") {
					d.errf(item, "statement needs resource")
				}
				out = append(out, st)
			}
			iam.Statements = out
		}},
	)
}

func itemOrSelf(n *node, i int) *node {
	if n.kind == kindSeq && i < len(n.items) {
		return n.items[i]
	}
	return n
}

// check runs the validations that need several values together, after the
// whole tree is decoded over the defaults.
func (d *decoder) check(c *Config) {
	d.checkDatabase(c)
	start, end := d.set["warm.business_hours.start"], d.set["warm.business_hours.end"]
	if start != nil || end != nil {
		s, errS := parseClock(c.Warm.BusinessHours.Start, false)
		e, errE := parseClock(c.Warm.BusinessHours.End, true)
		if errS == nil && errE == nil && s >= e {
			// Blame the value an environment override set, else the end.
			at := end
			if at == nil || (start != nil && strings.HasPrefix(start.path, "environments.") && !strings.HasPrefix(at.path, "environments.")) {
				at = start
			}
			d.errf(at, "business hours start %s is not before end %s", c.Warm.BusinessHours.Start, c.Warm.BusinessHours.End)
		}
	}
	limit := restTimeoutLimit
	if c.API.Type == "http" {
		limit = httpTimeoutLimit
	}
	keys := make([]string, 0, len(d.set))
	for k := range d.set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasSuffix(k, ".timeout") {
			continue
		}
		n := d.set[k]
		if int(n.integer) > limit {
			d.warnf(n, "timeout %d s is longer than API Gateway's %d s limit for %s APIs: HTTP requests end at the gateway first (fine for warmers and AppSync)", n.integer, limit, c.API.Type)
		}
	}
}

func hasValue(n *node) bool {
	for _, e := range n.entries {
		if e.val.kind != kindNull {
			return true
		}
	}
	return false
}
