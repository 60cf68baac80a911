"""Forwarding `tools/call` and `resources/read` to a ready worker, within the call deadline
(OE_MCP_CALL_TIMEOUT_SECONDS), and counting the calls for the status document.

A call caught in a worker that dies is replayed once on the next worker when it cannot write
(`Surface.may_write`); one that may write gets an "outcome unknown" error: never a duplicate
write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mcp.types as types
import trio
from mcp import MCPError

from shared.protocol import error_result
from shared.redaction import redact
from shared.surface import Surface
from supervisor.pool import WorkerPool, WorkerUnavailable
from supervisor.reporting import Report

Progress = Callable[[float, float | None, str | None], Awaitable[None]]  # (value, total, message)


class Relay:
    def __init__(self, pool: WorkerPool, surface: Surface, call_timeout: float, report: Report):
        self.pool = pool
        self.surface = surface
        self.call_timeout = call_timeout
        self.report = report
        self.calls = {"in_flight": 0, "total": 0, "failed": 0, "replayed": 0, "timed_out": 0}

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None, progress: Progress | None = None
    ) -> types.CallToolResult:
        self.calls["total"] += 1
        self.calls["in_flight"] += 1
        result = None
        try:
            result = await self._forward_call(name, arguments, progress)
            return result
        finally:
            self.calls["in_flight"] -= 1
            if result is None or result.is_error:
                self.calls["failed"] += 1

    async def _forward_call(self, name, arguments, progress) -> types.CallToolResult:
        timeout = self.call_timeout
        replayable = not self.surface.may_write(name, arguments)
        attempts = 0
        with trio.move_on_after(timeout) as deadline:
            while True:
                try:
                    worker = await self.pool.ready_worker()
                except WorkerUnavailable as exc:
                    return error_result(str(exc))
                attempts += 1
                ok, result = await worker.request(
                    lambda s: s.call_tool(name, arguments, progress_callback=progress)
                )
                if ok:
                    worker.calls_served += 1
                    self.pool.recycle_if_due(worker)
                    return result
                if replayable and attempts == 1:
                    self.calls["replayed"] += 1
                    await self.report("warning", f"Worker {worker.pid} stopped during {name}; "
                                      "replaying the read-only call on a new worker.")
                    continue
                what = "replayed once and lost again" if replayable else "not replayed (it may write)"
                return error_result(
                    f"{name}: the worker stopped while the call was running, so its outcome is "
                    f"unknown; it was {what}. "
                    + (f"Check in OvalEdge whether the change to {self.surface.subject_of(name, arguments)} "
                       "was applied before retrying." if not replayable else "Retry the call.")
                )
        assert deadline.cancelled_caught
        self.calls["timed_out"] += 1
        return error_result(
            f"{name} got no answer within {timeout:g} s (OE_MCP_CALL_TIMEOUT_SECONDS) and was "
            "cancelled in the worker. OvalEdge may be slow: narrow the request or retry later."
            + ("" if replayable else f" It may write: check in OvalEdge whether the change to "
               f"{self.surface.subject_of(name, arguments)} was applied.")
        )

    async def read_resource(self, uri: str) -> types.ReadResourceResult:
        timeout = self.call_timeout
        with trio.move_on_after(timeout):
            for _ in range(2):  # resources are reads: replay once
                try:
                    worker = await self.pool.ready_worker()
                except WorkerUnavailable as exc:
                    raise MCPError(types.INTERNAL_ERROR, redact(str(exc))) from None
                ok, result = await worker.request(lambda s: s.read_resource(uri))
                if ok:
                    return result
            raise MCPError(types.INTERNAL_ERROR,
                           f"reading {uri} failed: the worker stopped twice while reading it; retry")
        raise MCPError(types.INTERNAL_ERROR, f"reading {uri} got no answer within {timeout:g} s")
