"""The supervisor end to end: real processes, real signals, an MCP client on stdio."""

from __future__ import annotations

import os
import signal
import socket
import stat

import trio

from sandbox import Fault
from shared.surface import Surface
from tests.harness import (
    alive,
    result_json,
    result_text,
    sandbox_env,
    socket_listening,
    status_of,
    supervisor,
    wait_until,
)

SEARCH = "/api/v1/mcp/asset-explorer"
WRITE = "/api/v1/mcp/update-asset-descriptions"
EXCHANGE = "/api/user/token/generate"
SURFACE = Surface.load()


def env_for(sandbox, tmp_path, **extra):
    return sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sup.sock"), **extra)


async def worker_ready(socket, timeout: float = 20.0) -> None:
    with trio.fail_after(timeout):
        while (await status_of(socket))["worker"]["state"] != "ready":
            await trio.sleep(0.05)


async def search(conn, **kw):
    return await conn.call("asset_explorer", {"search_terms": ["orders"]}, **kw)


async def test_handshake_and_lists_do_not_wait_for_a_hanging_token_endpoint(sandbox, tmp_path):
    sandbox.state.add_fault(Fault(delay=60), path=EXCHANGE, times=5)
    started = trio.current_time()
    async with supervisor(env_for(sandbox, tmp_path), initialize=False) as conn:
        await conn.session.initialize()
        tools = await conn.session.list_tools()
        templates = await conn.session.list_resource_templates()
        prompts = await conn.session.list_prompts()
        elapsed = trio.current_time() - started
    assert len(tools.tools) == len(SURFACE.tool_names) == 15
    assert len(templates.resource_templates) == 5 and len(prompts.prompts) == 22
    # The figure of record (target 1 s; p95 0.84 s) is measured by the benchmarks on a quiet
    # machine; here, with margin for a busy CI machine, and far below the 60 s hang.
    assert elapsed < 3, elapsed


