#!/usr/bin/env bash
# Cold upload and fresh-checkout re-run against moto: pkg/artifacts (zips
# by pkg/bundle, content-addressed keys, HeadObject skip) versus
# `aws cloudformation package` (AWS CLI v1) on an equivalent template
# (a root stack nesting a child with two layers and a function pointing at
# the same code folders). Bytes uploaded are counted by moto: the sum of
# object sizes in each tool's bucket before and after each run.
#
# Usage: bench/artifacts/run.sh   (MOTO_ENDPOINT optional: else a moto_server
# is started on 127.0.0.1:${MOTO_PORT:-5199} and stopped at the end)
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
  port=${MOTO_PORT:-5199}
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  MOTO_ENDPOINT=http://127.0.0.1:$port
  for _ in $(seq 50); do curl -sf "$MOTO_ENDPOINT/" >/dev/null && break; sleep 0.2; done
fi
ep=$MOTO_ENDPOINT
s3api() { aws --endpoint-url "$ep" s3api "$@"; }
stored() { # total bytes stored in a bucket
  s3api list-objects-v2 --bucket "$1" --query 'Contents[].Size' --output text |
    tr -s '\t ' '\n\n' | awk '/^[0-9]+$/ {s += $1} END {print s + 0}'
}

# The source: the largest example project (shop), a dependencies folder
# (Debian's Django, DRF, graphene and friends: what its layer would hold)
# and the handler.
src=$work/src1
mkdir -p "$src/deps" "$src/project" "$src/handler"
for p in django rest_framework graphene graphql promise rx aniso8601 six.py; do
  [ -e "/usr/lib/python3/dist-packages/$p" ] && cp -r "/usr/lib/python3/dist-packages/$p" "$src/deps/"
done
cp -r "$repo/testdata/django/shop/src/." "$src/project/"
printf 'from django_serverless.handler import handle\n' >"$src/handler/lambda_function.py"
find "$src" -name __pycache__ -prune -exec rm -rf {} +
find "$src" -type l -delete   # Debian links files to /usr/share: neither tool should see them

cat >"$src/child.yaml" <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DepsLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: ./deps
  ProjectLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: ./project
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: lambda_function.handle
      Runtime: python3.12
      Role: arn:aws:iam::123456789012:role/x
      Code: ./handler
      Layers: [!Ref DepsLayer, !Ref ProjectLayer]
EOF
cat >"$src/root.yaml" <<'EOF'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Lambdas:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
EOF
echo "source: $(du -sh "$src/deps" | cut -f1) deps, $(find "$src" -type f | wc -l) files"

(cd "$repo" && go build -o "$work/bench" ./bench/artifacts)
run_id=$(date +%s)
b_ours=bench-ours-$run_id b_cli=bench-cli-$run_id
s3api create-bucket --bucket "$b_ours" >/dev/null
s3api create-bucket --bucket "$b_cli" >/dev/null

ours() {
  local before after
  before=$(stored "$b_ours")
  "$work/bench" -src "$1" -bucket "$b_ours" -endpoint "$ep" -prefix shop
  after=$(stored "$b_ours")
  echo "  moto: +$((after - before)) bytes"
}
cli() {
  local before after t0 t1
  before=$(stored "$b_cli")
  t0=$(date +%s.%N)
  (cd "$1" && AWS_ENDPOINT_URL_S3="$ep" aws --endpoint-url "$ep" cloudformation package --template-file root.yaml \
    --s3-bucket "$b_cli" --s3-prefix shop --output-template-file "$work/packaged.yaml" >/dev/null 2>"$work/cli.err") || { cat "$work/cli.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  after=$(stored "$b_cli")
  printf 'wall=%.2fs\n  moto: +%d bytes\n' "$(echo "$t1 - $t0" | bc)" "$((after - before))"
}

echo "== cold: ours";   ours "$src"
echo "== cold: aws cloudformation package"; cli "$src"

# A fresh checkout: same content, new folder, new mtimes.
sleep 1
cp -r "$src" "$work/src2"
find "$work/src2" -exec touch -d "2030-01-02 03:04:05" {} +
echo "== fresh checkout: ours"; ours "$work/src2"
echo "== fresh checkout: aws cloudformation package"; cli "$work/src2"
