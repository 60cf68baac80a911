"""The DQ tools on the reference's wire, through `oe-mcp-local --demo` (docs/wire.md, DQ routes;
audit wire-sd-dq-auth.md §3-4): the bodies OvalEdge's own MCP server sends, the answers it reads,
the arguments it takes (unused ones ignored and named), and the flows that reach each write:
associate by rule name, create_custom_sql reusing a code object, create_standard after the user
chose between existing rules. A preview posts nothing; a confirmed call posts its body once."""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import GET, POST, sent
from tests.worker.test_writes_wire import (
    ASSESS,
    ASSOCIATE,
    CREATE_RULES,
    GENERATE,
    LOOKUP,
    SQL_RULE,
    posts_to,
)

ORDERS, FCT_SALES = 1002, 1011  # pos.orders, mart.fct_sales
ORDER_TOTAL, LOYALTY_TIER, DISCOUNT_AMOUNT, NET_REVENUE = 100207, 100106, 100306, 101108
UNIT_COST = 500103  # a column of the file supplier_costs.csv
ORDERS_WITHOUT_LINES = 8102  # a code object of schema pos that no rule runs yet


async def confirmed(conn, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the preview, the confirmed call's answer) of a governed call."""
    preview = result_json(await conn.call(tool, args))
    assert preview["awaitingUserConfirmation"] is True and preview["confirmationToken"], preview
    done = await conn.call(tool, {**args, "write_confirmed_by_user": True,
                                  "confirmation_token": preview["confirmationToken"]})
    return preview, result_json(done)


async def rule_record(sandbox, rule_id: int) -> dict[str, Any]:
    return next(r for r in (await sandbox._send("GET", "written"))["dqRules"] if r["ruleId"] == rule_id)


async def test_associate_by_rule_name_looks_the_rule_up_and_posts_dqrule_id(tmp_path):
    args = {"step": "associate", "rule_name": "Amount is not negative",
            "objects": [{"objectId": str(DISCOUNT_AMOUNT), "objectType": "table_column"}]}
    body = {"dqruleId": 8004, "skipAlreadyAssociated": True,
            "objects": [{"objectId": DISCOUNT_AMOUNT, "objectType": "oecolumn"}]}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        preview = result_json(await conn.call("dq_rule_manager", args))
        assert preview["pendingCreate"] == body and "**Amount is not negative** (id 8004)" in preview["formattedResponse"]
        assert posts_to(await sandbox.requests(), ASSOCIATE) == []
        done = result_json(await conn.call("dq_rule_manager", {**args, "write_confirmed_by_user": True,
                                                               "confirmation_token": preview["confirmationToken"]}))
        assert posts_to(await sandbox.requests(), ASSOCIATE) == [body]
        lookups = [q for m, p, q in sent(await sandbox.requests()) if (m, p) == (GET, LOOKUP)]
        assert lookups == [{"ruleName": "Amount is not negative", "limit": "25"}] * 2  # preview, then confirmation
        link = f"{sandbox.base_url}/#nav/dqrule?id=8004"
        assert f"DQ rule [Amount is not negative]({link}) (dqruleId 8004):" in done["formattedResponse"]
        assert "Outcome: 1 associated, 0 skipped, 0 failed out of 1 object(s)." in done["formattedResponse"]
        assert "Summary: 1 associated, 0 skipped, 0 failed." in done["formattedResponse"]
        assert f"- oecolumn {DISCOUNT_AMOUNT}: associated" in done["formattedResponse"]
        assert done["data"]["associatedCount"] == 1 and done["data"]["dqruleId"] == 8004
        assert DISCOUNT_AMOUNT in {o["objectId"] for o in (await rule_record(sandbox, 8004))["associatedObjects"]}

        again = result_json(await conn.call("dq_rule_manager", {
            "step": "associate", "dqrule_id": 8004, "skip_already_associated": False,
            "objects": {"object_id": DISCOUNT_AMOUNT, "object_type": "column"}}))
        assert again["pendingCreate"] == {**body, "skipAlreadyAssociated": False}

        several = await conn.call("dq_rule_manager", {**args, "rule_name": "is"})
        text = result_text(several)
        assert several.is_error and several.structured_content["error_code"] == "validation_ambiguous"
        assert "Order id is unique (dqrule_id 8001)" in text and "Amount is not negative (dqrule_id 8004)" in text
        assert {"dqruleId": 8004, "name": "Amount is not negative"} in several.structured_content["choices"]
        none = await conn.call("dq_rule_manager", {**args, "rule_name": "no such rule"})
        assert none.is_error and none.structured_content["error_code"] == "not_found"
        await sandbox.set(shapes={"dq_lookup_miss": "not_found"})  # the 404 "Rule not found" release
        missing = await conn.call("dq_rule_manager", {**args, "rule_name": "no such rule"})
        assert missing.is_error and missing.structured_content["error_code"] == "not_found"
        assert "no DQ rule found for rule_name='no such rule'" in result_text(missing)
        assert len(posts_to(await sandbox.requests(), ASSOCIATE)) == 1  # none of these posted


async def test_create_custom_sql_reusing_a_code_object_found_by_generate_query(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        found = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": [{"object_id": ORDERS, "object_type": "table"}],
            "business_rule": "  no orders without lines  "}))
        assert found["data"]["status"] == "code_found" and found["workflowPhase"] == "generate_queries"
        assert (found["connectionId"], found["schemaId"]) == (1, 101)
        assert f"code_object_id={ORDERS_WITHOUT_LINES}, connection_id=1, schema_id=101" in found["agentInstruction"]
        assert "create_custom_sql" in found["agentInstruction"]
        assert f"Existing code object **{ORDERS_WITHOUT_LINES}** matches" in found["formattedResponse"]
        [(_, _, generate_body)] = [r for r in sent(await sandbox.requests()) if r[1] == GENERATE]
        assert generate_body == {"objectId": ORDERS, "objectType": "oetable", "businessRule": "no orders without lines"}

        args = {"step": "create_custom_sql", "objects": [{"object_id": ORDERS, "object_type": "oetable"}],
                "rule_name": "Orders have lines", "code_object_id": ORDERS_WITHOUT_LINES, "connection_id": 1,
                "schema_id": 101, "recommended_function": found["data"]["recommendedFunction"]}
        body = {"objectId": ORDERS, "objectType": "oetable", "ruleName": "Orders have lines",
                "codeObjectId": ORDERS_WITHOUT_LINES, "connectionId": 1, "schemaId": 101,
                "recommendedFunction": "SQL Exact Value"}
        preview, done = await confirmed(conn, "dq_rule_manager", args)
        assert preview["pendingCreate"] == body and "reusing code object 8102" in preview["formattedResponse"]
        assert posts_to(await sandbox.requests(), SQL_RULE) == [body]
        rule_id = done["data"]["dqruleId"]
        link = f"{sandbox.base_url}/#nav/dqrule?id={rule_id}"
        assert done["workflowPhase"] == "create_sql_rule" and done["data"]["status"] == "created"
        assert done["formattedResponse"].startswith(
            f"Created the custom SQL DQ rule [Orders have lines]({link}) (dqruleId {rule_id}).")
        record = await rule_record(sandbox, rule_id)
        assert record["codeObjectId"] == ORDERS_WITHOUT_LINES and record["associatedObjects"][0]["objectId"] == ORDERS


