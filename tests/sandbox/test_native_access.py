"""access-explorer, source_system_access: Snowflake and Tableau native grants, memberships,
browsing, disambiguation and errors (sandbox/native_access.py, sample_access.py)."""

from __future__ import annotations

import pytest

from sandbox import sample_access as sa
from sandbox.catalog import Catalog
from tests.sandbox.support import ACCESS, get_data

CATALOG = Catalog()
GRANT_KEYS = {
    "objectPath",
    "objectLevel",
    "privileges",
    "grantMechanism",
    "principalType",
    "principalName",
    "connectionId",
}


def native(system, direction, **params):
    return {
        "operation": "source_system_access",
        "sourceSystem": system,
        "queryDirection": direction,
        **params,
    }


async def grants(client, headers, system, direction, **params) -> dict:
    data = await get_data(client, headers, ACCESS, native(system, direction, **params))
    assert data["sourceSystem"] == system and data["queryDirection"] == direction
    assert data["connectionId"] == sa.NATIVE_SYSTEMS[system]["connectionId"]
    for grant in data["grants"]:
        assert GRANT_KEYS <= grant.keys() and grant["connectionId"] == data["connectionId"]
    summary = data["summary"]
    assert summary["totalGrants"] == len(data["grants"])
    assert (
        sum(summary["byObjectLevel"].values())
        == sum(summary["byGrantMechanism"].values())
        == len(data["grants"])
    )
    return data


def rows(data) -> set[tuple]:
    return {
        (g["objectPath"], tuple(g["privileges"]), g["grantMechanism"], g["principalName"])
        for g in data["grants"]
    }


def catalog_object(system: str, path: str) -> dict | None:
    """The catalog object a native path stands for (Snowflake: below the database)."""
    if system == "snowflake":
        parts = path.split(".")[1:]
        return CATALOG.by_fqn(".".join(["retail_snowflake", *parts])) if parts else None
    project, _, report = path.partition("/")
    return CATALOG.by_fqn(f"retail_tableau.{project}.{report}") if report else None


def test_every_grant_and_membership_names_real_objects_and_principals():
    for system, spec in sa.NATIVE_SYSTEMS.items():
        connection = next(
            c for c in CATALOG.connections.values() if c["connectionId"] == spec["connectionId"]
        )
        assert connection["serverType"].lower() == system
        members = sa.NATIVE_MEMBERSHIPS[system]
        for member_type, _, container_type, _ in members:
            assert {member_type, container_type} <= {"user", *spec["principalTypes"]}
        for principal_type, _, privileges, level, path in sa.NATIVE_GRANTS[system]:
            assert principal_type in ("user", *spec["principalTypes"]) and privileges
            assert level in spec["levels"]
            if level in ("database", "project"):
                assert path in (
                    sa.SNOWFLAKE_DATABASE,
                    *{c["reportGroup"] for c in CATALOG.of_type("oechart")},
                )
            else:
                doc = catalog_object(system, path)
                name = path.rsplit("/" if system == "tableau" else ".", 1)[1]
                assert doc is not None and doc["objectName"].lower() == name.lower(), path
    users = {m for t, m, _, _ in sa.NATIVE_MEMBERSHIPS["tableau"] if t == "user"}
    assert users <= set(sa.CATALOG_USERS)  # Tableau signs in with OvalEdge's people


