#!/usr/bin/env bash
# Set up the OvalEdge local MCP server from a clone: Python >= 3.12, Poetry, dependencies, .env,
# a smoke test, and its registration in the MCP clients named with --client (or the command that
# registers it in each client found).
#   ./scripts/setup_local_mcp.sh          set up
#   ./scripts/setup_local_mcp.sh --dev    set up with the dev tools, then lint and run the tests
#   ./scripts/setup_local_mcp.sh --demo   set up, then run the guided demo on the sandbox OvalEdge
# Safe to run again: it only does what is missing.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POETRY_VERSION="2.5.1"
MIRROR_PLUGIN="poetry-plugin-pypi-mirror==0.6.5"
MODE="setup"

usage() {
  cat <<'EOF'
Usage: scripts/setup_local_mcp.sh [--dev | --demo] [--client NAME ...] [-h]

  (no flag)      install the server, then name the MCP clients found and how to register it
  --dev          also install the dev tools, then run lint (ruff) and the tests (pytest)
  --demo         then run the guided demo against the embedded sandbox OvalEdge (no account needed)
  --client NAME  register the server in this MCP client (repeatable): claude-desktop, claude-code,
                 cursor, vscode, windsurf, codex, gemini, kiro
  -h             this help

Environment:
  OE_MCP_PYTHON   a Python >= 3.12 interpreter to use (otherwise one is searched for)
  POETRY_HOME     where Poetry is installed when missing (default ~/.local/share/pypoetry)
EOF
}

CLIENTS=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --dev) MODE="dev" ;;
    --demo) MODE="demo" ;;
    --client)
      [ "$#" -ge 2 ] || { echo "error: --client needs a client name" >&2; usage >&2; exit 2; }
      CLIENTS+=("$2"); shift ;;
    --client=*) CLIENTS+=("${1#--client=}") ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n==> %s\n' "$*"; }
fail() {
  # fail <what failed> <what to do>
  printf '\nFAILED: %s\nWhat to do: %s\n' "$1" "$2" >&2
  exit 1
}

cd "$REPO_ROOT"

step "Checking the operating system"
case "$(uname -s)" in
  Darwin|Linux) echo "ok: $(uname -s)" ;;
  *) fail "unsupported OS '$(uname -s)'" "on Windows run: powershell -ExecutionPolicy Bypass -File .\\scripts\\setup_local_mcp.ps1" ;;
esac

step "Finding Python >= 3.12"
is_py312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
PYTHON=""
if [ -n "${OE_MCP_PYTHON:-}" ]; then
  is_py312 "$OE_MCP_PYTHON" || fail "OE_MCP_PYTHON='$OE_MCP_PYTHON' is not a Python >= 3.12" \
    "point OE_MCP_PYTHON at a python3.12 or python3.13 executable, or unset it"
  PYTHON="$OE_MCP_PYTHON"
else
  for candidate in python3.13 python3.12 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && is_py312 "$candidate"; then
      PYTHON="$(command -v "$candidate")"; break
    fi
  done
  if [ -z "$PYTHON" ] && command -v pyenv >/dev/null 2>&1; then
    for version in 3.13 3.12; do
      prefix="$(pyenv prefix "$version" 2>/dev/null | head -n 1 || true)"
      if [ -n "$prefix" ] && is_py312 "$prefix/bin/python3"; then
        PYTHON="$prefix/bin/python3"; break
      fi
    done
  fi
fi
[ -n "$PYTHON" ] || fail "no Python >= 3.12 found (tried python3.13, python3.12, python3, python, pyenv)" \
  "install Python 3.12 or 3.13 (macOS: 'brew install python@3.12'; Debian/Ubuntu: 'sudo apt install python3.12 python3.12-venv'; pyenv: 'pyenv install 3.12'), or set OE_MCP_PYTHON=/path/to/python3.12"
# A pyenv shim resolves per directory: pin the real interpreter behind it.
PYTHON="$("$PYTHON" -c 'import sys; print(sys.executable)')"
echo "ok: $("$PYTHON" --version) at $PYTHON"

step "Pointing Poetry at the package index and CA bundle pip uses"
# Poetry ignores pip's configuration; corporate mirrors and TLS-intercepting proxies need both.
pip_config() { "$PYTHON" -m pip config list 2>/dev/null | sed -n "s/^[^ ]*\.$1='\(.*\)'$/\1/p" | head -n 1; }
INDEX_URL="${PIP_INDEX_URL:-$(pip_config index-url)}"
if [ -z "$INDEX_URL" ]; then
  INDEX_URL="$("$PYTHON" -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)' 2>/dev/null || true)"
fi
export POETRY_PYPI_MIRROR_URL="$INDEX_URL"
CA_BUNDLE="${PIP_CERT:-$(pip_config cert)}"
if [ -n "$CA_BUNDLE" ] && [ -f "$CA_BUNDLE" ]; then
  export REQUESTS_CA_BUNDLE="${REQUESTS_CA_BUNDLE:-$CA_BUNDLE}"
  export SSL_CERT_FILE="${SSL_CERT_FILE:-$CA_BUNDLE}"
fi
echo "ok: index from pip's configuration${CA_BUNDLE:+, CA bundle $CA_BUNDLE}"

step "Ensuring Poetry"
POETRY_HOME="${POETRY_HOME:-$HOME/.local/share/pypoetry}"
export POETRY_HOME
if command -v poetry >/dev/null 2>&1; then
  POETRY="$(command -v poetry)"
