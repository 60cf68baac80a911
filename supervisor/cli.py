"""`oe-mcp-local`: the command an MCP client launches."""

from __future__ import annotations

import argparse
import sys

from shared import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oe-mcp-local",
        description="OvalEdge local MCP server (stdio).",
    )
    parser.add_argument("--version", action="version", version=f"oe-mcp-local {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
