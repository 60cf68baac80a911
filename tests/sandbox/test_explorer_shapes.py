"""The explorer family's release switches and first-generation forms in the sandbox: asset-explorer
by POST or by GET (the other method answers Spring's 405), glossary-terms and tags answering a
list, search-catalog placing glossary terms (docs/wire.md, "Catalog reads")."""

from __future__ import annotations

import json

from sandbox.shapes import SHAPES
from tests.sandbox.support import ASSET_DETAILS, EXPLORER, GLOSSARY_TERMS, TAGS, names, post_data, search


def use(sandbox, **shapes: str) -> None:
    sandbox.state.shapes = SHAPES.checked({**sandbox.state.shapes, **shapes})


async def test_asset_explorer_is_served_by_one_method_and_the_other_answers_405(sandbox, client, headers):
    body = {"objectType": "oetable", "search": {"searchTerms": ["orders"], "page": 1, "limit": 5},
            "filters": {"serverType": "postgres", "tags": ["PII"]}}
    by_post = await post_data(client, headers, EXPLORER, body)
    refused = await client.get(EXPLORER, params={"searchTerms": '["orders"]'}, headers=headers)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert set(refused.json()) >= {"status", "error", "path"} and "ok" not in refused.json()

    use(sandbox, asset_explorer_method="get")
    params = {"objectType": "oetable", "searchTerms": '["orders"]', "page": "1", "limit": "5",
              "serverType": "postgres", "tags": '["PII"]'}
    by_get = await client.get(EXPLORER, params=params, headers=headers)
    assert by_get.status_code == 200, by_get.text
    assert by_get.json()["data"]["items"] == by_post["items"]
    posted = await client.post(EXPLORER, json=body, headers=headers)
    assert posted.status_code == 405 and posted.headers["allow"] == "GET"


async def test_get_asset_explorer_takes_lookups_flags_and_placement(sandbox, client, headers):
    use(sandbox, asset_explorer_method="get")

    async def data(**params):
        response = await client.get(EXPLORER, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    tag = await data(objectType="oetag", name="PII", includeParent="true")
    assert tag["tags"][0]["parentTag"]["objectName"] == "Sensitive" and "childTags" not in tag["tags"][0]
    placed = await data(domainName="Retail Analytics", subcategoryName="Revenue Metrics")
    assert placed["glossaryTerms"] and {t["subcategoryName"] for t in placed["glossaryTerms"]} == {"Revenue Metrics"}
    by_terms = await data(glossaryTerms='["Revenue"]', objectType="oecolumn", limit="50")
    assert by_terms["items"] and all("Revenue" in hit["terms"] for hit in by_terms["items"])
    bad = await client.get(EXPLORER, params={"tags": "PII"}, headers=headers)
    assert bad.status_code == 400 and "JSON array" in bad.json()["message"]


async def test_table_name_filter_takes_a_list_or_a_string(client, headers):
    base = {"objectType": "oecolumn", "search": {"page": 1, "limit": 50}}
    as_list = await post_data(client, headers, EXPLORER, {**base, "filters": {"tableName": ["orders"]}})
    as_text = await post_data(client, headers, EXPLORER, {**base, "filters": {"tableName": "ORDERS"}})
    assert as_list["items"] and as_list["items"] == as_text["items"]
    assert {hit["tableName"] for hit in as_list["items"]} == {"orders"}


async def test_details_carry_the_connector_id_in_connection_info(client, headers):
    response = await client.get(ASSET_DETAILS, params={"objectId": 1002, "objectType": "oetable"},
                                headers=headers)
    info = response.json()["data"]["details"]["connectionInfo"]
    assert info == {"connectionId": 1, "name": "pos_postgres", "serverType": "postgres"}


async def test_first_generation_lookups_answer_one_object_or_every_match(sandbox, client, headers):
    one = (await client.get(GLOSSARY_TERMS, params={"termName": "Net Sales"}, headers=headers)).json()
    assert one["data"]["objectName"] == "Revenue"
    use(sandbox, legacy_lookup_data="list")
    listed = (await client.get(GLOSSARY_TERMS, params={"termName": "Net Sales", "limit": 1},
                               headers=headers)).json()
    assert [t["objectName"] for t in listed["data"]] == ["Revenue"]
    by_id = (await client.get(GLOSSARY_TERMS, params={"objectId": 2001}, headers=headers)).json()
    assert by_id["data"]["objectId"] == 2001  # an id names one term: always an object
    tags = (await client.get(TAGS, params={"tagName": "pii"}, headers=headers)).json()
    assert [t["objectName"] for t in tags["data"]] == ["PII"]
    too_many = await client.get(TAGS, params={"tagName": "PII", "limit": 101}, headers=headers)
    assert too_many.status_code == 400


async def test_search_catalog_places_glossary_terms_by_name(client, headers):
    response = await search(client, headers, objectType="glossary", domainName="retail analytics",
                            categoryName="Sales", subCategoryName="Revenue Metrics", limit=100)
    assert response.status_code == 200, response.text
    placed = names(response.json()["items"])
    assert placed and "Revenue" in placed
    everything = names((await search(client, headers, objectType="glossary", limit=100)).json()["items"])
    assert set(placed) < set(everything)
    wrong = await search(client, headers, objectType="oetable", domainName="Retail Analytics")
    assert wrong.status_code == 400 and "objectType must be glossary" in json.dumps(wrong.json())
