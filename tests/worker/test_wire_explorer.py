"""The catalog read tools on OvalEdge's evidenced wire (docs/wire.md, "Catalog reads"), through
`oe-mcp-local --demo`: connector ids for serverType, asset-explorer served by POST or by GET,
tableName as a list, name/objectId with any object type, unknown filter keys ignored and named,
first-generation lookups answering a list, glossary placement through search-catalog.

The sandbox records what went over the wire; its switches (sandbox/shapes.py) serve each shape a
release may answer in.
"""

from __future__ import annotations

import json
from typing import Any

from tests.harness import demo_supervisor, result_json, result_text, status_of
from worker.tools.explorer import _normalised, canonical_server_type

API = "/api/v1/mcp"
EXPLORER, DETAILS = f"{API}/asset-explorer", f"{API}/asset-details"
SEARCH, GLOSSARY, TAGS = f"{API}/search-catalog", f"{API}/glossary-terms", f"{API}/tags"
GET, POST = "GET", "POST"
ORDERS = 1002  # pos.orders (connection pos_postgres, connector id postgres)


def query(request: dict[str, Any]) -> dict[str, str]:
    return dict(request["query_items"])


def ids(answer: dict[str, Any]) -> list[int]:
    return [hit["objectId"] for hit in answer["data"]["items"]]


async def calls(sandbox) -> list[tuple[str, str, int]]:
    return [(r["method"], r["path"], r["status"]) for r in await sandbox.requests()]


# -- serverType: OvalEdge's connector ids ---------------------------------------------------------

def test_server_types_map_to_connector_ids_and_postgres_is_one():
    for given, wanted in (("postgres", "postgres"), ("PostgreSQL", "postgres"), ("MySQL", "mysql"),
                          ("SQL Server", "sqlserver"), ("Power BI", "powerbi"), ("s3", "s3"),
                          ("Amazon S3", "s3"), ("Azure Synapse", "azuresynapse"), ("delta lake", "DeltaLake"),
                          ("SNOWFLAKE", "snowflake"), ("Qlik Sense", "qlik sense")):
        assert canonical_server_type(given) == wanted, given


