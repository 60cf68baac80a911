"""The service desk: `GET service-request-templates` (the published, active template for a
request type and object type), `POST service-requests` (raise a ticket) and `GET
service-requests` (the tickets raised, for tests and the demo).

A ticket's fields are checked against its template: unknown keys, a SELECT value that is no
option, a bad date or an unknown user answer 400, and so does a required field left empty
after the template's defaults (`required_ticket_fields_missing`, naming them). A template made
for one connection takes only that connection's objects. Tickets are raised by the API user,
numbered SR-1001 on, and open.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sandbox import sample_servicedesk as ss
from sandbox.catalog import Catalog
from sandbox.governed import known_user
from sandbox.sample_governance import CURRENT_USER, USERS
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    body_int,
    body_object,
    body_text,
    checked_type,
    choice,
    fresh_id,
    integer,
    iso_date,
    object_type,
    ok,
    text,
)

TICKET_IDS = range(9200, 9300)
FIRST_TICKET_NUMBER = 1001
REQUEST_KEYS = (
    "ticketTemplateId",
    "requestType",
    "objectType",
    "objectIds",
    "summary",
    "description",
    "ticketFields",
    "customFields",
    "connType",
    "connectionName",
    "connectionId",
)
Template = dict[str, Any]


class ServiceDesk:
    def __init__(self) -> None:
        self.templates: dict[int, Template] = {t["id"]: copy.deepcopy(t) for t in ss.TICKET_TEMPLATES}
        self.tickets: list[dict[str, Any]] = []

    @staticmethod
    def usable(template: Template) -> bool:
        return template["status"] == "Published" and template["active"]


def _connections(
    catalog: Catalog, kind: str | None, name: str | None, connection_id: int | None
) -> set[str] | None:
    """The connections the filters name (None: no filter given); a 400 when they name none."""
    if kind is None and name is None and connection_id is None:
        return None
    named = {
        c["connectionName"]
        for c in catalog.connections.values()
        if (kind is None or c["serverType"].lower() == kind.lower())
        and (name is None or c["connectionName"].lower() == name.lower())
        and (connection_id is None or c["connectionId"] == connection_id)
    }
    if not named:
        raise BadRequest("No connection matches connType, connectionName and connectionId together")
    return named


def _template_for(
    desk: ServiceDesk, request_type: str, kind: str, connections: set[str] | None
) -> Template | None:
    """The usable template for this request: one made for the named connection, else the general one."""
    usable = [
        t
        for t in desk.templates.values()
        if desk.usable(t) and (t["requestType"], t["objectType"]) == (request_type, kind)
    ]
    own = [t for t in usable if connections and t["connectionName"] in connections]
    general = [t for t in usable if t["connectionName"] is None]
    return (own or general or [None])[0]


def request_templates(catalog: Catalog, params: Params, service_desk: ServiceDesk) -> Answer:
    request_type = choice(params, "requestType", ss.REQUEST_TYPES)
    kind = object_type(params)
    connections = _connections(
        catalog,
        text(params, "connType"),
        text(params, "connectionName"),
        integer(params, "connectionId", minimum=1),
    )
    template = _template_for(service_desk, request_type, kind, connections)
    if template is None:
        message = f"No published, active {request_type} request template for objectType {kind}"
        return 404, {"ok": False, "errorCode": "template_not_found", "message": message}
    return ok(
        {
            "ticketTemplateId": template["id"],
            "ticketTemplateName": template["name"],
            "requestType": request_type,
            "objectType": kind,
            "fields": copy.deepcopy(template["fields"]),
            "currentUserId": USERS[CURRENT_USER],
        }
    )


def _field_value(field: dict[str, Any], value: Any) -> str | None:
    """A ticket field's value checked against its type (None: left empty)."""
    key = f"ticketFields.{field['fieldKey']}"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    if field["type"] == "DATE":
        return iso_date(value.strip(), key).isoformat()
    if field["type"] == "USER":
        return known_user(value, key)
    if field["type"] == "SELECT":
        chosen = {option.lower(): option for option in field["options"]}.get(value.strip().lower())
        if chosen is None:
            raise BadRequest(f"{key} must be one of {field['options']}, got {value!r}")
        return chosen
    return value


