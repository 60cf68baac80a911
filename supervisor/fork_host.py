"""The supervisor's side of the fork host (worker/host.py), the standby on Linux.

`supervisor.spawn.start_fork_host` starts the host without trio, so that its imports overlap
the supervisor's own start-up (as the first worker's did before). `ForkHost.run` then serves its
control channel in the pool's nursery, and `ForkHost.fork` asks it for a worker: the answer is a
`ForkedWorker`, which the pool's `WorkerProcess` serves as it serves a process it spawned (pid,
pipes, `wait`).

A forked worker is the host's child, not ours: its exit code comes from the host. If the host
is gone first (or no longer served), the worker lives on (it still reads its requests from us),
and its end is seen on a pidfd instead, without a code.
"""

from __future__ import annotations

import array
import json
import os
import signal
import socket
import subprocess
from collections.abc import Sequence
from itertools import count
from typing import Any

import trio

from shared.processes import pid_alive
from supervisor.spawn import (
    FIRST_FORK_ID,
    fork_host_supported,
    fork_request,
    host_options,
    worker_pipes,
)

READY_TIMEOUT_SECONDS = 30.0  # its imports: a cold start's, about 1 s here
# A fork is answered in milliseconds: a host that takes longer is stopped or hung (SIGSTOP), and
# is killed, so that the worker is spawned cold and the pool starts another host.
ANSWER_TIMEOUT_SECONDS = 5.0
CODE_WAIT_SECONDS = 0.5  # after a worker's end, for the host's word of its exit code
PACKET_BYTES = 65536


class ForkFailed(Exception):
    """The host could not fork a worker (gone, not ready in time, or the fork failed)."""


class ForkedWorker:
    """A worker the host forked, with what `WorkerProcess` uses of a `trio.Process`."""

    def __init__(self, pid: int, stdin: Any, stdout: Any, stderr: Any, host_gone: trio.Event):
        self.pid = pid
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.returncode: int | None = None
        self._ended = trio.Event()
        self._host_gone = host_gone

    def ended(self, code: int | None) -> None:
        if not self._ended.is_set():
            self.returncode = code
            self._ended.set()

    async def wait(self) -> int | None:
        """Its exit code as the host reported it (negative: the signal), or None where the host
        could not tell (gone, or stopped). Its end itself is seen on a pidfd, which needs no reap."""
        if not self._ended.is_set():
            await _wait_pid(self.pid)
            with trio.move_on_after(CODE_WAIT_SECONDS):  # the host reaps it and says how it ended
                await _first_set(self._ended, self._host_gone)
            self.ended(self.returncode)
        return self.returncode


