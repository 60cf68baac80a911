"""Garbage on the supervisor's stdin: it answers per JSON-RPC 2.0, keeps serving, and none of
it reaches the worker.

Raw pipes (tests/rawstdio.py), not the SDK client, since we must write what no SDK would.

What "the worker never sees garbage" is checked against: the worker can only receive what the
supervisor's worker link sends it (messages it writes itself, under its own ids), and the
supervisor only forwards `tools/call` of a known tool and `resources/read` of a template, after
checking their params (neither is in the fuzz). So we check the observable effects: the
worker keeps its pid (never restarted), the supervisor forwarded exactly the tool calls we made
on purpose (`calls.total` on the status socket), the sandbox OvalEdge saw exactly the API requests
those calls make, and no traceback shows in the supervisor's stderr (which carries the worker's).
"""

from __future__ import annotations

import json
from typing import Any

import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.surface import Surface
from supervisor.status_cli import ask
from tests.harness import sandbox_env, socket_listening
from tests.rawstdio import RawClient, id_key, raw_supervisor, tool_text

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
TEN_MB = 10 * 1024 * 1024
API = "/api/v1/mcp/"

TOOL_BY_NAME = Surface.load().tool_names


def env_for(sandbox, tmp_path):
    return sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sup.sock"))


async def status(tmp_path) -> dict[str, Any]:
    await socket_listening(tmp_path / "sup.sock")
    return await trio.to_thread.run_sync(ask, tmp_path / "sup.sock", "status")


async def ready_worker_pid(tmp_path) -> int:
    """The worker's pid once it is ready (`initialize` is answered before that)."""
    with trio.fail_after(30):
        while True:
            worker = (await status(tmp_path))["worker"]
            if worker["state"] == "ready" and worker["pid"]:
                return worker["pid"]
            await trio.sleep(0.05)


class Checker:
    """Sends a line, then a sentinel ping; keeps the books on what must be answered."""

    def __init__(self, client: RawClient):
        self.client = client
        self.sentinels = 0
        self.null_answers_expected = 0
        self.expected: dict[str, int] = {}  # id key -> answers due (0 or 1)

    def null_answers(self) -> list[dict[str, Any]]:
        return self.client.answers.get("null", [])

    async def ping(self) -> None:
        self.sentinels += 1
        sentinel = f"sentinel-{self.sentinels}"
        self.expected[id_key(sentinel)] = 1
        await self.client.send({"jsonrpc": "2.0", "id": sentinel, "method": "ping"})
        answer = await self.client.wait_answer(sentinel, timeout=15)
        assert answer.get("result") == {}, answer

    async def case(self, line: bytes, *, request_id: Any = None, answered: bool,
                   null_error: int | tuple[int, ...] | None = None,
                   codes: tuple[int, ...] | None = None) -> dict[str, Any] | None:
        """Send `line`; then (after a sentinel ping proves the server still reads) check that:

        - `request_id` given: it is answered exactly when `answered`, with an error code in
          `codes` when `codes` is given;
        - `null_error` given: exactly one new answer with id null, an error with that code.
        """
        nulls_before = len(self.null_answers())
        await self.client.send_line(line)
        await self.ping()
        answer = None
        if request_id is not None:
            self.expected[id_key(request_id)] = int(answered)
            if answered:
                answer = await self.client.wait_answer(request_id, timeout=15)
                if codes is not None:
                    assert answer.get("error", {}).get("code") in codes, answer
        nulls = self.null_answers()[nulls_before:]
        if null_error is not None:
            self.null_answers_expected += 1
            wanted = null_error if isinstance(null_error, tuple) else (null_error,)
            assert len(nulls) == 1 and nulls[0]["error"]["code"] in wanted, (line[:200], nulls)
            answer = nulls[0]
        else:
            assert not nulls, (line[:200], nulls)
        return answer

    async def settle_and_check_books(self) -> None:
        """Every id answered exactly as often as due, nothing else, and stdout only JSON-RPC."""
        await trio.sleep(0.5)  # an answer that would come late, or twice
        client = self.client
        assert not client.not_json, client.not_json[:3]
        assert len(self.null_answers()) == self.null_answers_expected, self.null_answers()
        for key in client.requested:
            self.expected.setdefault(key, 1)
        for key, due in self.expected.items():
            got = client.answers.get(key, [])
            assert len(got) == due, (key, got)
        unexpected = set(client.answers) - set(self.expected) - {"null"}
        assert not unexpected, {key: client.answers[key] for key in unexpected}


