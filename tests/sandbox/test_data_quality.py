"""The DQ routes: lookup-dq-rules, assess-cde, generate-queries and validate-queries
(sandbox/dq_advisor.py, dq_sql.py), create-rules, create-sql-rule and associate-rule-objects
(sandbox/dq_manager.py), each read back through the others."""

from __future__ import annotations

import pytest

from sandbox import sample_dq as sdq
from tests.sandbox.support import DQ, DQ_RULES, EXPLORER, MCP, details_of, get_data, post_data, post_error

ASSESS, GENERATE, VALIDATE = f"{DQ}/assess-cde", f"{DQ}/generate-queries", f"{DQ}/validate-queries"
CREATE, CREATE_SQL, ASSOCIATE = f"{DQ}/create-rules", f"{DQ}/create-sql-rule", f"{DQ}/associate-rule-objects"
CUSTOMER_ID, EMAIL, ORDER_ID, ORDER_TOTAL, LIFETIME_VALUE = 100101, 100102, 100201, 100207, 100908
NET_REVENUE, AGG_NET_REVENUE, LOYALTY_TIER = 101108, 101204, 100106
MART = {"connectionId": 2, "schemaId": 103}
RECONCILIATION = sdq.CODE_OBJECTS[0][4]  # the query of code object 8101


def refs(*ids, kind="oecolumn"):
    return [{"objectId": i, "objectType": kind} for i in ids]


async def rules_of(client, headers, object_id) -> list[int]:
    data = await get_data(client, headers, DQ_RULES, {"objectId": object_id})
    return [r["ruleId"] for r in data["rules"]]


async def assessed(client, headers, **body) -> dict[int, dict]:
    data = await post_data(client, headers, ASSESS, body)
    return {a["objectId"]: a for a in data["assessments"]}


async def test_lookup_by_object_and_by_name(client, headers):
    by_object = await get_data(client, headers, DQ_RULES, {"objectId": NET_REVENUE})
    assert by_object["total"] == 1
    assert by_object["rules"] == [
        {
            "ruleId": 8002,
            "ruleName": "Net revenue is present",
            "description": "Revenue figures must never be empty; an empty one means a failed load.",
            "function": "Null Check",
            "ruleType": "standard",
            "steward": "chloe.nguyen",
            "associatedObjects": [
                {"objectId": NET_REVENUE, "objectType": "oecolumn", "objectName": "net_revenue"},
                {"objectId": AGG_NET_REVENUE, "objectType": "oecolumn", "objectName": "net_revenue"},
            ],
            "criteria": "net_revenue IS NOT NULL",
            "navLink": "#nav/dqrule?id=8002",
        }
    ]
    sql_rule = (await get_data(client, headers, DQ_RULES, {"objectId": 1012}))["rules"][0]
    assert sql_rule["ruleType"] == "custom_sql" and sql_rule["codeObjectId"] == 8101
    assert (sql_rule["connectionId"], sql_rule["schemaId"], sql_rule["ruleQuery"]) == (2, 103, RECONCILIATION)
    assert await rules_of(client, headers, ORDER_TOTAL) == []
    named = await get_data(client, headers, DQ_RULES, {"ruleName": "ORDER ID IS UNIQUE"})
    assert [r["ruleId"] for r in named["rules"]] == [8001]
    some = await get_data(client, headers, DQ_RULES, {"ruleName": "is", "limit": 2})
    assert some["total"] == 4 and [r["ruleId"] for r in some["rules"]] == [8001, 8002]
    assert (await get_data(client, headers, DQ_RULES, {"ruleName": "no such rule"})) == {"rules": [], "total": 0}
    missing = await client.get(DQ_RULES, params={"objectId": 999999}, headers=headers)
    assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Object not found"}
    for params in [{}, {"objectId": 1002, "ruleName": "x"}, {"ruleName": "x", "limit": 0}, {"ruleName": "x", "limit": 101}]:
        assert (await client.get(DQ_RULES, params=params, headers=headers)).status_code == 400, params


