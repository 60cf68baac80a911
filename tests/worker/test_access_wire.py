"""`access_explorer` through `oe-mcp-local --demo`: every query direction's exact request on a
current OvalEdge and on an old one (the first-generation `source-system-access` and
`get-user-object-access`), the who-has-access intent gate, the checks made before any call,
ambiguity, and the catalog fallback for a source system OvalEdge has no native access for.

The sandbox's access data (sandbox/sample_access.py): catalog roles such as Finance Analysts,
Snowflake roles ANALYST_BASE < ANALYST_FINANCE < REPORTING and users ana.ortiz, eva.rossi, ...;
Tableau groups (All Users, Finance Viewers, ...) on project Retail KPIs.
"""

from __future__ import annotations

from typing import Any

from tests.harness import demo_supervisor, result_json, result_text
from tests.worker.test_tools_wire import ACCESS, API, GET, Case, Request, q, sent

FCT_SALES = 1011  # mart.fct_sales
CATALOG = {"operation": "catalog_access"}
NATIVE = {"operation": "source_system_access"}
SNOWFLAKE = {**NATIVE, "source_system": "snowflake"}
TABLEAU = {**NATIVE, "source_system": "tableau"}
SOURCE_SYSTEM_ACCESS, USER_OBJECT_ACCESS = f"{API}/source-system-access", f"{API}/get-user-object-access"


def first_generation(requests: list[Request]) -> list[Request]:
    """The same questions as an old OvalEdge takes them: its own route per operation, no
    `operation` (constants @94334ab2; data_access_management.py @5d2636fc)."""
    return [(method, SOURCE_SYSTEM_ACCESS if query["operation"] == "source_system_access" else USER_OBJECT_ACCESS,
             {k: v for k, v in query.items() if k != "operation"}) for method, _, query in requests]


def native(**params: Any) -> dict[str, Any]:
    return q(operation="source_system_access", **params)


def catalog(**params: Any) -> dict[str, Any]:
    return q(operation="catalog_access", **params)


