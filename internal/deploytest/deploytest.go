// Package deploytest deploys successive versions of an environment's
// templates through the real pkg/stack Deployer and aws-sdk-go-v2
// CloudFormation client against the CloudFormation fake (internal/cfnfake),
// with the templates in the fake's in-memory S3: deploy A, then B, then C,
// and see what CloudFormation would do with each, failures included.
//
//	w := deploytest.New(t, deploytest.Options{Project: "shop", Environment: "dev"})
//	first, err := w.Deploy(ctx, deploytest.FromRender(outA, "shop"))   // CREATE
//	second, err := w.Deploy(ctx, deploytest.FromRender(outB, "shop"))  // UPDATE
//	if second.Status != "UPDATE_COMPLETE" { t.Fatalf("%s\n%s", second.RootCause, w.Log) }
//
// A Version is a set of S3 objects (templates and the files they point
// at, by key) and the key of the root template; FromRender builds one from
// pkg/render's output. Every Deploy uploads the version's objects to the
// bucket (Options.Bucket, default "artifacts") and runs Deployer.Deploy
// with the root's TemplateURL, parameter ArtifactsBucket (StaticBucket too
// when the root takes it) and the
// version's parameters; the Result and error are pkg/stack's. World.Log
// holds the Deployer's log (change sets, events, root causes), World.CFN
// is the fake (for Resources, NestedStack, GetTemplate through the SDK
// client World.Client, ...).
package deploytest

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// Options configure a World.
type Options struct {
	Project     string // default "shop"
	Environment string // default "dev"
	Bucket      string // default "artifacts"
	Region      string // default "us-east-1"
	// Scenario is the fake's (faults, durations, external resources...);
	// its S3 is replaced by the World's.
	Scenario cfnfake.Scenario
}

// World is a CloudFormation fake with an S3, a real client and a Deployer.
type World struct {
	CFN      *cfnfake.Server
	S3       *cfnfake.MapObjects
	Client   *cloudformation.Client
	Deployer *stack.Deployer
	Log      *bytes.Buffer
	opts     Options
	n        int
}

// Version is one deploy's templates.
type Version struct {
	// Objects are uploaded before the deploy, by S3 key.
	Objects map[string][]byte
	// Root is the S3 key of the root template.
	Root string
	// Parameters are root parameters besides ArtifactsBucket (and
	// StaticBucket, "static" when the root declares it).
	Parameters map[string]string
	// Tags are extra stack tags.
	Tags map[string]string
	// Commit is the request's commit SHA (stack.Request.Commit); default
	// all zeros.
	Commit string
}

// New starts a fake and a Deployer pointed at it; both end with the test.
func New(t testing.TB, o Options) *World {
	t.Helper()
	if o.Project == "" {
		o.Project = "shop"
	}
	if o.Environment == "" {
		o.Environment = "dev"
	}
	if o.Bucket == "" {
		o.Bucket = "artifacts"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	testenv.AWSEnv(t)
	objects := cfnfake.NewMapObjects()
	sc := o.Scenario
	sc.S3 = objects
	sc.Region = o.Region
	srv := cfnfake.New(t, sc)
	client := cloudformation.NewFromConfig(aws.Config{
		Region:      o.Region,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond)
		},
	}, func(co *cloudformation.Options) { co.BaseEndpoint = aws.String(srv.URL) })
	var log bytes.Buffer
	return &World{CFN: srv, S3: objects, Client: client, Log: &log, opts: o,
		Deployer: &stack.Deployer{CFN: client, Log: &log, Poll: time.Millisecond, CancelWait: 2 * time.Second, Timeout: time.Minute}}
}

// FromRender is the Version of a pkg/render output whose keys use prefix
// (render.Artifacts.Prefix, the project name).
func FromRender(out *render.Output, prefix string) Version {
	v := Version{Objects: map[string][]byte{}}
	for _, tp := range out.Templates {
		key := render.TemplateKey(prefix, tp.SHA256)
		v.Objects[key] = tp.Body
		if tp.Name == "root.yaml" {
			v.Root = key
		}
	}
	for _, f := range out.Files {
		v.Objects[f.Key] = f.Body
	}
	return v
}

// Request is the stack.Request Deploy sends for v.
func (w *World) Request(v Version) stack.Request {
	params := map[string]string{"ArtifactsBucket": w.opts.Bucket}
	// A root serving static files from CloudFront takes their bucket too.
	if bytes.Contains(v.Objects[v.Root], []byte("\n  StaticBucket:\n")) {
		params["StaticBucket"] = "static"
	}
	for k, val := range v.Parameters {
		params[k] = val
	}
	commit := v.Commit
	if commit == "" {
		commit = fmt.Sprintf("%040d", 0)
	}
	sizes := map[string]int{}
	for _, k := range sortedKeys(v.Objects) {
		sizes[k] = len(v.Objects[k])
	}
	return stack.Request{
		Project: w.opts.Project, Environment: w.opts.Environment,
		TemplateURL:   fmt.Sprintf("https://%s.s3.%s.amazonaws.com/%s", w.opts.Bucket, w.opts.Region, v.Root),
		TemplateSizes: sizes,
		Parameters:    params,
		Tags:          v.Tags,
		Commit:        commit,
		RunID:         fmt.Sprintf("run%d", w.n),
	}
}

// Upload puts a version's objects in the bucket.
func (w *World) Upload(v Version) {
	for k, b := range v.Objects {
		w.S3.Put(w.opts.Bucket, k, b)
	}
}

// Deploy uploads v and deploys it (plan, execute, follow events).
func (w *World) Deploy(ctx context.Context, v Version) (*stack.Result, error) {
	w.n++
	w.Upload(v)
	fmt.Fprintf(w.Log, "== deploy %d\n", w.n)
	return w.Deployer.Deploy(ctx, w.Request(v))
}

// Plan uploads v and creates its change set without executing it.
func (w *World) Plan(ctx context.Context, v Version) (*stack.Result, error) {
	w.n++
	w.Upload(v)
	fmt.Fprintf(w.Log, "== plan %d\n", w.n)
	return w.Deployer.Plan(ctx, w.Request(v))
}

// Sequence deploys each version in turn and returns every result; it
// stops at the first error, which it returns with the results so far.
func (w *World) Sequence(ctx context.Context, versions ...Version) ([]*stack.Result, error) {
	var out []*stack.Result
	for i, v := range versions {
		res, err := w.Deploy(ctx, v)
		out = append(out, res)
		if err != nil {
			return out, fmt.Errorf("deploy %d of %d: %w", i+1, len(versions), err)
		}
	}
	return out, nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
