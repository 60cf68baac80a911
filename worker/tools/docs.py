"""Search of the OvalEdge product documentation (first generation): `search_platform_docs`."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string

DOCS_LIMIT_MAX = 50
DOCS_CANDIDATES_MAX = 512


async def search_platform_docs(ctx: ToolContext, a: dict[str, Any]) -> Any:
    limit, candidates = a.get("limit"), a.get("num_candidates")
    if candidates is not None and candidates < (limit or 10):
        raise InvalidArguments(
            f"num_candidates={candidates} must be >= limit ({limit or 10}); "
            f"use e.g. num_candidates=128 (max 512), limit 1-{DOCS_LIMIT_MAX}"
        )
    return await ctx.api.call(routes.SEARCH_PLATFORM_DOCS,
                              {"query": a["query"], "limit": limit, "numCandidates": candidates})


TOOLS = (
    Tool(
        name="search_platform_docs",
        title="Search OvalEdge docs",
        description=(
            "Semantic search over the OvalEdge product documentation, for how-to questions "
            "about the platform itself. Cite the returned URLs."
        ),
        input_schema=closed(
            {
                "query": string("The question, in natural language.", minLength=1),
                "limit": integer("Hits to return.", minimum=1, maximum=DOCS_LIMIT_MAX),
                "num_candidates": integer(
                    "Vector candidates to consider (>= limit).",
                    minimum=1, maximum=DOCS_CANDIDATES_MAX,
                ),
            },
            required=("query",),
        ),
        handler=search_platform_docs,
    ),
)
