"""Regressions of `access_explorer` against OvalEdge's real wire (wire-reads.md section 6),
through `oe-mcp-local --demo`: what went over the wire, and what the agent is told.

- A connector without native access is recognised by OvalEdge's message as well as its code;
  only "who has access to this object" falls back, to the object's catalog principals, named by
  id+type or its full path, never for a source-system login.
- Native calls name the object as OvalEdge's MCP server does (objectId, fullyQualifiedName,
  objectName, object_path + object_name composed).
- scope_mode=descendants keeps the descendants' grants; a table without its schema is a choice.
- Catalog permissions are read from `effectiveAccess` / `principals` (and our former
  `permissions`), whichever the release sends.
- Membership lookups ignore object_type; list values may be comma-separated.
- Old releases: `source-system-access` and `get-user-object-access`.
"""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text
from tests.worker.test_access_wire import SOURCE_SYSTEM_ACCESS, USER_OBJECT_ACCESS
from tests.worker.test_tools_wire import ACCESS, GET, q, sent

NATIVE = {"operation": "source_system_access"}
SNOWFLAKE = {**NATIVE, "source_system": "snowflake"}
POSTGRES = {**NATIVE, "source_system": "postgres", "query_direction": "object_to_users",
            "object_type": "table", "access_intent_confirmed": "native"}
CATALOG = {"operation": "catalog_access"}
CUSTOMERS = "pos_postgres.pos.customers"  # catalog FQN of object 1001, where ben.kim is ADMIN
UNSUPPORTED_SHAPES = ("message", "code", "errorCode", "error_code")


def native(**params: Any) -> dict[str, Any]:
    return q(operation="source_system_access", **params)


def catalog(**params: Any) -> dict[str, Any]:
    return q(operation="catalog_access", **params)


async def test_an_unsupported_connector_is_recognised_by_message_or_code(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        answers = []
        for shape in UNSUPPORTED_SHAPES:
            await sandbox.set(shapes={"native_access.unsupported": shape})
            await sandbox.reset()
            result = await conn.call("access_explorer", {**POSTGRES, "object_path": CUSTOMERS})
            answers.append((shape, result, sent(await sandbox.requests())))
    for shape, result, requests in answers:
        assert requests == [
            (GET, ACCESS, native(sourceSystem="postgres", queryDirection="object_to_users", objectPath=CUSTOMERS,
                                 objectType="table")),
            (GET, ACCESS, catalog(queryDirection="object_to_principals", fullyQualifiedName=CUSTOMERS)),
        ], shape
        data = result_json(result)["data"]
        assert data["fallback"]["to"] == "catalog_access", shape
        assert "continued with operation=catalog_access" in data["advisoryMessage"]
        assert {e["principalName"] for e in data["effectiveAccess"]} >= {"ben.kim", "Data Engineers"}
        text = result_json(result)["formattedResponse"]
        assert "| ben.kim | user | ADMIN | DATA_READ |" in text and "Nothing matched" not in text


async def test_no_catalog_answer_for_a_login_nor_for_a_mismatched_connection(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"native_access.unsupported": "message"})
        login = await conn.call("access_explorer", {**NATIVE, "source_system": "postgres",
                                                    "query_direction": "user_to_objects", "username": "ben.kim"})
        login_requests = sent(await sandbox.requests())
        await sandbox.reset()
        mismatch = await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "object_to_users", "object_path": "RETAIL_DB.MART.FCT_SALES",
            "object_type": "table", "connection_id": 1, "access_intent_confirmed": "native"})
        mismatch_requests = sent(await sandbox.requests())
    assert login.is_error and len(login_requests) == 1  # user_to_objects never becomes user_to_object
    text = result_text(login)
    assert "not supported for native DAM access" in text
    assert "a source-system login is not an OvalEdge user" in text and "query_direction=user_to_object" in text
    assert mismatch.is_error and len(mismatch_requests) == 1
    assert "not a snowflake connection" in result_text(mismatch)


