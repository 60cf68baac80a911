"""Forwarding `tools/call` and `resources/read` to a ready worker, within the call deadline
(OE_MCP_CALL_TIMEOUT_SECONDS), and counting the calls for the status document.

A call goes to the worker with its params as the client sent them, under an id of ours; the
worker's answer comes back as the bytes it wrote (`Reply`), which the front passes on with the
client's id. A call caught in a worker that dies is replayed once on the next worker when it
cannot write (`Surface.may_write`); one that may write gets an "outcome unknown" error: never a
duplicate write. Cancelling a call (the client's `notifications/cancelled`, or the deadline)
cancels it in the worker too.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
import trio

from shared.protocol import error_result
from shared.redaction import redact
from shared.surface import Surface
from supervisor.pool import WorkerPool, WorkerUnavailable
from supervisor.reporting import Report
from supervisor.worker_link import Reply


class Relay:
    def __init__(self, pool: WorkerPool, surface: Surface, call_timeout: float, report: Report):
        self.pool = pool
        self.surface = surface
        self.call_timeout = call_timeout
        self.report = report
        self.calls = {"in_flight": 0, "total": 0, "failed": 0, "replayed": 0, "timed_out": 0}

    async def call_tool(self, params: dict[str, Any]) -> Reply | types.CallToolResult:
        """`params` are a valid `tools/call`'s, naming a tool we serve."""
        self.calls["total"] += 1
        self.calls["in_flight"] += 1
        answer: Reply | types.CallToolResult | None = None
        try:
            answer = await self._forward_call(params)
            return answer
        finally:
            self.calls["in_flight"] -= 1
            if answer is None or _failed(answer):
                self.calls["failed"] += 1

    async def _forward_call(self, params: dict[str, Any]) -> Reply | types.CallToolResult:
        name, arguments = params["name"], params.get("arguments")
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
                ok, reply = await worker.request("tools/call", params)
                if ok and reply is not None:
                    worker.calls_served += 1
                    self.pool.call_answered()
                    self.pool.recycle_if_due(worker)
                    return reply
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

    async def read_resource(self, params: dict[str, Any]) -> Reply | types.ErrorData:
        uri = params["uri"]
        timeout = self.call_timeout
        with trio.move_on_after(timeout):
            for _ in range(2):  # resources are reads: replay once
                try:
                    worker = await self.pool.ready_worker()
                except WorkerUnavailable as exc:
                    return types.ErrorData(code=types.INTERNAL_ERROR, message=redact(str(exc)))
                ok, reply = await worker.request("resources/read", params)
                if ok and reply is not None:
                    return reply
            return types.ErrorData(code=types.INTERNAL_ERROR, message=(
                f"reading {uri} failed: the worker stopped twice while reading it; retry"))
        return types.ErrorData(code=types.INTERNAL_ERROR,
                               message=f"reading {uri} got no answer within {timeout:g} s")


def _failed(answer: Reply | types.CallToolResult) -> bool:
    if isinstance(answer, Reply):
        return answer.failed
    return bool(answer.is_error)
