#!/bin/sh
# Compares pkg/bundle's ZipDir with Info-ZIP's `zip -X -r` on the same
# generated tree (3,000 files, 50 MB by default), in the same run, and
# prints both times and their ratio. Extra flags go to the Go program:
#   bench/bundle/run.sh -files 3000 -mb 50 -runs 5
#   bench/bundle/run.sh -src /path/to/site-packages
set -eu
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/bundlebench" ./bench/bundle
"$bin/bundlebench" "$@"
