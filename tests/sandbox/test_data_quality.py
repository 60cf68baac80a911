"""The DQ routes: lookup-dq-rules, assess-cde, generate-queries and validate-queries
(sandbox/dq_advisor.py, dq_sql.py), create-rules, create-sql-rule and associate-rule-objects
(sandbox/dq_manager.py), each read back through the others. The bodies are the reference's
(docs/wire.md), and so are the answers: assessedCount and rows, a status to route by, a list of
rule hits, counts and one row per object."""

from __future__ import annotations

import pytest

from sandbox import sample_dq as sdq
from tests.sandbox.support import DQ, DQ_RULES, EXPLORER, MCP, details_of, get_data, post_data, post_error

ASSESS, GENERATE, VALIDATE = f"{DQ}/assess-cde", f"{DQ}/generate-queries", f"{DQ}/validate-queries"
CREATE, CREATE_SQL, ASSOCIATE = f"{DQ}/create-rules", f"{DQ}/create-sql-rule", f"{DQ}/associate-rule-objects"
CUSTOMER_ID, EMAIL, ORDER_ID, ORDER_TOTAL, LIFETIME_VALUE = 100101, 100102, 100201, 100207, 100908
NET_REVENUE, AGG_NET_REVENUE, LOYALTY_TIER, DIM_PRODUCT = 101108, 101204, 100106, 1010
MART = {"connectionId": 2, "schemaId": 103}
RECONCILIATION = sdq.CODE_OBJECTS[0][4]  # the query of code object 8101


def refs(*ids, kind="oecolumn"):
    return [{"objectId": i, "objectType": kind} for i in ids]


def on(sandbox, object_id) -> list[int]:
    """The ids of the rules associated with an object (the sandbox's own record)."""
    return [r["ruleId"] for r in sandbox.state.data_quality.rules_on(object_id)]


async def assessed(client, headers, **body) -> dict[int, dict]:
    data = await post_data(client, headers, ASSESS, body)
    assert data["assessedCount"] == len(data["rows"])
    return {row["objectId"]: row for row in data["rows"]}


async def test_lookup_by_rule_id_and_by_name(sandbox, client, headers):
    by_id = await get_data(client, headers, DQ_RULES, {"objectId": 8002})
    assert by_id == [{"objectId": 8002, "objectType": "dqrule", "objectName": "Net revenue is present",
                      "steward": "chloe.nguyen", "redirectUrl": f"{sandbox.base_url}/#nav/dqrule?id=8002"}]
    named = await get_data(client, headers, DQ_RULES, {"ruleName": "ORDER ID IS UNIQUE"})
    assert [r["objectId"] for r in named] == [8001]
    some = await get_data(client, headers, DQ_RULES, {"ruleName": "is", "limit": 2})
    assert [r["objectId"] for r in some] == [8001, 8002]
    assert await get_data(client, headers, DQ_RULES, {"ruleName": "no such rule"}) == []
    assert await get_data(client, headers, DQ_RULES, {"objectId": 999999}) == []
    for params in [{}, {"objectId": 1002, "ruleName": "x"}, {"ruleName": "x", "limit": 0}, {"ruleName": "x", "limit": 101}]:
        assert (await client.get(DQ_RULES, params=params, headers=headers)).status_code == 400, params


async def test_lookup_misses_in_the_404_shape(sandbox, client, headers):
    sandbox.state.shapes["dq_lookup_miss"] = "not_found"
    missing = await client.get(DQ_RULES, params={"ruleName": "missing-rule"}, headers=headers)
    assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Rule not found"}
    assert [r["objectId"] for r in await get_data(client, headers, DQ_RULES, {"objectId": 8003})] == [8003]


