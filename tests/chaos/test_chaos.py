"""Chaos: concurrent reads and confirmed writes while workers are SIGKILLed and SIGSTOPped.

Two supervisors (`oe-mcp-local`, real processes) share one sandbox OvalEdge, each with its own
credential so their JWTs never supersede each other: one is driven by the MCP SDK's client, the
other over raw JSON-RPC lines so we count the answers to every request id ourselves. On each,
reader tasks loop over the read tools and a writer loops over governed writes (a preview, then
the confirmed call with its confirmation token), every write with its own idempotency key and
text. Meanwhile a seeded schedule SIGKILLs or SIGSTOPs a worker (mostly the current one, at
times the standby), waiting a seeded gap after the previous victim was replaced.

Checked: every request id answered exactly once (raw connection: counted; SDK connection: a
missing answer fails the call's deadline); every read succeeds; no write is duplicated: each
write's body reached the sandbox at most once, a write answered with success exactly once, a
write answered "outcome is unknown" 0 or 1 times; every stopped worker was replaced and reaped.

The supervisor replays a read-only call once, so a read survives one worker death, not two:
the schedule waits for the victim's replacement and then at least 0.7 s before the next event,
far longer than a replayed read takes. That spacing is part of the contract under test.

    CI (short, fixed seed):   .venv/bin/pytest tests/chaos -q
    long run:                 CHAOS_SECONDS=300 .venv/bin/pytest tests/chaos -q -s
    another schedule:         CHAOS_SEED=7 CHAOS_SECONDS=60 .venv/bin/pytest tests/chaos -q -s

The figures are printed (see them with -s) and written to benchmarks/.out/chaos.json
(CHAOS_OUT overrides the path).
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio

from shared.settings import REPO_ROOT
from supervisor.status_cli import ask
from tests.harness import alive, result_text, sandbox_env, supervisor, wait_until
from tests.rawstdio import RawClient, raw_supervisor, tool_text

SEED = int(os.environ.get("CHAOS_SEED", "20261125"))
SECONDS = float(os.environ.get("CHAOS_SECONDS", "15"))
OUT = Path(os.environ.get("CHAOS_OUT", REPO_ROOT / "benchmarks" / ".out" / "chaos.json"))

READERS_PER_LANE = 4
LATENCY = 0.08  # sandbox seconds per API call, so calls are in flight when a worker goes
GAP = (0.7, 1.8)  # seconds between a victim's replacement and the next event
CALL_DEADLINE = 45.0  # a call not answered by then counts as an unanswered id
SUPERVISOR_ENV = {
    "OE_MCP_PING_INTERVAL_SECONDS": "0.3",
    "OE_MCP_PING_TIMEOUT_SECONDS": "0.8",
    "OE_MCP_MAX_RESTARTS": "100000",  # never open the breaker: crashes are the point here
    "OE_MCP_RESTART_WINDOW_SECONDS": "2",  # keeps the restart backoff short
    "OE_MCP_CALL_TIMEOUT_SECONDS": "30",
    "OVALEDGE_LOG_HTTP_REQUESTS": "false",
}
READS: list[tuple[str, dict[str, Any]]] = [
    ("asset_explorer", {"search_terms": ["orders"], "limit": 5}),
    ("asset_explorer", {"search_terms": ["customer", "revenue"], "limit": 10}),
    ("asset_explorer", {"object_type": "glossary", "name": "Revenue"}),
    ("asset_explorer", {"object_type": "oetag", "name": "PII", "include_parent": True}),
    ("asset_details", {"object_id": 1002, "object_type": "oetable"}),
    ("asset_lineage", {"object_id": 1002, "object_type": "oetable", "depth": 2}),
    ("metadata_changes_between_crawls", {"connection_name": "retail_snowflake"}),
    ("access_explorer", {"operation": "source_system_access", "source_system": "snowflake",
                         "query_direction": "user_to_objects", "username": "ana.ortiz"}),
    ("knowledge_search", {"query": "how do I certify a table"}),
]


@dataclass(frozen=True)
class Event:
    gap: float
    target: str  # "current" or "spare"
    action: str  # "SIGKILL" or "SIGSTOP"


def schedule(seed: int, lane: str, count: int) -> list[Event]:
    """The lane's events: the same list for the same seed, whatever the machine's timing.

    The first two are one SIGKILL and one SIGSTOP of the current worker (order seeded), so
    even the shortest run has both; then anything.
    """
    rng = random.Random(f"{seed}:{lane}")
    first = ["SIGKILL", "SIGSTOP"]
    rng.shuffle(first)
    events = [Event(round(rng.uniform(*GAP), 2), "current", action) for action in first]
    while len(events) < count:
        events.append(Event(
            round(rng.uniform(*GAP), 2),
            "spare" if rng.random() < 0.15 else "current",
            "SIGSTOP" if rng.random() < 0.35 else "SIGKILL",
        ))
    return events


def test_the_schedule_is_fixed_by_the_seed():
    one = schedule(SEED, "sdk", 40)
    assert one == schedule(SEED, "sdk", 40)
    assert one != schedule(SEED + 1, "sdk", 40) and one != schedule(SEED, "raw", 40)
    assert {event.action for event in one[:2]} == {"SIGKILL", "SIGSTOP"}
    assert all(GAP[0] <= event.gap <= GAP[1] for event in one)


@dataclass
class Lane:
    name: str
    socket: Path
    call_fn: Any  # async (tool, args) -> (is_error, text)
    reads_ok: int = 0
    read_failures: list[tuple[str, str]] = field(default_factory=list)
    read_seconds: list[float] = field(default_factory=list)
    previews: int = 0
    preview_unknown: int = 0
    writes: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key -> write
    other_failures: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    victims: set[int] = field(default_factory=set)

    async def call(self, tool: str, args: dict[str, Any]) -> tuple[bool, str]:
        with trio.fail_after(CALL_DEADLINE):
            return await self.call_fn(tool, args)

    async def status(self) -> dict[str, Any]:
        return await trio.to_thread.run_sync(ask, self.socket, "status")


async def reader(lane: Lane, index: int, stop: trio.Event) -> None:
    rng = random.Random(f"{SEED}:{lane.name}:reader{index}")
    while not stop.is_set():
        tool, args = rng.choice(READS)
        started = trio.current_time()
        is_error, text = await lane.call(tool, args)
        lane.read_seconds.append(trio.current_time() - started)
        if is_error:
            lane.read_failures.append((tool, text[:500]))
        else:
            lane.reads_ok += 1


def is_unknown_outcome(is_error: bool, text: str) -> bool:
    return is_error and "outcome is unknown" in text


@dataclass(frozen=True)
class WriteKind:
    """One governed write the writers take turns at: its tool, route, and a body that carries
    the write's own idempotency key and text, so each POST can be told apart."""

    tool: str
    path: str
    args: Any  # (key, text) -> the tool's arguments
    text_of: Any  # recorded POST body -> the text it carries


