"""Restart policy as data, and the crash-loop breaker it drives.

Times come from `trio.current_time()` (pass `now`), so tests can drive everything with
trio's MockClock. The breaker has named states:

    closed     restarts allowed, with exponential backoff between crashes in the window
    open       too many crashes in the window: no restarts, calls fail fast, until cool-down
    half_open  cool-down passed: one trial worker; ready -> closed, crash -> open again
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import Settings


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 5  # crashes within `window` that open the breaker
    window: float = 60.0
    cooldown: float = 30.0  # how long the breaker stays open
    backoff_initial: float = 0.05  # delay before the 2nd restart in a window; doubles after
    backoff_max: float = 5.0
    stable_after: float = 60.0  # this long ready without a crash clears the crash history

    @classmethod
    def from_settings(cls, settings: Settings) -> RestartPolicy:
        return cls(
            max_restarts=settings.oe_mcp_max_restarts,
            window=settings.oe_mcp_restart_window_seconds,
            cooldown=settings.oe_mcp_breaker_cooldown_seconds,
            stable_after=settings.oe_mcp_restart_window_seconds,
        )


class Breaker:
    def __init__(self, policy: RestartPolicy):
        self.policy = policy
        self.state = BreakerState.CLOSED
        self.opened_at: float | None = None
        self._crashes: deque[float] = deque()

    def crashes_in_window(self, now: float) -> int:
        while self._crashes and now - self._crashes[0] > self.policy.window:
            self._crashes.popleft()
        return len(self._crashes)

    def record_crash(self, now: float) -> float | None:
        """Note a crash. Returns the delay before the next restart, or None if now open."""
        self._crashes.append(now)
        count = self.crashes_in_window(now)
        if self.state is BreakerState.HALF_OPEN or count >= self.policy.max_restarts:
            self.state = BreakerState.OPEN
            self.opened_at = now
            return None
        if count <= 1:
            return 0.0  # a lone crash is restarted at once
        return min(self.policy.backoff_initial * 2 ** (count - 2), self.policy.backoff_max)

    def reopen_at(self) -> float | None:
        return None if self.opened_at is None else self.opened_at + self.policy.cooldown

    def try_half_open(self, now: float) -> bool:
        """Open and cooled down: allow one trial restart."""
        if self.state is BreakerState.OPEN and now >= (self.reopen_at() or now):
            self.state = BreakerState.HALF_OPEN
            return True
        return False

    def record_ready(self, now: float) -> None:
        """A worker finished its handshake."""
        if self.state is BreakerState.HALF_OPEN:
            self.state = BreakerState.CLOSED
            self.opened_at = None
            self._crashes.clear()

    def record_stable(self, ready_since: float, now: float) -> None:
        """A worker has been ready a while: past crashes no longer count against it."""
        if self.state is BreakerState.CLOSED and now - ready_since >= self.policy.stable_after:
            self._crashes.clear()
