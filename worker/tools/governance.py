"""Governed updates of an asset's governance metadata: critical-data-element flags, governance
roles and custom-field values. Each goes through the one gate (`worker/gate.py`): a preview,
then the write only with the user's confirmation and the preview's token. Current OvalEdge only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION, UPDATE_OPTIONS, client_context, write_options
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, string
from worker.tools.common import (
    CATALOG_OBJECT_TYPES,
    OBJECT_ID,
    as_list,
    data_of,
    local_timezone,
    md_table,
    named,
    object_ref,
    ok,
    phase,
    valid_timezone,
    written,
)

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
    return [object_ref(target, f"targets[{index}]", CDE_ALIASES, CDE_TYPES, refused)
            for index, target in enumerate(a["targets"])]


def cde_body(a: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"targets": _targets(a), "action": a["action"]}
    if "cde_category" in a:
        body["cdeCategory"] = a["cde_category"]
    if "cde_justification" in a:
        body["cdeJustification"] = a["cde_justification"]
    return {**body, **write_options(a), **client_context(a)}


def _cde_report(data: dict[str, Any]) -> str:
    results = data.get("results") or []
    summary = data.get("governanceSummary") or {}
    head = (
        f"CDE update {data.get('status', '?')}: {summary.get('updated', 0)} updated, "
        f"{summary.get('blocked', 0)} blocked, {summary.get('noChange', 0)} unchanged."
    )
    return (
        head
        + "\n"
        + md_table(
            ["Object", "Type", "Before", "After", "Note"],
            [
                [
                    named(r),
                    r.get("objectType"),
                    r.get("previousCde"),
                    r.get("updatedCde"),
                    r.get("message")
                    or ("blocked" if r.get("blocked") else "no change" if r.get("noChange") else ""),
                ]
                for r in results
            ],
        )
    )


async def update_cde_associations(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = cde_body(a)
    names = ", ".join(f"{t['objectType']} {t['objectId']}" for t in body["targets"])
    summary = (
        f"Set critical data element = **{a['action']}** on {len(body['targets'])} object(s): {names}"
        + (f" (category {a['cde_category']})" if "cde_category" in a else "")
        + "."
    )
    answer = await ctx.gate.write(
        ctx, a, body, routes.CDE, create=False, summary=summary, what="update_cde_associations"
    )
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = written(answer, ctx.settings.link_base_url)
    return ok(data, formattedResponse=_cde_report(data))


# -- governance roles ---------------------------------------------------------------------------------
ROLES = {
    "owner": "owner",
    "steward": "steward",
    "custodian": "custodian",
    "governance_role_4": "governanceRole4",
    "governance_role_5": "governanceRole5",
    "governance_role_6": "governanceRole6",
}
ROLE_TYPES = (
    *CDE_TYPES,
    "code",
    "glossary",
    "oetag",
    "dp_product",
    "dqrule",
    "dqscheme",
    "dag",
    "policy",
    "oeglobaldomain",
    "processing_activity",
    "ropa_report",
    "category",
    "subcategory",
)
STEWARD_ONLY = ("dqrule", "dqscheme")
ROLE_NOT_ENABLED = "governance role is not enabled"


def roles_body(a: dict[str, Any]) -> dict[str, Any]:
    updates = a["role_updates"]
    if not updates:
        raise InvalidArguments(
            f"role_updates is empty; set one or more of: {', '.join(ROLES)} (a user name, or null to remove)"
        )
    unknown = sorted(set(updates) - set(ROLES))
    if unknown:
        raise InvalidArguments(f"unknown role(s) {', '.join(unknown)}; allowed: {', '.join(ROLES)}")
    if a["object_type"] in STEWARD_ONLY and set(updates) != {"steward"}:
        raise InvalidArguments(f'{a["object_type"]} has a steward only; set role_updates={{"steward": ...}}')
    for role, user in updates.items():
        if user is not None and (not isinstance(user, str) or not user.strip()):
            raise InvalidArguments(f"role_updates.{role} takes a user name, or null to remove the role")
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": a["object_type"]},
        "roleUpdates": {
            ROLES[role]: (user.strip() if isinstance(user, str) else None) for role, user in updates.items()
        },
    }
    return {**body, **write_options(a), **client_context(a)}


def _roles_report(data: dict[str, Any]) -> str:
    current, previous = data.get("current") or {}, data.get("previous") or {}
    rows = [[role, previous.get(role), current.get(role), ""] for role in data.get("updatedRoles") or []]
    rows += [
        [
            b.get("role"),
            previous.get(b.get("role")),
            previous.get(b.get("role")),
            f"blocked: {b.get('message')}",
        ]
        for b in data.get("blockedRoles") or []
    ]
    head = f"Governance roles of {named(data.get('target') or {})}: {data.get('status', '?')}."
    return head + ("\n" + md_table(["Role", "Before", "After", "Note"], rows) if rows else "")


async def update_governance_roles(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = roles_body(a)
    changes = ", ".join(f"{role} -> {user or '(removed)'}" for role, user in body["roleUpdates"].items())
    summary = f"Change the governance roles of {a['object_type']} {a['object_id']}: {changes}."
    try:
        answer = await ctx.gate.write(
            ctx, a, body, routes.ROLES, create=False, summary=summary, what="update_governance_roles"
        )
    except OvalEdgeError as exc:
        if ROLE_NOT_ENABLED in exc.message.lower():
            raise InvalidArguments(
                f"{exc.message} Only the roles enabled in this OvalEdge can be set; ask "
                "its administrator, or leave that role out.",
                reason_code="GOVERNANCE_ROLE_NOT_ENABLED",
            ) from None
        raise
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = written(answer, ctx.settings.link_base_url)
    return ok(data, formattedResponse=_roles_report(data))


# -- custom fields ------------------------------------------------------------------------------------
FIELD_TYPES = (
    "oeschema",
    "oetable",
    "oecolumn",
    "oefile",
    "oefilecolumn",
    "oechart",
    "chartchild",
    "apiobject",
    "apicolumn",
    "oequery",
    "glossary",
    "oetag",
    "dqrule",
    "dp_product",
    "code",
)
CODE_MODES = ("replace_all", "add", "remove")


def _field(definitions: list[dict[str, Any]], update: dict[str, Any], index: int) -> dict[str, Any]:
    wanted = update.get("field_key") or update.get("field_name")
    if not isinstance(wanted, str) or not wanted.strip():
        raise InvalidArguments(f"field_updates[{index}] needs field_name or field_key")
    folded = wanted.strip().casefold()
    for field in definitions:
        if folded in (str(field.get("fieldKey", "")).casefold(), str(field.get("fieldName", "")).casefold()):
            return field
    names = ", ".join(f"{f.get('fieldName')} ({f.get('fieldType')})" for f in definitions) or "none"
    raise InvalidArguments(
        f"field_updates[{index}]: no custom field {wanted!r} on this object; its fields: {names}"
    )


def _codes(field: dict[str, Any], value: Any) -> list[str]:
    """Option codes for a code field's value: codes or labels, a list or 'A, B'."""
    options = field.get("options") or []
    by_name = {}
    for option in options:
        by_name[str(option.get("code", "")).casefold()] = option["code"]
        by_name[str(option.get("label", "")).casefold()] = option["code"]
    items = value if isinstance(value, list) else str(value).split(",")
    codes = []
    for item in (str(v).strip() for v in items):
        if not item:
            continue
        code = by_name.get(item.casefold())
        if code is None:
            allowed = ", ".join(f"{o.get('label')} ({o.get('code')})" for o in options)
            raise InvalidArguments(f"{field.get('fieldName')}: {item!r} is not one of its options: {allowed}")
        if code not in codes:
            codes.append(code)
    return codes