async def test_assess_every_cde_column(client, headers):
    found = await assessed(client, headers, discoverCdeColumns=True)
    assert len(found) == 11 and {r["objectType"] for r in found.values()} == {"oecolumn", "oefilecolumn"}
    summary = {i: (r["recommendedFunction"], [e["dqruleId"] for e in r["existingRulesForFunction"]])
               for i, r in found.items()}
    assert summary[CUSTOMER_ID] == ("Unique Check", [8001])
    assert summary[EMAIL] == ("Pattern Match", [8003])
    assert summary[ORDER_TOTAL] == ("Range Check", [8004])
    revenue = found[NET_REVENUE]
    assert revenue["tableColumnName"] == "fct_sales.net_revenue" and revenue["recommendedWorkflow"] == "function_based"
    assert [c["functionName"] for c in revenue["recommendedFunctionCandidates"]] == ["Range Check", "Null Check"]
    assert revenue["existingRulesForFunction"] == [{
        "dqruleId": 8004, "name": "Amount is not negative",
        "purpose": "Money amounts on orders and sales lines are zero or more.",
        "purposeSimilarity": revenue["existingRulesForFunction"][0]["purposeSimilarity"], "associatedToObject": False}]
    assert found[EMAIL]["existingRulesForFunction"][0]["associatedToObject"] is True
    limited = await post_data(client, headers, ASSESS, {"discoverCdeColumns": True, "limit": 3})
    assert limited["assessedCount"] == len(limited["rows"]) == 3


async def test_assess_named_objects_with_function_choices_and_business_metadata(client, headers):
    fct_sales = await assessed(client, headers, objects=refs(1011, kind="oetable"), discoverCdeColumns=True)
    assert sorted(fct_sales) == [NET_REVENUE, 101109]
    table = await assessed(client, headers, objects=refs(1011, kind="oetable"), discoverCdeColumns=False)
    assert table[1011]["recommendedFunction"] == "Row Count Check" and table[1011]["tableColumnName"] == "fct_sales"
    assert table[1011]["existingRulesForFunction"] == []
    column = await assessed(client, headers, objects=refs(LOYALTY_TIER))
    assert column[LOYALTY_TIER]["recommendedFunction"] == "Allowed Values"
    preferred = await assessed(client, headers, objects=refs(ORDER_TOTAL), preferredFunctionName="Null Check")
    assert [c["functionName"] for c in preferred[ORDER_TOTAL]["recommendedFunctionCandidates"]] == [
        "Null Check", "Range Check"]
    assert preferred[ORDER_TOTAL]["recommendedFunctionCandidates"][0]["matchReason"] == "preferred"
    assert [e["dqruleId"] for e in preferred[ORDER_TOTAL]["existingRulesForFunction"]] == [8002]
    unfit = await assessed(client, headers, objects=refs(ORDER_TOTAL), preferredFunctionName="Row Count Check")
    assert unfit[ORDER_TOTAL]["recommendedFunction"] == "Range Check"  # a table function does not fit a column
    excluded = await assessed(client, headers, objects=refs(ORDER_TOTAL), excludedFunctionNames=["Range Check"])
    assert excluded[ORDER_TOTAL]["recommendedFunction"] == "Null Check"
    nothing = await assessed(client, headers, objects=refs(ORDER_TOTAL), excludedFunctionNames=["Range Check", "Null Check"])
    assert nothing[ORDER_TOTAL]["recommendedFunction"] == "Not Identified"
    assert nothing[ORDER_TOTAL]["recommendedWorkflow"] == "custom_sql" and not nothing[ORDER_TOTAL]["existingRulesForFunction"]
    with_field = await assessed(client, headers, objects=refs(NET_REVENUE), descriptionCustomFieldName="business rule")
    assert with_field[NET_REVENUE]["descriptionSource"] == "custom_field"
    assert with_field[NET_REVENUE]["businessRule"] == "Zero or more; returns have lines of their own."
    with_term = await assessed(client, headers, objects=refs(ORDER_TOTAL), descriptionTermName="Net Sales")
    assert with_term[ORDER_TOTAL]["descriptionSource"] == "glossary_term"
    file_column = await assessed(client, headers, objects=refs(500103, kind="filecolumn"),
                                 supplementalCriteriaText="Never below zero")
    assert file_column[500103]["objectType"] == "oefilecolumn"
    assert file_column[500103]["tableColumnName"] == "supplier_costs.csv.unit_cost"


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"discoverCdeColumns": "yes"},
        {"objects": []},
        {"objects": refs(1001, kind="oechart")},
        {"objects": refs(NET_REVENUE), "limit": 101},
        {"objects": refs(NET_REVENUE), "preferredFunctionName": "Spell Check"},
        {"objects": refs(NET_REVENUE), "preferredFunctionName": "SQL Exact Value"},
        {"objects": refs(NET_REVENUE), "excludedFunctionNames": "Null Check"},
        {"objects": refs(NET_REVENUE), "descriptionCustomFieldName": "Colour"},
        {"objects": refs(NET_REVENUE), "descriptionTermName": "Nothing Like It"},
        {"objects": refs(NET_REVENUE), "columns": []},
    ],
)
async def test_assess_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, ASSESS, body, 400)


