"""The shared token cache's rules, in one process: two TokenManagers stand for two processes of
one user (same runtime directory, same pair), against a mock OvalEdge that keeps one active JWT
per pair."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import time

import httpx
import jwt as pyjwt
import pytest
import trio
from filelock import FileLock

from shared.settings import load_settings
from worker.client import OvalEdgeClient
from worker.errors import OvalEdgeError
from worker.routes import ASSET_DETAILS
from worker.token_cache import TokenCache
from worker.tokens import TokenManager
from worker.transport import Transport

BASE = "https://ovaledge.example.com/ovaledge"


class MockOvalEdge:
    """Issues a JWT per exchange (the previous one dies) and checks it on API calls."""

    def __init__(self, lifetime: float = 3600, exchange_delay: float = 0.0):
        self.lifetime, self.exchange_delay = lifetime, exchange_delay
        self.active: str | None = None
        self.exchanges = 0
        self.rejected = 0
        self.stolen = False  # someone outside our cache exchanges before every API call

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token/generate"):
            await trio.sleep(self.exchange_delay)
            return httpx.Response(200, json={"ok": True, "data": {"token": self.issue()}})
        if self.stolen:
            self.issue()
            self.exchanges -= 1  # not ours
        if request.headers.get("authorization") != f"jwt {self.active}":
            self.rejected += 1
            return httpx.Response(401, json={"ok": False, "message": "Invalid or expired token"})
        return httpx.Response(200, json={"ok": True, "data": {}})

    def issue(self) -> str:
        now = time.time()
        self.exchanges += 1
        self.active = pyjwt.encode({"sub": "t", "iat": int(now), "exp": int(now + self.lifetime),
                                    "jti": os.urandom(4).hex()}, "k" * 32, algorithm="HS256")
        return self.active


def settings(**extra: str):
    return load_settings(OVALEDGE_BASE_URL=BASE, OVALEDGE_USER_TOKEN="t-1", OVALEDGE_USER_SECRET="s-1",
                         **extra)


def process(http: httpx.AsyncClient, **kw) -> tuple[TokenManager, OvalEdgeClient]:
    """One 'process': its own TokenManager and client, on the shared runtime directory."""
    config = settings()
    transport = Transport(config, http)
    tokens = TokenManager(config, transport, **kw)
    return tokens, OvalEdgeClient(config, transport, tokens)


def mock_http(mock: MockOvalEdge) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(mock.handle))


async def test_a_second_process_adopts_instead_of_exchanging():
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        (first, a), (second, b) = process(http), process(http)
        assert await first.get() == await second.get() == mock.active
        await a.request(ASSET_DETAILS)
        await b.request(ASSET_DETAILS)
    assert mock.exchanges == 1 and mock.rejected == 0
    assert first.cache.path == second.cache.path
    assert stat.S_IMODE(os.stat(first.cache.path).st_mode) == 0o600


async def test_after_a_401_a_newer_cached_jwt_is_used_without_an_exchange():
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        (first, a), (second, b) = process(http), process(http)
        await a.request(ASSET_DETAILS)
        await b.request(ASSET_DETAILS)
        stale = second._jwt
        # The first process's JWT is rejected (e.g. by a refresh elsewhere): it exchanges once...
        mock.issue()
        mock.exchanges -= 1
        await a.request(ASSET_DETAILS)
        assert mock.exchanges == 2
        # ... and the second, on its next call, picks the new JWT from the cache before sending.
        await b.request(ASSET_DETAILS)
    assert mock.exchanges == 2 and second._jwt == first._jwt != stale
    assert mock.rejected == 1


async def test_concurrent_processes_exchange_once_under_the_lock():
    mock = MockOvalEdge(exchange_delay=0.3)
    async with mock_http(mock) as http:
        managers = [process(http)[0] for _ in range(4)]
        got: list[str] = []

        async def one(tokens: TokenManager) -> None:
            got.append(await tokens.get())

        async with trio.open_nursery() as nursery:
            for tokens in managers:
                for _ in range(5):
                    nursery.start_soon(one, tokens)
    assert mock.exchanges == 1 and set(got) == {mock.active}


async def test_a_stuck_lock_holder_delays_an_exchange_only_for_the_bounded_wait(caplog):
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        tokens, _ = process(http, lock_wait=0.5)
        stuck = FileLock(str(tokens.cache.lock_path), thread_local=False)
        stuck.acquire()
        try:
            started = trio.current_time()
            with caplog.at_level(logging.WARNING, logger="oe-mcp-worker.tokens"):
                assert await tokens.get() == mock.active
            waited = trio.current_time() - started
        finally:
            stuck.release()
    assert 0.5 <= waited < 5 and mock.exchanges == 1
    assert any("exchanging without it" in r.message for r in caplog.records)


async def test_a_waiter_adopts_what_the_lock_holder_writes():
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        writer, _ = process(http)
        waiter, _ = process(http, lock_wait=10)
        holder = FileLock(str(writer.cache.lock_path), thread_local=False)
        holder.acquire()
        result: list[str] = []
        async with trio.open_nursery() as nursery:
            nursery.start_soon(lambda: _append(result, waiter.get()))
            await trio.sleep(0.3)
            writer.cache.write(mock.issue())  # another process's exchange lands
            with trio.fail_after(3):
                while not result:
                    await trio.sleep(0.02)
        holder.release()
    assert result == [mock.active] and mock.exchanges == 1 and waiter.exchanges == 0


async def _append(into: list, awaitable) -> None:
    into.append(await awaitable)


async def test_a_second_401_names_something_outside_the_cache_and_the_fix():
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        _, client = process(http)
        mock.stolen = True
        with pytest.raises(OvalEdgeError) as failed:
            await client.request(ASSET_DETAILS)
    text = failed.value.text
    assert "401" in text and "outside this machine's shared token cache" in text
    assert "Give each tool its own API credentials" in text


async def test_an_unusable_runtime_directory_means_per_process_jwts_and_one_warning(monkeypatch, caplog):
    import supervisor.runtime

    def broken():
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(supervisor.runtime, "runtime_dir", broken)
    mock = MockOvalEdge()
    async with mock_http(mock) as http:
        with caplog.at_level(logging.WARNING, logger="oe-mcp-worker.tokens"):
            tokens, client = process(http)
            await client.request(ASSET_DETAILS)
            await client.request(ASSET_DETAILS)
    warnings = [r.message for r in caplog.records if "shared token cache off" in r.message]
    assert len(warnings) == 1 and "Permission denied" in warnings[0]
    assert tokens.cache is None and mock.exchanges == 1
    assert tokens.snapshot().as_dict()["shared"]["in_use"] is False


def test_the_file_is_sealed_to_its_pair_and_a_foreign_one_is_ignored(tmp_path):
    os.chmod(tmp_path, 0o700)
    ours = TokenCache(tmp_path, BASE, "t-1", "s-1")
    ours.write("header.payload.signature")
    blob = ours.path.read_bytes()
    assert b"payload" not in blob and b"s-1" not in blob
    assert ours.read().jwt == "header.payload.signature"
    assert TokenCache(tmp_path, BASE, "t-1", "other-secret").read() is None  # another key id
    other_url = TokenCache(tmp_path, BASE + "x", "t-1", "s-1")
    assert other_url.path != ours.path
    os.chmod(ours.path, 0o644)  # open to others: not trusted
    assert ours.read() is None
    os.chmod(ours.path, 0o600)
    ours.path.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))  # one bit flipped
    assert ours.read() is None and ours.damaged == 2


def test_a_dead_writers_temporary_file_is_removed_and_a_link_is_looked_at_once(tmp_path):
    os.chmod(tmp_path, 0o700)
    cache = TokenCache(tmp_path, BASE, "t-1", "s-1")
    gone = subprocess.Popen(["true"])
    gone.wait()
    leftover = tmp_path / f".{cache.path.name}.{gone.pid}.abcd1234"  # a writer that died
    leftover.write_bytes(b"half")
    cache.register()
    assert not leftover.exists()
    cache.path.symlink_to(tmp_path / "elsewhere")
    assert cache.read() is None and not cache.changed()  # not followed, not re-read every call
