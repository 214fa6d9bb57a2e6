// Command gen writes a synthetic Django project for discovery benchmarks:
//
//	go run ./bench/discover/gen -apps 200 -routes 10 -out DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/django-serverless/django-serverless-action/bench/discover/synth"
)

func main() {
	apps := flag.Int("apps", 200, "number of apps")
	routes := flag.Int("routes", 10, "routes per app")
	out := flag.String("out", "", "output folder (created)")
	flag.Parse()
	if err := run(*apps, *routes, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(apps, routes int, out string) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	n, err := synth.Write(out, apps, routes)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d apps, %d routes\n", out, apps, n)
	return nil
}
