"""JSON-RPC with one worker over its stdin/stdout: our requests under ids of our own, its answers
matched back to them, and whatever else it sends handed to the front.

Ids towards a worker are the supervisor's (1, 2, 3, ... per worker), never the client's, so a
replayed call or a ping can never collide with a client's id. An answer is kept as the bytes the
worker sent (`Reply.line`), so the front can pass a result on without decoding it at all.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import trio

from shared.framing import NotJson, OversizedLine, decode, encode, read_lines, send_whole

log = logging.getLogger("oe-mcp-local.worker")

CANCEL_SEND_SECONDS = 1.0  # telling a worker about a cancelled call must not hold anyone up


class LinkClosed(Exception):
    """The worker's pipe closed (it exited, or was killed) before it answered."""


class WorkerError(Exception):
    """The worker answered one of our own requests with a JSON-RPC error."""

    def __init__(self, error: dict[str, Any]):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


# How the worker's SDK begins every result it writes (compact JSON, these keys first). A line
# that begins so is matched to its request by this id alone: the result is never decoded here.
RESULT_HEAD = re.compile(rb'\{"jsonrpc":"2\.0","id":(\d+),"result":')


@dataclass
class Reply:
    """The worker's answer to our request `id`, as the bytes it wrote. It is decoded only if
    something asks what it holds (`message`, `result`, `error`; `failed` rarely needs to)."""

    line: bytes
    id: int
    _message: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def message(self) -> dict[str, Any]:
        if self._message is None:
            try:
                decoded = decode(self.line)
            except NotJson:
                decoded = None
            self._message = decoded if isinstance(decoded, dict) else {}
        return self._message

    @property
    def result(self) -> dict[str, Any] | None:
        result = self.message.get("result")
        return result if isinstance(result, dict) else None

    @property
    def error(self) -> dict[str, Any] | None:
        error = self.message.get("error")
        return error if isinstance(error, dict) else None

    @property
    def failed(self) -> bool:
        """A JSON-RPC error, or a tool result with `isError` true. A result line in the SDK's
        compact form that nowhere holds `"isError":true` is none, known without decoding it."""
        if self._message is None and RESULT_HEAD.match(self.line) and b'"isError":true' not in self.line:
            return False
        return self.error is not None or bool((self.result or {}).get("isError"))


@dataclass
class _Waiting:
    done: trio.Event = field(default_factory=trio.Event)
    reply: Reply | None = None


# What a worker sends besides answers: (its message, the line as sent)
Inbound = Callable[[dict[str, Any], bytes], Awaitable[None]]


class WorkerLink:
    def __init__(self, stream: trio.abc.HalfCloseableStream, inbound: Inbound):
        self._stream = stream
        self._inbound = inbound
        self._ids = itertools.count(1)
        self._waiting: dict[int, _Waiting] = {}
        self._send_lock = trio.Lock()
        self.closed = trio.Event()  # its stdout reached EOF, or a write to its stdin failed

    async def run(self) -> None:
        """Read the worker's lines until its stdout ends; then every waiting request fails."""
        try:
            async for line in read_lines(self._stream):
                await self._take(line)
        finally:
            self._close()

    def _close(self) -> None:
        self.closed.set()
        for waiting in self._waiting.values():
            waiting.done.set()

    async def _take(self, line: bytes | OversizedLine) -> None:
        head = RESULT_HEAD.match(line) if isinstance(line, bytes) else None
        if head is not None:  # a result, as the SDK writes them: nothing more to read
            self._answered(Reply(line, int(head[1])))
            return
        try:
            message = decode(line) if isinstance(line, bytes) else None
        except NotJson:
            message = None
        if not isinstance(message, dict):
            log.warning("the worker wrote a line that is not a JSON-RPC message; ignored")
            return
        if "method" not in message:  # an answer to one of ours (an error, or written otherwise)
            answer_id = message.get("id")
            if isinstance(answer_id, int) and not isinstance(answer_id, bool):  # (True == 1)
                self._answered(Reply(line, answer_id, message))
            return
        await self._inbound(message, line)

    def _answered(self, reply: Reply) -> None:
        waiting = self._waiting.get(reply.id)
        if waiting is not None and not waiting.done.is_set():
            waiting.reply = reply
            waiting.done.set()
        # else a late answer to a call given up on

    async def send(self, line: bytes) -> None:
        """Write one whole line to the worker; LinkClosed if it can no longer take it."""
        if self.closed.is_set():
            raise LinkClosed
        try:
            await send_whole(self._stream, self._send_lock, line)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            self._close()
            raise LinkClosed from None

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send(encode(message))

    async def request(self, method: str, params: dict[str, Any] | None = None) -> Reply:
        """Send a request and wait for its answer (which may be a JSON-RPC error: see
        `Reply.error`). LinkClosed if the worker goes before answering. If the caller is
        cancelled, the worker is told with `notifications/cancelled`, and stops the call."""
        request_id = next(self._ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        waiting = self._waiting[request_id] = _Waiting()
        try:
            await self.send(encode(message))
            await waiting.done.wait()
        except trio.Cancelled:
            if not waiting.done.is_set():
                with trio.CancelScope(shield=True), trio.move_on_after(CANCEL_SEND_SECONDS):
                    try:
                        await self.notify("notifications/cancelled",
                                          {"requestId": request_id, "reason": "cancelled by the supervisor"})
                    except LinkClosed:
                        pass
            raise
        finally:
            del self._waiting[request_id]
        if waiting.reply is None:
            raise LinkClosed
        return waiting.reply

    async def answer(self, request_id: Any, body: dict[str, Any]) -> None:
        """Answer a request the worker sent (`body`: {"result": ...} or {"error": ...})."""
        await self.send(encode({"jsonrpc": "2.0", "id": request_id, **body}))

    async def aclose(self) -> None:
        with trio.CancelScope(shield=True):
            try:
                await self._stream.send_stream.aclose()  # type: ignore[attr-defined]
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError, AttributeError):
                pass
