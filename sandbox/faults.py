"""Turning a `Fault` into what goes on the wire."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from sandbox.state import Fault

LOGIN_PAGE = """<!DOCTYPE html>
<html><head><title>OvalEdge - Login</title></head>
<body><form method="post" action="j_spring_security_check">
<h1>Sign in to OvalEdge</h1>
<input name="username" placeholder="Username"><input name="password" type="password">
<button type="submit">Login</button></form></body></html>
"""
_FILLER = "Oversized description text for response budget testing. "


class DropConnection(Response):
    """Close the connection without an answer.

    ASGI has no "abort" message, so this sends only an interim `100 Continue` and returns;
    Hypercorn then closes the connection because the response never completed. HTTP clients
    skip the interim response and see the peer disconnect without a response (httpx:
    `RemoteProtocolError: Server disconnected without sending a response`).
    """

    def __init__(self) -> None:
        super().__init__(status_code=100)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 100, "headers": []})


def error_body(status: int, message: str | None, error_code: str | None = None,
               error_code_key: str = "errorCode") -> dict:
    body: dict[str, Any] = {"ok": False}
    if error_code:
        body[error_code_key] = error_code
    try:
        default = HTTPStatus(status).phrase
    except ValueError:
        default = "Error"
    body["message"] = message or default
    return body


def answers_directly(fault: Fault) -> bool:
    """Whether the fault replaces the answer (as opposed to delaying or padding it)."""
    return bool(
        fault.drop_connection
        or fault.redirect_to
        or fault.html_login_page
        or fault.empty_body
        or fault.status is not None
        or fault.retry_after is not None
    )


def fault_response(fault: Fault, request_echo: dict[str, Any]) -> Response:
    headers = {}
    if fault.retry_after is not None:
        retry = fault.retry_after
        headers["Retry-After"] = str(int(retry) if float(retry).is_integer() else retry)
    if fault.drop_connection:
        return DropConnection()
    if fault.redirect_to:
        return Response(status_code=302, headers={**headers, "Location": fault.redirect_to})
    if fault.html_login_page:
        return HTMLResponse(LOGIN_PAGE, headers=headers)
    if fault.empty_body:
        return Response(b"", status_code=200, headers=headers)
    status = fault.status if fault.status is not None else 429
    if fault.echo_request:
        body: dict[str, Any] = {"ok": False, "request": request_echo}
        if fault.message:
            body["message"] = fault.message
    else:
        body = error_body(status, fault.message, fault.error_code, fault.error_code_key)
    return JSONResponse(body, status_code=status, headers=headers)


def echo_into(body: dict[str, Any], request_echo: dict[str, Any]) -> dict[str, Any]:
    """Add the request echo to a 200 answer: in its `data` object, else at its top."""
    data = body.get("data")
    (data if isinstance(data, dict) else body)["request"] = request_echo
    return body


def inflate(body: dict[str, Any], total_bytes: int) -> dict[str, Any]:
    """Pad the description fields of an answer so they add up to about `total_bytes`: those of
    its hits (`items`, at the top or in `data`), else of its object (`data`, or `data.details`)."""
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("details"), dict):
        data = data["details"]
    hits = body.get("items", data.get("items") if isinstance(data, dict) else None)
    if isinstance(hits, list):
        targets = [t for t in hits if isinstance(t, dict)]
        if not targets:
            hits.append({"objectId": 0, "objectType": "oetable", "objectName": "padding"})
            targets = hits
    else:
        if isinstance(data, list):
            targets = [t for t in data if isinstance(t, dict)]
        else:
            targets = []
        if not targets:
            if not isinstance(data, dict):
                body["data"] = data = {"value": data}
            targets = [data]
    slots = ("businessDescription", "technicalDescription")
    each = max(1, total_bytes // (len(targets) * len(slots)))
    text = (_FILLER * math.ceil(each / len(_FILLER)))[:each]
    for target in targets:
        for slot in slots:
            target[slot] = text
    return body
