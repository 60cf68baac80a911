"""What the worker serves, collected from its family modules, and the surface data made of it.

A family module (`worker/tools/*.py`, `worker/resources.py`, `worker/prompts.py`) declares each
tool, resource or prompt in one entry: schema, rules, handler and shaping hints together. The
`Registry` collects them and refuses, at import, a duplicate name or a tool without a handler.
`document()` is the surface as plain JSON data; the committed copy in `shared/surface.json` is
what the supervisor serves without importing any of this (`python -m worker.surface --write`
regenerates it; a test checks it is fresh).
"""

from __future__ import annotations

import copy
import string
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mcp_types as types
from jsonschema import Draft202012Validator

if TYPE_CHECKING:
    from shared.settings import Settings
    from worker.client import OvalEdgeClient
    from worker.flows import FlowMemory
    from worker.gate import Gate


@dataclass
class ToolContext:
    """What a handler may use: the OvalEdge client (routes by name), the settings, the
    governed-write gate and the memory of guided flows."""

    api: OvalEdgeClient
    settings: Settings
    gate: Gate
    flows: FlowMemory


Handler = Callable[[ToolContext, dict[str, Any]], Awaitable[Any]]


class Effect(StrEnum):
    """What a tool can do to OvalEdge: drives the MCP annotations and the replay rule."""

    READ = "read"
    UPDATE = "update"  # a governed write that overwrites a value
    CREATE = "create"  # a governed write that adds something
    ASSOCIATE = "associate"  # a governed write that adds a link to what exists (a set: idempotent)
    EXECUTE = "execute"  # runs something on a source system (gated like a write)

    @property
    def annotations(self) -> dict[str, bool]:
        """The annotation profiles of the 2026-07-28 schema (readOnly, destructive, idempotent):
        overwrites are destructive; creates and associations only add."""
        read_only, destructive, idempotent = {
            Effect.READ: (True, False, True), Effect.UPDATE: (False, True, True),
            Effect.CREATE: (False, False, False), Effect.ASSOCIATE: (False, False, True),
            Effect.EXECUTE: (False, False, True),
        }[self]
        return {"read_only_hint": read_only, "destructive_hint": destructive, "idempotent_hint": idempotent}


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    handler: Handler | None
    effect: Effect = Effect.READ
    # How to get the rest when an answer was slimmed to fit the response budget.
    more_hint: str = "narrow the request, or open the asset's redirectUrl in OvalEdge for the full text"
    read_steps: tuple[str, ...] = ()  # values of `step` that never write (dq_rule_advisor)
    # The arguments that name what a write changes, for "outcome unknown" after a worker crash.
    subject: tuple[str, ...] = ("object_type", "object_id")
    # Long lists of allowed values, checked like an enum but kept out of tools/list, where every
    # character is paid for on every turn; a wrong value's error lists them.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The MCP Apps view (a `View`'s ui:// URI) that hosts with the extension draw the result in;
    # the result itself is the same JSON for every host.
    view: str | None = None
    # Other names the reference server takes for an argument (alias -> our name), kept out of
    # tools/list; worker/arguments.py maps them before the schema check.
    aliases: dict[str, str] = field(default_factory=dict)

    @cached_property
    def validator(self) -> Draft202012Validator:
        schema = copy.deepcopy(self.input_schema)
        for name, allowed in self.choices.items():
            schema["properties"][name]["enum"] = list(allowed)
        return Draft202012Validator(schema)

    @property
    def writes(self) -> dict[str, Any]:
        """When a call of this tool may change OvalEdge, as data for the supervisor's replay
        decision (`shared.surface.Surface.may_write`): never for a read; for a governed tool only
        a call confirmed by the user, unless it is a dry run or a step that only reads."""
        if self.effect is Effect.READ:
            return {"writes": "never"}
        unless: list[dict[str, Any]] = []
        if "dry_run" in self.input_schema["properties"]:
            unless.append({"arg": "dry_run", "is": True})
        if self.read_steps:
            unless.append({"arg": "step", "in": list(self.read_steps)})
        return {"writes": "when_confirmed", "confirm": "write_confirmed_by_user", "unless": unless,
                "subject": list(self.subject)}

    def wire(self) -> dict[str, Any]:
        tool = types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.input_schema,
            annotations=types.ToolAnnotations(open_world_hint=False, **self.effect.annotations),
            _meta=view_meta(self.view) if self.view else None,
        )
        return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


