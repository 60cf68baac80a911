"""`oe-mcp-local check` / `oe-mcp-check`: is this setup able to talk to OvalEdge?

Three steps, each with a verdict and the fix: settings, token exchange, one read call.
Exit 0 only when all pass (1 when OvalEdge fails, 2 when settings are wrong). Never prints a
token, secret or JWT.
"""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import AsyncExitStack
from typing import Any

import trio

from shared.redaction import configure_logging, redact
from shared.sandbox_process import SandboxStartError
from shared.settings import SettingsError, load_settings
from shared.version_flag import VersionFlag
from worker import routes
from worker.client import OvalEdgeClient
from worker.errors import OvalEdgeError
from worker.flows import FlowMemory
from worker.gate import Gate
from worker.registry import ToolContext
from worker.tokens import TokenManager
from worker.tools.explorer import asset_explorer, explorer_route
from worker.transport import Transport, build_http_client


def _line(ok: bool, step: str, detail: str) -> str:
    return redact(f"[{' ok ' if ok else 'FAIL'}] {step}: {detail}")


async def _check(demo: bool, out: list[str]) -> int:
    async with AsyncExitStack() as stack:
        overrides: dict[str, Any] = {}
        if demo:
            from shared.sandbox_process import sandbox_child

            overrides = await stack.enter_async_context(sandbox_child())
        try:
            settings = load_settings(**overrides)
        except SettingsError as exc:
            out.extend(_line(False, "settings", problem) for problem in exc.problems)
            return 2
        base = settings.ovaledge_base_url
        out.append(_line(True, "settings", f"AUTH_MODE=local, OVALEDGE_BASE_URL={base}"))
        http = await stack.enter_async_context(build_http_client(settings))
        transport = Transport(settings, http)
        tokens = TokenManager(settings, transport)
        try:
            await tokens.get()
        except OvalEdgeError as exc:
            out.append(_line(False, f"token exchange ({exc.kind})", exc.text))
            return 1
        expires = tokens.snapshot().expires_in_seconds
        valid_for = f"valid for {expires / 60:.0f} min" if expires is not None else "no expiry claim"
        how = "adopted from the shared token cache" if tokens.exchanges == 0 else "exchanged"
        out.append(_line(True, "token exchange", f"got a JWT, {how} ({valid_for}); token cache: "
                                                 f"{_cache_detail(tokens.shared_state())}"))
        client = OvalEdgeClient(settings, transport, tokens)
        try:  # the search every session starts with, through the route generation in effect
            context = ToolContext(client, settings, Gate.from_environment(), FlowMemory())
            answer = await asset_explorer(context, {"page": 1, "limit": 1})
        except OvalEdgeError as exc:
            out.append(_line(False, f"catalog read ({exc.kind})", exc.text))
            return 1
        total = answer["data"].get("total")
        used = client.routes.snapshot()
        route = routes.SEARCH_CATALOG if used["first_generation_for"] or used["setting"] == "legacy" \
            else explorer_route(client)
        detail = f"{route} answered" + (f" ({total} assets visible)" if total is not None else "")
        out.append(_line(True, "catalog read", detail))
        out.append(_line(True, "API routes", f"OVALEDGE_API_ROUTES={used['setting']}: "
                                             f"{used['generation']} OvalEdge MCP routes"))
        return 0


def _cache_detail(shared: dict[str, Any]) -> str:
    if not shared["in_use"]:
        return (f"not shared ({shared['why_not']}): this process keeps its own JWT, and other "
                "processes with the same credentials cancel each other's")
    last = (f"last exchange {shared['last_exchange_at']} by process {shared['last_exchange_pid']}"
            if shared["last_exchange_at"] else "no exchange yet")
    return (f"shared with this user's other oe-mcp-local processes ({shared['processes']} use "
            f"these credentials now) in {shared['directory']}, encrypted; {last}")


def run_check(*, demo: bool = False) -> int:
    configure_logging("oe-mcp-check", logging.ERROR)  # the verdict lines say it all
    out: list[str] = []
    try:
        code = trio.run(_check, demo, out)
    except SandboxStartError as exc:
        out.append(_line(False, "demo sandbox", str(exc)))
        code = 1
    for line in out:
        print(line)
    print("healthy: the MCP server will work with these settings." if code == 0 else
          "not healthy: fix the FAIL line above, then run the check again.")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oe-mcp-check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="check against the embedded sandbox")
    parser.add_argument("--version", action=VersionFlag)
    args = parser.parse_args(argv)
    return run_check(demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
