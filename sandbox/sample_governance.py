"""Governance settings of the sample OvalEdge, as plain literals: its users, the governance roles,
where CDE flags are locked, and the custom fields each object type has.

Users (ids 90xx) are everyone the catalog names as an owner, steward or custodian, plus the
catalog users of sample_access.py; governance writes accept only these names. The API
credentials of the sandbox belong to `CURRENT_USER`: tickets, rules, terms and tags it creates
are theirs.

Custom fields: a field belongs to the object types it lists. An object's values live in its
`customFields` (sample_data.py) as asset-details shows them: TEXT a string, NUMBER a number,
DATE "YYYY-MM-DD", CODE the label of one option, MULTI_CODE a list of labels. The
custom-fields route speaks option codes instead. A `locked` field is written by OvalEdge
itself: updates to it are blocked with that reason.
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
DISABLED_GOVERNANCE_ROLES = ("governanceRole6",)  # the sandbox's default setting

# schema id -> why the CDE flags of the schema and of everything in it cannot change
CDE_LOCKED_SCHEMAS: dict[int, str] = {
    104: "The archive schema is frozen for the auditors: the CDE flags of its objects are part of "
    "the fiscal year 2024 audit evidence",
}

FIELD_TYPES = ("TEXT", "NUMBER", "DATE", "CODE", "MULTI_CODE")
CODE_TYPES = ("CODE", "MULTI_CODE")

CUSTOM_FIELDS: list[dict[str, Any]] = [
    {
        "fieldKey": "dataOwnerTeam",
        "fieldName": "Data Owner Team",
        "fieldType": "TEXT",
        "objectTypes": ("oetable", "oefile", "oechart"),
        "required": True,
    },
    {
        "fieldKey": "retentionPeriod",
        "fieldName": "Retention Period",
        "fieldType": "CODE",
        "options": [("1Y", "1 year"), ("2Y", "2 years"), ("7Y", "7 years"), ("10Y", "10 years")],
        "objectTypes": ("oetable", "oefile"),
    },
    {
        "fieldKey": "refreshSchedule",
        "fieldName": "Refresh Schedule",
        "fieldType": "TEXT",
        "objectTypes": ("oetable",),
    },
    {
        "fieldKey": "refreshFrequency",
        "fieldName": "Refresh Frequency",
        "fieldType": "CODE",
        "options": [("DAILY", "Daily"), ("WEEKLY", "Weekly"), ("MONTHLY", "Monthly")],
        "objectTypes": ("oetable", "oechart"),
    },
    {
        "fieldKey": "freshnessSlaHours",
        "fieldName": "Freshness SLA Hours",
        "fieldType": "NUMBER",
        "objectTypes": ("oetable",),
    },
    {
        "fieldKey": "reviewDate",
        "fieldName": "Review Date",
        "fieldType": "DATE",
        "objectTypes": ("oetable", "oefile", "glossary"),
    },
    {
        "fieldKey": "consumers",
        "fieldName": "Consumers",
        "fieldType": "MULTI_CODE",
        "options": [("FIN", "Finance"), ("MKT", "Marketing"), ("OPS", "Operations"), ("EXEC", "Executives")],
        "objectTypes": ("oetable", "oefile", "oechart"),
    },
    {
        "fieldKey": "certifiedBy",
        "fieldName": "Certified By",
        "fieldType": "TEXT",
        "objectTypes": ("oetable", "oechart"),
        "locked": "Certified By is set by the certification workflow; certify or decertify the asset instead",
    },
    {
        "fieldKey": "maskingPolicy",
        "fieldName": "Masking Policy",
        "fieldType": "CODE",
        "options": [("NONE", "No masking"), ("PARTIAL", "Partial mask"), ("FULL", "Full mask")],
        "objectTypes": ("oecolumn", "oefilecolumn"),
    },
    {
        "fieldKey": "businessRule",
        "fieldName": "Business Rule",
        "fieldType": "TEXT",
        "objectTypes": ("oecolumn", "oefilecolumn"),
    },
    {
        "fieldKey": "regulatoryReference",
        "fieldName": "Regulatory Reference",
        "fieldType": "TEXT",
        "objectTypes": ("glossary",),
    },
]
