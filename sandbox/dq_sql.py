"""The SQL side of data quality: the queries a rule function generates for a column or a table,
the check of a query against a schema, and what running a checked query answers.

The sandbox evaluates no SQL. A query passes the check when it is one SELECT (or WITH) statement
whose tables (after FROM and JOIN, schema-qualified or not) are tables of the schema. Running it
answers deterministic rows: one for a query of aggregates only, otherwise the failing rows of
its tables, with sample values taken from the profiles of the columns it names.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from sandbox.catalog import Catalog
from sandbox.sample_dq import COLUMN_PATTERNS, TABLE
from sandbox.wire import BadRequest

NUMERIC_TYPES = ("int", "bigint", "integer", "number", "numeric", "decimal")
MAX_SAMPLE_ROWS = 3
TOTAL_WORDS = ("total", "row_count", "distinct")  # a computed output with one of these counts every row
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_TABLE_REF = re.compile(r"\b(?:from|join)\s+([A-Za-z_][\w.\"]*)", re.I)
_CTE = re.compile(r"(?:\bwith|,)\s+(\w+)\s+as\s*\(", re.I)


def is_numeric(data_type: str) -> bool:
    return data_type.lower().startswith(NUMERIC_TYPES)


def pattern_for(column_name: str) -> str | None:
    """The pattern a column's values must match, from a word in its name."""
    return next((p for word, p in COLUMN_PATTERNS.items() if word in column_name.lower()), None)


