"""The worker's MCP transport: the SDK's (read, write) stream pair over a trio byte stream, with
our framing (shared/framing.py) and the SDK's own message parsing and serialisation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import mcp.types as types
import trio
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from shared.framing import NotJson, OversizedLine, read_lines, stdio_stream


class UnusableRequestId(ValueError):
    """A request whose id is neither a string nor an integer (null, float, bool, object).

    The SDK's parser reads it as a notification, which would go unanswered; JSON-RPC 2.0 asks
    for an Invalid Request error with id null instead.
    """


def _has_id(line: bytes) -> bool:
    if b'"id"' not in line:
        return False
    try:
        value = json.loads(line)
    except ValueError:
        return False
    return isinstance(value, dict) and "id" in value


def _has_non_json_number(line: bytes) -> bool:
    if b"NaN" not in line and b"Infinity" not in line:
        return False

    def refuse(name: str) -> None:
        raise NotJson(name)

    try:
        json.loads(line, parse_constant=refuse)
    except NotJson:
        return True
    except ValueError:
        pass  # not JSON for other reasons: the SDK's parser says so
    return False


@asynccontextmanager
async def mcp_streams(stream: trio.abc.HalfCloseableStream | trio.abc.Stream) -> AsyncIterator[
    tuple[anyio.abc.ObjectReceiveStream, anyio.abc.ObjectSendStream, trio.Event]
]:
    """Yield (read, write, closed): SDK streams over `stream`; `closed` is set at EOF. A line
    that is not a message arrives on `read` as an exception, as the SDK's own transports do."""
    read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)
    closed = trio.Event()

    async def reader() -> None:
        try:
            async with read_send:
                async for line in read_lines(stream):
                    if isinstance(line, OversizedLine):
                        await read_send.send(line)
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
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
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


@asynccontextmanager
async def stdio_streams() -> AsyncIterator[tuple[anyio.abc.ObjectReceiveStream, anyio.abc.ObjectSendStream]]:
    """MCP over this process's stdin/stdout, as the SDK's (read, write) pair
    (`shared.framing.stdio_stream`: fd streams on pipes, threads on a terminal or a file)."""
    async with stdio_stream() as stream, mcp_streams(stream) as (read, write, _closed):
        yield read, write
