"""The DQ rule manager: `POST dq-intelligence/create-rules` (standard rules for objects),
`create-sql-rule` (a custom SQL rule over a code object) and `associate-rule-objects`. Bodies and
answers follow docs/wire.md; every answer is counts and one row per object.

create-rules takes each object's recommended function (dq_advisor.py): an object that already
has a rule of it is skipped (`skipDuplicateFunctionOnObject`), an existing rule of it is reused
(`preferExistingRule`), else a rule is created. Its criteria are the function's defaults, plus
the business metadata named (the object's value of a custom field, a glossary term's
definition, supplemental text) when there is some.

create-sql-rule names its object (`objectId`, `objectType`, more in `additionalObjects`) and
either its queries or a code object to reuse (`codeObjectId`). Its queries are checked like
validate-queries does, without running them; a query reading another schema is answered
`cross_schema_blocked` and nothing is created. A code object already holding the rule query is
reused; otherwise one is created for it. `recommendedFunction` must name a SQL function. Rule names
are unique (409 `duplicate_rule`). Created rules belong to the API user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox import dq_sql
from sandbox import sample_dq as sdq
from sandbox.catalog import CODE_OBJECT_IDS, Catalog
from sandbox.data_quality import DataQuality, associated, sql_rule_fields
from sandbox.dq_advisor import (
    DQ_OBJECT_TYPES,
    MAX_OBJECTS,
    SQL_OBJECT_TYPES,
    answered,
    assessed_objects,
    business_metadata_names,
    candidates,
    checked_queries,
    function_choices,
    function_kind,
    one_object,
    required_queries,
    reusable_rule,
    schema_of_object,
    sql_context,
)
from sandbox.governed import object_refs
from sandbox.sample_governance import CURRENT_USER
from sandbox.wire import (
    Answer,
    BadRequest,
    NotFound,
    body_bool,
    body_int,
    body_object,
    body_text,
    fresh_id,
    not_found,
)

CREATE_KEYS = (
    "discoverCdeColumns",
    "objects",
    "limit",
    "preferExistingRule",
    "skipDuplicateFunctionOnObject",
    "descriptionCustomFieldName",
    "descriptionTermName",
    "supplementalCriteriaText",
    "preferredFunctionName",
    "excludedFunctionNames",
)
SQL_RULE_KEYS = (
    "objectId",
    "objectType",
    "ruleName",
    "ruleQuery",
    "statsQuery",
    "failedValuesQuery",
    "codeObjectId",
    "connectionId",
    "schemaId",
    "purpose",
    "recommendedFunction",
    "additionalObjects",
)
ASSOCIATE_KEYS = ("dqruleId", "skipAlreadyAssociated", "objects")
SQL_FUNCTIONS = [name for name, kind in sdq.DQ_FUNCTIONS.items() if kind == sdq.SQL]
DEFAULT_CREATE_LIMIT = 50
NOT_SUPPORTED = "Object data type or connector is not supported."


def _unique_name(data_quality: DataQuality, wanted: str) -> str:
    taken = {r["ruleName"].lower() for r in data_quality.rules.values()}
    name, n = wanted, 1
    while name.lower() in taken:
        n += 1
        name = f"{wanted} ({n})"
    return name


def _criteria(
    catalog: Catalog,
    doc: dict[str, Any],
    function: str,
    field: str | None,
    term: dict[str, Any] | None,
    supplemental: str | None,
) -> tuple[str, str, str]:
    """(criteria, criteriaSource, criteriaMessage) of a new rule on the object."""
    defaults = dq_sql.default_criteria(catalog, doc, function)
    said: list[tuple[str, str]] = []  # (where it comes from, what it says)
    values = {name.lower(): value for name, value in doc.get("customFields", {}).items()}
    if field is not None and field.lower() in values:
        said.append((f"custom field {field!r}", str(values[field.lower()])))
    if term is not None:
        said.append((f"glossary term {term['objectName']!r}", term["businessDescription"]))
    if supplemental:
        said.append(("supplemental criteria", supplemental))
    if not said:
        unset = f" (custom field {field!r} is not set on it)" if field else ""
        message = f"No business metadata for {doc['objectName']}{unset}; the defaults of {function} apply"
        return defaults, "function_default", message
    criteria = "; ".join([defaults, *(text for _, text in said)])
    sources = ", ".join(source for source, _ in said)
    return (
        criteria,
        "business_metadata_with_defaults",
        f"Criteria from the {sources} with the defaults of {function}",
    )


def _row(
    doc: dict[str, Any], status: str, rule: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """One object's outcome: its status, and the rule it ended with."""
    row: dict[str, Any] = {"objectId": doc["objectId"], "objectType": doc["objectType"], "status": status}
    if rule is not None:
        row |= {"ruleName": rule["ruleName"], "dqruleId": rule["ruleId"], "navLink": rule["navLink"]}
    return row | extra


