#!/usr/bin/env bash
# Interop check: the MCP Inspector CLI, a third-party MCP client, lists the tools of
# `oe-mcp-local --demo` and calls one.
#
#   scripts/inspector_check.sh               # installs Node 22 + the Inspector into .tools/ if missing
#   scripts/inspector_check.sh --no-install  # fail (exit 3) instead of installing
# Exit 3: Node 22 or the Inspector is missing and cannot be installed (no npm, or npm failed);
# tests/e2e/test_inspector.py then skips, naming the reason.
#
# The Inspector needs Node >= 22.7; Node 22 comes from the npm package `node@22`, both into
# .tools/ (git-ignored), so the machine's own Node is left alone. Output: one "== <method> =="
# line, then the Inspector's JSON, for each of the two calls. Server logs go to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/node_modules/.bin"
SERVER="$ROOT/.venv/bin/oe-mcp-local"
INSTALL=1
[[ "${1:-}" == "--no-install" ]] && INSTALL=0

if [[ ! -x "$SERVER" ]]; then
    echo "inspector_check: $SERVER is missing; run scripts/setup_local_mcp.sh first" >&2
    exit 2
fi

install() {  # install <what> <npm package>
    if [[ "$INSTALL" == 0 ]]; then
        echo "inspector_check: $1 is not installed in $TOOLS and --no-install was given" >&2
        exit 3
    fi
    command -v npm >/dev/null || { echo "inspector_check: npm is needed to install $1" >&2; exit 3; }
    echo "inspector_check: installing $2 into $TOOLS" >&2
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error "$2" >&2) ||
        { echo "inspector_check: npm install of $2 failed" >&2; exit 3; }
}

[[ -x "$BIN/node" ]] || install "Node 22" "node@22"
export PATH="$BIN:$PATH"  # Node 22 first: the Inspector and npm both run on it from here on
[[ -x "$BIN/mcp-inspector" ]] || install "the MCP Inspector" "@modelcontextprotocol/inspector"

echo "inspector_check: node $(node --version), inspector $(mcp-inspector --cli --version 2>/dev/null || echo '?')" >&2

# A private runtime dir for the supervisor's status socket, and a catalog file the Inspector may
# write, both thrown away afterwards.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
export MCP_CATALOG_PATH="$SCRATCH/inspector-catalog.json"
RUN=(mcp-inspector --cli -e "XDG_RUNTIME_DIR=$SCRATCH" "$SERVER" --demo)

echo "== tools/list =="
timeout 120 "${RUN[@]}" --method tools/list
echo "== tools/call asset_explorer =="
timeout 120 "${RUN[@]}" --method tools/call --tool-name asset_explorer \
    --tool-arg 'search_terms=["orders"]' limit=3
