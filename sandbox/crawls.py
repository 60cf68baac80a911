"""`POST metadata-changes-between-crawls`: what changed in a connection between two crawls.

The crawls are sample_crawls.py's. A window whose every crawl has its transactions recorded is
answered from them (`source: transactions_details`, each change dated by the crawl that found
it); otherwise the two crawls' schemas are compared (`source: schema_compare`, dated by the later
crawl, renames seen as a deleted plus an added column) and the answer recommends the job.

Crawl ids pick the crawls (only `toCrawlId`: from the crawl before it; only `fromCrawlId`: to the
latest). Otherwise a window does: lastNDays / lastNWeeks back from the sandbox clock, or
fromTimestamp / toTimestamp (a date alone as `toTimestamp` means the end of that day); the
window's later crawl is the last one in it, its earlier crawl the last one before it starts (or
the first crawl). Nothing given: the last two crawls. Ids win over windows, relative windows
over timestamps.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sandbox import sample_crawls as sc
from sandbox.catalog import Catalog
from sandbox.wire import Answer, BadRequest, body_int, body_object, body_text, body_texts, ok

BODY_KEYS = (
    "question",
    "connectionName",
    "schemaNames",
    "tableNames",
    "fromTimestamp",
    "toTimestamp",
    "lastNDays",
    "lastNWeeks",
    "fromCrawlId",
    "toCrawlId",
)
_WINDOW_KEYS = ("fromTimestamp", "toTimestamp", "lastNDays", "lastNWeeks")

Change = tuple[str, str, str, dict[str, Any]]  # sample_crawls.CHANGES entries
Snapshot = dict[tuple[str, str], dict[str, str]]  # (schema, table) -> column -> data type


class Crawl(NamedTuple):
    crawl_id: int
    crawled_at: str
    transactions_recorded: bool

    @property
    def moment(self) -> datetime:
        return _moment(self.crawled_at, "crawledAt")

    def wire(self) -> dict[str, Any]:
        return {"crawlId": self.crawl_id, "crawledAt": self.crawled_at}


def crawls_of(connection: str) -> list[Crawl]:
    return [Crawl(*c) for c in sc.CRAWLS.get(connection, [])]


def _moment(value: str, name: str, *, end_of_day: bool = False) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be an ISO timestamp, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end_of_day and len(value) == len("YYYY-MM-DD"):
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return moment


# ------------------------------------------------------------------ snapshots


def _latest_snapshot(catalog: Catalog, connection: str) -> Snapshot:
    """The connection's tables and columns now: what its latest crawl found."""
    return {
        (t["schemaName"], t["objectName"]): {
            c["objectName"]: c["dataType"] for c in catalog.column_docs(t["objectId"])
        }
        for t in catalog.of_type("oetable")
        if t["connectionName"] == connection
    }


def _undo(snapshot: Snapshot, change: Change) -> None:
    change_type, schema, table, details = change
    if change_type == "TABLE_ADDED":
        del snapshot[(schema, table)]
    elif change_type == "TABLE_DELETED":
        snapshot[(schema, table)] = dict(details["columns"])
    elif change_type == "COLUMN_ADDED":
        del snapshot[(schema, table)][details["columnName"]]
    elif change_type == "COLUMN_DELETED":
        snapshot[(schema, table)][details["columnName"]] = details["oldDataType"]
    elif change_type == "COLUMN_RENAMED":
        columns = snapshot[(schema, table)]
        columns[details["oldName"]] = columns.pop(details["newName"])
    else:  # DATA_TYPE_CHANGED
        snapshot[(schema, table)][details["columnName"]] = details["oldDataType"]


def snapshots(catalog: Catalog, connection: str) -> dict[int, Snapshot]:
    """crawl id -> what that crawl found, rebuilt from now by undoing the later changes."""
    history = crawls_of(connection)
    found: dict[int, Snapshot] = {}
    snapshot = _latest_snapshot(catalog, connection)
    for crawl in reversed(history):
        found[crawl.crawl_id] = copy.deepcopy(snapshot)
        for change in reversed(sc.CHANGES.get(crawl.crawl_id, [])):
            _undo(snapshot, change)
    return found


def _schema_compare(old: Snapshot, new: Snapshot) -> list[Change]:
    changes: list[Change] = []
    for schema, table in sorted(old.keys() | new.keys()):
        before, after = old.get((schema, table)), new.get((schema, table))
        if before is None:
            changes.append(("TABLE_ADDED", schema, table, {}))
        elif after is None:
            changes.append(("TABLE_DELETED", schema, table, {}))
        else:
            for column in sorted(before.keys() | after.keys()):
                old_type, new_type = before.get(column), after.get(column)
                if old_type is None:
                    changes.append(
                        ("COLUMN_ADDED", schema, table, {"columnName": column, "newDataType": new_type})
                    )
                elif new_type is None:
                    changes.append(
                        ("COLUMN_DELETED", schema, table, {"columnName": column, "oldDataType": old_type})
                    )
                elif old_type != new_type:
                    details = {"columnName": column, "oldDataType": old_type, "newDataType": new_type}
                    changes.append(("DATA_TYPE_CHANGED", schema, table, details))
    return changes


