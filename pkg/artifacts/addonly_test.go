package artifacts

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

// blindHead answers every HeadObject with 404, as if each key appeared
// between the uploader's check and its write (another run writing
// meanwhile): only the conditional write protects the object then.
type blindHead struct{ S3API }

func (blindHead) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "NotFound", Message: "Not Found"}
}

func getBody(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// liveBucket is a new moto bucket holding same as an upload wrote it and
// other bytes ("live") under other's key; missing is not in it.
func liveBucket(t *testing.T) (c *s3.Client, bucket string, same, other, missing Object) {
	t.Helper()
	testenv.AWSEnv(t)
	c = motoClient(t, testenv.MotoEndpoint(t), "us-east-1")
	ctx := context.Background()
	bucket = newBucket(t, c, "us-east-1")
	same = templateObject("shop", "same: 1\n")
	other = templateObject("shop", "other: 1\n")
	missing = templateObject("shop", "missing: 1\n")
	if _, err := (&Uploader{Client: c}).Upload(ctx, bucket, []Object{same}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &other.Key, Body: strings.NewReader("live")}); err != nil {
		t.Fatal(err)
	}
	return c, bucket, same, other, missing
}

// TestAddOnlyNeverOverwrites (moto): an AddOnly upload writes a missing
// key, skips a key holding the same bytes and leaves a key holding other
// bytes as it is (Left); every write it sends is conditional
// (If-None-Match: *), so even when its check is wrong (the key appeared
// after it) the existing object is not replaced, by a single PUT or a
// multipart upload.
func TestAddOnlyNeverOverwrites(t *testing.T) {
	c, bucket, same, other, missing := liveBucket(t)
	ctx := context.Background()
	rec := &recorder{S3API: c}
	var log bytes.Buffer
	st, err := (&Uploader{Client: rec, Log: &log, AddOnly: true}).Upload(ctx, bucket, []Object{same, other, missing})
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != 1 || st.Skipped != 1 || st.Left != 1 {
		t.Errorf("stats %+v, want 1 uploaded, 1 skipped, 1 left", st)
	}
	if len(rec.puts) != 1 || rec.puts[0] != missing.Key {
		t.Errorf("writes %v, want only %s", rec.puts, missing.Key)
	}
	if got := getBody(t, c, bucket, other.Key); got != "live" {
		t.Errorf("the existing %s was overwritten: %q", other.Key, got)
	}
	if !strings.Contains(log.String(), "left as it is (add only)") {
		t.Errorf("log %q", log.String())
	}
	for _, o := range []Object{same, missing} {
		if found, err := (&Uploader{Client: c}).check(ctx, bucket, o); !found || err != nil {
			t.Errorf("%s: found %v, %v", o.Key, found, err)
		}
	}

	// The check is blind: the write itself is refused by S3 (412), and
	// the key checked again is reported as it is.
	big := bigObject(t, "shop", 7<<20)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &big.Key, Body: strings.NewReader("live big")}); err != nil {
		t.Fatal(err)
	}
	var puts []*s3.PutObjectInput
	spy := &putSpy{S3API: blindHead{c}, puts: &puts}
	raced := &recorder{S3API: spy}
	u := &Uploader{Client: raced, AddOnly: true, PartSize: 5 << 20, MultipartThreshold: 6 << 20}
	// With a blind check the second look at the key (to tell what holds
	// it) is blind too: S3's refusal is reported.
	for _, o := range []Object{other, big} {
		if _, err := u.Upload(ctx, bucket, []Object{o}); err == nil || !strings.Contains(err.Error(), "PreconditionFailed") {
			t.Errorf("%s: %v, want S3's PreconditionFailed", o.Key, err)
		}
	}
	if len(raced.puts) != 0 {
		t.Errorf("an add-only upload replaced %v", raced.puts)
	}
	for _, in := range puts {
		if aws.ToString(in.IfNoneMatch) != "*" {
			t.Errorf("PutObject %s without If-None-Match: *", aws.ToString(in.Key))
		}
	}
	if got := getBody(t, c, bucket, other.Key); got != "live" {
		t.Errorf("a blind add-only upload overwrote %s: %q", other.Key, got)
	}
	if got := getBody(t, c, bucket, big.Key); got != "live big" {
		t.Errorf("a blind add-only multipart upload overwrote %s (%d bytes)", big.Key, len(got))
	}
}

// putSpy keeps every PutObject input.
type putSpy struct {
	S3API
	puts *[]*s3.PutObjectInput
}

func (p *putSpy) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	*p.puts = append(*p.puts, in)
	return p.S3API.PutObject(ctx, in, o...)
}

// TestCheckOnlyWritesNothing (moto): CheckOnly counts what an upload would
// write (Left: missing or other bytes) and what is there (Skipped), and
// writes nothing.
func TestCheckOnlyWritesNothing(t *testing.T) {
	c, bucket, same, other, missing := liveBucket(t)
	ctx := context.Background()
	rec := &recorder{S3API: c}
	st, err := (&Uploader{Client: rec, CheckOnly: true}).Upload(ctx, bucket, []Object{same, other, missing})
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded != 0 || st.Skipped != 1 || st.Left != 2 || len(rec.puts) != 0 {
		t.Errorf("stats %+v, writes %v; want 1 skipped, 2 left, no write", st, rec.puts)
	}
	if got := getBody(t, c, bucket, other.Key); got != "live" {
		t.Errorf("%s changed: %q", other.Key, got)
	}
}
