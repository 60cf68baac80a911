"""access-explorer, catalog_access: OvalEdge's own permissions, inherited from schema and
connection, per user or per object (sandbox/access.py, sample_access.py), in the evidenced shape:
the object at the top of `data` (identity, `redirectUrl`, `inheritedFrom`), the entries under
`effectiveAccess` (or, by shape switch, `principals` or our former `permissions`)."""

from __future__ import annotations

import pytest

from sandbox import sample_access as sa
from sandbox.access import SECURED_TYPES, authorized_roles
from sandbox.catalog import Catalog
from tests.sandbox.support import ACCESS, get_data

CATALOG = Catalog()
ENTRY_KEYS = {
    "principalName",
    "principalType",
    "metadataPermission",
    "dataPermission",
    "grantSources",
    "contributingRoles",
}


def catalog_access(**params):
    return {"operation": "catalog_access", **params}


def by_principal(permissions: list[dict]) -> dict[str, tuple]:
    return {
        p["principalName"]: (p["metadataPermission"], p["dataPermission"], p.get("inheritedFrom"))
        for p in permissions
    }


def test_every_permission_names_real_principals_objects_and_connections():
    assert sa.PUBLIC_ROLE in sa.CATALOG_ROLES
    for roles in sa.CATALOG_USERS.values():
        assert set(roles) <= set(sa.CATALOG_ROLES)
    entries = [(CATALOG.objects[o]["objectType"], *rest) for o, *rest in sa.OBJECT_PERMISSIONS]
    entries += [("connection", *rest) for c, *rest in sa.CONNECTION_PERMISSIONS if c in CATALOG.connections]
    assert len(entries) == len(sa.OBJECT_PERMISSIONS) + len(sa.CONNECTION_PERMISSIONS)
    for kind, principal_type, name, metadata, data in entries:
        assert kind in (*SECURED_TYPES, "connection")
        assert name in (sa.CATALOG_ROLES if principal_type == "role" else sa.CATALOG_USERS)
        assert metadata in sa.METADATA_PERMISSIONS and data in sa.DATA_PERMISSIONS
    for story in CATALOG.of_type("oestory"):  # a story's readers: the roles let in on it or its zone
        expected = {
            name
            for object_id, principal_type, name, *permission in sa.OBJECT_PERMISSIONS
            if object_id in (story["objectId"], story["storyZoneId"])
            and principal_type == "role"
            and permission != ["NO_ACCESS", "NO_ACCESS"]
        }
        assert set(authorized_roles(CATALOG, story)) == expected


async def test_object_to_principals_inherits_per_principal(client, headers):
    data = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(queryDirection="object_to_principals", objectId=1011, objectType="oetable"),
    )
    assert data["operation"] == "catalog_access" and data["queryDirection"] == "object_to_principals"
    assert {k: data[k] for k in ("objectId", "objectType", "objectName", "fullyQualifiedName", "redirectUrl")} == {
        "objectId": 1011,
        "objectType": "oetable",
        "objectName": "fct_sales",
        "fullyQualifiedName": "retail_snowflake.mart.fct_sales",
        "redirectUrl": "#nav/table?browse=summary&id=1011",
    }
    assert "inheritedFrom" not in data and "permissions" not in data
    assert all(ENTRY_KEYS <= p.keys() and "objectId" not in p for p in data["effectiveAccess"])
    mart = {"objectType": "oeschema", "objectName": "mart"}
    connection = {"objectType": "connection", "objectName": "retail_snowflake"}
    assert by_principal(data["effectiveAccess"]) == {
        "Data Stewards": ("META_WRITE", "DATA_READ", None),  # the table's own beats the schema's
        "eva.rossi": ("META_WRITE", "DATA_READ", None),
        "Finance Analysts": ("META_READ", "DATA_READ", mart),
        "Marketing Analysts": ("META_READ", "DATA_READ", mart),
        "OE_PUBLIC": ("META_READ", "NO_ACCESS", connection),
        "Data Engineers": ("META_WRITE", "DATA_WRITE", connection),
    }
    user = next(p for p in data["effectiveAccess"] if p["principalType"] == "user")
    assert user["grantSources"] == ["direct"] and user["contributingRoles"] == []
    role = next(p for p in data["effectiveAccess"] if p["principalName"] == "Finance Analysts")
    assert role["grantSources"] == ["role"] and role["contributingRoles"] == ["Finance Analysts"]


