"""The request recorder (sandbox/state.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox import Fault
from tests.sandbox.support import CREDS, SEARCH, TOKEN_PATH, WRITE, authed, exchange, search


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


async def test_query_items_keep_every_pair_in_order(sandbox, client):
    headers = await authed(client)
    params = [("searchTerms", '["orders"]'), ("owner", "ana.ortiz"), ("limit", "3"), ("owner", "ben.kim")]
    response = await client.get(f"{SEARCH}?{urlencode(params)}", headers=headers)  # as sent, in order
    assert response.status_code == 200
    recorded = sandbox.state.requests[-1]
    assert recorded.query_items == params
    assert recorded.query == {"searchTerms": '["orders"]', "owner": "ben.kim", "limit": "3"}  # last one wins
    await client.post(WRITE, json={}, headers=headers)
    assert sandbox.state.requests[-1].query_items == []
    listed = (await client.get(sandbox.root_url + "/__sandbox/requests")).json()["requests"]
    assert listed[-2]["query_items"] == [list(pair) for pair in params]
    assert listed[-1]["query_items"] == []
