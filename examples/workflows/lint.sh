#!/usr/bin/env bash
# Lints the example workflows with actionlint, checking every `with:` input
# and every `steps.*.outputs.*` they use against this repository's
# action.yml: each example is copied into a scratch repository where
# `uses: django-serverless/django-serverless-action@v1` becomes `uses: ./`
# (a local action, whose metadata actionlint reads).
# Usage: bash examples/workflows/lint.sh   (from the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
go=${GO:-go}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/.github/workflows"
cp "$root/action.yml" "$root/Dockerfile" "$scratch/"
for f in "$root"/examples/workflows/*.yml; do
  sed 's|uses: django-serverless/django-serverless-action@v1|uses: ./|' "$f" >"$scratch/.github/workflows/$(basename "$f")"
done
# actionlint names files relative to the scratch repository.
(cd "$root" && "$go" run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 \
  -no-color "$root"/examples/workflows/*.yml)
cd "$scratch"
git init -q .
"$go" run -C "$root" github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 \
  -no-color "$scratch"/.github/workflows/*.yml
echo "example workflows: actionlint clean, inputs and outputs match action.yml"
