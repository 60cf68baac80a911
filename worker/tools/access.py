"""`access_explorer`: OvalEdge catalog permissions, and native grants in the source systems
OvalEdge manages access for (RDAM: e.g. Snowflake, Tableau).

"Who has access to X" means two different things; the tool refuses that question until the
user has said which (`access_intent_confirmed`), before any call. Arguments are checked here so
OvalEdge is only asked what it can answer; a source system without native access support is
answered with catalog permissions instead, and the result says so. Current OvalEdge only.
"""

from __future__ import annotations

from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.registry import Tool, ToolContext
from worker.schema import boolean, closed, integer, string
from worker.tools.common import as_list, data_of, link, md_table, ok, one

CATALOG_DIRECTIONS = ("user_to_object", "object_to_principals")
NATIVE_DIRECTIONS = (
    "user_to_objects", "object_to_users", "browse", "role_to_users", "group_to_users",
    "user_to_roles", "user_to_groups", "group_to_roles", "role_to_groups", "role_to_parent_roles",
    "role_to_privileges", "group_to_privileges", "user_to_privileges", "privilege_to_roles",
    "privilege_to_groups", "privilege_to_users", "privilege_to_principals",
)
USER_DIRECTIONS = ("user_to_objects", "user_to_roles", "user_to_groups", "user_to_privileges")
NAMED_DIRECTIONS = tuple(d for d in NATIVE_DIRECTIONS
                         if d.startswith(("role_", "group_", "privilege_")))
OBJECT_DIRECTIONS = ("user_to_objects", "object_to_users", "browse")
LEVELS = ("database", "schema", "table", "column", "project", "report", "all")
LEVEL_ALIASES = {"oeschema": "schema", "oetable": "table", "oecolumn": "column"}
CATALOG_TYPES = (
    "connection", "oeschema", "oetable", "oecolumn", "oefile", "filefolder", "oedomain", "oechart",
    "chartchild", "oeapi", "oeapicolumn", "oequery", "code", "oecode", "oeglobaldomain",
    "storyzone", "glossary", "oetag", "mastertag", "oestory", "dp_domain", "dp_product",
)
NATIVE_ONLY = ("source_system", "object_path", "connection_id", "include_columns", "privileges")
UNSUPPORTED_SYSTEM = "mcp.source.system.unsupported"
NO_GROUPS = ("snowflake",)  # source systems without groups

# The who-has-access gate: direction -> the intent the user must have chosen.
INTENT_OF = {"object_to_users": "native", "object_to_principals": "catalog_acl"}
INTENT_QUESTION = (
    "\"Who has access\" can mean two things here. Which one does the user mean?\n"
    "1 = native source access: the grants inside the data platform itself (roles, groups and "
    "privileges in e.g. Snowflake or Tableau).\n"
    "2 = OvalEdge catalog permissions: who may see or change the asset's metadata and data in "
    "OvalEdge.\n"
    "Ask the user, then call again with access_intent_confirmed=native (1) or catalog_acl (2)."
)


def _gate(direction: str, confirmed: str | None) -> None:
    wanted = INTENT_OF.get(direction)
    if wanted is None or confirmed == wanted:
        return
    other = "catalog_access with object_to_principals" if wanted == "native" else \
        "source_system_access with object_to_users"
    mismatch = (f" (access_intent_confirmed={confirmed} is the other meaning: use operation={other})"
                if confirmed else "")
    raise InvalidArguments(
        f"{direction} needs the user's choice between native access and catalog permissions first"
        f"{mismatch}; nothing was asked of OvalEdge. {INTENT_QUESTION}",
        error_code="ACCESS_INTENT_REQUIRED", advisoryMessage=INTENT_QUESTION,
        formattedResponse=INTENT_QUESTION, requiredIntent=wanted,
    )


def _level(value: Any) -> str:
    level = LEVEL_ALIASES.get(str(value).lower(), str(value).lower())
    if level not in LEVELS:
        raise InvalidArguments(f"object_type={value!r} is not a native access level; use one of: "
                               f"{', '.join(LEVELS)} (or oeschema, oetable, oecolumn)")
    return level


