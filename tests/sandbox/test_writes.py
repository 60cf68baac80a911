"""update-asset-descriptions (sandbox/writes.py)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import DETAILS, WRITE, authed


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
    assert data["target"]["redirectUrl"] == (f"{sandbox.base_url}/#nav/table?browse=summary&id=1001")
    details = await client.get(DETAILS, params={"objectId": 1001, "objectType": "oetable"}, headers=headers)
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
    assert data["status"] == "blocked" and data["blockedReasons"][0]["code"] == "FIELD_NOT_SUPPORTED"


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
