"""Guided tag creation under OvalEdge's two tag security modes (the `tag_security_mode` setting):
`GET tags/create-options`, `GET tags/parent-options` and `POST tags` (create; `GET tags` is the
first-generation lookup in queries.py). The shapes are the reference's (docs/wire.md).

SECURE: every tag sits under a master tag; a new tag names its master, and optionally a parent
tag under that master. create-options answers `tagSecurityMode: "secure"` with the
`masterTagChoices`; parent-options takes `masterTagId` (and `browseParentTagId` to list a tag's
children) and answers `parentTagChoices`. OPEN: master tags are not used; create-options lists
the root tags as `parentTagChoices`; a new tag is a root or goes under any tag. Within one parent
(or at the top of one master, or among the open roots) tag names are unique. A POST that names no
valid master, or a parent outside its master, answers 422 with the create-options guidance in
`data`; the `tag_create_options` shape answers create-options itself that way, and the
`tag_create_answer` shape every SECURE POST. A created tag
belongs to the API user and is a catalog object at once (the exact tag lookup shows it under its
parent).
"""

from __future__ import annotations

from typing import Any

from sandbox.catalog import TAG_IDS, Catalog
from sandbox.sample_governance import CURRENT_USER
from sandbox.shapes import SHAPES
from sandbox.wire import Answer, BadRequest, Params, body_int, body_object, body_text, fresh_id, integer, ok

SECURE = "SECURE"
TAG_KEYS = ("tagName", "description", "masterTagId", "parentTagId")
CREATE_OPTIONS_SHAPE = SHAPES.declare(
    "tag_create_options", ("ok", "guidance_422"), "ok",
    "GET /api/v1/mcp/tags/create-options: SECURE guidance answered 200, or 422 with it in `data`",
)
CREATE_ANSWER_SHAPE = SHAPES.declare(
    "tag_create_answer", ("created", "guidance_422"), "created",
    "POST /api/v1/mcp/tags: SECURE mode answering 422 with the create-options guidance in `data`",
)
MASTER_NAME_SHAPE = SHAPES.declare(
    "tag_master_name_key", ("tagName", "masterTagsName"), "tagName",
    "GET /api/v1/mcp/tags/create-options: a master's name under tagName or masterTagsName",
)


def _master(catalog: Catalog, master_id: int | None, mode: str) -> dict[str, Any] | None:
    """The master tag a parent-options query names: required and valid when SECURE, refused
    when OPEN."""
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


def _choices(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "parentTagId": t["objectId"],
            "tagName": t["objectName"],
            "hasChildren": bool(t["childTags"]),
            "rootTag": t["parentTag"] is None,
        }
        for t in tags
    ]


def _under_master(tag: dict[str, Any] | None, master: dict[str, Any] | None) -> bool:
    """Whether a tag may be a parent for this master (OPEN: any tag)."""
    if tag is None:
        return False
    return master is None or (tag["masterTag"] or {}).get("objectId") == master["objectId"]


def _guidance(catalog: Catalog, shapes: dict[str, str]) -> dict[str, Any]:
    """SECURE create-options guidance: the master tags, each with the tags at its top."""
    name_key = SHAPES.choice(shapes, MASTER_NAME_SHAPE)
    return {
        "tagSecurityMode": "secure",
        "status": "INPUT_REQUIRED",
        "requiredFields": ["tagName", "masterTagId"],
        "optionalFields": ["parentTagId", "description"],
        "masterTagChoices": [
            {
                "masterTagId": m["objectId"],
                name_key: m["objectName"],
                "description": m["masterTagDescription"],
                "parentTagChoices": _choices(_top(catalog, m)),
            }
            for m in catalog.of_type("mastertag")
        ],
    }


def _needs_master(catalog: Catalog, shapes: dict[str, str], message: str) -> Answer:
    return 422, {"ok": False, "message": message, "data": _guidance(catalog, shapes)}


def create_options(
    catalog: Catalog, _params: Params, tag_security_mode: str, shapes: dict[str, str]
) -> Answer:
    if tag_security_mode != SECURE:
        return ok({"tagSecurityMode": "open", "parentTagChoices": _choices(_top(catalog, None))})
    if SHAPES.choice(shapes, CREATE_OPTIONS_SHAPE) == "guidance_422":
        return _needs_master(catalog, shapes, "Select a master tag: tag security is SECURE")
    return ok(_guidance(catalog, shapes))


def parent_options(catalog: Catalog, params: Params, tag_security_mode: str) -> Answer:
    master_id = integer(params, "masterTagId", minimum=1)
    master = _master(catalog, master_id, tag_security_mode)
    data: dict[str, Any] = {}
    if master is not None:
        data = {"masterTagId": master_id, "masterTagName": master["objectName"]}
    browse_id = integer(params, "browseParentTagId", minimum=1)
    if browse_id is None:
        return ok({**data, "parentTagChoices": _choices(_top(catalog, master))})
    browsed = catalog.get(browse_id, "oetag")
    if browsed is None or not _under_master(browsed, master):
        raise BadRequest(f"browseParentTagId {browse_id} is not a tag under this master tag")
    return ok(
        {
            **data,
            "browseParentTagId": browse_id,
            "browseParentTagName": browsed["objectName"],
            "parentTagChoices": _choices(_children(catalog, browsed)),
        }
    )


def create_tag(catalog: Catalog, raw: Any, tag_security_mode: str, shapes: dict[str, str]) -> Answer:
    body = body_object(raw, "The request body", TAG_KEYS)
    name = body_text(body, "tagName")
    if name is None:
        raise BadRequest("tagName is required")
    master_id = body_int(body, "masterTagId")
    master = None
    if tag_security_mode == SECURE:
        master = catalog.get(master_id, "mastertag") if master_id is not None else None
        if master is None:
            what = f"masterTagId {master_id} is not a master tag" if master_id else "masterTagId is required"
            return _needs_master(catalog, shapes, f"{what}: tag security is SECURE")
        if SHAPES.choice(shapes, CREATE_ANSWER_SHAPE) == "guidance_422":
            return _needs_master(catalog, shapes, "Select the master tag again: tag security is SECURE")
    elif master_id is not None:
        raise BadRequest("Tag security is OPEN: master tags are not used; leave masterTagId out")
    parent_id = body_int(body, "parentTagId")
    parent = None if parent_id is None else catalog.get(parent_id, "oetag")
    if parent_id is not None and not _under_master(parent, master):
        if master is not None:
            refused = f"parentTagId {parent_id} is not under masterTagId {master_id}"
            return _needs_master(catalog, shapes, refused)
        raise BadRequest(f"parentTagId {parent_id} is not a tag")
    siblings = _top(catalog, master) if parent is None else _children(catalog, parent)
    if any(tag["objectName"].lower() == name.lower() for tag in siblings):
        place = f"under {parent['objectName']!r}" if parent else "at this level"
        raise BadRequest(f"Cannot add the tag: a tag named {name!r} already exists {place}")
    tag_id = fresh_id(catalog.objects, TAG_IDS, "tags")
    catalog.add_tag(tag_id, name, body_text(body, "description") or "", parent, master, CURRENT_USER)
    data: dict[str, Any] = {"tagId": tag_id, "tagName": name, "tagSecurityMode": tag_security_mode.lower()}
    if master is not None:
        data["masterTagId"] = master["objectId"]
    if parent is not None:
        data["parentTagId"] = parent_id
    return ok(data)
