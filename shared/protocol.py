"""MCP over any trio byte stream (the worker's pipes): newline-delimited JSON-RPC framing.

Parsing and serialisation are the SDK's (`jsonrpc_message_adapter`, `SessionMessage`); this
only moves lines between a byte stream and the SDK's (read, write) stream pair.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import mcp.types as types
import trio
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

MAX_LINE_BYTES = 64 * 1024 * 1024


@asynccontextmanager
async def mcp_streams(stream: trio.abc.HalfCloseableStream | trio.abc.Stream) -> AsyncIterator[
    tuple[anyio.abc.ObjectReceiveStream, anyio.abc.ObjectSendStream, trio.Event]
]:
    """Yield (read, write, closed): SDK streams over `stream`; `closed` is set at EOF."""
    read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
    closed = trio.Event()

    async def reader() -> None:
        buffer = b""
        try:
            async with read_send:
                while data := await stream.receive_some(65536):
                    buffer += data
                    if b"\n" not in data:
                        if len(buffer) > MAX_LINE_BYTES:
                            buffer = b""  # a runaway line: drop it rather than grow forever
                        continue
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        if not line.strip():
                            continue
                        try:
                            message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                        except ValidationError as exc:
                            await read_send.send(exc)
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


# -- private supervisor <-> worker requests (plain MCP requests with our own method names) ----
STATUS_METHOD = "oe-mcp/status"
TOKEN_EXPORT_METHOD = "oe-mcp/token-export"
TOKEN_ADOPT_METHOD = "oe-mcp/token-adopt"
WARM_TOKEN_ENV = "OE_MCP_WORKER_WARM_TOKEN"


class WorkerStatusResult(types.Result):
    """The worker's own state for the status socket: never a token value."""

    pid: int = 0
    token: dict[str, object] = {}
    calls_total: int = 0
    calls_failed: int = 0


class TokenHandover(types.Result):
    """The JWT handed from a retiring worker to its successor (never logged)."""

    jwt: str | None = None


class TokenAdoptParams(types.RequestParams):
    jwt: str
