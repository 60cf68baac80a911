"""Data-quality rules: `dq_rule_advisor` recommends and checks, `dq_rule_manager` creates and
associates. The bodies and answers follow OvalEdge's own MCP server (docs/wire.md, DQ routes).

Advisor steps: `assess` (which rule function suits each critical data element, and which existing
rules use it), `generate_query` (custom SQL for one object), `lookup` (existing rules by rule id or
name): reads. `validate_query` runs SQL on the source system, so it goes through the governed-write
gate like a write. Every manager step writes, through the gate; `create_standard` first assesses the
objects so that the user, not OvalEdge, picks an existing rule to reuse. An argument the chosen
step does not use is ignored and named in the result's notes. Current OvalEdge only.
"""

from __future__ import annotations

import ast
import json
import logging
import re
from typing import Any

from worker import routes
from worker.arguments import INTEGER_MAX
from worker.errors import FailureKind, InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.notes import ignore, note
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, integer, string, strings
from worker.shaping import add_links
from worker.tools.common import link, phase

DQ_TYPES = ("oetable", "oecolumn", "oefile", "oefilecolumn")
DQ_ALIASES = {
    "table": "oetable",
    "column": "oecolumn",
    "tablecolumn": "oecolumn",
    "table_column": "oecolumn",
    "file": "oefile",
    "filecolumn": "oefilecolumn",
    "file_column": "oefilecolumn",
}
ASSESS_LIMIT, ASSESS_MAX = 50, 100
LOOKUP_LIMIT, LOOKUP_MAX = 25, 100
ADVISOR_STEPS = ("assess", "generate_query", "validate_query", "lookup")
MANAGER_STEPS = ("create_standard", "create_custom_sql", "associate")
ADVISOR, MANAGER = "dq_rule_advisor", "dq_rule_manager"

# Which arguments each step uses; any other is ignored and named in the notes.
COMMON_RECOMMEND = (
    "description_custom_field_name",
    "description_term_name",
    "preferred_function_name",
    "excluded_function_names",
)
GATED = ("write_confirmed_by_user", "confirmation_token")
QUERIES = ("rule_query", "stats_query", "failed_values_query")
STEP_ARGUMENTS = {
    "assess": ("objects", "discover_cde_columns", "limit", *COMMON_RECOMMEND),
    "generate_query": ("objects", "business_rule", "business_description"),
    "validate_query": ("connection_id", "schema_id", *QUERIES, *GATED),
    "lookup": ("object_id", "rule_name", "limit"),
    "create_standard": (
        "objects",
        "discover_cde_columns",
        "limit",
        "prefer_existing_rule",
        "skip_duplicate_function_on_object",
        "supplemental_criteria_text",
        *COMMON_RECOMMEND,
        *GATED,
    ),
    "create_custom_sql": (
        "objects",
        "sql_rule_name",
        "rule_name",
        *QUERIES,
        "connection_id",
        "schema_id",
        "purpose",
        "recommended_function",
        "code_object_id",
        *GATED,
    ),
    "associate": ("dqrule_id", "rule_name", "objects", "skip_already_associated", *GATED),
}
REQUIRED = {
    "generate_query": ("objects",),
    "validate_query": ("connection_id", "schema_id", *QUERIES),
    "create_custom_sql": ("objects",),
    "associate": ("objects",),
}
RECOMMEND_WIRE = {  # our argument -> OvalEdge's body key (assess and create-rules)
    "description_custom_field_name": "descriptionCustomFieldName",
    "description_term_name": "descriptionTermName",
    "preferred_function_name": "preferredFunctionName",
}
# What create-rules' pre-assessment sends: the part of the create body that assess-cde reads.
ASSESS_SUBSET = (
    "discoverCdeColumns",
    "objects",
    "limit",
    "descriptionCustomFieldName",
    "descriptionTermName",
    "supplementalCriteriaText",
    "preferredFunctionName",
    "excludedFunctionNames",
)
# recommended_function values that name no function (OvalEdge wants the name generate_query gave).
PLACEHOLDER_FUNCTIONS = frozenset(
    {"custom_sql", "customsql", "not identified", "not_identified", "none", "null", "n/a", "na", "unknown"}
)
FUNCTION_RETRY = (
    f"Call {ADVISOR} step=generate_query (or step=assess) again, copy its recommendedFunction into "
    "recommended_function, then validate_query and create_custom_sql; never invent a function name."
)
_DIGITS = re.compile(r"\s*[0-9]{1,19}\s*")
log = logging.getLogger(__name__)


def check_step(a: dict[str, Any]) -> str:
    step = a["step"]
    unused = sorted(set(a) - {"step", *STEP_ARGUMENTS[step]})
    ignore(a, unused, f"step={step} does not use them")
    missing = [arg for arg in REQUIRED.get(step, ()) if arg not in a]
    if missing:
        raise InvalidArguments(f"step={step} needs {', '.join(missing)}", error_code="validation_required")
    return step


