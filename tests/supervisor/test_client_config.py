"""What the setup script prints at the end: the clients found and the command for each."""

from __future__ import annotations

import subprocess
import sys

from shared.settings import REPO_ROOT


def test_the_setup_script_names_the_clients_found_and_the_command_for_each(tmp_path):
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".codex").mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "supervisor.client_config", "--poetry", "/opt/poetry/bin/poetry"],
        cwd="/", capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    ).stdout
    run = f'/opt/poetry/bin/poetry -C "{REPO_ROOT}" run oe-mcp-local install'
    assert f"Cursor:          {run} cursor" in out
    assert f"Codex:           {run} codex" in out
    assert "Windsurf:" not in out  # not found here: offered among the others
    assert f"Other clients: {run} <claude-desktop|claude-code|vscode|windsurf|gemini|kiro>" in out
