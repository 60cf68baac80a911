"""A worker alone, this tree against another checkout of the project, in one run, interleaved.

    git archive <commit> | tar -x -C /tmp/base
    .venv/bin/python -m benchmarks.compare /tmp/base [--reps 8] [--calls 60]

Both run as `python -m worker.cli` with this interpreter (the same installed packages), the other
tree first on PYTHONPATH. Per spawn: the cold start (spawn -> first `asset_explorer` answered),
the p50 of sequential calls after it, and VmRSS at rest (2 s after the calls). It prints a
Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio

from benchmarks.procs import REPO, mcp_client, rss_bytes, sandbox_process, server_env
from benchmarks.stats import ms, percentile, secs

MIB = 1024 * 1024


async def measure(trees: dict[str, Path], reps: int, calls: int) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {name: {"cold": [], "call_p50": [], "rss": []} for name in trees}
    runtime = Path(tempfile.mkdtemp(prefix="oe-compare-"))
    names = list(trees)
    async with sandbox_process() as sandbox:
        for rep in range(reps):
            for name in names[rep % 2:] + names[:rep % 2]:
                env = server_env(sandbox, runtime, PYTHONPATH=str(trees[name]))
                async with mcp_client([sys.executable, "-m", "worker.cli"], env, handshake=False,
                                      stderr_name=f"compare-{name}") as client:
                    await client.session.initialize()
                    await client.timed_search()
                    out[name]["cold"].append(time.perf_counter() - client.spawned_at)
                    took = [await client.timed_search() for _ in range(calls)]
                    out[name]["call_p50"].append(percentile(took, 50))
                    await trio.sleep(2.0)
                    out[name]["rss"].append(rss_bytes(client.pid))
                await sandbox.reset()
            print(f"round {rep + 1}/{reps}", file=sys.stderr, flush=True)
    return out


def table(out: dict[str, dict[str, list[float]]], labels: dict[str, str]) -> list[str]:
    def med(values: list[float]) -> float:
        return percentile(values, 50)

    lines = ["| worker alone | n | cold start: spawn -> first call (p50, [min, max]) | per-call p50 "
             "(median of spawns) | VmRSS at rest (median, [min, max]) |", "| --- | --- | --- | --- | --- |"]
    for name, data in out.items():
        lines.append(f"| {labels[name]} | {len(data['cold'])} | {secs(med(data['cold']))} "
                     f"[{secs(min(data['cold']))}, {secs(max(data['cold']))}] | "
                     f"{ms(med(data['call_p50']))} | "
                     f"{med(data['rss']) / MIB:.1f} MiB [{min(data['rss']) / MIB:.1f}, "
                     f"{max(data['rss']) / MIB:.1f}] |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", type=Path, help="another checkout of the project (e.g. a `git archive`)")
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args(argv)
    trees = {"other": args.other.resolve(), "this": REPO}
    out: dict[str, Any] = trio.run(measure, trees, args.reps, args.calls)
    print("\n".join(table(out, {"other": f"`{args.other}`", "this": "this tree"})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
