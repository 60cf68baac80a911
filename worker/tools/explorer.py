"""`asset_explorer`: catalog search with facets and sort, and exact glossary-term / tag lookup.

Current OvalEdge: one POST to `asset-explorer`. First generation: `search-catalog` for a search,
`glossary-terms` or `tags` for a lookup, composed into the same answer. What the first
generation cannot do (sort, range facets, glossary placement, most facets) is refused with the
reason, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, NotOffered, OvalEdgeError
from worker.registry import Tool, ToolContext
from worker.schema import boolean, closed, integer, string, strings
from worker.tools.common import (
    OBJECT_TYPES,
    absolute,
    camel,
    compact,
    data_of,
    is_not_found,
    json_array,
    ok,
)

LIMIT_MAX = 50  # some OvalEdge builds answer 500 above ~95; the reference caps at 50
LIMIT_DEFAULT = 20

TEXT_FACETS = (
    "connectionName", "serverType", "schemaName", "owner", "steward", "custodian", "tableName",
    "folder", "reportGroup", "apiGroup", "governanceRole4", "governanceRole5", "governanceRole6",
)
LIST_FACETS = (
    "tags", "terms", "customFields", "dataProducts", "classifications", "criticalDataElement",
    "dataDomains", "tableType", "reportType", "reportLevel", "termStatus", "ticketStatus",
    "subscriptionMode", "criticality", "sensitivity", "deliveryAccessMode", "certification",
    "questionWalls",
)
RANGE_FACETS = (
    "dqIndex", "popularity", "rating", "curationScore", "nullDensity", "density", "rowCount",
    "columnCount",
)
DATE_FACETS = ("createdDate",)
FACETS = TEXT_FACETS + LIST_FACETS + RANGE_FACETS + DATE_FACETS
_FACET_BY_COMPACT = {compact(name): name for name in FACETS}

# Facets that are also top-level arguments (which win over the same key in `filters`).
TOP_LEVEL_FACETS = {
    "connection_name": "connectionName", "server_type": "serverType", "schema_name": "schemaName",
    "owner": "owner", "steward": "steward", "custodian": "custodian", "tags": "tags",
    "terms": "terms", "custom_fields": "customFields", "data_products": "dataProducts",
    "classifications": "classifications", "critical_data_element": "criticalDataElement",
}
# What first-generation search-catalog takes besides keywords and paging.
LEGACY_FACETS = {
    "connectionName": "connectionName", "schemaName": "schemaName", "owner": "owner",
    "steward": "steward", "custodian": "custodian", "serverType": "serverType",
}
LEGACY_LIST_FACETS = ("tags", "terms", "customFields", "dataProducts", "classifications",
                      "criticalDataElement")

SORT_FIELDS = (
    "relevance", "name", "popularity", "rating", "dq_index", "curation_score", "row_count",
    "column_count", "null_density", "density", "created_date",
)
_SORT_BY_COMPACT = {compact(field): field for field in SORT_FIELDS}

# Connector types as OvalEdge names them; matched ignoring case, spaces and punctuation.
SERVER_TYPES = (
    "ADLS", "Airflow", "Athena", "Azure Blob Storage", "Azure Data Factory", "Azure SQL",
    "Azure Synapse", "BigQuery", "Cassandra", "Cosmos DB", "Databricks", "DB2", "dbt",
    "Delta Lake", "Denodo", "Dremio", "DynamoDB", "Elasticsearch", "Fivetran", "GCS", "Greenplum",
    "HDFS", "Hive", "Impala", "Informatica", "Kafka", "Looker", "MariaDB", "Microsoft Fabric",
    "MicroStrategy", "MongoDB", "MySQL", "Netezza", "Oracle", "Power BI", "PostgreSQL", "Presto",
    "Qlik Sense", "Redshift", "S3", "Salesforce", "SAP BW", "SAP HANA", "SharePoint", "Sisense",
    "Snowflake", "Spark", "SQL Server", "SSIS", "SSRS", "Sybase", "Tableau", "Talend", "Teradata",
    "ThoughtSpot", "Trino", "Vertica", "Yellowbrick",
)
_SERVER_TYPE_BY_COMPACT = {compact(name): name for name in SERVER_TYPES}

LOOKUP_TYPES = ("glossary", "businessglossary", "oetag")
PLACEMENT = (
    ("domain_id", "domainId"), ("domain_name", "domainName"), ("category_id", "categoryId"),
    ("category_name", "categoryName"), ("subcategory_id", "subcategoryId"),
    ("subcategory_name", "subcategoryName"),
)


# -- checking and building the request -----------------------------------------------------------

def canonical_server_type(value: str) -> str:
    found = _SERVER_TYPE_BY_COMPACT.get(compact(value))
    if found is None:
        raise InvalidArguments(f"server_type={value!r} is not a known connector type; use one of: "
                               f"{', '.join(SERVER_TYPES)}")
    return found


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value: Any, where: str) -> str:
    try:
        dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidArguments(f"{where}={value!r} is not an ISO date (YYYY-MM-DD)") from None
    return str(value)


def _facet_value(key: str, value: Any) -> Any:
    where = f"filters.{key}"
    if key in TEXT_FACETS:
        if not isinstance(value, str) or not value.strip():
            raise InvalidArguments(f"{where} takes a text value, e.g. \"sales\"")
        return canonical_server_type(value) if key == "serverType" else value.strip()
    if key in LIST_FACETS:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip()
                                                                 for v in values):
            raise InvalidArguments(f"{where} takes a list of text values, e.g. [\"certified\"]")
        return [v.strip() for v in values]
    if key in RANGE_FACETS:
        if not isinstance(value, dict) or not value or set(value) - {"min", "max", "eq"} \
                or not all(_number(v) for v in value.values()):
            raise InvalidArguments(f"{where} takes a range: {{\"min\": n}}, {{\"max\": n}}, both, "
                                   "or {\"eq\": n} (numbers; \"more than 4\" is min slightly above 4)")
        if "eq" in value and len(value) > 1:
            raise InvalidArguments(f"{where}: eq cannot be combined with min or max")
        if "min" in value and "max" in value and value["min"] > value["max"]:
            raise InvalidArguments(f"{where}: min {value['min']} is above max {value['max']}")
        return dict(value)
    if not isinstance(value, dict) or not value or set(value) - {"from", "to"}:
        raise InvalidArguments(f"{where} takes {{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}} "
                               "(either bound alone for an open range)")
    dates = {bound: _date(v, f"{where}.{bound}") for bound, v in value.items()}
    if "from" in dates and "to" in dates and dates["from"][:10] > dates["to"][:10]:
        raise InvalidArguments(f"{where}: from {dates['from']} is after to {dates['to']}")
    return dates


def build_filters(a: dict[str, Any]) -> dict[str, Any]:
    """`filters` (keys in snake or camel case) plus the top-level facet arguments, checked."""
    given = a.get("filters") or {}
    filters: dict[str, Any] = {}
    unknown = []
    for key, value in given.items():
        name = _FACET_BY_COMPACT.get(compact(camel(key)))
        if name is None:
            unknown.append(key)
            continue
        filters[name] = _facet_value(name, value)
    if unknown:
        raise InvalidArguments(f"unknown filter(s) {', '.join(map(repr, unknown))}; allowed: "
                               f"{', '.join(FACETS)}")
    for arg, name in TOP_LEVEL_FACETS.items():
        if arg in a:
            filters[name] = _facet_value(name, a[arg])
    return filters


def build_sort(a: dict[str, Any]) -> dict[str, str] | None:
    sort = a.get("sort")
    if sort is None:
        return None
    field = _SORT_BY_COMPACT.get(compact(str(sort.get("field", ""))))
    direction = str(sort.get("direction", "desc")).lower()
    if field is None or direction not in ("asc", "desc"):
        raise InvalidArguments(f"sort={sort!r} is not allowed; sort.field one of: {', '.join(SORT_FIELDS)}; "
                               "sort.direction asc or desc (default desc)")
    return {"field": field, "direction": direction}


def _mode(a: dict[str, Any]) -> str:
    """search | lookup (exact term or tag) | placement (terms of a glossary domain/category)."""
    object_type = a.get("object_type")
    exact = "name" in a or "object_id" in a
    placement = any(arg in a for arg, _ in PLACEMENT)
    if exact and object_type not in LOOKUP_TYPES:
        raise InvalidArguments("name and object_id look up one glossary term or tag: pair them with "
                               f"object_type glossary or oetag (got {object_type!r})")
    if (a.get("include_parent") or a.get("include_children")) and object_type != "oetag":
        raise InvalidArguments("include_parent and include_children apply to tags: use object_type=oetag")
    if placement and object_type not in (None, "glossary", "businessglossary"):
        raise InvalidArguments("domain_*, category_* and subcategory_* place glossary terms: leave "
                               f"object_type empty or use glossary (got {object_type!r})")
    if exact and placement:
        raise InvalidArguments("use either name/object_id (one term or tag) or the glossary "
                               "placement arguments, not both")
    return "lookup" if exact else "placement" if placement else "search"


def explorer_body(a: dict[str, Any]) -> dict[str, Any]:
    """The exact asset-explorer POST body for these (checked) arguments."""
    body: dict[str, Any] = {}
    for arg, key in (("object_id", "objectId"), ("object_type", "objectType"), ("name", "name")):
        if arg in a:
            body[key] = a[arg]
    for arg, key in (("include_parent", "includeParent"), ("include_children", "includeChildren")):
        if a.get(arg):
            body[key] = True
    limit = min(a.get("limit", LIMIT_DEFAULT), LIMIT_MAX)
    search: dict[str, Any] = {"page": a.get("page", 1), "limit": limit}
    if a.get("search_terms"):
        search["searchTerms"] = a["search_terms"]
    if "context_query" in a:
        search["contextQuery"] = a["context_query"]
    sort = build_sort(a)
    if sort:
        search["sort"] = sort
    body["search"] = search
    placement = {key: a[arg] for arg, key in PLACEMENT if arg in a}
    if placement:
        body["glossaryPlacement"] = placement
    filters = build_filters(a)
    if filters:
        body["filters"] = filters
    return body


# -- the two generations --------------------------------------------------------------------------

def _normalised(answer: Any, page: int, limit: int) -> dict[str, Any]:
    data = dict(data_of(answer))
    data.setdefault("items", [])
    data.setdefault("total", len(data["items"]))
    data.setdefault("page", page)
    data.setdefault("limit", limit)
    return data


async def _current(ctx: ToolContext, a: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    answer = await ctx.api.call(routes.ASSET_EXPLORER, body=body)
    if isinstance(answer, dict) and answer.get("ok") is False:
        raise OvalEdgeError(f"{routes.ASSET_EXPLORER} answered: {answer.get('message', 'not ok')}",
                            status=200)
    return _normalised(answer, body["search"]["page"], body["search"]["limit"])


def _legacy_unsupported(body: dict[str, Any]) -> list[str]:
    """What of this request first-generation search-catalog cannot express."""
    missing = [f"sort ({body['search']['sort']['field']})"] if "sort" in body["search"] else []
    missing += [f"filters.{key}" for key in body.get("filters", {})
                if key not in LEGACY_FACETS and key not in LEGACY_LIST_FACETS]
    return missing


async def _lookup_legacy(ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    is_tag = a["object_type"] == "oetag"
    route, name_key = (routes.TAGS, "tagName") if is_tag else (routes.GLOSSARY_TERMS, "termName")
    params = {"objectId": a["object_id"]} if "object_id" in a else {name_key: a["name"]}
    try:
        found = [data_of(await ctx.api.call(route, params))]
    except OvalEdgeError as exc:
        if not is_not_found(exc):
            raise
        found = []
    if is_tag:
        for tag in found:  # the current route adds these only when asked
            if not a.get("include_parent"):
                tag.pop("parentTag", None)
            if not a.get("include_children"):
                tag.pop("childTags", None)
    return {"items": [], "total": 0, "page": 1, "limit": 0, ("tags" if is_tag else "glossaryTerms"): found}


async def _search_legacy(ctx: ToolContext, a: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    unsupported = _legacy_unsupported(body)
    if unsupported:
        raise NotOffered(
            f"this OvalEdge release answers only the first-generation {routes.SEARCH_CATALOG}, "
            f"which cannot apply: {', '.join(unsupported)}.",
            hint="Drop those, or use an OvalEdge release with the current asset-explorer route.",
        )
    search, filters = body["search"], body.get("filters", {})
    params: dict[str, Any] = {
        "searchTerms": json_array(search.get("searchTerms")), "contextQuery": search.get("contextQuery"),
        "page": search["page"], "limit": search["limit"], "objectType": body.get("objectType"),
        **{param: filters.get(key) for key, param in LEGACY_FACETS.items()},
        **{key: json_array(filters.get(key)) for key in LEGACY_LIST_FACETS},
    }
    return _normalised(await ctx.api.call(routes.SEARCH_CATALOG, params), search["page"], search["limit"])


# -- presenting ------------------------------------------------------------------------------------

def _formatted(data: dict[str, Any], link_base: str) -> str | None:
    lines: list[str] = []
    for term in data.get("glossaryTerms") or []:
        name = term.get("objectName") or term.get("termName") or term.get("name")
        url = absolute(link_base, term.get("navLink"))
        place = " > ".join(str(p) for p in (term.get("domainName"), term.get("categoryName")) if p)
        lines.append(f"**{f'[{name}]({url})' if url else name}**" + (f" ({place})" if place else "")
                     + (f", {term['status']}" if term.get("status") else ""))
        definition = term.get("businessDescription") or term.get("definition")
        if definition:
            lines.append(f"  {definition}")
    for tag in data.get("tags") or []:
        name = tag.get("objectName") or tag.get("tagName")
        parent = (tag.get("parentTag") or {}).get("objectName")
        children = [c.get("objectName") for c in tag.get("childTags") or []]
        lines.append(f"**Tag {name}**" + (f" (under {parent})" if parent else "")
                     + (f"; children: {', '.join(map(str, children))}" if children else ""))
        if tag.get("tagDescription") or tag.get("businessDescription"):
            lines.append(f"  {tag.get('tagDescription') or tag.get('businessDescription')}")
    if ("glossaryTerms" in data or "tags" in data) and not lines:
        lines.append("No glossary term or tag matched exactly.")
    return "\n".join(lines) or None


async def asset_explorer(ctx: ToolContext, a: dict[str, Any]) -> Any:
    mode = _mode(a)
    body = explorer_body(a)

    async def legacy() -> dict[str, Any]:
        if mode == "lookup":
            return await _lookup_legacy(ctx, a)
        if mode == "placement":
            raise NotOffered(
                "this OvalEdge release has no glossary placement search (domain/category/"
                f"subcategory); it needs the current {routes.ASSET_EXPLORER}.",
                hint="Look up a term by name (object_type=glossary, name=...) instead.",
            )
        return await _search_legacy(ctx, a, body)

    data = await ctx.api.by_generation(routes.SEARCH, lambda: _current(ctx, a, body), legacy,
                                       what="asset_explorer")
    result = ok(data)
    notes = []
    if a.get("limit", LIMIT_DEFAULT) > LIMIT_MAX:
        notes.append(f"limit {a['limit']} was capped at {LIMIT_MAX}; use page for more")
    if notes:
        result["notes"] = notes
    formatted = _formatted(data, ctx.settings.link_base_url)
    if formatted:
        result["formattedResponse"] = formatted
    return result


_TEXT = "{}."
TOOLS = (
    Tool(
        name="asset_explorer",
        title="Find data assets",
        description=(
            
            
            
            'Search the OvalEdge catalog (tables, columns, files, charts, APIs, terms, tags, '
            'stories...): keywords in search_terms, the question verbatim in context_query; '
            'object_type only if the user asks for one kind. Narrow with owner, steward, connection, '
            'schema, tags, terms, classifications, critical_data_element or filters (certification, '
            'dqIndex {min,max,eq}, createdDate {from,to}...); sort a filter-only listing; page, limit '
            '(max 50). Exact lookup: object_type glossary or oetag with name or object_id; glossary '
            'placement: domain_*, category_*. Not for who-has-access. Filters: '
            'docs://ovaledge/mcp_workflows.'
        
        
        
        ),
        input_schema=closed({
            "search_terms": {
                "type": "array", "items": {"type": "string"}, "maxItems": 20,
                "description": "Distinct keywords.",
            },
            "context_query": string("The question, verbatim."),
            "tags": strings("Tags."),
            "terms": strings("Glossary terms."),
            "custom_fields": strings("Name or Name=Value."),
            "data_products": strings("Data products."),
            "classifications": strings("e.g. PII."),
            "critical_data_element": strings("[\"Yes\"]: CDEs only."),
            "page": integer("Page, from 1.", minimum=1),
            "limit": integer(f"Hits per page (max {LIMIT_MAX}).", minimum=1,
                             ),
            "connection_name": string(_TEXT.format("connection")),
            "server_type": string("Connector, e.g. Snowflake."),
            "schema_name": string(_TEXT.format("schema")),
            "owner": string(_TEXT.format("owner")),
            "steward": string(_TEXT.format("steward")),
            "custodian": string(_TEXT.format("custodian")),
            "object_type": string("Only this objectType."),
            "domain_id": integer("Domain id.", minimum=1),
            "domain_name": string("Domain."),
            "category_id": integer("Category id.", minimum=1),
            "category_name": string("Category."),
            "subcategory_id": integer("Subcategory id.", minimum=1),
            "subcategory_name": string("Subcategory."),
            "object_id": integer("Exact term or tag id.", minimum=1),
            "name": string("Exact term or tag name."),
            "include_parent": boolean("Tag: add parent."),
            "include_children": boolean("Tag: add children."),
            "filters": {
                "type": "object",
                "description": "Facets: text, lists, {min,max,eq}, createdDate {from,to}.",
            },
            "sort": {"type": "object", "description": "{field (e.g. rating, dq_index), direction asc|desc}."},
        }),
        handler=asset_explorer,
        view="ui://ovaledge/asset-explorer.html",
        choices={"object_type": OBJECT_TYPES},
        more_hint=(
            "call asset_explorer again with a smaller limit and step through the pages (page=1, "
            "page=2, ...; each then fits), or narrow search_terms, object_type or filters"
        ),
    ),
)
