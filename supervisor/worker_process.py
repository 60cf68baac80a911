"""One worker child: its process, its JSON-RPC link, its stderr, its in-flight calls.

The worker runs in its own process group (so a kill reaches anything it started), speaks MCP on
its stdin/stdout (`WorkerLink`: our handshake, our ids), and logs on stderr, which we keep a
redacted tail of and pass on to our own stderr. Death is detected by reaping the process, never
by waiting for EOF alone.

Where a worker is in its life is one value, `life` (a `Life`), that only moves forward, only
through `_become`; `await worker.reached(Life.X)` waits for it.
"""

from __future__ import annotations

import logging
import signal
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, auto
from typing import Any

import mcp_types as types
import trio
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

from shared import __version__
from shared.processes import signal_group
from shared.redaction import redact
from supervisor.spawn import spawn_worker
from supervisor.worker_link import Inbound, LinkClosed, Reply, WorkerError, WorkerLink

log = logging.getLogger("oe-mcp-local.worker")

HANDSHAKE_TIMEOUT_SECONDS = 30.0
# What the supervisor, as the worker's one client, says in its `initialize`.
INITIALIZE_PARAMS = types.InitializeRequestParams(
    protocol_version=LATEST_HANDSHAKE_VERSION,
    capabilities=types.ClientCapabilities(),
    client_info=types.Implementation(name="oe-mcp-local", version=__version__),
).model_dump(by_alias=True, mode="json", exclude_none=True)


# A worker's log is read in batches, at most every STDERR_BATCH_SECONDS: a wake-up for each
# line (one per OvalEdge request) cost the supervisor 7-25 % of its CPU per relayed call. Its
# pipe is made big enough at spawn (`STDERR_PIPE_BYTES`) that it never waits on a full one.
STDERR_BATCH_SECONDS = 0.05
# (Reads of 1 MiB would each allocate 1 MiB: the allocator then grows the heap, not the log.)
STDERR_READ_BYTES = 65536


class HandshakeFailed(Exception):
    """The worker answered its handshake with something other than a usable result."""


async def _nothing_to_forward(message: dict[str, Any], line: bytes) -> None:
    pass


class Life(IntEnum):
    """A worker's stages, in the order it goes through them; it may skip some (a worker that
    cannot be spawned goes from SPAWNING to DEAD), never go back."""

    SPAWNING = auto()  # its process is being started
    HANDSHAKING = auto()  # its process runs; the MCP handshake is under way
    READY = auto()  # takes calls
    RETIRING = auto()  # replaced on purpose (a recycle): finishes its calls, takes no new one
    LOST = auto()  # its MCP pipe closed or it died: its calls are cut, it takes none
    DEAD = auto()  # reaped; `exit` says how


@dataclass
class ExitInfo:
    code: int | None
    reason: str
    at: float  # wall-clock time

    def as_dict(self) -> dict[str, Any]:
        signal_name = None
        if self.code is not None and self.code < 0:
            try:
                signal_name = signal.Signals(-self.code).name
            except ValueError:
                signal_name = str(-self.code)
        return {
            "code": self.code,
            "signal": signal_name,
            "reason": self.reason,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at)),
        }


