// Package record is the deployment record: a small JSON document written
// with every deployment that says where each piece of it was placed (which
// lambdas stack holds each function, which stack each AppSync resolver)
// and what the next deployment must know about the last one (the unzipped
// size of a dependencies layer it will not rebuild). Plan reads the record
// of the deployed stack back so that nothing moves between nested stacks
// when a project grows: CloudFormation creates the new copy of a moved
// item before it deletes the old one, and API Gateway and AppSync refuse
// the duplicate.
//
// The record is stored content-addressed in the artifacts bucket
// (<prefix>/records/<sha256>.json, uploaded before any template) and the
// root template names its key in its Metadata section, so the record of a
// stack is always the one of the template CloudFormation last deployed:
// GetTemplate on the root stack, then GetObject.
//
// Format: one JSON object, keys sorted, lists sorted, no clock or random
// value. "version" changes only for changes an older reader must not
// misread; new optional keys (the static files; later the migration list)
// keep version 1 and are ignored by readers that do not know them.
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// Version is the format version this package writes and reads.
const Version = 1

// MetadataKey is the root template's Metadata entry holding the record:
//
//	Metadata:
//	  DjangoServerless:
//	    DeploymentRecord: "<prefix>/records/<sha256>.json"
const (
	MetadataKey = "DjangoServerless"
	RecordField = "DeploymentRecord"
)

// Record is the deployment record of one stack.
type Record struct {
	Version int    `json:"version"`
	Stack   string `json:"stack"`
	// Functions lists every Lambda function of the deployment, sorted by
	// name.
	Functions []Function `json:"functions"`
	// Resolvers lists every AppSync resolver, sorted by type then field.
	Resolvers []Resolver `json:"resolvers,omitempty"`
	// DepsLayer is the dependencies layer, nil when the project has none.
	DepsLayer *Layer `json:"deps_layer,omitempty"`
	// Migrations lists the project's migrations as deployed ("app.name",
	// in the order Django applies them; not sorted): plan compares the
	// next change's migrations with it.
	// Absent in records written before migrations were recorded (nil:
	// unknown), [] for a project without migrations.
	Migrations []string `json:"migrations"`
	// Static lists the static files the deployment serves (static.mode
	// cloudfront); nil without. An optional key of version 1: readers
	// that do not know it ignore it.
	Static *Static `json:"static,omitempty"`
	// API is the API as deployed: its type and the logical IDs of the
	// resources whose type depends on it. nil in records written before
	// it existed (an optional key of version 1).
	API *API `json:"api,omitempty"`
}

// API is what the next deployment must know of the deployed API to
// switch api.type safely: CloudFormation refuses an update that changes a
// resource's type under the same logical ID, and API Gateway holds a
// custom domain name once.
type API struct {
	// Type is "rest" or "http".
	Type string `json:"type"`
	// StageID is the logical ID of the stage in api.yaml.
	StageID string `json:"stage_id"`
	// Domain is the name of the API Gateway custom domain (a domain
	// without CloudFront in front), "" without one; DomainID its logical
	// ID in api.yaml.
	Domain   string `json:"domain,omitempty"`
	DomainID string `json:"domain_id,omitempty"`

	// Inferred is set (never written) when the record predates this key
	// and the reader filled it in from the stack's outputs; SiteDomain is
	// then the domain the stack served, by CloudFront or API Gateway
	// (its Route 53 records, if any, were in a nested stack then).
	Inferred   bool   `json:"-"`
	SiteDomain string `json:"-"`
}

// Static is where a deployment's static files are and which they are.
type Static struct {
	// Bucket holds them ("" when the record was rendered offline).
	Bucket string `json:"bucket"`
	// Prefix is the environment's key prefix: a file is
	// <Prefix>/static/<name>.
	Prefix string `json:"prefix"`
	// Files are the collected files, hashed names and originals, sorted
	// by name.
	Files []StaticFile `json:"files"`
}

// StaticFile is one uploaded static file.
type StaticFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Key is the S3 key of the file in the environment's prefix.
func (s *Static) Key(name string) string { return s.Prefix + "/static/" + name }

// Function is where one function lives.
type Function struct {
	// Name is the plan's function name (the base of its logical IDs).
	Name string `json:"name"`
	// PhysicalName is its Lambda function name.
	PhysicalName string `json:"physical_name"`
	// Shard is the lambdas stack holding it: 1 is lambdas.yaml
	// (LambdasStack), n > 1 is lambdas-n.yaml (Lambdas<n>Stack).
	Shard int `json:"shard"`
	// Runtime the function was deployed with ("python3.12").
	Runtime string `json:"runtime"`
}

// Resolver is where one AppSync resolver lives.
type Resolver struct {
	Type  string `json:"type"`
	Field string `json:"field"`
	// Shard is the stack holding it: 0 is api.yaml (ApiStack), n > 0 is
	// api-resolvers-n.yaml (ApiResolvers<n>Stack, nested in ApiStack).
	Shard int `json:"shard"`
}

