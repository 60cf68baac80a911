"""`access-explorer?operation=source_system_access`: native grants (OvalEdge's RDAM) of Snowflake
and Tableau, from sample_access.py, over the objects of their catalog connections.

A user holds a grant directly, through a role (and every role inside it: Snowflake's role
hierarchy) or through a group (Tableau). Snowflake has no groups and Tableau no roles, so the
directions that need the missing kind answer 400 (group_to_roles and role_to_groups on both).
Neither system keeps column grants: `includeColumns` is accepted and changes nothing. Snowflake
paths are dotted (DB.SCHEMA.TABLE), Tableau's Project/Report. An object may also be named by its
catalog `objectId` (with `objectType`, the native level), its `fullyQualifiedName` or its
`objectName` when `objectPath` is absent. Shape switches: how a connector without native access
answers (`native_access.unsupported`), and a path matching several objects
(`native_access.partial_path`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from starlette.datastructures import QueryParams

from sandbox import sample_access as sa
from sandbox.catalog import Catalog
from sandbox.shapes import SHAPES
from sandbox.wire import Answer, BadRequest, ambiguity, choice, flag, integer, not_found, ok, one_of, text

UNSUPPORTED = "mcp.source.system.unsupported"
MISMATCH = "mcp.source.system.hint.mismatch"
DIRECTIONS = (
    "user_to_objects",
    "object_to_users",
    "browse",
    "role_to_users",
    "group_to_users",
    "user_to_roles",
    "user_to_groups",
    "group_to_roles",
    "role_to_groups",
    "role_to_parent_roles",
    "role_to_privileges",
    "group_to_privileges",
    "user_to_privileges",
    "privilege_to_roles",
    "privilege_to_groups",
    "privilege_to_users",
    "privilege_to_principals",
)
# direction -> the kinds of principal besides users it needs the source system to have
_NEEDS = {
    "role_to_users": ("role",),
    "group_to_users": ("group",),
    "user_to_roles": ("role",),
    "user_to_groups": ("group",),
    "group_to_roles": ("group", "role"),
    "role_to_groups": ("role", "group"),
    "role_to_parent_roles": ("role",),
    "role_to_privileges": ("role",),
    "group_to_privileges": ("group",),
    "privilege_to_roles": ("role",),
    "privilege_to_groups": ("group",),
}
_SUMMARY_LEVELS = ("database", "schema", "table", "column")
_MECHANISMS = ("direct", "group", "role")
_CATALOG_LEVELS = {"oeschema": "schema", "oetable": "table", "oecolumn": "column"}


UNSUPPORTED_ANSWER = SHAPES.declare(
    "native_access.unsupported",
    ("code", "errorCode", "error_code", "message"),
    "code",
    "docs/wire.md GET /api/v1/mcp/access-explorer: a connector without native access answers 400 with "
    "OvalEdge's message and mcp.source.system.unsupported under code, errorCode or error_code, or "
    "(the reference's client keeps only the message) the message alone",
)
PARTIAL_PATH = SHAPES.declare(
    "native_access.partial_path",
    ("candidates", "merged", "parents"),
    "candidates",
    "docs/wire.md GET /api/v1/mcp/access-explorer: a path matching several objects answers "
    "matchCandidates, or (a backend without that step, which the reference also shapes) the grants "
    "of every match merged, or only the grants on their parents",
)


class CodedBadRequest(BadRequest):
    """A 400 whose code goes under the key the chosen release uses (or nowhere)."""

    def __init__(self, message: str, code: str, key: str):
        super().__init__(message, code)
        self.key = key

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "message": str(self)}
        if self.key != "message":
            body[self.key] = self.error_code
        return body


class NativeObject(NamedTuple):
    level: str
    path: str
    name: str
    parent: str | None
    catalog_id: int | None = None  # the catalog object it stands for


class Grant(NamedTuple):
    principal_type: str
    principal_name: str
    privileges: list[str]
    level: str
    path: str


def _snowflake_objects(catalog: Catalog, connection: str) -> list[NativeObject]:
    """The database, then the connection's schemas, tables and columns, upper-case as Snowflake
    names them."""
    database = sa.SNOWFLAKE_DATABASE
    objects = [NativeObject("database", database, database, None)]
    paths: dict[int, str] = {}
    for doc in catalog.of_type(*_CATALOG_LEVELS):
        if doc["connectionName"] != connection:
            continue
        parent = catalog.parent(doc)
        parent_path = paths[parent["objectId"]] if parent else database
        paths[doc["objectId"]] = f"{parent_path}.{doc['objectName'].upper()}"
        objects.append(
            NativeObject(
                _CATALOG_LEVELS[doc["objectType"]],
                paths[doc["objectId"]],
                doc["objectName"].upper(),
                parent_path,
                doc["objectId"],
            )
        )
    return objects


def _tableau_objects(catalog: Catalog, connection: str) -> list[NativeObject]:
    """Projects (the charts' report groups), then the charts as reports."""
    charts = [d for d in catalog.of_type("oechart") if d["connectionName"] == connection]
    projects = dict.fromkeys(chart["reportGroup"] for chart in charts)
    return [NativeObject("project", p, p, None) for p in projects] + [
        NativeObject("report", f"{c['reportGroup']}/{c['objectName']}", c["objectName"], c["reportGroup"],
                     c["objectId"])
        for c in charts
    ]


_OBJECT_BUILDERS: dict[str, Callable[[Catalog, str], list[NativeObject]]] = {
    "snowflake": _snowflake_objects,
    "tableau": _tableau_objects,
}


class System:
    """One natively read source system: its objects, principals, memberships and grants."""

    def __init__(self, catalog: Catalog, name: str, connection: dict[str, Any]):
        spec = sa.NATIVE_SYSTEMS[name]
        self.name = name
        self.separator = "/" if name == "tableau" else "."  # Tableau: Project/Report
        self.connection_id = connection["connectionId"]
        self.levels: tuple[str, ...] = spec["levels"]
        self.principal_types: tuple[str, ...] = spec["principalTypes"]
        self.objects = _OBJECT_BUILDERS[name](catalog, connection["connectionName"])
        self.by_path = {o.path: o for o in self.objects}
        self.memberships = sa.NATIVE_MEMBERSHIPS[name]
        self.grants = [Grant(*g) for g in sa.NATIVE_GRANTS[name]]

    def principals(self, kind: str) -> list[str]:
        named = [(t, n) for t, n, _, _ in self.memberships] + [(t, n) for _, _, t, n in self.memberships]
        named += [(g.principal_type, g.principal_name) for g in self.grants]
        return list(dict.fromkeys(n for t, n in named if t == kind))

    def containers(self, member_type: str, member: str, kind: str) -> list[str]:
        return [n for t, m, k, n in self.memberships if (t, m, k) == (member_type, member, kind)]

    def members(self, kind: str, container: str, member_type: str) -> list[str]:
        return [m for t, m, k, n in self.memberships if (t, k, n) == (member_type, kind, container)]

    def held_by(self, principal_type: str, name: str) -> list[Grant]:
        return [g for g in self.grants if (g.principal_type, g.principal_name) == (principal_type, name)]

    def ancestors(self, path: str) -> list[str]:
        found, parent = [], self.by_path[path].parent
        while parent is not None:
            found.append(parent)
            parent = self.by_path[parent].parent
        return found


def _reachable(start: Iterable[str], step: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """Each role reachable from `start` by `step` -> the chain of roles reaching it (breadth first)."""
    found: dict[str, list[str]] = {}
    queue = [(role, [role]) for role in start]
    while queue:
        role, chain = queue.pop(0)
        if role not in found:
            found[role] = chain
            queue += [(following, [*chain, following]) for following in step(role)]
    return found


def _inner_roles(system: System) -> Callable[[str], list[str]]:
    return lambda role: system.members("role", role, "role")


def _user_roles(system: System, user: str) -> dict[str, list[str]]:
    """Every role the user has -> the chain from the role granted to the user down to it."""
    return _reachable(system.containers("user", user, "role"), _inner_roles(system))


def _row(system: System, grant: Grant, principal_type: str, principal: str, mechanism: str, **via: Any):
    return {
        "objectPath": grant.path,
        "objectLevel": grant.level,
        "privileges": list(grant.privileges),
        "grantMechanism": mechanism,
        "principalType": principal_type,
        "principalName": principal,
        **via,
        "connectionId": system.connection_id,
    }


def _user_rows(system: System, user: str) -> list[dict[str, Any]]:
    """Every grant reaching the user: direct, through each of its roles, through each group."""
    rows = [_row(system, g, "user", user, "direct") for g in system.held_by("user", user)]
    for role, chain in _user_roles(system, user).items():
        rows += [
            _row(system, g, "user", user, "role", contributingRole=role, contributingRoles=chain)
            for g in system.held_by("role", role)
        ]
    for group in system.containers("user", user, "group"):
        rows += [
            _row(system, g, "user", user, "group", contributingGroup=group)
            for g in system.held_by("group", group)
        ]
    return rows


def _role_rows(system: System, role: str) -> list[dict[str, Any]]:
    """The role's own grants, then those of the roles inside it."""
    rows = []
    for inner, chain in _reachable([role], _inner_roles(system)).items():
        via = {} if inner == role else {"contributingRole": inner, "contributingRoles": chain[1:]}
        mechanism = "direct" if inner == role else "role"
        rows += [_row(system, g, "role", role, mechanism, **via) for g in system.held_by("role", inner)]
    return rows


class Query(NamedTuple):
    system: System
    direction: str
    level: str | None  # objectType
    users: list[str]
    names: list[str]  # objectPath values: object paths, or role/group/privilege names
    objects: list[NativeObject]  # the object paths, resolved
    descendants: bool

    def in_scope(self, path: str) -> bool:
        below = self.system.separator
        return any(
            path == o.path or (self.descendants and path.startswith(o.path + below)) for o in self.objects
        )


def _canonical(name: str, known: list[str], what: str, system: System) -> str:
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    raise BadRequest(f"No {what} {name!r} on {system.name} connection {system.connection_id}")


def _named(query: Query, kind: str) -> list[str]:
    if not query.names:
        raise BadRequest(f"{query.direction} needs the {kind} name in objectPath")
    system = query.system
    if kind == "privilege":
        known = list(dict.fromkeys(p for g in system.grants for p in g.privileges))
        return [_canonical(n, known, kind, system) for n in query.names]
    return [_canonical(n, system.principals(kind), kind, system) for n in query.names]


def _needs_users(query: Query) -> list[str]:
    if not query.users:
        raise BadRequest(f"username is required for {query.direction}")
    return query.users


def _at_level(query: Query, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if query.level is None or r["objectLevel"] == query.level]


def _user_to_objects(query: Query) -> dict[str, Any]:
    """The users' grants at the `objectType` level; with an objectPath, on it (or, with
    scopeMode=descendants, on anything under it, whatever the level)."""
    rows = [r for u in _needs_users(query) for r in _user_rows(query.system, u)]
    if not query.objects:
        return {"grants": _at_level(query, rows)}
    scoped = [r for r in rows if query.in_scope(r["objectPath"])]
    return {"grants": scoped if query.descendants else _at_level(query, scoped)}


def _object_to_users(query: Query) -> dict[str, Any]:
    system = query.system
    if query.objects:
        targets = {p for o in query.objects for p in (o.path, *system.ancestors(o.path))}
        targets |= {o.path for o in system.objects if query.in_scope(o.path)}
    elif query.descendants:
        targets = set(system.by_path)
    else:
        raise BadRequest(
            "object_to_users needs objectPath (or scopeMode=descendants for the whole connection)"
        )
    users = query.users or system.principals("user")
    return {"grants": [r for u in users for r in _user_rows(system, u) if r["objectPath"] in targets]}


def _role_privileges(query: Query) -> dict[str, Any]:
    rows = [r for role in _named(query, "role") for r in _role_rows(query.system, role)]
    return {"grants": _at_level(query, rows)}


def _group_privileges(query: Query) -> dict[str, Any]:
    system = query.system
    rows = [
        _row(system, g, "group", group, "direct")
        for group in _named(query, "group")
        for g in system.held_by("group", group)
    ]
    return {"grants": _at_level(query, rows)}


def _holders_of_privilege(
    holder_types: tuple[str, ...], expand_users: bool
) -> Callable[[Query], dict[str, Any]]:
    def answer(query: Query) -> dict[str, Any]:
        system = query.system
        wanted = set(_named(query, "privilege"))
        if expand_users:
            rows = [r for u in system.principals("user") for r in _user_rows(system, u)]
        else:
            rows = [
                _row(system, g, g.principal_type, g.principal_name, "direct")
                for g in system.grants
                if g.principal_type in holder_types
            ]
        kept = []
        for row in _at_level(query, rows):
            privileges = [p for p in row["privileges"] if p in wanted]
            if privileges:
                kept.append({**row, "privileges": privileges})
        return {"grants": kept}

    return answer


def _principal(kind: str, name: str, chain: list[str]) -> dict[str, Any]:
    entry = {"principalType": kind, "principalName": name}
    if len(chain) > 1:
        entry["via"] = chain[0]
    return entry


def _memberships(query: Query) -> dict[str, Any]:
    system, direction = query.system, query.direction
    found: list[dict[str, Any]] = []
    if direction == "user_to_roles":
        for user in _needs_users(query):
            found += [_principal("role", r, chain) for r, chain in _user_roles(system, user).items()]
    elif direction == "user_to_groups":
        for user in _needs_users(query):
            found += [
                {"principalType": "group", "principalName": g}
                for g in system.containers("user", user, "group")
            ]
    elif direction == "role_to_users":
        for role in _named(query, "role"):
            for user in system.principals("user"):
                chain = _user_roles(system, user).get(role)
                if chain is not None:
                    found.append(_principal("user", user, chain))
    elif direction == "group_to_users":
        for group in _named(query, "group"):
            found += [
                {"principalType": "user", "principalName": u} for u in system.members("group", group, "user")
            ]
    else:  # role_to_parent_roles
        for role in _named(query, "role"):
            outer = _reachable(
                system.containers("role", role, "role"), lambda r: system.containers("role", r, "role")
            )
            found += [_principal("role", r, chain) for r, chain in outer.items()]
    first_each: dict[str, dict[str, Any]] = {}
    for entry in found:
        first_each.setdefault(entry["principalName"], entry)
    return {"grants": [], "principals": list(first_each.values())}


def _browse(query: Query) -> dict[str, Any]:
    system = query.system
    if len(query.objects) > 1:
        raise BadRequest("browse lists the children of one objectPath")
    parent = query.objects[0] if query.objects else None
    depth = system.levels.index(parent.level) + 1 if parent else 0
    child_level = query.level or (system.levels[depth] if depth < len(system.levels) else None)
    if child_level is None or system.levels.index(child_level) < depth:
        raise BadRequest(f"objectType must name a level below {parent.level if parent else 'the connection'}")
    children = [
        {"objectPath": o.path, "objectLevel": o.level, "name": o.name}
        for o in system.objects
        if o.level == child_level
        and (parent is None or o.path.startswith(parent.path + system.separator))
    ]
    return {"grants": [], "children": children}


_HANDLERS: dict[str, Callable[[Query], dict[str, Any]]] = {
    "user_to_objects": _user_to_objects,
    "user_to_privileges": _user_to_objects,
    "object_to_users": _object_to_users,
    "browse": _browse,
    "role_to_privileges": _role_privileges,
    "group_to_privileges": _group_privileges,
    "privilege_to_roles": _holders_of_privilege(("role",), expand_users=False),
    "privilege_to_groups": _holders_of_privilege(("group",), expand_users=False),
    "privilege_to_principals": _holders_of_privilege(("role", "group", "user"), expand_users=False),
    "privilege_to_users": _holders_of_privilege((), expand_users=True),
    **dict.fromkeys(("user_to_roles", "user_to_groups", "role_to_users", "group_to_users"), _memberships),
    "role_to_parent_roles": _memberships,
}
_OBJECT_PATH_DIRECTIONS = ("user_to_objects", "user_to_privileges", "object_to_users", "browse")


def _system(catalog: Catalog, params: QueryParams, code_key: str) -> tuple[System, bool]:
    """The source system asked for, checked against `connectionId`; and whether one was given."""
    name = text(params, "sourceSystem")
    if name is None:
        raise BadRequest("sourceSystem is required, e.g. snowflake or tableau")
    name = name.lower()
    if name not in sa.NATIVE_SYSTEMS:
        raise CodedBadRequest(
            f"Connector type {name} is not supported for native DAM access. Supported connector types: "
            f"{', '.join(sa.NATIVE_SYSTEMS)}. Continue with operation=catalog_access.",
            UNSUPPORTED,
            code_key,
        )
    expected = sa.NATIVE_SYSTEMS[name]["connectionId"]
    by_id = {c["connectionId"]: c for c in catalog.connections.values()}
    given = [v.strip() for v in params.getlist("connectionId") if v.strip()]
    if len(given) > 1:
        raise BadRequest("Give one connectionId per call")
    if given:
        if not given[0].isdigit() or int(given[0]) not in by_id:
            raise BadRequest(f"No connection with connectionId {given[0]!r}")
        connection = by_id[int(given[0])]
        if connection["connectionId"] != expected:
            raise CodedBadRequest(
                f"connectionId {given[0]} is {connection['connectionName']} ({connection['serverType']}), "
                f"not a {name} connection",
                MISMATCH,
                "errorCode" if code_key == "message" else code_key,
            )
    return System(catalog, name, by_id[expected]), bool(given)


def _level(params: QueryParams, system: System) -> str | None:
    level = text(params, "objectType")
    if level is None:
        return None
    return one_of(level.lower(), f"objectType for {system.name}", system.levels)


def _resolve(system: System, path: str, level: str | None) -> list[NativeObject]:
    """Objects at `path`, or, when its leading parts are left out, every object it ends."""
    pool = [o for o in system.objects if level is None or o.level == level]
    exact = [o for o in pool if o.path.lower() == path.lower()]
    return exact or [o for o in pool if o.path.lower().endswith(system.separator + path.lower())]


def _by_catalog_id(system: System, params: QueryParams, level: str | None) -> str | None:
    """The path of the object `objectId` names (a catalog id), checked against `objectType`."""
    object_id = integer(params, "objectId", minimum=1)
    if object_id is None:
        return None
    if level is None:
        raise BadRequest("objectType is required with objectId")
    found = [o for o in system.objects if o.catalog_id == object_id and o.level == level]
    if not found:
        raise LookupError
    return found[0].path


def _summary(system: System, grants: list[dict[str, Any]]) -> dict[str, Any]:
    levels = dict.fromkeys((*_SUMMARY_LEVELS, *system.levels))
    return {
        "totalGrants": len(grants),
        "byObjectLevel": {level: sum(g["objectLevel"] == level for g in grants) for level in levels},
        "byGrantMechanism": {m: sum(g["grantMechanism"] == m for g in grants) for m in _MECHANISMS},
    }


def source_system_access(
    catalog: Catalog, params: QueryParams, shapes: dict[str, str] | None = None
) -> Answer:
    shapes = shapes or {}
    system, connection_given = _system(catalog, params, SHAPES.choice(shapes, UNSUPPORTED_ANSWER))
    direction = choice(params, "queryDirection", DIRECTIONS)
    for kind in _NEEDS.get(direction, ()):
        if kind not in system.principal_types:
            raise BadRequest(f"{system.name} has no {kind}s; {direction} does not apply to it")
    if direction == "browse" and not connection_given:
        raise BadRequest("browse needs connectionId")
    level = _level(params, system)
    scope = text(params, "scopeMode") or "exact"
    descendants = one_of(scope, "scopeMode", ("exact", "descendants")) == "descendants"
    flag(params, "includeColumns")  # checked only: neither system keeps column grants
    users = [
        _canonical(u, system.principals("user"), "user", system)
        for u in params.getlist("username")
        if u.strip()
    ]
    names = [n.strip() for n in params.getlist("objectPath") if n.strip()]
    if not names:  # the object by its catalog id, else its FQN or name (docs: aliases of objectPath)
        try:
            by_id = _by_catalog_id(system, params, level) if direction in _OBJECT_PATH_DIRECTIONS else None
        except LookupError:
            return not_found()
        alias = by_id or text(params, "fullyQualifiedName") or text(params, "objectName")
        names = [alias] if alias else []
    data: dict[str, Any] = {
        "sourceSystem": system.name,
        "queryDirection": direction,
        "connectionId": system.connection_id,
    }
    if users:
        data["username"] = users[0] if len(users) == 1 else users
    objects: list[NativeObject] = []
    several = False
    if direction in _OBJECT_PATH_DIRECTIONS:
        for name in names:
            found = _resolve(system, name, None if direction == "browse" else level)
            if not found:
                return not_found()
            merged = SHAPES.choice(shapes, PARTIAL_PATH) != "candidates"
            several = several or len(found) > 1
            if len(found) > 1 and not flag(params, "resolveAllMatches") and not merged:
                advice = (
                    f"objectPath {name!r} matches {len(found)} objects; give the full path "
                    f"(e.g. {found[0].path}), or resolveAllMatches=true for all"
                )
                candidates = [
                    {"objectPath": o.path, "objectLevel": o.level, "connectionId": system.connection_id}
                    for o in found
                ]
                return ok(
                    {
                        **data,
                        "grants": [],
                        "summary": _summary(system, []),
                        **ambiguity(candidates, advice),
                        "requiresSchemaSelection": found[0].level in ("table", "column"),
                    }
                )
            objects += found
    query = Query(system, direction, level, users, names, objects, descendants)
    answer = _HANDLERS[direction](query)
    if several and SHAPES.choice(shapes, PARTIAL_PATH) == "parents":
        answer["grants"] = [g for g in answer["grants"] if g["objectLevel"] not in ("table", "column")]
    return ok({**data, **answer, "summary": _summary(system, answer["grants"])})
