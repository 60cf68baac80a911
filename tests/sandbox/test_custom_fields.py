"""custom-fields and update-custom-field-values (sandbox/custom_fields.py), read back through
asset-details and asset-explorer's customFields facet."""

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
    return {
        "target": {"objectId": object_id, "objectType": object_type},
        "fieldUpdates": [{"fieldKey": key, "value": value} for key, value in values.items()],
        "timeZone": "Europe/Berlin",
        "options": {"dryRun": dry_run, "failOnBlockedField": fail_on_blocked},
        "clientContext": {"prompt": "set the refresh frequency", "reason": "new schedule"},
    }


async def fields(client, headers, object_id, object_type) -> dict[str, dict]:
    data = await get_data(client, headers, CUSTOM_FIELDS, {"objectId": object_id, "objectType": object_type})
    assert data["objectId"] == object_id and data["objectType"] == object_type
    return {f["fieldKey"]: f for f in data["fields"]}


async def test_fields_of_each_object_type_with_their_current_values(client, headers):
    table = await fields(client, headers, FCT_SALES, "oetable")
    assert {key: f["currentValue"] for key, f in table.items()} == {
        "dataOwnerTeam": "Finance",
        "retentionPeriod": None,
        "refreshSchedule": "Daily 03:00 UTC",
        "refreshFrequency": "DAILY",
        "freshnessSlaHours": 6,
        "reviewDate": "2025-10-01",
        "consumers": ["FIN", "EXEC"],
        "certifiedBy": "chloe.nguyen",
    }
    assert table["dataOwnerTeam"] == {
        "fieldKey": "dataOwnerTeam",
        "fieldName": "Data Owner Team",
        "fieldType": "TEXT",
        "required": True,
        "currentValue": "Finance",
    }
    assert table["refreshFrequency"]["options"] == [
        {"code": "DAILY", "label": "Daily"},
        {"code": "WEEKLY", "label": "Weekly"},
        {"code": "MONTHLY", "label": "Monthly"},
    ]
    assert {f["fieldType"] for f in table.values()} == {"TEXT", "NUMBER", "DATE", "CODE", "MULTI_CODE"}
    assert [f["required"] for f in table.values()].count(True) == 1
    assert (await fields(client, headers, 1001, "oetable"))["retentionPeriod"]["currentValue"] == "7Y"
    column = await fields(client, headers, EMAIL, "oecolumn")
    assert {k: f["currentValue"] for k, f in column.items()} == {"maskingPolicy": "FULL", "businessRule": None}
    assert set(await fields(client, headers, 500204, "oefilecolumn")) == {"maskingPolicy", "businessRule"}
    term = await fields(client, headers, 2001, "glossary")
    assert {k: f["currentValue"] for k, f in term.items()} == {
        "reviewDate": "2025-06-30",
        "regulatoryReference": "IFRS 15",
    }
    assert set(await fields(client, headers, 3001, "oechart")) == {
        "dataOwnerTeam",
        "refreshFrequency",
        "consumers",
        "certifiedBy",
    }
    assert await fields(client, headers, 4001, "oetag") == {}
    for params, status in [
        ({"objectId": 999999, "objectType": "oetable"}, 404),
        ({"objectId": FCT_SALES, "objectType": "oecolumn"}, 404),
        ({"objectId": 6001, "objectType": "oestory"}, 400),
        ({"objectType": "oetable"}, 400),
        ({"objectId": FCT_SALES}, 400),
    ]:
        assert (await client.get(CUSTOM_FIELDS, params=params, headers=headers)).status_code == status, params


async def test_update_dry_run_then_real_reads_back_as_labels_and_codes(sandbox, client, headers):
    body = update_body(
        refreshFrequency="weekly",
        consumers=["FIN", "MKT", "OPS"],
        reviewDate="2026-01-15",
        freshnessSlaHours=4.5,
        retentionPeriod="7Y",
        refreshSchedule=None,
    )
    dry = await post_data(client, headers, CUSTOM_FIELD_VALUES, {**body, "options": {"dryRun": True}})
    expected_values = {
        "refreshFrequency": "WEEKLY",
        "consumers": ["FIN", "MKT", "OPS"],
        "reviewDate": "2026-01-15",
        "freshnessSlaHours": 4.5,
        "retentionPeriod": "7Y",
        "refreshSchedule": None,
    }
    assert dry == {
        "status": "success",
        "target": {
            "objectId": FCT_SALES,
            "objectType": "oetable",
            "objectName": "fct_sales",
            "navLink": f"#nav/table?browse=summary&id={FCT_SALES}",
        },
        "updatedFields": list(expected_values),
        "blockedFields": [],
        "blockedReasons": [],
        "values": expected_values,
        "timeZone": "Europe/Berlin",
        "dryRun": True,
    }
    assert (await fields(client, headers, FCT_SALES, "oetable"))["refreshFrequency"]["currentValue"] == "DAILY"
    real = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert real["dryRun"] is False and real["values"] == expected_values
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
    assert {k: table[k]["currentValue"] for k in expected_values} == expected_values
    for wanted in ["Refresh Frequency=weekly", "Consumers=Operations", "Freshness SLA Hours=4.5", "Review Date"]:
        assert FCT_SALES in await explorer_ids(client, headers, "oetable", customFields=[wanted]), wanted
    assert FCT_SALES not in await explorer_ids(client, headers, "oetable", customFields=["Refresh Schedule"])
    [entry] = sandbox.state.audit.entries
    assert entry["changes"]["refreshFrequency"] == {"from": "DAILY", "to": "WEEKLY"}
    assert entry["clientContext"] == body["clientContext"]
    again = await post_data(client, headers, CUSTOM_FIELD_VALUES, update_body(refreshFrequency="WEEKLY"))
    assert again["status"] == "no_change" and again["updatedFields"] == []


