"""The current catalog routes: asset-explorer (search, and exact glossary term / tag lookups)
and `GET asset-details` (details, profile and relationships in one answer). `GET asset-lineage`
is documents.lineage.

Releases serve asset-explorer as POST with a JSON body or as GET with flat query parameters
(lists as JSON-array strings); the `asset_explorer_method` switch picks which, and the other
method answers Spring's 405 (app.ApiRoute.only_when). Both forms reach the same search.

asset-explorer looks up instead of searching when the body names glossary terms (`objectType`
glossary with `name` or `objectId`, or a `glossaryPlacement`) or tags (`objectType` oetag with
`name` or `objectId`): the matches come back in `glossaryTerms` or `tags`, `items` is empty and
`total` 0. In a search, `objectId` and `name` (exact, case-insensitive) narrow the hits like
filters do. A sort on a field puts the hits lacking it last, whatever the direction.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox import documents
from sandbox.catalog import CONTAINER_TYPES, Catalog
from sandbox.facets import parse_filters
from sandbox.search import Scored, page_of, rank
from sandbox.shapes import SHAPES
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    body_bool,
    body_int,
    body_object,
    body_text,
    body_texts,
    checked_type,
    flag,
    integer,
    json_string_list,
    not_found,
    object_type,
    ok,
    one_of,
    required_int,
    text,
)

EXPLORER_METHOD = SHAPES.declare(
    "asset_explorer_method", ("post", "get"), "post",
    "docs/wire.md `POST /api/v1/mcp/asset-explorer` and `GET /api/v1/mcp/asset-explorer`",
)

BODY_KEYS = (
    "objectId",
    "objectType",
    "name",
    "includeParent",
    "includeChildren",
    "search",
    "glossaryPlacement",
    "filters",
)
SEARCH_KEYS = ("searchTerms", "contextQuery", "page", "limit", "sort")
PLACEMENT_KEYS = ("domainId", "domainName", "categoryId", "categoryName", "subcategoryId", "subcategoryName")
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
# sort field on the wire -> the document field it orders by (None: the relevance score)
SORT_FIELDS = {
    "relevance": None,
    "name": "objectName",
    "popularity": "popularity",
    "rating": "rating",
    "dq_index": "dqIndex",
    "curation_score": "curationScore",
    "row_count": "rowCount",
    "column_count": "columnCount",
    "null_density": "nullDensity",
    "density": "density",
    "created_date": "createdDate",
}


def _sort(raw: Any) -> tuple[str | None, bool]:
    """(document field or None for relevance, descending)."""
    if raw is None:
        return None, True
    sort = body_object(raw, "search.sort", ("field", "direction"))
    field = one_of(body_text(sort, "field") or "", "sort field", SORT_FIELDS)
    direction = one_of((body_text(sort, "direction") or "desc").lower(), "sort direction", ("asc", "desc"))
    return SORT_FIELDS[field], direction == "desc"


def _ordered(scored: list[Scored], field: str | None, descending: bool) -> list[Scored]:
    def value(item: Scored) -> Any:
        score, doc = item
        found = score if field is None else doc.get(field)
        return found.lower() if isinstance(found, str) else found

    present = sorted((s for s in scored if value(s) is not None), key=value, reverse=descending)
    return present + [s for s in scored if value(s) is None]


def _placement(raw: Any) -> dict[str, Any]:
    """glossaryPlacement, checked: the ids and names it gives."""
    placement = body_object(raw, "glossaryPlacement", PLACEMENT_KEYS)
    checked = {key: body_int(placement, key) for key in PLACEMENT_KEYS if key.endswith("Id")}
    checked |= {key: body_text(placement, key) for key in PLACEMENT_KEYS if key.endswith("Name")}
    return {key: value for key, value in checked.items() if value is not None}


def _in_placement(term: dict[str, Any], placement: dict[str, Any]) -> bool:
    def same(key: str, wanted: Any) -> bool:
        held = term.get(key)
        return (
            isinstance(held, str) and held.lower() == wanted.lower()
            if isinstance(wanted, str)
            else held == wanted
        )

    return all(same(key, wanted) for key, wanted in placement.items())


def _glossary_terms(
    catalog: Catalog, object_id: int | None, name: str | None, placement: dict[str, Any] | None
) -> list[dict[str, Any]]:
    terms = catalog.terms_named(name) if name else catalog.of_type("glossary")
    return [
        copy.deepcopy(t)
        for t in terms
        if (object_id is None or t["objectId"] == object_id)
        and (placement is None or _in_placement(t, placement))
    ]


def _tags(
    catalog: Catalog, object_id: int | None, name: str | None, with_parent: bool, with_children: bool
) -> list[dict[str, Any]]:
    found = []
    for tag in catalog.of_type("oetag"):
        if (object_id is None or tag["objectId"] == object_id) and (
            name is None or tag["objectName"].lower() == name.lower()
        ):
            shown = copy.deepcopy(tag)
            if not with_parent:
                del shown["parentTag"]
            if not with_children:
                del shown["childTags"]
            found.append(shown)
    return found


def asset_explorer(catalog: Catalog, raw: Any) -> Answer:
    body = body_object(raw, "The request body", BODY_KEYS)
    object_id, name = body_int(body, "objectId"), body_text(body, "name")
    kind = body_text(body, "objectType")
    kind = checked_type(kind) if kind else None
    with_parent, with_children = body_bool(body, "includeParent"), body_bool(body, "includeChildren")
    search = body_object(body.get("search", {}), "search", SEARCH_KEYS)
    terms, context = body_texts(search, "searchTerms"), body_text(search, "contextQuery")
    page = body_int(search, "page") or 1
    limit = body_int(search, "limit", maximum=MAX_LIMIT) or DEFAULT_LIMIT
    sort_field, descending = _sort(search.get("sort"))
    placement = body.get("glossaryPlacement")
    if placement is not None:
        placement = _placement(placement)
        if kind not in (None, "glossary"):
            raise BadRequest(
                "glossaryPlacement looks up glossary terms; objectType must be glossary or absent"
            )
    facets = parse_filters(body.get("filters", {}))
    data: dict[str, Any] = {"items": [], "total": 0, "page": page, "limit": limit}
    named = object_id is not None or name is not None
    if placement is not None or (kind == "glossary" and named):
        return ok({**data, "glossaryTerms": _glossary_terms(catalog, object_id, name, placement)})
    if kind == "oetag" and named:
        return ok({**data, "tags": _tags(catalog, object_id, name, with_parent, with_children)})
    docs = [
        d
        for d in (catalog.of_type(kind) if kind else catalog.objects.values())
        if (object_id is None or d["objectId"] == object_id)
        and (name is None or d["objectName"].lower() == name.lower())
    ]
    scored = _ordered(rank(docs, facets, terms, context), sort_field, descending)
    return ok({**data, "items": page_of(scored, page, limit), "total": len(scored)})


def asset_details(catalog: Catalog, params: Params) -> Answer:
    object_id = required_int(params, "objectId")
    doc = catalog.get(object_id, object_type(params))
    if doc is None:
        return not_found()
    data = {"details": documents.details(catalog, doc)}
    if doc["objectType"] in CONTAINER_TYPES:
        data["profile"] = documents.profile(catalog, doc)
    if doc["objectType"] == "oetable":
        data["relationships"] = documents.relationships(catalog, doc)
    return ok(data)


# GET asset-explorer's query parameters (the R-get release): text ones, integer ones, flags, and
# lists given as JSON-array strings; which body member each one fills.
GET_TEXT = {"contextQuery": "search", "objectType": "", "name": "", "domainName": "glossaryPlacement",
            "categoryName": "glossaryPlacement", "subcategoryName": "glossaryPlacement",
            "connectionName": "filters", "serverType": "filters", "schemaName": "filters",
            "owner": "filters", "steward": "filters", "custodian": "filters"}
GET_INTEGERS = {"page": "search", "limit": "search", "objectId": "", "domainId": "glossaryPlacement",
                "categoryId": "glossaryPlacement", "subcategoryId": "glossaryPlacement"}
GET_LISTS = {"searchTerms": "search", "tags": "filters", "terms": "filters", "glossaryTerms": "filters",
             "customFields": "filters", "dataProducts": "filters", "classifications": "filters",
             "criticalDataElement": "filters"}


def asset_explorer_get(catalog: Catalog, params: Params) -> Answer:
    """`GET asset-explorer`: the same search from flat query parameters (Spring ignores any
    parameter it does not map)."""
    body: dict[str, Any] = {}

    def put(member: str, key: str, value: Any) -> None:
        (body.setdefault(member, {}) if member else body)[key] = value

    for key, member in GET_TEXT.items():
        if (value := text(params, key)) is not None:
            put(member, key, value)
    for key, member in GET_INTEGERS.items():
        if (value := integer(params, key)) is not None:
            put(member, key, value)
    for key, member in GET_LISTS.items():
        if values := json_string_list(params, key):
            put(member, "terms" if key == "glossaryTerms" else key, values)
    for key in ("includeParent", "includeChildren"):
        if flag(params, key):
            body[key] = True
    return asset_explorer(catalog, body)
