#!/usr/bin/env bash
# Measures static discovery on synthetic projects of 500, 1,000 and 2,000
# routes: wall time, CPU time and peak RSS of one process per run
# (/usr/bin/time -v), plus ns/route. Uses the CLI's `discover --json` when
# the binary has it, else bench/discover/probe (the same django.Discover call).
#
#   bench/discover/run.sh                          # from the repository root
#   RUNS=5 bench/discover/run.sh                   # more runs per size (best is kept)
#   BASELINE=/tmp/base-bin bench/discover/run.sh   # also an older binary, runs interleaved
#
# With BASELINE, each size is measured with both binaries in alternation
# (same machine, same moment) and the ratio new/baseline is printed.
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
base=()
if [ -n "${BASELINE:-}" ]; then
	base=("$BASELINE" discover --json --project)
fi

# measure DIR CMD...: best wall ms, best CPU ms and best peak RSS KB of $runs runs.
measure() {
	local dir="$1"
	shift
	/usr/bin/time -v -o "$work/time.txt" "$@" "$dir" >/dev/null 2>&1 || true
	local wall user sys rss
	wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")"
	user="$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")"
	sys="$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")"
	rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
	# wall is [h:]m:ss.cc
	echo "$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d", s * 1000 }') $(echo "$user $sys" | awk '{ printf "%d", ($1 + $2) * 1000 }') $rss"
}

echo "measuring: ${cmd[*]##*/} (best of $runs runs per size)${base:+, baseline ${BASELINE}}"
printf '%-8s %-9s %10s %10s %12s %12s\n' routes binary wall_ms cpu_ms ns_per_route peak_rss_mb

for routes in 500 1000 2000; do
	dir="$work/p$routes"
	go run ./bench/discover/gen -apps $((routes / 10)) -routes 10 -out "$dir" >/dev/null
	declare -A best_wall=() best_cpu=() best_rss=()
	for _ in $(seq "$runs"); do
		for which in new base; do
			if [ "$which" = base ]; then
				[ ${#base[@]} -gt 0 ] || continue
				read -r w c r < <(measure "$dir" "${base[@]}")
			else
				read -r w c r < <(measure "$dir" "${cmd[@]}")
			fi
			if [ -z "${best_wall[$which]:-}" ] || [ "$w" -lt "${best_wall[$which]}" ]; then best_wall[$which]="$w"; fi
			if [ -z "${best_cpu[$which]:-}" ] || [ "$c" -lt "${best_cpu[$which]}" ]; then best_cpu[$which]="$c"; fi
			if [ -z "${best_rss[$which]:-}" ] || [ "$r" -lt "${best_rss[$which]}" ]; then best_rss[$which]="$r"; fi
		done
	done
	for which in new base; do
		[ -n "${best_wall[$which]:-}" ] || continue
		printf '%-8s %-9s %10s %10s %12s %12s\n' "$routes" "$which" "${best_wall[$which]}" "${best_cpu[$which]}" \
			"$((best_wall[$which] * 1000000 / routes))" "$((best_rss[$which] / 1024))"
	done
	if [ -n "${best_wall[base]:-}" ]; then
		awk -v a="${best_wall[new]}" -v b="${best_wall[base]}" -v c="${best_cpu[new]}" -v d="${best_cpu[base]}" -v n="$routes" \
			'BEGIN { printf "%-8s ratio     wall %.2f  cpu %.2f (new / baseline)\n", n, a / b, (d > 0 ? c / d : 0) }'
	fi
	unset best_wall best_cpu best_rss
done
echo "in-process figures: go test ./pkg/django -run '^\$' -bench Discover -benchtime 5x"
