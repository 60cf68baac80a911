"""Real MCP clients read what `oe-mcp-local install --demo` wrote: Claude Code (`claude mcp list`,
which starts the server and says whether it connected), the Codex CLI (`codex mcp list --json`,
which lists without connecting) and the Gemini CLI (`gemini mcp list`, which connects in a trusted
folder). Each runs against a temporary HOME, so the user's own client files are never touched.

The CLIs come from npm into .tools/clients (scripts/client_clis.sh, run here: it installs one
that is missing or below its minimum, Claude Code 2.1.332). Where they cannot be installed (no npm, no network), the tests skip with the reason;
once installed, a failure is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from shared.settings import REPO_ROOT
from supervisor.install import SERVER_NAME, InstallError, find_poetry
from tests.harness import base_env, command_path

SCRIPT = REPO_ROOT / "scripts" / "client_clis.sh"
CLIENT_TIMEOUT = 180  # seconds: a client starts Poetry, the supervisor, the sandbox and the worker
MODERN = "2026-07-28"
VERSION_META = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_META = "io.modelcontextprotocol/clientInfo"

# Run as `python RECORDER LOG_DIR COMMAND ARGS...`: it execs COMMAND ARGS (so the client's signals
# reach the server itself), with two forked relays between the client and it that pass the bytes on
# unchanged and append them first to LOG_DIR/client.log (what the client wrote) and
# LOG_DIR/server.log (what the server answered).
RECORDER = """
import os, signal, sys

log_dir, command = sys.argv[1], sys.argv[2:]
to_server_read, to_server_write = os.pipe()
from_server_read, from_server_write = os.pipe()


def relay(source, sink, name, unused):
    for fd in unused:
        os.close(fd)
    try:
        with open(os.path.join(log_dir, name), "ab", buffering=0) as log:
            while chunk := os.read(source, 65536):
                log.write(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(sink, view):]
    except OSError:
        pass
    os._exit(0)


if os.fork() == 0:
    relay(0, to_server_write, "client.log", (to_server_read, from_server_read, from_server_write))
if os.fork() == 0:
    relay(from_server_read, 1, "server.log", (0, to_server_read, to_server_write, from_server_write))
os.dup2(to_server_read, 0)
os.dup2(from_server_write, 1)
for fd in (to_server_read, to_server_write, from_server_read, from_server_write):
    os.close(fd)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # as the client would have started it
os.execvp(command[0], command)
"""


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


def record_installed_entry(config: Path, key: str, tmp_path: Path) -> Path:
    """Route the installed entry in `config` (JSON, servers under `key`) through RECORDER; its logs'
    folder. The command and args installed are what the recorder execs; the rest stays as written."""
    document = json.loads(config.read_text(encoding="utf-8"))
    installed = document[key][SERVER_NAME]
    recorder = tmp_path / "recorder.py"
    recorder.write_text(RECORDER, encoding="utf-8")
    logs = tmp_path / "wire"
    logs.mkdir()
    installed["args"] = [str(recorder), str(logs), installed["command"], *installed["args"]]
    installed["command"] = sys.executable
    config.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return logs


def wire_messages(log: Path) -> list[dict]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines if line.strip()]


def test_claude_code_connects_to_the_installed_demo_server(tmp_path):
    """`claude mcp list` connects to what `install claude-code --demo` wrote, and (from 2.1.332, the
    minimum scripts/client_clis.sh installs) opens with 2026-07-28's `server/discover`, no
    `initialize`: the entry is run through a recorder that keeps both sides of the wire."""
    bin_dir = needs("claude")
    env = installed_home(tmp_path, "claude-code")
    logs = record_installed_entry(Path(env["HOME"]) / ".claude.json", "mcpServers", tmp_path)
    output = run_client(bin_dir, ["claude", "mcp", "list"], env, Path(env["HOME"]))
    line = next((row for row in output.splitlines() if SERVER_NAME in row), "")
    assert line, output
    assert "Connected" in line, output

    sent, answered = wire_messages(logs / "client.log"), wire_messages(logs / "server.log")
    assert sent, f"the recorder saw nothing from Claude Code\n{output}"
    answers = {message["id"]: message for message in answered if "id" in message and "method" not in message}
    discover = sent[0]
    assert discover.get("method") == "server/discover", sent[0]
    meta = discover["params"]["_meta"]
    assert meta[VERSION_META] == MODERN, meta
    assert "claude-code" in meta[CLIENT_INFO_META]["name"], meta
    assert not [message for message in sent if message.get("method") == "initialize"], sent
    discovered = answers[discover["id"]]
    assert "error" not in discovered, discovered
    assert MODERN in discovered["result"]["supportedVersions"], discovered

    tools_list = next(message for message in sent[1:] if message.get("method") == "tools/list")
    assert tools_list["params"]["_meta"][VERSION_META] == MODERN, tools_list
    listed = answers[tools_list["id"]]
    assert "error" not in listed, listed
    assert listed["result"]["tools"], listed


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
