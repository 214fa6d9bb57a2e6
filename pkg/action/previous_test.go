package action_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
	"github.com/django-serverless/django-serverless-action/pkg/config"
	"github.com/django-serverless/django-serverless-action/pkg/django"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// deployedStack stands for CloudFormation's view of one root stack: the
// statuses DescribeStacks reports in turn (the last one repeats), its
// parameters and the template GetTemplate returns. It fails on any other
// stack name.
type deployedStack struct {
	name     string
	statuses []string
	params   map[string]string
	outputs  map[string]string
	body     string
	describe int
	get      int
}

func (d *deployedStack) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if aws.ToString(in.StackName) != d.name {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + aws.ToString(in.StackName) + " does not exist"}
	}
	st := d.statuses[min(d.describe, len(d.statuses)-1)]
	d.describe++
	s := types.Stack{StackName: aws.String(d.name), StackStatus: types.StackStatus(st)}
	for k, v := range d.params {
		s.Parameters = append(s.Parameters, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	for _, k := range sortedStrings(d.outputs) {
		s.Outputs = append(s.Outputs, types.Output{OutputKey: aws.String(k), OutputValue: aws.String(d.outputs[k])})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{s}}, nil
}

func (d *deployedStack) GetTemplate(_ context.Context, in *cloudformation.GetTemplateInput, _ ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error) {
	d.get++
	if aws.ToString(in.StackName) != d.name || in.TemplateStage != types.TemplateStageOriginal {
		return nil, fmt.Errorf("GetTemplate %s %s: want %s, Original", aws.ToString(in.StackName), in.TemplateStage, d.name)
	}
	return &cloudformation.GetTemplateOutput{TemplateBody: aws.String(d.body)}, nil
}

func sortedStrings(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func motoS3(t *testing.T) (*s3.Client, string) {
	t.Helper()
	moto := testenv.MotoEndpoint(t)
	testenv.AWSEnv(t)
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	c := artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(moto) })
	bucket := fmt.Sprintf("ds-prev-%d", time.Now().UnixNano())
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	return c, bucket
}

func put(t *testing.T, c *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

func rootWithRecord(key string) string {
	return "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  DjangoServerless:\n    DeploymentRecord: \"" + key + "\"\nResources:\n  LambdasStack:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: !Sub \"https://${ArtifactsBucket}.s3.${AWS::Region}.${AWS::URLSuffix}/shop/templates/abc.yaml\"\n"
}

// TestPreviousRecord reads the record the deployed root template names,
// from the bucket the stack uses; no stack (or no deployed template) is
// the first-deploy layout; what cannot be read is an error, never a
// silent relayout.
func TestPreviousRecord(t *testing.T) {
	c, bucket := motoS3(t)
	_, other := motoS3(t)
	rec := &record.Record{Stack: "shop-dev", Functions: []record.Function{{Name: "Default", PhysicalName: "shop-dev_Default", Shard: 1}, {Name: "Home", PhysicalName: "shop-dev_Home", Shard: 2}}}
	body, sha, err := rec.Encode()
	if err != nil {
		t.Fatal(err)
	}
	key := record.Key("shop", sha)
	put(t, c, bucket, key, body)
	ctx := context.Background()

	// Deployed with the bucket in its parameters (the run names another).
	st := &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"}, params: map[string]string{"ArtifactsBucket": bucket}, body: rootWithRecord(key)}
	got, note, err := action.PreviousRecord(ctx, st, c, "shop-dev", other, time.Millisecond)
	if err != nil || note != "" || got == nil || len(got.Functions) != 2 || got.Functions[1].Shard != 2 {
		t.Fatalf("record %+v note %q err %v", got, note, err)
	}
	if st.describe != 3 || st.get != 1 {
		t.Errorf("%d DescribeStacks, %d GetTemplate: a busy stack is waited for, then read once", st.describe, st.get)
	}

	for _, status := range []string{"REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"} {
		st := &deployedStack{name: "shop-dev", statuses: []string{status}, body: rootWithRecord(key)}
		if got, _, err := action.PreviousRecord(ctx, st, c, "shop-dev", bucket, time.Millisecond); got != nil || err != nil || st.get != 0 {
			t.Errorf("%s: %+v %v (GetTemplate %d)", status, got, err, st.get)
		}
	}
	if got, _, err := action.PreviousRecord(ctx, st, c, "shop-prod", bucket, time.Millisecond); got != nil || err != nil {
		t.Errorf("no stack: %+v %v", got, err)
	}
	old := &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_COMPLETE"}, body: "Resources:\n  A:\n    Type: AWS::SNS::Topic\n"}
	if got, note, err := action.PreviousRecord(ctx, old, c, "shop-dev", bucket, time.Millisecond); got != nil || err != nil || !strings.Contains(note, "without a deployment record") {
		t.Errorf("stack from before records: %+v %q %v", got, note, err)
	}

	// Errors: the record named is not in the bucket; another stack's
	// record; a record from a newer version.
	gone := &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_COMPLETE"}, body: rootWithRecord("shop/records/nope.json")}
	if _, _, err := action.PreviousRecord(ctx, gone, c, "shop-dev", bucket, time.Millisecond); err == nil || !strings.Contains(err.Error(), "shop/records/nope.json") {
		t.Errorf("missing record: %v", err)
	}
	foreign := &record.Record{Stack: "shop-prod"}
	fb, fsha, _ := foreign.Encode()
	put(t, c, bucket, record.Key("shop", fsha), fb)
	st = &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_COMPLETE"}, body: rootWithRecord(record.Key("shop", fsha))}
	if _, _, err := action.PreviousRecord(ctx, st, c, "shop-dev", bucket, time.Millisecond); err == nil || !strings.Contains(err.Error(), "belongs to stack shop-prod") {
		t.Errorf("foreign record: %v", err)
	}
	put(t, c, bucket, "shop/records/v9.json", []byte(`{"version": 9}`))
	st = &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_COMPLETE"}, body: rootWithRecord("shop/records/v9.json")}
	if _, _, err := action.PreviousRecord(ctx, st, c, "shop-dev", bucket, time.Millisecond); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("newer record: %v", err)
	}
	// A stack that stays busy past the deadline.
	busy := &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_IN_PROGRESS"}}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := action.PreviousRecord(cctx, busy, c, "shop-dev", bucket, time.Millisecond); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "stack busy (UPDATE_IN_PROGRESS)") {
		t.Errorf("busy stack: %v", err)
	}
}