async def test_server_type_goes_as_a_connector_id_and_the_catalog_answers_it(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        postgres = result_json(await conn.call("asset_explorer", {"server_type": "postgres", "limit": 50}))
        display = result_json(await conn.call("asset_explorer", {"server_type": "PostgreSQL", "limit": 50}))
        nested = result_json(await conn.call("asset_explorer", {"filters": {"server_type": "Snowflake"},
                                                                "object_type": "oetable"}))
        details = result_json(await conn.call("asset_details", {"object_id": ORDERS, "object_type": "oetable"}))
        sent = [r["json"] for r in await sandbox.requests() if r["path"] == EXPLORER]
    assert [body["filters"]["serverType"] for body in sent] == ["postgres", "postgres", "snowflake"]
    assert postgres["data"]["items"] and ids(postgres) == ids(display)
    assert {hit["connectionName"] for hit in postgres["data"]["items"]} == {"pos_postgres"}
    assert {hit["connectionName"] for hit in nested["data"]["items"]} == {"retail_snowflake"}
    assert details["data"]["details"]["connectionInfo"]["serverType"] == "postgres"


async def test_first_generation_search_sends_the_connector_id(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        found = result_json(await conn.call("asset_explorer", {"server_type": "Amazon S3",
                                                               "object_type": "oefile"}))
        [search] = [r for r in await sandbox.requests() if r["path"] == SEARCH]
    assert query(search)["serverType"] == "s3"
    assert found["data"]["items"] and {h["objectType"] for h in found["data"]["items"]} == {"oefile"}


# -- asset-explorer by POST or by GET -------------------------------------------------------------

async def test_a_405_means_the_other_method_and_the_one_that_answered_is_kept(tmp_path):
    args = {"search_terms": [" customers "], "object_type": "oetable", "server_type": "Postgres",
            "tags": ["PII"], "owner": "ben.kim", "context_query": " Where are orders kept? "}
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        by_post = result_json(await conn.call("asset_explorer", args))
        assert await calls(sandbox) == [(POST, EXPLORER, 200)]

        await sandbox.set(shapes={"asset_explorer_method": "get"})  # a release of the GET era
        await sandbox.reset()
        by_get = result_json(await conn.call("asset_explorer", args))
        again = result_json(await conn.call("asset_explorer", {"search_terms": ["customers"]}))
        requests = await sandbox.requests()
        assert [(r["method"], r["path"], r["status"]) for r in requests] == [
            (POST, EXPLORER, 405), (GET, EXPLORER, 200), (GET, EXPLORER, 200)]  # then GET only
        assert query(requests[1]) == {
            "searchTerms": '["customers"]', "contextQuery": "Where are orders kept?", "page": "1",
            "limit": "20", "objectType": "oetable", "serverType": "postgres", "owner": "ben.kim",
            "tags": '["PII"]'}
        assert by_get["data"]["items"] and ids(by_get) == ids(by_post)
        assert again["data"]["items"]

        tag = result_json(await conn.call("asset_explorer", {"object_type": "oetag", "name": "PII",
                                                             "include_parent": True}))
        assert query((await sandbox.requests())[-1]) == {
            "objectType": "oetag", "name": "PII", "includeParent": "true", "page": "1", "limit": "20"}
        assert tag["data"]["tags"][0]["parentTag"]["objectName"] == "Sensitive"

        # what the query-parameter form cannot express is refused with the reason, never dropped
        await sandbox.reset()
        sorted_ = await conn.call("asset_explorer", {"object_type": "oetable", "sort": {"field": "rating"},
                                                     "filters": {"certification": ["certified"]}})
        assert sorted_.is_error and "cannot apply: sort (rating), filters.certification" in result_text(sorted_)
        assert await sandbox.requests() == []  # known to be GET: nothing sent

        await sandbox.set(shapes={"asset_explorer_method": "post"})  # and back (an upgrade)
        await sandbox.reset()
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
        assert await calls(sandbox) == [(GET, EXPLORER, 405), (POST, EXPLORER, 200), (POST, EXPLORER, 200)]
        routes = (await status_of(tmp_path / "s.sock"))["routes"]
    assert routes["generation"] == "current" and routes["first_generation_for"] == []


async def test_a_get_era_ovaledge_from_the_first_call(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        await sandbox.set(shapes={"asset_explorer_method": "get"})
        found = result_json(await conn.call("asset_explorer", {"search_terms": ["revenue"],
                                                               "classifications": ["Confidential"]}))
        term = result_json(await conn.call("asset_explorer", {"object_type": "glossary", "name": "Revenue"}))
        placed = result_json(await conn.call("asset_explorer", {"domain_name": "Retail Analytics",
                                                                "category_id": 2111}))
        requests = await sandbox.requests()
    assert [(r["method"], r["status"]) for r in requests] == [(POST, 405), (GET, 200), (GET, 200), (GET, 200)]
    assert query(requests[1])["classifications"] == '["Confidential"]'
    assert found["data"]["items"]
    assert [t["objectName"] for t in term["data"]["glossaryTerms"]] == ["Revenue"]
    assert query(requests[3]) == {"domainName": "Retail Analytics", "categoryId": "2111", "page": "1",
                                  "limit": "20"}
    assert {t["categoryName"] for t in placed["data"]["glossaryTerms"]} == {"Sales"}


# -- the body: tableName, name/objectId with any type, unknown filter keys --------------------------

async def test_table_name_goes_as_a_list_from_a_string_or_a_list(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        one = result_json(await conn.call("asset_explorer", {"object_type": "oecolumn",
                                                             "filters": {"tableName": "orders"}, "limit": 50}))
        two = result_json(await conn.call("asset_explorer", {"object_type": "oecolumn", "limit": 50,
                                                             "filters": {"table_name": ["orders", "stores"]}}))
        sent = [r["json"]["filters"] for r in await sandbox.requests()]
    assert sent == [{"tableName": ["orders"]}, {"tableName": ["orders", "stores"]}]
    assert one["data"]["items"] and {h["tableName"] for h in one["data"]["items"]} == {"orders"}
    assert {h["tableName"] for h in two["data"]["items"]} == {"orders", "stores"}


async def test_name_or_object_id_narrow_a_search_of_any_object_type(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        by_name = result_json(await conn.call("asset_explorer", {"object_type": "oetable", "name": "  orders "}))
        by_id = result_json(await conn.call("asset_explorer", {"object_type": "oetable", "object_id": ORDERS}))
        untyped = result_json(await conn.call("asset_explorer", {"name": "orders"}))
        sent = [r["json"] for r in await sandbox.requests()]
    assert sent == [
        {"objectType": "oetable", "name": "orders", "search": {"page": 1, "limit": 20}},
        {"objectType": "oetable", "objectId": ORDERS, "search": {"page": 1, "limit": 20}},
        {"name": "orders", "search": {"page": 1, "limit": 20}},
    ]
    assert ids(by_name) == ids(by_id) == [ORDERS]
    assert ORDERS in ids(untyped)
    async with demo_supervisor(tmp_path / "old.sock", api="legacy") as (conn, sandbox):
        old = await conn.call("asset_explorer", {"object_type": "oetable", "name": "orders"})
    assert old.is_error and "cannot narrow a search by name or object_id" in result_text(old)


async def test_unknown_filter_keys_and_tag_only_flags_are_ignored_and_named(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock") as (conn, sandbox):
        found = result_json(await conn.call("asset_explorer", {
            "search_terms": ["orders"], "object_type": "oetable", "include_children": True,
            "filters": {"colour": "red", "certification": ["certified"], "owner": "  "}}))
        [body] = [r["json"] for r in await sandbox.requests()]
    assert body == {"objectType": "oetable", "search": {"page": 1, "limit": 20, "searchTerms": ["orders"]},
                    "filters": {"certification": ["certified"]}}
    assert found["data"]["items"]
    notes = " | ".join(found["notes"])
    assert "ignored filter(s) colour: OvalEdge has no such facet" in notes
    assert "ignored include_children" in notes


# -- first-generation lookups and placement ----------------------------------------------------------

async def test_first_generation_lookups_answering_a_list_keep_every_match(tmp_path):
    async with demo_supervisor(tmp_path / "s.sock", api="legacy") as (conn, sandbox):
        await sandbox.set(shapes={"legacy_lookup_data": "list"})
        term = result_json(await conn.call("asset_explorer", {"object_type": "glossary", "name": "Net Sales",
                                                              "limit": 5}))
        tag = result_json(await conn.call("asset_explorer", {"object_type": "oetag", "name": "PII"}))
        by_id = result_json(await conn.call("asset_explorer", {"object_type": "glossary", "object_id": 2001}))
        lookups = [query(r) for r in await sandbox.requests() if r["path"] in (GLOSSARY, TAGS)]
        raw = await sandbox.get(GLOSSARY, termName="Net Sales")
    assert isinstance(raw["data"], list)  # the sandbox did answer a list
    assert lookups == [{"termName": "Net Sales", "limit": "5"}, {"tagName": "PII"}, {"objectId": "2001"}]
    [revenue] = term["data"]["glossaryTerms"]
    assert revenue["objectName"] == "Revenue" and "data" not in revenue
    assert term["formattedResponse"].startswith("**[Revenue](") and "None" not in term["formattedResponse"]
    [pii] = tag["data"]["tags"]
    assert pii["objectName"] == "PII" and "parentTag" not in pii
    assert "**Tag PII**" in tag["formattedResponse"]
    assert [t["objectId"] for t in by_id["data"]["glossaryTerms"]] == [2001]


async def test_glossary_placement_on_a_first_generation_ovaledge_goes_through_search_catalog(tmp_path):
    args = {"domain_name": "Retail Analytics", "category_name": "Sales", "subcategory_name": "Revenue Metrics"}
    async with demo_supervisor(tmp_path / "now.sock") as (conn, sandbox):
        now = result_json(await conn.call("asset_explorer", args))
    async with demo_supervisor(tmp_path / "old.sock", api="legacy") as (conn, sandbox):
        old = result_json(await conn.call("asset_explorer", {**args, "domain_id": 2101}))
        ids_only = await conn.call("asset_explorer", {"domain_id": 2101})
        [search] = [r for r in await sandbox.requests() if r["path"] == SEARCH]
    assert query(search) == {"objectType": "glossary", "domainName": "Retail Analytics", "categoryName": "Sales",
                             "subCategoryName": "Revenue Metrics", "page": "1", "limit": "20"}
    names = sorted(t["objectName"] for t in now["data"]["glossaryTerms"])
    assert names and sorted(t["objectName"] for t in old["data"]["glossaryTerms"]) == names
    assert old["data"]["items"] == []
    assert any("ignored domain_id" in n for n in old["notes"])
    assert ids_only.is_error and "places glossary terms by name only" in result_text(ids_only)


# -- what OvalEdge's answer does not say stays unsaid ------------------------------------------------

def test_the_answer_is_kept_as_sent_total_never_made_up_one_match_listed():
    assert _normalised({"ok": True, "data": {"items": [{"objectId": 1}]}}) == {"items": [{"objectId": 1}]}
    assert _normalised({"ok": True, "items": [], "total": 7, "page": 2}) == {"items": [], "total": 7, "page": 2}
    assert json.dumps(_normalised({"ok": True, "data": {}})) == '{"items": []}'
    one = _normalised({"ok": True, "data": {"glossaryTerms": {"objectName": "Revenue"}, "tags": []}})
    assert one == {"items": [], "glossaryTerms": [{"objectName": "Revenue"}], "tags": []}
