"""Catalog search (first generation): `search_catalog_assets`."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import CATALOG_OBJECT_TYPES, json_array

SEARCH_LIMIT_MAX = 50


async def search_catalog_assets(ctx: ToolContext, a: dict[str, Any]) -> Any:
    return await ctx.api.call(routes.SEARCH_CATALOG, {
        "searchTerms": json_array(a.get("search_terms")),
        "contextQuery": a.get("context_query"),
        "page": a.get("page", 1),
        "limit": a.get("limit", 20),
        "connectionName": a.get("connection_name"),
        "schemaName": a.get("schema_name"),
        "owner": a.get("owner"),
        "steward": a.get("steward"),
        "custodian": a.get("custodian"),
        "objectType": a.get("object_type"),
    })


TOOLS = (
    Tool(
        name="search_catalog_assets",
        title="Search the catalog",
        description=(
            "Search the OvalEdge catalog for schemas, tables, columns, files, charts, APIs, "
            "queries, data products, glossary terms, tags and stories. Pass distinct keywords "
            "in search_terms and the user's question verbatim in context_query; narrow with "
            "object_type and the owner/steward/connection filters. Results are paged: use "
            "page for more. Hits carry objectId/objectType for the detail tools and a "
            "redirectUrl to show the user."
        ),
        input_schema=closed({
            "search_terms": {
                "type": "array", "items": {"type": "string"}, "maxItems": 20,
                "description": "Distinct keywords; empty for filter-only paging.",
            },
            "context_query": string("The user's question, verbatim, for semantic ranking."),
            "page": integer("Page number, from 1.", minimum=1, default=1),
            "limit": integer("Hits per page.", minimum=1, maximum=SEARCH_LIMIT_MAX, default=20),
            "object_type": string("Only this object type.", enum=list(CATALOG_OBJECT_TYPES)),
            "connection_name": string("Only assets of this connection."),
            "schema_name": string("Only assets in this schema."),
            "owner": string("Only assets with this owner."),
            "steward": string("Only assets with this steward."),
            "custodian": string("Only assets with this custodian."),
        }),
        handler=search_catalog_assets,
        more_hint=(
            "call search_catalog_assets again with a smaller limit and step through the pages "
            "(page=1, page=2, ...; each then fits), or narrow search_terms / object_type"
        ),
    ),
)