async def test_assess_a_missing_object_is_not_found(client, headers):
    response = await client.post(ASSESS, json={"objects": refs(NET_REVENUE, 999999)}, headers=headers)
    assert response.status_code == 404 and response.json()["message"] == "Object not found"


async def generate(client, headers, object_id, kind="oecolumn", **more) -> dict:
    return await post_data(client, headers, GENERATE, {"objectId": object_id, "objectType": kind, **more})


async def test_generate_routes_by_what_the_business_rule_says(client, headers):
    revenue = await generate(client, headers, NET_REVENUE, businessRule="Revenue is\nnever negative")
    assert revenue == {
        "status": "generated",
        "recommendedFunction": "SQL Exact Value",
        "recommendedWorkflow": "custom_sql",
        "context": {"connectionId": 2, "schemaId": 103, "schemaName": "mart"},
        "ruleQuery": "-- Revenue is never negative\nSELECT COUNT(*) AS failed_count FROM mart.fct_sales WHERE net_revenue < 0",
        "statsQuery": "SELECT COUNT(*) AS total_count, SUM(CASE WHEN net_revenue < 0 THEN 1 ELSE 0 END) AS failed_count "
        "FROM mart.fct_sales",
        "failedValuesQuery": "SELECT net_revenue FROM mart.fct_sales WHERE net_revenue < 0 LIMIT 100",
        "reuseExistingCode": False,
    }
    email = await generate(client, headers, EMAIL, businessDescription="must be well formed")
    assert email["ruleQuery"].endswith(f"FROM pos.customers WHERE email !~ '{sdq.COLUMN_PATTERNS['email']}'")
    tier = await generate(client, headers, LOYALTY_TIER, businessRule="one of the known tiers")
    assert tier["recommendedFunction"] == "SQL Values Contains"
    assert "loyalty_tier NOT IN ('bronze', 'gold', 'silver')" in tier["ruleQuery"]
    table = await generate(client, headers, 1011, "oetable", businessRule="never empty of rows")
    assert table["status"] == "function_based"  # "empty": a standard check
    nulls = await generate(client, headers, ORDER_TOTAL, businessRule="values must be non-null")
    assert (nulls["status"], nulls["recommendedFunction"]) == ("function_based", "Null Check")
    unclear = await generate(client, headers, ORDER_TOTAL)  # its own description says no rule
    assert unclear["status"] == "function_not_identified" and unclear["recommendedFunction"] == "Not Identified"
    own_field = await generate(client, headers, NET_REVENUE)  # its Business Rule custom field
    assert own_field["status"] == "generated" and own_field["ruleQuery"].startswith("-- Zero or more; returns")
    blocked = await generate(client, headers, NET_REVENUE, businessRule="must match staging.stg_orders")
    assert blocked["status"] == "cross_schema_blocked" and "staging.stg_orders" in blocked["message"]
    file = await generate(client, headers, 500103, "oefilecolumn", businessRule="never negative")
    assert file["status"] == "function_based"