async def test_create_custom_sql_objects_names_and_the_servers_function_error(tmp_path):
    queries = {"rule_query": "SELECT COUNT(*) AS n FROM mart.fct_sales WHERE net_revenue < 0",
               "stats_query": "SELECT COUNT(*) AS total FROM mart.fct_sales",
               "failed_values_query": "SELECT net_revenue FROM mart.fct_sales WHERE net_revenue < 0"}
    objects = [{"objectId": FCT_SALES, "objectType": "oetable"}, {"objectId": "1012", "objectType": "TABLE"}]
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        args = {"step": "create_custom_sql", "objects": objects, "sql_rule_name": "Revenue never negative",
                "rule_name": "ignored name", **queries, "recommended_function": " SQL Exact Value "}
        preview = result_json(await conn.call("dq_rule_manager", args))
        assert preview["pendingCreate"] == {
            "objectId": FCT_SALES, "objectType": "oetable", "ruleName": "Revenue never negative",
            "ruleQuery": queries["rule_query"], "statsQuery": queries["stats_query"],
            "failedValuesQuery": queries["failed_values_query"], "recommendedFunction": "SQL Exact Value",
            "additionalObjects": [{"objectId": 1012, "objectType": "oetable"}]}
        assert preview["notes"] == ["ignored rule_name: sql_rule_name names the new rule"]

        wrong = {**args, "recommended_function": "Null Check"}  # not a SQL function: OvalEdge refuses it
        token = result_json(await conn.call("dq_rule_manager", wrong))["confirmationToken"]
        refused = await conn.call("dq_rule_manager", {**wrong, "write_confirmed_by_user": True,
                                                      "confirmation_token": token})
        assert refused.is_error and "is not a recommended DQ function" in result_text(refused)
        assert "Call dq_rule_advisor step=generate_query (or step=assess) again" in result_text(refused)

        across = {"step": "create_custom_sql", "objects": {"objectId": FCT_SALES, "objectType": "oetable"},
                  "rule_name": "Across schemas", "rule_query": "SELECT COUNT(*) FROM staging.stg_orders",
                  "stats_query": "SELECT 1", "failed_values_query": "SELECT 2",
                  "recommended_function": "SQL Exact Value"}
        _, blocked = await confirmed(conn, "dq_rule_manager", across)
        assert blocked["data"]["status"] == "cross_schema_blocked"
        assert blocked["formattedResponse"].startswith("The custom SQL DQ rule **Across schemas** was not created:")
        assert "Do not retry with hand-written SQL" in blocked["agentInstruction"]
        bodies = posts_to(await sandbox.requests(), SQL_RULE)
        assert [b["ruleName"] for b in bodies] == ["Revenue never negative", "Across schemas"]  # once each


