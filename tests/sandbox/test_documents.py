"""The lineage graph of tables and files (sandbox/documents.py)."""

from __future__ import annotations

from tests.sandbox.support import authed


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
