#!/usr/bin/env bash
# Refreshes the vendored RustSec advisory database (.ci/advisory-db) from
# GitHub; run it on a machine with access, review the diff, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone --depth 1 https://github.com/rustsec/advisory-db "$tmp/db"
rm -rf .ci/advisory-db
mkdir -p .ci/advisory-db
cp -r "$tmp/db/crates" "$tmp/db/LICENSE.txt" .ci/advisory-db/
git -C "$tmp/db" log -1 --format='%H %cI' > .ci/advisory-db/VERSION
echo "advisory database at $(cat .ci/advisory-db/VERSION)"
