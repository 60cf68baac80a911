"""Several clients, one credential pair (issue 22): real `oe-mcp-local` processes of one user
against one sandbox (which keeps one active JWT per pair) share one JWT through the token cache
in the private runtime directory."""

from __future__ import annotations

import os
import signal
import stat
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import trio
from filelock import FileLock

from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN, Fault, open_sandbox
from supervisor.runtime import runtime_dir
from tests.harness import (
    as_other_user,
    needs_root,
    result_json,
    result_text,
    run_command,
    sandbox_env,
    status_of,
    supervisor,
    wait_until,
)
from worker.token_cache import TokenCache

SEARCH = "/api/v1/mcp/asset-explorer"
EXCHANGE = "/api/user/token/generate"
SECOND_TOKEN, SECOND_SECRET = "team-b-token", "team-b-secret"


def env_for(sandbox, tmp_path: Path, name: str, **extra: str) -> dict[str, str]:
    return sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / f"{name}.sock"), **extra)


async def clients(stack: AsyncExitStack, sandbox, tmp_path: Path, count: int, **extra: str) -> list:
    """`count` oe-mcp-local processes, started one after the other without waiting for their
    workers (which exchange in the background at start, so their first exchanges race)."""
    first = len(list(tmp_path.glob("c*.sock.started")))
    conns = []
    for i in range(first, first + count):
        (tmp_path / f"c{i}.sock.started").touch()
        conns.append(await stack.enter_async_context(supervisor(env_for(sandbox, tmp_path, f"c{i}", **extra))))
    return conns


async def round_of_calls(conns: list, per_client: int) -> list:
    """`per_client` concurrent searches from every client at once; their results."""
    results: list = []

    async def one(conn) -> None:
        results.append(await conn.call("asset_explorer", {"search_terms": ["orders"]}))

    async with trio.open_nursery() as nursery:
        for conn in conns:
            for _ in range(per_client):
                nursery.start_soon(one, conn)
    return results


def failures(results: list) -> list[str]:
    return [result_text(r) for r in results if r.is_error]


def exchanges_of(sandbox, user_token: str = DEMO_USER_TOKEN) -> list:
    return [r for r in sandbox.state.requests
            if r.path.endswith(EXCHANGE) and (r.json or {}).get("userToken") == user_token]


def rejections(sandbox) -> int:
    return sum(1 for r in sandbox.state.requests if r.status == 401)


def cache_for(sandbox, token: str = DEMO_USER_TOKEN, secret: str = DEMO_USER_SECRET) -> TokenCache:
    return TokenCache(runtime_dir(), sandbox.base_url, token, secret)


async def test_three_clients_share_one_jwt_under_load(sandbox, tmp_path):
    """3 clients x 8 concurrent calls x 10 rounds: 0 failures, <= 2 exchanges, <= 3 HTTP 401."""
    sandbox.state.latency_seconds = 0.01
    async with AsyncExitStack() as stack:
        conns = await clients(stack, sandbox, tmp_path, 3)
        results = []
        for _ in range(10):
            results += await round_of_calls(conns, 8)
        status = await status_of(tmp_path / "c0.sock")
        logs = " ".join(str(entry.data) for conn in conns for entry in conn.logs)
        stderr = "".join(conn.stderr() for conn in conns)
    assert len(results) == 240 and not failures(results), failures(results)[:3]
    assert len(exchanges_of(sandbox)) <= 2, len(exchanges_of(sandbox))
    assert rejections(sandbox) <= 3, rejections(sandbox)
    shared = status["token"]["shared"]
    assert shared["in_use"] is True and shared["processes"] == 3, shared
    assert shared["last_exchange_pid"] in {conn.pid for conn in conns}
    assert "adopted the JWT that process" in logs + stderr  # two of the three adopted
    jwt = sandbox.state.active_jwt(DEMO_USER_TOKEN)
    assert jwt and jwt not in str(status) + logs + stderr


async def test_without_sharing_each_client_exchanges_its_own(sandbox, tmp_path):
    """OE_MCP_SHARE_TOKEN=false: per-process JWTs again (they knock each other out)."""
    async with AsyncExitStack() as stack:
        conns = await clients(stack, sandbox, tmp_path, 2, OE_MCP_SHARE_TOKEN="false")
        for conn in conns:
            result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        status = await status_of(tmp_path / "c0.sock")
    assert len(exchanges_of(sandbox)) >= 2
    assert status["token"]["shared"] == {"in_use": False, "why_not": "OE_MCP_SHARE_TOKEN=false"}
    assert not list(runtime_dir().glob("token-*.jwt"))