class WorkerProcess:
    def __init__(
        self,
        command: Sequence[str],
        env: dict[str, str],
        stderr_tail: deque[str],
        inbound: Inbound = _nothing_to_forward,
        *,
        process: trio.Process | None = None,
    ):
        """`process`: one already spawned with `command` and `env` (see `spawn_worker`)."""
        self.command = list(command)
        self.env = env
        self.stderr_tail = stderr_tail
        self.inbound = inbound  # what it sends besides answers (notifications, requests)
        self.pid: int | None = None
        self.link: WorkerLink | None = None
        self.life = Life.SPAWNING
        self._moved = trio.Event()  # set (and replaced) at each step of `life`
        self._stderr_done = trio.Event()  # its stderr is read to the end (its last words)
        self.exit: ExitInfo | None = None
        self.ready_at: float | None = None
        self.calls_served = 0
        self._kill_reason: str | None = None
        self._process: trio.Process | None = process
        if process is not None:
            self.pid = process.pid
            self.life = Life.HANDSHAKING
        self._in_flight: set[trio.CancelScope] = set()

    # -- life --------------------------------------------------------------------------------
    def _become(self, life: Life) -> None:
        """Move on to `life`. A step back or in place changes nothing: a handshake that ends
        after the process was reaped leaves it DEAD."""
        if life <= self.life:
            return
        self.life = life
        if life >= Life.LOST:  # nobody will answer its calls any more
            for scope in list(self._in_flight):
                scope.cancel()
        self._moved.set()
        self._moved = trio.Event()

    async def reached(self, life: Life) -> None:
        """Return once the worker is at `life` or past it."""
        while self.life < life:
            await self._moved.wait()

    def retire(self) -> None:
        """It has been replaced: it finishes the calls it has and takes no new one."""
        self._become(Life.RETIRING)

    async def spawn(self) -> None:
        """Start the process (no waiting for it to be ready); `run` then serves it."""
        if self._process is not None or self.life is not Life.SPAWNING:
            return
        try:
            process = await spawn_worker(self.command, self.env)
        except OSError as exc:
            self.stderr_tail.append(redact(f"cannot start the worker: {exc}"))
            self.exit = ExitInfo(None, f"spawn failed: {exc}", time.time())
            self._become(Life.DEAD)
            return
        self._process = process
        self.pid = process.pid
        self._become(Life.HANDSHAKING)

    async def run(self) -> None:
        """Spawn (unless `spawn` did), connect, serve until the process ends. Never raises for a
        worker failure."""
        await self.spawn()
        process = self._process
        if process is None:
            return
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._pump_stderr, process.stderr)
            nursery.start_soon(self._reap, process)
            try:
                await self._serve(process, nursery)
            finally:
                if self.life is not Life.DEAD:
                    self.kill("its MCP connection ended")
                with trio.CancelScope(shield=True):
                    # Reap here too: when we are being cancelled, so is the _reap task.
                    await self._reap(process)
                nursery.cancel_scope.cancel()

    async def _serve(self, process: trio.Process, nursery: trio.Nursery) -> None:
        """Serve the worker's link in `nursery` (the worker's own): handshake, then calls until
        it dies or closes its pipe."""
        assert process.stdin is not None and process.stdout is not None
        link = WorkerLink(trio.StapledStream(process.stdin, process.stdout), self.inbound)
        nursery.start_soon(link.run)
        with trio.move_on_after(HANDSHAKE_TIMEOUT_SECONDS) as handshake:
            try:
                await self._handshake(link)
            except (LinkClosed, HandshakeFailed) as exc:  # the worker died or answered garbage
                self.kill(f"handshake failed ({type(exc).__name__})")
                return
        if handshake.cancelled_caught:
            self.kill(f"no MCP handshake within {HANDSHAKE_TIMEOUT_SECONDS:g} s")
            return
        self.link = link
        self.ready_at = trio.current_time()
        self._become(Life.READY)
        async with trio.open_nursery() as watch:
            watch.start_soon(self._kill_if_pipe_closes, link.closed)
            await self.reached(Life.DEAD)
            watch.cancel_scope.cancel()

    @staticmethod
    async def _handshake(link: WorkerLink) -> None:
        answer = await link.request("initialize", INITIALIZE_PARAMS)
        version = (answer.result or {}).get("protocolVersion")
        if version not in HANDSHAKE_PROTOCOL_VERSIONS:
            raise HandshakeFailed(f"initialize answered {answer.error or version!r}")
        await link.notify("notifications/initialized")
        listed = await link.request("tools/list")  # warm: the first call then finds it ready
        if not isinstance((listed.result or {}).get("tools"), list):
            raise HandshakeFailed("tools/list answered no tools")

    async def _kill_if_pipe_closes(self, closed: trio.Event) -> None:
        """Stdout closed: the worker is exiting, or broken; give it a moment, then kill it."""
        await closed.wait()
        self._become(Life.LOST)
        with trio.move_on_after(1.0):
            await self.reached(Life.DEAD)
            return
        self.kill("closed its MCP pipe")

    async def _reap(self, process: trio.Process) -> None:
        code = await process.wait()
        with trio.move_on_after(0.5):  # its last words (often the reason) are still in the pipe
            await self._stderr_done.wait()
        self._mark_dead(code)

    def _mark_dead(self, code: int) -> None:
        if self.life is Life.DEAD:
            return
        reason = self._kill_reason or ("exited" if code == 0 else "crashed")
        self.exit = ExitInfo(code, reason, time.time())
        self._become(Life.DEAD)

    async def _pump_stderr(self, stream: trio.abc.ReceiveStream | None) -> None:
        if stream is None:
            self._stderr_done.set()
            return
        pending = b""
        try:
            while chunk := await stream.receive_some(STDERR_READ_BYTES):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    self._note(raw)
                if len(chunk) < STDERR_READ_BYTES:  # read to the end of what it wrote so far
                    await trio.sleep(STDERR_BATCH_SECONDS)
        except (trio.ClosedResourceError, trio.BrokenResourceError, OSError):
            pass
        if pending:
            self._note(pending)
        self._stderr_done.set()

    def _note(self, raw: bytes) -> None:
        line = redact(raw.decode(errors="replace").rstrip())
        if line:
            self.stderr_tail.append(line)
            log.info("[worker %s] %s", self.pid, line.removeprefix("oe-mcp-worker "))

    # -- control -----------------------------------------------------------------------------
    def kill(self, reason: str) -> None:
        """SIGKILL the worker's whole process group (hung, or beyond saving)."""
        if self._kill_reason is None:
            self._kill_reason = reason
        if self._process is not None and self._process.returncode is None:
            signal_group(self._process)

    async def stop(self, grace: float = 2.0, reason: str = "stopped") -> None:
        """Close its stdin (a clean exit), then SIGTERM, then SIGKILL after `grace` each."""
        self._kill_reason = self._kill_reason or reason
        process = self._process
        if process is None or self.life is Life.DEAD:
            return
        with trio.CancelScope(shield=True):
            if process.stdin is not None:
                try:
                    await process.stdin.aclose()
                except (trio.ClosedResourceError, trio.BrokenResourceError, OSError):
                    pass
            with trio.move_on_after(grace):
                await self.reached(Life.DEAD)
                return
            signal_group(process, gently=True)
            with trio.move_on_after(grace):
                await self.reached(Life.DEAD)
                return
            self.kill(reason)
            await self.reached(Life.DEAD)

    # -- calls -------------------------------------------------------------------------------
    def rss_mb(self) -> float | None:
        """Resident memory in MB (Linux /proc), None where it cannot be read."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            pass
        return None

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def usable(self) -> bool:
        return self.life is Life.READY

    async def request(self, method: str, params: dict[str, Any] | None = None) -> tuple[bool, Reply | None]:
        """Send `method` and wait: (True, its reply), or (False, None) if the worker died (or
        closed its pipe) meanwhile. A reply may be a JSON-RPC error (`Reply.error`)."""
        link = self.link
        if link is None or self.life >= Life.LOST:
            return False, None
        with trio.CancelScope() as scope:
            self._in_flight.add(scope)
            try:
                return True, await link.request(method, params)
            except LinkClosed:
                return False, None
            finally:
                self._in_flight.discard(scope)
        return False, None  # cancelled because the worker died

    async def request_private(
        self, method: str, params: types.RequestParams, result_type: type[types.Result]
    ) -> tuple[bool, Any]:
        """`request` of a private supervisor -> worker method (shared/protocol.py), its result
        read as `result_type`; WorkerError if the worker answers with an error."""
        ok, reply = await self.request(method, params.model_dump(by_alias=True, mode="json",
                                                                 exclude_none=True))
        if not ok or reply is None:
            return False, None
        if reply.error is not None:
            raise WorkerError(reply.error)
        return True, result_type.model_validate(reply.result or {})

    async def drained(self) -> None:
        while self._in_flight:
            await trio.sleep(0.02)

