"""Every read tool, resource and prompt through `oe-mcp-local --demo`, driven by an MCP client.

The sandbox OvalEdge that `--demo` runs records each request it gets, so the assertions are on
what went over the wire: method, path, query pairs, JSON body. The same calls run against the
sandbox as a current OvalEdge and as an old one (`api=legacy`, where the current routes do not
exist): the results must have the same shape, reached through the first-generation routes.
Calls are grouped, one supervisor per test, to keep the module fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from mcp import MCPError

from tests.harness import demo_supervisor, result_json, result_text, status_of
from worker.surface import REGISTRY
from worker.tools.common import OBJECT_TYPES
from worker.tools.explorer import SORT_FIELDS
from worker.tools.retired import REPLACED_BY

API = "/api/v1/mcp"
# The current routes, spelled here on their own (the worker's routes module is under test).
EXPLORER, DETAILS, LINEAGE = f"{API}/asset-explorer", f"{API}/asset-details", f"{API}/asset-lineage"
CHANGES, ACCESS, KNOWLEDGE = (f"{API}/metadata-changes-between-crawls", f"{API}/access-explorer",
                              f"{API}/knowledge-search")
# The first-generation routes.
SEARCH, OBJECT, PROFILE = f"{API}/search-catalog", f"{API}/object-details", f"{API}/column-profile"
RELATIONSHIPS, OLD_LINEAGE = f"{API}/entity-relationships", f"{API}/lineage"
GLOSSARY, TAGS, DOCS = f"{API}/glossary-terms", f"{API}/tags", f"{API}/search-platform-docs"
STORIES = f"{API}/lookup-datastory"

ORDERS = 1002  # pos.orders in the sandbox catalog
STG_ORDERS = 1007  # staging.stg_orders
ORDER_ID = 100201  # pos.orders.order_id
REVENUE = 2001  # glossary term
PII = 4002  # tag, child of Sensitive
SUPPLIER_COSTS = 5001  # a file feeding staging.stg_products
STORY = 6001  # data story "Weekly revenue reporting"

GET, POST = "GET", "POST"
Request = tuple[str, str, dict[str, Any]]  # method, path, query (values: str or list) or body


@dataclass
class Case:
    tool: str
    args: dict[str, Any]
    current: list[Request]  # what a current OvalEdge receives
    # What an old OvalEdge receives after the one current-route attempt: the first-generation
    # requests, or (a string) a fragment of the error saying it cannot be done there.
    legacy: list[Request] | str
    key: str = field(default="")


def q(**params: Any) -> dict[str, Any]:
    return {k: v if isinstance(v, list) else str(v) for k, v in params.items()}


CASES: list[Case] = [
    # asset_explorer: keywords; every top-level argument and facet; a sorted filter-only listing;
    # exact term and tag lookups; glossary placement
    Case("asset_explorer", {"search_terms": ["orders"]},
         [(POST, EXPLORER, {"search": {"page": 1, "limit": 20, "searchTerms": ["orders"]}})],
         [(GET, SEARCH, q(searchTerms='["orders"]', page=1, limit=20))]),
    Case("asset_explorer", {"search_terms": [" orders ", "", "  "], "context_query": "  "},
         [(POST, EXPLORER, {"search": {"page": 1, "limit": 20, "searchTerms": ["orders"]}})],
         [(GET, SEARCH, q(searchTerms='["orders"]', page=1, limit=20))]),
    Case("asset_explorer", {
        "search_terms": ["customer", "loyalty tier"], "context_query": "Which customers are gold?",
        "page": 2, "limit": 50, "object_type": "oecolumn", "connection_name": "pos_postgres",
        "server_type": "PostgreSQL", "schema_name": "pos", "owner": "ben.kim", "steward": "dev.patel",
        "custodian": "pos-dba", "tags": ["PII"], "terms": ["Loyalty Tier"],
    }, [(POST, EXPLORER, {
        "objectType": "oecolumn",
        "search": {"page": 2, "limit": 50, "searchTerms": ["customer", "loyalty tier"],
                   "contextQuery": "Which customers are gold?"},
        "filters": {"connectionName": "pos_postgres", "serverType": "postgres", "schemaName": "pos",
                    "owner": "ben.kim", "steward": "dev.patel", "custodian": "pos-dba", "tags": ["PII"],
                    "terms": ["Loyalty Tier"]},
    })], [(GET, SEARCH, q(
        searchTerms='["customer","loyalty tier"]', contextQuery="Which customers are gold?", page=2,
        limit=50, objectType="oecolumn", connectionName="pos_postgres", schemaName="pos",
        owner="ben.kim", steward="dev.patel", custodian="pos-dba", serverType="postgres",
        tags='["PII"]', terms='["Loyalty Tier"]'))]),
    Case("asset_explorer", {
        "search_terms": ["revenue"], "limit": 80, "custom_fields": ["Data Owner Team"],
        "data_products": ["Sales 360"], "classifications": ["Confidential"],
        "critical_data_element": ["Yes"],
        "filters": {"certification": ["certified"], "table_type": "TABLE", "dqIndex": {"min": 80},
                    "rating": {"min": 4.01}, "null_density": {"eq": 6.7},
                    "createdDate": {"from": "2024-01-01", "to": "2025-12-31"},
                    "tags": ["Finance"], "tableName": "fct_sales"},
        "tags": ["Certified"],  # the top-level argument wins over filters.tags
    }, [(POST, EXPLORER, {
        "search": {"page": 1, "limit": 50, "searchTerms": ["revenue"]},
        "filters": {"certification": ["certified"], "tableType": ["TABLE"], "dqIndex": {"min": 80},
                    "rating": {"min": 4.01}, "nullDensity": {"eq": 6.7},
                    "createdDate": {"from": "2024-01-01", "to": "2025-12-31"}, "tags": ["Certified"],
                    "tableName": ["fct_sales"], "customFields": ["Data Owner Team"],
                    "dataProducts": ["Sales 360"], "classifications": ["Confidential"],
                    "criticalDataElement": ["Yes"]},
    })], "cannot apply: filters.certification, filters.tableType, filters.dqIndex"),
    Case("asset_explorer", {"object_type": "oetable", "sort": {"field": "dqIndex", "direction": "ASC"},
                            "filters": {"rowCount": {"min": 1000}}},
         [(POST, EXPLORER, {"objectType": "oetable",
                            "search": {"page": 1, "limit": 20, "sort": {"field": "dq_index",
                                                                         "direction": "asc"}},
                            "filters": {"rowCount": {"min": 1000}}})],
         "cannot apply: sort (dq_index), filters.rowCount"),
    Case("asset_explorer", {"object_type": "glossary", "name": "Revenue"},
         [(POST, EXPLORER, {"objectType": "glossary", "name": "Revenue", "search": {"page": 1, "limit": 20}})],
         [(GET, GLOSSARY, q(termName="Revenue"))], key="term"),
    Case("asset_explorer", {"object_type": "glossary", "object_id": REVENUE},
         [(POST, EXPLORER, {"objectType": "glossary", "objectId": REVENUE, "search": {"page": 1, "limit": 20}})],
         [(GET, GLOSSARY, q(objectId=REVENUE))]),
    Case("asset_explorer", {"object_type": "oetag", "name": "PII", "include_parent": True,
                            "include_children": True},
         [(POST, EXPLORER, {"objectType": "oetag", "name": "PII", "includeParent": True,
                            "includeChildren": True, "search": {"page": 1, "limit": 20}})],
         [(GET, TAGS, q(tagName="PII"))], key="tag"),
    Case("asset_explorer", {"domain_name": "Retail Analytics", "category_name": "Sales"},
         [(POST, EXPLORER, {"search": {"page": 1, "limit": 20},
                            "glossaryPlacement": {"domainName": "Retail Analytics", "categoryName": "Sales"}})],
         [(GET, SEARCH, q(page=1, limit=20, objectType="glossary", domainName="Retail Analytics",
                          categoryName="Sales"))]),
    # asset_details: a table (record + profile + relationships), a term, a column
    Case("asset_details", {"object_id": ORDERS, "object_type": "oetable"},
         [(GET, DETAILS, q(objectId=ORDERS, objectType="oetable"))],
         [(GET, OBJECT, q(objectId=ORDERS, objectType="oetable")),
          (GET, PROFILE, q(objectId=ORDERS, objectType="oetable")),
          (GET, RELATIONSHIPS, q(objectId=ORDERS))], key="table"),
    Case("asset_details", {"object_id": REVENUE, "object_type": "glossary"},
         [(GET, DETAILS, q(objectId=REVENUE, objectType="glossary"))],
         [(GET, OBJECT, q(objectId=REVENUE, objectType="glossary"))]),
    Case("asset_details", {"object_id": ORDER_ID, "object_type": "oecolumn"},
         [(GET, DETAILS, q(objectId=ORDER_ID, objectType="oecolumn"))],
         [(GET, OBJECT, q(objectId=ORDER_ID, objectType="oecolumn"))]),
    # asset_lineage: default depth, none, the most
    Case("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable"},
         [(GET, LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=2))],
         [(GET, OLD_LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=2))], key="lineage"),
    Case("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable", "depth": 0},
         [(GET, LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=0))],
         [(GET, OLD_LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=0))]),
    Case("asset_lineage", {"object_id": STG_ORDERS, "object_type": "oetable", "depth": 5},
         [(GET, LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=5))],
         [(GET, OLD_LINEAGE, q(objectId=STG_ORDERS, objectType="oetable", depth=5))]),
    # metadata_changes_between_crawls: the latest crawls; a window in days; crawl ids and names.
    # The same route in every generation: an old OvalEdge gets the very same request.
    *[Case("metadata_changes_between_crawls", args, [(POST, CHANGES, body)], [(POST, CHANGES, body)], key=key)
      for args, body, key in [
          ({}, {}, ""),
          ({"question": "What changed in retail_snowflake this month?", "connection_name": "retail_snowflake",
            "last_n_days": 30},
           {"question": "What changed in retail_snowflake this month?", "connectionName": "retail_snowflake",
            "lastNDays": 30}, "changes"),
          ({"connection_name": "retail_snowflake", "schema_names": ["mart"], "table_names": ["fct_sales"],
            "last_n_weeks": 8},
           {"connectionName": "retail_snowflake", "schemaNames": ["mart"], "tableNames": ["fct_sales"],
            "lastNWeeks": 8}, ""),
          ({"connection_name": "retail_snowflake", "from_timestamp": "2025-01-01T00:00:00Z",
            "to_timestamp": "2025-12-31T00:00:00Z"},
           {"connectionName": "retail_snowflake", "fromTimestamp": "2025-01-01T00:00:00Z",
            "toTimestamp": "2025-12-31T00:00:00Z"}, ""),
          # the reference's own test sends a day window with crawl ids
          ({"last_n_days": 2, "from_crawl_id": 7002, "to_crawl_id": 7003},
           {"lastNDays": 2, "fromCrawlId": 7002, "toCrawlId": 7003}, ""),
      ]],
    # knowledge_search: a question (stories and docs); the candidates rule; one story by name
    Case("knowledge_search", {"query": "how does lineage work"},
         [(GET, KNOWLEDGE, q(query="how does lineage work"))],
         [(GET, DOCS, q(query="how does lineage work")),
          (GET, STORIES, q(contentQuery="how does lineage work"))], key="knowledge"),
    Case("knowledge_search", {"query": "api token", "limit": 7},
         [(GET, KNOWLEDGE, q(query="api token", limit=7, numCandidates=128))],
         [(GET, DOCS, q(query="api token", limit=7, numCandidates=128)),
          (GET, STORIES, q(contentQuery="api token"))]),
    Case("knowledge_search", {"query": "glossary", "limit": 80, "num_candidates": 10},
         [(GET, KNOWLEDGE, q(query="glossary", limit=50, numCandidates=50))],
         [(GET, DOCS, q(query="glossary", limit=50, numCandidates=50)),
          (GET, STORIES, q(contentQuery="glossary"))]),
    Case("knowledge_search", {"query": "tags", "num_candidates": 600},
         [(GET, KNOWLEDGE, q(query="tags", numCandidates=512))],
         [(GET, DOCS, q(query="tags", numCandidates=512)), (GET, STORIES, q(contentQuery="tags"))]),
    Case("knowledge_search", {"story_name": "Weekly revenue reporting", "content_query": "refunds"},
         [(GET, KNOWLEDGE, q(contentQuery="refunds", storyName="Weekly revenue reporting"))],
         [(GET, STORIES, q(storyName="Weekly revenue reporting", contentQuery="refunds"))]),
]


def as_query(items: list[list[str]]) -> dict[str, Any]:
    """Recorded query pairs as {name: value}, a repeated name as {name: [values...]}."""
    out: dict[str, Any] = {}
    for name, value in items:
        out[name] = [*out[name], value] if isinstance(out.get(name), list) else (
            [out[name], value] if name in out else value)
    return out


def sent(recorded: list[dict[str, Any]]) -> list[Request]:
    return [(r["method"], r["path"], r["json"] if r["method"] == POST else as_query(r["query_items"]))
            for r in recorded]


def shape(value: Any, depth: int = 3) -> Any:
    """The structure of an answer: keys and kinds, to the depth the tools shape."""
    if depth == 0:
        return type(value).__name__
    if isinstance(value, dict):
        return {key: shape(item, depth - 1) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0], depth - 1)] if value else []
    return type(value).__name__


async def run_cases(conn, sandbox) -> dict[int, tuple[Any, list[Request]]]:
    """Each case's result and the requests it made, one case at a time."""
    seen = {}
    for index, case in enumerate(CASES):
        await sandbox.reset()
        seen[index] = (await conn.call(case.tool, case.args), sent(await sandbox.requests()))
    return seen


