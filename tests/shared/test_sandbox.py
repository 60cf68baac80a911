"""The sandbox OvalEdge, exercised over real HTTP with httpx against `open_sandbox()`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from graphlib import TopologicalSorter
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
import trio

from sandbox import (
    DEMO_USER_SECRET,
    DEMO_USER_TOKEN,
    TOKEN_RESPONSE_SHAPES,
    Fault,
    SandboxState,
    open_sandbox,
)
from sandbox import sample_data as sd
from sandbox.catalog import Catalog
from shared.settings import REPO_ROOT

TOKEN_PATH = "/api/user/token/generate"
SEARCH = "/api/v1/mcp/search-catalog"
DETAILS = "/api/v1/mcp/object-details"
WRITE = "/api/v1/mcp/update-asset-descriptions"
CREDS = {"userToken": DEMO_USER_TOKEN, "userSecret": DEMO_USER_SECRET}
EXCHANGE_HEADERS = {"Authorization": "Basic c2FuZGJveA=="}


@pytest.fixture
async def sandbox():
    async with open_sandbox() as sb:
        yield sb


@pytest.fixture
async def client(sandbox):
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=5) as c:
        yield c


async def exchange(client: httpx.AsyncClient) -> str:
    response = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert response.status_code == 200, response.text
    return response.json()["data"]["token"]


async def authed(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"jwt {await exchange(client)}"}


async def search(client, headers, **params):
    if "searchTerms" in params and isinstance(params["searchTerms"], list):
        params["searchTerms"] = json.dumps(params["searchTerms"])
    return await client.get(SEARCH, params=params, headers=headers)


# ---------------------------------------------------------------- auth


async def test_exchange_issues_a_jwt_and_supersedes_the_previous_one(sandbox, client):
    first = await exchange(client)
    claims = jwt.decode(first, options={"verify_signature": False})
    assert claims["sub"] == DEMO_USER_TOKEN and claims["jti"]
    assert abs(claims["exp"] - (time.time() + 3600)) < 5
    assert jwt.get_unverified_header(first)["alg"] == "HS256"
    ok = await client.get(
        DETAILS,
        params={"objectId": 1011, "objectType": "oetable"},
        headers={"Authorization": f"jwt {first}"},
    )
    assert ok.status_code == 200

    second = await exchange(client)
    assert second != first and sandbox.state.exchanges == 2
    assert sandbox.state.active_jwt(DEMO_USER_TOKEN) == second
    old = await client.get(
        DETAILS,
        params={"objectId": 1011, "objectType": "oetable"},
        headers={"Authorization": f"jwt {first}"},
    )
    assert old.status_code == 401
    assert old.json() == {"ok": False, "message": "Invalid or expired token"}
    new = await client.get(
        DETAILS,
        params={"objectId": 1011, "objectType": "oetable"},
        headers={"Authorization": f"jwt {second}"},
    )
    assert new.status_code == 200


async def test_exchange_rejects_wrong_credentials_and_a_missing_prefix(sandbox, client):
    wrong = await client.post(
        TOKEN_PATH, json={**CREDS, "userSecret": "nope"}, headers=EXCHANGE_HEADERS
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "message": "Invalid user token or secret"}

    bare = await client.post(TOKEN_PATH, json=CREDS)
    assert bare.status_code == 400
    assert bare.json() == {
        "ok": False,
        "errorCode": "INVALID_TOKEN",
        "message": "Prefix missing Token",
    }
    assert sandbox.state.exchanges == 0

    sandbox.state.require_auth_prefix_on_exchange = False
    assert (await client.post(TOKEN_PATH, json=CREDS)).status_code == 200


async def test_api_calls_check_prefix_scheme_and_token(sandbox, client):
    token = await exchange(client)
    params = {"tagName": "PII"}
    missing = await client.get("/api/v1/mcp/tags", params=params)
    assert missing.status_code == 400 and missing.json()["message"] == "Prefix missing Token"
    bare = await client.get("/api/v1/mcp/tags", params=params, headers={"Authorization": token})
    assert bare.status_code == 400
    for scheme, expected in [("jwt", 200), ("JWT", 200), ("Bearer", 200), ("Basic", 401)]:
        r = await client.get(
            "/api/v1/mcp/tags", params=params, headers={"Authorization": f"{scheme} {token}"}
        )
        assert r.status_code == expected, scheme
    forged = jwt.encode(
        {"sub": DEMO_USER_TOKEN, "exp": time.time() + 60, "iat": 0, "jti": "x"},
        "another-key-of-sufficient-length-32b",
        algorithm="HS256",
    )
    r = await client.get(
        "/api/v1/mcp/tags", params=params, headers={"Authorization": f"jwt {forged}"}
    )
    assert r.status_code == 401

    sandbox.state.accepted_schemes = {"bearer"}
    r = await client.get(
        "/api/v1/mcp/tags", params=params, headers={"Authorization": f"jwt {token}"}
    )
    assert r.status_code == 401


async def test_jwt_expires_after_its_lifetime():
    async with open_sandbox(jwt_lifetime_seconds=0.3) as sb:
        async with httpx.AsyncClient(base_url=sb.base_url) as client:
            headers = await authed(client)
            params = {"objectId": 2001}
            r = await client.get("/api/v1/mcp/glossary-terms", params=params, headers=headers)
            assert r.status_code == 200
            await trio.sleep(0.4)
            assert sb.state.active_jwt(DEMO_USER_TOKEN) is None
            r = await client.get("/api/v1/mcp/glossary-terms", params=params, headers=headers)
            assert r.status_code == 401


@pytest.mark.parametrize("shape", TOKEN_RESPONSE_SHAPES)
async def test_token_response_shapes(sandbox, client, shape):
    sandbox.state.token_response_shape = shape
    r = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert r.status_code == 200
    active = sandbox.state.active_jwt(DEMO_USER_TOKEN)
    expected_body = {
        "data.token": lambda: r.json() == {"ok": True, "data": {"token": active}},
        "token": lambda: r.json() == {"token": active},
        "access_token": lambda: r.json()["access_token"] == active,
        "raw": lambda: r.text == active and r.headers["content-type"].startswith("text/plain"),
        "empty": lambda: r.content == b"" and active is None,
        "empty_with_header": lambda: r.content == b"" and r.headers["x-auth-token"] == active,
    }[shape]
    assert expected_body()
    assert sandbox.state.exchanges == (0 if shape == "empty" else 1)


async def test_credentials_and_issue_jwt_are_configurable():
    async with open_sandbox(credentials={"t1": "s1"}) as sb:
        async with httpx.AsyncClient(base_url=sb.base_url) as client:
            demo = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
            assert demo.status_code == 401
            r = await client.post(
                TOKEN_PATH, json={"userToken": "t1", "userSecret": "s1"}, headers=EXCHANGE_HEADERS
            )
            assert r.status_code == 200
            minted = sb.state.issue_jwt("t1")  # supersedes the exchanged one
            r2 = await client.get(
                "/api/v1/mcp/tags",
                params={"objectId": 4001},
                headers={"Authorization": f"Bearer {minted}"},
            )
            assert r2.status_code == 200


# ---------------------------------------------------------------- faults


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
        len(i["businessDescription"].encode()) + len(i["technicalDescription"].encode())
        for i in items
    )
    assert 950_000 <= padded <= 1_000_000 and len(items) == 10
    sandbox.state.add_fault(Fault(oversized_bytes=50_000), path=DETAILS)
    d = await client.get(
        DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers
    )
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


# ------------------------------------------------------------- recording


async def test_requests_are_recorded_in_order(sandbox, client):
    token = await exchange(client)
    await client.get(
        SEARCH,
        params={"searchTerms": '["orders"]', "limit": "3"},
        headers={"Authorization": f"jwt {token}", "X-Custom": "yes"},
    )
    await client.post(WRITE, json={"target": {}}, headers={"Authorization": f"jwt {token}"})
    await client.get(sandbox.root_url + "/__sandbox/requests")  # control: not recorded
    reqs = sandbox.state.requests
    assert [(r.method, r.path, r.status) for r in reqs] == [
        ("POST", TOKEN_PATH, 200),
        ("GET", SEARCH, 200),
        ("POST", WRITE, 400),
    ]
    assert reqs[0].json == CREDS
    assert reqs[1].query == {"searchTerms": '["orders"]', "limit": "3"}
    assert reqs[1].headers["x-custom"] == "yes"
    assert reqs[1].headers["authorization"] == f"jwt {token}"
    assert reqs[1].json is None
    assert reqs[0].at <= reqs[1].at <= reqs[2].at
    assert sandbox.state.count() == 3
    assert sandbox.state.count("get") == 1
    assert sandbox.state.count(path_suffix="/token/generate") == 1
    assert sandbox.state.count("POST", WRITE) == 1
    sandbox.state.add_fault(Fault(status=500))
    sandbox.state.reset()
    assert sandbox.state.requests == [] and sandbox.state.exchanges == 0
    assert sandbox.state.pending_faults == 0
    assert (await search(client, {"Authorization": f"jwt {token}"})).status_code == 200


# ---------------------------------------------------------------- search


async def test_search_matches_terms_and_pages(sandbox, client):
    headers = await authed(client)
    r = await search(client, headers, searchTerms=["revenue"])
    body = r.json()
    assert body["ok"] is True and body["page"] == 1 and body["limit"] == 20
    names = [i["objectName"] for i in body["items"]]
    assert names[0] == "Revenue"  # exact name match ranks first
    assert {"agg_daily_revenue", "net_revenue", "Daily Revenue Trend"} <= set(names)
    assert all(
        "revenue" in (i["objectName"] + i.get("businessDescription", "")).lower()
        or "Revenue" in i["terms"]
        for i in body["items"]
    )
    hit = next(i for i in body["items"] if i["objectName"] == "agg_daily_revenue")
    assert hit["navLink"] == "#nav/table?browse=summary&id=1012"
    assert {
        "objectId",
        "objectType",
        "connectionName",
        "schemaName",
        "owner",
        "steward",
        "custodian",
        "tags",
        "terms",
        "technicalDescription",
    } <= hit.keys()

    everything = (await search(client, headers, limit=100)).json()
    assert everything["total"] == len(sandbox.state.catalog.objects)
    page1 = (await search(client, headers, page=1, limit=7)).json()
    page2 = (await search(client, headers, page=2, limit=7)).json()
    assert page1["total"] == page2["total"] == everything["total"]
    ids1 = [i["objectId"] for i in page1["items"]]
    ids2 = [i["objectId"] for i in page2["items"]]
    assert len(ids1) == len(ids2) == 7 and not set(ids1) & set(ids2)
    assert ids1 + ids2 == [i["objectId"] for i in everything["items"][:14]]
    last = (await search(client, headers, page=1000, limit=7)).json()
    assert last["items"] == [] and last["total"] == everything["total"]


async def test_search_filters(sandbox, client):
    headers = await authed(client)
    tables = (await search(client, headers, objectType="oetable", limit=50)).json()
    assert tables["total"] == 12
    mart = (await search(client, headers, schemaName="MART", objectType="oetable")).json()
    assert {i["objectName"] for i in mart["items"]} == {
        "dim_customer",
        "dim_product",
        "fct_sales",
        "agg_daily_revenue",
    }
    pos = (await search(client, headers, connectionName="pos_postgres", limit=100)).json()
    assert pos["total"] > 0
    assert all(i["connectionName"] == "pos_postgres" for i in pos["items"])
    owned = (await search(client, headers, owner="ben.kim", objectType="oetable")).json()
    assert {i["objectName"] for i in owned["items"]} == {
        "customers",
        "stg_customers",
        "dim_customer",
    }
    custodian = (
        await search(
            client, headers, custodian="pos-dba", steward="chloe.nguyen", objectType="oetable"
        )
    ).json()
    assert {i["objectName"] for i in custodian["items"]} == {
        "orders",
        "order_items",
        "products",
        "stores",
    }
    combined = (
        await search(
            client,
            headers,
            searchTerms=["customer"],
            connectionName="retail_snowflake",
            objectType="oecolumn",
            contextQuery="which customers are still active?",
        )
    ).json()
    assert combined["total"] > 0
    assert all(
        i["objectType"] == "oecolumn" and i["connectionName"] == "retail_snowflake"
        for i in combined["items"]
    )
    assert (await search(client, headers, objectType="oefile")).json()["total"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"searchTerms": "orders"},
        {"searchTerms": '{"a": 1}'},
        {"searchTerms": "[1, 2]"},
        {"page": "0"},
        {"limit": "many"},
        {"objectType": "spreadsheet"},
    ],
)
async def test_search_rejects_bad_parameters(client, params):
    headers = await authed(client)
    r = await client.get(SEARCH, params=params, headers=headers)
    assert r.status_code == 400 and r.json()["ok"] is False and r.json()["message"]


# -------------------------------------------------------------- lookups


async def test_object_details_modes(client):
    headers = await authed(client)
    by_fqn = await client.get(
        DETAILS, params={"fullyQualifiedName": "retail_snowflake.mart.fct_sales"}, headers=headers
    )
    data = by_fqn.json()["data"]
    assert by_fqn.json()["ok"] is True and data["objectId"] == 1011
    assert [c["objectName"] for c in data["columns"]][:2] == ["sales_id", "order_id"]
    assert data["tags"] == ["Certified", "Finance"] and "Revenue" in data["terms"]
    by_id = await client.get(
        DETAILS, params={"objectId": 101105, "objectType": "oecolumn"}, headers=headers
    )
    assert by_id.json()["data"]["table"]["objectId"] == 1011
    for params in [
        {"objectId": 999999, "objectType": "oetable"},
        {"objectId": 1011, "objectType": "oecolumn"},
        {"fullyQualifiedName": "nowhere.nothing"},
    ]:
        missing = await client.get(DETAILS, params=params, headers=headers)
        assert missing.status_code == 404
        assert missing.json() == {"ok": False, "message": "Object not found"}
    for params in [{}, {"objectId": 1011}, {"fullyQualifiedName": "x", "objectId": 1}]:
        assert (await client.get(DETAILS, params=params, headers=headers)).status_code == 400


async def test_profile_relationships_glossary_tags(client):
    headers = await authed(client)
    profile = (
        await client.get(
            "/api/v1/mcp/column-profile",
            params={"objectId": 1001, "objectType": "oetable"},
            headers=headers,
        )
    ).json()["data"]
    assert profile["rowCount"] == 48210 and len(profile["columns"]) == 7
    phone = next(c for c in profile["columns"] if c["columnName"] == "phone")
    assert phone["nullCount"] == round(48210 * 0.41)
    key = profile["columns"][0]
    assert key["distinctCount"] == 48210 and key["nullCount"] == 0 and key["minValue"] == 1
    tier = next(c for c in profile["columns"] if c["columnName"] == "loyalty_tier")
    assert tier["distinctCount"] == 3
    assert sum(v["count"] for v in tier["topValues"]) == 48210 - tier["nullCount"]
    bad = await client.get(
        "/api/v1/mcp/column-profile",
        params={"objectId": 100101, "objectType": "oecolumn"},
        headers=headers,
    )
    assert bad.status_code == 400
    none = await client.get(
        "/api/v1/mcp/column-profile",
        params={"objectId": 1001, "objectType": "oefile"},
        headers=headers,
    )
    assert none.status_code == 404

    rel = (
        await client.get(
            "/api/v1/mcp/entity-relationships", params={"objectId": 1002}, headers=headers
        )
    ).json()["data"]
    assert rel["primaryKeys"] == ["order_id"]
    pairs = {
        (r["fromTable"], r["fromColumn"], r["toTable"], r["direction"])
        for r in rel["relationships"]
    }
    assert (
        "pos_postgres.pos.orders",
        "customer_id",
        "pos_postgres.pos.customers",
        "outgoing",
    ) in pairs
    assert (
        "pos_postgres.pos.order_items",
        "order_id",
        "pos_postgres.pos.orders",
        "incoming",
    ) in pairs

    term = await client.get(
        "/api/v1/mcp/glossary-terms", params={"termName": "clv"}, headers=headers
    )
    data = term.json()["data"]
    assert data["objectName"] == "Customer Lifetime Value"
    assert data["navLink"] == "#nav/glossary?browse=summary&id=2003"
    assert {o["objectName"] for o in data["associatedObjects"]} >= {
        "lifetime_value",
        "dim_customer",
    }
    by_id = await client.get(
        "/api/v1/mcp/glossary-terms", params={"objectId": 2001}, headers=headers
    )
    assert by_id.json()["data"]["objectName"] == "Revenue"
    both = await client.get(
        "/api/v1/mcp/glossary-terms",
        params={"objectId": 2001, "termName": "Revenue"},
        headers=headers,
    )
    assert both.status_code == 400

    pii = (await client.get("/api/v1/mcp/tags", params={"tagName": "pii"}, headers=headers)).json()[
        "data"
    ]
    assert pii["parentTag"]["objectName"] == "Sensitive"
    assert {o["objectName"] for o in pii["taggedObjects"]} >= {"customers", "email"}
    parent = (
        await client.get("/api/v1/mcp/tags", params={"objectId": 4001}, headers=headers)
    ).json()["data"]
    assert [c["objectName"] for c in parent["childTags"]] == ["PII"]
    gone = await client.get("/api/v1/mcp/tags", params={"tagName": "Nope"}, headers=headers)
    assert gone.status_code == 404


async def test_lineage_honours_depth(client):
    headers = await authed(client)

    async def lineage(object_id, depth):
        r = await client.get(
            "/api/v1/mcp/lineage",
            params={"objectId": object_id, "objectType": "oetable", "depth": depth},
            headers=headers,
        )
        assert r.status_code == 200
        return r.json()["data"]

    one = await lineage(1001, 1)
    assert one["upstream"] == [] and [n["objectName"] for n in one["downstream"]] == [
        "stg_customers"
    ]
    three = await lineage(1001, 3)
    down = {n["objectName"]: n["level"] for n in three["downstream"]}
    assert down == {
        "stg_customers": 1,
        "dim_customer": 2,
        "Customer Lifetime Value Distribution": 3,
        "Active Customers by Region": 3,
    }
    ids = {three["root"]["objectId"]} | {n["objectId"] for n in three["downstream"]}
    assert all(e["sourceId"] in ids and e["targetId"] in ids for e in three["edges"])

    middle = await lineage(1011, 1)
    assert {n["objectName"] for n in middle["upstream"]} == {"stg_orders", "stg_products"}
    assert {n["objectName"] for n in middle["downstream"]} == {
        "agg_daily_revenue",
        "Top Products by Margin",
    }
    assert (await lineage(1011, 0))["edges"] == []
    assert (await lineage(1011, 99))["depth"] == 5
    bad = await client.get(
        "/api/v1/mcp/lineage", params={"objectId": 3001, "objectType": "oechart"}, headers=headers
    )
    assert bad.status_code == 400


async def test_platform_docs(client):
    headers = await authed(client)
    r = await client.get(
        "/api/v1/mcp/search-platform-docs",
        params={"query": "how do I trace lineage of a table", "limit": 3},
        headers=headers,
    )
    hits = r.json()["data"]["hits"]
    assert 1 <= len(hits) <= 3 and hits[0]["title"] == "Understanding data lineage"
    assert all(h["url"].startswith("https://docs.ovaledge.com/") for h in hits)
    assert all({"title", "url", "snippet", "score"} <= h.keys() for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    for params in [{}, {"query": "x", "limit": 10, "numCandidates": 5}]:
        bad = await client.get("/api/v1/mcp/search-platform-docs", params=params, headers=headers)
        assert bad.status_code == 400


# ---------------------------------------------------------------- writes


def write_body(object_id=1001, object_type="oetable", dry_run=False, **descriptions):
    return {
        "target": {"objectId": object_id, "objectType": object_type},
        "descriptions": descriptions or {"technicalDescription": "Loaded by CDC every hour."},
        "options": {"dryRun": dry_run},
        "clientContext": {"prompt": "set the technical description", "reason": "test"},
    }


async def test_update_descriptions_dry_run_then_real(sandbox, client):
    headers = await authed(client)
    before = sandbox.state.catalog.get(1001)["technicalDescription"]
    dry = await client.post(WRITE, json=write_body(dry_run=True), headers=headers)
    data = dry.json()["data"]
    assert dry.status_code == 200 and data["status"] == "success" and data["dryRun"] is True
    assert data["updatedFields"] == [] and data["wouldUpdateFields"] == ["technicalDescription"]
    assert data["requestedFields"] == ["technicalDescription"]
    assert data["blockedFields"] == [] and data["blockedReasons"] == []
    assert sandbox.state.catalog.get(1001)["technicalDescription"] == before

    real = await client.post(WRITE, json=write_body(), headers=headers)
    data = real.json()["data"]
    assert data["status"] == "success" and data["updatedFields"] == ["technicalDescription"]
    assert data["target"]["objectId"] == 1001 and data["target"]["objectType"] == "oetable"
    assert data["target"]["redirectUrl"] == (
        f"{sandbox.base_url}/#nav/table?browse=summary&id=1001"
    )
    details = await client.get(
        DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers
    )
    assert details.json()["data"]["technicalDescription"] == "Loaded by CDC every hour."

    generic = {
        **write_body(object_id=2008, object_type="businessglossary"),
        "descriptions": {"description": "Long gone.", "descriptionField": "detailedDescription"},
    }
    r = await client.post(WRITE, json=generic, headers=headers)
    assert r.json()["data"]["updatedFields"] == ["detailedDescription"]
    assert sandbox.state.catalog.get(2008)["detailedDescription"] == "Long gone."


async def test_update_descriptions_blocked_fields(sandbox, client):
    headers = await authed(client)
    # fct_sales.net_revenue takes its business description from the published term Revenue
    body = write_body(
        object_id=101108,
        object_type="oecolumn",
        businessDescription="New",
        technicalDescription="SUM(net_amount)",
    )
    data = (await client.post(WRITE, json=body, headers=headers)).json()["data"]
    assert data["status"] == "partial_success"
    assert data["updatedFields"] == ["technicalDescription"]
    assert data["blockedFields"] == ["businessDescription"]
    assert data["blockedReasons"][0]["code"] == "GOVERNED_BY_GLOSSARY_TERM"
    body["options"]["failOnBlockedField"] = True
    body["descriptions"]["technicalDescription"] = "other"
    data = (await client.post(WRITE, json=body, headers=headers)).json()["data"]
    assert data["status"] == "blocked" and data["updatedFields"] == []
    assert sandbox.state.catalog.get(101108)["technicalDescription"] == "SUM(net_amount)"
    tag = write_body(object_id=4003, object_type="oetag", businessDescription="x")
    data = (await client.post(WRITE, json=tag, headers=headers)).json()["data"]
    assert (
        data["status"] == "blocked" and data["blockedReasons"][0]["code"] == "FIELD_NOT_SUPPORTED"
    )


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"descriptions": {"businessDescription": "x"}},
        {"target": {"objectId": 0, "objectType": "oetable"}, "descriptions": {"x": "y"}},
        {
            "target": {"objectId": 1001, "objectType": "oestory"},
            "descriptions": {"businessDescription": "x"},
        },
        {"target": {"objectId": 1001, "objectType": "oetable"}, "descriptions": {}},
        {"target": {"objectId": 1001, "objectType": "oetable"}, "descriptions": {"colour": "blue"}},
        {
            "target": {"objectId": 1001, "objectType": "oetable"},
            "descriptions": {"description": "x"},
        },
        {
            "target": {"objectId": 1001, "objectType": "oetable"},
            "descriptions": {"businessDescription": 5},
        },
        {
            "target": {"objectId": 1001, "objectType": "oetable"},
            "descriptions": {"businessDescription": "x"},
            "options": {"dryRun": "yes"},
        },
    ],
)
async def test_update_descriptions_validation(client, body):
    headers = await authed(client)
    r = await client.post(WRITE, json=body, headers=headers)
    assert r.status_code == 400 and r.json()["ok"] is False


async def test_update_descriptions_unknown_object_and_idempotency(sandbox, client):
    headers = await authed(client)
    missing = await client.post(WRITE, json=write_body(object_id=1999), headers=headers)
    assert missing.status_code == 404
    body = write_body(businessDescription="Customers, deduplicated.")
    body["options"]["idempotencyKey"] = "k-1"
    first = (await client.post(WRITE, json=body, headers=headers)).json()["data"]
    sandbox.state.catalog.get(1001)["businessDescription"] = "changed meanwhile"
    again = (await client.post(WRITE, json=body, headers=headers)).json()["data"]
    assert again["idempotentReplay"] is True and again["updatedFields"] == first["updatedFields"]
    assert sandbox.state.catalog.get(1001)["businessDescription"] == "changed meanwhile"
    body["descriptions"]["businessDescription"] = "different"
    assert (await client.post(WRITE, json=body, headers=headers)).status_code == 409


# --------------------------------------------------------- control plane


async def test_control_endpoints(sandbox, client):
    control = sandbox.root_url + "/__sandbox"
    headers = await authed(client)
    faults = [
        {"path": SEARCH, "times": 2, "status": 503, "retry_after": 1},
        {"path": "/api/v1/mcp/tags", "drop_connection": True},
    ]
    r = await client.post(control + "/faults", json=faults)
    assert r.json() == {"ok": True, "queued": 2, "pending": 3}
    assert (await search(client, headers)).status_code == 503
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/api/v1/mcp/tags", params={"objectId": 4001}, headers=headers)

    recorded = (await client.get(control + "/requests")).json()
    assert recorded["exchanges"] == 1
    assert [(q["method"], q["path"], q["status"]) for q in recorded["requests"]] == [
        ("POST", TOKEN_PATH, 200),
        ("GET", SEARCH, 503),
        ("GET", "/api/v1/mcp/tags", 0),
    ]
    assert isinstance(recorded["requests"][0]["at"], float)

    r = await client.post(
        control + "/settings", json={"latency_seconds": 0.2, "token_response_shape": "token"}
    )
    assert r.json()["settings"]["latency_seconds"] == 0.2
    assert sandbox.state.token_response_shape == "token"
    started = trio.current_time()
    token = await client.post(TOKEN_PATH, json=CREDS, headers=EXCHANGE_HEADERS)
    assert trio.current_time() - started >= 0.2 and "token" in token.json()
    for bad in [{"latency_seconds": -1}, {"token_response_shape": "xml"}, {"colour": 1}, [1]]:
        assert (await client.post(control + "/settings", json=bad)).status_code == 400
    assert sandbox.state.latency_seconds == 0.2
    assert (await client.post(control + "/faults", json=[{"stauts": 500}])).status_code == 400
    assert (await client.post(control + "/faults", json={"times": 0})).status_code == 400

    assert (await client.post(control + "/reset")).json() == {"ok": True}
    assert sandbox.state.requests == [] and sandbox.state.pending_faults == 0
    # also reachable under the context path, and never recorded
    r = await client.get(sandbox.base_url + "/__sandbox/settings")
    assert r.json()["settings"]["token_response_shape"] == "token"
    assert sandbox.state.requests == []


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


# ----------------------------------------------------------------- catalog


def test_sample_catalog_is_coherent():
    catalog = Catalog()
    kinds = {}
    for doc in catalog.objects.values():
        kinds[doc["objectType"]] = kinds.get(doc["objectType"], 0) + 1
    assert len(catalog.connections) == 3
    assert kinds["oeschema"] == 3 and kinds["oetable"] == 12 and kinds["oechart"] == 4
    assert kinds["oecolumn"] >= 60 and kinds["glossary"] == 8 and kinds["oetag"] == 6
    assert len(sd.PLATFORM_DOCS) == 8
    every_tag = {name for _, name, _, _ in sd.TAGS}
    every_term = {t["name"] for t in sd.GLOSSARY}
    for doc in catalog.objects.values():
        assert set(doc.get("tags", [])) <= every_tag
        assert set(doc.get("terms", [])) <= every_term
        assert catalog.by_fqn(doc["fullyQualifiedName"]) is doc
        assert doc["navLink"].startswith("#nav/") and doc["navLink"].endswith(
            f"id={doc['objectId']}"
        )
    graph = {}
    for source, target, _ in sd.LINEAGE_EDGES:
        assert source in catalog.objects and target in catalog.objects
        graph.setdefault(target, set()).add(source)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert order.index(1001) < order.index(1006) < order.index(1009) < order.index(3003)
    for table_id in catalog.table_columns:
        assert catalog.relationships(table_id) is not None
        assert len(catalog.profile(table_id)) == len(catalog.table_columns[table_id])
    assert Catalog().objects == catalog.objects  # stable ids and content
    assert SandboxState().catalog is not SandboxState().catalog


# --------------------------------------------------------------------- CLI


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
