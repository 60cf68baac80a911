"""The /__sandbox control endpoints (sandbox/control.py)."""

from __future__ import annotations

import httpx
import pytest
import trio

from tests.sandbox.support import CREDS, EXCHANGE_HEADERS, MCP, SEARCH, TOKEN_PATH, authed, search


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


async def test_governance_settings(sandbox, client):
    control = sandbox.root_url + "/__sandbox/settings"
    settings = (await client.get(control)).json()["settings"]
    assert settings["tag_security_mode"] == "SECURE"
    assert settings["disabled_governance_roles"] == ["governanceRole6"]
    changed = await client.post(
        control, json={"tag_security_mode": "OPEN", "disabled_governance_roles": ["governanceRole4", "governanceRole5"]}
    )
    assert changed.json()["settings"]["tag_security_mode"] == "OPEN"
    assert sandbox.state.tag_security_mode == "OPEN"
    assert sandbox.state.disabled_governance_roles == ["governanceRole4", "governanceRole5"]
    for bad in [
        {"tag_security_mode": "open"},
        {"disabled_governance_roles": "governanceRole6"},
        {"disabled_governance_roles": ["governanceRole7"]},
        {"disabled_governance_roles": [["owner"]]},
        {"tag_security_mode": "SECURE", "disabled_governance_roles": [6]},
    ]:
        assert (await client.post(control, json=bad)).status_code == 400, bad
    assert sandbox.state.tag_security_mode == "OPEN"  # nothing of a refused change applies
    await client.post(control, json={"disabled_governance_roles": []})
    assert (await client.get(control)).json()["settings"]["disabled_governance_roles"] == []


async def test_what_the_writes_left_behind_is_visible_from_another_process(sandbox, client):
    headers = await authed(client)
    written = (await client.get(sandbox.root_url + "/__sandbox/written")).json()
    assert written["ok"] is True and written["audit"] == written["tickets"] == written["validationRuns"] == []
    assert [r["ruleId"] for r in written["dqRules"]] == [8001, 8002, 8003, 8004, 8005]
    cde = {"targets": [{"objectId": 1005, "objectType": "oetable"}], "action": "Yes", "clientContext": {"reason": "x"}}
    assert (await client.post(f"{MCP}/update-cde-associations", json=cde, headers=headers)).status_code == 200
    queries = {"ruleQuery": "SELECT 1", "statsQuery": "SELECT 2", "failedValuesQuery": "SELECT 3"}
    run = {"connectionId": 2, "schemaId": 103, **queries}
    assert (await client.post(f"{MCP}/dq-intelligence/validate-queries", json=run, headers=headers)).status_code == 200
    written = (await client.get(sandbox.base_url + "/__sandbox/written")).json()
    assert [e["clientContext"] for e in written["audit"]] == [{"reason": "x"}]
    assert [r["queries"] for r in written["validationRuns"]] == [queries]
