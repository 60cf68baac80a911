"""The MCP surface as data: the committed `shared/surface.json` kept fresh from the worker's
registry, its size budget, annotations, prompts, and the proof that the supervisor
(`oe-mcp-local`) serves exactly what the worker (`oe-mcp-worker`) does.

When the surface changes on purpose, regenerate the data and commit it with the change:

    .venv/bin/python -m worker.surface --write
"""

from __future__ import annotations

import difflib
import json
import string
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from shared.surface import SURFACE_FILE, Surface
from tests.harness import sandbox_env, supervisor, worker
from worker.surface import INSTRUCTIONS, REGISTRY, SERVER_NAME, serialized

SERVED = Surface.load()  # what the supervisor serves
DESCRIPTION_MAX = 1_500  # ours; the reference allows 2,500
TOOL_LIST_MAX = 28_000  # the whole tools/list result as JSON; the reference allows 32,000 for descriptions
READ_TOOLS = {"asset_explorer", "asset_details", "asset_lineage", "metadata_changes_between_crawls",
              "access_explorer", "knowledge_search"}
WRITE_TOOLS = {"update_asset_descriptions"}


def dump(model: Any) -> Any:
    """A result as it travels in JSON-RPC (camelCase aliases, unset fields left out)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def placeholders(prompt) -> dict[str, str]:
    return {a.name: f"<{a.name}>" for a in prompt.arguments}


def test_the_committed_surface_data_is_the_registry_s():
    committed = SURFACE_FILE.read_text(encoding="utf-8")
    current = serialized(REGISTRY.document())
    if committed != current:
        diff = list(difflib.unified_diff(committed.splitlines(), current.splitlines(),
                                         "shared/surface.json", "worker registry", lineterm="", n=2))
        pytest.fail(
            "The MCP surface (tools, resources, prompts or instructions) differs from the committed "
            "shared/surface.json, which the supervisor serves. Every client sees this change. If it "
            "is intended, regenerate it with\n    .venv/bin/python -m worker.surface --write\nand "
            "commit it with the change.\n\n" + "\n".join(diff[:80]), pytrace=False)


def test_descriptions_and_tool_list_fit_the_budget():
    sizes = {tool.name: len(tool.description) for tool in REGISTRY.tools.values()}
    assert max(sizes.values()) <= DESCRIPTION_MAX, sizes
    tools = SERVED.tools_result
    wire = tools.model_dump_json(by_alias=True, exclude_none=True)  # what goes over stdio
    spaced = json.dumps(dump(tools))  # the same, re-serialized with default separators
    assert max(len(wire), len(spaced)) <= TOOL_LIST_MAX, (len(wire), len(spaced))


def test_annotations_tell_reads_from_the_governed_write():
    tools = {tool["name"]: tool for tool in dump(SERVED.tools_result)["tools"]}
    assert set(tools) == READ_TOOLS | WRITE_TOOLS
    for name, tool in tools.items():
        hints = tool["annotations"]
        assert tool["title"] and hints["title"] == tool["title"]
        if name in WRITE_TOOLS:
            assert hints["readOnlyHint"] is False and hints["destructiveHint"] is True, name
            assert hints["idempotentHint"] is False, name
            assert SERVED.may_write(name, {}), name
        else:
            assert hints["readOnlyHint"] is True and hints["idempotentHint"] is True, name
            assert hints["destructiveHint"] is False, name
            assert not SERVED.may_write(name, {"write_confirmed_by_user": True}), name
    assert SERVED.may_write("no_such_tool", {})  # anything unknown counts as a write


def test_input_schemas_are_closed_and_valid():
    for tool in REGISTRY.tools.values():
        schema = tool.input_schema
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["additionalProperties"] is False, tool.name
        assert set(schema.get("required", ())) <= set(schema["properties"]), tool.name
        for prop, spec in schema["properties"].items():
            assert spec.get("description"), (tool.name, prop)
    explorer = REGISTRY.tools["asset_explorer"].input_schema["properties"]
    assert explorer["search_terms"]["type"] == "array" and "maximum" not in explorer["limit"]


def test_prompts_name_exactly_their_tools_injected_from_surface_data():
    assert len(REGISTRY.prompts) == 15
    for prompt in REGISTRY.prompts.values():
        assert prompt.tools, prompt.name
        assert set(prompt.tools) <= set(REGISTRY.tools), (prompt.name, prompt.tools)
        parsed = list(string.Formatter().parse(prompt.template))
        fields = {name for _, name, _, _ in parsed if name}
        assert fields == {a.name for a in prompt.arguments} | {f"tool_{t}" for t in prompt.tools}, prompt.name
        literal = "".join(text for text, _, _, _ in parsed)
        assert not [t for t in REGISTRY.tools if t in literal], f"{prompt.name}: a hard-coded tool name"
        text = SERVED.get_prompt(prompt.name, placeholders(prompt)).messages[0].content.text
        assert all(value in text for value in placeholders(prompt).values())
        assert {t for t in REGISTRY.tools if t in text} == set(prompt.tools), prompt.name


def test_instructions_route_the_agent_and_repeat_nothing():
    assert SERVED.instructions == INSTRUCTIONS and SERVED.name == SERVER_NAME
    for needed in ("docs://ovaledge/mcp_workflows", "write_confirmed_by_user", "never show ovaledge://",
                   "access_intent_confirmed", "asset_explorer", "access_explorer", "knowledge_search"):
        assert needed in INSTRUCTIONS, needed
    sentences = [s.strip() for s in INSTRUCTIONS.split(". ") if s.strip()]
    assert len(sentences) == len(set(sentences))


async def test_supervisor_serves_the_same_surface_as_the_worker(sandbox, tmp_path):
    async def served(connect) -> dict[str, Any]:
        async with connect as conn:
            session = conn.session
            return {
                "serverName": session.server_info.name,
                "instructions": session.instructions,
                "tools": dump(await session.list_tools())["tools"],
                "resourceTemplates": dump(await session.list_resource_templates())["resourceTemplates"],
                "resources": dump(await session.list_resources())["resources"],
                "prompts": dump(await session.list_prompts())["prompts"],
                "promptTexts": {
                    p.name: (await session.get_prompt(p.name, placeholders(p))).messages[0].content.text
                    for p in REGISTRY.prompts.values()
                },
                "documents": {
                    uri: (await session.read_resource(uri)).contents[0].text for uri in REGISTRY.documents
                },
            }

    env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sup.sock"))
    from_worker = await served(worker(env))
    from_supervisor = await served(supervisor(env))
    assert from_supervisor == from_worker
    document = REGISTRY.document()
    assert from_worker["tools"] == document["tools"] and from_worker["resources"] == document["resources"]
    assert from_worker["documents"] == {uri: d["text"] for uri, d in document["documents"].items()}