WRITES = (
    WriteKind("update_asset_descriptions", "/api/v1/mcp/update-asset-descriptions",
              lambda key, text: {"object_id": 1002, "object_type": "oetable", "technical_description": text,
                                 "prompt": "set the technical description of orders", "idempotency_key": key},
              lambda body: body["descriptions"]["technicalDescription"]),
    WriteKind("update_custom_field_value", "/api/v1/mcp/update-custom-field-values",
              lambda key, text: {"object_id": 1002, "object_type": "oetable", "idempotency_key": key,
                                 "field_updates": [{"field_name": "Refresh Schedule", "value": text}]},
              lambda body: body["fieldUpdates"][0]["value"]),
    WriteKind("update_cde_associations", "/api/v1/mcp/update-cde-associations",
              lambda key, text: {"targets": [{"object_id": 100207, "object_type": "oecolumn"}], "action": "Yes",
                                 "cde_justification": text, "idempotency_key": key},
              lambda body: body["cdeJustification"]),
    WriteKind("update_governance_roles", "/api/v1/mcp/update-governance-roles",
              lambda key, text: {"object_id": 1002, "object_type": "oetable", "idempotency_key": key,
                                 "role_updates": {"custodian": "pos-dba"}, "reason": text},
              lambda body: body["clientContext"]["reason"]),
)
WRITE_PATHS = {kind.path: kind for kind in WRITES}


