"""What serves the calls the front cannot answer itself, and with which settings.

With wrong settings the supervisor still serves: the front answers the handshake and every list
call, no worker is started, and each call is answered with the problems and their fixes
(the text `oe-mcp-local check` and stderr show). The env file (`.env`, or `OE_MCP_ENV_FILE`) is
looked at again before each call; once the settings are right, the worker pool starts, and if
they change while it runs, its worker is recycled gracefully onto them. No client restart is
ever needed.

Life cycle, one value (`Readiness`): UNCONFIGURED (settings wrong, nothing started) -> RUNNING
(the pool, its relay and the status socket, started in the nursery given at construction,
which the caller closes after `shutdown`) -> STOPPED.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from shared.processes import signal_group
from shared.surface import Surface
from supervisor.reporting import Reporter
from supervisor.spawn import WORKER_COMMAND

if TYPE_CHECKING:  # imported when first needed: after the handshake is answered, not before it
    from shared.settings import Settings
    from supervisor.pool import Forward, WorkerPool
    from supervisor.relay import Relay

log = logging.getLogger("oe-mcp-local")
GREETING_WAIT_SECONDS = 0.5  # a client that sends no initialize by then does not hold us up


class Readiness(Enum):
    UNCONFIGURED = auto()
    RUNNING = auto()
    STOPPED = auto()


@dataclass(frozen=True)
class FileState:
    """What tells us the env file changed: its identity, size and modification time."""

    exists: bool
    inode: int = 0
    size: int = 0
    mtime_ns: int = 0

    @classmethod
    def of(cls, path: Path) -> FileState:
        try:
            found = os.stat(path)
        except OSError:
            return cls(exists=False)
        return cls(True, found.st_ino, found.st_size, found.st_mtime_ns)


@dataclass(frozen=True)
class Problems:
    """Settings that cannot be used: one line per problem, naming the variable and the fix."""

    text: str

    def __str__(self) -> str:
        return self.text


def not_configured(problems: Problems, path: Path) -> str:
    """What a call is answered while the settings are wrong."""
    return (f"The OvalEdge connection is not set up: fix these settings in {path} (or in the MCP "
            f"client's env block), then call again; no restart is needed.\n{problems}")


def _account(settings: Settings) -> tuple[str, str, str]:
    return (settings.ovaledge_base_url, settings.ovaledge_user_token.get_secret_value(),
            settings.ovaledge_user_secret.get_secret_value())


class Backend:
    def __init__(self, nursery: trio.Nursery, surface: Surface, reporter: Reporter,
                 worker_env: dict[str, str], overrides: dict[str, Any], *,
                 first: trio.Process | None = None, status_extra: dict[str, Any] | None = None):
        self._nursery = nursery
        self.surface = surface
        self.reporter = reporter
        self.worker_env = worker_env
        self.overrides = overrides  # e.g. the demo sandbox's URL and credentials
        self.status_extra = status_extra or {}
        self.forward: Forward | None = None  # set by the front, handed to the pool
        self.readiness = Readiness.UNCONFIGURED
        self.path: Path | None = None  # the env file, known once the settings are first read
        self.settings: Settings | None = None
        self.problem: str | None = None
        self.pool: WorkerPool | None = None
        self._relay: Relay | None = None
        self._first = first  # spawned early; kept only if the settings are right
        self._seen: FileState | None = None
        self._lock = trio.Lock()  # one look at the file at a time; calls then share its outcome
        self._started = trio.Event()  # `start` has decided: running, or waiting for a fix

    # -- settings ---------------------------------------------------------------------------
    def _load(self) -> Settings | Problems:
        from shared.settings import SettingsError, env_file_path, load_settings

        self.path = env_file_path()
        self._seen = FileState.of(self.path)
        try:
            return load_settings(**self.overrides)
        except SettingsError as exc:
            return Problems(str(exc))

    async def start(self, greeted: trio.Event | None = None) -> None:
        """Load the settings once at start: run if they are right; else say so on stderr,
        stop the early worker (it read the same settings), and wait for a fix. With `greeted`,
        first wait (briefly) until the client's `initialize` is answered: the handshake does
        not wait for the settings, the pool or the status socket. Calls wait for this."""
        try:
            if greeted is not None:
                with trio.move_on_after(GREETING_WAIT_SECONDS):
                    await greeted.wait()
            if self.readiness is Readiness.STOPPED:
                return
            loaded = self._load()
            if isinstance(loaded, Problems):
                self._unconfigured(loaded)
                if self._first is not None:
                    self._stop_early(self._first)
                    self._first = None
                return
            await self._run(loaded)
        finally:
            self._started.set()

    def _unconfigured(self, problems: Problems) -> None:
        self.problem = not_configured(problems, self.path)
        print(f"oe-mcp-local: serving without OvalEdge until these settings are fixed (in "
              f"{self.path} or the MCP client's env block):\n{problems}", file=sys.stderr, flush=True)

    async def _run(self, settings: Settings) -> None:
        from supervisor.pool import WorkerPool
        from supervisor.relay import Relay
        from supervisor.status import SupervisorStatus
        from supervisor.status_socket import serve_status

        self.settings, self.problem = settings, None
        pool = WorkerPool(settings, list(WORKER_COMMAND), self.worker_env, self.reporter.report,
                          first=self._first)
        self._first = None
        pool.forward = self.forward
        relay = Relay(pool, self.surface, settings.oe_mcp_call_timeout_seconds, self.reporter.report)
        status = SupervisorStatus(pool, relay, self.status_extra)
        await self._nursery.start(pool.run)
        # Listening before any call is served; it cannot fail: without it we serve, and say so.
        await self._nursery.start(serve_status, status, pool, settings.oe_mcp_status_socket)
        self.pool, self._relay = pool, relay
        self.readiness = Readiness.RUNNING

    # -- for each call ------------------------------------------------------------------------
    async def relay(self) -> Relay | str:
        """The relay to send a call to, or the text that answers it (the settings are wrong).
        Looks at the env file first: a change is acted on before this call goes anywhere."""
        if not self._started.is_set():
            await self._started.wait()
        if (self.readiness is Readiness.RUNNING and self._relay is not None and not self._lock.locked()
                and self._unchanged()):
            return self._relay  # the usual case, decided without a scheduler pass
        async with self._lock:
            if self.readiness is Readiness.STOPPED:
                return "The server is shutting down (its client closed the connection)."
            if not self._unchanged():
                await self._reload()
            if self._relay is None:
                return self.problem or "The OvalEdge connection is not set up."
            return self._relay

    def _unchanged(self) -> bool:
        return self.path is not None and FileState.of(self.path) == self._seen

    async def _reload(self) -> None:
        loaded = self._load()
        if isinstance(loaded, Problems):
            if self.readiness is Readiness.UNCONFIGURED:
                self._unconfigured(loaded)
            else:  # the running worker keeps the settings it read; a new one would fail
                await self.reporter.report("warning", f"The settings file {self.path} changed and "
                                           f"now has problems; the running worker keeps its "
                                           f"settings until they are fixed:\n{loaded}")
            return
        if self.readiness is Readiness.UNCONFIGURED:
            await self.reporter.report("info", f"The settings in {self.path} are right now; "
                                       "starting the OvalEdge worker.")
            await self._run(loaded)
            return
        assert self.pool is not None and self._relay is not None and self.settings is not None
        if loaded.model_dump() == self.settings.model_dump():
            return  # touched, not changed
        same_account = _account(loaded) == _account(self.settings)
        self.settings = loaded
        self._relay.call_timeout = loaded.oe_mcp_call_timeout_seconds
        await self.reporter.report("info", f"The settings in {self.path} changed; recycling the "
                                   "worker onto them.")
        outcome = await self.pool.reconfigure(loaded, same_account=same_account)
        log.info("settings change: %s", outcome)

    async def shutdown(self) -> None:
        """Stop the workers (if any); the caller then closes the nursery."""
        self.readiness = Readiness.STOPPED
        if self._first is not None:
            self._stop_early(self._first)
            self._first = None
        if self.pool is not None:
            await self.pool.shutdown()

    def _stop_early(self, process: trio.Process) -> None:
        """An early worker not taken into a pool: kill its group and reap it in our nursery."""
        signal_group(process)
        self._nursery.start_soon(process.wait)
