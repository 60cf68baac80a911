"""The DQ rule advisor: `POST dq-intelligence/assess-cde` (which function and which existing rule
fit an object), `generate-queries`, `validate-queries` (a run of SQL on the source, counted in
`DataQuality.validation_runs`) and `GET lookup-dq-rules`.

The recommended function of a column follows what the catalog knows of it: a key is checked for
uniqueness, an enumeration against its values, an e-mail, phone or SKU column against a
pattern, a number against a range; anything else for nulls. A table or a file is checked for its
row count. `preferredFunctionName` puts a function that fits first, `excludedFunctionNames` take
functions out. The recommended rule is an existing standard rule of the recommended function,
the object's own first.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sandbox import dq_sql
from sandbox import sample_dq as sdq
from sandbox.catalog import CONTAINER_TYPES, Catalog
from sandbox.data_quality import DataQuality, rule_ref
from sandbox.governed import object_refs
from sandbox.sample_governance import CUSTOM_FIELDS
from sandbox.wire import (
    Answer,
    BadRequest,
    NotFound,
    Params,
    body_bool,
    body_int,
    body_object,
    body_text,
    body_texts,
    bounded_int,
    integer,
    not_found,
    ok,
    text,
)

DQ_OBJECT_TYPES = ("oetable", "oecolumn", "oefile", "oefilecolumn")
SQL_OBJECT_TYPES = ("oetable", "oecolumn")  # files have no SQL
MAX_OBJECTS = 100
DEFAULT_ASSESS_LIMIT = 50
DEFAULT_LOOKUP_LIMIT = 20
ASSESS_KEYS = (
    "objects",
    "discoverCdeColumns",
    "limit",
    "descriptionCustomFieldName",
    "descriptionTermName",
    "preferredFunctionName",
    "excludedFunctionNames",
)
GENERATE_KEYS = ("objects", "businessRule", "businessDescription", "connectionId", "schemaId")
QUERY_NAMES = ("ruleQuery", "statsQuery", "failedValuesQuery")
VALIDATE_KEYS = ("connectionId", "schemaId", *QUERY_NAMES)


def function_kind(doc: dict[str, Any]) -> str:
    return sdq.TABLE if doc["objectType"] in CONTAINER_TYPES else sdq.COLUMN


def function_choices(body: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(preferredFunctionName, excludedFunctionNames), checked against the known functions."""
    standard = [name for name, kind in sdq.DQ_FUNCTIONS.items() if kind != sdq.SQL]
    preferred, excluded = body_text(body, "preferredFunctionName"), body_texts(body, "excludedFunctionNames")
    unknown = [name for name in [preferred, *excluded] if name is not None and name not in standard]
    if unknown:
        raise BadRequest(f"Unknown DQ functions {unknown}; expected some of {standard}")
    return preferred, excluded


def business_metadata_names(
    catalog: Catalog, body: dict[str, Any]
) -> tuple[str | None, dict[str, Any] | None]:
    """(the custom field name, the glossary term) that business metadata is read from."""
    field, term_name = body_text(body, "descriptionCustomFieldName"), body_text(body, "descriptionTermName")
    if field is not None and field.lower() not in {f["fieldName"].lower() for f in CUSTOM_FIELDS}:
        raise BadRequest(f"Unknown custom field {field!r} in descriptionCustomFieldName")
    terms = catalog.terms_named(term_name) if term_name else []
    if term_name is not None and not terms:
        raise BadRequest(f"Unknown glossary term {term_name!r} in descriptionTermName")
    return field, terms[0] if terms else None


def candidates(
    catalog: Catalog, doc: dict[str, Any], preferred: str | None, excluded: list[str]
) -> list[str]:
    """The functions that fit the object, best first."""
    if function_kind(doc) == sdq.TABLE:
        fitting = ["Row Count Check", "Freshness Check"]
    else:
        extras = catalog.column_extras[doc["objectId"]]
        fitting = ["Null Check"]
        if extras.get("pk"):
            fitting.insert(0, "Unique Check")
        elif "values" in extras:
            fitting.insert(0, "Allowed Values")
        elif dq_sql.pattern_for(doc["objectName"]):
            fitting.insert(0, "Pattern Match")
        elif dq_sql.is_numeric(doc["dataType"]):
            fitting.insert(0, "Range Check")
    if preferred is not None and sdq.DQ_FUNCTIONS[preferred] == function_kind(doc):
        fitting = [preferred, *(f for f in fitting if f != preferred)]
    return [f for f in fitting if f not in excluded]


def reusable_rule(data_quality: DataQuality, function: str, object_id: int) -> dict[str, Any] | None:
    """An existing standard rule of this function: one on the object, else the first."""
    rules = [
        r for r in data_quality.rules.values() if r["function"] == function and r["ruleType"] == "standard"
    ]
    mine = [r for r in rules if r in data_quality.rules_on(object_id)]
    return (mine or rules or [None])[0]


def dq_objects(
    catalog: Catalog,
    body: dict[str, Any],
    allowed: tuple[str, ...] = DQ_OBJECT_TYPES,
    *,
    required: bool = True,
) -> list[dict[str, Any]] | None:
    """The objects named in `objects` (None: none named, when not required); a missing one is not found."""
    if body.get("objects") is None and not required:
        return None
    docs = [catalog.get(i, kind) for i, kind in object_refs(body, "objects", allowed, maximum=MAX_OBJECTS)]
    if None in docs:
        raise NotFound
    return docs


