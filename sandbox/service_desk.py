"""The service desk: `GET service-request-templates` (the published, active template for a
request type and object type), `POST service-requests` (raise a ticket) and `GET
service-requests` (the tickets raised, for tests and the demo), in the shapes of docs/wire.md,
section 5.

The lookup takes `requestType`, `requestObjectType`, and optionally `connType`,
`connectionName`, `connectionId`, `ticketTemplateId` and `objectId` (an object of a connection
picks that connection's template). No usable template is a 200 whose data has no template id
(switch `service_request_no_template`: or a 404 coded template_not_found); a template with
Depends-On fields is a 400, as OvalEdge serves none through MCP.

A ticket's `ticketFields` are keyed by fieldName and checked against its template: a dropdown
value that is no option, a bad date, an unknown user or object answer 400; a field name the
template lacks is omitted with a warning, as an unknown additional field (`customFields`) is.
Fields the body leaves out take the template's values (the signed-in user for requester fields,
`objectId` for the catalog selector, the default or selected option); a required field still
empty answers 400 `required_ticket_fields_missing`, naming it. Tickets are raised by the API
user, shown as SR-1001 on; the answer has `navLink` (switch `service_request_created`: and an
absolute `redirectUrl`).
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from sandbox import sample_servicedesk as ss
from sandbox.catalog import Catalog
from sandbox.governed import known_user
from sandbox.sample_governance import CURRENT_USER, USERS
from sandbox.shapes import SHAPES
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    body_int,
    body_object,
    body_text,
    fresh_id,
    integer,
    ok,
    text,
)

NO_TEMPLATE = SHAPES.declare(
    "service_request_no_template", ("empty_data", "not_found_404"), "empty_data",
    "docs/wire.md GET /api/v1/mcp/service-request-templates: no template",
)
CREATED = SHAPES.declare(
    "service_request_created", ("nav_link", "redirect_url"), "nav_link",
    "docs/wire.md POST /api/v1/mcp/service-requests: answer",
)
TICKET_IDS = range(9200, 9300)
FIRST_TICKET_NUMBER = 1001
REQUEST_KEYS = ("ticketTemplateId", "summary", "description", "objectId", "objectType", "ticketFields",
                "customFields")
DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
DEPENDS_ON = (
    "Service Request cannot be created through MCP because the selected Service Desk template "
    "contains Depends-On fields. Please create the request through the OvalEdge application or "
    "contact your administrator."
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
    kind = None if kind is not None and kind.lower() == "all" else kind
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
    desk: ServiceDesk, request_type: str, kind: str, connections: set[str] | None, template_id: int | None
) -> Template | None:
    """The usable template for this request: the one asked for by id, else one made for the named
    connection, else the general one."""
    usable = [
        t
        for t in desk.templates.values()
        if desk.usable(t) and (t["requestType"], t["objectType"]) == (request_type, kind)
        and template_id in (None, t["id"])
    ]
    own = [t for t in usable if connections and t["connectionName"] in connections]
    general = [t for t in usable if t["connectionName"] is None or template_id is not None]
    return (own or general or [None])[0]


def request_templates(
    catalog: Catalog, params: Params, service_desk: ServiceDesk, shapes: dict[str, str], link_base: str
) -> Answer:
    request_type, kind = text(params, "requestType"), text(params, "requestObjectType")
    if request_type is None:
        raise BadRequest("requestType is required")
    if kind is None:
        raise BadRequest("requestObjectType is required")
    request_type, kind = request_type.lower(), kind.lower()
    connections = _connections(
        catalog,
        text(params, "connType"),
        text(params, "connectionName"),
        integer(params, "connectionId", minimum=1),
    )
    object_id = integer(params, "objectId", minimum=1)
    doc = catalog.get(object_id, kind) if object_id is not None else None
    if connections is None and doc is not None:
        connections = {doc["connectionName"]}
    template = _template_for(
        service_desk, request_type, kind, connections, integer(params, "ticketTemplateId", minimum=1)
    )
    if template is None:
        if SHAPES.choice(shapes, NO_TEMPLATE) == "not_found_404":
            message = f"No published, active {request_type} request template for {kind}"
            return 404, {"ok": False, "errorCode": "template_not_found", "message": message}
        return ok({"fields": []})
    if template["dependsOn"]:
        raise BadRequest(DEPENDS_ON)
    return ok(
        {
            "ticketTemplateId": template["id"],
            "ticketTemplateName": template["name"],
            "requestType": template["requestType"],
            "requestObjectType": template["objectType"],
            "connType": template["connType"],
            "currentUserId": CURRENT_USER,
            "fields": copy.deepcopy(template["fields"]),
        }
    )


def _ids(value: Any, what: str) -> list[int]:
    """Object ids from an integer or a comma-separated text of them."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return [value]
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*(,\s*\d+\s*)*", value):
        return [int(part) for part in value.split(",")]
    raise BadRequest(f"{what} must be an object id or comma-separated object ids, got {value!r}")