def _counted(rows: list[dict[str, Any]], *statuses: str) -> dict[str, Any]:
    return {f"{status}Count": sum(1 for r in rows if r["status"] == status) for status in statuses}


def create_rules(catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", CREATE_KEYS)
    limit = body_int(body, "limit", maximum=MAX_OBJECTS) or DEFAULT_CREATE_LIMIT
    prefer_existing = body_bool(body, "preferExistingRule", default=True)
    skip_duplicate = body_bool(body, "skipDuplicateFunctionOnObject", default=True)
    preferred, excluded = function_choices(body)
    field, term = business_metadata_names(catalog, body)
    supplemental = body_text(body, "supplementalCriteriaText")
    docs = assessed_objects(catalog, body)
    rows = []
    for doc in docs[:limit]:
        object_id = doc["objectId"]
        fitting = candidates(catalog, doc, preferred, excluded)
        if not fitting:
            rows.append(
                _row(
                    doc,
                    "function_not_identified",
                    message="No DQ function is left for it after excludedFunctionNames",
                )
            )
            continue
        function = fitting[0]
        own = [r for r in data_quality.rules_on(object_id) if r["function"] == function]
        reusable = reusable_rule(data_quality, function, object_id) if prefer_existing and not own else None
        if own and skip_duplicate:
            rows.append(
                _row(
                    doc, "skipped", own[0], objectAssociated=True, message=f"It already has a {function} rule"
                )
            )
        elif reusable is not None:
            reusable["associatedObjects"].append(associated(doc))
            rows.append(
                _row(
                    doc,
                    "associated",
                    reusable,
                    objectAssociated=True,
                    message=f"Associated with the existing {function} rule",
                )
            )
        else:
            criteria, source, message = _criteria(catalog, doc, function, field, term, supplemental)
            place = doc["fullyQualifiedName"].split(".", 1)[1]  # without the connection
            rule = data_quality.add_rule(
                data_quality.new_rule_id(),
                _unique_name(data_quality, f"{function} - {place}"),
                f"{function} on {place}",
                function,
                CURRENT_USER,
                [doc],
                criteria,
                criteriaSource=source,
            )
            rows.append(
                _row(
                    doc,
                    "created",
                    rule,
                    objectAssociated=True,
                    criteriaSource=source,
                    criteriaMessage=message,
                )
            )
    return answered({**_counted(rows, "created", "associated", "skipped", "failed"), "rows": rows}, shapes)


def _code_object(
    catalog: Catalog, schema: dict[str, Any], query: str | None, code_object_id: int | None
) -> dict[str, Any] | None:
    """The code object that holds the rule query: the one named, else one holding the same query."""
    if code_object_id is None:
        same = [
            c
            for c in catalog.of_type("oequery")
            if c["schemaId"] == schema["objectId"] and dq_sql.same_query(c["queryText"], query)
        ]
        return same[0] if same else None
    code = catalog.get(code_object_id, "oequery")
    if code is None:
        raise BadRequest(f"codeObjectId {code_object_id} is not a code object")
    if query is not None and not dq_sql.same_query(code["queryText"], query):
        raise BadRequest(f"Code object {code_object_id} holds another query than ruleQuery")
    return code


def _blocked(message: str, shapes: dict[str, str]) -> Answer:
    return answered({"status": "cross_schema_blocked", "message": message}, shapes)


def create_sql_rule(catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", SQL_RULE_KEYS)
    name = body_text(body, "ruleName")
    if name is None:
        raise BadRequest("ruleName is required")
    doc = one_object(catalog, body, SQL_OBJECT_TYPES)
    more = body.get("additionalObjects")
    others = (
        [
            catalog.get(i, kind)
            for i, kind in object_refs(body, "additionalObjects", SQL_OBJECT_TYPES, maximum=MAX_OBJECTS)
        ]
        if more
        else []
    )
    if None in others:
        raise NotFound
    function = body_text(body, "recommendedFunction")
    if function is None:
        raise BadRequest("recommendedFunction is required: the recommended DQ function generate-queries gave")
    if function not in SQL_FUNCTIONS:
        raise BadRequest(
            f"{function!r} is not a recommended DQ function for custom SQL; expected one of {SQL_FUNCTIONS}"
        )
    schema = schema_of_object(catalog, doc)
    context = sql_context(catalog, schema)
    for key in ("connectionId", "schemaId"):
        given = body_int(body, key)
        if given is not None and given != context[key]:
            raise BadRequest(f"{key} {given} is not the one of object {doc['objectId']} ({context[key]})")
    code_object_id = body_int(body, "codeObjectId")
    given_query = body_text(body, "ruleQuery")
    if given_query is None and code_object_id is None:
        raise BadRequest("ruleQuery or codeObjectId is required")
    queries = (
        required_queries(body)
        if code_object_id is None
        else {
            key: body_text(body, key)
            for key in ("ruleQuery", "statsQuery", "failedValuesQuery")
            if body_text(body, key)
        }
    )
    code = _code_object(catalog, schema, given_query, code_object_id)
    if code is not None and code["schemaId"] != schema["objectId"]:
        return _blocked(
            f"Code object {code['objectId']} is in another schema than {doc['objectName']}: "
            "cross-schema dependent rules cannot be created.",
            shapes,
        )
    if code is not None:
        queries["ruleQuery"] = code["queryText"]
    _, errors = checked_queries(catalog, schema, queries)
    wrong = [e for problems in errors.values() for e in problems]
    if any("is not in schema" in e for e in wrong):
        return _blocked(
            "The queries read tables outside schema "
            + schema["objectName"]
            + ": cross-schema dependent rules cannot be created.",
            shapes,
        )
    if wrong:
        raise BadRequest("The queries do not pass validation: " + "; ".join(wrong))
    if any(r["ruleName"].lower() == name.lower() for r in data_quality.rules.values()):
        return 409, {
            "ok": False,
            "errorCode": "duplicate_rule",
            "message": f"A DQ rule named {name!r} already exists",
        }
    reused = code is not None
    if code is None:
        code = catalog.add_code_object(
            fresh_id(catalog.objects, CODE_OBJECT_IDS, "code objects"),
            schema["objectId"],
            name,
            body_text(body, "purpose") or "",
            queries["ruleQuery"],
            CURRENT_USER,
            date.today().isoformat(),
        )
    rule = data_quality.add_rule(
        data_quality.new_rule_id(),
        name,
        body_text(body, "purpose") or "",
        function,
        CURRENT_USER,
        [doc, *others],
        f"{function} of the rule query",
        **sql_rule_fields(catalog, code, queries.get("statsQuery"), queries.get("failedValuesQuery")),
    )
    how = (
        f"reusing code object {code['objectId']}"
        if reused
        else f"with the new code object {code['objectId']}"
    )
    return answered(
        {
            "status": "created",
            "dqruleId": rule["ruleId"],
            "ruleName": name,
            "codeObjectId": code["objectId"],
            "message": f"Created the custom SQL rule {name!r} {how}",
            "navLink": rule["navLink"],
        },
        shapes,
    )


def _fits(rule: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Whether the rule's function can check this object."""
    kind = sdq.DQ_FUNCTIONS[rule["function"]]
    if kind == sdq.SQL:
        return doc["objectType"] in SQL_OBJECT_TYPES
    return kind == function_kind(doc)


def associate_rule_objects(
    catalog: Catalog, raw: Any, data_quality: DataQuality, shapes: dict[str, str]
) -> Answer:
    body = body_object(raw, "The request body", ASSOCIATE_KEYS)
    rule_id = body_int(body, "dqruleId")
    if rule_id is None:
        raise BadRequest("dqruleId is required")
    skip_associated = body_bool(body, "skipAlreadyAssociated", default=True)
    refs = object_refs(body, "objects", DQ_OBJECT_TYPES, maximum=MAX_OBJECTS)
    rule = data_quality.rules.get(rule_id)
    if rule is None:
        return not_found()
    rows = []
    for object_id, kind in refs:
        doc = catalog.get(object_id, kind)
        ref = {"objectId": object_id, "objectType": kind}
        already = any(o["objectId"] == object_id for o in rule["associatedObjects"])
        if doc is None:
            rows.append({**ref, "status": "failed", "message": "Object not found"})
        elif not _fits(rule, doc):
            rows.append({**ref, "status": "skipped", "message": NOT_SUPPORTED})
        elif already and skip_associated:
            rows.append(
                {**ref, "status": "skipped", "message": "Object is already associated to this DQ rule."}
            )
        elif already:
            rows.append(
                {**ref, "status": "associated", "message": "Object is already associated to this DQ rule."}
            )
        else:
            rule["associatedObjects"].append(associated(doc))
            rows.append({**ref, "status": "associated"})
    counts = _counted(rows, "associated", "skipped", "failed")
    message = (
        f"{counts['associatedCount']} associated, {counts['skippedCount']} skipped, "
        f"{counts['failedCount']} failed out of {len(rows)} object(s)."
    )
    return answered(
        {"dqruleId": rule_id, "statusMessage": message, **counts, "rows": rows, "navLink": rule["navLink"]},
        shapes,
    )
