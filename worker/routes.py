"""Every OvalEdge route the worker calls, named once: its method and its path.

Tools, resources and the doctor call OvalEdge through these names only (`client.call(route,
...)`), never with a path literal. The sandbox OvalEdge spells its routes on its own, on
purpose: it is the worker's independent check, so a typo here fails a wire test.
"""

from __future__ import annotations

from typing import NamedTuple

API = "/api/v1/mcp"


class Route(NamedTuple):
    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


TOKEN_GENERATE = Route("POST", "/api/user/token/generate")

# The first-generation MCP API (OvalEdge releases with the Era A MCP routes).
SEARCH_CATALOG = Route("GET", f"{API}/search-catalog")
OBJECT_DETAILS = Route("GET", f"{API}/object-details")
COLUMN_PROFILE = Route("GET", f"{API}/column-profile")
ENTITY_RELATIONSHIPS = Route("GET", f"{API}/entity-relationships")
LINEAGE = Route("GET", f"{API}/lineage")
GLOSSARY_TERMS = Route("GET", f"{API}/glossary-terms")
TAGS = Route("GET", f"{API}/tags")
SEARCH_PLATFORM_DOCS = Route("GET", f"{API}/search-platform-docs")

# The same route in every generation.
UPDATE_ASSET_DESCRIPTIONS = Route("POST", f"{API}/update-asset-descriptions")
