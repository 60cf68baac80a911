"""The first-generation read routes: search-catalog, object-details, column-profile,
entity-relationships, glossary-terms, tags (sandbox/queries.py)."""

from __future__ import annotations

import pytest

from sandbox import sample_data as sd
from tests.sandbox.support import DETAILS, MCP, SEARCH, authed, get_data, names, search


async def test_search_matches_terms_and_pages(sandbox, client):
    headers = await authed(client)
    r = await search(client, headers, searchTerms=["revenue"])
    body = r.json()
    assert body["ok"] is True and body["page"] == 1 and body["limit"] == 20
    names = [i["objectName"] for i in body["items"]]
    assert names[0] == "Revenue"  # exact name match ranks first
    assert {"agg_daily_revenue", "net_revenue", "Daily Revenue Trend"} <= set(names)
    assert all(
        "revenue" in (i["objectName"] + i.get("businessDescription", "")).lower() or "Revenue" in i["terms"]
        for i in body["items"]
    )
    hit = next(i for i in body["items"] if i["objectName"] == "agg_daily_revenue")
    assert hit["navLink"] == "#nav/table?browse=summary&id=1012"
    assert {
        "objectId",
        "objectType",
        "connectionName",
        "schemaName",
        "owner",
        "steward",
        "custodian",
        "tags",
        "terms",
        "technicalDescription",
    } <= hit.keys()

    everything = (await search(client, headers, limit=100)).json()
    assert everything["total"] == len(sandbox.state.catalog.objects)
    page1 = (await search(client, headers, page=1, limit=7)).json()
    page2 = (await search(client, headers, page=2, limit=7)).json()
    assert page1["total"] == page2["total"] == everything["total"]
    ids1 = [i["objectId"] for i in page1["items"]]
    ids2 = [i["objectId"] for i in page2["items"]]
    assert len(ids1) == len(ids2) == 7 and not set(ids1) & set(ids2)
    assert ids1 + ids2 == [i["objectId"] for i in everything["items"][:14]]
    last = (await search(client, headers, page=1000, limit=7)).json()
    assert last["items"] == [] and last["total"] == everything["total"]


async def test_search_filters(sandbox, client):
    headers = await authed(client)
    tables = (await search(client, headers, objectType="oetable", limit=50)).json()
    assert tables["total"] == 13  # grown from 12: archive.fct_sales
    mart = (await search(client, headers, schemaName="MART", objectType="oetable")).json()
    assert {i["objectName"] for i in mart["items"]} == {
        "dim_customer",
        "dim_product",
        "fct_sales",
        "agg_daily_revenue",
    }
    pos = (await search(client, headers, connectionName="pos_postgres", limit=100)).json()
    assert pos["total"] > 0
    assert all(i["connectionName"] == "pos_postgres" for i in pos["items"])
    owned = (await search(client, headers, owner="ben.kim", objectType="oetable")).json()
    assert {i["objectName"] for i in owned["items"]} == {
        "customers",
        "stg_customers",
        "dim_customer",
    }
    custodian = (
        await search(client, headers, custodian="pos-dba", steward="chloe.nguyen", objectType="oetable")
    ).json()
    assert {i["objectName"] for i in custodian["items"]} == {
        "orders",
        "order_items",
        "products",
        "stores",
    }
    combined = (
        await search(
            client,
            headers,
            searchTerms=["customer"],
            connectionName="retail_snowflake",
            objectType="oecolumn",
            contextQuery="which customers are still active?",
        )
    ).json()
    assert combined["total"] > 0
    assert all(
        i["objectType"] == "oecolumn" and i["connectionName"] == "retail_snowflake" for i in combined["items"]
    )
    assert (await search(client, headers, objectType="oefile")).json()["total"] == 3  # was 0: no files


@pytest.mark.parametrize(
    "params",
    [
        {"searchTerms": "orders"},
        {"searchTerms": '{"a": 1}'},
        {"searchTerms": "[1, 2]"},
        {"page": "0"},
        {"limit": "many"},
        {"objectType": "spreadsheet"},
    ],
)
async def test_search_rejects_bad_parameters(client, params):
    headers = await authed(client)
    r = await client.get(SEARCH, params=params, headers=headers)
    assert r.status_code == 400 and r.json()["ok"] is False and r.json()["message"]


