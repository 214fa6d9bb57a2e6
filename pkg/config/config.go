// Package config reads django-serverless.yml (DESIGN.md section 3): base
// settings, per-environment overrides merged over them, defaults for
// everything, and validation that reports every problem at once with
// file:line:column. A project needs no config file at all.
//
// Defaults (Resolve fills whatever the file leaves unset):
//
//	python: "3.12"              architecture: arm64       requirements: "" (auto-detect)
//	functions.granularity: route
//	functions.defaults: memory 512 (MB), timeout 15 (s; below API Gateway's 29 s),
//	                    persist_db false, warm true, no reserved/provisioned concurrency
//	api.type: rest              api.binary_media_types: ["*/*"] (text stays text: the
//	                            runtime marks only binary responses isBase64Encoded)
//	api.quotas: API Gateway's defaults (300 REST resources, 300 HTTP routes)
//	api.merge_functions: true (over a quota: one function per app, then one)
//	graphql: enabled auto, schema_file "" (look for schema.graphql), auth API_KEY
//	warm.schedule: business-hours, but off for preview (pr-<N>) environments
//	warm.business_hours: MON-FRI 08:00-19:00 UTC; warm.every: 5m
//	log_retention_days: 30      protected: false (only `protected: true` protects)
//	migrations: auto            database: none (previews true when set)
//	manage: commands [check, createcachetable, migrate, showmigrations], timeout 900 (s), memory 1024 (MB)
//
// Merging: an environment's mapping is laid over the base key by key, deeply
// for mappings (functions.defaults, warm.business_hours, env, ...); a list
// (vendor, exclude, functions.rules, ...) or a scalar replaces the base
// value; an explicit null resets a key to its default. For pr-<N> the
// `preview` override applies first, then an override named exactly pr-<N>
// if the file has one.
//
// Keys beyond the DESIGN sketch: functions.defaults and rules also take
// reserved_concurrency and provisioned_concurrency; iam: {managed_policy_arns,
// statements: [{effect, action, resource}]}; vpc: {subnet_ids,
// security_group_ids}; secrets: [ARN...]; env: {NAME: value};
// log_retention_days; migrations: auto|before|off; database: {secret: ARN,
// previews, template, fixtures: [...]}; manage: {commands: [...], timeout,
// memory} (database.go); static: {mode: cloudfront | whitenoise | off,
// bucket} (default: cloudfront when the project installs
// django.contrib.staticfiles, else off) and domain: {name,
// certificate_arn, hosted_zone_id} (name may hold {env} and, for
// previews, {number}) (static.go). environments.<name>.protected is the only key that
// exists in an environment alone.
package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// FileNames are the names Find looks for, in order.
var FileNames = []string{"django-serverless.yml", "django-serverless.yaml"}

// PreviewKey is the override that applies to every pr-<N> environment.
const PreviewKey = "preview"

// maxFileSize bounds what Load reads; a real config is a few KB.
const maxFileSize = 1 << 20

var (
	envNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	prEnvRe   = regexp.MustCompile(`^pr-([1-9][0-9]{0,8})$`)
)

// File is a parsed, validated django-serverless.yml: the base settings and
// the overrides of each environment it names.
type File struct {
	// Path is the file as given to Load ("" for Default); diagnostics name it.
	Path string
	// Warnings found while loading (e.g. a timeout API Gateway cuts short),
	// sorted by position.
	Warnings diag.List

	base *node
	envs map[string]*envLayer
	// order lists the environment names in the file's order.
	order []string
}

type envLayer struct {
	over      *node // settings override, without "protected"
	protected *bool
}

// Default is the configuration of a project without a config file.
func Default() *File {
	return &File{envs: map[string]*envLayer{}}
}

