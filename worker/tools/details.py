"""One asset's record, profile and relationships (first generation)."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.arguments import exactly_one_mode
from worker.registry import Tool, ToolContext
from worker.schema import closed, string
from worker.tools.common import CATALOG_OBJECT_TYPES, OBJECT_ID, PROFILE_OBJECT_TYPES


def _id_and_type(a: dict[str, Any]) -> dict[str, Any]:
    return {"objectId": a["object_id"], "objectType": a["object_type"]}


async def catalog_asset_details(ctx: ToolContext, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {
        "fqn": ("fully_qualified_name",), "id": ("object_id", "object_type"),
    })
    if mode == "fqn":
        return await ctx.api.call(routes.OBJECT_DETAILS, {"fullyQualifiedName": a["fully_qualified_name"]})
    return await ctx.api.call(routes.OBJECT_DETAILS, _id_and_type(a))


async def column_profile_statistics(ctx: ToolContext, a: dict[str, Any]) -> Any:
    return await ctx.api.call(routes.COLUMN_PROFILE, _id_and_type(a))


async def table_entity_relationships(ctx: ToolContext, a: dict[str, Any]) -> Any:
    return await ctx.api.call(routes.ENTITY_RELATIONSHIPS, {"objectId": a["object_id"]})


TOOLS = (
    Tool(
        name="catalog_asset_details",
        title="Catalog asset details",
        description=(
            "Full catalog record of one asset: descriptions, owners, classifications, tags, "
            "terms, quality and certification. Identify it either by fully_qualified_name "
            "alone, or by object_id together with object_type."
        ),
        input_schema=closed({
            "object_id": OBJECT_ID,
            "object_type": string("Object type of object_id.", enum=list(CATALOG_OBJECT_TYPES)),
            "fully_qualified_name": string("e.g. connection.schema.table; use instead of the id."),
        }),
        handler=catalog_asset_details,
    ),
    Tool(
        name="column_profile_statistics",
        title="Column profile statistics",
        description=(
            "Column-level profiling of a table or file: null and distinct counts, min/max, "
            "top values, last profiled time. Use it to judge completeness and data quality."
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("oetable or oefile.", enum=list(PROFILE_OBJECT_TYPES)),
            },
            required=("object_id", "object_type"),
        ),
        handler=column_profile_statistics,
    ),
    Tool(
        name="table_entity_relationships",
        title="Table relationships",
        description=(
            "Primary/foreign-key and inferred relationships of one table: which tables and "
            "columns it joins to."
        ),
        input_schema=closed({"object_id": OBJECT_ID}, required=("object_id",)),
        handler=table_entity_relationships,
    ),
)
