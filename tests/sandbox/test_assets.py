"""The current catalog routes: asset-explorer (search, facets, sort, glossary and tag lookups) and
asset-details (sandbox/assets.py, facets.py, search.py)."""

from __future__ import annotations

import json

import pytest

from sandbox.catalog import Catalog
from sandbox.facets import LIST_FACETS, RANGE_FACETS
from tests.sandbox.support import ASSET_DETAILS, EXPLORER, MCP, SEARCH, names, post_data

CATALOG = Catalog()


def body(terms=None, page=1, limit=50, **top):
    return {"search": {"searchTerms": terms or [], "page": page, "limit": limit}, **top}


async def explore_all(client, headers, **top) -> list[dict]:
    """Every hit of an asset-explorer search, over all pages."""
    hits, page = [], 1
    while True:
        data = await post_data(client, headers, EXPLORER, body(page=page, **top))
        hits += data["items"]
        if page * 50 >= data["total"]:
            assert len(hits) == data["total"]
            return hits
        page += 1


def held(doc: dict, field: str) -> list[str]:
    value = doc.get(field)
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def holding(field: str, value: str) -> set[int]:
    """Ids of the sample documents whose `field` has `value` (the data, read directly)."""
    return {
        d["objectId"]
        for d in CATALOG.objects.values()
        if value.lower() in (h.lower() for h in held(d, field))
    }


async def test_search_answers_like_search_catalog_plus_the_envelope(client, headers):
    data = await post_data(
        client,
        headers,
        EXPLORER,
        {"search": {"searchTerms": ["revenue"], "contextQuery": "daily figures", "page": 1, "limit": 10}},
    )
    assert data["page"] == 1 and data["limit"] == 10 and "glossaryTerms" not in data and "tags" not in data
    first_generation = await client.get(
        SEARCH,
        params={"searchTerms": '["revenue"]', "contextQuery": "daily figures", "limit": 10},
        headers=headers,
    )
    assert data["items"] == first_generation.json()["items"]
    assert data["total"] == first_generation.json()["total"]
    table = next(i for i in data["items"] if i["objectName"] == "agg_daily_revenue")
    assert table["certification"] == "certified" and table["tableType"] == "TABLE"
    assert {"dqIndex", "popularity", "rating", "curationScore", "nullDensity", "rowCount"} <= table.keys()


@pytest.mark.parametrize("key", [k for k in LIST_FACETS if k not in ("customFields", "termStatus")])
async def test_every_list_facet_hits_what_the_data_says(client, headers, key):
    values = sorted({v for doc in CATALOG.objects.values() for v in held(doc, key)})
    for value in values:
        hits = await explore_all(client, headers, filters={key: [value.upper()]})
        assert {h["objectId"] for h in hits} == holding(key, value), (key, value)


async def test_list_facets_by_hand(client, headers):
    async def hit_names(**filters):
        return sorted(names(await explore_all(client, headers, filters=filters)))

    assert await hit_names(tableType=["VIEW"]) == ["stg_customers", "stg_products"]
    assert await hit_names(certification=["certified"], tableType=["TABLE"]) == [
        "agg_daily_revenue",
        "dim_customer",
        "dim_product",
        "fct_sales",
        "fct_sales",
    ]
    assert await hit_names(termStatus=["Draft"]) == ["Churned Customer"]
    assert await hit_names(customFields=["Data Owner Team=Purchasing"]) == ["supplier_costs.csv"]
    assert await hit_names(customFields=["Refresh Schedule"], tableType=["TABLE"]) == [
        "agg_daily_revenue",
        "dim_customer",
        "dim_product",
        "fct_sales",
    ]
    pii = await hit_names(classifications=["pii"])
    assert pii == sorted(
        ["customers", "customer_survey_2025.parquet", "email", "full_name", "phone", "respondent_email"]
    )
    assert await hit_names(dataProducts=["Customer 360"], reportType=["Dashboard"]) == [
        "Active Customers by Region"
    ]
    assert await hit_names(tags=["PII"], terms=["Revenue"]) == []  # facets combine with AND


