"""The MCP surface as data: the committed `shared/surface.json` kept fresh from the worker's
registry, its size budget, annotations, prompts, and the proof that the supervisor
(`oe-mcp-local`) serves exactly what the worker (`oe-mcp-worker`) does.

When the surface changes on purpose, regenerate the data and commit it with the change:

    .venv/bin/python -m worker.surface --write
"""

from __future__ import annotations

import difflib
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
# The reference's annotation profiles (ovaledge-api.md §4.3): (readOnly, destructive, idempotent).
UPDATE, CREATE, EXECUTE = (False, True, True), (False, False, False), (False, False, True)
GOVERNED = {
    "update_asset_descriptions": UPDATE, "update_cde_associations": (False, False, True),
    "update_governance_roles": UPDATE, "update_custom_field_value": UPDATE,
    "create_glossary_term": CREATE, "create_tag": CREATE, "create_service_request": CREATE,
    "dq_rule_manager": CREATE, "dq_rule_advisor": EXECUTE,
}


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
    wire = SERVED.tools_result.model_dump_json(by_alias=True, exclude_none=True)  # as sent over stdio
    assert len(wire) <= TOOL_LIST_MAX, len(wire)


def test_annotations_follow_the_reference_profiles():
    tools = {tool["name"]: tool for tool in dump(SERVED.tools_result)["tools"]}
    assert set(tools) == READ_TOOLS | set(GOVERNED) and len(tools) == 15
    for name, tool in tools.items():
        hints = tool["annotations"]
        assert tool["title"] and hints["openWorldHint"] is False, name
        expected = (True, False, True) if name in READ_TOOLS else GOVERNED[name]
        assert (hints["readOnlyHint"], hints["destructiveHint"], hints["idempotentHint"]) == expected, name


# Per tool: calls that cannot write (replayed after a worker crash) and calls that may.
CANNOT_WRITE = [{}, {"write_confirmed_by_user": False}, {"confirmation_token": "x"}]
REPLAY_CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    **{name: ([*CANNOT_WRITE, {"write_confirmed_by_user": True}], []) for name in READ_TOOLS},
    **{name: ([*CANNOT_WRITE, {"write_confirmed_by_user": True, "dry_run": True}],
              [{"write_confirmed_by_user": True}, {"write_confirmed_by_user": True, "dry_run": False},
               {"write_confirmed_by_user": "yes"}, {"write_confirmed_by_user": True, "dry_run": "true"}])
       for name in ("update_asset_descriptions", "update_cde_associations", "update_governance_roles",
                    "update_custom_field_value")},
    **{name: ([*CANNOT_WRITE, {"search_on": "category"}, {"tag_name": "x", "master_tag_id": 3}],
              [{"write_confirmed_by_user": True}, {"write_confirmed_by_user": True, "dry_run": True}])
       for name in ("create_glossary_term", "create_tag", "create_service_request")},
    "dq_rule_advisor": (
        [{"step": "assess"}, {"step": "lookup", "write_confirmed_by_user": True},
         {"step": "generate_query", "write_confirmed_by_user": True}, {"step": "validate_query"}],
        [{"step": "validate_query", "write_confirmed_by_user": True},
         {"step": "VALIDATE_QUERY", "write_confirmed_by_user": True}, {"write_confirmed_by_user": True}],
    ),
    "dq_rule_manager": (
        [{"step": "create_standard"}, {"step": "associate", "confirmation_token": "x"}],
        [{"step": step, "write_confirmed_by_user": True}
         for step in ("create_standard", "create_custom_sql", "associate")],
    ),
}


def test_the_replay_rule_for_every_tool():
    """One rule decides replay, from the surface data: a call that cannot write may be replayed;
    a confirmed write (or anything in doubt) never is."""
    assert set(REPLAY_CASES) == set(SERVED.tool_names)
    for name, (safe, writes) in REPLAY_CASES.items():
        for arguments in safe:
            assert not SERVED.may_write(name, arguments), (name, arguments)
        for arguments in writes:
            assert SERVED.may_write(name, arguments), (name, arguments)
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
    for tool in REGISTRY.tools.values():  # long enums are checked, not listed
        assert set(tool.choices) <= set(tool.input_schema["properties"]), tool.name


def test_prompts_name_exactly_their_tools_injected_from_surface_data():
    assert len(REGISTRY.prompts) == 22
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
                    uri: dump(await session.read_resource(uri))["contents"][0]
                    for uri in [*REGISTRY.documents, *REGISTRY.views]
                },
            }

    env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sup.sock"))
    from_worker = await served(worker(env))
    from_supervisor = await served(supervisor(env))
    assert from_supervisor == from_worker
    document = REGISTRY.document()
    assert from_worker["tools"] == document["tools"] and from_worker["resources"] == document["resources"]
    # Our guides travel in the surface data; the views are read from their files in shared/.
    expected = {
        uri: {"uri": uri, "mimeType": d["mimeType"], **({"_meta": d["meta"]} if "meta" in d else {}),
              "text": d["text"] if "text" in d else (SURFACE_FILE.parent / d["file"]).read_text(encoding="utf-8")}
        for uri, d in document["documents"].items()
    }
    assert from_worker["documents"] == expected
    assert sum(uri.startswith("ui://") for uri in expected) == 4
