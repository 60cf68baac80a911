"""JSON-RPC 2.0 envelopes as the front reads and writes them.

`classify` sorts one decoded client line into a request, a notification or a response, or the
error JSON-RPC 2.0 (section 5.1) prescribes for it:

    not JSON (or not UTF-8, or with NaN/Infinity)  -32700 Parse error, id null
    a line over the size limit (dropped whole)     -32600 Invalid Request, id null
    not an object: a batch array, a scalar         -32600 Invalid Request, id null
    a request whose id is null, a float, a bool    -32600 Invalid Request, id null
      or an object
    an object with a usable id but a bad field     -32600 Invalid Request, with that id
    any other object that is not a message         -32600 Invalid Request, id null
    a response (result or error, no method)        nothing: a response is never answered
    a blank line                                   nothing

Only requests and notifications go further; nothing malformed reaches a worker. The messages
the front builds itself are `mcp_types` models, written by `dump`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mcp_types as types

from shared.framing import MAX_LINE_BYTES, OversizedLine, encode
from supervisor.worker_link import Reply

RequestId = str | int


def usable_id(value: Any) -> bool:
    """MCP's rule: a request id is a string or an integer (not null, a float or a bool)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def id_key(value: RequestId) -> tuple[bool, RequestId]:
    """A dictionary key for a request id that keeps 1 and "1" apart."""
    return isinstance(value, str), value


@dataclass(frozen=True)
class Request:
    id: RequestId
    method: str
    params: dict[str, Any] | None


@dataclass(frozen=True)
class Notification:
    method: str
    params: dict[str, Any] | None


@dataclass(frozen=True)
class Response:
    """An answer of the client to a request we sent it (on behalf of a worker)."""

    id: RequestId
    message: dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """What to answer a line that is not a message (None: nothing)."""

    answer: types.JSONRPCError | None


Inbound = Request | Notification | Response | Refusal


def error(request_id: RequestId | None, code: int, message: str, data: Any = None) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id,
                              error=types.ErrorData(code=code, message=message, data=data))


def not_json() -> Refusal:
    return Refusal(error(None, types.PARSE_ERROR, "Parse error: the line is not valid JSON"))


def oversized(_: OversizedLine) -> Refusal:
    return Refusal(error(None, types.INVALID_REQUEST, f"Invalid Request: the line is over "
                         f"{MAX_LINE_BYTES // 2**20} MiB; it was dropped whole, up to its newline"))


def _problems(message: dict[str, Any]) -> list[str]:
    """What is wrong with a request or notification envelope (nothing: it is well formed)."""
    problems = []
    if message.get("jsonrpc") != "2.0":
        problems.append('jsonrpc: must be "2.0"')
    if not isinstance(message.get("method"), str):
        problems.append("method: must be a string")
    if message.get("params") is not None and not isinstance(message["params"], dict):
        problems.append("params: must be an object")
    return problems


def classify(value: Any) -> Inbound:
    """Sort one decoded line (see the module docstring)."""
    if not isinstance(value, dict):
        return Refusal(error(None, types.INVALID_REQUEST,
                             "Invalid Request: a message is one JSON-RPC object (no batches)"))
    if "method" not in value and ("result" in value or "error" in value):
        if usable_id(value.get("id")) and value.get("jsonrpc") == "2.0" \
                and ("result" in value) != ("error" in value):
            return Response(value["id"], value)
        return Refusal(None)  # a malformed response: nobody to answer
    has_id = "id" in value
    if has_id and not usable_id(value["id"]):
        return Refusal(error(None, types.INVALID_REQUEST,
                             "Invalid Request: the id must be a string or an integer"))
    problems = _problems(value)
    if problems:
        return Refusal(error(value["id"] if has_id else None, types.INVALID_REQUEST,
                             f"Invalid Request: {'; '.join(problems)}"))
    if has_id:
        return Request(value["id"], value["method"], value.get("params"))
    return Notification(value["method"], value.get("params"))


def dump(message: types.JSONRPCResponse | types.JSONRPCError | types.JSONRPCNotification
         | types.JSONRPCRequest) -> bytes:
    """One line for a message the front built (an error's id is kept when null: JSON-RPC
    answers a message whose id it could not read with `"id": null`)."""
    body = message.model_dump(by_alias=True, mode="json", exclude_none=True)
    if isinstance(message, types.JSONRPCError):
        body["id"] = message.id
    return encode(body)


def result_line(request_id: RequestId, result: types.Result | dict[str, Any]) -> bytes:
    """The answer to `request_id` with `result` (a model, or its wire form already)."""
    body = result if isinstance(result, dict) else result.model_dump(
        by_alias=True, mode="json", exclude_none=True)
    return encode({"jsonrpc": "2.0", "id": request_id, "result": body})


def with_id(answer: Reply, client_id: RequestId) -> bytes:
    """A worker's answer to our request, as the answer to the client's `client_id`: the bytes
    it sent with only the id rewritten. The worker's SDK writes `{"jsonrpc":"2.0","id":N,...`
    so the id is replaced in place; any other spelling is re-encoded whole."""
    head = b'{"jsonrpc":"2.0","id":%d,' % answer.id
    if answer.line.startswith(head):
        return b'{"jsonrpc":"2.0","id":' + encode(client_id).rstrip(b"\n") + b"," + \
            answer.line[len(head):].rstrip(b"\r\n") + b"\n"
    return encode({**answer.message, "id": client_id})
