package artifacts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

// motoClient returns an S3 client built the production way (LoadConfig,
// standard retryer) pointed at endpoint.
func motoClient(t *testing.T, endpoint, region string) *s3.Client {
	t.Helper()
	cfg, err := LoadConfig(context.Background(), region)
	if err != nil {
		t.Fatal(err)
	}
	return NewS3ClientFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.DisableLogOutputChecksumValidationSkipped = true // moto stores composite checksums; GETs are hashed by the tests
		// moto returns a multipart object's composite checksum without its
		// "-<parts>", which the SDK would take for a full-object one.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// newBucket creates a fresh bucket (moto is shared by the whole run).
func newBucket(t *testing.T, c *s3.Client, region string) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "t-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + hex.EncodeToString(b[:])
	name = strings.ReplaceAll(name, "_", "-")
	in := &s3.CreateBucketInput{Bucket: &name}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := c.CreateBucket(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return name
}

// writeTree writes files (relative path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkout copies a source tree into a new folder with new mtimes, as a
// fresh clone in CI would.
func checkout(t *testing.T, files map[string]string, mtime time.Time) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	for rel := range files {
		if err := os.Chtimes(filepath.Join(dir, rel), mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// artifactsOf bundles a checkout the way a deploy does: one zip per code
// folder (with pkg/bundle), then a child template naming the zips' keys
// and a root template naming the child's key, so a change anywhere
// reaches the root. Templates are returned children first.
func artifactsOf(t *testing.T, src, prefix string) []Object {
	t.Helper()
	out := t.TempDir()
	var objs []Object
	var child strings.Builder
	for _, folder := range []string{"deps", "project", "handler"} {
		a, err := bundle.Build(out, folder, func(w io.Writer) error {
			_, err := bundle.ZipDir(context.Background(), w, filepath.Join(src, folder), bundle.Options{Prefix: "python/"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, ZipObject(prefix, a))
		fmt.Fprintf(&child, "%s: %s\n", folder, ZipKey(prefix, a.SHA256))
	}
	childObj := templateObject(prefix, child.String())
	root := templateObject(prefix, "Resources:\n  Lambdas:\n    TemplateURL: "+childObj.Key+"\n")
	return append(objs, childObj, root)
}

func templateObject(prefix, body string) Object { return TemplateObject(prefix, []byte(body)) }

// recorder wraps the real client and records the keys written, in order.
type recorder struct {
	S3API
	mu   sync.Mutex
	puts []string
}

func (r *recorder) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	out, err := r.S3API.PutObject(ctx, in, o...)
	if err == nil {
		r.mu.Lock()
		r.puts = append(r.puts, *in.Key)
		r.mu.Unlock()
	}
	return out, err
}

func (r *recorder) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, o ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	out, err := r.S3API.CompleteMultipartUpload(ctx, in, o...)
	if err == nil {
		r.mu.Lock()
		r.puts = append(r.puts, *in.Key)
		r.mu.Unlock()
	}
	return out, err
}

var sourceTree = map[string]string{
	"deps/requests/__init__.py":  "VERSION = '2.32'\n" + strings.Repeat("# padding\n", 200),
	"deps/six.py":                "PY3 = True\n",
	"project/shop/settings.py":   "DEBUG = False\n",
	"project/shop/views.py":      "def index(request):\n    return 'v1'\n",
	"project/shop/__init__.py":   "",
	"handler/lambda_function.py": "from django_serverless.handler import handle\n",
}

func TestUploadUploadsNothingTwice(t *testing.T) {
	testenv.AWSEnv(t)
	ep := testenv.MotoEndpoint(t)
	ctx := context.Background()
	c := motoClient(t, ep, "us-east-1")
	bucket := newBucket(t, c, "us-east-1")

	// First deploy: everything goes up; templates last, child before root.
	objs := artifactsOf(t, checkout(t, sourceTree, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), "shop")
	rec := &recorder{S3API: c}
	var log bytes.Buffer
	st, err := (&Uploader{Client: rec, Log: &log}).Upload(ctx, bucket, objs)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, o := range objs {
		total += o.Size
	}
	if diff := cmp.Diff(Stats{Uploaded: 5, UploadedBytes: total}, st); diff != "" {
		t.Errorf("first upload stats (-want +got):\n%s", diff)
	}
	if got := rec.puts[3:]; !cmp.Equal(got, []string{objs[3].Key, objs[4].Key}) {
		t.Errorf("templates must go last, child then root; put order %v", rec.puts)
	}
	var wantLog strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&wantLog, "uploaded %s (%s)\n", o.Key, humanBytes(o.Size))
	}
	if diff := cmp.Diff(wantLog.String(), log.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	assertStored(t, c, bucket, objs)

	// A fresh checkout with other mtimes gives the same zips: 0 bytes.
	again := artifactsOf(t, checkout(t, sourceTree, time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)), "shop")
	for i := range objs {
		if again[i].Key != objs[i].Key {
			t.Fatalf("fresh checkout changed %s -> %s", objs[i].Key, again[i].Key)
		}
	}
	log.Reset()
	st, err = (&Uploader{Client: c, Log: &log}).Upload(ctx, bucket, again)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Stats{Skipped: 5}, st); diff != "" {
		t.Errorf("re-run stats (-want +got):\n%s", diff)
	}
	if n := strings.Count(log.String(), "(exists, sha256 verified)\n"); n != 5 {
		t.Errorf("want 5 'skipped ... (exists, sha256 verified)' lines, got:\n%s", log.String())
	}

	// One view changes: the project zip and both templates go up.
	changed := map[string]string{}
	for k, v := range sourceTree {
		changed[k] = v
	}
	changed["project/shop/views.py"] = "def index(request):\n    return 'v2'\n"
	third := artifactsOf(t, checkout(t, changed, time.Now()), "shop")
	st, err = (&Uploader{Client: c}).Upload(ctx, bucket, third)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Uploaded: 3, UploadedBytes: third[1].Size + third[3].Size + third[4].Size, Skipped: 2}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("one view changed (-want +got):\n%s", diff)
	}
	assertStored(t, c, bucket, append(objs, third...))
}

