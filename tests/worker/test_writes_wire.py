"""The governed writes through `oe-mcp-local --demo`, driven by an MCP client.

For each write tool: its picker steps and preview post nothing; a confirmation without a token,
or with a wrong one, posts nothing; the preview's own token posts exactly once, exactly the
previewed body (as the sandbox recorded it); the change reads back through the read tools. The
guided flows reach their POST only through their pickers and confirmations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.harness import Connected, demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import API, GET, POST, sent

ORDERS, CUSTOMER_ID, ARCHIVE_NET_REVENUE = 1002, 100202, 101304
CDE = f"{API}/update-cde-associations"
ROLES = f"{API}/update-governance-roles"
FIELDS = f"{API}/custom-fields"
FIELD_VALUES = f"{API}/update-custom-field-values"
PLACEMENT, TERMS = f"{API}/domain-metadata", f"{API}/glossary-terms"
TAG_OPTIONS, TAG_PARENTS, TAGS = f"{API}/tags/create-options", f"{API}/tags/parent-options", f"{API}/tags"
TEMPLATES, REQUESTS = f"{API}/service-request-templates", f"{API}/service-requests"
ASSESS, GENERATE = f"{API}/dq-intelligence/assess-cde", f"{API}/dq-intelligence/generate-queries"
VALIDATE, LOOKUP = f"{API}/dq-intelligence/validate-queries", f"{API}/lookup-dq-rules"
CREATE_RULES, SQL_RULE = f"{API}/dq-intelligence/create-rules", f"{API}/dq-intelligence/create-sql-rule"
ASSOCIATE = f"{API}/dq-intelligence/associate-rule-objects"
DESCRIPTIONS = f"{API}/update-asset-descriptions"

ReadBack = Callable[..., Awaitable[None]]  # (client, the write's answer, the sandbox)


async def details(conn: Connected, object_id: int, object_type: str) -> dict[str, Any]:
    return result_json(await conn.call("asset_details", {"object_id": object_id, "object_type": object_type}))[
        "data"]["details"]


async def exact(conn: Connected, object_type: str, name: str) -> list[dict[str, Any]]:
    data = result_json(await conn.call("asset_explorer", {"object_type": object_type, "name": name,
                                                          "include_parent": object_type == "oetag"}))["data"]
    return data["tags"] if object_type == "oetag" else data["glossaryTerms"]


@dataclass
class Write:
    tool: str
    args: dict[str, Any]  # the arguments that reach the preview
    path: str  # the one POST the confirmed call makes
    body: dict[str, Any]  # exactly what it posts
    read_back: ReadBack
    steps: list[dict[str, Any]] = field(default_factory=list)  # picker calls shown first, in order


async def cde_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    column = await details(conn, CUSTOMER_ID, "oecolumn")
    assert column["criticalDataElement"] == "Yes" and column["cdeJustification"] == "Joins every order."
    archived = next(r for r in answer["data"]["results"] if r["objectId"] == ARCHIVE_NET_REVENUE)
    assert archived["blocked"] is True and answer["data"]["status"] == "partial_success"
    customer = next(r for r in answer["data"]["results"] if r["objectId"] == CUSTOMER_ID)
    assert f"| [customer_id]({customer['redirectUrl']}) | oecolumn | No | Yes |" in answer["formattedResponse"]


async def roles_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    table = await details(conn, ORDERS, "oetable")
    assert table["custodian"] == "data-platform" and table["governanceRole4"] == "eva.rossi"


async def fields_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    custom = (await details(conn, ORDERS, "oetable"))["customFields"]
    assert custom["Consumers"] == ["Operations", "Finance", "Executives"]
    assert custom["Retention Period"] == "10 years"  # untouched
    assert answer["data"]["updatedFields"] == ["Consumers"] and "Updated: Consumers" in answer["formattedResponse"]


async def term_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    [term] = await exact(conn, "glossary", "Supplier Lead Time")
    assert term["status"] == "Draft" and term["subcategoryName"] == "Supplier Performance"
    assert term["businessDescription"] == "Days from purchase order to delivery."


async def tag_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    [tag] = await exact(conn, "oetag", "Restricted")
    assert tag["parentTag"]["objectName"] == "Sensitive"


async def ticket_read_back(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    tickets = (await sandbox.get(REQUESTS))["data"]["tickets"]
    [ticket] = [t for t in tickets if t["displayTicketId"] == answer["data"]["displayTicketId"]]
    assert ticket["summary"] == "Read access to orders for the monthly close" and ticket["objectIds"] == [ORDERS]


TAG_ARGS = {"tag_name": "Restricted", "master_tag_id": 4101, "master_tag_id_confirmed_by_user": True}
WRITES: list[Write] = [
    Write("update_cde_associations",
          {"targets": [{"object_id": CUSTOMER_ID, "object_type": "oecolumn"},
                       {"objectId": ARCHIVE_NET_REVENUE, "objectType": "OECOLUMN"}],
           "action": "Yes", "cde_category": "Revenue", "cde_justification": "Joins every order.",
           "idempotency_key": "cde-1", "reason": "CDE review"},
          CDE, {"targets": [{"objectId": CUSTOMER_ID, "objectType": "oecolumn"},
                            {"objectId": ARCHIVE_NET_REVENUE, "objectType": "oecolumn"}],
                "action": "Yes", "cdeCategory": "Revenue", "cdeJustification": "Joins every order.",
                "options": {"idempotencyKey": "cde-1"}, "clientContext": {"reason": "CDE review"}},
          cde_read_back),
    Write("update_governance_roles",
          {"object_id": ORDERS, "object_type": "oetable", "prompt": "make data-platform the custodian",
           "role_updates": {"custodian": " data-platform ", "governance_role_4": "eva.rossi"}},
          ROLES, {"target": {"objectId": ORDERS, "objectType": "oetable"},
                  "roleUpdates": {"custodian": "data-platform", "governance_role_4": "eva.rossi"},
                  "clientContext": {"prompt": "make data-platform the custodian"}},
          roles_read_back),
    Write("update_custom_field_value",
          {"object_id": ORDERS, "object_type": "oetable", "time_zone": "Europe/Berlin",
           "code_update_mode": "add", "field_updates": [{"field_name": "consumers", "value": "Executives and Finance"}]},
          FIELD_VALUES, {"target": {"objectId": ORDERS, "objectType": "oetable"}, "timeZone": "Europe/Berlin",
                         "fieldUpdates": [{"fieldName": "Consumers", "value": "Operations,Finance,Executives"}]},
          fields_read_back),
    Write("create_glossary_term",
          {"term_name": "Supplier Lead Time", "domain_name": "supply chain > purchasing",
           "subcategory_id": 2124, "category_id": 2113, "description": "Days from purchase order to delivery."},
          TERMS, {"termName": "Supplier Lead Time", "domainId": 2102, "category1Id": 2113, "category2Id": 2124,
                  "description": "Days from purchase order to delivery.", "publish": False},
          term_read_back),
    Write("create_tag", {**TAG_ARGS, "parent_tag_id": 4001, "parent_tag_id_confirmed_by_user": True,
                         "description": "Only a named group may see it."},
          TAGS, {"tagName": "Restricted", "description": "Only a named group may see it.", "masterTagId": 4101,
                 "parentTagId": 4001},
          tag_read_back, steps=[{"tag_name": "Restricted"}, TAG_ARGS]),
    Write("create_service_request",
          {"request_type": "Access request", "object_type": "table", "object_id": "1002",
           "summary": "Read access to orders for the monthly close",
           "ticket_fields": {"Business Justification": "Monthly revenue close", "Permission": "Data Read",
                             "Expiration Date": "15-12-2026 09:00:00"}},
          REQUESTS, {"ticketTemplateId": 9101, "summary": "Read access to orders for the monthly close",
                     "objectId": ORDERS, "objectType": "oetable",
                     "ticketFields": {"Select table": "1002", "Requested By": "chloe.nguyen",
                                      "Requested For": "chloe.nguyen", "Permission": "Data Read",
                                      "Priority": "Medium", "Expiration Date": "2026/12/15 09:00:00",
                                      "Business Justification": "Monthly revenue close"}},
          ticket_read_back, steps=[{"request_type": "access", "object_type": "oetable", "object_id": ORDERS}]),
]


async def rules_of(conn: Connected, **lookup: Any) -> list[dict[str, Any]]:
    """lookup-dq-rules' hits (its data is a list of {objectId, objectType, objectName, ...})."""
    return result_json(await conn.call("dq_rule_advisor", {"step": "lookup", **lookup}))["data"]


