"""The Starlette app: records each API request, applies queued faults and latency, dispatches.

The dispatch table names every OvalEdge API route by its method and path, with the generation
that serves it (one path may take GET in one generation and POST in another: `tags`,
`glossary-terms`). A route the sandbox's `api` mode does not serve answers like a path with no
handler does in Spring Boot: 404 with Spring's error body (or its HTML error page). A method no
generation maps on a path that the mode serves otherwise answers Spring's 405.
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

from sandbox import (
    access,
    assets,
    auth,
    crawls,
    custom_fields,
    documents,
    dq_advisor,
    dq_manager,
    glossary,
    governance,
    knowledge,
    queries,
    service_desk,
    tag_creation,
    writes,
)
from sandbox.control import control_routes
from sandbox.faults import (
    LOGIN_PAGE,
    DropConnection,
    answers_directly,
    echo_into,
    fault_response,
    inflate,
)
from sandbox.shapes import SHAPES
from sandbox.state import SandboxState
from sandbox.wire import Answer, BadRequest, NotFound, not_found

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
    absolute in-app links), `idempotency` (the memory of applied writes), `audit` (the audit
    log), `data_quality` (the DQ rules), `service_desk` (templates and tickets), and the settings
    `tag_security_mode` and `disabled_governance_roles`, and `shapes` (the answer shape chosen
    for each route whose shape differs between OvalEdge releases: sandbox/shapes.py)."""

    method: str
    path: str
    generation: str
    handler: Callable[..., Answer]
    needs: tuple[str, ...] = ()
    # (shape, choice): served only while that answer-shape switch has that choice; otherwise the
    # method answers like one the path does not map (Spring's 405), e.g. asset-explorer's method.
    only_when: tuple[str, str] | None = None

    def serves(self, shapes: dict[str, str]) -> bool:
        return self.only_when is None or SHAPES.choice(shapes, self.only_when[0]) == self.only_when[1]


