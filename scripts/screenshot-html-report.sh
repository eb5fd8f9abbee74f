#!/usr/bin/env bash
# Renders an HTML certification report in headless Chromium and writes a PNG to look at.
#
#   scripts/screenshot-html-report.sh [--report REPORT.html] [--pdf] [OUT.png]
#
# Without --report it first runs the Okta profile against the embedded reference server.
# --pdf also prints the report to OUT.pdf, as a customer printing it would see it.
# Paths are taken relative to the directory you call it from. Needs Debian's chromium
# (apt-get install chromium).
set -euo pipefail

report=""
pdf=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report="${2:?--report needs a file}"; shift 2 ;;
    --pdf) pdf=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done

absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
out="$(absolute "${out:-report.png}")"
mkdir -p "$(dirname "$out")"
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$report" ]; then
  report="$work/report.html"
  (cd "$(dirname "$0")/.." && cargo run --quiet --release -- run --report "html=$report" >/dev/null)
else
  report="$(absolute "$report")"
  [ -f "$report" ] || { echo "no such report: $report" >&2; exit 2; }
fi

# The flags keep Chromium from reaching for the network, which is closed here.
browser=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$work/profile")
"${browser[@]}" --window-size=1280,1800 --screenshot="$out" "file://$report" 2>"$work/log" \
  || { cat "$work/log" >&2; exit 1; }
[ -s "$out" ] || { cat "$work/log" >&2; echo "chromium wrote no screenshot" >&2; exit 1; }
echo "wrote $out"
if [ "$pdf" = 1 ]; then
  "${browser[@]}" --no-pdf-header-footer --print-to-pdf="${out%.png}.pdf" "file://$report" 2>"$work/log" \
    || { cat "$work/log" >&2; exit 1; }
  echo "wrote ${out%.png}.pdf"
fi
