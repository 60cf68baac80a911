"""`create_service_request`: a service-desk ticket from OvalEdge's published template.

The template for the request type and object type is looked up first (a read); its fields tell
the agent what to collect. Defaults are merged, dates normalised, choices checked, required fields
insisted on; then the preview, then the POST. No template is a plain answer: templates are an
administrator's to publish, never ours. Current OvalEdge only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.gate import CONFIRMATION
from worker.registry import Effect, Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import absolute, compact, data_of, md_table, ok, phase

REQUEST_TYPES = {  # what people say -> OvalEdge's request type
    "access": "access",
    "accessrequest": "access",
    "requestaccess": "access",
    "permission": "access",
    "content": "content",
    "contentchange": "content",
    "changerequest": "content",
    "metadatachange": "content",
    "dataquality": "dataquality",
    "dq": "dataquality",
    "dqrecommendation": "dataquality",
    "qualityissue": "dataquality",
    "dataqualityissue": "dataquality",
}
OBJECT_TYPES = {
    "table": "oetable",
    "oetable": "oetable",
    "schema": "oeschema",
    "oeschema": "oeschema",
    "column": "oecolumn",
    "oecolumn": "oecolumn",
    "file": "oefile",
    "oefile": "oefile",
    "chart": "oechart",
    "report": "oechart",
    "oechart": "oechart",
    "api": "oeapi",
    "oeapi": "oeapi",
    "term": "glossary",
    "glossary": "glossary",
    "tag": "oetag",
    "oetag": "oetag",
}
NOT_FOUND = "template_not_found"


def _request_type(value: str) -> str:
    found = REQUEST_TYPES.get(compact(value))
    if found is None:
        raise InvalidArguments(
            f"request_type={value!r} is not known; use access, content or dataquality "
            "(e.g. 'access request', 'content change', 'dq recommendation')"
        )
    return found


def _object_type(value: str) -> str:
    found = OBJECT_TYPES.get(compact(value))
    if found is None:
        raise InvalidArguments(
            f"object_type={value!r} is not known; use one of: "
            f"{', '.join(sorted(set(OBJECT_TYPES.values())))} (or table, column, report, ...)"
        )
    return found


def _object_ids(value: Any) -> list[int]:
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value).strip())
    ids = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or int(text) < 1:
            raise InvalidArguments(f"object_id holds {item!r}; give object ids (numbers from asset_explorer)")
        ids.append(int(text))
    return ids


def _value(field: dict[str, Any], value: Any) -> Any:
    kind, label = field.get("type"), field.get("label", field.get("fieldKey"))
    if kind == "DATE":
        try:
            return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise InvalidArguments(
                f"ticket field {label!r} takes a date (YYYY-MM-DD), got {value!r}"
            ) from None
    if kind == "SELECT":
        options = [str(o) for o in field.get("options") or []]
        match = next((o for o in options if o.casefold() == str(value).strip().casefold()), None)
        if match is None:
            raise InvalidArguments(f"ticket field {label!r}: {value!r} is not one of: {', '.join(options)}")
        return match
    return value


def _fields(template: dict[str, Any], given: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ticket fields with defaults merged and values checked, and the required ones missing."""
    fields = {f["fieldKey"]: f for f in template.get("fields") or []}
    by_label = {str(f.get("label", "")).casefold(): key for key, f in fields.items()}
    values: dict[str, Any] = {
        key: f["defaultValue"] for key, f in fields.items() if f.get("defaultValue") not in (None, "")
    }
    for name, value in given.items():
        key = name if name in fields else by_label.get(str(name).casefold())
        if key is None:
            raise InvalidArguments(
                f"ticket field {name!r} is not in template {template.get('ticketTemplateName')!r};"
                f" its fields: {', '.join(f.get('label', k) for k, f in fields.items())}"
            )
        values[key] = _value(fields[key], value)
    missing = [f for key, f in fields.items() if f.get("required") and values.get(key) in (None, "")]
    return values, missing


def _template_fields(template: dict[str, Any]) -> str:
    return md_table(
        ["Field", "Type", "Required", "Default"],
        [
            [
                f.get("label", f.get("fieldKey")),
                f.get("type"),
                "yes" if f.get("required") else "",
                f.get("defaultValue"),
            ]
            for f in template.get("fields") or []
        ],
    )


