"""The MCP servers' error answers (worker/mcp_server.py `plain_errors`), over the SDK's own
in-memory transport: an unexpected exception in a handler becomes a JSON-RPC internal error with
a neutral sentence, its traceback only in the log (docs/security.md, item 6)."""

from __future__ import annotations

import logging

import mcp.types as types
import pytest
import trio
from mcp import ClientSession, MCPError
from mcp.shared.memory import create_client_server_memory_streams

from shared.surface import Surface
from worker.mcp_server import SurfaceHandlers, initialization_options


class Broken(SurfaceHandlers):
    surface = Surface.load()

    async def read_resource(self, ctx, params):
        raise ValueError("invalid literal for int() with base 10: '²' (raw Python text)")


async def test_an_unexpected_exception_is_a_neutral_internal_error(caplog):
    caplog.set_level(logging.ERROR)
    server = Broken().new_server(on_read_resource=Broken().read_resource)
    async with create_client_server_memory_streams() as (client_streams, server_streams):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(server.run, *server_streams, initialization_options(server))
            async with ClientSession(*client_streams) as session:
                await session.initialize()
                with pytest.raises(MCPError) as raised:
                    await session.read_resource("ovaledge://catalog/table/1")
                tools = await session.list_tools()  # the connection serves on
            nursery.cancel_scope.cancel()
    assert raised.value.error.code == types.INTERNAL_ERROR
    assert "Internal error" in raised.value.error.message
    assert "invalid literal" not in raised.value.error.message
    assert "invalid literal" in caplog.text and "Traceback" in caplog.text
    assert tools.tools