async def test_assess_every_cde_column(client, headers):
    data = await post_data(client, headers, ASSESS, {"discoverCdeColumns": True})
    found = {a["objectId"]: a for a in data["assessments"]}
    assert data["total"] == len(found) == 11
    summary = {i: (a["recommendedFunction"], a.get("recommendedRuleId"), a["associatedToDqRule"]) for i, a in found.items()}
    assert summary[CUSTOMER_ID] == ("Unique Check", 8001, False)
    assert summary[EMAIL] == ("Pattern Match", 8003, True)
    assert summary[ORDER_ID] == ("Unique Check", 8001, True)
    assert summary[ORDER_TOTAL] == ("Range Check", 8004, False)
    assert summary[NET_REVENUE] == ("Range Check", 8004, True)
    assert found[NET_REVENUE]["associatedRules"] == [{"ruleId": 8002, "ruleName": "Net revenue is present", "function": "Null Check"}]
    assert found[NET_REVENUE]["recommendedFunctionCandidates"] == ["Range Check", "Null Check"]
    assert found[NET_REVENUE]["navLink"] == f"#nav/column?browse=summary&id={NET_REVENUE}"
    assert all(a["isCde"] for a in found.values())
    assert {a["objectType"] for a in found.values()} == {"oecolumn", "oefilecolumn"}
    limited = await post_data(client, headers, ASSESS, {"discoverCdeColumns": True, "limit": 3})
    assert len(limited["assessments"]) == 3 and limited["total"] == 11


async def test_assess_named_objects_with_function_choices(client, headers):
    fct_sales = await assessed(client, headers, objects=refs(1011, kind="oetable"), discoverCdeColumns=True)
    assert sorted(fct_sales) == [NET_REVENUE, 101109]
    table = await assessed(client, headers, objects=refs(1011, kind="oetable"))
    assert table[1011]["recommendedFunction"] == "Row Count Check" and table[1011]["isCde"] is True
    assert "recommendedRuleId" not in table[1011] and table[1011]["associatedRules"][0]["ruleId"] == 8005
    column = await assessed(client, headers, objects=refs(LOYALTY_TIER))
    assert column[LOYALTY_TIER]["recommendedFunction"] == "Allowed Values" and column[LOYALTY_TIER]["isCde"] is False
    preferred = await assessed(client, headers, objects=refs(ORDER_TOTAL), preferredFunctionName="Null Check")
    assert preferred[ORDER_TOTAL]["recommendedFunctionCandidates"] == ["Null Check", "Range Check"]
    assert preferred[ORDER_TOTAL]["recommendedRuleId"] == 8002
    unfit = await assessed(client, headers, objects=refs(ORDER_TOTAL), preferredFunctionName="Row Count Check")
    assert unfit[ORDER_TOTAL]["recommendedFunction"] == "Range Check"  # a table function does not fit a column
    excluded = await assessed(client, headers, objects=refs(ORDER_TOTAL), excludedFunctionNames=["Range Check"])
    assert excluded[ORDER_TOTAL]["recommendedFunction"] == "Null Check"
    nothing = await assessed(client, headers, objects=refs(ORDER_TOTAL), excludedFunctionNames=["Range Check", "Null Check"])
    assert nothing[ORDER_TOTAL]["recommendedFunction"] is None and "recommendedRuleId" not in nothing[ORDER_TOTAL]
    with_metadata = await assessed(
        client, headers, objects=refs(NET_REVENUE), descriptionCustomFieldName="business rule", descriptionTermName="Net Sales"
    )
    assert with_metadata[NET_REVENUE]["recommendedFunction"] == "Range Check"
    file_column = await assessed(client, headers, objects=refs(500103, kind="filecolumn"))
    assert file_column[500103]["objectType"] == "oefilecolumn"


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