async def test_object_details_modes(client):
    headers = await authed(client)
    by_fqn = await client.get(
        DETAILS, params={"fullyQualifiedName": "retail_snowflake.mart.fct_sales"}, headers=headers
    )
    data = by_fqn.json()["data"]
    assert by_fqn.json()["ok"] is True and data["objectId"] == 1011
    assert [c["objectName"] for c in data["columns"]][:2] == ["sales_id", "order_id"]
    assert data["tags"] == ["Certified", "Finance"] and "Revenue" in data["terms"]
    by_id = await client.get(DETAILS, params={"objectId": 101105, "objectType": "oecolumn"}, headers=headers)
    assert by_id.json()["data"]["table"]["objectId"] == 1011
    for params in [
        {"objectId": 999999, "objectType": "oetable"},
        {"objectId": 1011, "objectType": "oecolumn"},
        {"fullyQualifiedName": "nowhere.nothing"},
    ]:
        missing = await client.get(DETAILS, params=params, headers=headers)
        assert missing.status_code == 404
        assert missing.json() == {"ok": False, "message": "Object not found"}
    for params in [{}, {"objectId": 1011}, {"fullyQualifiedName": "x", "objectId": 1}]:
        assert (await client.get(DETAILS, params=params, headers=headers)).status_code == 400


async def test_profile_relationships_glossary_tags(client):
    headers = await authed(client)
    profile = (
        await client.get(
            "/api/v1/mcp/column-profile",
            params={"objectId": 1001, "objectType": "oetable"},
            headers=headers,
        )
    ).json()["data"]
    assert profile["rowCount"] == 48210 and len(profile["columns"]) == 7
    phone = next(c for c in profile["columns"] if c["columnName"] == "phone")
    assert phone["nullCount"] == round(48210 * 0.41)
    key = profile["columns"][0]
    assert key["distinctCount"] == 48210 and key["nullCount"] == 0 and key["minValue"] == 1
    tier = next(c for c in profile["columns"] if c["columnName"] == "loyalty_tier")
    assert tier["distinctCount"] == 3
    assert sum(v["count"] for v in tier["topValues"]) == 48210 - tier["nullCount"]
    bad = await client.get(
        "/api/v1/mcp/column-profile",
        params={"objectId": 100101, "objectType": "oecolumn"},
        headers=headers,
    )
    assert bad.status_code == 400
    none = await client.get(
        "/api/v1/mcp/column-profile",
        params={"objectId": 1001, "objectType": "oefile"},
        headers=headers,
    )
    assert none.status_code == 404

    rel = (
        await client.get("/api/v1/mcp/entity-relationships", params={"objectId": 1002}, headers=headers)
    ).json()["data"]
    assert rel["primaryKeys"] == ["order_id"]
    pairs = {(r["fromTable"], r["fromColumn"], r["toTable"], r["direction"]) for r in rel["relationships"]}
    assert (
        "pos_postgres.pos.orders",
        "customer_id",
        "pos_postgres.pos.customers",
        "outgoing",
    ) in pairs
    assert (
        "pos_postgres.pos.order_items",
        "order_id",
        "pos_postgres.pos.orders",
        "incoming",
    ) in pairs

    term = await client.get("/api/v1/mcp/glossary-terms", params={"termName": "clv"}, headers=headers)
    data = term.json()["data"]
    assert data["objectName"] == "Customer Lifetime Value"
    assert data["navLink"] == "#nav/glossary?browse=summary&id=2003"
    assert {o["objectName"] for o in data["associatedObjects"]} >= {
        "lifetime_value",
        "dim_customer",
    }
    by_id = await client.get("/api/v1/mcp/glossary-terms", params={"objectId": 2001}, headers=headers)
    assert by_id.json()["data"]["objectName"] == "Revenue"
    both = await client.get(
        "/api/v1/mcp/glossary-terms",
        params={"objectId": 2001, "termName": "Revenue"},
        headers=headers,
    )
    assert both.status_code == 400

    pii = (await client.get("/api/v1/mcp/tags", params={"tagName": "pii"}, headers=headers)).json()["data"]
    assert pii["parentTag"]["objectName"] == "Sensitive"
    assert {o["objectName"] for o in pii["taggedObjects"]} >= {"customers", "email"}
    parent = (await client.get("/api/v1/mcp/tags", params={"objectId": 4001}, headers=headers)).json()["data"]
    assert [c["objectName"] for c in parent["childTags"]] == ["PII"]
    gone = await client.get("/api/v1/mcp/tags", params={"tagName": "Nope"}, headers=headers)
    assert gone.status_code == 404


