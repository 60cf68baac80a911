"""`metadata_changes_between_crawls`: what changed in a connection's schemas from one crawl to
another, as OvalEdge recorded it, rendered as one consistent Markdown report.

The same route in every generation of OvalEdge's MCP API. OvalEdge answers with a `rollup` of
counts, `tableChanges` and `columnChanges` (changeType added / deleted / removed / modified),
`tableSummaries`, row-count deltas, a `contextHeader` and a `fallback` message (docs/wire.md).
The result keeps OvalEdge's data as is and adds `changes` and `summary`: the same changes flattened
for the metadata-changes view, derived from those keys (never invented).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string, strings
from worker.shaping import nav_url
from worker.tools.common import data_of, link, ok

WIRE_NAMES = {
    "question": "question", "connection_name": "connectionName", "schema_names": "schemaNames",
    "table_names": "tableNames", "from_timestamp": "fromTimestamp", "to_timestamp": "toTimestamp",
    "last_n_days": "lastNDays", "last_n_weeks": "lastNWeeks", "from_crawl_id": "fromCrawlId",
    "to_crawl_id": "toCrawlId",
}
ROLLUP = (  # rollup key -> words, in the order the report shows them
    ("tablesAdded", "tables added"), ("tablesDeleted", "tables deleted"),
    ("tablesModified", "tables modified"), ("columnsAdded", "columns added"),
    ("columnsDeleted", "columns deleted"), ("columnsModified", "columns modified"),
    ("schemasAdded", "schemas added"), ("schemasModified", "schemas modified"),
    ("schemasRemoved", "schemas removed"),
)
KINDS = {"added": "added", "new": "added", "created": "added", "deleted": "deleted",
         "removed": "deleted", "dropped": "deleted", "modified": "modified", "changed": "modified",
         "updated": "modified", "altered": "modified"}
LIST_CAP = 40  # lines per section of the report; the full lists stay in `data`
# "table orders", "at orders", "from the orders table": the question is about one table.
TABLE_CUES = re.compile(r"\btable\s+([\w.]+)|\bat\s+([\w.]+)|\bfrom\s+(?:the\s+)?([\w.]+)\s+table\b", re.I)


def _timestamp(value: str, name: str) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArguments(
            f"{name}={value!r} is not an ISO timestamp, e.g. 2025-11-20T00:00:00Z") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def changes_body(a: dict[str, Any]) -> dict[str, Any]:
    """The request body. Refused, as the reference refuses: days and weeks together, and a window
    that ends before it starts. Other combinations (lastNDays with crawl ids) go to OvalEdge."""
    if "last_n_days" in a and "last_n_weeks" in a:
        raise InvalidArguments("give last_n_days or last_n_weeks, not both")
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


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _entries(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _kind(entry: dict[str, Any]) -> str:
    """added / deleted / modified (OvalEdge also says removed), or the changeType as sent."""
    raw = str(entry.get("changeType") or "").strip().lower()
    return KINDS.get(raw, raw or "modified")


def _typed(data_type: Any, length: Any) -> str | None:
    if data_type in (None, ""):
        return None if length in (None, "") else f"length {length}"
    return f"{data_type}({length})" if length not in (None, "") else str(data_type)


def _differs(before: Any, after: Any) -> bool:
    if before in (None, "") or after in (None, ""):
        return False
    return str(before).strip().casefold() != str(after).strip().casefold()


def _schema(entry: dict[str, Any], header: dict[str, Any]) -> str | None:
    found = entry.get("schemaName") or entry.get("schema")
    if found:
        return str(found)
    schema = header.get("catalogSchema")
    return str(schema) if schema and "," not in str(schema) else None


def _where(entry: dict[str, Any], header: dict[str, Any], *, column: bool) -> str:
    parts = [_schema(entry, header), entry.get("tableName"), entry.get("columnName") if column else None]
    return ".".join(str(part) for part in parts if part) or "?"


def _url(entry: dict[str, Any], link_base: str) -> str | None:
    return (nav_url(link_base, entry.get("navLink")) or nav_url(link_base, entry.get("hyperlink"))
            or nav_url(link_base, entry.get("redirectUrl")) or entry.get("redirectUrl") or None)


def rollup_of(data: dict[str, Any]) -> dict[str, int] | None:
    """OvalEdge's counts; None when it sent none."""
    rollup = data.get("rollup")
    return {key: _count(value) for key, value in rollup.items()} if isinstance(rollup, dict) else None


