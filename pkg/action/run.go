package action

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/changeset"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/migrations"
	"github.com/django-serverless/django-serverless-action/pkg/record"
	"github.com/django-serverless/django-serverless-action/pkg/render"
	"github.com/django-serverless/django-serverless-action/pkg/stack"
)

// Clients are the AWS clients a run talks to; production passes the SDK's
// clients, tests pass clients pointed at moto and at the CloudFormation fake.
type Clients struct {
	S3  S3
	CFN CFN
	STS STS
	// Lambda invokes the manage function (migrations, the preview
	// database); nil skips that step with a warning (tests of the stack
	// alone).
	Lambda Lambda
	Region string
}

// S3 is what uploads, the bucket check and reading the deployment record
// back need (*s3.Client satisfies it).
type S3 interface {
	artifacts.S3API
	artifacts.BucketAPI
	ObjectReader
	StaticCleaner
}

// CFN is what change sets, the managed bucket and reading the deployed
// template need (*cloudformation.Client satisfies it).
type CFN interface {
	stack.API
	artifacts.CFNClient
	TemplateReader
}

// Options configure plan, deploy and destroy.
type Options struct {
	Command         string // plan | deploy | destroy
	Build           BuildOptions
	ArtifactsBucket string // "" = managed bucket
	Timeout         time.Duration
	ChangeSetID     string // deploy exactly this reviewed change set
	FailOnEmpty     bool
	Commit          string
	RunID           string
	PR              int
	// Poll overrides the longest CloudFormation polling interval (tests).
	Poll time.Duration
	// OnChangeSet receives the change set's ARN as soon as it is known,
	// before any stack event is logged (the Action masks its account ID).
	OnChangeSet func(arn string)
	// Now is the clock for the AppSync API key's expiry (time.Now when nil);
	// it reaches a stack parameter only, never a template or a name.
	Now func() time.Time
	// RoleARN, Tags, NotificationARNs and OnFailure are passed to the
	// stack (see stack.Request).
	RoleARN          string
	Tags             map[string]string
	NotificationARNs []string
	OnFailure        string
	// KeepDatabase (destroy) deletes a preview's stack without dropping
	// its database.
	KeepDatabase bool
}

// Summary is the `--json` object of plan, deploy and destroy (DESIGN.md
// section 2) plus what the PR comment needs.
type Summary struct {
	Stack       string            `json:"stack"`
	Environment string            `json:"environment"`
	ChangeSetID string            `json:"change_set_id"`
	HasChanges  bool              `json:"has_changes"`
	Changes     changeset.Totals  `json:"changes"`
	Artifacts   artifacts.Stats   `json:"artifacts"`
	Outputs     map[string]string `json:"outputs"`
	// Migrations this change adds and their risky operations (plan and
	// deploy; nil for destroy).
	Migrations *migrations.Summary `json:"migrations,omitempty"`

	// Static counts the static files uploaded (static.mode cloudfront):
	// unchanged files are never uploaded again. Not in --json, whose keys
	// are DESIGN.md's.
	Static *artifacts.Stats `json:"-"`
	// StaticRemoved counts the static files destroy removed.
	StaticRemoved *CleanupStats `json:"-"`

	Status    string           `json:"-"`
	RootCause string           `json:"-"`
	Model     *changeset.Model `json:"-"`
	Build     *Build           `json:"-"`
	Bucket    string           `json:"-"`
	Duration  time.Duration    `json:"-"`
	StackID   string           `json:"-"`
	Region    string           `json:"-"`
}

// Plan is the machine-readable plan (the action's plan-json file): the
// summary plus the change set of every level, its property values masked
// where sensitive.
type Plan struct {
	*Summary
	ChangeSet *changeset.Model `json:"change_set"`
}

