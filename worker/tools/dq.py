"""Data-quality rules: `dq_rule_advisor` recommends and checks, `dq_rule_manager` creates and
associates.

Advisor steps: `assess` (which rule function suits each critical data element), `generate_query`
(custom SQL for a business rule), `lookup` (existing rules): reads. `validate_query` runs SQL on
the source system, so it goes through the governed-write gate like a write. Every manager step
writes, through the gate. Current OvalEdge only.
"""

from __future__ import annotations

import json
from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.gate import CONFIRMATION
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string, strings
from worker.tools.common import data_of, link, md_table, object_ref, ok, written

DQ_TYPES = ("oetable", "oecolumn", "oefile", "oefilecolumn")
DQ_ALIASES = {
    "table": "oetable",
    "column": "oecolumn",
    "tablecolumn": "oecolumn",
    "file": "oefile",
    "filecolumn": "oefilecolumn",
}
ASSESS_LIMIT, ASSESS_MAX = 50, 100
LOOKUP_LIMIT, LOOKUP_MAX = 25, 100
ADVISOR_STEPS = ("assess", "generate_query", "validate_query", "lookup")
MANAGER_STEPS = ("create_standard", "create_custom_sql", "associate")

# Which arguments each step takes (anything else is refused, naming the step's own).
COMMON_RECOMMEND = (
    "description_custom_field_name",
    "description_term_name",
    "preferred_function_name",
    "excluded_function_names",
)
STEP_ARGUMENTS = {
    "assess": ("objects", "discover_cde_columns", "limit", *COMMON_RECOMMEND),
    "generate_query": ("objects", "business_rule", "business_description", "connection_id", "schema_id"),
    "validate_query": (
        "connection_id",
        "schema_id",
        "rule_query",
        "stats_query",
        "failed_values_query",
        "write_confirmed_by_user",
        "confirmation_token",
    ),
    "lookup": ("object_id", "rule_name", "limit"),
    "create_standard": (
        "objects",
        "discover_cde_columns",
        "limit",
        "prefer_existing_rule",
        "skip_duplicate_function_on_object",
        "supplemental_criteria_text",
        *COMMON_RECOMMEND,
        "write_confirmed_by_user",
        "confirmation_token",
    ),
    "create_custom_sql": (
        "sql_rule_name",
        "rule_query",
        "stats_query",
        "failed_values_query",
        "connection_id",
        "schema_id",
        "purpose",
        "recommended_function",
        "code_object_id",
        "write_confirmed_by_user",
        "confirmation_token",
    ),
    "associate": (
        "dqrule_id",
        "rule_name",
        "objects",
        "skip_already_associated",
        "write_confirmed_by_user",
        "confirmation_token",
    ),
}
REQUIRED = {
    "generate_query": ("objects", "business_rule"),
    "validate_query": ("connection_id", "schema_id", "rule_query"),
    "create_custom_sql": ("sql_rule_name", "rule_query", "connection_id", "schema_id"),
    "associate": ("objects",),
}
WIRE = {  # our argument -> OvalEdge's body key
    "discover_cde_columns": "discoverCdeColumns",
    "limit": "limit",
    "description_custom_field_name": "descriptionCustomFieldName",
    "description_term_name": "descriptionTermName",
    "preferred_function_name": "preferredFunctionName",
    "excluded_function_names": "excludedFunctionNames",
    "business_rule": "businessRule",
    "business_description": "businessDescription",
    "connection_id": "connectionId",
    "schema_id": "schemaId",
    "rule_query": "ruleQuery",
    "stats_query": "statsQuery",
    "failed_values_query": "failedValuesQuery",
    "prefer_existing_rule": "preferExistingRule",
    "skip_duplicate_function_on_object": "skipDuplicateFunctionOnObject",
    "supplemental_criteria_text": "supplementalCriteriaText",
    "sql_rule_name": "sqlRuleName",
    "purpose": "purpose",
    "recommended_function": "recommendedFunction",
    "code_object_id": "codeObjectId",
    "skip_already_associated": "skipAlreadyAssociated",
}


