#!/usr/bin/env bash
# An independent second opinion on the reference server: runs scim2-tester (through
# scim2-cli's `scim2 test`, https://scim2-cli.readthedocs.io) against `scimcheck serve`
# and fails on any ERROR, CRITICAL or DEVIATION line that is not tolerated below.
#
# Needs python3 (with venv and pip) and cargo; installs the pinned scim2 packages from PyPI
# into a virtual environment under target/ (reused when the pins match).
# Environment: SCIMCHECK_BIN (a built scimcheck; default: cargo build, debug, as CI's tests),
# SCIM2_VENV (the virtual environment's directory), SCIM2_VERBOSE=1 (scim2 test -v).
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned together: scim2-cli follows scim2-tester's checks, which change between releases.
PINS=(scim2-cli==0.6.0 scim2-tester==0.5.2 scim2-client==0.13.2 scim2-models==0.12.3)

# Lines tolerated because scim2-tester, not the server, is wrong against the RFC. Each is
# an exact line of `scim2 test` output (after its status word), with the reason above it.
TOLERATED=()

venv="${SCIM2_VENV:-target/interop-scim2-venv}"
stamp="$venv/.pins"
if [[ ! -x "$venv/bin/scim2" || "$(cat "$stamp" 2>/dev/null)" != "${PINS[*]}" ]]; then
    echo "interop: installing ${PINS[*]} into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
    echo "${PINS[*]}" >"$stamp"
fi

bin="${SCIMCHECK_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --locked --quiet
    bin="target/debug/scimcheck"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
base="http://127.0.0.1:$port/scim/v2"
log="$(mktemp)"
out="$(mktemp)"
server=""
cleanup() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -f "$log" "$out" "$out.raw"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" serve --bind 127.0.0.1 --port "$port" --token "$token" >"$log" 2>&1 &
server=$!

# Up when the discovery endpoint answers 200 with the token; give up after 30 s.
ready() {
    python3 - "$base/ServiceProviderConfig" "$token" <<'EOF'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    sys.exit(0 if urllib.request.urlopen(req, timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}
for _ in $(seq 1 150); do
    if ready; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "interop: scimcheck serve exited:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if ! ready; then
    echo "interop: the server at $base did not answer within 30 s" >&2
    cat "$log" >&2
    exit 1
fi

verbose=()
[[ "${SCIM2_VERBOSE:-}" == 1 ]] && verbose=(-v)
# The token goes through the environment, not the command line (scim2 --help says why).
status=0
SCIM_CLI_HEADERS="Authorization: Bearer $token" NO_COLOR=1 \
    "$venv/bin/scim2" --url "$base" test "${verbose[@]+"${verbose[@]}"}" >"$out.raw" 2>&1 || status=$?
sed 's/\x1b\[[0-9;]*m//g' "$out.raw" >"$out"
cat "$out"

# `scim2 test` exits 1 for anything short of SUCCESS (SKIPPED too), so its lines decide.
if ! grep -q '^SUCCESS ' "$out" || grep -q '^Traceback' "$out"; then
    echo "interop: scim2 test did not run to the end (exit $status)" >&2
    exit 1
fi

# Each result is a status line, then (usually) its reason indented by two spaces.
failing=()
tolerated=0
judge() {
    local status_line="$1" reason="$2" t
    for t in "${TOLERATED[@]+"${TOLERATED[@]}"}"; do
        if [[ "$reason" == "$t" ]]; then
            tolerated=$((tolerated + 1))
            return
        fi
    done
    failing+=("$status_line: $reason")
}
pending=""
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ -n "$pending" ]]; then
        if [[ "$line" == "  "* ]]; then
            judge "$pending" "${line#  }"
            pending=""
            continue
        fi
        judge "$pending" ""
        pending=""
    fi
    if [[ "$line" =~ ^(ERROR|CRITICAL|DEVIATION)\  ]]; then
        pending="$line"
    fi
done <"$out"
[[ -n "$pending" ]] && judge "$pending" ""

echo
echo "interop: scim2 test summary:"
grep -oE '^[A-Z]+ ' "$out" | sort | uniq -c
echo "interop: ${#failing[@]} failing, $tolerated tolerated (ERROR, CRITICAL, DEVIATION)"
for f in "${failing[@]+"${failing[@]}"}"; do
    echo "  $f"
done
[[ "${#failing[@]}" -eq 0 ]]
