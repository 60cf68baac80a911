"""update-cde-associations and update-governance-roles (sandbox/governance.py), read back through
asset-details and asset-explorer."""

from __future__ import annotations

import httpx
import pytest

from sandbox import open_sandbox
from tests.sandbox.support import (
    CDE,
    ROLES,
    authed,
    details_of,
    explorer_ids,
    post_data,
    post_error,
)

FULL_NAME, ORDER_TOTAL, STORES, ARCHIVED_ORDER_DATE = 100103, 100207, 1005, 101302
NET_REVENUE = 101108  # mart.fct_sales.net_revenue: its description and steward come from the term Revenue
CONTEXT = {"prompt": "mark full_name as a CDE", "reason": "GDPR review"}


def cde_body(*targets, action="Yes", dry_run=False, **extra):
    return {
        "targets": [{"objectId": i, "objectType": t} for i, t in targets],
        "action": action,
        "options": {"dryRun": dry_run},
        "clientContext": CONTEXT,
        **extra,
    }


async def test_cde_dry_run_then_real_reads_back_everywhere(sandbox, client, headers):
    body = cde_body((FULL_NAME, "oecolumn"), cdeCategory="Personal data", cdeJustification="Names a person.")
    dry = await post_data(client, headers, CDE, {**body, "options": {"dryRun": True}})
    assert dry["dryRun"] is True and dry["status"] == "success" and dry["audit"]["auditReferenceIds"] == []
    [result] = dry["results"]
    assert result == {
        "objectId": FULL_NAME,
        "objectType": "oecolumn",
        "objectName": "full_name",
        "redirectUrl": f"{sandbox.base_url}/#nav/column?browse=summary&id={FULL_NAME}",
        "previousCde": "No",
        "updatedCde": "Yes",
        "cdeJustification": "Names a person.",
    }
    assert (await details_of(client, headers, FULL_NAME, "oecolumn"))["criticalDataElement"] == "No"
    assert sandbox.state.audit.entries == []

    real = await post_data(client, headers, CDE, body)
    assert real["dryRun"] is False and real["results"] == dry["results"]
    assert real["governanceSummary"] == {"requested": 1, "updated": 1, "blocked": 0, "noChange": 0}
    assert real["audit"]["source"] == "OE-MCP" and len(real["audit"]["auditReferenceIds"]) == 1
    details = await details_of(client, headers, FULL_NAME, "oecolumn")
    assert (details["criticalDataElement"], details["cdeCategory"], details["cdeJustification"]) == (
        "Yes",
        "Personal data",
        "Names a person.",
    )
    assert FULL_NAME in await explorer_ids(client, headers, "oecolumn", criticalDataElement=["Yes"])
    [entry] = sandbox.state.audit.entries
    assert entry["auditReferenceId"] == real["audit"]["auditReferenceIds"][0]
    assert entry["clientContext"] == CONTEXT and entry["objectId"] == FULL_NAME
    assert entry["changes"]["criticalDataElement"] == {"from": "No", "to": "Yes"}
    posted = [r.json for r in sandbox.state.requests if r.path == CDE]
    assert posted == [{**body, "options": {"dryRun": True}}, body]

    cleared = await post_data(client, headers, CDE, cde_body((FULL_NAME, "oecolumn"), action="None"))
    assert cleared["results"][0]["previousCde"] == "Yes" and cleared["results"][0]["updatedCde"] == "None"
    details = await details_of(client, headers, FULL_NAME, "oecolumn")
    assert details["criticalDataElement"] is None and details["cdeJustification"] is None
    for flag in ("Yes", "No"):
        assert FULL_NAME not in await explorer_ids(client, headers, "oecolumn", criticalDataElement=[flag])