class ForkHost:
    def __init__(self, process: Any, control: socket.socket, *, first: list[int] | None = None):
        """`first`: our ends of the pipes of a first worker asked for before trio ran
        (`supervisor.spawn.start_fork_host`), which `take_first` hands out."""
        self.process = process  # a Popen (started early) or a trio.Process
        self.pid: int = process.pid
        self._control = trio.socket.from_stdlib_socket(control)
        self.ready = trio.Event()
        self.gone = trio.Event()
        self._ids = count(FIRST_FORK_ID + 1)
        self._pending: dict[int, tuple[trio.Event, dict[str, Any]]] = {}
        self._workers: dict[int, ForkedWorker] = {}
        self._first = first
        # The host's answer to the first worker's request: set, {"forked": 0, "pid": p} or an error.
        self.first_answer: tuple[trio.Event, dict[str, Any]] = (trio.Event(), {})
        if first is not None:
            self._pending[FIRST_FORK_ID] = self.first_answer

    @property
    def usable(self) -> bool:
        return self.ready.is_set() and not self.gone.is_set()

    # -- its life -----------------------------------------------------------------------------
    async def run(self) -> None:
        """Read the host's messages until it is gone; then answer the forks still waiting."""
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._read)
                await self._wait_exit()
                # Its last messages (a worker's exit it saw just before) are still in the socket.
                with trio.move_on_after(0.5):
                    await self.gone.wait()
                nursery.cancel_scope.cancel()
        finally:
            self.gone.set()
            self._control.close()
            for event, answer in self._pending.values():
                answer.setdefault("error", "the fork host is gone")
                event.set()

    async def _read(self) -> None:
        while True:
            try:
                data = await self._control.recv(PACKET_BYTES)
            except (OSError, trio.ClosedResourceError):  # (closed by `aclose`)
                data = b""
            if not data:
                self.gone.set()
                return
            self._take(json.loads(data))

    def _take(self, message: dict[str, Any]) -> None:
        if "ready" in message:
            self.ready.set()
        elif "forked" in message and message["forked"] in self._pending:
            event, answer = self._pending.pop(message["forked"])
            answer.update(message)
            event.set()
        elif "exited" in message:
            worker = self._workers.pop(message["exited"], None)
            if worker is not None:
                worker.ended(message.get("code"))

    async def _wait_exit(self) -> None:
        if isinstance(self.process, subprocess.Popen):
            if self.process.poll() is None:
                await _wait_pid(self.process.pid)
            self.process.wait()
        else:
            await self.process.wait()

    async def aclose(self, grace: float = 2.0) -> None:
        """Close its channel, which ends it (its workers live on: they are stopped on their
        own); SIGKILL after `grace` seconds; reap it."""
        with trio.CancelScope(shield=True):
            self._control.close()
            for fd in self._first or ():  # a first worker nobody took: its stdin closes, it ends
                os.close(fd)
            self._first = None
            with trio.move_on_after(grace):
                await self._wait_exit()
                return
            self.kill()
            await self._wait_exit()

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass

    # -- forking --------------------------------------------------------------------------------
    async def take_first(self) -> ForkedWorker | None:
        """The first worker, asked for at start, once: None if there was none, or it failed (the
        caller then forks or spawns one)."""
        pipes, self._first = self._first, None
        if pipes is None:
            return None
        event, answer = self.first_answer
        if not await self._answered(event, READY_TIMEOUT_SECONDS):
            answer.setdefault("error", "no answer")
        return self._forked(answer, pipes)

    async def _answered(self, event: trio.Event, timeout: float) -> bool:
        """Wait for the host's answer `event`; a host that does not answer in `timeout` seconds is
        killed (it is stopped or hung), and False returned."""
        with trio.move_on_after(timeout):
            await event.wait()
            return True
        self.kill()
        return False

    def _forked(self, answer: dict[str, Any], ours: list[int]) -> ForkedWorker | None:
        """The worker the host answered `answer` for, on our ends `ours` of its pipes; None (and
        the pipes closed) if it forked none."""
        if "pid" not in answer:
            for fd in ours:
                os.close(fd)
            return None
        worker = ForkedWorker(answer["pid"], *(trio.lowlevel.FdStream(fd) for fd in ours),
                              host_gone=self.gone)
        self._workers[worker.pid] = worker
        return worker

    async def fork(self, argv: Sequence[str], env: dict[str, str]) -> ForkedWorker:
        """A new worker, forked with `argv` (the worker's command line after `python -m
        worker.cli`) and `env`; its pipes are ours."""
        with trio.move_on_after(READY_TIMEOUT_SECONDS):
            await _first_set(self.ready, self.gone)
        if not self.usable:
            raise ForkFailed("the fork host is not running" if self.gone.is_set()
                             else f"the fork host was not ready within {READY_TIMEOUT_SECONDS:g} s")
        theirs, ours = worker_pipes()
        fork_id = next(self._ids)
        event, answer = trio.Event(), {}
        self._pending[fork_id] = (event, answer)
        try:
            try:
                fds = array.array("i", theirs)
                await self._control.sendmsg([fork_request(fork_id, argv, env)],
                                            [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
            except OSError as exc:
                raise ForkFailed(f"the fork host did not take the request ({exc})") from None
            if not await self._answered(event, ANSWER_TIMEOUT_SECONDS):
                raise ForkFailed(f"the fork host did not answer within {ANSWER_TIMEOUT_SECONDS:g} s "
                                 "and was killed")
        except BaseException:
            self._pending.pop(fork_id, None)
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        worker = self._forked(answer, ours)
        if worker is None:
            raise ForkFailed(answer.get("error") or "the fork host answered no pid")
        return worker


async def spawn_fork_host(env: dict[str, str], *, supervisor_pid: int) -> ForkHost | None:
    """`start_fork_host` from a running trio (the host is replaced after it ended)."""
    if not fork_host_supported():
        return None
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    options = host_options(env, theirs, supervisor_pid)
    try:
        process = await trio.lowlevel.open_process(options.pop("args"), **options)
    except OSError:
        ours.close()
        return None
    finally:
        theirs.close()
    return ForkHost(process, ours)


async def _first_set(*events: trio.Event) -> None:
    async with trio.open_nursery() as race:
        for event in events:
            async def wait(event: trio.Event = event) -> None:
                await event.wait()
                race.cancel_scope.cancel()

            race.start_soon(wait)


async def _wait_pid(pid: int) -> None:
    """Until process `pid` has ended (a pidfd where there is one, else polling)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is None:
        while pid_alive(pid):
            await trio.sleep(0.05)
        return
    try:
        await trio.lowlevel.wait_readable(pidfd)
    finally:
        os.close(pidfd)
