"""Custom fields: `GET custom-fields` (an object's fields, their options and current values) and
`POST update-custom-field-values` (a governed update), in OvalEdge's shapes (docs/wire.md).

GET takes `objectId`, `objectType` and optionally `fieldName` (a field's name or key, any case:
only that field is listed). Each field: `fieldName`, `fieldKey`, `type` ("text", "code",
"numeric", "date"), `allowMultiple`, `currentValue` (one string: a multi-select's option names
joined by ", "; "" when unset) and, for code fields, `options` [{name, codeId}].

POST `fieldUpdates` items name a field by `fieldName` and/or `fieldKey` and give its `value` as a
string, always: a code field takes an option name, a multi-select its whole new set as
"name,name" (the client merges add/remove with the current value). "" clears a field, except a
required one. A locked field is blocked, the rest applied (`failOnBlockedField`: nothing
applied). A dry run answers as the real update would, changing nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox import sample_governance as sg
from sandbox.catalog import ASSET_TYPES, Catalog
from sandbox.governed import (
    AuditLog,
    IdempotencyStore,
    applied_once,
    linked_target,
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
    checked_type,
    not_found,
    ok,
    required_int,
    text,
)

# the object types that may have custom fields (apiobject/apicolumn: the API's names for the
# API types), and the aliases the reference sends
FIELD_TYPES = (*ASSET_TYPES, "glossary", "oetag", "dqrule", "dp_product", "code")
FIELD_TYPE_ALIASES = {"apiobject": "oeapi", "apicolumn": "oeapicolumn"}
UPDATE_KEYS = ("target", "fieldUpdates", "timeZone", "options", "clientContext")
ITEM_KEYS = ("fieldName", "fieldKey", "value")
Definition = dict[str, Any]


def fields_of(kind: str) -> dict[str, Definition]:
    """fieldKey -> definition, for the fields an object type has."""
    return {f["fieldKey"]: f for f in sg.CUSTOM_FIELDS if kind in f["objectTypes"]}


def _kind(raw: str) -> str:
    raw = raw.strip().lower()
    allowed = (*FIELD_TYPES, "filecolumn", "businessglossary", "oecode")
    return checked_type(FIELD_TYPE_ALIASES.get(raw, raw), allowed)


def _names(definition: Definition) -> dict[str, str]:
    """lower-cased option name -> option name."""
    return {name.lower(): name for _, name in definition.get("options", [])}


def current_value(doc: dict[str, Any], definition: Definition) -> Any:
    """The field's value on the object as its document keeps it (None: not set)."""
    return doc.get("customFields", {}).get(definition["fieldName"])


