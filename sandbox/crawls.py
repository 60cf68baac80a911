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
_COLUMN_CHANGES = ("COLUMN_ADDED", "COLUMN_DELETED", "COLUMN_RENAMED", "DATA_TYPE_CHANGED")
SUMMARY_KEYS = {
    "TABLE_ADDED": "tablesAdded",
    "TABLE_DELETED": "tablesDeleted",
    "COLUMN_ADDED": "columnsAdded",
    "COLUMN_DELETED": "columnsDeleted",
    "COLUMN_RENAMED": "columnsRenamed",
    "DATA_TYPE_CHANGED": "dataTypesChanged",
}

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


def _wire(catalog: Catalog, connection: str, change: Change, detected_at: str) -> dict[str, Any]:
    change_type, schema, table, details = change
    entry: dict[str, Any] = {"changeType": change_type, "schemaName": schema, "tableName": table}
    entry.update({k: v for k, v in details.items() if k != "columns"})
    if change_type == "COLUMN_RENAMED":
        entry["columnName"] = details["newName"]
    name = f"{connection}.{schema}.{table}"
    if change_type in _COLUMN_CHANGES:
        name += f".{entry['columnName']}"
    doc = None if change_type.endswith("DELETED") else catalog.by_fqn(name)  # None if gone since
    if doc is not None:
        entry.update({k: doc[k] for k in ("objectId", "objectType", "navLink")})
    entry["detectedAt"] = detected_at
    return entry


def metadata_changes(catalog: Catalog, raw: Any) -> Answer:
    body = body_object(raw, "The request body", BODY_KEYS)
    body_text(body, "question")  # checked only: the sandbox does not read questions
    connection = _connection(catalog, body)
    history = crawls_of(connection)
    from_crawl, to_crawl = _window(body, history, connection)
    between = [c for c in history if from_crawl.crawl_id < c.crawl_id <= to_crawl.crawl_id]
    data: dict[str, Any] = {
        "connectionName": connection,
        "fromCrawl": from_crawl.wire(),
        "toCrawl": to_crawl.wire(),
    }
    if all(c.transactions_recorded for c in between):
        data["source"] = "transactions_details"
        found = [(change, c.crawled_at) for c in between for change in sc.CHANGES.get(c.crawl_id, [])]
    else:
        data["source"] = "schema_compare"
        crawled = snapshots(catalog, connection)
        compared = _schema_compare(crawled[from_crawl.crawl_id], crawled[to_crawl.crawl_id])
        found = [(change, to_crawl.crawled_at) for change in compared]
    schemas = {s.lower() for s in body_texts(body, "schemaNames")}
    tables = {t.lower() for t in body_texts(body, "tableNames")}
    data["changes"] = [
        _wire(catalog, connection, change, detected_at)
        for change, detected_at in found
        if (not schemas or change[1].lower() in schemas) and (not tables or change[2].lower() in tables)
    ]
    data["summary"] = {
        key: sum(c["changeType"] == kind for c in data["changes"]) for kind, key in SUMMARY_KEYS.items()
    }
    if data["source"] == "schema_compare":
        missing = [c.crawl_id for c in between if not c.transactions_recorded]
        data["recommendation"] = (
            f"Crawl(s) {missing} ran without {sc.TRANSACTION_JOB}, so these changes come from comparing "
            f"the schemas of crawls {from_crawl.crawl_id} and {to_crawl.crawl_id} (a renamed column shows "
            f"as deleted and added). Run {sc.TRANSACTION_JOB} after each crawl of {connection} to record "
            "changes crawl by crawl."
        )
    return ok(data)
