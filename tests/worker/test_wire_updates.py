"""The four governed update tools on OvalEdge's evidenced wire (docs/wire.md, section 4), through
`oe-mcp-local --demo` driven by an MCP client; the assertions are on what the sandbox recorded.

For each tool: the preview posts nothing, the confirmed call posts exactly the evidenced body once,
and the result names what changed, with its link. Then the shapes the audit found we got wrong:
roles keyed governance_role_N with the reference's synonyms and never cleared, blockedRoles as
names or objects, custom fields read from OvalEdge's definitions and written as strings (a
multi-select merged on add and remove), the description_field path, numeric-string CDE ids,
blank options, and OvalEdge's error code.
"""

from __future__ import annotations

from typing import Any

from tests.harness import Connected, demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import API, GET, POST, sent
from tests.worker.test_writes_wire import posts_to
from worker.tools.updates import reported

ORDERS, CUSTOMER_ID, NET_REVENUE, REVENUE = 1002, 100202, 101108, 2001
DESCRIPTIONS, CDE = f"{API}/update-asset-descriptions", f"{API}/update-cde-associations"
ROLES, FIELDS, FIELD_VALUES = (f"{API}/update-governance-roles", f"{API}/custom-fields",
                               f"{API}/update-custom-field-values")
ORDERS_LINK = f"#nav/table?browse=summary&id={ORDERS}"


async def confirmed(conn: Connected, sandbox, tool: str, args: dict[str, Any], path: str,
                    body: dict[str, Any]) -> dict[str, Any]:
    """Preview (nothing posted, exactly `body` pending), then confirm: `body` posted once."""
    before = posts_to(await sandbox.requests(), path)
    preview = result_json(await conn.call(tool, args))
    assert preview["awaitingUserConfirmation"] is True and preview["pendingUpdate"] == body, preview
    assert posts_to(await sandbox.requests(), path) == before
    done = await conn.call(tool, {**args, "write_confirmed_by_user": True,
                                  "confirmation_token": preview["confirmationToken"]})
    assert not done.is_error, result_text(done)
    assert posts_to(await sandbox.requests(), path) == [*before, body]
    return result_json(done)


def linked(answer: dict[str, Any], route: str) -> None:
    """The result links the object it changed, in its data and in its summary."""
    url = answer["data"]["target"]["redirectUrl"]
    assert url.endswith(f"/{route}") and f"({url})" in answer["formattedResponse"], answer


# -- governance roles ------------------------------------------------------------------------------

