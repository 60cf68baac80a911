"""Tie a child process's life to its parent's (Linux: parent-death signal)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PARENT_PID_ENV = "OE_MCP_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """If started by a supervisor, get SIGKILLed when it dies, and exit now if it already has.

    Stdin EOF covers the normal case; this covers a SIGKILLed supervisor whose pipe a stray
    grandchild might keep open.
    """
    expected = os.environ.get(PARENT_PID_ENV)
    if not expected or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if str(os.getppid()) != expected:  # the parent died before the signal was armed
        os._exit(1)
