#!/bin/sh
# Peak memory and time of loading the worst configurations under the 1 MB
# cap, each in its own process, against the README's example configuration
# in the same run (see bench/config/main.go for the cases).
set -eu
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/configbench" ./bench/config
"$bin/configbench" "$@"
