"""Service desk ticket templates of the sample OvalEdge, as plain literals (ids 91xx).

A template serves one request type (access, content, dataquality) on one object type, and only
while it is published and active. A template with a `connectionName` is for objects of that
connection alone, and is picked over the general one when the caller names the connection (or
an object of it). Fields are rows as OvalEdge's template lookup answers them (docs/wire.md,
section 5): `fieldName`, `fieldCode`, `fieldType` (inputtext, catalog, oeusers, dropdown, date,
addfields), `requiredOnCreate`, and where they apply `defaultValue`, `filledByCurrentUser`,
`objectType` (a catalog selector's), `fieldData` (`allowMultiple`, `options` of
`{label, value, selected}`, `additionalFields` of `{fieldName, type, options}`). Some request
type / object type pairs have no usable template on purpose: content on charts (a draft
template), dataquality on charts (a retired one), and every other object type; access on files
has a template with Depends-On fields, which OvalEdge refuses to serve through MCP.
"""

from __future__ import annotations

from typing import Any

FIELD_TYPES = ("inputtext", "catalog", "oeusers", "dropdown", "date", "addfields")
REQUEST_TYPES = ("access", "content", "dataquality")


def _field(name: str, code: str, kind: str, required: bool, **extra: Any) -> dict[str, Any]:
    return {"fieldName": name, "fieldCode": code, "fieldType": kind, "requiredOnCreate": required, **extra}


def _dropdown(name: str, code: str, required: bool, values: list[str], selected: str | None = None,
              default: str | None = None) -> dict[str, Any]:
    options = [{"label": v, "value": v, "selected": v == selected} for v in values]
    extra: dict[str, Any] = {"defaultValue": default} if default is not None else {}
    return _field(name, code, "dropdown", required, fieldData={"type": "static", "options": options}, **extra)


def _selector(name: str, object_type: str, *, multiple: bool) -> dict[str, Any]:
    return _field(
        name, "object", "catalog", True, objectType=object_type, fieldData={"allowMultiple": multiple}
    )


def _template(
    template_id: int,
    name: str,
    request_type: str,
    object_type: str,
    fields: list[dict[str, Any]],
    *,
    status: str = "Published",
    active: bool = True,
    connection: str | None = None,
    conn_type: str = "all",
    depends_on: bool = False,
) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": name,
        "requestType": request_type,
        "objectType": object_type,
        "connType": conn_type,
        "status": status,
        "active": active,
        "connectionName": connection,
        "dependsOn": depends_on,
        "fields": fields,
    }


SUMMARY = _field("Summary", "summary", "inputtext", True)
REQUESTED_BY = _field("Requested By", "createdby", "oeusers", True, filledByCurrentUser=True)
REQUESTED_FOR = _field("Requested For", "requestedfor", "oeusers", False)
JUSTIFICATION = _field("Business Justification", "justification", "inputtext", True)
PERMISSION = _dropdown("Permission", "permission", True, ["Meta Read", "Data Preview", "Data Read"])
PRIORITY = _dropdown("Priority", "priority", True, ["Low", "Medium", "High"], selected="Medium")
ADDITIONAL = _field(
    "Additional Fields", "addfields", "addfields", False,
    fieldData={"additionalFields": [
        {"fieldName": "Cost Centre", "type": "text"},
        {"fieldName": "Data Classification", "type": "code", "options": ["Internal", "Confidential"]},
    ]},
)
_SNOWFLAKE_ROLES = ["ANALYST_FINANCE", "ANALYST_MARKETING", "REPORTING"]
_CHANGES = ["Description", "Classification", "Ownership", "Other"]
_ISSUES = ["Missing values", "Duplicate rows", "Wrong values", "Late data"]

TICKET_TEMPLATES: list[dict[str, Any]] = [
    _template(
        9101,
        "Table access request",
        "access",
        "oetable",
        [
            SUMMARY,
            _selector("Select table", "oetable", multiple=True),
            REQUESTED_BY,
            REQUESTED_FOR,
            PERMISSION,
            PRIORITY,
            _field("Expiration Date", "expiration", "date", False),
            JUSTIFICATION,
            ADDITIONAL,
        ],
    ),
    _template(
        9102,
        "Snowflake table access request",
        "access",
        "oetable",
        [
            SUMMARY,
            _selector("Select table", "oetable", multiple=True),
            REQUESTED_BY,
            PERMISSION,
            _dropdown("Snowflake role", "snowflakerole", True, _SNOWFLAKE_ROLES),
            JUSTIFICATION,
        ],
        connection="retail_snowflake",
        conn_type="snowflake",
    ),
    _template(
        9103,
        "Table content change",
        "content",
        "oetable",
        [
            SUMMARY,
            _selector("Select table", "oetable", multiple=False),
            REQUESTED_BY,
            _dropdown("What to change", "changetype", True, _CHANGES),
            _field("Proposed change", "proposedchange", "inputtext", True),
            _field("Due Date", "duedate", "date", False),
        ],
    ),
    _template(
        9104,
        "Data quality rule recommendation",
        "dataquality",
        "oetable",
        [
            SUMMARY,
            _selector("Select table", "oetable", multiple=False),
            REQUESTED_BY,
            _dropdown("Issue", "issue", True, _ISSUES),
            _dropdown("Severity", "severity", True, ["Low", "Medium", "High"], default="Medium"),
            _field("Affected columns", "affectedcolumns", "inputtext", False),
            _field("Observed On", "observedon", "date", False),
        ],
    ),
    _template(
        9105,
        "Report access request",
        "access",
        "oechart",
        [
            SUMMARY,
            _selector("Select report", "oechart", multiple=False),
            REQUESTED_BY,
            _dropdown("Access level", "accesslevel", True, ["View", "Explore"], default="View"),
            JUSTIFICATION,
        ],
    ),
    _template(
        9106,
        "Report content change",
        "content",
        "oechart",
        [SUMMARY, _field("Proposed change", "proposedchange", "inputtext", True)],
        status="Draft",
    ),
    _template(
        9107,
        "Report data quality issue",
        "dataquality",
        "oechart",
        [SUMMARY, _dropdown("Issue", "issue", True, ["Wrong numbers", "Stale extract"])],
        active=False,
    ),
    _template(
        9108,
        "File access request",
        "access",
        "oefile",
        [SUMMARY, _selector("Select file", "oefile", multiple=False), REQUESTED_BY, PERMISSION],
        depends_on=True,
    ),
]
