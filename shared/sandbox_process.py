"""`--demo`: run the sandbox OvalEdge as a child process and point this process at it.

The supervisor, the worker and the doctor all use this one helper. It imports nothing of the
sandbox package: it runs `python -m sandbox --child` and reads the settings the sandbox prints
(`OVALEDGE_BASE_URL=...`, the demo token and secret), one `NAME=value` line each. The child
exits when its stdin closes (how we end it) or when this process dies (the lifeline).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

from shared.lifeline import PARENT_PID_ENV
from shared.processes import close_and_reap

SETTING_NAMES = ("OVALEDGE_BASE_URL", "OVALEDGE_USER_TOKEN", "OVALEDGE_USER_SECRET")
START_TIMEOUT_SECONDS = 30.0


class SandboxStartError(RuntimeError):
    """The sandbox child did not come up; the text says what it printed."""


async def _read_settings(process: trio.Process) -> dict[str, str]:
    assert process.stdout is not None
    settings: dict[str, str] = {}
    pending = b""
    while not all(name in settings for name in SETTING_NAMES):
        chunk = await process.stdout.receive_some(4096)
        if not chunk:
            raise SandboxStartError(
                f"the sandbox exited before printing its settings (got {sorted(settings)})")
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            name, sep, value = line.decode(errors="replace").strip().partition("=")
            if sep and name in SETTING_NAMES:
                settings[name] = value
    return settings


@asynccontextmanager
async def sandbox_child() -> AsyncIterator[dict[str, str]]:
    """Start the sandbox; yield the settings (lower-case names, for `load_settings`) that
    point a process at it. The sandbox is stopped when the block ends."""
    env = {**os.environ, PARENT_PID_ENV: str(os.getpid())}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "sandbox", "--port", "0", "--child"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
    )
    try:
        with trio.fail_after(START_TIMEOUT_SECONDS):
            printed = await _read_settings(process)
        yield {"auth_mode": "local", **{name.lower(): value for name, value in printed.items()}}
    except trio.TooSlowError:
        raise SandboxStartError(f"the sandbox did not start within {START_TIMEOUT_SECONDS:g} s") from None
    finally:
        await close_and_reap(process, grace=3.0)
