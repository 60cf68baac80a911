"""Exact lookups of a glossary term or a tag (first generation)."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.arguments import exactly_one_mode
from worker.registry import Tool, ToolContext
from worker.schema import closed, string
from worker.tools.common import OBJECT_ID


async def lookup_glossary_term(ctx: ToolContext, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {"id": ("object_id",), "name": ("term_name",)})
    params = {"objectId": a["object_id"]} if mode == "id" else {"termName": a["term_name"]}
    return await ctx.api.call(routes.GLOSSARY_TERMS, params)


async def lookup_tags(ctx: ToolContext, a: dict[str, Any]) -> Any:
    mode = exactly_one_mode(a, {"id": ("object_id",), "name": ("tag_name",)})
    params = {"objectId": a["object_id"]} if mode == "id" else {"tagName": a["tag_name"]}
    return await ctx.api.call(routes.TAGS, params)


TOOLS = (
    Tool(
        name="lookup_glossary_term",
        title="Look up a glossary term",
        description=(
            "One business glossary term: definition, synonyms, related terms, linked assets, "
            "owner and steward. Give exactly one of object_id or term_name."
        ),
        input_schema=closed({
            "object_id": OBJECT_ID,
            "term_name": string("Exact term name, e.g. Revenue."),
        }),
        handler=lookup_glossary_term,
    ),
    Tool(
        name="lookup_tags",
        title="Look up a tag",
        description=(
            "One governance tag: description, parent/child tags and tagged assets. Give "
            "exactly one of object_id or tag_name."
        ),
        input_schema=closed({
            "object_id": OBJECT_ID,
            "tag_name": string("Exact tag name, e.g. PII."),
        }),
        handler=lookup_tags,
    ),
)
