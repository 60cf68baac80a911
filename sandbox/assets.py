"""The current catalog routes: `GET asset-details` (details, profile and relationships in one
answer). `GET asset-lineage` is documents.lineage."""

from __future__ import annotations

from sandbox import documents
from sandbox.catalog import CONTAINER_TYPES, Catalog
from sandbox.wire import Answer, Params, not_found, object_type, ok, required_int


def asset_details(catalog: Catalog, params: Params) -> Answer:
    object_id = required_int(params, "objectId")
    doc = catalog.get(object_id, object_type(params))
    if doc is None:
        return not_found()
    data = {"details": documents.details(catalog, doc)}
    if doc["objectType"] in CONTAINER_TYPES:
        data["profile"] = documents.profile(catalog, doc)
    if doc["objectType"] == "oetable":
        data["relationships"] = documents.relationships(catalog, doc)
    return ok(data)