ResourceReader = Callable[[ToolContext, int], Awaitable[Any]]


@dataclass(frozen=True)
class ResourceTemplate:
    uri_template: str  # ends with {object_id}
    name: str
    title: str
    description: str
    read: ResourceReader
    mime_type: str = "application/json"

    @property
    def prefix(self) -> str:
        return self.uri_template.removesuffix("{object_id}")

    def wire(self) -> dict[str, Any]:
        return types.ResourceTemplate(
            uri_template=self.uri_template, name=self.name, title=self.title,
            description=self.description, mime_type=self.mime_type,
        ).model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class Document:
    """A static resource (our own documentation), served from the surface data."""

    uri: str
    name: str
    title: str
    description: str
    text: str
    mime_type: str = "text/markdown"

    def wire(self) -> dict[str, Any]:
        return types.Resource(
            uri=self.uri, name=self.name, title=self.title, description=self.description,
            mime_type=self.mime_type, size=len(self.text.encode()),
        ).model_dump(mode="json", by_alias=True, exclude_none=True)


VIEW_MIME_TYPE = "text/html;profile=mcp-app"  # MCP Apps (io.modelcontextprotocol/ui)


def view_meta(uri: str) -> dict[str, Any]:
    """A tool's pointer to its view: the MCP Apps key, the older flat key the extension's SDK
    still writes for older hosts, and ChatGPT's."""
    return {"ui": {"resourceUri": uri}, "ui/resourceUri": uri, "openai/outputTemplate": uri}


@dataclass(frozen=True)
class View:
    """An MCP Apps view: one self-contained HTML file in `shared/views/` (built from `views/`),
    listed as a resource and read from the file when asked for (not copied into the surface
    data: four views are about 1.6 MB)."""

    uri: str  # ui://ovaledge/<file name>
    name: str
    title: str
    description: str
    file: str  # relative to shared/, e.g. views/asset-lineage.html
    mime_type: str = VIEW_MIME_TYPE
    # The host draws a border and background around the view (the views have none of their own).
    ui: dict[str, Any] = field(default_factory=lambda: {"prefersBorder": True})

    def wire(self, size: int) -> dict[str, Any]:
        return types.Resource(
            uri=self.uri, name=self.name, title=self.title, description=self.description,
            mime_type=self.mime_type, size=size, _meta={"ui": dict(self.ui)},
        ).model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Prompt:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArgument, ...]
    template: str  # str.format fields: each argument, and each tool as {tool_<name>}
    tools: tuple[str, ...] = field(default=())

    def wire(self, tool_names: Iterable[str]) -> dict[str, Any]:
        """The prompt as surface data: its listing, and its text with the tool names injected
        (argument fields left for `shared.surface` to fill)."""
        names = {f"tool_{name}": name for name in tool_names}
        keep = {arg.name: "{" + arg.name + "}" for arg in self.arguments}
        listed = types.Prompt(
            name=self.name, title=self.title, description=self.description,
            arguments=[types.PromptArgument(name=a.name, description=a.description, required=a.required)
                       for a in self.arguments],
        ).model_dump(mode="json", by_alias=True, exclude_none=True)
        return {**listed, "template": self.template.format(**names, **keep)}

    def fields(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.template) if name}


