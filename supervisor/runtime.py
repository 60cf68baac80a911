"""Where status sockets live: one per supervisor, in a directory only the user can enter.

On Linux that is `$XDG_RUNTIME_DIR/oe-mcp` when XDG_RUNTIME_DIR is a directory of ours with mode
0700, else `$TMPDIR/oe-mcp-<uid>` (TMPDIR defaulting to /tmp); elsewhere the platformdirs user
runtime dir. A shared sticky TMPDIR lets anyone create that name first, as a directory or a
link, so it is used only when it is a directory of ours, mode 0700, not a link; otherwise a
fresh private `oe-mcp-<uid>-XXXXXXXX` beside it, where oe-mcp-status looks too. Nothing here
follows a link or changes the mode of a directory it did not create.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import stat
import sys
import tempfile
from pathlib import Path

APP = "oe-mcp"
SOCKET_PREFIX = "supervisor-"
SOCKET_SUFFIX = ".sock"  # a Unix socket
TCP_SUFFIX = ".tcp.json"  # a descriptor of a loopback TCP port and its token (Windows)
TRANSPORT_ENV = "OE_MCP_STATUS_TRANSPORT"  # "unix" or "tcp"; default by platform

log = logging.getLogger("oe-mcp-local.status")


def use_tcp_status() -> bool:
    """Unix sockets where the platform has them; loopback TCP + token otherwise."""
    chosen = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    return chosen == "tcp" or (chosen != "unix" and not hasattr(socket, "AF_UNIX"))


def staged_name(path: Path) -> Path:
    """Where this process makes what will be `path` before it is published whole: a hidden
    name beside it (the same directory, so `publish` is one link)."""
    return path.with_name(f".{path.name}.{os.getpid()}")


def write_private_file(path: Path, text: str) -> None:
    """Create `path` readable by the owner only (0600; a user-only profile dir on Windows),
    whole: it is written under a private name first, then linked into place, so a reader never
    sees it empty or half written. It must not exist: whatever is there is not ours to replace."""
    staged = staged_name(path)
    staged.unlink(missing_ok=True)  # left by a run of ours that died right here
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    publish(staged, path)


def publish(staged: Path, path: Path) -> None:
    """Give what was made at `staged` (a file or a listening socket) its name `path` at once,
    then drop the staged name. An existing `path` is refused (FileExistsError): whatever is
    there is not ours to replace."""
    try:
        os.link(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def is_private_dir(path: Path) -> bool:
    """A directory of ours, not a link to one, that nobody else may enter (mode 0700)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and stat.S_IMODE(info.st_mode) & 0o777 == 0o700)


def _preferred_dir() -> Path:
    if not sys.platform.startswith("linux"):
        from platformdirs import PlatformDirs

        return PlatformDirs(APP, appauthor=False).user_runtime_path
    xdg = Path(os.environ.get("XDG_RUNTIME_DIR", ""))
    if xdg.is_absolute() and is_private_dir(xdg):
        return xdg / APP
    # platformdirs would warn and fall back to a /tmp/runtime-<uid> of its own; use ours.
    return Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"


def _fallback_dirs(preferred: Path) -> list[Path]:
    """The private directories made beside `preferred` when it was not ours to use."""
    return sorted(path for path in preferred.parent.glob(f"{preferred.name}-*") if is_private_dir(path))


def runtime_dir() -> Path:
    """The directory for a status socket, made when missing (see the module doc)."""
    preferred = _preferred_dir()
    if not hasattr(os, "getuid"):  # Windows: a directory in the user's own profile
        preferred.mkdir(parents=True, exist_ok=True)
        return preferred
    preferred.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        preferred.mkdir(mode=0o700)
    if is_private_dir(preferred):
        return preferred
    fallback = next(iter(_fallback_dirs(preferred)), None)
    if fallback is None:
        fallback = Path(tempfile.mkdtemp(prefix=f"{preferred.name}-", dir=preferred.parent))
    log.warning("%s is not a private directory of ours (another user's, a link, or open to "
                "others); using %s instead", preferred, fallback)
    return fallback


def runtime_dirs() -> list[Path]:
    """Every directory where this user's supervisors may have their sockets (none is made)."""
    preferred = _preferred_dir()
    if not hasattr(os, "getuid"):
        return [preferred] if preferred.is_dir() else []
    return ([preferred] if is_private_dir(preferred) else []) + _fallback_dirs(preferred)


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




def is_status_entry(path: Path) -> bool:
    """What a supervisor leaves at `path`: a socket, or (TCP) a descriptor file; never a link."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) if path.name.endswith(TCP_SUFFIX) else stat.S_ISSOCK(mode)


def running_sockets() -> list[Path]:
    """Sockets of live supervisors; stale ones (their process is gone) are removed."""
    from shared.processes import pid_alive  # (trio with it: not on oe-mcp-status's start-up path)

    found = []
    for folder in runtime_dirs():
        candidates = [path for suffix in (SOCKET_SUFFIX, TCP_SUFFIX)
                      for path in folder.glob(f"{SOCKET_PREFIX}*{suffix}") if is_status_entry(path)]
        for path in sorted(candidates):
            pid = pid_of(path)
            if pid is not None and not pid_alive(pid):
                path.unlink(missing_ok=True)
                continue
            found.append(path)
    return found
