"""The snippets the setup script prints are valid JSON and start the server by absolute path."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from shared.settings import REPO_ROOT
from supervisor.client_config import claude_desktop_config_path


def test_printed_snippets_parse_as_json_with_absolute_repo_path():
    out = subprocess.run(
        [sys.executable, "-m", "supervisor.client_config", "--poetry", "/opt/poetry/bin/poetry"],
        cwd="/", capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout
    blocks = re.findall(r"^\{\n.*?^\}$", out, flags=re.S | re.M)
    assert len(blocks) == 2  # Cursor and Claude Desktop
    for block in blocks:
        server = json.loads(block)["mcpServers"]["ovaledge-local"]
        assert server["command"] == "/opt/poetry/bin/poetry"
        assert server["args"] == ["-C", str(REPO_ROOT), "run", "oe-mcp-local"]
        assert server["env"]["AUTH_MODE"] == "local"
    assert "claude mcp add ovaledge-local" in out


def test_claude_desktop_paths_per_os():
    assert claude_desktop_config_path("Darwin").startswith("~/Library/Application Support/Claude")
    assert claude_desktop_config_path("Windows") == r"%APPDATA%\Claude\claude_desktop_config.json"


def test_the_setup_script_names_the_clients_found_and_the_command_for_each(tmp_path):
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".codex").mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "supervisor.client_config", "--poetry", "/opt/poetry/bin/poetry", "--hints-only"],
        cwd="/", capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    ).stdout
    run = f'/opt/poetry/bin/poetry -C "{REPO_ROOT}" run oe-mcp-local install'
    assert f"Cursor:          {run} cursor" in out
    assert f"Codex:           {run} codex" in out
    assert "Windsurf:" not in out  # not found here: offered among the others
    assert f"Other clients: {run} <claude-desktop|claude-code|vscode|windsurf|gemini|kiro>" in out
