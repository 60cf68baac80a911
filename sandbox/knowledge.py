"""Organisational knowledge: product documentation (`search-platform-docs`, first generation),
data stories (`lookup-datastory`, first generation) and both at once (`knowledge-search`).

Words match after lower-casing and dropping a plural "s"; a story matches a `query` or
`contentQuery` when one of its words appears in its name, zone or text, and ranks by how many do
(name and zone words count twice). `storyZoneName` must equal the zone's name and `storyName`
be part of the story's name (case-insensitive).

Answer shapes (docs/wire.md): `lookup-datastory` answers ONE story object as `data` (the best
match; 404 when none). `knowledge-search` answers `dataStories` as a list, as one story object,
or as a wrapper `{"items": [...]}` (switch `knowledge.dataStories`); its `platformDocs` item keys
and the key of `search-platform-docs`' hit list are unknown, so switches serve each plausible
spelling (`knowledge.platformDocs`, `docs.answer`).
"""

from __future__ import annotations

import html
import re
from typing import Any

from sandbox import sample_data as sd
from sandbox.access import authorized_roles
from sandbox.catalog import Catalog, html_link
from sandbox.shapes import SHAPES
from sandbox.wire import Answer, BadRequest, Params, bounded_int, integer, not_found, ok, text

DEFAULT_DOC_LIMIT = 10
MAX_DOC_LIMIT = 50
MAX_DOC_CANDIDATES = 512
DEFAULT_KNOWLEDGE_CANDIDATES = 128
_STOP_WORDS = frozenset("a an and are do does for how i in is it of on or the to what with".split())
_TAG = re.compile(r"<[^>]+>")

STORIES_SHAPE = SHAPES.declare(
    "knowledge.dataStories",
    ("list", "dict", "wrapped"),
    "list",
    "GET knowledge-search: dataStories a list, one story object, or a wrapper dict (docs/invocations.py "
    "@554c256d; tests/integration/helpers.py @2d033807 as_list)",
)
DOC_KEYS_SHAPE = SHAPES.declare(
    "knowledge.platformDocs",
    ("title-url-snippet", "name-link-content"),
    "title-url-snippet",
    "GET knowledge-search: platformDocs item keys are unknown (the reference never reads them)",
)
DOCS_ANSWER_SHAPE = SHAPES.declare(
    "docs.answer",
    ("hits", "chunks"),
    "hits",
    "GET search-platform-docs: the hit list's key is unknown; the reference's mock sends flat "
    "`chunks` of {text, url} (tests/conftest.py id 57446425341)",
)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def _tokens(query: str) -> set[str]:
    return {w for w in _words(query) if w not in _STOP_WORDS and len(w) > 1}


# ------------------------------------------------------------------ platform docs


def _doc_hits(query: str, limit: int, candidates: int) -> list[dict[str, Any]]:
    tokens = _tokens(query)
    hits = []
    for title, path, section, snippet, keywords in sd.PLATFORM_DOCS:
        title_w, key_w, snippet_w = _words(title), _words(keywords), _words(snippet)
        raw = sum(3 if t in title_w else 2 if t in key_w else 1 if t in snippet_w else 0 for t in tokens)
        if raw:
            hits.append(
                {
                    "title": title,
                    "url": sd.DOCS_BASE + path,
                    "section": section,
                    "snippet": snippet,
                    "score": round(raw / (3 * len(tokens)), 3),
                }
            )
    hits.sort(key=lambda h: -h["score"])
    return hits[:candidates][:limit]


def _doc_spelled(hit: dict[str, Any], shape: str) -> dict[str, Any]:
    if shape == "name-link-content":
        return {"name": hit["title"], "link": hit["url"], "content": hit["snippet"], "score": hit["score"]}
    return hit


def search_platform_docs(_catalog: Catalog, params: Params, shapes: dict[str, str]) -> Answer:
    query = text(params, "query")
    if query is None:
        raise BadRequest("query is required")
    limit = min(integer(params, "limit", default=DEFAULT_DOC_LIMIT, minimum=1), MAX_DOC_LIMIT)
    candidates = integer(params, "numCandidates", default=max(100, limit), minimum=1)
    if candidates < limit:
        raise BadRequest("numCandidates must be greater than or equal to limit")
    candidates = min(candidates, MAX_DOC_CANDIDATES)
    hits = _doc_hits(query, limit, candidates)
    if SHAPES.choice(shapes, DOCS_ANSWER_SHAPE) == "chunks":
        return 200, {"chunks": [{"text": h["snippet"], "url": h["url"], "title": h["title"]} for h in hits]}
    return ok({"query": query, "limit": limit, "numCandidates": candidates, "total": len(hits), "hits": hits})


