// Package artifacts uploads deployment artifacts (layer and code zips,
// nested templates) to S3 under content-addressed keys, uploading nothing
// that is already there and deleting nothing, and manages the artifacts
// bucket a deploy uses when none is given.
package artifacts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// S3API is the part of the S3 client the uploader uses. Method signatures
// mirror the SDK, so *s3.Client satisfies it as is.
type S3API interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	// GetObject verifies objects in a store that keeps no checksum.
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// Kinds of Object.
const (
	KindZip      = "zip"
	KindTemplate = "template"
)

// MetadataSHA256 is the user-metadata key (x-amz-meta-sha256) holding the
// hex SHA-256 of every object the uploader writes.
const MetadataSHA256 = "sha256"

// Object is one artifact to upload. Exactly one of Path and Body is set.
// SHA256 is the lower-case hex digest of the bytes; Key is normally
// "<prefix>/<SHA256>.zip" or "<prefix>/templates/<SHA256>.yaml".
type Object struct {
	Key    string
	Path   string // file holding the bytes
	Body   []byte // or the bytes themselves
	SHA256 string // hex
	Size   int64  // 0: taken from Path or Body
	Kind   string // KindZip or KindTemplate
	// Metadata is extra user metadata (x-amz-meta-...), such as a layer's
	// MetadataUnzipped; the uploader adds MetadataSHA256 and
	// MetadataChecksum itself.
	Metadata map[string]string
	// ContentType and CacheControl, when set, are the object's headers
	// (static files, which browsers fetch); by default a zip is
	// application/zip and a template application/x-yaml, without
	// Cache-Control.
	ContentType  string
	CacheControl string
}

// Stats counts what an Upload did.
type Stats struct {
	Uploaded      int   `json:"uploaded"`
	UploadedBytes int64 `json:"uploaded_bytes"`
	Skipped       int   `json:"skipped"`
	// Left counts the objects an AddOnly or CheckOnly run did not write
	// though their key does not hold their bytes (CheckOnly: or holds no
	// object). Not in --json, whose keys are DESIGN.md's.
	Left int `json:"-"`
}

// Defaults for Uploader fields left zero.
const (
	DefaultConcurrency        = 4
	DefaultPartConcurrency    = 4
	DefaultPartSize           = 16 << 20
	DefaultMultipartThreshold = 32 << 20
	minPartSize               = 5 << 20 // S3's minimum for every part but the last
)

// Uploader writes artifacts to a bucket. Zips upload in parallel (at most
// Concurrency at a time); templates upload afterwards, one at a time, in the
// order given, so children land before the root that names them. Files of
// at least MultipartThreshold bytes go up in PartSize parts through the
// SDK's transfer manager, PartConcurrency parts at a time.
//
// An existing key is skipped only when its bytes are verified (see
// verify.go: S3's stored SHA-256 checksum, else the bytes downloaded and
// hashed); a key holding other bytes is uploaded again and the log says
// what was replaced (in a versioned bucket the old version stays). Every
// upload is verified the same way afterwards and retried once when the
// store holds other bytes than were sent. Nothing is ever deleted.
//
// AddOnly writes only keys that hold no object: an existing key is never
// written, whatever it holds (it is counted Skipped when it holds the
// object's bytes, Left otherwise), and every write is conditional
// (If-None-Match: * on PutObject and CompleteMultipartUpload), so an
// object that appears between the check and the write is not replaced
// either: S3 refuses the write (412 Precondition Failed) and the key is
// checked again.
//
// CheckOnly writes nothing: it only tells, object by object, whether the
// key already holds the object's bytes (Skipped) or not (Left).
type Uploader struct {
	Client             S3API
	AddOnly            bool
	CheckOnly          bool
	Log                io.Writer // progress lines; nil: discarded
	Concurrency        int       // objects in flight
	PartConcurrency    int       // parts of one multipart upload in flight
	PartSize           int64
	MultipartThreshold int64
}