// TestAccountID asks moto's STS, which answers as AWS does.
// TestPreviousRecordInfersTheAPI: a record written before it named the
// API (the stack's API type, its custom domain and their logical IDs)
// gets them from the root stack's outputs, with the IDs every API had
// then; a record that names them is read as written.
func TestPreviousRecordInfersTheAPI(t *testing.T) {
	c, bucket := motoS3(t)
	ctx := context.Background()
	read := func(rec *record.Record, outputs map[string]string) *record.API {
		t.Helper()
		body, sha, err := rec.Encode()
		if err != nil {
			t.Fatal(err)
		}
		key := record.Key("shop", sha)
		put(t, c, bucket, key, body)
		st := &deployedStack{name: "shop-dev", statuses: []string{"UPDATE_COMPLETE"}, params: map[string]string{"ArtifactsBucket": bucket}, outputs: outputs, body: rootWithRecord(key)}
		got, _, err := action.PreviousRecord(ctx, st, c, "shop-dev", bucket, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return got.API
	}
	old := &record.Record{Stack: "shop-dev"}
	for _, x := range []struct {
		outputs map[string]string
		want    *record.API
	}{
		{map[string]string{"ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev/"}, &record.API{Type: "rest", StageID: "Stage", Inferred: true}},
		{map[string]string{"ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/", "SiteUrl": "https://www.example.com/", "DomainTarget": "d-1.execute-api.us-east-1.amazonaws.com"},
			&record.API{Type: "http", StageID: "Stage", Domain: "www.example.com", DomainID: "CustomDomain", Inferred: true, SiteDomain: "www.example.com"}},
		{map[string]string{"ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev/", "SiteUrl": "https://www.example.com/", "DomainTarget": "d1.cloudfront.net", "DistributionId": "E1"},
			&record.API{Type: "rest", StageID: "Stage", Inferred: true, SiteDomain: "www.example.com"}},
		{nil, nil},
	} {
		if got := read(old, x.outputs); (got == nil) != (x.want == nil) || (got != nil && *got != *x.want) {
			t.Errorf("outputs %v: %+v, want %+v", x.outputs, got, x.want)
		}
	}
	written := &record.Record{Stack: "shop-dev", API: &record.API{Type: "http", StageID: "HttpStage"}}
	if got := read(written, map[string]string{"ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev/"}); got == nil || *got != *written.API {
		t.Errorf("written record: %+v", got)
	}
}

func TestAccountID(t *testing.T) {
	moto := testenv.MotoEndpoint(t)
	testenv.AWSEnv(t)
	cfg, err := artifacts.LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := action.AccountID(context.Background(), sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(moto) }))
	if err != nil || len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		t.Errorf("account %q, %v", id, err)
	}
	if _, err := action.AccountID(context.Background(), nil); err == nil {
		t.Error("no STS client accepted")
	}
}

