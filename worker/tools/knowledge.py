"""`knowledge_search`: the organisation's data stories and OvalEdge's product documentation in
one call.

Current OvalEdge: `knowledge-search`. First generation: `search-platform-docs` for the docs and
`lookup-datastory` for the stories, composed into the same answer. Story HTML becomes headed
text sections in `formattedResponse`, each story starting with its citation line.

OvalEdge's shapes vary (docs/wire.md): `dataStories` may be a list, ONE story object, or a
wrapper (`items`/`content`/`results`/`data`); `lookup-datastory` answers one story as `data`;
the docs' list key and item keys are unknown, so every plausible spelling is read. Our result
always carries `dataStories` and `platformDocs` as lists.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.notes import ignore, note
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string
from worker.shaping import nav_url
from worker.tools.common import data_of, is_not_found, link, ok

LIMIT_MAX = 50
CANDIDATES_MIN, CANDIDATES_MAX = 128, 512
SELECTORS = ("query", "content_query", "story_zone_name", "story_name", "object_id")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "li", "tr", "br", "ul", "ol", "table", "blockquote", "pre"}
WRAPPER_KEYS = ("items", "content", "results", "data", "hits", "chunks", "dataStories", "stories", "docs")
DOC_TITLE_KEYS = ("title", "name", "heading", "pageTitle")
DOC_URL_KEYS = ("url", "link", "navUrl", "href", "sourceUrl", "docUrl")
DOC_TEXT_KEYS = ("snippet", "content", "text", "summary", "excerpt", "chunk")


def num_candidates(limit: int | None, candidates: int | None) -> int | None:
    """The vector-candidate count OvalEdge is asked for: at least the limit, 128..512 by default."""
    if candidates is None:
        return None if limit is None else min(CANDIDATES_MAX, max(CANDIDATES_MIN, limit))
    if limit is None:
        return min(CANDIDATES_MAX, max(1, candidates))
    return min(CANDIDATES_MAX, max(candidates, limit))


class _Sections(HTMLParser):
    """Story HTML -> [(heading, text)], tags dropped, entities decoded, list items as '- '."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self._heading: list[str] | None = None
        self._line: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._line).split())
        if text:
            self.sections[-1][1].append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in HEADINGS:
            self._flush()
            self._heading = []
        elif tag in BLOCKS:
            self._flush()
            if tag == "li":
                self._line.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self._heading is not None:
            self.sections.append((" ".join("".join(self._heading).split()), []))
            self._heading = None
        elif tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        (self._heading if self._heading is not None else self._line).append(data)

    def result(self) -> list[tuple[str, str]]:
        self._flush()
        return [(heading, "\n".join(lines)) for heading, lines in self.sections if heading or lines]


def story_sections(story_html: str) -> list[tuple[str, str]]:
    parser = _Sections()
    parser.feed(story_html or "")
    parser.close()
    return parser.result()


STORY_KEYS = ("metadata", "content", "storyCitation", "storyTitleLink", "navLink", "navUrl", "objectId",
              "storyName", "storyContent")


