package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// An object under a content-addressed key is trusted only when its bytes
// are known to hash to the key's digest:
//
//   - S3 keeps the SHA-256 checksum each upload sends (it refuses an upload
//     whose bytes do not match it, BadDigest) and returns it on HeadObject
//     with checksum mode enabled. A PutObject's is the full object's
//     digest (ChecksumType FULL_OBJECT); a multipart upload's is COMPOSITE:
//     the SHA-256 of the parts' SHA-256 digests, "<base64>-<parts>" (S3
//     offers FULL_OBJECT for multipart only with CRC algorithms). The
//     uploader computes both forms from the local bytes, the composite one
//     for its own part size, and trusts a stored checksum equal to either.
//   - A store that keeps no checksum (objects written by other tools
//     without one; moto returns none for PutObject) has the object
//     downloaded and hashed instead.
//
// Anything else (another checksum, another size, no checksum and other
// bytes) is replaced, and the run says what it replaced. After an upload
// the same check runs again, so a body corrupted on the way into a store
// that does not validate checksums is caught and uploaded again.

// Metadata keys (x-amz-meta-...) the uploader writes.
const (
	// MetadataChecksum is the SHA-256 checksum S3 stores for the upload
	// as this uploader sent it (full or composite form), so an object
	// whose bytes are not at hand (the dependencies layer, found by its
	// input hash before it is built) can be checked against its content
	// digest (MetadataSHA256).
	MetadataChecksum = "sha256-checksum"
	// MetadataUnzipped is a layer's unzipped size in bytes.
	MetadataUnzipped = "unzipped-size"
)

// fullChecksum is the base64 SHA-256 checksum of an object whose hex
// digest is sha.
func fullChecksum(sha string) string {
	b, err := hex.DecodeString(sha)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// compositeChecksum is S3's COMPOSITE SHA-256 checksum of r uploaded in
// parts of partSize: base64(sha256(sha256(part1) || sha256(part2) ...)),
// followed by "-<parts>".
func compositeChecksum(r io.Reader, partSize int64) (string, error) {
	outer := sha256.New()
	parts := 0
	buf := make([]byte, 1<<20)
	for {
		part := sha256.New()
		n, err := io.CopyBuffer(part, io.LimitReader(r, partSize), buf)
		if err != nil {
			return "", err
		}
		if n == 0 && parts > 0 {
			break
		}
		outer.Write(part.Sum(nil))
		parts++
		if n < partSize {
			break
		}
	}
	return base64.StdEncoding.EncodeToString(outer.Sum(nil)) + "-" + strconv.Itoa(parts), nil
}

// sameChecksum compares two checksums, with or without the "-<parts>" of
// a composite one (S3 prints it, some stores do not).
func sameChecksum(a, b string) bool {
	cut := func(s string) string {
		if i := strings.LastIndexByte(s, '-'); i > 0 {
			return s[:i]
		}
		return s
	}
	return a != "" && cut(a) == cut(b)
}

// checksumFor is the checksum S3 stores when the uploader uploads o: the
// composite form when it goes up in parts.
func (u *Uploader) checksumFor(o Object) (string, error) {
	if o.Size < u.threshold() {
		return fullChecksum(o.SHA256), nil
	}
	body, closeBody, err := open(o)
	if err != nil {
		return "", err
	}
	defer closeBody()
	return compositeChecksum(body, u.partSizeFor(o.Size))
}

func (u *Uploader) threshold() int64 {
	if u.MultipartThreshold > 0 {
		return u.MultipartThreshold
	}
	return DefaultMultipartThreshold
}

// partSizeFor is the part size an object of size bytes goes up in: the
// configured one, raised as the transfer manager raises it so the upload
// stays within S3's 10,000 parts (the composite checksum depends on it).
func (u *Uploader) partSizeFor(size int64) int64 {
	p := u.PartSize
	if p <= 0 {
		p = DefaultPartSize
	}
	p = max(p, minPartSize)
	if size/p >= maxParts {
		p = size/maxParts + 1
	}
	return p
}

// maxParts is S3's limit of parts per multipart upload.
const maxParts = 10000

func (u *Uploader) partConcurrency() int {
	if u.PartConcurrency > 0 {
		return u.PartConcurrency
	}
	return DefaultPartConcurrency
}

// errMismatch marks an object whose bytes are not what its key says.
var errMismatch = errors.New("stored bytes do not match")

// check decides whether the object under o.Key holds o's bytes. found is
// false when there is no object; a nil error with found means verified;
// an error wrapping errMismatch says what is stored instead.
func (u *Uploader) check(ctx context.Context, bucket string, o Object) (found bool, err error) {
	head, err := u.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &o.Key, ChecksumMode: s3types.ChecksumModeEnabled})
	switch {
	case err == nil:
	case isNotFound(err), isAccessDenied(err):
		// Without s3:ListBucket, S3 answers 403 for a missing key;
		// PutObject will tell whether writing is allowed.
		return false, nil
	default:
		return false, explain(err, "s3:GetObject (HeadObject)", bucket, o.Key)
	}
	size := aws.ToInt64(head.ContentLength)
	if size != o.Size {
		return true, fmt.Errorf("%w: the object holds %d bytes, not %d", errMismatch, size, o.Size)
	}
	if stored := aws.ToString(head.ChecksumSHA256); stored != "" {
		if sameChecksum(stored, fullChecksum(o.SHA256)) {
			return true, nil
		}
		want, err := u.checksumFor(o)
		if err != nil {
			return true, err
		}
		if sameChecksum(stored, want) {
			return true, nil
		}
		return true, fmt.Errorf("%w: its stored SHA-256 checksum is %s, not %s", errMismatch, stored, want)
	}
	// No checksum kept: download and hash.
	got, n, err := u.download(ctx, bucket, o.Key)
	if err != nil {
		return true, err
	}
	if got != o.SHA256 || n != o.Size {
		return true, fmt.Errorf("%w: it has no stored checksum and its bytes hash to %s", errMismatch, got)
	}
	return true, nil
}