// assertStored downloads every object and checks its bytes against its
// sha256 (moto does not validate checksums, so integrity is proved by
// hashing what a GET returns), and that the bucket holds exactly these
// keys and no unfinished multipart upload.
func assertStored(t *testing.T, c *s3.Client, bucket string, objs []Object) {
	t.Helper()
	ctx := context.Background()
	want := map[string]bool{}
	for _, o := range objs {
		want[o.Key] = true
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &o.Key})
		if err != nil {
			t.Errorf("get %s: %v", o.Key, err)
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != o.SHA256 {
			t.Errorf("%s: stored bytes hash to %s", o.Key, got)
		}
		if got := out.Metadata[MetadataSHA256]; got != o.SHA256 {
			t.Errorf("%s: sha256 metadata %q", o.Key, got)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var got, wantKeys []string
	for _, o := range list.Contents {
		got = append(got, *o.Key)
	}
	for k := range want {
		wantKeys = append(wantKeys, k)
	}
	sort.Strings(wantKeys)
	if diff := cmp.Diff(wantKeys, got); diff != "" {
		t.Errorf("bucket keys (-want +got):\n%s", diff)
	}
	mu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(mu.Uploads) != 0 {
		t.Errorf("%d multipart uploads left unfinished", len(mu.Uploads))
	}
}

func TestUploadReplacesWrongBytes(t *testing.T) {
	testenv.AWSEnv(t)
	c := motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	ctx := context.Background()
	bucket := newBucket(t, c, "us-east-1")
	obj := templateObject("shop", "Resources: {}\n")
	// Someone wrote other bytes under the content-addressed key.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &obj.Key, Body: strings.NewReader("garbage"),
		Metadata: map[string]string{MetadataSHA256: strings.Repeat("0", 64)}}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	st, err := (&Uploader{Client: c, Log: &log}).Upload(ctx, bucket, []Object{obj})
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != 1 || !strings.Contains(log.String(), "replaced an object whose bytes were wrong: the object holds 7 bytes, not 14") {
		t.Errorf("stats %+v, log %q", st, log.String())
	}
	assertStored(t, c, bucket, []Object{obj})
}

