"""service-request-templates, POST and GET service-requests (sandbox/service_desk.py)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import SERVICE_REQUESTS, TEMPLATES, get_data, post_data, post_error

ORDERS, FCT_SALES, REVENUE_TREND = 1002, 1011, 3001


async def template(client, headers, **params) -> dict:
    return await get_data(client, headers, TEMPLATES, params)


async def test_the_template_for_each_request_type_and_object_type(client, headers):
    access = await template(client, headers, requestType="access", objectType="oetable")
    assert access == {
        "ticketTemplateId": 9101,
        "ticketTemplateName": "Table access request",
        "requestType": "access",
        "objectType": "oetable",
        "fields": [
            {
                "fieldKey": "accessLevel",
                "label": "Access level",
                "type": "SELECT",
                "required": True,
                "defaultValue": "Read",
                "options": ["Read", "Read and write"],
            },
            {"fieldKey": "justification", "label": "Business justification", "type": "TEXTAREA", "required": True},
            {
                "fieldKey": "requestedFor",
                "label": "Requested for",
                "type": "USER",
                "required": True,
                "defaultValue": "chloe.nguyen",
            },
            {"fieldKey": "neededBy", "label": "Needed by", "type": "DATE", "required": False},
        ],
        "currentUserId": 9003,
    }
    for connection in [{"connectionName": "RETAIL_SNOWFLAKE"}, {"connectionId": 2}, {"connType": "snowflake"}]:
        scoped = await template(client, headers, requestType="access", objectType="oetable", **connection)
        assert scoped["ticketTemplateId"] == 9102, connection
        assert "snowflakeRole" in [f["fieldKey"] for f in scoped["fields"]]
    general = await template(client, headers, requestType="access", objectType="oetable", connectionId=1)
    assert general["ticketTemplateId"] == 9101
    for request_type, object_type, template_id in [
        ("content", "oetable", 9103),
        ("dataquality", "oetable", 9104),
        ("access", "oechart", 9105),
    ]:
        found = await template(client, headers, requestType=request_type, objectType=object_type)
        assert found["ticketTemplateId"] == template_id
    for request_type, object_type in [("content", "oechart"), ("dataquality", "oechart"), ("access", "oefile")]:
        missing = await client.get(TEMPLATES, params={"requestType": request_type, "objectType": object_type}, headers=headers)
        assert missing.status_code == 404
        assert missing.json()["errorCode"] == "template_not_found" and missing.json()["ok"] is False
    for params in [
        {"objectType": "oetable"},
        {"requestType": "access"},
        {"requestType": "deletion", "objectType": "oetable"},
        {"requestType": "access", "objectType": "table"},
        {"requestType": "access", "objectType": "oetable", "connectionName": "nowhere"},
        {"requestType": "access", "objectType": "oetable", "connectionId": 2, "connType": "Tableau"},
    ]:
        assert (await client.get(TEMPLATES, params=params, headers=headers)).status_code == 400, params


def request_body(template_id=9101, object_ids=(ORDERS,), request_type="access", object_type="oetable", **fields):
    return {
        "ticketTemplateId": template_id,
        "requestType": request_type,
        "objectType": object_type,
        "objectIds": list(object_ids),
        "summary": "Read access to pos.orders",
        "description": "For the monthly churn study.",
        "ticketFields": fields,
    }


async def test_tickets_take_the_template_defaults_and_are_listed(sandbox, client, headers):
    body = {**request_body(justification="Churn study", neededBy="2026-01-31"), "customFields": {"Cost Centre": "FIN-12"}}
    created = await post_data(client, headers, SERVICE_REQUESTS, body)
    ticket_id = created["ticketId"]
    assert created == {
        "ticketId": ticket_id,
        "ticketNumber": "SR-1001",
        "status": "Open",
        "summary": "Read access to pos.orders",
        "requestType": "access",
        "objectIds": [ORDERS],
        "navLink": f"#nav/servicedesk?ticketId={ticket_id}",
    }
    assert 9200 < ticket_id < 9300 and sandbox.state.requests[-1].json == body
    scoped = request_body(9102, (FCT_SALES, 1012), justification="Close", snowflakeRole="reporting")
    second = await post_data(client, headers, SERVICE_REQUESTS, {**scoped, "connectionName": "retail_snowflake"})
    assert second["ticketNumber"] == "SR-1002" and second["ticketId"] == ticket_id + 1
    chart = request_body(9105, (REVENUE_TREND,), object_type="oechart", justification="Board pack", requestedFor="EVA.ROSSI")
    await post_data(client, headers, SERVICE_REQUESTS, chart)
    quality = request_body(9104, (FCT_SALES,), request_type="dataquality", issueType="duplicate rows")
    await post_data(client, headers, SERVICE_REQUESTS, quality)

    tickets = (await get_data(client, headers, SERVICE_REQUESTS, {}))["tickets"]
    assert [t["ticketNumber"] for t in tickets] == ["SR-1001", "SR-1002", "SR-1003", "SR-1004"]
    first = tickets[0]
    assert first["ticketFields"] == {
        "accessLevel": "Read",
        "justification": "Churn study",
        "requestedFor": "chloe.nguyen",
        "neededBy": "2026-01-31",
    }
    assert (first["createdBy"], first["ticketTemplateId"], first["objectType"]) == ("chloe.nguyen", 9101, "oetable")
    assert first["customFields"] == {"Cost Centre": "FIN-12"} and first["description"] == body["description"]
    assert tickets[1]["ticketFields"]["snowflakeRole"] == "REPORTING" and tickets[1]["connectionName"] == "retail_snowflake"
    assert tickets[2]["ticketFields"]["requestedFor"] == "eva.rossi"
    assert tickets[3]["ticketFields"] == {"issueType": "Duplicate rows", "severity": "Medium"}
    assert sandbox.state.service_desk.tickets == tickets


async def test_a_missing_required_field_is_named(client, headers):
    refused = await post_error(client, headers, SERVICE_REQUESTS, request_body(), 400)
    assert refused["errorCode"] == "required_ticket_fields_missing"
    assert "justification (Business justification)" in refused["message"]
    emptied = await post_error(client, headers, SERVICE_REQUESTS, request_body(justification="x", accessLevel=""), 400)
    assert "accessLevel" in emptied["message"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ([], "JSON object"),
        (request_body(justification="x", accessLevel="Admin"), "accessLevel"),
        (request_body(justification="x", neededBy="next week"), "neededBy"),
        (request_body(justification="x", requestedFor="someone.else"), "unknown user"),
        (request_body(justification="x", approver="ben.kim"), "approver"),
        (request_body(justification=5), "justification"),
        (request_body(9999, justification="x"), "9999"),
        (request_body(9106, request_type="content", object_type="oechart", proposedChange="x"), "not published"),
        (request_body(9107, request_type="dataquality", object_type="oechart", issueType="Wrong numbers"), "not published"),
        (request_body(9101, request_type="content", justification="x"), "requestType"),
        (request_body(9101, object_type="oechart", justification="x"), "objectType"),
        (request_body(object_ids=(999999,), justification="x"), "999999"),
        (request_body(object_ids=(REVENUE_TREND,), justification="x"), "3001"),
        (request_body(object_ids=(), justification="x"), "objectIds"),
        (request_body(object_ids=("1002",), justification="x"), "objectIds"),
        (request_body(9102, (ORDERS,), justification="x", snowflakeRole="REPORTING"), "retail_snowflake"),
        ({**request_body(justification="x"), "summary": " "}, "summary"),
        ({**request_body(justification="x"), "priority": "high"}, "priority"),
        ({**request_body(justification="x"), "ticketFields": ["x"]}, "ticketFields"),
        ({**request_body(justification="x"), "customFields": {"Cost Centre": 12}}, "customFields"),
        ({**request_body(justification="x"), "connectionName": "nowhere"}, "connection"),
    ],
)
async def test_service_requests_reject_bad_bodies(sandbox, client, headers, body, named):
    assert named in (await post_error(client, headers, SERVICE_REQUESTS, body, 400))["message"]
    assert sandbox.state.service_desk.tickets == []
