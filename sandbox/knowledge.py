"""Organisational knowledge: product documentation (`search-platform-docs`, first generation).

Words match after lower-casing and dropping a plural "s".
"""

from __future__ import annotations

import re
from typing import Any

from sandbox import sample_data as sd
from sandbox.catalog import Catalog
from sandbox.wire import Answer, BadRequest, Params, integer, ok, text

DEFAULT_DOC_LIMIT = 10
MAX_DOC_LIMIT = 50
MAX_DOC_CANDIDATES = 512
_STOP_WORDS = frozenset("a an and are do does for how i in is it of on or the to what with".split())


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
