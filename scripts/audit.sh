#!/usr/bin/env bash
# Checks Cargo.lock against the RustSec advisory database. The database is
# vendored in .ci/advisory-db (CI machines reach crates.io but not GitHub);
# scripts/update-advisories.sh refreshes it where GitHub is reachable.
# Any advisory (vulnerability, unmaintained, unsound, yanked) fails, except
# those listed with a reason in .cargo/audit.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo audit --no-fetch --db .ci/advisory-db --file Cargo.lock --deny warnings "$@"
