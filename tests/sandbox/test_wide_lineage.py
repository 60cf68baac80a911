"""The optional clickstream sample: a lineage of 55 assets, only when asked for."""

from __future__ import annotations

from sandbox import documents
from sandbox import sample_lineage as wide
from sandbox.catalog import Catalog


def test_default_catalog_is_without_it():
    catalog = Catalog()
    assert wide.CONNECTION["connectionName"] not in catalog.connections
    assert all(doc.get("connectionName") != "clickstream_databricks" for doc in catalog.objects.values())
    assert wide.CENTRE_ID not in catalog.objects


def test_web_sessions_lineage_holds_55_assets_at_depth_2():
    catalog = Catalog(wide_lineage=True)
    status, answer = documents.lineage(catalog, {"objectId": str(wide.CENTRE_ID), "objectType": "oetable"})
    data = answer["data"]
    assert status == 200 and data["root"]["objectName"] == "web_sessions"
    assert (len(data["upstream"]), len(data["downstream"])) == (22, 32)
    ids = {wide.CENTRE_ID} | {n["objectId"] for n in data["upstream"] + data["downstream"]}
    assert all(e["sourceId"] in ids and e["targetId"] in ids for e in data["edges"]) and len(data["edges"]) == 59
    kinds = {n["objectType"] for n in data["upstream"] + data["downstream"]}
    assert kinds == {"oetable", "oefile", "oechart"}
    # The retail sample is untouched by it: the same objects, the same lineage.
    retail = Catalog()
    assert all(catalog.objects[i]["objectName"] == doc["objectName"] for i, doc in retail.objects.items())
    assert documents.lineage(retail, {"objectId": "1011", "objectType": "oetable"}) == documents.lineage(
        catalog, {"objectId": "1011", "objectType": "oetable"})
