#!/usr/bin/env bash
# Rebuild the MCP Apps views (shared/views/*.html) and the browser test's host page
# (tests/views/host.html) from views/src with the pinned packages of views/package-lock.json.
# The outputs are committed: users never need Node; only whoever changes a view runs this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../views"
command -v npm >/dev/null 2>&1 || { echo "error: npm (Node.js >= 20) is needed to rebuild the views" >&2; exit 1; }
# Exactly the locked versions. No install scripts: esbuild's binary comes in its platform package.
npm ci --no-audit --no-fund --ignore-scripts
node build.mjs
# The surface data lists each view's size: regenerate it too (commit all three).
if [ -x ../.venv/bin/python ]; then
  (cd .. && .venv/bin/python -m worker.surface --write)
else
  echo "now run: python -m worker.surface --write (in the project's venv) and commit shared/surface.json" >&2
fi
