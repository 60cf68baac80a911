"""The object documents both API generations answer with: details, column profile, entity
relationships and the lineage graph (first generation: one route each; current: asset-details
bundles the first three, asset-lineage is `lineage` under a new path)."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.catalog import CONTAINER_TYPES, PROFILED_AT, Catalog, ref
from sandbox.search import hit
from sandbox.wire import Answer, Params, integer, not_found, object_type, ok, required_int

DEFAULT_LINEAGE_DEPTH = 2
MAX_LINEAGE_DEPTH = 5


def identity(doc: dict[str, Any]) -> dict[str, Any]:
    """How an answer names an object it is about."""
    return {
        key: doc[key] for key in ("objectId", "objectType", "objectName", "fullyQualifiedName", "navLink")
    }


def details(catalog: Catalog, doc: dict[str, Any]) -> dict[str, Any]:
    """The object's document, plus what it contains or sits in."""
    data = copy.deepcopy(doc)
    kind = doc["objectType"]
    connection = catalog.connections.get(doc.get("connectionName") or "")
    if connection is not None:  # where the reference's live tests read serverType (connector id)
        data["connectionInfo"] = {
            "connectionId": connection["connectionId"],
            "name": connection["connectionName"],
            "serverType": connection["serverType"],
        }
    if kind in CONTAINER_TYPES:
        data["columns"] = [
            {**hit(column), "isPrimaryKey": column["isPrimaryKey"]}
            for column in catalog.column_docs(doc["objectId"])
        ]
    elif kind == "oecolumn":
        data["table"] = ref(catalog.objects[doc["tableId"]])
    elif kind == "oefilecolumn":
        data["file"] = ref(catalog.objects[doc["fileId"]])
    elif kind == "oeschema":
        data["tables"] = [ref(t) for t in catalog.of_type("oetable") if t["schemaId"] == doc["objectId"]]
    elif kind == "oestory":
        data["storyZone"] = ref(catalog.objects[doc["storyZoneId"]])
    return data


def profile(catalog: Catalog, doc: dict[str, Any]) -> dict[str, Any]:
    """Column statistics of a table or a file."""
    return {
        **identity(doc),
        "rowCount": doc["rowCount"],
        "profiledAt": PROFILED_AT,
        "columns": catalog.profile(doc["objectId"]),
    }


def relationships(catalog: Catalog, doc: dict[str, Any]) -> dict[str, Any]:
    """Keys of a table and the foreign keys from and to it."""
    return {
        **identity(doc),
        "primaryKeys": [c["objectName"] for c in catalog.column_docs(doc["objectId"]) if c["isPrimaryKey"]],
        "relationships": catalog.relationships(doc["objectId"]),
    }


# ------------------------------------------------------------------- lineage


def _lineage_node(doc: dict[str, Any], level: int) -> dict[str, Any]:
    return {
        **ref(doc),
        "connectionName": doc.get("connectionName"),
        "schemaName": doc.get("schemaName"),
        "fullyQualifiedName": doc["fullyQualifiedName"],
        "level": level,
    }


def _walk(catalog: Catalog, root: int, depth: int, upstream: bool):
    graph = catalog.upstream if upstream else catalog.downstream
    seen, nodes, edges, frontier = {root}, [], [], [root]
    for level in range(1, depth + 1):
        following = []
        for current in frontier:
            for other, transformation in graph.get(current, []):
                source, target = (other, current) if upstream else (current, other)
                edges.append((source, target, transformation))
                if other not in seen:
                    seen.add(other)
                    following.append(other)
                    nodes.append(_lineage_node(catalog.objects[other], level))
        frontier = following
    return nodes, edges


def lineage(catalog: Catalog, params: Params) -> Answer:
    """`GET lineage` and `GET asset-lineage`: up- and downstream of a table or a file."""
    object_id = required_int(params, "objectId")
    kind = object_type(params, CONTAINER_TYPES)
    requested = integer(params, "depth", default=DEFAULT_LINEAGE_DEPTH, minimum=0)
    depth = min(requested, MAX_LINEAGE_DEPTH)
    doc = catalog.get(object_id, kind)
    if doc is None:
        return not_found()
    up_nodes, up_edges = _walk(catalog, object_id, depth, upstream=True)
    down_nodes, down_edges = _walk(catalog, object_id, depth, upstream=False)
    edges = [
        {
            "sourceId": source,
            "sourceName": catalog.objects[source]["objectName"],
            "targetId": target,
            "targetName": catalog.objects[target]["objectName"],
            "transformation": transformation,
        }
        for source, target, transformation in dict.fromkeys(up_edges + down_edges)
    ]
    return ok(
        {
            "root": _lineage_node(doc, 0),
            "depth": depth,
            "requestedDepth": requested,
            "upstream": up_nodes,
            "downstream": down_nodes,
            "edges": edges,
        }
    )
