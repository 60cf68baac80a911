"""The governed write of an asset's description slots: `update_asset_descriptions`.

Same route and body in every OvalEdge generation. The slot rules (which object type takes
which slots) are checked here, before the gate, so a preview is always of a body OvalEdge takes.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.gate import CONFIRMATION, UPDATE_OPTIONS, client_context, write_options
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, string
from worker.tools.common import CATALOG_OBJECT_TYPES, OBJECT_ID, camel, named
from worker.tools.updates import object_type_of, post, reasons, reported, strings

DESCRIPTION_SLOTS = (
    "business_description",
    "technical_description",
    "detailed_description",
    "domain_description",
    "tag_description",
    "master_tag_description",
)
_CATALOG_SLOT_TYPES = (*CATALOG_OBJECT_TYPES, "code")
SLOTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{t: ("business_description", "technical_description") for t in _CATALOG_SLOT_TYPES},
    **{
        t: ("business_description", "detailed_description")
        for t in ("glossary", "businessglossary", "dp_product")
    },
    "oeglobaldomain": ("domain_description",),
    "dp_domain": ("domain_description",),
    "oetag": ("tag_description",),
    "mastertag": ("master_tag_description",),
}
# Object types the write endpoint spells differently.
WRITE_TYPE_ALIASES = {"filecolumn": "oefilecolumn", "oecode": "code", "businessglossary": "glossary"}
WRITE_OBJECT_TYPES = tuple(sorted({*SLOTS_BY_TYPE, *WRITE_TYPE_ALIASES}))


def description_write_body(a: dict[str, Any]) -> dict[str, Any]:
    """The exact POST body for update-asset-descriptions, or InvalidArguments."""
    object_type = object_type_of(a["object_type"], WRITE_OBJECT_TYPES, dashes=True)
    wire_type = WRITE_TYPE_ALIASES.get(object_type, object_type)
    allowed = SLOTS_BY_TYPE.get(object_type) or SLOTS_BY_TYPE.get(wire_type, ())
    typed = {slot: a[slot] for slot in DESCRIPTION_SLOTS if slot in a}
    generic_field, generic_text = a.get("description_field"), a.get("description_text")
    if (generic_field is None) != (generic_text is None):
        raise InvalidArguments("description_field and description_text go together; give both")
    if generic_field and typed:
        raise InvalidArguments(
            f"use either description_field+description_text or the typed slots ({', '.join(typed)}), not both"
        )
    slots = [generic_field] if generic_field else list(typed)
    if not slots:
        raise InvalidArguments(f"no description given; for {object_type} set one of: {', '.join(allowed)}")
    wrong = [slot for slot in slots if slot not in allowed]
    if wrong:
        raise InvalidArguments(
            f"{', '.join(wrong)} is not a slot of {object_type}; allowed: {', '.join(allowed)}"
        )
    # The reference asks the user's words only for a typed slot: description_field is the
    # answer to "which slot?" itself (server/tools/catalog/helpers.py @7c634658).
    if len(allowed) > 1 and len(slots) == 1 and not generic_field:
        stated = slots[0].split("_")[0] in (a.get("prompt") or "").lower()
        if not stated:
            raise InvalidArguments(
                f"{object_type} has two slots ({', '.join(allowed)}); ask the user which one "
                f"they mean and pass their words in prompt (it must name '{slots[0].split('_')[0]}')"
            )
    if generic_field:
        descriptions = {"description": generic_text, "descriptionField": camel(generic_field)}
    else:
        descriptions = {camel(slot): text for slot, text in typed.items()}
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": wire_type},
        "descriptions": descriptions,
    }
    return {**body, **write_options(a, fail_on_blocked=True), **client_context(a)}


def _report(data: dict[str, Any]) -> str:
    target = data.get("target") if isinstance(data.get("target"), dict) else {}
    name = named(target)
    updated, requested = strings(data.get("updatedFields")), strings(data.get("requestedFields"))
    blocked = strings(data.get("blockedFields"))
    status = data.get("status")
    if data.get("dryRun"):
        would = strings(data.get("wouldUpdateFields")) or [f for f in requested if f not in blocked]
        head = f"Dry run for {name}: would update {', '.join(would) or 'no field'}"
    elif updated:
        head = f"Updated {', '.join(updated)} of {name}"
    elif requested and not blocked:
        head = f"No change to {name}: {', '.join(requested)} already held this text"
    else:
        head = f"Nothing updated on {name}"
    lines = [head + (f" (status {status})." if status else ".")]
    if blocked:
        lines.append(f"Blocked: {', '.join(blocked)}")
    lines += [f"- {line}" for line in reasons(data.get("blockedReasons"))]
    return "\n".join(lines)


async def update_asset_descriptions(ctx: ToolContext, a: dict[str, Any]) -> Any:
    body = description_write_body(a)
    slots = ", ".join(f"{key}: {value}" for key, value in body["descriptions"].items())
    summary = f"Set the descriptions of {body['target']['objectType']} {body['target']['objectId']}: {slots}."
    answer = await post(ctx, a, body, routes.DESCRIPTIONS, summary=summary, what="update_asset_descriptions")
    if isinstance(answer, dict) and answer.get("awaitingUserConfirmation"):
        return answer
    return reported(ctx, answer, _report, "update_asset_descriptions")


TOOLS = (
    Tool(
        name="update_asset_descriptions",
        title="Update asset descriptions",
        description=(
            
            
            
            "Update an asset's description slots: catalog assets business/technical, glossary and "
            'data products business/detailed, domains domain, tags tag, master tags master_tag. '
            "Setting one slot of a two-slot type: name it in prompt (the user's words). Or "
            'description_field + description_text. dry_run validates only. Preview first; only after '
            "the user approves, confirm with write_confirmed_by_user=true and the preview's "
            'confirmation_token.'
        
        
        
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("objectType."),
                **{slot: string("New text.") for slot in DESCRIPTION_SLOTS},
                "description_field": string("Slot for description_text.", enum=list(DESCRIPTION_SLOTS)),
                "description_text": string("Text for description_field."),
                "fail_on_blocked_field": boolean("Fail if any slot is blocked."),
                **UPDATE_OPTIONS,
                **CONFIRMATION,
            },
            required=("object_id", "object_type"),
        ),
        handler=update_asset_descriptions,
        effect=Effect.UPDATE,
    ),
)