async def test_a_locked_field_is_blocked_and_the_rest_applied(sandbox, client, headers):
    body = update_body(certifiedBy="eva.rossi", dataOwnerTeam="Group Finance")
    partial = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert partial["status"] == "partial_success" and partial["updatedFields"] == ["dataOwnerTeam"]
    assert partial["blockedFields"] == ["certifiedBy"]
    [reason] = partial["blockedReasons"]
    assert reason["field"] == "certifiedBy" and reason["code"] == "FIELD_LOCKED" and "certification" in reason["message"]
    assert partial["values"] == {"certifiedBy": "chloe.nguyen", "dataOwnerTeam": "Group Finance"}
    strict = update_body(certifiedBy="eva.rossi", dataOwnerTeam="Treasury", fail_on_blocked=True)
    blocked = await post_data(client, headers, CUSTOM_FIELD_VALUES, strict)
    assert blocked["status"] == "blocked" and blocked["updatedFields"] == []
    assert blocked["values"]["dataOwnerTeam"] == "Group Finance"
    assert sandbox.state.catalog.get(FCT_SALES)["customFields"]["Data Owner Team"] == "Group Finance"


async def test_values_on_columns_and_terms(sandbox, client, headers):
    column = update_body(EMAIL, "oecolumn", maskingPolicy="partial", businessRule="Lower-cased at sign-up.")
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, column))["status"] == "success"
    assert (await details_of(client, headers, EMAIL, "oecolumn"))["customFields"] == {
        "Masking Policy": "Partial mask",
        "Business Rule": "Lower-cased at sign-up.",
    }
    first_set = update_body(100101, "oecolumn", maskingPolicy="NONE")  # a column without custom fields yet
    await post_data(client, headers, CUSTOM_FIELD_VALUES, first_set)
    assert sandbox.state.catalog.get(100101)["customFields"] == {"Masking Policy": "No masking"}
    term = update_body(2003, "businessglossary", regulatoryReference="Internal policy DG-7")
    assert (await post_data(client, headers, CUSTOM_FIELD_VALUES, term))["target"]["objectType"] == "glossary"
    assert 2003 in await explorer_ids(client, headers, "glossary", customFields=["Regulatory Reference"])


async def test_update_idempotency_and_not_found(sandbox, client, headers):
    body = update_body(refreshFrequency="MONTHLY")
    body["options"]["idempotencyKey"] = "cf-1"
    first = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    sandbox.state.catalog.get(FCT_SALES)["customFields"]["Refresh Frequency"] = "Daily"
    again = await post_data(client, headers, CUSTOM_FIELD_VALUES, body)
    assert again["idempotentReplay"] is True and again["values"] == first["values"]
    assert sandbox.state.catalog.get(FCT_SALES)["customFields"]["Refresh Frequency"] == "Daily"
    await post_error(client, headers, CUSTOM_FIELD_VALUES, {**body, "timeZone": "UTC"}, 409)
    missing = await client.post(CUSTOM_FIELD_VALUES, json=update_body(999999, refreshFrequency="DAILY"), headers=headers)
    assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Object not found"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ([], "JSON object"),
        (update_body(refreshFrequency="HOURLY"), "HOURLY"),
        (update_body(consumers="FIN"), "consumers"),
        (update_body(consumers=["FIN", "LEGAL"]), "LEGAL"),
        (update_body(freshnessSlaHours="6"), "freshnessSlaHours"),
        (update_body(freshnessSlaHours=True), "freshnessSlaHours"),
        (update_body(reviewDate="15/01/2026"), "reviewDate"),
        (update_body(refreshSchedule=3), "refreshSchedule"),
        (update_body(colour="blue"), "colour"),
        (update_body(maskingPolicy="FULL"), "maskingPolicy"),  # a column field, not a table's
        (update_body(dataOwnerTeam=None), "dataOwnerTeam"),
        (update_body(dataOwnerTeam=""), "dataOwnerTeam"),
        ({**update_body(refreshFrequency="DAILY"), "timeZone": "Mars/Olympus"}, "timeZone"),
        ({k: v for k, v in update_body(refreshFrequency="DAILY").items() if k != "timeZone"}, "timeZone"),
        (update_body(), "fieldUpdates"),
        ({**update_body(), "fieldUpdates": [{"fieldKey": "refreshFrequency"}]}, "fieldUpdates[0]"),
        (
            {**update_body(), "fieldUpdates": [{"fieldKey": "reviewDate", "value": "2026-01-01"}] * 2},
            "twice",
        ),
        ({**update_body(refreshFrequency="DAILY"), "fields": []}, "fields"),
        (update_body(6001, "oestory", refreshFrequency="DAILY"), "oestory"),
        ({**update_body(refreshFrequency="DAILY"), "options": {"dryRun": "no"}}, "dryRun"),
    ],
)
async def test_update_rejects_bad_bodies_naming_what_is_wrong(client, headers, body, named):
    assert named in (await post_error(client, headers, CUSTOM_FIELD_VALUES, body, 400))["message"]
