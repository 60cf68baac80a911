"""Platform docs (sandbox/knowledge.py)."""

from __future__ import annotations

from tests.sandbox.support import authed


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
