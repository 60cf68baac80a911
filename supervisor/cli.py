"""`oe-mcp-local`: the command an MCP client launches (the supervisor), and `check`."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
from contextlib import AsyncExitStack
from typing import Any

import trio

from shared import __version__
from shared.processes import run_main
from shared.redaction import configure_logging, register_secret
from shared.worker_env import CONFIRM_KEY_ENV

EXIT_INTERRUPTED = 130  # what shells report for a command ended by Ctrl-C (128 + SIGINT)
log = logging.getLogger("oe-mcp-local")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oe-mcp-local",
        description="OvalEdge local MCP server (stdio). 'oe-mcp-local check' diagnoses the setup.",
    )
    parser.add_argument("command", nargs="?", choices=["check"],
                        help="check: validate settings, exchange the token, probe the API")
    parser.add_argument("--demo", action="store_true",
                        help="use the embedded sandbox OvalEdge (sample catalog, no credentials)")
    parser.add_argument("--version", action="version", version=f"oe-mcp-local {__version__}")
    return parser


def worker_env(overrides: dict[str, Any]) -> dict[str, str]:
    """The workers' environment: ours, the demo settings when there are any, and this run's key
    for governed-write confirmation tokens (so a preview outlives a worker crash or recycle)."""
    env = dict(os.environ)
    for key, value in overrides.items():
        env[key.upper()] = str(value)
    key = secrets.token_hex(32)
    register_secret(key)
    env[CONFIRM_KEY_ENV] = key
    return env


async def run_supervisor(demo: bool) -> int:
    """Serve until the client closes stdin (exit 0) or Ctrl-C (SIGINT, exit 130, quietly); the
    workers are stopped politely either way. SIGINT is received from the start, so it never
    arrives as a KeyboardInterrupt in the middle of something."""
    serving = trio.CancelScope()
    with trio.open_signal_receiver(signal.SIGINT) as interrupts:
        await _serve(demo, serving, interrupts)
    return EXIT_INTERRUPTED if serving.cancel_called else 0


async def _stop_serving_on_interrupt(interrupts: Any, serving: trio.CancelScope) -> None:
    async for _ in interrupts:
        log.info("interrupted (SIGINT): stopping the workers, then exiting")
        serving.cancel()
        return


async def _serve(demo: bool, serving: trio.CancelScope, interrupts: Any) -> None:
    async with AsyncExitStack() as stack:
        overrides: dict[str, Any] = {}
        if demo:  # the sandbox runs as a child process of ours, never inside this one
            from shared.sandbox_process import sandbox_child

            overrides = await stack.enter_async_context(sandbox_child())
        env = worker_env(overrides)
        # The first worker starts now, so that its cold start (the SDK, httpx, its JWT)
        # overlaps ours; the front answers the handshake meanwhile.
        from supervisor.spawn import spawn_first_worker

        first = await spawn_first_worker(env)

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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check":
        # The doctor is worker code (it owns the HTTP client); run it as its own program.
        command = [sys.executable, "-m", "worker.check", *(["--demo"] if args.demo else [])]
        os.execv(sys.executable, command)
    configure_logging("oe-mcp-local")
    return run_main("oe-mcp-local", run_supervisor, args.demo)


if __name__ == "__main__":
    sys.exit(main())
