"""Resources: an object's record by URI (five templates), our static documentation, and the
MCP Apps views.

The templates read through `asset_details` (current route, first-generation fallback). The
documents are Markdown files in `worker/docs/`, published as `docs://ovaledge/<stem>`; being
static, they travel in the surface data and the supervisor serves them itself. The views are
the HTML files in `shared/views/` (built from `views/` by scripts/build_views.sh), published as
`ui://ovaledge/<file>`; the surface data names the file and both processes read it on demand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.surface import SURFACE_FILE
from worker.registry import Document, ResourceTemplate, ToolContext, View
from worker.tools.details import fetch_details

DOCS_DIR = Path(__file__).with_name("docs")
DOCS_URI_PREFIX = "docs://ovaledge/"
SHARED_DIR = SURFACE_FILE.parent  # the views' files are named relative to it
VIEW_URI_PREFIX = "ui://ovaledge/"


def _details_of(object_type: str):
    async def read(ctx: ToolContext, object_id: int) -> Any:
        return await fetch_details(ctx, object_id, object_type)

    return read


TEMPLATES = (
    ResourceTemplate(
        uri_template="ovaledge://catalog/table/{object_id}",
        name="catalog_table",
        title="Catalog table",
        description="One table's catalog record, column profile and relationships (JSON).",
        read=_details_of("oetable"),
    ),
    ResourceTemplate(
        uri_template="ovaledge://governance/glossary-term/{object_id}",
        name="glossary_term",
        title="Glossary term",
        description="One business glossary term by object id (JSON).",
        read=_details_of("glossary"),
    ),
    ResourceTemplate(
        uri_template="ovaledge://catalog/file/{object_id}",
        name="catalog_file",
        title="Catalog file",
        description="One file's catalog record and column profile (JSON).",
        read=_details_of("oefile"),
    ),
    ResourceTemplate(
        uri_template="ovaledge://governance/data-story/{object_id}",
        name="data_story",
        title="Data story",
        description="One data story's catalog record (JSON); for its narrative use knowledge_search.",
        read=_details_of("oestory"),
    ),
    ResourceTemplate(
        uri_template="ovaledge://governance/tag/{object_id}",
        name="governance_tag",
        title="Governance tag",
        description="One tag's catalog record (JSON); for its hierarchy use asset_explorer.",
        read=_details_of("oetag"),
    ),
)


def _title(stem: str) -> str:
    return stem.replace("_", " ").title().replace("Mcp", "MCP")


def documents() -> tuple[Document, ...]:
    """Every Markdown file in worker/docs/, in name order."""
    return tuple(
        Document(
            uri=f"{DOCS_URI_PREFIX}{path.stem}",
            name=path.stem,
            title=f"OvalEdge MCP guide: {_title(path.stem)}",
            description=(path.read_text(encoding="utf-8").splitlines() or [""])[0].lstrip("# ").strip(),
            text=path.read_text(encoding="utf-8"),
        )
        for path in sorted(DOCS_DIR.glob("*.md"))
    )


def _view(stem: str, title: str, description: str) -> View:
    return View(uri=f"{VIEW_URI_PREFIX}{stem}.html", name=f"view_{stem.replace('-', '_')}", title=title,
                description=description, file=f"views/{stem}.html")


# The tools point at these by URI (`Tool.view`); hosts without MCP Apps keep the JSON result.
VIEWS = (
    _view("asset-explorer", "Catalog search view",
          "MCP Apps view of asset_explorer: the hits as a sortable table with links to OvalEdge."),
    _view("asset-details", "Asset details view",
          "MCP Apps view of asset_details: a property card (people, tags, terms, certification, "
          "figures) and the column profile."),
    _view("asset-lineage", "Lineage view",
          "MCP Apps view of asset_lineage: the graph, upstream on the left, downstream on the right."),
    _view("metadata-changes", "Metadata changes view",
          "MCP Apps view of metadata_changes_between_crawls: tables and columns added, removed "
          "and changed."),
)
