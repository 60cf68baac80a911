"""`access_explorer`: OvalEdge catalog permissions, and native grants in the source systems
OvalEdge manages access for (RDAM: e.g. Snowflake, Redshift, Tableau).

"Who has access to X" means two different things; the tool refuses that question until the
user has said which (`access_intent_confirmed`), before any call. Arguments are read as OvalEdge's
own MCP server reads them (comma-separated lists, object_path + object_name composed into one
path) and checked so OvalEdge is only asked what it can answer. A source system without native
access support is answered, for "who has access to this object", with the object's catalog
permissions instead, and the result says so; "what can this login reach" is not, since a
source-system login is not an OvalEdge user. Current OvalEdge: `access-explorer`; older
releases: `source-system-access` and `get-user-object-access` (docs/wire.md).
"""

from __future__ import annotations

import json
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.notes import ignore
from worker.registry import Tool, ToolContext
from worker.routes import Route
from worker.schema import boolean, closed, integer, string
from worker.tools.common import data_of, link, md_table, ok, one

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
# The grant directions: the only ones whose object is a path at a level (object_type).
OBJECT_DIRECTIONS = ("user_to_objects", "object_to_users", "browse")
LEVELS = ("database", "schema", "table", "column", "project", "report", "all")
LEVEL_ALIASES = {"oeschema": "schema", "oetable": "table", "oecolumn": "column"}
# A native level as the catalog names it, for the catalog fallback.
CATALOG_TYPE_OF_LEVEL = {"schema": "oeschema", "table": "oetable", "column": "oecolumn"}
CATALOG_TYPES = (
    "connection", "oeschema", "oetable", "oecolumn", "oefile", "filefolder", "oedomain", "oechart",
    "chartchild", "oeapi", "oeapicolumn", "oequery", "code", "oecode", "oeglobaldomain",
    "storyzone", "glossary", "oetag", "mastertag", "oestory", "dp_domain", "dp_product",
)
NATIVE_ONLY = ("source_system", "object_path", "connection_id", "include_columns", "privileges",
               "scope_mode")
UNSUPPORTED_SYSTEM = "mcp.source.system.unsupported"
HINT_MISMATCH = "mcp.source.system.hint.mismatch"  # source_system vs connection_id: fix, no fallback
# OvalEdge's message for a connector without native access ("Connector type {0} is not supported
# for native DAM access. ... Continue with operation=catalog_access."); the code is not always there.
UNSUPPORTED_MARKERS = ("not supported for native dam", "continue with operation=catalog_access")
FALLBACK_ADVISORY = ("Connector type is not supported for native DAM access; continued with "
                     "operation=catalog_access.")
NO_GROUPS = ("snowflake",)  # source systems without groups
SUMMARY_LEVELS = ("database", "schema", "table", "column", "project", "report")
MECHANISMS = ("direct", "group", "role")
FULL_TABLE_PATH = 3  # dbName.schema.table

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
        formattedResponse=INTENT_QUESTION, accessIntentRequired=wanted, requiredIntent=wanted,
        queryDirection=direction,
    )