async def test_generated_queries_validate_and_each_validation_is_a_run(sandbox, client, headers):
    body = {"objects": refs(NET_REVENUE, 101101) + refs(1011, kind="oetable"), "businessRule": "Revenue is\nnever negative"}
    data = await post_data(client, headers, GENERATE, body)
    assert data["context"] == {"connectionId": 2, "schemaId": 103, "schemaName": "mart"}
    revenue, key, table = data["queries"]
    assert revenue == {
        "objectId": NET_REVENUE,
        "ruleQuery": "-- Revenue is never negative\nSELECT COUNT(*) AS failed_count FROM mart.fct_sales WHERE net_revenue < 0",
        "statsQuery": "SELECT COUNT(*) AS total_count, SUM(CASE WHEN net_revenue < 0 THEN 1 ELSE 0 END) AS failed_count "
        "FROM mart.fct_sales",
        "failedValuesQuery": "SELECT net_revenue FROM mart.fct_sales WHERE net_revenue < 0 LIMIT 100",
        "recommendedFunction": "Range Check",
    }
    assert key["recommendedFunction"] == "Unique Check" and "HAVING COUNT(*) > 1" in key["failedValuesQuery"]
    assert table["recommendedFunction"] == "Row Count Check" and table["failedValuesQuery"] is None
    email = (await post_data(client, headers, GENERATE, {"objects": refs(EMAIL), "businessRule": "well formed"}))["queries"][0]
    assert email["ruleQuery"].endswith(f"FROM pos.customers WHERE email !~ '{sdq.COLUMN_PATTERNS['email']}'")  # PostgreSQL
    tier = (await post_data(client, headers, GENERATE, {"objects": refs(LOYALTY_TIER), "businessRule": "known tiers"}))
    assert "loyalty_tier NOT IN ('bronze', 'gold', 'silver')" in tier["queries"][0]["ruleQuery"]

    runs = sandbox.state.data_quality.validation_runs
    for queries in data["queries"]:
        given = {k: v for k, v in queries.items() if k.endswith("Query") and v is not None}
        checked = await post_data(client, headers, VALIDATE, {**MART, **given})
        assert checked["valid"] is True and checked["canCreateRule"] is True and set(checked["results"]) == set(given)
    assert len(runs) == 3 and all(run["valid"] for run in runs)
    stats = (await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": revenue["statsQuery"]}))["results"]["ruleQuery"]
    counts = (await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": revenue["ruleQuery"]}))["results"]["ruleQuery"]
    listed = (await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": revenue["failedValuesQuery"]}))["results"]["ruleQuery"]
    assert stats["rows"] == counts["rows"] == 1 and stats["sample"][0]["total_count"] == 1487300
    assert stats["sample"][0]["failed_count"] == counts["sample"][0]["failed_count"] == listed["rows"]
    assert len(listed["sample"]) == min(3, listed["rows"]) and all(set(r) == {"net_revenue"} for r in listed["sample"])
    assert len(runs) == 6


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
    data = await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": "SELECT 1 FROM mart.fct_sales", "statsQuery": query})
    assert data["valid"] is False and data["canCreateRule"] is False
    assert len(data["errors"]) == 1 and data["errors"][0].startswith("statsQuery: ") and error in data["errors"][0]
    assert [run["valid"] for run in sandbox.state.data_quality.validation_runs] == [False]


async def test_queries_of_a_with_clause_and_unqualified_tables_are_valid(client, headers):
    query = "WITH late AS (SELECT order_id FROM fct_sales WHERE order_date > CURRENT_DATE) SELECT COUNT(*) AS late_lines FROM late"
    data = await post_data(client, headers, VALIDATE, {**MART, "ruleQuery": query})
    assert data["valid"] is True and data["results"]["ruleQuery"]["rows"] == 1
    pos = await post_data(client, headers, VALIDATE, {"connectionId": 1, "schemaId": 101, "ruleQuery": sdq.CODE_OBJECTS[1][4]})
    assert pos["valid"] is True


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (VALIDATE, {"connectionId": 2, "schemaId": 101, "ruleQuery": "SELECT 1"}),  # pos is not in Snowflake
        (VALIDATE, {"connectionId": 9, "schemaId": 103, "ruleQuery": "SELECT 1"}),
        (VALIDATE, {"connectionId": "2", "schemaId": 103, "ruleQuery": "SELECT 1"}),
        (VALIDATE, {**MART}),
        (VALIDATE, {**MART, "ruleQuery": "SELECT 1", "sql": "x"}),
        (GENERATE, {"objects": refs(NET_REVENUE)}),
        (GENERATE, {"objects": refs(NET_REVENUE, 100207), "businessRule": "x"}),  # two schemas
        (GENERATE, {"objects": refs(NET_REVENUE), "businessRule": "x", "schemaId": 102}),
        (GENERATE, {"objects": refs(NET_REVENUE), "businessRule": "x", "connectionId": 1}),
        (GENERATE, {"objects": refs(5001, kind="oefile"), "businessRule": "x"}),
        (GENERATE, {"businessRule": "x"}),
    ],
)
async def test_generate_and_validate_reject_bad_bodies(sandbox, client, headers, path, body):
    await post_error(client, headers, path, body, 400)
    assert sandbox.state.data_quality.validation_runs == []  # refused before anything runs


async def test_create_rules_associates_reuses_skips_and_creates(sandbox, client, headers):
    objects = refs(ORDER_ID, CUSTOMER_ID, ORDER_TOTAL, LOYALTY_TIER) + refs(1011, kind="oetable")
    data = await post_data(client, headers, CREATE, {"objects": objects})
    assert data["skipped"] == [{"objectId": ORDER_ID, "reason": "it already has a Unique Check rule: Order id is unique (id 8001)"}]
    assert data["associated"] == [
        {"ruleId": 8001, "ruleName": "Order id is unique", "objectId": CUSTOMER_ID, "navLink": "#nav/dqrule?id=8001"},
        {"ruleId": 8004, "ruleName": "Amount is not negative", "objectId": ORDER_TOTAL,
         "navLink": "#nav/dqrule?id=8004"},
    ]
    tier, table = data["created"]
    assert tier == {
        "ruleId": tier["ruleId"],
        "ruleName": "Allowed Values - pos.customers.loyalty_tier",
        "objectId": LOYALTY_TIER,
        "function": "Allowed Values",
        "criteriaSource": "function_default",
        "criteriaMessage": "No business metadata for loyalty_tier; the defaults of Allowed Values apply",
        "navLink": f"#nav/dqrule?id={tier['ruleId']}",
    }
    assert 8005 < tier["ruleId"] < 8100 and table["function"] == "Row Count Check"
    assert await rules_of(client, headers, CUSTOMER_ID) == [8001]
    assert await rules_of(client, headers, LOYALTY_TIER) == [tier["ruleId"]]
    rule = sandbox.state.data_quality.rules[tier["ruleId"]]
    assert rule["criteria"] == "NOT (loyalty_tier NOT IN ('bronze', 'gold', 'silver'))" and rule["steward"] == "chloe.nguyen"
    after = await assessed(client, headers, objects=refs(CUSTOMER_ID, ORDER_TOTAL, LOYALTY_TIER))
    assert all(a["associatedToDqRule"] for a in after.values())
    assert after[LOYALTY_TIER]["recommendedRuleId"] == tier["ruleId"]
    again = await post_data(client, headers, CREATE, {"objects": objects})
    assert again["created"] == again["associated"] == [] and len(again["skipped"]) == 5


async def test_create_rules_criteria_from_business_metadata_and_duplicates_on_request(sandbox, client, headers):
    body = {
        "objects": refs(NET_REVENUE, LIFETIME_VALUE),
        "preferExistingRule": False,
        "descriptionCustomFieldName": "Business Rule",
        "supplementalCriteriaText": "Checked after the nightly load.",
    }
    revenue, lifetime = (await post_data(client, headers, CREATE, body))["created"]
    assert revenue["criteriaSource"] == "business_metadata_with_defaults"
    assert revenue["criteriaMessage"] == (
        "Criteria from the custom field 'Business Rule', supplemental criteria with the defaults of Range Check"
    )
    assert sandbox.state.data_quality.rules[revenue["ruleId"]]["criteria"] == (
        "NOT (net_revenue < 0); Zero or more; returns have lines of their own.; Checked after the nightly load."
    )
    assert lifetime["criteriaSource"] == "business_metadata_with_defaults"  # the supplemental text still applies
    plain = {"objects": refs(ORDER_ID), "preferExistingRule": False, "skipDuplicateFunctionOnObject": False}
    [second] = (await post_data(client, headers, CREATE, {**plain, "descriptionCustomFieldName": "Business Rule"}))["created"]
    assert second["ruleName"] == "Unique Check - pos.orders.order_id" and second["criteriaSource"] == "function_default"
    assert "custom field 'Business Rule' is not set" in second["criteriaMessage"]
    [third] = (await post_data(client, headers, CREATE, {**plain, "descriptionTermName": "Order"}))["created"]
    assert third["ruleName"] == "Unique Check - pos.orders.order_id (2)"
    assert sandbox.state.data_quality.rules[third["ruleId"]]["criteria"].endswith(
        "; One purchase, in a store or online, holding one or more products."
    )
    assert await rules_of(client, headers, ORDER_ID) == [8001, second["ruleId"], third["ruleId"]]
    gone = await post_data(client, headers, CREATE, {"objects": refs(ORDER_ID), "excludedFunctionNames": ["Unique Check", "Null Check"]})
    assert gone["skipped"] == [{"objectId": ORDER_ID, "reason": "no DQ function is left for it after excludedFunctionNames"}]
    limited = await post_data(client, headers, CREATE, {"objects": refs(101109, 101304), "limit": 1, "preferExistingRule": False})
    assert [c["objectId"] for c in limited["created"]] == [101109]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"objects": []},
        {"objects": refs(NET_REVENUE), "preferExistingRule": "no"},
        {"objects": refs(NET_REVENUE), "skipDuplicateFunctionOnObject": 0},
        {"objects": refs(NET_REVENUE), "descriptionTermName": "Nothing Like It"},
        {"objects": refs(NET_REVENUE), "preferredFunctionName": "SQL Values Contains"},
        {"objects": refs(NET_REVENUE), "discoverCdeColumns": True},
        {"objects": refs(NET_REVENUE), "limit": 0},
    ],
)
async def test_create_rules_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, CREATE, body, 400)


