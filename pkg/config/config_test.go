package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// loadErrors parses src as c.yml and returns the error lines.
func loadErrors(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse("c.yml", []byte(src))
	if err == nil {
		return nil
	}
	var l diag.List
	if !errors.As(err, &l) {
		t.Fatalf("error is %T, not diag.List: %v", err, err)
	}
	return strings.Split(err.Error(), "\n")
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown top-level key", "projct: shop\n",
			[]string{`c.yml:1:1: error: top level: unknown key "projct" (did you mean "project"?)`}},
		{"unknown nested key without suggestion", "api:\n  type: rest\n  stage: v1\n",
			[]string{`c.yml:3:3: error: api: unknown key "stage" (expected one of: binary_media_types, merge_functions, quotas, type)`}},
		{"unknown key in flow mapping", "functions: {defaults: {memroy: 1024}}\n",
			[]string{`c.yml:1:24: error: functions.defaults: unknown key "memroy" (did you mean "memory"?)`}},
		{"protected only per environment", "protected: true\n",
			[]string{`c.yml:1:1: error: top level: unknown key "protected" (protected is set per environment: environments.<name>.protected)`}},
		{"wrong type integer", "functions:\n  defaults:\n    memory: big\n",
			[]string{`c.yml:3:13: error: functions.defaults.memory: expected an integer, got a string (big)`}},
		{"wrong type list", "vendor: vendor/\n",
			[]string{`c.yml:1:9: error: vendor: expected a list, got a string (vendor/)`}},
		{"wrong type mapping", "warm: off\n",
			[]string{`c.yml:1:7: error: warm: expected a mapping, got a string (off)`}},
		{"wrong type bool", "functions:\n  defaults: {persist_db: \"yes\"}\n",
			[]string{`c.yml:2:26: error: functions.defaults.persist_db: expected a boolean, got a string (yes)`}},
		{"wrong type in list item", "exclude: [\"a/**\", 3]\n",
			[]string{`c.yml:1:19: error: exclude[1]: expected a string, got an integer (3)`}},
		{"memory too small", "functions:\n  defaults: {memory: 64}\n",
			[]string{`c.yml:2:22: error: functions.defaults.memory: 64 is outside 128..10240 MB`}},
		{"memory too large", "functions:\n  rules:\n    - match: {name: a}\n      memory: 10241\n",
			[]string{`c.yml:4:15: error: functions.rules[0].memory: 10241 is outside 128..10240 MB`}},
		{"timeout zero", "functions:\n  defaults:\n    timeout: 0\n",
			[]string{`c.yml:3:14: error: functions.defaults.timeout: 0 is outside 1..900 seconds`}},
		{"timeout too long", "functions:\n  defaults:\n    timeout: 901\n",
			[]string{`c.yml:3:14: error: functions.defaults.timeout: 901 is outside 1..900 seconds`}},
		{"architecture", "architecture: arm65\n",
			[]string{`c.yml:1:15: error: architecture: "arm65" is not one of arm64, x86_64`}},
		{"python unsupported", "python: \"3.8\"\n",
			[]string{`c.yml:1:9: error: python: "3.8" is not one of 3.10, 3.11, 3.12, 3.13, 3.14`}},
		{"python number keeps its text", "python: 3.1\n",
			[]string{`c.yml:1:9: error: python: "3.1" is not one of 3.10, 3.11, 3.12, 3.13, 3.14`}},
		{"api type", "api: {type: graphql}\n",
			[]string{`c.yml:1:13: error: api.type: "graphql" is not one of rest, http`}},
		{"granularity", "functions: {granularity: view}\n",
			[]string{`c.yml:1:26: error: functions.granularity: "view" is not one of route, app, project`}},
		{"graphql auth", "graphql:\n  auth: api_key\n",
			[]string{`c.yml:2:9: error: graphql.auth: "api_key" is not one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA`}},
		{"graphql enabled", "graphql: {enabled: maybe}\n",
			[]string{`c.yml:1:20: error: graphql.enabled: "maybe" is not one of auto, true, false`}},
		{"cron five fields", "warm:\n  schedule: cron(0 8 * * MON-FRI)\n",
			[]string{`c.yml:2:13: error: warm.schedule: bad cron expression "cron(0 8 * * MON-FRI)": want 6 fields (minutes hours day-of-month month day-of-week year), got 5`}},
		{"cron both days set", "warm:\n  schedule: cron(0 8 * * MON-FRI *)\n",
			[]string{`c.yml:2:13: error: warm.schedule: bad cron expression "cron(0 8 * * MON-FRI *)": day-of-month and day-of-week cannot both be set; use ? in one of them`}},
		{"cron both days question", "warm:\n  schedule: \"cron(0 8 ? * ? *)\"\n",
			[]string{`c.yml:2:13: error: warm.schedule: bad cron expression "cron(0 8 ? * ? *)": day-of-month and day-of-week cannot both be ?`}},
		{"cron minute out of range", "warm: {schedule: \"cron(60 8 ? * MON-FRI *)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(60 8 ? * MON-FRI *)": minutes "60": 60 is outside 0..59`}},
		{"cron question in hours", "warm: {schedule: \"cron(0 ? ? * MON *)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(0 ? ? * MON *)": hours "?": ? is only allowed in day-of-month and day-of-week`}},
		{"cron bad month name", "warm: {schedule: \"cron(0 8 1 JANUARY ? *)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(0 8 1 JANUARY ? *)": month "JANUARY": "JANUARY" is not a number from 1 to 12 or one of JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC`}},
		{"cron bad step", "warm: {schedule: \"cron(0/0 8 ? * MON *)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(0/0 8 ? * MON *)": minutes "0/0": step "0" must be a whole number from 1 to 60`}},
		{"cron year", "warm: {schedule: \"cron(0 8 ? * MON 1969)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(0 8 ? * MON 1969)": year "1969": 1969 is outside 1970..2199`}},
		{"cron nth weekday", "warm: {schedule: \"cron(0 8 ? * 2#6 *)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad cron expression "cron(0 8 ? * 2#6 *)": day-of-week "2#6": #6: the instance must be 1 to 5`}},
		{"rate plural for one", "warm: {schedule: \"rate(1 minutes)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad rate expression "rate(1 minutes)": a value of 1 takes the singular unit "minute"`}},
		{"rate singular for many", "warm: {schedule: \"rate(5 minute)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad rate expression "rate(5 minute)": unit "minute" is for a value of 1; use minutes`}},
		{"rate zero", "warm: {schedule: \"rate(0 minutes)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad rate expression "rate(0 minutes)": value "0" must be a positive whole number`}},
		{"rate unit", "warm: {schedule: \"rate(2 weeks)\"}\n",
			[]string{`c.yml:1:18: error: warm.schedule: bad rate expression "rate(2 weeks)": unit "weeks" is not minute(s), hour(s) or day(s)`}},
		{"schedule name", "warm: {schedule: weekdays}\n",
			[]string{`c.yml:1:18: error: warm.schedule: "weekdays" is not business-hours, always, off, cron(...) or rate(...)`}},
		{"unknown timezone", "warm:\n  business_hours:\n    timezone: Europe/Lisbn\n",
			[]string{`c.yml:3:15: error: warm.business_hours.timezone: unknown timezone "Europe/Lisbn" (expected an IANA name such as Europe/Lisbon or UTC)`}},
		{"local is not a timezone", "warm: {business_hours: {timezone: Local}}\n",
			[]string{`c.yml:1:35: error: warm.business_hours.timezone: "Local" is not an IANA timezone name (for example Europe/Lisbon or UTC)`}},
		{"business hours start after end", "warm:\n  business_hours: {start: \"20:00\", end: \"09:00\"}\n",
			[]string{`c.yml:2:41: error: warm.business_hours.end: business hours start 20:00 is not before end 09:00`}},
		{"business hours equal, default end", "warm:\n  business_hours: {start: \"19:00\"}\n",
			[]string{`c.yml:2:27: error: warm.business_hours.start: business hours start 19:00 is not before end 19:00`}},
		{"business hours bad clock", "warm:\n  business_hours: {start: \"8:00\", end: \"25:00\"}\n",
			[]string{
				`c.yml:2:27: error: warm.business_hours.start: "8:00" is not a time of day as HH:MM (00:00 to 23:59)`,
				`c.yml:2:40: error: warm.business_hours.end: "25:00" is not a time of day as HH:MM (00:00 to 23:59)`,
			}},
		{"business days", "warm: {business_hours: {days: MON-FRIDAY}}\n",
			[]string{`c.yml:1:31: error: warm.business_hours.days: days "MON-FRIDAY": "FRIDAY" is not a number from 1 to 7 or one of SUN,MON,TUE,WED,THU,FRI,SAT`}},
		{"every too long", "warm: {every: 90m}\n",
			[]string{`c.yml:1:15: error: warm.every: 90m is outside 1m..60m`}},
		{"every too short", "warm: {every: 30s}\n",
			[]string{`c.yml:1:15: error: warm.every: 30s is outside 1m..60m`}},
		{"every not a duration", "warm: {every: \"5\"}\n",
			[]string{`c.yml:1:15: error: warm.every: "5" is not a duration such as 5m`}},
		{"every fraction of a minute", "warm: {every: 90s}\n",
			[]string{`c.yml:1:15: error: warm.every: 90s is not a whole number of minutes`}},
		{"duplicate rules", "functions:\n  rules:\n    - match: {name: \"catalog:*\"}\n      memory: 1024\n    - match: {name: \"catalog:*\"}\n      memory: 256\n",
			[]string{`c.yml:5:14: error: functions.rules[1].match: duplicate rule: same match as rule 1 at line 3`}},
		{"empty match", "functions:\n  rules:\n    - match: {}\n      memory: 1024\n",
			[]string{`c.yml:3:14: error: functions.rules[0].match: empty match: set name, view or path`}},
		{"null match", "functions:\n  rules:\n    - match:\n      memory: 1024\n",
			[]string{`c.yml:3:13: error: functions.rules[0].match: empty match: set name, view or path`}},
		{"rule without match", "functions:\n  rules:\n    - memory: 1024\n",
			[]string{`c.yml:3:7: error: functions.rules[0]: rule has no match: set match.name, match.view or match.path`}},
		{"unknown match key", "functions:\n  rules:\n    - match: {url: \"/a\"}\n",
			[]string{`c.yml:3:15: error: functions.rules[0].match: unknown key "url" (expected one of: name, path, view)`}},
		{"path glob without slash", "functions:\n  rules:\n    - match: {path: \"api/**\"}\n",
			[]string{`c.yml:3:21: error: functions.rules[0].match.path: path pattern "api/**" must start with / (API paths look like /catalog/{pk}/)`}},
		{"log retention", "log_retention_days: 31\n",
			[]string{`c.yml:1:21: error: log_retention_days: 31 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)`}},
		{"reserved env var", "env:\n  DEBUG: false\n  AWS_REGION: eu-west-1\n",
			[]string{`c.yml:3:3: error: env: AWS_REGION is set by Lambda or django-serverless and cannot be overridden`}},
		{"bad environment name", "environments:\n  Prod: {}\n",
			[]string{`c.yml:2:3: error: environments: "Prod" is not a valid environment name (lower-case letter, then a-z, 0-9 or '-', at most 31)`}},
		{"environment not a mapping", "environments:\n  prod: yes\n",
			[]string{`c.yml:2:9: error: environments.prod: expected a mapping, got a string`}},
		{"protected not a bool", "environments:\n  prod: {protected: \"true\"}\n",
			[]string{`c.yml:2:21: error: environments.prod.protected: expected a boolean, got a string`}},
		{"error inside an environment", "environments:\n  prod:\n    functions: {defaults: {memory: 100000}}\n",
			[]string{`c.yml:3:36: error: environments.prod.functions.defaults.memory: 100000 is outside 128..10240 MB`}},
		{"environments inside an environment", "environments:\n  prod:\n    environments: {}\n",
			[]string{`c.yml:3:5: error: environments.prod: unknown key "environments" (expected one of: api, architecture, database, domain, env, exclude, functions, graphql, iam, include, log_retention_days, manage, migrations, project, python, requirements, secrets, settings, static, vendor, vpc, warm)`}},
		{"merge across layers", "warm:\n  business_hours: {end: \"10:00\"}\nenvironments:\n  prod:\n    warm: {business_hours: {start: \"11:00\"}}\n",
			[]string{`c.yml:5:36: error: environments.prod.warm.business_hours.start: business hours start 11:00 is not before end 10:00`}},
		{"top level not a mapping", "- a\n- b\n",
			[]string{`c.yml:1:1: error: top level: expected a mapping, got a list`}},
		{"syntax error", "api: [rest\n",
			[]string{`c.yml:1:6: error: yaml: sequence end token ']' not found`}},
		{"duplicate key", "python: \"3.12\"\npython: \"3.11\"\n",
			[]string{`c.yml:2:1: error: yaml: mapping key "python" already defined at [1:1]`}},
		{"second document", "python: \"3.12\"\n---\npython: \"3.11\"\n",
			[]string{`c.yml:3:1: error: a second YAML document; the file must hold exactly one`}},
		{"unsupported tag", "project: !Sub shop\n",
			[]string{`c.yml:1:10: error: project: unsupported YAML tag !Sub`}},
		{"vpc needs subnets", "vpc: {security_group_ids: [sg-0123abcd]}\n",
			[]string{`c.yml:1:6: error: vpc: subnet_ids is required`}},
		{"vpc needs security groups", "vpc: {subnet_ids: [subnet-0a1b2c3d]}\n",
			[]string{`c.yml:1:6: error: vpc: security_group_ids is required: Lambda needs at least one security group for the subnets' network interfaces`}},
		{"vpc IDs", "vpc:\n  subnet_ids: [subnet-1, subnet-0a1b2c3d4e5f6a7b8]\n  security_group_ids: [sg-0123abcd, \"sg-0123abcd \", vpc-0123abcd]\n",
			[]string{
				`c.yml:2:16: error: vpc.subnet_ids[0]: "subnet-1" is not a subnet ID (subnet- and 8 or 17 hex digits)`,
				`c.yml:3:37: error: vpc.security_group_ids[1]: "sg-0123abcd " is not a security group ID (sg- and 8 or 17 hex digits)`,
				`c.yml:3:53: error: vpc.security_group_ids[2]: "vpc-0123abcd" is not a security group ID (sg- and 8 or 17 hex digits)`,
			}},
		{"secrets ARNs", "secrets:\n  - arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf\n  - arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/*\n  - shop-db\n  - arn:aws:secretsmanager:eu-west-1:1234:secret:x\n  - arn:aws:s3:::bucket/key\n",
			[]string{
				`c.yml:4:5: error: secrets[2]: "shop-db" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)`,
				`c.yml:5:5: error: secrets[3]: "arn:aws:secretsmanager:eu-west-1:1234:secret:x" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)`,
				`c.yml:6:5: error: secrets[4]: "arn:aws:s3:::bucket/key" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)`,
			}},
		{"provisioned concurrency zero", "functions:\n  defaults: {provisioned_concurrency: 0}\n",
			[]string{`c.yml:2:39: error: functions.defaults.provisioned_concurrency: 0 is outside 1..1000000 (Lambda needs at least 1; leave it unset for none)`}},
		{"quotas below the default", "api:\n  quotas: {resources: 200, routes: 10000000}\n  merge_functions: maybe\n",
			[]string{
				`c.yml:2:23: error: api.quotas.resources: 200 is outside 300..100000 resources per REST API (API Gateway's default is 300)`,
				`c.yml:2:36: error: api.quotas.routes: 10000000 is outside 300..100000 routes per HTTP API (API Gateway's default is 300)`,
				`c.yml:3:20: error: api.merge_functions: expected a boolean, got a string (maybe)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, tt.src)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFiveErrorsReportedTogether(t *testing.T) {
	src := `project: shop
architecture: sparc
functions:
  defaults:
    memory: 64
    timout: 30
warm:
  schedule: cron(0 8 * * MON-FRI *)
  business_hours:
    timezone: Mars/Olympus
`
	got := loadErrors(t, src)
	want := []string{
		`c.yml:2:15: error: architecture: "sparc" is not one of arm64, x86_64`,
		`c.yml:5:13: error: functions.defaults.memory: 64 is outside 128..10240 MB`,
		`c.yml:6:5: error: functions.defaults: unknown key "timout" (did you mean "timeout"?)`,
		`c.yml:8:13: error: warm.schedule: bad cron expression "cron(0 8 * * MON-FRI *)": day-of-month and day-of-week cannot both be set; use ? in one of them`,
		`c.yml:10:15: error: warm.business_hours.timezone: unknown timezone "Mars/Olympus" (expected an IANA name such as Europe/Lisbon or UTC)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestErrorInBaseReportedOnceAcrossEnvironments(t *testing.T) {
	src := "functions: {defaults: {memory: 1}}\nenvironments: {dev: {}, prod: {}, preview: {}}\n"
	got := loadErrors(t, src)
	want := []string{`c.yml:1:32: error: functions.defaults.memory: 1 is outside 128..10240 MB`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestValidSchedules(t *testing.T) {
	for _, s := range []string{
		"business-hours", "always", "off",
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
		"cron(0 8 ? * MON-FRI *)", "cron(*/5 8-18 ? * MON-FRI *)", "cron(0/15 * * * ? *)",
		"cron(0 12 L * ? *)", "cron(0 9 15W * ? 2027)", "cron(0 18 ? * 6L *)", "cron(0 10 ? * 3#2 *)",
		"cron(5,35 14 * JAN,JUN ? 2026-2030)", "cron(0 8 ? * SAT-SUN *)", "cron(0 0 LW * ? *)",
	} {
		if err := checkSchedule(s); err != nil {
			t.Errorf("checkSchedule(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{"cron()", "rate()", "rate(5  minutes)", "cron(0 8 ? * L,MON *)", "cron(0 8 32 * ? *)", "cron(0 8 ? 13 MON *)", "cron(5-1 8 ? * MON *)", "cron(0 8 ? * MON * *)"} {
		if err := checkSchedule(s); err == nil {
			t.Errorf("checkSchedule(%q) = nil, want an error", s)
		}
	}
}

func TestWarnings(t *testing.T) {
	src := "functions:\n  defaults: {timeout: 29}\nenvironments:\n  prod:\n    functions: {defaults: {timeout: 60}}\n  staging:\n    api: {type: http}\n    functions: {defaults: {timeout: 30}}\n    iam:\n      statements:\n        - {action: \"*\", resource: \"*\"}\n"
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`c.yml:5:37: warning: environments.prod.functions.defaults.timeout: timeout 60 s is longer than API Gateway's 29 s limit for rest APIs: HTTP requests end at the gateway first (fine for warmers and AppSync)`,
		`c.yml:11:20: warning: environments.staging.iam.statements[0].action: action "*" grants every AWS action; name the actions the functions need`,
	}
	var got []string
	for _, d := range f.Warnings {
		got = append(got, d.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	c, err := Default().Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Environment:  "dev",
		Python:       "3.12",
		Architecture: "arm64",
		Functions: Functions{
			Granularity: "route",
			Defaults:    FunctionSettings{Memory: 512, Timeout: 15, PersistDB: new(false), Warm: new(true)},
		},
		API:     API{Type: "rest", BinaryMediaTypes: []string{"*/*"}},
		GraphQL: GraphQL{Enabled: "auto", Auth: "API_KEY"},
		Warm: Warm{
			Schedule:      "business-hours",
			BusinessHours: BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "UTC"},
			Every:         "5m",
		},
		LogRetentionDays: 30,
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Resolve(dev) (-want +got):\n%s", diff)
	}
	if c.Functions.Defaults.Timeout > restTimeoutLimit {
		t.Errorf("default timeout %d exceeds API Gateway's %d s", c.Functions.Defaults.Timeout, restTimeoutLimit)
	}

	p, err := Default().Resolve("pr-12")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Preview || p.PR != 12 || p.Warm.Schedule != "off" || p.Protected {
		t.Errorf("Resolve(pr-12) = preview %v, PR %d, schedule %q, protected %v; want true, 12, off, false", p.Preview, p.PR, p.Warm.Schedule, p.Protected)
	}
	prod, err := Default().Resolve("prod")
	if err != nil {
		t.Fatal(err)
	}
	if prod.Protected {
		t.Error("prod is protected without protected: true")
	}

	// An empty file (or one holding only comments) is the same as none.
	f, err := Parse("c.yml", []byte("# nothing yet\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	want.Path = "c.yml"
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("empty file (-want +got):\n%s", diff)
	}
}

const mergeSrc = `project: shop
exclude: ["**/tests/**", "media/**"]
functions:
  granularity: route
  defaults: {memory: 512, timeout: 15}
  rules:
    - match: {name: "catalog:*"}
      memory: 1024
      persist_db: true
env:
  LOG_LEVEL: info
  FEATURE_X: "on"
warm:
  schedule: business-hours
  business_hours: {days: MON-FRI, start: "08:00", end: "19:00", timezone: Europe/Lisbon}
  every: 5m
environments:
  dev: {}
  prod:
    protected: true
    exclude: ["media/**"]
    functions:
      defaults: {memory: 1024}
      rules:
        - match: {path: "/api/**"}
          timeout: 20
    env: {LOG_LEVEL: warning}
    warm: {business_hours: {end: "22:00"}, every: 1h}
  preview:
    warm: {schedule: off}
    functions: {defaults: {timeout: 10}}
  pr-7:
    architecture: x86_64
    env: {FEATURE_X: ~}
`

func TestResolveMerge(t *testing.T) {
	f, err := Parse("c.yml", []byte(mergeSrc))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dev", "prod", "preview", "pr-7"}, f.Environments()); diff != "" {
		t.Errorf("Environments (-want +got):\n%s", diff)
	}
	base := func(env string) *Config {
		return &Config{
			Path: "c.yml", Environment: env, Project: "shop", Python: "3.12", Architecture: "arm64",
			Exclude: []string{"**/tests/**", "media/**"},
			Functions: Functions{
				Granularity: "route",
				Defaults:    FunctionSettings{Memory: 512, Timeout: 15, PersistDB: new(false), Warm: new(true)},
				Rules: []Rule{{
					Match:    Match{Name: "catalog:*"},
					Settings: FunctionSettings{Memory: 1024, PersistDB: new(true)},
					Pos:      Position{File: "c.yml", Line: 7, Col: 7},
				}},
			},
			API:     API{Type: "rest", BinaryMediaTypes: []string{"*/*"}},
			GraphQL: GraphQL{Enabled: "auto", Auth: "API_KEY"},
			Warm: Warm{
				Schedule:      "business-hours",
				BusinessHours: BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "Europe/Lisbon"},
				Every:         "5m",
			},
			Env:              map[string]string{"LOG_LEVEL": "info", "FEATURE_X": "on"},
			LogRetentionDays: 30,
		}
	}

	dev := base("dev")
	prod := base("prod")
	prod.Protected = true
	prod.Exclude = []string{"media/**"} // lists replace
	prod.Functions.Defaults.Memory = 1024
	prod.Functions.Rules = []Rule{{ // rules replace as a whole
		Match:    Match{Path: "/api/**"},
		Settings: FunctionSettings{Timeout: 20},
		Pos:      Position{File: "c.yml", Line: 25, Col: 11},
	}}
	prod.Env = map[string]string{"LOG_LEVEL": "warning", "FEATURE_X": "on"} // maps merge
	prod.Warm.BusinessHours.End = "22:00"
	prod.Warm.Every = "60m"
	pr7 := base("pr-7")
	pr7.Preview, pr7.PR = true, 7
	pr7.Architecture = "x86_64"
	pr7.Warm.Schedule = "off"
	pr7.Functions.Defaults.Timeout = 10
	pr7.Env = map[string]string{"LOG_LEVEL": "info"} // null resets to the default (absent)
	delete(pr7.Env, "FEATURE_X")
	pr3 := base("pr-3")
	pr3.Preview, pr3.PR = true, 3
	pr3.Warm.Schedule = "off"
	pr3.Functions.Defaults.Timeout = 10
	staging := base("staging") // not in the file: the base alone

	for _, want := range []*Config{dev, prod, pr7, pr3, staging} {
		got, err := f.Resolve(want.Environment)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", want.Environment, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Resolve(%s) (-want +got):\n%s", want.Environment, diff)
		}
	}
}

func TestResolveEnvironmentNames(t *testing.T) {
	f := Default()
	for _, bad := range []string{"", "Prod", "1st", "pr_7", "a-very-long-environment-name-over-31", "preview", "pr-0", "pr-007", "dev-", "pr-", "pr-x", "pr-abc", "pr-7a", "pr-1234567890"} {
		if _, err := f.Resolve(bad); err == nil {
			t.Errorf("Resolve(%q) = nil error, want one", bad)
		}
	}
	for env, wantPR := range map[string]int{"pr-1": 1, "pr-4711": 4711, "prx": 0, "prod": 0, "pr": 0} {
		c, err := f.Resolve(env)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", env, err)
		}
		if c.PR != wantPR || c.Preview != (wantPR > 0) {
			t.Errorf("Resolve(%q) = PR %d preview %v, want PR %d", env, c.PR, c.Preview, wantPR)
		}
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	src := `functions:
  defaults: &big {memory: 2048, timeout: 20}
environments:
  prod:
    functions:
      defaults:
        <<: *big
        timeout: 25
  dev:
    functions: {defaults: *big}
`
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Resolve("prod")
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Functions.Defaults; d.Memory != 2048 || d.Timeout != 25 {
		t.Errorf("prod defaults = %d MB %d s, want 2048 MB 25 s", d.Memory, d.Timeout)
	}
	// A bad value behind an alias is reported where the anchor defines it.
	got := loadErrors(t, "functions:\n  defaults: &d {memory: 1}\nenvironments:\n  prod: {functions: {defaults: *d}}\n")
	want := []string{`c.yml:2:25: error: functions.defaults.memory: 1 is outside 128..10240 MB`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestLoadAndFind(t *testing.T) {
	repo := t.TempDir()
	app := filepath.Join(repo, "src")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := Find(app, repo); got != "" {
		t.Errorf("Find with no file = %q, want empty", got)
	}
	rootCfg := filepath.Join(repo, "django-serverless.yaml")
	if err := os.WriteFile(rootCfg, []byte("python: \"3.11\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Find(app, repo); got != rootCfg {
		t.Errorf("Find = %q, want %q", got, rootCfg)
	}
	appCfg := filepath.Join(app, "django-serverless.yml")
	if err := os.WriteFile(appCfg, []byte("python: \"3.13\"\nmemory: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Find(app, repo); got != appCfg {
		t.Errorf("Find = %q, want %q (beside manage.py wins)", got, appCfg)
	}

	f, err := Load(rootCfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	if c.Python != "3.11" || c.Path != rootCfg {
		t.Errorf("Load: python %q path %q", c.Python, c.Path)
	}
	_, err = Load(appCfg)
	if want := appCfg + `:2:1: error: top level: unknown key "memory"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load error = %v, want prefix %q", err, want)
	}
	if _, err := Load(filepath.Join(repo, "missing.yml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want os.ErrNotExist", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(mergeSrc))
	f.Add([]byte("functions:\n  defaults: &d {memory: 1}\nenvironments:\n  prod: {functions: {defaults: *d}}\n"))
	f.Add([]byte("warm: {schedule: \"cron(0 8 ? * 2#6 *)\", every: 90s}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("<<: {python: 3.12}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("f.yml", src)
		if err != nil {
			var l diag.List
			if !errors.As(err, &l) || !l.HasErrors() {
				t.Fatalf("error is not a diag.List with errors: %v", err)
			}
			return
		}
		// Load checked the base and every environment: resolving them cannot fail.
		envs := append([]string{"dev", "pr-1"}, file.Environments()...)
		for _, env := range envs {
			if env == PreviewKey {
				continue
			}
			if _, err := file.Resolve(env); err != nil {
				t.Fatalf("Resolve(%s) after a clean Load: %v", env, err)
			}
		}
	})
}

// TestWarmOffsets: warmers fire at their own minute of the interval, and
// a part of the window with no firing minute gets no expression.
func TestWarmOffsets(t *testing.T) {
	w := Warm{Schedule: "business-hours", BusinessHours: BusinessHours{Days: "MON-FRI", Start: "08:30", End: "17:45", Timezone: "UTC"}, Every: "10m"}
	for _, tt := range []struct {
		offset int
		want   []string
	}{
		{0, []string{"cron(30/10 8 ? * MON-FRI *)", "cron(0/10 9-16 ? * MON-FRI *)", "cron(0-44/10 17 ? * MON-FRI *)"}},
		{3, []string{"cron(33/10 8 ? * MON-FRI *)", "cron(3/10 9-16 ? * MON-FRI *)", "cron(3-44/10 17 ? * MON-FRI *)"}},
		{13, []string{"cron(33/10 8 ? * MON-FRI *)", "cron(3/10 9-16 ? * MON-FRI *)", "cron(3-44/10 17 ? * MON-FRI *)"}},
		{-7, []string{"cron(33/10 8 ? * MON-FRI *)", "cron(3/10 9-16 ? * MON-FRI *)", "cron(3-44/10 17 ? * MON-FRI *)"}},
		{9, []string{"cron(39/10 8 ? * MON-FRI *)", "cron(9/10 9-16 ? * MON-FRI *)", "cron(9-44/10 17 ? * MON-FRI *)"}},
	} {
		got, _ := w.ExpressionsAt(tt.offset)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("offset %d (-want +got):\n%s", tt.offset, diff)
		}
		for _, e := range got {
			if err := checkSchedule(e); err != nil {
				t.Errorf("offset %d: %s: %v", tt.offset, e, err)
			}
		}
	}
	short := Warm{Schedule: "business-hours", BusinessHours: BusinessHours{Days: "SAT", Start: "10:15", End: "10:18", Timezone: "UTC"}, Every: "5m"}
	if got, _ := short.ExpressionsAt(4); got != nil {
		t.Errorf("no minute of 10:15-10:18 is 4 mod 5: got %v", got)
	}
	if got, _ := short.ExpressionsAt(2); !reflect.DeepEqual(got, []string{"cron(17 10 ? * SAT *)"}) {
		t.Errorf("10:15-10:18 at offset 2: %v", got)
	}
	hourly := Warm{Schedule: "always", Every: "60m"}
	if got, _ := hourly.ExpressionsAt(42); !reflect.DeepEqual(got, []string{"cron(42 * * * ? *)"}) {
		t.Errorf("hourly at 42: %v", got)
	}
	if got, _ := (Warm{Schedule: "cron(0 8 ? * MON *)"}).ExpressionsAt(3); !reflect.DeepEqual(got, []string{"cron(0 8 ? * MON *)"}) {
		t.Errorf("a raw expression is kept as written: %v", got)
	}
}

func TestWarmExpressions(t *testing.T) {
	bh := BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "Europe/Lisbon"}
	tests := []struct {
		w      Warm
		want   []string
		wantTZ string
	}{
		{Warm{Schedule: "off", BusinessHours: bh, Every: "5m"}, nil, ""},
		{Warm{Schedule: "always", Every: "5m"}, []string{"cron(0/5 * * * ? *)"}, "UTC"},
		{Warm{Schedule: "always", Every: "1m"}, []string{"cron(* * * * ? *)"}, "UTC"},
		{Warm{Schedule: "rate(2 hours)", Every: "5m"}, []string{"rate(2 hours)"}, "UTC"},
		{Warm{Schedule: "business-hours", BusinessHours: bh, Every: "5m"},
			[]string{"cron(0/5 8-18 ? * MON-FRI *)"}, "Europe/Lisbon"},
		{Warm{Schedule: "business-hours", BusinessHours: BusinessHours{Days: "MON,WED", Start: "08:30", End: "17:45", Timezone: "UTC"}, Every: "10m"},
			[]string{"cron(30/10 8 ? * MON,WED *)", "cron(0/10 9-16 ? * MON,WED *)", "cron(0-44/10 17 ? * MON,WED *)"}, "UTC"},
		{Warm{Schedule: "business-hours", BusinessHours: BusinessHours{Days: "SAT", Start: "10:15", End: "10:45", Timezone: "UTC"}, Every: "15m"},
			[]string{"cron(15-44/15 10 ? * SAT *)"}, "UTC"},
		{Warm{Schedule: "business-hours", BusinessHours: BusinessHours{Days: "MON-SUN", Start: "00:00", End: "24:00", Timezone: "UTC"}, Every: "60m"},
			[]string{"cron(0 0-23 ? * MON-SUN *)"}, "UTC"},
	}
	for _, tt := range tests {
		whole, _ := tt.w.ExpressionsAt(tt.w.EveryMinutes()) // a whole interval: offset 0
		if diff := cmp.Diff(tt.want, whole); diff != "" {
			t.Errorf("%+v.ExpressionsAt(every) differs from offset 0:\n%s", tt.w, diff)
		}
		got, tz := tt.w.Expressions()
		if diff := cmp.Diff(tt.want, got); diff != "" || tz != tt.wantTZ {
			t.Errorf("%+v.Expressions() tz %q (want %q), (-want +got):\n%s", tt.w, tz, tt.wantTZ, diff)
		}
		for _, e := range got {
			if err := checkSchedule(e); err != nil {
				t.Errorf("Expressions() produced an expression EventBridge rejects: %v", err)
			}
		}
	}
}

func TestFullConfig(t *testing.T) {
	src := `project: shop-api
python: "3.13"
architecture: x86_64
requirements: requirements/prod.txt
vendor: [vendor/]
exclude: ["**/tests/**"]
functions:
  granularity: app
  defaults: {memory: 256, timeout: 10, persist_db: true, warm: false, reserved_concurrency: 50}
  rules:
    - match: {view: "shop.reports.**", path: "/reports/**"}
      timeout: 28
      provisioned_concurrency: 2
api:
  type: http
  binary_media_types: ["multipart/form-data", "image/*"]
graphql:
  enabled: false
  schema_file: schema.graphql
  auth: AWS_IAM
warm:
  schedule: rate(10 minutes)
  every: 10m
iam:
  managed_policy_arns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
  statements:
    - effect: Allow
      action: s3:GetObject
      resource: ["arn:aws:s3:::media/*"]
vpc:
  subnet_ids: [subnet-0a1b2c3d, subnet-4e5f6a7b]
  security_group_ids: [sg-0123abcd]
secrets: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"]
env:
  DEBUG: false
  WORKERS: 4
  RATIO: 0.5
  GREETING: |
    hello
  CODE: !!str 007
log_retention_days: 90
`
	f, err := Parse("c.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Resolve("dev")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path: "c.yml", Environment: "dev", Project: "shop-api", Python: "3.13", Architecture: "x86_64",
		Requirements: "requirements/prod.txt", Vendor: []string{"vendor/"}, Exclude: []string{"**/tests/**"},
		Functions: Functions{
			Granularity: "app",
			Defaults:    FunctionSettings{Memory: 256, Timeout: 10, PersistDB: new(true), Warm: new(false), ReservedConcurrency: new(50)},
			Rules: []Rule{{
				Match:    Match{View: "shop.reports.**", Path: "/reports/**"},
				Settings: FunctionSettings{Timeout: 28, ProvisionedConcurrency: new(2)},
				Pos:      Position{File: "c.yml", Line: 11, Col: 7},
			}},
		},
		API:     API{Type: "http", BinaryMediaTypes: []string{"multipart/form-data", "image/*"}},
		GraphQL: GraphQL{Enabled: "false", SchemaFile: "schema.graphql", Auth: "AWS_IAM"},
		Warm: Warm{
			Schedule:      "rate(10 minutes)",
			BusinessHours: BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "UTC"},
			Every:         "10m",
		},
		IAM: IAM{
			ManagedPolicyArns: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
			Statements:        []Statement{{Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::media/*"}}},
		},
		VPC:              &VPC{SubnetIDs: []string{"subnet-0a1b2c3d", "subnet-4e5f6a7b"}, SecurityGroupIDs: []string{"sg-0123abcd"}},
		Secrets:          []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"},
		Env:              map[string]string{"DEBUG": "false", "WORKERS": "4", "RATIO": "0.5", "GREETING": "hello\n", "CODE": "007"},
		LogRetentionDays: 90,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Resolve (-want +got):\n%s", diff)
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
}

func TestMoreErrors(t *testing.T) {
	src := `api:
  binary_media_types: [multipart]
iam:
  managed_policy_arns: [AmazonS3ReadOnlyAccess]
  statements:
    - effect: Permit
      resource: "*"
env:
  1BAD: x
  DJANGO_SERVERLESS_FUNCTION: f
  LIST: [a]
functions:
  defaults: {reserved_concurrency: -1, memory: 99999999999}
  rules: {name: x}
graphql: {enabled: [true]}
vpc: [subnet-1]
`
	got := loadErrors(t, src)
	want := []string{
		`c.yml:2:24: error: api.binary_media_types[0]: "multipart" is not a media type (type/subtype)`,
		`c.yml:4:25: error: iam.managed_policy_arns[0]: "AmazonS3ReadOnlyAccess" is not an ARN`,
		`c.yml:6:7: error: iam.statements[0]: statement needs action`,
		`c.yml:6:15: error: iam.statements[0].effect: "Permit" is not one of Allow, Deny`,
		`c.yml:9:3: error: env: "1BAD" is not a valid environment variable name`,
		`c.yml:10:3: error: env: DJANGO_SERVERLESS_FUNCTION is set by Lambda or django-serverless and cannot be overridden`,
		`c.yml:11:9: error: env.LIST: expected a string, got a list`,
		`c.yml:13:36: error: functions.defaults.reserved_concurrency: -1 is outside 0..1000000`,
		`c.yml:13:48: error: functions.defaults.memory: 99999999999 is out of range`,
		`c.yml:14:10: error: functions.rules: expected a list, got a mapping`,
		`c.yml:15:20: error: graphql.enabled: expected a string, got a list`,
		`c.yml:16:6: error: vpc: expected a mapping, got a list`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
