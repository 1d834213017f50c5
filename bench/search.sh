#!/usr/bin/env bash
# The library's search benchmark (bench/run.sh calls it; it also runs
# alone). Prints:
#   - import of N generated practices and the index build from the
#     database (budget >= 2,000 practices/s), then 2,000 searches top 10
#     with facets in-process (budget p99 <= 5 ms)
#     (server/examples/bench_search.rs; N=100000 unless set);
#   - GET /api/search?q=huisvesing (a typo: the fuzzy path) and
#     ?q=gezinnen (a word in most practices), facets included, each at
#     200 req/s for 20 s from oha (budget p99 <= 25 ms);
#   - the server's resident memory with that index, after the load
#     (budget <= 300 MB).
# Usage: KRING_BIN=path bench/search.sh   (else builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
N=${N:-100000}
DURATION=${DURATION:-20s}
OHA_VERSION=1.16.0
if [[ "$(oha --version 2>/dev/null | awk '{print $2}')" != "$OHA_VERSION" ]]; then
  echo "[bench] installing oha $OHA_VERSION (load generator, once)"
  cargo install oha --version "$OHA_VERSION" --locked >/dev/null
fi
if [[ -z "${KRING_BIN:-}" ]]; then
  scripts/setup.sh
  scripts/build.sh >/dev/null
  KRING_BIN="${CARGO_TARGET_DIR:-target}/release/kring"
fi
KRING_EMBED_SITE=1 cargo build --quiet --release -p server --example bench_search
data=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/release/examples/bench_search" "$data" "$N"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The rate limits are off: 200 req/s from one address is the load being
# measured here, not an abuser (with them on, the search limit answers 429).
KRING_RATE_LIMITS=off KRING_BIND=127.0.0.1:$port KRING_DATA_DIR=$data KRING_LOG=warn "$KRING_BIN" serve >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do curl -fs "$base/" >/dev/null && break; sleep 0.1; done
# A typo (the fuzzy path) and a word in most practices (the most matches
# to count and facet), each at 200 req/s.
for q in huisvesing gezinnen; do
  url="$base/api/search?q=$q"
  curl -fs "$url" | grep -q '"total"' || { echo "search endpoint failed"; exit 1; }
  oha --no-tui -z 3s -q 100 "$url" >/dev/null
  oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q 200 "$url" > "$data/oha-$q.json"
  node -e '
const fs = require("fs");
const r = JSON.parse(fs.readFileSync(process.argv[1]));
const codes = r.statusCodeDistribution || {};
const ok = codes["200"] || 0;
const total = Object.values(codes).reduce((a, b) => a + b, 0);
const errors = total - ok + Object.values(r.errorDistribution || {}).reduce((a, b) => a + b, 0);
const ms = (s) => (s * 1000).toFixed(2);
console.log(`search over HTTP (${process.argv[3]} practices, "${process.argv[4]}", facets), 200 req/s for ${process.argv[2]}:`);
console.log(`  throughput  ${r.summary.requestsPerSec.toFixed(1)} req/s`);
console.log(`  p50         ${ms(r.latencyPercentiles.p50)} ms`);
console.log(`  p99         ${ms(r.latencyPercentiles.p99)} ms   (budget 25 ms)`);
console.log(`  errors      ${errors} of ${total}   (budget 0)`);
' "$data/oha-$q.json" "$DURATION" "$N" "$q"
done
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "server RSS with that index, after the load: $((rss_kb / 1024)) MB   (budget 300 MB)"
