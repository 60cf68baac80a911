"""Serving on 127.0.0.1, shutdown, and the oe-mcp-sandbox command line (sandbox/server.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import pytest
import trio

from sandbox import (
    DEMO_USER_SECRET,
    DEMO_USER_TOKEN,
    Fault,
    open_sandbox,
)
from shared.settings import REPO_ROOT
from tests.sandbox.support import (
    CREDS,
    EXCHANGE_HEADERS,
    TOKEN_PATH,
)


async def test_listens_on_127_0_0_1_only(sandbox, client):
    parts = urlsplit(sandbox.base_url)
    assert parts.hostname == "127.0.0.1" and parts.path == "/ovaledge" and sandbox.port > 0
    assert (await client.get(sandbox.root_url + "/__sandbox/settings")).status_code == 200
    for host in ("127.0.0.2", "::1"):
        with trio.move_on_after(2), pytest.raises(OSError):
            stream = await trio.open_tcp_stream(host, sandbox.port)
            await stream.aclose()


async def test_shutdown_is_quick_with_a_hanging_request():
    started = trio.current_time()
    async with open_sandbox() as sb:
        sb.state.add_fault(Fault(delay=60))
        async with httpx.AsyncClient(base_url=sb.base_url) as client:
            with trio.move_on_after(0.2):
                await client.get("/api/v1/mcp/tags")
    assert trio.current_time() - started < 3


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_settings_and_stops_on_signal(sig):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--latency", "0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert lines["OVALEDGE_USER_TOKEN"] == DEMO_USER_TOKEN
        assert lines["OVALEDGE_USER_SECRET"] == DEMO_USER_SECRET
        base = lines["OVALEDGE_BASE_URL"]
        assert base.startswith("http://127.0.0.1:") and base.endswith("/ovaledge")
        r = httpx.post(base + TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
        assert r.status_code == 200 and r.json()["ok"] is True
        proc.send_signal(sig)
        assert proc.wait(timeout=5) == 0
        assert proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