def check_step(a: dict[str, Any]) -> str:
    step = a["step"]
    allowed = {"step", *STEP_ARGUMENTS[step]}
    stray = sorted(set(a) - allowed)
    if stray:
        raise InvalidArguments(
            f"step={step} does not take {', '.join(stray)}; it takes: {', '.join(STEP_ARGUMENTS[step])}"
        )
    missing = [arg for arg in REQUIRED.get(step, ()) if arg not in a]
    if missing:
        raise InvalidArguments(f"step={step} needs {', '.join(missing)}")
    return step


def objects(a: dict[str, Any]) -> list[dict[str, Any]] | None:
    """`objects` as OvalEdge takes them: a list of {objectId, objectType}; a single object, or the
    list as a JSON string, are accepted too."""
    raw = a.get("objects")
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidArguments(
                "objects is not valid JSON; give a list of {object_id, object_type}"
            ) from None
    items = raw if isinstance(raw, list) else [raw]
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidArguments(f"objects[{index}] must be {{object_id, object_type}}")
        found.append(object_ref(item, f"objects[{index}]", DQ_ALIASES, DQ_TYPES,
                                f": DQ rules apply to {', '.join(DQ_TYPES)}"))
    if not found:
        raise InvalidArguments("objects is empty")
    return found


def dq_body(a: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    listed = objects(a)
    if listed is not None:
        body["objects"] = listed
    for arg, key in WIRE.items():
        if arg in a:
            body[key] = a[arg]
        elif arg in defaults:
            body[key] = defaults[arg]
    return body


# -- the advisor -------------------------------------------------------------------------------------


def _assessment_report(data: dict[str, Any]) -> str:
    rows = [
        [
            a.get("objectName", a.get("objectId")),
            a.get("objectType"),
            a.get("recommendedFunction"),
            ", ".join(map(str, a.get("recommendedFunctionCandidates") or [])),
            "yes" if a.get("associatedToDqRule") else "no",
            a.get("recommendedRuleId"),
        ]
        for a in data.get("assessments") or []
    ]
    return md_table(
        ["Object", "Type", "Recommended function", "Candidates", "Has a rule", "Existing rule"], rows
    )


def _rules_report(data: dict[str, Any]) -> str:
    rules = data.get("rules") or []
    if not rules:
        return "No DQ rule matched."
    return md_table(
        ["Rule", "Function", "Steward", "Objects"],
        [
            [
                r.get("ruleName"),
                r.get("function"),
                r.get("steward"),
                ", ".join(
                    str(o.get("objectName", o.get("objectId"))) for o in r.get("associatedObjects") or []
                ),
            ]
            for r in rules
        ],
    )


async def dq_rule_advisor(ctx: ToolContext, a: dict[str, Any]) -> Any:
    step = check_step(a)
    if step == "lookup":
        if ("object_id" in a) == ("rule_name" in a):
            raise InvalidArguments("step=lookup takes object_id or rule_name (one of them)")
        params = {
            "objectId": a.get("object_id"),
            "ruleName": a.get("rule_name"),
            "limit": min(a.get("limit", LOOKUP_LIMIT), LOOKUP_MAX),
        }
        data = data_of(await ctx.api.ask(routes.DQ_LOOKUP, params, what="dq_rule_advisor"))
        return ok(data, formattedResponse=_rules_report(data))
    if step == "assess":
        if "objects" not in a and not a.get("discover_cde_columns"):
            raise InvalidArguments(
                "step=assess needs objects, or discover_cde_columns=true for every CDE column"
            )
        body = dq_body(a)
        body["limit"] = min(a.get("limit", ASSESS_LIMIT), ASSESS_MAX)
        data = data_of(await ctx.api.ask(routes.DQ_ASSESS, body=body, what="dq_rule_advisor"))
        return ok(data, formattedResponse=_assessment_report(data))
    if step == "generate_query":
        data = data_of(await ctx.api.ask(routes.DQ_GENERATE, body=dq_body(a), what="dq_rule_advisor"))
        queries = data.get("queries") or []
        text = (
            "\n\n".join(
                f"For object {q.get('objectId')} ({q.get('recommendedFunction')}):\n```sql\n"
                f"{q.get('ruleQuery')}\n```"
                for q in queries
            )
            or "No query was generated."
        )
        return ok(
            data, formattedResponse=text + "\n\nValidate with step=validate_query before creating a rule."
        )
    body = dq_body(a)  # validate_query: runs SQL on the source, so it is gated
    summary = (
        f"Run these queries on the source (connection {a['connection_id']}, schema {a['schema_id']}) to "
        f"validate them:\n```sql\n{a['rule_query']}\n```"
    )
    answer = await ctx.gate.write(
        ctx, a, body, routes.DQ_VALIDATION, create=False, summary=summary, what="dq_rule_advisor"
    )
    if answer.get("awaitingUserConfirmation"):
        return {**answer, "workflowPhase": "confirm_execute"}
    data = data_of(answer)
    verdict = (
        "valid: a rule can be created (dq_rule_manager step=create_custom_sql)"
        if data.get("canCreateRule")
        else f"not valid: {'; '.join(map(str, data.get('errors') or []))}"
    )
    return ok(data, formattedResponse=f"The queries are {verdict}.")


# -- the manager -------------------------------------------------------------------------------------


async def _rule_id(ctx: ToolContext, a: dict[str, Any]) -> int:
    if ("dqrule_id" in a) == ("rule_name" in a):
        raise InvalidArguments("step=associate takes dqrule_id or rule_name (one of them)")
    if "dqrule_id" in a:
        return a["dqrule_id"]
    rules = (
        data_of(
            await ctx.api.ask(
                routes.DQ_LOOKUP, {"ruleName": a["rule_name"], "limit": LOOKUP_MAX}, what="dq_rule_manager"
            )
        ).get("rules")
        or []
    )
    exact = [r for r in rules if str(r.get("ruleName", "")).casefold() == a["rule_name"].casefold()]
    chosen = exact or rules
    if len(chosen) != 1:
        names = ", ".join(f"{r.get('ruleName')} ({r.get('ruleId')})" for r in chosen) or "none"
        raise InvalidArguments(
            f"rule_name={a['rule_name']!r} matches {len(chosen)} rules ({names}); pass dqrule_id"
        )
    return chosen[0]["ruleId"]


async def dq_rule_manager(ctx: ToolContext, a: dict[str, Any]) -> Any:
    step = check_step(a)
    if step == "create_standard":
        if "objects" not in a and not a.get("discover_cde_columns"):
            raise InvalidArguments("step=create_standard needs objects, or discover_cde_columns=true")
        body = dq_body(a, prefer_existing_rule=True, skip_duplicate_function_on_object=True)
        body["limit"] = min(a.get("limit", ASSESS_LIMIT), ASSESS_MAX)
        capability, what = (
            routes.DQ_STANDARD_RULES,
            f"create standard DQ rules for {len(body.get('objects', []))} object(s)",
        )
    elif step == "create_custom_sql":
        body = dq_body(a)
        capability, what = routes.DQ_SQL_RULE, f"create the custom SQL rule **{a['sql_rule_name']}**"
    else:
        body = {"dqRuleId": await _rule_id(ctx, a), **dq_body(a, skip_already_associated=True)}
        capability, what = (
            routes.DQ_ASSOCIATION,
            f"associate DQ rule {body['dqRuleId']} with {len(body['objects'])} object(s)",
        )
    answer = await ctx.gate.write(
        ctx, a, body, capability, create=True, summary=f"{what[0].upper()}{what[1:]}.", what="dq_rule_manager"
    )
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = written(answer, ctx.settings.link_base_url)
    rules = data.get("created") or ([data] if data.get("ruleName") and step == "create_custom_sql" else [])
    created = [link(str(r.get("ruleName")), r.get("redirectUrl")) for r in rules]
    if step == "associate":
        linked_to = [link(str(data.get("ruleName")), data.get("redirectUrl"))]
    else:
        linked_to = sorted(
            {link(str(r.get("ruleName")), r.get("redirectUrl")) for r in data.get("associated") or []}
        )
    parts = [
        f"created {', '.join(map(str, created))}" if created else "",
        f"associated {len(data.get('associated') or [])} object(s) with {', '.join(linked_to)}"
        if data.get("associated")
        else "",
        f"skipped {len(data.get('skipped') or [])}" if data.get("skipped") else "",
    ]
    note = (
        f" {data['recommendedReuseAction']}"
        if data.get("codeFound") and data.get("recommendedReuseAction")
        else ""
    )
    return ok(
        data,
        formattedResponse="DQ rules: " + ("; ".join(p for p in parts if p) or "nothing changed") + "." + note,
    )


_OBJECTS = {"type": ["array", "object", "string"], "description": "[{object_id, object_type}]."}
_COMMON = {
    "objects": _OBJECTS,
    "discover_cde_columns": boolean("Use the CDE columns."),
    "limit": integer("At most this many.", minimum=1),
    "description_custom_field_name": string("Custom field describing the rule."),
    "description_term_name": string("Term defining the rule."),
    "preferred_function_name": string("Preferred function."),
    "excluded_function_names": strings("Rule functions to avoid."),
    "connection_id": integer("Source connection id.", minimum=1),
    "schema_id": integer("Source schema id.", minimum=1),
    "rule_query": string("The rule's SQL."),
    "stats_query": string("Statistics SQL."),
    "failed_values_query": string("Failing-values SQL."),
}
TOOLS = (
    Tool(
        name="dq_rule_advisor",
        title="DQ rule advisor",
        description=(
            
            
            
            'Data-quality advice by step: assess (recommended rule functions and existing rules for '
            'critical data elements: objects, or discover_cde_columns), generate_query (SQL for a '
            'business_rule), validate_query (runs rule_query on the source via connection_id and '
            'schema_id: gated like a write), lookup (DQ rules by object_id or rule_name; they are not '
            'in asset_explorer). validate_query: Preview first; only after the user approves, confirm '
            "with write_confirmed_by_user=true and the preview's confirmation_token."
        
        
        
        ),
        input_schema=closed(
            {
                "step": string("The step.", enum=list(ADVISOR_STEPS)),
                **_COMMON,
                "business_rule": string("The rule in words."),
                "business_description": string("More context."),
                "object_id": integer("Rules of this object.", minimum=1),
                "rule_name": string("Rule name."),
                **CONFIRMATION,
            },
            required=("step",),
        ),
        handler=dq_rule_advisor,
        subject=("step", "connection_id", "schema_id"),
        effect=Effect.EXECUTE,
        read_steps=("assess", "generate_query", "lookup"),
    ),
    Tool(
        name="dq_rule_manager",
        title="DQ rule manager",
        description=(
            
            
            
            'Create or associate DQ rules by step: create_standard (for assessed objects; '
            'prefer_existing_rule reuses a fitting rule), create_custom_sql (sql_rule_name, '
            'rule_query, connection_id, schema_id; recommended_function verbatim; code_object_id '
            'reuses a query), associate (dqrule_id or rule_name to objects). Every step: Preview '
            'first; only after the user approves, confirm with write_confirmed_by_user=true and the '
            "preview's confirmation_token."
        
        
        
        ),
        input_schema=closed(
            {
                "step": string("The step.", enum=list(MANAGER_STEPS)),
                **_COMMON,
                "prefer_existing_rule": boolean("Reuse a fitting rule."),
                "skip_duplicate_function_on_object": boolean(
                    "Skip duplicates."
                ),
                "supplemental_criteria_text": string("Extra criteria."),
                "sql_rule_name": string("New rule name."),
                "purpose": string("What the rule checks."),
                "recommended_function": string("As generate_query gave it."),
                "code_object_id": integer("Query object to reuse.", minimum=1),
                "dqrule_id": integer("Rule id.", minimum=1),
                "rule_name": string("Rule name."),
                "skip_already_associated": boolean(
                    "Skip associated."
                ),
                **CONFIRMATION,
            },
            required=("step",),
        ),
        handler=dq_rule_manager,
        subject=("step", "sql_rule_name", "dqrule_id", "rule_name", "objects"),
        effect=Effect.CREATE,
    ),
)
