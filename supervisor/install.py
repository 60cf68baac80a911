"""`oe-mcp-local install CLIENT` / `uninstall CLIENT`: our entry in an MCP client's own config file.

The entry is named `ovaledge-local` and starts `<absolute poetry> -C <absolute repo> run
oe-mcp-local`, the command the setup script's snippets have always shown. A client file is merged,
never overwritten: other servers and settings stay, a TOML file keeps its comments and layout
(tomlkit), a backup is written beside the file before each change, and a second run changes
nothing. A file that does not parse is never touched: the error names the file, the line and the
fix. An entry of ours that points elsewhere is replaced only with `--force`.

Where each client keeps its servers comes from the client's own documentation (docs/clients.md
cites it); Claude Desktop has no official Linux build, so on Linux the path is the one the
community build uses. Credentials are written into a client file only with `--with-credentials`:
by default the server reads them from the repository's `.env`.

Imported only by the `install`/`uninstall` commands, never by the running server.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.settings import REPO_ROOT

SERVER_NAME = "ovaledge-local"
CREDENTIAL_NAMES = ("OVALEDGE_BASE_URL", "OVALEDGE_USER_TOKEN", "OVALEDGE_USER_SECRET")


class InstallError(Exception):
    """What went wrong and how to fix it; nothing was written."""


@dataclass(frozen=True)
class Place:
    """Where a client looks: the home, the OS (platform.system()) and the project dir decide."""

    home: Path
    system: str
    project: Path

    def appdata(self) -> Path:
        """Windows' roaming application data folder."""
        return Path(os.environ.get("APPDATA") or self.home / "AppData" / "Roaming")

    def app_support(self, app: str) -> Path:
        """Where a desktop app keeps its user settings on this OS."""
        if self.system == "Darwin":
            return self.home / "Library" / "Application Support" / app
        if self.system == "Windows":
            return self.appdata() / app
        return Path(os.environ.get("XDG_CONFIG_HOME") or self.home / ".config") / app


@dataclass(frozen=True)
class Client:
    name: str
    title: str
    key: str  # the table that holds the servers: mcpServers, servers, mcp_servers
    paths: dict[str, Callable[[Place], Path]]  # scope -> file
    toml: bool = False
    extra: tuple[tuple[str, str], ...] = ()  # members every entry carries, e.g. type=stdio
    comments_allowed: bool = False  # the client reads JSON with comments (JSONC)

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.paths)


CLIENTS: dict[str, Client] = {client.name: client for client in (
    Client("claude-desktop", "Claude Desktop", "mcpServers",
           {"user": lambda p: p.app_support("Claude") / "claude_desktop_config.json"}),
    Client("claude-code", "Claude Code", "mcpServers",
           {"user": lambda p: p.home / ".claude.json", "project": lambda p: p.project / ".mcp.json"},
           extra=(("type", "stdio"),)),
    Client("cursor", "Cursor", "mcpServers",
           {"user": lambda p: p.home / ".cursor" / "mcp.json",
            "project": lambda p: p.project / ".cursor" / "mcp.json"}),
    Client("vscode", "VS Code", "servers",
           {"user": lambda p: p.app_support("Code") / "User" / "mcp.json",
            "project": lambda p: p.project / ".vscode" / "mcp.json"},
           extra=(("type", "stdio"),), comments_allowed=True),
    Client("windsurf", "Windsurf", "mcpServers",
           {"user": lambda p: p.home / ".codeium" / "windsurf" / "mcp_config.json"}),
    Client("codex", "Codex", "mcp_servers",
           {"user": lambda p: Path(os.environ.get("CODEX_HOME") or p.home / ".codex") / "config.toml",
            "project": lambda p: p.project / ".codex" / "config.toml"},
           toml=True),
    Client("gemini", "Gemini CLI", "mcpServers",
           {"user": lambda p: p.home / ".gemini" / "settings.json",
            "project": lambda p: p.project / ".gemini" / "settings.json"}),
    Client("kiro", "Kiro", "mcpServers",
           {"user": lambda p: p.home / ".kiro" / "settings" / "mcp.json",
            "project": lambda p: p.project / ".kiro" / "settings" / "mcp.json"}),
)}
# the command a client puts on the PATH, where it has one
COMMANDS = {"claude-code": "claude", "vscode": "code", "codex": "codex", "gemini": "gemini", "kiro": "kiro",
            "cursor": "cursor", "windsurf": "windsurf"}
ALIASES = {"claude": "claude-desktop", "code": "vscode", "vs-code": "vscode", "gemini-cli": "gemini"}