# What handlers take beyond their inputs (see ApiRoute.needs); "shapes" where the answer comes in
# several evidenced shapes (sandbox/shapes.py).
SHAPED = ("shapes",)
TAG_MODE, TAG_SHAPES = ("tag_security_mode",), ("tag_security_mode", "shapes")
DESK = ("service_desk", "shapes", "link_base")
DQ_SHAPED = ("data_quality", "shapes")
DQ = f"{MCP}/dq-intelligence"
ROUTES: list[ApiRoute] = [
    ApiRoute("GET", f"{MCP}/search-catalog", FIRST_GENERATION, queries.search_catalog),
    ApiRoute("GET", f"{MCP}/object-details", FIRST_GENERATION, queries.object_details),
    ApiRoute("GET", f"{MCP}/column-profile", FIRST_GENERATION, queries.column_profile),
    ApiRoute("GET", f"{MCP}/entity-relationships", FIRST_GENERATION, queries.entity_relationships),
    ApiRoute("GET", f"{MCP}/lineage", FIRST_GENERATION, documents.lineage),
    ApiRoute("GET", f"{MCP}/glossary-terms", FIRST_GENERATION, queries.glossary_terms, SHAPED),
    ApiRoute("GET", f"{MCP}/tags", FIRST_GENERATION, queries.tags, SHAPED),
    ApiRoute("GET", f"{MCP}/search-platform-docs", FIRST_GENERATION, knowledge.search_platform_docs, SHAPED),
    ApiRoute("GET", f"{MCP}/lookup-datastory", FIRST_GENERATION, knowledge.lookup_datastory, ("link_base",)),
    ApiRoute("POST", f"{MCP}/asset-explorer", CURRENT, assets.asset_explorer,
             only_when=(assets.EXPLORER_METHOD, "post")),
    ApiRoute("GET", f"{MCP}/asset-explorer", CURRENT, assets.asset_explorer_get,
             only_when=(assets.EXPLORER_METHOD, "get")),
    ApiRoute("GET", f"{MCP}/asset-details", CURRENT, assets.asset_details),
    ApiRoute("GET", f"{MCP}/asset-lineage", CURRENT, documents.lineage),
    ApiRoute(
        "POST",
        f"{MCP}/metadata-changes-between-crawls",
        EVERY_GENERATION,
        crawls.metadata_changes,
        ("link_base",),
    ),
    ApiRoute("GET", f"{MCP}/access-explorer", CURRENT, access.access_explorer, SHAPED),
    ApiRoute("GET", f"{MCP}/knowledge-search", CURRENT, knowledge.knowledge_search, ("link_base", "shapes")),
    ApiRoute(
        "POST",
        f"{MCP}/update-asset-descriptions",
        EVERY_GENERATION,
        writes.update_asset_descriptions,
        ("idempotency", "link_base"),
    ),
    ApiRoute(
        "POST",
        f"{MCP}/update-cde-associations",
        CURRENT,
        governance.update_cde_associations,
        ("idempotency", "audit", "link_base"),
    ),
    ApiRoute(
        "POST",
        f"{MCP}/update-governance-roles",
        CURRENT,
        governance.update_governance_roles,
        ("idempotency", "audit", "data_quality", "disabled_governance_roles", "shapes", "link_base"),
    ),
    ApiRoute("GET", f"{MCP}/custom-fields", CURRENT, custom_fields.custom_fields),
    ApiRoute(
        "POST",
        f"{MCP}/update-custom-field-values",
        CURRENT,
        custom_fields.update_custom_field_values,
        ("idempotency", "audit", "link_base"),
    ),
    ApiRoute("GET", f"{MCP}/domain-metadata", CURRENT, glossary.domain_metadata),
    ApiRoute("POST", f"{MCP}/glossary-terms", CURRENT, glossary.create_glossary_term, ("shapes",)),
    ApiRoute("GET", f"{MCP}/tags/create-options", CURRENT, tag_creation.create_options, TAG_SHAPES),
    ApiRoute("GET", f"{MCP}/tags/parent-options", CURRENT, tag_creation.parent_options, TAG_MODE),
    ApiRoute("POST", f"{MCP}/tags", CURRENT, tag_creation.create_tag, TAG_SHAPES),
    ApiRoute("GET", f"{MCP}/service-request-templates", CURRENT, service_desk.request_templates, DESK),
    ApiRoute("POST", f"{MCP}/service-requests", CURRENT, service_desk.raise_service_request, DESK),
    ApiRoute("GET", f"{MCP}/service-requests", CURRENT, service_desk.service_requests, DESK),
    ApiRoute("POST", f"{DQ}/assess-cde", CURRENT, dq_advisor.assess_cde, DQ_SHAPED),
    ApiRoute("POST", f"{DQ}/generate-queries", CURRENT, dq_advisor.generate_queries, DQ_SHAPED),
    ApiRoute("POST", f"{DQ}/validate-queries", CURRENT, dq_advisor.validate_queries, DQ_SHAPED),
    ApiRoute("GET", f"{MCP}/lookup-dq-rules", CURRENT, dq_advisor.lookup_dq_rules,
             ("data_quality", "link_base", "shapes")),
    ApiRoute("POST", f"{DQ}/create-rules", CURRENT, dq_manager.create_rules, DQ_SHAPED),
    ApiRoute("POST", f"{DQ}/create-sql-rule", CURRENT, dq_manager.create_sql_rule, DQ_SHAPED),
    ApiRoute("POST", f"{DQ}/associate-rule-objects", CURRENT, dq_manager.associate_rule_objects, DQ_SHAPED),
    ApiRoute("GET", f"{MCP}/source-system-access", FIRST_GENERATION, access.source_system_access, SHAPED),
    ApiRoute("GET", f"{MCP}/get-user-object-access", FIRST_GENERATION, access.get_user_object_access, SHAPED),
]
# path -> method -> route
ROUTES_BY_PATH: dict[str, dict[str, ApiRoute]] = {}
for _route in ROUTES:
    ROUTES_BY_PATH.setdefault(_route.path, {})[_route.method] = _route
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
    on_path = ROUTES_BY_PATH.get(path, {})
    in_mode = {m: r for m, r in on_path.items() if r.generation in SERVED_BY_MODE[state.api]}
    served = {m: r for m, r in in_mode.items() if r.serves(state.shapes)}
    route = served.get("GET" if method == "HEAD" else method)
    if route is None:
        if (method in on_path and method not in in_mode) or not served:
            return spring_error(state, 404, full_path)  # mapped only in another generation, or not at all
        return spring_error(state, 405, full_path, Allow=", ".join(sorted(served)))
    context = {
        "link_base": f"{request.url.scheme}://{request.url.netloc}{CONTEXT_PATH}",
        "idempotency": state.idempotency,
        "audit": state.audit,
        "data_quality": state.data_quality,
        "service_desk": state.service_desk,
        "tag_security_mode": state.tag_security_mode,
        "disabled_governance_roles": state.disabled_governance_roles,
        "shapes": state.shapes,
    }
    inputs = request.query_params if route.method == "GET" else body
    try:
        return route.handler(state.catalog, inputs, **{name: context[name] for name in route.needs})
    except BadRequest as exc:
        return JSONResponse(exc.body(), status_code=400)
    except NotFound:
        return not_found()


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