async def test_generate_finds_code_objects_to_reuse(client, headers):
    orders = await generate(client, headers, 1002, "oetable", businessRule="no orders without lines")
    assert orders["status"] == "code_found" and orders["recommendedReuseAction"] == "create_from_code"
    assert orders["recommendedCodeObjectId"] == 8102 and orders["ruleQuery"] == sdq.CODE_OBJECTS[1][4]
    assert orders["matchingCodeObjects"] == [{"codeObjectId": 8102, "codeObjectName": "orders_without_lines"}]
    assert orders["context"] == {"connectionId": 1, "schemaId": 101, "schemaName": "pos"}
    column = await generate(client, headers, NET_REVENUE, businessRule="the revenue reconciliation holds")
    assert column["recommendedReuseAction"] == "associate_existing_dqr"
    assert column["matchingCodeObjects"] == [
        {"codeObjectId": 8101, "codeObjectName": "revenue_reconciliation", "dqruleId": 8005}]
    table = await generate(client, headers, 1011, "oetable", businessRule="the revenue reconciliation holds")
    assert table["recommendedReuseAction"] == "already_associated"


async def test_validation_runs_all_three_queries_and_each_call_is_a_run(sandbox, client, headers):
    revenue = await generate(client, headers, NET_REVENUE, businessRule="never negative")
    queries = {k: revenue[k] for k in ("ruleQuery", "statsQuery", "failedValuesQuery")}
    checked = await post_data(client, headers, VALIDATE, {**MART, **queries})
    assert checked["canCreateRule"] is True and checked["ruleQueryValid"] is True
    results = {r["queryType"]: r for r in checked["results"]}
    assert set(results) == set(queries) and all(r["valid"] for r in results.values())
    stats, counts, listed = results["statsQuery"], results["ruleQuery"], results["failedValuesQuery"]
    assert stats["rowCount"] == counts["rowCount"] == 1 and stats["sample"][0]["total_count"] == 1487300
    assert stats["sample"][0]["failed_count"] == counts["sample"][0]["failed_count"] == listed["rowCount"]
    assert len(listed["sample"]) == min(3, listed["rowCount"]) and all(set(r) == {"net_revenue"} for r in listed["sample"])
    assert stats["message"] == "1 row(s)"
    runs = sandbox.state.data_quality.validation_runs
    assert len(runs) == 1 and runs[0]["valid"] and runs[0]["queries"] == queries


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("DELETE FROM mart.fct_sales", "not DELETE"),
        ("  -- a comment\n update mart.fct_sales set net_revenue = 0", "not UPDATE"),
        ("SELECT COUNT(*) FROM mart.no_such_table", "mart.no_such_table does not exist in schema mart"),
        ("SELECT COUNT(*) FROM staging.stg_orders", "staging.stg_orders is not in schema mart"),
        ("SELECT 1 FROM fct_sales f JOIN mart.dim_nothing d ON 1 = 1", "mart.dim_nothing does not exist"),
        ("SELECT 1; DROP TABLE mart.fct_sales", "one statement"),
    ],
)
async def test_a_query_that_is_no_select_or_names_another_table_is_invalid(sandbox, client, headers, query, error):
    body = {**MART, "ruleQuery": "SELECT 1 FROM mart.fct_sales", "statsQuery": query,
            "failedValuesQuery": "SELECT net_revenue FROM mart.fct_sales"}
    data = await post_data(client, headers, VALIDATE, body)
    assert data["canCreateRule"] is False and data["ruleQueryValid"] is True
    [wrong] = [r for r in data["results"] if not r["valid"]]
    assert wrong["queryType"] == "statsQuery" and error in wrong["message"]
    assert [run["valid"] for run in sandbox.state.data_quality.validation_runs] == [False]


async def test_queries_of_a_with_clause_and_unqualified_tables_are_valid(client, headers):
    query = "WITH late AS (SELECT order_id FROM fct_sales WHERE order_date > CURRENT_DATE) SELECT COUNT(*) AS late_lines FROM late"
    data = await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": query, "statsQuery": query,
                                                       "failedValuesQuery": query})
    assert data["canCreateRule"] is True and data["results"][0]["rowCount"] == 1
    code = sdq.CODE_OBJECTS[1][4]
    pos = await post_data(client, headers, VALIDATE, {"connectionId": 1, "schemaId": 101, "ruleQuery": code,
                                                      "statsQuery": code, "failedValuesQuery": code})
    assert pos["canCreateRule"] is True


