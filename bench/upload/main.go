// Command upload-bench uploads one large file (a dependencies layer's
// size) with pkg/artifacts' Uploader to a fresh key and prints the wall
// time. run.sh builds it twice, from this checkout and from a baseline
// checkout (the sequential multipart uploader before the transfer
// manager), and runs both against the same moto in one run.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/django-serverless/django-serverless-action/pkg/artifacts"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "upload-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("upload-bench", flag.ContinueOnError)
	file := fs.String("file", "", "file to upload")
	bucket := fs.String("bucket", "", "bucket (created when missing)")
	endpoint := fs.String("endpoint", "", "S3 endpoint (moto)")
	prefix := fs.String("prefix", "bench", "key prefix")
	rate := fs.Float64("rate", 0, "MB/s each request body may flow at (0: unlimited); a proxy in this process stands for a network path whose streams each get that rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate > 0 {
		ep, stop, err := throttle(*endpoint, *rate)
		if err != nil {
			return err
		}
		defer stop()
		*endpoint = ep
	}
	ctx := context.Background()
	cfg, err := artifacts.LoadConfig(ctx, "us-east-1")
	if err != nil {
		return err
	}
	client := artifacts.NewS3ClientFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(*endpoint) })
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket}); err != nil {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
			return err
		}
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	if err != nil {
		return err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	key := *prefix + "/" + sum + ".zip"
	u := &artifacts.Uploader{Client: client}
	start := time.Now()
	st, err := u.Upload(ctx, *bucket, []artifacts.Object{{Key: key, Path: *file, SHA256: sum, Size: n, Kind: artifacts.KindZip}})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	if st.Uploaded != 1 {
		return fmt.Errorf("uploaded %d objects, want 1 (the key existed?)", st.Uploaded)
	}
	// The next run uploads again: remove the object (moto holds it in memory).
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: &key}); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d %.0f\n", n, float64(wall.Milliseconds()))
	return nil
}

// throttle starts a reverse proxy to endpoint on loopback whose request
// bodies each flow at most mbps MB/s (per request: parallel requests each
// get the full rate, as separate TCP streams over a real network do).
func throttle(endpoint string, mbps float64) (string, func(), error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &slowBody{r: r.Body, bytesPerSec: mbps * 1e6, start: time.Now()}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

type slowBody struct {
	r           io.ReadCloser
	bytesPerSec float64
	start       time.Time
	n           int64
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if due := b.start.Add(time.Duration(float64(b.n) / b.bytesPerSec * float64(time.Second))); time.Until(due) > 0 {
		time.Sleep(time.Until(due))
	}
	return n, err
}

func (b *slowBody) Close() error { return b.r.Close() }
