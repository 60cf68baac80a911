"""`asset_lineage`: upstream sources and downstream consumers of a table or file.

Current OvalEdge: `asset-lineage`; first generation: `lineage`, with the same parameters and
the same answer.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import GRAPH_OBJECT_TYPES, OBJECT_ID

DEPTH_MAX = 5


async def asset_lineage(ctx: ToolContext, a: dict[str, Any]) -> Any:
    params = {"objectId": a["object_id"], "objectType": a["object_type"], "depth": a.get("depth", 2)}
    return await ctx.api.by_generation(
        routes.LINEAGE_GRAPH,
        lambda: ctx.api.call(routes.ASSET_LINEAGE, params),
        lambda: ctx.api.call(routes.LINEAGE, params),
        what="asset_lineage",
    )


TOOLS = (
    Tool(
        name="asset_lineage",
        title="Trace data lineage",
        description=(
            
            
            
            'Upstream sources and downstream consumers of a table or file, with the edges and '
            'transformations, up to depth hops each way (default 2; 3 for the full story).'
        
        
        
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("oetable or oefile.", enum=list(GRAPH_OBJECT_TYPES)),
                "depth": integer("Hops each way (default 2).", minimum=0, maximum=DEPTH_MAX),
            },
            required=("object_id", "object_type"),
        ),
        handler=asset_lineage,
        view="ui://ovaledge/asset-lineage.html",
        more_hint="call asset_lineage with a smaller depth, or open the asset's redirectUrl in OvalEdge",
    ),
)
