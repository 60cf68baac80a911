"""`asset_explorer`: catalog search with facets and sort, and exact glossary-term / tag lookup.

Current OvalEdge: `asset-explorer`, which releases serve either as POST with a JSON body or as
GET with flat query parameters (docs/wire.md): a 405 from one method means "try the other", and
the method that answered is kept for the worker's life. First generation: `search-catalog` for a
search (and glossary placement), `glossary-terms` or `tags` for a lookup, composed into the same
answer. What an older form cannot express (sort, most facets) is refused with the reason, never
silently dropped; a filter key OvalEdge does not know is ignored and named in the notes, as the
reference server skips it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, NotOffered, OvalEdgeError, RouteMissing
from worker.notes import ignore, note
from worker.registry import Tool, ToolContext
from worker.schema import boolean, closed, integer, string, strings
from worker.shaping import nav_url
from worker.tools.common import (
    OBJECT_TYPES,
    camel,
    compact,
    data_of,
    is_not_found,
    json_array,
    ok,
)

LIMIT_MAX = 50  # some OvalEdge builds answer 500 above ~95; the reference caps at 50
LIMIT_DEFAULT = 20
LOOKUP_LIMIT_MAX = 100  # glossary-terms and tags (first generation)

TEXT_FACETS = (
    "connectionName", "serverType", "schemaName", "owner", "steward", "custodian",
    "folder", "reportGroup", "apiGroup", "governanceRole4", "governanceRole5", "governanceRole6",
)
LIST_FACETS = (
    "tags", "terms", "customFields", "dataProducts", "classifications", "criticalDataElement",
    "tableName", "dataDomains", "tableType", "reportType", "reportLevel", "termStatus", "ticketStatus",
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
_FACET_BY_COMPACT["glossaryterms"] = "terms"  # the live tests' name for the terms facet

# Facets that are also top-level arguments (which win over the same key in `filters`).
TOP_LEVEL_FACETS = {
    "connection_name": "connectionName", "server_type": "serverType", "schema_name": "schemaName",
    "owner": "owner", "steward": "steward", "custodian": "custodian", "tags": "tags",
    "terms": "terms", "custom_fields": "customFields", "data_products": "dataProducts",
    "classifications": "classifications", "critical_data_element": "criticalDataElement",
}
# What first-generation search-catalog and the GET form of asset-explorer take besides keywords,
# paging and objectType: these text facets, and these lists as JSON-array strings.
FLAT_FACETS = ("connectionName", "schemaName", "owner", "steward", "custodian", "serverType")
FLAT_LIST_FACETS = ("tags", "terms", "customFields", "dataProducts", "classifications",
                    "criticalDataElement")

SORT_FIELDS = (
    "relevance", "name", "popularity", "rating", "dq_index", "curation_score", "row_count",
    "column_count", "null_density", "density", "created_date",
)
_SORT_BY_COMPACT = {compact(field): field for field in SORT_FIELDS}

# OvalEdge's connector ids (connectionInfo.serverType), as its API spells them; user input is
# matched ignoring case, then ignoring spaces and punctuation (server/constants.py @0f1b928e).
SERVER_TYPES = (
    "allscripts", "api", "Athena", "awsDynamoDb", "awsappflow", "adl", "azuredevops",
    "azuredevopsrepo", "bigquery", "box", "cassandra", "clickhouse", "cloudera_navigator", "db2",
    "db2as400", "db2odbc", "denodo", "dremio", "dsefs", "informix", "elasticSearch",
    "elasticSearchOnPremise", "esri", "eventhub", "gcs", "github", "githubfiles", "googledrive",
    "greenplum", "greenhouse", "hbase", "hdfs", "hive", "qubolehive", "ibmcognos", "impala", "kafka",
    "linux", "looker", "manual", "mongodb", "mysql", "mariadb", "mavenlink", "microstrategy", "nfs",
    "onedrive", "oracle", "oracleservicecloud", "postgres", "powerbi", "qlikview", "qlik sense",
    "redshift", "s3", "sapbods", "sapbo", "sapsuccessfactors", "sftp", "sisense", "sqlserver", "ssas",
    "ssas_onprem", "ssis", "ssrs", "salesforce", "sapbo_universe", "saptables", "sharepoint",
    "snowflake", "spline", "sigma", "tableau", "teradata", "vertica", "other", "odbcsqlserver",
    "exasol", "adf", "adb", "airflow", "dbt", "azuresqlmanagedinstance", "azuresynapse", "couchdb",
    "saphana", "domo", "quickbase", "atlas", "DeltaLake", "alteryx", "talend", "matillion",
    "InterSystemsCache", "MSAccess", "arangodb", "pentaho", "awsglueetl", "ODataExt", "netsuitecrm",
    "informatica_powercenter", "informatica_ics", "informatica_bdm", "hubspot", "dynamics365",
    "dynamics365reports", "documentdb", "cosmosdb", "okta", "azuread", "avm", "ldap", "DELLBOOMI",
    "secretsmanager", "hashicorp", "webfocus", "couchbase", "workday", "hopsworks", "ADP",
    "structuredfileconnector", "azurekeyvault", "dbtcore", "cifs", "erwincsvimport", "gitlab",
    "zendesk", "schemaregistry", "azureml", "oraclefusionhcm", "sybasease", "salesforcereports",
    "datapipeline", "fme", "db2zos", "sybaseiq", "datastage", "apachepulsar", "netsuitecrmjdbc",
    "quicksight", "awsdms", "oraclebi", "obieerpd", "obieepublisher", "awsaurora", "dremioiceberg",
    "filecloud", "obieeoas", "cartovista", "oracleebstable", "qliktalend", "googleclouddatafusion",
    "oracleanalytics", "akamaiidentitycloud", "sapanalyticscloud", "salesforcecommercecloud",
    "microstrategycloud", "quickbooks-desktop", "quickbooks-online", "tally",
)
# Product names people say for a connector whose id is spelled differently (compact form -> id).
SERVER_TYPE_NAMES = {
    "postgresql": "postgres", "postgre": "postgres", "amazons3": "s3", "awss3": "s3",
    "microsoftsqlserver": "sqlserver", "mssql": "sqlserver", "microsoftpowerbi": "powerbi",
    "dynamodb": "awsDynamoDb", "amazondynamodb": "awsDynamoDb", "amazonredshift": "redshift",
    "awsredshift": "redshift", "amazonathena": "Athena", "awsathena": "Athena",
    "googlebigquery": "bigquery", "googlecloudstorage": "gcs", "azuredatafactory": "adf",
    "azuredatabricks": "adb", "azuresynapseanalytics": "azuresynapse", "elastic": "elasticSearch",
    "sybase": "sybasease", "cognos": "ibmcognos", "amazonquicksight": "quicksight",
}
_SERVER_TYPE_BY_LOWER = {name.lower(): name for name in SERVER_TYPES}
_SERVER_TYPE_BY_COMPACT = {compact(name): name for name in SERVER_TYPES} | SERVER_TYPE_NAMES

LOOKUP_TYPES = ("glossary", "businessglossary", "oetag")
PLACEMENT = (
    ("domain_id", "domainId"), ("domain_name", "domainName"), ("category_id", "categoryId"),
    ("category_name", "categoryName"), ("subcategory_id", "subcategoryId"),
    ("subcategory_name", "subcategoryName"),
)
# First-generation search-catalog spells the subcategory with a capital C (test_catalog.py
# @614da0b9); it takes names only (no id parameter is evidenced).
LEGACY_PLACEMENT = {"domainName": "domainName", "categoryName": "categoryName",
                    "subcategoryName": "subCategoryName"}


# -- checking and building the request -----------------------------------------------------------

def canonical_server_type(value: str) -> str:
    """OvalEdge's connector id for `value` ("SQL Server", "PostgreSQL", "mysql" -> sqlserver,
    postgres, mysql), or InvalidArguments listing the ids."""
    given = value.strip()
    found = (given if given in SERVER_TYPES else _SERVER_TYPE_BY_LOWER.get(given.lower())
             or _SERVER_TYPE_BY_COMPACT.get(compact(given)))
    if found is None:
        raise InvalidArguments(
            f"server_type={value!r} is not a known OvalEdge connector type; use its connector id "
            f"(e.g. mysql, postgres, snowflake, sqlserver, powerbi, s3), one of: "
            f"{', '.join(sorted(SERVER_TYPES, key=str.lower))}; or omit server_type")
    return found


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value: Any, where: str) -> str:
    try:
        dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidArguments(f"{where}={value!r} is not an ISO date (YYYY-MM-DD)") from None
    return str(value)


def _blank(value: Any) -> bool:
    """Given but saying nothing: the reference drops such filter values."""
    return value is None or (isinstance(value, str | list | dict) and not (
        value.strip() if isinstance(value, str) else value))


def _facet_value(key: str, value: Any) -> Any:
    where = f"filters.{key}"
    if key in TEXT_FACETS:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, str):
            raise InvalidArguments(f"{where} takes a text value, e.g. \"sales\"")
        return canonical_server_type(value) if key == "serverType" else value.strip()
    if key in LIST_FACETS:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidArguments(f"{where} takes a list of text values, e.g. [\"certified\"]")
        return [v.strip() for v in values if v.strip()]
    if key in RANGE_FACETS:
        if not isinstance(value, dict) or set(value) - {"min", "max", "eq"} \
                or not all(_number(v) for v in value.values()):
            raise InvalidArguments(f"{where} takes a range: {{\"min\": n}}, {{\"max\": n}}, both, "
                                   "or {\"eq\": n} (numbers; \"more than 4\" is min slightly above 4)")
        if "eq" in value and len(value) > 1:
            raise InvalidArguments(f"{where}: eq cannot be combined with min or max")
        if "min" in value and "max" in value and value["min"] > value["max"]:
            raise InvalidArguments(f"{where}: min {value['min']} is above max {value['max']}")
        return dict(value)
    if not isinstance(value, dict) or set(value) - {"from", "to"}:
        raise InvalidArguments(f"{where} takes {{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}} "
                               "(either bound alone for an open range)")
    dates = {bound: _date(v, f"{where}.{bound}") for bound, v in value.items()}
    if "from" in dates and "to" in dates and dates["from"][:10] > dates["to"][:10]:
        raise InvalidArguments(f"{where}: from {dates['from']} is after to {dates['to']}")
    return dates


def build_filters(a: dict[str, Any]) -> dict[str, Any]:
    """`filters` (keys in snake or camel case) plus the top-level facet arguments, checked.
    A key OvalEdge does not know is left out and named in the notes; a blank value is dropped."""
    given = a.get("filters") or {}
    filters: dict[str, Any] = {}
    unknown = []
    for key, value in given.items():
        name = _FACET_BY_COMPACT.get(compact(camel(str(key))))
        if name is None:
            unknown.append(str(key))
            continue
        if not _blank(value):
            filters[name] = _facet_value(name, value)
    if unknown:
        note(f"ignored filter(s) {', '.join(unknown)}: OvalEdge has no such facet (it takes: "
             f"{', '.join(FACETS)})")
    for arg, name in TOP_LEVEL_FACETS.items():
        if arg in a:
            filters[name] = _facet_value(name, a[arg])
    return {key: value for key, value in filters.items() if not _blank(value)}


def build_sort(a: dict[str, Any]) -> dict[str, str] | None:
    sort = a.get("sort")
    if sort is None:
        return None
    field = _SORT_BY_COMPACT.get(compact(str(sort.get("field", ""))))
    direction = str(sort.get("direction") or "desc").lower()
    if field is None or direction not in ("asc", "desc"):
        raise InvalidArguments(f"sort={sort!r} is not allowed; sort.field one of: {', '.join(SORT_FIELDS)}; "
                               "sort.direction asc or desc (default desc)")
    return {"field": field, "direction": direction}


def _mode(a: dict[str, Any]) -> str:
    """lookup (exact term or tag) | placement (terms of a glossary domain/category) | named (a
    search narrowed by name or objectId, any object type) | search."""
    object_type = a.get("object_type")
    exact = "name" in a or "object_id" in a
    placement = any(arg in a for arg, _ in PLACEMENT)
    if object_type not in (None, "oetag"):
        ignore(a, ("include_parent", "include_children"),
               "they add a tag's parent and children (object_type=oetag)")
    if placement and object_type not in (None, "glossary", "businessglossary"):
        raise InvalidArguments("domain_*, category_* and subcategory_* place glossary terms: leave "
                               f"object_type empty or use glossary (got {object_type!r})")
    if exact and placement:
        raise InvalidArguments("use either name/object_id (one term or tag) or the glossary "
                               "placement arguments, not both")
    if exact:
        return "lookup" if object_type in LOOKUP_TYPES else "named"
    return "placement" if placement else "search"


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


# -- asset-explorer by POST or by GET ---------------------------------------------------------------

def _flat_unsupported(body: dict[str, Any]) -> list[str]:
    """What of this request the flat query-parameter forms (search-catalog, GET asset-explorer)
    cannot express."""
    sort = body.get("search", {}).get("sort")
    missing = [f"sort ({sort['field']})"] if sort else []
    missing += [f"filters.{key}" for key in body.get("filters", {})
                if key not in FLAT_FACETS and key not in FLAT_LIST_FACETS]
    return missing


def _flat_facets(body: dict[str, Any]) -> dict[str, Any]:
    filters = body.get("filters", {})
    return {**{key: filters.get(key) for key in FLAT_FACETS},
            **{key: json_array(filters.get(key)) for key in FLAT_LIST_FACETS}}


def get_params(body: dict[str, Any]) -> dict[str, Any]:
    """The flat query parameters of GET asset-explorer for a POST body (invocations.py
    @0f1b928e), or NotOffered naming what that form cannot express."""
    unsupported = _flat_unsupported(body)
    if unsupported:
        raise NotOffered(
            f"this OvalEdge release serves {routes.ASSET_EXPLORER_GET} (query parameters), which "
            f"cannot apply: {', '.join(unsupported)}.",
            hint="Drop those (keywords, object_type, owner, steward, custodian, connection, schema, "
            "server_type, tags, terms, classifications, custom fields, data products and CDE still "
            "work), or use an OvalEdge release whose asset-explorer takes a JSON body.")
    search = body.get("search", {})  # a lookup by id (create_tag's read-back) has none
    return {
        "searchTerms": json_array(search.get("searchTerms")), "contextQuery": search.get("contextQuery"),
        "page": search.get("page"), "limit": search.get("limit"), "objectType": body.get("objectType"),
        "objectId": body.get("objectId"), "name": body.get("name"),
        "includeParent": body.get("includeParent"), "includeChildren": body.get("includeChildren"),
        **body.get("glossaryPlacement", {}), **_flat_facets(body),
    }


def explorer_route(api: Any) -> routes.Route:
    """The asset-explorer method this client uses (POST until OvalEdge said otherwise)."""
    return api.routes.variant(routes.SEARCH, routes.ASSET_EXPLORER)


async def explore(ctx: ToolContext, body: dict[str, Any]) -> Any:
    """OvalEdge's asset-explorer answer to `body`, sent as this release takes it: the method
    known to work, else POST then GET. RouteMissing only when both methods are missing."""
    known = explorer_route(ctx.api)
    other = routes.ASSET_EXPLORER_GET if known == routes.ASSET_EXPLORER else routes.ASSET_EXPLORER
    for route in (known, other):
        try:
            if route == routes.ASSET_EXPLORER_GET:
                answer = await ctx.api.call(route, get_params(body))
            else:
                answer = await ctx.api.call(route, body=body)
        except RouteMissing:
            if route is other:
                raise
            continue  # a 405 (the path is there, for the other method) or a 404: try the other
        ctx.api.routes.variant_answered(routes.SEARCH, route)
        return answer
    raise AssertionError("unreachable")


# -- the two generations --------------------------------------------------------------------------

def _normalised(answer: Any) -> dict[str, Any]:
    """The answer's data, `items` (and `glossaryTerms`, `tags` when present) as lists.
    total/page/limit are kept when OvalEdge sends them and never made up (docs/wire.md: whether
    real answers carry them is unknown)."""
    data = dict(data_of(answer))
    if not isinstance(data.get("items"), list):
        data["items"] = []
    for key in ("glossaryTerms", "tags"):  # a list; one match may come as the object itself
        if isinstance(data.get(key), dict):
            data[key] = [data[key]]
    return data


async def _current(ctx: ToolContext, body: dict[str, Any]) -> dict[str, Any]:
    return _normalised(await explore(ctx, body))


def _hits(answer: Any) -> list[dict[str, Any]]:
    """A first-generation lookup's matches: `data` is one object (by id) or a list (a name
    search may match several), or the answer is flat."""
    data = answer.get("data", answer) if isinstance(answer, dict) else answer
    if isinstance(data, list):
        return [hit for hit in data if isinstance(hit, dict)]
    if isinstance(data, dict):
        found = {k: v for k, v in data.items() if k not in ("ok", "message")} if data is answer else data
        return [found] if found else []
    return []


async def _lookup_legacy(ctx: ToolContext, a: dict[str, Any]) -> dict[str, Any]:
    is_tag = a["object_type"] == "oetag"
    route, name_key = (routes.TAGS, "tagName") if is_tag else (routes.GLOSSARY_TERMS, "termName")
    params: dict[str, Any] = {"objectId": a["object_id"]} if "object_id" in a else {name_key: a["name"]}
    if "limit" in a:
        params["limit"] = min(a["limit"], LOOKUP_LIMIT_MAX)
    try:
        found = _hits(await ctx.api.call(route, params))
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


def _legacy_params(body: dict[str, Any]) -> dict[str, Any]:
    unsupported = _flat_unsupported(body)
    if unsupported:
        raise NotOffered(
            f"this OvalEdge release answers only the first-generation {routes.SEARCH_CATALOG}, "
            f"which cannot apply: {', '.join(unsupported)}.",
            hint="Drop those, or use an OvalEdge release with the current asset-explorer route.",
        )
    search = body.get("search", {})  # a lookup by id (create_tag's read-back) has none
    return {
        "searchTerms": json_array(search.get("searchTerms")), "contextQuery": search.get("contextQuery"),
        "page": search.get("page"), "limit": search.get("limit"), "objectType": body.get("objectType"),
        **_flat_facets(body),
    }


async def _search_legacy(ctx: ToolContext, body: dict[str, Any]) -> dict[str, Any]:
    return _normalised(await ctx.api.call(routes.SEARCH_CATALOG, _legacy_params(body)))


async def _placement_legacy(ctx: ToolContext, a: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Glossary terms by placement through search-catalog (objectType=glossary with domainName,
    categoryName, subCategoryName), answered like the current route: in `glossaryTerms`."""
    placement = body["glossaryPlacement"]
    names = {LEGACY_PLACEMENT[key]: value for key, value in placement.items() if key in LEGACY_PLACEMENT}
    if not names:
        raise NotOffered(
            f"this OvalEdge release answers only the first-generation {routes.SEARCH_CATALOG}, which "
            "places glossary terms by name only.",
            hint="Call again with domain_name (and category_name, subcategory_name) instead of the ids.")
    ignore(a, [arg for arg, key in PLACEMENT if key.endswith("Id")],
           f"the first-generation {routes.SEARCH_CATALOG} places terms by name only")
    params = {**_legacy_params({**body, "objectType": "glossary"}), **names}
    data = _normalised(await ctx.api.call(routes.SEARCH_CATALOG, params))
    terms = data.pop("items")
    return {**data, "items": [], "glossaryTerms": terms}