async def test_no_access_entries_take_a_permission_away_below_them(client, headers):
    async def principals(**where):
        data = await get_data(
            client, headers, ACCESS, catalog_access(queryDirection="object_to_principals", **where)
        )
        return by_principal(data["effectiveAccess"])

    archive = await principals(fullyQualifiedName="retail_snowflake.archive.fct_sales.net_revenue")
    assert set(archive) == {"Finance Analysts", "Data Engineers"}  # OE_PUBLIC is shut out at the schema
    assert archive["Finance Analysts"][2] == {"objectType": "oeschema", "objectName": "archive"}
    files = await principals(objectName="daily_revenue_export.csv")
    assert set(files) == {"Finance Analysts", "Data Engineers"}
    story = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(queryDirection="object_to_principals", objectId=6001, objectType="oestory"),
    )
    assert story["inheritedFrom"] == {"objectType": "storyzone", "objectName": "Finance Insights"}
    zone_only = await principals(objectId=6001, objectType="oestory")
    assert zone_only == {
        "Finance Analysts": (
            "META_READ",
            "NO_ACCESS",
            {"objectType": "storyzone", "objectName": "Finance Insights"},
        ),
        "Data Stewards": (
            "META_WRITE",
            "NO_ACCESS",
            {"objectType": "storyzone", "objectName": "Finance Insights"},
        ),
    }


async def test_user_to_object_combines_the_users_own_and_its_roles(client, headers):
    async def permissions(user, **where):
        data = await get_data(
            client, headers, ACCESS, catalog_access(queryDirection="user_to_object", username=user, **where)
        )
        assert data["username"] == user.lower()
        return data["effectiveAccess"]

    [eva] = await permissions("Eva.Rossi", objectId=1011, objectType="oetable")
    assert (eva["principalType"], eva["principalName"]) == ("user", "eva.rossi")
    assert (eva["metadataPermission"], eva["dataPermission"]) == ("META_WRITE", "DATA_READ")
    assert eva["grantSources"] == ["direct", "role"] and "inheritedFrom" not in eva
    assert eva["contributingRoles"] == ["Finance Analysts", "OE_PUBLIC"]
    [femi] = await permissions("femi.adeyemi", objectId=1009, objectType="oetable")
    assert (femi["metadataPermission"], femi["dataPermission"]) == ("META_READ", "DATA_READ")
    assert femi["inheritedFrom"] == {"objectType": "oeschema", "objectName": "mart"}
    [finance_on_customers] = await permissions("ana.ortiz", objectName="dim_customer")
    assert (
        finance_on_customers["dataPermission"] == "DATA_PREVIEW"
    )  # Data Stewards' preview beats Finance's none
    assert await permissions("femi.adeyemi", objectName="supplier_costs.csv") == []
    listing = await permissions("femi.adeyemi")
    listed = {(p["objectType"], p["objectName"]) for p in listing}
    assert ("oefile", "customer_survey_2025.parquet") in listed and (
        "oestory",
        "Customer 360 onboarding",
    ) in listed
    assert ("oeschema", "archive") not in listed and ("oestory", "Weekly revenue reporting") not in listed
    assert not {t for t, _ in listed} & {"oecolumn", "oefilecolumn"}
    columns = await permissions("gus.lindqvist", objectType="oefilecolumn")
    assert len(columns) == 14 and {p["dataPermission"] for p in columns} == {"DATA_READ"}


