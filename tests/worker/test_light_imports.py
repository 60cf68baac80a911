"""The worker imports what a stdio MCP server and its tools use, and no web server or second HTTP
client of its own. Measured on the real process, through a handshake, every list, a resource
read, a prompt and a call of each tool family: every module it imports is in Python's
import-time report on its stderr. The fork host preloads every one of them, so that a forked
worker loads nothing of its own.

The MCP SDK's own import floor holds starlette, uvicorn and sse_starlette: any `import mcp...`
runs the package's `__init__`, which imports the client and server sides wholesale, and
`mcp.server.lowlevel.server` imports the streamable-HTTP transport. The worker cannot leave
out what the SDK it is built on imports (docs/performance.md names that floor), so those
modules are allowed exactly as far as a python that imports only the SDK pieces the worker uses
loads them, computed here: one module of theirs beyond that floor fails the test.
"""

from __future__ import annotations

import subprocess
import sys

from tests.harness import base_env, imported_modules, sandbox_env, worker

# What the worker imports of the SDK (worker/server.py, mcp_server.py, stdio.py).
SDK_PIECES = ("mcp", "mcp.types", "mcp.server", "mcp.server.context", "mcp.shared.message")
WEB = {"starlette", "uvicorn", "sse_starlette"}  # allowed only as far as the SDK floor loads them
NEVER = {"hypercorn", "httpx", "httpcore", "requests", "aiohttp", "urllib3"}
HTTP_CLIENT = "httpx2"  # the worker's one HTTP client library: the SDK's own

# One call of each tool family (worker/tools/__init__.py FAMILIES); writes stop at their preview.
FAMILY_CALLS = {
    "explorer": ("asset_explorer", {"search_terms": ["orders"]}),
    "details": ("asset_details", {"object_id": 1002, "object_type": "oetable"}),
    "lineage": ("asset_lineage", {"object_id": 1002, "object_type": "oetable"}),
    "crawls": ("metadata_changes_between_crawls", {"connection_name": "retail_snowflake",
                                                    "from_crawl_id": 7001, "to_crawl_id": 7003}),
    "access": ("access_explorer", {"operation": "catalog_access", "query_direction": "user_to_object",
                                   "username": "eva.rossi",
                                   "fully_qualified_name": "retail_snowflake.mart.fct_sales"}),
    "knowledge": ("knowledge_search", {"query": "weekly revenue"}),
    "descriptions": ("update_asset_descriptions", {
        "object_id": 1002, "object_type": "oetable", "technical_description": "One row per order.",
        "prompt": "set the technical description"}),
    "governance": ("update_governance_roles", {
        "object_id": 1002, "object_type": "oetable", "role_updates": {"custodian": "eva.rossi"},
        "prompt": "make eva the custodian"}),
    "glossary_create": ("create_glossary_term", {"search_on": "oeglobaldomain"}),
    "tag_create": ("create_tag", {"tag_name": "pii-lean", "master_tag_id": 4102}),
    "service_desk": ("create_service_request", {"request_type": "content change", "object_type": "table"}),
    "dq": ("dq_rule_advisor", {"step": "generate_query", "objects": [{"object_id": 1002, "object_type": "table"}],
                               "business_rule": "no orders without lines"}),
}


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def sdk_floor() -> set[str]:
    """The modules a python that imports only the SDK pieces the worker uses reports, read the same
    way (the report names an optional module whose import failed, e.g. uvicorn's watchfiles reload)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {', '.join(SDK_PIECES)}"],
                          capture_output=True, text=True, check=True, cwd="/")
    return imported_modules(done.stderr)


def test_the_report_is_read_as_meant():
    report = ("import time: self [us] | cumulative | imported package\n"
              "import time:       120 |        120 |   trio._core\n"
              "import time:         3 |          3 | starlette.routing\n")
    assert imported_modules(report) == {"trio._core", "starlette.routing"}
    assert top_level(imported_modules(report)) == {"trio", "starlette"}


def test_every_tool_family_has_a_call():
    from worker.tools import FAMILIES

    assert {family.__name__.rsplit(".", 1)[1] for family in FAMILIES} == set(FAMILY_CALLS)


async def test_the_worker_loads_no_web_server_or_second_http_client_beyond_the_sdk_floor(sandbox):
    env = sandbox_env(sandbox, PYTHONPROFILEIMPORTTIME="1")
    async with worker(env) as conn:
        await conn.session.list_prompts()
        await conn.session.list_resources()
        await conn.session.list_resource_templates()
        answered = {family: await conn.call(tool, args) for family, (tool, args) in FAMILY_CALLS.items()}
        await conn.session.read_resource("ovaledge://catalog/table/1002")
        await conn.session.get_prompt(*(await first_prompt(conn)))
        stderr = conn.stderr()
    assert not [family for family, result in answered.items() if result.is_error]  # each handler ran
    imported = imported_modules(stderr)
    packages = top_level(imported)
    assert {"mcp", "worker", "trio", "jsonschema", HTTP_CLIENT} <= packages
    assert not packages & NEVER, sorted(packages & NEVER)
    floor = sdk_floor()
    beyond = sorted(name for name in imported - floor if name.split(".")[0] in WEB)
    assert not beyond, f"web-server modules the worker loads beyond the SDK's own floor: {beyond}"
    # A worker forked by the fork host (worker/host.py) finds all it imports loaded and shared.
    not_preloaded = sorted(imported - preloaded_by_the_fork_host())
    assert not not_preloaded, f"modules a worker imports that the fork host does not preload: {not_preloaded}"


def preloaded_by_the_fork_host() -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "from worker.host import preload; preload()"],
                          capture_output=True, text=True, check=True, env=base_env())
    return imported_modules(done.stderr)


async def first_prompt(conn) -> tuple[str, dict[str, str]]:
    prompt = (await conn.session.list_prompts()).prompts[0]
    return prompt.name, {arg.name: "orders" for arg in prompt.arguments or [] if arg.required}