def sql_body(name="Revenue reconciles", query=RECONCILIATION, **extra):
    return {"sqlRuleName": name, "ruleQuery": query, **MART, **extra}


async def test_create_sql_rule_finds_reuses_or_creates_the_code_object(sandbox, client, headers):
    respelled = "  select abs((SELECT SUM(net_revenue) from mart.agg_daily_revenue) -\n (SELECT SUM(net_revenue) FROM mart.fct_sales))  AS revenue_difference ;"
    found = await post_data(client, headers, CREATE_SQL, sql_body(query=respelled, purpose="Close check"))
    assert found == {
        "ruleId": found["ruleId"],
        "ruleName": "Revenue reconciles",
        "function": "SQL Exact Value",
        "codeFound": True,
        "codeObjectId": 8101,
        "recommendedReuseAction": "pass codeObjectId=8101 to reuse it",
        "navLink": f"#nav/dqrule?id={found['ruleId']}",
    }
    assert found["ruleId"] in await rules_of(client, headers, 1012) and found["ruleId"] in await rules_of(client, headers, 1011)
    reused = await post_data(client, headers, CREATE_SQL, sql_body("Revenue reconciles again", codeObjectId=8101))
    assert reused["codeFound"] is True and reused["codeObjectId"] == 8101 and "recommendedReuseAction" not in reused
    query = "SELECT COUNT(*) AS unpriced FROM mart.dim_product WHERE unit_cost IS NULL"
    new = await post_data(
        client,
        headers,
        CREATE_SQL,
        sql_body("Every product has a cost", query, statsQuery="SELECT COUNT(*) AS total FROM mart.dim_product",
                 purpose="Margins need a cost", recommendedFunction="SQL Values Contains"),
    )
    assert new["codeFound"] is False and 8102 < new["codeObjectId"] < 8200 and new["function"] == "SQL Values Contains"
    code = await details_of(client, headers, new["codeObjectId"], "oequery")
    assert (code["queryText"], code["objectName"], code["schemaName"]) == (query, "Every product has a cost", "mart")
    assert code["navLink"] == f"#nav/code?browse=summary&id={new['codeObjectId']}"
    search = await post_data(client, headers, EXPLORER, {"objectType": "oequery", "search": {"searchTerms": ["every product"], "page": 1, "limit": 5}})
    assert [i["objectId"] for i in search["items"]] == [new["codeObjectId"]]
    [rule] = (await get_data(client, headers, DQ_RULES, {"ruleName": "every product has a cost"}))["rules"]
    assert rule["associatedObjects"] == [{"objectId": 1010, "objectType": "oetable", "objectName": "dim_product"}]
    assert rule["statsQuery"] == "SELECT COUNT(*) AS total FROM mart.dim_product" and rule["description"] == "Margins need a cost"
    again = await post_data(client, headers, CREATE_SQL, sql_body("Costs again", query))
    assert again["codeFound"] is True and again["codeObjectId"] == new["codeObjectId"]
    duplicate = await post_error(client, headers, CREATE_SQL, sql_body("REVENUE RECONCILES"), 409)
    assert duplicate["errorCode"] == "duplicate_rule"
    assert len(sandbox.state.data_quality.validation_runs) == 0  # creating checks the SQL, it does not run it


