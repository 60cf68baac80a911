#!/usr/bin/env bash
# Build the Claude Desktop extension: dist/ovaledge-local.mcpb, with the official MCPB tools
# (@anthropic-ai/mcpb from npm, installed into .tools/mcpb once). The manifest is checked with
# `mcpb validate` before `mcpb pack`. Needs Python >= 3.11 and npm.
#   scripts/build_mcpb.sh        build; prints the bundle's path last
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MCPB_VERSION="2.1.2"
TOOLS="$ROOT/.tools/mcpb"
MCPB="$TOOLS/node_modules/.bin/mcpb"
STAGE="$ROOT/build/mcpb"
OUT="$ROOT/dist/ovaledge-local.mcpb"
PYTHON="${OE_MCP_PYTHON:-$(command -v python3)}"

if [ ! -x "$MCPB" ]; then
  command -v npm >/dev/null || { echo "build_mcpb: npm is needed to install the MCPB tools" >&2; exit 3; }
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private": true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error "@anthropic-ai/mcpb@$MCPB_VERSION" >&2)
fi

"$PYTHON" "$ROOT/scripts/build_mcpb.py" "$STAGE" >/dev/null
"$MCPB" validate "$STAGE/manifest.json"
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
"$MCPB" pack "$STAGE" "$OUT" >&2
echo "$OUT"
