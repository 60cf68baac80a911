"""The front's routing, in-process over a memory stream pair, with stand-ins for what serves its
calls: a bug is a neutral error and the connection goes on; a worker's answer reaches the client
as the bytes it wrote with only the id changed; a cancellation by the client's id reaches the
call; a worker's request to the client goes out under an id of ours and its answer comes back
under the worker's; worker logs are passed at the client's level. (The same routes, end to end
on real processes: tests/e2e.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import trio
import trio.testing

from shared.framing import encode, read_lines
from shared.surface import Surface
from supervisor.front import ClientWire, Front
from supervisor.worker_link import Reply

SURFACE = Surface.load()
SEARCH = {"name": "asset_explorer", "arguments": {"search_terms": ["orders"]}}


class FakeRelay:
    """Answers tools/call with whatever the test puts in `answer` (a callable)."""

    def __init__(self, answer):
        self.answer = answer
        self.cancelled = trio.Event()

    async def call_tool(self, params: dict[str, Any]):
        try:
            return await self.answer(params)
        except trio.Cancelled:
            self.cancelled.set()
            raise


@dataclass
class FakeBackend:
    relay_to: Any

    async def relay(self):
        return self.relay_to


@dataclass
class FakeLink:
    answered: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)

    async def answer(self, request_id: Any, body: dict[str, Any]) -> None:
        self.answered.append((request_id, body))


@dataclass
class FakeWorker:
    pid: int = 4242
    link: FakeLink = field(default_factory=FakeLink)


class Client:
    """The client's end: send messages, read what the front wrote, line by line (without its
    newline)."""

    def __init__(self, stream: trio.abc.Stream):
        self.stream = stream
        self.lines = read_lines(stream)

    async def send(self, message: dict[str, Any]) -> None:
        await self.stream.send_all(encode(message))

    async def receive_line(self) -> bytes:
        with trio.fail_after(5):
            return await anext(self.lines)

    async def receive(self) -> dict[str, Any]:
        return json.loads(await self.receive_line())

    async def request(self, request_id: Any, method: str, params: dict[str, Any] | None = None):
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method,
                         **({"params": params} if params is not None else {})})
        return await self.receive()


@asynccontextmanager
async def front_with(relay: Any, *, handshake: bool = True) -> AsyncIterator[tuple[Front, Client]]:
    """A front on a memory stream; after the 2025 handshake unless `handshake` is False (the
    2026-07-28 revision has none)."""
    client_end, front_end = trio.testing.memory_stream_pair()
    front = Front(SURFACE, FakeBackend(relay), ClientWire(front_end))
    async with AsyncExitStack() as stack, trio.open_nursery() as nursery:
        nursery.start_soon(front.serve, front_end, nursery)
        client = Client(client_end)
        await stack.enter_async_context(aclosing(client.lines))
        if handshake:
            answer = await client.request(0, "initialize", {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "test", "version": "1"}})
            assert answer["result"]["protocolVersion"] == "2025-06-18"
            await client.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        yield front, client
        nursery.cancel_scope.cancel()


async def test_a_bug_in_the_front_is_a_neutral_internal_error():
    async def broken(params):
        raise RuntimeError("invalid literal for int() with base 10: 'secret-looking text'")

    async with front_with(FakeRelay(broken)) as (_, client):
        answer = await client.request(1, "tools/call", SEARCH)
        assert answer["id"] == 1 and answer["error"]["code"] == -32603
        assert "tools/call" in answer["error"]["message"]
        assert "int()" not in json.dumps(answer)
        assert (await client.request(2, "ping")) == {"jsonrpc": "2.0", "id": 2, "result": {}}


async def test_a_workers_answer_is_passed_on_as_written_with_the_clients_id():
    # Odd spacing and key order the front would never write: proof it was not re-encoded.
    body = b'"result":{"isError":false,  "content":[{"type":"text","text":"\\u00e9"}]}}'
    line = b'{"jsonrpc":"2.0","id":17,' + body + b"\n"

    async def answered(params):
        return Reply(line, 17)

    async with front_with(FakeRelay(answered)) as (_, client):
        await client.send({"jsonrpc": "2.0", "id": "call-a", "method": "tools/call", "params": SEARCH})
        assert await client.receive_line() == b'{"jsonrpc":"2.0","id":"call-a",' + body


async def test_the_clients_cancellation_by_its_id_cancels_the_call():
    async def forever(params):
        await trio.sleep_forever()

    relay = FakeRelay(forever)
    async with front_with(relay) as (_, client):
        await client.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": SEARCH})
        await client.send({"jsonrpc": "2.0", "id": "7", "method": "tools/call", "params": SEARCH})
        await trio.testing.wait_all_tasks_blocked()
        await client.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                           "params": {"requestId": 7, "reason": "user pressed stop"}})
        with trio.fail_after(5):
            await relay.cancelled.wait()
        # Only the call with id 7 (the integer) went; "7" still runs, and nothing was answered.
        assert (await client.request(8, "ping"))["id"] == 8


async def test_a_workers_request_goes_out_under_our_id_and_its_answer_comes_back_under_its_own():
    async with front_with(FakeRelay(None)) as (front, client):
        worker = FakeWorker()
        asked = {"jsonrpc": "2.0", "id": 3, "method": "roots/list"}
        await front.from_worker(worker, asked, encode(asked).rstrip(b"\n"))
        sent = await client.receive()
        assert sent["method"] == "roots/list" and sent["id"] == "oe-mcp-1"
        await client.send({"jsonrpc": "2.0", "id": "oe-mcp-1", "result": {"roots": []}})
        await client.send({"jsonrpc": "2.0", "id": "oe-mcp-1", "result": {"roots": []}})  # again
        await client.request(9, "ping")  # the answers above were read by now
        assert worker.link.answered == [(3, {"result": {"roots": []}})]


async def test_worker_logs_reach_the_client_at_the_level_it_set():
    async with front_with(FakeRelay(None)) as (front, client):
        assert (await client.request(1, "logging/setLevel", {"level": "warning"}))["result"] == {}
        for level in ("info", "error"):
            message = {"jsonrpc": "2.0", "method": "notifications/message",
                       "params": {"level": level, "logger": "w", "data": f"{level} line"}}
            await front.from_worker(FakeWorker(), message, encode(message).rstrip(b"\n"))
        got = await client.receive()
        assert got["params"]["data"] == "error line"
        assert (await client.request(2, "ping"))["id"] == 2  # the info line was never written
