// Command probe runs static discovery once on a project and prints the
// number of routes; bench/discover/run.sh measures it with /usr/bin/time
// until the CLI's discover command is available.
package main

import (
	"fmt"
	"os"

	"github.com/django-serverless/django-serverless-action/pkg/django"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: probe PROJECT_DIR")
		os.Exit(2)
	}
	p, err := django.Discover(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
	fmt.Printf("%d routes, %d diagnostics\n", len(p.Routes), len(p.Diagnostics))
}
