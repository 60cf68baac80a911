"""The sample catalog is coherent (sandbox/catalog.py, sample_data.py)."""

from __future__ import annotations

from graphlib import TopologicalSorter

from sandbox import (
    SandboxState,
)
from sandbox import sample_data as sd
from sandbox.catalog import Catalog


def test_sample_catalog_is_coherent():
    catalog = Catalog()
    kinds = {}
    for doc in catalog.objects.values():
        kinds[doc["objectType"]] = kinds.get(doc["objectType"], 0) + 1
    assert len(catalog.connections) == 3
    assert kinds["oeschema"] == 3 and kinds["oetable"] == 12 and kinds["oechart"] == 4
    assert kinds["oecolumn"] >= 60 and kinds["glossary"] == 8 and kinds["oetag"] == 6
    assert len(sd.PLATFORM_DOCS) == 8
    every_tag = {name for _, name, _, _ in sd.TAGS}
    every_term = {t["name"] for t in sd.GLOSSARY}
    for doc in catalog.objects.values():
        assert set(doc.get("tags", [])) <= every_tag
        assert set(doc.get("terms", [])) <= every_term
        assert catalog.by_fqn(doc["fullyQualifiedName"]) is doc
        assert doc["navLink"].startswith("#nav/") and doc["navLink"].endswith(f"id={doc['objectId']}")
    graph = {}
    for source, target, _ in sd.LINEAGE_EDGES:
        assert source in catalog.objects and target in catalog.objects
        graph.setdefault(target, set()).add(source)
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert order.index(1001) < order.index(1006) < order.index(1009) < order.index(3003)
    for table_id in catalog.table_columns:
        assert catalog.relationships(table_id) is not None
        assert len(catalog.profile(table_id)) == len(catalog.table_columns[table_id])
    assert Catalog().objects == catalog.objects  # stable ids and content
    assert SandboxState().catalog is not SandboxState().catalog
