"""Keyword search over the catalog, shared by search-catalog (first generation) and
asset-explorer (current): the same term matching, context boost, tie order and paging."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from sandbox.facets import DOCUMENT_FIELDS, Facet

Scored = tuple[float, dict[str, Any]]

# Keys a search hit carries, when the document has them (the rest is for the details).
HIT_KEYS = tuple(
    dict.fromkeys(
        (
            "objectId",
            "objectType",
            "objectName",
            "fullyQualifiedName",
            "navLink",
            "businessDescription",
            "technicalDescription",
            "connectionName",
            "schemaName",
            "tableName",
            "dataType",
            "owner",
            "steward",
            "custodian",
            "tags",
            "terms",
            *DOCUMENT_FIELDS,
        )
    )
)

# Ties break by type (tables first), then id.
_TYPE_ORDER = {
    t: n
    for n, t in enumerate(
        "oetable oecolumn oechart oeschema glossary oetag oefile oefilecolumn oestory storyzone".split()
    )
}


def hit(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: doc[key] for key in HIT_KEYS if key in doc}


def _norm(text: str | None) -> str:
    return (text or "").lower().replace("_", " ")


def _term_score(doc: dict[str, Any], term: str) -> float:
    wanted = _norm(term)
    name = _norm(doc["objectName"])
    if name == wanted:
        return 10
    if wanted in name:
        return 5
    described = " ".join(
        _norm(doc.get(k)) for k in ("businessDescription", "technicalDescription", "detailedDescription")
    )
    if wanted in described:
        return 2
    labels = " | ".join(_norm(x) for x in doc.get("tags", []) + doc.get("terms", []))
    labels += " | " + " | ".join(_norm(x) for x in doc.get("synonyms", []))
    return 1 if wanted in labels else 0


def _context_boost(doc: dict[str, Any], context: str | None) -> float:
    if not context:
        return 0.0
    text = _norm(doc["objectName"]) + " " + _norm(doc.get("businessDescription"))
    words = {w for w in re.findall(r"[a-z0-9]+", context.lower()) if len(w) >= 4}
    return 0.5 * sum(1 for w in words if w in text)


def rank(
    docs: Iterable[dict[str, Any]], facets: list[Facet], terms: list[str], context: str | None
) -> list[Scored]:
    """The documents passing every facet that match a term (all of them without terms), best first."""
    scored = []
    for doc in docs:
        if not all(facet(doc) for facet in facets):
            continue
        score = sum(_term_score(doc, t) for t in terms) if terms else 1.0
        if score <= 0:
            continue
        scored.append((score + _context_boost(doc, context), doc))
    scored.sort(key=lambda s: (-s[0], _TYPE_ORDER.get(s[1]["objectType"], 99), s[1]["objectId"]))
    return scored


def page_of(scored: list[Scored], page: int, limit: int) -> list[dict[str, Any]]:
    start = (page - 1) * limit
    return [{**copy.deepcopy(hit(doc)), "score": score} for score, doc in scored[start : start + limit]]
