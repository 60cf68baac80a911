"""The MCP server the client talks to: the surface from shared data, calls to the relay.

`initialize` and every list call are answered here at once, whatever state the worker is in.
"""

from __future__ import annotations

import warnings
from typing import Any

import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.session import ServerSession
from mcp.shared.exceptions import MCPDeprecationWarning

from shared.mcp_server import SurfaceHandlers
from shared.protocol import error_result
from shared.surface import Surface
from supervisor.relay import Relay

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class Front(SurfaceHandlers):
    def __init__(self, surface: Surface, relay: Relay):
        self.surface = surface
        self.relay = relay
        self.session: ServerSession | None = None
        self.min_level = "info"

    def _remember(self, ctx: ServerRequestContext) -> None:
        self.session = ctx.session

    async def notify(self, level: str, message: str) -> None:
        """An MCP log notification to the client (if it is connected and wants this level)."""
        if self.session is None or LOG_LEVELS.index(level) < LOG_LEVELS.index(self.min_level):
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await self.session.send_log_message(level, message, logger="oe-mcp-local")

    # -- handlers ----------------------------------------------------------------------------
    async def on_initialized(self, ctx: ServerRequestContext, params: Any) -> None:
        self._remember(ctx)

    async def set_level(self, ctx: ServerRequestContext, params: types.SetLevelRequestParams):
        self._remember(ctx)
        self.min_level = params.level
        return types.EmptyResult()

    async def list_tools(self, ctx: ServerRequestContext, params: Any) -> types.ListToolsResult:
        self._remember(ctx)
        return await super().list_tools(ctx, params)

    async def call_tool(self, ctx: ServerRequestContext, params: types.CallToolRequestParams):
        self._remember(ctx)
        if params.name not in self.surface.tool_names:
            return error_result(self.surface.not_served(params.name))
        progress = None
        token = ctx.meta.get("progress_token") if ctx.meta else None
        if token is not None:
            async def progress(value: float, total: float | None, message: str | None) -> None:
                await ctx.session.report_progress(value, total, message)
        return await self.relay.call_tool(params.name, params.arguments, progress)

    async def read_resource(self, ctx: ServerRequestContext, params: types.ReadResourceRequestParams):
        self._remember(ctx)
        document = self.surface.read_document(str(params.uri))  # static: no worker needed
        if document is not None:
            return document
        return await self.relay.read_resource(str(params.uri))

    def build_server(self) -> Server:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            server = self.new_server(
                on_call_tool=self.call_tool,
                on_read_resource=self.read_resource,
                on_set_logging_level=self.set_level,
            )
        server.add_notification_handler(
            "notifications/initialized", types.NotificationParams, self.on_initialized
        )
        return server