// Find returns the config file beside manage.py (djangoRoot), else at the
// repository root, else "". Both .yml and .yaml are accepted.
func Find(djangoRoot, repoRoot string) string {
	for _, dir := range []string{djangoRoot, repoRoot} {
		if dir == "" {
			continue
		}
		for _, name := range FileNames {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// Load reads and validates a config file. Problems in the file are returned
// together as a diag.List (via its Err method), each at file:line:column;
// the base settings and every environment in the file are checked.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("read config %s: larger than %s", path, human.Bytes(maxFileSize))
	}
	return Parse(path, src)
}

// Parse is Load on bytes already read; name is used in diagnostics.
func Parse(name string, src []byte) (*File, error) {
	var diags diag.List
	out := &File{Path: name, envs: map[string]*envLayer{}}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("read config %s: larger than %s", name, human.Bytes(maxFileSize))
	}
	if !checkBounds(name, src, &diags) {
		return nil, diags.Err()
	}
	root := parseTree(name, src, &diags)
	if diags.HasErrors() {
		return nil, diags.Err()
	}
	if root == nil || root.kind == kindNull {
		return out, nil
	}
	if root.kind != kindMap {
		diags.Errf(name, root.line, root.col, "top level: expected a mapping, got %s", root.kind)
		return nil, diags.Err()
	}
	out.base = root.without("environments")
	if envs := root.get("environments"); envs != nil && envs.kind != kindNull {
		if envs.kind != kindMap {
			diags.Errf(name, envs.line, envs.col, "environments: expected a mapping, got %s", envs.kind)
		} else {
			for _, e := range envs.entries {
				out.addEnv(e, &diags)
			}
		}
	}

	// Decode the base alone and every environment merged over it, so that
	// each problem shows up whichever environment is deployed. A value read
	// by several of these is reported once.
	seen := map[diag.Diagnostic]bool{}
	collect := func(l diag.List) {
		for _, d := range l {
			if !seen[d] {
				seen[d] = true
				diags = append(diags, d)
			}
		}
	}
	_, l := out.decode(envInfo{})
	collect(l)
	// Each listed environment resolved, for the domain check.
	listed := map[string]*Config{}
	for _, name := range out.order {
		info := envInfo{name: name}
		if name == PreviewKey {
			info = envInfo{name: "pr-1", preview: true, pr: 1}
		} else if m := prEnvRe.FindStringSubmatch(name); m != nil {
			info.preview = true
			info.pr, _ = strconv.Atoi(m[1])
		}
		c, l := out.decode(info)
		collect(l)
		if name != PreviewKey {
			listed[name] = c
		}
	}
	if !diags.HasErrors() {
		out.checkDomains(listed, &diags)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	out.Warnings = diags.Warnings()
	out.Warnings.Sort()
	return out, nil
}

func (f *File) addEnv(e entry, diags *diag.List) {
	if e.key != PreviewKey {
		if err := ValidateEnvironment(e.key); err != nil {
			diags.Errf(f.Path, e.line, e.col, "environments: %v", err)
			return
		}
	}
	layer := &envLayer{}
	switch e.val.kind {
	case kindNull:
	case kindMap:
		if p := e.val.get("protected"); p != nil && p.kind != kindNull {
			if p.kind != kindBool {
				diags.Errf(f.Path, p.line, p.col, "%s: expected %s, got %s", p.path, kindBool, p.kind)
			} else {
				v := p.boolean
				layer.protected = &v
			}
		}
		layer.over = e.val.without("protected")
	default:
		diags.Errf(f.Path, e.val.line, e.val.col, "environments.%s: expected a mapping, got %s", e.key, e.val.kind)
		return
	}
	f.envs[e.key] = layer
	f.order = append(f.order, e.key)
}

// Environments lists the environment names the file configures, in file
// order (including "preview").
func (f *File) Environments() []string {
	return append([]string(nil), f.order...)
}

type envInfo struct {
	name    string
	preview bool
	pr      int
}

func parseEnv(env string) (envInfo, error) {
	if env == PreviewKey {
		return envInfo{}, fmt.Errorf("environment %q: preview configures pr-<N> environments; deploy pr-<N> instead", env)
	}
	if err := ValidateEnvironment(env); err != nil {
		return envInfo{}, fmt.Errorf("environment: %w", err)
	}
	info := envInfo{name: env}
	if m := prEnvRe.FindStringSubmatch(env); m != nil {
		info.preview = true
		info.pr, _ = strconv.Atoi(m[1])
	}
	return info, nil
}

// defaults is the configuration before any file value applies.
func defaults(info envInfo) *Config {
	c := &Config{
		Environment:  info.name,
		Preview:      info.preview,
		PR:           info.pr,
		Python:       "3.12",
		Architecture: "arm64",
		Functions: Functions{
			Granularity: "route",
			Defaults: FunctionSettings{
				Memory:    512,
				Timeout:   15,
				PersistDB: new(false),
				Warm:      new(true),
			},
		},
		API:     API{Type: "rest", BinaryMediaTypes: []string{"*/*"}},
		GraphQL: GraphQL{Enabled: "auto", Auth: "API_KEY"},
		Warm: Warm{
			Schedule:      ScheduleBusinessHours,
			BusinessHours: BusinessHours{Days: "MON-FRI", Start: "08:00", End: "19:00", Timezone: "UTC"},
			Every:         "5m",
		},
		LogRetentionDays: 30,
	}
	if info.preview {
		c.Warm.Schedule = ScheduleOff
	}
	return c
}

// merged returns the settings tree for env and whether env is protected.
func (f *File) merged(info envInfo) (*node, bool) {
	tree := f.base
	protected := false
	apply := func(name string) {
		if l := f.envs[name]; l != nil {
			tree = mergeNodes(tree, l.over)
			if l.protected != nil {
				protected = *l.protected
			}
		}
	}
	if info.preview {
		apply(PreviewKey)
	}
	if info.name != "" {
		apply(info.name)
	}
	return tree, protected
}

func (f *File) decode(info envInfo) (*Config, diag.List) {
	tree, protected := f.merged(info)
	c := defaults(info)
	c.Path = f.Path
	c.Protected = protected
	d := newDecoder(f.Path)
	d.config(tree, c)
	d.check(c)
	return c, d.diags
}

// Resolve returns the configuration of one environment: the base, the
// environment's override merged over it (for pr-<N>: preview, then pr-<N>),
// and every default filled in. env must match ^[a-z][a-z0-9-]{0,30}$.
func (f *File) Resolve(env string) (*Config, error) {
	info, err := parseEnv(env)
	if err != nil {
		return nil, err
	}
	c, l := f.decode(info)
	if err := l.Err(); err != nil {
		return nil, err
	}
	return c, nil
}