async def test_every_read_tool_and_mode_on_current_and_on_legacy_ovaledge(tmp_path):
    async with demo_supervisor(tmp_path / "now.sock") as (conn, sandbox):
        now = await run_cases(conn, sandbox)
        routes_now = (await status_of(tmp_path / "now.sock"))["routes"]
    async with demo_supervisor(tmp_path / "old.sock", api="legacy") as (conn, sandbox):
        old = await run_cases(conn, sandbox)
        routes_old = (await status_of(tmp_path / "old.sock"))["routes"]
        stderr = conn.stderr()

    tried_current: set[str] = set()
    for index, case in enumerate(CASES):
        result, requests = now[index]
        assert requests == case.current, (case.tool, case.args)
        data = result_json(result)
        assert data["ok"] is True and result.structured_content == data, (case.tool, case.args)

        result, requests = old[index]
        # a capability's current route is tried once per worker (asset-explorer by POST, then by
        # GET: a release may take either method); then only the first generation
        first = case.current[0][1]
        every_generation = not isinstance(case.legacy, str) and case.legacy[:1] == case.current[:1]
        attempted = ([first] * (2 if first == EXPLORER else 1)
                     if first not in tried_current and not every_generation else [])
        tried_current.add(first)
        if isinstance(case.legacy, str):
            assert result.is_error and case.legacy in result_text(result), (case.tool, result_text(result))
            assert [r[1] for r in requests] in ([], attempted), (case.tool, requests)
            continue
        assert [r[1] for r in requests[:len(attempted)]] == attempted, (case.tool, requests)
        assert requests[len(attempted):] == case.legacy, (case.tool, case.args)
        assert shape(result_json(result)) == shape(data), (case.tool, case.args)

    reads = {name for name, tool in REGISTRY.tools.items() if tool.effect == "read"}
    assert {case.tool for case in CASES} | {"access_explorer"} == reads  # access: test_access_wire.py
    assert routes_now["setting"] == "auto" and routes_now["generation"] == "current"
    assert routes_now["first_generation_for"] == []
    assert routes_old["generation"] == "legacy"
    assert set(routes_old["first_generation_for"]) == {"search", "details", "lineage", "knowledge"}
    assert "OvalEdge has no route POST /api/v1/mcp/asset-explorer (HTTP 404)" in stderr
    assert "search uses the first-generation routes from now on" in stderr