def _as_string(value: Any) -> str:
    """A stored value as GET custom-fields gives it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown(definition: Definition) -> dict[str, Any]:
    field = {
        "fieldName": definition["fieldName"],
        "fieldKey": definition["fieldKey"],
        "type": definition["type"],
        "allowMultiple": bool(definition.get("allowMultiple")),
        "options": [{"name": name, "codeId": code_id} for code_id, name in definition.get("options", [])],
    }
    return field


def _option(definition: Definition, name: str) -> str:
    found = _names(definition).get(name.strip().lower())
    if found is None:
        allowed = [n for _, n in definition["options"]]
        raise BadRequest(
            f"{definition['fieldName']}: {name.strip()!r} is not an option; expected one of {allowed}")
    return found


def _checked_value(definition: Definition, value: Any) -> Any:
    """The value a field update gives, checked against the field (None: clear it)."""
    name, kind = definition["fieldName"], definition["type"]
    if not isinstance(value, str):
        raise BadRequest(f"{name}: value must be a string, got {type(value).__name__} {value!r}")
    value = value.strip()
    if not value:
        if definition.get("required"):
            raise BadRequest(f"{name} is required and cannot be cleared")
        return None
    if kind == "numeric":
        try:
            number = float(value)
        except ValueError:
            raise BadRequest(f"{name} is a numeric field; {value!r} is not a number") from None
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "date":
        try:
            day = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
            return day.isoformat()
        except ValueError:
            raise BadRequest(f"{name} is a date field; give YYYY-MM-DD, not {value!r}") from None
    if kind == "code":
        parts = [p for p in value.split(",") if p.strip()]
        if not definition.get("allowMultiple"):
            if len(parts) != 1:
                raise BadRequest(f"{name} takes one option, got {value!r}")
            return _option(definition, parts[0])
        return list(dict.fromkeys(_option(definition, p) for p in parts))
    return value


def _field_updates(raw: Any, kind: str) -> list[tuple[str, str, Any]]:
    """fieldUpdates checked: (fieldKey, how the request named it, value or None to clear)."""
    if not isinstance(raw, list) or not raw:
        raise BadRequest("fieldUpdates must be a non-empty list of {fieldName or fieldKey, value}")
    known = fields_of(kind)
    by_name = {d["fieldName"].lower(): key for key, d in known.items()}
    by_key = {key.lower(): key for key in known}
    updates: list[tuple[str, str, Any]] = []
    for n, update in enumerate(raw):
        item = body_object(update, f"fieldUpdates[{n}]", ITEM_KEYS)
        if "value" not in update:
            raise BadRequest(f"fieldUpdates[{n}] needs a value")
        named, keyed = item.get("fieldName"), item.get("fieldKey")
        if not isinstance(named, str | None) or not isinstance(keyed, str | None) or not (named or keyed):
            raise BadRequest(f"fieldUpdates[{n}] needs fieldName or fieldKey (strings)")
        from_name = by_name.get(named.strip().lower()) if named else None
        from_key = by_key.get(keyed.strip().lower()) if keyed else None
        if (named and from_name is None) or (keyed and from_key is None):
            raise BadRequest(
                f"Unknown custom field {named or keyed!r} for objectType {kind}; expected one of "
                f"{[d['fieldName'] for d in known.values()]}")
        if from_name and from_key and from_name != from_key:
            raise BadRequest(
                f"fieldUpdates[{n}]: fieldName {named!r} and fieldKey {keyed!r} name different fields")
        key = from_key or from_name
        if key in {k for k, _, _ in updates}:
            raise BadRequest(f"Custom field {known[key]['fieldName']!r} is given twice")
        updates.append((key, named or keyed, _checked_value(known[key], update["value"])))
    return updates


def _time_zone(body: dict[str, Any]) -> str | None:
    zone = body.get("timeZone")
    if zone is None:
        return None  # the reference sends it only when it can resolve one
    try:
        ZoneInfo(zone)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        raise BadRequest(f"timeZone must be an IANA time zone such as Europe/Paris, got {zone!r}") from None
    return zone


def custom_fields(catalog: Catalog, params: Params) -> Answer:
    object_id = required_int(params, "objectId")
    raw_kind = text(params, "objectType")
    if raw_kind is None:
        raise BadRequest("objectType is required")
    kind = _kind(raw_kind)
    doc = catalog.get(object_id, kind)
    if doc is None:
        return not_found()
    wanted = (text(params, "fieldName") or "").lower()
    fields = [
        {**_shown(definition), "currentValue": _as_string(current_value(doc, definition))}
        for definition in fields_of(kind).values()
        if not wanted or wanted in (definition["fieldName"].lower(), definition["fieldKey"].lower())
    ]
    return ok({"fields": fields})


def update_custom_field_values(
    catalog: Catalog, raw: Any, idempotency: IdempotencyStore, audit: AuditLog, link_base: str
) -> Answer:
    body = body_object(raw, "The request body", UPDATE_KEYS)
    object_id, kind = object_ref(body.get("target"), "target", (*FIELD_TYPES, *FIELD_TYPE_ALIASES))
    kind = FIELD_TYPE_ALIASES.get(kind, kind)
    updates = _field_updates(body.get("fieldUpdates"), kind)
    _time_zone(body)
    options = write_options(body, ("dryRun", "failOnBlockedField"))
    definitions = fields_of(kind)

    def apply() -> Answer:
        doc = catalog.get(object_id, kind)
        if doc is None:
            return not_found()
        requested = [said for _, said, _ in updates]
        reasons = [
            {"field": said, "code": "FIELD_LOCKED", "message": definitions[key]["locked"]}
            for key, said, _ in updates
            if "locked" in definitions[key]
        ]
        blocked = [r["field"] for r in reasons]
        writable = [u for u in updates if u[1] not in blocked]
        if blocked and options.fail_on_blocked_field:
            writable = []
        previous = {key: current_value(doc, definitions[key]) for key, _, _ in updates}
        changed = [(key, said, value) for key, said, value in writable if previous[key] != value]
        references = []
        if changed and not options.dry_run:
            shown = doc.setdefault("customFields", {})
            for key, _, value in changed:
                name = definitions[key]["fieldName"]
                if value is None:
                    shown.pop(name, None)
                else:
                    shown[name] = value
            changes = {key: {"from": previous[key], "to": value} for key, _, value in changed}
            references.append(
                audit.record("update-custom-field-values", target_of(doc), changes, options.client_context))
        return ok(
            {
                "status": write_status(len(changed), len(blocked)),
                "target": linked_target(target_of(doc), link_base),
                "updatedFields": [] if options.dry_run else [said for _, said, _ in changed],
                "requestedFields": requested,
                "blockedFields": blocked,
                "blockedReasons": reasons,
                "audit": {"source": "OE-MCP", "auditReferenceIds": references},
                "dryRun": options.dry_run,
                **({"wouldUpdateFields": [said for _, said, _ in changed]} if options.dry_run else {}),
            }
        )

    return applied_once(idempotency, "update-custom-field-values", body, options, apply)