async def test_the_fallback_names_the_object_by_id_or_by_every_full_path(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        by_id = result_json(await conn.call("access_explorer", {**POSTGRES, "object_id": 1001}))
        by_id_requests = sent(await sandbox.requests())
        await sandbox.reset()
        composed = result_json(await conn.call("access_explorer", {**POSTGRES, "object_path": "pos_postgres.pos",
                                                                   "object_name": "customers"}))
        composed_requests = sent(await sandbox.requests())
        await sandbox.reset()
        several = result_json(await conn.call("access_explorer", {
            **POSTGRES, "object_path": f"{CUSTOMERS}, pos_postgres.pos.orders"}))
        several_requests = sent(await sandbox.requests())
    assert by_id_requests == [
        (GET, ACCESS, native(sourceSystem="postgres", queryDirection="object_to_users", objectId=1001,
                             objectType="table")),
        (GET, ACCESS, catalog(queryDirection="object_to_principals", objectId=1001, objectType="oetable")),
    ]
    assert by_id["data"]["objectId"] == 1001 and by_id["data"]["effectiveAccess"]
    assert composed_requests[0][2]["objectPath"] == CUSTOMERS and "objectName" not in composed_requests[0][2]
    assert composed["data"]["fullyQualifiedName"] == CUSTOMERS and composed["data"]["effectiveAccess"]
    assert composed_requests[1] == (GET, ACCESS, catalog(queryDirection="object_to_principals",
                                                         fullyQualifiedName=CUSTOMERS))
    assert [r[2].get("fullyQualifiedName") for r in several_requests[1:]] == [CUSTOMERS, "pos_postgres.pos.orders"]
    objects = several["data"]["objects"]
    assert several["data"]["queryDirection"] == "object_to_principals"
    assert [o["fullyQualifiedName"] for o in objects] == [CUSTOMERS, "pos_postgres.pos.orders"]
    assert "OvalEdge catalog permissions on 2 objects." in several["formattedResponse"]


async def test_native_calls_name_the_object_as_ovaledge_takes_it(tmp_path):
    who = {**SNOWFLAKE, "query_direction": "object_to_users", "object_type": "table",
           "access_intent_confirmed": "native"}
    calls = [
        {**who, "object_path": "RETAIL_DB.MART", "object_name": "FCT_SALES"},
        {**who, "object_path": "RETAIL_DB.MART.DIM_PRODUCT", "object_name": "FCT_SALES"},
        {**who, "object_id": 1011},
        {**who, "object_id": 1011, "object_name": "FCT_SALES"},
        {**who, "fully_qualified_name": "RETAIL_DB.MART.FCT_SALES"},
    ]
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        results = [result_json(await conn.call("access_explorer", args)) for args in calls]
        requests = sent(await sandbox.requests())
        report = result_json(await conn.call("access_explorer", {
            **who, "source_system": "tableau", "object_type": "report", "object_path": "Retail KPIs",
            "object_name": "Daily Revenue Trend"}))
        report_request = sent(await sandbox.requests())[len(requests):]
    base = {"sourceSystem": "snowflake", "queryDirection": "object_to_users", "objectType": "table"}
    assert [r[2] for r in requests] == [
        native(**base, objectPath="RETAIL_DB.MART.FCT_SALES"),
        native(**base, objectPath="RETAIL_DB.MART.FCT_SALES"),  # a full table path keeps db and schema
        native(**base, objectId=1011),
        native(**base, objectId=1011, objectName="FCT_SALES"),
        native(**base, objectPath="RETAIL_DB.MART.FCT_SALES", fullyQualifiedName="RETAIL_DB.MART.FCT_SALES"),
    ]
    grants = [r["data"]["grants"] for r in results]
    assert grants[0] and all(g == grants[0] for g in grants)
    assert report_request == [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="object_to_users",
                                                   objectType="report", objectPath="Retail KPIs/Daily Revenue Trend"))]
    assert {g["objectPath"] for g in report["data"]["grants"]} == {"Retail KPIs/Daily Revenue Trend"}