def _object_ref(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidArguments(f"{where} must be {{object_id, object_type}}")
    raw_id = item.get("objectId", item.get("object_id"))
    if isinstance(raw_id, str) and _DIGITS.fullmatch(raw_id):
        raw_id = int(raw_id)
    if not isinstance(raw_id, int) or isinstance(raw_id, bool) or not 1 <= raw_id <= INTEGER_MAX:
        raise InvalidArguments(f"{where}.object_id must be a positive integer")
    kind = str(item.get("objectType", item.get("object_type", ""))).strip().lower()
    kind = DQ_ALIASES.get(kind, kind)
    if kind not in DQ_TYPES:
        raise InvalidArguments(f"{where}.object_type={kind!r}: DQ rules apply to {', '.join(DQ_TYPES)}")
    return {"objectId": raw_id, "objectType": kind}


def objects(a: dict[str, Any]) -> list[dict[str, Any]] | None:
    """`objects` as OvalEdge takes them, a list of {objectId, objectType}; as the reference does, a
    single object, or the list as a JSON (or Python-literal) string, are accepted too."""
    raw = a.get("objects")
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            try:
                raw = ast.literal_eval(raw.strip())
            except Exception:  # literal_eval raises several kinds on text that is no literal
                raise InvalidArguments(
                    "objects is not valid JSON; give a list of {object_id, object_type}"
                ) from None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InvalidArguments("objects is empty; give at least one {object_id, object_type}")
    return [_object_ref(item, f"objects[{index}]") for index, item in enumerate(items)]


def _excluded(names: list[str] | None) -> list[str]:
    """Trimmed, blanks left out, each name once (case-insensitively), as the reference sends them."""
    kept: dict[str, str] = {}
    for name in names or []:
        trimmed = str(name).strip()
        if trimmed:
            kept.setdefault(trimmed.lower(), trimmed)
    return list(kept.values())


def recommend_body(a: dict[str, Any]) -> dict[str, Any]:
    """The body assess-cde takes (create-rules takes it too, with its own flags)."""
    body: dict[str, Any] = {
        "discoverCdeColumns": bool(a.get("discover_cde_columns", False)),
        "limit": min(a.get("limit", ASSESS_LIMIT), ASSESS_MAX),
    }
    for arg, key in RECOMMEND_WIRE.items():
        if a.get(arg):
            body[key] = a[arg]
    excluded = _excluded(a.get("excluded_function_names"))
    if excluded:
        body["excludedFunctionNames"] = excluded
    listed = objects(a)
    if not listed and not body["discoverCdeColumns"]:
        raise InvalidArguments(
            f"step={a['step']} needs objects, or discover_cde_columns=true for every CDE column"
        )
    if listed:
        body["objects"] = listed
    return body


def answer_data(answer: Any) -> dict[str, Any]:
    """The data of an answer: `data` when it is an object, else the answer's own keys beside `ok`
    (the reference reads both; a flat answer's `message` is its own, so it is kept)."""
    if isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        return answer["data"]
    return {k: v for k, v in answer.items() if k != "ok"} if isinstance(answer, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _count(data: dict[str, Any], key: str, rows: list[dict[str, Any]], status: str) -> int:
    """A count OvalEdge gave, else the rows of that status."""
    given = data.get(key)
    return given if isinstance(given, int) else sum(1 for r in rows if r.get("status") == status)


# -- the advisor -------------------------------------------------------------------------------------


def _is_dbt(name: Any) -> bool:
    """DBT functions are out of scope for rules made here (the reference hides them too)."""
    return str(name or "").strip().lower().startswith(("dbt_", "dbt "))


def rule_choice(rule: dict[str, Any]) -> str:
    """One existing rule as the user chooses among them: `ID 1618: **name** — purpose ...`."""
    parts = [f"ID {rule.get('dqruleId', '?')}: **{rule.get('name', rule.get('ruleName', '?'))}**"]
    if _text(rule.get("purpose")):
        parts.append(f"purpose: {_text(rule['purpose'])}")
    for what in ("success", "input"):
        values = [
            str(v) for v in (rule.get(f"{what}Value1"), rule.get(f"{what}Value2")) if v not in (None, "")
        ]
        if rule.get(f"{what}Operator") or values:
            shown = f" ({', '.join(values)})" if values else ""
            parts.append(f"{what}: {rule.get(f'{what}Operator') or '?'}{shown}")
    if rule.get("purposeSimilarity") is not None:
        parts.append(f"purposeSimilarity {rule['purposeSimilarity']}")
    if rule.get("associatedToObject") is True:
        parts.append("already associated")
    return " — ".join(parts)


def _row_name(row: dict[str, Any]) -> str:
    name = row.get("tableColumnName") or row.get("objectName") or "?"
    return f"**{name}** ({row.get('objectType', '?')} {row.get('objectId', '?')})"


def assessment_report(data: dict[str, Any]) -> str:
    rows = _list(data.get("rows"))
    lines = [f"Assessed {data.get('assessedCount', len(rows))} object(s)."]
    for row in rows:
        head = f"- {_row_name(row)}: descriptionSource={row.get('descriptionSource', '?')}"
        function, workflow = _text(row.get("recommendedFunction")), _text(row.get("recommendedWorkflow"))
        if function and not _is_dbt(function):
            head += f"; recommendedFunction `{function}`" + (f" [{workflow}]" if workflow else "")
        lines.append(head)
        if _text(row.get("businessRule")):
            lines.append(f"  businessRule: {_text(row['businessRule'])}")
        if _text(row.get("descriptionMessage")):
            lines.append(f"  {_text(row['descriptionMessage'])}")
        fields = row.get("availableCustomFields")
        if isinstance(fields, list) and fields:
            lines.append(f"  Available custom fields: {', '.join(map(str, fields))}")
        candidates = []
        for c in row.get("recommendedFunctionCandidates") or []:
            name = c.get("functionName") if isinstance(c, dict) else c
            if name and not _is_dbt(name):
                score = c.get("score") if isinstance(c, dict) else None
                candidates.append(f"`{name}`" + (f" ({score})" if score is not None else ""))
        if candidates:
            lines.append(f"  recommendedFunctionCandidates: {', '.join(candidates[:5])}")
        existing = _list(row.get("existingRulesForFunction"))
        if existing:
            lines.append(
                "  Existing rules using this function (the user chooses one to associate before any create):"
            )
            lines += [f"    {rule_choice(rule)}" for rule in existing]
    lines.append(
        f"Next: associate an existing rule the user chooses ({MANAGER} step=associate), else {MANAGER} "
        "step=create_standard with preferred_function_name set to one exact candidate name, or exclude "
        "candidates with excluded_function_names; custom SQL (generate_query) only when the user confirms "
        "it and no function fits. Never invent function names or SQL."
    )
    return "\n".join(lines)


def _context_ids(data: dict[str, Any]) -> tuple[int | None, int | None]:
    context = data.get("context") if isinstance(data.get("context"), dict) else {}

    def positive(value: Any) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

    return positive(context.get("connectionId")), positive(context.get("schemaId"))


def _rule_for_code(data: dict[str, Any]) -> int | None:
    """The rule of the matching code object OvalEdge recommends (else of the first match)."""
    matches = _list(data.get("matchingCodeObjects"))
    chosen = [m for m in matches if m.get("codeObjectId") == data.get("recommendedCodeObjectId")] or matches
    rule = chosen[0].get("dqruleId") if chosen else None
    return rule if isinstance(rule, int) and rule > 0 else None


def _queries_shown(data: dict[str, Any]) -> list[str]:
    return [
        f"**{title}:**\n```sql\n{data[key]}\n```"
        for key, title in (
            ("ruleQuery", "Rule query"),
            ("statsQuery", "Stats query"),
            ("failedValuesQuery", "Failed-values query"),
        )
        if _text(data.get(key))
    ]


def generated(data: dict[str, Any]) -> dict[str, Any]:
    """generate-queries' answer, routed by its status to the step that comes next."""
    status = _text(data.get("status")) or "generated"
    lines = [f"**Generate SQL queries**: status `{status}`"]
    function = _text(data.get("recommendedFunction"))
    if function:
        lines.append(f"- recommendedFunction: `{function}`")
    if _text(data.get("recommendedWorkflow")):
        lines.append(f"- workflow: `{_text(data['recommendedWorkflow'])}`")
    connection, schema = _context_ids(data)
    if connection and schema:
        lines.append(f"- **connection_id:** {connection}, **schema_id:** {schema} (for step=validate_query)")
    no_sql = f"Do not call {ADVISOR} step=validate_query or {MANAGER} step=create_custom_sql."
    if status == "cross_schema_blocked":
        lines.append(_text(data.get("message")) or "Cross-schema dependent rules cannot be created.")
        instruction = f"{no_sql} Custom SQL rules that depend on another schema are not supported."
    elif status == "function_based":
        lines.append(
            f"This function is not SQL-based: use {MANAGER} step=create_standard (or associate an "
            "existing rule) instead."
        )
        instruction = f"{no_sql} Route to {MANAGER} step=create_standard or step=associate."
    elif status == "function_not_identified":
        lines.append(
            f"No DQ function could be resolved. Run {ADVISOR} step=assess first, or name the function "
            "in business_description."
        )
        instruction = (
            f"Retry {ADVISOR} step=generate_query once; do not invent a function name. If it still "
            "fails, stop and ask the user."
        )
    elif status == "code_found":
        action = _text(data.get("recommendedReuseAction")) or "reuse"
        code = data.get("recommendedCodeObjectId")
        lines.append(f"Existing code object **{code}** matches: recommended action `{action}`.")
        lines += _queries_shown(data)
        rule = _rule_for_code(data)
        where = f", connection_id={connection}, schema_id={schema}" if connection and schema else ""
        if action == "already_associated":
            instruction = f"The object is already associated with the matching DQ rule. {no_sql}"
        elif action == "associate_existing_dqr":
            instruction = (
                f"Call {MANAGER} step=associate with {f'dqrule_id={rule}' if rule else 'its dqrule_id'} "
                f"and the object(s), through its confirmation. {no_sql}"
            )
        elif action == "create_from_code":
            instruction = (
                f"Call {MANAGER} step=create_custom_sql with code_object_id={code}{where}, the "
                "objects, a rule_name and recommended_function, through its confirmation; skip "
                "validate_query unless the user asks for it."
            )
        else:
            instruction = (
                f"Prefer {MANAGER} step=associate, or step=create_custom_sql with code_object_id, "
                "before generating new SQL."
            )
    else:
        lines += _queries_shown(data)
        if data.get("reuseExistingCode") and data.get("recommendedCodeObjectId"):
            lines.append(
                f"Existing code object **{data['recommendedCodeObjectId']}** matches: recommended "
                f"action `{_text(data.get('recommendedReuseAction')) or 'reuse'}`."
            )
        where = (
            f"connection_id={connection}, schema_id={schema}"
            if connection and schema
            else "connection_id and schema_id from data.context"
        )
        instruction = (
            f"Call {ADVISOR} step=validate_query with {where} and all three queries, through its "
            f"confirmation. Then, only if canCreateRule is true and the user approves, {MANAGER} "
            f"step=create_custom_sql with recommended_function `{function or 'recommendedFunction'}` "
            "verbatim. Never hand-write SQL or invent function names."
        )
    out = {
        "ok": True,
        "workflowPhase": "generate_queries",
        "data": data,
        "formattedResponse": "\n".join(lines),
        "agentInstruction": instruction,
    }
    if connection:
        out["connectionId"] = connection
    if schema:
        out["schemaId"] = schema
    return out


def validation_report(data: dict[str, Any]) -> str:
    can = bool(data.get("canCreateRule"))
    lines = ["**Validate SQL queries**"]
    if "ruleQueryValid" in data:
        lines.append(f"- Rule query valid: {'yes' if data.get('ruleQueryValid') else 'no'}")
    for item in _list(data.get("results")):
        message = _text(item.get("message"))
        lines.append(
            f"- {item.get('queryType', '?')}: {'valid' if item.get('valid') else 'invalid'}"
            + (f" ({message})" if message else "")
        )
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        lines.append(f"- errors: {'; '.join(map(str, errors))}")
    lines.append(
        f"Can create rule: {'yes' if can else 'no'}: "
        + (
            f"a rule can be created ({MANAGER} step=create_custom_sql with recommended_function "
            "from generate_query)"
            if can
            else "fix the queries, or generate them again"
        )
    )
    return "\n".join(lines)


def lookup_hits(answer: Any) -> list[dict[str, Any]]:
    """The rules a lookup found: `data` is a list of {objectId, objectType, objectName, ...}
    (test_lookup_dq_rule); a list under `rules` or `items` is taken too."""
    data = answer.get("data") if isinstance(answer, dict) else answer
    if isinstance(data, dict):
        data = next((data[k] for k in ("rules", "items", "content") if isinstance(data.get(k), list)), [])
    return _list(data)


async def lookup(ctx: ToolContext, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
    """The rules lookup-dq-rules finds; OvalEdge's 404 "Rule not found" is no hit, like an empty
    list (a missing route is not: it still fails the call)."""
    try:
        return lookup_hits(await ctx.api.ask(routes.DQ_LOOKUP, params, what=what))
    except OvalEdgeError as exc:
        if exc.kind is not FailureKind.NOT_FOUND:
            raise
        return []


def hit_name(hit: dict[str, Any]) -> str:
    return link(
        str(hit.get("objectName") or hit.get("ruleName") or f"DQ rule {hit.get('objectId')}"),
        hit.get("redirectUrl"),
    )


def lookup_report(hits: list[dict[str, Any]], asked: str) -> str:
    if not hits:
        return f"No DQ rule matched {asked}."
    lines = [f"{len(hits)} DQ rule(s) matched {asked}:"]
    for hit in hits:
        steward = f", steward {hit['steward']}" if hit.get("steward") else ""
        lines.append(f"- {hit_name(hit)} (dqrule id {hit.get('objectId')}{steward})")
    return "\n".join(lines)


async def dq_rule_advisor(ctx: ToolContext, a: dict[str, Any]) -> Any:
    step = check_step(a)
    if step == "lookup":
        if ("object_id" in a) == ("rule_name" in a):
            raise InvalidArguments(
                "step=lookup takes object_id (a DQ rule id) or rule_name, one of them",
                error_code="validation_required",
            )
        params = {
            "objectId": a.get("object_id"),
            "ruleName": a.get("rule_name"),
            "limit": min(a.get("limit", LOOKUP_LIMIT), LOOKUP_MAX),
        }
        hits = await lookup(ctx, params, ADVISOR)
        asked = f"rule_name={a['rule_name']!r}" if "rule_name" in a else f"object_id={a['object_id']}"
        return {"ok": True, "data": hits, "formattedResponse": lookup_report(hits, asked)}
    if step == "assess":
        data = answer_data(await ctx.api.ask(routes.DQ_ASSESS, body=recommend_body(a), what=ADVISOR))
        return {
            "ok": True,
            "data": data,
            "assessedCount": data.get("assessedCount"),
            "formattedResponse": assessment_report(data),
        }
    if step == "generate_query":
        listed = objects(a) or []
        if len(listed) > 1:
            note(
                f"generate_query generates for one object: objects[0] ({listed[0]['objectType']} "
                f"{listed[0]['objectId']}); the other {len(listed) - 1} were not sent"
            )
        body = dict(listed[0])
        body |= {
            key: a[arg]
            for arg, key in (
                ("business_rule", "businessRule"),
                ("business_description", "businessDescription"),
            )
            if a.get(arg)
        }
        return generated(answer_data(await ctx.api.ask(routes.DQ_GENERATE, body=body, what=ADVISOR)))
    body = {
        "connectionId": a["connection_id"],
        "schemaId": a["schema_id"],
        "ruleQuery": a["rule_query"],
        "statsQuery": a["stats_query"],
        "failedValuesQuery": a["failed_values_query"],
    }
    summary = (
        f"Run these three queries on the source (connection {a['connection_id']}, schema {a['schema_id']})"
        f" to validate them:\n```sql\n{a['rule_query']}\n```\n```sql\n{a['stats_query']}\n```\n```sql\n"
        f"{a['failed_values_query']}\n```"
    )
    answer = await ctx.gate.write(
        ctx, a, body, routes.DQ_VALIDATION, create=False, summary=summary, what=ADVISOR
    )
    if answer.get("awaitingUserConfirmation"):
        return {**answer, "workflowPhase": "confirm_execute"}
    data = answer_data(answer)
    return {
        "ok": True,
        "workflowPhase": "validate_queries",
        "data": data,
        "canCreateRule": bool(data.get("canCreateRule")),
        "formattedResponse": validation_report(data),
    }


# -- the manager -------------------------------------------------------------------------------------


async def _rule_id(ctx: ToolContext, a: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    """(the rule to associate, its lookup hit when found by name): dqrule_id, or rule_name looked
    up as the reference does (limit 25; no hit: not found; several: ambiguous)."""
    if "dqrule_id" in a and "rule_name" in a:
        raise InvalidArguments(
            "step=associate takes dqrule_id or rule_name, not both",
            error_code="validation_mutually_exclusive",
        )
    if "dqrule_id" in a:
        return a["dqrule_id"], None
    if "rule_name" not in a:
        raise InvalidArguments(
            "step=associate needs dqrule_id or rule_name", error_code="validation_required"
        )
    name = a["rule_name"]
    hits = await lookup(ctx, {"ruleName": name, "limit": LOOKUP_LIMIT}, MANAGER)
    if not hits:
        raise InvalidArguments(
            f"no DQ rule found for rule_name={name!r}; check the name with {ADVISOR} "
            "step=lookup, or pass dqrule_id; nothing was written",
            error_code="not_found",
        )
    if len(hits) > 1:
        choices = [{"dqruleId": h.get("objectId"), "name": h.get("objectName")} for h in hits[:10]]
        shown = "; ".join(f"{c['name']} (dqrule_id {c['dqruleId']})" for c in choices)
        raise InvalidArguments(
            f"rule_name={name!r} matches {len(hits)} DQ rules: {shown}; ask the user which "
            "one and pass its dqrule_id; nothing was written",
            error_code="validation_ambiguous",
            choices=choices,
        )
    rule_id = hits[0].get("objectId")
    if isinstance(rule_id, str) and _DIGITS.fullmatch(rule_id):
        rule_id = int(rule_id)
    if not isinstance(rule_id, int) or isinstance(rule_id, bool) or rule_id < 1:
        raise InvalidArguments(f"the lookup of rule_name={name!r} gave no rule id; pass dqrule_id")
    return rule_id, hits[0]


def _standard_body(a: dict[str, Any]) -> dict[str, Any]:
    shared = recommend_body(a)
    body = {
        "discoverCdeColumns": shared.pop("discoverCdeColumns"),
        "preferExistingRule": a.get("prefer_existing_rule", True),
        "skipDuplicateFunctionOnObject": a.get("skip_duplicate_function_on_object", True),
        "limit": shared.pop("limit"),
    }
    objects_given = shared.pop("objects", None)
    body |= shared
    if a.get("supplemental_criteria_text"):
        body["supplementalCriteriaText"] = a["supplemental_criteria_text"]
    if objects_given:
        body["objects"] = objects_given
    return body


def _selection(body: dict[str, Any], choices: list[dict[str, Any]]) -> dict[str, Any]:
    lines = [
        "**Choose an existing DQ rule, or ask explicitly for a new one.** Nothing has been written.",
        "These active rules use the recommended function:",
    ]
    for choice in choices:
        lines.append(f"- {_row_name(choice)}:")
        lines += [f"  {rule_choice(rule)}" for rule in choice["rules"]]
    lines.append(
        f"Ask the user to choose a DQ rule ID, then call {MANAGER} step=associate with that dqrule_id "
        f"(through its confirmation). If the user wants a new rule instead, call {MANAGER} "
        "step=create_standard again with prefer_existing_rule=false for the create preview."
    )
    return phase(
        "select_existing_rule",
        selection_field="dqrule_id",
        options=choices,
        formatted="\n".join(lines),
        instruction=(
            "Do not create or pick a rule yourself: show every same-function rule and wait for "
            "the user to choose a dqruleId, or to choose creation."
        ),
        awaitingUserConfirmation=True,
        requiresRuleSelection=True,
        doNotCreate=True,
        existingRuleChoices=choices,
        pendingCreate=body,
    )


async def _standard_preview(ctx: ToolContext, body: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """create_standard's pre-assessment (prefer_existing_rule): the rule choice the user must make
    first, or the planned actions for the preview."""
    if not body["preferExistingRule"]:
        return None, ""
    subset = {key: body[key] for key in ASSESS_SUBSET if key in body}
    rows = _list(answer_data(await ctx.api.ask(routes.DQ_ASSESS, body=subset, what=MANAGER)).get("rows"))
    choices = [
        {
            "objectId": r.get("objectId"),
            "objectType": r.get("objectType"),
            "tableColumnName": r.get("tableColumnName"),
            "rules": _list(r.get("existingRulesForFunction")),
        }
        for r in rows
        if _list(r.get("existingRulesForFunction"))
    ]
    if choices:
        return _selection(body, choices), ""
    planned = [
        f"- {_row_name(r)}: create a new rule"
        + (f" ({r['recommendedFunction']})" if _text(r.get("recommendedFunction")) else "")
        for r in rows
    ]
    return None, "\n**Planned:**\n" + ("\n".join(planned) or "- the assessment found no object to act on")


def _rule_link(row: dict[str, Any]) -> str:
    name = row.get("ruleName") or row.get("name")
    shown = link(str(name), row.get("redirectUrl")) if name else link("DQ rule", row.get("redirectUrl"))
    return shown + (f" (dqruleId {row['dqruleId']})" if row.get("dqruleId") is not None else "")


def standard_report(data: dict[str, Any]) -> str:
    rows = _list(data.get("rows"))
    counts = {
        what: _count(data, f"{what}Count", rows, what)
        for what in ("created", "associated", "skipped", "failed")
    }
    lines = ["DQ rules: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + "."]
    for row in rows:
        parts = [f"- {row.get('objectType', '?')} {row.get('objectId', '?')}: {row.get('status', '?')}"]
        if row.get("ruleName") or row.get("dqruleId") is not None:
            parts.append(f"rule {_rule_link(row)}")
        if row.get("objectAssociated") is True or row.get("status") == "created":
            parts.append("object linked")
        if _text(row.get("criteriaSource")):
            parts.append(f"criteriaSource={_text(row['criteriaSource'])}")
        if _text(row.get("criteriaMessage")):
            parts.append(f"(warning: {_text(row['criteriaMessage'])})")
        if _text(row.get("message")):
            parts.append(f"({_text(row['message'])})")
        lines.append(" ".join(parts))
    return "\n".join(lines)


def custom_sql_body(a: dict[str, Any]) -> dict[str, Any]:
    listed = objects(a) or []
    name = a.get("sql_rule_name") or a.get("rule_name")
    if a.get("sql_rule_name") and a.get("rule_name"):
        ignore(a, ["rule_name"], "sql_rule_name names the new rule")
    if not name:
        raise InvalidArguments(
            "step=create_custom_sql needs rule_name (or sql_rule_name): the new rule's name",
            error_code="validation_required",
        )
    has_code = "code_object_id" in a
    if "rule_query" not in a and not has_code:
        raise InvalidArguments(
            "step=create_custom_sql needs rule_query or code_object_id (to reuse a code object)",
            error_code="validation_required",
        )
    if "rule_query" in a and not has_code:
        missing = [q for q in ("stats_query", "failed_values_query") if q not in a]
        if missing:
            raise InvalidArguments(
                f"step=create_custom_sql needs {' and '.join(missing)} when rule_query is given",
                error_code="validation_required",
            )
    function = a.get("recommended_function")
    if not function:
        raise InvalidArguments(
            f"step=create_custom_sql needs recommended_function. {FUNCTION_RETRY}",
            error_code="validation_required",
        )
    if function.lower() in PLACEHOLDER_FUNCTIONS:
        raise InvalidArguments(
            f"recommended_function={function!r} names no function. {FUNCTION_RETRY}",
            error_code="validation_invalid",
        )
    body: dict[str, Any] = {**listed[0], "ruleName": name}
    for arg, key in (
        ("rule_query", "ruleQuery"),
        ("stats_query", "statsQuery"),
        ("failed_values_query", "failedValuesQuery"),
        ("code_object_id", "codeObjectId"),
        ("connection_id", "connectionId"),
        ("schema_id", "schemaId"),
        ("purpose", "purpose"),
    ):
        if arg in a:
            body[key] = a[arg]
    body["recommendedFunction"] = function
    if len(listed) > 1:
        body["additionalObjects"] = listed[1:]
    return body


def custom_sql_report(data: dict[str, Any], name: str) -> tuple[str, str | None]:
    """(the summary, an instruction when the rule was not created)."""
    status, message = _text(data.get("status")), _text(data.get("message"))
    if status == "cross_schema_blocked":
        return (
            f"The custom SQL DQ rule **{name}** was not created: "
            f"{message or 'cross-schema dependent rules cannot be created.'}",
            "Do not retry with hand-written SQL: cross-schema dependent rules are not supported.",
        )
    rule = {
        "ruleName": data.get("ruleName") or name,
        "dqruleId": data.get("dqruleId"),
        "redirectUrl": data.get("redirectUrl"),
    }
    done = "Created" if status in ("", "created") else f"Status `{status}` for"
    return f"{done} the custom SQL DQ rule {_rule_link(rule)}." + (f" {message}" if message else ""), None


def association_report(data: dict[str, Any], body: dict[str, Any], hit: dict[str, Any] | None) -> str:
    rows = _list(data.get("rows"))
    rule = {
        "ruleName": (hit or {}).get("objectName") or data.get("ruleName"),
        "redirectUrl": (hit or {}).get("redirectUrl") or data.get("redirectUrl"),
        "dqruleId": data.get("dqruleId", body["dqruleId"]),
    }
    named = _rule_link(rule) if rule["ruleName"] else link(f"{rule['dqruleId']}", rule["redirectUrl"])
    lines = [f"DQ rule {named}:"]
    if _text(data.get("statusMessage")):
        lines.append(f"Outcome: {_text(data['statusMessage'])}")
    lines.append(
        "Summary: "
        + ", ".join(
            f"{_count(data, f'{what}Count', rows, what)} {what}"
            for what in ("associated", "skipped", "failed")
        )
        + "."
    )
    for row in rows:
        message = f" — {_text(row.get('message'))}" if _text(row.get("message")) else ""
        lines.append(
            f"- {row.get('objectType', '?')} {row.get('objectId', '?')}: {row.get('status', '?')}{message}"
        )
    return "\n".join(lines)


async def dq_rule_manager(ctx: ToolContext, a: dict[str, Any]) -> Any:
    step = check_step(a)
    hit, planned = None, ""
    if step == "create_standard":
        body = _standard_body(a)
        what = f"create or associate standard DQ rules ({_scope(body)})"
        if not a.get("write_confirmed_by_user"):
            selection, planned = await _standard_preview(ctx, body)
            if selection is not None:
                return selection
        capability = routes.DQ_STANDARD_RULES
    elif step == "create_custom_sql":
        body = custom_sql_body(a)
        what = (
            f"create the custom SQL rule **{body['ruleName']}** ({body['recommendedFunction']}) on "
            f"{body['objectType']} {body['objectId']}"
            + (
                f" and {len(body['additionalObjects'])} more object(s)"
                if body.get("additionalObjects")
                else ""
            )
            + (f", reusing code object {body['codeObjectId']}" if "codeObjectId" in body else "")
        )
        capability = routes.DQ_SQL_RULE
    else:
        rule_id, hit = await _rule_id(ctx, a)
        body = {
            "dqruleId": rule_id,
            "skipAlreadyAssociated": a.get("skip_already_associated", True),
            "objects": objects(a),
        }
        named = f"**{hit.get('objectName')}** (id {rule_id})" if hit else f"{rule_id}"
        what = f"associate DQ rule {named} with {len(body['objects'])} object(s)"
        capability = routes.DQ_ASSOCIATION
    try:
        answer = await ctx.gate.write(
            ctx,
            a,
            body,
            capability,
            create=True,
            summary=f"{what[0].upper()}{what[1:]}.{planned}",
            what=MANAGER,
        )
    except OvalEdgeError as exc:
        said = exc.message.lower()
        if step == "create_custom_sql" and (
            "recommended dq function" in said or "recommendedfunction" in said.replace(" ", "")
        ):
            exc.hint = f"{exc.hint} {FUNCTION_RETRY}".strip()
        raise
    if answer.get("awaitingUserConfirmation"):
        return answer
    # OvalEdge accepted the write: from here on only the report is made, and it never fails the call.
    data = add_links(answer_data(answer), ctx.settings.link_base_url)
    try:
        if step == "create_standard":
            return {"ok": True, "data": data, "formattedResponse": standard_report(data)}
        if step == "create_custom_sql":
            text, instruction = custom_sql_report(data, body["ruleName"])
            out = {"ok": True, "workflowPhase": "create_sql_rule", "data": data, "formattedResponse": text}
            return {**out, "agentInstruction": instruction} if instruction else out
        return {"ok": True, "data": data, "formattedResponse": association_report(data, body, hit)}
    except Exception:  # an answer shaped unlike any evidence: the write still happened
        log.exception("the report of a %s %s answer failed", MANAGER, step)
        return {"ok": True, "data": data, "formattedResponse": (
            f"OvalEdge accepted the {step} write; its answer could not be summarised here (see data)."
        )}


def _scope(body: dict[str, Any]) -> str:
    if body.get("objects"):
        return f"{len(body['objects'])} object(s)"
    return "the critical data element columns"


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
        name=ADVISOR,
        title="DQ rule advisor",
        description=(
            "Data-quality advice by step: assess (recommended rule functions and existing rules for "
            "critical data elements: objects, or discover_cde_columns), generate_query (SQL for one "
            "object; business_rule optional), validate_query (runs rule_query, stats_query and "
            "failed_values_query on the source via connection_id and schema_id: gated like a write), "
            "lookup (DQ rules by rule id object_id or rule_name; they are not in asset_explorer). "
            "validate_query: Preview first; only after the user approves, confirm with "
            "write_confirmed_by_user=true and the preview's confirmation_token."
        ),
        input_schema=closed(
            {
                "step": string("The step.", enum=list(ADVISOR_STEPS)),
                **_COMMON,
                "business_rule": string("The rule in words."),
                "business_description": string("More context."),
                "object_id": integer("DQ rule id.", minimum=1),
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
        name=MANAGER,
        title="DQ rule manager",
        description=(
            "Create or associate DQ rules by step: create_standard (objects or discover_cde_columns; "
            "with prefer_existing_rule the user first picks an existing rule to associate), "
            "create_custom_sql (objects, rule_name, rule_query+stats_query+failed_values_query or "
            "code_object_id, recommended_function verbatim from generate_query), associate (dqrule_id "
            "or rule_name to objects). Every step: Preview first; only after the user approves, confirm "
            "with write_confirmed_by_user=true and the preview's confirmation_token."
        ),
        input_schema=closed(
            {
                "step": string("The step.", enum=list(MANAGER_STEPS)),
                **_COMMON,
                "prefer_existing_rule": boolean("Reuse a fitting rule."),
                "skip_duplicate_function_on_object": boolean("Skip duplicates."),
                "supplemental_criteria_text": string("Extra criteria."),
                "sql_rule_name": string("New rule name."),
                "purpose": string("What the rule checks."),
                "recommended_function": string("As generate_query gave it."),
                "code_object_id": integer("Query object to reuse.", minimum=1),
                "dqrule_id": integer("Rule id.", minimum=1),
                "rule_name": string("Rule name."),
                "skip_already_associated": boolean("Skip associated."),
                **CONFIRMATION,
            },
            required=("step",),
        ),
        handler=dq_rule_manager,
        subject=("step", "sql_rule_name", "rule_name", "dqrule_id", "objects"),
        effect=Effect.CREATE,
    ),
)
