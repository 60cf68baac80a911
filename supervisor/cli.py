"""`oe-mcp-local`: the command an MCP client launches (the supervisor), and `check`."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
import warnings
from contextlib import AsyncExitStack
from typing import Any

import trio

from shared import __version__
from shared.processes import run_main
from shared.protocol import CONFIRM_KEY_ENV
from shared.redaction import configure_logging, register_secret
from shared.settings import Settings, load_settings

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
    from shared.mcp_server import initialization_options
    from shared.protocol import stdio_streams
    from shared.surface import Surface
    from supervisor.front import Front
    from supervisor.malformed import answer_malformed
    from supervisor.pool import WorkerPool
    from supervisor.relay import Relay
    from supervisor.reporting import Reporter
    from supervisor.status import SupervisorStatus
    from supervisor.status_socket import serve_status

    async with AsyncExitStack() as stack:
        overrides: dict[str, Any] = {}
        if demo:  # the sandbox runs as a child process of ours, never inside this one
            from shared.sandbox_process import sandbox_child

            overrides = await stack.enter_async_context(sandbox_child())
        settings: Settings = load_settings(**overrides)
        surface = Surface.load()
        reporter = Reporter()
        pool = WorkerPool(settings, [sys.executable, "-m", "worker.cli"], worker_env(overrides),
                          reporter.report)
        relay = Relay(pool, surface, settings.oe_mcp_call_timeout_seconds, reporter.report)
        demo_status = {"demo": {"sandbox_url": overrides["ovaledge_base_url"]}} if demo else {}
        status = SupervisorStatus(pool, relay, demo_status)
        front = Front(surface, relay)
        reporter.notify = front.notify  # reports reach the client as MCP log notifications
        server = front.build_server()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_stop_serving_on_interrupt, interrupts, serving)
            await nursery.start(pool.run)
            # Listening before we serve; it cannot fail: without it we serve, and say so.
            await nursery.start(serve_status, status, pool, settings.oe_mcp_status_socket)
            with serving:
                async with stdio_streams() as (read, write):
                    async with answer_malformed(read, write) as screened:
                        await server.run(screened, write, initialization_options(server))
            # stdin closed (the client is gone) or SIGINT. Stop the workers, then everything else.
            await pool.shutdown()
            nursery.cancel_scope.cancel()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check":
        # The doctor is worker code (it owns the HTTP client); run it as its own program.
        command = [sys.executable, "-m", "worker.check", *(["--demo"] if args.demo else [])]
        os.execv(sys.executable, command)
    configure_logging("oe-mcp-local")
    warnings.filterwarnings("ignore", module="mcp")
    return run_main("oe-mcp-local", run_supervisor, args.demo)


if __name__ == "__main__":
    sys.exit(main())
