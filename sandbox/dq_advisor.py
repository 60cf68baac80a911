"""The DQ rule advisor: `POST dq-intelligence/assess-cde` (which function, and which existing
rules of it, fit an object), `generate-queries` (custom SQL for one object), `validate-queries`
(a run of SQL on the source, counted in `DataQuality.validation_runs`) and `GET lookup-dq-rules`
(rules by rule id or name). Bodies and answers follow docs/wire.md.

The recommended function of a column follows what the catalog knows of it: a key is checked for
uniqueness, an enumeration against its values, an e-mail, phone or SKU column against a
pattern, a number against a range; anything else for nulls. A table or a file is checked for its
row count. `preferredFunctionName` puts a function that fits first, `excludedFunctionNames` take
functions out. The existing rules of the recommended function are listed for the user to choose
from (`existingRulesForFunction`).

generate-queries reads the business rule (given, else the object's own business metadata): a null
or uniqueness rule is a standard function (`function_based`); a rule naming a table of another
schema is `cross_schema_blocked`; a rule naming an existing code object of the object's table (all
the words of its name), or whose generated query one already holds, is `code_found`; a rule the
sandbox reads as a check of values is SQL (`generated`); anything else is `function_not_identified`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sandbox import dq_sql
from sandbox import sample_dq as sdq
from sandbox.catalog import CONTAINER_TYPES, Catalog
from sandbox.data_quality import DataQuality
from sandbox.governed import object_ref, object_refs
from sandbox.sample_governance import CUSTOM_FIELDS
from sandbox.shapes import SHAPES
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
    error,
    integer,
    ok,
    text,
)

DQ_OBJECT_TYPES = ("oetable", "oecolumn", "oefile", "oefilecolumn")
SQL_OBJECT_TYPES = ("oetable", "oecolumn")  # files have no SQL
FILE_TYPES = ("oefile", "oefilecolumn")
MAX_OBJECTS = 100
DEFAULT_ASSESS_LIMIT = 50
DEFAULT_LOOKUP_LIMIT = 20
ASSESS_KEYS = (
    "objects",
    "discoverCdeColumns",
    "limit",
    "descriptionCustomFieldName",
    "descriptionTermName",
    "supplementalCriteriaText",
    "preferredFunctionName",
    "excludedFunctionNames",
)
GENERATE_KEYS = ("objectId", "objectType", "businessRule", "businessDescription")
QUERY_NAMES = ("ruleQuery", "statsQuery", "failedValuesQuery")
VALIDATE_KEYS = ("connectionId", "schemaId", *QUERY_NAMES)
NOT_IDENTIFIED = "Not Identified"
# What a business rule says, as the sandbox reads it (generate-queries).
NULL_WORDS = ("null", "empty", "missing", "blank")
UNIQUE_WORDS = ("unique", "duplicate")
LIST_WORDS = ("one of", "allowed", "valid value", "in the list", "known")
CHECK_WORDS = (
    "never",
    "must",
    "always",
    "no ",
    "not ",
    "only",
    "exact",
    "equal",
    "zero",
    "negative",
    "positive",
    "at least",
    "at most",
    "reconcil",
    "match",
    "without",
)
ANSWER = SHAPES.declare(
    "dq_answer",
    ("data", "flat"),
    "data",
    "docs/wire.md DQ routes: the answer's keys under `data`, or beside `ok` (the reference reads both)",
)
LOOKUP_MISS = SHAPES.declare(
    "dq_lookup_miss",
    ("empty", "not_found"),
    "empty",
    "docs/wire.md GET lookup-dq-rules: no hit is an empty data list, or a 404 'Rule not found'",
)


def answered(data: dict[str, Any], shapes: dict[str, str]) -> Answer:
    """A DQ answer in the shape chosen: `{ok, data: {...}}`, or the keys beside `ok`."""
    return (200, {"ok": True, **data}) if SHAPES.choice(shapes, ANSWER) == "flat" else ok(data)


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
    rules = standard_rules(data_quality, function)
    mine = [r for r in rules if r in data_quality.rules_on(object_id)]
    return (mine or rules or [None])[0]


def standard_rules(data_quality: DataQuality, function: str) -> list[dict[str, Any]]:
    return [
        r for r in data_quality.rules.values() if r["function"] == function and r["ruleType"] == "standard"
    ]


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


def assessed_objects(catalog: Catalog, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects an assess-cde or create-rules body names: its objects, or (discoverCdeColumns)
    the CDE columns of them, or of the whole catalog."""
    discover = body_bool(body, "discoverCdeColumns")
    named = dq_objects(catalog, body, required=False)
    if named is None and not discover:
        raise BadRequest("Give objects, or discoverCdeColumns: true to assess every CDE column")
    return _cde_columns(catalog, named) if discover else named or []


