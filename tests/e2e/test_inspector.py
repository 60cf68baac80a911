"""Interop: the MCP Inspector CLI, a third-party MCP client, lists and calls our tools.

Runs `scripts/inspector_check.sh` against `oe-mcp-local --demo`. The script installs Node 22 and
the Inspector into .tools/ (git-ignored) from npm when they are missing, as the client CLIs'
test does; where they cannot be installed (no npm, no network: the script's exit 3) the test
skips with the reason; once installed, a failure is a failure.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from shared.settings import REPO_ROOT
from shared.surface import Surface

SCRIPT = REPO_ROOT / "scripts" / "inspector_check.sh"
CANNOT_INSTALL = 3  # the script's exit code when npm is missing or an install failed

TOOL_BY_NAME = Surface.load().tool_names


def sections(stdout: str) -> dict[str, object]:
    """The script's output: '== <method> ==' lines, each followed by the Inspector's JSON."""
    found: dict[str, object] = {}
    name, lines = None, []
    for line in stdout.splitlines() + ["== end =="]:
        if line.startswith("== ") and line.endswith(" =="):
            if name is not None:
                found[name] = json.loads("\n".join(lines))
            name, lines = line[3:-3], []
        else:
            lines.append(line)
    return found


def test_inspector_lists_the_tools_and_calls_one():
    done = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode == CANNOT_INSTALL:
        pytest.skip(f"the MCP Inspector could not be installed: {done.stderr.strip().splitlines()[-1:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    out = sections(done.stdout)
    listed = {tool["name"] for tool in out["tools/list"]["tools"]}
    assert listed == set(TOOL_BY_NAME), listed ^ set(TOOL_BY_NAME)
    result = out["tools/call asset_explorer"]
    assert not result.get("isError"), result
    hits = result["structuredContent"]["data"]["items"]
    assert hits and any(hit["objectName"] == "orders" for hit in hits), hits
    assert json.loads(result["content"][0]["text"])["data"]["items"] == hits