CASES: list[Case] = [
    Case("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": "eva.rossi",
                             "fully_qualified_name": "retail_snowflake.mart.fct_sales"},
         [(GET, ACCESS, catalog(queryDirection="user_to_object", username="eva.rossi",
                                fullyQualifiedName="retail_snowflake.mart.fct_sales"))], []),
    Case("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": ["eva.rossi"],
                             "object_id": FCT_SALES, "object_type": "oetable"},
         [(GET, ACCESS, catalog(queryDirection="user_to_object", username="eva.rossi", objectId=FCT_SALES,
                                objectType="oetable"))], []),
    Case("access_explorer", {**CATALOG, "query_direction": "object_to_principals", "object_name": "fct_sales",
                             "resolve_all_matches": True, "access_intent_confirmed": "catalog_acl"},
         [(GET, ACCESS, catalog(queryDirection="object_to_principals", objectName="fct_sales",
                                resolveAllMatches="true"))], []),
    Case("access_explorer", {**CATALOG, "query_direction": "object_to_principals",
                             "fully_qualified_name": "retail_snowflake.mart.fct_sales",
                             "access_intent_confirmed": "catalog_acl"},
         [(GET, ACCESS, catalog(queryDirection="object_to_principals",
                                fullyQualifiedName="retail_snowflake.mart.fct_sales"))], []),
    Case("access_explorer", {**SNOWFLAKE, "source_system": "Snowflake", "query_direction": "user_to_objects",
                             "username": "ana.ortiz", "object_type": "oetable"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="user_to_objects",
                               username="ana.ortiz", objectType="table"))], [], key="ana"),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users",
                             "object_path": "RETAIL_DB.MART.FCT_SALES", "object_type": "table",
                             "include_columns": True, "connection_id": 2, "access_intent_confirmed": "native"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="object_to_users",
                               objectPath="RETAIL_DB.MART.FCT_SALES", objectType="table", includeColumns="true",
                               connectionId=2))], [], key="who"),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users", "object_path": "RETAIL_DB.MART",
                             "object_type": "schema", "scope_mode": "descendants",
                             "access_intent_confirmed": "native"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="object_to_users",
                               objectPath="RETAIL_DB.MART", objectType="schema", scopeMode="descendants"))],
         []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "browse", "connection_id": [2],
                             "object_path": "RETAIL_DB", "object_type": "schema"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="browse", objectPath="RETAIL_DB",
                               objectType="schema", connectionId=2))], [], key="browse"),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "role_to_users", "object_name": "ANALYST_FINANCE"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="role_to_users",
                               objectPath="ANALYST_FINANCE"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_roles",
                             "username": ["ana.ortiz", "eva.rossi"]},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="user_to_roles",
                               username=["ana.ortiz", "eva.rossi"]))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "role_to_parent_roles",
                             "object_path": "ANALYST_BASE"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="role_to_parent_roles",
                               objectPath="ANALYST_BASE"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "role_to_privileges", "object_path": "LOADER"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="role_to_privileges",
                               objectPath="LOADER"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_privileges", "username": "gus.lindqvist"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="user_to_privileges",
                               username="gus.lindqvist"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "privilege_to_roles", "object_path": "OWNERSHIP"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="privilege_to_roles",
                               objectPath="OWNERSHIP"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "privilege_to_users", "object_name": "SELECT"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="privilege_to_users",
                               objectPath="SELECT"))], []),
    Case("access_explorer", {**SNOWFLAKE, "query_direction": "privilege_to_principals",
                             "object_path": "INSERT"},
         [(GET, ACCESS, native(sourceSystem="snowflake", queryDirection="privilege_to_principals",
                               objectPath="INSERT"))], []),
    Case("access_explorer", {**TABLEAU, "query_direction": "user_to_objects", "username": "ben.kim",
                             "object_type": "all"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="user_to_objects", username="ben.kim"))],
         []),
    Case("access_explorer", {**TABLEAU, "query_direction": "group_to_users", "object_path": "Finance Viewers"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="group_to_users",
                               objectPath="Finance Viewers"))], []),
    Case("access_explorer", {**TABLEAU, "query_direction": "user_to_groups", "username": "eva.rossi"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="user_to_groups", username="eva.rossi"))],
         []),
    Case("access_explorer", {**TABLEAU, "query_direction": "group_to_privileges",
                             "object_path": "Marketing Explorers"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="group_to_privileges",
                               objectPath="Marketing Explorers"))], []),
    Case("access_explorer", {**TABLEAU, "query_direction": "privilege_to_groups", "object_path": "PUBLISH"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="privilege_to_groups",
                               objectPath="PUBLISH"))], []),
    Case("access_explorer", {**TABLEAU, "query_direction": "object_to_users",
                             "object_path": "Retail KPIs/Daily Revenue Trend", "object_type": "report",
                             "access_intent_confirmed": "native"},
         [(GET, ACCESS, native(sourceSystem="tableau", queryDirection="object_to_users",
                               objectPath="Retail KPIs/Daily Revenue Trend", objectType="report"))],
         []),
]

for _case in CASES:  # an old OvalEdge is asked the same, on its own routes
    _case.legacy = first_generation(_case.current)

