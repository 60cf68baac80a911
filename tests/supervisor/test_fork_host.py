"""The fork host (worker/host.py, supervisor/fork_host.py) with real processes and real signals:
the workers it forks serve MCP, each with the environment its request gave, their ends are reported
with the right code, and neither a bad request nor the host's own end harms a worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections import deque

import pytest
import trio

from supervisor.fork_host import ForkFailed, ForkHost, spawn_fork_host
from supervisor.spawn import fork_host_supported, host_options, start_fork_host
from supervisor.worker_process import Life, WorkerProcess
from tests.harness import alive, wait_until
from tests.supervisor.test_worker_process import WORKER_COMMAND, WORKER_ENV

pytestmark = pytest.mark.skipif(not fork_host_supported(), reason="the fork host is Linux-only")


async def started_host(nursery: trio.Nursery) -> ForkHost:
    host = await spawn_fork_host(WORKER_ENV, supervisor_pid=os.getpid())
    assert host is not None
    nursery.start_soon(host.run)
    with trio.fail_after(30):
        await host.ready.wait()
    return host


async def served(nursery: trio.Nursery, host: ForkHost, **env: str) -> WorkerProcess:
    process = await host.fork([], {**WORKER_ENV, **env})
    worker = WorkerProcess(WORKER_COMMAND, {}, deque(maxlen=20), process=process)
    nursery.start_soon(worker.run)
    with trio.fail_after(30):
        await worker.reached(Life.READY)
    assert worker.life is Life.READY, worker.stderr_tail
    return worker


async def test_forked_workers_serve_and_end_with_their_code():
    async with trio.open_nursery() as nursery:
        host = await started_host(nursery)
        first = await served(nursery, host)
        second = await served(nursery, host)
        for worker in (first, second):
            with open(f"/proc/{worker.pid}/stat") as stat:
                assert int(stat.read().rsplit(")", 1)[1].split()[1]) == host.pid  # its parent
            assert os.getpgid(worker.pid) == worker.pid  # a session of its own: a kill reaches all
            ok, reply = await worker.request("tools/list")
            assert ok and reply is not None and reply.result["tools"]

        os.kill(first.pid, signal.SIGKILL)
        with trio.fail_after(10):
            await first.reached(Life.DEAD)
        assert first.exit is not None and first.exit.code == -signal.SIGKILL
        assert second.usable  # a worker's end is its own

        await second.stop()
        assert second.exit is not None and second.exit.code == 0  # stdin closed: a clean exit
        assert alive(host.pid)
        await host.aclose()
        assert not alive(host.pid)
        nursery.cancel_scope.cancel()


async def test_workers_outlive_their_host_and_their_end_is_still_seen():
    async with trio.open_nursery() as nursery:
        host = await started_host(nursery)
        worker = await served(nursery, host)
        host.kill()
        with trio.fail_after(10):
            await host.gone.wait()
        ok, reply = await worker.request("tools/list")
        assert ok and reply is not None and reply.result["tools"]  # still serving
        with pytest.raises(ForkFailed, match="not running"):
            await host.fork([], WORKER_ENV)

        os.kill(worker.pid, signal.SIGTERM)
        with trio.fail_after(10):
            await worker.reached(Life.DEAD)
        assert worker.exit is not None and worker.exit.code is None  # no parent left to tell it
        nursery.cancel_scope.cancel()


def test_a_bad_request_is_answered_and_the_host_goes_on(tmp_path):
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    options = host_options(WORKER_ENV, theirs, os.getpid())
    host = subprocess.Popen(options.pop("args"), **options)
    theirs.close()
    ours.settimeout(30)
    try:
        assert json.loads(ours.recv(65536)) == {"ready": host.pid}
        ours.send(b"not json")
        assert "error" in json.loads(ours.recv(65536))
        read, write = os.pipe()
        socket.send_fds(ours, [json.dumps({"fork": 7, "argv": [], "env": {}}).encode()], [read, write])
        os.close(read)
        os.close(write)
        answer = json.loads(ours.recv(65536))
        assert answer["forked"] == 7 and "3 descriptors" in answer["error"]
        assert host.poll() is None
        ours.close()  # the supervisor's end closed: the host ends
        assert host.wait(timeout=10) == 0
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()


async def test_a_worker_whose_supervisor_dies_exits_though_its_parent_is_the_host(tmp_path):
    # The worker's lifeline watches the supervisor named in the environment of its fork request
    # (not the host's, not its parent): a stand-in for the supervisor, then its death.
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    async with trio.open_nursery() as nursery:
        host = await started_host(nursery)
        worker = await served(nursery, host, OE_MCP_SUPERVISOR_PID=str(stand_in.pid))
        stand_in.kill()
        stand_in.wait()
        await wait_until(lambda: worker.life is Life.DEAD, timeout=10)
        assert worker.exit is not None and worker.exit.code == 1
        await host.aclose()
        nursery.cancel_scope.cancel()


async def test_the_first_worker_asked_for_at_start_is_served_once_or_ends_with_the_host():
    for taken in (True, False):
        early = start_fork_host(WORKER_ENV, supervisor_pid=os.getpid(), first_worker_env=WORKER_ENV)
        assert early is not None
        host = early.adopt()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(host.run)
            answered, answer = host.first_answer
            with trio.fail_after(30):
                await answered.wait()
            pid = answer["pid"]
            assert alive(pid)
            if taken:  # the pool's first worker: served like any other, and only once
                process = await host.take_first()
                assert process is not None and process.pid == pid
                assert await host.take_first() is None
                worker = WorkerProcess(WORKER_COMMAND, {}, deque(maxlen=20), process=process)
                nursery.start_soon(worker.run)
                with trio.fail_after(30):
                    await worker.reached(Life.READY)
                await worker.stop()
            await host.aclose()  # not taken (the settings chose another standby): it ends too
            await wait_until(lambda pid=pid: not alive(pid), timeout=10)
            nursery.cancel_scope.cancel()