class Registry:
    """Tools, resource templates and prompts by name; a duplicate or an incomplete entry is a
    `ValueError` at import, so a mistake never reaches a client."""

    def __init__(self, *, server_name: str, instructions: str) -> None:
        self.server_name = server_name
        self.instructions = instructions
        self.tools: dict[str, Tool] = {}
        self.resource_templates: dict[str, ResourceTemplate] = {}
        self.documents: dict[str, Document] = {}
        self.views: dict[str, View] = {}
        self._shared_dir = Path(".")
        self.prompts: dict[str, Prompt] = {}
        self.retired: dict[str, str] = {}  # old tool name -> what replaces it, and how to call it

    def add_tools(self, tools: Iterable[Tool]) -> None:
        for tool in tools:
            if tool.name in self.tools:
                raise ValueError(f"tool {tool.name!r} is declared twice")
            if tool.handler is None:
                raise ValueError(f"tool {tool.name!r} has no handler")
            self.tools[tool.name] = tool

    def add_resource_templates(self, templates: Iterable[ResourceTemplate]) -> None:
        for template in templates:
            if template.name in self.resource_templates:
                raise ValueError(f"resource template {template.name!r} is declared twice")
            if not template.uri_template.endswith("{object_id}"):
                raise ValueError(f"resource template {template.name!r} must end with {{object_id}}")
            self.resource_templates[template.name] = template

    def add_documents(self, documents: Iterable[Document]) -> None:
        for document in documents:
            if document.uri in self.documents:
                raise ValueError(f"document {document.uri!r} is declared twice")
            self.documents[document.uri] = document

    def add_views(self, views: Iterable[View], shared_dir: Path) -> None:
        """The views, each checked to exist under `shared_dir`; every tool that names a view
        must name one of these (checked here and by `document`)."""
        for view in views:
            if view.uri in self.views or view.uri in self.documents:
                raise ValueError(f"view {view.uri!r} is declared twice")
            if not (shared_dir / view.file).is_file():
                raise ValueError(f"view {view.uri!r}: {view.file} is not built (scripts/build_views.sh)")
            self.views[view.uri] = view
        self._shared_dir = shared_dir
        self._check_views()

    def _check_views(self) -> None:
        unknown = {t.name: t.view for t in self.tools.values() if t.view and t.view not in self.views}
        if unknown:
            raise ValueError(f"tools name views that are not declared: {unknown}")

    def retire(self, old_name: str, replacement: str) -> None:
        if old_name in self.tools:
            raise ValueError(f"tool {old_name!r} is both served and retired")
        self.retired[old_name] = replacement

    def add_prompts(self, prompts: Iterable[Prompt]) -> None:
        for prompt in prompts:
            if prompt.name in self.prompts:
                raise ValueError(f"prompt {prompt.name!r} is declared twice")
            unknown = set(prompt.tools) - set(self.tools)
            if unknown:
                raise ValueError(f"prompt {prompt.name!r} names unknown tools {sorted(unknown)}")
            expected = {a.name for a in prompt.arguments} | {f"tool_{t}" for t in prompt.tools}
            if prompt.fields() != expected:
                raise ValueError(f"prompt {prompt.name!r} template fields {sorted(prompt.fields())} "
                                 f"are not its arguments and tools {sorted(expected)}")
            self.prompts[prompt.name] = prompt

    def match_resource(self, uri: str) -> tuple[ResourceTemplate, str] | None:
        """The template a concrete URI belongs to, and its raw {object_id} part."""
        for template in self.resource_templates.values():
            prefix = template.prefix
            if uri.startswith(prefix) and "/" not in uri[len(prefix):]:
                return template, uri[len(prefix):]
        return None

    def document(self) -> dict[str, Any]:
        """The surface as JSON data: what `shared.surface.Surface` serves."""
        self._check_views()
        return {
            "server": {"name": self.server_name, "instructions": self.instructions},
            "tools": [tool.wire() for tool in self.tools.values()],
            "writes": {tool.name: tool.writes for tool in self.tools.values()},
            "retired": dict(self.retired),
            "resourceTemplates": [t.wire() for t in self.resource_templates.values()],
            "resources": [d.wire() for d in self.documents.values()]
            + [v.wire((self._shared_dir / v.file).stat().st_size) for v in self.views.values()],
            "documents": {d.uri: {"mimeType": d.mime_type, "text": d.text} for d in self.documents.values()}
            | {v.uri: {"mimeType": v.mime_type, "file": v.file, "meta": {"ui": dict(v.ui)}}
               for v in self.views.values()},
            "prompts": [prompt.wire(self.tools) for prompt in self.prompts.values()],
        }