def schema_of(catalog: Catalog, connection_id: Any, schema_id: Any) -> dict[str, Any]:
    """The schema a DQ query runs in, named by connection id and schema id."""
    for name, value in (("connectionId", connection_id), ("schemaId", schema_id)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadRequest(f"{name} must be an integer")
    connection = next((c for c in catalog.connections.values() if c["connectionId"] == connection_id), None)
    if connection is None:
        raise BadRequest(f"Unknown connectionId {connection_id}")
    schema = catalog.get(schema_id, "oeschema")
    if schema is None or schema["connectionName"] != connection["connectionName"]:
        raise BadRequest(f"schemaId {schema_id} is not a schema of connection {connection['connectionName']}")
    return schema


# ------------------------------------------------------------------ generating


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"


def violation(catalog: Catalog, column: dict[str, Any], function: str) -> str:
    """The SQL condition a row breaks the function's check on this column with."""
    name = column["objectName"]
    if function == "Range Check":
        return f"{name} < 0"
    if function == "Pattern Match":
        pattern = _literal(pattern_for(name) or ".*")
        if column["serverType"] == "postgres":
            return f"{name} !~ {pattern}"
        return f"NOT REGEXP_LIKE({name}, {pattern})"
    if function == "Allowed Values":
        values = ", ".join(_literal(v) for v in catalog.column_extras[column["objectId"]]["values"])
        return f"{name} NOT IN ({values})"
    return f"{name} IS NULL"


def default_criteria(catalog: Catalog, doc: dict[str, Any], function: str) -> str:
    """What a rule of this function checks on the object when nothing else is said."""
    if function == "Row Count Check":
        return "row count > 0"
    if function == "Freshness Check":
        return "loaded within the last 24 hours"
    if function == "Unique Check":
        return f"{doc['objectName']} has no duplicate values"
    return f"NOT ({violation(catalog, doc, function)})"


def generated_queries(
    catalog: Catalog, doc: dict[str, Any], function: str, kind: str, business_rule: str
) -> dict[str, str | None]:
    """The rule, stats and failed-values queries of a function on a table or a column."""
    table = doc if doc["objectType"] == "oetable" else catalog.objects[doc["tableId"]]
    where = f"{table['schemaName']}.{table['objectName']}"
    column = doc["objectName"]
    if kind == TABLE:
        rule = f"SELECT COUNT(*) AS row_count FROM {where}"
        stats, failed = f"SELECT COUNT(*) AS total_count FROM {where}", None
    elif function == "Unique Check":
        repeated = f"SELECT {column} FROM {where} GROUP BY {column} HAVING COUNT(*) > 1"
        rule = f"SELECT COUNT(*) AS failed_count FROM ({repeated}) repeated_values"
        stats = f"SELECT COUNT(*) AS total_count, COUNT(DISTINCT {column}) AS distinct_count FROM {where}"
        failed = (
            f"SELECT {column}, COUNT(*) AS occurrences FROM {where} GROUP BY {column} HAVING COUNT(*) > 1"
        )
    else:
        bad = violation(catalog, doc, function)
        rule = f"SELECT COUNT(*) AS failed_count FROM {where} WHERE {bad}"
        failing = f"SUM(CASE WHEN {bad} THEN 1 ELSE 0 END) AS failed_count"
        stats = f"SELECT COUNT(*) AS total_count, {failing} FROM {where}"
        failed = f"SELECT {column} FROM {where} WHERE {bad} LIMIT 100"
    comment = "-- " + " ".join(business_rule.split())
    return {"ruleQuery": f"{comment}\n{rule}", "statsQuery": stats, "failedValuesQuery": failed}


# -------------------------------------------------------------------- checking


def _statement(query: str) -> str:
    return _COMMENTS.sub(" ", query).strip().rstrip(";").strip()


def same_query(one: str, other: str) -> bool:
    """Whether two queries are the same statement, whatever their comments, case and spacing."""
    return " ".join(_statement(one).lower().split()) == " ".join(_statement(other).lower().split())


def tables_named(
    catalog: Catalog, schema: dict[str, Any], query: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """(the schema's tables the query reads, what is wrong with the query)."""
    statement = _statement(query)
    if ";" in statement:
        return [], ["Give one statement only"]
    first = (statement.split() or [""])[0]
    if first.lower() not in ("select", "with"):
        return [], [f"Only SELECT statements can run as DQ queries, not {first.upper() or 'an empty query'}"]
    in_schema = {
        t["objectName"].lower(): t for t in catalog.of_type("oetable") if t["schemaId"] == schema["objectId"]
    }
    derived = {name.lower() for name in _CTE.findall(statement)}
    found, errors = {}, []
    for ref in _TABLE_REF.findall(statement):
        parts = ref.replace('"', "").split(".")
        name = parts[-1].lower()
        if name in derived:
            continue
        if len(parts) > 1 and parts[-2].lower() != schema["objectName"].lower():
            errors.append(f"Table {ref} is not in schema {schema['objectName']}")
        elif name not in in_schema:
            errors.append(f"Table {ref} does not exist in schema {schema['objectName']}")
        else:
            found[name] = in_schema[name]
    return list(found.values()), errors


# --------------------------------------------------------------------- running


def _outermost(statement: str) -> str:
    """The statement with what stands inside parentheses left out: "COUNT(*)" reads "COUNT()"."""
    kept, depth = [], 0
    for char in statement:
        depth += char == "("
        if depth == 0 or (depth == 1 and char in "()"):
            kept.append(char)
        depth -= char == ")"
    return "".join(kept)


def _output_name(item: str, n: int) -> str:
    alias = re.search(r"\bas\s+(\w+)\s*$", item, re.I)
    if alias:
        return alias.group(1)
    bare = re.fullmatch(r"\s*([\w.]+)\s*", item)
    return bare.group(1).split(".")[-1] if bare else f"column_{n}"


def run(catalog: Catalog, tables: list[dict[str, Any]], query: str) -> dict[str, Any]:
    """What running a checked query answers: a row count and a few sample rows.

    Every query on the same tables finds the same number of failing rows (drawn from their
    names): a query listing rows returns that many, a count of failures says that many, a total
    count is the table's row count, and columns take values from their profiles."""
    outer = _outermost(_statement(query))
    listed = re.search(r"\bselect\b(.*?)(?:\bfrom\b|$)", outer, re.I | re.S)
    items = [item.strip() for item in listed.group(1).split(",")] if listed else []
    if items == ["*"]:
        items = [c["objectName"] for c in catalog.column_docs(tables[0]["objectId"])] if tables else []
    total = tables[0]["rowCount"] if tables else 1
    failing = min(total, zlib.crc32(" ".join(t["fullyQualifiedName"] for t in tables).encode()) % 20)
    aggregated = all("(" in item for item in items) and not re.search(r"\bgroup\s+by\b", outer, re.I)
    columns = {c["objectName"].lower(): c for t in tables for c in catalog.column_docs(t["objectId"])}

    def value(name: str, row: int) -> Any:
        column = columns.get(name.lower())
        if column is None:
            return total if any(word in name.lower() for word in TOTAL_WORDS) else failing
        profile = catalog.profile(column["tableId"])[column["columnPosition"] - 1]
        seen = [v["value"] for v in profile.get("topValues", [])]
        seen = seen or [profile["minValue"], profile["maxValue"]]
        return seen[row % len(seen)]

    rows = 1 if aggregated else failing
    names = [_output_name(item, n) for n, item in enumerate(items, 1)]
    sample = [{name: value(name, row) for name in names} for row in range(min(rows, MAX_SAMPLE_ROWS))]
    return {"rows": rows, "sample": sample}
