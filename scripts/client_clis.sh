#!/usr/bin/env bash
# The MCP clients' own CLIs, for the tests that check they read what `oe-mcp-local install` wrote:
# Claude Code, the Codex CLI and the Gemini CLI, from npm into .tools/clients/ (git-ignored), so
# the machine's own installs are left alone. Safe to run again: it installs a CLI only when it is
# missing or older than the minimum stated below for it, and then to at least that minimum.
#   scripts/client_clis.sh          install or upgrade what is needed; print the bin folder
# Exit 0 when all three are there at their minimums; 3 when npm is missing, an install failed or
# a CLI is still below its minimum afterwards (the tests then skip, naming the reason).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tools/clients"
BIN="$PREFIX/node_modules/.bin"
PACKAGES=("@anthropic-ai/claude-code" "@openai/codex" "@google/gemini-cli")
COMMANDS=(claude codex gemini)
# The lowest version each CLI may have ("" = any). Claude Code 2.1.332 is the first release seen to
# open with `server/discover` at MCP 2026-07-28 (older ones send `initialize` at 2025-11-25), which
# tests/e2e/test_client_clis.py checks on the wire.
MINIMUMS=("2.1.332" "" "")

# Exit 0 when the package installed under $PREFIX is below $2 (or its version cannot be read).
below_minimum() {
  python3 - "$PREFIX/node_modules/$1/package.json" "$2" <<'PY'
import json
import re
import sys

def key(version):
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0])[:3])

try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        installed = json.load(handle)["version"]
except (OSError, ValueError, KeyError):
    sys.exit(0)
sys.exit(0 if key(installed) < key(sys.argv[2]) else 1)
PY
}

needed() {  # the CLIs that are missing or below their minimum, as indexes
  for i in "${!COMMANDS[@]}"; do
    if [ ! -x "$BIN/${COMMANDS[$i]}" ]; then
      echo "$i"
    elif [ -n "${MINIMUMS[$i]}" ] && below_minimum "${PACKAGES[$i]}" "${MINIMUMS[$i]}"; then
      echo "$i"
    fi
  done
}

specs=()
for i in $(needed); do
  specs+=("${PACKAGES[$i]}${MINIMUMS[$i]:+@^${MINIMUMS[$i]}}")
done
if [ "${#specs[@]}" -gt 0 ]; then
  command -v npm >/dev/null || { echo "client_clis: npm is needed to install ${specs[*]}" >&2; exit 3; }
  mkdir -p "$PREFIX"
  echo "client_clis: installing ${specs[*]} into $PREFIX" >&2
  [ -f "$PREFIX/package.json" ] || echo '{"private": true}' > "$PREFIX/package.json"
  if ! (cd "$PREFIX" && npm install --no-audit --no-fund --loglevel=error "${specs[@]}" >&2); then
    echo "client_clis: npm install failed for ${specs[*]}" >&2
    exit 3
  fi
  still=$(needed)
  if [ -n "$still" ]; then
    for i in $still; do
      echo "client_clis: after npm install, ${PACKAGES[$i]} is still missing or below" \
        "${MINIMUMS[$i]:-any version}" >&2
    done
    exit 3
  fi
fi
echo "$BIN"
