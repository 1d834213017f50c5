#!/usr/bin/env bash
# Kring's trunk benchmark. Prints:
#   - the signed-in home page with demo data under a fixed 500 req/s for
#     20 s from a second process (oha) on loopback: req/s, p50, p99, errors
#     (budget: p99 <= 15 ms, 0 errors);
#   - the initial wasm bundle, raw and brotli (budget <= 150 kB brotli);
#   - the server's resident memory, idle after start (budget <= 80 MB);
#   - networks: the members page of a network with 200 members from 30
#     organisations, signed in as its facilitator, 300 req/s for 20 s
#     (budget p99 <= 15 ms), and the directory search by postcode timed
#     in-process (budget <= 5 ms; server/examples/bench_networks.rs);
#   - sessions: that network's sessions page (a year of weekly meetings,
#     100 people going) at 300 req/s (budget p99 <= 15 ms); a person's
#     calendar feed of 500 sessions over HTTP at 50 req/s (budget 10 ms);
#     in-process: expanding a five-year weekly series (budget 1 ms),
#     rendering that feed cold and serving it current from the feed cache
#     (server/examples/bench_sessions.rs);
#   - cases: a thread page with 100 replies at 300 req/s, signed in as the
#     facilitator (budget p99 <= 15 ms; every read is audited); in-process:
#     the editor's live check of a 10 kB text (budget 50 ms) and building
#     that thread (server/examples/bench_cases.rs);
#   - the library search: bench/search.sh (100,000 practices).
#   - the anonymiser on one thread: texts of 2 kB per second (budget >= 500),
#     median and p99, one 10 kB text (budget <= 50 ms)
#     (app/examples/anonymise_bench.rs).
# Usage: bench/run.sh            (builds the release binary first)
#        KRING_BIN=path bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

RATE=${RATE:-500}
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

echo "[bench] building the networks fixture"
KRING_EMBED_SITE=1 cargo build --quiet --release -p server --example bench_networks --example bench_sessions --example bench_cases
data=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/release/examples/bench_networks" "sqlite://$data/kring.db?mode=rwc" > "$data/directory.txt"
"${CARGO_TARGET_DIR:-target}/release/examples/bench_sessions" "sqlite://$data/kring.db?mode=rwc" "$data" > "$data/sessions.txt"
"${CARGO_TARGET_DIR:-target}/release/examples/bench_cases" "sqlite://$data/kring.db?mode=rwc" "$data" > "$data/cases.txt"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
KRING_BIND=127.0.0.1:$port KRING_DATA_DIR=$data KRING_LOG=warn "$KRING_BIN" serve --demo >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "$base/" >/dev/null && break; sleep 0.1; done

sleep 2
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

sign_in() {
  curl -s -o /dev/null -D - -X POST "$base/api/sign_in" \
    -H "Origin: $base" -H 'Accept: application/json' \
    --data "email=$1&password=kring-demo" \
    | awk -F'[:;] *' 'tolower($1)=="set-cookie" && $2 ~ /^kring_session=/ {print $2}'
}
cookie=$(sign_in 'coach%40kring.demo')
[[ -n "$cookie" ]] || { echo "sign-in failed"; exit 1; }
curl -fs -H "Cookie: $cookie" "$base/" | grep -q 'Welkom, ' || { echo "not signed in"; exit 1; }

# Warm up, then the measured run.
oha --no-tui -z 3s -q 200 -H "Cookie: $cookie" "$base/" >/dev/null
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q "$RATE" -H "Cookie: $cookie" "$base/" > "$data/oha.json"

fac=$(sign_in 'facilitator%40kring.demo')
members="$base/networks/bench-netwerk/members"
[[ $(curl -fs -H "Cookie: $fac" "$members" | grep -o 'Coach [0-9]* Bench' | wc -l) -ge 49 ]] \
  || { echo "members page does not list a page of 50 members"; exit 1; }
oha --no-tui -z 3s -q 100 -H "Cookie: $fac" "$members" >/dev/null
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q "${NET_RATE:-300}" \
  -H "Cookie: $fac" "$members" > "$data/oha-members.json"
about="$base/networks/bench-netwerk"
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q "${NET_RATE:-300}" \
  -H "Cookie: $fac" "$about" > "$data/oha-about.json"

agenda="$base/networks/bench-netwerk/sessions"
[[ $(curl -fs -H "Cookie: $fac" "$agenda" | grep -o 'Bench intervisie' | wc -l) -ge 50 ]] \
  || { echo "the sessions page does not list the weekly meetings"; exit 1; }