async def test_snowflake_user_to_objects_through_the_role_hierarchy(client, headers):
    data = await grants(client, headers, "snowflake", "user_to_objects", username="ana.ortiz")
    assert data["username"] == "ana.ortiz"
    assert rows(data) == {
        ("RETAIL_DB.MART.FCT_SALES", ("SELECT",), "role", "ana.ortiz"),
        ("RETAIL_DB.MART.AGG_DAILY_REVENUE", ("SELECT",), "role", "ana.ortiz"),
        ("RETAIL_DB.MART.DIM_PRODUCT", ("SELECT",), "role", "ana.ortiz"),
        ("RETAIL_DB", ("USAGE",), "role", "ana.ortiz"),
        ("RETAIL_DB.MART", ("USAGE",), "role", "ana.ortiz"),
    }
    usage = next(g for g in data["grants"] if g["objectPath"] == "RETAIL_DB")
    assert usage["principalType"] == "user" and usage["objectLevel"] == "database"
    assert usage["contributingRole"] == "ANALYST_BASE"
    assert usage["contributingRoles"] == ["ANALYST_FINANCE", "ANALYST_BASE"]
    assert data["summary"]["byObjectLevel"] == {"database": 1, "schema": 1, "table": 3, "column": 0}
    assert data["summary"]["byGrantMechanism"] == {"direct": 0, "group": 0, "role": 5}
    tables = await grants(
        client, headers, "snowflake", "user_to_objects", username="ana.ortiz", objectType="table"
    )
    assert {g["objectLevel"] for g in tables["grants"]} == {"table"} and len(tables["grants"]) == 3
    scoped = await grants(
        client,
        headers,
        "snowflake",
        "user_to_privileges",
        username=["gus.lindqvist", "eva.rossi"],
        objectPath="retail_db.staging",
        objectType="schema",
        scopeMode="descendants",
    )
    assert scoped["username"] == ["gus.lindqvist", "eva.rossi"]
    assert {g["principalName"] for g in scoped["grants"]} == {"gus.lindqvist"}  # eva has nothing in staging
    assert {g["objectPath"] for g in scoped["grants"]} == {
        "RETAIL_DB.STAGING",
        "RETAIL_DB.STAGING.STG_CUSTOMERS",
        "RETAIL_DB.STAGING.STG_ORDERS",
        "RETAIL_DB.STAGING.STG_PRODUCTS",
    }
    gus = next(g for g in scoped["grants"] if g["privileges"] == ["INSERT", "UPDATE"])
    assert gus["contributingRoles"] == ["SYSADMIN", "LOADER"]


async def test_snowflake_object_to_users_includes_the_ancestors(client, headers):
    data = await grants(
        client,
        headers,
        "snowflake",
        "object_to_users",
        objectPath="RETAIL_DB.MART.FCT_SALES.NET_REVENUE",
        objectType="column",
    )
    levels = {(g["principalName"], g["objectLevel"]) for g in data["grants"]}
    assert (
        ("ana.ortiz", "table") in levels
        and ("ana.ortiz", "schema") in levels
        and ("ana.ortiz", "database") in levels
    )
    assert {g["principalName"] for g in data["grants"] if g["objectLevel"] == "table"} == {
        "ana.ortiz",
        "eva.rossi",
        "gus.lindqvist",
        "svc_dbt",
        "svc_tableau",
    }
    assert all(g["principalType"] == "user" and g["objectLevel"] != "column" for g in data["grants"])
    just_ben = await grants(
        client,
        headers,
        "snowflake",
        "object_to_users",
        objectPath="RETAIL_DB.MART",
        objectType="schema",
        username="ben.kim",
    )
    assert rows(just_ben) == {
        ("RETAIL_DB.MART", ("USAGE",), "role", "ben.kim"),
        ("RETAIL_DB", ("USAGE",), "role", "ben.kim"),
    }
    below = await grants(
        client,
        headers,
        "snowflake",
        "object_to_users",
        objectPath="RETAIL_DB.ARCHIVE",
        objectType="schema",
        scopeMode="descendants",
    )
    assert {
        g["principalName"] for g in below["grants"] if g["objectPath"] == "RETAIL_DB.ARCHIVE.FCT_SALES"
    } == {"eva.rossi"}
    everything = await grants(client, headers, "snowflake", "object_to_users", scopeMode="descendants")
    assert len(everything["grants"]) > len(below["grants"])


async def test_a_table_path_missing_its_schema_that_matches_several(client, headers):
    data = await grants(
        client, headers, "snowflake", "object_to_users", objectPath="fct_sales", objectType="table"
    )
    assert data["ambiguousMatch"] is True and data["requiresSchemaSelection"] is True and data["grants"] == []
    assert data["matchCandidates"] == [
        {"objectPath": "RETAIL_DB.MART.FCT_SALES", "objectLevel": "table", "connectionId": 2},
        {"objectPath": "RETAIL_DB.ARCHIVE.FCT_SALES", "objectLevel": "table", "connectionId": 2},
    ]
    assert "resolveAllMatches" in data["advisoryMessage"]
    both = await grants(
        client,
        headers,
        "snowflake",
        "object_to_users",
        objectPath="FCT_SALES",
        objectType="table",
        resolveAllMatches="true",
    )
    assert {g["objectPath"] for g in both["grants"]} >= {
        "RETAIL_DB.MART.FCT_SALES",
        "RETAIL_DB.ARCHIVE.FCT_SALES",
    }
    unique = await grants(
        client, headers, "snowflake", "object_to_users", objectPath="mart.dim_customer", objectType="table"
    )
    assert "ambiguousMatch" not in unique and {g["principalName"] for g in unique["grants"]} >= {
        "ben.kim",
        "femi.adeyemi",
    }