// Upload uploads objs to bucket and reports what it did. The first failure
// stops the run and is returned (templates are not uploaded after a failed
// zip).
func (u *Uploader) Upload(ctx context.Context, bucket string, objs []Object) (Stats, error) {
	var st Stats
	if bucket == "" {
		return st, errors.New("upload artifacts: no bucket given")
	}
	objs, err := normalize(objs)
	if err != nil {
		return st, err
	}
	var zips, templates []Object
	for _, o := range objs {
		if o.Kind == KindTemplate {
			templates = append(templates, o)
		} else {
			zips = append(zips, o)
		}
	}

	res, err := u.parallel(ctx, bucket, zips)
	st.add(res)
	if err != nil {
		return st, err
	}
	for _, o := range templates {
		r, err := u.one(ctx, bucket, o)
		u.logResult(o, r, err)
		st.add([]result{r})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

type result struct {
	uploaded bool
	left     bool // AddOnly or CheckOnly: not written though the key lacks these bytes
	bytes    int64
	reason   string // why skipped or re-uploaded
}

func (s *Stats) add(rs []result) {
	for _, r := range rs {
		switch {
		case r.uploaded:
			s.Uploaded++
			s.UploadedBytes += r.bytes
		case r.left:
			s.Left++
		case r.reason != "":
			s.Skipped++
		}
	}
}

// parallel uploads objs with bounded concurrency. Progress lines come out
// in input order (a line waits for the lines before it), so the log is
// the same on every run whatever order uploads finish in.
func (u *Uploader) parallel(ctx context.Context, bucket string, objs []Object) ([]result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := u.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	results := make([]result, len(objs))
	errs := make([]error, len(objs))
	done := make([]chan struct{}, len(objs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, o := range objs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			results[i], errs[i] = u.one(ctx, bucket, o)
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	var first error
	for i, o := range objs {
		<-done[i]
		if errs[i] != nil {
			// Cancellation caused by an earlier failure is noise.
			if first == nil && !(errors.Is(errs[i], context.Canceled) && ctx.Err() != nil) {
				first = errs[i]
			}
			continue
		}
		if first == nil {
			u.logResult(o, results[i], nil)
		}
	}
	wg.Wait()
	if first == nil {
		// Every error was a cancellation: the caller's context ended.
		for _, err := range errs {
			if err != nil {
				first = err
				break
			}
		}
	}
	return results, first
}

func (u *Uploader) logResult(o Object, r result, err error) {
	if u.Log == nil || err != nil {
		return
	}
	if r.uploaded {
		if r.reason != "" {
			fmt.Fprintf(u.Log, "uploaded %s (%s, %s)\n", o.Key, humanBytes(r.bytes), r.reason)
		} else {
			fmt.Fprintf(u.Log, "uploaded %s (%s)\n", o.Key, humanBytes(r.bytes))
		}
		return
	}
	fmt.Fprintf(u.Log, "skipped %s (%s)\n", o.Key, r.reason)
}

// one uploads a single object unless the key already holds its bytes.
func (u *Uploader) one(ctx context.Context, bucket string, o Object) (result, error) {
	found, err := u.check(ctx, bucket, o)
	reason := ""
	switch {
	case found && err == nil:
		return result{reason: "exists, sha256 verified"}, nil
	case u.CheckOnly && ((!found && err == nil) || IsMismatch(err)):
		return result{left: true, reason: "not written (check only)"}, nil
	case u.AddOnly && IsMismatch(err):
		return result{left: true, reason: "left as it is (add only): " + strings.TrimPrefix(err.Error(), errMismatch.Error()+": ")}, nil
	case IsMismatch(err):
		reason = "replaced an object whose bytes were wrong: " + strings.TrimPrefix(err.Error(), errMismatch.Error()+": ")
	case err != nil:
		return result{}, err
	}
	note := func(s string) {
		if reason != "" {
			reason += "; "
		}
		reason += s
	}
	for attempt := 1; ; attempt++ {
		if err := u.send(ctx, bucket, o); err != nil {
			// S3 refuses a body that does not match the checksum sent
			// with it: changed in transit. Send it again, once.
			if apiCode(err) == "BadDigest" && attempt == 1 {
				note("uploaded again: the first upload arrived with other bytes than sent (BadDigest)")
				continue
			}
			if u.AddOnly && isConditionFailed(err) {
				// Another writer created the key since the check.
				return u.appeared(ctx, bucket, o, err)
			}
			return result{}, err
		}
		// Read back what the store kept: a body changed on the way into a
		// store that does not validate checksums is caught here.
		_, err := u.check(ctx, bucket, o)
		if err == nil {
			break
		}
		if !IsMismatch(err) || attempt == 2 || u.AddOnly {
			return result{}, fmt.Errorf("upload s3://%s/%s: the store does not hold what was sent: %w", bucket, o.Key, err)
		}
		note("uploaded again: the first upload was stored with other bytes (" + strings.TrimPrefix(err.Error(), errMismatch.Error()+": ") + ")")
	}
	return result{uploaded: true, bytes: o.Size, reason: reason}, nil
}

// appeared decides about a key an AddOnly write found taken (writeErr):
// skipped when it holds o's bytes, left otherwise.
func (u *Uploader) appeared(ctx context.Context, bucket string, o Object, writeErr error) (result, error) {
	found, err := u.check(ctx, bucket, o)
	switch {
	case found && err == nil:
		return result{reason: "exists, sha256 verified (written by another run meanwhile)"}, nil
	case found && IsMismatch(err):
		return result{left: true, reason: "left as it is (add only; written by another run meanwhile): " + strings.TrimPrefix(err.Error(), errMismatch.Error()+": ")}, nil
	case err != nil:
		return result{}, err
	}
	return result{}, writeErr
}

// send uploads o (in parts from the multipart threshold on).
func (u *Uploader) send(ctx context.Context, bucket string, o Object) error {
	body, closeBody, err := open(o)
	if err != nil {
		return err
	}
	defer closeBody()
	if o.Size >= u.threshold() {
		return u.multipart(ctx, bucket, o, body)
	}
	return u.put(ctx, bucket, o, body)
}

// metadata is o's user metadata plus its digest and the checksum S3 will
// keep for it.
func (u *Uploader) metadata(o Object, checksum string) map[string]string {
	m := map[string]string{MetadataSHA256: o.SHA256, MetadataChecksum: checksum}
	for k, v := range o.Metadata {
		m[k] = v
	}
	return m
}

func (u *Uploader) put(ctx context.Context, bucket string, o Object, body io.ReadSeeker) error {
	sum, err := hex.DecodeString(o.SHA256)
	if err != nil {
		return err
	}
	// The key is named after the digest: refuse to write other bytes under
	// it (a file changed between bundling and upload).
	if err := verify(o, body); err != nil {
		return err
	}
	checksum := base64.StdEncoding.EncodeToString(sum)
	_, err = u.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            &bucket,
		Key:               &o.Key,
		Body:              body,
		ContentLength:     aws.Int64(o.Size),
		ContentType:       aws.String(contentType(o)),
		CacheControl:      cacheControl(o),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(checksum),
		Metadata:          u.metadata(o, checksum),
		IfNoneMatch:       u.ifNoneMatch(),
	})
	if err != nil {
		return explain(err, "s3:PutObject", bucket, o.Key)
	}
	return nil
}

// multipart uploads body in parts with the SDK's transfer manager
// (feature/s3/transfermanager: PartConcurrency parts in flight, each part
// retried by the client's retryer, the upload aborted on any failure),
// each part with its own SHA-256 checksum, so S3 keeps the COMPOSITE
// checksum of the parts. The stream is hashed as the transfer manager
// reads it (in order, once: parts are buffered for their retries), and
// CompleteMultipartUpload is refused unless the bytes match o.SHA256, so
// no partial or wrong object ever appears under the key.
func (u *Uploader) multipart(ctx context.Context, bucket string, o Object, body io.ReadSeeker) error {
	partSize := u.partSizeFor(o.Size)
	// The checksum S3 will keep (COMPOSITE over these parts) goes into the
	// metadata, created before the parts: computed from the file first.
	checksum, err := compositeChecksum(body, partSize)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.Key, err)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind %s: %w", o.Key, err)
	}
	whole := sha256.New()
	gate := &digestGate{S3API: u.Client, hash: whole, want: o.SHA256, key: o.Key, ifNoneMatch: u.ifNoneMatch()}
	tm := transfermanager.New(gate, func(opts *transfermanager.Options) {
		opts.PartSizeBytes = partSize
		opts.MultipartUploadThreshold = u.threshold()
		opts.Concurrency = u.partConcurrency()
		opts.ChecksumAlgorithm = tmtypes.ChecksumAlgorithmSha256
		opts.FailTimeout = abortTimeout
	})
	_, err = tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket:            &bucket,
		Key:               &o.Key,
		Body:              &digestReader{r: body, hash: whole, want: o.SHA256, key: o.Key},
		ContentLength:     aws.Int64(o.Size),
		ContentType:       aws.String(contentType(o)),
		CacheControl:      cacheControl(o),
		ChecksumAlgorithm: tmtypes.ChecksumAlgorithmSha256,
		ChecksumType:      tmtypes.ChecksumTypeComposite,
		Metadata:          u.metadata(o, checksum),
	})
	if err != nil {
		if gate.mismatch != nil {
			return gate.mismatch
		}
		var mm *digestMismatch
		if errors.As(err, &mm) {
			return mm
		}
		op := "multipart upload"
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			op = oe.OperationName
		}
		return explain(err, "s3:PutObject ("+op+")", bucket, o.Key)
	}
	return nil
}