async def create_service_request(ctx: ToolContext, a: dict[str, Any]) -> Any:
    request_type, object_type = _request_type(a["request_type"]), _object_type(a["object_type"])
    object_ids = _object_ids(a["object_id"])
    params = {
        "requestType": request_type,
        "objectType": object_type,
        "connType": a.get("connection_type"),
        "connectionName": a.get("connection_name"),
        "connectionId": a.get("connection_id"),
    }
    try:
        template = data_of(await ctx.api.ask(routes.SERVICE_TEMPLATES, params, what="create_service_request"))
    except OvalEdgeError as exc:
        if exc.error_code != NOT_FOUND and exc.status != 404:
            raise
        return phase(
            "no_template",
            selection_field="",
            options=[],
            ok=False,
            errorCode=NOT_FOUND,
            formatted=f"OvalEdge has no published service-request template for {request_type} requests "
            f"on {object_type}, so no ticket can be raised for this here.",
            instruction="Tell the user; an OvalEdge administrator can publish such a template. Do "
            "not publish or activate templates yourself.",
        )
    if "ticket_template_id" in a and a["ticket_template_id"] != template.get("ticketTemplateId"):
        raise InvalidArguments(
            f"ticket_template_id={a['ticket_template_id']} is not the published template for "
            f"{request_type} on {object_type} (that is {template.get('ticketTemplateId')})"
        )
    values, missing = _fields(template, a.get("ticket_fields") or {})
    base = {
        "ticketTemplateId": template.get("ticketTemplateId"),
        "ticketTemplateName": template.get("ticketTemplateName"),
        "fields": template.get("fields"),
        "currentUserId": template.get("currentUserId"),
    }
    if "summary" not in a:
        return phase(
            "collect_ticket_fields",
            selection_field="summary",
            options=[],
            awaitingUserInput=True,
            **base,
            formatted=f"Template **{template.get('ticketTemplateName')}**:\n" + _template_fields(template),
            instruction="Write the summary from the user's request; collect the required fields the "
            "user must decide (not the requester: that is the current user); never invent "
            "descriptions, tags or terms. Then call again with summary and ticket_fields.",
        )
    if missing:
        labels = ", ".join(f.get("label", f.get("fieldKey")) for f in missing)
        return phase(
            "required_ticket_fields_missing",
            selection_field="ticket_fields",
            options=missing,
            awaitingUserInput=True,
            ok=False,
            errorCode="required_ticket_fields_missing",
            **base,
            formatted=f"These required fields are still empty: {labels}.",
            instruction="Ask the user for them, then call again with ticket_fields.",
        )
    body: dict[str, Any] = {
        "ticketTemplateId": template.get("ticketTemplateId"),
        "requestType": request_type,
        "objectType": object_type,
        "objectIds": object_ids,
        "summary": a["summary"],
        "ticketFields": values,
    }
    for arg, key in (
        ("description", "description"),
        ("custom_fields", "customFields"),
        ("connection_type", "connType"),
        ("connection_name", "connectionName"),
        ("connection_id", "connectionId"),
    ):
        if arg in a:
            body[key] = a[arg]
    summary = (
        f"Raise a service request ({request_type}) on {object_type} {', '.join(map(str, object_ids))} "
        f'with template {template.get("ticketTemplateName")}: "{a["summary"]}".'
    )
    answer = await ctx.gate.write(
        ctx, a, body, routes.SERVICE_REQUEST, create=True, summary=summary, what="create_service_request"
    )
    if answer.get("awaitingUserConfirmation"):
        return answer
    data = data_of(answer)
    url = absolute(ctx.settings.link_base_url, data.get("navLink"))
    return ok(
        data,
        formattedResponse=f"Raised service request **{data.get('ticketNumber', data.get('ticketId'))}** "
        f"({data.get('status', 'Open')})" + (f": {url}" if url else "."),
    )


TOOLS = (
    Tool(
        name="create_service_request",
        title="Create a service request",
        description=(
            
            
            
            'Raise a service-desk ticket (access, content or dataquality) on catalog objects. First '
            'call without summary: the published template and its fields. Write the summary from the '
            "user's request, collect required fields (not the requester), never invent descriptions, "
            'tags or terms. No template: say so; never publish templates. Preview first; only after '
            "the user approves, confirm with write_confirmed_by_user=true and the preview's "
            'confirmation_token.'
        
        
        
        ),
        input_schema=closed(
            {
                "request_type": string("access, content or dataquality."),
                "object_type": string("oetable, oechart, ... or table, report."),
                "object_id": {"type": ["integer", "string", "array"], "description": "Object id(s)."},
                "connection_type": string("Connector type."),
                "connection_name": string("Connection name."),
                "connection_id": integer("Connection id.", minimum=1),
                "ticket_template_id": integer("Template id.", minimum=1),
                "summary": string("One-line summary."),
                "description": string("Details."),
                "ticket_fields": {"type": "object", "description": "Field key or label -> value."},
                "custom_fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Name -> value.",
                },
                **CONFIRMATION,
            },
            required=("request_type", "object_type", "object_id"),
        ),
        handler=create_service_request,
        subject=("request_type", "object_type", "object_id", "summary"),
        effect=Effect.CREATE,
    ),
)