async def test_create_standard_lets_the_user_choose_an_existing_rule_first(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        total = {"step": "create_standard", "objects": [{"object_id": ORDER_TOTAL, "object_type": "column"}]}
        chooser = result_json(await conn.call("dq_rule_manager", total))
        assert chooser["workflowPhase"] == "select_existing_rule" and chooser["requiresRuleSelection"] is True
        assert "confirmationToken" not in chooser and chooser["writeConfirmedByUser"] is False
        assert chooser["existingRuleChoices"][0]["rules"][0]["dqruleId"] == 8004
        assert "ID 8004: **Amount is not negative**" in chooser["formattedResponse"]
        assert "prefer_existing_rule=false" in chooser["formattedResponse"]
        assert "step=associate" in chooser["formattedResponse"]
        refused = await conn.call("dq_rule_manager", {**total, "write_confirmed_by_user": True,
                                                      "confirmation_token": "f" * 64})
        assert refused.is_error and "no preview of this exact change" in result_text(refused)

        tier = {"step": "create_standard", "objects": [{"objectId": LOYALTY_TIER, "objectType": "column"}],
                "supplemental_criteria_text": "Only the three tiers.", "excluded_function_names": ["Range Check"]}
        body = {"discoverCdeColumns": False, "preferExistingRule": True, "skipDuplicateFunctionOnObject": True,
                "limit": 50, "excludedFunctionNames": ["Range Check"], "supplementalCriteriaText": "Only the three tiers.",
                "objects": [{"objectId": LOYALTY_TIER, "objectType": "oecolumn"}]}
        preview, done = await confirmed(conn, "dq_rule_manager", tier)
        assert preview["pendingCreate"] == body and preview["workflowPhase"] == "confirm_create"
        assert "create a new rule (Allowed Values)" in preview["formattedResponse"]
        assessed = [b for m, p, b in sent(await sandbox.requests()) if (m, p) == (POST, ASSESS)]
        assert assessed == [
            {"discoverCdeColumns": False, "limit": 50,
             "objects": [{"objectId": ORDER_TOTAL, "objectType": "oecolumn"}]},
            {"discoverCdeColumns": False, "limit": 50, "excludedFunctionNames": ["Range Check"],
             "supplementalCriteriaText": "Only the three tiers.",
             "objects": [{"objectId": LOYALTY_TIER, "objectType": "oecolumn"}]},
        ]  # the pre-assessments of the two previews; the confirmation posts create-rules only
        assert posts_to(await sandbox.requests(), CREATE_RULES) == [body]
        [row] = done["data"]["rows"]
        link = f"{sandbox.base_url}/#nav/dqrule?id={row['dqruleId']}"
        assert "DQ rules: 1 created, 0 associated, 0 skipped, 0 failed." in done["formattedResponse"]
        assert (f"- oecolumn {LOYALTY_TIER}: created rule [Allowed Values - pos.customers.loyalty_tier]({link}) "
                f"(dqruleId {row['dqruleId']}) object linked criteriaSource=business_metadata_with_defaults"
                in done["formattedResponse"])

        every = {"step": "create_standard", "discover_cde_columns": True, "prefer_existing_rule": False, "limit": 3}
        discover = result_json(await conn.call("dq_rule_manager", every))
        assert discover["pendingCreate"] == {"discoverCdeColumns": True, "preferExistingRule": False,
                                             "skipDuplicateFunctionOnObject": True, "limit": 3}
        assert len([1 for m, p, _ in sent(await sandbox.requests()) if (m, p) == (POST, ASSESS)]) == 2


async def test_the_advisor_reads_the_reference_answers_and_ignores_unused_arguments(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        assessed = result_json(await conn.call("dq_rule_advisor", {
            "step": "assess", "write_confirmed_by_user": False, "rule_query": "SELECT 1",
            "objects": [{"objectId": str(ORDER_TOTAL), "objectType": "table_column"},
                        {"object_id": UNIT_COST, "object_type": "file_column"}],
            "excluded_function_names": [" Freshness Check", "freshness check", "Pattern Match"]}))
        assert assessed["notes"] == ["ignored rule_query, write_confirmed_by_user: step=assess does not use them"]
        assert assessed["assessedCount"] == 2
        text = assessed["formattedResponse"]
        assert text.startswith("Assessed 2 object(s).")
        assert "recommendedFunction `Range Check` [function_based]" in text
        assert "ID 8004: **Amount is not negative**" in text and "**supplier_costs.csv.unit_cost**" in text

        two = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "connection_id": 1,
            "objects": [{"object_id": ORDER_TOTAL, "object_type": "column"}, {"object_id": 100201, "object_type": "column"}],
            "business_rule": "values must never be null"}))
        assert two["data"]["status"] == "function_based" and "create_standard" in two["agentInstruction"]
        assert any(n.startswith("generate_query generates for one object: objects[0]") for n in two["notes"])
        assert "ignored connection_id: step=generate_query does not use them" in two["notes"]
        unclear = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": {"object_id": ORDER_TOTAL, "object_type": "column"}}))
        assert unclear["data"]["status"] == "function_not_identified" and "invent" in unclear["agentInstruction"]
        blocked = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": {"object_id": NET_REVENUE, "object_type": "column"},
            "business_rule": "must match staging.stg_orders"}))
        assert blocked["data"]["status"] == "cross_schema_blocked" and "Do not call" in blocked["agentInstruction"]
        reuse = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": {"object_id": NET_REVENUE, "object_type": "column"},
            "business_rule": "the revenue reconciliation holds"}))
        assert "dq_rule_manager step=associate with dqrule_id=8005" in reuse["agentInstruction"]

        by_id = result_json(await conn.call("dq_rule_advisor", {"step": "lookup", "object_id": 8002}))
        link = f"{sandbox.base_url}/#nav/dqrule?id=8002"
        assert by_id["data"] == [{"objectId": 8002, "objectType": "dqrule", "objectName": "Net revenue is present",
                                  "steward": "chloe.nguyen", "redirectUrl": link}]
        assert f"- [Net revenue is present]({link}) (dqrule id 8002, steward chloe.nguyen)" in by_id["formattedResponse"]
        none = result_json(await conn.call("dq_rule_advisor", {"step": "lookup", "rule_name": "nothing like it"}))
        assert none["data"] == [] and none["formattedResponse"] == "No DQ rule matched rule_name='nothing like it'."
        requests = sent(await sandbox.requests())
    assert requests[0][2]["objects"] == [{"objectId": ORDER_TOTAL, "objectType": "oecolumn"},
                                         {"objectId": UNIT_COST, "objectType": "oefilecolumn"}]
    assert requests[0][2]["excludedFunctionNames"] == ["Freshness Check", "Pattern Match"]
    assert requests[1] == (POST, GENERATE, {"objectId": ORDER_TOTAL, "objectType": "oecolumn",
                                            "businessRule": "values must never be null"})
    assert requests[-2] == (GET, LOOKUP, {"objectId": "8002", "limit": "25"})


