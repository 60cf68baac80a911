"""`metadata_changes_between_crawls`: what changed in a connection's schemas from one crawl to
another, as OvalEdge recorded it, rendered as one consistent Markdown report.

Current OvalEdge only: the first generation has no such route.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string, strings
from worker.tools.common import absolute, data_of, link, ok

WIRE_NAMES = {
    "question": "question", "connection_name": "connectionName", "schema_names": "schemaNames",
    "table_names": "tableNames", "from_timestamp": "fromTimestamp", "to_timestamp": "toTimestamp",
    "last_n_days": "lastNDays", "last_n_weeks": "lastNWeeks", "from_crawl_id": "fromCrawlId",
    "to_crawl_id": "toCrawlId",
}
SECTIONS = (  # changeType -> heading, in the order the report shows them
    ("TABLE_ADDED", "Tables added"), ("TABLE_DELETED", "Tables deleted"),
    ("COLUMN_ADDED", "Columns added"), ("COLUMN_DELETED", "Columns deleted"),
    ("COLUMN_RENAMED", "Columns renamed"), ("DATA_TYPE_CHANGED", "Data types changed"),
)
SUMMARY = (
    ("tablesAdded", "tables added"), ("tablesDeleted", "tables deleted"),
    ("columnsAdded", "columns added"), ("columnsDeleted", "columns deleted"),
    ("columnsRenamed", "columns renamed"), ("dataTypesChanged", "data types changed"),
)
# "table orders", "at orders", "from the orders table": the question is about one table.
TABLE_CUES = re.compile(r"\btable\s+([\w.]+)|\bat\s+([\w.]+)|\bfrom\s+(?:the\s+)?([\w.]+)\s+table\b", re.I)


def _timestamp(value: str, name: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArguments(
            f"{name}={value!r} is not an ISO timestamp, e.g. 2025-11-20T00:00:00Z") from None


def changes_body(a: dict[str, Any]) -> dict[str, Any]:
    if "last_n_days" in a and "last_n_weeks" in a:
        raise InvalidArguments("give last_n_days or last_n_weeks, not both")
    windows = [name for name, given in (
        ("last_n_days/last_n_weeks", "last_n_days" in a or "last_n_weeks" in a),
        ("from_timestamp/to_timestamp", "from_timestamp" in a or "to_timestamp" in a),
        ("from_crawl_id/to_crawl_id", "from_crawl_id" in a or "to_crawl_id" in a),
    ) if given]
    if len(windows) > 1:
        raise InvalidArguments(f"choose one window: {' or '.join(windows)}")
    if "from_crawl_id" in a and "to_crawl_id" in a and a["from_crawl_id"] > a["to_crawl_id"]:
        raise InvalidArguments(
            f"from_crawl_id={a['from_crawl_id']} must be <= to_crawl_id={a['to_crawl_id']}")
    stamps = {name: _timestamp(a[name], name) for name in ("from_timestamp", "to_timestamp") if name in a}
    if len(stamps) == 2 and stamps["from_timestamp"] > stamps["to_timestamp"]:
        raise InvalidArguments("from_timestamp must not be after to_timestamp")
    return {wire: a[arg] for arg, wire in WIRE_NAMES.items() if arg in a}


def targeted_tables(a: dict[str, Any]) -> set[str]:
    """Lower-case table names the question is about (links are shown only for those)."""
    names = {name.lower() for name in a.get("table_names", [])}
    for match in TABLE_CUES.finditer(a.get("question", "")):
        found = next(group for group in match.groups() if group)
        names.add(found.lower().rsplit(".", 1)[-1])
    return names


def _where(change: dict[str, Any]) -> str:
    return ".".join(str(part) for part in (change.get("schemaName"), change.get("tableName"),
                                            change.get("columnName")) if part)


def _line(change: dict[str, Any], links: bool, link_base: str) -> str:
    kind = change.get("changeType")
    place = _where(change)
    if kind == "COLUMN_RENAMED":
        table = ".".join(str(p) for p in (change.get("schemaName"), change.get("tableName")) if p)
        place = f"{table}: {change.get('oldName')} -> {change.get('newName')}"
    elif kind == "DATA_TYPE_CHANGED":
        place += f": {change.get('oldDataType')} -> {change.get('newDataType')}"
    if links:
        place = link(place, absolute(link_base, change.get("navLink")))
    return f"- {place}"


def render_changes(data: dict[str, Any], targets: set[str], link_base: str) -> str:
    frm, to = data.get("fromCrawl") or {}, data.get("toCrawl") or {}
    lines = [f"## Metadata changes in {data.get('connectionName', 'the connection')}"]
    if frm or to:
        lines.append(f"From crawl {frm.get('crawlId', '?')} ({frm.get('crawledAt', '?')}) to crawl "
                     f"{to.get('crawlId', '?')} ({to.get('crawledAt', '?')}).")
    if data.get("source"):
        lines.append(f"Source: {str(data['source']).replace('_', ' ')}.")
    summary = data.get("summary") or {}
    lines.append("Summary: " + ", ".join(f"{label} {summary.get(key, 0)}" for key, label in SUMMARY) + ".")
    changes = data.get("changes") or []
    if not changes:
        lines.append("No metadata changes were recorded in this window.")
    for kind, heading in SECTIONS:
        found = [c for c in changes if c.get("changeType") == kind]
        if found:
            lines.append(f"\n### {heading}")
            lines += [_line(c, str(c.get("tableName", "")).lower() in targets, link_base) for c in found]
    others = [c for c in changes if c.get("changeType") not in dict(SECTIONS)]
    if others:
        lines.append("\n### Other changes")
        lines += [f"- {c.get('changeType')}: {_where(c)}" for c in others]
    if data.get("recommendation"):
        lines.append(f"\nNote: {data['recommendation']}")
    return "\n".join(lines)


async def metadata_changes_between_crawls(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = changes_body(a)
    answer = await ctx.api.by_generation(
        routes.CRAWL_CHANGES, lambda: ctx.api.call(routes.METADATA_CHANGES, body=body), None,
        what="metadata_changes_between_crawls",
    )
    data = data_of(answer)
    return ok(data, formattedResponse=render_changes(data, targeted_tables(a), ctx.settings.link_base_url))


TOOLS = (
    Tool(
        name="metadata_changes_between_crawls",
        title="Compare metadata changes",
        description=(
            
            
            
            "What changed in a connection's metadata between crawls: tables and columns added or "
            'deleted, renamed, retyped. Narrow with connection_name, schema_names, table_names; one '
            'window: last_n_days, last_n_weeks, from/to_timestamp or from/to_crawl_id (none: the last '
            "two crawls). question: the user's words. Show formattedResponse; pass on any "
            'ANALYSIS_TRANSACTION_JOB advice.'
        
        
        
        ),
        input_schema=closed({
            "question": string("The user's question, verbatim."),
            "connection_name": string("Connection to compare."),
            "schema_names": strings("Only these schemas."),
            "table_names": strings("Only these tables."),
            "from_timestamp": string("Window start, ISO 8601."),
            "to_timestamp": string("Window end, ISO 8601."),
            "last_n_days": integer("Window: the last N days.", minimum=1),
            "last_n_weeks": integer("Window: the last N weeks.", minimum=1),
            "from_crawl_id": integer("Compare from this crawl.", minimum=1),
            "to_crawl_id": integer("Compare up to this crawl.", minimum=1),
        }),
        handler=metadata_changes_between_crawls,
        view="ui://ovaledge/metadata-changes.html",
        more_hint="narrow schema_names / table_names or choose a shorter window",
    ),
)
