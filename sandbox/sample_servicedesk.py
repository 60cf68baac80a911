"""Service desk ticket templates of the sample OvalEdge, as plain literals (ids 91xx).

A template serves one request type (access, content, dataquality) on one object type, and only
while it is published and active. A template with a `connectionName` is for objects of that
connection alone, and is picked over the general one when the caller names the connection.
Fields: fieldKey, label, type (TEXT, TEXTAREA, DATE, SELECT, USER), required, and optionally a
default value and the SELECT options. Some request type / object type pairs have no usable
template on purpose: content on charts (a draft template), dataquality on charts (a retired
one), and every other object type.
"""

from __future__ import annotations

from typing import Any

from sandbox.sample_governance import CURRENT_USER

FIELD_TYPES = ("TEXT", "TEXTAREA", "DATE", "SELECT", "USER")
REQUEST_TYPES = ("access", "content", "dataquality")


def _field(key: str, label: str, kind: str, required: bool, default: str | None = None, options=None):
    field: dict[str, Any] = {"fieldKey": key, "label": label, "type": kind, "required": required}
    if default is not None:
        field["defaultValue"] = default
    if options is not None:
        field["options"] = list(options)
    return field


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
) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": name,
        "requestType": request_type,
        "objectType": object_type,
        "status": status,
        "active": active,
        "connectionName": connection,
        "fields": fields,
    }


_ACCESS_LEVEL = _field("accessLevel", "Access level", "SELECT", True, "Read", ["Read", "Read and write"])
_JUSTIFICATION = _field("justification", "Business justification", "TEXTAREA", True)
_REQUESTED_FOR = _field("requestedFor", "Requested for", "USER", True, CURRENT_USER)
_SNOWFLAKE_ROLES = ["ANALYST_FINANCE", "ANALYST_MARKETING", "REPORTING"]
_CHANGES = ["Description", "Classification", "Ownership", "Other"]
_ISSUES = ["Missing values", "Duplicate rows", "Wrong values", "Late data"]

TICKET_TEMPLATES: list[dict[str, Any]] = [
    _template(
        9101,
        "Table access request",
        "access",
        "oetable",
        [_ACCESS_LEVEL, _JUSTIFICATION, _REQUESTED_FOR, _field("neededBy", "Needed by", "DATE", False)],
    ),
    _template(
        9102,
        "Snowflake table access request",
        "access",
        "oetable",
        [
            _ACCESS_LEVEL,
            _field("snowflakeRole", "Snowflake role", "SELECT", True, None, _SNOWFLAKE_ROLES),
            _JUSTIFICATION,
            _REQUESTED_FOR,
        ],
        connection="retail_snowflake",
    ),
    _template(
        9103,
        "Table content change",
        "content",
        "oetable",
        [
            _field("changeType", "What to change", "SELECT", True, None, _CHANGES),
            _field("proposedChange", "Proposed change", "TEXTAREA", True),
            _field("dueDate", "Due date", "DATE", False),
        ],
    ),
    _template(
        9104,
        "Data quality issue",
        "dataquality",
        "oetable",
        [
            _field("issueType", "Issue", "SELECT", True, None, _ISSUES),
            _field("severity", "Severity", "SELECT", True, "Medium", ["Low", "Medium", "High"]),
            _field("affectedColumns", "Affected columns", "TEXT", False),
            _field("observedOn", "Observed on", "DATE", False),
        ],
    ),
    _template(
        9105,
        "Report access request",
        "access",
        "oechart",
        [
            _field("accessLevel", "Access level", "SELECT", True, "View", ["View", "Explore"]),
            _JUSTIFICATION,
            _REQUESTED_FOR,
        ],
    ),
    _template(
        9106,
        "Report content change",
        "content",
        "oechart",
        [_field("proposedChange", "Proposed change", "TEXTAREA", True)],
        status="Draft",
    ),
    _template(
        9107,
        "Report data quality issue",
        "dataquality",
        "oechart",
        [_field("issueType", "Issue", "SELECT", True, None, ["Wrong numbers", "Stale extract"])],
        active=False,
    ),
]
