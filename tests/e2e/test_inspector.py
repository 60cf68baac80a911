"""Interop: the MCP Inspector CLI, a third-party MCP client, lists and calls our tools.

Runs `scripts/inspector_check.sh --no-install` against `oe-mcp-local --demo`. Only when the
Inspector and Node 22 are already in .tools/ (`scripts/inspector_check.sh` installs them once):
the normal test run never downloads anything.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from shared.settings import REPO_ROOT
from shared.surface import Surface

TOOLS_BIN = REPO_ROOT / ".tools" / "node_modules" / ".bin"
SCRIPT = REPO_ROOT / "scripts" / "inspector_check.sh"

pytestmark = pytest.mark.skipif(
    not ((TOOLS_BIN / "mcp-inspector").exists() and (TOOLS_BIN / "node").exists()),
    reason="MCP Inspector not installed in .tools/ (run scripts/inspector_check.sh once to install "
    "Node 22 and the Inspector); skipped so that the test run downloads nothing",
)

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
        ["bash", str(SCRIPT), "--no-install"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = sections(done.stdout)
    listed = {tool["name"] for tool in out["tools/list"]["tools"]}
    assert listed == set(TOOL_BY_NAME), listed ^ set(TOOL_BY_NAME)
    result = out["tools/call asset_explorer"]
    assert not result.get("isError"), result
    hits = result["structuredContent"]["data"]["items"]
    assert hits and any(hit["objectName"] == "orders" for hit in hits), hits
    assert json.loads(result["content"][0]["text"])["data"]["items"] == hits