async def test_roles_go_out_as_governance_role_n_take_synonyms_and_are_never_cleared(tmp_path):
    args = {"object_id": ORDERS, "object_type": "OETable", "prompt": "  ", "reason": "team change",
            "role_updates": {"Owner": " eva.rossi ", "govrole5": "ben.kim", "Governance Role 4": "gus.lindqvist"}}
    body = {"target": {"objectId": ORDERS, "objectType": "oetable"},
            "roleUpdates": {"owner": "eva.rossi", "governance_role_5": "ben.kim", "governance_role_4": "gus.lindqvist"},
            "clientContext": {"reason": "team change"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        done = await confirmed(conn, sandbox, "update_governance_roles", args, ROLES, body)
        assert done["data"]["status"] == "success"
        assert done["data"]["updatedRoles"] == ["owner", "governance_role_5", "governance_role_4"]
        for said in ("owner -> eva.rossi", "governance_role_5 -> ben.kim", "governance_role_4 -> gus.lindqvist"):
            assert said in done["formattedResponse"], done["formattedResponse"]
        linked(done, ORDERS_LINK)
        shown = result_json(await conn.call("asset_details", {"object_id": ORDERS, "object_type": "oetable"}))
        assert shown["data"]["details"]["governanceRole5"] == "ben.kim"

        for cleared in ({"custodian": None}, {"custodian": "  "}):
            refused = await conn.call("update_governance_roles", {**args, "role_updates": cleared})
            assert refused.is_error and "cannot be cleared" in result_text(refused), result_text(refused)
        for object_type, wire in (("MasterTag", "mastertag"), ("filecolumn", "filecolumn"), ("oestory", "oestory"),
                                  ("dp_domain", "dp_domain"), ("businessglossary", "businessglossary")):
            preview = result_json(await conn.call("update_governance_roles", {
                "object_id": 7, "object_type": object_type, "role_updates": {"steward": "dev.patel"}}))
            assert preview["pendingUpdate"]["target"] == {"objectId": 7, "objectType": wire}, object_type
        assert len(posts_to(await sandbox.requests(), ROLES)) == 1


async def test_blocked_roles_as_names_or_objects_are_reported_with_their_reason_code(tmp_path):
    args = {"object_id": NET_REVENUE, "object_type": "oecolumn",
            "role_updates": {"steward": "dev.patel", "owner": "eva.rossi"}}
    body = {"target": {"objectId": NET_REVENUE, "objectType": "oecolumn"},
            "roleUpdates": {"steward": "dev.patel", "owner": "eva.rossi"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        names = await confirmed(conn, sandbox, "update_governance_roles", args, ROLES, body)
        assert names["data"]["blockedRoles"] == ["steward"] and names["data"]["status"] == "partial_success"
        text = names["formattedResponse"]
        assert "partial_success" in text and "Updated: owner -> eva.rossi" in text and "Blocked: steward" in text
        assert "Reason code: GLOSSARY_PROPAGATED_GOVERNANCE_ROLE" in text and "Revenue" in text

        await sandbox.set(shapes={"governance_roles_blocked": "objects"})
        only = {**args, "role_updates": {"steward": "dev.patel"}}
        objects = await confirmed(conn, sandbox, "update_governance_roles", only, ROLES,
                                  {**body, "roleUpdates": {"steward": "dev.patel"}})
        [blocked] = objects["data"]["blockedRoles"]
        assert blocked["role"] == "steward" and objects["data"]["status"] == "blocked"
        assert "Blocked: steward" in objects["formattedResponse"]
        assert "- steward - GLOSSARY_PROPAGATED_GOVERNANCE_ROLE - " in objects["formattedResponse"]


async def test_a_refusal_keeps_ovaledges_error_code(tmp_path):
    args = {"object_id": ORDERS, "object_type": "oetable", "role_updates": {"owner": "eva.rossi"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        preview = result_json(await conn.call("update_governance_roles", args))
        await sandbox.fault({"path": ROLES, "status": 403, "message": "Not a steward of this asset",
                             "error_code": "MCP_RBAC_DENIED", "error_code_key": "code"})
        refused = await conn.call("update_governance_roles", {
            **args, "write_confirmed_by_user": True, "confirmation_token": preview["confirmationToken"]})
        assert refused.is_error and "Not a steward of this asset (code MCP_RBAC_DENIED)" in result_text(refused)
        await sandbox.fault({"path": FIELDS, "status": 400, "message": "Field lookup failed",
                             "error_code": "MCP_FIELD", "error_code_key": "error_code"})
        failed = await conn.call("update_custom_field_value", {
            "object_id": ORDERS, "object_type": "oetable", "field_updates": [{"field_name": "x", "value": "y"}]})
        assert failed.is_error and "(code MCP_FIELD)" in result_text(failed)


# -- custom fields ---------------------------------------------------------------------------------

def field_lookups(recorded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [query for method, path, query in sent(recorded) if method == GET and path == FIELDS]


async def test_a_multi_select_custom_field_on_add_and_on_remove(tmp_path):
    """The flow of the done-when list: OvalEdge's definitions (type code, allowMultiple, option
    names, currentValue "Operations, Finance"), merged by us, sent as one comma string."""
    base = {"object_id": ORDERS, "object_type": "oetable", "time_zone": "Europe/Berlin"}
    add = {**base, "code_update_mode": "add", "field_updates": [{"field_name": "consumers", "value": ["executives"]}]}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        added = await confirmed(conn, sandbox, "update_custom_field_value", add, FIELD_VALUES, {
            "target": {"objectId": ORDERS, "objectType": "oetable"}, "timeZone": "Europe/Berlin",
            "fieldUpdates": [{"fieldName": "Consumers", "value": "Operations,Finance,Executives"}]})
        assert added["data"]["updatedFields"] == ["Consumers"] and added["data"]["status"] == "success"
        assert "Consumers = Operations,Finance,Executives" in added["formattedResponse"]
        assert "Audit source: OE-MCP" in added["formattedResponse"]
        linked(added, ORDERS_LINK)
        assert field_lookups(await sandbox.requests())[0] == {
            "objectId": str(ORDERS), "objectType": "oetable", "fieldName": "consumers"}

        remove = {**base, "code_update_mode": "remove",
                  "field_updates": [{"fieldName": "Consumers", "value": "Finance & operations"}]}
        removed = await confirmed(conn, sandbox, "update_custom_field_value", remove, FIELD_VALUES, {
            "target": {"objectId": ORDERS, "objectType": "oetable"}, "timeZone": "Europe/Berlin",
            "fieldUpdates": [{"fieldName": "Consumers", "value": "Executives"}]})
        assert "Consumers = Executives" in removed["formattedResponse"]
        details = result_json(await conn.call("asset_details", {"object_id": ORDERS, "object_type": "oetable"}))
        assert details["data"]["details"]["customFields"]["Consumers"] == ["Executives"]


async def test_custom_field_values_are_checked_against_ovaledges_definitions(tmp_path):
    target = {"object_id": ORDERS, "object_type": "oetable", "time_zone": "UTC"}

    def update(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {**target, "field_updates": list(items), **extra}

    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        # camelCase items, a key as OvalEdge spells it, an option name in any case
        keyed = result_json(await conn.call("update_custom_field_value", update({"fieldKey": "GCCF1",
                                                                                "value": "7 YEARS"})))
        assert keyed["pendingUpdate"]["fieldUpdates"] == [{"fieldKey": "gccf1", "value": "7 years"}]
        # a stringified list and " and ": never Python's repr
        for value in ("['Finance', 'Marketing']", '["finance", "marketing"]', "Finance and Marketing",
                      ["Finance", "Marketing"]):
            preview = result_json(await conn.call("update_custom_field_value", update(
                {"field_name": "Consumers", "value": value}, code_update_mode="replace_all")))
            assert preview["pendingUpdate"]["fieldUpdates"] == [{"fieldName": "Consumers",
                                                                 "value": "Finance,Marketing"}], value
        # a text field takes a list as one comma string; code_update_mode means nothing to it
        text = result_json(await conn.call("update_custom_field_value", update(
            {"field_name": "Data Owner Team", "value": ["Sales Ops", "Finance"]}, code_update_mode="add")))
        assert text["pendingUpdate"]["fieldUpdates"] == [{"fieldName": "Data Owner Team", "value": "Sales Ops,Finance"}]
        assert any("ignored code_update_mode" in n for n in text["notes"]), text
        typed = result_json(await conn.call("update_custom_field_value", update(
            {"field_name": "Refresh Schedule", "value": "(daily, 03:00 UTC)"})))
        assert typed["pendingUpdate"]["fieldUpdates"] == [{"fieldName": "Refresh Schedule",
                                                           "value": "(daily, 03:00 UTC)"}]
        # an unknown option, two options for a single-select, a multi-select holding values: asked
        unknown = result_json(await conn.call("update_custom_field_value", update(
            {"field_name": "Retention Period", "value": "forever"})))
        assert unknown["workflowPhase"] == "invalid_code_options" and unknown["ok"] is False
        assert unknown["options"] == ["1 year", "2 years", "7 years", "10 years"]
        single = result_json(await conn.call("update_custom_field_value", update(
            {"field_name": "Retention Period", "value": "1 year and 2 years"})))
        assert single["workflowPhase"] == "clarify_single_select"
        mode = result_json(await conn.call("update_custom_field_value", update(
            {"field_name": "Consumers", "value": "Marketing"})))
        assert mode["workflowPhase"] == "clarify_multi_select_mode" and "Operations, Finance" in mode[
            "formattedResponse"]
        # null is refused (OvalEdge's MCP takes strings), a field OvalEdge does not list is named
        null = await conn.call("update_custom_field_value", update({"field_name": "Data Owner Team", "value": None}))
        assert null.is_error and "refuses null" in result_text(null)
        missing = await conn.call("update_custom_field_value", update({"field_name": "Colour", "value": "blue"}))
        assert not missing.is_error  # not listed: sent as given, OvalEdge decides (and the sandbox refuses)
        assert any("lists no definition of 'Colour'" in n for n in result_json(missing)["notes"])
        assert posts_to(await sandbox.requests(), FIELD_VALUES) == []
        lookups = field_lookups(await sandbox.requests())
        assert {q["fieldName"] for q in lookups} == {"GCCF1", "Consumers", "Data Owner Team", "Retention Period",
                                                     "Refresh Schedule", "Colour"}


# -- descriptions and CDE --------------------------------------------------------------------------

async def test_descriptions_by_description_field_need_no_prompt_and_blanks_are_not_sent(tmp_path):
    text = "Every order placed at the till or online."
    args = {"object_id": ORDERS, "object_type": "OETABLE", "description_field": "business_description",
            "description_text": text, "idempotency_key": "   ", "prompt": " ", "reason": " review "}
    body = {"target": {"objectId": ORDERS, "objectType": "oetable"},
            "descriptions": {"description": text, "descriptionField": "businessDescription"},
            "clientContext": {"reason": "review"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        done = await confirmed(conn, sandbox, "update_asset_descriptions", args, DESCRIPTIONS, body)
        assert done["data"]["status"] == "success" and done["data"]["requestedFields"] == ["businessDescription"]
        assert done["formattedResponse"].startswith("Updated businessDescription of [orders](")
        assert "(status success)" in done["formattedResponse"]
        linked(done, ORDERS_LINK)
        again = await confirmed(conn, sandbox, "update_asset_descriptions", args, DESCRIPTIONS, body)
        assert again["data"]["updatedFields"] == [] and "No change to [orders]" in again["formattedResponse"]
        assert "businessDescription already held this text" in again["formattedResponse"]
        dashed = result_json(await conn.call("update_asset_descriptions", {
            "object_id": 7, "object_type": "Dp-Product", "description_field": "detailed_description",
            "description_text": "x"}))
        assert dashed["pendingUpdate"]["target"] == {"objectId": 7, "objectType": "dp_product"}


async def test_cde_takes_numeric_string_ids(tmp_path):
    args = {"targets": [{"object_id": str(CUSTOMER_ID), "object_type": "OEColumn"}], "action": "Yes",
            "idempotency_key": " cde-7 "}
    body = {"targets": [{"objectId": CUSTOMER_ID, "objectType": "oecolumn"}], "action": "Yes",
            "options": {"idempotencyKey": "cde-7"}}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        done = await confirmed(conn, sandbox, "update_cde_associations", args, CDE, body)
        [result] = done["data"]["results"]
        assert result["updatedCde"] == "Yes" and done["data"]["status"] == "success"
        assert f"| [customer_id]({result['redirectUrl']}) | oecolumn | No | Yes |" in done["formattedResponse"]
        bad = await conn.call("update_cde_associations", {**args, "targets": [{"object_id": "12a",
                                                                                "object_type": "oecolumn"}]})
        assert bad.is_error and "targets[0].object_id must be a positive integer" in result_text(bad)
        assert [m for m, p, _ in sent(await sandbox.requests()) if p == CDE] == [POST]


# -- an accepted write is reported as done, whatever its answer looks like ------------------------

class _Settings:
    link_base_url = "https://oe.example"


class _Context:
    settings = _Settings()


def test_an_accepted_write_is_done_even_when_its_summary_cannot_be_made():
    def broken(data: dict[str, Any]) -> str:
        raise KeyError("updatedRoles")

    answer = {"ok": True, "data": {"status": "success", "target": {
        "objectId": 1, "objectType": "oetable", "objectName": "orders", "navLink": "#nav/table?id=1"}}}
    done = reported(_Context(), answer, broken, "update_governance_roles")  # type: ignore[arg-type]
    assert done["ok"] is True and done["data"]["status"] == "success"
    assert done["formattedResponse"].startswith(
        "OvalEdge accepted the change to [orders](https://oe.example/#nav/table?id=1) (status success).")
    odd = reported(_Context(), ["not", "an", "object"], broken, "update_governance_roles")  # type: ignore[arg-type]
    assert odd["ok"] is True and "OvalEdge accepted the change" in odd["formattedResponse"]