def table_column_name(catalog: Catalog, doc: dict[str, Any]) -> str:
    """`table.column` (`file.column`), or the table's (file's) own name."""
    parent = doc.get("tableId") or doc.get("fileId")
    return f"{catalog.objects[parent]['objectName']}.{doc['objectName']}" if parent else doc["objectName"]


def business_rule_of(
    doc: dict[str, Any], field: str | None, term: dict[str, Any] | None, supplemental: str | None = None
) -> tuple[str, str | None]:
    """(descriptionSource, the business rule text) of an object."""
    values = {name.lower(): value for name, value in doc.get("customFields", {}).items()}
    if field is not None and field.lower() in values:
        return "custom_field", str(values[field.lower()])
    if term is not None:
        return "glossary_term", term["businessDescription"]
    if doc.get("businessDescription"):
        return "object_description", doc["businessDescription"]
    if supplemental:
        return "supplemental_criteria", supplemental
    return "none", None


SCORES = (0.86, 0.61, 0.42)


def _assessment(
    catalog: Catalog,
    data_quality: DataQuality,
    doc: dict[str, Any],
    body: dict[str, Any],
    names: tuple[str | None, dict[str, Any] | None],
) -> dict[str, Any]:
    preferred, excluded = function_choices(body)
    fitting = candidates(catalog, doc, preferred, excluded)
    recommended = fitting[0] if fitting else None
    source, rule_text = business_rule_of(doc, *names, body_text(body, "supplementalCriteriaText"))
    row: dict[str, Any] = {
        "tableColumnName": table_column_name(catalog, doc),
        "objectId": doc["objectId"],
        "objectType": doc["objectType"],
        "descriptionSource": source,
    }
    if rule_text:
        row["businessRule"] = rule_text
    else:
        row["descriptionMessage"] = (
            "No business description is available; add a catalog description or name a custom field "
            "(descriptionCustomFieldName) or glossary term (descriptionTermName)."
        )
        row["availableCustomFields"] = sorted(doc.get("customFields", {}))
    reasons = {preferred: "preferred"}
    row |= {
        "recommendedFunction": recommended or NOT_IDENTIFIED,
        "recommendedWorkflow": "function_based" if recommended else "custom_sql",
        "recommendedFunctionCandidates": [
            {
                "functionName": name,
                "score": SCORES[min(n, len(SCORES) - 1)],
                "matchReason": reasons.get(name, "data_type_match"),
            }
            for n, name in enumerate(fitting)
        ],
        "existingRulesForFunction": [
            {
                "dqruleId": rule["ruleId"],
                "name": rule["ruleName"],
                "purpose": rule["description"],
                "purposeSimilarity": similarity(rule["description"], rule_text),
                "associatedToObject": rule in data_quality.rules_on(doc["objectId"]),
            }
            for rule in (standard_rules(data_quality, recommended) if recommended else [])
        ],
    }
    return row


