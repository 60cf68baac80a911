"""Queued faults and latency, as the client sees them on the wire (sandbox/faults.py)."""

from __future__ import annotations

import httpx
import pytest
import trio

from sandbox import Fault
from tests.sandbox.support import (
    ASSET_DETAILS,
    CREDS,
    DETAILS,
    EXCHANGE_HEADERS,
    EXPLORER,
    SEARCH,
    TOKEN_PATH,
    authed,
    exchange,
    search,
)


async def test_status_fault_with_message_and_retry_after(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(status=503, retry_after=2), path=SEARCH)
    sandbox.state.add_fault(
        Fault(status=400, message="Invalid token, please generate a new token"), path=SEARCH
    )
    first = await search(client, headers)
    assert first.status_code == 503 and first.headers["retry-after"] == "2"
    assert first.json()["ok"] is False
    second = await search(client, headers)
    assert second.status_code == 400
    assert second.json() == {"ok": False, "message": "Invalid token, please generate a new token"}
    assert (await search(client, headers)).status_code == 200


async def test_faults_are_fifo_per_matching_path_and_counted(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(status=502), path=SEARCH, times=2)
    sandbox.state.add_fault(Fault(status=429, retry_after=0.5))  # any path
    other = await client.get("/api/v1/mcp/tags", params={"objectId": 4002}, headers=headers)
    assert other.status_code == 429 and other.headers["retry-after"] == "0.5"
    statuses = [(await search(client, headers)).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]


async def test_fault_on_the_token_endpoint(sandbox, client):
    sandbox.state.add_fault(Fault(status=500), path=TOKEN_PATH)
    r = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert r.status_code == 500 and sandbox.state.exchanges == 0
    await exchange(client)
    assert sandbox.state.exchanges == 1


async def test_redirect_login_page_and_empty_body_faults(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(redirect_to="/ovaledge/login"), path=SEARCH)
    sandbox.state.add_fault(Fault(html_login_page=True), path=SEARCH)
    sandbox.state.add_fault(Fault(empty_body=True), path=SEARCH)
    redirect = await search(client, headers)
    assert redirect.status_code == 302 and redirect.headers["location"] == "/ovaledge/login"
    page = await search(client, headers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<form" in page.text
    empty = await search(client, headers)
    assert empty.status_code == 200 and empty.content == b""
    login = await client.get("/login")
    assert login.status_code == 200 and "text/html" in login.headers["content-type"]


async def test_oversized_fault_pads_descriptions(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(oversized_bytes=1_000_000), path=SEARCH)
    r = await search(client, headers, searchTerms=["customer"], limit=10)
    assert r.status_code == 200
    items = r.json()["items"]
    padded = sum(
        len(i["businessDescription"].encode()) + len(i["technicalDescription"].encode()) for i in items
    )
    assert 950_000 <= padded <= 1_000_000 and len(items) == 10
    sandbox.state.add_fault(Fault(oversized_bytes=50_000), path=DETAILS)
    d = await client.get(DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers)
    assert len(d.json()["data"]["businessDescription"]) >= 24_000


async def test_drop_connection_fault(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(drop_connection=True), path=SEARCH)
    with pytest.raises(httpx.RemoteProtocolError):
        await search(client, headers)
    assert sandbox.state.requests[-1].status == 0
    assert (await search(client, headers)).status_code == 200


async def test_delay_fault_hangs_until_the_client_gives_up(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(delay=30), path=SEARCH)
    started = trio.current_time()
    with pytest.raises(httpx.ReadTimeout):
        await client.get(SEARCH, headers=headers, timeout=0.2)
    assert trio.current_time() - started < 2
    sandbox.state.add_fault(Fault(delay=0.2, status=504), path=SEARCH)
    started = trio.current_time()
    r = await search(client, headers)
    assert r.status_code == 504 and trio.current_time() - started >= 0.2


async def test_latency_applies_to_api_calls_not_control_endpoints(sandbox, client):
    headers = await authed(client)
    sandbox.state.latency_seconds = 0.25
    started = trio.current_time()
    assert (await search(client, headers)).status_code == 200
    assert trio.current_time() - started >= 0.25
    started = trio.current_time()
    assert (await client.get(sandbox.root_url + "/__sandbox/requests")).status_code == 200
    assert trio.current_time() - started < 0.2


async def test_oversized_fault_pads_current_answers_too(sandbox, client):
    headers = await authed(client)
    sandbox.state.add_fault(Fault(oversized_bytes=200_000), path=EXPLORER)
    explorer = await client.post(
        EXPLORER, json={"search": {"searchTerms": ["customer"], "page": 1, "limit": 5}}, headers=headers
    )
    items = explorer.json()["data"]["items"]
    assert len(items) == 5 and all(len(i["businessDescription"]) >= 19_000 for i in items)
    sandbox.state.add_fault(Fault(oversized_bytes=100_000), path=ASSET_DETAILS)
    details = await client.get(
        ASSET_DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers
    )
    data = details.json()["data"]
    assert len(data["details"]["technicalDescription"]) >= 49_000 and "businessDescription" not in data


async def test_echo_fault_sends_the_request_back_in_an_error_or_in_the_data(sandbox, client):
    sandbox.state.add_fault(Fault(status=401, echo_request=True), path=TOKEN_PATH)
    refused = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert refused.status_code == 401 and list(refused.json()) == ["ok", "request"]
    assert refused.json()["request"]["json"] == CREDS
    assert refused.json()["request"]["headers"]["authorization"] == EXCHANGE_HEADERS["Authorization"]
    headers = await authed(client)
    sandbox.state.add_fault(Fault(echo_request=True), path=ASSET_DETAILS)
    details = await client.get(
        ASSET_DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers
    )
    data = details.json()["data"]
    assert details.status_code == 200 and "details" in data
    assert data["request"] == {"json": None, "headers": {**data["request"]["headers"],
                                                         "authorization": headers["Authorization"]}}