def catalog_query(a: dict[str, Any]) -> dict[str, Any]:
    direction = a["query_direction"]
    if direction not in CATALOG_DIRECTIONS:
        raise InvalidArguments(f"query_direction={direction!r} is not a catalog_access direction; use "
                               f"{' or '.join(CATALOG_DIRECTIONS)} (the others are source_system_access)")
    wrong = [arg for arg in NATIVE_ONLY if arg in a] + (["scope_mode"] if a.get("scope_mode") == "descendants"
                                                        else [])
    if wrong:
        raise InvalidArguments(
            f"{', '.join(wrong)} apply to operation=source_system_access, not catalog_access")
    object_type = one(a.get("object_type"), "object_type")
    if object_type is not None and object_type not in CATALOG_TYPES:
        raise InvalidArguments(f"object_type={object_type!r} is not allowed for catalog_access; use one of: "
                               f"{', '.join(CATALOG_TYPES)}")
    if "object_id" in a and object_type is None:
        raise InvalidArguments("object_id goes with object_type (e.g. oetable)")
    username = one(a.get("username"), "username")
    if direction == "user_to_object" and username is None:
        raise InvalidArguments("user_to_object needs username (whose permissions to show)")
    has_object = any(k in a for k in ("object_id", "fully_qualified_name", "object_name"))
    if direction == "object_to_principals" and not has_object:
        raise InvalidArguments("object_to_principals needs the object: object_id with object_type, "
                               "fully_qualified_name, or object_name")
    _gate(direction, a.get("access_intent_confirmed"))
    return {
        "operation": "catalog_access", "queryDirection": direction, "username": username,
        "objectId": a.get("object_id"), "objectType": object_type,
        "fullyQualifiedName": a.get("fully_qualified_name"),
        "objectName": one(a.get("object_name"), "object_name"),
        "resolveAllMatches": True if a.get("resolve_all_matches") else None,
    }


def native_query(a: dict[str, Any]) -> dict[str, Any]:
    direction = a["query_direction"]
    if direction not in NATIVE_DIRECTIONS:
        raise InvalidArguments(f"query_direction={direction!r} is not a source_system_access direction; "
                               f"use one of: {', '.join(NATIVE_DIRECTIONS)}")
    system = one(a.get("source_system"), "source_system")
    if not system:
        raise InvalidArguments("source_system_access needs source_system, e.g. snowflake or tableau")
    system = str(system).strip().lower()
    if "object_id" in a:
        raise InvalidArguments("object_id is a catalog id: use it with operation=catalog_access; native "
                               "access takes object_path (e.g. RETAIL_DB.MART.FCT_ORDERS)")
    connection = one(a.get("connection_id"), "connection_id")
    level = _level(one(a["object_type"], "object_type")) if "object_type" in a else None
    descendants = a.get("scope_mode") == "descendants"
    paths = as_list(a.get("object_path")) + as_list(a.get("fully_qualified_name"))
    names = as_list(a.get("object_name"))
    usernames = as_list(a.get("username"))
    if direction in USER_DIRECTIONS and not usernames:
        raise InvalidArguments(f"{direction} needs username")
    if direction in NAMED_DIRECTIONS:
        kind = direction.split("_", 1)[0]
        paths = paths + names
        if not paths:
            raise InvalidArguments(f"{direction} needs the {kind} name in object_path or object_name")
    elif names and not paths:
        paths = names
    if "group" in direction and system in NO_GROUPS:
        raise InvalidArguments(f"{system} has no groups; use the role directions (role_to_users, "
                               "user_to_roles, ...) instead")
    if direction == "browse" and connection is None:
        raise InvalidArguments("browse needs connection_id (the connection whose objects to list)")
    if descendants and not paths and connection is None:
        raise InvalidArguments("scope_mode=descendants needs object_path (the scope) or connection_id")
    if direction == "object_to_users" and not descendants and not paths:
        raise InvalidArguments("object_to_users needs object_path, e.g. RETAIL_DB.MART.FCT_ORDERS")
    if direction in OBJECT_DIRECTIONS and paths and level is None:
        raise InvalidArguments("object_path needs object_type: the level of the path (database, "
                               "schema, table, column, project or report)")
    _gate(direction, a.get("access_intent_confirmed"))
    return {
        "operation": "source_system_access", "sourceSystem": system, "queryDirection": direction,
        "username": usernames or None, "objectPath": paths or None,
        "objectType": None if level in (None, "all") else level,
        "includeColumns": True if a.get("include_columns") else None,
        "connectionId": connection,
        "resolveAllMatches": True if a.get("resolve_all_matches") else None,
        "scopeMode": "descendants" if descendants else None,
    }