elif [ -x "$POETRY_HOME/bin/poetry" ]; then
  POETRY="$POETRY_HOME/bin/poetry"
else
  echo "Poetry not found; installing Poetry $POETRY_VERSION into its own venv at $POETRY_HOME"
  "$PYTHON" -m venv "$POETRY_HOME" \
    || fail "could not create a venv at $POETRY_HOME" "install the venv module (Debian: 'sudo apt install python3.12-venv') or set POETRY_HOME to a writable folder"
  "$POETRY_HOME/bin/pip" install --quiet "poetry==$POETRY_VERSION" "$MIRROR_PLUGIN" \
    || fail "pip could not install Poetry" "check network access to your package index (pip config list), then run this script again"
  POETRY="$POETRY_HOME/bin/poetry"
fi
# Poetry installed by this script carries the mirror plugin; a user's own Poetry may not.
if [ -x "$(dirname "$POETRY")/pip" ] && ! "$(dirname "$POETRY")/python" -c 'import poetry_plugin_pypi_mirror' >/dev/null 2>&1; then
  "$(dirname "$POETRY")/pip" install --quiet "$MIRROR_PLUGIN" >/dev/null 2>&1 || true
fi
echo "ok: $("$POETRY" --version 2>/dev/null) at $POETRY"
echo "    (add $(dirname "$POETRY") to the PATH your MCP client sees, or use the full path below)"

step "Installing dependencies"
"$POETRY" env use "$PYTHON" >/dev/null \
  || fail "poetry could not create the project venv with $PYTHON" "delete $REPO_ROOT/.venv and run this script again"
INSTALL_ARGS=(install --no-interaction)
[ "$MODE" = "dev" ] && INSTALL_ARGS+=(--with dev)
"$POETRY" "${INSTALL_ARGS[@]}" \
  || fail "poetry install failed" "read the error above; behind a proxy check 'pip config list' for the index and CA bundle, then run this script again"

step "Creating .env"
if [ -f .env ]; then
  echo "ok: .env already exists; left unchanged"
else
  cp .env.example .env
  chmod 600 .env
  echo "created .env from .env.example: set OVALEDGE_BASE_URL, OVALEDGE_USER_TOKEN and OVALEDGE_USER_SECRET in it"
fi

step "Smoke test"
"$POETRY" run oe-mcp-local --version \
  || fail "the entry point does not start" "run '$POETRY install' again; if it persists, delete $REPO_ROOT/.venv and rerun this script"

if [ "$MODE" = "dev" ]; then
  # The views' browser test (tests/views) drives the system's Chromium; Playwright downloads none.
  step "Chromium for the views' browser test"
  find_chromium() {
    if [ -n "${OE_MCP_CHROMIUM:-}" ] && [ -x "$OE_MCP_CHROMIUM" ]; then echo "$OE_MCP_CHROMIUM"; return 0; fi
    for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
      if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
    done
    return 1
  }
  if CHROMIUM="$(find_chromium)"; then
    echo "ok: $CHROMIUM"
  elif command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || sudo -n true >/dev/null 2>&1; }; then
    AS_ROOT=()
    [ "$(id -u)" = "0" ] || AS_ROOT=(sudo -n)
    echo "installing Debian's chromium package"
    "${AS_ROOT[@]}" apt-get update -qq \
      && "${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
      || fail "apt-get could not install chromium" "install it yourself ('sudo apt-get install chromium'), then run this script again"
    CHROMIUM="$(find_chromium)" || fail "chromium was installed but is not on the PATH" "set OE_MCP_CHROMIUM=/path/to/chromium"
    echo "ok: $CHROMIUM"
  else
    echo "note: no Chromium found and none can be installed here (needs apt-get as root or sudo -n)."
    echo "      Install Chromium or Chrome, or set OE_MCP_CHROMIUM=/path/to/it; until then the views'"
    echo "      browser test is skipped (in CI, CI=true, it fails instead)."
  fi

  step "Lint (ruff)"
  "$POETRY" run ruff check . || fail "ruff found problems" "fix them, or run '$POETRY run ruff check --fix .'"
  step "Tests (pytest)"
  set +e
  "$POETRY" run pytest
  status=$?
  set -e
  case "$status" in
    0) echo "ok: tests passed" ;;
    5) fail "pytest collected no tests (exit 5)" "the test suite is missing: check that tests/ exists and pytest's testpaths" ;;
    *) fail "tests failed (pytest exit $status)" "read the failures above" ;;
  esac
fi

step "ready"
echo "Run it by hand:   $POETRY -C \"$REPO_ROOT\" run oe-mcp-local"
if [ "${#CLIENTS[@]}" -gt 0 ]; then
  for client in "${CLIENTS[@]}"; do
    "$POETRY" run oe-mcp-local install "$client" --poetry "$POETRY" \
      || fail "could not register the server in $client" "read the message above; '$POETRY -C \"$REPO_ROOT\" run oe-mcp-local install $client --print' shows the entry to add by hand"
  done
else
  "$POETRY" run python -m supervisor.client_config --poetry "$POETRY"
fi

if [ "$MODE" = "demo" ]; then
  step "Demo: oe-mcp-local --demo, driven as an MCP client would"
  "$POETRY" run python -m sandbox.demo \
    || fail "the demo did not complete" "read the output above; '$POETRY run oe-mcp-local check --demo' checks the basics"
fi
