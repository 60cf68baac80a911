"""The Starlette app: records each API request, applies queued faults and latency, dispatches."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox import auth, documents, knowledge, queries, writes
from sandbox.control import control_routes
from sandbox.faults import (
    LOGIN_PAGE,
    DropConnection,
    answers_directly,
    fault_response,
    inflate,
)
from sandbox.state import SandboxState
from sandbox.wire import Answer, BadRequest

CONTEXT_PATH = "/ovaledge"
TOKEN_PATH = "/api/user/token/generate"
WRITE_PATH = "/api/v1/mcp/update-asset-descriptions"
READS: dict[str, Callable[..., Answer]] = {
    "/api/v1/mcp/search-catalog": queries.search_catalog,
    "/api/v1/mcp/object-details": queries.object_details,
    "/api/v1/mcp/column-profile": queries.column_profile,
    "/api/v1/mcp/entity-relationships": queries.entity_relationships,
    "/api/v1/mcp/lineage": documents.lineage,
    "/api/v1/mcp/glossary-terms": queries.glossary_terms,
    "/api/v1/mcp/tags": queries.tags,
    "/api/v1/mcp/search-platform-docs": knowledge.search_platform_docs,
}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "message": message}, status_code=status)


def _parse_json(raw: bytes) -> Any | None:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def _wait_or_stop(state: SandboxState, seconds: float) -> bool:
    """Sleep `seconds`; True when the server began shutting down meanwhile."""
    with trio.move_on_after(seconds):
        await state.stopping.wait()
        return True
    return False


def _dispatch(state: SandboxState, request: Request, path: str, body: Any) -> Response | Answer:
    method = request.method
    if path in ("/login", "/login.html") and method == "GET":
        return HTMLResponse(LOGIN_PAGE)
    if path == TOKEN_PATH:
        if method != "POST":
            return _error(405, f"Request method '{method}' is not supported")
        return auth.exchange(state, request.headers.get("authorization"), body)
    if not path.startswith("/api/"):
        return _error(404, f"No handler found for {method} {path}")
    rejection = auth.check_api_auth(state, request.headers.get("authorization"))
    if rejection is not None:
        return rejection
    try:
        if path in READS:
            if method not in ("GET", "HEAD"):
                return _error(405, f"Request method '{method}' is not supported")
            return READS[path](state.catalog, request.query_params)
        if path == WRITE_PATH:
            if method != "POST":
                return _error(405, f"Request method '{method}' is not supported")
            link_base = f"{request.url.scheme}://{request.url.netloc}{CONTEXT_PATH}"
            return writes.update_asset_descriptions(
                state.catalog, body, state.idempotency, link_base
            )
    except BadRequest as exc:
        return JSONResponse(exc.body(), status_code=400)
    return _error(404, f"No handler found for {method} {path}")


async def _answer(state: SandboxState, request: Request, path: str, body: Any) -> Response:
    fault = state.take_fault(path)
    if fault is not None and fault.delay > 0 and await _wait_or_stop(state, fault.delay):
        return _error(503, "Sandbox is shutting down")
    if state.latency_seconds > 0 and await _wait_or_stop(state, state.latency_seconds):
        return _error(503, "Sandbox is shutting down")
    if fault is not None and answers_directly(fault):
        return fault_response(fault)
    result = _dispatch(state, request, path, body)
    if isinstance(result, Response):
        return result
    status, payload = result
    if fault is not None and fault.oversized_bytes and status == 200:
        payload = inflate(payload, fault.oversized_bytes)
    return JSONResponse(payload, status_code=status)


def build_app(state: SandboxState) -> Starlette:
    async def api(request: Request) -> Response:
        full = request.url.path
        inside = full == CONTEXT_PATH or full.startswith(CONTEXT_PATH + "/")
        path = full[len(CONTEXT_PATH) :] if inside else full
        body = _parse_json(await request.body())
        entry = state.record(
            request.method, path, dict(request.query_params), dict(request.headers), body
        )
        if not inside:
            response: Response = _error(404, f"No handler found for {request.method} {full}")
        else:
            response = await _answer(state, request, path, body)
        entry.status = 0 if isinstance(response, DropConnection) else response.status_code
        return response

    routes = control_routes(state, prefixes=("", CONTEXT_PATH))
    routes.append(Route("/{path:path}", api, methods=_METHODS))
    return Starlette(routes=routes)
