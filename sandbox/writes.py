"""`POST /api/v1/mcp/update-asset-descriptions`: validate, apply unless dryRun, report per field."""

from __future__ import annotations

from typing import Any

from sandbox.catalog import ASSET_TYPES, DESCRIPTION_FIELDS, Catalog
from sandbox.governed import (
    IdempotencyStore,
    applied_once,
    governed_by_term,
    object_ref,
    write_options,
    write_status,
)
from sandbox.wire import Answer, BadRequest, not_found

_CATALOG_SLOTS = ("businessDescription", "technicalDescription")
SLOTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((*ASSET_TYPES, "code"), _CATALOG_SLOTS),
    "glossary": ("businessDescription", "detailedDescription"),
    "dp_product": ("businessDescription", "detailedDescription"),
    "oeglobaldomain": ("domainDescription",),
    "dp_domain": ("domainDescription",),
    "oetag": ("tagDescription",),
    "mastertag": ("masterTagDescription",),
}


def _descriptions(body: dict[str, Any]) -> dict[str, str]:
    descriptions = body.get("descriptions")
    if not isinstance(descriptions, dict) or not descriptions:
        raise BadRequest("descriptions must be a non-empty object")
    generic = {"description", "descriptionField"} & descriptions.keys()
    if generic:
        if generic != {"description", "descriptionField"} or len(descriptions) != 2:
            raise BadRequest(
                "Use description together with descriptionField, and no typed description fields"
            )
        field = descriptions["descriptionField"]
        if field not in DESCRIPTION_FIELDS:
            raise BadRequest(f"descriptionField must be one of {list(DESCRIPTION_FIELDS)}")
        descriptions = {field: descriptions["description"]}
    unknown = sorted(set(descriptions) - set(DESCRIPTION_FIELDS))
    if unknown:
        raise BadRequest(f"Unknown description fields: {unknown}")
    for name, value in descriptions.items():
        if not isinstance(value, str):
            raise BadRequest(f"descriptions.{name} must be a string")
    return descriptions


def _blocked_reason(
    catalog: Catalog, doc: dict[str, Any], field: str, allowed: tuple[str, ...]
) -> dict[str, str] | None:
    if field not in allowed:
        return {
            "field": field,
            "code": "FIELD_NOT_SUPPORTED",
            "message": f"{field} does not apply to objectType {doc['objectType']}; "
            f"use one of {list(allowed)}",
        }
    governed = field == "businessDescription" and governed_by_term(catalog, doc, "business description")
    return {"field": field, **governed} if governed else None


def update_asset_descriptions(
    catalog: Catalog, body: Any, idempotency: IdempotencyStore, link_base: str
) -> Answer:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    object_id, object_type = object_ref(body.get("target"), "target", SLOTS_BY_TYPE)
    descriptions = _descriptions(body)
    options = write_options(body, ("dryRun", "failOnBlockedField"))

    def apply() -> Answer:
        doc = catalog.get(object_id, object_type)
        if doc is None:
            return not_found()
        allowed = SLOTS_BY_TYPE[object_type]
        requested = list(descriptions)
        reasons = [r for f in requested if (r := _blocked_reason(catalog, doc, f, allowed))]
        blocked = [r["field"] for r in reasons]
        writable = [f for f in requested if f not in blocked]
        if blocked and options.fail_on_blocked_field:
            writable = []
        previous = {f: doc.get(f) for f in writable}
        # a slot that already holds the text is requested but not updated (the reference reads
        # that as "no changes": server/tools/catalog/helpers.py @7c634658)
        changed = [f for f in writable if previous[f] != descriptions[f]]
        if not options.dry_run:
            for field in changed:
                doc[field] = descriptions[field]
        status = write_status(len(changed), len(blocked))
        data: dict[str, Any] = {
            "status": status,
            "target": {
                "objectId": object_id,
                "objectType": object_type,
                "objectName": doc["objectName"],
                "redirectUrl": f"{link_base}/{doc['navLink']}",
            },
            "updatedFields": [] if options.dry_run else changed,
            "requestedFields": requested,
            "blockedFields": blocked,
            "blockedReasons": reasons,
            "dryRun": options.dry_run,
        }
        if options.dry_run:
            data["wouldUpdateFields"] = changed
            data["preview"] = {
                f: {"current": previous[f], "proposed": descriptions[f]} for f in changed
            }
        return 200, {"ok": True, "data": data}

    return applied_once(idempotency, "update-asset-descriptions", body, options, apply)