def find_poetry() -> str:
    """The absolute path of the Poetry that runs this project (clients start it without a shell)."""
    for candidate in (shutil.which("poetry"),
                      str(Path(os.environ.get("POETRY_HOME") or Path.home() / ".local/share/pypoetry")
                          / "bin" / "poetry")):
        if candidate and Path(candidate).is_file():
            return str(Path(candidate).resolve())
    raise InstallError("Poetry was not found. Run ./scripts/setup_local_mcp.sh first, or pass "
                       "--poetry /absolute/path/to/poetry.")


def entry(client: Client, poetry: str, repo: Path, *, demo: bool,
          credentials: dict[str, str]) -> dict[str, Any]:
    args = ["-C", str(repo), "run", "oe-mcp-local", *(["--demo"] if demo else [])]
    made: dict[str, Any] = {**dict(client.extra), "command": poetry, "args": args}
    if credentials:
        made["env"] = dict(credentials)
    return made


def credentials_from_environment(repo: Path) -> dict[str, str]:
    """The three settings from the environment, else from the repository's .env."""
    found = {name: os.environ[name] for name in CREDENTIAL_NAMES if os.environ.get(name)}
    env_file = repo / ".env"
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            name = name.strip().removeprefix("export ").strip()
            if sep and name in CREDENTIAL_NAMES and name not in found:
                found[name] = value.strip().strip("'\"")
    missing = [name for name in CREDENTIAL_NAMES if not found.get(name)]
    if missing:
        raise InstallError(f"--with-credentials: {', '.join(missing)} not set in the environment or in "
                           f"{env_file}. Set them there first, or install without --with-credentials.")
    return found


# -- reading and writing the client's file ------------------------------------------------------

def _strip_jsonc(text: str) -> str:
    """JSON with // and /* */ comments and trailing commas, as plain JSON (strings kept)."""
    out, i, in_string = [], 0, False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[i + 1:i + 2])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        else:
            out.append(char)
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _read_json(path: Path, text: str, client: Client) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        try:
            json.loads(_strip_jsonc(text))
        except json.JSONDecodeError:
            raise InstallError(
                f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); it was "
                f"not changed. Fix that line (or move the file away), then run the command again."
            ) from None
        allowed = f"{client.title} allows comments there, but" if client.comments_allowed else "It"
        raise InstallError(
            f"{path} holds comments or trailing commas (line {exc.lineno}); {allowed} rewriting it would "
            f"lose them, so it was not changed. Add the entry by hand (run the same command with "
            f"--print for it), or remove the comments and run the command again.") from None
    if not isinstance(document, dict):
        raise InstallError(f"{path} is JSON but not an object; it was not changed. Fix or move it.")
    return document


def _read_toml(path: Path, text: str) -> Any:
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        raise InstallError(f"{path} is not valid TOML (line {exc.line}, column {exc.col}); it was not "
                           "changed. Fix that line, then run the command again.") from None


def _servers(document: Any, client: Client, path: Path, *, create: bool) -> Any:
    servers = document.get(client.key)
    if servers is None and create:
        if client.toml:
            import tomlkit

            servers = tomlkit.table(is_super_table=True)
        else:
            servers = {}
        document[client.key] = servers
    if servers is not None and not isinstance(servers, dict):
        raise InstallError(f"{path}: '{client.key}' is not a table of servers; it was not changed. Fix it "
                           "by hand.")
    return servers


def _render(document: Any, client: Client) -> str:
    if client.toml:
        import tomlkit

        return tomlkit.dumps(document)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _as_plain(value: Any) -> Any:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _toml_entry(made: dict[str, Any]) -> Any:
    import tomlkit

    table = tomlkit.table()
    for key, value in made.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            table[key] = inline
        else:
            table[key] = value
    return table


def _write(path: Path, text: str, existed: bool) -> Path | None:
    """Replace `path` whole (temp file, fsync, rename), after a backup of the old bytes."""
    backup = None
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if existed else 0o600
    if existed:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        shutil.copy2(path, backup)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return backup


@dataclass
class Outcome:
    path: Path
    changed: bool
    message: str
    diff: str = ""
    backup: Path | None = None