THREE = {"ruleQuery": "SELECT 1", "statsQuery": "SELECT 2", "failedValuesQuery": "SELECT 3"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VALIDATE, {"connectionId": 2, "schemaId": 101, **THREE}),  # pos is not in Snowflake
        (VALIDATE, {"connectionId": 9, "schemaId": 103, **THREE}),
        (VALIDATE, {"connectionId": "2", "schemaId": 103, **THREE}),
        (VALIDATE, {**MART}),
        (VALIDATE, {**MART, "ruleQuery": "SELECT 1"}),  # the stats and failed-values queries too
        (VALIDATE, {**MART, **THREE, "sql": "x"}),
        (GENERATE, {"objects": refs(NET_REVENUE), "businessRule": "x"}),  # a flat object, not a list
        (GENERATE, {"objectType": "oecolumn", "businessRule": "x"}),
        (GENERATE, {"objectId": NET_REVENUE, "objectType": "oechart"}),
        (GENERATE, {"objectId": NET_REVENUE, "objectType": "oecolumn", "connectionId": 2}),
    ],
)
async def test_generate_and_validate_reject_bad_bodies(sandbox, client, headers, path, body):
    await post_error(client, headers, path, body, 400)
    assert sandbox.state.data_quality.validation_runs == []  # refused before anything runs


async def test_create_rules_associates_reuses_skips_and_creates(sandbox, client, headers):
    objects = refs(ORDER_ID, CUSTOMER_ID, ORDER_TOTAL, LOYALTY_TIER) + refs(1011, kind="oetable")
    data = await post_data(client, headers, CREATE, {"discoverCdeColumns": False, "objects": objects})
    assert (data["createdCount"], data["associatedCount"], data["skippedCount"], data["failedCount"]) == (2, 2, 1, 0)
    rows = {r["objectId"]: r for r in data["rows"]}
    assert rows[ORDER_ID] == {"objectId": ORDER_ID, "objectType": "oecolumn", "status": "skipped",
                              "ruleName": "Order id is unique", "dqruleId": 8001, "navLink": "#nav/dqrule?id=8001",
                              "objectAssociated": True, "message": "It already has a Unique Check rule"}
    assert (rows[CUSTOMER_ID]["status"], rows[CUSTOMER_ID]["dqruleId"]) == ("associated", 8001)
    assert (rows[ORDER_TOTAL]["status"], rows[ORDER_TOTAL]["dqruleId"]) == ("associated", 8004)
    tier = rows[LOYALTY_TIER]
    assert tier == {
        "objectId": LOYALTY_TIER,
        "objectType": "oecolumn",
        "status": "created",
        "ruleName": "Allowed Values - pos.customers.loyalty_tier",
        "dqruleId": tier["dqruleId"],
        "navLink": f"#nav/dqrule?id={tier['dqruleId']}",
        "objectAssociated": True,
        "criteriaSource": "function_default",
        "criteriaMessage": "No business metadata for loyalty_tier; the defaults of Allowed Values apply",
    }
    assert 8005 < tier["dqruleId"] < 8100 and rows[1011]["ruleName"].startswith("Row Count Check")
    assert on(sandbox, CUSTOMER_ID) == [8001] and on(sandbox, LOYALTY_TIER) == [tier["dqruleId"]]
    rule = sandbox.state.data_quality.rules[tier["dqruleId"]]
    assert rule["criteria"] == "NOT (loyalty_tier NOT IN ('bronze', 'gold', 'silver'))" and rule["steward"] == "chloe.nguyen"
    after = await assessed(client, headers, objects=refs(LOYALTY_TIER))
    assert after[LOYALTY_TIER]["existingRulesForFunction"][0] | {"purposeSimilarity": 0} == {
        "dqruleId": tier["dqruleId"], "name": tier["ruleName"], "purpose": "Allowed Values on pos.customers.loyalty_tier",
        "purposeSimilarity": 0, "associatedToObject": True}
    again = await post_data(client, headers, CREATE, {"objects": objects})
    assert again["createdCount"] == again["associatedCount"] == 0 and again["skippedCount"] == 5