async def test_descendants_keep_their_grants(tmp_path):
    scope = {**SNOWFLAKE, "query_direction": "user_to_objects", "username": "gus.lindqvist",
             "object_path": "RETAIL_DB.STAGING", "object_type": "schema"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, _):
        below = result_json(await conn.call("access_explorer", {**scope, "scope_mode": "descendants"}))
        exact = result_json(await conn.call("access_explorer", scope))
    levels = {g["objectLevel"] for g in below["data"]["grants"]}
    assert levels == {"schema", "table"} and "filteredToObjectLevel" not in below["data"]
    assert "RETAIL_DB.STAGING.STG_ORDERS | table" in below["formattedResponse"]
    assert {g["objectLevel"] for g in exact["data"]["grants"]} == {"schema"}
    assert exact["data"]["filteredToObjectLevel"] == "schema"


async def test_a_table_without_its_schema_and_an_ambiguous_name_are_choices(tmp_path):
    who = {**SNOWFLAKE, "query_direction": "object_to_users", "object_type": "table",
           "access_intent_confirmed": "native"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        listed = result_json(await conn.call("access_explorer", {**who, "object_path": "FCT_SALES"}))
        await sandbox.set(shapes={"native_access.partial_path": "merged"})
        merged = result_json(await conn.call("access_explorer", {**who, "object_path": "FCT_SALES"}))
        unique = result_json(await conn.call("access_explorer", {**who, "object_path": "MART.DIM_CUSTOMER"}))
        await sandbox.set(shapes={"native_access.partial_path": "parents"})
        parents = result_json(await conn.call("access_explorer", {**who, "object_path": "FCT_SALES"}))
        named = result_json(await conn.call("access_explorer", {
            **CATALOG, "query_direction": "object_to_principals", "object_name": "fct_sales",
            "access_intent_confirmed": "catalog_acl"}))
    for answer in (listed, merged):
        data, text = answer["data"], answer["formattedResponse"]
        assert data["requiresSchemaSelection"] is True and data["grants"] == [], text
        assert [c["objectPath"] for c in data["matchCandidates"]] == ["RETAIL_DB.MART.FCT_SALES",
                                                                     "RETAIL_DB.ARCHIVE.FCT_SALES"]
        assert "Candidates: MART, ARCHIVE" in data["advisoryMessage"]
        assert "Ask the user to pick one:\n1. RETAIL_DB.MART.FCT_SALES (table, connection 2)\n" \
               "2. RETAIL_DB.ARCHIVE.FCT_SALES (table, connection 2)" in text
    assert "requiresSchemaSelection" not in unique["data"] and unique["data"]["grants"]
    # parent grants only: never shown as table access, their schemas offered instead
    assert parents["data"]["requiresSchemaSelection"] is True and parents["data"]["grants"] == []
    assert parents["data"]["schemaHints"] == ["MART", "ARCHIVE"]
    assert "1. schema MART\n2. schema ARCHIVE" in parents["formattedResponse"]
    assert "1. retail_snowflake.mart.fct_sales (oetable, objectId 1011)" in named["formattedResponse"]
    assert "2. retail_snowflake.archive.fct_sales (oetable, objectId 1013)" in named["formattedResponse"]
    assert "object_id and object_type (or fully_qualified_name)" in named["formattedResponse"]


async def test_catalog_permissions_are_shown_in_every_answer_shape(tmp_path):
    who = {**CATALOG, "query_direction": "object_to_principals", "object_id": 1011, "object_type": "oetable",
           "access_intent_confirmed": "catalog_acl"}
    mine = {**CATALOG, "query_direction": "user_to_object", "username": "eva.rossi",
            "fully_qualified_name": "retail_snowflake.mart.fct_sales"}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        shown = {}
        for shape in ("effectiveAccess", "principals", "permissions"):
            await sandbox.set(shapes={"catalog_access.entries": shape})
            shown[shape] = (result_json(await conn.call("access_explorer", who)),
                            result_json(await conn.call("access_explorer", mine)))
        story = result_json(await conn.call("access_explorer", {**who, "object_id": 6001, "object_type": "oestory"}))
    for shape, (principals, user) in shown.items():
        text = principals["formattedResponse"]
        assert "Nothing matched" not in text and "| Finance Analysts | role | META_READ | DATA_READ |" in text, shape
        assert f"6 catalog {'principal(s)' if shape == 'principals' else 'permission entr(ies)'} ({shape})" in text
        assert "OvalEdge catalog permissions on [retail_snowflake.mart.fct_sales](http" in text, shape
        assert principals["data"]["redirectUrl"].startswith("http"), shape
        assert "| eva.rossi | user | META_WRITE | DATA_READ |" in user["formattedResponse"], shape
    assert "Data story access is inherited from Story Zone 'Finance Insights'" in story["formattedResponse"]
    assert "Inherited from storyzone Finance Insights." in story["formattedResponse"]


async def test_membership_lookups_ignore_object_type_and_lists_may_be_comma_separated(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        roles = result_json(await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "user_to_roles", "username": "ana.ortiz, eva.rossi",
            "object_type": "table"}))
        several = result_json(await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "user_to_objects", "username": ["ana.ortiz", "eva.rossi, ana.ortiz"],
            "privileges": "select, usage", "object_type": "all"}))
        catalog_extra = result_json(await conn.call("access_explorer", {
            **CATALOG, "query_direction": "user_to_object", "username": "eva.rossi", "object_name": "fct_sales",
            "resolve_all_matches": True, "source_system": "snowflake", "scope_mode": "exact"}))
        requests = sent(await sandbox.requests())
    assert requests[0][2] == native(sourceSystem="snowflake", queryDirection="user_to_roles",
                                    username=["ana.ortiz", "eva.rossi"])
    assert any("ignored object_type" in note for note in roles["notes"])
    assert {p["principalName"] for p in roles["data"]["principals"]} >= {"ANALYST_FINANCE", "AUDITOR"}
    assert requests[1][2] == native(sourceSystem="snowflake", queryDirection="user_to_objects",
                                    username=["ana.ortiz", "eva.rossi"])
    assert several["data"]["filteredToPrivileges"] == ["SELECT", "USAGE"]
    assert {g["principalName"] for g in several["data"]["grants"]} == {"ana.ortiz", "eva.rossi"}
    assert requests[2][2] == catalog(queryDirection="user_to_object", username="eva.rossi", objectName="fct_sales",
                                     resolveAllMatches="true")
    assert any("ignored source_system, scope_mode" in note for note in catalog_extra["notes"])


