"""The lineage graph, served as first-generation `lineage` and current `asset-lineage`
(sandbox/documents.py)."""

from __future__ import annotations

from tests.sandbox.support import ASSET_LINEAGE, MCP, authed, get_data


async def test_lineage_honours_depth(client):
    headers = await authed(client)

    async def lineage(object_id, depth):
        r = await client.get(
            "/api/v1/mcp/lineage",
            params={"objectId": object_id, "objectType": "oetable", "depth": depth},
            headers=headers,
        )
        assert r.status_code == 200
        return r.json()["data"]

    one = await lineage(1001, 1)
    assert one["upstream"] == [] and [n["objectName"] for n in one["downstream"]] == ["stg_customers"]
    three = await lineage(1001, 3)
    down = {n["objectName"]: n["level"] for n in three["downstream"]}
    assert down == {
        "stg_customers": 1,
        "dim_customer": 2,
        "Customer Lifetime Value Distribution": 3,
        "Active Customers by Region": 3,
    }
    ids = {three["root"]["objectId"]} | {n["objectId"] for n in three["downstream"]}
    assert all(e["sourceId"] in ids and e["targetId"] in ids for e in three["edges"])

    middle = await lineage(1011, 1)
    assert {n["objectName"] for n in middle["upstream"]} == {"stg_orders", "stg_products"}
    assert {n["objectName"] for n in middle["downstream"]} == {
        "agg_daily_revenue",
        "Top Products by Margin",
    }
    assert (await lineage(1011, 0))["edges"] == []
    assert (await lineage(1011, 99))["depth"] == 5
    bad = await client.get(
        "/api/v1/mcp/lineage", params={"objectId": 3001, "objectType": "oechart"}, headers=headers
    )
    assert bad.status_code == 400


async def test_asset_lineage_is_lineage_under_its_new_path(client, headers):
    for params in [
        {"objectId": 1011, "objectType": "oetable", "depth": 3},
        {"objectId": 5001, "objectType": "oefile"},
        {"objectId": 1001, "objectType": "oetable", "depth": 99},
    ]:
        old = await get_data(client, headers, f"{MCP}/lineage", params)
        assert await get_data(client, headers, ASSET_LINEAGE, params) == old
    for params in [{"objectId": 3001, "objectType": "oechart"}, {"objectId": 5001}, {"objectType": "oefile"}]:
        assert (await client.get(ASSET_LINEAGE, params=params, headers=headers)).status_code == 400
    missing = await client.get(
        ASSET_LINEAGE, params={"objectId": 77, "objectType": "oefile"}, headers=headers
    )
    assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Object not found"}


async def test_files_take_part_in_lineage(client, headers):
    async def lineage(object_id, depth=2):
        params = {"objectId": object_id, "objectType": "oefile", "depth": depth}
        return await get_data(client, headers, ASSET_LINEAGE, params)

    supplier = await lineage(5001, 3)
    assert supplier["root"]["navLink"] == "#nav/file?browse=summary&id=5001" and supplier["upstream"] == []
    assert {(n["objectName"], n["level"]) for n in supplier["downstream"]} == {
        ("stg_products", 1),
        ("dim_product", 2),
        ("fct_sales", 2),
        ("Top Products by Margin", 3),
        ("agg_daily_revenue", 3),
    }
    export = await lineage(5002)
    assert export["downstream"] == []
    assert [(n["objectName"], n["level"]) for n in export["upstream"]] == [
        ("agg_daily_revenue", 1),
        ("fct_sales", 2),
    ]
    assert export["edges"][0] == {
        "sourceId": 1012,
        "sourceName": "agg_daily_revenue",
        "targetId": 5002,
        "targetName": "daily_revenue_export.csv",
        "transformation": "nightly finance export",
    }
    survey = await lineage(5003)
    assert survey["upstream"] == survey["downstream"] == survey["edges"] == []
    table = await get_data(
        client, headers, ASSET_LINEAGE, {"objectId": 1012, "objectType": "oetable", "depth": 1}
    )
    assert {n["objectName"] for n in table["downstream"]} == {
        "Daily Revenue Trend",
        "daily_revenue_export.csv",
    }
