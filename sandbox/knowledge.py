"""Organisational knowledge: product documentation (`search-platform-docs`, first generation),
data stories (`lookup-datastory`, first generation) and both at once (`knowledge-search`).

Words match after lower-casing and dropping a plural "s"; a story matches a `query` or
`contentQuery` when one of its words appears in its name, zone or text, and ranks by how many do
(name and zone words count twice). `storyZoneName` must equal the zone's name and `storyName`
be part of the story's name (case-insensitive).
"""

from __future__ import annotations

import html
import re
from typing import Any

from sandbox import sample_data as sd
from sandbox.access import authorized_roles
from sandbox.catalog import Catalog, html_link
from sandbox.wire import Answer, BadRequest, Params, bounded_int, integer, not_found, ok, text

DEFAULT_DOC_LIMIT = 10
MAX_DOC_LIMIT = 50
MAX_DOC_CANDIDATES = 512
DEFAULT_KNOWLEDGE_CANDIDATES = 128
_STOP_WORDS = frozenset("a an and are do does for how i in is it of on or the to what with".split())
_TAG = re.compile(r"<[^>]+>")


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


def search_platform_docs(_catalog: Catalog, params: Params) -> Answer:
    query = text(params, "query")
    if query is None:
        raise BadRequest("query is required")
    limit = min(integer(params, "limit", default=DEFAULT_DOC_LIMIT, minimum=1), MAX_DOC_LIMIT)
    candidates = integer(params, "numCandidates", default=max(100, limit), minimum=1)
    if candidates < limit:
        raise BadRequest("numCandidates must be greater than or equal to limit")
    candidates = min(candidates, MAX_DOC_CANDIDATES)
    hits = _doc_hits(query, limit, candidates)
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
    return {
        "objectId": doc["objectId"],
        "objectType": "oestory",
        "metadata": {"storyName": doc["objectName"], "storyZoneName": doc["storyZoneName"]},
        "content": {"story": doc["storyContent"]},
        "accessControl": {"authorizedRoles": authorized_roles(catalog, doc)},
        "storyTitleLink": html_link(doc),
        "navLink": doc["navLink"],
        "navUrl": f"{link_base}/{doc['navLink']}",
    }


def lookup_datastory(catalog: Catalog, params: Params, link_base: str) -> Answer:
    by_id = text(params, "objectId") is not None
    by_words = any(text(params, n) for n in ("storyZoneName", "storyName", "contentQuery"))
    if by_id == by_words:
        raise BadRequest("Give objectId alone, or storyName, storyZoneName and/or contentQuery")
    if by_id and catalog.get(integer(params, "objectId", minimum=1), "oestory") is None:
        return not_found()
    found = _stories(catalog, params)
    return ok({"dataStories": [story_document(catalog, doc, link_base) for doc in found]})


def knowledge_search(catalog: Catalog, params: Params, link_base: str) -> Answer:
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
    stories = _stories(catalog, params)[:limit]
    return ok(
        {
            "dataStories": [story_document(catalog, doc, link_base) for doc in stories],
            "platformDocs": _doc_hits(query, limit, candidates) if query else [],
        }
    )