oha --no-tui -z 3s -q 100 -H "Cookie: $fac" "$agenda" >/dev/null
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q "${NET_RATE:-300}" \
  -H "Cookie: $fac" "$agenda" > "$data/oha-sessions.json"
feed="$base/calendar/$(cat "$data/feed-token").ics"
[[ $(curl -fs "$feed" | grep -c 'BEGIN:VEVENT') -eq 500 ]] || { echo "the feed does not hold 500 sessions"; exit 1; }
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q 50 "$feed" > "$data/oha-feed.json"

thread="$base/cases/$(cat "$data/case-id")"
[[ $(curl -fs -H "Cookie: $fac" "$thread" | grep -o 'id="post-[0-9]*"' | wc -l) -eq 100 ]] \
  || { echo "the thread page does not show 100 replies"; exit 1; }
oha --no-tui -z 3s -q 100 -H "Cookie: $fac" "$thread" >/dev/null
oha --no-tui --output-format json --wait-ongoing-requests-after-deadline -z "$DURATION" -q "${NET_RATE:-300}" \
  -H "Cookie: $fac" "$thread" > "$data/oha-thread.json"

wasm=$(ls target/site/pkg/*.wasm | head -1)
node -e '
const fs = require("fs"), zlib = require("zlib");
const r = JSON.parse(fs.readFileSync(process.argv[1]));
const wasm = fs.readFileSync(process.argv[2]);
const br = zlib.brotliCompressSync(wasm, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
const codes = r.statusCodeDistribution || {};
const ok = codes["200"] || 0;
const total = Object.values(codes).reduce((a, b) => a + b, 0);
const errors = total - ok + Object.values(r.errorDistribution || {}).reduce((a, b) => a + b, 0);
const ms = (s) => (s * 1000).toFixed(2);
console.log(`signed-in home page, ${process.argv[4]} req/s for ${process.argv[5]}:`);
console.log(`  throughput  ${r.summary.requestsPerSec.toFixed(1)} req/s`);
console.log(`  p50         ${ms(r.latencyPercentiles.p50)} ms`);
console.log(`  p99         ${ms(r.latencyPercentiles.p99)} ms   (budget 15 ms)`);
console.log(`  errors      ${errors} of ${total}   (budget 0)${errors ? " " + JSON.stringify({ codes, errors: r.errorDistribution }) : ""}`);
console.log(`wasm bundle   ${(wasm.length / 1024).toFixed(1)} kB raw, ${(br.length / 1024).toFixed(1)} kB brotli   (budget 150 kB brotli)`);
console.log(`idle RSS      ${(Number(process.argv[3]) / 1024).toFixed(1)} MB   (budget 80 MB)`);
' "$data/oha.json" "$wasm" "$rss_kb" "$RATE" "$DURATION"
for page in members about sessions feed thread; do
node -e '
const fs = require("fs");
const r = JSON.parse(fs.readFileSync(process.argv[1]));
const codes = r.statusCodeDistribution || {};
const ok = codes["200"] || 0;
const total = Object.values(codes).reduce((a, b) => a + b, 0);
const errors = total - ok + Object.values(r.errorDistribution || {}).reduce((a, b) => a + b, 0);
const ms = (s) => (s * 1000).toFixed(2);
const what = {
  members: "network with 200 members / 30 organisations, members page (first 50 of 200)",
  about: "network with 200 members / 30 organisations, about page (member count, 30 organisations)",
  sessions: "the same network, sessions page (a year of weekly meetings, 100 going)",
  thread: "a case thread with 100 replies (each read written to the audit log)",
  feed: "the calendar feed of a person with 500 sessions (252 kB body each time; rendered once, then checked and served from the feed cache)",
}[process.argv[4]];
const rate = process.argv[4] === "feed" ? 50 : process.argv[2];
const budget = process.argv[4] === "feed" ? "10 ms" : "15 ms";
console.log(`${what}, ${rate} req/s for ${process.argv[3]}:`);
console.log(`  throughput  ${r.summary.requestsPerSec.toFixed(1)} req/s`);
console.log(`  p50         ${ms(r.latencyPercentiles.p50)} ms`);
console.log(`  p99         ${ms(r.latencyPercentiles.p99)} ms   (budget ${budget})`);
console.log(`  errors      ${errors} of ${total}   (budget 0)${errors ? " " + JSON.stringify({ codes, errors: r.errorDistribution }) : ""}`);
' "$data/oha-$page.json" "${NET_RATE:-300}" "$DURATION" "$page"
done
cat "$data/directory.txt" "$data/sessions.txt" "$data/cases.txt"
cargo run --quiet --release -p app --features ssr --example anonymise_bench
KRING_BIN="$KRING_BIN" bench/search.sh