def listed(value: Any, marks: tuple[str, ...] = STORY_KEYS) -> list[dict[str, Any]]:
    """A list of objects from a list, a wrapper object holding one (items, content, results,
    data...), or one object standing for itself (when it has one of the keys in `marks`)."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if not isinstance(value, dict) or not value:
        return []
    for key in WRAPPER_KEYS:
        if isinstance(value.get(key), list):
            return listed(value[key], marks)
    return [value] if any(key in value for key in marks) else []


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[key] for key in keys if item.get(key) not in (None, "")), None)


def _story_name(story: dict[str, Any]) -> Any:
    meta = story.get("metadata") if isinstance(story.get("metadata"), dict) else {}
    return (meta.get("storyName") or meta.get("story_name") or story.get("storyName") or story.get("name")
            or story.get("title") or story.get("objectName"))


def _story_url(story: dict[str, Any], link_base: str) -> str | None:
    meta = story.get("metadata") if isinstance(story.get("metadata"), dict) else {}
    url = nav_url(link_base, story.get("navLink")) or nav_url(link_base, story.get("hyperlink"))
    if url is None and isinstance(story.get("navUrl"), str) and story["navUrl"].strip():
        url = nav_url(link_base, story["navUrl"]) or story["navUrl"].strip()
    story_id = meta.get("objectId") or story.get("objectId") or story.get("id")
    if url is None and isinstance(story_id, int) and story_id > 0:
        url = f"{link_base}/#nav/story?id={story_id}"
    return url


def story_citation(story: dict[str, Any], link_base: str) -> str:
    """`[Title](absolute link) (story zone: Zone)`; OvalEdge's own citation (links made absolute)
    when it names no title."""
    meta = story.get("metadata") if isinstance(story.get("metadata"), dict) else {}
    title = _story_name(story)
    if not title and isinstance(story.get("storyCitation"), str) and story["storyCitation"].strip():
        return story["storyCitation"].strip().replace("](#", f"]({link_base}/#")
    story_id = meta.get("objectId") or story.get("objectId") or story.get("id")
    title = title or f"Story {story_id}"
    zone = meta.get("storyZoneName") or story.get("storyZoneName")
    return link(html.unescape(str(title)), _story_url(story, link_base)) + (
        f" (story zone: {zone})" if zone else "")


def _story_html(story: dict[str, Any]) -> str:
    content = story.get("content")
    if isinstance(content, dict):
        return str(content.get("story") or content.get("text") or "")
    if isinstance(content, str):
        return content
    return str(story.get("storyContent") or story.get("story") or "")


def doc_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """A documentation hit as `{title, url, snippet}` (kept beside OvalEdge's own keys)."""
    title, url, text = _first(doc, DOC_TITLE_KEYS), _first(doc, DOC_URL_KEYS), _first(doc, DOC_TEXT_KEYS)
    return {**doc, "title": str(title or url or "OvalEdge documentation"), "url": url,
            "snippet": " ".join(str(text).split()) if text else None}


def docs_of(value: Any) -> list[dict[str, Any]]:
    """The documentation hits of an answer or of `platformDocs`, whatever the list is called."""
    return [doc_entry(doc) for doc in listed(value, DOC_TITLE_KEYS + DOC_URL_KEYS + DOC_TEXT_KEYS)]


def render_knowledge(data: dict[str, Any], link_base: str) -> str:
    parts: list[str] = []
    for story in data.get("dataStories") or []:
        lines = [story["storyCitation"]]
        for heading, text in story_sections(_story_html(story)):
            lines += ([f"### {heading}"] if heading else []) + ([text] if text else [])
        roles = (story.get("accessControl") or {}).get("authorizedRoles")
        if roles:
            lines.append(f"Authorized roles: {', '.join(map(str, roles))}")
        parts.append("\n".join(lines))
    docs = data.get("platformDocs") or []
    if docs:
        parts.append("### OvalEdge documentation\n" + "\n".join(
            f"- {link(d['title'], d.get('url'))}" + (f": {d['snippet']}" if d.get("snippet") else "")
            for d in docs))
    return "\n\n".join(parts) or "No data story or documentation page matched."


def _params(a: dict[str, Any]) -> dict[str, Any]:
    limit = min(a["limit"], LIMIT_MAX) if "limit" in a else None
    return {
        "query": a.get("query"), "contentQuery": a.get("content_query"),
        "storyZoneName": a.get("story_zone_name"), "storyName": a.get("story_name"),
        "objectId": a.get("object_id"), "limit": limit,
        "numCandidates": num_candidates(limit, a.get("num_candidates")),
    }


def story_lookup(a: dict[str, Any]) -> dict[str, Any] | None:
    """lookup-datastory's parameters: objectId alone, or storyName and/or contentQuery (the
    question, when no content_query) narrowed by storyZoneName; None: no story to look up."""
    if "object_id" in a:
        ignore(a, ("content_query", "story_name", "story_zone_name"),
               "this OvalEdge release looks a story up by object_id alone")
        return {"objectId": a["object_id"]}
    words = {"storyName": a.get("story_name"), "contentQuery": a.get("content_query") or a.get("query")}
    if not any(words.values()):
        return None
    return {"storyZoneName": a.get("story_zone_name"), **words}


async def _legacy(ctx: ToolContext, a: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Docs from search-platform-docs (for a query), one story from lookup-datastory."""
    if "query" not in a and "object_id" not in a and not a.get("story_name") and not a.get("content_query"):
        raise InvalidArguments("this OvalEdge release (first-generation lookup-datastory) cannot list a "
                               "story zone alone: add story_name, content_query or query, or give object_id")
    data: dict[str, Any] = {"dataStories": [], "platformDocs": []}
    if "query" in a:
        answer = await ctx.api.call(routes.SEARCH_PLATFORM_DOCS, {
            "query": a["query"], "limit": params["limit"], "numCandidates": params["numCandidates"]})
        data["platformDocs"] = docs_of(data_of(answer))
    lookup = story_lookup(a)
    if lookup is not None:
        try:
            found = data_of(await ctx.api.call(routes.LOOKUP_DATASTORY, lookup))
        except OvalEdgeError as exc:
            if not is_not_found(exc):
                raise
        else:
            data["dataStories"] = listed(found["dataStories"] if "dataStories" in found else found)
    return data


async def knowledge_search(ctx: ToolContext, a: dict[str, Any]) -> Any:
    if not any(key in a for key in SELECTORS):
        raise InvalidArguments(f"say what to look for: one of {', '.join(SELECTORS)}")
    params = _params(a)

    async def current() -> dict[str, Any]:
        data = dict(data_of(await ctx.api.call(routes.KNOWLEDGE_SEARCH, params)))
        data["dataStories"] = listed(data.get("dataStories"))
        data["platformDocs"] = docs_of(data.get("platformDocs"))
        return data

    data = await ctx.api.by_generation(routes.KNOWLEDGE, current, lambda: _legacy(ctx, a, params),
                                       what="knowledge_search")
    link_base = ctx.settings.link_base_url
    for story in data["dataStories"]:
        story["storyCitation"] = story_citation(story, link_base)
    if a.get("limit", 0) > LIMIT_MAX:
        note(f"limit {a['limit']} was capped at {LIMIT_MAX}")
    if "num_candidates" in a and params["numCandidates"] != a["num_candidates"]:
        note(f"num_candidates {a['num_candidates']} became {params['numCandidates']} (at least the "
             f"limit, at most {CANDIDATES_MAX})")
    return ok(data, formattedResponse=render_knowledge(data, link_base))


TOOLS = (
    Tool(
        name="knowledge_search",
        title="Search knowledge & docs",
        description=(
            
            
            
            "The organisation's data stories and OvalEdge's product documentation in one call: query "
            'searches both; content_query, story_name, story_zone_name or object_id pick stories. '
            "Present formattedResponse, each story's citation line first and verbatim; say so when "
            'nothing matched.'
        
        
        
        ),
        input_schema=closed({
            "query": string("The question."),
            "content_query": string("Words in stories."),
            "story_zone_name": string("Story zone."),
            "story_name": string("A story's title."),
            "object_id": integer("Story id.", minimum=1),
            "limit": integer(f"Hits to return (max {LIMIT_MAX}).", minimum=1),
            "num_candidates": integer("Vector candidates (max 512).",
                                      minimum=1),
        }),
        handler=knowledge_search,
        more_hint="ask for fewer hits (limit) or one story (story_name or object_id)",
    ),
)