async def test_cde_partial_success_blocked_and_no_change(sandbox, client, headers):
    mixed = await post_data(
        client,
        headers,
        CDE,
        cde_body((ORDER_TOTAL, "oecolumn"), (ARCHIVED_ORDER_DATE, "oecolumn"), (999999, "oetable"), (STORES, "oetable")),
    )
    assert mixed["status"] == "partial_success"
    assert mixed["governanceSummary"] == {"requested": 4, "updated": 1, "blocked": 2, "noChange": 1}
    unchanged, archived, missing, stores = mixed["results"]
    assert unchanged["noChange"] is True and unchanged["previousCde"] == unchanged["updatedCde"] == "Yes"
    assert archived["blocked"] is True and "audit" in archived["message"] and archived["updatedCde"] == "No"
    assert missing == {
        "objectId": 999999,
        "objectType": "oetable",
        "objectName": None,
        "redirectUrl": None,
        "previousCde": None,
        "updatedCde": None,
        "blocked": True,
        "message": "Object not found",
    }
    assert stores["previousCde"] == "No" and stores["updatedCde"] == "Yes" and "blocked" not in stores
    assert sandbox.state.catalog.get(ARCHIVED_ORDER_DATE)["criticalDataElement"] == "No"
    assert len(mixed["audit"]["auditReferenceIds"]) == 1
    blocked = await post_data(client, headers, CDE, cde_body((1013, "oetable"), (104, "oeschema"), action="No"))
    assert blocked["status"] == "blocked" and blocked["governanceSummary"]["blocked"] == 2
    same = await post_data(client, headers, CDE, cde_body((STORES, "oetable"), (ORDER_TOTAL, "oecolumn")))
    assert same["status"] == "no_change" and same["governanceSummary"]["noChange"] == 2


async def test_cde_idempotency(sandbox, client, headers):
    body = cde_body((STORES, "oetable"))
    body["options"]["idempotencyKey"] = "cde-1"
    first = await post_data(client, headers, CDE, body)
    sandbox.state.catalog.get(STORES)["criticalDataElement"] = "No"  # changed meanwhile
    again = await post_data(client, headers, CDE, body)
    assert again["idempotentReplay"] is True and again["results"] == first["results"]
    assert sandbox.state.catalog.get(STORES)["criticalDataElement"] == "No"  # not applied twice
    assert len(sandbox.state.audit.entries) == 1
    body["action"] = "No"
    await post_error(client, headers, CDE, body, 409)
    dry = {**body, "options": {"dryRun": True, "idempotencyKey": "cde-1"}}
    assert "idempotentReplay" not in await post_data(client, headers, CDE, dry)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"action": "Yes"},
        {"targets": [], "action": "Yes"},
        {"targets": [{"objectId": 1001, "objectType": "oetable"}] * 101, "action": "Yes"},
        cde_body((1001, "glossary")),
        cde_body((1001, "oetable"), action="yes"),
        {"targets": [{"objectId": 1001, "objectType": "oetable"}]},
        {"targets": [{"objectId": 1001}], "action": "Yes"},
        {"targets": [{"objectId": 0, "objectType": "oetable"}], "action": "Yes"},
        {"targets": [{"objectId": 1001, "objectType": "oetable", "name": "x"}], "action": "Yes"},
        cde_body((1001, "oetable"), cdeJustification="x" * 5001),
        cde_body((1001, "oetable"), cdeCategory=5),
        cde_body((1001, "oetable"), colour="blue"),
        {**cde_body((1001, "oetable")), "options": {"dryRun": "yes"}},
        {**cde_body((1001, "oetable")), "options": {"idempotencyKey": ""}},
        {**cde_body((1001, "oetable")), "options": {"failOnBlockedField": True}},
        {**cde_body((1001, "oetable")), "clientContext": {"who": "me"}},
        {**cde_body((1001, "oetable")), "clientContext": "me"},
    ],
)
async def test_cde_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, CDE, body, 400)


# ----------------------------------------------------------------------- roles


def roles_body(object_id, object_type, dry_run=False, **updates):
    return {
        "target": {"objectId": object_id, "objectType": object_type},
        "roleUpdates": updates,
        "options": {"dryRun": dry_run},
        "clientContext": {"prompt": "make eva the owner", "reason": "team change"},
    }


def entry_of(sandbox, role: str) -> dict:
    return next(e["changes"][role] for e in sandbox.state.audit.entries if role in e["changes"])


async def sandbox_settings(sandbox, client, settings: dict) -> None:
    changed = await client.post(sandbox.root_url + "/__sandbox/settings", json=settings)
    assert changed.status_code == 200, changed.text


