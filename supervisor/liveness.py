"""Liveness of one worker: pinged until it dies; one that does not answer in time is hung, and
is killed (the pool's owner task replaces it like any dead worker)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import trio

from supervisor.policy import Breaker
from supervisor.reporting import Report
from supervisor.worker_process import Life, WorkerProcess


@dataclass(frozen=True)
class LivenessWatch:
    interval: float  # OE_MCP_PING_INTERVAL_SECONDS
    timeout: float  # OE_MCP_PING_TIMEOUT_SECONDS
    breaker: Breaker
    recycle_if_due: Callable[[WorkerProcess], None]
    report: Report

    async def watch(self, worker: WorkerProcess) -> None:
        """Ping `worker` every `interval` s until it is lost. After each answer: a worker ready
        long enough clears the breaker's crash history, and the recycle thresholds are checked."""
        while worker.life is not Life.DEAD:
            with trio.move_on_after(self.interval):
                await worker.reached(Life.DEAD)
                return
            answered = False
            with trio.move_on_after(self.timeout):
                answered, _ = await worker.request("ping")  # an error answer is an answer too
            if worker.life >= Life.LOST:
                return  # it died or closed its pipe: the owner task handles that
            if not answered:
                worker.kill(f"hung (no ping answer within {self.timeout:g} s)")
                await self.report("warning", f"Worker {worker.pid} did not answer a ping within "
                                  f"{self.timeout:g} s (hung); replaced it.")
                return
            if worker.ready_at is not None:
                self.breaker.record_stable(worker.ready_at, trio.current_time())
            self.recycle_if_due(worker)
