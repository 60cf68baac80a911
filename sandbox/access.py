"""`GET access-explorer`: OvalEdge's own catalog permissions (`operation=catalog_access`), or the
native grants of a source system (`operation=source_system_access`, in native_access.py).

Catalog permissions follow sample_access.py: for each principal the nearest level that names it
decides (the object, then its parents, then its connection). A user's permission on an object is
the strongest of its own and its roles'. Only the kinds OvalEdge secures carry permissions:
schemas, tables, columns, files, file columns, charts, story zones and stories; listing a user's
objects leaves columns out unless `objectType` asks for them (they follow their table or file).

Answers follow docs/wire.md: the one object asked about at the top of `data` (identity,
`redirectUrl` as its hash route, `inheritedFrom` when all of its access comes from one level above
it), the entries under `effectiveAccess` (switch `catalog_access.entries`: `principals` for
object_to_principals, or our former `permissions`). The first-generation routes
`get-user-object-access` and `source-system-access` take the same parameters without `operation`.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from starlette.datastructures import QueryParams

from sandbox import native_access
from sandbox import sample_access as sa
from sandbox.catalog import Catalog
from sandbox.documents import identity
from sandbox.shapes import SHAPES
from sandbox.wire import (
    Answer,
    BadRequest,
    ambiguity,
    checked_type,
    choice,
    flag,
    integer,
    not_found,
    ok,
    text,
)

OPERATIONS = ("catalog_access", "source_system_access")
CATALOG_DIRECTIONS = ("user_to_object", "object_to_principals")
SECURED_TYPES = (
    "oeschema",
    "oetable",
    "oecolumn",
    "oefile",
    "oefilecolumn",
    "oechart",
    "storyzone",
    "oestory",
)
_FOLLOWING_THEIR_PARENT = ("oecolumn", "oefilecolumn")


class Permission(NamedTuple):
    principal_type: str  # "user" | "role"
    principal_name: str
    metadata: str
    data: str
    set_on: dict[str, str]  # {"objectType", "objectName"} of the level that sets it

    @property
    def grants_something(self) -> bool:
        return not (self.metadata == self.data == "NO_ACCESS")

    @property
    def strength(self) -> tuple[int, int]:
        return sa.METADATA_PERMISSIONS.index(self.metadata), sa.DATA_PERMISSIONS.index(self.data)


_SET_ON_OBJECT: dict[int, list[tuple[str, str, str, str]]] = {}
for _object_id, *_entry in sa.OBJECT_PERMISSIONS:
    _SET_ON_OBJECT.setdefault(_object_id, []).append(tuple(_entry))


def _level_of(doc: dict[str, Any]) -> dict[str, str]:
    return {"objectType": doc["objectType"], "objectName": doc["objectName"]}


def _levels(catalog: Catalog, doc: dict[str, Any]):
    """(level, the permissions set there) from the object up to its connection."""
    current: dict[str, Any] | None = doc
    while current is not None:
        yield _level_of(current), _SET_ON_OBJECT.get(current["objectId"], [])
        current = catalog.parent(current)
    connection = doc.get("connectionName")
    if connection:
        yield (
            {"objectType": "connection", "objectName": connection},
            [entry for conn, *entry in sa.CONNECTION_PERMISSIONS if conn == connection],
        )


def permissions_on(catalog: Catalog, doc: dict[str, Any]) -> list[Permission]:
    """Every principal's permission on the object (none for those with no access)."""
    decided: dict[tuple[str, str], Permission] = {}
    for level, entries in _levels(catalog, doc):
        for principal_type, name, metadata, data in entries:
            decided.setdefault(
                (principal_type, name), Permission(principal_type, name, metadata, data, level)
            )
    return [p for p in decided.values() if p.grants_something]


def authorized_roles(catalog: Catalog, doc: dict[str, Any]) -> list[str]:
    return [p.principal_name for p in permissions_on(catalog, doc) if p.principal_type == "role"]


def _entry(doc: dict[str, Any], permission: Permission, **who: Any) -> dict[str, Any]:
    entry = {
        **identity(doc),
        **who,
        "metadataPermission": permission.metadata,
        "dataPermission": permission.data,
    }
    if permission.set_on != _level_of(doc):
        entry["inheritedFrom"] = permission.set_on
    return entry


def _principal_entry(doc: dict[str, Any], permission: Permission) -> dict[str, Any]:
    via_role = permission.principal_type == "role"
    return _entry(
        doc,
        permission,
        principalName=permission.principal_name,
        principalType=permission.principal_type,
        grantSources=["role" if via_role else "direct"],
        contributingRoles=[permission.principal_name] if via_role else [],
    )


def _user_entry(catalog: Catalog, doc: dict[str, Any], user: str) -> dict[str, Any] | None:
    roles = [sa.PUBLIC_ROLE, *sa.CATALOG_USERS[user]]
    held = [
        p
        for p in permissions_on(catalog, doc)
        if (p.principal_type, p.principal_name) == ("user", user)
        or (p.principal_type == "role" and p.principal_name in roles)
    ]
    if not held:
        return None
    deciding = max(held, key=lambda p: p.strength)
    strongest = Permission(
        "user",
        user,
        sa.METADATA_PERMISSIONS[max(p.strength[0] for p in held)],
        sa.DATA_PERMISSIONS[max(p.strength[1] for p in held)],
        deciding.set_on,
    )
    return _entry(
        doc,
        strongest,
        principalName=user,
        principalType="user",
        grantSources=sorted({"role" if p.principal_type == "role" else "direct" for p in held}),
        contributingRoles=[p.principal_name for p in held if p.principal_type == "role"],
    )