def _objects(catalog: Catalog, template: Template, kind: str, ids: list[int], what: str) -> None:
    unknown = [i for i in ids if catalog.get(i, kind) is None]
    if unknown:
        raise BadRequest(f"{what}: unknown {kind} objects {unknown}")
    own = template["connectionName"]
    outside = [i for i in ids if own not in (None, catalog.get(i, kind)["connectionName"])]
    if outside:
        raise BadRequest(f"Template {template['id']} is for {own} objects only, not {outside}")


def _user(value: Any, what: str) -> str:
    by_id = {str(number): name for name, number in USERS.items()}
    return by_id.get(str(value).strip()) or known_user(value, what)


def _template_default(field: dict[str, Any], summary: str, object_id: Any) -> Any:
    if field["fieldCode"] == "summary":
        return summary
    requested_for = field["fieldCode"] == "requestedfor" and field["fieldType"] == "oeusers"
    if field.get("filledByCurrentUser") or requested_for:
        return CURRENT_USER
    if field["fieldType"] == "catalog":
        return object_id
    if field.get("defaultValue") not in (None, ""):
        return field["defaultValue"]
    options = field.get("fieldData", {}).get("options", [])
    return next((o["value"] for o in options if o.get("selected")), None)


def _checked(catalog: Catalog, template: Template, field: dict[str, Any], value: Any) -> Any:
    """A ticket field's value checked against its type."""
    what, kind = f"ticketFields.{field['fieldName']}", field["fieldType"]
    if kind == "catalog":
        ids = _ids(value, what)
        if len(ids) > 1 and not field.get("fieldData", {}).get("allowMultiple"):
            raise BadRequest(f"{what} takes one object, got {len(ids)}", "invalid_ticket_field")
        _objects(catalog, template, field["objectType"], ids, what)
        return value
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be a string")
    if kind == "oeusers":
        return _user(value, what)
    if kind == "dropdown":
        allowed = [o["value"] for o in field["fieldData"]["options"]]
        if value not in allowed:
            raise BadRequest(f"{what} must be one of {allowed}, got {value!r}", "invalid_ticket_field")
    if kind == "date" and not any(_parses(value.strip(), fmt) for fmt in DATE_FORMATS):
        raise BadRequest(f"{what} is not a recognized date: {value!r}", "invalid_ticket_field")
    return value


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _ticket_fields(
    catalog: Catalog, template: Template, raw: Any, summary: str, object_id: Any, warnings: list[str]
) -> dict[str, Any]:
    """The ticket's fields by fieldName: the given values over the template's, all checked."""
    given = raw if raw is not None else {}
    if not isinstance(given, dict):
        raise BadRequest("ticketFields must be an object of fieldName: value")
    fields = {f["fieldName"]: f for f in template["fields"] if f["fieldType"] != "addfields"}
    for name in given:
        if name not in fields:
            warnings.append(f'Field "{name}" is not on template "{template["name"]}" and was omitted.')
    values = {}
    for name, field in fields.items():
        value = given.get(name)
        if value is None or value == "":
            value = _template_default(field, summary, object_id)
        if value is not None and value != "":
            values[name] = _checked(catalog, template, field, value)
    missing = [name for name, field in fields.items() if field["requiredOnCreate"] and name not in values]
    if missing:
        raise BadRequest(
            f"Missing required ticket fields: {', '.join(missing)}", "required_ticket_fields_missing"
        )
    return values