async def test_browse_lists_children_level_by_level(client, headers):
    async def children(system, connection_id, **params):
        data = await grants(client, headers, system, "browse", connectionId=connection_id, **params)
        assert data["grants"] == []
        return [(c["objectPath"], c["objectLevel"], c["name"]) for c in data["children"]]

    assert await children("snowflake", 2) == [("RETAIL_DB", "database", "RETAIL_DB")]
    assert [p for p, _, _ in await children("snowflake", 2, objectPath="RETAIL_DB", objectType="schema")] == [
        "RETAIL_DB.STAGING",
        "RETAIL_DB.MART",
        "RETAIL_DB.ARCHIVE",
    ]
    assert await children("snowflake", 2, objectPath="RETAIL_DB.ARCHIVE", objectType="table") == [
        ("RETAIL_DB.ARCHIVE.FCT_SALES", "table", "FCT_SALES")
    ]
    columns = await children("snowflake", 2, objectPath="RETAIL_DB.MART.FCT_SALES", objectType="column")
    assert [n for _, _, n in columns] == [c["objectName"].upper() for c in CATALOG.column_docs(1011)]
    assert len(await children("snowflake", 2, objectPath="RETAIL_DB", objectType="table")) == 8
    assert await children("tableau", 3) == [("Retail KPIs", "project", "Retail KPIs")]
    reports = await children("tableau", 3, objectPath="Retail KPIs")
    assert [n for _, level, n in reports if level == "report"] == [
        c["objectName"] for c in CATALOG.of_type("oechart")
    ]


async def test_snowflake_memberships(client, headers):
    async def principals(direction, **params):
        data = await grants(client, headers, "snowflake", direction, **params)
        assert data["grants"] == []
        return [(p["principalType"], p["principalName"], p.get("via")) for p in data["principals"]]

    assert await principals("user_to_roles", username="EVA.ROSSI") == [
        ("role", "ANALYST_FINANCE", None),
        ("role", "AUDITOR", None),
        ("role", "ANALYST_BASE", "ANALYST_FINANCE"),
    ]
    assert await principals("role_to_users", objectPath="analyst_finance") == [
        ("user", "ana.ortiz", None),
        ("user", "eva.rossi", None),
        ("user", "svc_tableau", "REPORTING"),
    ]
    assert await principals("role_to_parent_roles", objectPath="ANALYST_BASE") == [
        ("role", "ANALYST_FINANCE", None),
        ("role", "ANALYST_MARKETING", None),
        ("role", "AUDITOR", None),
        ("role", "REPORTING", "ANALYST_FINANCE"),
    ]
    assert await principals("role_to_parent_roles", objectPath="SYSADMIN") == []


async def test_snowflake_privileges_of_roles_and_holders_of_privileges(client, headers):
    reporting = await grants(client, headers, "snowflake", "role_to_privileges", objectPath="REPORTING")
    assert all(
        g["principalType"] == "role" and g["principalName"] == "REPORTING" for g in reporting["grants"]
    )
    assert {g["grantMechanism"] for g in reporting["grants"]} == {"role"}  # REPORTING holds nothing itself
    base = next(g for g in reporting["grants"] if g["objectPath"] == "RETAIL_DB")
    assert base["contributingRole"] == "ANALYST_BASE" and base["contributingRoles"] == [
        "ANALYST_FINANCE",
        "ANALYST_BASE",
    ]
    own = await grants(
        client, headers, "snowflake", "role_to_privileges", objectPath="AUDITOR", objectType="table"
    )
    assert rows(own) == {("RETAIL_DB.ARCHIVE.FCT_SALES", ("SELECT",), "direct", "AUDITOR")}
    writers = await grants(client, headers, "snowflake", "privilege_to_roles", objectPath="insert")
    assert rows(writers) == {("RETAIL_DB.STAGING.STG_ORDERS", ("INSERT",), "direct", "LOADER")}
    users = await grants(client, headers, "snowflake", "privilege_to_users", objectPath="UPDATE")
    assert {g["principalName"] for g in users["grants"]} == {"gus.lindqvist", "svc_loader"}
    assert all(g["privileges"] == ["UPDATE"] for g in users["grants"])
    holders = await grants(client, headers, "snowflake", "privilege_to_principals", objectPath="OWNERSHIP")
    assert {g["principalName"] for g in holders["grants"]} == {"TRANSFORMER"} and len(holders["grants"]) == 9


