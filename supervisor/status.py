"""The status document of one supervisor (README "Ops inspection"): the pool's workers and
breaker, the relay's call counters, the worker's token state and OvalEdge route generation;
status_socket.py serves it.
Never a token, secret or JWT."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import mcp_types as types
import trio

from shared.protocol import STATUS_METHOD, WorkerStatusResult
from shared.redaction import redact
from supervisor.policy import BreakerState
from supervisor.pool import WorkerPool
from supervisor.relay import Relay
from supervisor.worker_process import Life


class SupervisorStatus:
    def __init__(self, pool: WorkerPool, relay: Relay, extra: dict[str, Any] | None = None):
        self.pool = pool
        self.relay = relay
        self.extra = extra or {}  # e.g. the sandbox URL under --demo
        self.started_at = time.time()
        self.last_token: dict[str, Any] = {"state": "none", "expires_in_seconds": None,
                                           "exchanges": 0, "last_error": None}
        self.last_routes: dict[str, Any] = {"setting": None, "generation": "not yet known",
                                            "first_generation_for": [], "missing_routes": []}

    async def worker_state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Ask the worker for its token and route state (briefly); fall back to the last answer."""
        worker = self.pool.current
        if worker is not None and worker.usable:
            with trio.move_on_after(1.0):
                ok, answer = await worker.request_private(STATUS_METHOD, types.RequestParams(),
                                                          WorkerStatusResult)
                if ok and answer.token:
                    self.last_token = dict(answer.token)
                if ok and answer.routes:
                    self.last_routes = dict(answer.routes)
        return self.last_token, self.last_routes

    async def document(self) -> dict[str, Any]:
        token, routes = await self.worker_state()
        pool, breaker = self.pool, self.pool.breaker
        worker, standby = pool.current, pool.standby
        return {
            "supervisor": {
                "pid": os.getpid(),
                "uptime_seconds": round(time.time() - self.started_at, 1),
                "python": sys.version.split()[0],
            },
            "worker": {
                "pid": worker.pid if worker and worker.life is not Life.DEAD else None,
                # The standby ready now: a fork host (OE_MCP_STANDBY=fork) or a worker.
                "spare_pid": standby[1] if standby else None,
                "standby": standby[0] if standby else None,
                "state": str(pool.state),
                "restarts": pool.restarts,
                "last_exit": pool.last_exit,
                "stderr_tail": [redact(line) for line in list(pool.stderr_tail)[-10:]],
            },
            "breaker": {
                "state": str(breaker.state),
                "crashes_in_window": breaker.crashes_in_window(trio.current_time()),
                "reopens_in_seconds": (
                    round(max(0.0, breaker.reopen_at() - trio.current_time()), 1)
                    if breaker.state is BreakerState.OPEN and breaker.reopen_at() else None
                ),
            },
            "calls": dict(self.relay.calls),
            "token": {key: redact(v) if isinstance(v, str) else v for key, v in token.items()},
            "routes": routes,
            **self.extra,
        }
