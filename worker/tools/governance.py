"""Governed updates of an asset's governance metadata: critical-data-element flags, governance
roles and custom-field values. Each goes through the one gate (`worker/gate.py`): a preview,
then the write only with the user's confirmation and the preview's token. Current OvalEdge only.
The shapes each call sends and reads, and their evidence: docs/wire.md, section 4.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION, UPDATE_OPTIONS, client_context, write_options
from worker.notes import ignore, note
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, string
from worker.tools.common import (
    CATALOG_OBJECT_TYPES,
    OBJECT_ID,
    OBJECT_TYPES,
    compact,
    data_of,
    local_timezone,
    md_table,
    named,
    object_ref,
    phase,
    valid_timezone,
)
from worker.tools.updates import object_type_of, positive_id, post, reasons, reported, strings, with_code

# -- critical data elements --------------------------------------------------------------------------
CDE_TYPES = CATALOG_OBJECT_TYPES
CDE_ALIASES = {
    "apiobject": "oeapi",
    "apicolumn": "oeapicolumn",
    "filecolumn": "oefilecolumn",
    "code": "oequery",
}
CDE_ACTIONS = ("Yes", "No", "None")
TARGETS_MAX = 100


def _targets(a: dict[str, Any]) -> list[dict[str, Any]]:
    refused = f" cannot be a critical data element; use one of: {', '.join(CDE_TYPES)}"
    found = []
    for index, target in enumerate(a["targets"]):
        if not isinstance(target, dict):
            raise InvalidArguments(f"targets[{index}] must be an object {{object_id, object_type}}")
        target = dict(target)
        for key in ("object_id", "objectId"):  # the reference takes int(raw_id): "1002" too
            if key in target:
                target[key] = positive_id(target[key])
        found.append(object_ref(target, f"targets[{index}]", CDE_ALIASES, CDE_TYPES, refused))
    return found


def cde_body(a: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"targets": _targets(a), "action": a["action"]}
    if "cde_category" in a:
        body["cdeCategory"] = a["cde_category"]
    if "cde_justification" in a:
        body["cdeJustification"] = a["cde_justification"]
    return {**body, **write_options(a), **client_context(a)}


def _cde_report(data: dict[str, Any]) -> str:
    results = [r for r in data.get("results") or [] if isinstance(r, dict)]
    summary = data.get("governanceSummary") if isinstance(data.get("governanceSummary"), dict) else {}
    head = (
        f"CDE update {data.get('status', '?')}: {summary.get('updated', 0)} updated, "
        f"{summary.get('blocked', 0)} blocked, {summary.get('noChange', 0)} unchanged."
    )
    rows = [
        [named(r), r.get("objectType"), r.get("previousCde"), r.get("updatedCde"),
         r.get("message") or ("blocked" if r.get("blocked") else "no change" if r.get("noChange") else "")]
        for r in results
    ]
    audit = data.get("audit") if isinstance(data.get("audit"), dict) else {}
    ids = strings(audit.get("auditReferenceIds"))
    tail = f"\nAudit references: {', '.join(ids)}" if ids else ""
    return head + "\n" + md_table(["Object", "Type", "Before", "After", "Note"], rows) + tail


async def update_cde_associations(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = cde_body(a)
    names = ", ".join(f"{t['objectType']} {t['objectId']}" for t in body["targets"])
    summary = (
        f"Set critical data element = **{a['action']}** on {len(body['targets'])} object(s): {names}"
        + (f" (category {a['cde_category']})" if "cde_category" in a else "")
        + "."
    )
    answer = await post(ctx, a, body, routes.CDE, summary=summary, what="update_cde_associations")
    if isinstance(answer, dict) and answer.get("awaitingUserConfirmation"):
        return answer
    return reported(ctx, answer, _cde_report, "update_cde_associations")


# -- governance roles ---------------------------------------------------------------------------------
# The role keys OvalEdge's MCP takes (server/tools/governance/_shared.py @554c256d), and the names
# the reference accepts for them, compared case- and separator-insensitively.
ROLES = ("owner", "steward", "custodian", "governance_role_4", "governance_role_5", "governance_role_6")
ROLE_NAMES = {
    **{role: role for role in ("owner", "steward", "custodian")},
    **{f"{prefix}{n}": f"governance_role_{n}" for n in (4, 5, 6) for prefix in ("governancerole", "govrole")},
}
# Catalog types (asset_explorer's) and the governance objects the search does not index.
NON_CATALOG_ROLE_TYPES = ("dqrule", "dqscheme", "dag", "policy", "processing_activity", "ropa_report",
                          "category", "subcategory")
ROLE_TYPES = (*OBJECT_TYPES, *NON_CATALOG_ROLE_TYPES)
STEWARD_ONLY = ("dqrule", "dqscheme")
ROLE_NOT_ENABLED = "governance role is not enabled"


def _role_updates(raw: dict[str, Any]) -> dict[str, str]:
    if not raw:
        raise InvalidArguments(
            f"role_updates is empty; set one or more of: {', '.join(ROLES)} (each to a user)")
    updates: dict[str, str] = {}
    unknown, empty = [], []
    for key, user in raw.items():
        role = ROLE_NAMES.get(compact(str(key)))
        if role is None:
            unknown.append(str(key))
        elif not isinstance(user, str) or not user.strip():
            empty.append(role)
        elif role in updates and updates[role] != user.strip():
            raise InvalidArguments(f"role_updates names {role} twice, with different users")
        else:
            updates[role] = user.strip()
    if unknown:
        raise InvalidArguments(
            f"unknown role(s) {', '.join(sorted(unknown))}; allowed: {', '.join(ROLES)} "
            "(also Owner, govrole5, gov_role_5, governanceRole5...)"
        )
    if empty:
        raise InvalidArguments(
            f"role_updates.{', '.join(sorted(set(empty)))} must name a user or team: a governance role "
            "cannot be cleared or left empty (OvalEdge's MCP refuses null and blank roles)"
        )
    return updates


def roles_body(a: dict[str, Any]) -> dict[str, Any]:
    object_type = object_type_of(a["object_type"], ROLE_TYPES)
    updates = _role_updates(a["role_updates"])
    if object_type in STEWARD_ONLY and set(updates) != {"steward"}:
        raise InvalidArguments(f'{object_type} has a steward only; set role_updates={{"steward": ...}}')
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": object_type},
        "roleUpdates": updates,
    }
    return {**body, **write_options(a), **client_context(a)}


def _roles_report(sent: dict[str, str]):
    def report(data: dict[str, Any]) -> str:
        target = data.get("target") if isinstance(data.get("target"), dict) else {}
        status = data.get("status")
        updated, blocked = strings(data.get("updatedRoles")), strings(data.get("blockedRoles"))
        lines = [f"Governance roles of {named(target)}: {status or 'answered'}."]
        if updated:
            lines.append("Updated: " + ", ".join(f"{r} -> {sent[r]}" if r in sent else r for r in updated))
        if blocked:
            lines.append(f"Blocked: {', '.join(blocked)}")
        if data.get("reasonCode"):
            lines.append(f"Reason code: {data['reasonCode']}")
        lines += [f"- {line}" for line in reasons(data.get("blockedRoles"))]
        if isinstance(data.get("message"), str) and data["message"].strip():
            lines.append(data["message"].strip())
        return "\n".join(lines)
    return report


async def update_governance_roles(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = roles_body(a)
    target = body["target"]
    changes = ", ".join(f"{role} -> {user}" for role, user in body["roleUpdates"].items())
    summary = f"Change the governance roles of {target['objectType']} {target['objectId']}: {changes}."
    try:
        answer = await post(ctx, a, body, routes.ROLES, summary=summary, what="update_governance_roles")
    except OvalEdgeError as exc:
        if ROLE_NOT_ENABLED in exc.message.lower():
            raise InvalidArguments(
                f"{exc.message} Only the roles enabled in this OvalEdge can be set; ask "
                "its administrator, or leave that role out.",
                reason_code="GOVERNANCE_ROLE_NOT_ENABLED",
            ) from None
        raise
    if isinstance(answer, dict) and answer.get("awaitingUserConfirmation"):
        return answer
    return reported(ctx, answer, _roles_report(body["roleUpdates"]), "update_governance_roles")


# -- custom fields ------------------------------------------------------------------------------------
# The object types the reference takes (server/constants.py @7c634658), sent as given.
FIELD_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "oechart", "chartchild", "apiobject",
    "apicolumn", "oequery", "glossary", "oetag", "dqrule", "dp_product", "code",
)
CODE_MODES = ("replace_all", "add", "remove")
# Code options in one string: commas, and the words " and " / "&" (the reference's separators).
_AND = re.compile(r"\s+and\s+|\s*&\s*", re.IGNORECASE)


def _parsed_list(text: str) -> list[Any] | None:
    """The items of a stringified list ("['a', 'b']", '["a"]', "('a',)"), None for other text."""
    text = text.strip()
    if len(text) < 2 or text[0] not in "[(" or text[-1] not in "])":
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, list | tuple):
            return list(parsed)
    return None


def _listed(value: Any) -> list[str]:
    """A code field's value as its parts: a list or a stringified list, each item split at commas."""
    if isinstance(value, str):
        value = _parsed_list(value) or value
    items = value if isinstance(value, list | tuple) else [value]
    return [part.strip() for item in items for part in _text(item).split(",") if part.strip()]