async def test_create_rules_for_the_cde_columns(sandbox, client, headers):
    data = await post_data(client, headers, CREATE, {"discoverCdeColumns": True, "preferExistingRule": False,
                                                     "skipDuplicateFunctionOnObject": True, "limit": 4})
    assert len(data["rows"]) == 4 and data["createdCount"] + data["skippedCount"] == 4


async def test_create_rules_criteria_from_business_metadata_and_duplicates_on_request(sandbox, client, headers):
    body = {
        "objects": refs(NET_REVENUE, LIFETIME_VALUE),
        "preferExistingRule": False,
        "descriptionCustomFieldName": "Business Rule",
        "supplementalCriteriaText": "Checked after the nightly load.",
    }
    revenue, lifetime = (await post_data(client, headers, CREATE, body))["rows"]
    assert revenue["criteriaSource"] == "business_metadata_with_defaults"
    assert revenue["criteriaMessage"] == (
        "Criteria from the custom field 'Business Rule', supplemental criteria with the defaults of Range Check"
    )
    assert sandbox.state.data_quality.rules[revenue["dqruleId"]]["criteria"] == (
        "NOT (net_revenue < 0); Zero or more; returns have lines of their own.; Checked after the nightly load."
    )
    assert lifetime["criteriaSource"] == "business_metadata_with_defaults"  # the supplemental text still applies
    plain = {"objects": refs(ORDER_ID), "preferExistingRule": False, "skipDuplicateFunctionOnObject": False}
    [second] = (await post_data(client, headers, CREATE, {**plain, "descriptionCustomFieldName": "Business Rule"}))["rows"]
    assert second["ruleName"] == "Unique Check - pos.orders.order_id" and second["criteriaSource"] == "function_default"
    assert "custom field 'Business Rule' is not set" in second["criteriaMessage"]
    [third] = (await post_data(client, headers, CREATE, {**plain, "descriptionTermName": "Order"}))["rows"]
    assert third["ruleName"] == "Unique Check - pos.orders.order_id (2)"
    assert sandbox.state.data_quality.rules[third["dqruleId"]]["criteria"].endswith(
        "; One purchase, in a store or online, holding one or more products."
    )
    assert on(sandbox, ORDER_ID) == [8001, second["dqruleId"], third["dqruleId"]]
    gone = await post_data(client, headers, CREATE, {"objects": refs(ORDER_ID), "excludedFunctionNames": ["Unique Check", "Null Check"]})
    assert gone["rows"] == [{"objectId": ORDER_ID, "objectType": "oecolumn", "status": "function_not_identified",
                             "message": "No DQ function is left for it after excludedFunctionNames"}]
    limited = await post_data(client, headers, CREATE, {"objects": refs(101109, 101304), "limit": 1, "preferExistingRule": False})
    assert [r["objectId"] for r in limited["rows"]] == [101109]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"objects": []},
        {"discoverCdeColumns": False},
        {"objects": refs(NET_REVENUE), "preferExistingRule": "no"},
        {"objects": refs(NET_REVENUE), "skipDuplicateFunctionOnObject": 0},
        {"objects": refs(NET_REVENUE), "descriptionTermName": "Nothing Like It"},
        {"objects": refs(NET_REVENUE), "preferredFunctionName": "SQL Values Contains"},
        {"objects": refs(NET_REVENUE), "limit": 0},
        {"objects": refs(NET_REVENUE), "dqruleId": 1},
    ],
)
async def test_create_rules_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, CREATE, body, 400)


def sql_body(name="Revenue reconciles", query=RECONCILIATION, target=(1011, "oetable"), **extra):
    return {"objectId": target[0], "objectType": target[1], "ruleName": name, "ruleQuery": query,
            "statsQuery": "SELECT COUNT(*) AS total FROM mart.fct_sales",
            "failedValuesQuery": "SELECT order_id FROM mart.fct_sales", "recommendedFunction": "SQL Exact Value",
            **extra}


