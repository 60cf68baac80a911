"""The worker pool: the current worker, a standby beside it, and the owner task that keeps them.

The owner task (`WorkerPool.run`) starts and restarts workers under the crash-loop breaker
(policy.py), replaces the current worker from the standby when it dies, recycles and retires
workers. It opens the pool's nursery, where every worker, its liveness watch and a retiring
worker's drain run. Call handlers only ever wait for a ready worker (`ready_worker`).

The standby (OE_MCP_SPARE_WORKER, of the kind OE_MCP_STANDBY) is one of:
- `fork` (Linux): the fork host (worker/host.py, supervisor/fork_host.py), a process that has
  imported the worker's code and forks every worker from it, the first one included. A worker
  is forked and ready in well under a second, and shares the host's pages.
- `worker`: a second worker, started and ready, promoted when the current one dies.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

import mcp_types as types
import trio

from shared.protocol import TOKEN_ADOPT_METHOD, TOKEN_EXPORT_METHOD, TokenAdoptParams, TokenHandover
from shared.redaction import register_secret
from shared.settings import Settings
from shared.worker_env import for_worker
from supervisor.fork_host import ForkFailed, ForkHost, spawn_fork_host
from supervisor.liveness import LivenessWatch
from supervisor.policy import Breaker, BreakerState, RestartPolicy
from supervisor.reporting import Report
from supervisor.spawn import WORKER_COMMAND, EarlyHost, fork_host_supported
from supervisor.worker_process import Life, WorkerProcess

STDERR_TAIL_LINES = 40
FIRST_STANDBY_DELAY_SECONDS = 3.0  # unless the first call is answered sooner

# What a worker sends besides answers, passed on with the worker it came from (the front's).
Forward = Callable[[WorkerProcess, dict[str, Any], bytes], Awaitable[None]]


class WorkerState(StrEnum):
    STARTING = "starting"
    READY = "ready"
    RESTARTING = "restarting"
    FAILED = "failed"
    STOPPED = "stopped"


class WorkerUnavailable(Exception):
    """No worker can take the call now; the text says why and what to do."""


@dataclass(eq=False)
class _RecycleRequest:
    """A recycle asked of the owner task; `done` is set once it is over."""

    reason: str | None  # the recycle threshold passed; None: an operator asked, and waits
    fresh: bool = False  # new settings: not onto the standby (it read the old ones)
    same_account: bool = True  # the JWT (and flows) still belong to the OvalEdge account in use
    done: trio.Event = field(default_factory=trio.Event)
    outcome: str | Exception = ""


class WorkerPool:
    def __init__(
        self,
        settings: Settings,
        worker_command: list[str],
        worker_env: dict[str, str],
        report: Report,
        *,
        policy: RestartPolicy | None = None,
        first: trio.Process | EarlyHost | None = None,
    ):
        self.settings = settings
        self.worker_command = worker_command
        self.worker_env = worker_env
        self.report = report
        self.forward: Forward | None = None  # set by the front
        # A worker process spawned early (`spawn_worker`), not yet served; or the fork host,
        # started early, which then forks the first worker too.
        self.host: ForkHost | None = first.adopt() if isinstance(first, EarlyHost) else None
        self._first = None if isinstance(first, EarlyHost) else first
        self.breaker = Breaker(policy or RestartPolicy.from_settings(settings))
        self.state = WorkerState.STARTING
        self.current: WorkerProcess | None = None
        self.spare: WorkerProcess | None = None  # a ready standby, promoted on a crash
        self.restarts = 0
        self.last_exit: dict[str, Any] | None = None
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._liveness = LivenessWatch(
            interval=settings.oe_mcp_ping_interval_seconds,
            timeout=settings.oe_mcp_ping_timeout_seconds,
            breaker=self.breaker,
            recycle_if_due=self.recycle_if_due,
            report=report,
        )
        self._changed = trio.Event()
        self._first_call_answered = trio.Event()
        # Unbounded, so that asking never waits; the owner task serves requests one at a time.
        self._recycle_requests, self._recycle_inbox = trio.open_memory_channel[_RecycleRequest](
            math.inf
        )
        self._threshold_recycle: _RecycleRequest | None = None  # the last one a threshold asked
        self._workers: set[WorkerProcess] = set()  # every live child, current or not
        self._stopping = False
        self._stopped = trio.Event()  # every worker is stopped: `run` may close the nursery

    def _signal(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    def _tail_text(self, lines: int = 5) -> str:
        tail = list(self.stderr_tail)[-lines:]
        return " | ".join(tail) if tail else "(none)"

    # -- the owner task ----------------------------------------------------------------------
    async def run(self, *, task_status=trio.TASK_STATUS_IGNORED) -> None:
        """The owner task. It opens the pool's nursery and passes it to whatever starts a task
        (a worker, its liveness watch, a retiring worker's drain); it closes it, cancelling
        what is left, once `shutdown` has stopped every worker, and then returns."""
        async with trio.open_nursery() as nursery:
            task_status.started()
            if self._fork_standby:
                nursery.start_soon(self._keep_host, nursery)
            else:
                if self.host is not None:  # started early, before the settings said otherwise
                    nursery.start_soon(self.host.aclose)
                    self.host = None
                if self.settings.oe_mcp_spare_worker:
                    nursery.start_soon(self._keep_spare, nursery)
            nursery.start_soon(self._serve_recycles, nursery)
            nursery.start_soon(self._keep_current, nursery)
            await self._stopped.wait()
            nursery.cancel_scope.cancel()

    async def _keep_current(self, nursery: trio.Nursery) -> None:
        """Keep a current worker: promote the standby or start one, again after each crash."""
        first = True
        while not self._stopping:
            if self.breaker.state is BreakerState.OPEN:
                self.state = WorkerState.FAILED
                self._signal()
                await self._wait_out_cooldown()
                await self.report("info", "Breaker half-open: starting one trial worker.")
            worker = self._promote_spare()
            if worker is None:
                self.state = WorkerState.STARTING if first else WorkerState.RESTARTING
                worker = await self._start_worker(nursery)
            first = False
            worker = await self._serving_until_dead(worker)
            if self._stopping:
                break
            await self._after_crash(worker)

    async def _serving_until_dead(self, worker: WorkerProcess) -> WorkerProcess:
        """Follow whichever worker serves (a recycle may replace `worker`); return it dead."""
        while True:
            if self.current is not None and self.current is not worker:
                worker = self.current
            if worker.life is Life.DEAD:
                return worker
            await _first_of(partial(worker.reached, Life.DEAD), self._changed.wait)

    async def _wait_out_cooldown(self) -> None:
        """The breaker is open: wait until it allows one trial worker."""
        await trio.sleep_until(self.breaker.reopen_at() or trio.current_time())
        self.breaker.try_half_open(trio.current_time())

    def _promote_spare(self) -> WorkerProcess | None:
        """Make the standby worker current (no spawn wait), if there is a healthy one."""
        spare = self.spare
        if spare is None or not spare.usable or self.breaker.state is not BreakerState.CLOSED:
            return None
        self.spare = None
        self.current = spare
        self.state = WorkerState.READY
        self.breaker.record_ready(trio.current_time())
        self._signal()
        return spare

    @property
    def _fork_standby(self) -> bool:
        settings = self.settings
        return settings.oe_mcp_spare_worker and settings.oe_mcp_standby == "fork" and fork_host_supported()

    @property
    def standby(self) -> tuple[str, int] | None:
        """The standby ready now, as (kind, pid): ("fork host", pid) or ("worker", pid)."""
        if self.host is not None and self.host.usable:
            return "fork host", self.host.pid
        if self.spare is not None and self.spare.usable and self.spare.pid is not None:
            return "worker", self.spare.pid
        return None

    async def _keep_host(self, nursery: trio.Nursery) -> None:
        """Keep the fork host running (OE_MCP_STANDBY=fork): serve its channel in `nursery`, and
        start another when it ends, with the backoff of a crashed standby. Workers already
        forked from it are not touched by its end."""
        while not self._stopping:
            host = self.host
            if host is None:
                host = await spawn_fork_host(self.worker_env, supervisor_pid=os.getpid())
                if host is None:
                    await self.report("warning", "The fork host cannot be started; workers are "
                                      "started cold, with a standby worker beside them.")
                    await self._keep_spare(nursery)
                    return
                self.host = host
            nursery.start_soon(host.run)
            await _first_of(host.gone.wait, self._stopped.wait)
            if self._stopping:
                return
            self.host = None
            self._signal()
            delay = self.breaker.record_crash(trio.current_time())
            await self.report("warning", f"The standby fork host {host.pid} ended; starting another.")
            if delay is None:
                await self._wait_out_cooldown()
            elif delay:
                await trio.sleep(delay)

    async def _keep_spare(self, nursery: trio.Nursery) -> None:
        """Keep one standby worker ready beside the current one (OE_MCP_SPARE_WORKER).

        It does not exchange a token until it is promoted and called, so it never kills the
        current worker's JWT (OvalEdge keeps one per credential pair). The first one waits for
        the first call to be answered (or a few seconds): its start-up would otherwise compete
        with that call for the cores.
        """
        with trio.move_on_after(FIRST_STANDBY_DELAY_SECONDS):
            await self._first_call_answered.wait()
        while not self._stopping:
            current, spare = self.current, self.spare
            wanted = current is not None and current.usable and (
                spare is None or spare.life >= Life.LOST)
            if not wanted:
                await _first_of(self._changed.wait,
                                *([partial(spare.reached, Life.LOST)] if spare else []))
                if spare is not None and spare is self.spare and spare.life >= Life.LOST:
                    # It died while standing by: a crash like any other, with the same backoff.
                    self.spare = None
                    delay = self.breaker.record_crash(trio.current_time())
                    await self.report("warning", f"Standby worker {spare.pid} died; starting another.")
                    if delay:
                        await trio.sleep(delay)
                continue
            if self.breaker.state is BreakerState.OPEN:  # standbys failed: wait out the cool-down
                await self._wait_out_cooldown()
                continue
            self.spare = None
            spare = await self._spawn(nursery, warm_token=False)
            if spare.life is not Life.DEAD:
                self.spare = spare
                self.breaker.record_ready(trio.current_time())
                continue
            if self._stopping:  # stopped by our own shutdown while it started: no failure
                return
            delay = self.breaker.record_crash(trio.current_time())
            exit_info = spare.exit.as_dict() if spare.exit else {}
            await self.report("warning", f"Standby worker failed to start ({exit_info.get('reason')}, "
                              f"exit code {exit_info.get('code')}). Last output: {self._tail_text()}")
            self._signal()
            if delay:
                await trio.sleep(delay)

    async def _spawn(self, nursery: trio.Nursery, *, warm_token: bool) -> WorkerProcess:
        """Spawn a worker (or take the one spawned early) and wait until it is ready or dead. It
        runs in `nursery`, and so does its liveness watch once it is ready: the pool's, which
        `run` closes."""
        first, self._first = self._first, None
        env = for_worker(self.worker_env, supervisor_pid=os.getpid(), warm_token=warm_token)
        if first is None and self.host is not None:
            first = await self.host.take_first() if warm_token else None
            first = first or await self._fork(env)
        worker = WorkerProcess(self.worker_command, env, self.stderr_tail, process=first)
        worker.inbound = partial(self._forward, worker)
        self._workers.add(worker)
        nursery.start_soon(self._run_worker, worker)
        await worker.reached(Life.READY)
        if worker.life is not Life.DEAD:
            nursery.start_soon(self._liveness.watch, worker)
        return worker

    async def _fork(self, env: dict[str, str]) -> Any:
        """A worker forked by the fork host, or None (it is gone or failed): then it is spawned."""
        assert self.host is not None
        entry, argv = self.worker_command[:3], self.worker_command[3:]
        if entry != list(WORKER_COMMAND):  # (a test's own worker program: spawned as given)
            return None
        try:
            return await self.host.fork(argv, env)
        except ForkFailed as exc:
            await self.report("warning", f"Could not fork a worker ({exc}); starting one cold.")
            return None

    async def _forward(self, worker: WorkerProcess, message: dict[str, Any], line: bytes) -> None:
        if self.forward is not None:
            await self.forward(worker, message, line)

    async def _run_worker(self, worker: WorkerProcess) -> None:
        try:
            await worker.run()
        finally:
            self._workers.discard(worker)

    async def _start_worker(self, nursery: trio.Nursery) -> WorkerProcess:
        """Start the current worker; a failed start is returned dead and counts as a crash."""
        worker = await self._spawn(nursery, warm_token=True)
        self.current = worker
        if worker.life is not Life.DEAD:
            self.state = WorkerState.READY
            self.breaker.record_ready(trio.current_time())
            self._signal()
        return worker

    async def _after_crash(self, worker: WorkerProcess) -> None:
        exit_info = worker.exit.as_dict() if worker.exit else None
        self.last_exit = exit_info
        self.current = None
        self.restarts += 1
        delay = self.breaker.record_crash(trio.current_time())
        self.state = WorkerState.FAILED if delay is None else WorkerState.RESTARTING
        self._signal()
        how = "no exit code" if not exit_info else (
            f"signal {exit_info['signal']}" if exit_info["signal"] else f"exit code {exit_info['code']}")
        reason = exit_info["reason"] if exit_info else "unknown"
        if delay is None:
            await self.report(
                "error",
                f"Worker {reason} ({how}); breaker open after "
                f"{self.breaker.crashes_in_window(trio.current_time())} crashes: tool calls fail "
                f"fast for {self.breaker.policy.cooldown:g} s. Last worker output: "
                f"{self._tail_text()}",
            )
            return
        standby = self.standby
        if standby is not None:
            kind, pid = standby
            await self.report("warning", f"Worker {reason} ({how}); " + (
                f"the standby worker {pid} takes over." if kind == "worker"
                else f"a new one is forked from the standby fork host {pid}."))
            return
        await self.report("warning", f"Worker {reason} ({how}); restarting it"
                          + (f" in {delay:.2f} s." if delay else "."))
        if delay:
            await trio.sleep(delay)

    # -- getting a worker for a call ---------------------------------------------------------
    async def ready_worker(self) -> WorkerProcess:
        while True:
            worker = self.current
            if worker is not None and worker.usable:
                return worker
            if self._stopping:
                raise WorkerUnavailable("The server is shutting down (its client closed the connection).")
            if self.breaker.state is BreakerState.OPEN:
                reopen = self.breaker.reopen_at()
                now = trio.current_time()
                wait = max(0.0, (reopen or now) - now)
                raise WorkerUnavailable(
                    f"The OvalEdge worker keeps failing to run ({self.breaker.crashes_in_window(now)} "
                    f"failures in {self.breaker.policy.window:g} s), so calls are paused; the next "
                    f"attempt is in {wait:.0f} s. Last worker output: {self._tail_text()}. "
                    "Fix the cause shown (often a setting in .env), then retry."
                )
            await self._changed.wait()

    # -- recycling ---------------------------------------------------------------------------
    async def recycle(self) -> str:
        """Recycle the worker now (`oe-mcp-status restart-worker`); say how it went.

        Recycles are asked of the owner task through a channel, not done in the caller's task
        with a nursery it would pass: the new worker and the old one's drain must outlive the
        caller (a status-socket connection) and end with the pool, in the pool's nursery. And
        the owner task doing them one at a time is all the locking they need.
        """
        request = _RecycleRequest(reason=None)
        self._recycle_requests.send_nowait(request)
        await request.done.wait()
        if isinstance(request.outcome, Exception):
            raise request.outcome
        return request.outcome

    async def reconfigure(self, settings: Settings, *, same_account: bool) -> str:
        """The settings changed (the env file was edited): recycle onto a worker that reads the
        new ones, gracefully (calls in flight finish on the old worker). The standby is dropped,
        since it read the old settings; the JWT and the guided flows are handed over only for
        `same_account` (the same OvalEdge and credentials)."""
        self.settings = settings
        request = _RecycleRequest(reason=None, fresh=True, same_account=same_account)
        self._recycle_requests.send_nowait(request)
        await request.done.wait()
        if isinstance(request.outcome, Exception):
            raise request.outcome
        return request.outcome

    def call_answered(self) -> None:
        """The relay got an answer from a worker (the first one lets the standby start)."""
        self._first_call_answered.set()

    def recycle_if_due(self, worker: WorkerProcess) -> None:
        """Ask for a recycle of the current worker after OE_MCP_RECYCLE_AFTER_CALLS calls or
        above OE_MCP_RECYCLE_ABOVE_MB of memory (both off by default): long days, no slow
        creep. Returns at once; the owner task does it (see `recycle`)."""
        asked = self._threshold_recycle
        pending = asked is not None and not asked.done.is_set()
        if pending or worker is not self.current or not worker.usable:
            return
        settings = self.settings
        reason = None
        if settings.oe_mcp_recycle_after_calls and worker.calls_served >= settings.oe_mcp_recycle_after_calls:
            reason = f"served {worker.calls_served} calls"
        elif settings.oe_mcp_recycle_above_mb and (rss := worker.rss_mb()) is not None \
                and rss > settings.oe_mcp_recycle_above_mb:
            reason = f"uses {rss:.0f} MB"
        if reason:
            self._threshold_recycle = _RecycleRequest(reason)
            self._recycle_requests.send_nowait(self._threshold_recycle)

    async def _serve_recycles(self, nursery: trio.Nursery) -> None:
        """Do the recycles asked for, one at a time, starting their tasks in `nursery`."""
        async for request in self._recycle_inbox:
            try:
                if request.reason:
                    await self.report("info", f"Recycling the worker: it {request.reason}.")
                request.outcome = await self._recycle(nursery, request)
            except Exception as exc:  # the current worker keeps serving
                request.outcome = exc
                if request.reason:  # nobody waits for a threshold's recycle: say why it failed
                    await self.report("warning", f"Recycling the worker failed ({type(exc).__name__}); "
                                      "the current worker keeps serving.")
            finally:
                request.done.set()

    async def _recycle(self, nursery: trio.Nursery, request: _RecycleRequest) -> str:
        """Replace the worker with no failed call: the new one is ready before the old retires.

        The JWT is handed from the old worker to the new one, so the swap costs no exchange
        and the two never invalidate each other's token (OvalEdge keeps one per credential);
        so is the memory of guided flows in progress, so none loses its place.
        """
        if request.fresh and self.spare is not None:  # it read the old settings
            stale, self.spare = self.spare, None
            nursery.start_soon(partial(stale.stop, reason="settings changed"))
            self._signal()  # the standby keeper starts one with the new settings
        old = self.current
        if old is None or not old.usable:
            return "no ready worker to recycle; the supervisor is already restarting it"
        ok, answer = await old.request_private(TOKEN_EXPORT_METHOD, types.RequestParams(),
                                               TokenHandover)
        handover = (TokenAdoptParams(jwt=answer.jwt, flows=answer.flows)
                    if ok and request.same_account else None)
        register_secret(handover.jwt if handover else None)
        new = self.spare if self.spare is not None and self.spare.usable else None
        if new is not None:
            self.spare = None
        else:
            new = await self._spawn(nursery, warm_token=False)
        if new.life is Life.DEAD:
            return "the new worker failed to start; the current one keeps serving"
        if handover and (handover.jwt or handover.flows):
            await new.request_private(TOKEN_ADOPT_METHOD, handover, types.EmptyResult)
        if self.current is not old or not old.usable or not new.usable:
            # A crash got there first and the owner task has moved on: keep its choice.
            if new is not self.current:
                await new.stop(reason="recycle abandoned")
            return "the worker changed during the recycle (a crash was handled); nothing to do"
        old.retire()
        self.current = new
        self.state = WorkerState.READY
        self._signal()
        await self.report("info", f"Worker recycled: {new.pid} replaces {old.pid} "
                          f"(finishing {old.in_flight} call(s) on the old one).")
        nursery.start_soon(self._stop_when_drained, old)
        return f"recycled: worker {new.pid} replaces {old.pid}"

    async def _stop_when_drained(self, worker: WorkerProcess) -> None:
        with trio.move_on_after(self.settings.oe_mcp_call_timeout_seconds):
            await worker.drained()
        await worker.stop(reason="recycled")

    # -- the end -----------------------------------------------------------------------------
    async def shutdown(self) -> None:
        """Stop every worker; then `run` closes the pool's nursery and returns."""
        self._stopping = True
        self.state = WorkerState.STOPPED
        self._signal()
        async with trio.open_nursery() as stopping:
            for worker in list(self._workers):
                stopping.start_soon(partial(worker.stop, reason="supervisor exiting"))
            if self.host is not None:
                stopping.start_soon(self.host.aclose)
        self._stopped.set()


async def _first_of(*waits: Callable[[], Awaitable[Any]]) -> None:
    """Return as soon as any of the `waits` returns."""
    async with trio.open_nursery() as race:
        for wait in waits:
            async def run(wait=wait) -> None:
                await wait()
                race.cancel_scope.cancel()

            race.start_soon(run)
