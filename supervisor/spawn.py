"""Starting a worker process. Light to import on purpose: the supervisor spawns its first worker
with this before its own heavy imports (mcp_types, the settings), so that the worker's cold start
overlaps the supervisor's; the pool then serves that process (`WorkerProcess(process=...)`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

import trio

from shared.worker_env import for_worker

WORKER_COMMAND = (sys.executable, "-m", "worker.cli")


async def spawn_worker(command: Sequence[str], env: dict[str, str]) -> trio.Process:
    """A worker process in a session of its own (a kill reaches all it starts), MCP on its
    pipes, its log on stderr."""
    return await trio.lowlevel.open_process(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )


async def spawn_first_worker(env: dict[str, str]) -> trio.Process | None:
    """The first current worker (it exchanges its JWT at start), or None if it cannot be
    spawned: the pool then tries again itself, and reports why."""
    try:
        return await spawn_worker(WORKER_COMMAND, for_worker(env, supervisor_pid=os.getpid(),
                                                             warm_token=True))
    except OSError:
        return None
