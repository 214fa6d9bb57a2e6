package artifacts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// faultProxy is a reverse proxy in front of moto that misbehaves on
// purpose. plan decides, per request and attempt (1-based, counted per
// method+path+part), what goes wrong: "" (forward), "503" (SlowDown),
// "500" (InternalError), "drop" (read half the body, then close the
// connection without answering), "403" (AccessDenied), "corrupt" (flip a
// byte of the request body in transit; the proxy then checks the body
// against its x-amz-checksum-sha256 header and answers BadDigest, as S3
// documents: moto validates no checksum, so the proxy stands in for S3
// there), "corrupt-unchecked" (flip a byte and drop the checksum headers:
// moto then keeps the wrong bytes, as a store that validates and keeps no
// checksum would) or "nosuchupload" (the multipart upload was aborted
// meanwhile).
type faultProxy struct {
	rp   *httputil.ReverseProxy
	plan func(r *http.Request, n, attempt int) string

	mu       sync.Mutex
	attempts map[string]int
	order    map[string]int // first-seen index of each request identity
	count    map[string]int // faults injected, by kind
}

func newFaultProxy(t *testing.T, target string, plan func(r *http.Request, n, attempt int) string) (*faultProxy, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(u), plan: plan,
		attempts: map[string]int{}, order: map[string]int{}, count: map[string]int{}}
	p.rp.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Method + " " + r.URL.Path + "?" + r.URL.Query().Get("partNumber")
	p.mu.Lock()
	if _, ok := p.order[id]; !ok {
		p.order[id] = len(p.order)
	}
	p.attempts[id]++
	fault := p.plan(r, p.order[id], p.attempts[id])
	if fault != "" {
		p.count[fault]++
	}
	p.mu.Unlock()

	switch fault {
	case "503":
		s3Error(w, r, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	case "500":
		s3Error(w, r, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	case "403":
		s3Error(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
	case "301":
		s3Error(w, r, http.StatusMovedPermanently, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.")
	case "nosuchupload":
		s3Error(w, r, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	case "corrupt", "corrupt-unchecked":
		body, _ := io.ReadAll(r.Body)
		if len(body) > 0 {
			body[len(body)/2] ^= 0xff
		}
		if declared := r.Header.Get("X-Amz-Checksum-Sha256"); fault == "corrupt" && declared != "" {
			sum := sha256.Sum256(body)
			if base64.StdEncoding.EncodeToString(sum[:]) != declared {
				r.Body = io.NopCloser(bytes.NewReader(body))
				s3Error(w, r, http.StatusBadRequest, "BadDigest", "The SHA256 you specified did not match the calculated checksum.")
				return
			}
		}
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") || strings.ToLower(k) == "x-amz-sdk-checksum-algorithm" {
				r.Header.Del(k)
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.rp.ServeHTTP(w, r)
	case "drop":
		if r.ContentLength > 0 {
			io.CopyN(io.Discard, r.Body, r.ContentLength/2)
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		p.rp.ServeHTTP(w, r)
	}
}

func (p *faultProxy) injected() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.count {
		out[k] = v
	}
	return out
}

func s3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>`, code, msg)
	}
}

// proxiedClient is the production client (LoadConfig's retryer, 8
// attempts) with its backoff shortened so the test stays fast.
func proxiedClient(t *testing.T, endpoint string) *s3.Client {
	t.Helper()
	cfg, err := LoadConfig(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return NewS3ClientFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = retry.AddWithMaxBackoffDelay(o.Retryer, 20*time.Millisecond)
	})
}

func TestUploadSurvivesFaults(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	direct := motoClient(t, moto, "us-east-1")
	bucket := newBucket(t, direct, "us-east-1")

	kinds := []string{"503", "500", "drop"}
	proxy, ep := newFaultProxy(t, moto, func(r *http.Request, n, attempt int) string {
		if r.Method != http.MethodPut && r.Method != http.MethodHead {
			return ""
		}
		switch {
		case attempt == 1:
			return kinds[n%len(kinds)]
		case attempt == 2 && n%2 == 0:
			return kinds[(n+1)%len(kinds)]
		}
		return ""
	})

	objs := artifactsOf(t, checkout(t, sourceTree, time.Unix(0, 0)), "shop")
	objs = append([]Object{bigObject(t, "shop", 11<<20)}, objs...)
	u := &Uploader{Client: proxiedClient(t, ep), PartSize: 5 << 20, MultipartThreshold: 6 << 20}
	st, err := u.Upload(context.Background(), bucket, objs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != len(objs) {
		t.Errorf("uploaded %d of %d", st.Uploaded, len(objs))
	}
	got := proxy.injected()
	for _, k := range kinds {
		if got[k] == 0 {
			t.Errorf("no %s fault was injected (%v): the test proves nothing", k, got)
		}
	}
	// moto does not validate checksums: every object is downloaded
	// directly (not through the proxy) and hashed.
	assertStored(t, direct, bucket, objs)
}

func TestUploadAccessDenied(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	direct := motoClient(t, moto, "us-east-1")
	bucket := newBucket(t, direct, "us-east-1")
	objs := artifactsOf(t, checkout(t, sourceTree, time.Unix(0, 0)), "shop")

	for _, tc := range []struct {
		name string
		objs []Object
		plan func(r *http.Request, n, attempt int) string
		want string
	}{
		{"PutObject", objs, func(r *http.Request, _, _ int) string {
			if r.Method == http.MethodPut {
				return "403"
			}
			return ""
		}, "s3:PutObject s3://" + bucket + "/shop/"},
		{"UploadPart", []Object{bigObject(t, "shop", 6<<20)}, func(r *http.Request, _, _ int) string {
			if r.URL.Query().Has("partNumber") {
				return "403"
			}
			return ""
		}, "s3:PutObject (UploadPart) s3://" + bucket + "/shop/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ep := newFaultProxy(t, moto, tc.plan)
			u := &Uploader{Client: proxiedClient(t, ep), PartSize: 5 << 20, MultipartThreshold: 5 << 20}
			_, err := u.Upload(context.Background(), bucket, tc.objs)
			if err == nil {
				t.Fatal("upload succeeded through a proxy denying writes")
			}
			msg := err.Error()
			for _, want := range []string{tc.want, "access denied: grant the deploy role s3:PutObject on arn:aws:s3:::" + bucket + "/shop/*"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Count(msg, "access denied") != 1 {
				t.Errorf("want one error, got %q", msg)
			}
			// Nothing partial under a final key, no multipart upload left.
			assertStored(t, direct, bucket, nil)
		})
	}
}

func TestLoadConfigNoCredentials(t *testing.T) {
	testenv.AWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	_, err := NewS3Client(context.Background(), "us-east-1")
	if err == nil || !strings.Contains(err.Error(), "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("want a no-credentials error, got %v", err)
	}
}

func TestUploadMissingBucket(t *testing.T) {
	testenv.AWSEnv(t)
	c := motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	objs := artifactsOf(t, checkout(t, sourceTree, time.Unix(0, 0)), "shop")
	_, err := (&Uploader{Client: c}).Upload(context.Background(), "no-such-artifacts-bucket", objs)
	if err == nil || !strings.Contains(err.Error(), "bucket no-such-artifacts-bucket does not exist: create it or leave the artifacts-bucket input empty") {
		t.Fatalf("want a missing-bucket error, got %v", err)
	}
}

func TestNewS3ClientEndpointOverride(t *testing.T) {
	testenv.AWSEnv(t)
	ep := testenv.MotoEndpoint(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", ep)
	c, err := NewS3Client(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if o := c.Options(); !o.UsePathStyle || aws.ToString(o.BaseEndpoint) != ep {
		t.Fatalf("endpoint %q path-style %v", aws.ToString(o.BaseEndpoint), o.UsePathStyle)
	}
	// Path-style is what makes a loopback endpoint work at all.
	b := newBucket(t, c, "us-east-1")
	if _, err := c.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &b}); err != nil {
		t.Fatal(err)
	}
}

func TestUploadBucketInAnotherRegion(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	bucket := newBucket(t, motoClient(t, moto, "us-east-1"), "us-east-1")
	// What S3 answers when the client's region is not the bucket's.
	_, ep := newFaultProxy(t, moto, func(*http.Request, int, int) string { return "301" })
	objs := artifactsOf(t, checkout(t, sourceTree, time.Unix(0, 0)), "shop")
	_, err := (&Uploader{Client: proxiedClient(t, ep)}).Upload(context.Background(), bucket, objs)
	want := "bucket " + bucket + " is in another region than the one configured: set the region input to the bucket's region"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}

// Finding 7, against moto through a proxy: a body corrupted on its way in
// (moto stores whatever arrives, as a store that does not validate
// checksums would) and wrong bytes planted under a right key (a same-size
// object of zeros, a 0-byte object) are never left in place: every key
// ends up holding the bytes it names, and the log says what was replaced.
func TestFaultCorruptAndPlantedObjectsReplaced(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	direct := motoClient(t, moto, "us-east-1")
	bucket := newBucket(t, direct, "us-east-1")
	ctx := context.Background()

	objs := artifactsOf(t, checkout(t, sourceTree, time.Unix(0, 0)), "shop")
	big := bigObject(t, "shop", 11<<20)
	objs = append([]Object{big}, objs...)
	// Planted: zeros of the right size under the first zip's key, nothing
	// under the second's, a 0-byte object under a template's key.
	zeros := make([]byte, objs[1].Size)
	for _, pl := range []struct {
		key  string
		body []byte
	}{{objs[1].Key, zeros}, {objs[len(objs)-1].Key, nil}} {
		if _, err := direct.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(pl.key), Body: bytes.NewReader(pl.body)}); err != nil {
			t.Fatal(err)
		}
	}
	// In transit: the first PUT of the project zip and the first part of
	// the big object arrive with a byte flipped and are refused
	// (BadDigest); the first PUT of the handler zip arrives flipped
	// without its checksum and is kept as it came.
	proxy, ep := newFaultProxy(t, moto, func(r *http.Request, n, attempt int) string {
		if r.Method != http.MethodPut || attempt > 1 {
			return ""
		}
		switch {
		case strings.HasSuffix(r.URL.Path, objs[2].Key), r.URL.Query().Get("partNumber") == "1":
			return "corrupt"
		case strings.HasSuffix(r.URL.Path, objs[3].Key):
			return "corrupt-unchecked"
		}
		return ""
	})
	var log bytes.Buffer
	u := &Uploader{Client: proxiedClient(t, ep), Log: &log, PartSize: 5 << 20, MultipartThreshold: 6 << 20}
	st, err := u.Upload(ctx, bucket, objs)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if got := proxy.injected(); got["corrupt"] != 2 || got["corrupt-unchecked"] != 1 {
		t.Errorf("faults injected %v, want 2 corrupt and 1 corrupt-unchecked (the test proves nothing otherwise)", got)
	}
	if st.Uploaded != len(objs) {
		t.Errorf("uploaded %d of %d\n%s", st.Uploaded, len(objs), log.String())
	}
	for _, want := range []string{
		objs[1].Key + " (" + humanBytes(objs[1].Size) + ", replaced an object whose bytes were wrong: it has no stored checksum and its bytes hash to",
		objs[len(objs)-1].Key + " (" + humanBytes(objs[len(objs)-1].Size) + ", replaced an object whose bytes were wrong: the object holds 0 bytes",
		objs[2].Key + " (" + humanBytes(objs[2].Size) + ", uploaded again: the first upload arrived with other bytes than sent (BadDigest)",
		big.Key + " (" + humanBytes(big.Size) + ", uploaded again: the first upload arrived with other bytes than sent (BadDigest)",
		objs[3].Key + " (" + humanBytes(objs[3].Size) + ", uploaded again: the first upload was stored with other bytes",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	// moto validates nothing: every object is downloaded directly and
	// hashed.
	assertStored(t, direct, bucket, objs)

	// A body corrupted on every attempt fails the upload: nothing wrong
	// stays trusted.
	obj := templateObject("shop", "Resources: {Always: corrupted}\n")
	_, ep2 := newFaultProxy(t, moto, func(r *http.Request, _, _ int) string {
		if r.Method == http.MethodPut {
			return "corrupt-unchecked"
		}
		return ""
	})
	_, err = (&Uploader{Client: proxiedClient(t, ep2)}).Upload(ctx, bucket, []Object{obj})
	if err == nil || !strings.Contains(err.Error(), "the store does not hold what was sent") {
		t.Fatalf("want an error, got %v", err)
	}
	if _, err := (&Uploader{Client: direct}).Upload(ctx, bucket, []Object{obj}); err != nil {
		t.Fatal(err)
	}
	assertStored(t, direct, bucket, append(objs, obj))
}

// Finding 9: a multipart upload aborted meanwhile, and one cancelled by
// the run, are reported as what they are, not as a permission failure.
func TestMultipartAbortedAndCancelledReported(t *testing.T) {
	testenv.AWSEnv(t)
	moto := testenv.MotoEndpoint(t)
	bucket := newBucket(t, motoClient(t, moto, "us-east-1"), "us-east-1")
	big := bigObject(t, "shop", 11<<20)
	_, ep := newFaultProxy(t, moto, func(r *http.Request, _, _ int) string {
		if r.URL.Query().Get("partNumber") == "2" {
			return "nosuchupload"
		}
		return ""
	})
	_, err := (&Uploader{Client: proxiedClient(t, ep), PartSize: 5 << 20, MultipartThreshold: 6 << 20}).Upload(context.Background(), bucket, []Object{big})
	if err == nil || !strings.Contains(err.Error(), "the multipart upload was aborted while it ran") || strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "credentials") {
		t.Errorf("aborted upload: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, ep2 := newFaultProxy(t, moto, func(r *http.Request, _, _ int) string {
		if r.URL.Query().Get("partNumber") == "2" {
			cancel()
		}
		return ""
	})
	_, err = (&Uploader{Client: proxiedClient(t, ep2), PartSize: 5 << 20, MultipartThreshold: 6 << 20}).Upload(ctx, bucket, []Object{big})
	if err == nil || !strings.Contains(err.Error(), "cancelled") || strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("cancelled upload: %v", err)
	}
	// Both uploads were aborted, the cancelled one on a fresh context: no
	// incomplete upload is left to pay for.
	ups, err := motoClient(t, moto, "us-east-1").ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%d incomplete multipart uploads left", len(ups.Uploads))
	}
}
