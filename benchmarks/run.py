"""Run every benchmark and write docs/performance.md plus benchmarks/.out/results.json.

    .venv/bin/python -m benchmarks.run            # the figures of record (~4 min)
    .venv/bin/python -m benchmarks.run --quick    # smoke run; writes under benchmarks/.out/ only
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trio

from benchmarks.notes import explain
from benchmarks.procs import OUT, REPO, ensure_peer, loadavg, machine
from benchmarks.report import render
from benchmarks.sections import SECTIONS, Plan


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="few samples, ~1 min; writes benchmarks/.out/performance-quick.md")
    parser.add_argument("--only", default="",
                        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    parser.add_argument("--doc", type=Path, help="where to write the report (default: docs/performance.md; "
                        "benchmarks/.out/performance-quick.md or -partial.md with --quick or --only)")
    parser.add_argument("--no-peer-install", action="store_true",
                        help="do not pip-install the peer proxy if it is missing (skip it instead)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        print(f"unknown sections: {unknown}; choose from {list(SECTIONS)}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    # Only a full run of every section is the figure of record; others never overwrite it.
    kind = "quick" if args.quick else ("partial" if args.only else "")
    doc = args.doc or (OUT / f"performance-{kind}.md" if kind else REPO / "docs" / "performance.md")
    raw = OUT / (f"results-{kind}.json" if kind else "results.json")
    runtime = Path(tempfile.mkdtemp(prefix="oe-bench-"))  # status sockets: short path, 0700

    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": args.quick,
        "machine": machine(),
        "load_start": loadavg(),
        "sections": {},
    }
    peer_argv, peer_label = (None, "not run") if "overhead" not in chosen else \
        ensure_peer(install=not args.no_peer_install)
    results["peer"] = {"label": peer_label, "ran": peer_argv is not None}
    plan = Plan.make(args.quick, runtime)
    plan.peer_argv, plan.peer_label = peer_argv, peer_label

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    say(f"peer proxy: {peer_label}" + ("" if peer_argv else " (skipped)"))
    try:
        for name in chosen:
            say(f"{name} ...")
            section_started = time.perf_counter()
            try:
                data = trio.run(SECTIONS[name], plan, say)
            except Exception as exc:  # one broken section must not lose the others' figures
                traceback.print_exc()
                data = {"error": f"{type(exc).__name__}: {exc}"}
            data["seconds"] = time.perf_counter() - section_started
            results["sections"][name] = data
            say(f"{name} done in {data['seconds']:.1f} s")
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    results["load_end"] = loadavg()
    results["duration_seconds"] = time.perf_counter() - started
    raw.write_text(json.dumps(results, indent=1))
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(render(results, explain(results)))
    say(f"wrote {doc} and {raw}")
    return 1 if any("error" in v for v in results["sections"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
