"""`create_service_request`: a service-desk ticket from OvalEdge's published template.

Two paths, as OvalEdge's own MCP server takes them (docs/wire.md, section 5):
- Without `ticket_template_id` or without `summary`, the template for the request type and
  object type is looked up first (a read). Without a summary the answer is the template's fields
  for the agent to collect; with one, the template's defaults are merged in (the signed-in user
  into requester fields, the object ids into the catalog selector, each field's default or
  selected option), dates normalised, dropdown values checked and required fields insisted on.
- With both, nothing is looked up: the arguments are posted as given.
Then the preview, then the POST. No template is a plain answer: templates are an
administrator's to publish, never ours. Current OvalEdge only.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.notes import ignore, note
from worker.registry import Effect, Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import compact, data_of, md_table, ok, phase

# What people say -> OvalEdge's request type. Any other value passes through lower-cased with
# its spaces removed, as the reference does.
REQUEST_TYPE_ALIASES = {
    "accessrequest": "access",
    "requestaccess": "access",
    "access": "access",
    "content": "content",
    "contentchange": "content",
    "contentchangerequest": "content",
    "changerequest": "content",
    "metadatachange": "content",
    "dataquality": "dataquality",
    "dataqualityrulerecommendation": "dataquality",
    "dataqualityrecommendation": "dataquality",
    "dqrulerecommendation": "dataquality",
    "dqrecommendation": "dataquality",
    "dataqualityissue": "dataquality",
    "dq": "dataquality",
}
# Everyday object type names -> OvalEdge's; any other value passes through lower-cased.
OBJECT_TYPE_ALIASES = {
    "table": "oetable",
    "tables": "oetable",
    "schema": "oeschema",
    "column": "oecolumn",
    "file": "oefile",
    "filecolumn": "oefilecolumn",
    "chart": "oechart",
    "report": "oechart",
    "api": "oeapi",
    "query": "oequery",
    "term": "glossary",
    "glossaryterm": "glossary",
    "tag": "oetag",
}
NOT_FOUND = "template_not_found"
DATE_STORED = "%Y/%m/%d %H:%M:%S"  # how OvalEdge takes a date with a time
DATE_SHOWN = "%d-%m-%Y"
DATETIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S",
                    "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M")
DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
USER_TYPE = "oeusers"


def _request_type(value: Any) -> str | None:
    if value is None:
        return None
    raw = str(value).strip().lower()
    return REQUEST_TYPE_ALIASES.get(compact(raw), raw.replace(" ", "")) or None


def _object_type(value: Any) -> str | None:
    if value is None:
        return None
    raw = str(value).strip().lower()
    return OBJECT_TYPE_ALIASES.get(compact(raw), raw) or None


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _object_ids(value: Any) -> list[int]:
    """Object ids from one id, a list or comma-separated text, in order, each once; what names no
    object is dropped (as the reference does) and said in the notes."""
    items: list[Any] = []
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        items.extend(re.split(r"[,\s]+", item.strip()) if isinstance(item, str) else [item])
    ids: list[int] = []
    dropped: list[str] = []
    for item in items:
        if item == "":
            continue
        number = _positive(item) if isinstance(item, int) else (
            int(item) if isinstance(item, str) and item.isascii() and item.isdigit() else None)
        if not number:
            dropped.append(repr(item))
        elif number not in ids:
            ids.append(number)
    if dropped:
        note(f"ignored object_id item(s) {', '.join(dropped[:5])}: not object ids")
    return ids


def _field_name(field: dict[str, Any]) -> str:
    return str(field.get("fieldName") or "").strip()


def _kind(field: dict[str, Any]) -> str:
    return str(field.get("fieldType") or "").strip().lower()


def _field_data(field: dict[str, Any]) -> dict[str, Any]:
    data = field.get("fieldData") or field.get("fielddata") or {}
    return data if isinstance(data, dict) else {}


def _allows_multiple(field: dict[str, Any]) -> bool:
    return bool(field.get("allowMultiple") or _field_data(field).get("allowMultiple"))


def _options(field: dict[str, Any]) -> list[dict[str, str]]:
    """A field's choices as `{value, label}` (option objects, or plain strings)."""
    options = _field_data(field).get("options")
    found = []
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and option.get("value") not in (None, ""):
            value = str(option["value"])
            found.append({"value": value, "label": str(option.get("label") or value)})
        elif isinstance(option, str | int) and option != "":
            found.append({"value": str(option), "label": str(option)})
    return found