async def test_search_catalog_takes_the_later_first_generation_facets(client, headers):
    async def hit_names(**params):
        response = await search(client, headers, limit=100, **params)
        assert response.status_code == 200, response.text
        return sorted(names(response.json()["items"]))

    assert await hit_names(serverType="S3", objectType="oefile") == [
        "customer_survey_2025.parquet",
        "daily_revenue_export.csv",
        "supplier_costs.csv",
    ]
    assert await hit_names(tags=["pii"], objectType="oetable") == ["customers"]
    assert await hit_names(terms=["Average Order Value"]) == ["agg_daily_revenue", "average_order_value"]
    assert await hit_names(customFields=["Data Owner Team=Finance"], objectType="oechart") == [
        "Daily Revenue Trend",
        "Top Products by Margin",
    ]
    assert await hit_names(dataProducts=["Revenue Reporting"], objectType="oefile") == [
        "daily_revenue_export.csv"
    ]
    assert await hit_names(classifications=["Public"]) == ["products", "stores"]
    cde = await hit_names(criticalDataElement=["Yes"], objectType="oefilecolumn")
    assert cde == ["net_revenue", "unit_cost"]
    both = await hit_names(searchTerms=["revenue"], tags=["Finance"], objectType="oecolumn")
    assert both == ["gross_margin", "net_revenue", "net_revenue", "net_revenue"]  # mart, archive
    hit = (await search(client, headers, searchTerms=["supplier_costs.csv"])).json()["items"][0]
    assert hit["objectType"] == "oefile" and hit["folder"] == "landing/suppliers"
    assert hit["certification"] == "draft" and hit["serverType"] == "s3"


@pytest.mark.parametrize(
    "key", ["tags", "terms", "customFields", "dataProducts", "classifications", "criticalDataElement"]
)
async def test_search_catalog_list_facets_must_be_json_arrays(client, headers, key):
    for bad in ["PII", '{"a": 1}', "[1]"]:
        response = await client.get(SEARCH, params={key: bad}, headers=headers)
        assert response.status_code == 400 and key in response.json()["message"]


async def test_object_details_of_files_stories_and_zones(client, headers):
    file = await get_data(
        client, headers, DETAILS, {"fullyQualifiedName": "retail_s3.exports/finance/daily_revenue_export.csv"}
    )
    assert file["objectId"] == 5002 and names(file["columns"]) == [
        "revenue_date",
        "region",
        "order_count",
        "net_revenue",
    ]
    column = await get_data(client, headers, DETAILS, {"objectId": 500204, "objectType": "oefilecolumn"})
    assert (
        column["file"]["objectId"] == 5002 and column["navLink"] == "#nav/filecolumn?browse=summary&id=500204"
    )
    assert column["businessDescription"] == sd.GLOSSARY[0]["definition"]  # from the published term Revenue
    story = await get_data(client, headers, DETAILS, {"objectId": 6001, "objectType": "oestory"})
    assert story["navLink"] == "#nav/story?id=6001" and story["storyZoneName"] == "Finance Insights"
    zone = await get_data(client, headers, DETAILS, {"objectId": 6101, "objectType": "storyzone"})
    assert names(zone["stories"]) == ["Weekly revenue reporting", "Supplier cost refresh"]
    profile = await get_data(
        client, headers, f"{MCP}/column-profile", {"objectId": 5003, "objectType": "oefile"}
    )
    assert profile["rowCount"] == 2140 and len(profile["columns"]) == 5
    email = next(c for c in profile["columns"] if c["columnName"] == "respondent_email")
    assert email["nullCount"] == round(2140 * 0.22)
