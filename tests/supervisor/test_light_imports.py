"""The supervisor is a light front: the MCP SDK (`mcp`), HTTP clients and web frameworks stay in
the worker and the sandbox. Measured on the real process, through a handshake, the list calls,
a relayed tool call and a resource read: every module the supervisor imports is in Python's
import-time report on its stderr (the worker's own report arrives there too, prefixed
"[worker PID]", and is left out)."""

from __future__ import annotations

from tests.harness import imported_modules, sandbox_env, supervisor

HEAVY = {"mcp", "starlette", "uvicorn", "httpx", "httpcore", "httpx2", "httpcore2", "anyio", "sse_starlette", "jwt"}


def supervisor_imports(stderr: str) -> set[str]:
    """Top-level packages in the supervisor's own `-X importtime` lines."""
    return {name.split(".")[0] for name in imported_modules(stderr)}


def test_the_report_is_read_as_meant():
    report = ("import time: self [us] | cumulative | imported package\n"
              "import time:       120 |        120 |   trio._core\n"
              "12:00:00 oe-mcp-local INFO [worker 7] import time:  3 |  3 | mcp.server\n")
    assert supervisor_imports(report) == {"trio"}


async def test_the_supervisor_never_imports_the_sdk_or_an_http_stack(sandbox):
    env = sandbox_env(sandbox, PYTHONPROFILEIMPORTTIME="1", OE_MCP_SPARE_WORKER="false")
    async with supervisor(env) as conn:
        await conn.session.list_prompts()
        await conn.session.list_resource_templates()
        assert not (await conn.call("asset_explorer", {"search_terms": ["orders"]})).is_error
        await conn.session.read_resource("docs://ovaledge/overview")  # the front's own
        await conn.session.read_resource("ovaledge://catalog/table/1002")  # relayed
        await conn.session.get_prompt(*(await first_prompt(conn)))
        stderr = conn.stderr()
    imported = supervisor_imports(stderr)
    assert {"trio", "mcp_types", "pydantic_settings", "supervisor", "shared"} <= imported
    assert not imported & HEAVY, sorted(imported & HEAVY)
    assert "[worker" in stderr and "mcp" in stderr  # the worker's report is there, and apart


async def first_prompt(conn) -> tuple[str, dict[str, str]]:
    prompt = (await conn.session.list_prompts()).prompts[0]
    return prompt.name, {arg.name: "orders" for arg in prompt.arguments or [] if arg.required}
