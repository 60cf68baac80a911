"""MCP over any trio byte stream (the worker's pipes): newline-delimited JSON-RPC framing.

Parsing and serialisation are the SDK's (`jsonrpc_message_adapter`, `SessionMessage`); this
only moves lines between a byte stream and the SDK's (read, write) stream pair.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import mcp.types as types
import trio
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from shared.redaction import redact

MAX_LINE_BYTES = 64 * 1024 * 1024


class UnusableRequestId(ValueError):
    """A request whose id is neither a string nor an integer (null, float, bool, object).

    The SDK's parser reads it as a notification, which would go unanswered; JSON-RPC 2.0 asks
    for an Invalid Request error with id null instead.
    """


class OversizedLine(ValueError):
    """A line longer than MAX_LINE_BYTES: dropped whole, up to its newline, unread."""


class NotJson(ValueError):
    """A line with NaN or Infinity, which JSON does not have (the SDK's parser reads them)."""


def _has_id(line: bytes) -> bool:
    if b'"id"' not in line:
        return False
    try:
        value = json.loads(line)
    except ValueError:
        return False
    return isinstance(value, dict) and "id" in value


def _refuse_constant(name: str) -> None:
    raise NotJson(f"{name} is not JSON")


def _has_non_json_number(line: bytes) -> bool:
    if b"NaN" not in line and b"Infinity" not in line:
        return False
    try:
        json.loads(line, parse_constant=_refuse_constant)
    except NotJson:
        return True
    except ValueError:
        pass  # not JSON for other reasons: the SDK's parser says so
    return False


class _LineSplitter:
    """The newline-delimited lines of a byte stream, each at most MAX_LINE_BYTES. A longer line
    is reported once (an OversizedLine), as soon as it is too long, and dropped up to its
    newline: nothing of it is read as a message, however it ends."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._dropping = False

    def feed(self, data: bytes) -> list[bytes | OversizedLine]:
        lines: list[bytes | OversizedLine] = []
        start = 0
        while (end := data.find(b"\n", start)) != -1:
            if not self._dropping:
                self._pending += data[start:end]
                lines.append(OversizedLine() if len(self._pending) > MAX_LINE_BYTES
                             else bytes(self._pending))
            self._pending.clear()
            self._dropping = False
            start = end + 1
        if not self._dropping:
            self._pending += data[start:]
            if len(self._pending) > MAX_LINE_BYTES:
                lines.append(OversizedLine())
                self._pending.clear()
                self._dropping = True
        return lines


@asynccontextmanager
async def mcp_streams(stream: trio.abc.HalfCloseableStream | trio.abc.Stream) -> AsyncIterator[
    tuple[anyio.abc.ObjectReceiveStream, anyio.abc.ObjectSendStream, trio.Event]
]:
    """Yield (read, write, closed): SDK streams over `stream`; `closed` is set at EOF."""
    read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
    closed = trio.Event()

    async def reader() -> None:
        splitter = _LineSplitter()
        try:
            async with read_send:
                while data := await stream.receive_some(65536):
                    for line in splitter.feed(data):
                        if isinstance(line, OversizedLine):
                            await read_send.send(line)
                            continue
                        if not line.strip():
                            continue
                        if _has_non_json_number(line):
                            await read_send.send(NotJson())
                            continue
                        try:
                            message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                        except ValidationError as exc:
                            await read_send.send(exc)
                            continue
                        if isinstance(message, types.JSONRPCNotification) and _has_id(line):
                            await read_send.send(UnusableRequestId())
                            continue
                        await read_send.send(SessionMessage(message))
        except (trio.BrokenResourceError, trio.ClosedResourceError, anyio.BrokenResourceError,
                anyio.ClosedResourceError, OSError):
            pass
        finally:
            closed.set()

    async def writer() -> None:
        try:
            async with write_recv:
                async for item in write_recv:
                    line = item.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                    await stream.send_all(line.encode())
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            closed.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(reader)
        nursery.start_soon(writer)
        try:
            yield read_recv, write_send, closed
        finally:
            nursery.cancel_scope.cancel()



def _is_pipe_or_socket(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


@asynccontextmanager
async def stdio_streams() -> AsyncIterator[tuple[anyio.abc.ObjectReceiveStream, anyio.abc.ObjectSendStream]]:
    """MCP over this process's stdin/stdout, as the SDK's (read, write) pair.

    Where stdin and stdout are pipes or sockets (as MCP clients and our supervisor start us),
    trio's own fd streams carry the bytes: no thread hop per message, unlike the SDK's
    `stdio_server`, whose file wrappers cost several per call. Either way, while serving, fd 1
    points at stderr and fd 0 at /dev/null, so a stray print or a library cannot corrupt the
    protocol. Elsewhere (a terminal, a file, Windows) the SDK's `stdio_server` is used.
    """
    if os.name != "posix" or not (_is_pipe_or_socket(0) and _is_pipe_or_socket(1)):
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read, write):
            yield read, write
        return
    wire_in, wire_out = os.dup(0), os.dup(1)
    saved_in, saved_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.close(null)
    stream = trio.StapledStream(trio.lowlevel.FdStream(wire_out), trio.lowlevel.FdStream(wire_in))
    try:
        async with mcp_streams(stream) as (read, write, _closed):
            yield read, write
    finally:
        with trio.CancelScope(shield=True):
            await stream.aclose()
        os.dup2(saved_in, 0)
        os.dup2(saved_out, 1)
        os.close(saved_in)
        os.close(saved_out)

# An error result carries its text twice (content, structuredContent): this much of it as JSON
# keeps it within the smallest response budget (OE_MCP_RESPONSE_BUDGET_BYTES >= 10000).
ERROR_TEXT_MAX_BYTES = 4_000


def _json_bytes(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False).encode())


def _fitted(text: str, max_bytes: int) -> str:
    """`text`, or its longest prefix (marked cut) that takes at most `max_bytes` as JSON."""
    if _json_bytes(text) <= max_bytes:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _json_bytes(text[:middle] + "…") <= max_bytes else (low, middle - 1)
    return text[:low] + "…"


def error_result(text: str, status: int | None = None, **details: object) -> types.CallToolResult:
    """A failed tool call as the client sees it: `isError`, the redacted text (cut to fit
    ERROR_TEXT_MAX_BYTES), and the same in `structuredContent` (with the HTTP status and any
    machine-readable details)."""
    text = _fitted(redact(text), ERROR_TEXT_MAX_BYTES)
    structured: dict[str, object] = {"error": text, **details}
    if status is not None:
        structured["status_code"] = status
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structured_content=structured,
        is_error=True,
    )


# -- private supervisor <-> worker requests (plain MCP requests with our own method names) ----
STATUS_METHOD = "oe-mcp/status"
TOKEN_EXPORT_METHOD = "oe-mcp/token-export"
TOKEN_ADOPT_METHOD = "oe-mcp/token-adopt"
WARM_TOKEN_ENV = "OE_MCP_WORKER_WARM_TOKEN"
# The key of governed-write confirmation tokens: one per supervisor run, shared by its workers.
CONFIRM_KEY_ENV = "OE_MCP_CONFIRM_KEY"


class WorkerStatusResult(types.Result):
    """The worker's own state for the status socket: never a token value."""

    pid: int = 0
    token: dict[str, object] = {}
    routes: dict[str, object] = {}  # which OvalEdge API route generation is in use


class TokenHandover(types.Result):
    """What a retiring worker hands its successor (never logged): the JWT, and the memory of
    guided flows in progress."""

    jwt: str | None = None
    flows: dict[str, object] = {}


class TokenAdoptParams(types.RequestParams):
    jwt: str | None = None
    flows: dict[str, object] = {}