async def test_roles_dry_run_then_real_read_back_as_details_and_facets(sandbox, client, headers):
    body = roles_body(STORES, "oetable", owner="EVA.ROSSI", custodian="data-platform",
                      governance_role_4="gus.lindqvist")
    dry = await post_data(client, headers, ROLES, {**body, "options": {"dryRun": True}})
    assert dry == {
        "status": "success",
        "target": {
            "objectId": STORES,
            "objectType": "oetable",
            "objectName": "stores",
            "redirectUrl": f"{sandbox.base_url}/#nav/table?browse=summary&id={STORES}",
        },
        "updatedRoles": ["owner", "custodian", "governance_role_4"],
        "blockedRoles": [],
        "dryRun": True,
    }
    assert sandbox.state.catalog.get(STORES)["owner"] == "ana.ortiz" and sandbox.state.audit.entries == []
    real = await post_data(client, headers, ROLES, body)
    assert {k: v for k, v in real.items() if k != "dryRun"} == {k: v for k, v in dry.items() if k != "dryRun"}
    details = await details_of(client, headers, STORES, "oetable")
    assert (details["owner"], details["custodian"], details["governanceRole4"]) == (
        "eva.rossi", "data-platform", "gus.lindqvist")
    assert STORES in await explorer_ids(client, headers, "oetable", owner="eva.rossi")
    assert STORES in await explorer_ids(client, headers, "oetable", governanceRole4="GUS.LINDQVIST")
    assert STORES not in await explorer_ids(client, headers, "oetable", custodian="pos-dba")
    assert entry_of(sandbox, "governance_role_4") == {"from": None, "to": "gus.lindqvist"}
    [entry] = sandbox.state.audit.entries
    assert entry["changes"]["owner"] == {"from": "ana.ortiz", "to": "eva.rossi"}
    assert entry["clientContext"] == body["clientContext"]
    again = await post_data(client, headers, ROLES, roles_body(STORES, "oetable", owner="eva.rossi"))
    assert again["status"] == "no_change" and again["updatedRoles"] == []


async def test_a_column_steward_from_a_propagating_term_is_blocked_and_follows_the_term(sandbox, client, headers):
    partial = await post_data(
        client, headers, ROLES, roles_body(NET_REVENUE, "oecolumn", steward="dev.patel", owner="eva.rossi")
    )
    assert partial["status"] == "partial_success" and partial["updatedRoles"] == ["owner"]
    assert partial["blockedRoles"] == ["steward"]  # role names, as OvalEdge's answer in the reference's tests
    assert partial["reasonCode"] == "GLOSSARY_PROPAGATED_GOVERNANCE_ROLE" and "Revenue" in partial["message"]
    assert sandbox.state.catalog.get(NET_REVENUE)["steward"] == "chloe.nguyen"
    await sandbox_settings(sandbox, client, {"shapes": {"governance_roles_blocked": "objects"}})
    again = await post_data(client, headers, ROLES, roles_body(NET_REVENUE, "oecolumn", steward="dev.patel"))
    [blocked] = again["blockedRoles"]
    assert blocked["role"] == "steward" and blocked["reasonCode"] == "GLOSSARY_PROPAGATED_GOVERNANCE_ROLE"
    assert "Revenue" in blocked["message"]
    only = await post_data(client, headers, ROLES, roles_body(NET_REVENUE, "oecolumn", steward="dev.patel"))
    assert only["status"] == "blocked"
    term = await post_data(client, headers, ROLES, roles_body(2001, "glossary", steward="dev.patel"))
    assert term["status"] == "success"
    for column in (NET_REVENUE, 101204, 500204):  # every column the term Revenue governs
        assert (await details_of(client, headers, column, "oecolumn" if column < 500000 else "oefilecolumn"))[
            "steward"
        ] == "dev.patel"
    assert (await details_of(client, headers, 101107, "oecolumn"))["steward"] == "chloe.nguyen"  # not linked