async def writer(lane: Lane, stop: trio.Event) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        kind = WRITES[number % len(WRITES)]
        key = f"chaos-{SEED}-{lane.name}-{number}"
        text = f"Chaos write {number} of lane {lane.name}, seed {SEED}."
        args = kind.args(key, text)
        token = None
        for _ in range(5):  # a preview writes nothing: one lost with its worker is asked again
            lane.previews += 1
            is_error, answer = await lane.call(kind.tool, args)
            if is_unknown_outcome(is_error, answer):
                lane.preview_unknown += 1
                continue
            if is_error:
                lane.other_failures.append(f"preview {key}: {answer[:300]}")
            else:
                token = json.loads(answer)["confirmationToken"]
            break
        if token is None:
            continue
        confirmed = {**args, "write_confirmed_by_user": True, "confirmation_token": token}
        is_error, answer = await lane.call(kind.tool, confirmed)
        if not is_error and json.loads(answer).get("data", {}).get("status") in ("success", "no_change"):
            outcome = "success"
        elif is_unknown_outcome(is_error, answer):
            outcome = "unknown"
        else:
            outcome = "other"
            lane.other_failures.append(f"write {key}: {answer[:300]}")
        lane.writes[key] = {"text": text, "outcome": outcome, "tool": kind.tool}


async def replaced(lane: Lane) -> dict[str, Any]:
    """The status once a ready worker, not one of our victims, serves (and no victim stands by)."""
    with trio.fail_after(30):
        while True:
            status = await lane.status()
            worker = status["worker"]
            if worker["state"] == "ready" and worker["pid"] and worker["pid"] not in lane.victims \
                    and worker.get("spare_pid") not in lane.victims:
                return status
            await trio.sleep(0.05)


async def chaos(lane: Lane, started: float, deadline: float) -> None:
    for event in schedule(SEED, lane.name, count=int(SECONDS / GAP[0]) + 2):
        await replaced(lane)
        await trio.sleep(event.gap)
        if trio.current_time() >= deadline:
            return
        worker = (await lane.status())["worker"]
        target = event.target
        pid = worker.get("spare_pid") if target == "spare" else worker["pid"]
        if not pid:  # no standby up at the moment: the current worker it is
            target, pid = "current", worker["pid"]
        if not pid or pid in lane.victims:
            continue  # it is being replaced right now; the next event will find its successor
        os.kill(pid, getattr(signal, event.action))
        lane.victims.add(pid)
        lane.events.append({"at": round(trio.current_time() - started, 2), "action": event.action,
                            "target": target, "pid": pid})


async def sdk_lane(conn, socket: Path) -> Lane:
    async def call(tool: str, args: dict[str, Any]) -> tuple[bool, str]:
        result = await conn.call(tool, args)
        return bool(result.is_error), result_text(result)

    return Lane("sdk", socket, call)


async def raw_lane(client: RawClient, socket: Path) -> Lane:
    async def call(tool: str, args: dict[str, Any]) -> tuple[bool, str]:
        result = await client.call_tool(tool, args, timeout=CALL_DEADLINE)
        return bool(result.get("isError")), tool_text(result)

    return Lane("raw", socket, call)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_posts(sandbox) -> dict[str, list[Any]]:
    """The write POSTs the sandbox received, by idempotency key (token rejections left out:
    those are refused before anything is applied, and re-sent once by design)."""
    posts: dict[str, list[Any]] = {}
    for request in sandbox.state.requests:
        if request.method == "POST" and request.path in WRITE_PATHS and request.status != 401:
            key = ((request.json or {}).get("options") or {}).get("idempotencyKey")
            posts.setdefault(key, []).append(request)
    return posts