def _words(value: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", (value or "").lower()))


def similarity(one: str | None, other: str | None) -> float:
    """How much two texts share their words (Jaccard), 0.0 to 1.0."""
    a, b = _words(one), _words(other)
    return round(len(a & b) / len(a | b), 2) if a and b else 0.0


def assess_cde(catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", ASSESS_KEYS)
    limit = body_int(body, "limit", maximum=MAX_OBJECTS) or DEFAULT_ASSESS_LIMIT
    function_choices(body)
    names = business_metadata_names(catalog, body)
    docs = assessed_objects(catalog, body)
    rows = [_assessment(catalog, data_quality, doc, body, names) for doc in docs[:limit]]
    return answered({"assessedCount": len(rows), "rows": rows}, shapes)


# ------------------------------------------------------------------ generate-queries


def one_object(catalog: Catalog, body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The object a flat `{objectId, objectType}` body names."""
    object_id, kind = object_ref(
        {k: body.get(k) for k in ("objectId", "objectType") if k in body}, "The request body", allowed
    )
    doc = catalog.get(object_id, kind)
    if doc is None:
        raise NotFound
    return doc


def schema_of_object(catalog: Catalog, doc: dict[str, Any]) -> dict[str, Any]:
    return catalog.objects[doc.get("schemaId") or catalog.objects[doc["tableId"]]["schemaId"]]


def sql_context(catalog: Catalog, schema: dict[str, Any]) -> dict[str, Any]:
    connection_id = catalog.connections[schema["connectionName"]]["connectionId"]
    return {"connectionId": connection_id, "schemaId": schema["objectId"], "schemaName": schema["objectName"]}


def other_schema_named(catalog: Catalog, schema: dict[str, Any], said: str) -> str | None:
    """A `schema.table` the text names in another schema of the same connection."""
    others = {
        s["objectName"].lower()
        for s in catalog.of_type("oeschema")
        if s["connectionName"] == schema["connectionName"] and s["objectId"] != schema["objectId"]
    }
    for owner, table in re.findall(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b", said.lower()):
        if owner in others:
            return f"{owner}.{table}"
    return None


def matching_code(
    catalog: Catalog,
    data_quality: DataQuality,
    doc: dict[str, Any],
    schema: dict[str, Any],
    said: str,
    rule_query: str | None,
) -> list[dict[str, Any]]:
    """The code objects of the schema that hold the generated query, or that read the object's
    table and whose name the text says word for word; each with its rule, if one runs it."""
    table = doc if doc["objectType"] == "oetable" else catalog.objects[doc["tableId"]]
    words = _words(said)
    found = []
    for code in catalog.of_type("oequery"):
        if code["schemaId"] != schema["objectId"]:
            continue
        read, _ = dq_sql.tables_named(catalog, schema, code["queryText"])
        named = table in read and _words(code["objectName"].replace("_", " ")) <= words
        if named or (rule_query and dq_sql.same_query(code["queryText"], rule_query)):
            rule = next(
                (r for r in data_quality.rules.values() if r.get("codeObjectId") == code["objectId"]), None
            )
            found.append(
                {
                    "codeObjectId": code["objectId"],
                    "codeObjectName": code["objectName"],
                    **({"dqruleId": rule["ruleId"]} if rule else {}),
                }
            )
    return found


def generate_queries(catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]) -> Answer:
    data = _generated(catalog, raw, data_quality)
    return answered(data, shapes)


def _generated(catalog: Catalog, raw: Any, data_quality: DataQuality) -> dict[str, Any]:
    body = body_object(raw, "The request body", GENERATE_KEYS)
    doc = one_object(catalog, body, DQ_OBJECT_TYPES)
    given = " ".join(
        t for t in (body_text(body, "businessRule"), body_text(body, "businessDescription")) if t
    )
    said = given or business_rule_of(doc, "Business Rule", None)[1] or ""
    lowered = f" {said.lower()} "
    standard = candidates(catalog, doc, None, [])
    if (
        doc["objectType"] in FILE_TYPES
        or any(w in lowered for w in NULL_WORDS)
        or (function_kind(doc) == sdq.COLUMN and any(w in lowered for w in UNIQUE_WORDS))
    ):
        function = "Unique Check" if any(w in lowered for w in UNIQUE_WORDS) else standard[0]
        if any(w in lowered for w in NULL_WORDS):
            function = "Null Check"
        return {
            "status": "function_based",
            "recommendedFunction": function,
            "recommendedWorkflow": "function_based",
            "message": f"{function} is a standard function: create a standard rule, no SQL",
        }
    schema = schema_of_object(catalog, doc)
    context = sql_context(catalog, schema)
    elsewhere = other_schema_named(catalog, schema, said)
    if elsewhere:
        return {
            "status": "cross_schema_blocked",
            "context": context,
            "message": f"The rule depends on {elsewhere}, outside schema {schema['objectName']}: "
            "cross-schema dependent rules cannot be created.",
        }
    if any(w in lowered for w in LIST_WORDS):
        function = "SQL Values Contains"
    elif any(w in lowered for w in CHECK_WORDS):
        function = sdq.DEFAULT_SQL_FUNCTION
    else:
        return {
            "status": "function_not_identified",
            "recommendedFunction": NOT_IDENTIFIED,
            "context": context,
            "message": "No DQ function could be identified from the business rule",
        }
    queries = dq_sql.generated_queries(catalog, doc, standard[0], function_kind(doc), said)
    data = {
        "status": "generated",
        "recommendedFunction": function,
        "recommendedWorkflow": "custom_sql",
        "context": context,
        **queries,
        "reuseExistingCode": False,
    }
    matches = matching_code(catalog, data_quality, doc, schema, said, queries["ruleQuery"])
    if matches:
        chosen = matches[0]
        rule = data_quality.rules.get(chosen.get("dqruleId", 0))
        if rule is None:
            action = "create_from_code"
        elif any(o["objectId"] == doc["objectId"] for o in rule["associatedObjects"]):
            action = "already_associated"
        else:
            action = "associate_existing_dqr"
        code = catalog.objects[chosen["codeObjectId"]]
        data = {key: value for key, value in data.items() if key not in ("statsQuery", "failedValuesQuery")}
        data |= {
            "status": "code_found",
            "ruleQuery": code["queryText"],  # the code object's, which a reuse runs
            "reuseExistingCode": True,
            "recommendedCodeObjectId": chosen["codeObjectId"],
            "recommendedReuseAction": action,
            "matchingCodeObjects": matches,
        }
    return data


# ------------------------------------------------------------------ validate-queries


def checked_queries(catalog: Catalog, schema: dict[str, Any], queries: dict[str, str]):
    """(the tables the queries read, query name -> what is wrong with it)."""
    tables, errors = {}, {}
    for name, query in queries.items():
        read, wrong = dq_sql.tables_named(catalog, schema, query)
        tables |= {t["objectId"]: t for t in read}
        if wrong:
            errors[name] = wrong
    return list(tables.values()), errors


def required_queries(body: dict[str, Any], names: tuple[str, ...] = QUERY_NAMES) -> dict[str, str]:
    missing = [name for name in names if body_text(body, name) is None]
    if missing:
        raise BadRequest(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required")
    return {name: body_text(body, name) for name in names}


def validate_queries(catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", VALIDATE_KEYS)
    schema = dq_sql.schema_of(catalog, body.get("connectionId"), body.get("schemaId"))
    queries = required_queries(body)
    tables, errors = checked_queries(catalog, schema, queries)
    data_quality.validation_runs.append(
        {
            "connectionId": body["connectionId"],
            "schemaId": body["schemaId"],
            "queries": queries,
            "valid": not errors,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    results = []
    for name, query in queries.items():
        if name in errors:
            results.append({"queryType": name, "valid": False, "message": "; ".join(errors[name])})
            continue
        ran = dq_sql.run(catalog, tables, query)
        results.append(
            {
                "queryType": name,
                "valid": True,
                "message": f"{ran['rows']} row(s)",
                "rowCount": ran["rows"],
                "sample": ran["sample"],
            }
        )
    return answered(
        {"canCreateRule": not errors, "ruleQueryValid": "ruleQuery" not in errors, "results": results}, shapes
    )


# ------------------------------------------------------------------ lookup-dq-rules


def rule_hit(rule: dict[str, Any], link_base: str) -> dict[str, Any]:
    """A rule as lookup-dq-rules names it."""
    return {
        "objectId": rule["ruleId"],
        "objectType": "dqrule",
        "objectName": rule["ruleName"],
        "steward": rule["steward"],
        "redirectUrl": f"{link_base}/{rule['navLink']}",
    }


def lookup_dq_rules(
    catalog: Catalog, params: Params, data_quality: DataQuality, link_base: str, shapes: dict[str, str]
) -> Answer:
    """Rules by rule id (`objectId`) or by name (`ruleName`, whole name first, then a part of it)."""
    by_id, name = text(params, "objectId") is not None, text(params, "ruleName")
    if by_id == (name is not None):
        raise BadRequest("Give exactly one of objectId or ruleName")
    limit = bounded_int(params, "limit", default=DEFAULT_LOOKUP_LIMIT, low=1, high=MAX_OBJECTS)
    if by_id:
        rule = data_quality.rules.get(integer(params, "objectId", minimum=1))
        rules = [rule] if rule else []
    else:
        rules = data_quality.named(name)
    if not rules and SHAPES.choice(shapes, LOOKUP_MISS) == "not_found":
        return error(404, "Rule not found")
    return ok([rule_hit(rule, link_base) for rule in rules[:limit]])
