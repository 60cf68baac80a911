"""The status socket can never stop the MCP server (docs/security.md, items 1, 4 and 10): not
when it cannot be made, not when it is flooded with idle connections under a low descriptor
limit, and it never deletes a file that is not a stale socket of ours."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import threading

import pytest
import trio

from supervisor.runtime import TRANSPORT_ENV
from tests.harness import (
    command_path,
    connect,
    result_json,
    sandbox_env,
    status_of,
    supervisor,
    wait_until,
)

DESCRIPTOR_LIMIT = 128
IDLE_CONNECTIONS = 150


async def search(conn):
    return await conn.call("asset_explorer", {"search_terms": ["orders"]})


async def test_without_a_status_socket_the_server_serves_and_says_so(sandbox, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    async with supervisor(sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(blocker / "sup.sock"))) as conn:
        result_json(await search(conn))
        stderr = conn.stderr()
    assert "no status socket" in stderr and "serving MCP without it" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("transport", ["unix", "tcp"])
@pytest.mark.parametrize("name", ["notes.txt", "settings.json", "supervisor.tcp.json"])
async def test_a_status_socket_path_at_a_file_never_deletes_the_file(sandbox, tmp_path, transport, name):
    precious = tmp_path / name
    precious.write_text('{"pid": 1, "port": 1, "token": "not a supervisor\'s"}')
    env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(precious), OE_MCP_STATUS_TRANSPORT=transport)
    async with supervisor(env) as conn:
        result_json(await search(conn))
        stderr = conn.stderr()
    assert precious.read_text() == '{"pid": 1, "port": 1, "token": "not a supervisor\'s"}'
    assert "is not a stale status socket of ours" in stderr or "another supervisor" in stderr


async def test_idle_status_connections_cannot_exhaust_the_descriptors_of_the_mcp_server(sandbox, tmp_path):
    sock_path = tmp_path / "sup.sock"
    env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(sock_path))
    command = [f"--nofile={DESCRIPTOR_LIMIT}:{DESCRIPTOR_LIMIT}", command_path("oe-mcp-local")]
    idle: list[socket.socket] = []
    async with connect("prlimit", command, env) as conn:
        result_json(await search(conn))
        worker = (await status_of(sock_path))["worker"]["pid"]
        with trio.move_on_after(5):  # connect as many as the supervisor lets through
            while len(idle) < IDLE_CONNECTIONS:
                held = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                held.setblocking(False)
                if held.connect_ex(str(sock_path)) in (0, errno.EINPROGRESS):
                    idle.append(held)
                else:
                    held.close()
                    await trio.sleep(0.01)
        in_use = len(os.listdir(f"/proc/{conn.pid}/fd"))
        answered = [await search(conn) for _ in range(5)]
        os.kill(worker, signal.SIGKILL)  # its replacement needs descriptors of its own
        replaced = await search(conn)
        for held in idle:
            held.close()
        await wait_until(lambda: sock_path.exists(), timeout=5)
        status = await status_of(sock_path)
        stderr = conn.stderr()
    assert len(idle) >= 20 and in_use < DESCRIPTOR_LIMIT - 16, (len(idle), in_use)
    assert not any(result.is_error for result in answered) and not replaced.is_error
    assert status["supervisor"]["pid"] == conn.pid and status["worker"]["pid"] != worker
    assert "Traceback" not in stderr


@pytest.mark.parametrize("transport", ["unix", "tcp"])
async def test_a_status_path_that_can_be_seen_can_be_connected_to(tmp_path, monkeypatch, transport):
    # A watcher thread connects the moment the path appears (what `oe-mcp-status` or a test
    # does right after start-up): it must never find a socket that is bound but not listening.
    from supervisor import status_socket

    monkeypatch.setenv(TRANSPORT_ENV, transport)
    refused = []
    for attempt in range(30):
        path = tmp_path / f"s{attempt}.sock"
        done = threading.Event()

        def watch(path=path, done=done) -> None:
            while not path.exists():
                if done.is_set():
                    return
            try:
                if transport == "tcp":
                    port = json.loads(path.read_text())["port"]
                    socket.create_connection(("127.0.0.1", port), timeout=5).close()
                else:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                        probe.connect(str(path))
            except (ConnectionRefusedError, json.JSONDecodeError) as exc:
                refused.append(repr(exc))

        watcher = threading.Thread(target=watch)
        watcher.start()
        listener, _ = await status_socket._listen(path)
        await trio.to_thread.run_sync(watcher.join)
        done.set()
        await listener.aclose()
        assert oct(os.lstat(path).st_mode & 0o777) == "0o600"
    assert refused == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"s{i}.sock" for i in range(30))
