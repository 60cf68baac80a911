"""Governance settings of the sample OvalEdge, as plain literals: its users, the governance roles,
where CDE flags are locked, and the custom fields each object type has.

Users (ids 90xx) are everyone the catalog names as an owner, steward or custodian, plus the
catalog users of sample_access.py; governance writes accept only these names. The API
credentials of the sandbox belong to `CURRENT_USER`: tickets, rules, terms and tags it creates
are theirs.

Custom fields: a field belongs to the object types it lists. An object's values live in its
`customFields` (sample_data.py) as asset-details shows them: text a string, numeric a number,
date "YYYY-MM-DD", a code field the name of one option, a multi-select code field
(`allowMultiple`) a list of names. The custom-fields route speaks OvalEdge's shapes: option
names, and the current value as one comma-separated string. A `locked` field is written by
OvalEdge itself: updates to it are blocked with that reason.
"""

from __future__ import annotations

from typing import Any

from sandbox.sample_data import (
    CUSTODIAN_PLATFORM,
    CUSTODIAN_SOURCE,
    OWNER_CUSTOMER,
    OWNER_SALES,
    STEWARD_CUSTOMER,
    STEWARD_SALES,
)

# user name -> user id
USERS: dict[str, int] = {
    OWNER_SALES: 9001,
    OWNER_CUSTOMER: 9002,
    STEWARD_SALES: 9003,
    STEWARD_CUSTOMER: 9004,
    "eva.rossi": 9005,
    "femi.adeyemi": 9006,
    "gus.lindqvist": 9007,
    CUSTODIAN_SOURCE: 9008,
    CUSTODIAN_PLATFORM: 9009,
}
CURRENT_USER = STEWARD_SALES

# governance role (its document field) -> the name OvalEdge shows for it
GOVERNANCE_ROLES: dict[str, str] = {
    "owner": "Owner",
    "steward": "Steward",
    "custodian": "Custodian",
    "governanceRole4": "Data Quality Lead",
    "governanceRole5": "Privacy Officer",
    "governanceRole6": "Business Sponsor",
}
# roleUpdates key on the wire (server/tools/governance/_shared.py @554c256d) -> document field
ROLE_WIRE_KEYS: dict[str, str] = {
    "owner": "owner",
    "steward": "steward",
    "custodian": "custodian",
    "governance_role_4": "governanceRole4",
    "governance_role_5": "governanceRole5",
    "governance_role_6": "governanceRole6",
}
DISABLED_GOVERNANCE_ROLES = ("governanceRole6",)  # the sandbox's default setting

# schema id -> why the CDE flags of the schema and of everything in it cannot change
CDE_LOCKED_SCHEMAS: dict[int, str] = {
    104: "The archive schema is frozen for the auditors: the CDE flags of its objects are part of "
    "the fiscal year 2024 audit evidence",
}

# `type` as GET custom-fields names it: "text" and "code" are OvalEdge's (tests/tools/
# test_governance.py @7be16022); "numeric" and "date" are our guesses for its other kinds (unknown).
FIELD_TYPES = ("text", "code", "numeric", "date")


def _options(first_id: int, *names: str) -> list[tuple[int, str]]:
    return [(first_id + n, name) for n, name in enumerate(names)]


CUSTOM_FIELDS: list[dict[str, Any]] = [
    {
        "fieldKey": "gtcf1",
        "fieldName": "Data Owner Team",
        "type": "text",
        "objectTypes": ("oetable", "oefile", "oechart"),
        "required": True,
    },
    {
        "fieldKey": "gccf1",
        "fieldName": "Retention Period",
        "type": "code",
        "options": _options(1101, "1 year", "2 years", "7 years", "10 years"),
        "objectTypes": ("oetable", "oefile"),
    },
    {
        "fieldKey": "gtcf2",
        "fieldName": "Refresh Schedule",
        "type": "text",
        "objectTypes": ("oetable",),
    },
    {
        "fieldKey": "gccf2",
        "fieldName": "Refresh Frequency",
        "type": "code",
        "options": _options(1111, "Daily", "Weekly", "Monthly"),
        "objectTypes": ("oetable", "oechart"),
    },
    {
        "fieldKey": "gncf1",
        "fieldName": "Freshness SLA Hours",
        "type": "numeric",
        "objectTypes": ("oetable",),
    },
    {
        "fieldKey": "gdcf1",
        "fieldName": "Review Date",
        "type": "date",
        "objectTypes": ("oetable", "oefile", "glossary"),
    },
    {
        "fieldKey": "gccf3",
        "fieldName": "Consumers",
        "type": "code",
        "allowMultiple": True,
        "options": _options(1121, "Finance", "Marketing", "Operations", "Executives"),
        "objectTypes": ("oetable", "oefile", "oechart"),
    },
    {
        "fieldKey": "gtcf3",
        "fieldName": "Certified By",
        "type": "text",
        "objectTypes": ("oetable", "oechart"),
        "locked": "Certified By is set by the certification workflow; certify or decertify the asset instead",
    },
    {
        "fieldKey": "gccf4",
        "fieldName": "Masking Policy",
        "type": "code",
        "options": _options(1131, "No masking", "Partial mask", "Full mask"),
        "objectTypes": ("oecolumn", "oefilecolumn"),
    },
    {
        "fieldKey": "gtcf4",
        "fieldName": "Business Rule",
        "type": "text",
        "objectTypes": ("oecolumn", "oefilecolumn"),
    },
    {
        "fieldKey": "gtcf5",
        "fieldName": "Regulatory Reference",
        "type": "text",
        "objectTypes": ("glossary",),
    },
]