def case(key: str) -> Case:
    return next(c for c in CASES if c.key == key)


async def test_results_carry_links_and_formatted_text(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        base = sandbox.base_url
        term = result_json(await conn.call("asset_explorer", case("term").args))
        tag = result_json(await conn.call("asset_explorer", case("tag").args))
        table = result_json(await conn.call("asset_details", case("table").args))
        hits = result_json(await conn.call("asset_explorer", {"search_terms": ["orders"], "limit": 5}))
        lineage = result_json(await conn.call("asset_lineage", case("lineage").args))
        knowledge = result_json(await conn.call("knowledge_search", {"query": "weekly revenue"}))

    [revenue] = term["data"]["glossaryTerms"]
    assert revenue["objectName"] == "Revenue" and revenue["redirectUrl"] == f"{base}/{revenue['navLink']}"
    assert term["formattedResponse"].startswith(f"**[Revenue]({base}/#nav/glossary")
    [pii] = tag["data"]["tags"]
    assert pii["parentTag"]["objectName"] == "Sensitive" and "childTags" in pii
    assert "Tag PII** (under Sensitive)" in tag["formattedResponse"]

    details = table["data"]["details"]
    assert details["objectName"] == "orders"
    assert details["redirectUrl"] == f"{base}/#nav/table?browse=summary&id={ORDERS}"
    assert {c["columnName"] for c in table["data"]["profile"]["columns"]} >= {"order_id", "order_total"}
    assert table["data"]["relationships"]["relationships"]

    assert hits["data"]["items"] and all(
        hit["redirectUrl"] == f"{base}/{hit['navLink']}" for hit in hits["data"]["items"])
    assert hits["data"]["total"] >= len(hits["data"]["items"])
    assert lineage["data"]["upstream"] and lineage["data"]["downstream"]

    stories = knowledge["data"]["dataStories"]
    assert stories, knowledge
    first = stories[0]
    assert knowledge["formattedResponse"].splitlines()[0] == first["storyCitation"]
    assert first["storyCitation"].startswith(f"[{first['metadata']['storyName']}]({base}/#nav/story?id=")
    assert "<" not in knowledge["formattedResponse"].split("### OvalEdge documentation")[0]


# -- invalid arguments: an error listing what is allowed, and no HTTP call ---------------------

def _all(values) -> list[str]:
    return list(values)


INVALID_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("asset_explorer", {"object_type": "table"}, ["object_type='table' is not allowed", *_all(OBJECT_TYPES)]),
    ("asset_explorer", {"limit": 0}, ["limit=0 must be at least 1"]),
    ("asset_explorer", {"page": 0}, ["page=0 must be at least 1"]),
    ("asset_explorer", {"search_terms": "orders"}, ["search_terms", "array"]),
    ("asset_explorer", {"server_type": "Snowflakes"}, ["server_type='Snowflakes' is not a known OvalEdge "
                                                       "connector type", "snowflake", "postgres", "tableau"]),
    ("asset_explorer", {"filters": {"dqIndex": 80}}, ["filters.dqIndex takes a range", "min", "max", "eq"]),
    ("asset_explorer", {"filters": {"rating": {"min": 4, "eq": 5}}}, ["eq cannot be combined"]),
    ("asset_explorer", {"filters": {"rowCount": {"min": 10, "max": 1}}}, ["min 10 is above max 1"]),
    ("asset_explorer", {"filters": {"createdDate": {"from": "last year"}}},
     ["filters.createdDate.from='last year' is not an ISO date"]),
    ("asset_explorer", {"filters": {"certification": 3}}, ["filters.certification takes a list of text"]),
    ("asset_explorer", {"sort": {"field": "size"}}, ["sort.field one of:", *_all(SORT_FIELDS)]),
    ("asset_explorer", {"sort": {"field": "rating", "direction": "up"}}, ["direction", "asc", "desc"]),
    ("asset_explorer", {"object_type": "oetable", "domain_name": "Retail Analytics"},
     ["domain_*, category_* and subcategory_* place glossary terms"]),
    ("asset_explorer", {"object_type": "glossary", "name": "Revenue", "domain_id": 1}, ["not both"]),
    ("asset_details", {"object_id": ORDERS}, ["missing required argument: object_type"]),
    ("asset_details", {"object_id": ORDERS, "object_type": "table"},
     ["object_type='table' is not allowed", *_all(OBJECT_TYPES)]),
    ("asset_details", {"object_id": 0, "object_type": "oetable"}, ["object_id=0 must be at least 1"]),
    ("asset_details", {"object_id": "1002", "object_type": "oetable"},
     ["object_id='1002' must be of type integer"]),
    ("asset_lineage", {"object_id": ORDERS, "object_type": "oetable", "depth": 6}, ["depth=6 must be at most 5"]),
    ("asset_lineage", {"object_id": ORDERS, "object_type": "oechart"}, ["oetable, oefile"]),
    ("asset_lineage", {"object_type": "oetable"}, ["missing required argument: object_id"]),
    ("metadata_changes_between_crawls", {"last_n_days": 3, "last_n_weeks": 1},
     ["last_n_days or last_n_weeks, not both"]),
    ("metadata_changes_between_crawls", {"from_crawl_id": 9, "to_crawl_id": 3},
     ["from_crawl_id=9 must be <= to_crawl_id=3"]),
    ("metadata_changes_between_crawls", {"last_n_days": 0}, ["last_n_days=0 must be at least 1"]),
    ("metadata_changes_between_crawls", {"from_timestamp": "yesterday"}, ["is not an ISO timestamp"]),
    ("metadata_changes_between_crawls", {"from_timestamp": "2025-02-01", "to_timestamp": "2025-01-01"},
     ["from_timestamp must not be after to_timestamp"]),
    ("knowledge_search", {}, ["one of query, content_query, story_zone_name, story_name, object_id"]),
    ("knowledge_search", {"query": "   "}, ["one of query"]),
    ("knowledge_search", {"object_id": 0}, ["object_id=0 must be at least 1"]),
]


