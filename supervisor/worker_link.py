"""JSON-RPC with one worker over its stdin/stdout: our requests under ids of our own, its answers
matched back to them, and whatever else it sends handed to the front.

Ids towards a worker are the supervisor's (1, 2, 3, ... per worker), never the client's, so a
replayed call or a ping can never collide with a client's id. An answer is kept as the bytes the
worker sent (`Reply.line`), so the front can pass a result on without decoding it into models.
"""

from __future__ import annotations

import itertools
import logging
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


@dataclass
class Reply:
    line: bytes  # as the worker wrote it
    message: dict[str, Any]

    @property
    def result(self) -> dict[str, Any] | None:
        result = self.message.get("result")
        return result if isinstance(result, dict) else None

    @property
    def error(self) -> dict[str, Any] | None:
        error = self.message.get("error")
        return error if isinstance(error, dict) else None


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
        try:
            message = decode(line) if isinstance(line, bytes) else None
        except NotJson:
            message = None
        if not isinstance(message, dict):
            log.warning("the worker wrote a line that is not a JSON-RPC message; ignored")
            return
        if "method" not in message:  # an answer to one of ours
            waiting = self._waiting.get(message.get("id")) if isinstance(message.get("id"), int) else None
            if waiting is not None and not waiting.done.is_set():
                waiting.reply = Reply(line, message)
                waiting.done.set()
            return  # else a late answer to a call given up on
        await self._inbound(message, line)

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
