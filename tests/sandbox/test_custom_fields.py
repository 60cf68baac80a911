"""custom-fields and update-custom-field-values (sandbox/custom_fields.py), in OvalEdge's shapes
(docs/wire.md), read back through asset-details and asset-explorer's customFields facet."""

from __future__ import annotations

import pytest

from tests.sandbox.support import (
    CUSTOM_FIELD_VALUES,
    CUSTOM_FIELDS,
    details_of,
    explorer_ids,
    get_data,
    post_data,
    post_error,
)

FCT_SALES, EMAIL = 1011, 100102


def update_body(object_id=FCT_SALES, object_type="oetable", dry_run=False, fail_on_blocked=False, **values):
    """fieldUpdates by name (a key when it starts with "g", as OvalEdge's keys gtcf1, gccf3 do)."""
    return {
        "target": {"objectId": object_id, "objectType": object_type},
        "fieldUpdates": [{"fieldKey" if name.startswith("g") and name[1:4].isalpha() and name[-1].isdigit()
                          else "fieldName": name, "value": value} for name, value in values.items()],
        "timeZone": "Europe/Berlin",
        "options": {"dryRun": dry_run, "failOnBlockedField": fail_on_blocked},
        "clientContext": {"prompt": "set the refresh frequency", "reason": "new schedule"},
    }


def named(**values):
    """Keyword arguments for update_body whose names have spaces: named(**{"Refresh Frequency": "Weekly"})."""
    return values


async def fields(client, headers, object_id, object_type, **extra) -> dict[str, dict]:
    data = await get_data(client, headers, CUSTOM_FIELDS, {"objectId": object_id, "objectType": object_type,
                                                          **extra})
    return {f["fieldName"]: f for f in data["fields"]}


async def test_fields_of_each_object_type_with_their_current_values(client, headers):
    table = await fields(client, headers, FCT_SALES, "oetable")
    assert {name: f["currentValue"] for name, f in table.items()} == {
        "Data Owner Team": "Finance",
        "Retention Period": "",
        "Refresh Schedule": "Daily 03:00 UTC",
        "Refresh Frequency": "Daily",
        "Freshness SLA Hours": "6",
        "Review Date": "2025-10-01",
        "Consumers": "Finance, Executives",
        "Certified By": "chloe.nguyen",
    }
    assert table["Data Owner Team"] == {
        "fieldName": "Data Owner Team", "fieldKey": "gtcf1", "type": "text", "allowMultiple": False,
        "options": [], "currentValue": "Finance",
    }
    assert table["Refresh Frequency"]["options"] == [
        {"name": "Daily", "codeId": 1111}, {"name": "Weekly", "codeId": 1112}, {"name": "Monthly", "codeId": 1113},
    ]
    assert table["Consumers"]["type"] == "code" and table["Consumers"]["allowMultiple"] is True
    assert {f["type"] for f in table.values()} == {"text", "numeric", "date", "code"}
    # fieldName narrows the answer to that field, by name or key, any case (as the reference asks)
    assert list(await fields(client, headers, FCT_SALES, "oetable", fieldName="consumers")) == ["Consumers"]
    assert list(await fields(client, headers, FCT_SALES, "oetable", fieldName="GCCF3")) == ["Consumers"]
    assert await fields(client, headers, FCT_SALES, "oetable", fieldName="Colour") == {}
    assert (await fields(client, headers, 1001, "oetable"))["Retention Period"]["currentValue"] == "7 years"
    column = await fields(client, headers, EMAIL, "oecolumn")
    assert {k: f["currentValue"] for k, f in column.items()} == {"Masking Policy": "Full mask", "Business Rule": ""}
    assert set(await fields(client, headers, 500204, "filecolumn")) == {"Masking Policy", "Business Rule"}
    term = await fields(client, headers, 2001, "glossary")
    assert {k: f["currentValue"] for k, f in term.items()} == {
        "Review Date": "2025-06-30",
        "Regulatory Reference": "IFRS 15",
    }
    assert set(await fields(client, headers, 3001, "oechart")) == {
        "Data Owner Team", "Refresh Frequency", "Consumers", "Certified By"}
    assert await fields(client, headers, 4001, "oetag") == {}
    for params, status in [
        ({"objectId": 999999, "objectType": "oetable"}, 404),
        ({"objectId": FCT_SALES, "objectType": "oecolumn"}, 404),
        ({"objectId": 6001, "objectType": "oestory"}, 400),
        ({"objectType": "oetable"}, 400),
        ({"objectId": FCT_SALES}, 400),
    ]:
        assert (await client.get(CUSTOM_FIELDS, params=params, headers=headers)).status_code == status, params