// TestDepsLayerSizeFromBucket: a dependencies layer found in the bucket
// and not built here counts toward Lambda's 250 MB with its real
// unzipped size, read from its zip directory by ranged GETs.
func TestDepsLayerSizeFromBucket(t *testing.T) {
	c, bucket := motoS3(t)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var want int64
	for i := range 300 {
		w, _ := zw.Create(fmt.Sprintf("python/pkg%03d/module.py", i))
		data := bytes.Repeat([]byte{byte('a' + i%26)}, 1000+i*37)
		w.Write(data)
		want += int64(len(data))
	}
	zw.Close()
	put(t, c, bucket, "shop/deps.zip", buf.Bytes())
	got, err := action.ZipUnzippedSize(context.Background(), c, bucket, "shop/deps.zip")
	if err != nil || got != want {
		t.Errorf("unzipped size %d, want %d (%v)", got, want, err)
	}
	if _, err := action.ZipUnzippedSize(context.Background(), c, bucket, "shop/none.zip"); err == nil {
		t.Error("missing object: no error")
	}
}

// bucketDeps is a DepsBuilder whose layer is already in the bucket and is
// not built here.
type bucketDeps struct{ hash string }

func (d bucketDeps) BuildLayer(context.Context, *django.Project, *config.Config, func(string) bool) (*action.DepsLayer, error) {
	return &action.DepsLayer{Hash: d.hash, Exists: true}, nil
}

// TestDepsLayerInBucketCountsToward250MB: a dependencies layer found in
// the bucket counts with its recorded (or measured) unzipped size; too
// big with the rest, nothing is rendered.
func TestDepsLayerInBucketCountsToward250MB(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	var asked string
	opts := action.BuildOptions{ProjectDir: exampleDir(t, "tutorial"), Environment: "dev", WorkDir: t.TempDir(), Deps: bucketDeps{hash},
		DepsUnzippedSize: func(_ context.Context, key string) (int64, error) { asked = key; return 250 << 20, nil }}
	_, err := action.NewBuild(context.Background(), opts)
	if err == nil || !errors.Is(err, action.ErrConfig) || !strings.Contains(err.Error(), "250") || !strings.Contains(err.Error(), "deps layer (in the bucket)") {
		t.Fatalf("250 MB layer in the bucket: %v", err)
	}
	if asked != "tutorial/"+hash+".zip" {
		t.Errorf("asked the size of %q", asked)
	}
	opts.DepsUnzippedSize = func(context.Context, string) (int64, error) { return 40 << 20, nil }
	b, err := action.NewBuild(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rec := b.Output.Placement.DepsLayer; rec == nil || rec.UnzippedSize != 40<<20 || rec.Key != "tutorial/"+hash+".zip" {
		t.Errorf("the record keeps the layer's size for the next run: %+v", rec)
	}
}

func TestTemplateURL(t *testing.T) {
	for region, want := range map[string]string{
		"eu-west-1":  "https://b.s3.eu-west-1.amazonaws.com/k.yaml",
		"cn-north-1": "https://b.s3.cn-north-1.amazonaws.com.cn/k.yaml",
	} {
		if got := action.TemplateURL("b", region, "k.yaml"); got != want {
			t.Errorf("%s: %s, want %s", region, got, want)
		}
	}
}

// TestRenderOutTarget: render --account-id/--region names the real target
// in the OpenAPI document; a bad account ID is a usage error.
func TestRenderOutTarget(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	env := cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == "AWS_REGION" {
			return "eu-central-1"
		}
		return ""
	}}
	args := []string{"render", "--project", exampleDir(t, "tutorial"), "--out", out, "--account-id", "210987654321"}
	if code := cli.Run(context.Background(), args, env); code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	doc, err := os.ReadFile(filepath.Join(out, action.OpenAPIFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("arn:aws:lambda:eu-central-1:210987654321:function:tutorial-dev_")) || strings.Contains(stderr.String(), "placeholders") {
		t.Errorf("document does not name the given target:\n%s", stderr.String())
	}
	if code := cli.Run(context.Background(), []string{"render", "--project", exampleDir(t, "tutorial"), "--account-id", "12"}, env); code != cli.ExitUsage {
		t.Errorf("bad --account-id: exit %d", code)
	}
}
