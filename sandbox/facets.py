"""Search facets: which filter keys exist, what values they take, and when a document matches.

Text facets compare one string case-insensitively (serverType holds OvalEdge's connector id,
e.g. "postgres"); list facets match when the document has any of the wanted values (tableName is
a list, as the reference's live tests send it; a single string is taken too, its wire type being
otherwise unknown) (customFields: "Name", or "Name=Value" with the value as asset-details shows
it: an option's label, one item of a list, a number); range facets take
`{"min", "max", "eq"}` (inclusive), createdDate `{"from", "to"}` (ISO dates). A document lacking
the field never matches a facet on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.wire import BadRequest, iso_date

Facet = Callable[[dict[str, Any]], bool]

TEXT_FACETS = (
    "connectionName",
    "serverType",
    "schemaName",
    "owner",
    "steward",
    "custodian",
    "folder",
    "reportGroup",
    "apiGroup",
    "governanceRole4",
    "governanceRole5",
    "governanceRole6",
)
LIST_FACETS = (
    "tags",
    "terms",
    "customFields",
    "dataProducts",
    "classifications",
    "criticalDataElement",
    "tableName",
    "dataDomains",
    "tableType",
    "reportType",
    "reportLevel",
    "termStatus",
    "ticketStatus",
    "subscriptionMode",
    "criticality",
    "sensitivity",
    "deliveryAccessMode",
    "certification",
    "questionWalls",
)
RANGE_FACETS = (
    "dqIndex",
    "popularity",
    "rating",
    "curationScore",
    "nullDensity",
    "density",
    "rowCount",
    "columnCount",
)
DATE_FACET = "createdDate"
ALL_FACETS = (*TEXT_FACETS, *LIST_FACETS, *RANGE_FACETS, DATE_FACET)
_DOCUMENT_FIELD = {"termStatus": "status"}  # filter key -> document field, where they differ


def _field(key: str) -> str:
    return _DOCUMENT_FIELD.get(key, key)


DOCUMENT_FIELDS = tuple(_field(key) for key in ALL_FACETS)  # the document fields facets read


def text_facet(key: str, wanted: str) -> Facet:
    field, wanted = _field(key), wanted.strip().lower()

    def matches(doc: dict[str, Any]) -> bool:
        value = doc.get(field)
        return isinstance(value, str) and value.lower() == wanted

    return matches


def _shown(value: Any) -> list[str]:
    """A custom field value as the strings it matches: a list matches any of its items, a number
    its plain spelling (6, 6.5)."""
    values = value if isinstance(value, list) else [value]
    return [format(v, "g") if isinstance(v, int | float) else str(v).lower() for v in values]


def _has_custom_field(fields: dict[str, Any], wanted: str) -> bool:
    name, _, value = wanted.partition("=")
    for key, held in fields.items():
        if key.lower() == name.strip().lower() and (not value or value.strip().lower() in _shown(held)):
            return True
    return False


def list_facet(key: str, wanted: list[str]) -> Facet:
    field, wanted_lower = _field(key), {w.strip().lower() for w in wanted}

    def matches(doc: dict[str, Any]) -> bool:
        value = doc.get(field)
        if isinstance(value, dict):
            return any(_has_custom_field(value, w) for w in wanted)
        held = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return any(h.lower() in wanted_lower for h in held)

    return matches


def _number(raw: Any, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise BadRequest(f"{name} must be a number")
    return raw


def _bounds(raw: Any, key: str, names: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw or set(raw) - set(names):
        raise BadRequest(f"filters.{key} must be an object with {' and/or '.join(names)}")
    return raw


def range_facet(key: str, raw: Any) -> Facet:
    bounds = {
        name: _number(v, f"filters.{key}.{name}")
        for name, v in _bounds(raw, key, ("min", "max", "eq")).items()
    }

    def matches(doc: dict[str, Any]) -> bool:
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (
            value >= bounds.get("min", value)
            and value <= bounds.get("max", value)
            and value == bounds.get("eq", value)
        )

    return matches


def date_facet(raw: Any) -> Facet:
    bounds = {
        name: iso_date(v, f"filters.{DATE_FACET}.{name}")
        for name, v in _bounds(raw, DATE_FACET, ("from", "to")).items()
    }

    def matches(doc: dict[str, Any]) -> bool:
        value = doc.get(DATE_FACET)
        if not isinstance(value, str):
            return False
        day = iso_date(value, DATE_FACET)
        return bounds.get("from", day) <= day <= bounds.get("to", day)

    return matches


def parse_filters(raw: Any) -> list[Facet]:
    """asset-explorer's `filters` object, checked, as one predicate per facet."""
    if not isinstance(raw, dict):
        raise BadRequest("filters must be a JSON object")
    unknown = sorted(set(raw) - set(ALL_FACETS))
    if unknown:
        raise BadRequest(f"Unknown filters: {unknown}; allowed: {list(ALL_FACETS)}")
    facets = []
    for key, value in raw.items():
        if value is None:
            continue
        if key in TEXT_FACETS:
            if not isinstance(value, str):
                raise BadRequest(f"filters.{key} must be a string")
            if value.strip():
                facets.append(text_facet(key, value))
        elif key in LIST_FACETS:
            if key == "tableName" and isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadRequest(f"filters.{key} must be an array of strings")
            if value:
                facets.append(list_facet(key, value))
        elif key in RANGE_FACETS:
            facets.append(range_facet(key, value))
        else:
            facets.append(date_facet(value))
    return facets
