"""Restart policy and breaker, driven by trio's MockClock (no real waiting)."""

from __future__ import annotations

import trio

from supervisor.policy import Breaker, BreakerState, RestartPolicy

POLICY = RestartPolicy(max_restarts=4, window=60, cooldown=30, backoff_initial=0.5,
                       backoff_max=2.0, stable_after=60)


async def test_backoff_grows_within_the_window_and_is_capped(autojump_clock):
    breaker = Breaker(RestartPolicy(max_restarts=10, window=60, backoff_initial=0.5, backoff_max=2.0))
    delays = [breaker.record_crash(trio.current_time()) for _ in range(6)]
    assert delays == [0.0, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert breaker.state is BreakerState.CLOSED


async def test_crashes_spread_beyond_the_window_never_open_it(autojump_clock):
    breaker = Breaker(POLICY)
    for _ in range(10):
        assert breaker.record_crash(trio.current_time()) == 0.0  # each one alone in its window
        await trio.sleep(61)
    assert breaker.state is BreakerState.CLOSED


async def test_breaker_opens_cools_down_half_opens_and_closes(autojump_clock):
    breaker = Breaker(POLICY)
    for _ in range(3):
        assert breaker.record_crash(trio.current_time()) is not None
        await trio.sleep(1)
    assert breaker.record_crash(trio.current_time()) is None  # the 4th crash in 60 s
    assert breaker.state is BreakerState.OPEN
    opened = trio.current_time()
    assert breaker.reopen_at() == opened + 30
    await trio.sleep(29)
    assert not breaker.try_half_open(trio.current_time())
    await trio.sleep_until(breaker.reopen_at())
    assert breaker.try_half_open(trio.current_time())
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.record_ready(trio.current_time())
    assert breaker.state is BreakerState.CLOSED
    assert breaker.crashes_in_window(trio.current_time()) == 0  # a fresh budget
    assert breaker.record_crash(trio.current_time()) == 0.0


async def test_a_crash_while_half_open_reopens_at_once(autojump_clock):
    breaker = Breaker(POLICY)
    for _ in range(4):
        breaker.record_crash(trio.current_time())
    await trio.sleep(30)
    assert breaker.try_half_open(trio.current_time())
    assert breaker.record_crash(trio.current_time()) is None
    assert breaker.state is BreakerState.OPEN
    assert breaker.reopen_at() == trio.current_time() + 30


async def test_stable_running_clears_the_crash_history(autojump_clock):
    breaker = Breaker(POLICY)
    for _ in range(3):
        breaker.record_crash(trio.current_time())
    ready_since = trio.current_time()
    await trio.sleep(30)
    breaker.record_stable(ready_since, trio.current_time())
    assert breaker.crashes_in_window(trio.current_time()) == 3  # not stable long enough yet
    await trio.sleep(30)
    breaker.record_stable(ready_since, trio.current_time())
    assert breaker.crashes_in_window(trio.current_time()) == 0


def test_policy_comes_from_settings():
    from shared.settings import Settings

    settings = Settings(ovaledge_base_url="http://x", ovaledge_user_token="tttt",
                        ovaledge_user_secret="ssss", oe_mcp_max_restarts=7,
                        oe_mcp_restart_window_seconds=90, oe_mcp_breaker_cooldown_seconds=12)
    policy = RestartPolicy.from_settings(settings)
    assert (policy.max_restarts, policy.window, policy.cooldown) == (7, 90, 12)
