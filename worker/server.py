"""The worker as a complete MCP server on stdio (`oe-mcp-worker`).

Process-wide resources (settings, the HTTP pool, the JWT cache) live in `WorkerApp`, created
once in `main`, not per connection. The token is warmed in the background: start-up never waits
for OvalEdge, and a failing exchange becomes clear tool errors while everything else works.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import httpx2
import mcp.types as types
import trio
from mcp import MCPError
from mcp.server import Server, ServerRequestContext

from shared.lifeline import exit_when_supervisor_dies
from shared.protocol import (
    STATUS_METHOD,
    TOKEN_ADOPT_METHOD,
    TOKEN_EXPORT_METHOD,
    TokenAdoptParams,
    TokenHandover,
    WorkerStatusResult,
    error_result,
)
from shared.redaction import QUOTE_MAX_CHARS, clip, quoted, redact, redact_data
from shared.settings import Settings
from shared.worker_env import WARM_TOKEN_ENV
from worker.arguments import INTEGER_MAX, check_arguments, object_id
from worker.client import OvalEdgeClient
from worker.errors import InvalidArguments, OvalEdgeError
from worker.flows import FlowMemory
from worker.gate import Gate
from worker.mcp_server import SurfaceHandlers, initialization_options
from worker.notes import collecting, merged
from worker.registry import ToolContext
from worker.shaping import add_links, fit_to_budget
from worker.stdio import stdio_streams
from worker.surface import REGISTRY, SURFACE
from worker.tokens import TokenManager
from worker.transport import Transport, build_http_client

log = logging.getLogger("oe-mcp-worker")


def json_result(data: dict[str, Any]) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(data, ensure_ascii=False))],
        structured_content=data,
    )


class WorkerApp(SurfaceHandlers):
    surface = SURFACE

    def __init__(self, settings: Settings, http: httpx2.AsyncClient):
        self.settings = settings
        transport = Transport(settings, http)
        self.tokens = TokenManager(settings, transport)
        self.client = OvalEdgeClient(settings, transport, self.tokens)
        self.flows = FlowMemory()
        self.context = ToolContext(api=self.client, settings=settings, gate=Gate.from_environment(),
                                   flows=self.flows)

    async def warm_token(self) -> None:
        """Exchange once at start so the first call is fast; a failure is only reported."""
        try:
            await self.tokens.get()
        except OvalEdgeError:
            pass  # logged by the token manager; tool calls will carry the error

    # -- MCP handlers -------------------------------------------------------------------------
    async def call_tool(
        self, ctx: ServerRequestContext, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        name, arguments = params.name, params.arguments or {}
        tool = REGISTRY.tools.get(name)
        if tool is None:
            return error_result(SURFACE.not_served(name))
        try:
            with collecting() as notes:
                args = check_arguments(tool.validator, arguments, tool.aliases)
                await ctx.session.report_progress(0, 1, f"{name}: asking OvalEdge")
                data = await tool.handler(self.context, args)
        except trio.Cancelled:
            log.info("%s cancelled by the client", name)
            raise
        except InvalidArguments as exc:
            return error_result(f"Invalid arguments for {name}: {exc}", 400, **exc.details)
        except OvalEdgeError as exc:
            return error_result(f"{name} failed. {exc.text}", exc.status)
        except Exception as exc:  # a bug must not cost the connection, nor leak a traceback
            log.exception("unexpected failure in %s", name)
            return error_result(f"{name} failed unexpectedly ({type(exc).__name__}); see the "
                                "server log. The connection is fine; other tools still work.")
        await ctx.session.report_progress(1, 1, f"{name}: done")
        if not isinstance(data, dict):
            data = {"items": data}
        data = merged(data, notes)
        data = redact_data(data)  # here, where the secrets are known: the front relays as is
        add_links(data, self.settings.link_base_url)
        shaped = fit_to_budget(data, self.settings.oe_mcp_response_budget_bytes,
                               more_hint=tool.more_hint)
        return json_result(shaped)

    async def read_resource(
        self, ctx: ServerRequestContext, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        document = SURFACE.read_document(uri)
        if document is not None:
            return document
        found = REGISTRY.match_resource(uri)
        if found is None:
            known = ", ".join([f"{t.prefix}<id>" for t in REGISTRY.resource_templates.values()]
                              + list(REGISTRY.documents))
            raise MCPError(types.INVALID_PARAMS, f"unknown resource {quoted(uri)}; use {known}")
        template, raw_id = found
        number = object_id(raw_id)
        if number is None:
            raise MCPError(types.INVALID_PARAMS,
                           f"object id {quoted(raw_id)} in {clip(uri, QUOTE_MAX_CHARS)} is not a "
                           f"positive number (a whole number from 1 to {INTEGER_MAX})")
        try:
            data = await template.read(self.context, number)
        except OvalEdgeError as exc:
            raise MCPError(types.INTERNAL_ERROR, redact(f"reading {uri} failed. {exc.text}")) from None
        if not isinstance(data, dict):
            data = {"items": data}
        data = redact_data(data)
        add_links(data, self.settings.link_base_url)
        data = fit_to_budget(data, self.settings.oe_mcp_response_budget_bytes,
                             more_hint="open the asset's redirectUrl in OvalEdge")
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=uri, text=json.dumps(data, ensure_ascii=False), mime_type=template.mime_type,
        )])

    async def status(self, ctx: ServerRequestContext, params: Any) -> WorkerStatusResult:
        return WorkerStatusResult(
            pid=os.getpid(), token=self.tokens.snapshot().as_dict(), routes=self.client.routes.snapshot(),
        )

    async def token_export(self, ctx: ServerRequestContext, params: Any) -> TokenHandover:
        """Hand our JWT and the guided flows in progress to a successor worker (graceful
        recycle), so it need not exchange and no flow loses its place."""
        return TokenHandover(jwt=self.tokens.export(), flows=self.flows.export())

    async def token_adopt(self, ctx: ServerRequestContext, params: TokenAdoptParams) -> types.EmptyResult:
        if params.jwt:
            self.tokens.adopt(params.jwt)
        self.flows.adopt(params.flows)
        return types.EmptyResult()

    def build_server(self) -> Server:
        server = self.new_server(on_call_tool=self.call_tool, on_read_resource=self.read_resource)
        server.add_request_handler(STATUS_METHOD, types.RequestParams, self.status)
        server.add_request_handler(TOKEN_EXPORT_METHOD, types.RequestParams, self.token_export)
        server.add_request_handler(TOKEN_ADOPT_METHOD, TokenAdoptParams, self.token_adopt)
        return server



async def serve_stdio(settings: Settings) -> None:
    async with build_http_client(settings) as http:
        app = WorkerApp(settings, http)
        log.info("OvalEdge API routes: OVALEDGE_API_ROUTES=%s", settings.ovaledge_api_routes)
        server = app.build_server()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(exit_when_supervisor_dies)
            if os.environ.get(WARM_TOKEN_ENV, "1") != "0":
                nursery.start_soon(app.warm_token)
            async with stdio_streams() as (read, write):
                await server.run(read, write, initialization_options(server))
            nursery.cancel_scope.cancel()  # stdin closed: the client (or supervisor) is gone
