"""Ctrl-C (SIGINT) ends the supervisor quietly with exit 130, its workers stopped first
(docs/security.md, item 10)."""

from __future__ import annotations

import os
import signal

import trio

from tests.harness import alive, result_json, sandbox_env, status_of, supervisor, wait_until


async def test_sigint_exits_130_quietly_and_takes_the_workers_along(sandbox, tmp_path):
    sock = tmp_path / "sup.sock"
    async with supervisor(sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(sock))) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        with trio.fail_after(15):
            while not (status := await status_of(sock))["worker"]["spare_pid"]:
                await trio.sleep(0.1)
        workers = [status["worker"]["pid"], status["worker"]["spare_pid"]]
        os.kill(conn.pid, signal.SIGINT)
        with trio.fail_after(15):
            code = await conn.process.wait()
        stderr = conn.stderr()
    await wait_until(lambda: not any(alive(pid) for pid in workers), timeout=5)
    assert code == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "interrupted (SIGINT)" in stderr and not sock.exists()
