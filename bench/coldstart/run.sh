#!/bin/sh
# Cold-start benchmark (issue 18): time to the first response of a view in a
# fresh interpreter, layers unpacked read-only as on Lambda, with and without
# the bytecode the zips now carry, against hand-compiled bytecode in the same
# run. Needs Debian's python3 with python3-django, -djangorestframework and
# -graphene (the runtime is set to its version, 3.11). Extra flags go to the
# driver:
#   bench/coldstart/run.sh --runs 15 --projects testproj,shop
set -eu
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/django-serverless" .
/usr/bin/python3 bench/coldstart/coldstart.py --bin "$bin/django-serverless" --python /usr/bin/python3 "$@"
