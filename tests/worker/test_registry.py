"""The registry: one entry per tool, resource and prompt, refused when incomplete, and the
surface data the supervisor serves kept fresh from it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.settings import REPO_ROOT
from shared.surface import Surface
from tests.worker import test_access_wire as access
from tests.worker import test_governed_write as governed
from tests.worker import test_tools_wire as wire
from tests.worker import test_writes_wire as writes
from worker.registry import Prompt, PromptArgument, Registry, Tool
from worker.schema import closed
from worker.surface import REGISTRY


async def _noop(ctx, args):
    return {}


def _tool(name: str, handler=_noop) -> Tool:
    return Tool(name=name, title=name, description=name, input_schema=closed({}), handler=handler)


def test_a_duplicate_or_a_tool_without_a_handler_is_refused():
    registry = Registry(server_name="x", instructions="x")
    registry.add_tools([_tool("a")])
    with pytest.raises(ValueError, match="'a' is declared twice"):
        registry.add_tools([_tool("a")])
    with pytest.raises(ValueError, match="'b' has no handler"):
        registry.add_tools([_tool("b", handler=None)])


def test_a_prompt_naming_an_unknown_tool_or_a_stray_field_is_refused():
    registry = Registry(server_name="x", instructions="x")
    registry.add_tools([_tool("a")])
    arg = (PromptArgument("q", "the question"),)
    with pytest.raises(ValueError, match="unknown tools"):
        registry.add_prompts([Prompt("p", "P", "d", arg, "{q} {tool_b}", tools=("b",))])
    with pytest.raises(ValueError, match="template fields"):
        registry.add_prompts([Prompt("p", "P", "d", arg, "{q} {tool_a} {other}", tools=("a",))])
    registry.add_prompts([Prompt("p", "P", "d", arg, "{q}: call {tool_a}", tools=("a",))])
    assert Surface(registry.document()).get_prompt("p", {"q": "why"}).messages[0].content.text == (
        "why: call a")


def test_every_tool_has_wire_and_invalid_argument_cases():
    wired = ({case.tool for case in wire.CASES + access.CASES} | set(governed.WIRE_TESTED)
             | {write.tool for write in writes.WRITES + writes.DQ_WRITES} | set(writes.DQ_WIRE_TESTED))
    invalid = {case[0] for case in wire.INVALID_CASES + access.INVALID_CASES + governed.INVALID_CASES
               + writes.INVALID_CASES}
    missing = {name: [kind for kind, covered in (("wire", wired), ("invalid-argument", invalid))
                      if name not in covered] for name in REGISTRY.tools}
    assert not {name: kinds for name, kinds in missing.items() if kinds}, (
        "each tool needs its wire and invalid-argument cases in tests/worker/test_*_wire.py")


def test_the_freshness_check_command_agrees():
    done = subprocess.run([sys.executable, "-m", "worker.surface"], capture_output=True, text=True)
    assert done.returncode == 0 and "is fresh" in done.stdout, done.stderr


def test_the_supervisor_side_loads_the_surface_without_worker_sdk_server_or_sandbox():
    code = (
        "import sys; import shared.surface as s; s.Surface.load(); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('worker', 'sandbox') "
        "or m.startswith('mcp.server')]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_ovaledge_path_literal_in_the_worker_outside_the_routes_module():
    import ast

    found = []
    for path in sorted((REPO_ROOT / "worker").rglob("*.py")):
        if path.name == "routes.py" and path.parent.name == "worker":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "/api/" in node.value:
                found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert not found, "OvalEdge routes belong in worker/routes.py:\n" + "\n".join(found)
