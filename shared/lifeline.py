"""Tie a supervised child's life to its supervisor's.

Stdin EOF is the normal signal. This covers the rest (a SIGKILLed supervisor whose pipe some
stray descendant keeps open): the child watches the supervisor's pid and exits when it is gone.
Not PR_SET_PDEATHSIG: it fires when the *thread* that spawned the child exits, and trio spawns
from a worker thread that its thread cache retires after 10 s idle.
"""

from __future__ import annotations

import os

import trio

from shared.processes import pid_alive
from shared.worker_env import FORK_HOST_PID_ENV, PARENT_PID_ENV

POLL_SECONDS = 1.0


def supervisor_pid() -> int | None:
    value = os.environ.get(PARENT_PID_ENV, "")
    return int(value) if value.isdigit() else None


async def exit_when_supervisor_dies() -> None:
    """Run for the child's lifetime; `os._exit` as soon as the supervisor is gone."""
    pid = supervisor_pid()
    if pid is None:
        return
    # Our parent: the supervisor, or the fork host it started (worker/host.py).
    parent = int(os.environ.get(FORK_HOST_PID_ENV) or pid)
    if os.getppid() != parent:  # it died before we got here
        os._exit(1)
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = None
        if fd is not None:
            try:
                await trio.lowlevel.wait_readable(fd)  # readable = the process has exited
            finally:
                os.close(fd)
            os._exit(1)
    while os.getppid() == parent and pid_alive(pid):  # no pidfd here: reparenting tells us instead
        await trio.sleep(POLL_SECONDS)
    os._exit(1)
