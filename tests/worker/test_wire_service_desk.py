"""create_service_request on OvalEdge's own wire (docs/wire.md section 5; the audit
wire-sd-dq-auth.md section 2), through `oe-mcp-local --demo` driven by an MCP client.

The template lookup sends the reference's parameters, and only when the template id or the
summary is missing; OvalEdge's field rows drive the merge (current user, catalog selector,
defaults), the date and dropdown rules and the required fields; the create posts the
reference's body once, after the preview; the report names the ticket with its link.
"""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import API, GET, POST, sent

TEMPLATES, REQUESTS = f"{API}/service-request-templates", f"{API}/service-requests"
ORDERS, ORDER_ITEMS, FCT_SALES, FCT_RETURNS = 1002, 1003, 1011, 1012
TOOL = "create_service_request"


def lookups(recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [query for method, path, query in sent(recorded) if (method, path) == (GET, TEMPLATES)]


def posts(recorded: list[dict[str, Any]]) -> list[Any]:
    return [body for method, path, body in sent(recorded) if (method, path) == (POST, REQUESTS)]


async def test_the_lookup_sends_the_reference_parameters_and_only_when_needed(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        scoped = result_json(await conn.call(TOOL, {
            "request_type": "Access Request", "object_type": "table", "connection_type": "snowflake",
            "connection_name": "retail_snowflake", "connection_id": 2, "object_id": [FCT_SALES, FCT_RETURNS]}))
        assert scoped["workflowPhase"] == "collect_fields" and scoped["data"]["ticketTemplateId"] == 9102
        await conn.call(TOOL, {"request_type": "content change", "object_type": "table"})
        await conn.call(TOOL, {"request_type": "Data Quality Rule Recommendation", "object_type": "oetable",
                               "connection_id": 0})
        await conn.call(TOOL, {"request_type": "access", "object_type": "TABLE", "ticket_template_id": 9101,
                               "object_id": "1002, 1003"})
        unknown = result_json(await conn.call(TOOL, {"request_type": "Glossary Change", "object_type": "DP_Product"}))
        assert lookups(await sandbox.requests()) == [
            {"requestType": "access", "requestObjectType": "oetable", "connType": "snowflake",
             "connectionName": "retail_snowflake", "connectionId": "2", "objectId": str(FCT_SALES)},
            {"requestType": "content", "requestObjectType": "oetable"},
            {"requestType": "dataquality", "requestObjectType": "oetable"},
            {"requestType": "access", "requestObjectType": "oetable", "ticketTemplateId": "9101",
             "objectId": str(ORDERS)},
            {"requestType": "glossarychange", "requestObjectType": "dp_product"},
        ]
        assert unknown["workflowPhase"] == "no_template" and unknown["errorCode"] == "template_not_found"

        await sandbox.reset()
        direct = result_json(await conn.call(TOOL, {
            "ticket_template_id": 9101, "summary": "Need access", "object_id": ORDERS, "object_type": "oetable",
            "request_type": "access", "connection_name": "pos_postgres"}))
        assert direct["workflowPhase"] == "confirm_create"
        assert "ignored request_type, connection_name" in " ".join(direct["notes"])
        assert await sandbox.requests() == []  # template id and summary: no lookup, and no POST yet


async def test_the_template_fields_drive_what_is_still_needed(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        shown = result_json(await conn.call(TOOL, {"request_type": "access", "object_type": "table",
                                                   "object_id": ORDERS}))
        assert shown["stillNeeded"] == ["Permission", "Business Justification"]
        assert shown["prefilledTicketFields"] == {"Select table": "1002", "Requested By": "chloe.nguyen",
                                                  "Requested For": "chloe.nguyen", "Priority": "Medium"}
        view = shown["formattedResponse"]
        assert "Requested by: `chloe.nguyen`" in view and "| Priority | dropdown | yes | `Medium` (default) |" in view
        assert "- Data Classification (code): Internal, Confidential" in view and "- Cost Centre (text)" in view
        no_object = result_json(await conn.call(TOOL, {"request_type": "access", "object_type": "table",
                                                       "summary": "Need access",
                                                       "ticket_fields": {"permission": "Data Read"}}))
        assert no_object["workflowPhase"] == "collect_fields"  # summary given, required fields still empty
        assert no_object["stillNeeded"] == ["Select table", "Business Justification"]
        assert "ticket field 'permission' sent as the template's field 'Permission'" in no_object["notes"]
        assert posts(await sandbox.requests()) == []


async def test_no_template_is_said_never_carried_on(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for shape in ("empty_data", "not_found_404"):
            await sandbox.set(shapes={"service_request_no_template": shape})
            for args in ({"request_type": "content", "object_type": "report"},
                         {"request_type": "content", "object_type": "report", "summary": "Fix the title",
                          "object_id": 3001}):
                answer = result_json(await conn.call(TOOL, args))
                assert answer["workflowPhase"] == "no_template" and answer["errorCode"] == "template_not_found"
                assert "confirmationToken" not in answer and "never publish" in answer["agentInstruction"].lower()
        depends = await conn.call(TOOL, {"request_type": "access", "object_type": "file", "object_id": 5001})
        assert depends.is_error and "Depends-On fields" in result_text(depends)
        recorded = await sandbox.requests()
        assert len(lookups(recorded)) == 5 and posts(recorded) == []


async def test_dates_dropdowns_and_field_names_follow_the_template(tmp_path):
    base = {"request_type": "access", "object_type": "table", "object_id": ORDERS, "summary": "Need access"}
    good = {"Permission": "Data Read", "justification": "Close"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        refused = await conn.call(TOOL, {**base, "ticket_fields": {**good, "Priority": "Urgent"}})
        assert refused.is_error and "'Priority': 'Urgent' is not one of its options: Low, Medium, High" in result_text(
            refused)
        bad_date = await conn.call(TOOL, {**base, "ticket_fields": {**good, "Expiration Date": "next week"}})
        assert bad_date.is_error and "'Expiration Date': 'next week' is not a date" in result_text(bad_date)
        for given, sent_as in (("2026-12-15T09:30:00", "2026/12/15 09:30:00"),
                               ("15-12-2026 09:30:00", "2026/12/15 09:30:00"),
                               ("15-12-2026", "15-12-2026"), ("2026-12-15", "2026-12-15")):
            preview = result_json(await conn.call(TOOL, {**base, "ticket_fields": {
                **good, "priority": "high", "Expiration Date": given, "Mandate": "yes"}}))
            fields = preview["pendingCreate"]["ticketFields"]
            assert fields["Expiration Date"] == sent_as, given
            assert (fields["Priority"], fields["Business Justification"], fields["Mandate"]) == ("High", "Close", "yes")
        assert "- Expiration Date: 15-12-2026" in preview["formattedResponse"]
        assert posts(await sandbox.requests()) == []


async def test_a_request_on_a_full_template_reaches_its_post_once_in_the_reference_shapes(tmp_path):
    """Required, dropdown, date, user and catalog-selector fields: the preview posts nothing, the
    confirmed call posts exactly the evidenced body once, the result names the ticket and links it."""
    args = {"request_type": "Access Request", "object_type": "table", "object_id": [ORDERS, ORDER_ITEMS],
            "summary": "Read access to orders for the close", "description": "Monthly revenue close.",
            "ticket_fields": {"Permission": "Data Preview", "Business Justification": "Close",
                              "Expiration Date": "31-12-2026 18:00:00", "Mandate": "yes"},
            "custom_fields": {"cost centre": "FIN-12"}}
    body = {"ticketTemplateId": 9101, "summary": "Read access to orders for the close",
            "description": "Monthly revenue close.", "objectId": "1002,1003", "objectType": "oetable",
            "ticketFields": {"Permission": "Data Preview", "Business Justification": "Close",
                             "Expiration Date": "2026/12/31 18:00:00", "Mandate": "yes",
                             "Select table": "1002,1003", "Requested By": "chloe.nguyen",
                             "Requested For": "chloe.nguyen", "Priority": "Medium"},
            "customFields": {"Cost Centre": "FIN-12"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        preview = result_json(await conn.call(TOOL, args))
        assert preview["workflowPhase"] == "confirm_create" and preview["pendingCreate"] == body
        assert "Nothing has been written yet." in preview["formattedResponse"]
        assert "Table access request" in preview["formattedResponse"]
        assert posts(await sandbox.requests()) == []
        done = result_json(await conn.call(TOOL, {**args, "write_confirmed_by_user": True,
                                                  "confirmation_token": preview["confirmationToken"]}))
        assert posts(await sandbox.requests()) == [body]
        ticket = done["data"]
        link = f"{sandbox.base_url}/#nav/servicedesk?id={ticket['ticketId']}"
        assert ticket["displayTicketId"] == "SR-1001" and ticket["redirectUrl"] == link
        report = done["formattedResponse"]
        assert "Service request **SR-1001** created." in report and f"Open the ticket: {link}" in report
        assert "**Warnings**" in report and 'Field "Mandate" is not on template' in report
        [stored] = (await sandbox.get(REQUESTS))["data"]["tickets"]
        assert stored["objectIds"] == [ORDERS, ORDER_ITEMS] and stored["ticketFields"]["Select table"] == "1002,1003"

        # the reference's direct create: template id and summary given, posted as given
        await sandbox.reset()
        await sandbox.set(shapes={"service_request_created": "redirect_url"})
        direct = {"ticket_template_id": 9101, "summary": "Need access", "description": "Please grant",
                  "object_id": ORDERS, "object_type": "oetable",
                  "ticket_fields": {"Priority": "High", "Permission": "Data Read", "Business Justification": "x"},
                  "custom_fields": {"Cost Centre": "note"}}
        shown = result_json(await conn.call(TOOL, direct))
        done = result_json(await conn.call(TOOL, {**direct, "write_confirmed_by_user": True,
                                                  "confirmation_token": shown["confirmationToken"]}))
        assert sent(await sandbox.requests())[-1:] == [(POST, REQUESTS, {
            "ticketTemplateId": 9101, "summary": "Need access", "description": "Please grant", "objectId": ORDERS,
            "objectType": "oetable",
            "ticketFields": {"Priority": "High", "Permission": "Data Read", "Business Justification": "x"},
            "customFields": {"Cost Centre": "note"}})]
        assert lookups(await sandbox.requests()) == []
        assert done["data"]["redirectUrl"].startswith(f"{sandbox.base_url}/#nav/servicedesk?id=")
        assert done["data"]["redirectUrl"] in done["formattedResponse"]


async def test_arguments_are_taken_as_the_reference_takes_them(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        dropped = result_json(await conn.call(TOOL, {"request_type": "access", "object_type": "table",
                                                     "object_id": "1002, x, 0", "priority": "high"}))
        assert dropped["workflowPhase"] == "collect_fields"
        notes = " ".join(dropped["notes"])
        assert "ignored object_id item(s) 'x', '0': not object ids" in notes and "ignored unknown argument(s) priority" in notes
        missing = await conn.call(TOOL, {"object_type": "table", "summary": "x"})
        assert missing.is_error and "request_type is required to look up the template" in result_text(missing)
        assert lookups(await sandbox.requests()) == [
            {"requestType": "access", "requestObjectType": "oetable", "objectId": str(ORDERS)}]
