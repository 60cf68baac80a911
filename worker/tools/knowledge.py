"""`knowledge_search`: the organisation's data stories and OvalEdge's product documentation in
one call.

Current OvalEdge: `knowledge-search`. First generation: `search-platform-docs` for the docs and
`lookup-datastory` for the stories, composed into the same answer. Story HTML becomes headed
text sections in `formattedResponse`, each story starting with its citation line.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from worker import routes
from worker.errors import InvalidArguments, OvalEdgeError
from worker.registry import Tool, ToolContext
from worker.schema import closed, integer, string
from worker.tools.common import absolute, data_of, is_not_found, link, ok

LIMIT_MAX = 50
CANDIDATES_MIN, CANDIDATES_MAX = 128, 512
SELECTORS = ("query", "content_query", "story_zone_name", "story_name", "object_id")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "li", "tr", "br", "ul", "ol", "table", "blockquote", "pre"}


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


def story_citation(story: dict[str, Any], link_base: str) -> str:
    meta = story.get("metadata") or {}
    title = meta.get("storyName") or story.get("objectName") or f"Story {story.get('objectId')}"
    url = absolute(link_base, story.get("navLink")) or story.get("navUrl")
    zone = meta.get("storyZoneName")
    return link(html.unescape(str(title)), url) + (f" (story zone: {zone})" if zone else "")


def render_knowledge(data: dict[str, Any], link_base: str) -> str:
    parts: list[str] = []
    for story in data.get("dataStories") or []:
        lines = [story["storyCitation"]]
        for heading, text in story_sections((story.get("content") or {}).get("story", "")):
            lines += ([f"### {heading}"] if heading else []) + ([text] if text else [])
        roles = (story.get("accessControl") or {}).get("authorizedRoles")
        if roles:
            lines.append(f"Authorized roles: {', '.join(map(str, roles))}")
        parts.append("\n".join(lines))
    docs = data.get("platformDocs") or []
    if docs:
        parts.append("### OvalEdge documentation\n" + "\n".join(
            f"- {link(str(d.get('title', d.get('url', ''))), d.get('url'))}"
            + (f": {d['snippet']}" if d.get("snippet") else "") for d in docs))
    return "\n\n".join(parts) or "No data story or documentation page matched."


def _params(a: dict[str, Any]) -> dict[str, Any]:
    limit = min(a["limit"], LIMIT_MAX) if "limit" in a else None
    return {
        "query": a.get("query"), "contentQuery": a.get("content_query"),
        "storyZoneName": a.get("story_zone_name"), "storyName": a.get("story_name"),
        "objectId": a.get("object_id"), "limit": limit,
        "numCandidates": num_candidates(limit, a.get("num_candidates")),
    }


async def _legacy(ctx: ToolContext, a: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Docs from search-platform-docs (for a query), stories from lookup-datastory."""
    data: dict[str, Any] = {"dataStories": [], "platformDocs": []}
    story_params = {key: params[key] for key in ("storyZoneName", "storyName", "contentQuery", "objectId")
                    if params[key] is not None}
    if "query" in a:
        docs = data_of(await ctx.api.call(routes.SEARCH_PLATFORM_DOCS, {
            "query": a["query"], "limit": params["limit"], "numCandidates": params["numCandidates"]}))
        data["platformDocs"] = docs.get("hits", [])
        story_params.setdefault("contentQuery", a["query"])
    try:
        data["dataStories"] = data_of(await ctx.api.call(routes.LOOKUP_DATASTORY, story_params)).get(
            "dataStories", [])
    except OvalEdgeError as exc:
        if not is_not_found(exc):
            raise
    return data


async def knowledge_search(ctx: ToolContext, a: dict[str, Any]) -> Any:
    if not any(key in a for key in SELECTORS):
        raise InvalidArguments(f"say what to look for: one of {', '.join(SELECTORS)}")
    params = _params(a)

    async def current() -> dict[str, Any]:
        return dict(data_of(await ctx.api.call(routes.KNOWLEDGE_SEARCH, params)))

    data = await ctx.api.by_generation(routes.KNOWLEDGE, current, lambda: _legacy(ctx, a, params),
                                       what="knowledge_search")
    link_base = ctx.settings.link_base_url
    for story in data.get("dataStories") or []:
        story["storyCitation"] = story_citation(story, link_base)
    result = ok(data, formattedResponse=render_knowledge(data, link_base))
    notes = [f"limit {a['limit']} was capped at {LIMIT_MAX}"] if a.get("limit", 0) > LIMIT_MAX else []
    if "num_candidates" in a and params["numCandidates"] != a["num_candidates"]:
        notes.append(f"num_candidates {a['num_candidates']} became {params['numCandidates']} (at least the "
                     f"limit, at most {CANDIDATES_MAX})")
    if notes:
        result["notes"] = notes
    return result


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
