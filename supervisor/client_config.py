"""Print the MCP client configuration snippets for this clone (used by the setup scripts)."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from pathlib import Path

from shared.settings import REPO_ROOT

SERVER_NAME = "ovaledge-local"
PLACEHOLDER_ENV = {
    "AUTH_MODE": "local",
    "OVALEDGE_BASE_URL": "https://your-ovaledge-host/ovaledge",
    "OVALEDGE_USER_TOKEN": "your-user-token",
    "OVALEDGE_USER_SECRET": "your-user-secret",
}


def server_entry(poetry: str, repo: Path = REPO_ROOT, *, with_env: bool = True) -> dict:
    """One `mcpServers` entry that starts the supervisor with Poetry from an absolute path."""
    entry: dict = {"command": poetry, "args": ["-C", str(repo), "run", "oe-mcp-local"]}
    if with_env:
        entry["env"] = dict(PLACEHOLDER_ENV)
    return entry


def claude_desktop_config_path(system: str | None = None) -> str:
    system = system or platform.system()
    if system == "Darwin":
        return "~/Library/Application Support/Claude/claude_desktop_config.json"
    if system == "Windows":
        return r"%APPDATA%\Claude\claude_desktop_config.json"
    return "~/.config/Claude/claude_desktop_config.json"


def snippets(poetry: str, repo: Path = REPO_ROOT) -> dict[str, dict]:
    """Client name -> config document. Credentials may stay in the repo's .env instead of env."""
    config = {"mcpServers": {SERVER_NAME: server_entry(poetry, repo)}}
    return {"cursor": config, "claude_desktop": config}


def render(poetry: str, repo: Path = REPO_ROOT) -> str:
    docs = snippets(poetry, repo)
    return "\n".join(
        [
            "",
            "Cursor: add this to ~/.cursor/mcp.json (or .cursor/mcp.json in a project):",
            json.dumps(docs["cursor"], indent=2),
            "",
            f"Claude Desktop: add this to {claude_desktop_config_path()}:",
            json.dumps(docs["claude_desktop"], indent=2),
            "",
            "Claude Code:",
            f'  claude mcp add {SERVER_NAME} -- {poetry} -C "{repo}" run oe-mcp-local',
            "",
            "The env block may be dropped when the repo's .env holds the credentials.",
            "Restart the client after editing its configuration.",
        ]
    )


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
    parser.add_argument("--hints-only", action="store_true",
                        help="only the clients found and the command that registers each")
    args = parser.parse_args(argv)
    if not args.hints_only:
        print(render(args.poetry))
    print(registration_hints(args.poetry))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
