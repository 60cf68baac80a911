"""The supervisor's run: the MCP session on stdio, the workers, the status socket, until the
client goes (or Ctrl-C). Started by `supervisor.cli.main` once the first worker is on its way."""

from __future__ import annotations

import logging
import signal
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import trio

from supervisor.cli import EXIT_INTERRUPTED, worker_env
from supervisor.spawn import EarlyWorker, start_first_worker

if TYPE_CHECKING:
    from supervisor.spawn import EarlyHost

log = logging.getLogger("oe-mcp-local")


async def run_supervisor(demo: bool, env: dict[str, str] | None,
                         first: EarlyWorker | EarlyHost | None) -> int:
    """Serve until the client closes stdin (exit 0) or Ctrl-C (SIGINT, exit 130, quietly); the
    workers are stopped politely either way. SIGINT is received from the start, so it never
    arrives as a KeyboardInterrupt in the middle of something."""
    serving = trio.CancelScope()
    with trio.open_signal_receiver(signal.SIGINT) as interrupts:
        await _serve(demo, env, first, serving, interrupts)
    return EXIT_INTERRUPTED if serving.cancel_called else 0


async def _stop_serving_on_interrupt(interrupts: Any, serving: trio.CancelScope) -> None:
    async for _ in interrupts:
        log.info("interrupted (SIGINT): stopping the workers, then exiting")
        serving.cancel()
        return


async def _serve(demo: bool, env: dict[str, str] | None, first: EarlyWorker | EarlyHost | None,
                 serving: trio.CancelScope, interrupts: Any) -> None:
    async with AsyncExitStack() as stack:
        overrides: dict[str, Any] = {}
        if demo:  # the sandbox runs as a child process of ours, never inside this one
            from shared.sandbox_process import sandbox_child

            overrides = await stack.enter_async_context(sandbox_child())
            env = worker_env(overrides)
            if first is None:  # (no fork host) its settings are the sandbox's: only now
                first = start_first_worker(env)
        if first is not None:
            first.adopt()

        from shared.framing import stdio_stream
        from shared.surface import Surface
        from supervisor.backend import Backend
        from supervisor.front import ClientWire, Front
        from supervisor.reporting import Reporter

        surface = Surface.load()
        reporter = Reporter()
        demo_status = {"demo": {"sandbox_url": overrides["ovaledge_base_url"]}} if demo else {}
        stdio = await stack.enter_async_context(stdio_stream())
        async with trio.open_nursery() as nursery:
            backend = Backend(nursery, surface, reporter, env, overrides, first=first,
                              status_extra=demo_status)
            front = Front(surface, backend, ClientWire(stdio))
            backend.forward = front.from_worker  # what workers send besides answers
            reporter.notify = front.notify  # reports reach the client as MCP log notifications
            nursery.start_soon(_stop_serving_on_interrupt, interrupts, serving)
            nursery.start_soon(backend.start, front.greeted)
            with serving:
                async with trio.open_nursery() as calls:
                    await front.serve(stdio, calls)
                    calls.cancel_scope.cancel()  # the client is gone: nobody awaits these
            # stdin closed (the client is gone) or SIGINT. Stop the workers, then everything else.
            await backend.shutdown()
            nursery.cancel_scope.cancel()
