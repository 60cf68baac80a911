"""Ending a child process the way an MCP client ends a server."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import trio


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (a zombie counts), mine or another user's. Always True on
    Windows, where os.kill would end the process: a dead pid is then only counted as alive."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (it exists, and is not ours to signal)
        return True
    return True


def signal_group(process: trio.Process, *, gently: bool = False) -> None:
    """SIGTERM (gently) or SIGKILL the process's whole group: it was started in a session of its
    own, so this reaches anything it spawned. Windows has no groups: the process alone."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGTERM if gently else signal.SIGKILL)
        elif gently:
            process.terminate()
        else:
            process.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass  # already gone


async def close_and_reap(process: trio.Process, grace: float = 5.0) -> None:
    """Close its stdin (the polite way to end an MCP server), wait `grace` seconds, then SIGKILL
    its process group. Always reaps; safe to call on a process that already exited."""
    with trio.CancelScope(shield=True):
        if process.stdin is not None:
            with contextlib.suppress(trio.ClosedResourceError, trio.BrokenResourceError, OSError):
                await process.stdin.aclose()
        with trio.move_on_after(grace):
            await process.wait()
        if process.returncode is None:
            signal_group(process)
            await process.wait()


def run_main(prog: str, main: Callable[..., Awaitable[int | None]], *args: Any) -> int:
    """`trio.run(main, *args)` for a command line: the exit code `main` returns (None: 0), bad
    settings exit 2 with one line per problem (never a traceback), a demo sandbox that does not
    start exit 1, Ctrl-C exit 130."""
    try:
        return trio.run(main, *args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Imported only now: the settings (pydantic-settings) must not slow every start-up.
        from shared.sandbox_process import SandboxStartError
        from shared.settings import SettingsError

        if isinstance(exc, SettingsError):
            print(f"{prog}: cannot start, fix these settings:\n{exc}", file=sys.stderr)
            return 2
        if isinstance(exc, SandboxStartError):
            print(f"{prog}: cannot start the demo sandbox OvalEdge: {exc}", file=sys.stderr)
            return 1
        raise