async def test_text_facets(client, headers):
    snowflake = await explore_all(client, headers, filters={"serverType": "snowflake"})
    assert snowflake and all(h["serverType"] == "snowflake" for h in snowflake)
    assert {h["objectId"] for h in snowflake} == {
        d["objectId"] for d in CATALOG.objects.values() if d.get("connectionName") == "retail_snowflake"
    }
    folder = await explore_all(client, headers, filters={"folder": "LANDING/SUPPLIERS"}, objectType="oefile")
    assert names(folder) == ["supplier_costs.csv"]
    report_group = await explore_all(client, headers, filters={"reportGroup": "Retail KPIs"})
    assert {h["objectType"] for h in report_group} == {"oechart"} and len(report_group) == 4
    assert await explore_all(client, headers, filters={"apiGroup": "anything"}) == []
    in_fct_sales = await explore_all(
        client, headers, filters={"tableName": "fct_sales", "schemaName": "mart"}
    )
    assert len(in_fct_sales) == 1 + len(CATALOG.columns[1011])


@pytest.mark.parametrize(
    ("facet", "bounds"),
    [
        ("dqIndex", {"min": 95}),
        ("rating", {"min": 4.01}),
        ("rating", {"eq": 4.7}),
        ("popularity", {"min": 100, "max": 140}),
        ("nullDensity", {"min": 10}),
        ("rowCount", {"max": 100}),
        ("columnCount", {"eq": 4}),
        ("curationScore", {"max": 40}),
        ("density", {"max": 80}),
    ],
)
async def test_range_facets(client, headers, facet, bounds):
    hits = await explore_all(client, headers, filters={facet: bounds})
    expected = {
        d["objectId"]
        for d in CATALOG.objects.values()
        if isinstance(d.get(facet), int | float)
        and bounds.get("min", d[facet]) <= d[facet] <= bounds.get("max", d[facet])
        and d[facet] == bounds.get("eq", d[facet])
    }
    assert {h["objectId"] for h in hits} == expected and expected
    assert facet in RANGE_FACETS


async def test_ranges_and_dates_by_hand(client, headers):
    rated = await explore_all(client, headers, filters={"rating": {"min": 4.7}})
    assert sorted(names(rated)) == ["Daily Revenue Trend", "agg_daily_revenue", "fct_sales"]
    phone = await explore_all(client, headers, filters={"nullDensity": {"eq": 41.0}})
    assert names(phone) == ["phone"]
    recent = await explore_all(
        client,
        headers,
        filters={"createdDate": {"from": "2025-11-13", "to": "2025-11-20"}},
        objectType="oetable",
    )
    assert sorted(names(recent)) == ["agg_daily_revenue", "stg_products"]
    added_columns = await explore_all(
        client, headers, filters={"createdDate": {"from": "2025-11-20"}}, objectType="oecolumn"
    )
    assert sorted(names(added_columns)) == sorted(
        ["gross_margin", "home_region", *names(CATALOG.column_docs(1008))]
    )
    assert await explore_all(client, headers, filters={"rating": {"min": 0}}, objectType="oecolumn") == []


async def test_sort_orders_filter_only_listings(client, headers):
    async def listing(sort, **filters):
        data = await post_data(
            client,
            headers,
            EXPLORER,
            {"objectType": "oetable", "search": {"page": 1, "limit": 50, "sort": sort}, "filters": filters},
        )
        return data["items"]

    popular = await listing({"field": "popularity"})  # direction defaults to desc
    assert [t["popularity"] for t in popular] == sorted((t["popularity"] for t in popular), reverse=True)
    assert popular[0]["objectName"] == "fct_sales" and popular[0]["objectId"] == 1011
    by_name = await listing({"field": "name", "direction": "asc"})
    assert names(by_name) == sorted(names(by_name), key=str.lower)
    newest = await listing({"field": "created_date", "direction": "desc"})
    assert names(newest)[:2] == ["stg_products", "agg_daily_revenue"]
    densest = await listing({"field": "null_density", "direction": "asc"}, dataDomains=["Customer"])
    assert [t["nullDensity"] for t in densest] == sorted(t["nullDensity"] for t in densest)
    mixed = await post_data(
        client,
        headers,
        EXPLORER,
        {"search": {"page": 1, "limit": 50, "sort": {"field": "rating", "direction": "asc"}}},
    )
    ratings = [i.get("rating") for i in mixed["items"]]
    rated = [r for r in ratings if r is not None]
    assert rated == sorted(rated) and ratings[: len(rated)] == rated  # unrated ones last


