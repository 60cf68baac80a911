"""The first-generation read routes over the sample catalog: params in, (status, body) out.

(`lineage` is in documents.py, shared with asset-lineage; `search-platform-docs` and
`lookup-datastory` in knowledge.py.)

search-catalog with objectType=glossary also places terms: `domainName`, `categoryName` and
`subCategoryName` (capital C) narrow them to a glossary domain, category and subcategory.
glossary-terms and tags answer one object by id; by name, one object or (switch
`legacy_lookup_data`=list) the list of every match, up to `limit`.
"""

from __future__ import annotations

import copy

from sandbox import documents
from sandbox.catalog import CONTAINER_TYPES, OBJECT_TYPES, Catalog
from sandbox.facets import list_facet, text_facet
from sandbox.search import page_of, rank
from sandbox.shapes import SHAPES
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    bounded_int,
    checked_type,
    integer,
    json_string_list,
    not_found,
    object_type,
    ok,
    required_int,
    text,
)

DEFAULT_PAGE_LIMIT = 20
MAX_PAGE_LIMIT = 100
# Facets search-catalog takes as query parameters: one string each, or a JSON array of strings.
TEXT_PARAMS = ("connectionName", "serverType", "schemaName", "owner", "steward", "custodian")
LIST_PARAMS = ("tags", "terms", "customFields", "dataProducts", "classifications", "criticalDataElement")
# search-catalog's glossary placement parameters -> the term fields they match
PLACEMENT_PARAMS = {"domainName": "domainName", "categoryName": "categoryName",
                    "subCategoryName": "subcategoryName"}
LOOKUP_LIMIT_DEFAULT, LOOKUP_LIMIT_MAX = 25, 100
LOOKUP_DATA = SHAPES.declare(
    "legacy_lookup_data", ("dict", "list"), "dict",
    "docs/wire.md `GET /api/v1/mcp/glossary-terms` and `GET /api/v1/mcp/tags`",
)


def search_catalog(catalog: Catalog, params: Params) -> Answer:
    terms = json_string_list(params, "searchTerms")
    page = integer(params, "page", default=1, minimum=1)
    limit = min(integer(params, "limit", default=DEFAULT_PAGE_LIMIT, minimum=1), MAX_PAGE_LIMIT)
    kind = text(params, "objectType")
    docs = catalog.objects.values()
    if kind is not None:
        kind = checked_type(kind)
        docs = catalog.of_type(kind)
    facets = [text_facet(key, value) for key in TEXT_PARAMS if (value := text(params, key))]
    facets += [list_facet(key, values) for key in LIST_PARAMS if (values := json_string_list(params, key))]
    placement = {field: value for key, field in PLACEMENT_PARAMS.items() if (value := text(params, key))}
    if placement and kind != "glossary":
        raise BadRequest("domainName, categoryName and subCategoryName place glossary terms: "
                         "objectType must be glossary")
    facets += [text_facet(field, value) for field, value in placement.items()]
    scored = rank(docs, facets, terms, text(params, "contextQuery"))
    return 200, {
        "ok": True,
        "total": len(scored),
        "page": page,
        "limit": limit,
        "items": page_of(scored, page, limit),
    }


def object_details(catalog: Catalog, params: Params) -> Answer:
    fqn = text(params, "fullyQualifiedName")
    has_id = text(params, "objectId") is not None or text(params, "objectType") is not None
    if fqn is not None and has_id:
        raise BadRequest("Use either fullyQualifiedName or objectId with objectType, not both")
    if fqn is not None:
        doc = catalog.by_fqn(fqn)
    elif has_id:
        doc = catalog.get(required_int(params, "objectId"), object_type(params, OBJECT_TYPES))
    else:
        raise BadRequest("Provide fullyQualifiedName, or objectId and objectType")
    return not_found() if doc is None else ok(documents.details(catalog, doc))


def column_profile(catalog: Catalog, params: Params) -> Answer:
    object_id = required_int(params, "objectId")
    doc = catalog.get(object_id, object_type(params, CONTAINER_TYPES))
    return not_found() if doc is None else ok(documents.profile(catalog, doc))


def entity_relationships(catalog: Catalog, params: Params) -> Answer:
    doc = catalog.get(required_int(params, "objectId"), "oetable")
    return not_found() if doc is None else ok(documents.relationships(catalog, doc))


def _one_of(params: Params, id_name: str, text_name: str) -> tuple[int | None, str | None]:
    has_id = text(params, id_name) is not None
    name = text(params, text_name)
    if has_id == (name is not None):
        raise BadRequest(f"Provide exactly one of {id_name} or {text_name}")
    return (required_int(params, id_name) if has_id else None), name


def _lookup_answer(found: list[dict], by_name: bool, params: Params, shapes: dict[str, str]) -> Answer:
    limit = bounded_int(params, "limit", default=LOOKUP_LIMIT_DEFAULT, low=1, high=LOOKUP_LIMIT_MAX)
    if not found:
        return not_found()
    if by_name and SHAPES.choice(shapes, LOOKUP_DATA) == "list":
        return ok([copy.deepcopy(doc) for doc in found[:limit]])
    return ok(copy.deepcopy(found[0]))


def glossary_terms(catalog: Catalog, params: Params, shapes: dict[str, str]) -> Answer:
    object_id, name = _one_of(params, "objectId", "termName")
    if object_id is not None:
        doc = catalog.get(object_id, "glossary")
        found = [doc] if doc is not None else []
    else:
        found = catalog.terms_named(name)
    return _lookup_answer(found, object_id is None, params, shapes)


def tags(catalog: Catalog, params: Params, shapes: dict[str, str]) -> Answer:
    object_id, name = _one_of(params, "objectId", "tagName")
    if object_id is not None:
        doc = catalog.get(object_id, "oetag")
        found = [doc] if doc is not None else []
    else:
        wanted = name.strip().lower()
        found = [t for t in catalog.of_type("oetag") if t["objectName"].lower() == wanted]
    return _lookup_answer(found, object_id is None, params, shapes)
