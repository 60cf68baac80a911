"""Real MCP clients read what `oe-mcp-local install --demo` wrote: Claude Code (`claude mcp list`,
which starts the server and says whether it connected), the Codex CLI (`codex mcp list --json`,
which lists without connecting) and the Gemini CLI (`gemini mcp list`, which connects in a trusted
folder). Each runs against a temporary HOME, so the user's own client files are never touched.

The CLIs come from npm into .tools/clients (scripts/client_clis.sh, run here when they are
missing). Where they cannot be installed (no npm, no network), the tests skip with the reason;
once installed, a failure is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path

import pytest

from shared.settings import REPO_ROOT
from supervisor.install import SERVER_NAME, InstallError, find_poetry
from tests.harness import base_env, command_path

SCRIPT = REPO_ROOT / "scripts" / "client_clis.sh"
CLIENT_TIMEOUT = 180  # seconds: a client starts Poetry, the supervisor, the sandbox and the worker


@cache
def client_bin() -> Path | str:
    """The folder holding claude, codex and gemini, or why they are not there."""
    try:
        done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return "installing the client CLIs with npm took over 15 minutes"
    if done.returncode != 0:
        return f"the client CLIs could not be installed: {done.stderr.strip().splitlines()[-1:]}"
    return Path(done.stdout.strip())


@cache
def poetry() -> str:
    try:
        return find_poetry()
    except InstallError as exc:
        pytest.skip(str(exc))


def needs(name: str) -> Path:
    found = client_bin()
    if isinstance(found, str):
        pytest.skip(found)
    assert (found / name).exists(), f"{name} missing from {found} after a successful install"
    return found


def installed_home(tmp_path: Path, client: str) -> dict[str, str]:
    """A temporary HOME with our demo entry installed for `client` by the real command."""
    home = tmp_path / "home"
    home.mkdir()
    env = base_env({"HOME": str(home)})
    done = subprocess.run([command_path("oe-mcp-local"), "install", client, "--demo", "--poetry", poetry()],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def run_client(bin_dir: Path, argv: list[str], env: dict[str, str], cwd: Path) -> str:
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "NO_COLOR": "1", "CI": "true"}
    done = subprocess.run([str(bin_dir / argv[0]), *argv[1:]], env=env, capture_output=True, text=True,
                          timeout=CLIENT_TIMEOUT, cwd=cwd, stdin=subprocess.DEVNULL)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def test_claude_code_connects_to_the_installed_demo_server(tmp_path):
    bin_dir = needs("claude")
    env = installed_home(tmp_path, "claude-code")
    output = run_client(bin_dir, ["claude", "mcp", "list"], env, Path(env["HOME"]))
    line = next((row for row in output.splitlines() if SERVER_NAME in row), "")
    assert line, output
    assert "Connected" in line, output


def test_codex_lists_the_installed_entry(tmp_path):
    bin_dir = needs("codex")
    env = installed_home(tmp_path, "codex")
    output = run_client(bin_dir, ["codex", "mcp", "list", "--json"], env, Path(env["HOME"]))
    listed = json.loads(output[output.index("["):output.rindex("]") + 1])
    ours = next(server for server in listed if server["name"] == SERVER_NAME)
    assert json.dumps(ours).count(poetry()) == 1, ours
    assert "oe-mcp-local" in json.dumps(ours) and "--demo" in json.dumps(ours), ours


def test_gemini_connects_to_the_installed_demo_server(tmp_path):
    """`gemini mcp list` gives a server 5 s to connect (its MCP_LIST_DEFAULT_TIMEOUT_MSEC; a real
    session allows 10 minutes), which Poetry's own start can take on a loaded machine: up to three
    tries, each a fresh start."""
    bin_dir = needs("gemini")
    env = installed_home(tmp_path, "gemini")
    env["GEMINI_CLI_TRUST_WORKSPACE"] = "true"
    for _ in range(3):
        output = run_client(bin_dir, ["gemini", "mcp", "list"], env, Path(env["HOME"]))
        line = next((row for row in output.splitlines() if SERVER_NAME in row), "")
        assert line, output
        if "Connected" in line:
            break
    assert "Connected" in line and "Disconnected" not in line, output