// Run executes plan, deploy or destroy.
func Run(ctx context.Context, c Clients, o Options) (*Summary, error) {
	log := o.Build.Log
	if log == nil {
		log = io.Discard
		o.Build.Log = log
	}
	if c.Region == "" {
		return nil, userError(errors.New("no AWS region: set the region input, --region or AWS_REGION"))
	}
	if err := stack.ValidateRegion(c.Region); err != nil {
		return nil, userError(err)
	}
	switch o.Command {
	case "plan", "deploy":
	case "destroy":
		return destroy(ctx, c, o)
	default:
		return nil, userError(fmt.Errorf("unknown command %q (plan, deploy or destroy)", o.Command))
	}

	work := o.Build.WorkDir
	if work == "" {
		dir, err := os.MkdirTemp("", "django-serverless-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		o.Build.WorkDir = dir
	}
	b, err := NewPlan(ctx, o.Build)
	if err != nil {
		return nil, err
	}
	pl := b.Plan
	sum := &Summary{Stack: pl.Stack, Environment: pl.Environment, Outputs: map[string]string{}, Build: b, Region: c.Region}
	sum.Migrations = b.MigrationSummary(nil)

	// The account the API's integration URIs name.
	stage(o.Build, "Account")
	// (The Action asked STS already, to mask the account from the start.)
	if o.Build.Account == "" {
		account, err := AccountID(ctx, c.STS)
		if err != nil {
			return sum, err
		}
		o.Build.Account = account
	}
	o.Build.Region = c.Region

	stage(o.Build, "Artifacts bucket")
	bucket, err := artifacts.EnsureBucket(ctx, c.CFN, c.S3, c.Region, o.ArtifactsBucket)
	if err != nil {
		return sum, err
	}
	sum.Bucket = bucket
	// The static bucket is made (or checked) once the files are collected
	// and the plan still serves them: a project without static files
	// makes no bucket stack.
	o.Build.StaticBucket = func(ctx context.Context) (string, error) {
		return artifacts.EnsureStaticBucket(ctx, c.CFN, c.S3, c.Region, b.Plan.Static.Bucket)
	}
	o.Build.RequireStatic = true
	o.Build.FetchLayer = func(ctx context.Context, key, dir string) error {
		return fetchLayer(ctx, c.S3, bucket, key, dir)
	}

	// Where the deployed stack placed everything: nothing moves.
	stage(o.Build, "Deployment record")
	prev, note, err := PreviousRecord(ctx, c.CFN, c.S3, pl.Stack, bucket, o.Poll)
	if err != nil {
		return sum, err
	}
	if note != "" {
		fmt.Fprintln(log, note)
	}
	o.Build.Previous = prev
	if prev != nil {
		sum.Migrations = b.MigrationSummary(prev.Migrations)
	}
	o.Build.DepsUnzippedSize = func(ctx context.Context, key string) (int64, error) {
		if prev != nil && prev.DepsLayer != nil && prev.DepsLayer.Key == key && prev.DepsLayer.UnzippedSize > 0 {
			return prev.DepsLayer.UnzippedSize, nil
		}
		return zipUnzippedSize(ctx, c.S3, bucket, key)
	}
	if err := b.replan(o.Build); err != nil {
		return sum, err
	}
	pl = b.Plan

	// The dependencies layer is found by its input hash: trusted only when
	// its object's checksum matches the content digest its metadata
	// declares; otherwise it is rebuilt and replaced.
	exists := func(key string) (artifacts.Layer, bool) {
		l, found, err := artifacts.VerifyLayer(ctx, c.S3, bucket, key)
		if found && err != nil {
			fmt.Fprintf(log, "dependencies layer s3://%s/%s is not trusted (%v): rebuilding it to replace it\n", bucket, key, err)
		}
		return l, found && err == nil
	}
	if err := b.Bundle(ctx, o.Build, exists); err != nil {
		return sum, err
	}
	for _, d := range b.Diagnostics {
		fmt.Fprintln(log, d.String())
	}
	stage(o.Build, "Upload")
	if b.Static != nil {
		// The hashed names before the change set: the new functions
		// never name a file that is not there yet. A plan only adds
		// keys (nothing the live site serves changes) and leaves the
		// originals, which the live site serves, to deploy (below).
		step, what := staticHashed, "hashed names"
		if o.Command == "plan" {
			step, what = staticHashedAddOnly, "plan: hashed names added, originals left for deploy"
		}
		st, err := uploadStatic(ctx, c.S3, b.StaticBucket, b, step)
		sum.Static = &st
		if err != nil {
			return sum, err
		}
		if o.Command == "plan" {
			orig, err := uploadStatic(ctx, c.S3, b.StaticBucket, b, staticCheckOrigins)
			addStats(&st, orig)
			if err != nil {
				return sum, err
			}
		}
		logStaticUpload(log, what, st, b.StaticBucket, b)
	}
	up := &artifacts.Uploader{Client: c.S3, Log: log}
	stats, err := up.Upload(ctx, bucket, b.Objects())
	if b.Deps != nil && b.Deps.Exists {
		stats.Skipped++
	}
	sum.Artifacts = stats
	if err != nil {
		return sum, err
	}
	stage(o.Build, "Change set")

	root := b.Output.Templates[len(b.Output.Templates)-1]
	sizes := map[string]int{}
	for _, t := range b.Output.Templates {
		sizes[t.Name] = len(t.Body)
	}
	req := stack.Request{
		Project:       pl.Project,
		Environment:   pl.Environment,
		StackName:     pl.Stack,
		TemplateURL:   TemplateURL(bucket, c.Region, render.TemplateKey(pl.Project, root.SHA256)),
		TemplateSizes: sizes,
		Parameters:    map[string]string{"ArtifactsBucket": bucket},
		Commit:        o.Commit,
		RunID:         o.RunID,
		PR:            o.PR,
		Protected:     b.Config.Protected,
		FailOnEmpty:   o.FailOnEmpty,
		ChangeSetID:   o.ChangeSetID,
		Timeout:       o.Timeout,
		RoleARN:       o.RoleARN,
		Tags:          o.Tags,
		OnFailure:     o.OnFailure,

		NotificationARNs: o.NotificationARNs,
	}
	if pl.CloudFront() {
		req.Parameters["StaticBucket"] = b.StaticBucket
	}
	req.Sensitive = stack.NoEchoValues(root.Body, req.Parameters)
	if b.Output.APIKeyExpiry {
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		req.Parameters[APIKeyExpiresParam] = apiKeyExpiry(ctx, c.CFN, pl.Stack, now())
	}
	req.Parameters[render.ManageTemplateParam] = b.Output.ManageTemplateKey
	d := &stack.Deployer{CFN: c.CFN, Log: log, Poll: o.Poll, OnChangeSet: o.OnChangeSet}
	start := time.Now()
	db := &dbStep{c: c, b: b, log: log}
	if o.Timeout > 0 {
		db.deadline = start.Add(o.Timeout)
	}
	migratedFirst := false
	if o.Command == "deploy" && b.Config.MigrationsMode() == config.MigrationsBefore && db.enabled() {
		if o.ChangeSetID != "" {
			return sum, userError(fmt.Errorf("migrations: before updates the manage function before the reviewed change set, which would make it obsolete: deploy without change-set-id, or use migrations: auto for reviewed change sets"))
		}
		stage(o.Build, "Migrations before the update")
		done, err := manageFirst(ctx, c, d, req, b, log)
		if err != nil {
			sum.RootCause = err.Error()
			return sum, err
		}
		if done {
			if cause, err := db.run(ctx); err != nil {
				sum.RootCause = cause
				sum.Duration = time.Since(start)
				return sum, err
			}
			migratedFirst = true
		}
	}
	if o.Command == "deploy" && b.Static != nil {
		// The originals once the change set is ready to execute: a
		// change set that cannot be made changes nothing live.
		d.BeforeExecute = func(ctx context.Context) error {
			st, err := uploadStatic(ctx, c.S3, b.StaticBucket, b, staticOriginals)
			addStats(sum.Static, st)
			if err != nil {
				return err
			}
			logStaticUpload(log, "originals, before the change set executes", st, b.StaticBucket, b)
			return nil
		}
	}
	var res *stack.Result
	if o.Command == "plan" {
		res, err = d.Plan(ctx, req)
	} else {
		res, err = d.Deploy(ctx, req)
	}
	if err == nil && o.Command == "deploy" && !migratedFirst {
		stage(o.Build, "Migrations")
		var cause string
		if cause, err = db.run(ctx); err != nil && res != nil {
			res.RootCause = cause
		}
	}
	sum.Duration = time.Since(start)
	if res != nil {
		sum.ChangeSetID = res.ChangeSetID
		sum.HasChanges = res.HasChanges
		sum.Changes = res.Totals
		sum.Model = res.Model
		sum.Status = res.Status
		sum.RootCause = res.RootCause
		sum.StackID = res.StackID
		for k, v := range res.Outputs {
			sum.Outputs[k] = v
		}
	}
	return sum, err
}

// Objects lists what to upload: zips and referenced files first, then the
// templates children before the root, so a stack never points at a key that
// is not there yet.
func (b *Build) Objects() []artifacts.Object {
	var objs []artifacts.Object
	if d := b.Deps; d != nil && d.Zip != nil && !d.Exists {
		objs = append(objs, artifacts.Object{Key: ZipKey(b.Plan.Project, d.Hash), Path: d.Zip.Path,
			SHA256: d.Zip.SHA256, Size: d.Zip.Size, Kind: artifacts.KindZip,
			Metadata: map[string]string{artifacts.MetadataUnzipped: strconv.FormatInt(d.Zip.Stats.UnzippedBytes, 10)}})
	}
	for _, z := range b.Zips {
		objs = append(objs, artifacts.Object{Key: ZipKey(b.Plan.Project, z.SHA256), Path: z.Path, Body: z.Bytes,
			SHA256: z.SHA256, Size: z.Size, Kind: artifacts.KindZip})
	}
	for _, f := range b.Output.Files {
		objs = append(objs, artifacts.Object{Key: f.Key, Body: f.Body, SHA256: sha256Hex(f.Body), Kind: artifacts.KindZip})
	}
	for _, t := range b.Output.Templates {
		objs = append(objs, artifacts.Object{Key: render.TemplateKey(b.Plan.Project, t.SHA256), Body: t.Body,
			SHA256: t.SHA256, Kind: artifacts.KindTemplate})
	}
	return objs
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TemplateURL is the S3 https URL CloudFormation fetches a template from:
// always AWS's own virtual-hosted form, also when an endpoint override
// points the SDK elsewhere (DESIGN.md section 2), with the partition's
// domain (amazonaws.com.cn in China, as ${AWS::URLSuffix} gives nested
// stacks).
func TemplateURL(bucket, region, key string) string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://%s.s3.%s.%s/%s", bucket, region, suffix, key)
}

func destroy(ctx context.Context, c Clients, o Options) (*Summary, error) {
	b, err := NewPlan(ctx, o.Build)
	if err != nil {
		return nil, err
	}
	pl := b.Plan
	log := o.Build.Log
	sum := &Summary{Stack: pl.Stack, Environment: pl.Environment, Outputs: map[string]string{}, Build: b, Region: c.Region}
	// The environment's static files, as its deployment record names
	// them: read before the stack (and its template) goes.
	var rec *record.Record
	var recErr error
	if !b.Config.Protected {
		rec, _, recErr = PreviousRecord(ctx, c.CFN, c.S3, pl.Stack, o.ArtifactsBucket, o.Poll)
	}
	d := &stack.Deployer{CFN: c.CFN, Log: log, Poll: o.Poll}
	start := time.Now()
	if !o.KeepDatabase && !b.Config.Protected {
		if err := dropPreviewDatabase(ctx, c, b, o.Build.Log); err != nil {
			sum.RootCause = err.Error()
			return sum, fmt.Errorf("%w (or destroy with --keep-database)", err)
		}
	}
	err = d.Destroy(ctx, stack.Request{
		Project: pl.Project, Environment: pl.Environment, StackName: pl.Stack,
		Protected: b.Config.Protected, Commit: o.Commit, RunID: o.RunID, PR: o.PR, Timeout: o.Timeout,
		RoleARN: o.RoleARN,
	})
	sum.Duration = time.Since(start)
	if err != nil {
		return sum, err
	}
	sum.Status = "DELETE_COMPLETE"
	if recErr != nil {
		fmt.Fprintf(log, "warning: static files of %s not removed: %v\n", pl.Stack, recErr)
		return sum, nil
	}
	place, ok, err := staticPlaceOf(ctx, c, b, rec)
	if err != nil {
		return sum, fmt.Errorf("static files of %s: %w", pl.Stack, err)
	}
	if ok {
		st, err := removeStatic(ctx, c, place, pl.Project, pl.Stack, o.Poll)
		if err != nil {
			return sum, err
		}
		logStatic(log, place, st)
		sum.StaticRemoved = &st
	}
	return sum, nil
}
