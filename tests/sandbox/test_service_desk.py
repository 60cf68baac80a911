"""service-request-templates, POST and GET service-requests (sandbox/service_desk.py), in the
shapes of docs/wire.md section 5 (the reference's lookup parameters, field rows and create body)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import SERVICE_REQUESTS, TEMPLATES, get_data, post_data, post_error

ORDERS, FCT_SALES, REVENUE_TREND, SUPPLIER_COSTS = 1002, 1011, 3001, 5001


async def template(client, headers, **params) -> dict:
    return await get_data(client, headers, TEMPLATES, params)


async def test_the_template_for_each_request_type_and_object_type(client, headers):
    access = await template(client, headers, requestType="access", requestObjectType="oetable")
    assert {k: v for k, v in access.items() if k != "fields"} == {
        "ticketTemplateId": 9101,
        "ticketTemplateName": "Table access request",
        "requestType": "access",
        "requestObjectType": "oetable",
        "connType": "all",
        "currentUserId": "chloe.nguyen",
    }
    rows = {f["fieldName"]: f for f in access["fields"]}
    assert rows["Summary"] == {"fieldName": "Summary", "fieldCode": "summary", "fieldType": "inputtext",
                               "requiredOnCreate": True}
    assert rows["Select table"] == {"fieldName": "Select table", "fieldCode": "object", "fieldType": "catalog",
                                    "requiredOnCreate": True, "objectType": "oetable",
                                    "fieldData": {"allowMultiple": True}}
    assert rows["Requested By"]["filledByCurrentUser"] is True and rows["Requested By"]["fieldType"] == "oeusers"
    assert rows["Priority"]["fieldData"]["options"][1] == {"label": "Medium", "value": "Medium", "selected": True}
    assert rows["Expiration Date"]["fieldType"] == "date"
    assert rows["Additional Fields"]["fieldData"]["additionalFields"][1] == {
        "fieldName": "Data Classification", "type": "code", "options": ["Internal", "Confidential"]}
    assert {f["fieldType"] for f in access["fields"]} == {"inputtext", "catalog", "oeusers", "dropdown", "date",
                                                          "addfields"}
    for scope in [{"connectionName": "RETAIL_SNOWFLAKE"}, {"connectionId": 2}, {"connType": "snowflake"},
                  {"objectId": FCT_SALES}]:
        scoped = await template(client, headers, requestType="access", requestObjectType="oetable", **scope)
        assert scoped["ticketTemplateId"] == 9102, scope
        assert scoped["connType"] == "snowflake"
    for scope in [{"connectionId": 1}, {"objectId": ORDERS}, {"objectId": 999999}, {"connType": "all"}]:
        general = await template(client, headers, requestType="access", requestObjectType="oetable", **scope)
        assert general["ticketTemplateId"] == 9101, scope
    by_id = await template(client, headers, requestType="access", requestObjectType="oetable", ticketTemplateId=9102)
    assert by_id["ticketTemplateId"] == 9102
    for request_type, object_type, template_id in [
        ("content", "oetable", 9103),
        ("dataquality", "oetable", 9104),
        ("access", "oechart", 9105),
        ("ACCESS", "OETABLE", 9101),
    ]:
        found = await template(client, headers, requestType=request_type, requestObjectType=object_type)
        assert found["ticketTemplateId"] == template_id


async def test_no_template_is_a_200_without_one_or_a_404_by_switch(sandbox, client, headers):
    cases = [("content", "oechart"), ("dataquality", "oechart"), ("access", "oecolumn"), ("coffee", "oetable"),
             ("access", "cube")]
    for request_type, object_type in cases:
        missing = await template(client, headers, requestType=request_type, requestObjectType=object_type)
        assert missing == {"fields": []}
    wrong_id = await template(client, headers, requestType="content", requestObjectType="oetable",
                              ticketTemplateId=9101)
    assert wrong_id == {"fields": []}
    sandbox.state.shapes["service_request_no_template"] = "not_found_404"
    answer = await client.get(TEMPLATES, params={"requestType": "content", "requestObjectType": "oechart"},
                              headers=headers)
    assert answer.status_code == 404 and answer.json()["errorCode"] == "template_not_found"


async def test_lookups_the_reference_never_sends_are_refused(client, headers):
    depends = await client.get(TEMPLATES, params={"requestType": "access", "requestObjectType": "oefile"},
                               headers=headers)
    assert depends.status_code == 400 and "Depends-On fields" in depends.json()["message"]
    for params in [
        {"requestObjectType": "oetable"},
        {"requestType": "access"},
        {"requestType": "access", "objectType": "oetable"},  # our old invented name
        {"requestType": "access", "requestObjectType": "oetable", "connectionName": "nowhere"},
        {"requestType": "access", "requestObjectType": "oetable", "connectionId": 2, "connType": "Tableau"},
    ]:
        assert (await client.get(TEMPLATES, params=params, headers=headers)).status_code == 400, params


def request_body(template_id=9101, object_id=ORDERS, **fields):
    body = {"ticketTemplateId": template_id, "summary": "Read access to pos.orders",
            "description": "For the monthly churn study.", "objectType": "oetable", "ticketFields": fields}
    if object_id is not None:
        body["objectId"] = object_id
    return body


async def test_tickets_take_the_template_values_and_are_listed(sandbox, client, headers):
    body = {**request_body(**{"Permission": "Data Read", "Business Justification": "Churn study",
                              "Expiration Date": "2026/12/15 14:30:00"}),
            "customFields": {"Cost Centre": "FIN-12"}}
    created = await post_data(client, headers, SERVICE_REQUESTS, body)
    ticket_id = created["ticketId"]
    assert created == {
        "ticketId": ticket_id,
        "displayTicketId": "SR-1001",
        "ticketTemplateId": 9101,
        "summary": "Read access to pos.orders",
        "navLink": f"#nav/servicedesk?id={ticket_id}",
    }
    assert 9200 <= ticket_id < 9300 and sandbox.state.requests[-1].json == body
    scoped = request_body(9102, f"{FCT_SALES},1012", **{"Permission": "Data Preview", "Business Justification": "x",
                                                         "Snowflake role": "REPORTING"})
    second = await post_data(client, headers, SERVICE_REQUESTS, scoped)
    assert second["displayTicketId"] == "SR-1002" and second["ticketId"] == ticket_id + 1
    chart = {**request_body(9105, REVENUE_TREND, **{"Business Justification": "Board pack", "Requested By": "9005"}),
             "objectType": "OECHART"}
    await post_data(client, headers, SERVICE_REQUESTS, chart)
    quality = request_body(9104, None, **{"Issue": "Duplicate rows", "Select table": FCT_SALES,
                                          "Observed On": "25-10-2026"})
    await post_data(client, headers, SERVICE_REQUESTS, quality)

    tickets = (await get_data(client, headers, SERVICE_REQUESTS, {}))["tickets"]
    assert [t["displayTicketId"] for t in tickets] == ["SR-1001", "SR-1002", "SR-1003", "SR-1004"]
    first = tickets[0]
    assert first["ticketFields"] == {
        "Summary": "Read access to pos.orders",
        "Select table": ORDERS,
        "Requested By": "chloe.nguyen",
        "Requested For": "chloe.nguyen",
        "Permission": "Data Read",
        "Priority": "Medium",
        "Expiration Date": "2026/12/15 14:30:00",
        "Business Justification": "Churn study",
    }
    assert (first["createdBy"], first["ticketTemplateId"], first["objectIds"]) == ("chloe.nguyen", 9101, [ORDERS])
    assert first["customFields"] == {"Cost Centre": "FIN-12"} and first["description"] == body["description"]
    assert tickets[1]["objectIds"] == [FCT_SALES, 1012] and tickets[1]["ticketFields"]["Select table"] == "1011,1012"
    assert tickets[2]["ticketFields"]["Requested By"] == "eva.rossi"
    assert tickets[3]["ticketFields"]["Severity"] == "Medium" and tickets[3]["objectIds"] == []
    assert sandbox.state.service_desk.tickets == tickets


async def test_unknown_field_names_are_omitted_with_a_warning_and_links_can_be_absolute(sandbox, client, headers):
    body = {**request_body(**{"Permission": "Data Read", "Business Justification": "x", "Mandate": "yes"}),
            "customFields": {"Cost Centre": "FIN-12", "Nickname": "y"}}
    created = await post_data(client, headers, SERVICE_REQUESTS, body)
    assert created["warnings"] == ['Field "Mandate" is not on template "Table access request" and was omitted.',
                                   'Additional field "Nickname" is not on template "Table access request"; omitted.']
    [ticket] = sandbox.state.service_desk.tickets
    assert "Mandate" not in ticket["ticketFields"] and ticket["customFields"] == {"Cost Centre": "FIN-12"}
    sandbox.state.shapes["service_request_created"] = "redirect_url"
    again = await post_data(client, headers, SERVICE_REQUESTS, request_body(**{"Permission": "Data Read",
                                                                               "Business Justification": "x"}))
    assert again["redirectUrl"] == f"{sandbox.base_url}/{again['navLink']}"


async def test_a_missing_required_field_is_named(client, headers):
    refused = await post_error(client, headers, SERVICE_REQUESTS, request_body(Permission="Data Read"), 400)
    assert refused["errorCode"] == "required_ticket_fields_missing"
    assert "Business Justification" in refused["message"]
    no_object = await post_error(client, headers, SERVICE_REQUESTS,
                                 request_body(object_id=None, Permission="Data Read", **{"Business Justification": "x"}),
                                 400)
    assert "Select table" in no_object["message"]


GOOD = {"Permission": "Data Read", "Business Justification": "x"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ([], "JSON object"),
        (request_body(**{**GOOD, "Permission": "data read"}), "Permission"),
        (request_body(**{**GOOD, "Priority": "Urgent"}), "Priority"),
        (request_body(**{**GOOD, "Expiration Date": "next week"}), "Expiration Date"),
        (request_body(**{**GOOD, "Requested By": "someone.else"}), "unknown user"),
        (request_body(**{**GOOD, "Business Justification": 5}), "Business Justification"),
        (request_body(9999, **GOOD), "9999"),
        (request_body(9106, **GOOD), "not published"),
        (request_body(9107, **GOOD), "not published"),
        (request_body(9108, SUPPLIER_COSTS, **GOOD), "Depends-On"),
        ({**request_body(**GOOD), "objectType": "oechart"}, "objectType"),
        (request_body(object_id=999999, **GOOD), "999999"),
        (request_body(object_id=REVENUE_TREND, **GOOD), "3001"),
        (request_body(object_id="1002,x", **GOOD), "objectId"),
        (request_body(object_id=[ORDERS], **GOOD), "objectId"),
        (request_body(9103, f"{ORDERS},1003", **{"What to change": "Other", "Proposed change": "x"}), "one object"),
        (request_body(9102, ORDERS, **{**GOOD, "Snowflake role": "REPORTING"}), "retail_snowflake"),
        ({**request_body(**GOOD), "summary": " "}, "summary"),
        ({**request_body(**GOOD), "objectIds": [ORDERS]}, "objectIds"),
        ({**request_body(**GOOD), "requestType": "access"}, "requestType"),
        ({**request_body(**GOOD), "connectionName": "pos_postgres"}, "connectionName"),
        ({**request_body(**GOOD), "ticketFields": ["x"]}, "ticketFields"),
        ({**request_body(**GOOD), "customFields": {"Cost Centre": 12}}, "customFields"),
        ({**request_body(**GOOD), "customFields": {"Data Classification": "Secret"}}, "Data Classification"),
    ],
)
async def test_service_requests_reject_bad_bodies(sandbox, client, headers, body, named):
    assert named in (await post_error(client, headers, SERVICE_REQUESTS, body, 400))["message"]
    assert sandbox.state.service_desk.tickets == []
