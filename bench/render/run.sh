#!/usr/bin/env bash
# Issue 3's speed figures, from the built CLI, in one run:
#   - `render --out` (discover + plan + zips + templates) vs `discover --json`
#     on the synthetic 2,000-route project: wall time, peak RSS, and the
#     ratio render/discover (discover is the baseline measured alongside);
#   - the same on a project whose committed schema.graphql is Saleor's
#     (1 MB, hundreds of root fields -> AppSync resolvers in shards).
# Best of RUNS (default 3). Target: the whole render under 2 s for 2,000 routes.
# With BASELINE=DIR (another checkout, e.g. the main branch), its binary is
# built too and measured in the same run: render time, templates, bytes and
# CloudFormation resources of both, side by side.
#
#   bench/render/run.sh                     # from the repository root
#   BASELINE=/path/to/main bench/render/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

go build -o "$work/ds" .
go run ./bench/discover/gen -apps 200 -routes 10 -out "$work/p2000" >/dev/null
if [ -n "${BASELINE:-}" ]; then
	(cd "$BASELINE" && go build -o "$work/base" .)
fi

# The tutorial with Saleor's schema committed as its SDL.
cp -r testdata/django/tutorial "$work/saleor"
cp testdata/corpus/saleor.schema.graphql "$work/saleor/schema.graphql"

# measure NAME CMD... -> "ms rss_mb" (best of $runs)
measure() {
	local best_ms="" best_rss=""
	for _ in $(seq "$runs"); do
		rm -rf "$work/out"
		/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
		local wall rss ms
		wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")"
		rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
		ms="$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%d", s * 1000 }')"
		if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms="$ms"; fi
		if [ -z "$best_rss" ] || [ "$rss" -lt "$best_rss" ]; then best_rss="$rss"; fi
	done
	echo "$best_ms $((best_rss / 1024))"
}

printf '%-22s %10s %10s %12s %8s\n' project discover_ms render_ms render_rss_mb ratio
for p in p2000 saleor; do
	read -r dms _ < <(measure "$work/ds" discover --json --project "$work/$p")
	read -r rms rrss < <(measure "$work/ds" render --project "$work/$p" --out "$work/out")
	ratio="$(awk -v r="$rms" -v d="$dms" 'BEGIN { if (d == 0) d = 1; printf "%.1f", r / d }')"
	printf '%-22s %10s %10s %12s %8s\n' "$p" "$dms" "$rms" "$rrss" "$ratio"
done
# size BIN API -> "templates bytes resources" of a 2,000-route render.
size() {
	rm -rf "$work/out"
	local cfg=()
	if [ "$2" = http ]; then
		printf 'api:\n  type: http\n' >"$work/http.yml"
		cfg=(--config "$work/http.yml")
	fi
	"$1" render --project "$work/p2000" "${cfg[@]}" --out "$work/out" 2>/dev/null
	echo "$(ls "$work/out/templates" | wc -l) $(cat "$work/out"/templates/*.yaml | wc -c) $(grep -h '^    Type: AWS::' "$work/out"/templates/*.yaml | wc -l)"
}
printf '\n%-10s %-5s %10s %10s %12s %10s\n' binary api render_ms templates bytes resources
bins=(ds)
if [ -n "${BASELINE:-}" ]; then bins=(base ds); fi
for api in rest http; do
	for b in "${bins[@]}"; do
		cfg=()
		if [ "$api" = http ]; then printf 'api:\n  type: http\n' >"$work/http.yml"; cfg=(--config "$work/http.yml"); fi
		read -r rms _ < <(measure "$work/$b" render --project "$work/p2000" "${cfg[@]}" --out "$work/out")
		read -r n bytes res < <(size "$work/$b" "$api")
		name=this
		if [ "$b" = base ]; then name=baseline; fi
		printf '%-10s %-5s %10s %10s %12s %10s\n' "$name" "$api" "$rms" "$n" "$bytes" "$res"
	done
done
