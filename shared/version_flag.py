"""`--version` for every command: the version on stdout and exit 0, as CLI conventions want
(`oe-mcp-local --version | ...` must see it), looked up only when asked for
(importlib.metadata is slow, and the supervisor's start-up is on every client's clock)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


class VersionFlag(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from shared import __version__

        sys.stdout.write(f"{parser.prog} {__version__}\n")
        sys.stdout.flush()
        parser.exit(0)