# -------------------------------------------------------------------- stories


def _story_score(doc: dict[str, Any], tokens: set[str]) -> int:
    titled = _words(doc["objectName"] + " " + doc["storyZoneName"])
    body = _words(html.unescape(_TAG.sub(" ", doc["storyContent"])))
    return sum(2 if t in titled else 1 if t in body else 0 for t in tokens)


def _stories(catalog: Catalog, params: Params) -> list[dict[str, Any]]:
    """The stories the parameters select, best first."""
    object_id = integer(params, "objectId", minimum=1)
    zone, name = text(params, "storyZoneName"), text(params, "storyName")
    wording = [t for t in (text(params, "query"), text(params, "contentQuery")) if t]
    tokens = _tokens(" ".join(wording))
    chosen = []
    for doc in catalog.of_type("oestory"):
        if object_id is not None and doc["objectId"] != object_id:
            continue
        if zone is not None and doc["storyZoneName"].lower() != zone.lower():
            continue
        if name is not None and name.lower() not in doc["objectName"].lower():
            continue
        score = _story_score(doc, tokens)
        if wording and not score:
            continue
        chosen.append((score, doc))
    chosen.sort(key=lambda s: (-s[0], s[1]["objectId"]))
    return [doc for _, doc in chosen]


def story_document(catalog: Catalog, doc: dict[str, Any], link_base: str) -> dict[str, Any]:
    zone = doc["storyZoneName"]
    return {
        "objectId": doc["objectId"],
        "objectType": "oestory",
        "metadata": {"storyName": doc["objectName"], "storyZoneName": zone, "objectId": doc["objectId"]},
        "content": {"story": doc["storyContent"]},
        "accessControl": {"authorizedRoles": authorized_roles(catalog, doc)},
        "storyTitleLink": html_link(doc),
        "navLink": doc["navLink"],
        "navUrl": f"{link_base}/{doc['navLink']}",
        "storyCitation": f"[{doc['objectName']}]({doc['navLink']}) (story zone: {zone})",
    }


def lookup_datastory(catalog: Catalog, params: Params, link_base: str) -> Answer:
    """One story: by objectId alone, or the best match of storyName and/or contentQuery
    (storyZoneName narrows them; alone it selects nothing)."""
    by_id = text(params, "objectId") is not None
    by_words = any(text(params, n) for n in ("storyName", "contentQuery"))
    if by_id and by_words:
        raise BadRequest("Provide object_id alone, or use story_name and/or content_query.")
    if not by_id and not by_words:
        raise BadRequest("Provide object_id, story_name, or content_query.")
    if by_id and catalog.get(integer(params, "objectId", minimum=1), "oestory") is None:
        return not_found()
    found = _stories(catalog, params)
    if not found:
        return not_found()
    return ok(story_document(catalog, found[0], link_base))


def _stories_shaped(stories: list[dict[str, Any]], shape: str) -> Any:
    if shape == "dict":
        return stories[0] if stories else None
    if shape == "wrapped":
        return {"items": stories}
    return stories


def knowledge_search(catalog: Catalog, params: Params, link_base: str, shapes: dict[str, str]) -> Answer:
    if not any(text(params, n) for n in ("query", "contentQuery", "storyZoneName", "storyName", "objectId")):
        raise BadRequest("Give at least one of query, contentQuery, storyZoneName, storyName or objectId")
    limit = bounded_int(params, "limit", default=DEFAULT_DOC_LIMIT, low=1, high=MAX_DOC_LIMIT)
    default_candidates = min(MAX_DOC_CANDIDATES, max(DEFAULT_KNOWLEDGE_CANDIDATES, limit))
    candidates = bounded_int(
        params, "numCandidates", default=default_candidates, low=1, high=MAX_DOC_CANDIDATES
    )
    if candidates < limit:
        raise BadRequest("numCandidates must be greater than or equal to limit")
    query = text(params, "query")
    stories = [story_document(catalog, doc, link_base) for doc in _stories(catalog, params)[:limit]]
    docs_shape = SHAPES.choice(shapes, DOC_KEYS_SHAPE)
    docs = [_doc_spelled(hit, docs_shape) for hit in _doc_hits(query, limit, candidates)] if query else []
    return ok(
        {"dataStories": _stories_shaped(stories, SHAPES.choice(shapes, STORIES_SHAPE)), "platformDocs": docs}
    )