async def test_paging_narrowing_and_type_aliases(client, headers):
    every = await explore_all(client, headers)
    assert len(every) == len(CATALOG.objects)
    one = await post_data(client, headers, EXPLORER, body(limit=7, page=2))
    assert [i["objectId"] for i in one["items"]] == [i["objectId"] for i in every[7:14]]
    assert one["total"] == len(CATALOG.objects) and one["page"] == 2 and one["limit"] == 7
    default = await post_data(client, headers, EXPLORER, {})
    assert default["page"] == 1 and default["limit"] == 20 and len(default["items"]) == 20
    file_columns = await explore_all(client, headers, objectType="filecolumn")
    assert {h["objectType"] for h in file_columns} == {"oefilecolumn"} and len(file_columns) == 14
    assert names(await explore_all(client, headers, name="FCT_SALES")) == ["fct_sales", "fct_sales"]
    assert names(await explore_all(client, headers, objectId=1013)) == ["fct_sales"]


async def test_glossary_lookups(client, headers):
    async def terms(**top):
        data = await post_data(client, headers, EXPLORER, {"search": {"page": 1, "limit": 5}, **top})
        assert data["items"] == [] and data["total"] == 0 and "tags" not in data
        return data["glossaryTerms"]

    clv = await terms(objectType="glossary", name="clv")
    assert names(clv) == ["Customer Lifetime Value"]
    first_generation = await client.get(f"{MCP}/glossary-terms", params={"termName": "clv"}, headers=headers)
    assert clv[0] == first_generation.json()["data"]
    assert names(await terms(objectType="glossary", objectId=2001)) == ["Revenue"]
    assert await terms(objectType="glossary", name="Nothing Like It") == []
    assert await terms(objectType="businessglossary", name="Revenue", objectId=2002) == []
    assert sorted(names(await terms(glossaryPlacement={"subcategoryName": "revenue metrics"}))) == [
        "Average Order Value",
        "Gross Margin",
        "Revenue",
    ]
    lifecycle = await terms(glossaryPlacement={"domainId": 2101, "categoryId": 2112, "subcategoryId": 2122})
    assert sorted(names(lifecycle)) == ["Active Customer", "Churned Customer"]
    assert len(await terms(glossaryPlacement={"domainName": "Retail Analytics"})) == 8
    customer = await terms(objectType="glossary", glossaryPlacement={"categoryName": "Customer"})
    assert {t["categoryId"] for t in customer} == {2112} and len(customer) == 4
    assert names(await terms(glossaryPlacement={"categoryName": "Sales"}, name="aov")) == [
        "Average Order Value"
    ]
    assert await terms(glossaryPlacement={"categoryId": 2111, "subcategoryId": 2122}) == []


async def test_tag_lookups_show_the_hierarchy_only_when_asked(client, headers):
    async def tags(**top):
        data = await post_data(client, headers, EXPLORER, {"objectType": "oetag", **top})
        assert data["items"] == [] and "glossaryTerms" not in data
        return data["tags"]

    [plain] = await tags(name="pii")
    assert plain["objectName"] == "PII" and "parentTag" not in plain and "childTags" not in plain
    assert {o["objectName"] for o in plain["taggedObjects"]} >= {"customers", "customer_survey_2025.parquet"}
    [parented] = await tags(name="PII", includeParent=True)
    assert parented["parentTag"]["objectName"] == "Sensitive" and "childTags" not in parented
    [parent] = await tags(objectId=4001, includeChildren=True, includeParent=True)
    assert [c["objectName"] for c in parent["childTags"]] == ["PII"] and parent["parentTag"] is None
    assert await tags(name="Nope") == []


