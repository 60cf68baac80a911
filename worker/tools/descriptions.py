"""The governed write of an asset's description slots: `update_asset_descriptions`.

Same route and body in every OvalEdge generation. The slot rules (which object type takes
which slots) are checked here, before the gate, so a preview is always of a body OvalEdge takes.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import InvalidArguments
from worker.gate import governed_write
from worker.registry import Effect, Tool, ToolContext
from worker.schema import boolean, closed, string
from worker.tools.common import OBJECT_ID

DESCRIPTION_SLOTS = (
    "business_description", "technical_description", "detailed_description",
    "domain_description", "tag_description", "master_tag_description",
)
_CATALOG_SLOT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "oechart", "chartchild", "oeapi",
    "oeapicolumn", "oequery", "code",
)
SLOTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{t: ("business_description", "technical_description") for t in _CATALOG_SLOT_TYPES},
    **{t: ("business_description", "detailed_description")
       for t in ("glossary", "businessglossary", "dp_product")},
    "oeglobaldomain": ("domain_description",),
    "dp_domain": ("domain_description",),
    "oetag": ("tag_description",),
    "mastertag": ("master_tag_description",),
}
# Object types the write endpoint spells differently.
WRITE_TYPE_ALIASES = {"filecolumn": "oefilecolumn", "oecode": "code", "businessglossary": "glossary"}
WRITE_OBJECT_TYPES = tuple(sorted({*SLOTS_BY_TYPE, *WRITE_TYPE_ALIASES}))


def _camel(slot: str) -> str:
    head, *rest = slot.split("_")
    return head + "".join(part.title() for part in rest)


def description_write_body(a: dict[str, Any]) -> dict[str, Any]:
    """The exact POST body for update-asset-descriptions, or InvalidArguments."""
    object_type = a["object_type"]
    wire_type = WRITE_TYPE_ALIASES.get(object_type, object_type)
    allowed = SLOTS_BY_TYPE.get(object_type) or SLOTS_BY_TYPE.get(wire_type, ())
    typed = {slot: a[slot] for slot in DESCRIPTION_SLOTS if slot in a}
    generic_field, generic_text = a.get("description_field"), a.get("description_text")
    if (generic_field is None) != (generic_text is None):
        raise InvalidArguments("description_field and description_text go together; give both")
    if generic_field and typed:
        raise InvalidArguments(
            "use either description_field+description_text or the typed slots "
            f"({', '.join(typed)}), not both"
        )
    slots = [generic_field] if generic_field else list(typed)
    if not slots:
        raise InvalidArguments(f"no description given; for {object_type} set one of: {', '.join(allowed)}")
    wrong = [slot for slot in slots if slot not in allowed]
    if wrong:
        raise InvalidArguments(
            f"{', '.join(wrong)} is not a slot of {object_type}; allowed: {', '.join(allowed)}"
        )
    if len(allowed) > 1 and len(slots) == 1:
        stated = slots[0].split("_")[0] in (a.get("prompt") or "").lower()
        if not stated:
            raise InvalidArguments(
                f"{object_type} has two slots ({', '.join(allowed)}); ask the user which one "
                f"they mean and pass their words in prompt (it must name '{slots[0].split('_')[0]}')"
            )
    if generic_field:
        descriptions = {"description": generic_text, "descriptionField": _camel(generic_field)}
    else:
        descriptions = {_camel(slot): text for slot, text in typed.items()}
    body: dict[str, Any] = {
        "target": {"objectId": a["object_id"], "objectType": wire_type},
        "descriptions": descriptions,
    }
    options = {
        key: a[arg] for key, arg in (
            ("dryRun", "dry_run"), ("failOnBlockedField", "fail_on_blocked_field"),
            ("idempotencyKey", "idempotency_key"),
        ) if arg in a
    }
    if options:
        body["options"] = options
    context = {key: a[key] for key in ("prompt", "reason") if key in a}
    if context:
        body["clientContext"] = context
    return body


async def update_asset_descriptions(ctx: ToolContext, a: dict[str, Any]) -> Any:
    async def post(body: dict[str, Any]) -> Any:
        return await ctx.api.call(routes.UPDATE_ASSET_DESCRIPTIONS, body=body)

    return await governed_write(a, description_write_body(a), post)


TOOLS = (
    Tool(
        name="update_asset_descriptions",
        title="Update asset descriptions",
        description=(
            "Governed write of an asset's description slots. First call without "
            "write_confirmed_by_user: nothing is written; you get a preview and a "
            "confirmation_token. Show the preview, ask the user, and only after they approve "
            "call again with the same arguments plus write_confirmed_by_user=true and that "
            "token. dry_run=true asks OvalEdge to validate without saving. Slots per type: "
            "catalog assets business/technical; glossary and data products business/detailed; "
            "domains domain; tags tag; master tags master_tag. When a type has two slots and "
            "you set one, name it in prompt (the user's words). Alternatively use "
            "description_field + description_text."
        ),
        input_schema=closed(
            {
                "object_id": OBJECT_ID,
                "object_type": string("Object type.", enum=list(WRITE_OBJECT_TYPES)),
                **{slot: string(f"New {slot.replace('_', ' ')} text.") for slot in DESCRIPTION_SLOTS},
                "description_field": string("Slot for description_text.", enum=list(DESCRIPTION_SLOTS)),
                "description_text": string("Text for description_field."),
                "dry_run": boolean("Validate only; save nothing."),
                "fail_on_blocked_field": boolean("Fail if any slot is blocked."),
                "idempotency_key": string("Key that makes a retried write safe."),
                "prompt": string("The user's request, verbatim."),
                "reason": string("Why the change is made (audit trail)."),
                "write_confirmed_by_user": {
                    "type": "boolean", "default": False,
                    "description": "true only after the user approved the preview.",
                },
                "confirmation_token": string("Token from the preview."),
            },
            required=("object_id", "object_type"),
        ),
        handler=update_asset_descriptions,
        effect=Effect.UPDATE,
    ),
)
