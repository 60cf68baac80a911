"""The MCP surface as data: a committed snapshot, its size budget, annotations, prompts, and the
proof that the supervisor (`oe-mcp-local`) serves exactly what the worker (`oe-mcp-worker`) does.

When the surface changes on purpose, regenerate the snapshot and commit it with the change:

    UPDATE_SURFACE_SNAPSHOT=1 .venv/bin/pytest tests/shared/test_surface.py
"""

from __future__ import annotations

import difflib
import json
import os
import string
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from shared.surface import Surface
from tests.harness import sandbox_env, supervisor, worker
from worker.surface import INSTRUCTIONS, REGISTRY, SERVER_NAME

SERVED = Surface.load()  # what the supervisor serves: the committed surface data
TOOL_BY_NAME = REGISTRY.tools
TOOLS = tuple(REGISTRY.tools.values())
PROMPTS = tuple(REGISTRY.prompts.values())


def list_tools_result():
    return SERVED.tools_result


def list_resource_templates_result():
    return SERVED.resource_templates_result


def list_prompts_result():
    return SERVED.prompts_result


def argument_of(prompt) -> str:
    [argument] = prompt.arguments
    return argument.name

SNAPSHOT = Path(__file__).with_name("surface_snapshot.json")
UPDATE_ENV = "UPDATE_SURFACE_SNAPSHOT"
DESCRIPTION_MAX = 1_500
TOOL_LIST_MAX = 12_000
WRITE_TOOLS = {"update_asset_descriptions"}


def dump(model: Any) -> Any:
    """A result as it travels in JSON-RPC (camelCase aliases, unset fields left out)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def prompt_texts() -> dict[str, str]:
    return {
        p.name: SERVED.get_prompt(p.name, {argument_of(p): f"<{argument_of(p)}>"}).messages[0].content.text
        for p in PROMPTS
    }


def current_surface() -> dict[str, Any]:
    return {
        "serverName": SERVER_NAME,
        "instructions": INSTRUCTIONS,
        "tools": dump(list_tools_result())["tools"],
        "resourceTemplates": dump(list_resource_templates_result())["resourceTemplates"],
        "prompts": dump(list_prompts_result())["prompts"],
        "promptTexts": prompt_texts(),
    }


def serialized(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_surface_matches_the_committed_snapshot():
    current = serialized(current_surface())
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
        pytest.skip(f"{UPDATE_ENV}=1: rewrote {SNAPSHOT.name}; review and commit it")
    assert SNAPSHOT.exists(), (
        f"{SNAPSHOT} is missing; create it with {UPDATE_ENV}=1 .venv/bin/pytest {__file__}"
    )
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if committed != current:
        diff = list(difflib.unified_diff(
            committed.splitlines(), current.splitlines(), "committed snapshot", "shared/surface.py",
            lineterm="", n=2,
        ))
        shown = "\n".join(diff[:80]) + (f"\n... {len(diff) - 80} more diff lines" if len(diff) > 80 else "")
        pytest.fail(
            "The MCP surface (tools/list, resource templates, prompts or instructions) differs from "
            f"{SNAPSHOT.relative_to(SNAPSHOT.parents[2])}. Every client sees this change. If it is "
            f"intended, regenerate the snapshot with\n    {UPDATE_ENV}=1 .venv/bin/pytest "
            f"tests/shared/test_surface.py\nand commit it with the change.\n\n{shown}",
            pytrace=False,
        )


def test_descriptions_and_tool_list_fit_the_budget():
    for tool in TOOLS:
        assert len(tool.description) <= DESCRIPTION_MAX, (tool.name, len(tool.description))
    tools = list_tools_result()
    wire = tools.model_dump_json(by_alias=True, exclude_none=True)  # what goes over stdio
    spaced = json.dumps(dump(tools))  # the same, re-serialized with default separators
    assert max(len(wire), len(spaced)) <= TOOL_LIST_MAX, (len(wire), len(spaced))


def test_annotations_tell_reads_from_the_governed_write():
    tools = {tool["name"]: tool for tool in dump(list_tools_result())["tools"]}
    assert set(tools) == set(TOOL_BY_NAME) and len(tools) == 9
    for name, tool in tools.items():
        hints = tool["annotations"]
        assert hints["title"] == tool["title"]
        if name in WRITE_TOOLS:
            assert hints["readOnlyHint"] is False and hints["destructiveHint"] is True, name
            assert hints["idempotentHint"] is False, name
        else:
            assert hints["readOnlyHint"] is True and hints["idempotentHint"] is True, name
            assert hints["destructiveHint"] is False, name


def test_input_schemas_are_closed_and_valid():
    for tool in TOOLS:
        schema = tool.input_schema
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["additionalProperties"] is False, tool.name
        assert set(schema.get("required", ())) <= set(schema["properties"]), tool.name
        for prop, spec in schema["properties"].items():
            assert spec.get("description"), (tool.name, prop)
    search = TOOL_BY_NAME["search_catalog_assets"].input_schema["properties"]
    assert search["limit"]["maximum"] == 50
    assert search["search_terms"]["type"] == "array"


def test_prompts_name_exactly_their_tools_injected_from_surface_data():
    texts = prompt_texts()
    assert len(PROMPTS) == 7
    for prompt in PROMPTS:
        assert prompt.tools, prompt.name
        assert set(prompt.tools) <= set(TOOL_BY_NAME), (prompt.name, prompt.tools)
        parsed = list(string.Formatter().parse(prompt.template))
        fields = {name for _, name, _, _ in parsed if name}
        assert fields == {argument_of(prompt)} | {f"tool_{tool}" for tool in prompt.tools}, prompt.name
        literal = "".join(text for text, _, _, _ in parsed)
        assert not [t for t in TOOL_BY_NAME if t in literal], f"{prompt.name}: a hard-coded tool name"
        text = texts[prompt.name]
        assert f"<{argument_of(prompt)}>" in text
        assert {t for t in TOOL_BY_NAME if t in text} == set(prompt.tools), prompt.name


async def test_supervisor_serves_the_same_surface_as_the_worker(sandbox, tmp_path):
    async def served(connect) -> dict[str, Any]:
        async with connect as conn:
            session = conn.session
            return {
                "serverName": session.server_info.name,
                "instructions": session.instructions,
                "tools": dump(await session.list_tools())["tools"],
                "resourceTemplates": dump(await session.list_resource_templates())["resourceTemplates"],
                "prompts": dump(await session.list_prompts())["prompts"],
                "promptTexts": {
                    p.name: (await session.get_prompt(p.name, {argument_of(p): f"<{argument_of(p)}>"}))
                    .messages[0].content.text
                    for p in PROMPTS
                },
                "resources": dump(await session.list_resources())["resources"],
            }

    env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sup.sock"))
    from_worker = await served(worker(env))
    from_supervisor = await served(supervisor(env))
    assert from_supervisor == from_worker
    assert from_worker.pop("resources") == []
    assert from_worker == current_surface()
