"""Guided glossary term creation: `GET domain-metadata` (the placement picker: domains, then a
domain's categories, then a category's subcategories) and `POST glossary-terms` (create).

The picker query carries `domainId` and `categoryId` always (0: not known) and `subCategoryId=0`
at the subcategory level, as the reference sends them; a subcategory listing needs only the
category. A created term belongs to the API user, is a Draft unless `publish`, and is a catalog
object at once: search, the exact glossary lookups and asset-details find it. The create answers
`{businessGlossaryId, termName, status, domainId}` and a `navLink` (the `glossary_term_created`
shape leaves the link out, as some releases do). A term name is unique within its domain (409
with `code: duplicate_term`). `description` is the term's business description, `definition` its
detailed description. The shapes are the reference's (docs/wire.md).
"""

from __future__ import annotations

from typing import Any

from sandbox.catalog import TERM_IDS, Catalog
from sandbox.sample_governance import CURRENT_USER
from sandbox.shapes import SHAPES
from sandbox.wire import (
    Answer,
    BadRequest,
    Params,
    body_bool,
    body_int,
    body_object,
    body_text,
    bounded_int,
    choice,
    fresh_id,
    integer,
    ok,
)

SEARCH_ON = ("oeglobaldomain", "category", "subcategory")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
CREATED_SHAPE = SHAPES.declare(
    "glossary_term_created", ("with_nav_link", "ids_only"), "with_nav_link",
    "POST /api/v1/mcp/glossary-terms: the answer with or without data.navLink",
)
TERM_KEYS = ("termName", "domainId", "description", "category1Id", "category2Id", "publish", "definition")


def _placement(catalog: Catalog, object_id: int | None, kind: str, name: str) -> dict[str, Any]:
    """The domain, category or subcategory with this id, or a 400 naming the parameter."""
    if object_id is None:
        raise BadRequest(f"{name} is required")
    record = catalog.placements.get(object_id)
    if record is None or record["objectType"] != kind:
        raise BadRequest(f"Unknown {name} {object_id}: no glossary {kind} has that id")
    return record


def _under(catalog: Catalog, kind: str, **above: int) -> list[dict[str, Any]]:
    """The placements of a kind that sit under the given domain / category."""
    return [
        record
        for record in catalog.placements.values()
        if record["objectType"] == kind and all(record.get(key) == value for key, value in above.items())
    ]


def _picked(catalog: Catalog, params: Params, search_on: str) -> tuple[str, list[dict[str, Any]]]:
    """(the answer's list key, the placements to pick from). domainId / categoryId 0 mean
    "not known": the domain level ignores both, a subcategory listing needs only its category."""
    domain_id = integer(params, "domainId", default=0, minimum=0)
    category_id = integer(params, "categoryId", default=0, minimum=0)
    integer(params, "subCategoryId", default=0, minimum=0)
    if search_on == "oeglobaldomain":
        return "domains", _under(catalog, "oeglobaldomain")
    if search_on == "category":
        domain = _placement(catalog, domain_id or None, "oeglobaldomain", "domainId")
        return "Category", _under(catalog, "category", domainId=domain["objectId"])
    category = _placement(catalog, category_id or None, "category", "categoryId")
    if domain_id and category["domainId"] != domain_id:
        domain = _placement(catalog, domain_id, "oeglobaldomain", "domainId")
        raise BadRequest(f"Category {category['objectName']!r} is not in domain {domain['objectName']!r}")
    return "SubCategory", _under(catalog, "subcategory", categoryId=category["objectId"])


def _option(record: dict[str, Any]) -> dict[str, Any]:
    """A placement as the picker lists it (OvalEdge's own key names per kind)."""
    object_id, name = record["objectId"], record["objectName"]
    if record["objectType"] == "oeglobaldomain":
        return {"globaldomainid": object_id, "domain": name}
    if record["objectType"] == "category":
        return {"categoryId": object_id, "categoryName": name, "isSubCategory": False}
    return {"subCategoryId": object_id, "subCategoryName": name}


def domain_metadata(catalog: Catalog, params: Params) -> Answer:
    search_on = choice(params, "searchOn", SEARCH_ON)
    page = integer(params, "page", default=0, minimum=0)
    size = bounded_int(params, "size", default=DEFAULT_PAGE_SIZE, low=1, high=MAX_PAGE_SIZE)
    key, records = _picked(catalog, params, search_on)
    shown = records[page * size : (page + 1) * size]
    return ok({key: [_option(r) for r in shown], "total": len(records)})


def create_glossary_term(catalog: Catalog, raw: Any, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", TERM_KEYS)
    name, description = body_text(body, "termName"), body_text(body, "description")
    if name is None or description is None:
        raise BadRequest("termName and description are required (a description is never invented)")
    domain = _placement(catalog, body_int(body, "domainId"), "oeglobaldomain", "domainId")
    category_id = body_int(body, "category1Id", minimum=0) or None  # 0: none
    subcategory_id = body_int(body, "category2Id", minimum=0) or None
    if subcategory_id is not None and category_id is None:
        raise BadRequest("category2Id (a subcategory) needs category1Id (its category)")
    if category_id is not None:
        category = _placement(catalog, category_id, "category", "category1Id")
        if category["domainId"] != domain["objectId"]:
            raise BadRequest(f"Category {category['objectName']!r} is not in domain {domain['objectName']!r}")
    if subcategory_id is not None:
        subcategory = _placement(catalog, subcategory_id, "subcategory", "category2Id")
        if subcategory["categoryId"] != category_id:
            raise BadRequest(f"Subcategory {subcategory['objectName']!r} is not under category {category_id}")
    for term in catalog.of_type("glossary"):
        if term["domainId"] == domain["objectId"] and term["objectName"].lower() == name.lower():
            taken = f"{term['objectName']!r} (id {term['objectId']})"
            message = f"{domain['objectName']} already has a term named {taken}"
            return 409, {"ok": False, "code": "duplicate_term", "message": message}
    doc = catalog.add_term(
        fresh_id(catalog.objects, TERM_IDS, "glossary terms"),
        name,
        domain["objectId"],
        catalog.placement_of(category_id, subcategory_id),
        status="Published" if body_bool(body, "publish") else "Draft",
        businessDescription=description,
        detailedDescription=body_text(body, "definition") or "",
        owner=CURRENT_USER,
        steward=CURRENT_USER,
    )
    data = {
        "businessGlossaryId": doc["objectId"],
        "termName": name,
        "status": doc["status"].upper(),
        "domainId": doc["domainId"],
    }
    if SHAPES.choice(shapes, CREATED_SHAPE) == "with_nav_link":
        data["navLink"] = doc["navLink"]
    return ok(data)