@pytest.mark.parametrize(
    "sent",
    [
        [],
        "search",
        {"query": "orders"},
        {"objectId": 0},
        {"objectId": "1001"},
        {"objectType": "table"},
        {"objectType": 5},
        {"includeParent": "yes"},
        {"search": []},
        {"search": {"page": 0}},
        {"search": {"limit": 51}},
        {"search": {"limit": 0}},
        {"search": {"searchTerms": "orders"}},
        {"search": {"terms": ["orders"]}},
        {"search": {"sort": {"field": "size"}}},
        {"search": {"sort": {"field": "popularity", "direction": "up"}}},
        {"search": {"sort": {"field": "rowCount"}}},
        {"search": {"sort": {"field": "name", "order": "asc"}}},
        {"filters": []},
        {"filters": {"colour": "blue"}},
        {"filters": {"tags": "PII"}},
        {"filters": {"tags": [1]}},
        {"filters": {"owner": ["ben.kim"]}},
        {"filters": {"dqIndex": 90}},
        {"filters": {"dqIndex": {"above": 90}}},
        {"filters": {"dqIndex": {"min": "90"}}},
        {"filters": {"rating": {}}},
        {"filters": {"createdDate": {"from": "last week"}}},
        {"filters": {"createdDate": {"since": "2025-01-01"}}},
        {"glossaryPlacement": {"domain": "Retail Analytics"}},
        {"glossaryPlacement": {"domainId": "2101"}},
        {"objectType": "oetag", "glossaryPlacement": {"domainId": 2101}},
    ],
)
async def test_asset_explorer_rejects_bad_bodies(client, headers, sent):
    response = await client.post(
        EXPLORER, content=json.dumps(sent), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["ok"] is False and response.json()["message"]


async def test_asset_details_bundles_details_profile_and_relationships(client, headers):
    async def details(object_id, object_type):
        response = await client.get(
            ASSET_DETAILS, params={"objectId": object_id, "objectType": object_type}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]

    table = await details(1002, "oetable")
    assert set(table) == {"details", "profile", "relationships"}
    first_generation = {
        path: (await client.get(f"{MCP}/{path}", params=params, headers=headers)).json()["data"]
        for path, params in [
            ("object-details", {"objectId": 1002, "objectType": "oetable"}),
            ("column-profile", {"objectId": 1002, "objectType": "oetable"}),
            ("entity-relationships", {"objectId": 1002}),
        ]
    }
    assert table["details"] == first_generation["object-details"]
    assert table["profile"] == first_generation["column-profile"]
    assert table["relationships"] == first_generation["entity-relationships"]
    file = await details(5003, "oefile")
    assert set(file) == {"details", "profile"}
    assert file["details"]["navLink"] == "#nav/file?browse=summary&id=5003"
    assert [c["columnName"] for c in file["profile"]["columns"]] == names(file["details"]["columns"])
    score = next(c for c in file["profile"]["columns"] if c["columnName"] == "satisfaction_score")
    assert (score["minValue"], score["maxValue"], score["distinctCount"]) == (1, 5, 5)
    column = await details(500302, "filecolumn")
    assert set(column) == {"details"} and column["details"]["file"]["objectId"] == 5003
    story = await details(6002, "oestory")
    assert story["details"]["storyZone"]["objectName"] == "Customer Insights"
    assert {m["objectId"] for m in story["details"]["mentionedObjects"]} >= {1001, 1009, 2003}
    for params, status in [
        ({"objectId": 5001, "objectType": "oetable"}, 404),
        ({"objectId": 999999, "objectType": "oefile"}, 404),
        ({"objectId": 1002}, 400),
        ({"objectType": "oetable"}, 400),
        ({"objectId": "x", "objectType": "oetable"}, 400),
        ({"objectId": 1002, "objectType": "spreadsheet"}, 400),
    ]:
        response = await client.get(ASSET_DETAILS, params=params, headers=headers)
        assert response.status_code == status, params
        if status == 404:
            assert response.json() == {"ok": False, "message": "Object not found"}
