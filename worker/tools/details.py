"""`asset_details`: one asset's record, with its column profile and relationships where it has
them.

Current OvalEdge: the composite `asset-details`. First generation: `object-details`, plus
`column-profile` (tables and files) and `entity-relationships` (tables), composed into the
same `{details, profile, relationships}` answer. The resource templates read through here too.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import OvalEdgeError
from worker.registry import Tool, ToolContext
from worker.schema import closed, string
from worker.tools.common import GRAPH_OBJECT_TYPES, OBJECT_ID, OBJECT_TYPES, data_of, is_not_found, ok


async def _optional(ctx: ToolContext, route: routes.Route, params: dict[str, Any]) -> Any | None:
    """A part of the composite that an object may lack (no profile yet): None when not found."""
    try:
        return data_of(await ctx.api.call(route, params))
    except OvalEdgeError as exc:
        if is_not_found(exc):
            return None
        raise


async def fetch_details(ctx: ToolContext, object_id: int, object_type: str) -> dict[str, Any]:
    """`{"ok": true, "data": {"details", "profile"?, "relationships"?}}` from either generation."""
    params = {"objectId": object_id, "objectType": object_type}

    async def current() -> dict[str, Any]:
        return ok(data_of(await ctx.api.call(routes.ASSET_DETAILS, params)))

    async def legacy() -> dict[str, Any]:
        data: dict[str, Any] = {"details": data_of(await ctx.api.call(routes.OBJECT_DETAILS, params))}
        if object_type in GRAPH_OBJECT_TYPES:
            profile = await _optional(ctx, routes.COLUMN_PROFILE, params)
            if profile is not None:
                data["profile"] = profile
        if object_type == "oetable":
            relationships = await _optional(ctx, routes.ENTITY_RELATIONSHIPS, {"objectId": object_id})
            if relationships is not None:
                data["relationships"] = relationships
        return ok(data)

    return await ctx.api.by_generation(routes.DETAILS, current, legacy, what="asset_details")


async def asset_details(ctx: ToolContext, a: dict[str, Any]) -> Any:
    return await fetch_details(ctx, a["object_id"], a["object_type"])


TOOLS = (
    Tool(
        name="asset_details",
        title="View asset details",
        description=(
            
            
            
            "One asset's full record by object_id and object_type (from asset_explorer): "
            'descriptions, owner, steward, tags, terms, classifications, certification, quality; '
            'tables and files add their column profile, tables their relationships. Only for the hits '
            'the user cares about.'
        
        
        
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("objectType of the hit."),
            },
            required=("object_id", "object_type"),
        ),
        handler=asset_details,
        view="ui://ovaledge/asset-details.html",
        choices={"object_type": OBJECT_TYPES},
    ),
)