# --------------------------------------------------------------------- window


def _by_id(history: list[Crawl], crawl_id: int, connection: str) -> Crawl:
    for crawl in history:
        if crawl.crawl_id == crawl_id:
            return crawl
    raise BadRequest(f"No crawl {crawl_id} of {connection}; its crawls: {[c.crawl_id for c in history]}")


def _time_range(body: dict[str, Any]) -> tuple[datetime | None, datetime]:
    """The window's start (None: since the first crawl) and end; without one, up to the clock."""
    days, weeks = body_int(body, "lastNDays"), body_int(body, "lastNWeeks")
    if days is not None and weeks is not None:
        raise BadRequest("Give lastNDays or lastNWeeks, not both")
    clock = _moment(sc.CRAWL_CLOCK, "clock")
    if days is not None or weeks is not None:
        return clock - timedelta(days=days or 0, weeks=weeks or 0), clock
    start, end = body_text(body, "fromTimestamp"), body_text(body, "toTimestamp")
    start_at = _moment(start, "fromTimestamp") if start else None
    end_at = _moment(end, "toTimestamp", end_of_day=True) if end else clock
    if start_at is not None and start_at > end_at:
        raise BadRequest("fromTimestamp must not be after toTimestamp")
    return start_at, end_at


def _window(body: dict[str, Any], history: list[Crawl], connection: str) -> tuple[Crawl, Crawl]:
    """The earlier and the later crawl to compare."""
    first, last = body_int(body, "fromCrawlId"), body_int(body, "toCrawlId")
    if first is not None and last is not None and first > last:
        raise BadRequest("fromCrawlId must not be after toCrawlId")
    start, end = _time_range(body)
    if first is not None or last is not None:
        to_crawl = _by_id(history, last, connection) if last is not None else history[-1]
        if first is not None:
            return _by_id(history, first, connection), to_crawl
        return history[max(0, history.index(to_crawl) - 1)], to_crawl
    if not body.keys() & set(_WINDOW_KEYS):
        return history[max(0, len(history) - 2)], history[-1]
    in_time = [c for c in history if c.moment <= end]
    if not in_time:
        raise BadRequest(f"{connection} was first crawled at {history[0].crawled_at}, after the window")
    before = [c for c in history if start is not None and c.moment <= start]
    return (before[-1] if before else history[0]), in_time[-1]


# --------------------------------------------------------------------- answer


def _connection(catalog: Catalog, body: dict[str, Any]) -> str:
    name = body_text(body, "connectionName")
    crawled = list(sc.CRAWLS)
    if name is None:
        if len(crawled) != 1:
            raise BadRequest(f"connectionName is required; crawled connections: {crawled}")
        return crawled[0]
    for connection in catalog.connections:
        if connection.lower() == name.lower():
            if connection not in sc.CRAWLS:
                raise BadRequest(
                    f"{connection} has no crawl history to compare; crawled connections: {crawled}"
                )
            return connection
    raise BadRequest(f"Unknown connection {name!r}")


def _type_and_length(data_type: str | None) -> tuple[str | None, str | None]:
    """'number(38,0)' -> ('number', '38,0'); a type without a length -> (type, None)."""
    if not data_type:
        return None, None
    match = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]*)\)\s*", data_type)
    return (match.group(1), match.group(2)) if match else (data_type, None)


def _linked(catalog: Catalog, link_base: str, entry: dict[str, Any], fqn: str) -> dict[str, Any]:
    doc = catalog.by_fqn(fqn)
    if doc is not None:  # links lead to the object as it is now; a deleted one has none
        entry.update({k: doc[k] for k in ("objectId", "objectType", "navLink")})
        entry["redirectUrl"] = f"{link_base}/{doc['navLink']}"
    return entry