async def test_sigkill_during_concurrent_reads_replays_them_all(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        result_json(await search(conn))
        before = await status_of(tmp_path / "sup.sock")
        sandbox.state.latency_seconds = 0.4
        results = []

        async def one():
            results.append(await search(conn))

        async with trio.open_nursery() as nursery:
            for _ in range(10):
                nursery.start_soon(one)
            await wait_until(lambda: sandbox.state.count("POST", SEARCH) >= 11)
            os.kill(before["worker"]["pid"], signal.SIGKILL)
        sandbox.state.latency_seconds = 0
        after = await status_of(tmp_path / "sup.sock")
        result_json(await search(conn))  # the connection is still up
        logs = [str(entry.data) for entry in conn.logs]
    assert len(results) == 10 and all(not r.is_error for r in results), [
        result_text(r) for r in results if r.is_error]
    assert after["worker"]["restarts"] == 1
    assert after["worker"]["pid"] != before["worker"]["pid"]
    assert after["worker"]["last_exit"]["signal"] == "SIGKILL"
    assert after["calls"]["replayed"] == 10 and after["calls"]["in_flight"] == 0
    assert any("replaying" in line for line in logs)
    assert any("SIGKILL" in line for line in logs)


async def test_sigkill_during_confirmed_write_reports_unknown_outcome_once(sandbox, tmp_path):
    args = {"object_id": 1002, "object_type": "oetable",
            "technical_description": "Orders, one row per order line.",
            "prompt": "set the technical description of orders"}
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        preview = result_json(await conn.call("update_asset_descriptions", args))
        assert sandbox.state.count("POST", WRITE) == 0
        pid = (await status_of(tmp_path / "sup.sock"))["worker"]["pid"]
        sandbox.state.add_fault(Fault(delay=2.0), path=WRITE)
        confirmed = {**args, "write_confirmed_by_user": True,
                     "confirmation_token": preview["confirmationToken"]}
        async with trio.open_nursery() as nursery:
            outcome = []

            async def write():
                outcome.append(await conn.call("update_asset_descriptions", confirmed))

            nursery.start_soon(write)
            await wait_until(lambda: sandbox.state.count("POST", WRITE) == 1)
            os.kill(pid, signal.SIGKILL)
        status = await status_of(tmp_path / "sup.sock")
    [result] = outcome
    text = result_text(result)
    assert result.is_error and "outcome is unknown" in text and "not replayed" in text
    await trio.sleep(2.5)  # the sandbox would have seen a duplicate by now
    assert sandbox.state.count("POST", WRITE) == 1
    assert status["calls"]["replayed"] == 0


async def test_sigstop_hung_worker_is_replaced_within_the_deadline(sandbox, tmp_path):
    env = env_for(sandbox, tmp_path, OE_MCP_PING_INTERVAL_SECONDS="0.3",
                  OE_MCP_PING_TIMEOUT_SECONDS="0.5", OE_MCP_CALL_TIMEOUT_SECONDS="8")
    async with supervisor(env) as conn:
        result_json(await search(conn))
        pid = (await status_of(tmp_path / "sup.sock"))["worker"]["pid"]
        sandbox.state.latency_seconds = 0.3
        async with trio.open_nursery() as nursery:
            answers = []

            async def call():
                started = trio.current_time()
                answers.append((await search(conn), trio.current_time() - started))

            nursery.start_soon(call)
            await wait_until(lambda: sandbox.state.count("POST", SEARCH) >= 2)
            os.kill(pid, signal.SIGSTOP)
        sandbox.state.latency_seconds = 0
        [(result, took)] = answers
        assert took < 8
        status = await status_of(tmp_path / "sup.sock")
        assert status["worker"]["pid"] != pid and status["worker"]["state"] == "ready"
        assert "hung" in status["worker"]["last_exit"]["reason"]
        result_json(await search(conn))  # the next call succeeds
    assert not result.is_error, result_text(result)  # replayed on the replacement
    assert not alive(pid)


async def test_crash_loop_opens_the_breaker_and_it_closes_after_cooldown(sandbox, tmp_path):
    env_file = tmp_path / "settings.env"
    env_file.write_text("OVALEDGE_TIMEOUT_SECONDS=30\n")
    env = env_for(sandbox, tmp_path, OE_MCP_ENV_FILE=str(env_file), OE_MCP_MAX_RESTARTS="3",
                  OE_MCP_SPARE_WORKER="false",
                  OE_MCP_RESTART_WINDOW_SECONDS="60", OE_MCP_BREAKER_COOLDOWN_SECONDS="3")
    async with supervisor(env) as conn:
        result_json(await search(conn))
        pid = (await status_of(tmp_path / "sup.sock"))["worker"]["pid"]
        env_file.write_text("OVALEDGE_TIMEOUT_SECONDS=soon\n")  # every new worker now exits 2
        os.kill(pid, signal.SIGKILL)
        sock = tmp_path / "sup.sock"
        opened = None
        with trio.move_on_after(30):
            while (opened := await status_of(sock))["breaker"]["state"] != "open":
                await trio.sleep(0.1)
        assert opened and opened["breaker"]["state"] == "open"
        started = trio.current_time()
        failed = await search(conn)
        assert trio.current_time() - started < 1.0  # fails fast
        text = result_text(failed)
        assert failed.is_error and "OVALEDGE_TIMEOUT_SECONDS='soon' is not a number" in text
        env_file.write_text("OVALEDGE_TIMEOUT_SECONDS=30\n")  # the user fixes .env
        closed = None
        with trio.move_on_after(30):
            while (closed := await status_of(sock))["breaker"]["state"] != "closed" or \
                    closed["worker"]["state"] != "ready":
                await trio.sleep(0.2)
        result_json(await search(conn))
        logs = [str(entry.data) for entry in conn.logs]
    assert closed["breaker"]["state"] == "closed"
    assert any("breaker open" in line for line in logs)
    assert any("half-open" in line for line in logs)


async def test_cancellation_reaches_the_worker_and_progress_reaches_the_client(sandbox, tmp_path):
    progress = []

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        result_json(await search(conn, progress_callback=on_progress))
        sandbox.state.add_fault(Fault(delay=5), path=SEARCH)
        with trio.move_on_after(0.8):
            await search(conn)
        await wait_until(lambda: "asset_explorer cancelled by the client" in conn.stderr(), timeout=5)
        result_json(await search(conn))  # the worker is fine afterwards
    assert progress and progress[-1][0] == progress[-1][1] == 1


async def standby_up(socket, timeout: float = 20.0, *, other_than: int | None = None) -> dict:
    """The status once a standby is up (one other than the pid `other_than`)."""
    with trio.fail_after(timeout):
        while (status := await status_of(socket))["worker"]["spare_pid"] in (None, other_than):
            await trio.sleep(0.05)
    return status


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


async def test_stdin_eof_takes_supervisor_and_worker_down(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        await search(conn)
        status = await standby_up(tmp_path / "sup.sock")
        children = [status["worker"]["pid"], status["worker"]["spare_pid"]]  # with the fork host
        process = conn.process
        await process.stdin.aclose()
        took = await wait_until(lambda: process.poll() is not None and not any(map(alive, children)),
                                timeout=3)
    assert took < 3
    assert not (tmp_path / "sup.sock").exists()


async def test_sigkill_of_supervisor_leaves_no_orphan_worker(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        await search(conn)
        status = await standby_up(tmp_path / "sup.sock")
        children = [status["worker"]["pid"], status["worker"]["spare_pid"]]  # with the fork host
        os.kill(conn.pid, signal.SIGKILL)
        took = await wait_until(lambda: not any(map(alive, children)), timeout=3)
    assert took < 3


async def test_restart_worker_under_load_fails_no_call(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        result_json(await search(conn))
        sock = tmp_path / "sup.sock"
        before = await status_of(sock)
        exchanges = sandbox.state.exchanges
        sandbox.state.latency_seconds = 0.02
        results = []
        stop = trio.Event()

        async def stream():
            while not stop.is_set():
                results.append(await search(conn))

        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(stream)
            await trio.sleep(0.3)
            done = await trio.run_process(
                [os.path.join(os.path.dirname(os.sys.executable), "oe-mcp-status"),
                 "restart-worker", "--socket", str(sock)], capture_stdout=True)
            await trio.sleep(0.5)
            stop.set()
        after = await status_of(sock)
    assert b"recycled" in done.stdout
    assert after["worker"]["pid"] != before["worker"]["pid"]
    assert len(results) > 20 and not [result_text(r) for r in results if r.is_error]
    assert sandbox.state.exchanges == exchanges  # the JWT was handed over, not re-exchanged
    assert after["worker"]["restarts"] == 0  # a recycle is not a crash
    assert after["calls"]["replayed"] == 0 and after["calls"]["failed"] == 0


async def test_status_has_every_contract_field_owner_only_socket_no_secret(sandbox, tmp_path):
    token, secret = "canary-tok-5d1e0a", "canary-sec-c44f19"
    sandbox.state.credentials[token] = secret
    env = env_for(sandbox, tmp_path, OVALEDGE_USER_TOKEN=token, OVALEDGE_USER_SECRET=secret)
    async with supervisor(env) as conn:
        result_json(await search(conn))
        sock = tmp_path / "sup.sock"
        status = await status_of(sock)
        mode = stat.S_IMODE(os.stat(sock).st_mode)
        jwt = sandbox.state.active_jwt(token)
        sandbox.state.add_fault(Fault(status=500, message=f"echo {secret} {jwt}"), path=SEARCH)
        echoed = await search(conn)
        table = await trio.run_process(
            [os.path.join(os.path.dirname(os.sys.executable), "oe-mcp-status"), "--socket",
             str(sock)], capture_stdout=True)
        stderr = conn.stderr()
        logs = " ".join(str(entry.data) for entry in conn.logs)
    assert mode == 0o600
    for path in ("supervisor.pid", "supervisor.uptime_seconds", "worker.pid", "worker.state",
                 "worker.restarts", "worker.last_exit", "worker.stderr_tail", "breaker.state",
                 "calls.in_flight", "calls.total", "calls.failed", "calls.replayed",
                 "token.state", "token.expires_in_seconds", "token.exchanges", "token.last_error"):
        section, key = path.split(".")
        assert key in status[section], path
    assert status["worker"]["state"] == "ready" and status["token"]["state"] == "valid"
    assert status["token"]["exchanges"] == 1 and status["calls"]["total"] == 1
    dumped = str(status) + table.stdout.decode() + result_text(echoed) + stderr + logs
    assert "POST /api/v1/mcp/asset-explorer" in stderr  # the worker's request log reaches stderr
    for canary in (token, secret, jwt):
        assert canary not in dumped
    assert "ready" in table.stdout.decode()


async def fork_host_and_worker(conn, sock) -> tuple[int, int]:
    """(the fork host's pid, the current worker's) once a call is answered and the host is up."""
    result_json(await search(conn))
    status = await standby_up(sock)
    assert status["worker"]["standby"] == "fork host"
    return status["worker"]["spare_pid"], status["worker"]["pid"]


async def test_the_fork_host_stands_by_and_every_worker_is_forked_from_it(sandbox, tmp_path):
    sock = tmp_path / "sup.sock"
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        host, first = await fork_host_and_worker(conn, sock)
        assert parent_of(first) == host  # the first worker too
        os.kill(first, signal.SIGKILL)
        result_json(await search(conn))  # answered: replayed on a fork, or sent to it
        replaced = await status_of(sock)
        second = replaced["worker"]["pid"]
        assert second not in (first, None) and parent_of(second) == host
        assert replaced["worker"]["spare_pid"] == host and replaced["worker"]["restarts"] == 1

        os.kill(host, signal.SIGKILL)  # the standby dies: the worker serving is not touched
        results = [await search(conn) for _ in range(3)]
        after = await standby_up(sock, other_than=host)
        result_json(await search(conn))
        logs = [str(entry.data) for entry in conn.logs]
    assert not any(result.is_error for result in results)
    assert after["worker"]["pid"] == second and after["worker"]["restarts"] == 1
    assert after["worker"]["standby"] == "fork host"
    assert any(f"forked from the standby fork host {host}" in line for line in logs)
    assert any(f"standby fork host {host} ended" in line for line in logs)


async def test_a_stopped_fork_host_is_killed_and_replaced_and_the_worker_spawned_cold(sandbox, tmp_path):
    sock = tmp_path / "sup.sock"
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        host, first = await fork_host_and_worker(conn, sock)
        os.kill(host, signal.SIGSTOP)  # hung: it will never answer a fork
        os.kill(first, signal.SIGKILL)
        result_json(await search(conn))  # answered by a worker spawned cold after the fork timed out
        after = await standby_up(sock, 30, other_than=host)
        spawned_by = parent_of(after["worker"]["pid"])
        logs = [str(entry.data) for entry in conn.logs]
    assert not alive(host)
    assert spawned_by == conn.pid  # spawned, not forked
    assert any("did not answer within" in line and "starting one cold" in line for line in logs)


async def test_standby_worker_takes_over_without_a_token_fight(sandbox, tmp_path):
    # OE_MCP_STANDBY=worker, and per-process JWTs: with the shared token cache (the default) the
    # promoted standby adopts the JWT and exchanges none at all (tests/e2e/test_shared_token.py).
    sock = tmp_path / "sup.sock"
    env = env_for(sandbox, tmp_path, OE_MCP_SHARE_TOKEN="false", OE_MCP_STANDBY="worker")
    async with supervisor(env) as conn:
        result_json(await search(conn))
        with trio.move_on_after(15):
            while not (before := await status_of(sock))["worker"]["spare_pid"]:
                await trio.sleep(0.1)
        assert before["worker"]["spare_pid"], "no standby worker came up"
        exchanges = sandbox.state.exchanges  # the standby has not exchanged: one JWT in play
        assert exchanges == 1
        os.kill(before["worker"]["pid"], signal.SIGKILL)
        result_json(await search(conn))
        after = await status_of(sock)
        logs = [str(entry.data) for entry in conn.logs]
    assert before["worker"]["standby"] == "worker"
    assert after["worker"]["pid"] == before["worker"]["spare_pid"]
    assert sandbox.state.exchanges == exchanges + 1  # the promoted standby's own, only
    assert any("standby worker" in line and "takes over" in line for line in logs)


async def test_idle_workers_live_on(sandbox, tmp_path):
    """Regression: no spontaneous restarts once trio retires the thread that spawned a worker
    (a parent-death signal armed from that thread used to SIGKILL workers after ~10 s idle)."""
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        await trio.sleep(12)  # idle: spawning threads retire 10 s after their last job
        status = await status_of(tmp_path / "sup.sock")
        result_json(await search(conn))
    assert status["worker"]["restarts"] == 0 and status["worker"]["last_exit"] is None
    assert status["worker"]["spare_pid"] is not None


async def test_a_failing_token_exchange_shows_in_status_and_in_each_call(sandbox, tmp_path):
    env = env_for(sandbox, tmp_path, OVALEDGE_USER_SECRET="rotated-secret-9d2")
    async with supervisor(env) as conn:
        failed = await search(conn)
        status = await status_of(tmp_path / "sup.sock")
        tools = await conn.session.list_tools()
    assert failed.is_error and "401" in result_text(failed)
    assert status["token"]["state"] == "failed" and "401" in status["token"]["last_error"]
    assert status["worker"]["state"] == "ready" and status["worker"]["restarts"] == 0
    assert "rotated-secret-9d2" not in str(status) + result_text(failed)
    assert len(tools.tools) == len(SURFACE.tool_names)


async def test_worker_is_recycled_after_n_calls_without_a_failed_call(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path, OE_MCP_RECYCLE_AFTER_CALLS="5")) as conn:
        first = (await status_of(tmp_path / "sup.sock"))["worker"]["pid"]
        results = [await search(conn) for _ in range(12)]
        await trio.sleep(0.5)
        status = await status_of(tmp_path / "sup.sock")
        logs = [str(entry.data) for entry in conn.logs]
    assert not [result_text(r) for r in results if r.is_error]
    assert status["worker"]["pid"] != first and status["worker"]["restarts"] == 0
    assert any("Recycling the worker: it served 5 calls" in line for line in logs)
    assert sandbox.state.exchanges == 1  # the JWT was handed over, never re-exchanged


async def test_a_call_past_its_deadline_gets_a_timeout_result_and_is_cancelled(sandbox, tmp_path):
    async with supervisor(env_for(sandbox, tmp_path, OE_MCP_CALL_TIMEOUT_SECONDS="1")) as conn:
        await worker_ready(tmp_path / "sup.sock")  # the 1 s deadline is for the call, not the spawn
        result_json(await search(conn))
        sandbox.state.add_fault(Fault(delay=5), path=SEARCH)
        started = trio.current_time()
        late = await search(conn)
        took = trio.current_time() - started
        await wait_until(lambda: "asset_explorer cancelled by the client" in conn.stderr(),
                         timeout=5)
        status = await status_of(tmp_path / "sup.sock")
        result_json(await search(conn))  # the same worker serves on
    assert late.is_error and "no answer within 1 s" in result_text(late)
    assert took < 3
    assert status["calls"]["timed_out"] == 1 and status["calls"]["in_flight"] == 0
    assert status["worker"]["restarts"] == 0


async def test_bad_status_requests_never_hurt_the_supervisor(sandbox, tmp_path):
    sock_path = tmp_path / "sup.sock"
    async with supervisor(env_for(sandbox, tmp_path)) as conn:
        await socket_listening(sock_path)
        for junk in (b"[" * 4000 + b"\n", b"\xff\xfe not json\n", b'{"command": 5}\n', b"\n"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
                raw.settimeout(5)
                raw.connect(str(sock_path))
                raw.sendall(junk)
                raw.recv(4096)
        status = await status_of(sock_path)
        result_json(await search(conn))
    assert status["supervisor"]["pid"] == conn.pid
