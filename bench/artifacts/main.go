// Command artifacts-bench zips a source tree's code folders with
// pkg/bundle and uploads them and two templates (a child naming the zips,
// a root naming the child) with pkg/artifacts, as a deploy does, then
// prints the wall time and what was uploaded. run.sh compares it with
// `aws cloudformation package` on an equivalent template.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
	"github.com/django-serverless/django-serverless-action/pkg/bundle"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "artifacts-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("artifacts-bench", flag.ContinueOnError)
	src := fs.String("src", "", "source tree holding deps/, project/ and handler/")
	bucket := fs.String("bucket", "", "bucket")
	endpoint := fs.String("endpoint", "", "S3 endpoint (moto)")
	region := fs.String("region", "us-east-1", "region")
	prefix := fs.String("prefix", "shop", "key prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	cfg, err := artifacts.LoadConfig(ctx, *region)
	if err != nil {
		return err
	}
	client := artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = aws.String(*endpoint)
		}
	})
	tmp, err := os.MkdirTemp("", "artifacts-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var objs []artifacts.Object
	var child strings.Builder
	for _, folder := range []string{"deps", "project", "handler"} {
		a, err := bundle.Build(tmp, folder, func(w io.Writer) error {
			_, err := bundle.ZipDir(context.Background(), w, filepath.Join(*src, folder), bundle.Options{Prefix: "python/"})
			return err
		})
		if err != nil {
			return err
		}
		objs = append(objs, artifacts.ZipObject(*prefix, a))
		fmt.Fprintf(&child, "%s: %s\n", folder, artifacts.ZipKey(*prefix, a.SHA256))
	}
	zipped := time.Since(start)
	childObj := artifacts.TemplateObject(*prefix, []byte(child.String()))
	objs = append(objs, childObj, artifacts.TemplateObject(*prefix, []byte("Resources:\n  Lambdas:\n    TemplateURL: "+childObj.Key+"\n")))

	u := &artifacts.Uploader{Client: client, Log: io.Discard}
	st, err := u.Upload(ctx, *bucket, objs)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "wall=%.2fs zip=%.2fs uploaded=%d uploaded_bytes=%d skipped=%d\n",
		time.Since(start).Seconds(), zipped.Seconds(), st.Uploaded, st.UploadedBytes, st.Skipped)
	return nil
}
