"""What the worker serves, collected from its family modules, and the surface data made of it.

A family module (`worker/tools/*.py`, `worker/resources.py`, `worker/prompts.py`) declares each
tool, resource or prompt in one entry: schema, rules, handler and shaping hints together. The
`Registry` collects them and refuses, at import, a duplicate name or a tool without a handler.
`document()` is the surface as plain JSON data; the committed copy in `shared/surface.json` is
what the supervisor serves without importing any of this (`python -m worker.surface_file`
regenerates it; a test checks it is fresh).
"""

from __future__ import annotations

import copy
import string
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
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
    EXECUTE = "execute"  # runs something on a source system (gated like a write)

    @property
    def annotations(self) -> dict[str, bool]:
        """The reference server's annotation profiles (readOnly, destructive, idempotent)."""
        read_only, destructive, idempotent = {
            Effect.READ: (True, False, True), Effect.UPDATE: (False, True, True),
            Effect.CREATE: (False, False, False), Effect.EXECUTE: (False, False, True),
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
        return {
            "server": {"name": self.server_name, "instructions": self.instructions},
            "tools": [tool.wire() for tool in self.tools.values()],
            "writes": {tool.name: tool.writes for tool in self.tools.values()},
            "retired": dict(self.retired),
            "resourceTemplates": [t.wire() for t in self.resource_templates.values()],
            "resources": [d.wire() for d in self.documents.values()],
            "documents": {d.uri: {"mimeType": d.mime_type, "text": d.text} for d in self.documents.values()},
            "prompts": [prompt.wire(self.tools) for prompt in self.prompts.values()],
        }
