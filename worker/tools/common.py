"""Vocabulary the tool families share: OvalEdge object types and argument encodings."""

from __future__ import annotations

import json

from worker.schema import integer

# Catalog object types as the OvalEdge API spells them.
CATALOG_OBJECT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "filecolumn", "oechart", "chartchild", "oeapi",
    "oeapicolumn", "oequery", "dp_product", "glossary", "oetag", "oestory",
)
PROFILE_OBJECT_TYPES = ("oetable", "oefile")

OBJECT_ID = integer("OvalEdge object id (objectId from search results).", minimum=1)


def json_array(values: list[str] | None) -> str | None:
    """OvalEdge takes list filters as a JSON-array string in one query parameter."""
    return json.dumps(values, separators=(",", ":")) if values else None
