#!/usr/bin/env bash
# The MCP clients' own CLIs, for the tests that check they read what `oe-mcp-local install` wrote:
# Claude Code, the Codex CLI and the Gemini CLI, from npm into .tools/clients/ (git-ignored), so
# the machine's own installs are left alone. Safe to run again: it installs only what is missing.
#   scripts/client_clis.sh          install what is missing; print the bin folder
# Exit 0 when all three are there; 3 when npm is missing or an install failed (the tests then
# skip, naming the reason).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tools/clients"
BIN="$PREFIX/node_modules/.bin"
PACKAGES=("@anthropic-ai/claude-code" "@openai/codex" "@google/gemini-cli")
COMMANDS=(claude codex gemini)

missing=()
for i in "${!COMMANDS[@]}"; do
  [ -x "$BIN/${COMMANDS[$i]}" ] || missing+=("${PACKAGES[$i]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v npm >/dev/null || { echo "client_clis: npm is needed to install ${missing[*]}" >&2; exit 3; }
  mkdir -p "$PREFIX"
  echo "client_clis: installing ${missing[*]} into $PREFIX" >&2
  (cd "$PREFIX" && [ -f package.json ] || echo '{"private": true}' > "$PREFIX/package.json")
  if ! (cd "$PREFIX" && npm install --no-audit --no-fund --loglevel=error "${missing[@]}" >&2); then
    echo "client_clis: npm install failed for ${missing[*]}" >&2
    exit 3
  fi
fi
echo "$BIN"
