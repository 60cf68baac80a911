"""`oe-mcp-local install|uninstall CLIENT` against a temporary HOME, for every client: a missing, an
empty and a populated file, twice, uninstall, a malformed file, --dry-run, --force, and the
backups. Most cases call the command's `main` in this process (the same code, without a Python
start-up per case); the installed command itself runs in the tests at the end."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
import tomlkit

from shared.settings import REPO_ROOT
from supervisor.cli import main as cli_main
from supervisor.install import CLIENTS, SERVER_NAME
from tests.harness import base_env, command_path

POETRY = "/opt/poetry/bin/poetry"  # any absolute path: the entry names it, nothing runs it here
# where each client keeps its user-scope file on Linux, relative to HOME (docs/clients.md)
USER_FILES = {
    "claude-desktop": ".config/Claude/claude_desktop_config.json",
    "claude-code": ".claude.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".config/Code/User/mcp.json",
    "windsurf": ".codeium/windsurf/mcp_config.json",
    "codex": ".codex/config.toml",
    "gemini": ".gemini/settings.json",
    "kiro": ".kiro/settings/mcp.json",
}
PROJECT_FILES = {"claude-code": ".mcp.json", "codex": ".codex/config.toml", "cursor": ".cursor/mcp.json", "vscode": ".vscode/mcp.json",
                 "gemini": ".gemini/settings.json", "kiro": ".kiro/settings/mcp.json"}


def run(home: Path, *args: str, cwd: Path | None = None) -> tuple[int, str]:
    """`oe-mcp-local *args` run in this process with HOME=home, in `cwd` (default: home)."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ["HOME"] = str(home)
    os.environ.pop("XDG_CONFIG_HOME", None)
    os.chdir(cwd or home)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main(list(args))
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return code, out.getvalue() + err.getvalue()


def install(home: Path, client: str, *extra: str, cwd: Path | None = None) -> tuple[int, str]:
    return run(home, "install", client, "--poetry", POETRY, *extra, cwd=cwd)


def read(path: Path, client: str) -> dict:
    text = path.read_text()
    return tomlkit.parse(text).unwrap() if CLIENTS[client].toml else json.loads(text)


def servers(path: Path, client: str) -> dict:
    return read(path, client).get(CLIENTS[client].key, {})


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.*.bak"))


def populated(client: str) -> str:
    """A file with another server and other settings (and, in TOML, comments)."""
    if CLIENTS[client].toml:
        return ('# my settings\nmodel = "o3"  # keep me\n\n[mcp_servers.other]\ncommand = "other-server"\n'
                'args = ["--flag"]\n')
    return json.dumps({"theme": "dark", CLIENTS[client].key: {"other": {"command": "other-server"}}}, indent=4)


def test_every_client_is_covered():
    assert set(USER_FILES) == set(CLIENTS)
    assert {name for name, client in CLIENTS.items() if "project" in client.scopes} == set(PROJECT_FILES)


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_install_into_a_missing_file_then_again_then_uninstall(tmp_path, client):
    path = tmp_path / USER_FILES[client]
    code, out = install(tmp_path, client, "--demo")
    assert code == 0, out
    entry = servers(path, client)[SERVER_NAME]
    assert entry["command"] == POETRY
    assert entry["args"] == ["-C", str(REPO_ROOT), "run", "oe-mcp-local", "--demo"]
    assert "env" not in entry  # no credentials unless asked for
    assert entry.get("type") == ("stdio" if client in ("vscode", "claude-code") else None)
    assert backups(path) == []  # nothing was there to back up
    before = path.read_bytes()
    code, out = install(tmp_path, client, "--demo")
    assert code == 0 and "nothing changed" in out, out
    assert path.read_bytes() == before and backups(path) == []
    code, out = run(tmp_path, "uninstall", client)
    assert code == 0 and "removed" in out, out
    assert SERVER_NAME not in servers(path, client)
    assert [b.read_bytes() for b in backups(path)] == [before]
    code, out = run(tmp_path, "uninstall", client)
    assert code == 0 and "nothing to remove" in out, out


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_install_into_an_empty_file(tmp_path, client):
    path = tmp_path / USER_FILES[client]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    code, out = install(tmp_path, client)
    assert code == 0, out
    assert servers(path, client)[SERVER_NAME]["args"] == ["-C", str(REPO_ROOT), "run", "oe-mcp-local"]
    assert [b.read_text() for b in backups(path)] == [""]


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_other_servers_settings_and_comments_are_kept(tmp_path, client):
    path = tmp_path / USER_FILES[client]
    path.parent.mkdir(parents=True, exist_ok=True)
    original = populated(client)
    path.write_text(original)
    code, out = install(tmp_path, client)
    assert code == 0, out
    after = read(path, client)
    assert after[CLIENTS[client].key]["other"]["command"] == "other-server"
    assert SERVER_NAME in after[CLIENTS[client].key]
    if CLIENTS[client].toml:
        assert path.read_text().startswith('# my settings\nmodel = "o3"  # keep me\n')
    else:
        assert after["theme"] == "dark"
    assert [b.read_text() for b in backups(path)] == [original]
    code, out = run(tmp_path, "uninstall", client)
    assert code == 0, out
    assert read(path, client) == (tomlkit.parse(original).unwrap() if CLIENTS[client].toml
                                  else json.loads(original))
    if CLIENTS[client].toml:
        assert path.read_text().startswith('# my settings\nmodel = "o3"  # keep me\n')


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_malformed_file_is_never_touched(tmp_path, client):
    path = tmp_path / USER_FILES[client]
    path.parent.mkdir(parents=True, exist_ok=True)
    broken = ('[mcp_servers.other\ncommand = "x"\n' if CLIENTS[client].toml
              else '{\n  "mcpServers": {\n    "other": {"command": "x",}\n  \n')
    path.write_text(broken)
    for action in (["install", client, "--poetry", POETRY], ["uninstall", client]):
        code, out = run(tmp_path, *action)
        assert code == 1, out
        assert str(path) in out and "line " in out and "not changed" in out, out
    assert path.read_text() == broken and backups(path) == []


