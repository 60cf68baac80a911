"""`--version` prints on stdout and exits 0, for every command that has it, so that
`oe-mcp-local --version | ...` sees it (issue 24)."""

from __future__ import annotations

import pytest
import trio

from shared import __version__
from tests.harness import base_env, command_path


@pytest.mark.parametrize(("argv", "prog"), [
    (["oe-mcp-local", "--version"], "oe-mcp-local"),
    (["oe-mcp-local", "check", "--version"], "oe-mcp-local"),
    (["oe-mcp-status", "--version"], "oe-mcp-status"),
    (["oe-mcp-check", "--version"], "oe-mcp-check"),
])
async def test_version_is_on_stdout_and_exits_0(argv, prog):
    done = await trio.run_process([command_path(argv[0]), *argv[1:]], capture_stdout=True,
                                  capture_stderr=True, check=False, env=base_env())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode() == f"{prog} {__version__}\n"
    assert done.stderr.decode() == ""
