"""Starting a worker process. Light to import on purpose: the first worker is started with
`subprocess` before trio or anything heavy is imported (`start_first_worker`), so that the
worker's cold start overlaps the supervisor's own from its first milliseconds; the pool then
serves that process (`WorkerProcess(process=...)`) as it serves one it spawned with trio."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shared.worker_env import for_worker

if TYPE_CHECKING:
    import trio

    from supervisor.fork_host import ForkHost

WORKER_COMMAND = (sys.executable, "-m", "worker.cli")
HOST_COMMAND = (sys.executable, "-m", "worker.host")  # the fork host (supervisor/fork_host.py)
STDERR_PIPE_BYTES = 1 << 20  # Linux's limit for an unprivileged process; its default is 64 KiB
_PIPES: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE,
                          "stderr": subprocess.PIPE, "start_new_session": True}


async def spawn_worker(command: Sequence[str], env: dict[str, str]) -> trio.Process:
    """A worker process in a session of its own (a kill reaches all it starts), MCP on its
    pipes, its log on stderr."""
    import trio

    process = await trio.lowlevel.open_process(list(command), env=env, **_PIPES)
    roomy_stderr(process.stderr)
    return process


def start_first_worker(env: dict[str, str]) -> EarlyWorker | None:
    """The first current worker (it exchanges its JWT at start), started at once, without trio;
    or None if it cannot be started: the pool then tries again itself, and reports why."""
    try:
        popen = subprocess.Popen(list(WORKER_COMMAND), env=for_worker(
            env, supervisor_pid=os.getpid(), warm_token=True), **_PIPES)
    except OSError:
        return None
    roomy_stderr(popen.stderr)
    return EarlyWorker(popen)


def roomy_stderr(pipe: Any) -> None:
    """A worker's stderr pipe (an object with `fileno()`, or the descriptor) made
    STDERR_PIPE_BYTES, where the system allows (Linux): the supervisor reads a worker's log in
    batches, and a worker must never wait on a full pipe meanwhile."""
    try:
        import fcntl  # (not on Windows)

        fd = pipe if isinstance(pipe, int) else pipe.fileno()
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, STDERR_PIPE_BYTES)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


class EarlyWorker:
    """A worker started by `start_first_worker`, with what the supervisor uses of a
    `trio.Process`: `pid`, `returncode`, `stdin`/`stdout`/`stderr` as trio streams and `wait()`.
    Its pipes become trio streams once trio runs (`adopt`, called by supervisor/serve.py)."""

    def __init__(self, popen: subprocess.Popen[bytes]):
        self._popen = popen
        self.pid = popen.pid
        self.stdin: Any = None
        self.stdout: Any = None
        self.stderr: Any = None

    def adopt(self) -> None:
        """The pipes as trio streams (once; needs a running trio)."""
        if self.stdin is not None:
            return
        import trio

        streams = []
        for pipe in (self._popen.stdin, self._popen.stdout, self._popen.stderr):
            assert pipe is not None
            streams.append(trio.lowlevel.FdStream(os.dup(pipe.fileno())))
            pipe.close()
        self.stdin, self.stdout, self.stderr = streams

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    async def wait(self) -> int:
        """Wait for its exit (a pidfd where there is one, else polling) and reap it."""
        import trio

        if self._popen.poll() is None:
            try:
                pidfd = os.pidfd_open(self.pid)
            except (AttributeError, OSError):
                pidfd = None
            if pidfd is not None:
                try:
                    await trio.lowlevel.wait_readable(pidfd)
                finally:
                    os.close(pidfd)
            else:
                while self._popen.poll() is None:
                    await trio.sleep(0.05)
        return self._popen.wait()

    def terminate(self) -> None:
        self._popen.terminate()

    def kill(self) -> None:
        self._popen.kill()


def fork_host_supported() -> bool:
    """Fork needs a POSIX system; the host is kept to Linux, where it is tested (macOS's system
    frameworks are not fork-safe, Windows has no fork)."""
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def host_options(env: dict[str, str], theirs: socket.socket, supervisor_pid: int) -> dict[str, Any]:
    """How the host is started, `theirs` its end of the channel: its stdout is not ours (that
    is the client's MCP channel), its stderr is (it logs, redacted)."""
    return {"args": [*HOST_COMMAND, "--control-fd", str(theirs.fileno())],
            "env": for_worker(env, supervisor_pid=supervisor_pid, warm_token=False),
            "stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
            "pass_fds": (theirs.fileno(),), "start_new_session": True}


def start_fork_host(env: dict[str, str], *, supervisor_pid: int,
                    first_worker_env: dict[str, str] | None = None) -> EarlyHost | None:
    """Start the host without trio (the supervisor starts it first thing); None if it cannot be
    started or forking is not supported here. The pool then adopts and serves it. With
    `first_worker_env` (the workers' environment), the first worker is asked for at once: the
    host forks it as soon as its imports are done, as a worker spawned now would be ready."""
    if not fork_host_supported():
        return None
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        process = subprocess.Popen(**host_options(env, theirs, supervisor_pid))
    except OSError:
        ours.close()
        return None
    finally:
        theirs.close()
    first = None
    if first_worker_env is not None:
        first = _ask_first_worker(ours, for_worker(first_worker_env, supervisor_pid=supervisor_pid,
                                                   warm_token=True))
    return EarlyHost(process, ours, first)


def worker_pipes() -> tuple[list[int], list[int]]:
    """A forked worker's stdin, stdout and stderr: (its ends, to pass to the fork host; ours)."""
    pipes = [os.pipe() for _ in range(3)]
    theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]  # its stdin to read, stdout/stderr to write
    ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
    roomy_stderr(ours[2])
    return theirs, ours


FIRST_FORK_ID = 0  # the id of the fork asked for at start (the pool's later ones count from 1)


def fork_request(fork_id: int, argv: Sequence[str], env: dict[str, str]) -> bytes:
    """The packet that asks the fork host for a worker (worker/host.py); the worker's pipes go
    with it as SCM_RIGHTS."""
    import json

    return json.dumps({"fork": fork_id, "argv": list(argv), "env": env}).encode()


def _ask_first_worker(control: socket.socket, env: dict[str, str]) -> list[int] | None:
    """Send the fork request of the first worker; our ends of its stdin, stdout and stderr, or
    None if it could not be sent (the pool then asks once it runs)."""
    theirs, ours = worker_pipes()
    try:
        socket.send_fds(control, [fork_request(FIRST_FORK_ID, [], env)], theirs)
    except OSError:
        for fd in ours:
            os.close(fd)
        return None
    finally:
        for fd in theirs:
            os.close(fd)
    return ours


class EarlyHost:
    """A host started before trio runs; `adopt` (once trio runs) makes it a `ForkHost`. Until
    then, what the supervisor uses to stop an early child: `pid` and `wait()`."""

    def __init__(self, process: subprocess.Popen[bytes], control: socket.socket,
                 first_worker_pipes: list[int] | None = None):
        self.process, self.control = process, control
        self.pid = process.pid
        self.first_worker_pipes = first_worker_pipes  # the first worker's, asked for at start
        self._adopted: ForkHost | None = None

    def adopt(self) -> ForkHost:
        if self._adopted is None:
            from supervisor.fork_host import ForkHost

            self._adopted = ForkHost(self.process, self.control, first=self.first_worker_pipes)
        return self._adopted

    async def wait(self) -> int:
        await self.adopt().aclose(grace=0)
        return self.process.wait()