async def test_tableau_groups_and_direct_grants(client, headers):
    dev = await grants(client, headers, "tableau", "user_to_objects", username="dev.patel")
    assert rows(dev) == {
        ("Retail KPIs", ("VIEW",), "group", "dev.patel"),
        ("Retail KPIs/Customer Lifetime Value Distribution", ("VIEW", "EXPLORE"), "direct", "dev.patel"),
    }
    via_group = next(g for g in dev["grants"] if g["grantMechanism"] == "group")
    assert via_group["contributingGroup"] == "All Users"
    assert dev["summary"]["byObjectLevel"] == {
        "database": 0,
        "schema": 0,
        "table": 0,
        "column": 0,
        "project": 1,
        "report": 1,
    }
    assert dev["summary"]["byGrantMechanism"] == {"direct": 1, "group": 1, "role": 0}
    trend = await grants(
        client,
        headers,
        "tableau",
        "object_to_users",
        objectPath="Retail KPIs/Daily Revenue Trend",
        objectType="report",
    )
    assert {(g["principalName"], g["objectLevel"]) for g in trend["grants"]} >= {
        ("chloe.nguyen", "report"),
        ("chloe.nguyen", "project"),
        ("ana.ortiz", "report"),
        ("gus.lindqvist", "project"),
    }
    by_name = await grants(
        client, headers, "tableau", "object_to_users", objectPath="Daily Revenue Trend", objectType="report"
    )
    assert by_name["grants"] == trend["grants"]
    members = await grants(client, headers, "tableau", "group_to_users", objectPath="finance viewers")
    assert [p["principalName"] for p in members["principals"]] == ["ana.ortiz", "eva.rossi"]
    groups = await grants(client, headers, "tableau", "user_to_groups", username="ben.kim")
    assert [p["principalName"] for p in groups["principals"]] == ["All Users", "Marketing Explorers"]
    publishers = await grants(client, headers, "tableau", "group_to_privileges", objectPath="Site Publishers")
    assert rows(publishers) == {("Retail KPIs", ("VIEW", "EXPLORE", "PUBLISH"), "direct", "Site Publishers")}
    publish = await grants(client, headers, "tableau", "privilege_to_groups", objectPath="PUBLISH")
    assert {g["principalName"] for g in publish["grants"]} == {"Site Publishers"}
    anyone = await grants(client, headers, "tableau", "privilege_to_principals", objectPath="publish")
    assert {(g["principalType"], g["principalName"]) for g in anyone["grants"]} == {
        ("group", "Site Publishers"),
        ("user", "chloe.nguyen"),
    }