async def test_roles_of_rules_placements_and_types_without_data(sandbox, client, headers):
    rule = await post_data(client, headers, ROLES, roles_body(8004, "dqrule", steward="dev.patel"))
    assert rule["target"] == {
        "objectId": 8004,
        "objectType": "dqrule",
        "objectName": "Amount is not negative",
        "redirectUrl": f"{sandbox.base_url}/#nav/dqrule?id=8004",
    }
    assert sandbox.state.data_quality.rules[8004]["steward"] == "dev.patel"
    message = (await post_error(client, headers, ROLES, roles_body(8004, "dqrule", owner="dev.patel"), 400))["message"]
    assert "steward only" in message
    domain = await post_data(client, headers, ROLES, roles_body(2102, "oeglobaldomain", custodian="gus.lindqvist"))
    assert domain["target"]["objectName"] == "Supply Chain" and domain["updatedRoles"] == ["custodian"]
    assert sandbox.state.catalog.placements[2102]["custodian"] == "gus.lindqvist"
    sub = await post_data(client, headers, ROLES, roles_body(2123, "subcategory", steward="eva.rossi"))
    assert sub["target"]["objectName"] == "Supplier Costs"
    for object_id, object_type in [
        (2123, "category"),
        (1001, "oecolumn"),
        (999, "dqrule"),
        (1, "dqscheme"),
        (1, "policy"),
        (1, "ropa_report"),
        (9999999, "oetable"),
    ]:
        response = await client.post(ROLES, json=roles_body(object_id, object_type, steward="dev.patel"), headers=headers)
        assert response.status_code == 404 and response.json() == {"ok": False, "message": "Object not found"}


async def test_a_disabled_governance_role_answers_400_until_enabled(sandbox, client, headers):
    body = roles_body(STORES, "oetable", governance_role_6="ben.kim")
    message = (await post_error(client, headers, ROLES, body, 400))["message"]
    assert "governance role is not enabled" in message and "Business Sponsor" in message
    settings = sandbox.root_url + "/__sandbox/settings"
    changed = await client.post(settings, json={"disabled_governance_roles": ["governanceRole5"]})
    assert changed.json()["settings"]["disabled_governance_roles"] == ["governanceRole5"]
    assert (await post_data(client, headers, ROLES, body))["updatedRoles"] == ["governance_role_6"]
    await post_error(client, headers, ROLES, roles_body(STORES, "oetable", governance_role_5="ben.kim"), 400)


async def test_open_sandbox_takes_the_disabled_roles():
    async with open_sandbox(disabled_governance_roles=[]) as sb, httpx.AsyncClient(base_url=sb.base_url) as client:
        headers = await authed(client)
        assert sb.state.settings()["disabled_governance_roles"] == []
        done = await post_data(client, headers, ROLES, roles_body(STORES, "oetable", governance_role_6="ben.kim"))
        assert done["status"] == "success"
    with pytest.raises(ValueError, match="unknown governance roles"):
        async with open_sandbox(disabled_governance_roles=["governanceRole9"]):
            pass


async def test_roles_idempotency(sandbox, client, headers):
    body = roles_body(STORES, "oetable", owner="eva.rossi")
    body["options"]["idempotencyKey"] = "roles-1"
    first = await post_data(client, headers, ROLES, body)
    sandbox.state.catalog.get(STORES)["owner"] = "ana.ortiz"
    again = await post_data(client, headers, ROLES, body)
    assert again["idempotentReplay"] is True and again["updatedRoles"] == first["updatedRoles"]
    assert sandbox.state.catalog.get(STORES)["owner"] == "ana.ortiz"
    body["roleUpdates"] = {"owner": "ben.kim"}
    await post_error(client, headers, ROLES, body, 409)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"roleUpdates": {"owner": "ben.kim"}},
        roles_body(STORES, "oetable"),
        {**roles_body(STORES, "oetable"), "roleUpdates": ["owner"]},
        roles_body(STORES, "oetable", owner="nobody.known"),
        roles_body(STORES, "oetable", owner=7),
        roles_body(STORES, "oetable", dataOwner="ben.kim"),
        roles_body(STORES, "oetable", owner=""),
        roles_body(STORES, "oetable", owner=None),  # a role cannot be cleared
        roles_body(STORES, "oetable", governanceRole4="ben.kim"),  # not a key OvalEdge's MCP sends
        roles_body(STORES, "oetable", Owner="ben.kim"),  # the MCP normalises keys; the wire is lower-case
        roles_body(STORES, "dashboard", owner="ben.kim"),
        roles_body(STORES, "table", owner="ben.kim"),
        {**roles_body(STORES, "oetable", owner="ben.kim"), "targets": []},
        {**roles_body(STORES, "oetable", owner="ben.kim"), "options": {"dryRun": 1}},
    ],
)
async def test_roles_reject_bad_bodies(client, headers, body):
    await post_error(client, headers, ROLES, body, 400)


async def test_an_unknown_user_is_named(client, headers):
    body = roles_body(STORES, "oetable", steward="dev.patel", owner="nobody.known")
    assert "unknown user 'nobody.known'" in (await post_error(client, headers, ROLES, body, 400))["message"]
