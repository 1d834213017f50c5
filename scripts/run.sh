#!/usr/bin/env bash
# README's first command: install what is missing, build in release mode,
# migrate, load the demo data on first start, serve on KRING_BIND
# (default http://127.0.0.1:3000) with SQLite under ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
mkdir -p "${KRING_DATA_DIR:-./data}"
exec "${CARGO_TARGET_DIR:-target}/release/kring" serve --demo