def _custom_fields(template: Template, raw: Any, warnings: list[str]) -> dict[str, str]:
    given = raw if raw is not None else {}
    if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
        raise BadRequest("customFields must be an object of fieldName: text")
    known = {
        row["fieldName"]: row
        for field in template["fields"] if field["fieldType"] == "addfields"
        for row in field["fieldData"]["additionalFields"]
    }
    values = {}
    for name, value in given.items():
        row = known.get(name)
        if row is None:
            warnings.append(f'Additional field "{name}" is not on template "{template["name"]}"; omitted.')
        elif row.get("options") and value not in row["options"]:
            raise BadRequest(f"customFields.{name} must be one of {row['options']}, got {value!r}")
        else:
            values[name] = value
    return values


def _template(desk: ServiceDesk, body: dict[str, Any]) -> Template:
    template_id = body_int(body, "ticketTemplateId")
    template = desk.templates.get(template_id) if template_id is not None else None
    if template is None:
        raise BadRequest(f"Unknown ticketTemplateId {template_id}; see service-request-templates")
    if not desk.usable(template):
        raise BadRequest(f"Ticket template {template_id} is not published and active")
    if template["dependsOn"]:
        raise BadRequest(DEPENDS_ON)
    given = body_text(body, "objectType")
    if given is not None and given.lower() != template["objectType"]:
        raise BadRequest(f"objectType must be {template['objectType']!r}, the one of template {template_id}")
    return template


def raise_service_request(
    catalog: Catalog, raw: Any, service_desk: ServiceDesk, shapes: dict[str, str], link_base: str
) -> Answer:
    body = body_object(raw, "The request body", REQUEST_KEYS)
    template = _template(service_desk, body)
    summary = body_text(body, "summary")
    if summary is None:
        raise BadRequest("summary is required")
    object_id = body.get("objectId")
    object_ids = _ids(object_id, "objectId") if object_id is not None else []
    _objects(catalog, template, template["objectType"], object_ids, "objectId")
    warnings: list[str] = []
    ticket_fields = _ticket_fields(catalog, template, body.get("ticketFields"), summary, object_id, warnings)
    custom_fields = _custom_fields(template, body.get("customFields"), warnings)
    ticket_id = fresh_id((t["ticketId"] for t in service_desk.tickets), TICKET_IDS, "tickets")
    ticket = {
        "ticketId": ticket_id,
        "displayTicketId": f"SR-{FIRST_TICKET_NUMBER + len(service_desk.tickets)}",
        "status": "Open",
        "summary": summary,
        "description": body_text(body, "description") or "",
        "requestType": template["requestType"],
        "objectType": template["objectType"],
        "objectIds": object_ids,
        "ticketTemplateId": template["id"],
        "ticketTemplateName": template["name"],
        "ticketFields": ticket_fields,
        "customFields": custom_fields,
        "createdBy": CURRENT_USER,
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "navLink": f"#nav/servicedesk?id={ticket_id}",
    }
    service_desk.tickets.append(ticket)
    shown = ("ticketId", "displayTicketId", "ticketTemplateId", "summary", "navLink")
    answer = {key: ticket[key] for key in shown}
    if warnings:
        answer["warnings"] = warnings
    if SHAPES.choice(shapes, CREATED) == "redirect_url":
        answer["redirectUrl"] = f"{link_base}/{ticket['navLink']}"
    return ok(answer)


def service_requests(
    _catalog: Catalog, _params: Params, service_desk: ServiceDesk, shapes: dict[str, str], link_base: str
) -> Answer:
    return ok({"tickets": copy.deepcopy(service_desk.tickets)})
