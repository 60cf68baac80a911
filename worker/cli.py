"""`oe-mcp-worker`: the worker alone as a stdio MCP server (debugging, overhead measurement)."""

from __future__ import annotations

import argparse
import os
import sys

from shared import __version__
from shared.lifeline import PARENT_PID_ENV
from shared.processes import run_main
from shared.redaction import configure_logging
from shared.settings import load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oe-mcp-worker", description=__doc__)
    parser.add_argument("--demo", action="store_true",
                        help="serve against the embedded sandbox OvalEdge (no credentials needed)")
    parser.add_argument("--version", action="version", version=f"oe-mcp-worker {__version__}")
    return parser


async def _run(demo: bool) -> None:
    from worker.server import serve_stdio

    if not demo:
        await serve_stdio(load_settings())
        return
    from shared.sandbox_process import sandbox_child

    async with sandbox_child() as overrides:
        await serve_stdio(load_settings(**overrides))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging("oe-mcp-worker", timestamps=PARENT_PID_ENV not in os.environ)
    return run_main("oe-mcp-worker", _run, args.demo)




if __name__ == "__main__":
    sys.exit(main())