async def test_create_sql_rule_finds_reuses_or_creates_the_code_object(sandbox, client, headers):
    respelled = "  select abs((SELECT SUM(net_revenue) from mart.agg_daily_revenue) -\n (SELECT SUM(net_revenue) FROM mart.fct_sales))  AS revenue_difference ;"
    found = await post_data(client, headers, CREATE_SQL, sql_body(query=respelled, purpose="Close check", **MART,
                                                                  additionalObjects=refs(1012, kind="oetable")))
    assert found == {"status": "created", "dqruleId": found["dqruleId"], "ruleName": "Revenue reconciles",
                     "codeObjectId": 8101, "message": "Created the custom SQL rule 'Revenue reconciles' reusing code object 8101",
                     "navLink": f"#nav/dqrule?id={found['dqruleId']}"}
    assert found["dqruleId"] in on(sandbox, 1011) and found["dqruleId"] in on(sandbox, 1012)
    reused = await post_data(client, headers, CREATE_SQL, {"objectId": 1002, "objectType": "oetable",
                                                           "ruleName": "Orders have lines", "codeObjectId": 8102,
                                                           "recommendedFunction": "SQL Exact Value"})
    assert reused["codeObjectId"] == 8102 and on(sandbox, 1002) == [reused["dqruleId"]]
    rule = sandbox.state.data_quality.rules[reused["dqruleId"]]
    assert (rule["ruleQuery"], rule["connectionId"], rule["schemaId"]) == (sdq.CODE_OBJECTS[1][4], 1, 101)
    query = "SELECT COUNT(*) AS unpriced FROM mart.dim_product WHERE unit_cost IS NULL"
    new = await post_data(client, headers, CREATE_SQL, sql_body(
        "Every product has a cost", query, (DIM_PRODUCT, "oetable"), statsQuery="SELECT COUNT(*) AS total FROM mart.dim_product",
        purpose="Margins need a cost", recommendedFunction="SQL Values Contains"))
    assert 8102 < new["codeObjectId"] < 8200 and "new code object" in new["message"]
    code = await details_of(client, headers, new["codeObjectId"], "oequery")
    assert (code["queryText"], code["objectName"], code["schemaName"]) == (query, "Every product has a cost", "mart")
    search = await post_data(client, headers, EXPLORER, {"objectType": "oequery", "search": {"searchTerms": ["every product"], "page": 1, "limit": 5}})
    assert [i["objectId"] for i in search["items"]] == [new["codeObjectId"]]
    made = sandbox.state.data_quality.rules[new["dqruleId"]]
    assert made["associatedObjects"] == [{"objectId": DIM_PRODUCT, "objectType": "oetable", "objectName": "dim_product"}]
    assert made["function"] == "SQL Values Contains" and made["description"] == "Margins need a cost"
    blocked = await post_data(client, headers, CREATE_SQL, sql_body("Across", "SELECT COUNT(*) FROM staging.stg_orders"))
    assert blocked["status"] == "cross_schema_blocked" and "Across" not in {
        r["ruleName"] for r in sandbox.state.data_quality.rules.values()}
    duplicate = await post_error(client, headers, CREATE_SQL, sql_body("REVENUE RECONCILES"), 409)
    assert duplicate["errorCode"] == "duplicate_rule"
    assert len(sandbox.state.data_quality.validation_runs) == 0  # creating checks the SQL, it does not run it


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ([], "JSON object"),
        (sql_body(name=" "), "ruleName"),
        ({k: v for k, v in sql_body().items() if k != "ruleQuery"}, "ruleQuery or codeObjectId"),
        ({k: v for k, v in sql_body().items() if k != "statsQuery"}, "statsQuery"),
        ({k: v for k, v in sql_body().items() if k != "objectId"}, "objectId"),
        (sql_body(target=(500103, "oefilecolumn")), "not supported"),
        (sql_body(query="DELETE FROM mart.fct_sales"), "not DELETE"),
        (sql_body(query="SELECT 1 FROM mart.missing"), "does not exist"),
        (sql_body(connectionId=1), "connectionId 1"),
        ({k: v for k, v in sql_body().items() if k != "recommendedFunction"}, "recommended DQ function"),
        (sql_body(recommendedFunction="Null Check"), "recommended DQ function"),
        (sql_body(codeObjectId=8102), "another query"),
        (sql_body(codeObjectId=1011), "not a code object"),
        (sql_body(sqlRuleName="x"), "Unknown keys"),
    ],
)
async def test_create_sql_rule_rejects_bad_bodies(client, headers, body, said):
    assert said in (await post_error(client, headers, CREATE_SQL, body, 400))["message"]