async def test_update_dry_run_then_real_reads_back_as_names(sandbox, client, headers):
    body = update_body(**named(**{
        "Refresh Frequency": "weekly",
        "Consumers": "Finance,marketing,Operations",
        "gdcf1": "2026-01-15",
        "Freshness SLA Hours": "4.5",
        "Retention Period": "7 years",
        "Refresh Schedule": "",
    }))
    requested = ["Refresh Frequency", "Consumers", "gdcf1", "Freshness SLA Hours", "Retention Period",
                 "Refresh Schedule"]
    dry = await post_data(client, headers, CUSTOM_FIELD_VALUES, {**body, "options": {"dryRun": True}})
    assert dry == {
        "status": "success",
        "target": {
            "objectId": FCT_SALES,
            "objectType": "oetable",
            "objectName": "fct_sales",
            "redirectUrl": f"{sandbox.base_url}/#nav/table?browse=summary&id={FCT_SALES}",
        },
        "updatedFields": [],
        "wouldUpdateFields": requested,
        "requestedFields": requested,
        "blockedFields": [],
        "blockedReasons": [],
        "audit": {"source": "OE-MCP", "auditReferenceIds": []},
        "dryRun": True,
    }
    assert (await fields(client, headers, FCT_SALES, "oetable"))["Refresh Frequency"]["currentValue"] == "Daily"
    real = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert real["dryRun"] is False and real["updatedFields"] == requested
    assert real["audit"]["auditReferenceIds"] == ["AUD-000001"]
    shown = (await details_of(client, headers, FCT_SALES, "oetable"))["customFields"]
    assert shown == {
        "Data Owner Team": "Finance",
        "Refresh Frequency": "Weekly",
        "Freshness SLA Hours": 4.5,
        "Review Date": "2026-01-15",
        "Consumers": ["Finance", "Marketing", "Operations"],
        "Certified By": "chloe.nguyen",
        "Retention Period": "7 years",
    }
    table = await fields(client, headers, FCT_SALES, "oetable")
    assert table["Consumers"]["currentValue"] == "Finance, Marketing, Operations"
    for wanted in ["Refresh Frequency=weekly", "Consumers=Operations", "Freshness SLA Hours=4.5", "Review Date"]:
        assert FCT_SALES in await explorer_ids(client, headers, "oetable", customFields=[wanted]), wanted
    assert FCT_SALES not in await explorer_ids(client, headers, "oetable", customFields=["Refresh Schedule"])
    [entry] = sandbox.state.audit.entries
    assert entry["changes"]["gccf2"] == {"from": "Daily", "to": "Weekly"}
    assert entry["clientContext"] == body["clientContext"]
    again = await post_data(client, headers, CUSTOM_FIELD_VALUES, update_body(**named(**{"Refresh Frequency": "WEEKLY"})))
    assert again["status"] == "no_change" and again["updatedFields"] == []


async def test_a_locked_field_is_blocked_and_the_rest_applied(sandbox, client, headers):
    body = update_body(**named(**{"Certified By": "eva.rossi", "Data Owner Team": "Group Finance"}))
    partial = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert partial["status"] == "partial_success" and partial["updatedFields"] == ["Data Owner Team"]
    assert partial["blockedFields"] == ["Certified By"]
    [reason] = partial["blockedReasons"]
    assert reason["field"] == "Certified By" and reason["code"] == "FIELD_LOCKED" and "certification" in reason["message"]
    strict = update_body(fail_on_blocked=True, **named(**{"Certified By": "eva.rossi", "Data Owner Team": "Treasury"}))
    blocked = await post_data(client, headers, CUSTOM_FIELD_VALUES, strict)
    assert blocked["status"] == "blocked" and blocked["updatedFields"] == []
    assert sandbox.state.catalog.get(FCT_SALES)["customFields"]["Data Owner Team"] == "Group Finance"


