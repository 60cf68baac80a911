"""What the setup scripts print at the end: the MCP clients found on this machine, and the one
command that registers the server in each (`oe-mcp-local install`, supervisor/install.py, which
also prints an entry for hand-editing with --print)."""

from __future__ import annotations

import argparse
import platform
import shutil
from pathlib import Path

from shared.settings import REPO_ROOT


def registration_hints(poetry: str, repo: Path = REPO_ROOT) -> str:
    """The clients found on this machine, and the one command that registers the server in each."""
    from supervisor.install import CLIENTS, Place, found_clients

    found = found_clients(Place(Path.home(), platform.system(), Path.cwd()))
    run = f'{poetry} -C "{repo}" run oe-mcp-local install'
    lines = ["", "Register the server in your MCP client with one command (it edits the client's own",
             "file, keeps everything else in it, and writes a backup beside it):"]
    if found:
        lines += [f"  {client.title + ':':16} {run} {client.name}" for client in found]
    else:
        lines.append("  (no MCP client found on this machine)")
    others = [name for name in CLIENTS if name not in {c.name for c in found}]
    if others:
        lines.append(f"  Other clients: {run} <{'|'.join(others)}>")
    lines.append("  Add --print to see the entry without writing it, --demo to try the sandbox first.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--poetry",
        default=shutil.which("poetry") or "poetry",
        help="the Poetry executable the client should run (absolute path is safest)",
    )
    print(registration_hints(parser.parse_args(argv).poetry))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
