"""The worker's SDK `Server`: our identity, the list handlers answered from the surface data
alone (the same data the supervisor's front answers from), and its error answers, through
`plain_errors`."""

from __future__ import annotations

import logging
from typing import Any

import mcp.types as types
from mcp import MCPError
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.server.context import CallNext
from pydantic import ValidationError

from shared import __version__
from shared.redaction import clip, quoted
from shared.surface import PromptArgumentsError, Surface

log = logging.getLogger("oe-mcp")

# The SDK's words, and only its words, for a request that comes before `initialize`.
SDK_NOT_INITIALIZED = "Invalid request parameters"
NOT_INITIALIZED = ("Not initialized: send initialize (then notifications/initialized) before "
                   "any other request")
INTERNAL_ERROR = ("Internal error: the server failed to handle this {method} request; the "
                  "details are in its log (stderr). The connection is fine; other requests work.")
ERROR_MESSAGE_MAX_CHARS = 2_000
ERROR_DATA_MAX_CHARS = 200


async def plain_errors(ctx: ServerRequestContext, call_next: CallNext) -> Any:
    """Server middleware around every request. An unexpected exception becomes a JSON-RPC
    internal error with a neutral sentence, its traceback only on stderr (the SDK would send
    error code 0 with the exception's own text); a request before `initialize` is told so; and
    no error answer quotes more than a short, redacted part of what it was sent."""
    try:
        return await call_next(ctx)
    except MCPError as exc:
        error = exc.error
        if error.code == types.INVALID_PARAMS and error.message == SDK_NOT_INITIALIZED \
                and error.data == "":
            raise MCPError(types.INVALID_PARAMS, NOT_INITIALIZED) from None
        data = clip(error.data, ERROR_DATA_MAX_CHARS) if isinstance(error.data, str) else error.data
        raise MCPError(error.code, clip(error.message, ERROR_MESSAGE_MAX_CHARS), data) from None
    except ValidationError:
        raise  # bad params: the SDK answers -32602 without pydantic's text
    except Exception:
        log.exception("internal error handling a %s request", ctx.method)
        raise MCPError(types.INTERNAL_ERROR, INTERNAL_ERROR.format(method=ctx.method)) from None


class SurfaceHandlers:
    """MCP handlers answered from `self.surface` alone."""

    surface: Surface

    async def list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return self.surface.tools_result

    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        return self.surface.resources_result

    async def list_resource_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return self.surface.resource_templates_result

    async def list_prompts(self, ctx: Any, params: Any) -> types.ListPromptsResult:
        return self.surface.prompts_result

    async def get_prompt(self, ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
        try:
            return self.surface.get_prompt(params.name, params.arguments)
        except KeyError:
            raise MCPError(types.INVALID_PARAMS, f"unknown prompt {quoted(params.name)}; available: "
                           f"{', '.join(self.surface.prompt_names)}") from None
        except PromptArgumentsError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None

    def new_server(self, **handlers: Any) -> Server:
        """A low-level MCP `Server` with our identity, the handlers above and `handlers`."""
        server = Server(
            self.surface.name,
            version=__version__,
            instructions=self.surface.instructions,
            on_list_tools=self.list_tools,
            on_list_resources=self.list_resources,
            on_list_resource_templates=self.list_resource_templates,
            on_list_prompts=self.list_prompts,
            on_get_prompt=self.get_prompt,
            **handlers,
        )
        server.middleware.append(plain_errors)
        return server


def initialization_options(server: Server) -> Any:
    """What both servers announce in `initialize` (no list-changed: the surface is fixed)."""
    return server.create_initialization_options(NotificationOptions())