// digestReader hashes the stream as it is read and ends it with an error
// instead of io.EOF when the bytes do not hash to the key's digest: the
// transfer manager then aborts the upload before completing it.
type digestReader struct {
	r    io.Reader
	hash hash.Hash
	want string
	key  string
}

type digestMismatch struct{ key, got, want string }

func (e *digestMismatch) Error() string {
	return fmt.Sprintf("%s: content sha256 is %s, not %s as its key says (file changed after bundling?)", e.key, e.got, e.want)
}

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.hash.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(d.hash.Sum(nil)); got != d.want {
			return n, &digestMismatch{key: d.key, got: got, want: d.want}
		}
	}
	return n, err
}

// digestGate passes the transfer manager's calls through, except that it
// refuses to complete a multipart upload whose streamed bytes do not hash
// to the key's digest (a file changed after bundling): the transfer
// manager then aborts the upload.
type digestGate struct {
	S3API
	hash     hash.Hash
	want     string
	key      string
	mismatch error
	// ifNoneMatch makes the completion conditional (AddOnly).
	ifNoneMatch *string
}

// ListObjectsV2 completes transfermanager.S3APIClient; uploads never list.
func (g *digestGate) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return nil, errors.New("artifacts: ListObjectsV2 is not used by uploads")
}

// UploadPart sends each part with its SHA-256 checksum computed here (as
// the hand-made uploader before it did) and keeps that value for
// CompleteMultipartUpload when a store does not echo it in the answer, so
// every completed part names its checksum and S3 stores the COMPOSITE
// checksum of the parts.
func (g *digestGate) UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	if rs, ok := in.Body.(io.ReadSeeker); ok && in.ChecksumSHA256 == nil {
		h := sha256.New()
		if _, err := io.Copy(h, rs); err != nil {
			return nil, err
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(h.Sum(nil)))
	}
	out, err := g.S3API.UploadPart(ctx, in, opts...)
	if err == nil && out.ChecksumSHA256 == nil {
		out.ChecksumSHA256 = in.ChecksumSHA256
	}
	return out, err
}

