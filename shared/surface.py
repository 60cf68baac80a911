"""The MCP surface as data: tools, resources, prompts, instructions, and when a call may write.

The supervisor serves `initialize` and every list call from the committed `surface.json`,
without importing the worker or the SDK's server; the worker serves the same document, built
from its registry (`worker.registry`), and a test keeps the committed file fresh. Only the wire
types (`mcp_types`) are needed here.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import mcp_types as types

from shared.redaction import quoted

SURFACE_FILE = Path(__file__).with_name("surface.json")


class PromptArgumentsError(ValueError):
    """`prompts/get` without a required argument; the text names it."""


class Surface:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        self._prompts = {prompt["name"]: prompt for prompt in document["prompts"]}
        self._writes: dict[str, dict[str, Any]] = document["writes"]
        self.retired: dict[str, str] = document.get("retired", {})
        self._documents: dict[str, dict[str, Any]] = document.get("documents", {})
        self._files: dict[str, str] = {}  # a view's HTML, once read

    @classmethod
    def load(cls, path: Path = SURFACE_FILE) -> Surface:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _text_of(self, uri: str, found: dict[str, Any]) -> str:
        """A document's text: in the surface data, or (a view) in its file beside it, read
        the first time it is asked for."""
        if "file" not in found:
            return found["text"]
        if uri not in self._files:
            self._files[uri] = (SURFACE_FILE.parent / found["file"]).read_text(encoding="utf-8")
        return self._files[uri]

    @property
    def name(self) -> str:
        return self.document["server"]["name"]

    @property
    def instructions(self) -> str:
        return self.document["server"]["instructions"]

    @cached_property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(tool["name"] for tool in self.document["tools"])

    # -- list results (built once: the surface is fixed for the life of the process) -----------
    @cached_property
    def tools_result(self) -> types.ListToolsResult:
        return types.ListToolsResult.model_validate({"tools": self.document["tools"]})

    @cached_property
    def resource_templates_result(self) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult.model_validate(
            {"resourceTemplates": self.document["resourceTemplates"]})

    @cached_property
    def resources_result(self) -> types.ListResourcesResult:
        return types.ListResourcesResult.model_validate({"resources": self.document["resources"]})

    @cached_property
    def prompts_result(self) -> types.ListPromptsResult:
        listed = [{k: v for k, v in p.items() if k != "template"} for p in self.document["prompts"]]
        return types.ListPromptsResult.model_validate({"prompts": listed})

    # -- tools/call of a name that is not served ---------------------------------------------
    def not_served(self, tool: str) -> str:
        """What to tell a caller of `tool`, which is not in tools/list."""
        if tool in self.retired:
            return self.retired[tool]
        return f"unknown tool {quoted(tool)}; available: {', '.join(self.tool_names)}"

    # -- resources/read of a static document ------------------------------------------------
    def read_document(self, uri: str) -> types.ReadResourceResult | None:
        """The static document or view at `uri`, or None when it is not one of ours."""
        found = self._documents.get(uri)
        if found is None:
            return None
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=uri, text=self._text_of(uri, found), mime_type=found["mimeType"],
            _meta=found.get("meta"))])

    # -- prompts/get --------------------------------------------------------------------------
    def get_prompt(self, name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        """The prompt's text with its arguments filled in. KeyError for an unknown prompt,
        PromptArgumentsError for a missing required argument."""
        prompt = self._prompts[name]
        given = arguments or {}
        values = {}
        for argument in prompt.get("arguments", []):
            value = str(given.get(argument["name"], "") or "").strip()
            if not value and argument.get("required"):
                raise PromptArgumentsError(f"prompt {name!r} needs the argument {argument['name']!r}")
            values[argument["name"]] = value
        return types.GetPromptResult(
            description=prompt.get("description"),
            messages=[types.PromptMessage(
                role="user", content=types.TextContent(type="text", text=prompt["template"].format(**values)),
            )],
        )

    @property
    def prompt_names(self) -> tuple[str, ...]:
        return tuple(self._prompts)

    def subject_of(self, tool: str, arguments: dict[str, Any] | None) -> str:
        """What a write call changes, in the caller's own words (its naming arguments)."""
        rule = self._writes.get(tool) or {}
        args = arguments or {}
        named = [f"{name}={args[name]!r}" for name in rule.get("subject", ()) if name in args]
        return ", ".join(named)[:300] or "the object named in the call"

    # -- replay ---------------------------------------------------------------------------------
    def may_write(self, tool: str, arguments: dict[str, Any] | None) -> bool:
        """Whether this call could change something in OvalEdge. The supervisor replays a call
        after a worker crash only when it could not; in doubt, it counts as a write.

        A read never writes. A governed tool writes only when the call is confirmed (its confirm
        argument present and neither false nor null: a preview or a picker step is not), unless
        an exemption holds exactly (`dry_run` true, or a `step` that only reads)."""
        rule = self._writes.get(tool)
        kind = rule.get("writes") if rule else None
        if kind == "never":
            return False
        if kind != "when_confirmed":
            return True
        args = arguments or {}
        if args.get(rule["confirm"]) in (None, False):
            return False
        for exemption in rule.get("unless", []):
            value = args.get(exemption["arg"])
            if "is" in exemption and value is exemption["is"]:
                return False
            if "in" in exemption and isinstance(value, str) and value in exemption["in"]:
                return False
        return True