async def test_old_releases_answer_on_their_own_access_routes(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        who = result_json(await conn.call("access_explorer", {
            **CATALOG, "query_direction": "object_to_principals", "fully_qualified_name": CUSTOMERS,
            "access_intent_confirmed": "catalog_acl"}))
        await sandbox.reset()
        grants = result_json(await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "user_to_objects", "username": "ana.ortiz", "object_type": "table"}))
        fallback = result_json(await conn.call("access_explorer", {**POSTGRES, "object_path": CUSTOMERS}))
        by_id = await conn.call("access_explorer", {**POSTGRES, "object_id": 1001})
        requests = sent(await sandbox.requests())
    assert {e["principalName"] for e in who["data"]["effectiveAccess"]} >= {"ben.kim"}
    assert requests == [
        (GET, SOURCE_SYSTEM_ACCESS, q(sourceSystem="snowflake", queryDirection="user_to_objects",
                                      username="ana.ortiz", objectType="table")),
        (GET, SOURCE_SYSTEM_ACCESS, q(sourceSystem="postgres", queryDirection="object_to_users",
                                      objectPath=CUSTOMERS, objectType="table")),
        (GET, USER_OBJECT_ACCESS, q(queryDirection="object_to_principals", fullyQualifiedName=CUSTOMERS)),
    ]
    assert {g["objectLevel"] for g in grants["data"]["grants"]} == {"table"}
    assert fallback["data"]["fallback"]["to"] == "catalog_access"
    assert by_id.is_error and "names objects by object_path only" in result_text(by_id)