# -- shaping -----------------------------------------------------------------------------------------

def _filter_grants(data: dict[str, Any], a: dict[str, Any], query: dict[str, Any]) -> list[str]:
    """Keep the grants the user asked about; return what was filtered, for the answer's notes."""
    grants = data.get("grants")
    if not isinstance(grants, list):
        return []
    notes = []
    wanted_level = query.get("objectType")
    if query["queryDirection"] == "user_to_objects" and wanted_level:
        kept = [g for g in grants if g.get("objectLevel") == wanted_level]
        if len(kept) != len(grants):
            notes.append(f"kept the {len(kept)} grants at {wanted_level} level")
        grants = kept
    privileges = {p.upper() for p in as_list(a.get("privileges"))}
    if privileges:
        kept = [g for g in grants if privileges & {str(p).upper() for p in g.get("privileges", [])}]
        notes.append(f"kept the {len(kept)} grants with {', '.join(sorted(privileges))}")
        grants = kept
    if notes:
        data["grants"] = grants
        data["summary"] = _summary(grants)
    return notes


def _summary(grants: list[dict[str, Any]]) -> dict[str, Any]:
    by_level: dict[str, int] = {}
    by_mechanism: dict[str, int] = {}
    for grant in grants:
        by_level[str(grant.get("objectLevel"))] = by_level.get(str(grant.get("objectLevel")), 0) + 1
        key = str(grant.get("grantMechanism"))
        by_mechanism[key] = by_mechanism.get(key, 0) + 1
    return {"totalGrants": len(grants), "byObjectLevel": by_level, "byGrantMechanism": by_mechanism}


def _via(grant: dict[str, Any]) -> str:
    via = [f"role {r}" for r in grant.get("contributingRoles") or as_list(grant.get("contributingRole"))]
    if grant.get("contributingGroup"):
        via.append(f"group {grant['contributingGroup']}")
    return f"{grant.get('grantMechanism', '?')}" + (f" ({', '.join(via)})" if via else "")


def render_access(data: dict[str, Any], notes: list[str]) -> str:
    lines: list[str] = []
    if data.get("fallback"):
        lines.append(f"Note: {data['fallback']['message']}")
    if data.get("ambiguousMatch"):
        lines.append(data.get("advisoryMessage") or "Several objects match; ask the user which one.")
        lines += [f"- {c.get('fullyQualifiedName') or c.get('objectPath') or c.get('objectName')}"
                  + (f" ({c.get('objectType') or c.get('objectLevel')})" if c.get("objectType")
                     or c.get("objectLevel") else "")
                  for c in data.get("matchCandidates") or []]
        return "\n".join(lines)
    if "grants" in data:
        grants = data["grants"] or []
        lines.append(f"{len(grants)} native grant(s) in {data.get('sourceSystem', 'the source system')}.")
        if grants:
            lines.append(md_table(["Object", "Level", "Privileges", "Principal", "Via"], [
                [g.get("objectPath"), g.get("objectLevel"), g.get("privileges"),
                 f"{g.get('principalType', '')} {g.get('principalName', '')}".strip(), _via(g)]
                for g in grants]))
    if data.get("principals"):
        lines.append(md_table(["Principal", "Type", "Via"], [
            [p.get("principalName"), p.get("principalType"), p.get("via")] for p in data["principals"]]))
    if data.get("children"):
        lines.append(md_table(["Object", "Level"], [
            [c.get("objectPath") or c.get("name"), c.get("objectLevel")] for c in data["children"]]))
    if "permissions" in data:
        permissions = data["permissions"] or []
        lines.append(f"{len(permissions)} OvalEdge catalog permission(s).")
        if permissions:
            lines.append(md_table(
                ["Object", "Principal", "Metadata", "Data", "Granted by", "Inherited from"],
                [[link(str(p.get("objectName", "")), p.get("redirectUrl")),
                  f"{p.get('principalType', '')} {p.get('principalName', '')}".strip(),
                  p.get("metadataPermission"), p.get("dataPermission"),
                  p.get("grantSources") or p.get("contributingRoles"),
                  (p.get("inheritedFrom") or {}).get("objectName")] for p in permissions]))
    lines += [f"({note})" for note in notes]
    return "\n".join(lines) or "Nothing matched."


