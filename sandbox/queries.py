"""The Era A read endpoints over the sample catalog: params in, (status, body) out."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from sandbox import sample_data as sd
from sandbox.catalog import Catalog, hit, ref

Answer = tuple[int, dict[str, Any]]
Params = Mapping[str, str]

OBJECT_TYPES = frozenset(
    "oeschema oetable oecolumn oefile filecolumn oefilecolumn oechart chartchild oeapi "
    "oeapicolumn oequery dp_product glossary oetag oestory code oecode businessglossary "
    "mastertag oeglobaldomain storyzone dp_domain oedomain".split()
)
PROFILED_TYPES = ("oetable", "oefile")
DEFAULT_PAGE_LIMIT = 20
MAX_PAGE_LIMIT = 100
DEFAULT_LINEAGE_DEPTH = 2
MAX_LINEAGE_DEPTH = 5
DEFAULT_DOC_LIMIT = 10
MAX_DOC_LIMIT = 50
MAX_DOC_CANDIDATES = 512
_TYPE_ORDER = {"oetable": 0, "oecolumn": 1, "oechart": 2, "oeschema": 3, "glossary": 4, "oetag": 5}
_STOP_WORDS = frozenset("a an and are do does for how i in is it of on or the to what with".split())


class BadRequest(Exception):
    """A 400 answer; the message goes into the body."""


def error(status: int, message: str) -> Answer:
    return status, {"ok": False, "message": message}


def not_found() -> Answer:
    return error(404, "Object not found")


def ok(data: Any) -> Answer:
    return 200, {"ok": True, "data": data}


# ------------------------------------------------------------------ parameters


def _text(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _int(params: Params, name: str, *, default: int | None = None, minimum: int = 0) -> int | None:
    raw = _text(params, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise BadRequest(f"{name} must be >= {minimum}, got {value}")
    return value


def _required_int(params: Params, name: str, *, minimum: int = 1) -> int:
    value = _int(params, name, minimum=minimum)
    if value is None:
        raise BadRequest(f"{name} is required")
    return value


def _object_type(params: Params, allowed: tuple[str, ...] | frozenset[str]) -> str:
    value = _text(params, "objectType")
    if value is None:
        raise BadRequest("objectType is required")
    value = value.lower()
    if value not in allowed:
        raise BadRequest(f"Unsupported objectType {value!r}; expected one of {sorted(allowed)}")
    return value


def _search_terms(params: Params) -> list[str]:
    raw = _text(params, "searchTerms")
    if raw is None:
        return []
    try:
        terms = json.loads(raw)
    except ValueError:
        terms = None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise BadRequest('searchTerms must be a JSON array of strings, e.g. ["orders","revenue"]')
    return [t.strip() for t in terms if t.strip()]


# ---------------------------------------------------------------------- search


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
        _norm(doc.get(k))
        for k in ("businessDescription", "technicalDescription", "detailedDescription")
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


def _matches_filter(doc: dict[str, Any], key: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    value = doc.get(key)
    return isinstance(value, str) and value.lower() == wanted.lower()


def search_catalog(catalog: Catalog, params: Params) -> Answer:
    terms = _search_terms(params)
    page = _int(params, "page", default=1, minimum=1)
    limit = min(_int(params, "limit", default=DEFAULT_PAGE_LIMIT, minimum=1), MAX_PAGE_LIMIT)
    object_type = None
    if _text(params, "objectType") is not None:
        object_type = _object_type(params, OBJECT_TYPES)
    filters = {
        key: _text(params, key)
        for key in ("connectionName", "schemaName", "owner", "steward", "custodian")
    }
    context = _text(params, "contextQuery")
    scored = []
    for doc in catalog.objects.values():
        if object_type is not None and doc["objectType"] != object_type:
            continue
        if not all(_matches_filter(doc, key, wanted) for key, wanted in filters.items()):
            continue
        score = sum(_term_score(doc, t) for t in terms) if terms else 1.0
        if score <= 0:
            continue
        score += _context_boost(doc, context)
        scored.append((score, doc))
    scored.sort(key=lambda s: (-s[0], _TYPE_ORDER.get(s[1]["objectType"], 9), s[1]["objectId"]))
    start = (page - 1) * limit
    items = [
        {**copy.deepcopy(hit(doc)), "score": score} for score, doc in scored[start : start + limit]
    ]
    return 200, {"ok": True, "total": len(scored), "page": page, "limit": limit, "items": items}


# ------------------------------------------------------------------ lookups


def object_details(catalog: Catalog, params: Params) -> Answer:
    fqn = _text(params, "fullyQualifiedName")
    has_id = _text(params, "objectId") is not None or _text(params, "objectType") is not None
    if fqn is not None and has_id:
        raise BadRequest("Use either fullyQualifiedName or objectId with objectType, not both")
    if fqn is not None:
        doc = catalog.by_fqn(fqn)
    elif has_id:
        doc = catalog.get(_required_int(params, "objectId"), _object_type(params, OBJECT_TYPES))
    else:
        raise BadRequest("Provide fullyQualifiedName, or objectId and objectType")
    if doc is None:
        return not_found()
    data = copy.deepcopy(doc)
    if doc["objectType"] == "oetable":
        data["columns"] = [
            {**hit(catalog.objects[cid]), "isPrimaryKey": catalog.objects[cid]["isPrimaryKey"]}
            for cid in catalog.table_columns[doc["objectId"]]
        ]
    elif doc["objectType"] == "oecolumn":
        data["table"] = ref(catalog.objects[doc["tableId"]])
    elif doc["objectType"] == "oeschema":
        data["tables"] = [
            ref(t)
            for t in catalog.of_type("oetable")
            if t["schemaName"] == doc["objectName"] and t["connectionName"] == doc["connectionName"]
        ]
    return ok(data)


def column_profile(catalog: Catalog, params: Params) -> Answer:
    object_id = _required_int(params, "objectId")
    doc = catalog.get(object_id, _object_type(params, PROFILED_TYPES))
    if doc is None:
        return not_found()
    return ok(
        {
            **{k: doc[k] for k in ("objectId", "objectType", "objectName", "fullyQualifiedName")},
            "navLink": doc["navLink"],
            "rowCount": doc["rowCount"],
            "profiledAt": "2025-11-20T02:00:00Z",
            "columns": catalog.profile(object_id),
        }
    )


def entity_relationships(catalog: Catalog, params: Params) -> Answer:
    doc = catalog.get(_required_int(params, "objectId"), "oetable")
    if doc is None:
        return not_found()
    columns = [catalog.objects[cid] for cid in catalog.table_columns[doc["objectId"]]]
    return ok(
        {
            **{k: doc[k] for k in ("objectId", "objectType", "objectName", "fullyQualifiedName")},
            "navLink": doc["navLink"],
            "primaryKeys": [c["objectName"] for c in columns if c["isPrimaryKey"]],
            "relationships": catalog.relationships(doc["objectId"]),
        }
    )


def _lineage_node(doc: dict[str, Any], level: int) -> dict[str, Any]:
    return {
        **ref(doc),
        "connectionName": doc.get("connectionName"),
        "schemaName": doc.get("schemaName"),
        "fullyQualifiedName": doc["fullyQualifiedName"],
        "level": level,
    }


def _walk(catalog: Catalog, root: int, depth: int, upstream: bool):
    graph = catalog.upstream if upstream else catalog.downstream
    seen, nodes, edges, frontier = {root}, [], [], [root]
    for level in range(1, depth + 1):
        following = []
        for current in frontier:
            for other, transformation in graph.get(current, []):
                source, target = (other, current) if upstream else (current, other)
                edges.append((source, target, transformation))
                if other not in seen:
                    seen.add(other)
                    following.append(other)
                    nodes.append(_lineage_node(catalog.objects[other], level))
        frontier = following
    return nodes, edges


def lineage(catalog: Catalog, params: Params) -> Answer:
    object_id = _required_int(params, "objectId")
    object_type = _object_type(params, PROFILED_TYPES)
    requested = _int(params, "depth", default=DEFAULT_LINEAGE_DEPTH, minimum=0)
    depth = min(requested, MAX_LINEAGE_DEPTH)
    doc = catalog.get(object_id, object_type)
    if doc is None:
        return not_found()
    up_nodes, up_edges = _walk(catalog, object_id, depth, upstream=True)
    down_nodes, down_edges = _walk(catalog, object_id, depth, upstream=False)
    edges = []
    for source, target, transformation in dict.fromkeys(up_edges + down_edges):
        edges.append(
            {
                "sourceId": source,
                "sourceName": catalog.objects[source]["objectName"],
                "targetId": target,
                "targetName": catalog.objects[target]["objectName"],
                "transformation": transformation,
            }
        )
    return ok(
        {
            "root": _lineage_node(doc, 0),
            "depth": depth,
            "requestedDepth": requested,
            "upstream": up_nodes,
            "downstream": down_nodes,
            "edges": edges,
        }
    )


def _one_of(params: Params, id_name: str, text_name: str) -> tuple[int | None, str | None]:
    has_id = _text(params, id_name) is not None
    name = _text(params, text_name)
    if has_id == (name is not None):
        raise BadRequest(f"Provide exactly one of {id_name} or {text_name}")
    return (_required_int(params, id_name) if has_id else None), name


def glossary_terms(catalog: Catalog, params: Params) -> Answer:
    object_id, name = _one_of(params, "objectId", "termName")
    if object_id is not None:
        doc = catalog.get(object_id, "glossary")
    else:
        doc = catalog.by_name("glossary", name) or next(
            (
                d
                for d in catalog.of_type("glossary")
                if name.lower() in (s.lower() for s in d["synonyms"])
            ),
            None,
        )
    return not_found() if doc is None else ok(copy.deepcopy(doc))


def tags(catalog: Catalog, params: Params) -> Answer:
    object_id, name = _one_of(params, "objectId", "tagName")
    doc = (
        catalog.get(object_id, "oetag") if object_id is not None else catalog.by_name("oetag", name)
    )
    return not_found() if doc is None else ok(copy.deepcopy(doc))


# ----------------------------------------------------------- platform docs


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def search_platform_docs(_catalog: Catalog, params: Params) -> Answer:
    query = _text(params, "query")
    if query is None:
        raise BadRequest("query is required")
    limit = min(_int(params, "limit", default=DEFAULT_DOC_LIMIT, minimum=1), MAX_DOC_LIMIT)
    candidates = _int(params, "numCandidates", default=max(100, limit), minimum=1)
    if candidates < limit:
        raise BadRequest("numCandidates must be greater than or equal to limit")
    candidates = min(candidates, MAX_DOC_CANDIDATES)
    tokens = [w for w in _words(query) if w not in _STOP_WORDS and len(w) > 1]
    hits = []
    for title, path, section, snippet, keywords in sd.PLATFORM_DOCS:
        title_w, key_w, snippet_w = _words(title), _words(keywords), _words(snippet)
        raw = sum(
            3 if t in title_w else 2 if t in key_w else 1 if t in snippet_w else 0 for t in tokens
        )
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
    hits = hits[:candidates][:limit]
    return ok(
        {
            "query": query,
            "limit": limit,
            "numCandidates": candidates,
            "total": len(hits),
            "hits": hits,
        }
    )