// download hashes the object under key.
func (u *Uploader) download(ctx context.Context, bucket, key string) (string, int64, error) {
	out, err := u.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return "", 0, explain(err, "s3:GetObject", bucket, key)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return "", 0, fmt.Errorf("s3:GetObject s3://%s/%s: %w", bucket, key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Layer is what a layer's object in S3 declares about itself.
type Layer struct {
	SHA256       string // the zip's content digest (hex)
	Size         int64
	UnzippedSize int64
}

// VerifyLayer checks the layer object under key (a key that names the
// layer's inputs, not its bytes): it is trusted when its metadata declares
// its content digest and unzipped size, and S3's stored checksum equals
// the checksum the metadata declares (or, with no stored checksum, its
// bytes hash to the digest). found is false when there is no object; an
// error wrapping errMismatch (IsMismatch) says why it is not trusted.
func VerifyLayer(ctx context.Context, c S3API, bucket, key string) (l Layer, found bool, err error) {
	u := &Uploader{Client: c}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: s3types.ChecksumModeEnabled})
	switch {
	case err == nil:
	case isNotFound(err), isAccessDenied(err):
		return l, false, nil
	default:
		return l, false, explain(err, "s3:GetObject (HeadObject)", bucket, key)
	}
	l.Size = aws.ToInt64(head.ContentLength)
	l.SHA256 = head.Metadata[MetadataSHA256]
	if b, err := hex.DecodeString(l.SHA256); err != nil || len(b) != sha256.Size {
		return l, true, fmt.Errorf("%w: the object (%d bytes) declares no content digest (x-amz-meta-%s)", errMismatch, l.Size, MetadataSHA256)
	}
	l.UnzippedSize, err = strconv.ParseInt(head.Metadata[MetadataUnzipped], 10, 64)
	if err != nil || l.UnzippedSize <= 0 {
		return l, true, fmt.Errorf("%w: the object declares no unzipped size (x-amz-meta-%s)", errMismatch, MetadataUnzipped)
	}
	declared := head.Metadata[MetadataChecksum]
	if stored := aws.ToString(head.ChecksumSHA256); stored != "" {
		if sameChecksum(stored, declared) || sameChecksum(stored, fullChecksum(l.SHA256)) {
			return l, true, nil
		}
		return l, true, fmt.Errorf("%w: its stored SHA-256 checksum is %s, its metadata declares %s", errMismatch, stored, declared)
	}
	got, n, err := u.download(ctx, bucket, key)
	if err != nil {
		return l, true, err
	}
	if got != l.SHA256 || n != l.Size {
		return l, true, fmt.Errorf("%w: its bytes hash to %s, its metadata declares %s", errMismatch, got, l.SHA256)
	}
	return l, true, nil
}

// IsMismatch reports whether err says an object's bytes are not what its
// key or metadata say.
func IsMismatch(err error) bool { return errors.Is(err, errMismatch) }