def _converted(field: dict[str, Any], value: Any, mode: str | None) -> Any:
    kind, name = field.get("fieldType"), field.get("fieldName")
    if kind == "NUMBER":
        try:
            return float(value) if "." in str(value) else int(str(value))
        except ValueError:
            raise InvalidArguments(f"{name} takes a number, got {value!r}") from None
    if kind == "DATE":
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise InvalidArguments(f"{name} takes a date (YYYY-MM-DD), got {value!r}") from None
    if kind == "CODE":
        codes = _codes(field, value)
        if len(codes) != 1:
            raise InvalidArguments(f"{name} takes exactly one option, got {len(codes)}")
        return codes[0]
    if kind == "MULTI_CODE":
        codes = _codes(field, value)
        current = [c for c in as_list(field.get("currentValue")) if c]
        if mode == "add":
            return current + [c for c in codes if c not in current]
        if mode == "remove":
            return [c for c in current if c not in codes]
        return codes
    return str(value)


def _needs_mode(field: dict[str, Any], mode: str | None) -> bool:
    return (
        field.get("fieldType") == "MULTI_CODE" and mode is None and bool(as_list(field.get("currentValue")))
    )


async def custom_field_body(
    ctx: ToolContext, a: dict[str, Any]
) -> dict[str, Any] | tuple[str, dict[str, Any]]:
    """The exact POST body, from the field definitions OvalEdge gives for this object."""
    answer = await ctx.api.ask(
        routes.CUSTOM_FIELD_DEFINITIONS,
        {"objectType": a["object_type"], "objectId": a["object_id"]},
        what="update_custom_field_value",
    )
    definitions = data_of(answer).get("fields") or []
    mode = a.get("code_update_mode")
    updates = []
    for index, update in enumerate(a["field_updates"]):
        field = _field(definitions, update, index)
        if "value" not in update:
            raise InvalidArguments(f"field_updates[{index}] ({field.get('fieldName')}) needs a value")
        if _needs_mode(field, mode):
            return "choose_code_update_mode", field
        updates.append({"fieldKey": field["fieldKey"], "value": _converted(field, update["value"], mode)})
    zone = a.get("time_zone") or ctx.settings.ovaledge_client_timezone or local_timezone()
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": a["object_type"]},
        "fieldUpdates": updates,
        "timeZone": valid_timezone(zone),
    }
    return {**body, **write_options(a, fail_on_blocked=True), **client_context(a)}


