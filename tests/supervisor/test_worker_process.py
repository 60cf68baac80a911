"""A worker's life cycle (`Life`), driven with real child processes: the real worker command,
and stand-ins that fail to spawn or exit before their handshake."""

from __future__ import annotations

import os
import signal
import sys
from collections import deque

import trio

from shared.lifeline import PARENT_PID_ENV
from shared.worker_env import WARM_TOKEN_ENV
from supervisor.worker_process import Life, WorkerProcess
from tests.harness import alive, base_env

WORKER_COMMAND = [sys.executable, "-m", "worker.cli"]
# Never called: a worker that is not asked to warm its token exchanges none until a tool call.
WORKER_ENV = base_env({
    "OVALEDGE_BASE_URL": "http://127.0.0.1:9/ovaledge",
    "OVALEDGE_USER_TOKEN": "unused-token",
    "OVALEDGE_USER_SECRET": "unused-secret",
    WARM_TOKEN_ENV: "0",
    PARENT_PID_ENV: str(os.getpid()),
})


def run_noting_stages(nursery: trio.Nursery, worker: WorkerProcess) -> list[Life]:
    """Run `worker` in `nursery`; the list returned fills with each stage it is seen at."""
    seen: list[Life] = []

    async def note() -> None:
        while True:
            seen.append(worker.life)
            if worker.life is Life.DEAD:
                return
            await worker.reached(Life(worker.life + 1))

    nursery.start_soon(note)
    nursery.start_soon(worker.run)
    return seen


def moved_forward_to_dead(seen: list[Life]) -> bool:
    return seen == sorted(set(seen)) and seen[-1] is Life.DEAD


async def test_a_worker_that_cannot_be_spawned_is_dead_at_once():
    worker = WorkerProcess(["/nonexistent/oe-mcp-worker"], {}, deque())
    async with trio.open_nursery() as nursery:
        seen = run_noting_stages(nursery, worker)
        with trio.fail_after(5):
            await worker.reached(Life.READY)  # what the pool waits for: ready, or past it
    assert seen == [Life.SPAWNING, Life.DEAD] and not worker.usable
    assert worker.pid is None and worker.exit.reason.startswith("spawn failed")
    worker.retire()  # a late step back changes nothing
    assert worker.life is Life.DEAD


async def test_a_worker_that_exits_before_its_handshake_is_never_ready():
    tail: deque[str] = deque()
    worker = WorkerProcess(
        [sys.executable, "-c", "import sys; print('bad setting X', file=sys.stderr); sys.exit(2)"],
        dict(os.environ), tail)
    async with trio.open_nursery() as nursery:
        seen = run_noting_stages(nursery, worker)
        with trio.fail_after(10):
            await worker.reached(Life.DEAD)
    assert Life.READY not in seen and moved_forward_to_dead(seen)
    assert worker.ready_at is None and worker.exit.code == 2
    assert "bad setting X" in " ".join(tail)


# A stand-in that waits for the supervisor's first request (the worker is spawned by then),
# reports the size of its stderr pipe, logs a burst of 4,000 numbered lines (about 0.5 MB, more
# than a default 64 KiB pipe holds) in one go, and exits.
LOG_BURST = """
import fcntl, sys
sys.stdin.readline()
print("pipe", fcntl.fcntl(2, fcntl.F_GETPIPE_SZ), file=sys.stderr, flush=True)
sys.stderr.write("".join(f"line {i} " + "x" * 120 + "\\n" for i in range(4000)))
sys.stderr.flush()
sys.exit(3)
"""


async def test_a_burst_of_worker_log_lines_is_passed_on_whole_and_in_order():
    # The worker's log is read in batches; its pipe is made big enough that the worker's writes
    # do not wait on our reads meanwhile, and nothing is lost or reordered, the last lines included.
    tail: deque[str] = deque()
    worker = WorkerProcess([sys.executable, "-c", LOG_BURST], dict(os.environ), tail)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(worker.run)
        with trio.fail_after(10):
            await worker.reached(Life.DEAD)
    pipe = [line for line in tail if line.startswith("pipe ")]
    assert pipe == ["pipe 1048576"], pipe
    numbers = [int(line.split()[1]) for line in tail if line.startswith("line ")]
    assert numbers == list(range(4000))
    assert worker.exit.code == 3


async def test_ready_retiring_dead_a_retiring_worker_still_answers():
    worker = WorkerProcess(WORKER_COMMAND, WORKER_ENV, deque())
    async with trio.open_nursery() as nursery:
        seen = run_noting_stages(nursery, worker)
        with trio.fail_after(30):
            await worker.reached(Life.READY)
        assert worker.life is Life.READY and worker.usable and worker.ready_at is not None
        ok, _ = await worker.request("ping")
        assert ok
        worker.retire()
        assert worker.life is Life.RETIRING and not worker.usable
        ok, _ = await worker.request("ping")  # it finishes what it is asked
        assert ok
        await worker.stop(reason="recycled")
    assert seen[:3] == [Life.SPAWNING, Life.HANDSHAKING, Life.READY] and moved_forward_to_dead(seen)
    assert worker.exit.reason == "recycled" and worker.exit.code == 0
    assert await worker.request("ping") == (False, None)
    assert not alive(worker.pid)


async def test_a_call_in_flight_when_the_worker_is_killed_returns_lost():
    worker = WorkerProcess(WORKER_COMMAND, WORKER_ENV, deque())
    answers = []

    async def ping() -> None:
        answers.append(await worker.request("ping"))

    async with trio.open_nursery() as nursery:
        seen = run_noting_stages(nursery, worker)
        with trio.fail_after(30):
            await worker.reached(Life.READY)
        os.kill(worker.pid, signal.SIGSTOP)  # hung: the ping stays in flight
        nursery.start_soon(ping)
        await trio.sleep(0.2)
        assert worker.in_flight == 1
        worker.kill("hung (test)")
        with trio.fail_after(10):
            await worker.reached(Life.DEAD)
    assert answers == [(False, None)] and worker.in_flight == 0 and moved_forward_to_dead(seen)
    assert worker.exit.reason == "hung (test)" and worker.exit.as_dict()["signal"] == "SIGKILL"