def test_vscode_comments_are_refused_with_the_way_out(tmp_path):
    path = tmp_path / USER_FILES["vscode"]
    path.parent.mkdir(parents=True, exist_ok=True)
    jsonc = '{\n  // my servers\n  "servers": {\n    "other": {"type": "stdio", "command": "x"},\n  },\n}\n'
    path.write_text(jsonc)
    code, out = install(tmp_path, "vscode")
    assert code == 1 and "comments" in out and "--print" in out and "not changed" in out, out
    assert path.read_text() == jsonc and backups(path) == []


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_dry_run_writes_nothing_and_shows_the_change(tmp_path, client):
    path = tmp_path / USER_FILES[client]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(populated(client))
    code, out = install(tmp_path, client, "--dry-run")
    assert code == 0 and "nothing written" in out, out
    assert any(line.startswith("+") and SERVER_NAME in line for line in out.splitlines()), out
    assert path.read_text() == populated(client) and backups(path) == []


def test_print_shows_the_entry_and_writes_nothing(tmp_path):
    """The installed command itself: --print for a TOML and a JSON client."""
    for client, expected in (("codex", "[mcp_servers.ovaledge-local]"), ("cursor", '"mcpServers"')):
        done = subprocess.run([command_path("oe-mcp-local"), "install", client, "--print", "--poetry", POETRY],
                              env=base_env({"HOME": str(tmp_path)}), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and expected in done.stdout and POETRY in done.stdout, done
    assert not any(tmp_path.rglob("*.json")) and not any(tmp_path.rglob("*.toml"))


def test_an_entry_pointing_elsewhere_needs_force(tmp_path):
    path = tmp_path / USER_FILES["cursor"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": {SERVER_NAME: {"command": "/old/poetry", "args": ["run"]}}}))
    code, out = install(tmp_path, "cursor")
    assert code == 1 and "/old/poetry" in out and "--force" in out, out
    assert backups(path) == []
    code, out = install(tmp_path, "cursor", "--force")
    assert code == 0 and "replaced" in out, out
    assert servers(path, "cursor")[SERVER_NAME]["command"] == POETRY
    assert len(backups(path)) == 1


@pytest.mark.parametrize("client", sorted(PROJECT_FILES))
def test_project_scope(tmp_path, client):
    project = tmp_path / "project"
    project.mkdir()
    code, out = install(tmp_path, client, "--scope", "project", cwd=project)
    assert code == 0, out
    assert SERVER_NAME in servers(project / PROJECT_FILES[client], client)
    assert not (tmp_path / USER_FILES[client]).exists()


def test_a_client_without_a_project_scope_says_which_it_has(tmp_path):
    code, out = install(tmp_path, "windsurf", "--scope", "project")
    assert code == 1 and "no project scope" in out and "--scope user" in out, out


def test_credentials_only_with_the_flag_and_never_otherwise(tmp_path):
    env_creds = {"OVALEDGE_BASE_URL": "https://oe.example/ovaledge", "OVALEDGE_USER_TOKEN": "tok-123",
                 "OVALEDGE_USER_SECRET": "sec-456"}
    env = {**base_env({"HOME": str(tmp_path)}), **env_creds}
    done = subprocess.run([command_path("oe-mcp-local"), "install", "cursor", "--poetry", POETRY],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    path = tmp_path / USER_FILES["cursor"]
    assert "sec-456" not in path.read_text()
    done = subprocess.run([command_path("oe-mcp-local"), "install", "cursor", "--poetry", POETRY,
                           "--with-credentials", "--force"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert servers(path, "cursor")[SERVER_NAME]["env"] == env_creds
    assert path.stat().st_mode & 0o777 == 0o600  # made owner-only by the first install, and kept


def test_an_unknown_client_names_the_known_ones(tmp_path):
    code, out = install(tmp_path, "notepad")
    assert code == 1 and all(name in out for name in CLIENTS), out


def test_new_files_are_owner_only(tmp_path):
    code, out = install(tmp_path, "kiro")
    assert code == 0, out
    assert (tmp_path / USER_FILES["kiro"]).stat().st_mode & 0o077 == 0
    assert os.access(tmp_path / USER_FILES["kiro"], os.R_OK)
