#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Kring needs on a fresh
# machine. Idempotent: anything already present at the right version is
# skipped. Needs only the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock.
wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]]; then
  say "installing wasm-bindgen-cli $wb_version (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# wasm-opt from npm's binaryen (Debian's is too old for current wasm).
binaryen_version=132.0.0
if [[ "$(.tools/node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${binaryen_version%%.*}" ]]; then
  say "installing binaryen $binaryen_version (wasm-opt) into .tools/"
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "binaryen@$binaryen_version" >/dev/null
fi

if [[ $want_test == 1 ]]; then
  # cargo-audit checks Cargo.lock against the RustSec advisories vendored
  # in .ci/advisory-db (this machine cannot reach GitHub, where they live).
  audit_version=0.22.2
  if [[ "$(cargo audit --version 2>/dev/null | awk '{print $2}')" != "$audit_version" ]]; then
    say "installing cargo-audit $audit_version (a few minutes, once)"
    cargo install cargo-audit --version "$audit_version" --locked --no-default-features
  fi
  if [[ ! -x /usr/bin/chromium ]]; then
    say "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [[ ! -d end2end/node_modules/playwright-core ]] || [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
    say "installing the browser-test packages (npm ci in end2end/)"
    (cd end2end && npm ci --silent --no-audit --no-fund)
  fi
fi
