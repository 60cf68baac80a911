"""The front on MCP 2026-07-28, in-process: answers without a session, the `resultType` put into a
worker's answer without re-encoding it, log messages only for a request that asked for them; and
the sealed `requestState` of supervisor/confirm.py on its own."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import trio
import trio.testing

from shared.framing import encode
from supervisor.confirm import Confirmer, StateRejected
from supervisor.front import for_worker, stamped
from supervisor.worker_link import Reply
from tests.supervisor.test_front import SURFACE, FakeRelay, FakeWorker, front_with

META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"}}
ARGS = {"object_id": 1002, "object_type": "oetable", "technical_description": "x"}


def modern_front(relay: Any):
    return front_with(relay, handshake=False)


async def test_no_session_is_needed_and_a_workers_answer_keeps_its_bytes():
    body = b'"result":{"isError":false,  "content":[]}}'

    async def answered(params):
        assert "io.modelcontextprotocol/protocolVersion" not in (params.get("_meta") or {})
        return Reply(b'{"jsonrpc":"2.0","id":3,' + body + b"\n", 3)

    async with modern_front(FakeRelay(answered)) as (_, client):
        assert (await client.request(1, "tools/list", {"_meta": META}))["result"]["cacheScope"] == "public"
        await client.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                           "params": {"name": "asset_explorer", "arguments": {}, "_meta": META}})
        assert await client.receive_line() == b'{"jsonrpc":"2.0","id":2,"result":{"resultType":"complete",' \
            + body[len(b'"result":{'):]
        # Without _meta and without initialize: the handshake gate as before.
        assert (await client.request(4, "tools/list"))["error"]["code"] == -32602
        missing = {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}
        assert (await client.request(5, "tools/list", missing))["error"]["code"] == -32602


async def test_log_messages_reach_only_a_request_that_asked_at_its_level():
    release = trio.Event()

    async def held(params):
        await release.wait()
        return Reply(b'{"jsonrpc":"2.0","id":1,"result":{"content":[]}}\n', 1)

    async with modern_front(FakeRelay(held)) as (front, client):
        def log(level: str) -> dict[str, Any]:
            return {"jsonrpc": "2.0", "method": "notifications/message",
                    "params": {"level": level, "logger": "w", "data": level}}

        await front.from_worker(FakeWorker(), log("error"), encode(log("error")).rstrip(b"\n"))  # nobody asked
        call = {"name": "asset_explorer", "arguments": {},
                "_meta": {**META, "io.modelcontextprotocol/logLevel": "warning"}}
        await client.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": call})
        await trio.testing.wait_all_tasks_blocked()
        for level in ("info", "warning"):
            await front.from_worker(FakeWorker(), log(level), encode(log(level)).rstrip(b"\n"))
        release.set()
        assert (await client.receive())["params"]["level"] == "warning"
        assert (await client.receive())["id"] == 9


def test_stamping_an_empty_result_and_an_odd_line():
    assert stamped(b'{"jsonrpc":"2.0","id":1,"result":{}}', {"resultType": "complete"}) == \
        b'{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete"}}'
    assert b'"resultType":"complete"' in stamped(b'{"id":1,"jsonrpc":"2.0","result":{"a":1}}',
                                                 {"resultType": "complete"})
    error = b'{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}}'
    assert stamped(error, {"resultType": "complete"}) == error
    assert for_worker({"name": "t", "_meta": {**META, "progressToken": 5}, "requestState": "s"}) == \
        {"name": "t", "_meta": {"progressToken": 5}}


def test_a_state_opens_once_only_for_its_call_within_its_time():
    now = [1000.0]
    key = secrets.token_bytes(32)
    confirmer = Confirmer(SURFACE, key, clock=lambda: now[0])
    state = confirmer.seal("update_asset_descriptions", ARGS, "token-1", ttl=60)
    claims = confirmer.open(state, "update_asset_descriptions",
                            {**ARGS, "write_confirmed_by_user": True, "confirmation_token": "t"})
    assert confirmer.same_body(claims, "token-1") and not confirmer.same_body(claims, "token-2")
    with pytest.raises(StateRejected, match="another call"):
        confirmer.open(state, "update_asset_descriptions", {**ARGS, "technical_description": "y"})
    with pytest.raises(StateRejected, match="forged or altered"):
        Confirmer(SURFACE, secrets.token_bytes(32)).open(state, "update_asset_descriptions", ARGS)
    confirmer.spend(claims)
    with pytest.raises(StateRejected, match="already used"):
        confirmer.open(state, "update_asset_descriptions", ARGS)
    fresh = confirmer.seal("update_asset_descriptions", ARGS, "token-1", ttl=60)
    now[0] += 61
    with pytest.raises(StateRejected, match="expired"):
        confirmer.open(fresh, "update_asset_descriptions", ARGS)
    for junk in (None, "", "v1.", "v1.a.b", "v2." + fresh[3:], fresh + "."):
        with pytest.raises(StateRejected):
            confirmer.open(junk, "update_asset_descriptions", ARGS)


def test_which_calls_the_human_confirms():
    confirmer = Confirmer(SURFACE, secrets.token_bytes(32))
    assert confirmer.governed("update_asset_descriptions", ARGS)
    assert not confirmer.governed("update_asset_descriptions", {**ARGS, "dry_run": True})
    assert not confirmer.governed("asset_explorer", {})
    assert not confirmer.governed("dq_rule_advisor", {"step": "assess"})
    assert confirmer.governed("dq_rule_advisor", {"step": "validate_query"})


async def test_a_2026_call_runs_beside_others_and_is_cancelled_by_its_id():
    async def forever(params):
        await trio.sleep_forever()

    relay = FakeRelay(forever)
    async with modern_front(relay) as (front, client):
        call = {"name": "asset_explorer", "arguments": {}, "_meta": META}
        await client.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": call})
        await trio.testing.wait_all_tasks_blocked()
        # Not answered in order: a list call is answered while the tool call runs.
        assert (await client.request(8, "prompts/list", {"_meta": META}))["id"] == 8
        progress = {"jsonrpc": "2.0", "method": "notifications/progress",
                    "params": {"progressToken": "p", "progress": 1}}
        await front.from_worker(FakeWorker(), progress, encode(progress).rstrip(b"\n"))
        assert (await client.receive())["method"] == "notifications/progress"
        await client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}})
        with trio.fail_after(5):
            await relay.cancelled.wait()
