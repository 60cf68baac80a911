"""The Starlette app: records each API request, applies queued faults and latency, dispatches.

The dispatch table names every OvalEdge API route with the method it takes and the generation
that serves it. A route the sandbox's `api` mode does not serve answers like a path with no
handler does in Spring Boot: 404 with Spring's error body (or its HTML error page); a served
route called with another method answers Spring's 405.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import trio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox import access, assets, auth, crawls, documents, knowledge, queries, writes
from sandbox.control import control_routes
from sandbox.faults import (
    LOGIN_PAGE,
    DropConnection,
    answers_directly,
    echo_into,
    fault_response,
    inflate,
)
from sandbox.state import SandboxState
from sandbox.wire import Answer, BadRequest

CONTEXT_PATH = "/ovaledge"
TOKEN_PATH = "/api/user/token/generate"
MCP = "/api/v1/mcp"

FIRST_GENERATION, CURRENT, EVERY_GENERATION = "first", "current", "every"
SERVED_BY_MODE = {
    "both": {FIRST_GENERATION, CURRENT, EVERY_GENERATION},
    "legacy": {FIRST_GENERATION, EVERY_GENERATION},
    "current": {CURRENT, EVERY_GENERATION},
}


@dataclass(frozen=True)
class ApiRoute:
    """GET handlers take the catalog and the query parameters, POST handlers the catalog and the
    JSON body; `needs` names what else a handler takes, by keyword: `link_base` (the base of
    absolute in-app links) and `idempotency` (the memory of applied writes)."""

    method: str
    generation: str
    handler: Callable[..., Answer]
    needs: tuple[str, ...] = ()


ROUTES: dict[str, ApiRoute] = {
    f"{MCP}/search-catalog": ApiRoute("GET", FIRST_GENERATION, queries.search_catalog),
    f"{MCP}/object-details": ApiRoute("GET", FIRST_GENERATION, queries.object_details),
    f"{MCP}/column-profile": ApiRoute("GET", FIRST_GENERATION, queries.column_profile),
    f"{MCP}/entity-relationships": ApiRoute("GET", FIRST_GENERATION, queries.entity_relationships),
    f"{MCP}/lineage": ApiRoute("GET", FIRST_GENERATION, documents.lineage),
    f"{MCP}/glossary-terms": ApiRoute("GET", FIRST_GENERATION, queries.glossary_terms),
    f"{MCP}/tags": ApiRoute("GET", FIRST_GENERATION, queries.tags),
    f"{MCP}/search-platform-docs": ApiRoute("GET", FIRST_GENERATION, knowledge.search_platform_docs),
    f"{MCP}/lookup-datastory": ApiRoute("GET", FIRST_GENERATION, knowledge.lookup_datastory, ("link_base",)),
    f"{MCP}/asset-explorer": ApiRoute("POST", CURRENT, assets.asset_explorer),
    f"{MCP}/asset-details": ApiRoute("GET", CURRENT, assets.asset_details),
    f"{MCP}/asset-lineage": ApiRoute("GET", CURRENT, documents.lineage),
    f"{MCP}/metadata-changes-between-crawls": ApiRoute("POST", CURRENT, crawls.metadata_changes),
    f"{MCP}/access-explorer": ApiRoute("GET", CURRENT, access.access_explorer),
    f"{MCP}/knowledge-search": ApiRoute("GET", CURRENT, knowledge.knowledge_search, ("link_base",)),
    f"{MCP}/update-asset-descriptions": ApiRoute(
        "POST", EVERY_GENERATION, writes.update_asset_descriptions, ("idempotency", "link_base")
    ),
}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
WHITELABEL_PAGE = (
    "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for "
    "/error, so you are seeing this as a fallback.</p><div id='created'>{created}</div>"
    "<div>There was an unexpected error (type={error}, status={status}).</div></body></html>"
)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "message": message}, status_code=status)


def spring_error(state: SandboxState, status: int, full_path: str, **headers: str) -> Response:
    """What Spring Boot answers itself when no handler takes the request (404, 405)."""
    now = datetime.now(UTC)
    error = HTTPStatus(status).phrase
    if state.unmapped_answer == "html":
        created = now.strftime("%a %b %d %H:%M:%S UTC %Y")
        page = WHITELABEL_PAGE.format(created=created, error=error, status=status)
        return HTMLResponse(page, status_code=status, headers=headers)
    stamp = now.isoformat(timespec="milliseconds")
    body = {"timestamp": stamp, "status": status, "error": error, "path": full_path}
    return JSONResponse(body, status_code=status, headers=headers)


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
    method, full_path = request.method, request.url.path
    if path in ("/login", "/login.html") and method == "GET":
        return HTMLResponse(LOGIN_PAGE)
    if path == TOKEN_PATH:
        if method != "POST":
            return spring_error(state, 405, full_path, Allow="POST")
        return auth.exchange(state, request.headers.get("authorization"), body)
    if not path.startswith("/api/"):
        return _error(404, f"No handler found for {method} {path}")
    rejection = auth.check_api_auth(state, request.headers.get("authorization"))
    if rejection is not None:
        return rejection
    route = ROUTES.get(path)
    if route is None or route.generation not in SERVED_BY_MODE[state.api]:
        return spring_error(state, 404, full_path)
    takes = ("GET", "HEAD") if route.method == "GET" else (route.method,)
    if method not in takes:
        return spring_error(state, 405, full_path, Allow=route.method)
    context = {
        "link_base": f"{request.url.scheme}://{request.url.netloc}{CONTEXT_PATH}",
        "idempotency": state.idempotency,
    }
    inputs = request.query_params if route.method == "GET" else body
    try:
        return route.handler(state.catalog, inputs, **{name: context[name] for name in route.needs})
    except BadRequest as exc:
        return JSONResponse(exc.body(), status_code=400)


async def _answer(state: SandboxState, request: Request, path: str, body: Any) -> Response:
    fault = state.take_fault(path)
    if fault is not None and fault.delay > 0 and await _wait_or_stop(state, fault.delay):
        return _error(503, "Sandbox is shutting down")
    if state.latency_seconds > 0 and await _wait_or_stop(state, state.latency_seconds):
        return _error(503, "Sandbox is shutting down")
    request_echo = {"json": body, "headers": dict(request.headers)}
    if fault is not None and answers_directly(fault):
        return fault_response(fault, request_echo)
    result = _dispatch(state, request, path, body)
    if isinstance(result, Response):
        return result
    status, payload = result
    if fault is not None and fault.oversized_bytes and status == 200:
        payload = inflate(payload, fault.oversized_bytes)
    if fault is not None and fault.echo_request and status == 200:
        payload = echo_into(payload, request_echo)
    return JSONResponse(payload, status_code=status)


def build_app(state: SandboxState) -> Starlette:
    async def api(request: Request) -> Response:
        full = request.url.path
        inside = full == CONTEXT_PATH or full.startswith(CONTEXT_PATH + "/")
        path = full[len(CONTEXT_PATH) :] if inside else full
        body = _parse_json(await request.body())
        entry = state.record(
            request.method, path, request.query_params.multi_items(), dict(request.headers), body
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
