"""Serving the sandbox on 127.0.0.1 with Hypercorn's trio worker, in-process or from the CLI."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import trio
from hypercorn.config import Config
from hypercorn.trio import serve

from sandbox.app import CONTEXT_PATH, build_app
from sandbox.catalog import Catalog
from sandbox.sample_governance import DISABLED_GOVERNANCE_ROLES
from sandbox.state import API_MODES, DEMO_USER_SECRET, DEMO_USER_TOKEN, SandboxState
from shared.lifeline import exit_when_supervisor_dies

HOST = "127.0.0.1"  # never another interface


@dataclass
class Sandbox:
    base_url: str  # e.g. "http://127.0.0.1:54321/ovaledge"
    state: SandboxState

    @property
    def root_url(self) -> str:
        """Scheme, host and port only; the control endpoints live at `<root_url>/__sandbox/...`."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 0


def _config(port: int) -> Config:
    config = Config()
    config.bind = [f"{HOST}:{port}"]
    config.accesslog = None
    config.errorlog = None
    config.include_server_header = False
    config.graceful_timeout = 1.0
    return config


@asynccontextmanager
async def open_sandbox(
    *,
    port: int = 0,
    jwt_lifetime_seconds: float = 3600,
    latency_seconds: float = 0.0,
    credentials: dict[str, str] | None = None,
    api: str = "both",
    tag_security_mode: str = "SECURE",
    disabled_governance_roles: Sequence[str] = DISABLED_GOVERNANCE_ROLES,
    wide_lineage: bool = False,
) -> AsyncIterator[Sandbox]:
    """Serve a fresh sandbox inside the caller's trio run; yields once it is listening.

    `api` picks the OvalEdge generation it imitates (`API_MODES`): both route generations, only
    the current routes, or only the first-generation ones (legacy). `tag_security_mode`
    (`TAG_SECURITY_MODES`) and `disabled_governance_roles` are the
    OvalEdge settings the governed writes follow. `wide_lineage` adds the clickstream sample
    (`sandbox.sample_lineage`: a lineage of 55 assets around silver.web_sessions).
    """
    if api not in API_MODES:
        raise ValueError(f"api must be one of {API_MODES}, not {api!r}")
    state = SandboxState(
        jwt_lifetime_seconds=jwt_lifetime_seconds,
        latency_seconds=latency_seconds,
        api=api,
        tag_security_mode=tag_security_mode,
        disabled_governance_roles=list(disabled_governance_roles),
        catalog=Catalog(wide_lineage=wide_lineage),
    )
    if credentials is not None:
        state.credentials = dict(credentials)
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        binds = await nursery.start(
            partial(serve, build_app(state), _config(port), shutdown_trigger=stop.wait)
        )
        try:
            yield Sandbox(base_url=binds[0].rstrip("/") + CONTEXT_PATH, state=state)
        finally:
            state.stopping.set()  # cut fault delays short so shutdown is quick
            stop.set()


def demo_settings(sandbox: Sandbox) -> dict[str, str]:
    """The settings that point an oe-mcp process at this sandbox (what `--demo` uses)."""
    return {
        "OVALEDGE_BASE_URL": sandbox.base_url,
        "OVALEDGE_USER_TOKEN": DEMO_USER_TOKEN,
        "OVALEDGE_USER_SECRET": DEMO_USER_SECRET,
    }


async def _until_stdin_closes() -> None:
    stdin = trio.lowlevel.FdStream(os.dup(0))
    try:
        while await stdin.receive_some(4096):
            pass
    finally:
        await stdin.aclose()


async def _serve_until_signalled(args: argparse.Namespace) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with open_sandbox(
            port=args.port,
            jwt_lifetime_seconds=args.jwt_lifetime,
            latency_seconds=args.latency,
            api=args.api,
            wide_lineage=args.wide_lineage,
        ) as sandbox:
            for name, value in demo_settings(sandbox).items():
                print(f"{name}={value}", flush=True)
            async with trio.open_nursery() as nursery:
                if args.child:  # run by `--demo` (shared/sandbox_process.py): end with the parent
                    nursery.start_soon(exit_when_supervisor_dies)
                    nursery.start_soon(_first_then_cancel, nursery, _until_stdin_closes)
                async for _ in signals:
                    break
                nursery.cancel_scope.cancel()


async def _first_then_cancel(nursery: trio.Nursery, wait) -> None:
    await wait()
    nursery.cancel_scope.cancel()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oe-mcp-sandbox",
        description="Run the sandbox OvalEdge API on 127.0.0.1 (sample catalog, demo "
        "credentials) until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: a free one)")
    parser.add_argument(
        "--jwt-lifetime", type=float, default=3600.0, help="seconds each JWT stays valid"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every API response"
    )
    parser.add_argument(
        "--api",
        choices=API_MODES,
        default="both",
        help="MCP API routes to serve: both generations (default), only the current routes, "
        "or only the first-generation ones (legacy)",
    )
    parser.add_argument(
        "--wide-lineage", action="store_true",
        help="add the clickstream sample, whose lineage holds 55 assets (sandbox/sample_lineage.py)",
    )
    parser.add_argument(
        "--child", action="store_true",
        help="stop when stdin closes or the parent process exits (how --demo runs it)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.port < 0 or args.jwt_lifetime < 0 or args.latency < 0:
        print("oe-mcp-sandbox: --port, --jwt-lifetime and --latency must be >= 0", file=sys.stderr)
        return 2
    try:
        trio.run(_serve_until_signalled, args)
    except OSError as exc:
        print(f"oe-mcp-sandbox: cannot listen on {HOST}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0
