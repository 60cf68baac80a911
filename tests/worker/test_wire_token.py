"""The token exchange on the wire as OvalEdge's own server sends it (issue 20 point 8; audit
wire-sd-dq-auth.md §1): JSON `{userToken, userSecret}`, Content-Type and Accept JSON, no
Authorization header, unless OvalEdge answers 400 "Prefix missing Token"; any non-empty token
is used; no invented headers on any request."""

from __future__ import annotations

import logging

import httpx
import trio

from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN, Fault
from shared.settings import load_settings
from tests.harness import result_json, sandbox_env, worker
from worker.client import OvalEdgeClient
from worker.routes import ASSET_DETAILS, ASSET_EXPLORER
from worker.tokens import EXCHANGE_AUTH_MARKER, TokenManager
from worker.transport import USER_AGENT, Transport, build_http_client

EXCHANGE = "/api/user/token/generate"
SEARCH = "/api/v1/mcp/asset-explorer"
CREDS = {"userToken": DEMO_USER_TOKEN, "userSecret": DEMO_USER_SECRET}


def sent_to(sandbox, path: str) -> list:
    return [r for r in sandbox.state.requests if r.path.endswith(path)]


async def test_the_exchange_sends_what_the_reference_sends_and_no_authorization(sandbox):
    assert sandbox.state.require_auth_prefix_on_exchange is False  # the reference's OvalEdge
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        result_json(await conn.call("asset_details", {"object_id": 1002, "object_type": "oetable"}))
    [exchange] = sent_to(sandbox, EXCHANGE)
    assert exchange.status == 200 and exchange.json == CREDS
    assert "authorization" not in exchange.headers
    assert exchange.headers["content-type"] == "application/json"
    assert exchange.headers["accept"] == "application/json"
    assert exchange.headers["user-agent"] == USER_AGENT
    for request in sandbox.state.requests:
        assert "x-ovaledge-client" not in request.headers, request.path
        assert request.headers["user-agent"] == USER_AGENT
        has_body = request.json is not None
        assert (request.headers.get("content-type") == "application/json") == has_body, request.path


async def test_a_build_that_wants_a_prefix_gets_the_marker_after_it_says_so(sandbox):
    sandbox.state.require_auth_prefix_on_exchange = True
    async with worker(sandbox_env(sandbox)) as conn:
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        sandbox.state.issue_jwt(DEMO_USER_TOKEN)  # someone else: ours is superseded
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    first, second, third = sent_to(sandbox, EXCHANGE)
    assert first.status == 400 and "authorization" not in first.headers
    assert second.status == 200 and second.headers["authorization"] == EXCHANGE_AUTH_MARKER
    # It remembers: the next exchange carries the marker at once.
    assert third.status == 200 and third.headers["authorization"] == EXCHANGE_AUTH_MARKER
    assert first.json == second.json == third.json == CREDS


async def test_an_exchange_refused_for_another_reason_is_not_retried_with_the_marker(sandbox):
    sandbox.state.add_fault(Fault(status=400, message="Bad request"), path=EXCHANGE)
    async with worker(sandbox_env(sandbox, OE_MCP_WORKER_WARM_TOKEN="0")) as conn:
        failed = await conn.call("asset_explorer", {"search_terms": ["orders"]})
    assert failed.is_error
    assert all("authorization" not in r.headers for r in sent_to(sandbox, EXCHANGE))


def mock_ovaledge(token: str, seen: list[httpx.Request], reject_first: int = 0):
    """An OvalEdge that issues `token` (opaque: not a JWT) and rejects the first API calls."""
    rejected = [0]

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith(EXCHANGE):
            return httpx.Response(200, json={"token": token})
        if rejected[0] < reject_first:
            rejected[0] += 1
            return httpx.Response(401, json={"ok": False, "message": "Invalid or expired token"})
        assert request.headers["authorization"] == f"jwt {token}"
        return httpx.Response(200, json={"ok": True, "data": {"items": [], "total": 0}})

    return httpx.MockTransport(handle)


async def test_an_opaque_token_is_used_as_is_and_renewed_only_after_a_401(caplog):
    settings = load_settings(OVALEDGE_BASE_URL="https://ovaledge.example.com/ovaledge",
                             OVALEDGE_USER_TOKEN="t-1", OVALEDGE_USER_SECRET="s-1",
                             OE_MCP_SHARE_TOKEN="false")
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=mock_ovaledge("opaque-session-7f3a", seen, reject_first=1)) as http:
        transport = Transport(settings, http)
        tokens = TokenManager(settings, transport)
        client = OvalEdgeClient(settings, transport, tokens)
        with caplog.at_level(logging.INFO, logger="oe-mcp-worker.tokens"):
            assert await tokens.get() == "opaque-session-7f3a"
        snapshot = tokens.snapshot()
        assert snapshot.state == "valid" and snapshot.expires_in_seconds is None
        assert any("opaque token" in r.message and "until OvalEdge rejects it" in r.message
                   for r in caplog.records)
        await trio.sleep(0)
        assert await tokens.get() == "opaque-session-7f3a" and tokens.exchanges == 1  # no expiry: kept
        await client.request(ASSET_EXPLORER, json_body={"searchTerm": "orders"})  # 401, then again
        await client.request(ASSET_DETAILS, params={"objectId": 1})
    assert tokens.exchanges == 2
    paths = [r.url.path.rsplit("/", 1)[1] for r in seen]
    assert paths == ["generate", "asset-explorer", "generate", "asset-explorer", "asset-details"]


async def test_text_that_cannot_be_a_token_is_still_refused():
    settings = load_settings(OVALEDGE_BASE_URL="https://ovaledge.example.com/ovaledge",
                             OVALEDGE_USER_TOKEN="t-1", OVALEDGE_USER_SECRET="s-1",
                             OE_MCP_SHARE_TOKEN="false")
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(transport=mock_ovaledge("please sign in first", seen)) as http:
        tokens = TokenManager(settings, Transport(settings, http))
        try:
            await tokens.get()
        except Exception as exc:  # noqa: BLE001 - the kind and words are what matter
            assert "not a token" in str(exc) and exc.kind == "not-a-jwt"
        else:
            raise AssertionError("a sentence was taken for a token")


def test_the_pooled_client_sends_no_invented_header():
    settings = load_settings(OVALEDGE_BASE_URL="https://ovaledge.example.com/ovaledge",
                             OVALEDGE_USER_TOKEN="t-1", OVALEDGE_USER_SECRET="s-1")
    headers = build_http_client(settings).headers
    assert "x-ovaledge-client" not in headers
    assert headers["user-agent"] == USER_AGENT and headers["accept"] == "application/json"
