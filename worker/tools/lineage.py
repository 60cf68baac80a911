"""Lineage of a table or file: `asset_lineage`."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import OBJECT_ID, PROFILE_OBJECT_TYPES

LINEAGE_DEPTH_MAX = 5


async def asset_lineage(ctx: ToolContext, a: dict[str, Any]) -> Any:
    return await ctx.api.call(routes.LINEAGE, {
        "objectId": a["object_id"], "objectType": a["object_type"], "depth": a.get("depth", 2),
    })


TOOLS = (
    Tool(
        name="asset_lineage",
        title="Asset lineage",
        description=(
            "Upstream sources and downstream consumers of a table or file as nodes and edges, "
            "up to depth hops each way."
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("oetable or oefile.", enum=list(PROFILE_OBJECT_TYPES)),
                "depth": integer("Hops each way.", minimum=0, maximum=LINEAGE_DEPTH_MAX, default=2),
            },
            required=("object_id", "object_type"),
        ),
        handler=asset_lineage,
        more_hint="call asset_lineage with a smaller depth, or open the asset's redirectUrl in OvalEdge",
    ),
)
