"""Resource templates: an object's record by URI, for clients that read resources."""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.registry import ResourceTemplate, ToolContext


def _details_of(object_type: str):
    async def read(ctx: ToolContext, object_id: int) -> Any:
        return await ctx.api.call(routes.OBJECT_DETAILS, {"objectId": object_id, "objectType": object_type})

    return read


TEMPLATES = (
    ResourceTemplate(
        uri_template="ovaledge://catalog/table/{object_id}",
        name="catalog_table",
        title="Catalog table",
        description="Catalog record of one table by numeric object id (JSON).",
        read=_details_of("oetable"),
    ),
    ResourceTemplate(
        uri_template="ovaledge://governance/glossary-term/{object_id}",
        name="glossary_term",
        title="Glossary term",
        description="One business glossary term by numeric object id (JSON).",
        read=_details_of("glossary"),
    ),
)