def view_model(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """`changes` and `summary` for the view: each table and column change with its kind
    (TABLE_ADDED, TABLE_DELETED, TABLE_MODIFIED, COLUMN_ADDED, COLUMN_DELETED, DATA_TYPE_CHANGED
    for a type or length change, COLUMN_MODIFIED otherwise), and the counts (OvalEdge's rollup
    where it sent one, else counted here)."""
    header = data.get("contextHeader") if isinstance(data.get("contextHeader"), dict) else {}
    changes: list[dict[str, Any]] = []
    for entry in _entries(data.get("tableChanges")):
        kind = _kind(entry)
        changes.append({"changeType": f"TABLE_{kind.upper()}", "schemaName": _schema(entry, header),
                        "tableName": entry.get("tableName"),
                        **{k: entry[k] for k in ("navLink", "redirectUrl") if entry.get(k)}})
    for entry in _entries(data.get("columnChanges")):
        kind = _kind(entry)
        before = _typed(entry.get("previousDataType"), entry.get("previousLength"))
        after = _typed(entry.get("currentDataType"), entry.get("currentLength"))
        retyped = _differs(entry.get("previousDataType"), entry.get("currentDataType")) or _differs(
            entry.get("previousLength"), entry.get("currentLength"))
        change_type = {"added": "COLUMN_ADDED", "deleted": "COLUMN_DELETED"}.get(
            kind, "DATA_TYPE_CHANGED" if retyped else "COLUMN_MODIFIED")
        view = {"changeType": change_type, "schemaName": _schema(entry, header),
                "tableName": entry.get("tableName"), "columnName": entry.get("columnName")}
        if before:
            view["oldDataType"] = before
        if after:
            view["newDataType"] = after
        if entry.get("detail"):
            view["detail"] = entry["detail"]
        view.update({k: entry[k] for k in ("navLink", "redirectUrl") if entry.get(k)})
        changes.append(view)
    counted = {
        "tablesAdded": sum(c["changeType"] == "TABLE_ADDED" for c in changes),
        "tablesDeleted": sum(c["changeType"] == "TABLE_DELETED" for c in changes),
        "tablesModified": len({(c["schemaName"], c["tableName"]) for c in changes
                               if c["changeType"].startswith(("COLUMN_", "DATA_"))}
                              - {(c["schemaName"], c["tableName"]) for c in changes
                                 if c["changeType"] in ("TABLE_ADDED", "TABLE_DELETED")})
        + sum(c["changeType"] == "TABLE_MODIFIED" for c in changes),
        "columnsAdded": sum(c["changeType"] == "COLUMN_ADDED" for c in changes),
        "columnsDeleted": sum(c["changeType"] == "COLUMN_DELETED" for c in changes),
        "columnsModified": sum(c["changeType"] in ("DATA_TYPE_CHANGED", "COLUMN_MODIFIED") for c in changes),
    }
    rollup = rollup_of(data)
    summary = {key: rollup.get(key, value) for key, value in counted.items()} if rollup else counted
    summary["totalChanges"] = rollup["totalChanges"] if rollup and "totalChanges" in rollup else sum(
        summary[k] for k in ("tablesAdded", "tablesDeleted", "columnsAdded", "columnsDeleted",
                             "columnsModified"))
    return changes, summary


def _capped(lines: list[str], total: int, where: str) -> list[str]:
    if total > len(lines):
        lines.append(f"- ... and {total - len(lines)} more (all in data.{where})")
    return lines


def _row_deltas(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Row-count changes, largest first, one per table (notableDeltas, then rowCountChanges)."""
    by_table: dict[str, dict[str, Any]] = {}
    for entry in _entries(data.get("notableDeltas")) + _entries(data.get("rowCountChanges")):
        delta = entry.get("rowCountDelta")
        if not isinstance(delta, (int, float)) or isinstance(delta, bool) or not delta:
            continue
        key = f"{entry.get('schemaName', '')}.{entry.get('tableName', '')}".lower()
        if key not in by_table or abs(delta) > abs(by_table[key]["rowCountDelta"]):
            by_table[key] = entry
    return sorted(by_table.values(), key=lambda e: -abs(e["rowCountDelta"]))


def _table_line(e: dict[str, Any], place: str) -> str:
    detail = f" ({e['detail']})" if e.get("detail") and _kind(e) == "modified" else ""
    return f"- {place}{detail}"


def _column_line(e: dict[str, Any], place: str) -> str:
    kind = _kind(e)
    before = _typed(e.get("previousDataType"), e.get("previousLength"))
    after = _typed(e.get("currentDataType"), e.get("currentLength"))
    if kind == "added":
        return f"- {place}" + (f" ({after})" if after else "")
    if kind == "deleted":
        return f"- {place}" + (f" (was {before})" if before else "")
    what = [f"{name} {b} -> {c}" for name, b, c in (
        ("data type", e.get("previousDataType"), e.get("currentDataType")),
        ("length", e.get("previousLength"), e.get("currentLength"))) if _differs(b, c)]
    detail = f" ({e['detail']})" if e.get("detail") else ""
    return f"- {place}" + (f": {'; '.join(what)}" if what else "") + detail


def _row_line(e: dict[str, Any], place: str) -> str:
    ends = (f" ({_count(e['previousRowCount']):,} -> {_count(e['currentRowCount']):,})"
            if "previousRowCount" in e and "currentRowCount" in e else "")
    return f"- {place}: {e['rowCountDelta']:+,}{ends}"


def _opening(data: dict[str, Any], header: dict[str, Any]) -> list[str]:
    connection = header.get("connection") or data.get("connectionName")
    title = f"## Metadata changes in {connection or 'the connection'}"
    if header.get("catalogSchema"):
        title += f" (schema {header['catalogSchema']})"
    lines = [title]
    frm, to = data.get("analyzedFromTimestamp"), data.get("analyzedToTimestamp")
    if frm or to:
        lines.append(f"Analyzed crawls: {frm or '?'} -> {to or '?'}.")
    if data.get("crawlComparisonReference"):
        lines.append(f"Crawl comparison: {data['crawlComparisonReference']}.")
    fallback = data.get("fallback") if isinstance(data.get("fallback"), dict) else {}
    if fallback.get("show") and fallback.get("message"):
        lines.append(f"\nNote: {fallback['message']}")
    return lines


def _counts(data: dict[str, Any], anything_listed: bool, row_changes: bool) -> list[str]:
    """The rollup line. "No changes" only when OvalEdge counted none and listed none."""
    rollup = rollup_of(data)
    summary = data.get("changeSummary")
    if rollup is None:
        if anything_listed:
            return [f"Change summary: {summary}."] if summary else []
        return ["OvalEdge sent no change counts or change lists for this window"
                + (f"; its summary: {summary}" if summary else "") + "."]
    total = rollup.get("totalChanges", sum(rollup.get(key, 0) for key, _ in ROLLUP[:6]))
    always = ("tablesAdded", "tablesDeleted", "columnsAdded", "columnsDeleted", "columnsModified")
    counts = ", ".join(f"{label} {rollup.get(key, 0)}" for key, label in ROLLUP
                       if rollup.get(key) or key in always)
    lines = [f"Summary: {total} change(s): {counts}."]
    if not total and not anything_listed:
        lines.append("No structural changes were found for this scope"
                     + (" (row counts changed: below)." if row_changes else "."))
    if summary:
        lines.append(f"Change summary: {summary}.")
    return lines


def render_changes(data: dict[str, Any], targets: set[str], link_base: str) -> str:
    header = data.get("contextHeader") if isinstance(data.get("contextHeader"), dict) else {}
    tables, columns = _entries(data.get("tableChanges")), _entries(data.get("columnChanges"))
    deltas = _row_deltas(data)
    lines = _opening(data, header) + _counts(data, bool(tables or columns), bool(deltas))

    def section(heading: str, entries: list[dict[str, Any]], line, where: str, *, column: bool) -> None:
        if not entries:
            return
        shown = []
        for e in entries[:LIST_CAP]:
            place = _where(e, header, column=column)
            if str(e.get("tableName", "")).lower() in targets:
                place = link(place, _url(e, link_base))
            shown.append(line(e, place))
        lines.extend([f"\n### {heading} ({len(entries)})", *_capped(shown, len(entries), where)])

    kinds = (("added", "added"), ("deleted", "deleted"), ("modified", "modified"))
    for kind, word in kinds:
        section(f"Tables {word}", [e for e in tables if _kind(e) == kind], _table_line, "tableChanges",
                column=False)
    for kind, word in kinds:
        section(f"Columns {word}", [e for e in columns if _kind(e) == kind], _column_line, "columnChanges",
                column=True)
    known = {kind for kind, _ in kinds}
    section("Other table changes", [e for e in tables if _kind(e) not in known],
            lambda e, place: f"- {e.get('changeType')}: {place}", "tableChanges", column=False)
    section("Other column changes", [e for e in columns if _kind(e) not in known],
            lambda e, place: f"- {e.get('changeType')}: {place}", "columnChanges", column=True)
    if not columns:  # counts per table, when OvalEdge names no column
        section("Column changes by table", [e for e in _entries(data.get("tableSummaries")) if any(
            _count(e.get(k)) for k in ("columnsAdded", "columnsDeleted", "columnsModified"))],
            lambda e, place: (f"- {place}: {_count(e.get('columnsAdded'))} added, "
                              f"{_count(e.get('columnsDeleted'))} deleted, "
                              f"{_count(e.get('columnsModified'))} modified"), "tableSummaries", column=False)
    section("Row counts", deltas, _row_line, "rowCountChanges", column=False)

    links = []
    for label, key in (("Compare schema in OvalEdge", "compareSchemaUrl"),
                       ("Open in OvalEdge", "redirectUrl")):
        url = nav_url(link_base, data.get(key)) or data.get(key)
        if isinstance(url, str) and url:
            links.append(link(label, url))
    if links:
        lines.append("\nLinks: " + " · ".join(links))
    return "\n".join(lines)


async def metadata_changes_between_crawls(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = changes_body(a)
    answer = await ctx.api.ask(routes.CRAWL_CHANGES, body=body, what="metadata_changes_between_crawls")
    data = data_of(answer)
    formatted = render_changes(data, targeted_tables(a), ctx.settings.link_base_url)
    data["changes"], data["summary"] = view_model(data)
    return ok(data, formattedResponse=formatted)


TOOLS = (
    Tool(
        name="metadata_changes_between_crawls",
        title="Compare metadata changes",
        description=(
            
            
            
            "What changed in a connection's metadata between crawls: tables and columns added, "
            'deleted or modified (type, length), row counts. Narrow with connection_name, schema_names, '
            'table_names; window: last_n_days or last_n_weeks, from/to_timestamp, from/to_crawl_id '
            "(none: the latest crawls). question: the user's words. Show formattedResponse, its Note "
            'included.'
        
        
        
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
