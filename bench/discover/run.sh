#!/usr/bin/env bash
# Measures static discovery on synthetic projects of 500, 1,000 and 2,000
# routes: wall time and peak RSS of one process per run (/usr/bin/time -v),
# plus ns/route. Uses the CLI's `discover --json` when the binary has it,
# else bench/discover/probe (the same django.Discover call).
#
#   bench/discover/run.sh            # from the repository root
#   RUNS=5 bench/discover/run.sh     # more runs per size (best is kept)
#
# Targets (issue 2): 2,000 routes under 500 ms wall and 200 MB peak RSS.
set -euo pipefail

cd "$(dirname "$0")/../.."
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/time ]; then
	echo "run.sh: /usr/bin/time is required (apt-get install time)" >&2
	exit 1
fi

go build -o "$work/probe" ./bench/discover/probe
cmd=("$work/probe")
if go build -o "$work/django-serverless" . 2>/dev/null; then
	go run ./bench/discover/gen -apps 2 -routes 2 -out "$work/smoke" >/dev/null
	if "$work/django-serverless" discover --project "$work/smoke" --json >/dev/null 2>&1; then
		cmd=("$work/django-serverless" discover --json --project)
	fi
fi
echo "measuring: ${cmd[*]##*/} (best of $runs runs per size)"
printf '%-8s %10s %12s %12s\n' routes wall_ms ns_per_route peak_rss_mb

for routes in 500 1000 2000; do
	dir="$work/p$routes"
	go run ./bench/discover/gen -apps $((routes / 10)) -routes 10 -out "$dir" >/dev/null
	best_ms="" best_rss=""
	for _ in $(seq "$runs"); do
		/usr/bin/time -v -o "$work/time.txt" "${cmd[@]}" "$dir" >/dev/null
		wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")"
		rss_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
		# wall is [h:]m:ss.cc
		ms="$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d", s * 1000 }')"
		if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms="$ms"; fi
		if [ -z "$best_rss" ] || [ "$rss_kb" -lt "$best_rss" ]; then best_rss="$rss_kb"; fi
	done
	printf '%-8s %10s %12s %12s\n' "$routes" "$best_ms" "$((best_ms * 1000000 / routes))" "$((best_rss / 1024))"
done
echo "in-process figures: go test ./pkg/django -run '^\$' -bench Discover -benchtime 5x"
