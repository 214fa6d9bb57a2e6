#!/usr/bin/env bash
# serve against manage.py runserver on the same project (serve's demo,
# HTTP API), in the same run: first-request latency, warm requests per
# second, memory per warm worker. Debian's python3-django is needed.
#
# Usage: bench/serve/run.sh [-duration 5s] [-rounds 3] [-clients 1,4] [-python /usr/bin/python3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
go build -o "$work/django-serverless" .
go run ./bench/serve -bin "$work/django-serverless" "$@"