# -- presenting ------------------------------------------------------------------------------------

def _formatted(data: dict[str, Any], link_base: str) -> str | None:
    lines: list[str] = []
    for term in data.get("glossaryTerms") or []:
        name = term.get("objectName") or term.get("termName") or term.get("name")
        url = nav_url(link_base, term.get("navLink"))
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
            return await _placement_legacy(ctx, a, body)
        if mode == "named":
            raise NotOffered(
                f"this OvalEdge release answers only the first-generation {routes.SEARCH_CATALOG}, "
                "which cannot narrow a search by name or object_id (only glossary terms and tags "
                "are looked up by name there).",
                hint="Search with search_terms (and object_type) instead, or look the asset up with "
                "asset_details when you have its object_id and object_type.")
        return await _search_legacy(ctx, body)

    data = await ctx.api.by_generation(routes.SEARCH, lambda: _current(ctx, body), legacy,
                                       what="asset_explorer")
    result = ok(data)
    if a.get("limit", LIMIT_DEFAULT) > LIMIT_MAX:
        note(f"limit {a['limit']} was capped at {LIMIT_MAX}; use page for more")
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
            "server_type": string("Connector id, e.g. snowflake, postgres."),
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
            "object_id": integer("Exact id (term, tag, any asset).", minimum=1),
            "name": string("Exact name (term, tag, any asset)."),
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
