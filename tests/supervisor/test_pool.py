"""The worker pool in-process, with real workers against the sandbox OvalEdge: recycles asked
from outside the owner task (an operator's, a threshold's), and a pool that cannot start one."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio

from shared.settings import Settings
from supervisor.policy import BreakerState, RestartPolicy
from supervisor.pool import WorkerPool, WorkerState, WorkerUnavailable
from supervisor.worker_process import Life
from tests.harness import sandbox_env

WORKER_COMMAND = [sys.executable, "-m", "worker.cli"]
SEARCH = ("asset_explorer", {"search_terms": ["orders"]})


@asynccontextmanager
async def running_pool(
    sandbox: Any, command: list[str] = WORKER_COMMAND, **settings: Any
) -> AsyncIterator[tuple[WorkerPool, list[tuple[str, str]]]]:
    """A running pool and the reports it made; shut down on the way out, after which `run`
    must return by itself (it closes its own nursery)."""
    from sandbox import DEMO_USER_SECRET, DEMO_USER_TOKEN

    reports: list[tuple[str, str]] = []

    async def report(level: str, message: str) -> None:
        reports.append((level, message))

    pool = WorkerPool(
        Settings(ovaledge_base_url=sandbox.base_url, ovaledge_user_token=DEMO_USER_TOKEN,
                 ovaledge_user_secret=DEMO_USER_SECRET, **{"oe_mcp_spare_worker": False, **settings}),
        command, sandbox_env(sandbox), report,
        policy=RestartPolicy(max_restarts=1, cooldown=600),  # a crash opens the breaker
    )
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            await nursery.start(pool.run)
            try:
                yield pool, reports
            finally:
                await pool.shutdown()
    assert pool.state is WorkerState.STOPPED


async def search(pool: WorkerPool) -> None:
    worker = await pool.ready_worker()
    name, arguments = SEARCH
    ok, reply = await worker.request("tools/call", {"name": name, "arguments": arguments})
    assert ok and reply.error is None and not reply.result["isError"], reply


async def test_an_operator_recycle_swaps_workers_and_hands_the_jwt_over(sandbox):
    async with running_pool(sandbox) as (pool, _):
        await search(pool)
        old = await pool.ready_worker()
        exchanges = sandbox.state.exchanges
        outcome = await pool.recycle()
        new = pool.current
        assert outcome == f"recycled: worker {new.pid} replaces {old.pid}"
        assert new.usable and old.life >= Life.RETIRING and not old.usable
        await old.reached(Life.DEAD)
        await search(pool)
        assert sandbox.state.exchanges == exchanges  # the new worker adopted the old one's JWT
    assert old.exit.reason == "recycled" and pool.restarts == 0


async def test_an_operator_recycle_promotes_a_ready_standby(sandbox):
    async with running_pool(sandbox, oe_mcp_spare_worker=True, oe_mcp_standby="worker") as (pool, _):
        old = await pool.ready_worker()
        with trio.fail_after(30):
            while pool.spare is None or not pool.spare.usable:
                await trio.sleep(0.05)
        spare = pool.spare
        assert (await pool.recycle()).startswith("recycled")
        assert pool.current is spare and pool.spare is not spare
        await old.reached(Life.DEAD)


async def test_recycles_asked_together_are_done_one_after_the_other(sandbox):
    async with running_pool(sandbox) as (pool, _):
        first = await pool.ready_worker()
        outcomes = []

        async def recycle() -> None:
            outcomes.append(await pool.recycle())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(recycle)
            nursery.start_soon(recycle)
        second_pid = int(outcomes[0].split()[2])
        assert outcomes == [f"recycled: worker {second_pid} replaces {first.pid}",
                            f"recycled: worker {pool.current.pid} replaces {second_pid}"]


async def test_a_threshold_asks_once_and_the_owner_task_recycles(sandbox):
    async with running_pool(sandbox, oe_mcp_recycle_after_calls=3) as (pool, reports):
        worker = await pool.ready_worker()
        worker.calls_served = 2
        pool.recycle_if_due(worker)
        assert pool.current is worker  # below the threshold: nothing asked
        worker.calls_served = 3
        pool.recycle_if_due(worker)
        pool.recycle_if_due(worker)  # already asked: not asked again
        with trio.fail_after(30):
            await worker.reached(Life.DEAD)
        assert pool.current is not worker and pool.current.usable
    recycling = [message for _, message in reports if message.startswith("Recycling")]
    assert recycling == ["Recycling the worker: it served 3 calls."]
    assert worker.exit.reason == "recycled" and pool.restarts == 0


async def test_with_no_worker_able_to_start_calls_fail_fast_and_recycles_say_why(sandbox):
    async with running_pool(sandbox, command=["/nonexistent/oe-mcp-worker"]) as (pool, reports):
        with trio.fail_after(10):
            while pool.breaker.state is not BreakerState.OPEN:
                await trio.sleep(0.02)
        with pytest.raises(WorkerUnavailable, match="keeps failing to run"):
            await pool.ready_worker()
        assert await pool.recycle() == (
            "no ready worker to recycle; the supervisor is already restarting it")
        assert pool.state is WorkerState.FAILED and pool.restarts == 1
    assert any("spawn failed" in message and "breaker open" in message for _, message in reports)
