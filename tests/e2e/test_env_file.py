"""An env file that cannot be read, or is not UTF-8, is named like any other setting error: the
file, the problem and the fix, never a traceback, at start-up (on stderr, and as the answer to
every tool call of a server that keeps serving) and when a worker is restarted after it broke
(docs/security.md, item 7)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
import trio

from tests.harness import command_path, connect, result_text, sandbox_env, status_of, supervisor, wait_until

NOT_UTF8 = b"OVALEDGE_BASE_URL=https://oe.example.test/ovaledge\nOVALEDGE_USER_TOKEN=caf\xe9\n"
# Root reads any file; without these capabilities it is held to the file's mode like anyone.
WITHOUT_FILE_OVERRIDES = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


async def problem_told(env: dict[str, str], prefix: list[str] | None = None) -> tuple[str, str]:
    """Start oe-mcp-local with these settings and call a tool: the answer's text and stderr.
    The handshake and the tool list are served all the same."""
    argv = [*(prefix or []), command_path("oe-mcp-local")]
    async with connect(argv[0], argv[1:], env) as conn:
        assert {tool.name for tool in (await conn.session.list_tools()).tools} >= {"asset_explorer"}
        answer = await conn.call("asset_explorer", {"search_terms": ["orders"]})
        assert answer.is_error
        text = result_text(answer)
        with trio.fail_after(5):
            while "serving without OvalEdge" not in conn.stderr():
                await trio.sleep(0.02)
        return text, conn.stderr()


async def test_a_non_utf8_env_file_is_one_line_naming_file_problem_and_fix(tmp_path):
    env_file = tmp_path / "broken.env"
    env_file.write_bytes(NOT_UTF8)
    text, stderr = await problem_told({"PATH": os.environ["PATH"], "OE_MCP_ENV_FILE": str(env_file)})
    line = (f"the settings file {env_file} is not UTF-8 text (byte 0xe9 at offset 74); save it as "
            "UTF-8, or set OE_MCP_ENV_FILE to another file")
    assert line in text and line in stderr
    assert "Traceback" not in text + stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root and setpriv to drop the capability to read any file")
async def test_an_unreadable_env_file_is_one_line_naming_file_problem_and_fix():
    folder = Path(tempfile.mkdtemp())
    try:
        env_file = folder / "secret.env"
        env_file.write_text("OVALEDGE_BASE_URL=https://oe.example.test/ovaledge\n")
        env_file.chmod(0)
        env = {"PATH": os.environ["PATH"], "OE_MCP_ENV_FILE": str(env_file)}
        text, stderr = await problem_told(env, WITHOUT_FILE_OVERRIDES)
    finally:
        shutil.rmtree(folder)
    line = (f"the settings file {env_file} cannot be read (permission denied); make it readable "
            "by this user")
    assert line in text and line in stderr
    assert "Traceback" not in text + stderr


async def test_an_env_file_broken_after_start_is_named_in_the_callers_error(sandbox, tmp_path):
    env_file = tmp_path / "settings.env"
    env_file.write_text("OE_MCP_RESTART_WINDOW_SECONDS=60\n")
    sock = tmp_path / "sup.sock"
    env = sandbox_env(sandbox, OE_MCP_ENV_FILE=str(env_file), OE_MCP_STATUS_SOCKET=str(sock),
                      OE_MCP_SPARE_WORKER="false", OE_MCP_MAX_RESTARTS="2")
    async with supervisor(env) as conn:
        with trio.fail_after(20):
            while (status := await status_of(sock))["worker"]["state"] != "ready":
                await trio.sleep(0.05)
        worker = status["worker"]["pid"]
        env_file.write_bytes(NOT_UTF8)
        os.kill(worker, signal.SIGKILL)
        await wait_until(lambda: "breaker open" in conn.stderr(), timeout=30)
        failed = await conn.call("asset_explorer", {"search_terms": ["orders"]})
    text = result_text(failed)
    assert failed.is_error and "keeps failing to run" in text
    assert f"the settings file {env_file} is not UTF-8 text" in text
    assert "Traceback" not in text and "site-packages" not in text
