"""The token exchange and the Authorization check on API calls (sandbox/auth.py, tokens.py)."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
import trio

from sandbox import DEMO_USER_TOKEN, TOKEN_RESPONSE_SHAPES, open_sandbox
from tests.sandbox.support import CREDS, DETAILS, EXCHANGE_HEADERS, TOKEN_PATH, authed, exchange


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
    wrong = await client.post(TOKEN_PATH, json={**CREDS, "userSecret": "nope"}, headers=EXCHANGE_HEADERS)
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "message": "Invalid user token or secret"}

    sandbox.state.require_auth_prefix_on_exchange = True  # the builds whose filter wants it
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
    r = await client.get("/api/v1/mcp/tags", params=params, headers={"Authorization": f"jwt {forged}"})
    assert r.status_code == 401

    sandbox.state.accepted_schemes = {"bearer"}
    r = await client.get("/api/v1/mcp/tags", params=params, headers={"Authorization": f"jwt {token}"})
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
