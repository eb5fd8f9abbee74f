#!/usr/bin/env bash
# Renders the HTML certification report of a run against the embedded reference server in
# headless Chromium and writes a PNG to look at: scripts/screenshot-html-report.sh [OUT.png]
# Needs Debian's chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report.png}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo run --quiet --release -- run --report "html=$work/report.html" >/dev/null
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --window-size=1280,1600 \
  --screenshot="$PWD/$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out"
