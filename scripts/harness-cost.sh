#!/usr/bin/env bash
# The harness's own CPU per request, measured out of process: a release `scimcheck serve` on a
# free loopback port, `scimcheck run --profile all` against it, and the run's user+sys CPU
# (getrusage of the child) divided by the requests the server answered.
#
#   scripts/harness-cost.sh [--runs N] [--no-build] [--profile LIST]
#
# Start-up is measured apart, as a run that selects no scenario (`--scenario none-such`:
# arguments, configuration, the built-in scenarios loaded, then exit 2). The per-request figure
# is (run CPU - start-up CPU) / requests; the best of N runs is printed, the others too.
# CARGO_TARGET_DIR picks the build (default: target/); SCIMCHECK=PATH skips the build.
# Needs python3 (for getrusage of the child, in microseconds).
set -euo pipefail

runs=3
build=1
profile=all
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --no-build) build=0; shift ;;
    --profile) profile="${2:?--profile needs a list}"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="${SCIMCHECK:-$target_dir/release/scimcheck}"
if [ -z "${SCIMCHECK:-}" ] && [ "$build" = 1 ]; then
  (cd "$root" && cargo build --release --locked --quiet)
fi
[ -x "$bin" ] || { echo "no release build at $bin" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

token="harness-cost-$$"
"$bin" serve --port 0 --token "$token" >"$work/serve.log" 2>&1 &
server_pid=$!
base_url=""
for _ in $(seq 1 100); do
  base_url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/scim/v2' "$work/serve.log" | head -1 || true)"
  [ -n "$base_url" ] && break
  sleep 0.05
done
[ -n "$base_url" ] || { echo "scimcheck serve printed no base URL" >&2; cat "$work/serve.log" >&2; exit 1; }

# The server logs one line per request: `METHOD /path STATUS N ms`.
requests_logged() { grep -cE '^(GET|POST|PUT|PATCH|DELETE) ' "$work/serve.log" || true; }

# Runs the command given and prints "exit-status cpu-microseconds" (user+sys of the child).
cpu_of() {
  python3 - "$@" <<'PY'
import os, subprocess, sys
devnull = subprocess.DEVNULL
child = subprocess.Popen(sys.argv[1:], stdout=devnull, stderr=devnull)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), round((usage.ru_utime + usage.ru_stime) * 1e6))
PY
}

startup_best=""
for _ in $(seq 1 "$runs"); do
  read -r code us < <(cpu_of "$bin" run --base-url "$base_url" --token "$token" \
    --profile "$profile" --scenario none-such)
  [ "$code" = 2 ] || { echo "the start-up run exited $code, not 2" >&2; exit 1; }
  if [ -z "$startup_best" ] || [ "$us" -lt "$startup_best" ]; then startup_best=$us; fi
done

best_total=""; best_requests=""; all=()
for _ in $(seq 1 "$runs"); do
  before=$(requests_logged)
  read -r code us < <(cpu_of "$bin" run --base-url "$base_url" --token "$token" --profile "$profile")
  after=$(requests_logged)
  [ "$code" = 0 ] || { echo "the run exited $code: the reference server should pass" >&2; exit 1; }
  requests=$((after - before))
  all+=("$((us / 1000)) ms/$requests req")
  if [ -z "$best_total" ] || [ "$us" -lt "$best_total" ]; then best_total=$us; best_requests=$requests; fi
done

per_request=$(( (best_total - startup_best) / best_requests ))
echo "binary:              $bin"
echo "profile:             $profile ($runs runs: ${all[*]})"
echo "requests sent:       $best_requests"
echo "harness CPU total:   $((best_total / 1000)) ms (user+sys, best run)"
echo "start-up CPU:        $((startup_best / 1000)) ms (a run that selects no scenario)"
echo "CPU per request:     $per_request µs (total - start-up, over requests)"
