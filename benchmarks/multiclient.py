"""Several clients, one credential pair (issue 22): `oe-mcp-local` processes of one user with
the same credentials against one sandbox, which keeps one active JWT per pair as OvalEdge does.
Each scenario runs with the shared token cache (the default) and without it
(`OE_MCP_SHARE_TOKEN=false`, per-process JWTs: the behaviour before the cache), on a fresh
sandbox each time; calls failed, exchanges and HTTP 401s are counted from the clients' start."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import trio

from benchmarks.procs import TOKEN_PATH, Client, command, mcp_client, sandbox_process, server_env

Progress = Callable[[str], None]

# (key, clients, concurrent calls per client, rounds); rounds=0: single calls taking turns
SCENARIOS = (
    ("turns", 2, 1, 20),
    ("two_concurrent", 2, 8, 10),
    ("three_concurrent", 3, 8, 10),
)
LABELS = {
    "turns": "2 clients, single calls taking turns ({calls} calls)",
    "two_concurrent": "2 clients x 8 concurrent calls x 10 rounds ({calls} calls)",
    "three_concurrent": "3 clients x 8 concurrent calls x 10 rounds ({calls} calls)",
}
VARIANTS = {"before": "false", "after": "true"}  # OE_MCP_SHARE_TOKEN


async def _scenario(runtime: Path, clients: int, per_client: int, rounds: int, share: str) -> dict[str, Any]:
    failed = calls = 0
    started = time.perf_counter()
    async with sandbox_process() as sandbox, AsyncExitStack() as stack:
        conns: list[Client] = []
        for i in range(clients):
            sock = runtime / f"multi-{i}-{time.time_ns()}.sock"
            env = server_env(sandbox, runtime, OE_MCP_STATUS_SOCKET=str(sock), OE_MCP_SHARE_TOKEN=share)
            conns.append(await stack.enter_async_context(
                mcp_client([command("oe-mcp-local")], env, stderr_name=f"multi-{i}")))
        for _ in range(rounds):
            if per_client == 1:  # taking turns: one call at a time, client after client
                for conn in conns:
                    calls += 1
                    failed += (await conn.search()).is_error
                continue
            results: list[bool] = []

            async def one(conn: Client, results: list[bool] = results) -> None:
                results.append((await conn.search()).is_error)

            async with trio.open_nursery() as nursery:
                for conn in conns:
                    for _ in range(per_client):
                        nursery.start_soon(one, conn)
            calls += len(results)
            failed += sum(results)
        recorded = await sandbox._control("GET", "requests")
    requests = recorded["requests"]
    return {
        "calls": calls, "failed": failed,
        "exchanges": sum(1 for r in requests if r["path"].endswith(TOKEN_PATH) and r["status"] == 200),
        "http_401": sum(1 for r in requests if r["status"] == 401),
        "seconds": time.perf_counter() - started,
    }


async def multiclient(plan: Any, say: Progress) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, clients, per_client, rounds in SCENARIOS:
        if plan.quick:
            rounds = max(2, rounds // 5)
        out[key] = {}
        for variant, share in VARIANTS.items():
            out[key][variant] = await _scenario(plan.runtime, clients, per_client, rounds, share)
            say(f"multiclient {key} {variant}: {out[key][variant]}")
    return {"scenarios": out}


def report(data: dict[str, Any]) -> list[str]:
    """The before/after table for docs/performance.md (and the README)."""
    lines = ["### Several clients, one credential pair", "",
             "`oe-mcp-local` processes with the same credentials against one sandbox that keeps one "
             "active JWT per pair (as OvalEdge does). Before: `OE_MCP_SHARE_TOKEN=false` (per-process "
             "JWTs); after: the shared token cache (the default). Counted from the clients' start, "
             "their start-up exchanges included.", "",
             "| what we ran | calls failed (before -> after) | exchanges (before -> after) | "
             "HTTP 401 (before -> after) |",
             "| --- | --- | --- | --- |"]
    for key, variants in data["scenarios"].items():
        before, after = variants["before"], variants["after"]
        pct = f" ({before['failed'] / before['calls']:.0%})" if before["failed"] else ""
        lines.append(f"| {LABELS[key].format(calls=after['calls'])} | {before['failed']}{pct} -> "
                     f"{after['failed']} | {before['exchanges']} -> {after['exchanges']} | "
                     f"{before['http_401']} -> {after['http_401']} |")
    return lines + [""]
