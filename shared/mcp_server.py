"""One place builds the SDK's low-level MCP `Server` with our identity and the list handlers
answered from the surface data alone, for the supervisor's front and for the worker."""

from __future__ import annotations

from typing import Any

import mcp.types as types
from mcp import MCPError
from mcp.server import NotificationOptions, Server

from shared import __version__
from shared.surface import PromptArgumentsError, Surface


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
            raise MCPError(types.INVALID_PARAMS, f"unknown prompt {params.name!r}; available: "
                           f"{', '.join(self.surface.prompt_names)}") from None
        except PromptArgumentsError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None

    def new_server(self, **handlers: Any) -> Server:
        """A low-level MCP `Server` with our identity, the handlers above and `handlers`."""
        return Server(
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


def initialization_options(server: Server) -> Any:
    """What both servers announce in `initialize` (no list-changed: the surface is fixed)."""
    return server.create_initialization_options(NotificationOptions())
