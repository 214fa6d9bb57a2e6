#!/usr/bin/env bash
# collectstatic + upload of the admin's static files (the gallery example:
# Django's admin and one app), cold and warm (a fresh checkout: a new
# collection, new mtimes), ours (pkg/staticfiles + pkg/artifacts) against
# `aws s3 sync` (AWS CLI v1) of the same collected folder, same moto, same
# run. The CLI's upload phase is timed alone; it syncs the folder ours
# collected (so both upload the same files), and on the warm run the
# folder a fresh collection wrote.
#
# Usage: bench/static/run.sh   (RUNS=3 by default; MOTO_ENDPOINT optional:
# else a moto_server is started on 127.0.0.1:${MOTO_PORT:-5198} and
# stopped at the end; DJANGO_SERVERLESS_PYTHON defaults to Debian's)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
moto_pid=""
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
if [ -z "${MOTO_ENDPOINT:-}" ]; then
  port=${MOTO_PORT:-5198}
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  MOTO_ENDPOINT=http://127.0.0.1:$port
  for _ in $(seq 50); do curl -sf "$MOTO_ENDPOINT/" >/dev/null && break; sleep 0.2; done
fi
ep=$MOTO_ENDPOINT
python=${DJANGO_SERVERLESS_PYTHON:-/usr/bin/python3}
runs=${RUNS:-3}

(cd "$repo" && go build -o "$work/bench" ./bench/static)

copy() { # a fresh checkout of the gallery: new folder, new mtimes
  rm -rf "$2"
  cp -r "$repo/testdata/static/gallery" "$2"
  find "$2" -name __pycache__ -prune -exec rm -rf {} +
  find "$2" -exec touch -d "$1" {} +
}
ours() { # bucket project keep-dir
  "$work/bench" -project "$2" -settings gallery.settings -python "$python" -bucket "$1" -endpoint "$ep" -keep "$3"
}
sync() { # bucket dir: time, and count what aws s3 sync uploads
  local t0 t1 n bytes
  t0=$(date +%s.%N)
  aws --endpoint-url "$ep" s3 sync "$2" "s3://$1/gallery/dev/static/" --exclude staticfiles.json --no-progress >"$work/sync.out"
  t1=$(date +%s.%N)
  n=$(grep -c '^upload: ' "$work/sync.out" || true)
  bytes=$(sed -n 's/^upload: \(.*\) to s3:.*/\1/p' "$work/sync.out" | while read -r f; do stat -c %s "$f"; done | awk '{s += $1} END {print s + 0}')
  printf 'upload=%.2fs uploaded=%d uploaded_bytes=%d\n' "$(echo "$t1 - $t0" | bc)" "$n" "$bytes"
}

for i in $(seq "$runs"); do
  b_ours=static-ours-$i-$$ b_cli=static-cli-$i-$$
  aws --endpoint-url "$ep" s3api create-bucket --bucket "$b_ours" >/dev/null
  aws --endpoint-url "$ep" s3api create-bucket --bucket "$b_cli" >/dev/null
  copy "2021-01-01 00:00:00" "$work/p1"
  echo "== run $i cold: ours";            ours "$b_ours" "$work/p1" "$work/c1-$i"
  echo "== run $i cold: aws s3 sync";     sync "$b_cli" "$work/c1-$i"
  sleep 1
  copy "2030-01-02 03:04:05" "$work/p2"
  echo "== run $i warm: ours";            ours "$b_ours" "$work/p2" "$work/c2-$i"
  echo "== run $i warm: aws s3 sync";     sync "$b_cli" "$work/c2-$i"
done
