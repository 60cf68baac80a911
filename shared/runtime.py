"""Where status sockets live: one per supervisor, in a directory only the user can enter."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

APP = "oe-mcp"
SOCKET_PREFIX = "supervisor-"
SOCKET_SUFFIX = ".sock"


def runtime_dir() -> Path:
    """The platformdirs user runtime dir; without XDG_RUNTIME_DIR, a private temp dir."""
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        # platformdirs would warn and pick /tmp/runtime-<uid>; say what we do instead.
        path = Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"
    else:
        from platformdirs import PlatformDirs

        path = PlatformDirs(APP, appauthor=False).user_runtime_path
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user; set OE_MCP_STATUS_SOCKET")
    os.chmod(path, 0o700)
    return path


def socket_path_for(pid: int) -> Path:
    return runtime_dir() / f"{SOCKET_PREFIX}{pid}{SOCKET_SUFFIX}"


def pid_of(path: Path) -> int | None:
    name = path.name
    if name.startswith(SOCKET_PREFIX) and name.endswith(SOCKET_SUFFIX):
        digits = name[len(SOCKET_PREFIX):-len(SOCKET_SUFFIX)]
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
    for path in sorted(runtime_dir().glob(f"{SOCKET_PREFIX}*{SOCKET_SUFFIX}")):
        pid = pid_of(path)
        if pid is not None and not pid_alive(pid):
            path.unlink(missing_ok=True)
            continue
        found.append(path)
    return found