async def worker_untouched(tmp_path, sandbox, client: RawClient, worker_pid: int,
                           forwarded_calls: int) -> None:
    after = await status(tmp_path)
    assert after["worker"]["pid"] == worker_pid and after["worker"]["restarts"] == 0, after["worker"]
    assert after["calls"]["total"] == forwarded_calls, after["calls"]
    api = [r for r in sandbox.state.requests if API in r.path]
    assert len(api) == forwarded_calls, [(r.method, r.path) for r in api]
    assert "Traceback" not in client.stderr(), client.stderr()[-3000:]


def request(request_id: Any, method: str, params: Any = None, **extra: Any) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method, **extra}
    if params is not None:
        message["params"] = params
    return json.dumps(message).encode()


async def test_malformed_lines_get_jsonrpc_answers_and_the_server_keeps_serving(sandbox, tmp_path):
    async with raw_supervisor(env_for(sandbox, tmp_path)) as client:
        check = Checker(client)
        # -- before initialize ---------------------------------------------------------------
        await check.case(b"this is not json", answered=False, null_error=PARSE_ERROR)
        await check.case(request("pre-list", "tools/list"), request_id="pre-list", answered=True,
                         codes=(INVALID_PARAMS,))  # the SDK's answer to "not initialized yet"
        await check.case(request("pre-call", "tools/call", {"name": "asset_explorer",
                                                            "arguments": {"search_terms": ["x"]}}),
                         request_id="pre-call", answered=True, codes=(INVALID_PARAMS,))
        await check.case(request("pre-nope", "no/such/method"), request_id="pre-nope",
                         answered=True, codes=(METHOD_NOT_FOUND,))
        await check.case(b"[" + request("pre-batch", "ping") + b"]", answered=False,
                         null_error=INVALID_REQUEST)
        await client.initialize()
        worker_pid = await ready_worker_pid(tmp_path)

        # -- after initialize ----------------------------------------------------------------
        nope = await check.case(request(7, "no/such/method"), request_id=7, answered=True,
                                codes=(METHOD_NOT_FOUND,))
        assert nope["error"]["data"] == "no/such/method"
        for line in (b'{"jsonrpc": "2.0", "id": 1', b"\xff\xfe\x00\x01", b"{'single': 'quotes'}",
                     b"{]", b"nul"):
            await check.case(line, answered=False, null_error=PARSE_ERROR)
        for line in (b"[]", b'[{"jsonrpc": "2.0", "id": 8, "method": "ping"}]', b"42", b'"text"',
                     b"null", b"true", b"{}", b'{"jsonrpc": "2.0", "method": 5}'):
            await check.case(line, answered=False, null_error=INVALID_REQUEST)
        wrong_types = {
            10: {"jsonrpc": "2.0", "id": 10, "method": 5},
            11: {"jsonrpc": "2.0", "id": 11, "method": "ping", "params": []},
            12: {"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": "search"},
            13: {"jsonrpc": "1.0", "id": 13, "method": "ping"},
            14: {"id": 14, "method": "ping"},
            15: {"jsonrpc": "2.0", "id": 15},
            "16": {"jsonrpc": "2.0", "id": "16", "method": ["ping"]},
        }
        for request_id, message in wrong_types.items():
            answer = await check.case(json.dumps(message).encode(), request_id=request_id,
                                      answered=True, codes=(INVALID_REQUEST,))
            assert answer["id"] == request_id  # the id is echoed with its type (16 vs "16")
        await check.case(request(20, "tools/call", {"name": 7}), request_id=20, answered=True,
                         codes=(INVALID_PARAMS,))
        await check.case(request(21, "tools/call", {"name": "asset_explorer",
                                                    "arguments": ["orders"]}),
                         request_id=21, answered=True, codes=(INVALID_PARAMS,))
        await check.case(request(22, "prompts/get", {"name": "data_discovery", "arguments": 3}),
                         request_id=22, answered=True, codes=(INVALID_PARAMS,))
        unknown_tool = await check.case(request(23, "tools/call", {"name": "drop_table",
                                                                   "arguments": {}}),
                                        request_id=23, answered=True)
        assert unknown_tool["result"]["isError"] and "unknown tool" in tool_text(unknown_tool["result"])
        # Not requests: nothing to answer.
        await check.case(b"", answered=False)
        await check.case(b"   \t ", answered=False)
        await check.case(b'{"jsonrpc": "2.0", "method": "notifications/whatever"}', answered=False)
        await check.case(b'{"jsonrpc": "2.0", "id": 999, "result": {}}', request_id=999,
                         answered=False)  # a response to nothing we asked
        await check.case(b'{"jsonrpc": "2.0", "id": 998, "result": 5}', request_id=998,
                         answered=False)  # a malformed response
        # 10 MB lines: garbage, a huge JSON string, and a valid request padded to 10 MB.
        await check.case(b"x" * TEN_MB, answered=False, null_error=PARSE_ERROR)
        await check.case(b'"' + b"a" * TEN_MB + b'"', answered=False, null_error=INVALID_REQUEST)
        padded = await check.case(request(30, "ping") + b" " * TEN_MB, request_id=30,
                                  answered=True)
        assert padded["result"] == {}
        await check.case(request(31, "no/such", {"blob": "b" * TEN_MB}), request_id=31,
                         answered=True, codes=(METHOD_NOT_FOUND,))
        await check.settle_and_check_books()

        # Still a working server, on the same worker, which saw only the call below.
        tools = await client.request("tools/list")
        assert len(tools["result"]["tools"]) == len(TOOL_BY_NAME)
        found = await client.call_tool("asset_explorer", {"search_terms": ["orders"]})
        assert not found.get("isError"), tool_text(found)
        await worker_untouched(tmp_path, sandbox, client, worker_pid, forwarded_calls=1)


