package artifacts

import (
	"context"
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
// connection without answering) or "403" (AccessDenied).
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
