"""The MCP surface, defined once as data.

The supervisor serves `initialize` and the list calls from this module without importing any
worker code; the worker registers its handlers against the same names. Descriptions are kept
short on purpose: every character is paid for in the agent's context on every turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mcp.types as types
from mcp.server import NotificationOptions, Server

from shared import __version__

SERVER_NAME = "ovaledge-local"

# Catalog object types as the OvalEdge API spells them.
CATALOG_OBJECT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "filecolumn", "oechart", "chartchild", "oeapi",
    "oeapicolumn", "oequery", "dp_product", "glossary", "oetag", "oestory",
)
PROFILE_OBJECT_TYPES = ("oetable", "oefile")
SEARCH_LIMIT_MAX = 50
DOCS_LIMIT_MAX = 50
DOCS_CANDIDATES_MAX = 512
LINEAGE_DEPTH_MAX = 5

# Description slots of update_asset_descriptions, and which object types accept which slots.
DESCRIPTION_SLOTS = (
    "business_description", "technical_description", "detailed_description",
    "domain_description", "tag_description", "master_tag_description",
)
_CATALOG_SLOT_TYPES = (
    "oeschema", "oetable", "oecolumn", "oefile", "oefilecolumn", "oechart", "chartchild", "oeapi",
    "oeapicolumn", "oequery", "code",
)
SLOTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{t: ("business_description", "technical_description") for t in _CATALOG_SLOT_TYPES},
    **{t: ("business_description", "detailed_description")
       for t in ("glossary", "businessglossary", "dp_product")},
    "oeglobaldomain": ("domain_description",),
    "dp_domain": ("domain_description",),
    "oetag": ("tag_description",),
    "mastertag": ("master_tag_description",),
}
# Object types the write endpoint spells differently.
WRITE_TYPE_ALIASES = {"filecolumn": "oefilecolumn", "oecode": "code", "businessglossary": "glossary"}
WRITE_OBJECT_TYPES = tuple(sorted({*SLOTS_BY_TYPE, *WRITE_TYPE_ALIASES}))


def _str(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _int(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "description": description, **extra}


def _schema(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object", "properties": properties, "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


_OBJECT_ID = _int("OvalEdge object id (objectId from search results).", minimum=1)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool = True
    destructive: bool = False

    def to_mcp(self) -> types.Tool:
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.input_schema,
            annotations=types.ToolAnnotations(
                title=self.title,
                read_only_hint=self.read_only,
                destructive_hint=self.destructive,
                idempotent_hint=self.read_only,
                open_world_hint=False,
            ),
        )


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="search_catalog_assets",
        title="Search the catalog",
        description=(
            "Search the OvalEdge catalog for schemas, tables, columns, files, charts, APIs, "
            "queries, data products, glossary terms, tags and stories. Pass distinct keywords "
            "in search_terms and the user's question verbatim in context_query; narrow with "
            "object_type and the owner/steward/connection filters. Results are paged: use "
            "page for more. Hits carry objectId/objectType for the detail tools and a "
            "redirectUrl to show the user."
        ),
        input_schema=_schema({
            "search_terms": {
                "type": "array", "items": {"type": "string"}, "maxItems": 20,
                "description": "Distinct keywords; empty for filter-only paging.",
            },
            "context_query": _str("The user's question, verbatim, for semantic ranking."),
            "page": _int("Page number, from 1.", minimum=1, default=1),
            "limit": _int("Hits per page.", minimum=1, maximum=SEARCH_LIMIT_MAX, default=20),
            "object_type": _str("Only this object type.", enum=list(CATALOG_OBJECT_TYPES)),
            "connection_name": _str("Only assets of this connection."),
            "schema_name": _str("Only assets in this schema."),
            "owner": _str("Only assets with this owner."),
            "steward": _str("Only assets with this steward."),
            "custodian": _str("Only assets with this custodian."),
        }),
    ),
    ToolSpec(
        name="catalog_asset_details",
        title="Catalog asset details",
        description=(
            "Full catalog record of one asset: descriptions, owners, classifications, tags, "
            "terms, quality and certification. Identify it either by fully_qualified_name "
            "alone, or by object_id together with object_type."
        ),
        input_schema=_schema({
            "object_id": _OBJECT_ID,
            "object_type": _str("Object type of object_id.", enum=list(CATALOG_OBJECT_TYPES)),
            "fully_qualified_name": _str("e.g. connection.schema.table; use instead of the id."),
        }),
    ),
    ToolSpec(
        name="column_profile_statistics",
        title="Column profile statistics",
        description=(
            "Column-level profiling of a table or file: null and distinct counts, min/max, "
            "top values, last profiled time. Use it to judge completeness and data quality."
        ),
        input_schema=_schema(
            {
                "object_id": _OBJECT_ID,
                "object_type": _str("oetable or oefile.", enum=list(PROFILE_OBJECT_TYPES)),
            },
            required=("object_id", "object_type"),
        ),
    ),
    ToolSpec(
        name="table_entity_relationships",
        title="Table relationships",
        description=(
            "Primary/foreign-key and inferred relationships of one table: which tables and "
            "columns it joins to."
        ),
        input_schema=_schema({"object_id": _OBJECT_ID}, required=("object_id",)),
    ),
    ToolSpec(
        name="asset_lineage",
        title="Asset lineage",
        description=(
            "Upstream sources and downstream consumers of a table or file as nodes and edges, "
            "up to depth hops each way."
        ),
        input_schema=_schema(
            {
                "object_id": _OBJECT_ID,
                "object_type": _str("oetable or oefile.", enum=list(PROFILE_OBJECT_TYPES)),
                "depth": _int("Hops each way.", minimum=0, maximum=LINEAGE_DEPTH_MAX, default=2),
            },
            required=("object_id", "object_type"),
        ),
    ),
    ToolSpec(
        name="lookup_glossary_term",
        title="Look up a glossary term",
        description=(
            "One business glossary term: definition, synonyms, related terms, linked assets, "
            "owner and steward. Give exactly one of object_id or term_name."
        ),
        input_schema=_schema({
            "object_id": _OBJECT_ID,
            "term_name": _str("Exact term name, e.g. Revenue."),
        }),
    ),
    ToolSpec(
        name="lookup_tags",
        title="Look up a tag",
        description=(
            "One governance tag: description, parent/child tags and tagged assets. Give "
            "exactly one of object_id or tag_name."
        ),
        input_schema=_schema({
            "object_id": _OBJECT_ID,
            "tag_name": _str("Exact tag name, e.g. PII."),
        }),
    ),
    ToolSpec(
        name="search_platform_docs",
        title="Search OvalEdge docs",
        description=(
            "Semantic search over the OvalEdge product documentation, for how-to questions "
            "about the platform itself. Cite the returned URLs."
        ),
        input_schema=_schema(
            {
                "query": _str("The question, in natural language.", minLength=1),
                "limit": _int("Hits to return.", minimum=1, maximum=DOCS_LIMIT_MAX),
                "num_candidates": _int(
                    "Vector candidates to consider (>= limit).",
                    minimum=1, maximum=DOCS_CANDIDATES_MAX,
                ),
            },
            required=("query",),
        ),
    ),
    ToolSpec(
        name="update_asset_descriptions",
        title="Update asset descriptions",
        description=(
            "Governed write of an asset's description slots. First call without "
            "write_confirmed_by_user: nothing is written; you get a preview and a "
            "confirmation_token. Show the preview, ask the user, and only after they approve "
            "call again with the same arguments plus write_confirmed_by_user=true and that "
            "token. dry_run=true asks OvalEdge to validate without saving. Slots per type: "
            "catalog assets business/technical; glossary and data products business/detailed; "
            "domains domain; tags tag; master tags master_tag. When a type has two slots and "
            "you set one, name it in prompt (the user's words). Alternatively use "
            "description_field + description_text."
        ),
        input_schema=_schema(
            {
                "object_id": _OBJECT_ID,
                "object_type": _str("Object type.", enum=list(WRITE_OBJECT_TYPES)),
                **{slot: _str(f"New {slot.replace('_', ' ')} text.") for slot in DESCRIPTION_SLOTS},
                "description_field": _str("Slot for description_text.", enum=list(DESCRIPTION_SLOTS)),
                "description_text": _str("Text for description_field."),
                "dry_run": {"type": "boolean", "description": "Validate only; save nothing."},
                "fail_on_blocked_field": {
                    "type": "boolean", "description": "Fail if any slot is blocked.",
                },
                "idempotency_key": _str("Key that makes a retried write safe."),
                "prompt": _str("The user's request, verbatim."),
                "reason": _str("Why the change is made (audit trail)."),
                "write_confirmed_by_user": {
                    "type": "boolean", "default": False,
                    "description": "true only after the user approved the preview.",
                },
                "confirmation_token": _str("Token from the preview."),
            },
            required=("object_id", "object_type"),
        ),
        read_only=False,
        destructive=True,
    ),
)

TOOL_BY_NAME: dict[str, ToolSpec] = {tool.name: tool for tool in TOOLS}
READ_ONLY_TOOLS = frozenset(tool.name for tool in TOOLS if tool.read_only)


@dataclass(frozen=True)
class ResourceTemplateSpec:
    uri_template: str
    name: str
    title: str
    description: str
    object_type: str  # the objectType the worker reads it with
    mime_type: str = "application/json"

    def to_mcp(self) -> types.ResourceTemplate:
        return types.ResourceTemplate(
            uri_template=self.uri_template, name=self.name, title=self.title,
            description=self.description, mime_type=self.mime_type,
        )


RESOURCE_TEMPLATES: tuple[ResourceTemplateSpec, ...] = (
    ResourceTemplateSpec(
        uri_template="ovaledge://catalog/table/{object_id}",
        name="catalog_table",
        title="Catalog table",
        description="Catalog record of one table by numeric object id (JSON).",
        object_type="oetable",
    ),
    ResourceTemplateSpec(
        uri_template="ovaledge://governance/glossary-term/{object_id}",
        name="glossary_term",
        title="Glossary term",
        description="One business glossary term by numeric object id (JSON).",
        object_type="glossary",
    ),
)


@dataclass(frozen=True)
class PromptSpec:
    name: str
    title: str
    description: str
    argument: str
    argument_description: str
    template: str  # str.format fields: the argument, and each tool as {tool_<name>}
    tools: tuple[str, ...] = field(default=())

    def to_mcp(self) -> types.Prompt:
        return types.Prompt(
            name=self.name, title=self.title, description=self.description,
            arguments=[types.PromptArgument(
                name=self.argument, description=self.argument_description, required=True,
            )],
        )

    def render(self, arguments: dict[str, str] | None) -> types.GetPromptResult:
        value = (arguments or {}).get(self.argument, "").strip()
        if not value:
            raise ValueError(f"prompt {self.name!r} needs the argument {self.argument!r}")
        names = {f"tool_{name}": name for name in TOOL_BY_NAME}
        text = self.template.format(**{self.argument: value}, **names)
        return types.GetPromptResult(
            description=self.description,
            messages=[types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))],
        )


PROMPTS: tuple[PromptSpec, ...] = (
    PromptSpec(
        name="data_discovery",
        title="Data discovery",
        description="Find the data that answers a business question, with governance context.",
        argument="query",
        argument_description="The business question or data need.",
        tools=("search_catalog_assets", "lookup_glossary_term", "catalog_asset_details"),
        template=(
            "Find data in OvalEdge for: {query}\n"
            "1. Pick 2-5 distinct keywords and call {tool_search_catalog_assets} with them as "
            "search_terms and the question verbatim as context_query (object_type oetable "
            "first if the question is about tables).\n"
            "2. For each key business concept call {tool_lookup_glossary_term} with term_name.\n"
            "3. For the best 3-5 hits call {tool_catalog_asset_details}.\n"
            "4. Present the top 5: name, what it holds, owner/steward, certification, glossary "
            "alignment and a green/yellow/red trust note, with each redirectUrl. Say plainly "
            "if nothing fits."
        ),
    ),
    PromptSpec(
        name="explain_business_term",
        title="Explain a business term",
        description="Explain a glossary term and where it lives in the data.",
        argument="term",
        argument_description="The business term, e.g. Revenue.",
        tools=("lookup_glossary_term", "catalog_asset_details"),
        template=(
            "Explain the business term: {term}\n"
            "1. Call {tool_lookup_glossary_term} with term_name; look up related terms and "
            "synonyms one level deep the same way.\n"
            "2. For up to 2 linked tables or files call {tool_catalog_asset_details}.\n"
            "3. Give the organisation's definition, how it is calculated, related terms, the "
            "physical tables, classifications, owner and steward, and any curation warning."
        ),
    ),
    PromptSpec(
        name="trust_assessment",
        title="Trust assessment",
        description="Rate how far an asset can be trusted, dimension by dimension.",
        argument="asset_name",
        argument_description="Name of the table, file or report.",
        tools=("search_catalog_assets", "catalog_asset_details", "asset_lineage",
               "column_profile_statistics"),
        template=(
            "Assess whether {asset_name} can be trusted.\n"
            "1. Resolve it with {tool_search_catalog_assets}; confirm the right hit.\n"
            "2. Call {tool_catalog_asset_details}, then {tool_asset_lineage} with depth 2-3.\n"
            "3. For tables and files call {tool_column_profile_statistics}.\n"
            "4. Rate red/amber/green: data quality, completeness, certification, ownership, "
            "lineage clarity, sensitivity. Verdict: Trusted, Use with caution, or Unreliable, "
            "with the one action that would raise trust."
        ),
    ),
    PromptSpec(
        name="explore_data_domain",
        title="Explore a data domain",
        description="Map the terms, key tables, tags and contacts of a business domain.",
        argument="domain",
        argument_description="The domain, e.g. Finance.",
        tools=("search_catalog_assets", "lookup_glossary_term", "lookup_tags"),
        template=(
            "Give an overview of the {domain} data domain.\n"
            "1. Call {tool_search_catalog_assets} with object_type glossary, then with "
            "oetable, for the domain's keywords.\n"
            "2. Call {tool_lookup_glossary_term} for its core terms and {tool_lookup_tags} "
            "for related tags.\n"
            "3. Summarise the key terms, anchor tables, quality and certification, owners and "
            "stewards, and the first steps for someone new to the domain."
        ),
    ),
    PromptSpec(
        name="trace_data_lineage",
        title="Trace data lineage",
        description="Tell where an asset's data comes from and where it goes.",
        argument="asset_name",
        argument_description="Name of the table or file.",
        tools=("search_catalog_assets", "asset_lineage", "catalog_asset_details"),
        template=(
            "Trace the lineage of {asset_name}.\n"
            "1. Resolve it with {tool_search_catalog_assets}.\n"
            "2. Call {tool_asset_lineage} with depth 3.\n"
            "3. Call {tool_catalog_asset_details} for the key sources and consumers.\n"
            "4. Tell it as source -> transformation -> consumer in plain language and flag "
            "risks: uncertified sources, missing owners, long chains."
        ),
    ),
    PromptSpec(
        name="find_related_assets",
        title="Find related assets",
        description="Find assets related to one asset by joins, terms and tags.",
        argument="asset_name",
        argument_description="Name of the starting asset.",
        tools=("search_catalog_assets", "table_entity_relationships", "catalog_asset_details",
               "lookup_glossary_term", "lookup_tags"),
        template=(
            "Find assets related to {asset_name}.\n"
            "1. Resolve it with {tool_search_catalog_assets}.\n"
            "2. For a table call {tool_table_entity_relationships}; call "
            "{tool_catalog_asset_details} for it.\n"
            "3. Follow its terms with {tool_lookup_glossary_term} and its tags with "
            "{tool_lookup_tags}.\n"
            "4. Rank the related assets (joins first, then shared terms and tags), without "
            "duplicates, each with why it is related and its redirectUrl."
        ),
    ),
    PromptSpec(
        name="platform_help",
        title="OvalEdge platform help",
        description="Answer a how-to question about OvalEdge from its documentation.",
        argument="question",
        argument_description="The question about using OvalEdge.",
        tools=("search_platform_docs",),
        template=(
            "Answer this question about the OvalEdge platform: {question}\n"
            "1. Call {tool_search_platform_docs} with the question as query, limit 7, "
            "num_candidates 128.\n"
            "2. Keep only relevant hits; answer from them and cite their URLs.\n"
            "3. If nothing relevant comes back, say so and label any general-knowledge answer "
            "as such."
        ),
    ),
)

PROMPT_BY_NAME: dict[str, PromptSpec] = {prompt.name: prompt for prompt in PROMPTS}

INSTRUCTIONS = (
    "OvalEdge data catalog tools. Search with search_catalog_assets, then use the objectId and "
    "objectType of a hit with the detail, profile, relationship and lineage tools. Show users "
    "redirectUrl links, never ovaledge:// URIs. update_asset_descriptions is a governed write: "
    "show its preview and get the user's explicit approval before confirming. Access rules "
    "are OvalEdge's own: you see what the configured account may see. When a result says it "
    "was cut to fit, follow its advice (next page or a narrower query) for the rest."
)


def list_tools_result() -> types.ListToolsResult:
    return types.ListToolsResult(tools=[tool.to_mcp() for tool in TOOLS])


def list_resource_templates_result() -> types.ListResourceTemplatesResult:
    return types.ListResourceTemplatesResult(
        resource_templates=[template.to_mcp() for template in RESOURCE_TEMPLATES]
    )


def list_prompts_result() -> types.ListPromptsResult:
    return types.ListPromptsResult(prompts=[prompt.to_mcp() for prompt in PROMPTS])


def match_resource(uri: str) -> tuple[ResourceTemplateSpec, str] | None:
    """The template a concrete URI belongs to, and its raw {object_id} part."""
    for template in RESOURCE_TEMPLATES:
        prefix = template.uri_template.removesuffix("{object_id}")
        if uri.startswith(prefix) and "/" not in uri[len(prefix):]:
            return template, uri[len(prefix):]
    return None


class SurfaceHandlers:
    """MCP handlers answered from this data alone; the supervisor and the worker share them."""

    async def list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return list_tools_result()

    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[])  # only templates: ids come from searches

    async def list_resource_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return list_resource_templates_result()

    async def list_prompts(self, ctx: Any, params: Any) -> types.ListPromptsResult:
        return list_prompts_result()

    async def get_prompt(self, ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        from mcp import MCPError

        prompt = PROMPT_BY_NAME.get(params.name)
        if prompt is None:
            raise MCPError(types.INVALID_PARAMS,
                           f"unknown prompt {params.name!r}; available: {', '.join(PROMPT_BY_NAME)}")
        try:
            return prompt.render(params.arguments)
        except ValueError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None

    def new_server(self, **handlers: Any) -> Server:
        """A low-level MCP `Server` with our identity, the handlers above and `handlers`."""
        return Server(
            SERVER_NAME,
            version=__version__,
            instructions=INSTRUCTIONS,
            on_list_tools=self.list_tools,
            on_list_resources=self.list_resources,
            on_list_resource_templates=self.list_resource_templates,
            on_list_prompts=self.list_prompts,
            on_get_prompt=self.get_prompt,
            **handlers,
        )


def initialization_options(server: Server) -> Any:
    """What both servers announce in `initialize` (no list-changed: the surface is fixed)."""
    return server.create_initialization_options(NotificationOptions())