def _cde_columns(catalog: Catalog, of: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The CDE columns of these objects (tables and files: theirs), or of the whole catalog."""
    if of is None:
        return [
            c for c in catalog.of_type("oecolumn", "oefilecolumn") if c.get("criticalDataElement") == "Yes"
        ]
    found = []
    for doc in of:
        if doc["objectType"] in CONTAINER_TYPES:
            found += [
                c for c in catalog.column_docs(doc["objectId"]) if c.get("criticalDataElement") == "Yes"
            ]
        else:
            found.append(doc)
    return list({c["objectId"]: c for c in found}.values())


def _assessment(
    catalog: Catalog,
    data_quality: DataQuality,
    doc: dict[str, Any],
    preferred: str | None,
    excluded: list[str],
) -> dict[str, Any]:
    fitting = candidates(catalog, doc, preferred, excluded)
    recommended = fitting[0] if fitting else None
    rules = data_quality.rules_on(doc["objectId"])
    assessment = {
        "objectId": doc["objectId"],
        "objectType": doc["objectType"],
        "objectName": doc["objectName"],
        "isCde": doc.get("criticalDataElement") == "Yes",
        "recommendedFunction": recommended,
        "recommendedFunctionCandidates": fitting,
    }
    rule = reusable_rule(data_quality, recommended, doc["objectId"]) if recommended else None
    if rule is not None:
        assessment["recommendedRuleId"] = rule["ruleId"]
    rule_refs = [rule_ref(r) for r in rules]
    return {
        **assessment,
        "associatedToDqRule": bool(rules),
        "associatedRules": rule_refs,
        "navLink": doc["navLink"],
    }


def assess_cde(catalog: Catalog, raw: Any, data_quality: DataQuality) -> Answer:
    body = body_object(raw, "The request body", ASSESS_KEYS)
    discover = body_bool(body, "discoverCdeColumns")
    limit = body_int(body, "limit", maximum=MAX_OBJECTS) or DEFAULT_ASSESS_LIMIT
    preferred, excluded = function_choices(body)
    business_metadata_names(catalog, body)  # checked here; create-rules reads criteria from them
    named = dq_objects(catalog, body, required=False)
    if named is None and not discover:
        raise BadRequest("Give objects, or discoverCdeColumns: true to assess every CDE column")
    docs = _cde_columns(catalog, named) if discover else named
    assessments = [_assessment(catalog, data_quality, doc, preferred, excluded) for doc in docs[:limit]]
    return ok({"assessments": assessments, "total": len(docs)})


def generate_queries(catalog: Catalog, raw: Any) -> Answer:
    body = body_object(raw, "The request body", GENERATE_KEYS)
    business_rule = body_text(body, "businessRule")
    if business_rule is None:
        raise BadRequest("businessRule is required: the rule the queries check, in words")
    docs = dq_objects(catalog, body, SQL_OBJECT_TYPES)
    schema_ids = {d.get("schemaId") or catalog.objects[d["tableId"]]["schemaId"] for d in docs}
    if len(schema_ids) > 1:
        raise BadRequest(
            "The objects must all be in one schema: the queries run on one connection and schema"
        )
    schema = catalog.objects[schema_ids.pop()]
    connection_id = catalog.connections[schema["connectionName"]]["connectionId"]
    for name, actual in (("connectionId", connection_id), ("schemaId", schema["objectId"])):
        if body.get(name) is not None and body[name] != actual:
            raise BadRequest(f"{name} {body[name]} is not the one of the objects ({actual})")
    queries = []
    for doc in docs:
        function = candidates(catalog, doc, None, [])[0]
        generated = dq_sql.generated_queries(catalog, doc, function, function_kind(doc), business_rule)
        queries.append({"objectId": doc["objectId"], **generated, "recommendedFunction": function})
    context = {
        "connectionId": connection_id,
        "schemaId": schema["objectId"],
        "schemaName": schema["objectName"],
    }
    return ok({"queries": queries, "context": context})


def checked_queries(catalog: Catalog, schema: dict[str, Any], body: dict[str, Any]):
    """(query name -> query, the tables they read, what is wrong with them) of the queries given."""
    if body_text(body, "ruleQuery") is None:
        raise BadRequest("ruleQuery is required")
    queries = {name: body_text(body, name) for name in QUERY_NAMES if body_text(body, name)}
    tables, errors = {}, []
    for name, query in queries.items():
        read, wrong = dq_sql.tables_named(catalog, schema, query)
        tables |= {t["objectId"]: t for t in read}
        errors += [f"{name}: {error}" for error in wrong]
    return queries, list(tables.values()), errors


def validate_queries(catalog: Catalog, raw: Any, data_quality: DataQuality) -> Answer:
    body = body_object(raw, "The request body", VALIDATE_KEYS)
    schema = dq_sql.schema_of(catalog, body.get("connectionId"), body.get("schemaId"))
    queries, tables, errors = checked_queries(catalog, schema, body)
    data_quality.validation_runs.append(
        {
            "connectionId": body["connectionId"],
            "schemaId": body["schemaId"],
            "queries": queries,
            "valid": not errors,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    if errors:
        return ok({"valid": False, "canCreateRule": False, "errors": errors})
    results = {name: dq_sql.run(catalog, tables, query) for name, query in queries.items()}
    return ok({"valid": True, "canCreateRule": True, "results": results})


def lookup_dq_rules(catalog: Catalog, params: Params, data_quality: DataQuality) -> Answer:
    by_id, name = text(params, "objectId") is not None, text(params, "ruleName")
    if by_id == (name is not None):
        raise BadRequest("Give exactly one of objectId or ruleName")
    limit = bounded_int(params, "limit", default=DEFAULT_LOOKUP_LIMIT, low=1, high=MAX_OBJECTS)
    if by_id:
        object_id = integer(params, "objectId", minimum=1)
        if catalog.get(object_id) is None:
            return not_found()
        rules = data_quality.rules_on(object_id)
    else:
        rules = data_quality.named(name)
    return ok({"rules": copy.deepcopy(rules[:limit]), "total": len(rules)})
