#!/usr/bin/env bash
# Browser journeys, accessibility (axe-core, WCAG 2.2 AA) and screenshots, in Debian's
# chromium driven by playwright-core (no browser download), against a release build with a
# fresh SQLite database and the demo content. Screenshots: target/browser/.
#
# Needs chromium and Node.js with npm; as root (CI) they are installed with apt-get. On a
# laptop without them it says so and skips, unless CI is set, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have chromium || missing+=(chromium)
have node || missing+=(nodejs)
have npm || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "browser tests: installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  elif [ -n "${CI:-}" ]; then
    echo "FAILED: browser tests need ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  else
    echo "SKIPPED: browser tests need ${missing[*]} (apt-get install ${missing[*]})."
    exit 0
  fi
fi
# playwright-core and axe-core at the versions in package-lock.json.
if [ ! -f tests/browser/node_modules/.package-lock.json ] \
  || ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.lock-copy; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/browser/package-lock.json tests/browser/node_modules/.lock-copy
fi

cargo build --release --locked
dir=$(mktemp -d)
out="$root/target/browser"
rm -rf "$out"
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MMHA_LOG=warn ./target/release/mmha serve --bind "127.0.0.1:$port" --data-dir "$dir" >"$out/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo 'browser test passphrase' | ./target/release/mmha --data-dir "$dir" user add \
  --email admin@example.org --role admin --password-stdin >/dev/null
node tests/browser/journeys.mjs "http://127.0.0.1:$port" "$dir" "$out"