async def short_lived_run(sandbox, tmp_path, lifetime: float, seconds: float) -> None:
    """3 clients calling for `seconds` with a `lifetime` s JWT: 0 failures, and never two
    exchanges within one half-life, across all processes together."""
    sandbox.state.jwt_lifetime_seconds = lifetime
    async with AsyncExitStack() as stack:
        conns = await clients(stack, sandbox, tmp_path, 3)
        results: list = []
        with trio.move_on_after(seconds):
            while True:
                results += await round_of_calls(conns, 4)
                await trio.sleep(0.2)
    assert results and not failures(results), failures(results)[:3]
    times = [r.at for r in exchanges_of(sandbox) if r.status == 200]
    half_life = lifetime / 2
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # JWT times are whole seconds (iat, exp), so a half-life may start up to 1 s early.
    assert all(gap >= half_life - 1.05 for gap in gaps), gaps
    assert len(times) <= seconds / half_life + 2, len(times)


async def test_a_short_lived_jwt_is_refreshed_once_per_half_life_by_whoever_comes_first(sandbox, tmp_path):
    await short_lived_run(sandbox, tmp_path, lifetime=6, seconds=18)


@pytest.mark.slow
async def test_a_60s_jwt_for_3_minutes(sandbox, tmp_path):
    await short_lived_run(sandbox, tmp_path, lifetime=60, seconds=180)


async def test_a_killed_exchanger_blocks_nobody(sandbox, tmp_path):
    """The first client's worker is SIGKILLed in the middle of its (slowed) exchange, holding
    the lock: the others go on, no call fails, and the lock is free."""
    sandbox.state.add_fault(Fault(delay=4.0), path=EXCHANGE)
    async with AsyncExitStack() as stack:
        [first] = await clients(stack, sandbox, tmp_path, 1)
        await wait_until(lambda: any(r.path.endswith(EXCHANGE) and r.status == 0
                                     for r in sandbox.state.requests), timeout=20)
        exchanger = (await status_of(tmp_path / "c0.sock"))["worker"]["pid"]
        others = await clients(stack, sandbox, tmp_path, 2)  # their exchanges wait for the lock
        await trio.sleep(0.5)
        os.kill(exchanger, signal.SIGKILL)
        with trio.fail_after(30):
            results = await round_of_calls([first, *others], 8)
            results += await round_of_calls([first, *others], 8)
        status = await status_of(tmp_path / "c1.sock")
    assert len(results) == 48 and not failures(results), failures(results)[:3]
    assert status["token"]["shared"]["in_use"] and status["token"]["state"] == "valid"
    lock = FileLock(str(cache_for(sandbox).lock_path))
    lock.acquire(timeout=0)  # nobody holds it
    lock.release()


async def test_a_second_pair_keeps_its_own_jwt_and_causes_no_exchange_for_the_first(tmp_path):
    pairs = {DEMO_USER_TOKEN: DEMO_USER_SECRET, SECOND_TOKEN: SECOND_SECRET}
    async with open_sandbox(credentials=pairs) as sandbox, AsyncExitStack() as stack:
        first_pair = await clients(stack, sandbox, tmp_path, 2)
        second = await stack.enter_async_context(supervisor(env_for(
            sandbox, tmp_path, "b", OVALEDGE_USER_TOKEN=SECOND_TOKEN, OVALEDGE_USER_SECRET=SECOND_SECRET)))
        results = []
        for _ in range(3):
            results += await round_of_calls([*first_pair, second], 4)
        a_status = await status_of(tmp_path / "c0.sock")
        b_status = await status_of(tmp_path / "b.sock")
        a_jwt, b_jwt = sandbox.state.active_jwt(DEMO_USER_TOKEN), sandbox.state.active_jwt(SECOND_TOKEN)
        a_cache, b_cache = cache_for(sandbox), cache_for(sandbox, SECOND_TOKEN, SECOND_SECRET)
        a_record, b_record = a_cache.read(), b_cache.read()
        assert len(exchanges_of(sandbox)) == 1 and len(exchanges_of(sandbox, SECOND_TOKEN)) == 1
        assert rejections(sandbox) == 0
    assert not failures(results)
    assert a_cache.path != b_cache.path
    assert a_record and b_record and (a_record.jwt, b_record.jwt) == (a_jwt, b_jwt)
    assert a_status["token"]["shared"]["processes"] == 2 and b_status["token"]["shared"]["processes"] == 1
    # A file of one pair does not open with the other's credentials, even under its name.
    os.replace(b_cache.path, a_cache.path)
    assert cache_for(sandbox).read() is None