def _default(field: dict[str, Any]) -> Any:
    if field.get("defaultValue") not in (None, ""):
        return field["defaultValue"]
    options = _field_data(field).get("options")
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and option.get("selected") and option.get("value") not in (None, ""):
            return option["value"]
    return None


def _for_current_user(field: dict[str, Any]) -> bool:
    requested_for = str(field.get("fieldCode") or "").lower() == "requestedfor" and _kind(field) == USER_TYPE
    return bool(field.get("filledByCurrentUser")) or requested_for


def _selector_type(field: dict[str, Any]) -> str:
    """The object type a catalog-selector field picks ('' for any other field)."""
    kind = str(field.get("objectType") or "").strip().lower()
    return kind if kind != USER_TYPE else ""


def _is_summary(field: dict[str, Any]) -> bool:
    return "summary" in (str(field.get("fieldCode") or "").strip().lower(), _field_name(field).lower())


def _additional(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The template's optional additional fields (`fieldData.additionalFields` of its addfields)."""
    found = []
    for field in fields:
        if _kind(field) == "addfields":
            rows = _field_data(field).get("additionalFields")
            if isinstance(rows, list):
                found += [r for r in rows if isinstance(r, dict) and r.get("fieldName")]
    return found


def _keyed(given: dict[str, Any], names: dict[str, str], what: str) -> dict[str, Any]:
    """`given` keyed by the template's fieldName: a key matching a fieldName (or, case and spacing
    aside, a fieldName, label or fieldCode) takes that name; any other key passes through."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        name = key if key in names.values() else names.get(compact(str(key)), key)
        if name != key:
            note(f"{what} {key!r} sent as the template's field {name!r}")
        out[name] = value
    return out


def _names(fields: list[dict[str, Any]]) -> dict[str, str]:
    """compact(fieldName | label | fieldCode) -> fieldName."""
    names: dict[str, str] = {}
    for field in fields:
        name = _field_name(field)
        for alias in (field.get("fieldCode"), field.get("label"), name):
            if alias and name:
                names.setdefault(compact(str(alias)), name)
    return names


def _merged(fields: list[dict[str, Any]], given: dict[str, Any], object_ids: list[int],
            current_user: str | None) -> dict[str, Any]:
    """The ticket fields with the template's own values added where the user gave none."""
    values = dict(given)
    for field in fields:
        name = _field_name(field)
        if not name or name in values:
            continue
        if _for_current_user(field):
            if current_user:
                values[name] = current_user
            continue
        if object_ids and _selector_type(field):
            values[name] = ",".join(map(str, object_ids)) if _allows_multiple(field) else object_ids[0]
            continue
        if (default := _default(field)) is not None:
            values[name] = default
    return values


def _parsed_date(text: str) -> tuple[datetime, bool] | None:
    """The date and whether it carries a time, from the formats OvalEdge users write (ISO too)."""
    for formats, timed in ((DATETIME_FORMATS, True), (DATE_FORMATS, False)):
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt), timed
            except ValueError:
                continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None), "T" in text or " " in text