async def test_invalid_arguments_are_rejected_before_any_http_call(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        for tool, args, fragments in INVALID_CASES:
            result = await conn.call(tool, args)
            text = result_text(result)
            assert result.is_error, (tool, args, text)
            assert text.startswith(f"Invalid arguments for {tool}: "), text
            for fragment in fragments:
                assert fragment in text, (tool, args, fragment, text)
            assert result.structured_content["error"] == text
            assert result.structured_content["status_code"] == 400
        unknown = await conn.call("drop_table", {"object_id": 1})
        assert unknown.is_error and "unknown tool 'drop_table'" in result_text(unknown)
        assert all(name in result_text(unknown) for name in REGISTRY.tools)
        assert await sandbox.requests() == []


async def test_unknown_arguments_are_ignored_and_named_never_refused(tmp_path):
    """The reference server ignores arguments it does not take: a model that passes extra
    context gets its answer, and the notes name what was left out."""
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        found = result_json(await conn.call("asset_explorer", {"search_terms": ["orders"], "query": "orders",
                                                               "reasoning": "the user asked"}))
        assert found["data"]["items"], found
        assert any("ignored unknown argument(s) query, reasoning" in n and "search_terms" in n
                   for n in found["notes"]), found["notes"]
        sent = await sandbox.requests()
        assert [(r["method"], r["path"]) for r in sent] == [(POST, EXPLORER)]
        assert "reasoning" not in json.dumps(sent[0]["json"])


async def test_first_generation_names_say_what_replaced_them(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        listed = {tool.name for tool in (await conn.session.list_tools()).tools}
        for old, (new, _) in REPLACED_BY.items():
            result = await conn.call(old, {"search_terms": ["orders"]})
            text = result_text(result)
            assert result.is_error and text.startswith(f"{old} was replaced by {new}: call {new} with")
            assert old not in listed and new in listed
        assert await sandbox.requests() == []
    assert len(REPLACED_BY) == 7 and "asset_lineage" not in REPLACED_BY


# -- route generations: the setting, a missing object, both generations missing ----------------

async def test_a_missing_object_is_not_found_and_never_a_fallback(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        missing = await conn.call("asset_details", {"object_id": 999999, "object_type": "oetable"})
        lineage = await conn.call("asset_lineage", {"object_id": 77, "object_type": "oefile", "depth": 3})
        requests = sent(await sandbox.requests())
        routes = (await status_of(tmp_path / "s.sock"))["routes"]
    assert missing.is_error and "404" in result_text(missing) and "no such object" in result_text(missing)
    assert missing.structured_content["status_code"] == 404
    assert lineage.is_error and "404" in result_text(lineage)
    assert requests == [(GET, DETAILS, q(objectId=999999, objectType="oetable")),
                        (GET, LINEAGE, q(objectId=77, objectType="oefile", depth=3))]
    assert routes["first_generation_for"] == []


@pytest.mark.parametrize(("setting", "api", "fragment"), [
    ("current", "legacy", "OVALEDGE_API_ROUTES=current: set it to auto"),
    ("legacy", "current", "OVALEDGE_API_ROUTES=legacy: set it to auto or current"),
])
async def test_a_single_generation_setting_says_what_to_change(tmp_path, setting, api, fragment):
    async with demo_supervisor(tmp_path / "s.sock", api=api, env={"OVALEDGE_API_ROUTES": setting}) as (
            conn, sandbox):
        result = await conn.call("asset_explorer", {"search_terms": ["orders"]})
        requests = await sandbox.requests()
        routes = (await status_of(tmp_path / "s.sock"))["routes"]
    assert result.is_error and "404" in result_text(result) and fragment in result_text(result)
    # current: asset-explorer is asked by POST, then by GET (either method may be the one served)
    assert len(requests) == (2 if setting == "current" else 1) and routes == {**routes, "setting": setting, "generation": setting}


async def test_spring_html_error_page_counts_as_a_missing_route(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        await sandbox.set(unmapped_answer="html")
        result = result_json(await conn.call("asset_lineage", case("lineage").args))
        requests = sent(await sandbox.requests())
    assert result["data"]["upstream"]
    assert [r[1] for r in requests] == [LINEAGE, OLD_LINEAGE]


# -- resources ---------------------------------------------------------------------------------

async def test_templates_and_documents_read_and_bad_uris_are_clear_errors(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        templates = (await conn.session.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == [
            "ovaledge://catalog/table/{object_id}", "ovaledge://governance/glossary-term/{object_id}",
            "ovaledge://catalog/file/{object_id}", "ovaledge://governance/data-story/{object_id}",
            "ovaledge://governance/tag/{object_id}",
        ]
        documents = (await conn.session.list_resources()).resources
        assert {str(d.uri) for d in documents} >= {
            "docs://ovaledge/mcp_workflows", "docs://ovaledge/governance", "docs://ovaledge/asset_types",
            "docs://ovaledge/overview"}
        for document in documents:
            [content] = (await conn.session.read_resource(str(document.uri))).contents
            if str(document.uri).startswith("ui://"):  # the MCP Apps views (tests/views)
                assert content.mime_type == "text/html;profile=mcp-app" and content.text.startswith("<!doctype html>")
            else:
                assert content.mime_type == "text/markdown" and content.text.startswith("# ")
            assert content.mime_type == document.mime_type and len(content.text.encode()) == document.size
        assert sum(str(d.uri).startswith("ui://ovaledge/") for d in documents) == 4
        assert await sandbox.requests() == []  # static documents never need OvalEdge

        sandbox_uris = [f"ovaledge://catalog/table/{ORDERS}", f"ovaledge://governance/glossary-term/{REVENUE}",
                        f"ovaledge://catalog/file/{SUPPLIER_COSTS}", f"ovaledge://governance/data-story/{STORY}",
                        f"ovaledge://governance/tag/{PII}"]
        read = {}
        for uri in sandbox_uris:
            [content] = (await conn.session.read_resource(uri)).contents
            assert str(content.uri) == uri and content.mime_type == "application/json"
            read[uri] = json.loads(content.text)
        assert [(r[0], r[1], r[2]) for r in sent(await sandbox.requests())] == [
            (GET, DETAILS, q(objectId=ORDERS, objectType="oetable")),
            (GET, DETAILS, q(objectId=REVENUE, objectType="glossary")),
            (GET, DETAILS, q(objectId=SUPPLIER_COSTS, objectType="oefile")),
            (GET, DETAILS, q(objectId=STORY, objectType="oestory")),
            (GET, DETAILS, q(objectId=PII, objectType="oetag")),
        ]
        table = read[sandbox_uris[0]]["data"]["details"]
        assert table["objectName"] == "orders" and table["redirectUrl"].endswith(table["navLink"])
        assert read[sandbox_uris[0]]["data"]["profile"]["columns"]
        names = [read[uri]["data"]["details"]["objectName"] for uri in sandbox_uris]
        assert names == ["orders", "Revenue", "supplier_costs.csv", "Weekly revenue reporting", "PII"]
        assert read[sandbox_uris[2]]["data"]["profile"]["columns"]  # a file has a profile too

        await sandbox.reset()
        for uri, fragment in (
            ("ovaledge://catalog/table/orders", "'orders' in ovaledge://catalog/table/orders is not a "
                                                "positive number"),
            ("ovaledge://governance/glossary-term/-3", "'-3'"),
            ("ovaledge://catalog/table/", "is not a positive number"),
            ("ovaledge://catalog/view/1002", "unknown resource"),
            (f"ovaledge://catalog/table/{ORDERS}/columns", "unknown resource"),
            ("docs://ovaledge/nope", "unknown resource"),
        ):
            with pytest.raises(MCPError) as raised:
                await conn.session.read_resource(uri)
            assert fragment in str(raised.value), (uri, str(raised.value))
        assert "ovaledge://catalog/table/<id>" in str(raised.value)
        assert "docs://ovaledge/mcp_workflows" in str(raised.value)
        with pytest.raises(MCPError, match="404"):
            await conn.session.read_resource("ovaledge://catalog/table/999999")
        assert [r[2] for r in sent(await sandbox.requests())] == [q(objectId=999999, objectType="oetable")]


# -- prompts -----------------------------------------------------------------------------------

async def test_all_prompts_get_and_every_tool_they_name_is_listed(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        listed_tools = {tool.name for tool in (await conn.session.list_tools()).tools}
        listed = (await conn.session.list_prompts()).prompts
        assert [p.name for p in listed] == list(REGISTRY.prompts) and len(listed) == 22
        for spec, prompt in zip(REGISTRY.prompts.values(), listed, strict=True):
            assert [(a.name, a.required) for a in prompt.arguments] == [
                (a.name, True) for a in spec.arguments]
            values = {a.name: f"value-for-{a.name}" for a in spec.arguments}
            got = await conn.session.get_prompt(spec.name, values)
            [message] = got.messages
            text = message.content.text
            assert message.role == "user" and all(v in text for v in values.values())
            assert "{" not in text and "}" not in text, spec.name
            named = {tool for tool in REGISTRY.tools if tool in text}
            assert named == set(spec.tools) and named <= listed_tools, spec.name
        with pytest.raises(MCPError, match="needs the argument 'query'"):
            await conn.session.get_prompt("data_discovery", {})
        with pytest.raises(MCPError, match="needs the argument 'question'"):
            await conn.session.get_prompt("native_source_access", {"source_system": "snowflake"})
        with pytest.raises(MCPError, match="unknown prompt 'nope'; available: data_discovery"):
            await conn.session.get_prompt("nope", {"query": "x"})
        assert await sandbox.requests() == []


async def test_templates_read_through_the_first_generation_routes_on_an_old_ovaledge(tmp_path):
    uri = f"ovaledge://catalog/table/{ORDERS}"
    async with demo_supervisor(tmp_path / "now.sock") as (conn, sandbox):
        [now] = (await conn.session.read_resource(uri)).contents
    async with demo_supervisor(tmp_path / "old.sock", api="legacy") as (conn, sandbox):
        [old] = (await conn.session.read_resource(uri)).contents
        requests = sent(await sandbox.requests())
    assert [r[1] for r in requests] == [DETAILS, OBJECT, PROFILE, RELATIONSHIPS]
    assert shape(json.loads(old.text)) == shape(json.loads(now.text))
