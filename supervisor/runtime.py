"""Where status sockets live: one per supervisor, in a directory only the user can enter."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

APP = "oe-mcp"
SOCKET_PREFIX = "supervisor-"
SOCKET_SUFFIX = ".sock"  # a Unix socket
TCP_SUFFIX = ".tcp.json"  # a descriptor of a loopback TCP port and its token (Windows)
TRANSPORT_ENV = "OE_MCP_STATUS_TRANSPORT"  # "unix" or "tcp"; default by platform


def use_tcp_status() -> bool:
    """Unix sockets where the platform has them; loopback TCP + token otherwise."""
    chosen = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    return chosen == "tcp" or (chosen != "unix" and not hasattr(socket, "AF_UNIX"))


def write_private_file(path: Path, text: str) -> None:
    """Create `path` readable by the owner only (0600; a user-only profile dir on Windows)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def runtime_dir() -> Path:
    """The platformdirs user runtime dir; without XDG_RUNTIME_DIR, a private temp dir."""
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        # platformdirs would warn and fall back to /tmp/runtime-<uid>; use our own private dir.
        path = Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"
    else:
        from platformdirs import PlatformDirs

        path = PlatformDirs(APP, appauthor=False).user_runtime_path
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if hasattr(os, "getuid"):
        if path.stat().st_uid != os.getuid():
            raise PermissionError(f"{path} belongs to another user; set OE_MCP_STATUS_SOCKET")
        os.chmod(path, 0o700)
    return path


def socket_path_for(pid: int) -> Path:
    suffix = TCP_SUFFIX if use_tcp_status() else SOCKET_SUFFIX
    return runtime_dir() / f"{SOCKET_PREFIX}{pid}{suffix}"


def pid_of(path: Path) -> int | None:
    name = path.name
    for suffix in (SOCKET_SUFFIX, TCP_SUFFIX):
        if name.startswith(SOCKET_PREFIX) and name.endswith(suffix):
            digits = name[len(SOCKET_PREFIX):-len(suffix)]
            return int(digits) if digits.isdigit() else None
    return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_sockets() -> list[Path]:
    """Sockets of live supervisors; stale ones (their process is gone) are removed."""
    found = []
    folder = runtime_dir()
    candidates = [path for suffix in (SOCKET_SUFFIX, TCP_SUFFIX)
                  for path in folder.glob(f"{SOCKET_PREFIX}*{suffix}")]
    for path in sorted(candidates):
        pid = pid_of(path)
        if pid is not None and not pid_alive(pid):
            path.unlink(missing_ok=True)
            continue
        found.append(path)
    return found