# -- hypothesis -----------------------------------------------------------------------------
JSON_SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
# Real method names (except resources/read and known tools: those would rightly reach the worker).
METHODS = ("ping", "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list",
           "resources/templates/list", "resources/subscribe", "logging/setLevel",
           "completion/complete", "initialize", "sampling/createMessage", "roots/list",
           "notifications/initialized", "notifications/cancelled", "notifications/progress",
           "notifications/roots/list_changed")
VALID_ID = object()  # replaced by a fresh unique id when the line is built
BAD_IDS = st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | \
    st.lists(JSON_SCALARS, max_size=2) | st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=2)
MISSING = object()


def _params():
    tool_call = st.fixed_dictionaries(
        {"name": st.text(max_size=20).filter(lambda name: name not in TOOL_BY_NAME)},
        optional={"arguments": JSON_VALUES},
    )
    return st.sampled_from([MISSING, None]) | tool_call | st.dictionaries(
        st.sampled_from(["name", "uri", "level", "requestId", "cursor", "_meta", "x"])
        | st.text(max_size=6), JSON_VALUES, max_size=4) | JSON_VALUES


@st.composite
def message_lines(draw) -> tuple[str, Any]:
    """A JSON object shaped more or less like a JSON-RPC message: ("object", dict)."""
    message: dict[str, Any] = {}
    plausible = draw(st.sampled_from([True, True, True, False]))  # mostly: a right envelope
    if plausible:
        jsonrpc = "2.0"
        request_id = draw(st.sampled_from([VALID_ID, VALID_ID, MISSING]))
        method = draw(st.sampled_from(METHODS) | st.text(max_size=16))
        params = draw(st.sampled_from([MISSING]) | _params().filter(lambda p: isinstance(p, dict)))
    else:
        jsonrpc = draw(st.sampled_from(["2.0", MISSING, "1.0"]) | JSON_SCALARS)
        request_id = draw(st.sampled_from([VALID_ID, MISSING]) | BAD_IDS)
        method = draw(st.sampled_from([*METHODS, MISSING]) | st.text(max_size=16) | JSON_VALUES)
        params = draw(_params())
    for key, value in (("jsonrpc", jsonrpc), ("id", request_id), ("method", method)):
        if value is not MISSING:
            message[key] = value
    if params is not MISSING:
        message["params"] = params
    if draw(st.booleans()) and "method" not in message:
        message[draw(st.sampled_from(["result", "error"]))] = draw(JSON_VALUES)
    return "object", message


LINES = st.one_of(
    message_lines(), message_lines(), message_lines(),  # mostly near-misses of real messages
    st.tuples(st.just("raw"), st.binary(max_size=300)),
    st.tuples(st.just("json"), JSON_VALUES),
    st.tuples(st.just("truncated"), st.integers(min_value=1, max_value=40)),
)


