"""Platform docs, data stories and knowledge-search (sandbox/knowledge.py)."""

from __future__ import annotations

import pytest

from tests.sandbox.support import DATASTORY, KNOWLEDGE, MCP, authed, get_data


async def test_platform_docs(client):
    headers = await authed(client)
    r = await client.get(
        "/api/v1/mcp/search-platform-docs",
        params={"query": "how do I trace lineage of a table", "limit": 3},
        headers=headers,
    )
    hits = r.json()["data"]["hits"]
    assert 1 <= len(hits) <= 3 and hits[0]["title"] == "Understanding data lineage"
    assert all(h["url"].startswith("https://docs.ovaledge.com/") for h in hits)
    assert all({"title", "url", "snippet", "score"} <= h.keys() for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    for params in [{}, {"query": "x", "limit": 10, "numCandidates": 5}]:
        bad = await client.get("/api/v1/mcp/search-platform-docs", params=params, headers=headers)
        assert bad.status_code == 400


STORY_KEYS = {
    "objectId",
    "objectType",
    "metadata",
    "content",
    "accessControl",
    "storyTitleLink",
    "navLink",
    "navUrl",
    "storyCitation",
}


async def test_knowledge_search_finds_stories_and_docs(sandbox, client, headers):
    data = await get_data(client, headers, KNOWLEDGE, {"query": "weekly revenue reporting pack"})
    assert set(data) == {"dataStories", "platformDocs"}
    story = data["dataStories"][0]
    assert set(story) == STORY_KEYS and story["objectType"] == "oestory" and story["objectId"] == 6001
    assert story["metadata"] == {
        "storyName": "Weekly revenue reporting",
        "storyZoneName": "Finance Insights",
        "objectId": 6001,
    }
    assert (
        story["storyCitation"]
        == "[Weekly revenue reporting](#nav/story?id=6001) (story zone: Finance Insights)"
    )
    assert story["content"]["story"].startswith("<h2>What the pack shows</h2><p>")
    assert "<ul><li>" in story["content"]["story"]
    assert '<a href="#nav/table?browse=summary&amp;id=1011">fct_sales</a>' in story["content"]["story"]
    assert story["accessControl"] == {"authorizedRoles": ["Finance Analysts", "Data Stewards"]}
    assert story["storyTitleLink"] == '<a href="#nav/story?id=6001">Weekly revenue reporting</a>'
    assert story["navLink"] == "#nav/story?id=6001"
    assert story["navUrl"] == f"{sandbox.base_url}/#nav/story?id=6001"
    docs = await get_data(client, headers, KNOWLEDGE, {"query": "how do I trace lineage", "limit": 2})
    assert [d["title"] for d in docs["platformDocs"]][:1] == ["Understanding data lineage"]
    assert len(docs["platformDocs"]) <= 2
    platform = await get_data(
        client, headers, f"{MCP}/search-platform-docs", {"query": "how do I trace lineage", "limit": 2}
    )
    assert docs["platformDocs"] == platform["hits"]


async def test_knowledge_search_selects_stories_by_name_zone_content_and_id(client, headers):
    async def stories(**params):
        data = await get_data(client, headers, KNOWLEDGE, params)
        assert data["platformDocs"] == []  # only `query` searches the docs
        return [s["objectId"] for s in data["dataStories"]]

    assert await stories(storyZoneName="finance insights") == [6001, 6003]
    assert await stories(storyName="ONBOARDING") == [6002]
    assert await stories(contentQuery="supplier price list") == [6003]
    assert await stories(contentQuery="margin") == [6003]
    assert await stories(objectId=6002) == [6002]
    assert await stories(objectId=1001) == []  # not a story
    assert await stories(storyZoneName="Finance Insights", contentQuery="customer") == []
    assert await stories(storyZoneName="Finance Insights", limit=1) == [6001]
    assert await stories(contentQuery="nothing like this anywhere") == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"limit": 5},
        {"query": "x", "limit": 0},
        {"query": "x", "limit": 51},
        {"query": "x", "limit": 10, "numCandidates": 5},
        {"query": "x", "numCandidates": 513},
        {"objectId": 0},
        {"objectId": "story"},
    ],
)
async def test_knowledge_search_rejects_bad_parameters(client, headers, params):
    response = await client.get(KNOWLEDGE, params=params, headers=headers)
    assert response.status_code == 400 and response.json()["ok"] is False


async def test_lookup_datastory_answers_one_story_by_id_or_by_name_zone_and_content(client, headers):
    """`data` is ONE story object (the reference's _normalize_datastory_nav_links reads
    data.metadata and data.navLink: governance.py id 57409894329)."""

    async def found(**params):
        return await get_data(client, headers, DATASTORY, params)

    story = await found(objectId=6003)
    assert set(story) == STORY_KEYS
    assert story["accessControl"]["authorizedRoles"] == [
        "Data Engineers",
        "Finance Analysts",
        "Data Stewards",
    ]
    knowledge = await get_data(client, headers, KNOWLEDGE, {"objectId": 6003})
    assert knowledge["dataStories"] == [story]
    assert (await found(storyName="customer", contentQuery="lifetime"))["objectId"] == 6002
    assert (await found(storyZoneName="Finance Insights", contentQuery="revenue"))["objectId"] == 6001
    for params in [{"objectId": 1001}, {"contentQuery": "nothing like this anywhere"}]:
        missing = await client.get(DATASTORY, params=params, headers=headers)
        assert missing.status_code == 404 and missing.json() == {"ok": False, "message": "Object not found"}
    for params in [
        {},
        {"objectId": 6001, "storyName": "Weekly"},
        {"objectId": 6001, "contentQuery": "revenue"},
        {"storyZoneName": "Finance Insights"},
        {"objectId": 0},
        {"query": "revenue"},
    ]:
        assert (await client.get(DATASTORY, params=params, headers=headers)).status_code == 400, params


@pytest.mark.parametrize("shape", ["list", "dict", "wrapped"])
async def test_knowledge_search_serves_each_story_shape(sandbox, client, headers, shape):
    sandbox.state.shapes = {**sandbox.state.shapes, "knowledge.dataStories": shape}
    found = (await get_data(client, headers, KNOWLEDGE, {"storyName": "Weekly"}))["dataStories"]
    none = (await get_data(client, headers, KNOWLEDGE, {"storyName": "no such story"}))["dataStories"]
    if shape == "list":
        assert [s["objectId"] for s in found] == [6001] and none == []
    elif shape == "dict":
        assert found["objectId"] == 6001 and none is None
    else:
        assert [s["objectId"] for s in found["items"]] == [6001] and none == {"items": []}


async def test_docs_answer_shapes(sandbox, client, headers):
    sandbox.state.shapes = {
        **sandbox.state.shapes,
        "docs.answer": "chunks",
        "knowledge.platformDocs": "name-link-content",
    }
    flat = (
        await client.get(f"{MCP}/search-platform-docs", params={"query": "lineage"}, headers=headers)
    ).json()
    assert set(flat) == {"chunks"} and {"text", "url"} <= set(flat["chunks"][0])
    docs = (await get_data(client, headers, KNOWLEDGE, {"query": "lineage"}))["platformDocs"]
    assert {"name", "link", "content"} <= set(docs[0]) and "title" not in docs[0]
