"""`POST /api/v1/mcp/update-asset-descriptions`: validate, apply unless dryRun, report per field."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sandbox.catalog import DESCRIPTION_FIELDS, Catalog, canonical_type
from sandbox.wire import Answer, BadRequest, not_found

_CATALOG_SLOTS = ("businessDescription", "technicalDescription")
SLOTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{
        t: _CATALOG_SLOTS
        for t in (
            "oeschema oetable oecolumn oefile oefilecolumn oechart chartchild oeapi oeapicolumn "
            "oequery code".split()
        )
    },
    "glossary": ("businessDescription", "detailedDescription"),
    "dp_product": ("businessDescription", "detailedDescription"),
    "oeglobaldomain": ("domainDescription",),
    "dp_domain": ("domainDescription",),
    "oetag": ("tagDescription",),
    "mastertag": ("masterTagDescription",),
}


class IdempotencyStore:
    """idempotencyKey -> (request digest, answer) of applied (non-dry-run) writes."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[str, Answer]] = {}

    def lookup(self, key: str, digest: str) -> Answer | None:
        seen = self._answers.get(key)
        if seen is None:
            return None
        if seen[0] != digest:
            return 409, {
                "ok": False,
                "message": "idempotencyKey was already used for a different request",
            }
        status, body = seen[1]
        return status, {**body, "data": {**body["data"], "idempotentReplay": True}}

    def remember(self, key: str, digest: str, answer: Answer) -> None:
        self._answers[key] = (digest, answer)


def _target(body: dict[str, Any]) -> tuple[int, str]:
    target = body.get("target")
    if not isinstance(target, dict):
        raise BadRequest("target must be an object with objectId and objectType")
    object_id = target.get("objectId")
    if isinstance(object_id, str) and object_id.strip().isdigit():
        object_id = int(object_id)
    if not isinstance(object_id, int) or isinstance(object_id, bool) or object_id < 1:
        raise BadRequest("target.objectId must be a positive integer")
    object_type = target.get("objectType")
    if not isinstance(object_type, str) or not object_type.strip():
        raise BadRequest("target.objectType is required")
    object_type = object_type.strip().lower()
    object_type = canonical_type(object_type)
    if object_type not in SLOTS_BY_TYPE:
        raise BadRequest(f"Descriptions of objectType {object_type!r} cannot be updated")
    return object_id, object_type


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


def _options(body: dict[str, Any]) -> dict[str, Any]:
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise BadRequest("options must be an object")
    for flag in ("dryRun", "failOnBlockedField"):
        if options.get(flag) is not None and not isinstance(options[flag], bool):
            raise BadRequest(f"options.{flag} must be true or false")
    key = options.get("idempotencyKey")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise BadRequest("options.idempotencyKey must be a non-empty string")
    context = body.get("clientContext")
    if context is not None and not isinstance(context, dict):
        raise BadRequest("clientContext must be an object")
    return options


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
    term_id = catalog.inherited_business.get(doc["objectId"])
    if field == "businessDescription" and term_id is not None:
        term = catalog.objects[term_id]
        return {
            "field": field,
            "code": "GOVERNED_BY_GLOSSARY_TERM",
            "message": f"The business description comes from the published glossary term "
            f"'{term['objectName']}' (id {term_id}); change the term instead",
        }
    return None


def update_asset_descriptions(
    catalog: Catalog, body: Any, idempotency: IdempotencyStore, link_base: str
) -> Answer:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    object_id, object_type = _target(body)
    descriptions = _descriptions(body)
    options = _options(body)
    dry_run = bool(options.get("dryRun"))
    key = options.get("idempotencyKey")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    if key and not dry_run:
        replay = idempotency.lookup(key, digest)
        if replay is not None:
            return replay

    doc = catalog.get(object_id, object_type)
    if doc is None:
        return not_found()
    allowed = SLOTS_BY_TYPE[object_type]
    requested = list(descriptions)
    reasons = [r for f in requested if (r := _blocked_reason(catalog, doc, f, allowed))]
    blocked = [r["field"] for r in reasons]
    writable = [f for f in requested if f not in blocked]
    if blocked and options.get("failOnBlockedField"):
        writable = []
    previous = {f: doc.get(f) for f in writable}
    if not dry_run:
        for field in writable:
            doc[field] = descriptions[field]
    status = "success" if not blocked else ("partial_success" if writable else "blocked")
    data: dict[str, Any] = {
        "status": status,
        "target": {
            "objectId": object_id,
            "objectType": object_type,
            "objectName": doc["objectName"],
            "redirectUrl": f"{link_base}/{doc['navLink']}",
        },
        "updatedFields": [] if dry_run else writable,
        "requestedFields": requested,
        "blockedFields": blocked,
        "blockedReasons": reasons,
        "dryRun": dry_run,
    }
    if dry_run:
        data["wouldUpdateFields"] = writable
        data["preview"] = {
            f: {"current": previous[f], "proposed": descriptions[f]} for f in writable
        }
    answer: Answer = (200, {"ok": True, "data": data})
    if key and not dry_run:
        idempotency.remember(key, digest, answer)
    return answer