def _text(value: Any) -> str:
    """One value as the string OvalEdge's MCP takes: a list (or a stringified one) joined with
    ",", booleans as true/false; never Python's repr of a list or of None."""
    if isinstance(value, str):
        items = _parsed_list(value)
        if items is None:
            return value.strip()
        value = items
    if isinstance(value, list | tuple):
        return ",".join(text for text in (_text(v) for v in value) if text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _option_names(field: dict[str, Any]) -> dict[str, str]:
    """lower-cased option name -> its name, for a code field."""
    names: dict[str, str] = {}
    for option in field.get("options") or []:
        name = option.get("name") if isinstance(option, dict) else option
        if name is not None and str(name).strip():
            names.setdefault(str(name).strip().lower(), str(name).strip())
    return names


def _choices(value: Any, names: dict[str, str]) -> tuple[list[str], list[str]]:
    """(the options a value names, canonically spelled and once each; the parts that name none).
    A part that is no option is split at " and " / "&" ("Finance and Marketing")."""
    chosen: list[str] = []
    invalid: list[str] = []
    for part in _listed(value):
        pieces = [part] if part.lower() in names or not names else [p for p in _AND.split(part) if p.strip()]
        for piece in pieces:
            piece = piece.strip()
            found = names.get(piece.lower(), piece if not names else None)
            if found is None:
                invalid.append(piece)
            elif found.lower() not in {c.lower() for c in chosen}:
                chosen.append(found)
    return chosen, invalid


def _wanted(a: dict[str, Any]) -> list[dict[str, Any]]:
    """field_updates items, snake_case or camelCase: {name, key, value}."""
    wanted = []
    for index, item in enumerate(a["field_updates"]):
        if not isinstance(item, dict):
            raise InvalidArguments(
                f"field_updates[{index}] must be an object {{field_name or field_key, value}}")
        name = item.get("field_name", item.get("fieldName"))
        key = item.get("field_key", item.get("fieldKey"))
        name = str(name).strip() if name is not None and str(name).strip() else None
        key = str(key).strip() if key is not None and str(key).strip() else None
        if not (name or key):
            raise InvalidArguments(f"field_updates[{index}] needs field_name or field_key")
        if item.get("value") is None:
            raise InvalidArguments(
                f"field_updates[{index}] ({name or key}) needs a value: OvalEdge's MCP takes a string for "
                "every field and refuses null"
            )
        extra = sorted(set(item) - {"field_name", "fieldName", "field_key", "fieldKey", "value"})
        if extra:
            note(f"ignored field_updates[{index}].{', '.join(extra)}: an update takes field_name or "
                 "field_key, and value")
        wanted.append({"name": name, "key": key, "value": item["value"]})
    return wanted


async def _definition(ctx: ToolContext, target: dict[str, Any], lookup: str) -> dict[str, Any] | None:
    """The field's definition as GET custom-fields gives it (None: OvalEdge lists none)."""
    try:
        answer = await ctx.api.ask(
            routes.CUSTOM_FIELD_DEFINITIONS, {**target, "fieldName": lookup},
            what="update_custom_field_value")
    except OvalEdgeError as exc:
        raise with_code(exc) from None
    fields = [f for f in data_of(answer).get("fields") or [] if isinstance(f, dict)]
    wanted = compact(lookup)
    for field in fields:
        if wanted in (compact(str(field.get("fieldName") or "")), compact(str(field.get("fieldKey") or ""))):
            return field
    if not fields:
        return None
    listed = ", ".join(f"{f.get('fieldName')} ({f.get('fieldKey')})" for f in fields)
    raise InvalidArguments(f"no custom field {lookup!r} on this object; OvalEdge lists: {listed}")


def _clarify(name: str, field: dict[str, Any], text: str, *, selection: str, options: list[str],
             **extra: Any) -> dict[str, Any]:
    return phase(name, selection_field=selection, options=options, formatted=text,
                 instruction="Nothing was written. Show formattedResponse, ask the user, then call again "
                             f"with the corrected {selection}.",
                 awaitingUserClarification=True, doNotUpdate=True, field=field.get("fieldName"), **extra)


async def custom_field_body(
    ctx: ToolContext, a: dict[str, Any]
) -> dict[str, Any] | tuple[dict[str, Any], list[str]]:
    """The exact POST body (checked against each field's definition from GET custom-fields) and
    what it changes in words; or the step that asks the user first."""
    object_type = object_type_of(a["object_type"], FIELD_TYPES)
    target = {"objectId": a["object_id"], "objectType": object_type}
    mode = a.get("code_update_mode")
    mode_used = False
    updates, said = [], []
    for item in _wanted(a):
        field = await _definition(ctx, target, item["name"] or item["key"])
        value, label = item["value"], item["name"] or item["key"]
        entry: dict[str, Any] = {}
        if field is None:
            note(f"OvalEdge lists no definition of {label!r}; its value is sent as given and "
                 "OvalEdge checks it")
            text = _text(value)
        else:
            label = str(field.get("fieldName") or label)
            text, asked, used = _field_value(field, value, mode, label)
            if asked is not None:
                return asked
            mode_used = mode_used or used
        if item["name"]:
            entry["fieldName"] = str(field.get("fieldName") or item["name"]) if field else item["name"]
        if item["key"]:
            entry["fieldKey"] = str(field.get("fieldKey") or item["key"]) if field else item["key"]
        updates.append({**entry, "value": text})
        said.append(f"{label} = {text or '(empty)'}")
    if mode and not mode_used:
        ignore(a, ["code_update_mode"], "only a multi-select code field that already holds values uses it")
    zone = a.get("time_zone") or ctx.settings.ovaledge_client_timezone or local_timezone()
    body: dict[str, Any] = {"target": target, "fieldUpdates": updates, "timeZone": valid_timezone(zone)}
    return {**body, **write_options(a, fail_on_blocked=True), **client_context(a)}, said


def _field_value(field: dict[str, Any], value: Any, mode: str | None,
                 label: str) -> tuple[str, dict[str, Any] | None, bool]:
    """(the string to send, or the step that asks the user instead; whether code_update_mode
    was used), for one field of a known definition."""
    if str(field.get("type") or "").strip().lower() != "code":
        return _text(value), None, False
    names = _option_names(field)
    shown = ", ".join(names.values()) or "(no options configured)"
    chosen, invalid = _choices(value, names)
    if invalid:
        return "", _clarify(
            "invalid_code_options", field, f"**{label}** has no option {', '.join(invalid)}. Its options: "
            f"{shown}. Which should it be?", selection="field_updates", options=list(names.values()),
            ok=False, error=f"Invalid option(s) for {label}: {', '.join(invalid)}"), False
    if not field.get("allowMultiple"):
        if len(chosen) > 1:
            return "", _clarify(
                "clarify_single_select", field, f"**{label}** takes one option, not {', '.join(chosen)}. "
                f"Its options: {shown}. Which one?", selection="field_updates",
                options=list(names.values())), False
        return (chosen[0] if chosen else ""), None, False
    current, _ = _choices(field.get("currentValue") or "", {})
    current = [names.get(c.lower(), c) for c in current]
    if mode is None:
        if current and [c.lower() for c in current] != [c.lower() for c in chosen]:
            return "", _clarify(
                "clarify_multi_select_mode", field,
                f"**{label}** already holds: {', '.join(current)}. Should {', '.join(chosen) or 'nothing'} "
                "replace them (replace_all), be added to them (add), or be taken out of them (remove)?",
                selection="code_update_mode", options=list(CODE_MODES)), False
        return ",".join(chosen), None, False
    lowered = {c.lower() for c in chosen}
    if mode == "add":
        merged = current + [c for c in chosen if c.lower() not in {x.lower() for x in current}]
    elif mode == "remove":
        merged = [c for c in current if c.lower() not in lowered]
    else:
        merged = chosen
    return ",".join(merged), None, True


def _fields_report(said: list[str]):
    def report(data: dict[str, Any]) -> str:
        target = data.get("target") if isinstance(data.get("target"), dict) else {}
        status = data.get("status")
        updated, requested = strings(data.get("updatedFields")), strings(data.get("requestedFields"))
        blocked = strings(data.get("blockedFields"))
        lines = [f"Custom fields of {named(target)}: {status or 'answered'}."]
        if updated:
            lines.append(f"Updated: {', '.join(updated)} (sent: {'; '.join(said)})")
        elif requested and not blocked:
            lines.append(f"No change: {', '.join(requested)} already held these values")
        if blocked:
            lines.append(f"Blocked: {', '.join(blocked)}")
        lines += [f"- {line}" for line in reasons(data.get("blockedReasons"))]
        audit = data.get("audit") if isinstance(data.get("audit"), dict) else {}
        if audit.get("source"):
            lines.append(f"Audit source: {audit['source']}")
        if isinstance(data.get("message"), str) and data["message"].strip():
            lines.append(data["message"].strip())
        return "\n".join(lines)
    return report


async def update_custom_field_value(ctx: ToolContext, a: dict[str, Any]) -> Any:
    built = await custom_field_body(ctx, a)
    if not isinstance(built, tuple):
        return built  # a question for the user first; nothing was written
    body, said = built
    target = body["target"]
    summary = (f"Set custom fields of {target['objectType']} {target['objectId']}: {'; '.join(said)} "
               f"(time zone {body['timeZone']}).")
    answer = await post(ctx, a, body, routes.CUSTOM_FIELD_VALUES, summary=summary,
                        what="update_custom_field_value")
    if isinstance(answer, dict) and answer.get("awaitingUserConfirmation"):
        return answer
    return reported(ctx, answer, _fields_report(said), "update_custom_field_value")


_OBJECT = {"type": "object", "description": "{object_id, object_type}."}
TOOLS = (
    Tool(
        name="update_cde_associations",
        title="Mark critical data elements",
        description=(
            
            
            
            'Mark assets as critical data elements (action Yes), unmark (No) or clear (None), with '
            'cde_category and cde_justification; targets: up to 100 {object_id, object_type}. Blocked '
            'or unchanged targets are reported. dry_run validates only. Preview first; only after the '
            "user approves, confirm with write_confirmed_by_user=true and the preview's "
            'confirmation_token.'
        
        
        
        ),
        input_schema=closed(
            {
                "targets": {
                    "type": "array",
                    "items": _OBJECT,
                    "minItems": 1,
                    "maxItems": TARGETS_MAX,
                    "description": "Objects.",
                },
                "action": string("Yes, No or None.", enum=list(CDE_ACTIONS)),
                "cde_category": string("CDE category."),
                "cde_justification": string("Justification.", maxLength=5000),
                **UPDATE_OPTIONS,
                **CONFIRMATION,
            },
            required=("targets", "action"),
        ),
        handler=update_cde_associations,
        subject=("targets", "action"),
        effect=Effect.ASSOCIATE,
    ),
    Tool(
        name="update_governance_roles",
        title="Assign governance roles",
        description=(
            
            
            
            "Set an asset's owner, steward, custodian or governance_role_4/5/6 (role_updates: role -> "
            'user; a role cannot be cleared). DQ rules (dqrule, from dq_rule_advisor lookup) have a '
            'steward only. '
            'Roles propagated from a glossary term may be blocked. dry_run validates only. Preview '
            'first; only after the user approves, confirm with write_confirmed_by_user=true and the '
            "preview's confirmation_token."
        
        
        
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("objectType (dqrule...)."),
                "role_updates": {
                    "type": "object",
                    "description": "role -> user.",
                    "additionalProperties": {"type": ["string", "null"]},
                },
                **UPDATE_OPTIONS,
                **CONFIRMATION,
            },
            required=("object_id", "object_type", "role_updates"),
        ),
        handler=update_governance_roles,
        subject=("object_type", "object_id", "role_updates"),
        effect=Effect.UPDATE,
    ),
    Tool(
        name="update_custom_field_value",
        title="Update custom field",
        description=(
            
            
            
            "Set an asset's custom fields: field_updates [{field_name or field_key, value}]; code "
            'fields take option names (a list, or "a, b and c"); a multi-select already holding values '
            'needs code_update_mode replace_all, add or remove (asked). time_zone '
            "defaults to this machine's. dry_run validates only. Preview first; only after the user "
            "approves, confirm with write_confirmed_by_user=true and the preview's "
            'confirmation_token.'
        
        
        
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("Its objectType."),
                "field_updates": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "object"},
                    "description": "[{field_name or field_key, value}].",
                },
                "code_update_mode": string(
                    "For multi-selects.", enum=list(CODE_MODES)
                ),
                "time_zone": string("IANA zone."),
                "fail_on_blocked_field": boolean("All or nothing."),
                **UPDATE_OPTIONS,
                **CONFIRMATION,
            },
            required=("object_id", "object_type", "field_updates"),
        ),
        handler=update_custom_field_value,
        effect=Effect.UPDATE,
    ),
)