@pytest.mark.parametrize(
    ("params", "error_code"),
    [
        (native("postgresql", "user_to_objects", username="ana.ortiz"), "mcp.source.system.unsupported"),
        (native("redshift", "browse", connectionId=2), "mcp.source.system.unsupported"),
        (native("snowflake", "browse", connectionId=1), "mcp.source.system.hint.mismatch"),
        (
            native("tableau", "user_to_objects", username="ana.ortiz", connectionId=2),
            "mcp.source.system.hint.mismatch",
        ),
        (native("snowflake", "group_to_users", objectPath="All Users"), None),
        (native("snowflake", "user_to_groups", username="ana.ortiz"), None),
        (native("snowflake", "privilege_to_groups", objectPath="SELECT"), None),
        (native("tableau", "role_to_users", objectPath="REPORTING"), None),
        (native("tableau", "group_to_roles", objectPath="All Users"), None),
        (native("snowflake", "role_to_groups", objectPath="REPORTING"), None),
        (native("snowflake", "user_to_objects"), None),
        (native("snowflake", "user_to_objects", username="nobody"), None),
        (native("snowflake", "role_to_users"), None),
        (native("snowflake", "role_to_users", objectPath="NO_SUCH_ROLE"), None),
        (native("snowflake", "privilege_to_roles", objectPath="DELETE"), None),
        (native("snowflake", "object_to_users"), None),
        (native("snowflake", "browse"), None),
        (native("snowflake", "browse", connectionId=99), None),
        (native("snowflake", "browse", connectionId="two"), None),
        (native("snowflake", "browse", connectionId=[2, 2]), None),
        (native("snowflake", "browse", connectionId=2, objectType="report"), None),
        (
            native("snowflake", "browse", connectionId=2, objectPath="RETAIL_DB.MART", objectType="database"),
            None,
        ),
        (native("snowflake", "user_to_objects", username="ana.ortiz", scopeMode="everything"), None),
        (native("snowflake", "user_to_objects", username="ana.ortiz", includeColumns="maybe"), None),
        (native("snowflake", "sideways", username="ana.ortiz"), None),
        ({"operation": "source_system_access", "queryDirection": "browse"}, None),
    ],
)
async def test_bad_source_system_requests(client, headers, params, error_code):
    response = await client.get(ACCESS, params=params, headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["ok"] is False and body["message"]
    assert body.get("code") == error_code and "errorCode" not in body  # the default: OvalEdge's `code`


async def test_an_unknown_object_path_is_not_found(client, headers):
    for params in [
        native("snowflake", "object_to_users", objectPath="RETAIL_DB.MART.NOPE", objectType="table"),
        native("tableau", "browse", connectionId=3, objectPath="Other Project"),
        native(
            "snowflake",
            "user_to_objects",
            username="ana.ortiz",
            objectPath="RETAIL_DB.MART",
            objectType="table",
        ),
    ]:
        response = await client.get(ACCESS, params=params, headers=headers)
        assert response.status_code == 404 and response.json() == {"ok": False, "message": "Object not found"}
    ignored = await grants(
        client, headers, "snowflake", "user_to_objects", username="ben.kim", includeColumns="true"
    )
    assert ignored["summary"]["byObjectLevel"]["column"] == 0  # Snowflake keeps no column grants


@pytest.mark.parametrize("key", ["code", "errorCode", "error_code", "message"])
async def test_an_unsupported_connector_answers_in_the_chosen_shape(client, headers, key):
    response = await client.post("/__sandbox/settings", json={"shapes": {"native_access.unsupported": key}})
    assert response.status_code == 200, response.text
    response = await client.get(ACCESS, params=native("postgres", "object_to_users", objectPath="pos.orders",
                                                      objectType="table"), headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert "not supported for native DAM access" in body["message"]
    assert "Continue with operation=catalog_access" in body["message"]
    codes = {k: body[k] for k in ("code", "errorCode", "error_code") if k in body}
    assert codes == ({} if key == "message" else {key: "mcp.source.system.unsupported"})
    mismatch = await client.get(ACCESS, params=native("snowflake", "browse", connectionId=1), headers=headers)
    assert "mcp.source.system.hint.mismatch" in mismatch.json().values()  # a code, whatever the switch


async def test_an_object_named_by_catalog_id_fqn_or_name(client, headers):
    by_path = await grants(client, headers, "snowflake", "object_to_users", objectPath="RETAIL_DB.MART.FCT_SALES",
                           objectType="table")
    by_id = await grants(client, headers, "snowflake", "object_to_users", objectId=1011, objectType="table")
    by_fqn = await grants(client, headers, "snowflake", "object_to_users", objectType="table",
                          fullyQualifiedName="RETAIL_DB.MART.FCT_SALES")
    assert by_path["grants"] and by_id["grants"] == by_path["grants"] == by_fqn["grants"]
    report = await grants(client, headers, "tableau", "object_to_users", objectType="report",
                          objectName="Daily Revenue Trend")
    assert {g["objectPath"] for g in report["grants"]} >= {"Retail KPIs/Daily Revenue Trend"}
    missing = await client.get(ACCESS, params=native("snowflake", "object_to_users", objectId=1099,
                                                     objectType="table"), headers=headers)
    assert missing.status_code == 404
    untyped = await client.get(ACCESS, params=native("snowflake", "object_to_users", objectId=1011),
                               headers=headers)
    assert untyped.status_code == 400 and "objectType" in untyped.json()["message"]


async def test_a_partial_path_merged_by_the_backend(client, headers):
    response = await client.post("/__sandbox/settings", json={"shapes": {"native_access.partial_path": "merged"}})
    assert response.status_code == 200, response.text
    data = await grants(client, headers, "snowflake", "object_to_users", objectPath="FCT_SALES", objectType="table")
    assert "ambiguousMatch" not in data
    assert {g["objectPath"] for g in data["grants"] if g["objectLevel"] == "table"} == {
        "RETAIL_DB.MART.FCT_SALES",
        "RETAIL_DB.ARCHIVE.FCT_SALES",
    }


async def test_a_partial_path_answered_with_parent_grants_only(client, headers):
    response = await client.post("/__sandbox/settings", json={"shapes": {"native_access.partial_path": "parents"}})
    assert response.status_code == 200, response.text
    data = await grants(client, headers, "snowflake", "object_to_users", objectPath="FCT_SALES", objectType="table")
    assert "ambiguousMatch" not in data and data["grants"]
    assert {g["objectLevel"] for g in data["grants"]} == {"database", "schema"}