func (g *digestGate) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	if got := hex.EncodeToString(g.hash.Sum(nil)); got != g.want {
		g.mismatch = &digestMismatch{key: g.key, got: got, want: g.want}
		return nil, g.mismatch
	}
	if g.ifNoneMatch != nil {
		in.IfNoneMatch = g.ifNoneMatch
	}
	return g.S3API.CompleteMultipartUpload(ctx, in, opts...)
}

var _ transfermanager.S3APIClient = (*digestGate)(nil)

// verify hashes body and rewinds it.
func verify(o Object, body io.ReadSeeker) error {
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		return fmt.Errorf("read %s: %w", o.Key, err)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind %s: %w", o.Key, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != o.SHA256 {
		return fmt.Errorf("%s: content sha256 is %s, not %s as its key says (file changed after bundling?)", o.Key, got, o.SHA256)
	}
	return nil
}

func open(o Object) (io.ReadSeeker, func(), error) {
	if o.Path == "" {
		return bytes.NewReader(o.Body), func() {}, nil
	}
	f, err := os.Open(o.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("open artifact %s: %w", o.Key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat artifact %s: %w", o.Path, err)
	}
	if fi.Size() != o.Size {
		f.Close()
		return nil, nil, fmt.Errorf("artifact %s: %s is %d bytes, expected %d (file changed after bundling?)", o.Key, o.Path, fi.Size(), o.Size)
	}
	// A section reader is seekable, so SDK retries rewind it.
	return io.NewSectionReader(f, 0, fi.Size()), func() { f.Close() }, nil
}

// normalize validates objs, fills sizes and drops duplicate keys.
func normalize(objs []Object) ([]Object, error) {
	out := make([]Object, 0, len(objs))
	seen := map[string]string{}
	for _, o := range objs {
		if o.Key == "" {
			return nil, errors.New("upload artifacts: object with an empty key")
		}
		if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("upload artifacts: %s: sha256 %q is not 64 hex digits", o.Key, o.SHA256)
		}
		switch o.Kind {
		case KindZip, KindTemplate:
		case "":
			o.Kind = KindZip
		default:
			return nil, fmt.Errorf("upload artifacts: %s: unknown kind %q (want %q or %q)", o.Key, o.Kind, KindZip, KindTemplate)
		}
		if (o.Path == "") == (o.Body == nil) {
			return nil, fmt.Errorf("upload artifacts: %s: set exactly one of Path and Body", o.Key)
		}
		if o.Path != "" && o.Size == 0 {
			fi, err := os.Stat(o.Path)
			if err != nil {
				return nil, fmt.Errorf("upload artifacts: %s: %w", o.Key, err)
			}
			o.Size = fi.Size()
		}
		if o.Body != nil {
			o.Size = int64(len(o.Body))
		}
		if prev, ok := seen[o.Key]; ok {
			if prev != o.SHA256 {
				return nil, fmt.Errorf("upload artifacts: key %s given twice with different sha256 (%s, %s)", o.Key, prev, o.SHA256)
			}
			continue
		}
		seen[o.Key] = o.SHA256
		out = append(out, o)
	}
	return out, nil
}

// ifNoneMatch is the condition of every write: "*" (only when the key
// holds no object) for AddOnly, none otherwise.
func (u *Uploader) ifNoneMatch() *string {
	if u.AddOnly {
		return aws.String("*")
	}
	return nil
}

func cacheControl(o Object) *string {
	if o.CacheControl == "" {
		return nil
	}
	return aws.String(o.CacheControl)
}

func contentType(o Object) string {
	if o.ContentType != "" {
		return o.ContentType
	}
	if o.Kind == KindTemplate {
		return "application/x-yaml"
	}
	return "application/zip"
}

func humanBytes(n int64) string { return human.Bytes(n) }