async def test_associate_rule_objects(sandbox, client, headers):
    body = {"dqruleId": 8004, "skipAlreadyAssociated": True, "objects": refs(ORDER_TOTAL, LIFETIME_VALUE)}
    data = await post_data(client, headers, ASSOCIATE, body)
    assert data == {
        "dqruleId": 8004,
        "statusMessage": "2 associated, 0 skipped, 0 failed out of 2 object(s).",
        "associatedCount": 2, "skippedCount": 0, "failedCount": 0,
        "rows": [{"objectId": ORDER_TOTAL, "objectType": "oecolumn", "status": "associated"},
                 {"objectId": LIFETIME_VALUE, "objectType": "oecolumn", "status": "associated"}],
        "navLink": "#nav/dqrule?id=8004",
    }
    assert on(sandbox, ORDER_TOTAL) == [8004]
    again = await post_data(client, headers, ASSOCIATE, {**body, "objects": refs(ORDER_TOTAL, NET_REVENUE, 999999)
                                                         + refs(1011, kind="oetable")})
    assert [(r["objectId"], r["status"]) for r in again["rows"]] == [
        (ORDER_TOTAL, "skipped"), (NET_REVENUE, "associated"), (999999, "failed"), (1011, "skipped")]
    assert again["rows"][3]["message"] == "Object data type or connector is not supported."
    relisted = await post_data(client, headers, ASSOCIATE, {**body, "skipAlreadyAssociated": False})
    assert relisted["associatedCount"] == 2 and relisted["rows"][0]["message"] == "Object is already associated to this DQ rule."
    held = [o["objectId"] for o in sandbox.state.data_quality.rules[8004]["associatedObjects"]]
    assert held == [ORDER_TOTAL, LIFETIME_VALUE, NET_REVENUE]  # never twice
    for wrong, status in [
        ({"dqruleId": 8999, "objects": refs(ORDER_TOTAL)}, 404),
        ({"dqRuleId": 8004, "objects": refs(ORDER_TOTAL)}, 400),  # the key is dqruleId
        ({"objects": refs(ORDER_TOTAL)}, 400),
        ({"dqruleId": 8004}, 400),
        ({"dqruleId": 8004, "objects": refs(ORDER_TOTAL), "skipAlreadyAssociated": "yes"}, 400),
        ({"dqruleId": 8004, "objects": refs(3001, kind="oechart")}, 400),
    ]:
        assert (await client.post(ASSOCIATE, json=wrong, headers=headers)).status_code == status, wrong


async def test_cde_flags_and_rule_stewards_written_elsewhere_show_in_the_advisor(client, headers):
    def cde(object_id, action):
        return {"targets": [{"objectId": object_id, "objectType": "oecolumn"}], "action": action}

    await post_data(client, headers, f"{MCP}/update-cde-associations", cde(LOYALTY_TIER, "Yes"))
    await post_data(client, headers, f"{MCP}/update-cde-associations", cde(ORDER_ID, "No"))
    every = await assessed(client, headers, discoverCdeColumns=True)
    assert LOYALTY_TIER in every and ORDER_ID not in every and len(every) == 11
    steward = {"target": {"objectId": 8003, "objectType": "dqrule"}, "roleUpdates": {"steward": "femi.adeyemi"}}
    await post_data(client, headers, f"{MCP}/update-governance-roles", steward)
    [rule] = await get_data(client, headers, DQ_RULES, {"objectId": 8003})
    assert rule["steward"] == "femi.adeyemi"