// Layer is a layer the deployment used.
type Layer struct {
	// Key is its S3 key.
	Key string `json:"key"`
	// UnzippedSize is the size of its extracted files in bytes; 0 when
	// unknown.
	UnzippedSize int64 `json:"unzipped_size"`
}

// Key is the S3 key of a record with this content hash.
func Key(prefix, sha string) string { return prefix + "/records/" + sha + ".json" }

// Encode returns the record's canonical bytes and their sha256: lists
// sorted, two-space indent, trailing newline.
func (r *Record) Encode() ([]byte, string, error) {
	c := *r
	c.Version = Version
	c.Functions = append([]Function(nil), r.Functions...)
	c.Resolvers = append([]Resolver(nil), r.Resolvers...)
	sort.Slice(c.Functions, func(i, j int) bool { return c.Functions[i].Name < c.Functions[j].Name })
	sort.Slice(c.Resolvers, func(i, j int) bool {
		a, b := c.Resolvers[i], c.Resolvers[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Field < b.Field
	})
	if c.Functions == nil {
		c.Functions = []Function{}
	}
	if r.Static != nil {
		st := *r.Static
		st.Files = append([]StaticFile{}, r.Static.Files...)
		sort.Slice(st.Files, func(i, j int) bool { return st.Files[i].Name < st.Files[j].Name })
		c.Static = &st
	}
	if c.Migrations == nil {
		c.Migrations = []string{}
	}
	if err := c.validate(); err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b.Bytes())
	return b.Bytes(), hex.EncodeToString(sum[:]), nil
}

// Decode reads a record. A record written by a newer, incompatible
// version is an error (placing items without knowing where they are could
// move them); unknown keys of the same version are ignored.
func Decode(data []byte) (*Record, error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("deployment record: %w", err)
	}
	if probe.Version == nil {
		return nil, fmt.Errorf("deployment record: no version")
	}
	if *probe.Version != Version {
		return nil, fmt.Errorf("deployment record version %d: this django-serverless reads version %d; deploy with the version that wrote it or newer", *probe.Version, Version)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("deployment record: %w", err)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Record) validate() error {
	seen := map[string]bool{}
	for _, f := range r.Functions {
		if f.Name == "" || f.Shard < 1 {
			return fmt.Errorf("deployment record: function %q has shard %d (want a name and a shard >= 1)", f.Name, f.Shard)
		}
		if seen[f.Name] {
			return fmt.Errorf("deployment record: function %s listed twice", f.Name)
		}
		seen[f.Name] = true
	}
	if st := r.Static; st != nil {
		if st.Prefix == "" || strings.HasPrefix(st.Prefix, "/") || strings.HasSuffix(st.Prefix, "/") {
			return fmt.Errorf("deployment record: static prefix %q (want <project>/<environment>)", st.Prefix)
		}
		names := map[string]bool{}
		for _, f := range st.Files {
			if f.Name == "" || strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, "..") || len(f.SHA256) != 64 {
				return fmt.Errorf("deployment record: static file %q (sha256 %q) is not a relative name with a sha256", f.Name, f.SHA256)
			}
			if names[f.Name] {
				return fmt.Errorf("deployment record: static file %s listed twice", f.Name)
			}
			names[f.Name] = true
		}
	}
	if a := r.API; a != nil {
		if (a.Type != "rest" && a.Type != "http") || a.StageID == "" || (a.Domain == "") != (a.DomainID == "") {
			return fmt.Errorf("deployment record: api %+v (want type rest or http, a stage ID, and a domain with its ID or neither)", *a)
		}
	}
	rs := map[string]bool{}
	for _, x := range r.Resolvers {
		k := x.Type + "." + x.Field
		if x.Type == "" || x.Field == "" || x.Shard < 0 {
			return fmt.Errorf("deployment record: resolver %q has shard %d", k, x.Shard)
		}
		if rs[k] {
			return fmt.Errorf("deployment record: resolver %s listed twice", k)
		}
		rs[k] = true
	}
	return nil
}

// Function returns the placement of the named function.
func (r *Record) Function(name string) (Function, bool) {
	if r == nil {
		return Function{}, false
	}
	for _, f := range r.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// KeyFromTemplate finds the record's key in a root template's Metadata
// (the body GetTemplate returns). ok is false when the template names no
// record (a stack deployed before records existed).
func KeyFromTemplate(body []byte) (key string, ok bool, err error) {
	var doc struct {
		Metadata map[string]any `yaml:"Metadata"`
	}
	// Only Metadata is read; the rest of the template (with its short
	// intrinsic-function tags) is not interpreted.
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return "", false, fmt.Errorf("read root template: %w", err)
	}
	m, _ := doc.Metadata[MetadataKey].(map[string]any)
	if m == nil {
		return "", false, nil
	}
	s, isString := m[RecordField].(string)
	if !isString || s == "" || strings.ContainsAny(s, " \n") {
		return "", false, fmt.Errorf("root template: Metadata.%s.%s is %v, not an S3 key", MetadataKey, RecordField, m[RecordField])
	}
	return s, true, nil
}
