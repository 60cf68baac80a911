"""`Reply`: a worker's answer kept as the bytes it wrote, decoded only when asked about; and
`WorkerLink` matching answers to requests, on a real pipe pair with a stand-in worker end."""

from __future__ import annotations

import json
from contextlib import aclosing

import pytest
import trio
import trio.testing

from shared.framing import encode, read_lines
from supervisor.worker_link import Reply, WorkerLink


def result_line(request_id: int, result: dict) -> bytes:
    """A result as the worker's SDK writes it: compact, jsonrpc and id first."""
    return b'{"jsonrpc":"2.0","id":%d,"result":' % request_id + json.dumps(
        result, separators=(",", ":")).encode() + b"}"


OK = {"content": [{"type": "text", "text": 'a quoted \\"isError\\":true in text'}], "isError": False}
CASES = [
    ("a plain result", result_line(3, OK), False),
    ("isError true", result_line(3, {"content": [], "isError": True}), True),
    ("isError true only inside structuredContent", result_line(
        3, {"content": [], "isError": False, "structuredContent": {"x": {"isError": True}}}), False),
    ("a JSON-RPC error", b'{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}', True),
    ("spaced out, isError true", b'{"jsonrpc": "2.0", "id": 3, "result": {"content": [], "isError": true}}',
     True),
]


@pytest.mark.parametrize(("line", "failed"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_failed_is_what_the_decoded_answer_says(line: bytes, failed: bool):
    decoded = json.loads(line)
    truth = "error" in decoded or bool(decoded["result"].get("isError"))
    assert truth is failed  # the case is what its name says
    assert Reply(line, 3).failed is failed


def test_a_result_that_cannot_be_an_error_is_never_decoded():
    reply = Reply(result_line(3, OK), 3)
    assert reply.failed is False
    assert reply._message is None
    assert reply.result == OK  # and decodes when asked


async def test_answers_reach_their_requests_by_id_in_any_order():
    ours, theirs = trio.testing.memory_stream_pair()
    link = WorkerLink(ours, inbound=lambda message, line: trio.sleep(0))
    answers: dict[int, Reply] = {}

    async def ask(n: int) -> None:
        answers[n] = await link.request("tools/call", {"name": f"t{n}"})

    async def worker() -> None:  # answers the three requests last to first
        asked = []
        async with aclosing(read_lines(theirs)) as lines:
            async for line in lines:
                asked.append(json.loads(line))
                if len(asked) == 3:
                    break
        for request in reversed(asked):
            name = request["params"]["name"]
            if name == "t2":  # an error answer is matched too (it is decoded to be read)
                await theirs.send_all(encode({"jsonrpc": "2.0", "id": request["id"],
                                              "error": {"code": 1, "message": name}}))
            else:
                await theirs.send_all(result_line(request["id"], {"content": [], "name": name}) + b"\n")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(link.run)
        nursery.start_soon(worker)
        with trio.fail_after(5):
            async with trio.open_nursery() as asks:
                for n in range(1, 4):
                    asks.start_soon(ask, n)
        nursery.cancel_scope.cancel()
    assert answers[1].result == {"content": [], "name": "t1"} and not answers[1].failed
    assert answers[3].result == {"content": [], "name": "t3"}
    assert answers[2].failed and answers[2].error == {"code": 1, "message": "t2"}


async def test_an_answer_whose_id_is_true_is_no_answer_to_request_1():
    ours, theirs = trio.testing.memory_stream_pair()
    link = WorkerLink(ours, inbound=lambda message, line: trio.sleep(0))

    async def worker() -> None:
        async with aclosing(read_lines(theirs)) as lines:
            request = json.loads(await anext(lines))
        assert request["id"] == 1
        await theirs.send_all(encode({"jsonrpc": "2.0", "id": True, "error": {"code": 1, "message": "x"}}))
        await theirs.send_all(result_line(1, {"content": []}) + b"\n")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(link.run)
        nursery.start_soon(worker)
        with trio.fail_after(5):
            reply = await link.request("ping")
        nursery.cancel_scope.cancel()
    assert reply.result == {"content": []} and not reply.failed