async def test_chaos_reads_succeed_writes_never_duplicate_every_id_answered_once(sandbox, tmp_path):
    sandbox.state.credentials["chaos-raw-token"] = "chaos-raw-secret"
    sdk_env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "sdk.sock"), **SUPERVISOR_ENV)
    raw_env = sandbox_env(sandbox, OE_MCP_STATUS_SOCKET=str(tmp_path / "raw.sock"),
                          OVALEDGE_USER_TOKEN="chaos-raw-token",
                          OVALEDGE_USER_SECRET="chaos-raw-secret", **SUPERVISOR_ENV)
    lanes: list[Lane] = []
    wall_started = time.perf_counter()
    with trio.fail_after(SECONDS + 180):
        async with supervisor(sdk_env) as conn, raw_supervisor(raw_env) as client:
            await client.initialize()
            lanes = [await sdk_lane(conn, tmp_path / "sdk.sock"),
                     await raw_lane(client, tmp_path / "raw.sock")]
            for lane in lanes:  # both serving before the clock starts
                is_error, text = await lane.call(*READS[0])
                assert not is_error, text
                await replaced(lane)
            sandbox.state.latency_seconds = LATENCY
            started = trio.current_time()
            deadline = started + SECONDS
            stop = trio.Event()
            async with trio.open_nursery() as nursery:
                for lane in lanes:
                    for index in range(READERS_PER_LANE):
                        nursery.start_soon(reader, lane, index, stop)
                    nursery.start_soon(writer, lane, stop)
                    nursery.start_soon(chaos, lane, started, deadline)
                await trio.sleep_until(deadline)
                stop.set()
            ran_for = trio.current_time() - started
            sandbox.state.latency_seconds = 0
            for lane in lanes:  # after the storm: still serving
                await replaced(lane)
                is_error, text = await lane.call(*READS[0])
                assert not is_error, text
            statuses = {lane.name: await lane.status() for lane in lanes}
            await trio.sleep(1.0)  # any late or duplicate answer, any late POST, arrives by now
            victims = set().union(*(lane.victims for lane in lanes))
            await wait_until(lambda: not any(alive(pid) for pid in victims), timeout=10)
            stderr = {"sdk": conn.stderr(), "raw": client.stderr()}
            books = {
                "requests": len(client.requested),
                "answers": sum(len(a) for a in client.answers.values()),
                "unanswered": sorted(k for k in client.requested if not client.answers.get(k)),
                "answered_twice": sorted(k for k, a in client.answers.items() if len(a) > 1),
                "unknown_ids": sorted(set(client.answers) - client.requested),
                "not_json": client.not_json[:3],
            }
    posts = write_posts(sandbox)
    figures = summarise(lanes, statuses, posts, books, ran_for, time.perf_counter() - wall_started)
    print("\nchaos figures:\n" + json.dumps(figures, indent=2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")

    # -- every request id answered exactly once ---------------------------------------------
    assert not books["unanswered"] and not books["answered_twice"], books
    assert not books["unknown_ids"] and not books["not_json"], books
    assert books["answers"] == books["requests"], books
    # -- every read succeeds ----------------------------------------------------------------
    for lane in lanes:
        assert not lane.read_failures, (lane.name, lane.read_failures[:5])
        assert not lane.other_failures, (lane.name, lane.other_failures[:5])
    # -- no write duplicated ----------------------------------------------------------------
    writes = {key: write for lane in lanes for key, write in lane.writes.items()}
    assert set(posts) <= set(writes), sorted(set(posts) - set(writes))[:5]  # only our writes
    for key, write in writes.items():
        sent = posts.get(key, [])
        assert len(sent) <= 1, (key, [(r.status, r.json) for r in sent])
        if sent:
            assert WRITE_PATHS[sent[0].path].text_of(sent[0].json) == write["text"], sent[0].json
        if write["outcome"] == "success":
            assert len(sent) == 1 and sent[0].status == 200, (key, write, sent)
    # -- no traceback from either supervisor or any of their workers -----------------------
    for name, text in stderr.items():
        assert "Traceback" not in text, (name, text[text.index("Traceback") - 500:][:3000])
    # -- the chaos did happen ---------------------------------------------------------------
    actions = Counter(event["action"] for lane in lanes for event in lane.events)
    assert actions["SIGKILL"] >= 2 and actions["SIGSTOP"] >= 2, actions
    assert all(any(w["outcome"] == "success" for w in lane.writes.values()) for lane in lanes)
    assert {w["tool"] for lane in lanes for w in lane.writes.values()} == {kind.tool for kind in WRITES}


def summarise(lanes: list[Lane], statuses: dict[str, Any], posts: dict[str, list[Any]],
              books: dict[str, Any], ran_for: float, wall: float) -> dict[str, Any]:
    per_lane = {}
    for lane in lanes:
        status = statuses[lane.name]
        on_current = [e for e in lane.events if e["target"] == "current"]
        outcomes = Counter(w["outcome"] for w in lane.writes.values())
        unknown_posted = Counter(len(posts.get(key, [])) for key, w in lane.writes.items()
                                 if w["outcome"] == "unknown")
        per_lane[lane.name] = {
            "reads_ok": lane.reads_ok,
            "reads_failed": len(lane.read_failures),
            "read_seconds_p50": round(statistics.median(lane.read_seconds), 3) if lane.read_seconds else None,
            "read_seconds_p99": round(percentile(lane.read_seconds, 0.99), 3),
            "read_seconds_max": round(max(lane.read_seconds, default=0.0), 3),
            "previews": lane.previews,
            "previews_lost_with_worker": lane.preview_unknown,
            "writes": len(lane.writes),
            "writes_success": outcomes["success"],
            "writes_outcome_unknown": outcomes["unknown"],
            "writes_outcome_unknown_posted_0": unknown_posted[0],
            "writes_outcome_unknown_posted_1": unknown_posted[1],
            "sigkill": sum(e["action"] == "SIGKILL" for e in lane.events),
            "sigstop": sum(e["action"] == "SIGSTOP" for e in lane.events),
            "events_on_standby": len(lane.events) - len(on_current),
            "supervisor_restarts": status["worker"]["restarts"],
            "restarts_not_scheduled": status["worker"]["restarts"] - len(on_current),
            "replayed": status["calls"]["replayed"],
            "calls_total": status["calls"]["total"],
            "calls_failed": status["calls"]["failed"],
            "calls_timed_out": status["calls"].get("timed_out"),
            "events": lane.events,
        }
    return {
        "seed": SEED,
        "seconds": SECONDS,
        "ran_for_seconds": round(ran_for, 2),
        "wall_seconds": round(wall, 2),
        "readers_per_lane": READERS_PER_LANE,
        "sandbox_latency_seconds": LATENCY,
        "ping": {"interval": float(SUPERVISOR_ENV["OE_MCP_PING_INTERVAL_SECONDS"]),
                 "timeout": float(SUPERVISOR_ENV["OE_MCP_PING_TIMEOUT_SECONDS"])},
        "calls": sum(lane.reads_ok + len(lane.read_failures) + lane.previews + len(lane.writes)
                     for lane in lanes),
        "sigkill": sum(v["sigkill"] for v in per_lane.values()),
        "sigstop": sum(v["sigstop"] for v in per_lane.values()),
        "replayed": sum(v["replayed"] for v in per_lane.values()),
        "write_posts": sum(len(p) for p in posts.values()),
        "raw_ids": {"requests": books["requests"], "answers": books["answers"]},
        "lanes": per_lane,
    }