async def test_validate_query_previews_all_three_queries_and_reports_each(tmp_path):
    args = {"step": "validate_query", "connection_id": 2, "schema_id": 103,
            "rule_query": "SELECT COUNT(*) AS n FROM mart.fct_sales",
            "stats_query": "SELECT COUNT(*) AS total FROM staging.stg_orders",
            "failed_values_query": "SELECT net_revenue FROM mart.fct_sales"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        preview, done = await confirmed(conn, "dq_rule_advisor", args)
        assert preview["workflowPhase"] == "confirm_execute" and "staging.stg_orders" in preview["formattedResponse"]
        assert done["workflowPhase"] == "validate_queries" and done["canCreateRule"] is False
        text = done["formattedResponse"]
        assert "- Rule query valid: yes" in text and "- ruleQuery: valid (1 row(s))" in text
        assert "- statsQuery: invalid (Table staging.stg_orders is not in schema mart)" in text
        assert "Can create rule: no" in text


async def test_answers_with_their_keys_beside_ok_read_the_same(tmp_path):
    """The reference reads a DQ answer's keys under `data` or at its top (sandbox switch dq_answer)."""
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"dq_answer": "flat"})
        assessed = result_json(await conn.call("dq_rule_advisor", {
            "step": "assess", "objects": {"object_id": ORDER_TOTAL, "object_type": "column"}}))
        assert assessed["assessedCount"] == 1 and assessed["data"]["rows"][0]["objectId"] == ORDER_TOTAL
        assert "ID 8004: **Amount is not negative**" in assessed["formattedResponse"]
        found = result_json(await conn.call("dq_rule_advisor", {
            "step": "generate_query", "objects": {"object_id": ORDERS, "object_type": "table"},
            "business_rule": "no orders without lines"}))
        assert found["data"]["status"] == "code_found" and (found["connectionId"], found["schemaId"]) == (1, 101)
        _, made = await confirmed(conn, "dq_rule_manager", {
            "step": "create_custom_sql", "objects": {"object_id": ORDERS, "object_type": "table"},
            "rule_name": "Orders have lines", "code_object_id": ORDERS_WITHOUT_LINES,
            "recommended_function": "SQL Exact Value"})
        assert made["data"]["message"] == "Created the custom SQL rule 'Orders have lines' reusing code object 8102"
        assert made["formattedResponse"].endswith("reusing code object 8102")
        _, linked = await confirmed(conn, "dq_rule_manager", {
            "step": "associate", "dqrule_id": 8004, "objects": {"object_id": DISCOUNT_AMOUNT, "object_type": "column"}})
        link = f"{sandbox.base_url}/#nav/dqrule?id=8004"
        assert linked["formattedResponse"].startswith(f"DQ rule [8004]({link}):\nOutcome: 1 associated")
        _, checked = await confirmed(conn, "dq_rule_advisor", {
            "step": "validate_query", "connection_id": 2, "schema_id": 103,
            "rule_query": "SELECT 1 FROM mart.fct_sales", "stats_query": "SELECT 2 FROM mart.fct_sales",
            "failed_values_query": "SELECT 3 FROM mart.fct_sales"})
        assert checked["canCreateRule"] is True and "a rule can be created" in checked["formattedResponse"]
