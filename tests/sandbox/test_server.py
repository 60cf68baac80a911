"""Serving on 127.0.0.1, shutdown, and the oe-mcp-sandbox command line (sandbox/server.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
import trio

from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN, Fault, open_sandbox
from shared.settings import REPO_ROOT
from tests.sandbox.support import ASSET_DETAILS, CREDS, DETAILS, EXCHANGE_HEADERS, TOKEN_PATH


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


@contextmanager
def sandbox_command(*options: str) -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """`python -m sandbox --port 0 <options>` running; the process and the settings it printed."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", *options],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc, dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_prints_settings_and_stops_on_signal(sig):
    with sandbox_command("--latency", "0") as (proc, lines):
        assert lines["OVALEDGE_USER_TOKEN"] == DEMO_USER_TOKEN
        assert lines["OVALEDGE_USER_SECRET"] == DEMO_USER_SECRET
        base = lines["OVALEDGE_BASE_URL"]
        assert base.startswith("http://127.0.0.1:") and base.endswith("/ovaledge")
        r = httpx.post(base + TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
        assert r.status_code == 200 and r.json()["ok"] is True
        proc.send_signal(sig)
        assert proc.wait(timeout=5) == 0
        assert proc.stderr.read() == ""


@pytest.mark.parametrize(
    ("mode", "served", "unmapped"), [("legacy", DETAILS, ASSET_DETAILS), ("current", ASSET_DETAILS, DETAILS)]
)
def test_cli_api_flag_picks_the_routes(mode, served, unmapped):
    with sandbox_command("--api", mode) as (proc, lines):
        base = lines["OVALEDGE_BASE_URL"]
        token = httpx.post(base + TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS).json()["data"]["token"]
        headers = {"Authorization": f"jwt {token}"}
        assert httpx.get(f"{base.rsplit('/', 1)[0]}/__sandbox/settings").json()["settings"]["api"] == mode
        params = {"objectId": 1002, "objectType": "oetable"}
        assert httpx.get(base + served, params=params, headers=headers).status_code == 200
        missing = httpx.get(base + unmapped, params=params, headers=headers)
        assert missing.status_code == 404 and missing.json()["error"] == "Not Found"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0


def test_cli_refuses_an_unknown_api_mode():
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "--api", "newest"],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "--api: invalid choice: 'newest'" in done.stderr