async def test_values_on_columns_and_terms(sandbox, client, headers):
    column = update_body(EMAIL, "oecolumn", **named(**{"Masking Policy": "partial mask",
                                                      "gtcf4": "Lower-cased at sign-up."}))
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, column))["status"] == "success"
    assert (await details_of(client, headers, EMAIL, "oecolumn"))["customFields"] == {
        "Masking Policy": "Partial mask",
        "Business Rule": "Lower-cased at sign-up.",
    }
    first_set = update_body(100101, "oecolumn", **named(**{"Masking Policy": "No masking"}))
    await post_data(client, headers, CUSTOM_FIELD_VALUES, first_set)
    assert sandbox.state.catalog.get(100101)["customFields"] == {"Masking Policy": "No masking"}
    term = update_body(2003, "businessglossary", **named(**{"Regulatory Reference": "Internal policy DG-7"}))
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, term))["target"]["objectType"] == "glossary"
    assert 2003 in await explorer_ids(client, headers, "glossary", customFields=["Regulatory Reference"])
    both = {**update_body(), "fieldUpdates": [{"fieldName": "Consumers", "fieldKey": "gccf3", "value": "Finance"}]}
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, both))["updatedFields"] == ["Consumers"]


async def test_update_idempotency_and_not_found(sandbox, client, headers):
    body = update_body(**named(**{"Refresh Frequency": "Monthly"}))
    body["options"]["idempotencyKey"] = "cf-1"
    first = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    sandbox.state.catalog.get(FCT_SALES)["customFields"]["Refresh Frequency"] = "Daily"
    again = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert again["idempotentReplay"] is True and again["updatedFields"] == first["updatedFields"]
    assert sandbox.state.catalog.get(FCT_SALES)["customFields"]["Refresh Frequency"] == "Daily"
    await post_error(client, headers, CUSTOM_FIELD_VALUES, {**body, "timeZone": "UTC"}, 409)
    missing = await client.post(CUSTOM_FIELD_VALUES, json=update_body(999999, **named(**{"Refresh Frequency": "Daily"})),
                                headers=headers)
    assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Object not found"}


FREQUENCY = {"Refresh Frequency": "Daily"}


@pytest.mark.parametrize(
    ("body", "named_in_error"),
    [
        ([], "JSON object"),
        (update_body(**named(**{"Refresh Frequency": "Hourly"})), "Hourly"),
        (update_body(**named(**{"Refresh Frequency": "Daily,Weekly"})), "takes one option"),
        (update_body(**named(**{"Consumers": "Finance,Legal"})), "Legal"),
        (update_body(**named(**{"Consumers": "['Finance', 'Marketing']"})), "['Finance'"),  # Python's repr
        (update_body(**named(**{"Consumers": ["Finance"]})), "must be a string"),  # OvalEdge takes strings
        (update_body(**named(**{"Freshness SLA Hours": 6})), "must be a string"),
        (update_body(**named(**{"Freshness SLA Hours": "six"})), "not a number"),
        (update_body(**named(**{"Review Date": "15/01/2026"})), "YYYY-MM-DD"),
        (update_body(**named(**{"Data Owner Team": None})), "must be a string"),  # never null
        (update_body(**named(**{"Data Owner Team": ""})), "required"),
        (update_body(**named(**{"Colour": "blue"})), "Colour"),
        (update_body(**named(**{"Masking Policy": "Full mask"})), "Masking Policy"),  # a column field
        ({**update_body(**named(**FREQUENCY)), "timeZone": "Mars/Olympus"}, "timeZone"),
        (update_body(), "fieldUpdates"),
        ({**update_body(), "fieldUpdates": [{"fieldName": "Refresh Frequency"}]}, "needs a value"),
        ({**update_body(), "fieldUpdates": [{"value": "Daily"}]}, "fieldName or fieldKey"),
        ({**update_body(), "fieldUpdates": [{"fieldKey": "refreshFrequency", "value": "Daily"}]},
         "refreshFrequency"),
        ({**update_body(), "fieldUpdates": [{"fieldName": "Consumers", "fieldKey": "gccf2", "value": "Daily"}]},
         "different fields"),
        ({**update_body(), "fieldUpdates": [{"fieldName": "Review Date", "value": "2026-01-01"}] * 2}, "twice"),
        ({**update_body(**named(**FREQUENCY)), "fields": []}, "fields"),
        (update_body(6001, "oestory", **named(**FREQUENCY)), "oestory"),
        ({**update_body(**named(**FREQUENCY)), "options": {"dryRun": "no"}}, "dryRun"),
    ],
)
async def test_update_rejects_bad_bodies_naming_what_is_wrong(client, headers, body, named_in_error):
    assert named_in_error in (await post_error(client, headers, CUSTOM_FIELD_VALUES, body, 400))["message"]


async def test_an_update_without_a_time_zone_is_taken(client, headers):
    body = {k: v for k, v in update_body(**named(**FREQUENCY)).items() if k != "timeZone"}
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, body))["status"] == "no_change"