def apply(client: Client, path: Path, *, remove: bool, made: dict[str, Any] | None = None,
          force: bool = False, dry_run: bool = False) -> Outcome:
    """Install `made` as our entry in `path` (or remove ours), as one change or none."""
    existed = path.exists()
    text = path.read_text(encoding="utf-8") if existed else ""
    document = _read_toml(path, text) if client.toml else _read_json(path, text, client)
    servers = _servers(document, client, path, create=not remove)
    current = _as_plain(servers.get(SERVER_NAME)) if servers is not None else None
    if remove:
        if current is None:
            return Outcome(path, False,
                           f"{client.title}: no {SERVER_NAME} entry in {path}; nothing to remove.")
        del servers[SERVER_NAME]
        verb = "removed from"
    else:
        assert made is not None
        if current == made:
            return Outcome(path, False, f"{client.title}: {SERVER_NAME} is already installed in {path}; "
                           "nothing changed.")
        if current is not None and not force:
            raise InstallError(
                f"{path} already has a {SERVER_NAME} entry that starts something else: "
                f"{json.dumps(current)}. Run again with --force to replace it.")
        servers[SERVER_NAME] = _toml_entry(made) if client.toml else made
        verb = "replaced in" if current is not None else "added to"
    new_text = _render(document, client)
    diff = "".join(difflib.unified_diff(text.splitlines(True), new_text.splitlines(True),
                                        str(path), f"{path} (new)"))
    if dry_run:
        return Outcome(path, False, f"{client.title}: --dry-run: {SERVER_NAME} would be {verb} {path}; "
                       "nothing written.", diff)
    backup = _write(path, new_text, existed)
    saved = f" (backup: {backup})" if backup else ""
    effect = "drop" if remove else "load"
    return Outcome(path, True, f"{client.title}: {SERVER_NAME} {verb} {path}{saved}. Restart "
                   f"{client.title} to {effect} it.", diff, backup)


def snippet(client: Client, made: dict[str, Any]) -> str:
    if client.toml:
        import tomlkit

        document = tomlkit.document()
        servers = tomlkit.table(is_super_table=True)
        servers[SERVER_NAME] = _toml_entry(made)
        document[client.key] = servers
        return tomlkit.dumps(document)
    return json.dumps({client.key: {SERVER_NAME: made}}, indent=2)


def found_clients(place: Place) -> list[Client]:
    """The clients that look installed here: their command on the PATH, or their user-scope
    file or its folder present."""
    def present(client: Client) -> bool:
        path = client.paths["user"](place)
        return bool(shutil.which(COMMANDS.get(client.name, client.name))) or path.exists() or (
            path.parent != place.home and path.parent.is_dir())

    return [client for client in CLIENTS.values() if present(client)]


def resolve_client(name: str) -> Client:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in CLIENTS:
        raise InstallError(f"unknown client {name!r}; use one of: {', '.join(CLIENTS)}")
    return CLIENTS[key]


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("client", help=f"one of: {', '.join(CLIENTS)}")
    parser.add_argument("--scope", choices=["user", "project"], default="user",
                        help="user (default) or project, where the client has both")
    parser.add_argument("--project", type=Path, default=Path.cwd(),
                        help="the project folder for --scope project (default: the current folder)")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    parser.add_argument("--print", dest="print_only", action="store_true", help="print the entry only")
    parser.add_argument("--demo", action="store_true", help="register the demo server (embedded sandbox)")
    parser.add_argument("--force", action="store_true", help="replace an entry of ours that points elsewhere")
    parser.add_argument("--with-credentials", action="store_true",
                        help="also write OVALEDGE_BASE_URL/TOKEN/SECRET into the client file "
                        "(default: the server reads them from the repository's .env)")
    parser.add_argument("--poetry", help="the Poetry executable the client runs (default: found)")
    return parser


def main(action: str, argv: list[str]) -> int:
    """`oe-mcp-local install|uninstall ...`; exit 0 done or nothing to do, 1 refused, 2 usage."""
    args = build_parser(f"oe-mcp-local {action}").parse_args(argv)
    try:
        client = resolve_client(args.client)
        if args.scope not in client.paths:
            raise InstallError(f"{client.title} has no {args.scope} scope; use --scope "
                               f"{' or '.join(client.scopes)}.")
        place = Place(Path.home(), platform.system(), args.project.resolve())
        path = client.paths[args.scope](place)
        made = None
        if action == "install":
            poetry = args.poetry or find_poetry()
            credentials = credentials_from_environment(REPO_ROOT) if args.with_credentials else {}
            made = entry(client, poetry, REPO_ROOT, demo=args.demo, credentials=credentials)
            if args.print_only:
                print(f"# {client.title}: add to {path}")
                print(snippet(client, made), end="" if client.toml else "\n")
                return 0
        outcome = apply(client, path, remove=action == "uninstall", made=made, force=args.force,
                        dry_run=args.dry_run)
    except InstallError as exc:
        print(f"{action} failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{action} failed: {exc.strerror} ({exc.filename}); nothing was changed.", file=sys.stderr)
        return 1
    if args.dry_run and outcome.diff:
        print(outcome.diff, end="")
    print(outcome.message)
    return 0
