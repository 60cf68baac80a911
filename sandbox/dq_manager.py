"""The DQ rule manager: `POST dq-intelligence/create-rules` (standard rules for objects),
`create-sql-rule` (a custom SQL rule over a code object) and `associate-rule-objects`.

create-rules takes each object's recommended function (dq_advisor.py): an object that already
has a rule of it is skipped (`skipDuplicateFunctionOnObject`), an existing rule of it is reused
(`preferExistingRule`), else a rule is created. Its criteria are the function's defaults, plus
the business metadata named (the object's value of a custom field, a glossary term's
definition, supplemental text) when there is some.

create-sql-rule checks its queries like validate-queries does, without running them. A code
object already holding the same query is found and linked (`codeFound`, with the advice to pass
its id next time); otherwise a code object is created for the query. The rule is associated with
the tables its query reads. Rule names are unique (409 `duplicate_rule`). Created rules belong
to the API user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox import dq_sql
from sandbox import sample_dq as sdq
from sandbox.catalog import CODE_OBJECT_IDS, Catalog
from sandbox.data_quality import DataQuality, associated, sql_rule_fields
from sandbox.dq_advisor import (
    MAX_OBJECTS,
    business_metadata_names,
    candidates,
    checked_queries,
    dq_objects,
    function_choices,
    reusable_rule,
)
from sandbox.sample_governance import CURRENT_USER
from sandbox.wire import (
    Answer,
    BadRequest,
    body_bool,
    body_int,
    body_object,
    body_text,
    fresh_id,
    not_found,
    ok,
    one_of,
)

CREATE_KEYS = (
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
    "sqlRuleName",
    "ruleQuery",
    "statsQuery",
    "failedValuesQuery",
    "connectionId",
    "schemaId",
    "purpose",
    "recommendedFunction",
    "codeObjectId",
)
ASSOCIATE_KEYS = ("dqRuleId", "objects", "skipAlreadyAssociated")
SQL_FUNCTIONS = [name for name, kind in sdq.DQ_FUNCTIONS.items() if kind == sdq.SQL]
DEFAULT_CREATE_LIMIT = 50


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


def create_rules(catalog: Catalog, raw: Any, data_quality: DataQuality) -> Answer:
    body = body_object(raw, "The request body", CREATE_KEYS)
    limit = body_int(body, "limit", maximum=MAX_OBJECTS) or DEFAULT_CREATE_LIMIT
    prefer_existing = body_bool(body, "preferExistingRule", default=True)
    skip_duplicate = body_bool(body, "skipDuplicateFunctionOnObject", default=True)
    preferred, excluded = function_choices(body)
    field, term = business_metadata_names(catalog, body)
    supplemental = body_text(body, "supplementalCriteriaText")
    docs = dq_objects(catalog, body)
    created, linked, skipped = [], [], []
    for doc in docs[:limit]:
        object_id = doc["objectId"]
        fitting = candidates(catalog, doc, preferred, excluded)
        if not fitting:
            skipped.append(
                {"objectId": object_id, "reason": "no DQ function is left for it after excludedFunctionNames"}
            )
            continue
        function = fitting[0]
        own = [r for r in data_quality.rules_on(object_id) if r["function"] == function]
        reusable = reusable_rule(data_quality, function, object_id) if prefer_existing and not own else None
        if own and skip_duplicate:
            rule = own[0]
            reason = f"it already has a {function} rule: {rule['ruleName']} (id {rule['ruleId']})"
            skipped.append({"objectId": object_id, "reason": reason})
        elif reusable is not None:
            reusable["associatedObjects"].append(associated(doc))
            linked.append(
                {"ruleId": reusable["ruleId"], "ruleName": reusable["ruleName"], "objectId": object_id,
                 "navLink": reusable["navLink"]}
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
            created.append(
                {
                    "ruleId": rule["ruleId"],
                    "ruleName": rule["ruleName"],
                    "objectId": object_id,
                    "function": function,
                    "criteriaSource": source,
                    "criteriaMessage": message,
                    "navLink": rule["navLink"],
                }
            )
    return ok({"created": created, "associated": linked, "skipped": skipped})


def _code_object(
    catalog: Catalog, schema: dict[str, Any], query: str, code_object_id: int | None
) -> tuple[dict[str, Any] | None, bool]:
    """(the code object holding the query, None when there is none; whether the caller named it)."""
    if code_object_id is None:
        same = [
            c
            for c in catalog.of_type("oequery")
            if c["schemaId"] == schema["objectId"] and dq_sql.same_query(c["queryText"], query)
        ]
        return (same[0] if same else None), False
    code = catalog.get(code_object_id, "oequery")
    if code is None:
        raise BadRequest(f"codeObjectId {code_object_id} is not a code object")
    if code["schemaId"] != schema["objectId"] or not dq_sql.same_query(code["queryText"], query):
        raise BadRequest(f"Code object {code_object_id} holds another query, or one of another schema")
    return code, True


def create_sql_rule(catalog: Catalog, raw: Any, data_quality: DataQuality) -> Answer:
    body = body_object(raw, "The request body", SQL_RULE_KEYS)
    name = body_text(body, "sqlRuleName")
    if name is None:
        raise BadRequest("sqlRuleName is required")
    schema = dq_sql.schema_of(catalog, body.get("connectionId"), body.get("schemaId"))
    queries, tables, errors = checked_queries(catalog, schema, body)
    if errors:
        raise BadRequest("The queries do not pass validation: " + "; ".join(errors))
    function = one_of(
        body_text(body, "recommendedFunction") or sdq.DEFAULT_SQL_FUNCTION,
        "recommendedFunction",
        SQL_FUNCTIONS,
    )
    if any(r["ruleName"].lower() == name.lower() for r in data_quality.rules.values()):
        return 409, {
            "ok": False,
            "errorCode": "duplicate_rule",
            "message": f"A DQ rule named {name!r} already exists",
        }
    code, named = _code_object(catalog, schema, queries["ruleQuery"], body_int(body, "codeObjectId"))
    found = code is not None
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
        tables,
        f"{function} of the rule query",
        **sql_rule_fields(catalog, code, queries.get("statsQuery"), queries.get("failedValuesQuery")),
    )
    data = {
        "ruleId": rule["ruleId"],
        "ruleName": name,
        "function": function,
        "codeFound": found,
        "codeObjectId": code["objectId"],
    }
    if found and not named:
        data["recommendedReuseAction"] = f"pass codeObjectId={code['objectId']} to reuse it"
    return ok({**data, "navLink": rule["navLink"]})


def associate_rule_objects(catalog: Catalog, raw: Any, data_quality: DataQuality) -> Answer:
    body = body_object(raw, "The request body", ASSOCIATE_KEYS)
    rule_id = body_int(body, "dqRuleId")
    if rule_id is None:
        raise BadRequest("dqRuleId is required")
    skip_associated = body_bool(body, "skipAlreadyAssociated", default=True)
    docs = dq_objects(catalog, body)
    rule = data_quality.rules.get(rule_id)
    if rule is None:
        return not_found()
    linked, skipped = [], []
    for doc in docs:
        already = any(o["objectId"] == doc["objectId"] for o in rule["associatedObjects"])
        if already and skip_associated:
            skipped.append({"objectId": doc["objectId"], "reason": "already associated"})
            continue
        if not already:
            rule["associatedObjects"].append(associated(doc))
        linked.append(associated(doc))
    return ok({"ruleId": rule_id, "ruleName": rule["ruleName"], "navLink": rule["navLink"],
               "associated": linked, "skipped": skipped})
