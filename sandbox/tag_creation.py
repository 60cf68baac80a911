"""Guided tag creation under OvalEdge's two tag security modes (the `tag_security_mode` setting):
`GET tags/create-options`, `GET tags/parent-options` and `POST tags` (create; `GET tags` is the
first-generation lookup in queries.py).

SECURE: every tag sits under a master tag; a new tag names its master, and optionally a parent
tag under that master. OPEN: master tags are not used; a new tag is a root or goes under any
tag. Within one parent (or at the top of one master, or among the open roots) tag names are
unique. A refused choice of parent or name answers 422 with the parents the user can pick, as
OvalEdge does. A created tag belongs to the API user and is a catalog object at once (the
exact tag lookup shows it under its parent).
"""

from __future__ import annotations

from typing import Any

from sandbox.catalog import TAG_IDS, Catalog
from sandbox.sample_governance import CURRENT_USER
from sandbox.wire import Answer, BadRequest, Params, body_int, body_object, body_text, fresh_id, integer, ok

SECURE = "SECURE"
TAG_KEYS = ("tagName", "description", "masterTagId", "parentTagId")


def _master(catalog: Catalog, master_id: int | None, mode: str) -> dict[str, Any] | None:
    """The master tag a request names: required and valid when SECURE, refused when OPEN."""
    if mode != SECURE:
        if master_id is not None:
            raise BadRequest("Tag security is OPEN: master tags are not used; leave masterTagId out")
        return None
    if master_id is None:
        raise BadRequest("masterTagId is required when tag security is SECURE; see tags/create-options")
    master = catalog.get(master_id, "mastertag")
    if master is None:
        raise BadRequest(f"Unknown masterTagId {master_id}; see tags/create-options for the valid ones")
    return master


def _children(catalog: Catalog, holder: dict[str, Any]) -> list[dict[str, Any]]:
    return [catalog.objects[child["objectId"]] for child in holder["childTags"]]


def _top(catalog: Catalog, master: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The tags at the top: under the master (SECURE), or every root tag (OPEN)."""
    if master is not None:
        return _children(catalog, master)
    return [tag for tag in catalog.of_type("oetag") if tag["parentTag"] is None]


def _options(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"parentTagId": t["objectId"], "parentTagName": t["objectName"], "hasChildren": bool(t["childTags"])}
        for t in tags
    ]


def _under_master(tag: dict[str, Any] | None, master: dict[str, Any] | None) -> bool:
    """Whether a tag may be a parent for this master (OPEN: any tag)."""
    if tag is None:
        return False
    return master is None or (tag["masterTag"] or {}).get("objectId") == master["objectId"]


def create_options(catalog: Catalog, _params: Params, tag_security_mode: str) -> Answer:
    if tag_security_mode != SECURE:
        note = "Tag security is OPEN: tags are created without a master tag, at the top or under any tag"
        return ok({"mode": tag_security_mode, "userSelectableMasters": [], "note": note})
    masters = [
        {
            "masterTagId": m["objectId"],
            "masterTagName": m["objectName"],
            "description": m["masterTagDescription"],
        }
        for m in catalog.of_type("mastertag")
    ]
    note = (
        "Tag security is SECURE: a new tag goes under one of these master tags, optionally under a parent tag"
    )
    return ok({"mode": SECURE, "userSelectableMasters": masters, "note": note})


def parent_options(catalog: Catalog, params: Params, tag_security_mode: str) -> Answer:
    master_id = integer(params, "masterTagId", minimum=1)
    master = _master(catalog, master_id, tag_security_mode)
    data: dict[str, Any] = {} if master is None else {"masterTagId": master_id}
    browse_id = integer(params, "browseParentTagId", minimum=1)
    if browse_id is None:
        return ok({**data, "userSelectableParents": _options(_top(catalog, master))})
    browsed = catalog.get(browse_id, "oetag")
    if not _under_master(browsed, master):
        raise BadRequest(f"browseParentTagId {browse_id} is not a tag under this master tag")
    return ok(
        {
            **data,
            "browseParentTagId": browse_id,
            "userSelectableParents": _options(_children(catalog, browsed)),
        }
    )


def _refused(message: str, reason: str, parents: list[dict[str, Any]]) -> Answer:
    return 422, {
        "ok": False,
        "message": message,
        "data": {"reason": reason, "userSelectableParents": _options(parents)},
    }


def create_tag(catalog: Catalog, raw: Any, tag_security_mode: str) -> Answer:
    body = body_object(raw, "The request body", TAG_KEYS)
    name = body_text(body, "tagName")
    if name is None:
        raise BadRequest("tagName is required")
    master = _master(catalog, body_int(body, "masterTagId"), tag_security_mode)
    top = _top(catalog, master)
    parent_id = body_int(body, "parentTagId")
    parent = None if parent_id is None else catalog.get(parent_id, "oetag")
    if parent_id is not None and not _under_master(parent, master):
        where = f"under master tag {master['objectName']!r}" if master else "a tag"
        return _refused(f"parentTagId {parent_id} is not {where}", "parent_not_under_master", top)
    siblings = top if parent is None else _children(catalog, parent)
    if any(tag["objectName"].lower() == name.lower() for tag in siblings):
        place = f"under {parent['objectName']!r}" if parent else "at this level"
        return _refused(f"A tag named {name!r} already exists {place}", "duplicate", top)
    tag_id = fresh_id(catalog.objects, TAG_IDS, "tags")
    doc = catalog.add_tag(tag_id, name, body_text(body, "description") or "", parent, master, CURRENT_USER)
    data: dict[str, Any] = {"tagId": tag_id, "tagName": name}
    if master is not None:
        data["masterTagId"] = master["objectId"]
    if parent is not None:
        data["parentTagId"] = parent_id
    return ok({**data, "navLink": doc["navLink"]})