async def _catalog_instead(
    ctx: ToolContext, a: dict[str, Any], error: OvalEdgeError
) -> dict[str, Any] | None:
    """Native access is not supported for this source system: the same question as catalog
    permissions, where there is one."""
    direction = {"user_to_objects": "user_to_object", "object_to_users": "object_to_principals"}.get(
        a["query_direction"])
    if direction is None:
        return None
    paths = as_list(a.get("object_path")) + as_list(a.get("fully_qualified_name"))
    query = {"operation": "catalog_access", "queryDirection": direction,
             "username": (as_list(a.get("username")) or [None])[0],
             "objectName": str(paths[0]).rsplit(".", 1)[-1] if paths else None}
    data = dict(data_of(await ctx.api.call(routes.ACCESS_EXPLORER, query)))
    data["fallback"] = {
        "from": "source_system_access", "to": "catalog_access", "reason": error.message,
        "message": f"{a.get('source_system')} has no native access support in OvalEdge, so these are "
                   "OvalEdge catalog permissions instead.",
    }
    return data


async def access_explorer(ctx: ToolContext, a: dict[str, Any]) -> Any:
    query = catalog_query(a) if a["operation"] == "catalog_access" else native_query(a)

    async def current() -> dict[str, Any]:
        try:
            return dict(data_of(await ctx.api.call(routes.ACCESS_EXPLORER, query)))
        except OvalEdgeError as exc:
            if query["operation"] == "source_system_access" and exc.error_code == UNSUPPORTED_SYSTEM:
                instead = await _catalog_instead(ctx, a, exc)
                if instead is not None:
                    return instead
            raise

    data = await ctx.api.by_generation(routes.ACCESS, current, None, what="access_explorer")
    notes = _filter_grants(data, a, query)
    return ok(data, formattedResponse=render_access(data, notes), **({"notes": notes} if notes else {}))


_ONE_OR_MORE = {"type": ["string", "array"], "items": {"type": "string"}}
TOOLS = (
    Tool(
        name="access_explorer",
        title="Explore access permissions",
        description=(
            
            
            
            'Who can access what. operation=catalog_access: OvalEdge catalog permissions '
            '(user_to_object, object_to_principals). operation=source_system_access: native grants '
            '(source_system e.g. snowflake, tableau; object_path DB.SCHEMA.TABLE with object_type as '
            'its level; connection_id; user_to_objects, object_to_users, browse, and '
            'role/group/user/privilege lookups like role_to_users with the name in object_path; '
            "scope_mode=descendants; privileges filters). 'Who has access to X' needs the user's "
            'choice first, native (1) or catalog permissions (2): access_intent_confirmed=native or '
            'catalog_acl. matchCandidates: ask which. docs://ovaledge/mcp_workflows.'
        
        
        
        ),
        input_schema=closed(
            {
                "operation": string("The kind of access.",
                                    enum=["catalog_access", "source_system_access"]),
                "query_direction": string("Direction."),
                "username": {**_ONE_OR_MORE, "description": "User(s)."},
                "object_id": integer("Catalog object id.", minimum=1),
                "object_type": {**_ONE_OR_MORE, "description":
                                "Catalog type (catalog_access) or native level: database, schema, "
                                "table, column, project, report, all."},
                "fully_qualified_name": string("Catalog FQN (native: path)."),
                "object_name": {**_ONE_OR_MORE, "description": "Object/role/group/privilege name."},
                "resolve_all_matches": boolean("All matches, not asking."),
                "source_system": string("e.g. snowflake, tableau."),
                "object_path": {**_ONE_OR_MORE, "description": "DB.SCHEMA.TABLE, or a role/group/privilege."},
                "connection_id": {"type": ["integer", "array"], "minimum": 1,
                                  "items": {"type": "integer", "minimum": 1}, "description": "Connection."},
                "privileges": {**_ONE_OR_MORE, "description": "Keep grants with these."},
                "include_columns": boolean("Column-level grants."),
                "scope_mode": string("exact or descendants.", enum=["exact", "descendants"]),
                "access_intent_confirmed": string("The user's who-has-access choice.",
                                                  enum=["native", "catalog_acl"]),
            },
            required=("operation", "query_direction"),
        ),
        handler=access_explorer,
        choices={"query_direction": (*CATALOG_DIRECTIONS, *NATIVE_DIRECTIONS)},
        more_hint="narrow it: one object_path, an object_type level, or fewer usernames",
    ),
)
