"""Custom fields: `GET custom-fields` (an object's fields, their options and current values) and
`POST update-custom-field-values` (a governed update).

Both speak option codes; the object's document keeps what asset-details shows, the option labels
(sample_governance.py). A value of null (or "", or [] for a MULTI_CODE field) clears a field,
except a required one. A locked field is blocked, the rest applied (`failOnBlockedField`:
nothing applied). A dry run answers as the real update would, changing nothing.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox import sample_governance as sg
from sandbox.catalog import ASSET_TYPES, Catalog
from sandbox.governed import (
    AuditLog,
    IdempotencyStore,
    applied_once,
    object_ref,
    target_of,
    write_options,
    write_status,
)
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    body_object,
    iso_date,
    not_found,
    object_type,
    ok,
    required_int,
)

FIELD_TYPES = (*ASSET_TYPES, "glossary", "oetag")  # the object types that may have custom fields
UPDATE_KEYS = ("target", "fieldUpdates", "timeZone", "options", "clientContext")
Definition = dict[str, Any]


def fields_of(kind: str) -> dict[str, Definition]:
    """fieldKey -> definition, for the fields an object type has."""
    return {f["fieldKey"]: f for f in sg.CUSTOM_FIELDS if kind in f["objectTypes"]}


def _codes(definition: Definition) -> dict[str, str]:
    return dict(definition.get("options", []))  # code -> label


def current_value(doc: dict[str, Any], definition: Definition) -> Any:
    """The field's value on the object, option codes for code fields (None: not set)."""
    shown = doc.get("customFields", {}).get(definition["fieldName"])
    if shown is None or definition["fieldType"] not in sg.CODE_TYPES:
        return shown
    code_of = {label: code for code, label in definition["options"]}
    return [code_of[label] for label in shown] if isinstance(shown, list) else code_of[shown]


def _as_shown(definition: Definition, value: Any) -> Any:
    """A checked value as the object's document keeps it (labels for code fields)."""
    if value is None or definition["fieldType"] not in sg.CODE_TYPES:
        return value
    labels = _codes(definition)
    return [labels[code] for code in value] if isinstance(value, list) else labels[value]


def _checked_value(definition: Definition, value: Any) -> Any:
    """The value a field update gives, checked against the field's type (None: clear it)."""
    key, kind = definition["fieldKey"], definition["fieldType"]
    if value in (None, "", []):
        if definition.get("required"):
            raise BadRequest(f"{key} ({definition['fieldName']}) is required and cannot be cleared")
        return None
    if kind == "NUMBER":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(f"{key} is a NUMBER field; give a number, not {value!r}")
        return value
    if kind == "MULTI_CODE":
        if not isinstance(value, list):
            raise BadRequest(f"{key} is a MULTI_CODE field; give the full list of option codes")
        return list(dict.fromkeys(_code(definition, v) for v in value))
    if not isinstance(value, str):
        raise BadRequest(f"{key} is a {kind} field; give a string, not {value!r}")
    if kind == "DATE":
        return iso_date(value, key).isoformat()
    return _code(definition, value) if kind == "CODE" else value


def _code(definition: Definition, value: Any) -> str:
    codes = _codes(definition)
    for code in codes:
        if isinstance(value, str) and code.lower() == value.strip().lower():
            return code
    raise BadRequest(
        f"{definition['fieldKey']}: unknown option code {value!r}; expected one of {list(codes)}"
    )


def _field_updates(raw: Any, kind: str) -> dict[str, Any]:
    """fieldUpdates checked: fieldKey -> value (None: clear)."""
    if not isinstance(raw, list) or not raw:
        raise BadRequest("fieldUpdates must be a non-empty list of {fieldKey, value}")
    known = fields_of(kind)
    updates: dict[str, Any] = {}
    for n, update in enumerate(raw):
        if not isinstance(update, dict) or set(update) != {"fieldKey", "value"}:
            raise BadRequest(f"fieldUpdates[{n}] must be an object with fieldKey and value")
        key = update["fieldKey"]
        if key not in known:
            raise BadRequest(f"Unknown fieldKey {key!r} for objectType {kind}; expected one of {list(known)}")
        if key in updates:
            raise BadRequest(f"fieldKey {key!r} is given twice")
        updates[key] = _checked_value(known[key], update["value"])
    return updates


def _time_zone(body: dict[str, Any]) -> str:
    zone = body.get("timeZone")
    try:
        ZoneInfo(zone)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        raise BadRequest(f"timeZone must be an IANA time zone such as Europe/Paris, got {zone!r}") from None
    return zone


def custom_fields(catalog: Catalog, params: Params) -> Answer:
    object_id = required_int(params, "objectId")
    kind = object_type(params, FIELD_TYPES)
    doc = catalog.get(object_id, kind)
    if doc is None:
        return not_found()
    fields = []
    for definition in fields_of(kind).values():
        field = {key: definition[key] for key in ("fieldKey", "fieldName", "fieldType")}
        if "options" in definition:
            field["options"] = [{"code": code, "label": label} for code, label in definition["options"]]
        field |= {
            "required": bool(definition.get("required")),
            "currentValue": current_value(doc, definition),
        }
        fields.append(field)
    return ok({"objectId": object_id, "objectType": kind, "fields": fields})


def update_custom_field_values(
    catalog: Catalog, raw: Any, idempotency: IdempotencyStore, audit: AuditLog
) -> Answer:
    body = body_object(raw, "The request body", UPDATE_KEYS)
    object_id, kind = object_ref(body.get("target"), "target", FIELD_TYPES)
    updates = _field_updates(body.get("fieldUpdates"), kind)
    zone = _time_zone(body)
    options = write_options(body, ("dryRun", "failOnBlockedField"))
    definitions = fields_of(kind)

    def apply() -> Answer:
        doc = catalog.get(object_id, kind)
        if doc is None:
            return not_found()
        reasons = [
            {"field": key, "code": "FIELD_LOCKED", "message": definitions[key]["locked"]}
            for key in updates
            if "locked" in definitions[key]
        ]
        blocked = [r["field"] for r in reasons]
        writable = {} if blocked and options.fail_on_blocked_field else updates
        previous = {key: current_value(doc, definitions[key]) for key in updates}
        changed = {k: v for k, v in writable.items() if k not in blocked and previous[k] != v}
        if changed and not options.dry_run:
            shown = doc.setdefault("customFields", {})
            for key, value in changed.items():
                name = definitions[key]["fieldName"]
                if value is None:
                    shown.pop(name, None)
                else:
                    shown[name] = _as_shown(definitions[key], value)
            changes = {key: {"from": previous[key], "to": value} for key, value in changed.items()}
            audit.record("update-custom-field-values", target_of(doc), changes, options.client_context)
        return ok(
            {
                "status": write_status(len(changed), len(blocked)),
                "target": target_of(doc),
                "updatedFields": list(changed),
                "blockedFields": blocked,
                "blockedReasons": reasons,
                "values": {key: changed.get(key, previous[key]) for key in updates},
                "timeZone": zone,
                "dryRun": options.dry_run,
            }
        )

    return applied_once(idempotency, "update-custom-field-values", body, options, apply)