def strings(value: Any) -> list[str]:
    """A string or list argument as distinct non-blank strings, comma-separated values split
    (as OvalEdge's MCP server reads `username`, `object_path`, `privileges`, ...)."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [] if value is None else [value]:
        for part in str(item).split(","):
            token = part.strip()
            if token and token not in out:
                out.append(token)
    return out


def _single(value: Any, name: str) -> str | None:
    values = strings(value)
    if len(values) > 1:
        raise InvalidArguments(f"{name} takes one value per call, got {len(values)}: {values!r}")
    return values[0] if values else None


def _identifier(value: str) -> str:
    """A path segment without quotes, backticks, stray punctuation or 'table X' phrasing."""
    token = value.strip()
    while len(token) >= 2 and token[0] in "\"'`" and token[-1] == token[0]:
        token = token[1:-1].strip()
    token = token.strip(" \t\r\n.,;")
    if "/" not in token and "." not in token:
        words = token.split()
        if len(words) >= 2 and words[0].lower() == "the" and words[-1].lower() in ("table", "view"):
            words = words[1:-1]
        if len(words) >= 2 and words[0].lower() in ("table", "view"):
            words = words[1:]
        if len(words) >= 2 and words[-1].lower() in ("table", "view"):
            words = words[:-1]
        token = " ".join(words)
    return token


def _path(value: str) -> str:
    """A dotted database path or a slashed Tableau path, each segment cleaned."""
    separator = "/" if "/" in value else "."
    return separator.join(p for p in (_identifier(s) for s in value.split(separator)) if p)


def compose_object_path(paths: list[str], names: list[str], separator: str = ".") -> list[str]:
    """object_path (the scope) + object_name: "DB.SCHEMA" + "ORDERS" -> "DB.SCHEMA.ORDERS";
    a full table path keeps its database and schema and takes the name as the table. Tableau
    (`separator` "/"): "Project" + "Report" -> "Project/Report"."""
    scopes = [p for p in (_path(v) for v in paths) if p]
    tables = [n for n in (_path(v) for v in names) if n]
    if not tables:
        return scopes
    if len(tables) > 1 or not scopes:
        return tables
    composed = []
    for scope in scopes:
        if separator != ".":
            composed.append(f"{scope}{separator}{tables[0]}")
            continue
        segments = [s for s in scope.split(".") if s.strip()]
        if len(segments) >= FULL_TABLE_PATH:
            composed.append(".".join([*segments[:2], tables[0]]))
        else:
            composed.append(f"{scope}.{tables[0]}")
    return composed


def _level(value: str) -> str:
    level = LEVEL_ALIASES.get(value.lower(), value.lower())
    if level not in LEVELS:
        raise InvalidArguments(f"object_type={value!r} is not a native access level; use one of: "
                               f"{', '.join(LEVELS)} (or oeschema, oetable, oecolumn)")
    return level


def _wire_value(values: list[str]) -> str | list[str] | None:
    return None if not values else values[0] if len(values) == 1 else values


def catalog_query(a: dict[str, Any]) -> dict[str, Any]:
    direction = a["query_direction"]
    if direction not in CATALOG_DIRECTIONS:
        raise InvalidArguments(f"query_direction={direction!r} is not a catalog_access direction; use "
                               f"{' or '.join(CATALOG_DIRECTIONS)} (the others are source_system_access)")
    _gate(direction, a.get("access_intent_confirmed"))
    ignore(a, NATIVE_ONLY, "they belong to operation=source_system_access; catalog_access does not use them")
    object_type = _single(a.get("object_type"), "object_type")
    if object_type is not None:
        object_type = object_type.lower()
        if object_type not in CATALOG_TYPES:
            raise InvalidArguments(f"object_type={object_type!r} is not allowed for catalog_access; use one "
                                   f"of: {', '.join(CATALOG_TYPES)}")
    username = _single(a.get("username"), "username")
    if direction == "user_to_object" and username is None:
        raise InvalidArguments("user_to_object needs username (the OvalEdge user whose permissions to show)")
    if "object_id" in a and object_type is None:
        raise InvalidArguments("object_id goes with object_type (e.g. oetable)")
    fqn = str(a.get("fully_qualified_name") or "").strip() or None
    name = _single(a.get("object_name"), "object_name")
    modes = [mode for mode, given in (("object_id+object_type", "object_id" in a),
                                      ("fully_qualified_name", fqn), ("object_name", name)) if given]
    if not modes:
        raise InvalidArguments(f"{direction} needs the object: provide object_id+object_type, "
                               "fully_qualified_name, or object_name")
    if len(modes) > 1:
        raise InvalidArguments(f"use only one object resolution mode at a time, got {' and '.join(modes)}: "
                               "object_id+object_type, fully_qualified_name, or object_name")
    return {
        "operation": "catalog_access", "queryDirection": direction, "username": username,
        "objectId": a.get("object_id"), "objectType": object_type, "fullyQualifiedName": fqn,
        "objectName": name, "resolveAllMatches": True if a.get("resolve_all_matches") else None,
    }


def native_query(a: dict[str, Any]) -> dict[str, Any]:
    direction = a["query_direction"]
    if direction not in NATIVE_DIRECTIONS:
        raise InvalidArguments(f"query_direction={direction!r} is not a source_system_access direction; "
                               f"use one of: {', '.join(NATIVE_DIRECTIONS)}")
    _gate(direction, a.get("access_intent_confirmed"))
    system = _single(a.get("source_system"), "source_system")
    if not system:
        raise InvalidArguments("source_system_access needs source_system, e.g. snowflake or tableau")
    system = system.lower()
    connection = one(a.get("connection_id"), "connection_id")
    if direction not in OBJECT_DIRECTIONS:
        ignore(a, ["object_type", "object_id", "scope_mode"],
               f"{direction} is a membership or privilege lookup: it names the user, role, group or "
               "privilege, not an object at a level")
    given_level = _single(a.get("object_type"), "object_type")
    level = _level(given_level) if given_level else None
    object_id = a.get("object_id")
    if object_id is not None and level is None:
        raise InvalidArguments("object_id needs object_type, the native level of the object (e.g. table); "
                               "OvalEdge's objectType goes with objectId")
    descendants = a.get("scope_mode") == "descendants"
    fqn = str(a.get("fully_qualified_name") or "").strip() or None
    given_paths = strings(a.get("object_path"))
    names = strings(a.get("object_name"))
    paths = compose_object_path(given_paths or ([fqn] if fqn else []), names,
                                "/" if system == "tableau" else ".")
    if object_id is not None and not given_paths:
        paths = []  # the object is named by its id (with its name or FQN beside it)
    usernames = strings(a.get("username"))
    if direction in USER_DIRECTIONS and not usernames:
        raise InvalidArguments(f"{direction} needs username (the login in the source system)")
    if direction in NAMED_DIRECTIONS and not paths:
        kind = direction.split("_", 1)[0]
        raise InvalidArguments(f"{direction} needs the {kind} name in object_path or object_name")
    if "group" in direction and system in NO_GROUPS:
        raise InvalidArguments(f"{system} has no groups; use the role directions (role_to_users, "
                               "user_to_roles, ...) instead")
    if direction == "browse" and connection is None:
        raise InvalidArguments("browse needs connection_id (the connection whose objects to list)")
    if descendants and direction == "user_to_objects" and not paths:
        raise InvalidArguments("user_to_objects with scope_mode=descendants needs object_path (the scope)")
    if descendants and not paths and connection is None and object_id is None:
        raise InvalidArguments("scope_mode=descendants needs object_path (the scope) or connection_id")
    if direction == "object_to_users" and not descendants and not paths and object_id is None:
        raise InvalidArguments("object_to_users needs object_path (e.g. RETAIL_DB.MART.FCT_ORDERS) or "
                               "object_id, each with object_type")
    if direction in OBJECT_DIRECTIONS and paths and level is None:
        raise InvalidArguments("object_path needs object_type: the level of the path (database, "
                               "schema, table, column, project or report)")
    return {
        "operation": "source_system_access", "sourceSystem": system, "queryDirection": direction,
        "username": _wire_value(usernames), "objectId": object_id, "fullyQualifiedName": fqn,
        "objectName": names[0] if names and not paths else None, "objectPath": _wire_value(paths),
        "objectType": None if level in (None, "all") else level,
        "includeColumns": True if a.get("include_columns") else None,
        "connectionId": connection,
        "resolveAllMatches": True if a.get("resolve_all_matches") else None,
        "scopeMode": "descendants" if descendants else None,
    }


def first_generation(query: dict[str, Any]) -> dict[str, Any]:
    """The query as the first-generation routes take it: no `operation`; `source-system-access`
    names its object by `objectPath` only."""
    legacy = {k: v for k, v in query.items() if k != "operation"}
    if query["operation"] == "source_system_access":
        if query.get("objectPath") is None and (query.get("objectId") or query.get("objectName")):
            raise InvalidArguments(
                "this OvalEdge release's source-system-access names objects by object_path only: "
                "give object_path (e.g. RETAIL_DB.MART.FCT_ORDERS) with object_type instead of object_id")
        for key in ("objectId", "fullyQualifiedName", "objectName"):
            legacy.pop(key, None)
    return legacy


# -- shaping -----------------------------------------------------------------------------------------

def _field(item: dict[str, Any], *names: str) -> Any:
    """The first of `names` present (OvalEdge's camelCase, or the snake_case an early doc names)."""
    for name in names:
        if item.get(name) not in (None, "", []):
            return item[name]
    return None


def _privilege_set(grant: dict[str, Any]) -> set[str]:
    return {p.upper() for p in strings(grant.get("privileges"))}


def _summary(grants: list[dict[str, Any]]) -> dict[str, Any]:
    by_level = dict.fromkeys(SUMMARY_LEVELS, 0)
    by_mechanism = dict.fromkeys(MECHANISMS, 0)
    for grant in grants:
        level = str(_field(grant, "objectLevel", "object_level")).lower()
        mechanism = str(_field(grant, "grantMechanism", "grant_mechanism")).lower()
        if level in by_level:
            by_level[level] += 1
        if mechanism in by_mechanism:
            by_mechanism[mechanism] += 1
    return {"totalGrants": len(grants), "byObjectLevel": by_level, "byGrantMechanism": by_mechanism}


def _grants(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    grants = data.get("grants")
    return [g for g in grants if isinstance(g, dict)] if isinstance(grants, list) else None


def _table_paths(grants: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(g["objectPath"]) for g in grants
                              if g.get("objectLevel") == "table" and g.get("objectPath")))


def _schema_of(path: str) -> str | None:
    parts = [p for p in path.split(".") if p.strip()]
    return parts[-2] if len(parts) >= 2 else None


def _schema_question(path: str, options: list[str]) -> str:
    listed = f" Candidates: {', '.join(options[:20])}{' …' if len(options) > 20 else ''}." if options else ""
    return (f"Table {path!r} is ambiguous without its schema: ask the user which schema holds it, then "
            f"call again with object_path=dbName.schema.table.{listed} Do not guess a schema.")


def shape_schema_choice(data: dict[str, Any], query: dict[str, Any]) -> None:
    """object_to_users on a table named without its full dbName.schema.table: a choice of schema
    instead of parent grants shown as table access, or several tables merged (in place)."""
    paths = strings(query.get("objectPath"))
    if query.get("objectType") != "table" or len(paths) != 1:
        return
    path = paths[0]
    if len([p for p in path.split(".") if p.strip()]) >= FULL_TABLE_PATH or query.get("resolveAllMatches"):
        return
    candidates = [c for c in data.get("matchCandidates") or [] if isinstance(c, dict)]
    grants = _grants(data)
    if data.get("ambiguousMatch") and len(candidates) >= 2:
        schemas = (_schema_of(str(c.get("objectPath", ""))) for c in candidates)
        options = list(dict.fromkeys(s for s in schemas if s))
        data.update(grants=[], requiresSchemaSelection=True, advisoryMessage=_schema_question(path, options))
        return
    if grants is None:
        return
    tables = _table_paths(grants)
    if len(tables) == 1:
        return
    if len(tables) >= 2:
        connection = next((g.get("connectionId") for g in grants if g.get("connectionId") is not None), None)
        options = [s for s in (_schema_of(t) for t in tables) if s] or tables
        data.update(grants=[], ambiguousMatch=True, requiresSchemaSelection=True,
                    matchCandidates=[{"objectPath": t, "objectLevel": "table", "connectionId": connection}
                                     for t in tables],
                    advisoryMessage=_schema_question(path, options))
        return
    hints = list(dict.fromkeys(str(g["objectPath"]).split(".")[-1] for g in grants
                               if g.get("objectLevel") == "schema" and g.get("objectPath")))
    data.update(grants=[], requiresSchemaSelection=True, advisoryMessage=_schema_question(path, []))
    if hints:
        data["schemaHints"] = hints


def shape_grants(data: dict[str, Any], a: dict[str, Any], query: dict[str, Any]) -> list[str]:
    """Native grants as OvalEdge's MCP server presents them: the requested level only (except
    with scope_mode=descendants), a schema choice for a table named without its schema, the
    privileges asked for, and a word when grants span several connections. Returns the notes."""
    notes: list[str] = []
    direction, level = query["queryDirection"], query.get("objectType")
    descendants = query.get("scopeMode") == "descendants"
    if direction == "object_to_users":
        shape_schema_choice(data, query)
    grants = _grants(data)
    if grants is None:
        return notes
    if level and not descendants and direction in ("user_to_objects", "object_to_users") \
            and not data.get("requiresSchemaSelection"):
        kept = [g for g in grants if str(g.get("objectLevel", "")).lower() == level]
        if len(kept) != len(grants):
            notes.append(f"kept the {len(kept)} grants at {level} level")
        grants = data["grants"] = kept
        data["summary"], data["filteredToObjectLevel"] = _summary(kept), level
    wanted = {p.upper() for p in strings(a.get("privileges"))}
    if wanted:
        grants = data["grants"] = [g for g in grants if _privilege_set(g) & wanted]
        data["summary"], data["filteredToPrivileges"] = _summary(grants), sorted(wanted)
        notes.append(f"kept the {len(grants)} grants with {', '.join(sorted(wanted))}")
    connections = sorted({g["connectionId"] for g in grants if isinstance(g.get("connectionId"), int)})
    if query.get("connectionId") is None and len(connections) > 1:
        advice = (f"Grants span {len(connections)} connections {connections}. Ask the user for connection_id "
                  "and a narrower object_path or object_name, then call again.")
        data.update(multipleConnections=True, connectionIds=connections,
                    advisoryMessage=f"{data['advisoryMessage']} {advice}" if data.get("advisoryMessage")
                    else advice)
    return notes


def _via(grant: dict[str, Any]) -> str:
    roles = _field(grant, "contributingRoles", "contributing_roles") or \
        _field(grant, "contributingRole", "contributing_role")
    via = [f"role {r}" for r in strings(roles)]
    group = _field(grant, "contributingGroup", "contributing_group")
    if group:
        via.append(f"group {group}")
    mechanism = _field(grant, "grantMechanism", "grant_mechanism") or "?"
    return f"{mechanism}" + (f" ({', '.join(via)})" if via else "")


def _option(candidate: dict[str, Any]) -> str:
    name = _field(candidate, "fullyQualifiedName", "objectPath", "objectName", "name") or "?"
    about = [str(v) for v in (_field(candidate, "objectType", "objectLevel"),) if v]
    if candidate.get("objectId") is not None:
        about.append(f"objectId {candidate['objectId']}")
    if candidate.get("connectionId") is not None:
        about.append(f"connection {candidate['connectionId']}")
    return f"{name}" + (f" ({', '.join(about)})" if about else "")


def render_choice(data: dict[str, Any]) -> list[str] | None:
    """An answer that needs the user to pick (several matches, or a table without its schema):
    the options, numbered, and how to call again."""
    candidates = [c for c in data.get("matchCandidates") or [] if isinstance(c, dict)]
    hints = strings(data.get("schemaHints"))
    if not (data.get("requiresSchemaSelection") or (data.get("ambiguousMatch") and candidates)):
        return None
    lines = [str(data.get("advisoryMessage") or "Several objects match; ask the user which one.")]
    if candidates:
        lines.append("Ask the user to pick one:")
        lines += [f"{n}. {_option(c)}" for n, c in enumerate(candidates, 1)]
        by_id = any("objectId" in c for c in candidates)
        retry = "object_id and object_type (or fully_qualified_name)" if by_id else \
            "object_path set to the chosen path"
        lines.append(f"Then call again with its {retry}.")
    elif hints:
        lines.append("Schemas that hold grants on the way (ask the user which one holds the table):")
        lines += [f"{n}. schema {hint}" for n, hint in enumerate(hints, 1)]
        lines.append("Then call again with object_path=dbName.schema.table.")
    else:
        lines.append("Ask the user for the table's schema, then call again with "
                     "object_path=dbName.schema.table.")
    return lines


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        named = _field(value, "objectName", "name", "principalName")
        kind = _field(value, "objectType", "principalType", "type")
        return f"{kind} {named}".strip() if named else json.dumps(value, sort_keys=True)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return "; ".join(str(_cell(v)) for v in value)
    return value


HIDDEN = ("navLink", "hyperlink", "redirectUrl", "nav_link", "redirect_url")
FIRST_COLUMNS = ("principalName", "principal_name", "name", "username", "userName", "roleName",
                 "principalType", "principal_type", "type", "metadataPermission", "dataPermission",
                 "permission", "permissions", "accessLevel")


def records_table(entries: list[dict[str, Any]]) -> str:
    """Any list of records as a table: whatever keys they carry (OvalEdge's entry keys for
    catalog permissions are not published), the principal and permission columns first."""
    keys = list(dict.fromkeys(k for e in entries for k in e if k not in HIDDEN))
    keys.sort(key=lambda k: FIRST_COLUMNS.index(k) if k in FIRST_COLUMNS else len(FIRST_COLUMNS))
    return md_table(keys, [[_cell(e.get(k)) for k in keys] for e in entries])


ENTRY_KEYS = ("effectiveAccess", "principals", "permissions")  # evidenced first; `permissions`: ours


def render_catalog(data: dict[str, Any], link_base: str) -> list[str]:
    """One object's OvalEdge catalog permissions (or several, merged as `objects`)."""
    objects = data.get("objects")
    if isinstance(objects, list):
        lines = [f"OvalEdge catalog permissions on {len(objects)} objects."]
        for item in objects:
            if isinstance(item, dict):
                lines += render_catalog(item, link_base)
        return lines
    name = _field(data, "fullyQualifiedName", "objectName")
    route = _field(data, "redirectUrl", "navLink")
    url = f"{link_base}/{route}" if isinstance(route, str) and route.startswith("#") else route
    lines = []
    if name:
        kind = f" ({data['objectType']})" if data.get("objectType") else ""
        lines.append(f"OvalEdge catalog permissions on {link(str(name), url)}{kind}"
                     + (f" for {data['username']}" if data.get("username") else "") + ":")
    inherited = data.get("inheritedFrom")
    if inherited:
        lines.append(f"Inherited from {_cell(inherited)}.")
    shown = False
    for key in ENTRY_KEYS:
        entries = data.get(key)
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            continue
        shown = True
        records = [e if isinstance(e, dict) else {"value": e} for e in entries]
        label = "principal(s)" if key == "principals" else "permission entr(ies)"
        lines.append(f"{len(records)} catalog {label} ({key}).")
        if records:
            lines.append(records_table(records))
    if not shown and name:
        lines.append("OvalEdge's answer lists no permission entries for it.")
    return lines


def render_access(data: dict[str, Any], notes: list[str], link_base: str, *, catalog: bool) -> str:
    lines: list[str] = []
    choice = render_choice(data)
    if choice is not None:
        return "\n".join(choice + [f"({note})" for note in notes])
    if data.get("advisoryMessage"):
        lines.append(str(data["advisoryMessage"]))
    if catalog or data.get("fallback"):
        lines += render_catalog(data, link_base)
        return "\n".join(lines + [f"({note})" for note in notes]) or "OvalEdge answered with no access data."
    grants = _grants(data)
    if grants is not None:
        lines.append(f"{len(grants)} native grant(s) in {data.get('sourceSystem', 'the source system')}.")
        if grants:
            instance = any(_field(g, "instanceName", "instanceId") for g in grants)
            lines.append(md_table(
                ["Object", "Level", "Privileges", "Principal", "Via"] + (["Instance"] if instance else []), [
                    [_field(g, "objectPath", "object_path"), _field(g, "objectLevel", "object_level"),
                     strings(g.get("privileges")),
                     f"{_field(g, 'principalType', 'principal_type') or ''} "
                     f"{_field(g, 'principalName', 'principal_name', 'principal') or ''}".strip(), _via(g)]
                    + ([_field(g, "instanceName", "instanceId")] if instance else [])
                    for g in grants]))
    principals = data.get("principals")
    if isinstance(principals, list) and principals:
        lines.append(md_table(["Principal", "Type", "Via"], [
            [_field(p, "principalName", "principal_name", "name"),
             _field(p, "principalType", "principal_type"), p.get("via")]
            for p in principals if isinstance(p, dict)]))
    if data.get("children"):
        lines.append(md_table(["Object", "Level"], [
            [c.get("objectPath") or c.get("name"), c.get("objectLevel")] for c in data["children"]]))
    lines += [f"({note})" for note in notes]
    return "\n".join(lines) or "OvalEdge answered with no access data."


# -- calls -------------------------------------------------------------------------------------------

def is_unsupported_system(error: OvalEdgeError) -> bool:
    """OvalEdge has no native access for this connector: its code (`code`, `errorCode` or
    `error_code`) or, where the code is missing, its message. A source_system that does not
    match connection_id (`mcp.source.system.hint.mismatch`) is a mistake to fix, not this."""
    if error.error_code == HINT_MISMATCH:
        return False
    if error.error_code == UNSUPPORTED_SYSTEM:
        return True
    said = " ".join(str(v) for v in (error.message, (error.body or {}).get("message")) if v).lower()
    return any(marker in said for marker in UNSUPPORTED_MARKERS)


def _fallback_queries(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The catalog question standing in for object_to_users: the object's principals, named by
    its id and type or by its FULL path as a fully qualified name (never by its last segment),
    and never for a user: a source-system login is not an OvalEdge user."""
    base = {"operation": "catalog_access", "queryDirection": "object_to_principals",
            "resolveAllMatches": query.get("resolveAllMatches")}
    catalog_type = CATALOG_TYPE_OF_LEVEL.get(str(query.get("objectType")), query.get("objectType"))
    if query.get("objectId") is not None and catalog_type:
        return [{**base, "objectId": query["objectId"], "objectType": catalog_type}]
    paths = strings(query.get("objectPath")) or strings(query.get("fullyQualifiedName"))
    if paths:
        return [{**base, "fullyQualifiedName": path} for path in paths]
    if query.get("objectName"):
        return [{**base, "objectName": query["objectName"]}]
    return []


async def catalog_instead(
    ask: Any, query: dict[str, Any], error: OvalEdgeError, system: str
) -> dict[str, Any]:
    """Native access is not supported for this source system: who has access to the object, as
    OvalEdge catalog permissions, where the question has such an answer; else OvalEdge's error,
    saying what to ask instead."""
    if query["queryDirection"] != "object_to_users":
        error.hint = (f"{system} has no native access in OvalEdge. {query['queryDirection']} was not "
                      "answered with catalog permissions: a source-system login is not an OvalEdge user. "
                      "To see what an OvalEdge user may access in the catalog, ask the user for their "
                      "OvalEdge username and the object, then call operation=catalog_access with "
                      "query_direction=user_to_object. " + error.hint).strip()
        raise error
    questions = _fallback_queries(query)
    if not questions:
        error.hint = ("The object is not named (object_path, fully_qualified_name or object_id), so its "
                      "catalog permissions could not be shown instead. " + error.hint).strip()
        raise error
    answers: list[dict[str, Any]] = []
    failures: list[OvalEdgeError] = []
    for question in questions:
        try:
            answers.append(dict(data_of(await ask(question))))
        except OvalEdgeError as failed:
            failures.append(failed)
    if not answers:
        error.hint = (f"Catalog permissions could not be shown instead: {failures[0].message} "
                      + error.hint).strip()
        raise error
    data = answers[0] if len(answers) == 1 else {
        "queryDirection": answers[0].get("queryDirection", "object_to_principals"), "objects": answers}
    data.setdefault("advisoryMessage", FALLBACK_ADVISORY)
    data["fallback"] = {
        "from": "source_system_access", "to": "catalog_access", "reason": error.message,
        "message": f"{system} has no native access support in OvalEdge, so these are OvalEdge catalog "
                   "permissions on the object instead.",
    }
    if failures:
        data["fallback"]["notShown"] = [f.message for f in failures]
    return data


def _present_links(data: dict[str, Any]) -> None:
    """A catalog answer's hash-route `redirectUrl` becomes its `navLink`, so that the server
    makes it an absolute link like every other."""
    for item in [data, *(data.get("objects") or [])]:
        if isinstance(item, dict):
            route = item.get("redirectUrl") or item.get("redirect_url")
            if isinstance(route, str) and route.startswith("#") and not item.get("navLink"):
                item["navLink"] = route
            story_zone = item.get("inheritedFrom")
            if item.get("objectType") == "oestory" and isinstance(story_zone, dict) \
                    and not item.get("advisoryMessage"):
                item["advisoryMessage"] = (
                    f"Data story access is inherited from Story Zone '{_field(story_zone, 'objectName')}' "
                    f"({_field(story_zone, 'objectType')}); the story has no direct catalog permissions.")


async def access_explorer(ctx: ToolContext, a: dict[str, Any]) -> Any:
    catalog = a["operation"] == "catalog_access"
    query = catalog_query(a) if catalog else native_query(a)

    async def run(native_route: Route, catalog_route: Route, legacy: bool) -> dict[str, Any]:
        def ask(route: Route) -> Any:
            return lambda q: ctx.api.call(route, first_generation(q) if legacy else q)

        if catalog:
            return dict(data_of(await ask(catalog_route)(query)))
        try:
            return dict(data_of(await ask(native_route)(query)))
        except OvalEdgeError as exc:
            if not is_unsupported_system(exc):
                raise
            return await catalog_instead(ask(catalog_route), query, exc, query["sourceSystem"])

    data = await ctx.api.by_generation(
        routes.ACCESS,
        lambda: run(routes.ACCESS_EXPLORER, routes.ACCESS_EXPLORER, False),
        lambda: run(routes.SOURCE_SYSTEM_ACCESS, routes.GET_USER_OBJECT_ACCESS, True),
        what="access_explorer",
    )
    notes = [] if catalog or data.get("fallback") else shape_grants(data, a, query)
    _present_links(data)
    text = render_access(data, notes, ctx.settings.link_base_url, catalog=catalog)
    return ok(data, formattedResponse=text, **({"notes": notes} if notes else {}))


_ONE_OR_MORE = {"type": ["string", "array"], "items": {"type": "string"}}
TOOLS = (
    Tool(
        name="access_explorer",
        title="Explore access permissions",
        description=(
            'Who can access what. operation=catalog_access: OvalEdge permissions (user_to_object, '
            'object_to_principals; object_id+object_type, fully_qualified_name or object_name). '
            'operation=source_system_access: native grants (source_system e.g. snowflake; object_path '
            'DB.SCHEMA.TABLE or Project/Report, a scope plus object_name, or object_id, object_type as '
            'level; user_to_objects, object_to_users, browse, role_to_users and other lookups with the '
            "name in object_path; scope_mode=descendants). 'Who has access to X': ask first, native (1) "
            "or catalog (2): access_intent_confirmed=native or catalog_acl. matchCandidates or "
            'requiresSchemaSelection: ask which. docs://ovaledge/mcp_workflows.'
        ),
        input_schema=closed(
            {
                "operation": string("The kind of access.",
                                    enum=["catalog_access", "source_system_access"]),
                "query_direction": string("Direction."),
                "username": {**_ONE_OR_MORE, "description": "User(s)."},
                "object_id": integer("Catalog object id (with object_type).", minimum=1),
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
