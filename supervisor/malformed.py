"""Answer malformed client lines as JSON-RPC 2.0 asks; the SDK's stdio transport drops them.

The SDK's `stdio_server` turns a line it cannot read as a JSON-RPC message into an exception on
its read stream, and the SDK's dispatcher only logs that at debug level: a client that sent a
broken request never hears back and waits for its own timeout. `answer_malformed` sits between
the transport and the server. Well-formed messages pass through unchanged and in order; for the
rest it writes the answer JSON-RPC 2.0 (section 5.1) prescribes:

    not JSON (or not UTF-8, or with NaN/Infinity)  -32700 Parse error, id null
    a line over the size limit (dropped whole)     -32600 Invalid Request, id null
    JSON but not a valid message: a batch array,   -32600 Invalid Request, with the request's
      a scalar, a request with a bad field         id when it has a usable one, else id null
    a request whose id is null, a float, a bool   -32600 Invalid Request, id null
      or an object
    a malformed response (result/error, no method) nothing: a response is never answered
    a blank line                                   nothing

Nothing malformed is passed on, so none of it can reach the worker.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp.types as types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from shared.protocol import MAX_LINE_BYTES, NotJson, OversizedLine, UnusableRequestId

log = logging.getLogger("oe-mcp-local")


def error_for(exc: Exception) -> types.JSONRPCError | None:
    """The JSON-RPC error answering the line behind `exc`, or None when none is due."""
    if isinstance(exc, UnusableRequestId):
        return _error(None, types.INVALID_REQUEST,
                      "Invalid Request: the id must be a string or an integer")
    if isinstance(exc, OversizedLine):
        return _error(None, types.INVALID_REQUEST, f"Invalid Request: the line is over "
                      f"{MAX_LINE_BYTES // 2**20} MiB; it was dropped whole, up to its newline")
    if isinstance(exc, NotJson):
        return _error(None, types.PARSE_ERROR, "Parse error: NaN and Infinity are not JSON")
    errors = exc.errors() if isinstance(exc, ValidationError) else []
    if not errors or any(e["type"] == "json_invalid" for e in errors):
        raw = errors[0].get("input") if errors else None
        if isinstance(raw, str | bytes) and not raw.strip():
            return None  # a blank line between messages
        return _error(None, types.PARSE_ERROR, "Parse error: the line is not valid JSON")
    # The line is JSON. pydantic gives the whole object as the input of a "missing" error of a
    # top-level field, and a non-object as the input of the error at a member's root.
    if any(len(e["loc"]) <= 1 for e in errors):  # not an object: a batch array, a scalar
        return _error(None, types.INVALID_REQUEST,
                      "Invalid Request: a message is one JSON-RPC object (no batches)")
    message = next((e["input"] for e in errors if e["type"] == "missing" and len(e["loc"]) == 2
                    and isinstance(e.get("input"), dict)), None)
    if message is None:  # it has every member's fields, some of them wrong
        return _error(None, types.INVALID_REQUEST, "Invalid Request")
    if "method" not in message and ("result" in message or "error" in message):
        return None  # a malformed response to a request of ours: nobody to answer
    request_id = message.get("id")
    usable = isinstance(request_id, str) or (
        isinstance(request_id, int) and not isinstance(request_id, bool))
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'][1:]) or 'message'}: {e['msg']}"
        for e in errors if e["loc"] and e["loc"][0] == "JSONRPCRequest"
    )
    return _error(request_id if usable else None, types.INVALID_REQUEST,
                  f"Invalid Request: {problems or 'not a JSON-RPC 2.0 request'}")


def _error(request_id: Any, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id,
                              error=types.ErrorData(code=code, message=message))


@asynccontextmanager
async def answer_malformed(read: Any, write: Any) -> AsyncIterator[Any]:
    """Yield the read stream to serve from: `read` without its exceptions, which get answered.

    Answers go out on `write`, the same stream the server writes to, so lines are never torn.
    """
    relay_send, relay_receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)

    async def relay() -> None:
        try:
            async with relay_send:
                async for item in read:
                    if not isinstance(item, Exception):
                        await relay_send.send(item)
                        continue
                    answer = error_for(item)
                    log.debug("malformed client message (%s): %s", type(item).__name__,
                              "answered" if answer else "ignored")
                    if answer is not None:
                        await write.send(SessionMessage(answer))
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass  # the server has stopped reading, or writing: we are shutting down

    async with anyio.create_task_group() as tg:
        tg.start_soon(relay)
        try:
            yield relay_receive
        finally:
            tg.cancel_scope.cancel()