def _ticket_fields(template: Template, raw: Any) -> dict[str, str]:
    """The ticket's fields: the given values over the template's defaults, all checked."""
    given = raw if raw is not None else {}
    if not isinstance(given, dict):
        raise BadRequest("ticketFields must be an object of fieldKey: value")
    fields = {f["fieldKey"]: f for f in template["fields"]}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise BadRequest(
            f"Unknown ticketFields for template {template['id']}: {unknown}; expected some of {list(fields)}"
        )
    values = {}
    for key, field in fields.items():
        value = _field_value(field, given.get(key, field.get("defaultValue")))
        if value is not None:
            values[key] = value
    missing = [
        f"{key} ({fields[key]['label']})" for key in fields if fields[key]["required"] and key not in values
    ]
    if missing:
        raise BadRequest(
            f"Missing required ticket fields: {', '.join(missing)}", "required_ticket_fields_missing"
        )
    return values


def _template(desk: ServiceDesk, body: dict[str, Any]) -> Template:
    template_id = body_int(body, "ticketTemplateId")
    template = desk.templates.get(template_id) if template_id is not None else None
    if template is None:
        raise BadRequest(f"Unknown ticketTemplateId {template_id}; see service-request-templates")
    if not desk.usable(template):
        raise BadRequest(f"Ticket template {template_id} is not published and active")
    for key in ("requestType", "objectType"):
        given = body_text(body, key)
        wanted = template[key]
        if (checked_type(given) if key == "objectType" and given else given) != wanted:
            raise BadRequest(f"{key} must be {wanted!r}, the one of template {template_id}")
    return template


def _objects(catalog: Catalog, template: Template, raw: Any) -> list[int]:
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw)
    ):
        raise BadRequest("objectIds must be a non-empty list of object ids")
    docs = {i: catalog.get(i, template["objectType"]) for i in raw}
    unknown = [i for i, doc in docs.items() if doc is None]
    if unknown:
        raise BadRequest(f"Unknown {template['objectType']} objects: {unknown}")
    outside = [
        i for i, doc in docs.items() if template["connectionName"] not in (None, doc["connectionName"])
    ]
    if outside:
        raise BadRequest(
            f"Template {template['id']} is for {template['connectionName']} objects only, not {outside}"
        )
    return list(raw)


def _custom_fields(raw: Any) -> dict[str, str]:
    fields = raw if raw is not None else {}
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise BadRequest("customFields must be an object of name: text")
    return dict(fields)


def raise_service_request(catalog: Catalog, raw: Any, service_desk: ServiceDesk) -> Answer:
    body = body_object(raw, "The request body", REQUEST_KEYS)
    template = _template(service_desk, body)
    object_ids = _objects(catalog, template, body.get("objectIds"))
    summary = body_text(body, "summary")
    if summary is None:
        raise BadRequest("summary is required")
    connection = {key: body[key] for key in ("connType", "connectionName", "connectionId") if key in body}
    # kept on the ticket, once they are known to name a connection
    _connections(
        catalog,
        body_text(body, "connType"),
        body_text(body, "connectionName"),
        body_int(body, "connectionId"),
    )
    ticket_id = fresh_id((t["ticketId"] for t in service_desk.tickets), TICKET_IDS, "tickets")
    ticket = {
        "ticketId": ticket_id,
        "ticketNumber": f"SR-{FIRST_TICKET_NUMBER + len(service_desk.tickets)}",
        "status": "Open",
        "summary": summary,
        "description": body_text(body, "description") or "",
        "requestType": template["requestType"],
        "objectType": template["objectType"],
        "objectIds": object_ids,
        "ticketTemplateId": template["id"],
        "ticketTemplateName": template["name"],
        "ticketFields": _ticket_fields(template, body.get("ticketFields")),
        "customFields": _custom_fields(body.get("customFields")),
        **connection,
        "createdBy": CURRENT_USER,
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "navLink": f"#nav/servicedesk?ticketId={ticket_id}",
    }
    service_desk.tickets.append(ticket)
    shown = ("ticketId", "ticketNumber", "status", "summary", "requestType", "objectIds", "navLink")
    return ok({key: ticket[key] for key in shown})


def service_requests(_catalog: Catalog, _params: Params, service_desk: ServiceDesk) -> Answer:
    return ok({"tickets": copy.deepcopy(service_desk.tickets)})