func TestUploadMultipart(t *testing.T) {
	testenv.AWSEnv(t)
	c := motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	bucket := newBucket(t, c, "us-east-1")
	big := bigObject(t, "shop", 11<<20)
	rec := &recorder{S3API: c}
	u := &Uploader{Client: rec, PartSize: 5 << 20, MultipartThreshold: 6 << 20}
	st, err := u.Upload(context.Background(), bucket, []Object{big})
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != 1 || st.UploadedBytes != big.Size {
		t.Errorf("stats %+v", st)
	}
	assertStored(t, c, bucket, []Object{big})
}

// bigObject writes n pseudo-random (incompressible, reproducible) bytes.
func bigObject(t *testing.T, prefix string, n int) Object {
	t.Helper()
	b := make([]byte, n)
	x := uint64(88172645463325252)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	p := filepath.Join(t.TempDir(), h+".zip")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return Object{Key: prefix + "/" + h + ".zip", Path: p, SHA256: h, Size: int64(n), Kind: KindZip}
}

func TestUploadRefusesChangedFile(t *testing.T) {
	testenv.AWSEnv(t)
	c := motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	bucket := newBucket(t, c, "us-east-1")
	for _, multipart := range []bool{false, true} {
		o := bigObject(t, "shop", 6<<20)
		f, err := os.OpenFile(o.Path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt([]byte("tampered"), 100)
		f.Close()
		u := &Uploader{Client: c}
		if multipart {
			u.PartSize, u.MultipartThreshold = 5<<20, 5<<20
		}
		_, err = u.Upload(context.Background(), bucket, []Object{o})
		if err == nil || !strings.Contains(err.Error(), "not "+o.SHA256+" as its key says") {
			t.Fatalf("multipart=%v: want a sha256 mismatch error, got %v", multipart, err)
		}
	}
	assertStored(t, c, bucket, nil)
}

// inflight counts UploadPart calls running at once.
type inflight struct {
	S3API
	mu       sync.Mutex
	now, max int
	parts    int
}

func (c *inflight) UploadPart(ctx context.Context, in *s3.UploadPartInput, o ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	c.mu.Lock()
	c.now++
	c.parts++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	time.Sleep(20 * time.Millisecond) // let the other workers reach the store
	return c.S3API.UploadPart(ctx, in, o...)
}

// The transfer manager sends parts concurrently, S3 keeps the COMPOSITE
// checksum of the parts (so the next run trusts the object without
// downloading it), and a failed upload is aborted: no incomplete upload
// is left behind.
func TestMultipartTransferManager(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	c := motoClient(t, moto, "us-east-1")
	bucket := newBucket(t, c, "us-east-1")
	ctx := context.Background()
	big := bigObject(t, "shop", 26<<20)
	rec := &inflight{S3API: c}
	u := &Uploader{Client: rec, PartSize: 5 << 20, MultipartThreshold: 6 << 20, PartConcurrency: 3}
	if _, err := u.Upload(ctx, bucket, []Object{big}); err != nil {
		t.Fatal(err)
	}
	if rec.parts != 6 || rec.max < 2 || rec.max > 3 {
		t.Errorf("parts %d, at most %d at once; want 6 parts, 2 or 3 at once", rec.parts, rec.max)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &big.Key, ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := u.checksumFor(big)
	if !sameChecksum(aws.ToString(head.ChecksumSHA256), want) || head.Metadata[MetadataChecksum] != want {
		t.Errorf("stored checksum %q, metadata %q; want the composite %q", aws.ToString(head.ChecksumSHA256), head.Metadata[MetadataChecksum], want)
	}
	assertStored(t, c, bucket, []Object{big})

	// Part 4 is refused on every attempt: the upload fails and is aborted.
	other := bigObject(t, "other", 21<<20)
	_, ep := newFaultProxy(t, moto, func(r *http.Request, _, _ int) string {
		if r.URL.Query().Get("partNumber") == "4" {
			return "403"
		}
		return ""
	})
	_, err = (&Uploader{Client: proxiedClient(t, ep), PartSize: 5 << 20, MultipartThreshold: 6 << 20}).Upload(ctx, bucket, []Object{other})
	if err == nil || !strings.Contains(err.Error(), "s3:PutObject (UploadPart) s3://"+bucket+"/"+other.Key+": access denied") {
		t.Fatalf("want access denied on UploadPart, got %v", err)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%d incomplete multipart uploads left after the failure", len(ups.Uploads))
	}
}