def build(kind: str, payload: Any, fresh_id: Any) -> tuple[bytes, Any]:
    """The line to send, and the unique id standing for VALID_ID in it (if any)."""
    if kind in ("object", "json") and isinstance(payload, dict):
        message = dict(payload)
        used = None
        request_id = message.get("id")
        if request_id is VALID_ID or isinstance(request_id, str) or (
                isinstance(request_id, int) and not isinstance(request_id, bool)):
            message["id"] = used = fresh_id  # unique, so answers can be counted per id
        if message.get("method") == "resources/read":
            message["method"] = "resources/read-not"  # a real read would reach the worker
        params = message.get("params")
        if isinstance(params, dict) and isinstance(params.get("name"), str) \
                and params["name"] in TOOL_BY_NAME:
            message["params"] = {**params, "name": params["name"] + "-not"}  # it would too
        return json.dumps(message).encode(), used
    if kind == "raw":  # one line: newlines (and \r, a line end to the SDK's reader) removed
        return payload.replace(b"\n", b" ").replace(b"\r", b" "), None
    if kind == "json":
        return json.dumps(payload).encode(), None
    whole = json.dumps({"jsonrpc": "2.0", "id": fresh_id, "method": "ping"}).encode()
    return whole[: min(payload, len(whole) - 1)], None


def expectation(line: bytes, used_id: Any) -> dict[str, Any]:
    """What JSON-RPC 2.0 (with MCP's rules on ids) asks the server to answer to `line`.

    Returns {"id": ..., "codes": ...} for an answer to that id (codes None: any answer),
    {"null": codes} for one error with id null, or {} for no answer at all. A request whose id
    is not a string or an integer gets -32600 with id null.
    """
    if not line.strip():  # blank: JSON whitespace only (bytes.strip knows no Unicode spaces)
        return {}
    text = line.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except ValueError:
        return {"null": (PARSE_ERROR,)}
    if not isinstance(value, dict):
        # Python reads NaN/Infinity literals, the SDK's parser does not: either code will do.
        return {"null": (INVALID_REQUEST, PARSE_ERROR)}
    has_id = "id" in value
    usable = used_id is not None
    method_ok = isinstance(value.get("method"), str)
    well_formed = (value.get("jsonrpc") == "2.0" and method_ok
                   and (value.get("params") is None or isinstance(value["params"], dict)))
    if "method" not in value and ("result" in value or "error" in value):
        return {"id": used_id, "codes": None, "count": 0} if usable else {}
    if usable:
        return {"id": used_id, "codes": None if well_formed else (INVALID_REQUEST,), "count": 1}
    if not has_id and well_formed:
        return {}  # a notification
    if has_id and well_formed:
        return {"null": (INVALID_REQUEST,)}
    return {"null": (INVALID_REQUEST,)}


async def test_fuzzed_stdin_is_answered_per_jsonrpc_and_never_reaches_the_worker(sandbox, tmp_path):
    async with raw_supervisor(env_for(sandbox, tmp_path)) as client:
        await client.initialize()
        worker_pid = await ready_worker_pid(tmp_path)
        check = Checker(client)
        counter = iter(range(1, 1_000_000))
        tally = {"examples": 0, "answered_by_id": 0, "null_errors": 0, "silent": 0}

        async def one(kind: str, payload: Any) -> None:
            n = next(counter)
            fresh = f"fz-{n}" if n % 2 else 100_000 + n
            line, used = build(kind, payload, fresh)
            want = expectation(line, used)
            tally["examples"] += 1
            if "null" in want:
                tally["null_errors"] += 1
                await check.case(line, answered=False, null_error=want["null"])
            elif "id" in want:
                tally["answered_by_id"] += want["count"]
                await check.case(line, request_id=want["id"], answered=bool(want["count"]),
                                 codes=want["codes"])
            else:
                tally["silent"] += 1
                await check.case(line, answered=False)

        @settings(max_examples=300, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])
        @given(LINES)
        def fuzz(drawn: tuple[str, Any]) -> None:
            trio.from_thread.run(one, *drawn)

        await trio.to_thread.run_sync(fuzz)
        await check.settle_and_check_books()
        found = await client.call_tool("asset_explorer", {"search_terms": ["orders"]})
        assert not found.get("isError"), tool_text(found)
        await worker_untouched(tmp_path, sandbox, client, worker_pid, forwarded_calls=1)
    print(f"\nfuzz: {tally}")
    assert tally["null_errors"] > 30 and tally["answered_by_id"] > 25 and tally["silent"] > 10, tally


async def test_request_with_an_unusable_id_gets_invalid_request(sandbox, tmp_path):
    async with raw_supervisor(env_for(sandbox, tmp_path)) as client:
        await client.initialize()
        check = Checker(client)
        for bad in ("null", "1.5", "true", '{"a": 1}'):
            line = b'{"jsonrpc": "2.0", "id": %s, "method": "ping"}' % bad.encode()
            await check.case(line, answered=False, null_error=INVALID_REQUEST)