async def update_custom_field_value(ctx: ToolContext, a: dict[str, Any]) -> Any:
    built = await custom_field_body(ctx, a)
    if isinstance(built, tuple):
        _, field = built
        current = ", ".join(map(str, as_list(field.get("currentValue"))))
        text = (
            f"**{field.get('fieldName')}** already holds: {current}. Should the new values replace them "
            "(replace_all), be added to them (add), or be taken out of them (remove)?"
        )
        return phase(
            "choose_code_update_mode",
            selection_field="code_update_mode",
            options=list(CODE_MODES),
            formatted=text,
            instruction="Ask the user which, then call again with code_update_mode.",
        )
    body = built
    changes = ", ".join(f"{u['fieldKey']} = {u['value']}" for u in body["fieldUpdates"])
    summary = (
        f"Set custom fields of {a['object_type']} {a['object_id']}: {changes} (time zone {body['timeZone']})."
    )
    answer = await ctx.gate.write(
        ctx,
        a,
        body,
        routes.CUSTOM_FIELD_VALUES,
        create=False,
        summary=summary,
        what="update_custom_field_value",
    )
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = written(answer, ctx.settings.link_base_url)
    blocked = data.get("blockedFields") or []
    text = (
        f"Custom fields of {named(data.get('target') or {})}: {data.get('status', '?')}; "
        f"updated {', '.join(data.get('updatedFields') or []) or 'none'}"
        + (f"; blocked {', '.join(blocked)}" if blocked else "")
        + "."
    )
    return ok(data, formattedResponse=text)


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
            'user, null removes). DQ rules (dqrule, from dq_rule_advisor lookup) have a steward only. '
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
                    "description": "role -> user, or null.",
                    "additionalProperties": {"type": ["string", "null"]},
                },
                **UPDATE_OPTIONS,
                **CONFIRMATION,
            },
            required=("object_id", "object_type", "role_updates"),
        ),
        handler=update_governance_roles,
        subject=("object_type", "object_id", "role_updates"),
        choices={"object_type": ROLE_TYPES},
        effect=Effect.UPDATE,
    ),
    Tool(
        name="update_custom_field_value",
        title="Update custom field",
        description=(
            
            
            
            "Set an asset's custom fields: field_updates [{field_name or field_key, value}], checked "
            'against the field: numbers, dates, code options by label or code; a multi-select already '
            'holding values needs code_update_mode replace_all, add or remove (asked). time_zone '
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
        choices={"object_type": FIELD_TYPES},
        effect=Effect.UPDATE,
    ),
)
