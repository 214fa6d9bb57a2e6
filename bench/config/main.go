// Command configbench measures the peak memory (RSS) and time of loading
// the worst django-serverless.yml files that fit under the 1 MB cap,
// against a normal configuration loaded in the same run. Each case runs in
// its own process (peak RSS is per process):
//
//	go run ./bench/config            # all cases, a table
//	go run ./bench/config -case wide # one case (what the table runs)
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/config"
)

// normal is the README's full example configuration.
const normal = `project: shop
python: "3.12"
architecture: arm64
requirements: requirements.txt
vendor: [vendor/]
exclude: ["media/**"]
functions:
  granularity: route
  defaults: {memory: 512, timeout: 15}
  rules:
    - match: {name: "catalog:*"}
      memory: 1024
      persist_db: true
      warm: true
    - match: {path: "/reports/**"}
      timeout: 28
      reserved_concurrency: 5
api:
  type: rest
  binary_media_types: ["multipart/form-data", "image/*"]
graphql:
  enabled: auto
  schema_file: schema.graphql
  auth: API_KEY
warm:
  schedule: business-hours
  business_hours: {days: MON-FRI, start: "08:00", end: "19:00", timezone: Europe/Lisbon}
  every: 5m
secrets: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-db-AbCdEf"]
env: {DJANGO_DEBUG: "0"}
log_retention_days: 30
environments:
  dev: {}
  prod: {protected: true, functions: {defaults: {memory: 1024}}}
  preview: {warm: {schedule: "off"}}
`

// budget keeps a generated file under Load's 1 MB cap.
const budget = 1<<20 - 64

// cases are the configurations measured, by name.
var cases = []struct{ name, what string }{
	{"normal", "the README's example (1.3 KB)"},
	{"wide", "10,000 env variables, the most values the scan admits"},
	{"wide-flow", "10,000 values in flow lists of 100 (\"[x, x, ...]\")"},
	{"deep-flow", "lists nested 60 deep, [[[...]]], up to 10,000 values"},
	{"deep-block", "block mappings nested 60 deep, up to 10,000 values"},
	{"deep-dash", "\"- - - ...\" lists nested 60 deep, up to 10,000 values"},
	{"long-strings", "1 MB: 100 env variables of 10 KB each"},
	{"refused-deep", "1 MB of [[[... (refused by the scan)"},
	{"refused-wide", "1 MB of env variables, 40,000 keys (refused by the scan)"},
}

func generate(name string) string {
	var b strings.Builder
	fill := func(unit func(i int) string) {
		for i := 0; b.Len() < budget; i++ {
			u := unit(i)
			if b.Len()+len(u) > budget {
				break
			}
			b.WriteString(u)
		}
	}
	switch name {
	case "normal":
		return normal
	case "wide":
		b.WriteString("env:\n")
		for i := 0; i < 9998; i++ {
			fmt.Fprintf(&b, "  VAR_%06d: \"value %d\"\n", i, i)
		}
	case "wide-flow":
		b.WriteString("x_wide:\n")
		for i := 0; i < 98; i++ {
			fmt.Fprintf(&b, "  k%d: [%s]\n", i, strings.TrimSuffix(strings.Repeat("x, ", 100), ", "))
		}
	case "long-strings":
		b.WriteString("env:\n")
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&b, "  VAR_%d: \"%s\"\n", i, strings.Repeat("v", 10400))
		}
	case "refused-wide":
		b.WriteString("env:\n")
		fill(func(i int) string { return fmt.Sprintf("  VAR_%06d: \"value %d\"\n", i, i) })
	case "deep-flow":
		b.WriteString("x_deep:\n")
		for i := 0; i < 160; i++ {
			fmt.Fprintf(&b, "  k%d: %sx%s\n", i, strings.Repeat("[", 60), strings.Repeat("]", 60))
		}
	case "deep-block":
		b.WriteString("x_deep:\n")
		for i := 0; i < 160; i++ {
			for d := 0; d < 60; d++ {
				fmt.Fprintf(&b, "%sk%d_%d:\n", strings.Repeat(" ", d+1), i, d)
			}
			fmt.Fprintf(&b, "%sv: x\n", strings.Repeat(" ", 61))
		}
	case "deep-dash":
		b.WriteString("x_deep:\n")
		for i := 0; i < 160; i++ {
			b.WriteString(" " + strings.Repeat("- ", 60) + "x\n")
		}
	case "refused-deep":
		b.WriteString("a: ")
		n := (budget - 8) / 2
		b.WriteString(strings.Repeat("[", n) + strings.Repeat("]", n) + "\n")
	}
	return b.String()
}

func main() {
	one := flag.String("case", "", "run one case in this process")
	flag.Parse()
	if *one != "" {
		measure(*one)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("| case | what | size | time | peak RSS | RSS / normal |")
	fmt.Println("|---|---|---|---|---|---|")
	var baseRSS float64
	for _, c := range cases {
		out, err := exec.Command(self, "-case", c.name).Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c.name, err)
			os.Exit(1)
		}
		var size int
		var dur time.Duration
		var rss float64
		var result string
		fmt.Sscanf(string(out), "%d %d %f %s", &size, &dur, &rss, &result)
		if c.name == "normal" {
			baseRSS = rss
		}
		fmt.Printf("| %s | %s | %d B | %v | %.1f MB | %.2f |\n", c.name, c.what, size, dur.Round(100*time.Microsecond), rss, rss/baseRSS)
	}
}

// measure loads one generated case and prints its size, the load time,
// the process's peak RSS in MB and whether it loaded.
func measure(name string) {
	src := generate(name)
	dir, err := os.MkdirTemp("", "configbench-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "django-serverless.yml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		panic(err)
	}
	start := time.Now()
	_, lerr := config.Load(p)
	dur := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	result := "loaded"
	if lerr != nil {
		result = "refused"
	}
	fmt.Printf("%d %d %.1f %s\n", len(src), int64(dur), float64(ru.Maxrss)/1024, result)
}
