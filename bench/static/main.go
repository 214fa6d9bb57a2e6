// Command static-bench collects a Django project's static files with
// pkg/staticfiles (collectstatic, the project's settings, manifest
// storage) and uploads them with pkg/artifacts to <prefix>/static/ of a
// bucket, as a deploy does (HeadObject first, per-file content type and
// cache header, 16 at a time), then prints the time of each phase and
// what was uploaded. run.sh compares it with `aws s3 sync` of the same
// folder.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/staticfiles"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "static-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("static-bench", flag.ContinueOnError)
	project := fs.String("project", "", "Django root")
	settings := fs.String("settings", "", "settings module")
	python := fs.String("python", "/usr/bin/python3", "Python with Django")
	bucket := fs.String("bucket", "", "bucket")
	endpoint := fs.String("endpoint", "", "S3 endpoint (moto)")
	prefix := fs.String("prefix", "gallery/dev", "the environment's key prefix")
	keep := fs.String("keep", "", "collect into this folder and keep it (for aws s3 sync)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	cfg, err := artifacts.LoadConfig(ctx, "us-east-1")
	if err != nil {
		return err
	}
	client := artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = aws.String(*endpoint)
		}
	})
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "static-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "static")
	}
	start := time.Now()
	c, err := staticfiles.Collect(ctx, staticfiles.Options{Python: *python, Root: *project, SettingsModule: *settings, Out: dir})
	if err != nil {
		return err
	}
	collected := time.Since(start)
	objs := make([]artifacts.Object, 0, len(c.Files))
	for _, f := range c.Files {
		objs = append(objs, artifacts.Object{Key: staticfiles.Key(*prefix, f.Name), Path: f.Path, SHA256: f.SHA256, Size: f.Size,
			ContentType: f.ContentType, CacheControl: f.CacheControl})
	}
	up := time.Now()
	u := &artifacts.Uploader{Client: client, Concurrency: 16}
	st, err := u.Upload(ctx, *bucket, objs)
	if err != nil {
		return err
	}
	uploaded := time.Since(up)
	fmt.Fprintf(out, "collect=%.2fs upload=%.2fs total=%.2fs files=%d bytes=%d uploaded=%d uploaded_bytes=%d skipped=%d\n",
		collected.Seconds(), uploaded.Seconds(), time.Since(start).Seconds(), len(c.Files), c.Bytes(), st.Uploaded, st.UploadedBytes, st.Skipped)
	return nil
}