def _checked(fields: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Dates with a time in OvalEdge's format (a date alone is sent as given), dropdown values
    one of the field's options; InvalidArguments otherwise, naming what is allowed."""
    by_name = {_field_name(f): f for f in fields if _field_name(f)}
    out = dict(values)
    for name, value in values.items():
        field = by_name.get(name)
        if field is None or value in (None, ""):
            continue
        if _kind(field) == "date":
            parsed = _parsed_date(str(value).strip())
            if parsed is None:
                raise InvalidArguments(
                    f"ticket field {name!r}: {value!r} is not a date; write dd-mm-yyyy, yyyy-mm-dd or "
                    "yyyy/mm/dd, with HH:MM:SS for a time", error_code="invalid_ticket_field")
            if parsed[1]:
                out[name] = parsed[0].strftime(DATE_STORED)
        elif _kind(field) == "dropdown" and (options := _options(field)):
            out[name] = ([_option(name, v, options) for v in value] if isinstance(value, list)
                         else _option(name, value, options))
    return out


def _option(name: str, value: Any, options: list[dict[str, str]]) -> Any:
    values = [o["value"] for o in options]
    if str(value) in values:
        return value
    wanted = str(value).strip().casefold()
    for option in options:
        if wanted in (option["value"].casefold(), option["label"].casefold()):
            note(f"ticket field {name!r}: {value!r} sent as the option value {option['value']!r}")
            return option["value"]
    raise InvalidArguments(f"ticket field {name!r}: {value!r} is not one of its options: {', '.join(values)}",
                           error_code="invalid_ticket_field")


def _missing(fields: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """Required fields still empty (the summary is its own argument)."""
    return [
        _field_name(f) for f in fields
        if f.get("requiredOnCreate") and not _is_summary(f) and _field_name(f)
        and values.get(_field_name(f)) in (None, "", [])
    ]


def _shown(value: Any, field: dict[str, Any] | None) -> str:
    if field is not None and _kind(field) == "date":
        parsed = _parsed_date(str(value).strip())
        if parsed is not None:
            return parsed[0].strftime(DATE_SHOWN + (" %H:%M:%S" if parsed[1] else ""))
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _template_view(template: dict[str, Any], fields: list[dict[str, Any]], values: dict[str, Any],
                   missing: list[str]) -> str:
    current = template.get("currentUserId")
    on = template.get("requestObjectType") or template.get("objectType")
    lines = [f"Service request template **{template.get('ticketTemplateName')}** "
             f"({template.get('requestType')} on {on})."]
    if current:
        lines.append(f"Requested by: `{current}` (the signed-in user; do not ask).")
    lines.append(f"Still needed from the user: {', '.join(missing) if missing else 'no required field'}.")
    rows = []
    for field in fields:
        name = _field_name(field)
        if _kind(field) == "addfields" or not name:
            continue
        if _is_summary(field):
            filled = "the summary argument"
        elif _for_current_user(field):
            filled = f"signed-in user `{current}`" if current else ""
        elif _selector_type(field):
            filled = "the object_id(s)" + (" (several allowed)" if _allows_multiple(field) else "")
        elif values.get(name) not in (None, ""):
            default = " (default)" if values[name] == _default(field) else ""
            filled = f"`{_shown(values[name], field)}`{default}"
        else:
            filled = ""
        required = "yes" if field.get("requiredOnCreate") else ""
        choices = ", ".join(o["value"] for o in _options(field))
        rows.append([name, field.get("fieldType"), required, filled, choices])
    lines.append(md_table(["Field", "Type", "Required", "Filled with", "Options"], rows))
    extra = _additional(fields)
    if extra:
        lines.append("Optional additional fields (custom_fields, by name; only those the user wants):")
        for row in extra:
            options = [str(o) for o in row.get("options") or [] if o not in (None, "")]
            lines.append(f"- {row['fieldName']} ({row.get('type') or 'text'})"
                         + (f": {', '.join(options)}" if options else ""))
    return "\n".join(lines)


def _collect(template: dict[str, Any], fields: list[dict[str, Any]], values: dict[str, Any],
             missing: list[str], *, has_summary: bool) -> dict[str, Any]:
    return phase(
        "collect_fields",
        selection_field="ticket_fields" if has_summary else "summary",
        options=[],
        awaitingUserInput=True,
        data=template,
        stillNeeded=missing,
        prefilledTicketFields=values,
        formatted=_template_view(template, fields, values, missing),
        instruction=(
            "Show formattedResponse. Write the summary yourself from the user's request. Dropdowns "
            "take their default unless the user wants another option; requester fields are the "
            "signed-in user and catalog selectors the object_id(s): do not ask for them. Ask only for "
            "the required fields still needed, and offer the optional additional fields. Never invent "
            "descriptions, tags, terms or additional-field values. Then call again with the same "
            "request_type, object_type and object_id plus summary, ticket_fields (by field name) and "
            "custom_fields: the template is read again and fills the rest (with ticket_template_id "
            "and summary both given, nothing is looked up or filled in). If OvalEdge refuses a value, "
            "show its error and ask the user."
        ),
    )


def _no_template(request_type: str, object_type: str) -> dict[str, Any]:
    return phase(
        "no_template",
        selection_field="",
        options=[],
        ok=False,
        errorCode=NOT_FOUND,
        formatted=f"OvalEdge has no published, active service-request template for {request_type} "
        f"requests on {object_type}, so no ticket can be raised for this here.",
        instruction="Tell the user; an OvalEdge administrator can publish and activate such a template. "
        "Never publish or activate templates yourself.",
    )


async def _lookup(ctx: ToolContext, params: dict[str, Any]) -> dict[str, Any] | None:
    """The published template (OvalEdge's `data`), or None when it has none for these arguments:
    a 200 without a positive ticketTemplateId, or an error coded template_not_found."""
    try:
        answer = await ctx.api.ask(routes.SERVICE_TEMPLATES, params, what="create_service_request")
    except OvalEdgeError as exc:
        if exc.error_code == NOT_FOUND:
            return None
        raise
    template = data_of(answer)
    return template if _positive(template.get("ticketTemplateId")) else None


def _preview(template_name: str | None, body: dict[str, Any], fields: list[dict[str, Any]]) -> str:
    by_name = {_field_name(f): f for f in fields}
    lines = [f"Create a service request{f' from template **{template_name}**' if template_name else ''}: "
             f"\"{body['summary']}\"."]
    if "description" in body:
        lines.append(f"- Description: {body['description']}")
    if "objectId" in body:
        lines.append(f"- On {body.get('objectType') or 'object'} id(s) {body['objectId']}")
    for name, value in (body.get("ticketFields") or {}).items():
        lines.append(f"- {name}: {_shown(value, by_name.get(name))}")
    for name, value in (body.get("customFields") or {}).items():
        lines.append(f"- {name} (additional field): {value}")
    return "\n".join(lines)


def _hash_route(value: Any) -> str | None:
    """The in-app `#nav/...` route in a navLink or a URL."""
    if isinstance(value, str) and "#" in value:
        return value[value.index("#"):]
    return None


def _created(data: dict[str, Any], link_base: str) -> dict[str, Any]:
    """OvalEdge's answer to the create, its link made absolute, and the report naming the ticket."""
    redirect = str(data.get("redirectUrl") or "").strip()
    route = _hash_route(data.get("navLink")) or _hash_route(redirect)
    if route:
        data["navLink"] = route
    if redirect.startswith(("http://", "https://")):
        data["redirectUrl"] = redirect
    elif route and link_base:
        data["redirectUrl"] = f"{link_base}/{route}"
    ticket = data.get("displayTicketId") or data.get("ticketId")
    lines = [f"Service request **{ticket}** created." if ticket else
             "Service request created (OvalEdge's answer names no ticket id)."]
    if data.get("redirectUrl"):
        lines.append(f"Open the ticket: {data['redirectUrl']}")
    given = data.get("warnings")
    warnings = [str(w) for w in (given if isinstance(given, list) else [given]) if w not in (None, "")]
    if warnings:
        lines += ["**Warnings**", *(f"- {w}" for w in warnings)]
    return ok(data, formattedResponse="\n".join(lines))


async def create_service_request(ctx: ToolContext, a: dict[str, Any]) -> Any:
    request_type, object_type = _request_type(a.get("request_type")), _object_type(a.get("object_type"))
    object_ids = _object_ids(a.get("object_id"))
    template_id, summary = _positive(a.get("ticket_template_id")), a.get("summary")
    ticket_fields = dict(a.get("ticket_fields") or {})
    custom_fields = dict(a.get("custom_fields") or {})
    template: dict[str, Any] = {}
    fields: list[dict[str, Any]] = []
    if template_id is None or summary is None:
        if request_type is None:
            raise InvalidArguments(
                "request_type is required to look up the template: access, content or dataquality "
                "(e.g. 'access request', 'content change')", error_code="request_type_required")
        if object_type is None:
            raise InvalidArguments("object_type is required to look up the template, e.g. table (oetable)",
                                   error_code="object_type_required")
        params = {
            "requestType": request_type,
            "requestObjectType": object_type,
            "connType": a.get("connection_type"),
            "connectionName": a.get("connection_name"),
            "connectionId": _positive(a.get("connection_id")),
            "ticketTemplateId": template_id,
            "objectId": object_ids[0] if object_ids else None,
        }
        found = await _lookup(ctx, params)
        if found is None:
            return _no_template(request_type, object_type)
        template = found
        template_id = template["ticketTemplateId"]
        fields = [f for f in template.get("fields") or [] if isinstance(f, dict)]
        ticket_fields = _keyed(ticket_fields, _names(fields), "ticket field")
        extra = {compact(str(r["fieldName"])): str(r["fieldName"]) for r in _additional(fields)}
        custom_fields = _keyed(custom_fields, extra, "custom field")
        current = template.get("currentUserId")
        user = str(current) if current not in (None, "") else None
        values = _merged(fields, ticket_fields, object_ids, user)
        if summary is None:
            return _collect(template, fields, values, _missing(fields, values), has_summary=False)
        ticket_fields = _checked(fields, values)
        missing = _missing(fields, ticket_fields)
        if missing:
            return _collect(template, fields, ticket_fields, missing, has_summary=True)
    else:
        ignore(a, ("request_type", "connection_type", "connection_name", "connection_id"),
               "ticket_template_id and summary were given, so no template was looked up")
    body: dict[str, Any] = {"ticketTemplateId": template_id, "summary": summary}
    if a.get("description"):
        body["description"] = a["description"]
    if object_ids:
        body["objectId"] = object_ids[0] if len(object_ids) == 1 else ",".join(map(str, object_ids))
    if object_type:
        body["objectType"] = object_type
    if ticket_fields:
        body["ticketFields"] = ticket_fields
    if custom_fields:
        body["customFields"] = custom_fields
    answer = await ctx.gate.write(
        ctx, a, body, routes.SERVICE_REQUEST, create=True,
        summary=_preview(template.get("ticketTemplateName"), body, fields), what="create_service_request",
    )
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = data_of(answer)
    try:
        return _created(data, ctx.settings.link_base_url)
    except Exception:  # OvalEdge created the ticket: say so even if its answer cannot be summarised
        return ok(data, formattedResponse="Service request created; OvalEdge's answer could not be "
                  "summarised, see data.")


TOOLS = (
    Tool(
        name="create_service_request",
        title="Create a service request",
        description=(
            "Raise a service-desk ticket (access, content or dataquality) on catalog objects (ids "
            "from asset_explorer). First call with request_type and object_type, no summary: the "
            "template and its fields. Write the summary yourself; requester and catalog fields fill "
            "themselves; ask only for required fields still needed; invent nothing. No template: say "
            "so. Preview first; after the user approves, confirm with write_confirmed_by_user=true "
            "and the preview's confirmation_token."
        ),
        input_schema=closed(
            {
                "request_type": string("access, content or dataquality (for the lookup)."),
                "object_type": string("oetable (table), oechart, ... (for the lookup)."),
                "object_id": {"type": ["integer", "string", "array"], "description": "Object id(s)."},
                "connection_type": string("Connector type."),
                "connection_name": string("Connection name."),
                "connection_id": integer("Connection id."),
                "ticket_template_id": integer("Template id from the lookup."),
                "summary": string("One-line summary."),
                "description": string("Details."),
                "ticket_fields": {"type": "object", "description": "Field name -> value."},
                "custom_fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Additional field name -> value.",
                },
                **CONFIRMATION,
            },
        ),
        handler=create_service_request,
        subject=("request_type", "object_type", "object_id", "summary"),
        effect=Effect.CREATE,
    ),
)
