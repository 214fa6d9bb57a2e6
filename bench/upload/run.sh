#!/usr/bin/env bash
# A 200 MB dependencies layer uploaded with pkg/artifacts against moto:
# this checkout (the SDK's transfer manager: concurrent parts) versus a
# baseline checkout (default: the commit before the transfer manager, the
# sequential hand-made multipart upload), same moto, same run, runs
# alternating. Each run uploads to a new key (the object is deleted after
# it), through the whole path a deploy takes: HeadObject, the composite
# checksum, the parts, verification after the upload.
#
#   bench/upload/run.sh                        # baseline: the commit before the transfer manager
#   BASELINE=/path/to/checkout bench/upload/run.sh
#   RUNS=5 SIZE_MB=200 MOTO_ENDPOINT=http://127.0.0.1:5217 bench/upload/run.sh
#   RATE=40 bench/upload/run.sh                # each request body limited to 40 MB/s
#
# On loopback moto itself (one Python process) is the limit, which hides
# what concurrent parts are for; RATE puts a proxy in the bench process
# that lets each request's body flow at RATE MB/s, as each TCP stream to S3
# gets its own share of a real network path.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"
runs="${RUNS:-3}"
size_mb="${SIZE_MB:-200}"
work="$(mktemp -d)"
moto_pid=""
wt=""
cleanup() {
	if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
	if [ -n "$wt" ]; then git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
	AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
if [ -z "${MOTO_ENDPOINT:-}" ]; then
	port="${MOTO_PORT:-5198}"
	moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
	moto_pid=$!
	MOTO_ENDPOINT="http://127.0.0.1:$port"
	for _ in $(seq 50); do curl -sf "$MOTO_ENDPOINT/" >/dev/null && break; sleep 0.2; done
fi

base="${BASELINE:-}"
if [ -z "$base" ]; then
	# The commit before the transfer manager came in.
	rev="$(git log --format=%H -1 --grep='large uploads through the SDK' HEAD)^"
	wt="$work/base"
	git worktree add --detach "$wt" "$rev" >/dev/null 2>&1
	base="$wt"
fi
go build -o "$work/new" ./bench/upload
mkdir -p "$base/bench/upload-baseline"
cp bench/upload/main.go "$base/bench/upload-baseline/main.go"
(cd "$base" && go build -o "$work/old" ./bench/upload-baseline)
[ -n "$wt" ] || rm -rf "$base/bench/upload-baseline"

# Incompressible bytes, as a zip's are.
head -c "$((size_mb << 20))" /dev/urandom >"$work/layer.zip"
echo "layer: ${size_mb} MiB, $runs runs each, alternating; moto at $MOTO_ENDPOINT; per-request rate ${RATE:-unlimited} MB/s"
printf '%-6s %14s %14s\n' run sequential_ms transfer_mgr_ms
olds=() news=()
for i in $(seq "$runs"); do
	read -r _ o < <("$work/old" -file "$work/layer.zip" -bucket bench-upload -endpoint "$MOTO_ENDPOINT" -prefix "old$i" -rate "${RATE:-0}")
	read -r _ n < <("$work/new" -file "$work/layer.zip" -bucket bench-upload -endpoint "$MOTO_ENDPOINT" -prefix "new$i" -rate "${RATE:-0}")
	printf '%-6s %14s %14s\n' "$i" "$o" "$n"
	olds+=("$o") news+=("$n")
done
best() { printf '%s\n' "$@" | sort -n | head -1; }
bo="$(best "${olds[@]}")" bn="$(best "${news[@]}")"
awk -v o="$bo" -v n="$bn" 'BEGIN { printf "best: sequential %d ms, transfer manager %d ms, ratio %.2f (transfer manager / sequential)\n", o, n, n / o }'
