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

say "cargo clippy -D warnings (server side, and the wasm side)"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

if [[ -z "${KRING_TEST_POSTGRES_URL:-}" ]]; then
  say "KRING_TEST_POSTGRES_URL is not set: the PostgreSQL variants will report themselves skipped"
fi
say "cargo test (domain, data layer, HTTP, CLI)"
cargo test --locked --release --workspace

say "release build (wasm bundle + server with the site embedded)"
scripts/build.sh

say "browser tests (Chromium, axe-core)"
(cd end2end && npm test)

say "all tests passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
