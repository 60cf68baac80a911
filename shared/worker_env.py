"""What a supervisor puts in each worker's environment, besides its own (light to import: the
supervisor spawns its first worker before loading anything heavy)."""

from __future__ import annotations

PARENT_PID_ENV = "OE_MCP_SUPERVISOR_PID"  # the worker exits when this process is gone
WARM_TOKEN_ENV = "OE_MCP_WORKER_WARM_TOKEN"  # "1": exchange the JWT at start, not at the first call
# The key of governed-write confirmation tokens: one per supervisor run, shared by its workers.
CONFIRM_KEY_ENV = "OE_MCP_CONFIRM_KEY"
# Set in a worker forked by the fork host (worker/host.py): the host's pid, its parent.
FORK_HOST_PID_ENV = "OE_MCP_FORK_HOST_PID"


def for_worker(env: dict[str, str], *, supervisor_pid: int, warm_token: bool) -> dict[str, str]:
    """`env` (the supervisor's, with the run's key) as one worker gets it."""
    return {**env, PARENT_PID_ENV: str(supervisor_pid), WARM_TOKEN_ENV: "1" if warm_token else "0"}
