package artifacts

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

// ZipKey is the content-addressed key of a zip: "<prefix>/<sha256>.zip".
func ZipKey(prefix, sha string) string { return prefix + "/" + sha + ".zip" }

// TemplateKey is the key of a template: "<prefix>/templates/<sha256>.yaml".
func TemplateKey(prefix, sha string) string { return prefix + "/templates/" + sha + ".yaml" }

// ZipObject is the Object uploading a built zip under ZipKey.
func ZipObject(prefix string, a bundle.Artifact) Object {
	return Object{Key: ZipKey(prefix, a.SHA256), Path: a.Path, Body: a.Bytes, SHA256: a.SHA256, Size: a.Size, Kind: KindZip}
}

// TemplateObject is the Object uploading a rendered template under
// TemplateKey; its digest is computed here.
func TemplateObject(prefix string, body []byte) Object {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])
	return Object{Key: TemplateKey(prefix, h), Body: body, SHA256: h, Size: int64(len(body)), Kind: KindTemplate}
}