async def test_an_ambiguous_object_name(client, headers):
    data = await get_data(
        client, headers, ACCESS, catalog_access(queryDirection="object_to_principals", objectName="fct_sales")
    )
    assert data["ambiguousMatch"] is True and data["effectiveAccess"] == [] and "objectId" not in data
    assert [c["fullyQualifiedName"] for c in data["matchCandidates"]] == [
        "retail_snowflake.mart.fct_sales",
        "retail_snowflake.archive.fct_sales",
    ]
    assert "resolveAllMatches" in data["advisoryMessage"]
    many = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(queryDirection="object_to_principals", objectName="customer_id"),
    )
    assert len(many["matchCandidates"]) == 5
    every = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(
            queryDirection="object_to_principals", objectName="fct_sales", resolveAllMatches="true"
        ),
    )
    assert {p["objectId"] for p in every["effectiveAccess"]} == {1011, 1013} and "objectId" not in every
    one_type = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(
            queryDirection="user_to_object",
            username="ana.ortiz",
            objectName="net_revenue",
            objectType="oefilecolumn",
        ),
    )
    assert one_type["objectId"] == 500204 and one_type["objectType"] == "oefilecolumn"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"operation": "acl"}, 400),
        ({"operation": "catalog_access"}, 400),
        (catalog_access(queryDirection="user_to_objects", username="ana.ortiz"), 400),
        (catalog_access(queryDirection="user_to_object"), 400),
        (catalog_access(queryDirection="user_to_object", username="nobody"), 400),
        (catalog_access(queryDirection="object_to_principals"), 400),
        (catalog_access(queryDirection="object_to_principals", objectId=1011), 400),
        (catalog_access(queryDirection="object_to_principals", objectId=1011, objectType="table"), 400),
        (catalog_access(queryDirection="object_to_principals", objectId=2001, objectType="glossary"), 400),
        (catalog_access(queryDirection="object_to_principals", objectId=0, objectType="oetable"), 400),
        (
            catalog_access(
                queryDirection="object_to_principals",
                objectId=1011,
                objectType="oetable",
                objectName="fct_sales",
            ),
            400,
        ),
        (
            catalog_access(
                queryDirection="object_to_principals", objectName="fct_sales", resolveAllMatches="y"
            ),
            400,
        ),
        (catalog_access(queryDirection="object_to_principals", objectId=1099, objectType="oetable"), 404),
        (catalog_access(queryDirection="object_to_principals", fullyQualifiedName="nowhere.nothing"), 404),
        (catalog_access(queryDirection="user_to_object", username="ana.ortiz", objectName="Revenue"), 404),
    ],
)
async def test_bad_catalog_access_requests(client, headers, params, status):
    response = await client.get(ACCESS, params=params, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["ok"] is False


@pytest.mark.parametrize(
    ("shape", "key_for_principals", "key_for_user"),
    [
        ("effectiveAccess", "effectiveAccess", "effectiveAccess"),
        ("principals", "principals", "effectiveAccess"),
        ("permissions", "permissions", "permissions"),
    ],
)
async def test_the_entries_key_follows_the_shape_switch(client, headers, shape, key_for_principals, key_for_user):
    response = await client.post("/__sandbox/settings", json={"shapes": {"catalog_access.entries": shape}})
    assert response.status_code == 200, response.text
    who = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(queryDirection="object_to_principals", objectId=1011, objectType="oetable"),
    )
    mine = await get_data(
        client,
        headers,
        ACCESS,
        catalog_access(queryDirection="user_to_object", username="eva.rossi", objectId=1011, objectType="oetable"),
    )
    assert len(who[key_for_principals]) == 6 and len(mine[key_for_user]) == 1
    others = {"effectiveAccess", "principals", "permissions"}
    assert not (others - {key_for_principals}) & who.keys() and not (others - {key_for_user}) & mine.keys()
    assert who["objectId"] == mine["objectId"] == 1011