async def test_the_cache_file_is_private_sealed_and_a_damaged_one_is_replaced(sandbox, tmp_path):
    async with AsyncExitStack() as stack:
        [conn] = await clients(stack, sandbox, tmp_path, 1)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        cache = cache_for(sandbox)
        jwt = sandbox.state.active_jwt(DEMO_USER_TOKEN)
        blob = cache.path.read_bytes()
        assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(cache.directory).st_mode) == 0o700
        assert jwt.encode() not in blob and jwt.split(".")[1].encode() not in blob
        assert DEMO_USER_SECRET.encode() not in blob and DEMO_USER_TOKEN.encode() not in blob
        assert DEMO_USER_SECRET not in cache.path.name

        # Torn: half a file. Then OvalEdge drops our JWT: the call heals and the file is new.
        cache.path.write_bytes(blob[: len(blob) // 2])
        sandbox.state.issue_jwt(DEMO_USER_TOKEN)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        assert cache_for(sandbox).read().jwt == sandbox.state.active_jwt(DEMO_USER_TOKEN)

        # Planted: a well-formed file sealed with other credentials, mode 0600.
        planted = TokenCache(cache.directory, sandbox.base_url, DEMO_USER_TOKEN, "guessed-secret")
        planted.write(jwt)
        os.replace(planted.path, cache.path)
        sandbox.state.issue_jwt(DEMO_USER_TOKEN)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        assert cache_for(sandbox).read().jwt == sandbox.state.active_jwt(DEMO_USER_TOKEN)

        # A newcomer finds a link in place of the file: not followed, replaced.
        target = tmp_path / "elsewhere"
        target.write_bytes(b"not ours")
        cache.path.unlink()
        cache.path.symlink_to(target)
        sandbox.state.issue_jwt(DEMO_USER_TOKEN)
        [late] = await clients(stack, sandbox, tmp_path, 1)
        result_json(await late.call("asset_explorer", {"search_terms": ["orders"]}))
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    assert target.read_bytes() == b"not ours"
    assert not cache.path.is_symlink() and cache_for(sandbox).read() is not None


@needs_root
async def test_another_user_can_neither_read_the_cache_nor_plant_one(sandbox, tmp_path):
    async with AsyncExitStack() as stack:
        [conn] = await clients(stack, sandbox, tmp_path, 1)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        cache = cache_for(sandbox)
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            await as_other_user("cat", str(cache.path))
        with pytest.raises(Exception):  # noqa: B017
            await as_other_user("touch", str(cache.directory / "planted"))
        # A file of the right name owned by someone else (as root can make it) is not used.
        good = cache.read()
        os.chown(cache.path, 65534, 65534)
        sandbox.state.issue_jwt(DEMO_USER_TOKEN)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    assert os.stat(cache.path).st_uid == os.getuid()
    assert cache_for(sandbox).read().jwt not in (None, good.jwt)


async def test_check_reports_the_cache_and_adopts_instead_of_exchanging(sandbox, tmp_path):
    async with AsyncExitStack() as stack:
        [conn] = await clients(stack, sandbox, tmp_path, 1)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        code, out = await run_command("oe-mcp-check", env=sandbox_env(sandbox))
        table = (await trio.run_process(
            [str(Path(os.sys.executable).parent / "oe-mcp-status"), "--socket", str(tmp_path / "c0.sock")],
            capture_stdout=True)).stdout.decode()
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    assert code == 0, out
    assert "token cache: shared with this user's other oe-mcp-local processes (2 use" in out
    assert "adopted from the shared token cache" in out
    assert len(exchanges_of(sandbox)) == 1 and rejections(sandbox) == 0
    assert "shared token cache: in use by 1 process" in table


async def test_the_standby_and_a_recycle_adopt_the_shared_jwt_without_exchanging(sandbox, tmp_path):
    async with AsyncExitStack() as stack:
        [conn] = await clients(stack, sandbox, tmp_path, 1, OE_MCP_RECYCLE_AFTER_CALLS="4")
        sock = tmp_path / "c0.sock"
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        with trio.fail_after(20):
            while not (before := await status_of(sock))["worker"]["spare_pid"]:
                await trio.sleep(0.1)
        os.kill(before["worker"]["pid"], signal.SIGKILL)  # the standby takes over
        results = [await conn.call("asset_explorer", {"search_terms": ["orders"]}) for _ in range(10)]
        after = await status_of(sock)
    assert not failures(results)
    assert after["worker"]["pid"] not in (before["worker"]["pid"], None)
    assert len(exchanges_of(sandbox)) == 1 and rejections(sandbox) == 0  # one JWT throughout
