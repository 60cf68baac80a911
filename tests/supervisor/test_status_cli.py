"""`oe-mcp-status`: discovery in the runtime dir, exit codes, and the TCP transport (Windows)."""

from __future__ import annotations

import json
import os
import socket
import stat

import trio

from tests.harness import command_path, result_json, sandbox_env, status_of, supervisor


async def status_cli(*args: str) -> tuple[int, str]:
    done = await trio.run_process([command_path("oe-mcp-status"), *args], capture_stdout=True,
                                  capture_stderr=True, check=False)
    return done.returncode, (done.stdout + done.stderr).decode()


async def test_nothing_running_is_exit_1_and_bad_usage_exit_2():
    code, out = await status_cli()
    assert code == 1 and "no running oe-mcp-local supervisor" in out
    code, _ = await status_cli("--no-such-flag")
    assert code == 2


async def test_supervisors_are_found_in_the_runtime_dir(sandbox, _private_runtime_dir):
    async with supervisor(sandbox_env(sandbox)) as conn:
        await conn.call("asset_explorer", {"search_terms": ["orders"]})
        code, table = await status_cli()
        code_json, raw = await status_cli("--json")
        sockets = list(_private_runtime_dir.glob("oe-mcp/supervisor-*.sock"))
        modes = [stat.S_IMODE(os.stat(path).st_mode) for path in sockets]
    assert code == 0 and code_json == 0
    assert table.splitlines()[0].split()[:4] == ["SUPERVISOR", "UPTIME", "WORKER", "STATE"]
    assert str(conn.pid) in table
    assert json.loads(raw.splitlines()[0])["supervisor"]["pid"] == conn.pid
    assert modes == [0o600]
    assert not sockets[0].exists()  # removed when the supervisor exits


async def test_tcp_transport_needs_the_token_from_an_owner_only_descriptor(sandbox, tmp_path):
    descriptor = tmp_path / "supervisor.tcp.json"
    env = sandbox_env(sandbox, OE_MCP_STATUS_TRANSPORT="tcp", OE_MCP_STATUS_SOCKET=str(descriptor))
    async with supervisor(env) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        status = await status_of(descriptor)
        info = json.loads(descriptor.read_text())
        mode = stat.S_IMODE(os.stat(descriptor).st_mode)
        with socket.create_connection(("127.0.0.1", info["port"]), timeout=5) as sock:
            sock.sendall(b'{"command": "status", "token": "wrong"}\n')
            refused = sock.recv(4096)
    assert status["supervisor"]["pid"] == conn.pid and status["worker"]["state"] == "ready"
    assert mode == 0o600
    assert b"permission denied" in refused
