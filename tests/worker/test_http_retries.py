"""Which failures are retried: reads on timeouts, never a POST that may have reached OvalEdge."""

from __future__ import annotations

from sandbox import Fault
from tests.harness import result_json, result_text, sandbox_env, worker

SEARCH = "/api/v1/mcp/asset-explorer"  # a POST that is a query: retried like a read
KNOWLEDGE = "/api/v1/mcp/knowledge-search"
WRITE = "/api/v1/mcp/update-asset-descriptions"
ARGS = {"object_id": 1002, "object_type": "oetable", "technical_description": "One row per order.",
        "prompt": "set the technical description"}


async def test_a_read_that_times_out_is_retried(sandbox):
    env = sandbox_env(sandbox, OVALEDGE_TIMEOUT_SECONDS="0.5")
    async with worker(env) as conn:
        sandbox.state.add_fault(Fault(delay=3), path=SEARCH)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    assert sandbox.state.count("POST", SEARCH) == 2


async def test_a_write_that_times_out_is_not_retried(sandbox):
    env = sandbox_env(sandbox, OVALEDGE_TIMEOUT_SECONDS="0.5")
    async with worker(env) as conn:
        preview = result_json(await conn.call("update_asset_descriptions", ARGS))
        sandbox.state.add_fault(Fault(delay=3), path=WRITE)
        result = await conn.call("update_asset_descriptions", {
            **ARGS, "write_confirmed_by_user": True, "confirmation_token": preview["confirmationToken"]})
    assert result.is_error and "timed out" in result_text(result)
    assert sandbox.state.count("POST", WRITE) == 1


async def test_a_write_answered_503_is_retried(sandbox):
    """503 means OvalEdge did not process it: safe to send again."""
    async with worker(sandbox_env(sandbox)) as conn:
        preview = result_json(await conn.call("update_asset_descriptions", ARGS))
        sandbox.state.add_fault(Fault(status=503), path=WRITE)
        result_json(await conn.call("update_asset_descriptions", {
            **ARGS, "write_confirmed_by_user": True, "confirmation_token": preview["confirmationToken"]}))
    assert [r.status for r in sandbox.state.requests if r.path == WRITE] == [503, 200]


async def test_a_write_answered_502_is_not_retried(sandbox):
    """A gateway's 502 may hide a write that was applied behind it: never send it twice."""
    async with worker(sandbox_env(sandbox)) as conn:
        preview = result_json(await conn.call("update_asset_descriptions", ARGS))
        sandbox.state.add_fault(Fault(status=502), path=WRITE)
        result = await conn.call("update_asset_descriptions", {
            **ARGS, "write_confirmed_by_user": True, "confirmation_token": preview["confirmationToken"]})
    assert result.is_error and "502" in result_text(result)
    assert [r.status for r in sandbox.state.requests if r.path == WRITE] == [502]


async def test_a_dropped_connection_on_a_read_is_retried(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:
        sandbox.state.add_fault(Fault(drop_connection=True), path=SEARCH)
        result_json(await conn.call("asset_explorer", {"search_terms": ["orders"]}))
    assert sandbox.state.count("POST", SEARCH) == 2


async def test_an_oversized_query_is_a_clear_error_not_a_crash(sandbox):
    async with worker(sandbox_env(sandbox)) as conn:  # a GET route: the query rides in the URL
        result = await conn.call("knowledge_search", {"query": "x" * 70_000})
        stderr = conn.stderr()
    assert result.is_error and "too long" in result_text(result)
    assert "Traceback" not in stderr
    assert sandbox.state.count("GET", KNOWLEDGE) == 0