async def dq_rules(sandbox) -> dict[int, dict[str, Any]]:
    """The sandbox's own record of the DQ rules, by id (what the writes left behind)."""
    return {r["ruleId"]: r for r in (await sandbox._send("GET", "written"))["dqRules"]}


async def validated(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    assert answer["data"]["canCreateRule"] is True and answer["canCreateRule"] is True
    assert {r["queryType"] for r in answer["data"]["results"]} == {"ruleQuery", "statsQuery", "failedValuesQuery"}
    assert "a rule can be created" in answer["formattedResponse"]


async def standard_created(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    [row] = answer["data"]["rows"]
    assert (row["status"], row["objectId"], answer["data"]["createdCount"]) == ("created", ORDER_TOTAL, 1)
    assert "DQ rules: 1 created, 0 associated, 0 skipped, 0 failed." in answer["formattedResponse"]
    rule = (await dq_rules(sandbox))[row["dqruleId"]]
    assert rule["function"] == "Range Check" and [o["objectId"] for o in rule["associatedObjects"]] == [ORDER_TOTAL]


async def sql_rule_created(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    [hit] = await rules_of(conn, rule_name="No negative order totals")
    assert hit["objectId"] == answer["data"]["dqruleId"] and answer["data"]["status"] == "created"
    rule = (await dq_rules(sandbox))[hit["objectId"]]
    assert rule["function"] == "SQL Values Contains" and rule["ruleQuery"] == NEGATIVE_TOTALS
    assert "Created the custom SQL DQ rule [No negative order totals](" in answer["formattedResponse"]


async def associated(conn: Connected, answer: dict[str, Any], sandbox) -> None:
    assert [(r["objectId"], r["status"]) for r in answer["data"]["rows"]] == [(DISCOUNT_AMOUNT, "associated")]
    assert "Summary: 1 associated, 0 skipped, 0 failed." in answer["formattedResponse"]
    assert DISCOUNT_AMOUNT in {o["objectId"] for o in (await dq_rules(sandbox))[8004]["associatedObjects"]}


ORDER_TOTAL = 100207  # pos.orders.order_total, a critical data element
DISCOUNT_AMOUNT = 100306  # pos.order_items.discount_amount, with no DQ rule yet
FCT_SALES = 1011  # mart.fct_sales
NEGATIVE_TOTALS = "SELECT COUNT(*) AS negative_totals FROM mart.fct_sales WHERE net_revenue < 0"
NEGATIVE_STATS = "SELECT COUNT(*) AS total_lines FROM mart.fct_sales"
NEGATIVE_LINES = "SELECT order_id, net_revenue FROM mart.fct_sales WHERE net_revenue < 0"
DQ_WRITES: list[Write] = [
    Write("dq_rule_advisor", {"step": "validate_query", "connection_id": 2, "schema_id": 103,
                              "rule_query": NEGATIVE_TOTALS, "stats_query": NEGATIVE_STATS,
                              "failed_values_query": NEGATIVE_LINES},
          VALIDATE, {"connectionId": 2, "schemaId": 103, "ruleQuery": NEGATIVE_TOTALS, "statsQuery": NEGATIVE_STATS,
                     "failedValuesQuery": NEGATIVE_LINES}, validated),
    Write("dq_rule_manager", {"step": "create_standard", "prefer_existing_rule": False,
                              "objects": [{"object_id": ORDER_TOTAL, "object_type": "column"}]},
          CREATE_RULES, {"discoverCdeColumns": False, "preferExistingRule": False,
                         "skipDuplicateFunctionOnObject": True, "limit": 50,
                         "objects": [{"objectId": ORDER_TOTAL, "objectType": "oecolumn"}]}, standard_created),
    Write("dq_rule_manager", {"step": "create_custom_sql", "rule_name": "No negative order totals",
                              "objects": [{"object_id": FCT_SALES, "object_type": "table"}],
                              "rule_query": NEGATIVE_TOTALS, "stats_query": NEGATIVE_STATS,
                              "failed_values_query": NEGATIVE_LINES, "connection_id": 2, "schema_id": 103,
                              "purpose": "Sales lines never lose money.",
                              "recommended_function": "SQL Values Contains"},
          SQL_RULE, {"objectId": FCT_SALES, "objectType": "oetable", "ruleName": "No negative order totals",
                     "ruleQuery": NEGATIVE_TOTALS, "statsQuery": NEGATIVE_STATS, "failedValuesQuery": NEGATIVE_LINES,
                     "connectionId": 2, "schemaId": 103, "purpose": "Sales lines never lose money.",
                     "recommendedFunction": "SQL Values Contains"}, sql_rule_created),
    Write("dq_rule_manager", {"step": "associate", "rule_name": "amount is not negative",
                              "objects": '[{"objectId": 100306, "objectType": "oecolumn"}]'},
          ASSOCIATE, {"dqruleId": 8004, "skipAlreadyAssociated": True,
                      "objects": [{"objectId": DISCOUNT_AMOUNT, "objectType": "oecolumn"}]}, associated),
]
DQ_WIRE_TESTED = ("dq_rule_advisor",)  # its reading steps: test_dq_advice_reads_and_posts_nothing


def posts_to(recorded: list[dict[str, Any]], path: str) -> list[Any]:
    """The bodies POSTed to `path`, leaving out those refused for a superseded JWT (401: not
    applied, and re-sent once by design)."""
    return [r["json"] for r in recorded if r["method"] == POST and r["path"] == path and r["status"] != 401]


def redirect_urls(data: Any) -> list[str]:
    """Every `redirectUrl` anywhere in an answer."""
    if isinstance(data, dict):
        own = [data["redirectUrl"]] if isinstance(data.get("redirectUrl"), str) else []
        return own + [u for v in data.values() for u in redirect_urls(v)]
    if isinstance(data, list):
        return [u for v in data for u in redirect_urls(v)]
    return []


async def test_each_write_posts_once_only_with_its_preview_token_and_reads_back(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for write in WRITES + DQ_WRITES:
            await sandbox.reset()
            for step in write.steps:
                shown = result_json(await conn.call(write.tool, step))
                assert shown["workflowPhase"] and shown["writeConfirmedByUser"] is False, (write.tool, shown)
            preview = result_json(await conn.call(write.tool, write.args))
            assert preview["awaitingUserConfirmation"] is True, (write.tool, preview)
            assert preview["workflowPhase"] in ("confirm_update", "confirm_create", "confirm_execute"), write.tool
            assert next(v for k, v in preview.items() if k.startswith("pending")) == write.body, write.tool
            assert "Nothing has been written yet." in preview["formattedResponse"]
            token = preview["confirmationToken"]
            for refused_args in ({**write.args, "write_confirmed_by_user": True},
                                 {**write.args, "write_confirmed_by_user": True, "confirmation_token": "f" * 64},
                                 {**write.args, "confirmation_token": token}):  # a token, but no approval
                refused = await conn.call(write.tool, refused_args)
                if refused_args.get("write_confirmed_by_user"):
                    assert refused.is_error and "no preview of this exact change" in result_text(refused)
                    assert token not in result_text(refused)
                else:
                    assert result_json(refused)["awaitingUserConfirmation"] is True
            assert posts_to(await sandbox.requests(), write.path) == [], write.tool

            done = await conn.call(write.tool, {**write.args, "write_confirmed_by_user": True,
                                                "confirmation_token": token})
            answer = result_json(done)
            assert answer["ok"] is True and answer["formattedResponse"], (write.tool, answer)
            assert posts_to(await sandbox.requests(), write.path) == [write.body], write.tool
            await write.read_back(conn, answer, sandbox)
            if write.path != VALIDATE:  # a validation run writes no object to link to
                links = redirect_urls(answer["data"])
                assert links and all(u.startswith(f"{sandbox.base_url}/#nav/") for u in links), (write.tool, links)
                assert any(u in answer["formattedResponse"] for u in links), (write.tool, answer)


async def test_writes_say_a_first_generation_ovaledge_does_not_offer_them(tmp_path):
    """Known to lack the routes (OVALEDGE_API_ROUTES=legacy): refused before any preview. Not
    known yet (auto): the confirmed write's route answers 404, and the tool says so."""
    async with demo_supervisor(tmp_path / "l.sock", api="legacy", env={"OVALEDGE_API_ROUTES": "legacy"}) as (
            conn, sandbox):
        for write in WRITES:
            result = await conn.call(write.tool, write.steps[0] if write.steps else write.args)
            assert result.is_error and "this OvalEdge release does not offer" in result_text(result), write.tool
        assert await sandbox.requests() == []
    async with demo_supervisor(tmp_path / "a.sock", api="legacy") as (conn, sandbox):
        confirmed = []
        for write in WRITES:
            first = await conn.call(write.tool, write.steps[0] if write.steps else write.args)
            if not first.is_error:  # a preview that needs no read: the confirmed POST finds out
                confirmed.append(write.path)
                first = await conn.call(write.tool, {**write.args, "write_confirmed_by_user": True,
                                                     "confirmation_token": result_json(first)["confirmationToken"]})
            assert first.is_error and "this OvalEdge release does not offer" in result_text(first), write.tool
            again = await conn.call(write.tool, write.steps[0] if write.steps else write.args)  # now known
            assert again.is_error and "does not offer" in result_text(again), write.tool
        posts = [where for method, where, _ in sent(await sandbox.requests()) if method == POST]
        assert posts == confirmed and confirmed  # one POST each: the 404 that told


# -- the guided flows reach their POST only through their pickers and confirmations -------------

def phase_of(result) -> str:
    return result_json(result)["workflowPhase"]


async def test_glossary_term_flow_goes_picker_by_picker(tmp_path):
    base = {"term_name": "Stock Turnover"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        domain = result_json(await conn.call("create_glossary_term", base))
        assert domain["workflowPhase"] == "select_domain" and domain["selectionField"] == "domain_id"
        assert [o["name"] for o in domain["placementOptions"]] == [
            "Retail Analytics", "Supply Chain", "Data Governance Office"]
        assert "1. Retail Analytics (id 2101)" in domain["formattedResponse"]
        missing = result_json(await conn.call("create_glossary_term", {**base, "domain_name": "Logistics"}))
        assert missing["workflowPhase"] == "select_domain" and missing["domainNameMatch"] == "not_found"
        ambiguous = result_json(await conn.call("create_glossary_term", {**base, "domain_name": "ly"}))
        assert ambiguous["domainNameMatch"] == "ambiguous"
        assert {o["name"] for o in ambiguous["placementOptions"]} == {"Retail Analytics", "Supply Chain"}
        category = result_json(await conn.call("create_glossary_term", {**base, "domain_id": 2102}))
        assert category["workflowPhase"] == "select_category"
        assert [o["name"] for o in category["placementOptions"]] == ["Purchasing", "Inventory"]
        skip = {**base, "domain_id": 2102, "skip_category": True}
        assert phase_of(await conn.call("create_glossary_term", skip)) == "confirm_skip_category"
        described = phase_of(await conn.call("create_glossary_term", {**skip, "category_skip_confirmed": True}))
        assert described == "collect_description"
        no_sub = phase_of(await conn.call("create_glossary_term", {**base, "domain_id": 2102, "category_id": 2114}))
        assert no_sub == "collect_description"  # Inventory has no subcategories: nothing to pick
        # a given id is trusted, as the reference does: OvalEdge itself refuses a wrong one
        wrong = await conn.call("create_glossary_term", {**base, "domain_id": 2102, "category_id": 2111})
        assert wrong.is_error and "'Sales' is not in domain 'Supply Chain'" in result_text(wrong)
        for placement in ("domain", "category", "subcategory"):
            browse = {"search_on": {"domain": "oeglobaldomain"}.get(placement, placement), "domain_id": 2101,
                      "category_id": 2111}
            assert phase_of(await conn.call("create_glossary_term", browse)) == f"select_{placement}"
        assert posts_to(await sandbox.requests(), TERMS) == []
        picks = [r[2]["searchOn"] for r in sent(await sandbox.requests()) if r[1] == PLACEMENT]
        assert set(picks) == {"oeglobaldomain", "category", "subcategory"}


async def test_tag_flow_in_secure_and_open_mode(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        name = {"tag_name": "Quarterly Close"}
        masters = result_json(await conn.call("create_tag", name))
        assert masters["workflowPhase"] == "MASTER_REQUIRED" and masters["status"] == "awaiting_user_selection"
        unconfirmed = result_json(await conn.call("create_tag", {**name, "master_tag_id": 4102}))
        assert unconfirmed["workflowPhase"] == "MASTER_REQUIRED"  # a master needs the user's confirmation
        invented = await conn.call("create_tag", {**name, "master_tag_id": 4999,
                                                  "master_tag_id_confirmed_by_user": True})
        assert invented.is_error and "is not a master tag OvalEdge offers" in result_text(invented)
        master = {**name, "master_tag_id": 4102, "master_tag_id_confirmed_by_user": True}
        # choosing a parent the picker never showed for this tag name re-shows the picker
        early = result_json(await conn.call("create_tag", {**master, "parent_tag_id": 4004,
                                                           "parent_tag_id_confirmed_by_user": True}))
        assert early["workflowPhase"] == "PARENT_OPTIONAL" and "has not shown the parent choices" in early[
            "formattedResponse"]
        parents = result_json(await conn.call("create_tag", master))
        assert {p["tagName"] for p in parents["userSelectableParents"]} == {"Finance", "Marketing"}
        outside = await conn.call("create_tag", {**master, "parent_tag_id": 4001,
                                                 "parent_tag_id_confirmed_by_user": True})
        assert outside.is_error and "was not among the parents offered" in result_text(outside)
        direct = {**master, "create_directly_under_master": True, "parent_step_completed_by_user": True}
        preview = result_json(await conn.call("create_tag", direct))
        assert preview["pendingCreate"]["masterTagId"] == 4102 and "parentTagId" not in preview["pendingCreate"]
        assert preview["pendingCreate"]["description"].startswith("<p>Quarterly Close is a governance tag")
        done = result_json(await conn.call("create_tag", {**direct, "write_confirmed_by_user": True,
                                                          "confirmation_token": preview["confirmationToken"]}))
        assert "Created the tag **Quarterly Close**" in done["formattedResponse"]
        assert [b["tagName"] for b in posts_to(await sandbox.requests(), TAGS)] == ["Quarterly Close"]

        await sandbox.set(tag_security_mode="OPEN")
        await sandbox.reset()
        open_name = {"tag_name": "Campaign Audience"}
        no_masters = await conn.call("create_tag", {**open_name, "master_tag_id": 4102})
        assert no_masters.is_error and "OPEN tags" in result_text(no_masters)
        shown = result_json(await conn.call("create_tag", open_name))
        assert shown["workflowPhase"] == "PARENT_OPTIONAL" and "the top level" in shown["formattedResponse"]
        marketing = next(p for p in shown["userSelectableParents"] if p["tagName"] == "Marketing")
        chosen = {**open_name, "parent_tag_id": marketing["parentTagId"], "parent_tag_id_confirmed_by_user": True}
        preview = result_json(await conn.call("create_tag", chosen))
        assert preview["pendingCreate"] == {"tagName": "Campaign Audience", "parentTagId": marketing["parentTagId"],
                                            "description": preview["pendingCreate"]["description"]}
        assert posts_to(await sandbox.requests(), TAGS) == []


async def test_a_multi_select_holding_values_asks_how_to_combine(tmp_path):
    args = {"object_id": ORDERS, "object_type": "oetable", "field_updates": [{"field_name": "Consumers",
                                                                               "value": ["Marketing"]}]}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        asked = result_json(await conn.call("update_custom_field_value", args))
        assert asked["workflowPhase"] == "clarify_multi_select_mode"
        assert asked["options"] == ["replace_all", "add", "remove"]
        for mode, expected in (("replace_all", "Marketing"), ("add", "Operations,Finance,Marketing"),
                               ("remove", "Operations,Finance")):
            preview = result_json(await conn.call("update_custom_field_value", {**args, "code_update_mode": mode}))
            assert preview["pendingUpdate"]["fieldUpdates"] == [{"fieldName": "Consumers", "value": expected}], mode
        bad = result_json(await conn.call("update_custom_field_value", {**args, "field_updates": [
            {"field_name": "Retention Period", "value": "forever"}]}))
        assert bad["workflowPhase"] == "invalid_code_options" and bad["ok"] is False
        assert "no option forever" in bad["formattedResponse"] and "1 year, 2 years" in bad["formattedResponse"]
        assert posts_to(await sandbox.requests(), FIELD_VALUES) == []


# -- invalid arguments: refused before any call, saying what is allowed ----------------------------

INVALID_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("update_cde_associations", {"targets": [], "action": "Yes"}, ["targets=[] must have at least 1 item(s)"]),
    ("update_cde_associations", {"targets": [{"object_id": 1, "object_type": "oetable"}], "action": "Maybe"},
     ["action='Maybe' is not allowed", "Yes, No, None"]),
    ("update_cde_associations", {"targets": [{"object_id": 1, "object_type": "glossary"}], "action": "Yes"},
     ["targets[0].object_type='glossary' cannot be a critical data element", "oetable", "oecolumn"]),
    ("update_cde_associations", {"targets": [{"object_id": 0, "object_type": "oetable"}], "action": "No"},
     ["targets[0].object_id must be a positive integer"]),
    ("update_cde_associations", {"targets": [{"object_id": 1, "object_type": "oetable"}], "action": "Yes",
                                 "cde_justification": "x" * 5001}, ["cde_justification=", "must have at most 5000 character(s)"]),
    ("update_governance_roles", {"object_id": ORDERS, "object_type": "oetable", "role_updates": {}},
     ["role_updates is empty", "owner, steward, custodian, governance_role_4"]),
    ("update_governance_roles", {"object_id": ORDERS, "object_type": "oetable", "role_updates": {"boss": "x"}},
     ["unknown role(s) boss", "allowed: owner, steward, custodian"]),
    ("update_governance_roles", {"object_id": 7, "object_type": "dqrule", "role_updates": {"owner": "x"}},
     ["dqrule has a steward only"]),
    ("update_governance_roles", {"object_id": 7, "object_type": "table", "role_updates": {"owner": "x"}},
     ["object_type='table' is not allowed", "oetable", "dqrule", "ropa_report"]),
    ("update_custom_field_value", {"object_id": ORDERS, "object_type": "oetable", "field_updates": []},
     ["field_updates=[] must have at least 1 item(s)"]),
    ("update_custom_field_value", {"object_id": ORDERS, "object_type": "dp_domain",
                                   "field_updates": [{"field_name": "x", "value": 1}]},
     ["object_type='dp_domain' is not allowed", "oetable", "dqrule"]),
    ("update_custom_field_value", {"object_id": ORDERS, "object_type": "oetable", "code_update_mode": "merge",
                                   "field_updates": [{"field_name": "x", "value": 1}]},
     ["code_update_mode='merge' is not allowed", "replace_all, add, remove"]),
    ("create_glossary_term", {}, ["give term_name", "or search_on"]),
    ("create_glossary_term", {"term_name": "X", "search_on": "category"}, ["search_on browses the placement pickers"]),
    ("create_glossary_term", {"search_on": "subcategory", "domain_id": 2101},
     ["search_on=subcategory needs category_id"]),
    ("create_glossary_term", {"term_name": "X", "subcategory_id": 2121}, ["subcategory_id needs its category_id"]),
    ("create_glossary_term", {"term_name": "X", "size": 501}, ["size=501 must be at most 500"]),
    ("create_tag", {}, ["missing required argument: tag_name"]),
    ("create_tag", {"tag_name": "X", "parent_tag_id": 0}, ["parent_tag_id=0 must be at least 1"]),
    ("create_service_request", {"object_type": "table", "object_id": 1},
     ["request_type is required to look up the template", "access, content or dataquality"]),
    ("create_service_request", {"request_type": "access", "summary": "Read access", "ticket_template_id": 0},
     ["object_type is required to look up the template", "oetable"]),
    ("create_service_request", {"request_type": "access", "object_type": "table", "ticket_fields": "Priority=High"},
     ["ticket_fields=", "must be of type object"]),
    ("dq_rule_advisor", {}, ["missing required argument: step"]),
    ("dq_rule_advisor", {"step": "measure"}, ["step='measure' is not allowed", "assess, generate_query"]),
    ("dq_rule_advisor", {"step": "assess"}, ["step=assess needs objects, or discover_cde_columns=true"]),
    ("dq_rule_advisor", {"step": "lookup"}, ["step=lookup takes object_id (a DQ rule id) or rule_name"]),
    ("dq_rule_advisor", {"step": "lookup", "object_id": 8001, "rule_name": "x"}, ["step=lookup takes object_id"]),
    ("dq_rule_advisor", {"step": "validate_query", "connection_id": 2, "schema_id": 103, "rule_query": "SELECT 1"},
     ["step=validate_query needs stats_query, failed_values_query"]),
    ("dq_rule_advisor", {"step": "generate_query", "objects": [{"object_id": 1, "object_type": "oechart"}],
                         "business_rule": "x"}, ["objects[0].object_type='oechart': DQ rules apply to oetable"]),
    ("dq_rule_advisor", {"step": "generate_query"}, ["step=generate_query needs objects"]),
    ("dq_rule_advisor", {"step": "assess", "objects": "[{"}, ["objects is not valid JSON"]),
    ("dq_rule_advisor", {"step": "assess", "objects": [{"objectId": "ten", "objectType": "column"}]},
     ["objects[0].object_id must be a positive integer"]),
    ("dq_rule_manager", {"step": "associate", "objects": [{"object_id": 1, "object_type": "oetable"}]},
     ["step=associate needs dqrule_id or rule_name"]),
    ("dq_rule_manager", {"step": "associate", "dqrule_id": 8004, "rule_name": "x",
                         "objects": [{"object_id": 1, "object_type": "oetable"}]}, ["dqrule_id or rule_name, not both"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "rule_name": "r", "rule_query": "SELECT 1"},
     ["step=create_custom_sql needs objects"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "objects": {"objectId": 1011, "objectType": "table"},
                         "rule_query": "SELECT 1", "recommended_function": "SQL Exact Value"},
     ["step=create_custom_sql needs rule_name (or sql_rule_name)"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "objects": {"objectId": 1011, "objectType": "table"},
                         "rule_name": "r", "recommended_function": "SQL Exact Value"},
     ["needs rule_query or code_object_id"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "objects": {"objectId": 1011, "objectType": "table"},
                         "rule_name": "r", "rule_query": "SELECT 1", "recommended_function": "SQL Exact Value"},
     ["needs stats_query and failed_values_query when rule_query is given"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "objects": {"objectId": 1011, "objectType": "table"},
                         "rule_name": "r", "code_object_id": 8101},
     ["needs recommended_function", "step=generate_query"]),
    ("dq_rule_manager", {"step": "create_custom_sql", "objects": {"objectId": 1011, "objectType": "table"},
                         "rule_name": "r", "code_object_id": 8101, "recommended_function": "CUSTOM_SQL"},
     ["recommended_function='CUSTOM_SQL' names no function", "step=generate_query"]),
    ("dq_rule_manager", {"step": "create_standard", "rule_query": "SELECT 1"},
     ["step=create_standard needs objects, or discover_cde_columns=true"]),
]


async def test_invalid_write_arguments_are_refused_before_any_call(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for tool, args, fragments in INVALID_CASES:
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error and text.startswith(f"Invalid arguments for {tool}: "), (tool, args, text)
            for fragment in fragments:
                assert fragment in text, (tool, args, fragment, text)
        assert await sandbox.requests() == []


async def test_dq_advice_reads_and_posts_nothing(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        assessed = result_json(await conn.call("dq_rule_advisor", {
            "step": "assess", "objects": {"object_id": ORDER_TOTAL, "object_type": "oecolumn"}}))
        [row] = assessed["data"]["rows"]
        assert assessed["assessedCount"] == 1 and row["objectId"] == ORDER_TOTAL and row["recommendedFunction"]
        assert "**orders.order_total** (oecolumn 100207)" in assessed["formattedResponse"]
        every = result_json(await conn.call("dq_rule_advisor", {"step": "assess", "discover_cde_columns": True,
                                                                 "limit": 500}))
        assert every["data"]["rows"] and every["assessedCount"] == len(every["data"]["rows"])
        generated = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": [{"object_id": ORDER_TOTAL, "object_type": "oecolumn"}],
            "business_rule": "order totals are never negative"}))
        assert generated["data"]["status"] == "generated" and "SELECT COUNT(*)" in generated["data"]["ruleQuery"]
        assert "step=validate_query with connection_id=1, schema_id=101" in generated["agentInstruction"]
        by_name = await rules_of(conn, rule_name="Order id is unique")
        assert [r["objectId"] for r in by_name] == [8001]
        requests = sent(await sandbox.requests())
    assert [(m, p) for m, p, _ in requests] == [(POST, ASSESS), (POST, ASSESS), (POST, GENERATE), (GET, LOOKUP)]
    assert requests[0][2] == {"discoverCdeColumns": False, "limit": 50,
                              "objects": [{"objectId": ORDER_TOTAL, "objectType": "oecolumn"}]}
    assert requests[1][2] == {"discoverCdeColumns": True, "limit": 100}  # limit capped at 100
    assert requests[2][2] == {"objectId": ORDER_TOTAL, "objectType": "oecolumn",
                              "businessRule": "order totals are never negative"}
    assert requests[3][2] == {"ruleName": "Order id is unique", "limit": "25"}
