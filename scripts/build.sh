#!/usr/bin/env bash
# Release build without cargo-leptos (which takes 20 minutes to install):
# the same steps it runs. 1) the hydration bundle for wasm32 with the small
# `wasm-release` profile, 2) wasm-bindgen, 3) wasm-opt -Oz, 4) CSS and
# public/ into target/site, 5) the server with that site embedded.
# wasm-opt gets exactly the wasm features rustc 1.95 emits for wasm32 (not
# --all-features: newer proposals such as compact imports break browsers).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

target_dir=${CARGO_TARGET_DIR:-target}
site=target/site
say() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

say "wasm hydration bundle"
cargo build --locked -p app --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features hydrate

rm -rf "$site.new"
mkdir -p "$site.new/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$site.new/pkg" --out-name kring \
  "$target_dir/wasm32-unknown-unknown/wasm-release/app.wasm"

say "wasm-opt -Oz"
.tools/node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  -o "$site.new/pkg/kring_bg.wasm" "$site.new/pkg/kring_bg.wasm"

cp style/kring.css "$site.new/pkg/kring.css"
cp -R public/. "$site.new/"
rm -rf "$site"
mv "$site.new" "$site"

say "server (release, site embedded)"
KRING_EMBED_SITE=1 cargo build --locked --release -p server --bin kring
say "done: $target_dir/release/kring ($(du -h "$target_dir/release/kring" | cut -f1))"
