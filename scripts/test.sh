#!/usr/bin/env bash
# README's second command: every test Kring has.
#   formatting and lints, domain and data-layer tests (SQLite, and
#   PostgreSQL when KRING_TEST_POSTGRES_URL is set), HTTP tests against an
#   in-process server, the release build, and the browser tests in Chromium.
# Release mode throughout, so the test build and the built server share
# their compiled dependencies (about half the cold build time on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\n\033[1m[test]\033[0m %s\n' "$*"; }
started=$SECONDS

scripts/setup.sh --test

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo audit (RustSec advisories, vendored in .ci/advisory-db)"
scripts/audit.sh

say "cargo clippy -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

if [[ -z "${KRING_TEST_POSTGRES_URL:-}" ]]; then
  say "KRING_TEST_POSTGRES_URL is not set: the PostgreSQL variants will report themselves skipped"
fi
say "release build (wasm bundle + server with the site embedded)"
scripts/build.sh

say "cargo test (domain, data layer, HTTP against the embedded site, CLI)"
# Same profile and build settings as the release build: nothing is rebuilt
# but the test harnesses.
# The timeouts turn a hung test into a failure with a name, well inside
# CI's limit (SIGKILL after 30 s: a test server may catch SIGTERM).
KRING_EMBED_SITE=1 timeout -k 30 40m cargo test --locked --release --workspace

say "browser tests (Chromium, axe-core)"
(cd end2end && timeout -k 30 20m npm test)

say "all tests passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