INVALID_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("access_explorer", {"query_direction": "user_to_object"}, ["missing required argument: operation"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_objects", "username": "x"},
     ["not a catalog_access direction", "user_to_object or object_to_principals"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_object", "username": "x"},
     ["not a source_system_access direction", "user_to_objects", "privilege_to_principals"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": "x",
                         "source_system": "snowflake"},
     ["user_to_object needs the object: provide object_id+object_type, fully_qualified_name, or object_name"]),
    ("access_explorer", {**CATALOG, "query_direction": "object_to_principals", "object_id": 3,
                         "object_type": "oetable", "object_name": "fct_sales", "access_intent_confirmed": "catalog_acl"},
     ["use only one object resolution mode at a time", "object_id+object_type and object_name"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_object"}, ["user_to_object needs username"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": ["a", "b"]},
     ["username takes one value per call"]),
    ("access_explorer", {**CATALOG, "query_direction": "object_to_principals",
                         "access_intent_confirmed": "catalog_acl"}, ["object_to_principals needs the object"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": "x", "object_id": 3},
     ["object_id goes with object_type"]),
    ("access_explorer", {**CATALOG, "query_direction": "user_to_object", "username": "x", "object_id": 3,
                         "object_type": "table"}, ["object_type='table' is not allowed for catalog_access",
                                                   "oetable", "connection"]),
    ("access_explorer", {**NATIVE, "query_direction": "user_to_objects", "username": "x"},
     ["needs source_system"]),
    ("access_explorer", {**NATIVE, "source_system": ["snowflake", "tableau"], "query_direction": "user_to_roles",
                         "username": "x"}, ["source_system=['snowflake', 'tableau'] must be of type string"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "browse", "connection_id": [2, 3],
                         "object_type": "schema"}, ["connection_id takes one value per call"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "browse", "object_type": "schema"},
     ["browse needs connection_id"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users", "scope_mode": "descendants",
                         "access_intent_confirmed": "native"},
     ["scope_mode=descendants needs object_path", "or connection_id"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users", "access_intent_confirmed": "native"},
     ["object_to_users needs object_path"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_objects", "username": "x",
                         "object_path": "RETAIL_DB.MART"}, ["object_path needs object_type"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_objects"}, ["user_to_objects needs username"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "role_to_users"},
     ["role_to_users needs the role name in object_path or object_name"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "group_to_users", "object_path": "G"},
     ["snowflake has no groups", "role_to_users"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_objects", "username": "x",
                         "object_type": "view"}, ["object_type='view' is not a native access level",
                                                  "database, schema, table, column, project, report, all"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_objects", "username": "x", "object_id": 3},
     ["object_id needs object_type, the native level of the object"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "user_to_objects", "username": "x",
                         "scope_mode": "everything"}, ["scope_mode='everything' is not allowed", "exact, descendants"]),
    # the who-has-access gate, before any call: no intent, or the other one
    ("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users",
                         "object_path": "RETAIL_DB.MART.FCT_SALES", "object_type": "table"},
     ["object_to_users needs the user's choice", "1 = native source access", "2 = OvalEdge catalog permissions",
      "access_intent_confirmed=native (1) or catalog_acl (2)"]),
    ("access_explorer", {**SNOWFLAKE, "query_direction": "object_to_users",
                         "object_path": "RETAIL_DB.MART.FCT_SALES", "object_type": "table",
                         "access_intent_confirmed": "catalog_acl"},
     ["is the other meaning: use operation=catalog_access with object_to_principals"]),
    ("access_explorer", {**CATALOG, "query_direction": "object_to_principals", "object_name": "fct_sales"},
     ["object_to_principals needs the user's choice", "1 = native source access"]),
]


async def test_every_direction_sends_its_exact_request_on_current_and_first_generation_routes(tmp_path):
    async with demo_supervisor(tmp_path / "now.sock") as (conn, sandbox):
        now = []
        for case in CASES:
            await sandbox.reset()
            now.append((await conn.call(case.tool, case.args), sent(await sandbox.requests())))
    async with demo_supervisor(tmp_path / "old.sock", api="legacy") as (conn, sandbox):
        old = []
        for case in CASES:
            await sandbox.reset()
            old.append((await conn.call(case.tool, case.args), sent(await sandbox.requests())))
    for case, (result, requests) in zip(CASES, now, strict=True):
        assert requests == case.current, (case.args, requests)
        data = result_json(result)
        assert data["ok"] is True and data["formattedResponse"], case.args
    attempted = old[0][1][:1]
    assert [path for _, path, _ in attempted] == [ACCESS]  # asked once, then remembered
    for n, (case, (result, requests)) in enumerate(zip(CASES, old, strict=True)):
        assert requests[1 if n == 0 else 0:] == case.legacy, (case.args, requests)
        assert result_json(result)["formattedResponse"], case.args
    for (a, _), (b, _) in zip(now, old, strict=True):  # the same answers through either generation
        assert unlinked(result_json(a)["data"]) == unlinked(result_json(b)["data"])


def unlinked(data: Any) -> Any:
    """An answer without its absolute links (each supervisor's sandbox has its own port)."""
    if isinstance(data, dict):
        return {k: unlinked(v) for k, v in data.items() if k != "redirectUrl"}
    return [unlinked(v) for v in data] if isinstance(data, list) else data


async def test_invalid_arguments_and_the_intent_gate_make_no_call(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for tool, args, fragments in INVALID_CASES:
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error and text.startswith(f"Invalid arguments for {tool}: "), (args, text)
            for fragment in fragments:
                assert fragment in text, (args, fragment, text)
        who = next(c for c in CASES if c.key == "who").args
        unconfirmed = {key: value for key, value in who.items() if key != "access_intent_confirmed"}
        gated = await conn.call("access_explorer", unconfirmed)
        assert await sandbox.requests() == []
        structured = gated.structured_content
        assert structured["error_code"] == "ACCESS_INTENT_REQUIRED" and structured["accessIntentRequired"] == "native"
        assert structured["requiredIntent"] == "native" and structured["queryDirection"] == "object_to_users"
        assert structured["advisoryMessage"] == structured["formattedResponse"]
        assert "1 = native" in structured["advisoryMessage"]
        confirmed = result_json(await conn.call("access_explorer", who))
        assert [r[1] for r in sent(await sandbox.requests())] == [ACCESS]
    grants = confirmed["data"]["grants"]
    assert grants and {g["objectPath"] for g in grants} == {"RETAIL_DB.MART.FCT_SALES"}
    # the ancestors' grants OvalEdge adds are kept back as the reference does: table access only
    assert confirmed["data"]["filteredToObjectLevel"] == "table" and "grants at table level" in confirmed["notes"][0]


async def test_grants_are_shaped_filtered_and_explained(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        ana = result_json(await conn.call("access_explorer", next(c for c in CASES if c.key == "ana").args))
        select_only = result_json(await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "user_to_objects", "username": "ana.ortiz", "privileges": "select"}))
        browse = result_json(await conn.call("access_explorer", next(c for c in CASES if c.key == "browse").args))
        ambiguous = result_json(await conn.call("access_explorer", {
            **SNOWFLAKE, "query_direction": "object_to_users", "object_path": "FCT_SALES",
            "object_type": "table", "access_intent_confirmed": "native"}))
        fallback = result_json(await conn.call("access_explorer", {
            **NATIVE, "source_system": "postgresql", "query_direction": "object_to_users",
            "object_path": "pos_postgres.pos.customers", "object_type": "table", "access_intent_confirmed": "native"}))
        requests = sent(await sandbox.requests())

    tables = ana["data"]["grants"]
    assert tables and {g["objectLevel"] for g in tables} == {"table"}
    sales = next(g for g in tables if g["objectPath"] == "RETAIL_DB.MART.FCT_SALES")
    assert "SELECT" in sales["privileges"] and sales["grantMechanism"] == "role"
    assert ana["data"]["summary"]["totalGrants"] == len(tables)
    assert "| RETAIL_DB.MART.FCT_SALES | table | SELECT |" in ana["formattedResponse"]

    assert select_only["data"]["grants"] and all("SELECT" in g["privileges"] for g in select_only["data"]["grants"])
    assert select_only["notes"] == [f"kept the {len(select_only['data']['grants'])} grants with SELECT"]

    assert {c["objectLevel"] for c in browse["data"]["children"]} == {"schema"}
    assert ambiguous["data"]["ambiguousMatch"] is True and len(ambiguous["data"]["matchCandidates"]) >= 2
    assert all(c["objectPath"] in ambiguous["formattedResponse"] for c in ambiguous["data"]["matchCandidates"])

    assert fallback["data"]["fallback"]["to"] == "catalog_access"
    assert fallback["formattedResponse"].startswith("Connector type is not supported for native DAM access")
    assert {e["principalName"] for e in fallback["data"]["effectiveAccess"]} >= {"ben.kim"}
    assert "| ben.kim | user | ADMIN |" in fallback["formattedResponse"]
    assert [r[2]["operation"] for r in requests[-2:]] == ["source_system_access", "catalog_access"]