@pytest.mark.parametrize(
    "body",
    [
        [],
        sql_body(name=" "),
        {k: v for k, v in sql_body().items() if k != "ruleQuery"},
        sql_body(query="DELETE FROM mart.fct_sales"),
        sql_body(query="SELECT 1 FROM mart.missing"),
        sql_body(statsQuery="SELECT 1 FROM staging.stg_orders"),
        sql_body(connectionId=1),
        sql_body(recommendedFunction="Null Check"),
        sql_body(codeObjectId=8102),  # another schema and query
        sql_body(codeObjectId=1011),  # not a code object
        sql_body(codeObjectId=9999),
        sql_body(owner="me"),
    ],
)
async def test_create_sql_rule_rejects_bad_bodies(client, headers, body):
    await post_error(client, headers, CREATE_SQL, body, 400)


async def test_associate_rule_objects(sandbox, client, headers):
    body = {"dqRuleId": 8004, "objects": refs(ORDER_TOTAL, LIFETIME_VALUE)}
    data = await post_data(client, headers, ASSOCIATE, body)
    assert data == {
        "ruleId": 8004,
        "ruleName": "Amount is not negative",
        "navLink": "#nav/dqrule?id=8004",
        "associated": [
            {"objectId": ORDER_TOTAL, "objectType": "oecolumn", "objectName": "order_total"},
            {"objectId": LIFETIME_VALUE, "objectType": "oecolumn", "objectName": "lifetime_value"},
        ],
        "skipped": [],
    }
    assert await rules_of(client, headers, ORDER_TOTAL) == [8004]
    assert (await assessed(client, headers, objects=refs(LIFETIME_VALUE)))[LIFETIME_VALUE]["associatedToDqRule"] is True
    again = await post_data(client, headers, ASSOCIATE, {**body, "objects": refs(ORDER_TOTAL, NET_REVENUE)})
    assert again["skipped"] == [{"objectId": ORDER_TOTAL, "reason": "already associated"}]
    assert [o["objectId"] for o in again["associated"]] == [NET_REVENUE]
    relisted = await post_data(client, headers, ASSOCIATE, {**body, "skipAlreadyAssociated": False})
    assert len(relisted["associated"]) == 2 and relisted["skipped"] == []
    held = [o["objectId"] for o in sandbox.state.data_quality.rules[8004]["associatedObjects"]]
    assert held == [ORDER_TOTAL, LIFETIME_VALUE, NET_REVENUE]  # never twice
    for wrong, status in [
        ({"dqRuleId": 8999, "objects": refs(ORDER_TOTAL)}, 404),
        ({"dqRuleId": 8004, "objects": refs(999999)}, 404),
        ({"objects": refs(ORDER_TOTAL)}, 400),
        ({"dqRuleId": 8004}, 400),
        ({"dqRuleId": 8004, "objects": refs(ORDER_TOTAL), "skipAlreadyAssociated": "yes"}, 400),
        ({"dqRuleId": 8004, "objects": refs(3001, kind="oechart")}, 400),
    ]:
        assert (await client.post(ASSOCIATE, json=wrong, headers=headers)).status_code == status, wrong


async def test_cde_flags_and_rule_stewards_written_elsewhere_show_in_the_advisor(client, headers):
    def cde(object_id, action):
        return {"targets": [{"objectId": object_id, "objectType": "oecolumn"}], "action": action}

    await post_data(client, headers, f"{MCP}/update-cde-associations", cde(LOYALTY_TIER, "Yes"))
    await post_data(client, headers, f"{MCP}/update-cde-associations", cde(ORDER_ID, "No"))
    every = await assessed(client, headers, discoverCdeColumns=True)
    assert LOYALTY_TIER in every and ORDER_ID not in every and len(every) == 11
    assert every[LOYALTY_TIER]["isCde"] is True and every[LOYALTY_TIER]["associatedToDqRule"] is False
    steward = {"target": {"objectId": 8003, "objectType": "dqrule"}, "roleUpdates": {"steward": "femi.adeyemi"}}
    await post_data(client, headers, f"{MCP}/update-governance-roles", steward)
    [rule] = (await get_data(client, headers, DQ_RULES, {"objectId": EMAIL}))["rules"]
    assert rule["steward"] == "femi.adeyemi"