class _Answer:
    """The evidenced answer's lists, built change by change."""

    def __init__(self, catalog: Catalog, connection: str, link_base: str) -> None:
        self.catalog, self.connection, self.link_base = catalog, connection, link_base
        self.table_changes: list[dict[str, Any]] = []
        self.column_changes: list[dict[str, Any]] = []

    def table(self, kind: str, schema: str, table: str) -> None:
        entry = {
            "changeType": kind,
            "schemaName": schema,
            "tableName": table,
            "detail": f"Table {'added' if kind == 'added' else 'deleted'}",
        }
        if kind == "added":
            _linked(self.catalog, self.link_base, entry, f"{self.connection}.{schema}.{table}")
        self.table_changes.append(entry)

    def column(
        self,
        kind: str,
        schema: str,
        table: str,
        column: str,
        *,
        before: str | None = None,
        after: str | None = None,
        detail: str,
    ) -> None:
        entry: dict[str, Any] = {
            "changeType": kind,
            "schemaName": schema,
            "tableName": table,
            "columnName": column,
        }
        for side, data_type in (("previous", before), ("current", after)):
            name, length = _type_and_length(data_type)
            if name is not None:
                entry[f"{side}DataType"] = name
            if length is not None:
                entry[f"{side}Length"] = length
        entry["detail"] = detail
        if kind != "deleted":
            _linked(self.catalog, self.link_base, entry, f"{self.connection}.{schema}.{table}.{column}")
        self.column_changes.append(entry)

    def add(self, change: Change, snapshot_after: Snapshot) -> None:
        """One change of sample_crawls.py (or of a schema compare) in OvalEdge's terms."""
        change_type, schema, table, details = change
        if change_type == "TABLE_ADDED":
            self.table("added", schema, table)
        elif change_type == "TABLE_DELETED":
            self.table("deleted", schema, table)
        elif change_type == "COLUMN_ADDED":
            self.column(
                "added",
                schema,
                table,
                details["columnName"],
                after=details["newDataType"],
                detail="Column added",
            )
        elif change_type == "COLUMN_DELETED":
            self.column(
                "deleted",
                schema,
                table,
                details["columnName"],
                before=details["oldDataType"],
                detail="Column deleted",
            )
        elif change_type == "COLUMN_RENAMED":  # OvalEdge has no rename: the old column goes, a new one comes
            old, new = details["oldName"], details["newName"]
            data_type = snapshot_after.get((schema, table), {}).get(new)
            self.column(
                "deleted", schema, table, old, before=data_type, detail=f"Column deleted (renamed to {new})"
            )
            self.column(
                "added", schema, table, new, after=data_type, detail=f"Column added (renamed from {old})"
            )
        else:  # DATA_TYPE_CHANGED
            before, after = details["oldDataType"], details["newDataType"]
            (old_type, old_length), (new_type, new_length) = _type_and_length(before), _type_and_length(after)
            what = [
                w
                for w, differs in (("data type", old_type != new_type), ("length", old_length != new_length))
                if differs
            ]
            self.column(
                "modified",
                schema,
                table,
                details["columnName"],
                before=before,
                after=after,
                detail=f"{' and '.join(what).capitalize()} changed",
            )

    def keep(self, schemas: set[str], tables: set[str]) -> None:
        def wanted(entry: dict[str, Any]) -> bool:
            return (not schemas or entry["schemaName"].lower() in schemas) and (
                not tables or entry["tableName"].lower() in tables
            )

        self.table_changes = [e for e in self.table_changes if wanted(e)]
        self.column_changes = [e for e in self.column_changes if wanted(e)]

    def summaries(self) -> list[dict[str, Any]]:
        """Per table with column changes: how many columns were added, deleted, modified."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in self.column_changes:
            key = (entry["schemaName"], entry["tableName"])
            summary = found.setdefault(
                key,
                {
                    "schemaName": key[0],
                    "tableName": key[1],
                    "columnsAdded": 0,
                    "columnsDeleted": 0,
                    "columnsModified": 0,
                },
            )
            summary[f"columns{entry['changeType'].capitalize()}"] += 1
        return list(found.values())

    def rollup(self) -> dict[str, int]:
        count = {
            kind: sum(e["changeType"] == kind for e in self.table_changes) for kind in ("added", "deleted")
        }
        columns = {
            kind: sum(e["changeType"] == kind for e in self.column_changes)
            for kind in ("added", "deleted", "modified")
        }
        gone = {(e["schemaName"], e["tableName"]) for e in self.table_changes}
        modified = {(e["schemaName"], e["tableName"]) for e in self.column_changes} - gone
        return {
            "totalChanges": len(self.table_changes) + len(self.column_changes),
            "schemasAdded": 0,
            "schemasModified": 0,
            "schemasRemoved": 0,
            "tablesAdded": count["added"],
            "tablesDeleted": count["deleted"],
            "tablesModified": len(modified),
            "columnsAdded": columns["added"],
            "columnsDeleted": columns["deleted"],
            "columnsModified": columns["modified"],
        }


def _row_counts(catalog: Catalog, connection: str, crawl: Crawl, latest: Crawl) -> dict[tuple[str, str], int]:
    if crawl.crawl_id == latest.crawl_id:
        return {
            (t["schemaName"], t["objectName"]): t["rowCount"]
            for t in catalog.of_type("oetable")
            if t["connectionName"] == connection and t.get("rowCount") is not None
        }
    return dict(sc.ROW_COUNTS.get(crawl.crawl_id, {}))


def _row_count_changes(
    catalog: Catalog, connection: str, link_base: str, ends: tuple[Crawl, Crawl], latest: Crawl
) -> list[dict[str, Any]]:
    before, after = (_row_counts(catalog, connection, crawl, latest) for crawl in ends)
    changes = []
    for (schema, table), count in sorted(after.items()):
        if (schema, table) in before and before[(schema, table)] != count:
            entry = {
                "schemaName": schema,
                "tableName": table,
                "previousRowCount": before[(schema, table)],
                "currentRowCount": count,
                "rowCountDelta": count - before[(schema, table)],
            }
            changes.append(_linked(catalog, link_base, entry, f"{connection}.{schema}.{table}"))
    return changes


def _change_summary(rollup: dict[str, int]) -> str:
    parts = [
        f"{rollup[key]} {label}"
        for key, label in (
            ("tablesAdded", "tables added"),
            ("tablesDeleted", "tables deleted"),
            ("tablesModified", "tables modified"),
            ("columnsAdded", "columns added"),
            ("columnsDeleted", "columns deleted"),
            ("columnsModified", "columns modified"),
        )
        if rollup[key]
    ]
    return ", ".join(parts) if parts else "No changes"


def metadata_changes(catalog: Catalog, raw: Any, link_base: str) -> Answer:
    body = body_object(raw, "The request body", BODY_KEYS)
    body_text(body, "question")  # checked only: the sandbox does not read questions
    connection = _connection(catalog, body)
    history = crawls_of(connection)
    from_crawl, to_crawl = _window(body, history, connection)
    between = [c for c in history if from_crawl.crawl_id < c.crawl_id <= to_crawl.crawl_id]
    crawled = snapshots(catalog, connection)
    answer = _Answer(catalog, connection, link_base)
    recorded = all(c.transactions_recorded for c in between)
    if recorded:
        for crawl in between:
            for change in sc.CHANGES.get(crawl.crawl_id, []):
                answer.add(change, crawled[crawl.crawl_id])
    else:
        for change in _schema_compare(crawled[from_crawl.crawl_id], crawled[to_crawl.crawl_id]):
            answer.add(change, crawled[to_crawl.crawl_id])
    schemas = {s.lower() for s in body_texts(body, "schemaNames")}
    tables = {t.lower() for t in body_texts(body, "tableNames")}
    answer.keep(schemas, tables)
    rows = [
        c
        for c in _row_count_changes(catalog, connection, link_base, (from_crawl, to_crawl), history[-1])
        if (not schemas or c["schemaName"].lower() in schemas)
        and (not tables or c["tableName"].lower() in tables)
    ]
    touched = sorted({e["schemaName"] for e in answer.table_changes + answer.column_changes + rows})
    named = sorted(schemas) if schemas else touched
    schema_doc = catalog.by_fqn(f"{connection}.{named[0]}") if len(named) == 1 else None
    rollup = answer.rollup()
    data: dict[str, Any] = {
        "contextHeader": {
            "connection": connection,
            "catalogSchema": schema_doc["objectName"] if schema_doc else ", ".join(named) or None,
            "schemaId": schema_doc["objectId"] if schema_doc else None,
            "compareSchemaId": to_crawl.crawl_id,  # the sandbox's comparison record is the later crawl
        },
        "analyzedFromTimestamp": from_crawl.crawled_at,
        "analyzedToTimestamp": to_crawl.crawled_at,
        "crawlComparisonReference": f"crawl {from_crawl.crawl_id} -> crawl {to_crawl.crawl_id}",
        "changeSummary": _change_summary(rollup),
        "rollup": rollup,
        "tableChanges": answer.table_changes,
        "columnChanges": answer.column_changes,
        "tableSummaries": answer.summaries(),
        "rowCountChanges": rows,
        "notableDeltas": sorted(
            (r for r in rows if r["rowCountDelta"] > 0), key=lambda r: -r["rowCountDelta"]
        )[:6],
        "fallback": {"show": False},
        "compareSchemaUrl": f"{link_base}/#nav/comparedb?srchtab=history&id={to_crawl.crawl_id}",
    }
    if schema_doc is not None:
        data["redirectUrl"] = f"{link_base}/{schema_doc['navLink']}"
    if not recorded:
        missing = [c.crawl_id for c in between if not c.transactions_recorded]
        data["fallback"] = {
            "show": True,
            "message": (
                f"Crawl(s) {missing} ran without {sc.TRANSACTION_JOB}, so these changes come from "
                f"comparing the schemas of crawls {from_crawl.crawl_id} and {to_crawl.crawl_id}. "
                f"Run {sc.TRANSACTION_JOB} after each crawl of {connection} to record changes crawl by crawl."
            ),
        }
    return ok(data)