def _username(params: QueryParams) -> str | None:
    name = text(params, "username")
    if name is None:
        return None
    for user in sa.CATALOG_USERS:
        if user.lower() == name.lower():
            return user
    raise BadRequest(f"Unknown OvalEdge user {name!r}")


def _objects(catalog: Catalog, params: QueryParams) -> list[dict[str, Any]] | None:
    """The objects the parameters name (None: none named); raises when they name nothing."""
    object_id, fqn, name = (
        text(params, "objectId"),
        text(params, "fullyQualifiedName"),
        text(params, "objectName"),
    )
    if sum(v is not None for v in (object_id, fqn, name)) > 1:
        raise BadRequest(
            "Name the object one way: objectId with objectType, fullyQualifiedName or objectName"
        )
    kind = text(params, "objectType")
    if kind is not None:
        kind = checked_type(kind)
        if kind not in SECURED_TYPES:
            raise BadRequest(f"Catalog permissions are kept for {list(SECURED_TYPES)}, not {kind!r}")
    if object_id is not None:
        if kind is None:
            raise BadRequest("objectType is required with objectId")
        found = [catalog.get(integer(params, "objectId", minimum=1), kind)]
    elif fqn is not None:
        found = [catalog.by_fqn(fqn)]
    elif name is not None:
        found = [
            d
            for d in catalog.of_type(*([kind] if kind else SECURED_TYPES))
            if d["objectName"].lower() == name.lower()
        ]
    else:
        return None
    found = [d for d in found if d is not None and d["objectType"] in SECURED_TYPES]
    if not found:
        raise LookupError
    return found


def _listed(catalog: Catalog, params: QueryParams) -> list[dict[str, Any]]:
    """Every secured object (of `objectType` when given; without it, no columns)."""
    kind = text(params, "objectType")
    kinds = [checked_type(kind)] if kind else [t for t in SECURED_TYPES if t not in _FOLLOWING_THEIR_PARENT]
    return catalog.of_type(*kinds)


ENTRIES = SHAPES.declare(
    "catalog_access.entries",
    ("effectiveAccess", "principals", "permissions"),
    "effectiveAccess",
    "docs/wire.md GET /api/v1/mcp/access-explorer: catalog permissions under effectiveAccess "
    "(evidenced), object_to_principals under principals (named beside it), or permissions (ours, before)",
)


def _entries_key(shapes: dict[str, str], direction: str) -> str:
    chosen = SHAPES.choice(shapes, ENTRIES)
    if chosen == "principals" and direction == "user_to_object":
        return "effectiveAccess"
    return chosen


def _about_one(doc: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The object an answer is about, at the top of `data` as OvalEdge names it: its identity,
    `redirectUrl` (its hash route), and `inheritedFrom` when every entry comes from one level above
    it (a story's zone)."""
    about = {k: v for k, v in identity(doc).items() if k != "navLink"}
    about["redirectUrl"] = doc["navLink"]
    levels = {json.dumps(e.get("inheritedFrom"), sort_keys=True) for e in entries}
    if entries and len(levels) == 1 and entries[0].get("inheritedFrom"):
        about["inheritedFrom"] = entries[0]["inheritedFrom"]
    return about


_IDENTITY_KEYS = ("objectId", "objectType", "objectName", "fullyQualifiedName", "navLink")


def _without_identity(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in _IDENTITY_KEYS}


def catalog_access(catalog: Catalog, params: QueryParams, shapes: dict[str, str] | None = None) -> Answer:
    shapes = shapes or {}
    direction = choice(params, "queryDirection", CATALOG_DIRECTIONS)
    key = _entries_key(shapes, direction)
    user = _username(params)
    try:
        named = _objects(catalog, params)
    except LookupError:
        return not_found()
    data: dict[str, Any] = {"operation": "catalog_access", "queryDirection": direction}
    if user is not None:
        data["username"] = user
    if named is not None and len(named) > 1 and not flag(params, "resolveAllMatches"):
        advice = (
            f"objectName {text(params, 'objectName')!r} matches {len(named)} objects; pass the objectId "
            "and objectType (or the fullyQualifiedName) of one, or resolveAllMatches=true for all"
        )
        return ok({**data, key: [], **ambiguity([identity(d) for d in named], advice)})
    if direction == "user_to_object":
        if user is None:
            raise BadRequest("username is required for user_to_object")
        entries = [_user_entry(catalog, doc, user) for doc in named or _listed(catalog, params)]
        found = [e for e in entries if e is not None]
    else:
        if named is None:
            raise BadRequest(
                "object_to_principals needs an object: objectId with objectType, "
                "fullyQualifiedName or objectName"
            )
        found = [_principal_entry(doc, p) for doc in named for p in permissions_on(catalog, doc)]
    if named is not None and len(named) == 1:
        data.update(_about_one(named[0], found))
        if key != "permissions":
            found = [_without_identity(e) for e in found]
    data[key] = found
    return ok(data)


def access_explorer(catalog: Catalog, params: QueryParams, shapes: dict[str, str] | None = None) -> Answer:
    operation = choice(params, "operation", OPERATIONS)
    if operation == "catalog_access":
        return catalog_access(catalog, params, shapes)
    return native_access.source_system_access(catalog, params, shapes)


def get_user_object_access(
    catalog: Catalog, params: QueryParams, shapes: dict[str, str] | None = None
) -> Answer:
    """First generation: `GET get-user-object-access`, the catalog permissions without `operation`."""
    return catalog_access(catalog, params, shapes)


def source_system_access(
    catalog: Catalog, params: QueryParams, shapes: dict[str, str] | None = None
) -> Answer:
    """First generation: `GET source-system-access`, the native grants without `operation`."""
    return native_access.source_system_access(catalog, params, shapes)
