"""Odd input on the supervisor's stdin gets one clear answer, small and neutral, and nothing of it
reaches OvalEdge (docs/security.md, items 6, 8, 9 and 10). Raw pipes (tests/rawstdio.py): no SDK
client would send this."""

from __future__ import annotations

import json

from sandbox import Fault
from tests.harness import sandbox_env
from tests.rawstdio import id_key, raw_supervisor, tool_text

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602
API = "/api/v1/mcp/"
SEARCH = "/api/v1/mcp/asset-explorer"
ONE_MB = 1_000_000
SMALL = 10_000  # bytes: the smallest OE_MCP_RESPONSE_BUDGET_BYTES, and far above any answer here


def api_requests(sandbox) -> list[str]:
    return [r.path for r in sandbox.state.requests if API in r.path]


async def test_a_line_over_the_limit_is_dropped_whole_with_one_error(sandbox):
    """70 MiB of garbage ending in a valid request: the request must not be answered."""
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        await client.initialize()
        tail = json.dumps({"jsonrpc": "2.0", "id": "hidden", "method": "ping"}).encode()
        await client.send_line(b"x" * (70 * 2**20) + tail)
        after = await client.request("ping", timeout=60)
        nulls = client.answers.get("null", [])
    assert after["result"] == {}  # in step again at the next newline
    assert id_key("hidden") not in client.answers
    assert len(nulls) == 1 and nulls[0]["error"]["code"] == INVALID_REQUEST
    assert "over 64 MiB" in nulls[0]["error"]["message"]


async def test_nan_and_infinity_are_not_json(sandbox):
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        await client.initialize()
        for literal in (b"NaN", b"Infinity", b"-Infinity"):
            await client.send_line(b'{"jsonrpc": "2.0", "id": "n", "method": "tools/call", "params": '
                                   b'{"name": "asset_explorer", "arguments": {"search_terms": ["x"], '
                                   b'"limit": %s}}}' % literal)
        await client.request("ping")
        nulls = client.answers.get("null", [])
    assert id_key("n") not in client.answers and api_requests(sandbox) == []
    assert [n["error"]["code"] for n in nulls] == [PARSE_ERROR] * 3


async def test_integers_are_whole_numbers_within_range(sandbox):
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        await client.initialize()
        fraction = await client.call_tool("asset_explorer", {"search_terms": ["x"], "limit": 1.0})
        huge = await client.call_tool("asset_explorer", {"search_terms": ["x"], "object_id": 10**30,
                                                         "object_type": "glossary"})
    assert fraction["isError"] and "limit=1.0 must be of type integer" in tool_text(fraction)
    assert huge["isError"] and "object_id=" + "1" + "0" * 30 + " is out of range" in tool_text(huge)
    assert api_requests(sandbox) == []


async def test_a_request_before_initialize_is_told_to_initialize_first(sandbox):
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        early = await client.request("tools/list")
    assert early["error"]["code"] == INVALID_PARAMS
    assert "send initialize" in early["error"]["message"]


async def test_resource_ids_that_break_int_are_invalid_params_not_internal_text(sandbox):
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        await client.initialize()
        answers = [await client.request("resources/read", {"uri": f"ovaledge://catalog/table/{raw}"})
                   for raw in ("²", "9" * 5000, "0", "9223372036854775808")]
        stderr = client.stderr()
    for answer in answers:
        error = answer["error"]
        assert error["code"] == INVALID_PARAMS and "is not a positive number" in error["message"]
        assert "invalid literal" not in error["message"] and len(json.dumps(answer)) < 1000
    assert api_requests(sandbox) == [] and "Traceback" not in stderr


async def test_errors_quote_a_short_prefix_of_a_huge_value(sandbox):
    async with raw_supervisor(sandbox_env(sandbox)) as client:
        await client.initialize()
        wrong_type = await client.request("tools/call", {"name": "asset_explorer",
                                                         "arguments": {"search_terms": "x" * ONE_MB}})
        unknown_argument = await client.request("tools/call", {"name": "asset_explorer", "arguments": {
            "search_terms": ["x"], "k" * ONE_MB: 1}})
        unknown_tool = await client.request("tools/call", {"name": "t" * ONE_MB, "arguments": {}})
        unknown_prompt = await client.request("prompts/get", {"name": "p" * ONE_MB})
        unknown_uri = await client.request("resources/read", {"uri": "ovaledge://x/" + "u" * ONE_MB})
        sandbox.state.add_fault(Fault(status=500, message="m" * ONE_MB), path=SEARCH)
        upstream = await client.request("tools/call", {"name": "asset_explorer",
                                                       "arguments": {"search_terms": ["orders"]}})
    for answer in (wrong_type, unknown_argument, unknown_tool, unknown_prompt, unknown_uri, upstream):
        assert len(json.dumps(answer)) < SMALL, (len(json.dumps(answer)), str(answer)[:300])
    assert "must be of type array" in tool_text(wrong_type["result"])
    assert "unknown argument(s) kkk" in tool_text(unknown_argument["result"])
    assert "unknown tool 'ttt" in tool_text(unknown_tool["result"])
    assert "unknown prompt 'ppp" in unknown_prompt["error"]["message"]
    assert "unknown resource 'ovaledge://x/uuu" in unknown_uri["error"]["message"]
    assert "HTTP 500" in tool_text(upstream["result"]) and "mmmm" in tool_text(upstream["result"])
